"""Who wrote what, and whether a write would change anything: the agents of load activities, their
content-derived IRIs, the time they end, and the comparison that lets a reload of unchanged data
write nothing (issue 19, item 6).

**Agents.** A load activity is ``prov:wasAssociatedWith`` an agent, never an account of the machine:

- a load through the API: the token's holder, ``{base}id/agent/{agent}`` (``Caller.agent``, derived
  from the token's secret hash, the IRI api/review.py gives the same holder), with its role
  (``skos:note "editor token"``) and, for a submitter, its State; the token's name (often a
  person's) goes to the restricted provenance graph only, as review versions keep it;
- a load from the command line or ``init``: the operator, named by ``SHERLOC_OPERATOR``:
  ``{base}id/agent/operator/{slug}`` with that ``foaf:name``, public; left unset,
  ``{base}id/agent/operator`` "the operator of this store".

**Activities.** An activity's IRI is derived from what it wrote (``{base}id/activity/{kind}-{hash}``:
the kind, the agent, the source files and every triple of the records' graphs), so the same load by
the same agent names the same activity. Its ``prov:endedAtTime`` is written in the write's own
transaction, after the records (:func:`stamp`), at the instant the write is sent: the time of the
change, not that of the load's start (before reading, validating and comparing), so that the latest
end time is a date a cache can trust (api/caching.py).

**Unchanged.** Before a load writes, :func:`unchanged` reads back what the write would replace (each
record's triples, and those of the resources below it that it links to, in every graph the write
touches; a graph replaced whole, whole) and compares it with what it would write, its activity's end
time and the inference fingerprint aside. Equal, and the inferred graph computed by the current rules:
the load writes nothing, so reloading unchanged data leaves the store, and its dump, byte for byte
as they were. The comparison runs only when the activity the write would record is in the store
already (the same content, agent and files loaded before): any other load changes something.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .iris import Iris, segment, slug
from .namespaces import DCTERMS, FOAF, OWL, PROV, RDF, SHERLOC, SKOS, XSD
from .queries import internal
from .store import Dataset, RecordWrite, Store
from .store.contract import Triple
from .store.terms import to_oxigraph
from .versions import key_of

#: Records (or triples) per VALUES block when reading back what a write would replace.
_CHUNK = 500
#: What the comparison reads: every graph (a write may touch restricted ones).
_EVERY_GRAPH = Dataset(default=None)
#: The name the operator goes by when SHERLOC_OPERATOR is not set.
UNNAMED_OPERATOR = "the operator of this store"


@dataclass(frozen=True)
class Agent:
    """A ``prov:Agent``: its IRI, what anyone may read of it (the public provenance graph) and what
    only the restricted provenance graph keeps (the name of a token's holder)."""

    iri: URIRef
    public: tuple[Triple, ...] = ()
    private: tuple[Triple, ...] = ()


#: The leading comment lines a source file may open with (JSON Lines, CSV): read up to this many bytes.
_HEADER_BYTES = 4096
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def source_header(iri: URIRef, path: Path) -> list[Triple]:
    """What a source file says of itself in the ``#`` comment lines it opens with (the bundled cases:
    "... cases listed by the SHERLOC portal on 2026-08-09."): the lines as the source's
    ``dcterms:description``, and the first ISO date in them as its ``dcterms:date`` (the date its
    content is as at), so that a page can say "from the SHERLOC case listing of 9 August 2026"
    without naming the file. A file without such lines (XML, Turtle, a CSV header) says nothing."""
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    lines = []
    for raw in head.removeprefix(b"\xef\xbb\xbf").splitlines():
        if not raw.startswith(b"#"):
            break
        text = raw[1:].decode("utf-8", "replace").strip()
        if text:
            lines.append(text)
    if not lines:
        return []
    description = " ".join(lines)
    triples: list[Triple] = [(iri, DCTERMS.description, Literal(description))]
    match = _ISO_DATE.search(description)
    if match:
        try:
            day = datetime(int(match[1]), int(match[2]), int(match[3])).date()
        except ValueError:
            day = None
        if day is not None:
            triples.append((iri, DCTERMS.date, Literal(day.isoformat(), datatype=XSD.date)))
    return triples


def operator(iris: Iris, name: str | None) -> Agent:
    """The operator who runs loads from the command line: ``name`` (SHERLOC_OPERATOR),
    public; none given, the unnamed operator of this store. Never an account of the machine."""
    name = (name or "").strip()
    iri = iris.at("id/agent/operator/" + segment(slug(name))) if name else iris.at("id/agent/operator")
    note = "operator" if name else "operator (SHERLOC_OPERATOR not set)"
    return Agent(iri, ((iri, RDF.type, PROV.Agent), (iri, FOAF.name, Literal(name or UNNAMED_OPERATOR)),
                       (iri, SKOS.note, Literal(note))))


def token_holder(iris: Iris, role: str, agent: str | None, name: str | None, country: str | None) -> Agent:
    """The holder of an API token: ``{base}id/agent/{agent}`` (``Caller.agent``: from the token's
    secret hash, never its id) with its role and State in public, its name in the restricted graph."""
    iri = iris.at("id/agent/" + segment(agent or "unknown"))
    public: list[Triple] = [(iri, RDF.type, PROV.Agent), (iri, SKOS.note, Literal(f"{role} token"))]
    if country:
        public.append((iri, SHERLOC.country, iris.country(country)))
    private = ((iri, FOAF.name, Literal(name or f"token {agent}")),)
    return Agent(iri, tuple(public), private)


def canonical(triples: Iterable[Triple]) -> dict[str, Triple]:
    """The triples by their canonical N-Triples line (the engine's own writing of each term: a
    language tag in lower case, escapes as N-Triples writes them), for comparing a write with the
    store."""
    return {str(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))): (s, p, o)  # type: ignore[arg-type]
            for s, p, o in triples}


