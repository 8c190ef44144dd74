"""The version log behind the change feed (issue 19, item 8): every write that changes a record
records, in the same transaction, a version of each member it changed; api/change_feed.py serves
the versions as a Linked Data Event Stream (https://w3id.org/ldes/specification).

Members
-------
A member is what one record holds in one graph: the triples of graph ``g`` whose subject is record
``r`` or a resource below it (``{r}/defendant/1``), and those the record states about resources of
no record (the court a case names, the triples an editorial claim states). Its key is ``(r, g)``: a
record that has triples in two graphs (an authority's public and restricted parts) is two members.
A graph written whole (the reference graphs at ``init``, a Graph Store ``PUT``, ``POST`` or
``DELETE``) has one more member, the graph itself (``dcterms:isVersionOf`` the graph's IRI), which
holds every triple of the graph that no record member holds: a write that is not record-shaped is
versioned at graph level, and a Graph Store ``PUT`` of a graph of records gives each record its
own triples of the new graph (a triple goes to the record it is about or below, else to the graph).

What a member holds after a write is what the store holds of it: the triples the write states for
it, and those of its previous version that the write does not delete (the deletion of records,
store/writes.py, removes a record's triples and those of the parts it links to; the earlier
versions of a review answer, below the answer but not linked from it, stay; so does the court a
case named before). In the graph of editorial claims, the triples a claim stated are retracted
with it (sherloc_kg/inference.py), so there they are not kept.

Versions
--------
A write gives each member it changed one version, in the version log of the member's graph
(``{base}graph/versions/{name}``, iris.py: one log per graph, so that access.py gives each caller
exactly the logs of the graphs it may read, ``Caller.feed_dataset``; no query reads a log, and
the public mirror leaves them out)::

    <{base}feed/version/2026-12-07T10:15:02.000042Z> a as:Update ;      # as:Create, as:Update, as:Delete
        dcterms:isVersionOf <{base}id/case/BRA016> ;                     # the record (or the graph)
        dcterms:isPartOf <{base}graph/cases> ;                           # its graph
        prov:generatedAtTime "2026-12-07T10:15:02.000042Z"^^xsd:dateTime ;
        prov:value "<…> <…> <…> .\\n…" .                                 # its triples, N-Triples, sorted

The N-Triples text is stored in pieces of at most :data:`PIECE` characters, each a run of whole
lines (several ``prov:value`` literals): Virtuoso's time to store one literal grows faster than its
length, and the instruments graph, versioned whole, is 6.5 million characters (the reference
graphs of ``init`` on Virtuoso: 37.5 s with one literal a version, 5.8 s in pieces,
benchmarks/version_pieces.py). The pieces of a version sorted and joined by newlines are its whole sorted text
(:func:`joined`); what the feed serves is that text, never the pieces.

A member that no longer holds any triple gets an ``as:Delete`` version (a tombstone, the
``ldes:versionDeleteObject`` the stream declares), without ``prov:value``. A member whose triples
are those of its latest version gets none: loading unchanged data again adds nothing.

Order: the versions of a write get its instant, one microsecond apart, and never an instant at or
before the newest the logs hold (each log keeps its newest as its own ``dcterms:modified``), so
the versions' times, and their IRIs (the key is the time, fixed width), order the stream as the
writes were made. This holds for one writer at a time: the writes of this process take turns
(:func:`write`); two processes writing one remote store at once are not supported anyway
(store/remote.py).

Not versioned: the ``inferred`` graph (the rules derive it from the asserted graphs, and the rules
are published, sparql/rules/), the provenance graphs (what this portal loaded, when and from
which file: a replica's loads are its own), graphs outside ``{base}graph/``, the store's default
graph, and SPARQL Update from outside (it may change anything without saying which members): a
member changed that way is versioned whole at its next write. A store filled before the log
existed starts with an empty feed; each member enters it at its next change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pyoxigraph as ox
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import XSD

from .access import WRITE_READS
from .inference import CLAIMS_GRAPH
from .iris import Iris
from .namespaces import DCTERMS, PROV, RDF
from .queries import internal
from .store import RecordWrite, Store
from .store.contract import RdfDocument, Triple
from .store.terms import from_oxigraph, to_oxigraph
from .store.writes import graph_operations, parse_document, record_operations

#: ActivityStreams 2.0: the kinds of version (LDES: ``ldes:versionCreateObject`` and so on).
AS = Namespace("https://www.w3.org/ns/activitystreams#")
CREATE, UPDATE, DELETE = AS.Create, AS.Update, AS.Delete
#: The graphs (and the families of graphs below them) with no version log (see the module docstring).
UNLOGGED = ("inferred", "provenance", "provenance-restricted")
#: Members looked up per query (a server's limit on a VALUES block: Virtuoso refuses over 4094 terms).
LOOKUP_CHUNK = 500
#: The most characters of N-Triples one ``prov:value`` literal holds (see "Versions" above).
PIECE = 100_000
#: A version key: its instant, UTC, to the microsecond, fixed width (so that keys sort as times).
KEY_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

#: The writes of this process take turns from their first read of the logs to their commit, so that
#: no write commits versions older than those another has committed meanwhile.
_TURN = threading.Lock()


def logged(iris: Iris, graph: str) -> bool:
    """Whether ``graph`` has a version log: a SHERLOC graph, not derived (UNLOGGED), not a log."""
    name = iris.graph_name(graph)
    return name is not None and iris.version_log(graph) is not None and name.split("/", 1)[0] not in UNLOGGED


def key_of(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime(KEY_FORMAT)


@dataclass(frozen=True)
class Version:
    """One version of a member as the log holds it: its IRI, when, and its kind."""

    iri: str
    time: datetime
    kind: str

    @property
    def live(self) -> bool:
        return self.kind != str(DELETE)


@dataclass
class _Change:
    """What one write does to one logged graph."""

    graph: str
    records: list[str] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    #: Exact contents by record (a load's records: what each states), instead of telling the owner
    #: of each triple from its subject.
    stated: dict[str, list[ox.Triple]] | None = None
    whole: bool = False  # the graph is replaced whole before the write's triples go in
    dropped: bool = False  # the graph is dropped


@dataclass(frozen=True)
class Logged:
    """A new version, ready to write: its member, kind and triples (None for a deletion)."""

    record: str
    graph: str
    kind: URIRef
    content: frozenset[ox.Triple] | None


def _converter() -> Callable[[Triple], ox.Triple]:
    """A conversion of triples to the engine's terms that converts each distinct term once (a load
    repeats its predicates, records and vocabulary terms many times)."""
    seen: dict[object, object] = {}

    def term(value: object) -> object:
        found = seen.get(value)
        if found is None:
            found = seen[value] = to_oxigraph(value)  # type: ignore[arg-type]
        return found

    def convert(triple: Triple) -> ox.Triple:
        return ox.Triple(term(triple[0]), term(triple[1]), term(triple[2]))  # type: ignore[arg-type]
    return convert


def _subject(triple: ox.Triple) -> str:
    return triple.subject.value  # type: ignore[union-attr]


def n_triples(content: Iterable[ox.Triple]) -> str:
    """A member's triples as its ``prov:value``: N-Triples, one a line, sorted, with no newline after
    the last (Virtuoso 7.2 drops the final newline of any literal, so a remote copy would differ)."""
    return "\n".join(sorted(f"{t} ." for t in content))


def pieces(text: str, size: int | None = None) -> list[str]:
    """``text`` (N-Triples, one triple a line) cut into runs of whole lines of at most ``size``
    characters each (:data:`PIECE`; a line longer than that is a piece alone)."""
    limit = PIECE if size is None else size
    found: list[str] = []
    start = 0
    while start < len(text):
        end = start + limit
        if end >= len(text):
            found.append(text[start:])
            break
        cut = text.rfind("\n", start, end + 1)
        if cut <= start:  # one line longer than the limit: it alone
            cut = text.find("\n", start)
            if cut < 0:
                found.append(text[start:])
                break
        found.append(text[start:cut])
        start = cut + 1
    return found


def joined(rows: Iterable[Mapping[str, object]], *, key: str = "version", value: str = "content") -> dict[str, str]:
    """The whole N-Triples text of each version among query ``rows`` (one row per piece, the
    version in ``key``, a piece in ``value``; rows without a piece add nothing): its pieces sorted
    and joined by newlines, which is the sorted text :func:`pieces` cut (its lines are distinct)."""
    by_version: dict[str, list[str]] = {}
    for row in rows:
        piece = row.get(value)
        if piece is not None:
            by_version.setdefault(str(row[key]), []).append(str(piece))
    return {version: "\n".join(sorted(found)) for version, found in by_version.items()}


def parse_content(text: str) -> frozenset[ox.Triple]:
    return frozenset(q.triple for q in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES))


def _same(a: frozenset[ox.Triple], b: frozenset[ox.Triple]) -> bool:
    """Whether two contents are the same graph (isomorphic, where blank nodes make labels differ)."""
    if a == b:
        return True
    if len(a) != len(b) or not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                                   for t in (*a, *b)):
        return False
    from rdflib import Graph
    from rdflib.compare import isomorphic

    graphs = []
    for content in (a, b):
        graph = Graph()
        graph.parse(data=n_triples(content), format="nt")
        graphs.append(graph)
    return isomorphic(graphs[0], graphs[1])


def _below(iri: str, record: str) -> bool:
    return iri.startswith(record + "/")


def _owner(iri: str, keys: set[str] | Mapping[str, object]) -> str | None:
    """The key ``iri`` is, or lies below (``{case}/defendant/1`` → the case); None if none."""
    if not keys:
        return None
    while iri:
        if iri in keys:
            return iri
        cut = iri.rfind("/")
        if cut <= iri.find("//") + 1:
            return None
        iri = iri[:cut]
    return None


class VersionLog:
    """The version logs of one store (see the module docstring)."""

    def __init__(self, store: Store, iris: Iris) -> None:
        self.store = store
        self.iris = iris

    # -- reading the logs -----------------------------------------------------------------------
    def latest(self, graph: str, records: Iterable[str] | None = None) -> dict[str, Version]:
        """The latest version of each member of ``graph`` given (None: of every member it has had)."""
        log = self.iris.version_log(graph)
        assert log is not None
        rows = []
        if records is None:
            named = internal("feed-log-versions")
            rows = self.store.select(named.text, bindings=named.bindings({"log": str(log)}, self.iris),
                                     dataset=WRITE_READS).rows
        else:
            wanted = sorted(set(records))
            named = internal("feed-versions-of")
            bindings = named.bindings({"log": str(log)}, self.iris)
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = [URIRef(r) for r in wanted[start:start + LOOKUP_CHUNK]]
                rows += self.store.select(named.with_rows({"record": chunk}), bindings=bindings,
                                          dataset=WRITE_READS).rows
        found: dict[str, Version] = {}
        for row in rows:
            version = Version(str(row["version"]), _instant(row["time"]), str(row["kind"]))
            record = str(row["record"])
            known = found.get(record)
            if known is None or (version.time, version.iri) > (known.time, known.iri):
                found[record] = version
        return found

    def contents(self, versions: Iterable[Version]) -> dict[str, frozenset[ox.Triple]]:
        """The triples of each live version given, by version IRI."""
        wanted = sorted({v.iri for v in versions if v.live})
        query = internal("feed-contents")
        found: dict[str, frozenset[ox.Triple]] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = [URIRef(v) for v in wanted[start:start + LOOKUP_CHUNK]]
            rows = self.store.select(query.with_rows({"version": chunk}), dataset=WRITE_READS).rows
            for version, text in joined(rows).items():
                found[version] = parse_content(text)
        return found

    def newest(self) -> datetime | None:
        """The time of the newest version of any log."""
        named = internal("feed-newest")
        bindings = named.bindings({"logs": str(self.iris.version_logs_root()) + "/"}, self.iris)
        rows = self.store.select(named.text, bindings=bindings, dataset=WRITE_READS).rows
        value = rows[0].get("newest") if rows else None
        return _instant(value) if value is not None else None

    # -- what a write changes -------------------------------------------------------------------
    def changes(self, writes: Sequence[RecordWrite], *, replace_graphs: Iterable[str] = (),
                dropped_graphs: Iterable[str] = (), stated: Mapping[str, Mapping[str, Sequence[Triple]]] | None = None,
                inserted: Sequence[RecordWrite] = ()) -> list[Logged]:
        """The new versions of the members ``writes`` change (with ``replace_graphs`` cleared first,
        ``dropped_graphs`` dropped; ``inserted``: triples the write inserts by other means, its
        SPARQL ``then``; ``stated``: by graph, the exact triples each record of the write states)."""
        by_graph: dict[str, _Change] = {}
        _ox = _converter()

        def change(graph: str) -> _Change | None:
            if not logged(self.iris, graph):
                return None
            return by_graph.setdefault(graph, _Change(graph))

        for graph in replace_graphs:
            if (found := change(graph)) is not None:
                found.whole = True
        for graph in dropped_graphs:
            if (found := change(graph)) is not None:
                found.dropped = True
        for records_too, group in ((True, writes), (False, inserted)):
            for write in group:
                found = change(write.graph)
                if found is None:
                    continue
                if records_too:
                    found.records += write.records
                if stated is None or write.graph not in stated or found.whole:  # else each record says its own
                    found.triples += [_ox(t) for t in write.triples]
        for graph, records in (stated or {}).items():
            found = change(graph)
            if found is not None and not found.whole:
                found.stated = {r: [_ox(t) for t in triples] for r, triples in records.items()}
        return self._versions(by_graph.values())

    def graph_changes(self, graph: str, triples: Sequence[ox.Triple], *, replace: bool = False,
                      dropped: bool = False) -> list[Logged]:
        """The new versions of the members of ``graph`` that a Graph Store request changes: adding
        ``triples`` to the graph (``POST``), replacing it by them (``replace``: ``PUT``), or dropping
        it (``dropped``: ``DELETE``). None for a graph with no log."""
        if not logged(self.iris, graph):
            return []
        return self._versions([_Change(graph, triples=list(triples), whole=replace, dropped=dropped)])

    def _versions(self, changes: Iterable[_Change]) -> list[Logged]:
        found: list[Logged] = []
        for change in changes:
            found += self._graph_changes(change)
        return found

    def _graph_changes(self, change: _Change) -> list[Logged]:
        graph = change.graph
        if change.dropped or change.whole:
            latest = self.latest(graph)
            if change.dropped:
                return [Logged(r, graph, DELETE, None) for r, v in sorted(latest.items()) if v.live]
            return self._replaced(change, latest)
        keys = _tops(change.records)
        contents: dict[str, list[ox.Triple]] = {k: [] for k in keys}
        loose: list[ox.Triple] = []
        if change.stated is not None:  # every triple of the write is stated by one of its records
            for key in keys:
                contents[key] = list(change.stated.get(key, ()))
        elif len(keys) == 1:
            contents[next(iter(keys))] = list(change.triples)
        else:
            for triple in change.triples:
                owner = _owner(_subject(triple), contents)
                (contents[owner] if owner is not None else loose).append(triple)
        every = None
        if loose:  # triples of no record of the write: to the member they are about, else the graph's
            every = self.latest(graph)
            live = {r for r, v in every.items() if v.live and r != graph}
            for triple in loose:
                owner = _owner(_subject(triple), live) or graph
                contents.setdefault(owner, []).append(triple)
        wanted = set(contents) | {graph}
        latest = {r: v for r, v in every.items() if r in wanted} if every is not None else self.latest(graph, wanted)
        previous = self.contents(latest.values())
        before = {r: previous.get(v.iri, frozenset()) for r, v in latest.items()}
        # What the store deletes: each record of the write and the parts below it that it links to.
        union = [t for content in before.values() for t in content]
        deleted = set(change.records)
        for triple in union:
            subject, thing = _subject(triple), triple.object
            if subject in change.records and isinstance(thing, ox.NamedNode) and _below(thing.value, subject):
                deleted.add(thing.value)
        claims = graph == str(self.iris.graph(CLAIMS_GRAPH))
        if graph in before and graph not in contents and any(_subject(t) in deleted for t in before[graph]):
            contents[graph] = []  # the graph's own member loses the triples of a record written now
        result = []
        for key in sorted(contents):
            old = before.get(key, frozenset())
            kept = {t for t in old if _subject(t) not in deleted
                    and not (claims and key != graph and _subject(t) != key and not _below(_subject(t), key))}
            result += _decide(key, graph, latest.get(key), old, frozenset(kept | set(contents[key])))
        return result

    def _replaced(self, change: _Change, latest: dict[str, Version]) -> list[Logged]:
        """A graph replaced whole by the write's triples: each triple to the member it is about
        (a record the log knows, or one the write names), the rest to the graph's own member."""
        graph = change.graph
        keys = {r for r, v in latest.items() if v.live and r != graph} | set(change.records)
        contents: dict[str, list[ox.Triple]] = {r: [] for r in {*keys, graph}}
        for triple in change.triples:
            contents[_owner(_subject(triple), keys) or graph].append(triple)
        previous = self.contents(v for r, v in latest.items() if r in contents)
        result = []
        for key in sorted(contents):
            version = latest.get(key)
            old = previous.get(version.iri, frozenset()) if version is not None else frozenset()
            result += _decide(key, graph, version, old, frozenset(contents[key]))
        return result

    # -- writing ----------------------------------------------------------------------------------
    def writes(self, versions: Sequence[Logged], now: datetime | None = None) -> list[RecordWrite]:
        """The writes that record ``versions``: in each log, the versions and the log's newest time."""
        if not versions:
            return []
        start = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        newest = self.newest()
        if newest is not None and start <= newest:
            start = newest + timedelta(microseconds=1)
        by_log: dict[str, RecordWrite] = {}
        last = start
        for rank, version in enumerate(versions):
            instant = start + timedelta(microseconds=rank)
            last = instant
            key = key_of(instant)
            iri = self.iris.version(key)
            log = str(self.iris.version_log(version.graph))
            write = by_log.setdefault(log, RecordWrite(log, [log]))
            write.triples += [
                (iri, RDF.type, version.kind),
                (iri, DCTERMS.isVersionOf, URIRef(version.record)),
                (iri, DCTERMS.isPartOf, URIRef(version.graph)),
                (iri, PROV.generatedAtTime, Literal(key, datatype=XSD.dateTime)),
            ]
            if version.content is not None:
                write.triples += [(iri, PROV.value, Literal(piece)) for piece in pieces(n_triples(version.content))]
        for log, write in by_log.items():
            write.triples.append((URIRef(log), DCTERMS.modified, Literal(key_of(last), datatype=XSD.dateTime)))
        return list(by_log.values())


