"""The Mechanism for the Review of the Implementation of UNTOC and the Protocols thereto, as data:
sessions of the Conference of the Parties (art. 32), its resolutions, the mechanism, its review
cycles, thematic clusters (sets of provisions) and review groups. docs/model.md "review" says how.

Source: JSON Lines (``data/review-mechanism.jsonl``, loaded by ``sherloc-kg init``), or CSV with
the same columns (``provisions``, ``members`` and ``sources`` split on ``;``). Each line has a
``type``: ``session``, ``resolution``, ``mechanism``, ``cycle``, ``cluster`` or ``group``. Every
record goes to the public graph ``review``, replaced record by record, so that loading it never
touches the review responses in the same graph. Clusters 2-4 (and the members of the groups) are
added the same way, as data, once read in the appendix to the Procedures and rules.

IRIs (under ``{base}id/``): ``cop/session/{n}``, ``cop/resolution/{session}/{n}`` (resolution
9/1 → ``cop/resolution/9/1``), ``mechanism/{id}``, ``mechanism/{id}/cycle/{n}``,
``mechanism/{id}/cluster/{n}``, ``mechanism/{id}/group/{n}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris, segment
from sherloc_kg.namespaces import DCTERMS, RDF, SHERLOC, SKOS

from .records import Fields, RawRecord, Record, map_records
from .registry import FLAT, Loader

GRAPH = "review"
DEFAULT_MECHANISM = "untoc"

TYPES = ("session", "resolution", "mechanism", "cycle", "cluster", "group")
FIELDS = frozenset({"type", "id", "number", "label", "start", "end", "place", "session", "note", "sources",
                    "established_by", "mechanism", "launched_by", "cycle", "provisions", "member_count",
                    "members"})
MULTI_VALUED = frozenset({"sources", "provisions", "members"})
_RESOLUTION = re.compile(r"^(\d+)/(\d+)$")


# -- IRIs ---------------------------------------------------------------------------------------

def session_iri(iris: Iris, number: int | str) -> URIRef:
    return URIRef(f"{iris.base}id/cop/session/{segment(str(number))}")


def resolution_iri(iris: Iris, reference: str) -> URIRef:
    """``9/1`` → ``{base}id/cop/resolution/9/1``; UsageError if not written session/number."""
    match = _RESOLUTION.match(reference.strip())
    if not match:
        raise UsageError(f"'{reference}' is not a COP resolution number (expected session/number, e.g. 9/1)")
    return URIRef(f"{iris.base}id/cop/resolution/{match[1]}/{match[2]}")


def mechanism_iri(iris: Iris, mechanism: str = DEFAULT_MECHANISM) -> URIRef:
    return URIRef(f"{iris.base}id/mechanism/{segment(mechanism)}")


def cycle_iri(iris: Iris, number: int | str, mechanism: str = DEFAULT_MECHANISM) -> URIRef:
    return Iris.part(mechanism_iri(iris, mechanism), "cycle", number)


def cluster_iri(iris: Iris, number: int | str, mechanism: str = DEFAULT_MECHANISM) -> URIRef:
    return Iris.part(mechanism_iri(iris, mechanism), "cluster", number)


def group_iri(iris: Iris, number: int | str, mechanism: str = DEFAULT_MECHANISM) -> URIRef:
    return Iris.part(mechanism_iri(iris, mechanism), "group", number)


# -- reading ------------------------------------------------------------------------------------

def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    yield from map_records(path, source_format, MULTI_VALUED, map_item, iris)


#: Its records are of six classes (session, resolution, mechanism, cycle, cluster, group); the
#: statistics count the kind by its clusters.
LOADER = Loader(kind="mechanism", graphs=(GRAPH,), record_class=SHERLOC.ReviewCluster,
                formats=FLAT, read=read)


def _when(f: Fields, name: str) -> Literal | None:
    """``2018-10-15`` (xsd:date), ``2020-10`` (xsd:gYearMonth) or ``2020`` (xsd:gYear)."""
    value = f.text(name)
    if value is None:
        return None
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return Literal(value, datatype=XSD.gYearMonth)
    return f.date(name)


def _number(f: Fields, name: str = "number") -> int:
    number = f.integer(name)
    if number is None:
        raise f.error(name, "required field is missing: a whole number from 1")
    return number


def map_item(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    kind = f.text("type", required=True)
    if kind not in TYPES:
        raise f.error("type", f"expected one of {', '.join(TYPES)}, got {kind!r}")
    mechanism = f.text("mechanism") or DEFAULT_MECHANISM

    def reference(name: str, mint) -> URIRef | None:
        value = f.text(name)
        if value is None:
            return None
        try:
            return mint(value)
        except UsageError as error:
            raise f.error(name, str(error)) from error

    if kind == "session":
        subject, cls = session_iri(iris, _number(f)), SHERLOC.COPSession
    elif kind == "resolution":
        resolution = reference("id", lambda v: resolution_iri(iris, v))
        if resolution is None:
            raise f.error("id", "required field is missing: the resolution number, e.g. 9/1")
        subject, cls = resolution, SHERLOC.COPResolution
    elif kind == "mechanism":
        subject, cls = mechanism_iri(iris, f.text("id", required=True) or ""), SHERLOC.ReviewMechanism
    elif kind == "cycle":
        subject, cls = cycle_iri(iris, _number(f), mechanism), SHERLOC.ReviewCycle
    elif kind == "cluster":
        subject, cls = cluster_iri(iris, _number(f), mechanism), SHERLOC.ReviewCluster
    else:
        subject, cls = group_iri(iris, _number(f), mechanism), SHERLOC.ReviewGroup

    record = Record(subject, raw.location)

    def add(p: URIRef, o) -> None:
        record.add(GRAPH, (subject, p, o))

    add(RDF.type, cls)
    notation = f.text("id") or str(f.integer("number") or "")
    if notation:
        add(SKOS.notation, Literal(notation))
    for label in f.title("label") if f.has("label") else []:
        add(RDFS.label, label)
    if f.has("note"):
        for note in f.title("note"):
            add(RDFS.comment, note if note.language else Literal(str(note), lang="en"))
    for source in f.texts("sources"):
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", source):
            raise f.error("sources", f"expected a full http(s) web address, got {source!r}")
        add(DCTERMS.source, URIRef(source))
    for name, predicate in (("start", SHERLOC.startDate), ("end", SHERLOC.endDate)):
        when = _when(f, name)
        if when is not None:
            add(predicate, when)
    number = f.integer("number")
    numbered = {"session": SHERLOC.sessionNumber, "cycle": SHERLOC.cycleNumber,
                "cluster": SHERLOC.clusterNumber, "group": SHERLOC.groupNumber}
    if kind in numbered and number is not None:
        add(numbered[kind], Literal(number, datatype=XSD.integer))
    if f.has("place"):
        add(SHERLOC.heldAt, Literal(f.text("place")))
    if kind == "resolution":
        session = f.integer("session")
        if session is None:
            raise f.error("session", "required field is missing: the number of the session that adopted it")
        add(SHERLOC.adoptedAtSession, session_iri(iris, session))
    if kind == "mechanism":
        established = reference("established_by", lambda v: resolution_iri(iris, v))
        if established is not None:
            add(SHERLOC.establishedBy, established)
    if kind == "cycle":
        add(SHERLOC.ofMechanism, mechanism_iri(iris, mechanism))
        launched = reference("launched_by", lambda v: resolution_iri(iris, v))
        if launched is not None:
            add(SHERLOC.launchedBy, launched)
    if kind in ("cluster", "group"):
        cycle = f.integer("cycle")
        if cycle is not None:
            add(SHERLOC.partOfCycle, cycle_iri(iris, cycle, mechanism))
    if kind == "cluster":
        for provision in f.texts("provisions"):
            try:
                add(SHERLOC.clusterProvision, iris.provision(provision))
            except UsageError as error:
                raise f.error("provisions", str(error)) from error
    if kind == "group":
        count = f.integer("member_count")
        if count is not None:
            add(SHERLOC.memberCount, Literal(count, datatype=XSD.integer))
        for member in f.texts("members"):
            add(SHERLOC.groupMember, iris.country(member))
    return record