def digest(kind: str, agent: Agent, sources: Iterable[str], writes: Sequence[RecordWrite]) -> str:
    """The SHA-256 naming an activity: its kind, agent, source files (their SHA-256) and every triple
    and record of ``writes``, in an order that does not depend on the loader's."""
    hashed = hashlib.sha256()
    hashed.update(f"{kind}\n{agent.iri}\n".encode())
    for source in sorted(sources):
        hashed.update(f"source {source}\n".encode())
    for write in sorted(writes, key=lambda w: w.graph):
        hashed.update(f"graph {write.graph}\n".encode())
        for record in sorted(write.records):
            hashed.update(f"record {record}\n".encode())
        for line in sorted(canonical(write.triples)):
            hashed.update(line.encode("utf-8") + b"\n")
    return hashed.hexdigest()


def activity(iris: Iris, kind: str, content: str) -> URIRef:
    """The IRI of the activity of ``kind`` that wrote the content whose :func:`digest` is ``content``."""
    return iris.activity(f"{kind}-{content[:24]}")


def stamp(graph: str, activity_iri: URIRef) -> str:
    """The update that records when ``activity_iri`` ended (sparql/internal/provenance-stamp.rq), run
    last in the write's transaction (``then``): now, as the write is sent (the data read, validated
    and compared already), not the load's start; in the change feed's fixed form, to the
    microsecond (``versions.key_of``), the one literal every store keeps as it is written and the
    embedded store's public mirror holds as the main store does (a ``NOW()`` in the update would be
    read again by the mirror, and cut to six fraction digits by Virtuoso)."""
    ended = Literal(key_of(datetime.now(timezone.utc)), datatype=XSD.dateTime)
    return internal("provenance-stamp").update_text({"graph": URIRef(graph), "activity": activity_iri, "ended": ended})


@dataclass
class Ignored:
    """Triples :func:`unchanged` leaves out of the comparison: the end times of the given activities
    (written by :func:`stamp`) and the inference fingerprint (rewritten by every whole run of the
    rules, sherloc_kg/inference.py)."""

    activities: set[URIRef] = field(default_factory=set)
    fingerprint_of: URIRef | None = None

    def __call__(self, triple: Triple) -> bool:
        s, p, _o = triple
        return (p == PROV.endedAtTime and s in self.activities) or (
            p == OWL.versionInfo and s == self.fingerprint_of)

    def engine(self, triple: ox.Triple) -> bool:
        """The same, for a triple as the engine gives it."""
        s, p = triple.subject, triple.predicate
        return isinstance(s, ox.NamedNode) and self((URIRef(s.value), URIRef(p.value), URIRef("")))