def _tops(records: Sequence[str]) -> set[str]:
    """The records of a write that lie below no other record of it (a review answer, not its
    version ``{answer}/version/2`` written beside it)."""
    every = set(records)
    return {r for r in every if _owner(r.rpartition("/")[0], every) is None}


def _decide(key: str, graph: str, version: Version | None, old: frozenset[ox.Triple],
            new: frozenset[ox.Triple]) -> list[Logged]:
    live = version is not None and version.live
    if not new:
        return [Logged(key, graph, DELETE, None)] if live else []
    if live and _same(old, new):
        return []
    return [Logged(key, graph, UPDATE if live else CREATE, new)]


def _instant(term: object) -> datetime:
    value = term.toPython() if isinstance(term, Literal) else term
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def write(store: Store, iris: Iris, writes: Sequence[RecordWrite], *, replace_graphs: Iterable[str] = (),
          before: Sequence[str] = (), then: Sequence[str] = (),
          stated: Mapping[str, Mapping[str, Sequence[Triple]]] | None = None,
          inserted: Sequence[RecordWrite] = ()) -> list[Logged]:
    """``store.write(writes, ...)`` with the versions of the members it changes, in the same
    transaction (``stated``, ``inserted``: see :meth:`VersionLog.changes`). Returns the versions."""
    replace_graphs = list(replace_graphs)
    log = VersionLog(store, iris)
    with _TURN:
        versions = log.changes(writes, replace_graphs=replace_graphs, stated=stated, inserted=inserted)
        store.write([*writes, *log.writes(versions)], replace_graphs=replace_graphs, before=before, then=then)
    return versions


