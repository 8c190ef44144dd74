"""Editorial claims: what the project's editors state that no source says, kept apart from the
sources (graph ``editorial``) and always with who, when and why. docs/model.md "editorial" says how.

Source: JSON Lines, one claim a line. Every claim has ``id`` (unique), ``claim`` (its type),
``reason`` (one line: why the editors say so, citing what they read), ``editor`` (who) and ``date``
(when, an ISO date). The types:

- ``implements``: ``national`` (a national provision's IRI path below ``id/``, e.g.
  ``legislation/CAN/I-2.5/sec/117``) implements ``provision`` (a Convention reference, e.g.
  ``som/art/6/1/a``): ``?national eli:ensures_implementation_of ?provision``, as a source's would be;
  the inference rules count it like a recorded one (sparql/rules/).
- ``decided-by``: ``case`` (a case id) was decided by the international court ``jurisdiction`` (a
  code of data/international-bodies.csv, e.g. ECHR), with ``respondents`` (ISO3 codes, optional) as
  the States the application was brought against: ``?case sherloc:decidedByBody ?court`` and
  ``?case sherloc:involvedCountry ?state``. The source's ``sherloc:jurisdiction`` (e.g. SHERLOC's
  grouping code IRB) stays as it is, in the cases graph.
- ``same-judgment``: ``case`` and each of ``same_as`` (case ids) are records of one judgment:
  ``?case sherloc:sameJudgmentAs ?other`` (symmetric: queries read it both ways); the record whose
  IRI sorts first is the canonical one, and counts of cases leave the others out.

Each claim is a record ``{base}id/editorial/{id}`` ``a sherloc:EditorialClaim`` with
``sherloc:claimType``, ``skos:editorialNote`` (the reason, @en), ``dcterms:creator`` (the editor),
``dcterms:date``, and one part ``{claim}/statement/{n}`` ``a sherloc:ClaimedStatement`` per triple it
states (``sherloc:claimSubject``, ``sherloc:claimProperty``, ``sherloc:claimObject``), so that a
query finds who claimed a triple, when and why. The triple itself is asserted too; replacing a claim
retracts the triples it stated (sherloc_kg/inference.py keeps them in step with their claims).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris, is_iso3, segment
from sherloc_kg.namespaces import DCTERMS, ELI, RDF, SHERLOC, SKOS

from .records import Fields, RawRecord, Record, map_records
from .registry import FLAT, Loader

GRAPH = "editorial"

CLAIMS = ("implements", "decided-by", "same-judgment")
COMMON = frozenset({"id", "claim", "reason", "editor", "date"})
FIELDS = {
    "implements": COMMON | {"national", "provision"},
    "decided-by": COMMON | {"case", "jurisdiction", "respondents"},
    "same-judgment": COMMON | {"case", "same_as"},
}
ALL_FIELDS = frozenset().union(*FIELDS.values())
MULTI_VALUED = frozenset({"respondents", "same_as"})
_NATIONAL = re.compile(r"^legislation/[A-Za-z]{3}/[^/\s]+(/[^/\s]+){2,}$")  # unit, number, then any sub-units (sec/117/1/a)
_CODE = re.compile(r"^[A-Z][A-Z0-9-]*$")


def claim_iri(iris: Iris, claim_id: str) -> URIRef:
    return URIRef(f"{iris.base}id/editorial/{segment(claim_id)}")


def national_iri(iris: Iris, path: str) -> URIRef:
    """``legislation/CAN/I-2.5/sec/117`` → ``{base}id/legislation/CAN/I-2.5/sec/117``."""
    if not _NATIONAL.match(path):
        raise UsageError(f"'{path}' is not the path of a national provision below id/ "
                         "(expected legislation/{ISO3}/{law id}/{unit}/{number}..., e.g. legislation/CAN/I-2.5/sec/117)")
    return URIRef(f"{iris.base}id/" + "/".join(segment(part) for part in path.split("/")))


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    yield from map_records(path, source_format or "jsonl", MULTI_VALUED, map_claim, iris)


LOADER = Loader(kind="editorial", graphs=(GRAPH,), record_class=SHERLOC.EditorialClaim,
                formats=FLAT, read=read)


def map_claim(raw: RawRecord, iris: Iris) -> Record:
    known = Fields(raw, ALL_FIELDS)  # an unknown field is named first
    kind = known.text("claim", required=True)
    if kind not in CLAIMS:
        raise known.error("claim", f"unknown claim type {kind!r}; expected one of {', '.join(CLAIMS)}")
    f = Fields(raw, FIELDS[kind])
    claim = claim_iri(iris, f.text("id", required=True) or "")
    record = Record(claim, raw.location)
    reason = f.text("reason", required=True) or ""
    if "\n" in reason or "\r" in reason:
        raise f.error("reason", "the reason is one line of text (no line breaks)")
    editor = f.text("editor", required=True) or ""
    when = f.text("date", required=True) or ""
    try:
        valid = len(when) == 10 and date.fromisoformat(when) is not None
    except ValueError:
        valid = False
    if not valid:
        raise f.error("date", f"expected the date of the claim as an ISO date like 2026-08-15, got {when!r}")

    def add(s: URIRef, p: URIRef, o) -> None:
        record.add(GRAPH, (s, p, o))

    add(claim, RDF.type, SHERLOC.EditorialClaim)
    add(claim, DCTERMS.identifier, Literal(f.text("id")))
    add(claim, SHERLOC.claimType, Literal(kind))
    add(claim, SKOS.editorialNote, Literal(reason, lang="en"))
    add(claim, DCTERMS.creator, Literal(editor))
    add(claim, DCTERMS.date, Literal(when, datatype=XSD.date))

    statements: list[tuple[URIRef, URIRef, URIRef]] = []
    if kind == "implements":
        national = _minted(f, "national", lambda v: national_iri(iris, v))
        provision = _minted(f, "provision", iris.provision)
        statements.append((national, ELI.ensures_implementation_of, provision))
    else:
        case = iris.case(f.text("case", required=True) or "")
        if kind == "decided-by":
            code = f.text("jurisdiction", required=True) or ""
            if not _CODE.match(code):
                raise f.error("jurisdiction", f"expected the code of an international body, e.g. ECHR, got {code!r}")
            statements.append((case, SHERLOC.decidedByBody, iris.jurisdiction(code)))
            for iso3 in f.texts("respondents"):
                if not is_iso3(iso3):
                    raise f.error("respondents", f"expected ISO 3166-1 alpha-3 codes such as CYP, got {iso3!r}")
                statements.append((case, SHERLOC.involvedCountry, iris.country(iso3)))
        else:
            for other_id in f.texts("same_as", required=True):
                other = iris.case(other_id)
                if other == case:
                    raise f.error("same_as", "a case is not another record of itself")
                statements.append((case, SHERLOC.sameJudgmentAs, other))
    for number, (s, p, o) in enumerate(statements, start=1):
        statement = Iris.part(claim, "statement", number)
        add(claim, SHERLOC.claimStatement, statement)
        add(statement, RDF.type, SHERLOC.ClaimedStatement)
        add(statement, SHERLOC.claimSubject, s)
        add(statement, SHERLOC.claimProperty, p)
        add(statement, SHERLOC.claimObject, o)
        add(s, p, o)
    return record


def _minted(f: Fields, name: str, mint) -> URIRef:
    value = f.text(name, required=True) or ""
    try:
        return mint(value)
    except UsageError as error:
        raise f.error(name, str(error)) from error