def holds(store: Store, graph: str, iri: URIRef) -> bool:
    """Whether ``graph`` says anything about ``iri``."""
    return store.ask(internal("provenance-holds").text, bindings={"graph": URIRef(graph), "resource": iri},
                     dataset=_EVERY_GRAPH)


def unchanged(store: Store, writes: Sequence[RecordWrite], *, replace_graphs: Iterable[str] = (),
              ignore: Callable[[Triple], bool] = lambda t: False) -> bool:
    """Whether ``store.write(writes, replace_graphs=...)`` would leave every graph it touches as it
    is (triples ``ignore`` accepts aside): each graph replaced whole holds exactly the new triples;
    elsewhere, what the write deletes (its records' triples and those of the resources below them
    they link to) is all among what it inserts, and what it inserts is all there already. A write
    holding a blank node counts as a change (a blank node read back is another one)."""
    replaced = set(replace_graphs)
    new: dict[str, dict[str, Triple]] = {}
    records: dict[str, set[str]] = {}
    for write in writes:
        if any(isinstance(term, BNode) for triple in write.triples for term in triple):
            return False
        new.setdefault(write.graph, {}).update(canonical(t for t in write.triples if not ignore(t)))
        records.setdefault(write.graph, set()).update(write.records)
    for graph in replaced:
        if _graph_triples(store, graph, ignore) != set(new.get(graph, {})):
            return False
    for graph, wanted in new.items():
        if graph in replaced:
            continue
        held = _record_triples(store, graph, sorted(records.get(graph, ())), ignore)
        if not held <= set(wanted):
            return False
        if not _all_present(store, graph, [wanted[line] for line in sorted(set(wanted) - held)]):
            return False
    return True


def _rows_as_lines(rows: list[dict]) -> list[Triple]:
    return [(row["s"], row["p"], row["o"]) for row in rows]


def _graph_triples(store: Store, graph: str, ignore: Callable[[Triple], bool]) -> set[str]:
    """What ``graph`` holds, as canonical lines: read through the engine's own N-Triples writer and
    parser (a graph replaced whole may be large: the instruments)."""
    buffer = io.BytesIO()
    store.read_graph(graph, buffer, media_type="application/n-triples")
    engine = ignore.engine if isinstance(ignore, Ignored) else None
    return {str(t) for t in ox.parse(buffer.getvalue(), ox.RdfFormat.N_TRIPLES) if engine is None or not engine(t)}


def _record_triples(store: Store, graph: str, records: list[str], ignore: Callable[[Triple], bool]) -> set[str]:
    """What a write of ``records`` deletes from ``graph`` (sherloc_kg/store/writes.py: the records'
    triples, and those of the resources below a record that it links to)."""
    own, parts = internal("provenance-record-triples"), internal("provenance-record-parts")
    found: list[Triple] = []
    for start in range(0, len(records), _CHUNK):
        chunk = [URIRef(r) for r in records[start:start + _CHUNK]]
        for query, variable in ((own, "s"), (parts, "r")):
            found += _rows_as_lines(store.select(query.with_rows({variable: chunk}), bindings={"graph": URIRef(graph)},
                                                 dataset=_EVERY_GRAPH).rows)
    return set(canonical(t for t in found if not ignore(t)))


def _all_present(store: Store, graph: str, triples: list[Triple]) -> bool:
    """Whether ``graph`` holds every one of ``triples``."""
    present = internal("provenance-present")
    for start in range(0, len(triples), _CHUNK):
        chunk = triples[start:start + _CHUNK]
        rows = store.select(present.with_rows({("s", "p", "o"): chunk}), bindings={"graph": URIRef(graph)},
                            dataset=_EVERY_GRAPH).rows
        if not rows or int(rows[0]["held"]) != len(chunk):
            return False
    return True


__all__ = ["Agent", "Ignored", "UNNAMED_OPERATOR", "activity", "canonical", "digest", "holds", "operator", "stamp",
           "token_holder", "unchanged"]