# -- Graph Store requests (api/graph_store.py): versioned at graph level --------------------------

def load_graph(store: Store, iris: Iris, graph: str | None, documents: Sequence[RdfDocument], *,
               replace: bool = False) -> int:
    """``store.load_graph(graph, documents, replace=replace)``, and for a graph with a version log
    the versions of the members it changes, in the same transaction (the graph's triples given to
    the records the log knows, the rest to the graph's own member: see the module docstring).
    Returns the number of triples parsed."""
    if graph is None or not logged(iris, graph):
        return store.load_graph(graph, documents, replace=replace)
    triples = [t for document in documents for t in parse_document(document)]
    log = VersionLog(store, iris)
    with _TURN:
        recorded = log.writes(log.graph_changes(graph, triples, replace=replace))
        if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
            # blank nodes are no record data (store.write refuses them): the data as one update
            operations = graph_operations(graph, triples, replace=replace)
            operations += record_operations(recorded, [], insert_chunk=None)
            store.update(" ;\n".join(operations))
        else:
            data = RecordWrite(graph, [], [(from_oxigraph(t.subject), URIRef(t.predicate.value),
                                            from_oxigraph(t.object)) for t in triples])
            store.write([data, *recorded], replace_graphs=[graph] if replace else [])
    return len(triples)


def drop_graph(store: Store, iris: Iris, graph: str | None) -> None:
    """Drop ``graph`` (None: the store's default graph), with a deletion (``as:Delete``) of each of
    its members, in the same transaction, for a graph with a version log."""
    if graph is None or not logged(iris, graph):
        store.update("DROP SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH <{graph}>")
        return
    log = VersionLog(store, iris)
    with _TURN:
        store.write(log.writes(log.graph_changes(graph, [], dropped=True)), replace_graphs=[graph])
