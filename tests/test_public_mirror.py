"""The public mirror of the embedded store (sherloc_kg/store/embedded.py): after every kind of write
it holds exactly the main store's quads outside the private graphs, a private quad never enters it,
public queries answer from it what the main store answers over the graph lists, and a mirror left
behind (a crash between the two writes) is rebuilt when the store opens."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from sherloc_kg.config import DEFAULT_BASE, Settings
from sherloc_kg.errors import QueryError
from sherloc_kg.ingest import Ingest
from sherloc_kg.access import mirror_private_graphs, public_graphs
from sherloc_kg.iris import Iris
from sherloc_kg.reference import install_reference, load_examples
from sherloc_kg.store import Dataset, open_store
from sherloc_kg.store.contract import RdfDocument
from sherloc_kg.store.embedded import MIRROR_FOLDER, STALE_MARK, EmbeddedStore, ReadOnlyStore

IRIS = Iris(DEFAULT_BASE)
#: What the mirror leaves out, as access.py says: the restricted graphs and the change feed's version logs.
PRIVATE = mirror_private_graphs(IRIS)
PUBLIC = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))
CONTACT_GRAPH = str(IRIS.graph("authorities-restricted"))


def quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store}


def private(graph: str) -> bool:
    """A restricted graph, or one below it: review-restricted/XAA (the per-State graphs)."""
    return graph in PRIVATE or any(graph.startswith(g + "/") for g in PRIVATE)


def assert_mirrors(store: EmbeddedStore) -> None:
    main = {str(q) for q in store._store if not private(q.graph_name.value)}
    assert store._mirror_current
    assert quads(store._mirror) == main
    assert not [g.value for g in store._mirror.named_graphs() if private(g.value)]


@pytest.fixture(params=["memory", "disk"])
def mirrored(request: pytest.FixtureRequest, tmp_path: Path, settings: Settings) -> EmbeddedStore:
    """A store with the reference graphs and every example, restricted contacts included."""
    location = "memory" if request.param == "memory" else str(tmp_path / "store")
    store = open_store(settings.with_(store=location))
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    yield store
    store.close()


QUERIES = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT ?o WHERE { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?o }",
    "PREFIX sherloc: <https://w3id.org/sherloc/ontology#> SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a sherloc:CourtCase ; "
    "sherloc:jurisdiction ?c } GROUP BY ?c ORDER BY ?c",
)


def test_the_mirror_holds_the_public_graphs_only_and_answers_as_the_graph_lists_do(mirrored: EmbeddedStore) -> None:
    assert_mirrors(mirrored)
    assert mirrored.count(CONTACT_GRAPH) > 0  # the main store has the contacts, the mirror not
    assert mirrored._uses_mirror(PUBLIC)
    for query in QUERIES:
        from_mirror = mirrored.select(query, dataset=PUBLIC).rows
        mirrored._mirror_current = False  # the same query the slow way: graph lists on the main store
        try:
            from_lists = mirrored.select(query, dataset=PUBLIC).rows
        finally:
            mirrored._mirror_current = True
        assert from_mirror == from_lists, query
    assert mirrored.select(QUERIES[2], dataset=PUBLIC).rows == []
    assert mirrored.select(QUERIES[2]).rows  # all graphs (an admin): the contacts are there


def test_every_kind_of_write_keeps_the_mirror_exact(mirrored: EmbeddedStore, settings: Settings) -> None:
    Ingest(mirrored, settings).load("cases", [settings.data_dir / "examples/cases.jsonl"])  # a reload
    assert_mirrors(mirrored)
    mirrored.load_graph(CONTACT_GRAPH, [RdfDocument(b"<urn:x:a> <urn:x:email> \"secret@example.org\" .",
                                                    "application/n-triples", "upload.nt")])
    assert_mirrors(mirrored)
    assert not mirrored.ask('ASK { ?s ?p "secret@example.org" }', dataset=PUBLIC)
    assert mirrored.ask('ASK { ?s ?p "secret@example.org" }')
    mirrored.load_graph(str(IRIS.graph("guide")), [RdfDocument(b"<urn:x:b> <urn:x:p> \"public\" .",
                                                              "application/n-triples", "guide.nt")], replace=True)
    assert_mirrors(mirrored)
    # An update that reads a private graph to write a public one: the mirror is rebuilt, not replayed.
    mirrored.update(f"INSERT {{ GRAPH <{IRIS.graph('review')}> {{ ?s <urn:x:copied> ?o }} }} "
                    f"WHERE {{ GRAPH <{CONTACT_GRAPH}> {{ ?s <urn:x:email> ?o }} }}")
    assert_mirrors(mirrored)
    assert mirrored.select("SELECT ?o WHERE { ?s <urn:x:copied> ?o }", dataset=PUBLIC).rows
    # Updates that read nothing are replayed (a literal that says "where" sends it the safe way).
    mirrored.update(f'INSERT DATA {{ GRAPH <{CONTACT_GRAPH}> {{ <urn:x:c> <urn:x:note> "kept where it was" }} }}')
    assert_mirrors(mirrored)
    mirrored.update(f"DROP SILENT GRAPH <{IRIS.graph('guide')}> ;\nCLEAR SILENT GRAPH <{CONTACT_GRAPH}>")
    assert_mirrors(mirrored)
    # A State's restricted graph is private, being below a private graph, even one no list names.
    borealis = str(IRIS.state_graph("review-restricted", "XAB"))
    mirrored.update(f'INSERT DATA {{ GRAPH <{borealis}> {{ <urn:x:d> <urn:x:note> "Borealis only" }} }}')
    assert_mirrors(mirrored)
    assert borealis in mirrored.graphs() and mirrored.is_private(borealis)
    assert not mirrored.ask('ASK { ?s ?p "Borealis only" }', dataset=PUBLIC)
    with_borealis = Dataset(default=public_graphs(IRIS) + [borealis], named=public_graphs(IRIS))
    assert not mirrored._uses_mirror(with_borealis)
    assert mirrored.ask('ASK { ?s ?p "Borealis only" }', dataset=with_borealis)
    Ingest(mirrored, settings).load("review", [settings.data_dir / "examples/review.jsonl"])  # a State's graph
    assert_mirrors(mirrored)
    mirrored.update(f"COPY <{IRIS.graph('review')}> TO <{IRIS.graph('guide')}>")
    assert_mirrors(mirrored)
    dump = io.BytesIO()
    mirrored.dump(dump, media_type="application/n-quads")
    mirrored.update("DROP ALL")
    assert_mirrors(mirrored)
    mirrored.restore(io.BytesIO(dump.getvalue()), media_type="application/n-quads")
    assert_mirrors(mirrored)


class ReadOnce(io.RawIOBase):
    """A source that cannot be read twice (a pipe)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def test_a_dump_restored_in_pieces_keeps_the_mirror_exact(mirrored: EmbeddedStore) -> None:
    """``migrate`` restores a store piece by piece: each piece goes into the mirror as it comes
    (its private quads left out), a broken piece changes neither store, and a source that cannot
    be read twice still leaves the mirror exact."""
    pieces = list(mirrored.dump_chunks(mirrored.graphs(), chunk_size=997))
    assert len(pieces) > 3 and any(CONTACT_GRAPH.encode() in p for p in pieces)
    mirrored.update("DROP ALL")
    mirrored.restore(io.BytesIO(pieces[0]), media_type="application/n-quads")  # empty: the bulk path
    for number, piece in enumerate(pieces[1:]):
        source = ReadOnce(piece) if number % 2 else io.BytesIO(piece)
        mirrored.restore(source, media_type="application/n-quads")  # type: ignore[arg-type]
        assert_mirrors(mirrored)
    assert mirrored.count(CONTACT_GRAPH) > 0
    assert not mirrored.ask(f"ASK {{ GRAPH <{CONTACT_GRAPH}> {{ ?s ?p ?o }} }}", dataset=PUBLIC)
    before = quads(mirrored._store), quads(mirrored._mirror)
    with pytest.raises(QueryError, match="does not parse"):
        mirrored.restore(io.BytesIO(b"<urn:x:a> <urn:x:p> <urn:x:o> <urn:x:g> .\n<urn:x:broken"),
                         media_type="application/n-quads")
    assert (quads(mirrored._store), quads(mirrored._mirror)) == before
    assert_mirrors(mirrored)


def test_a_mirror_left_behind_is_rebuilt_when_the_store_opens(tmp_path: Path, settings: Settings) -> None:
    location = tmp_path / "store"
    store = open_store(settings.with_(store=str(location)))
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    store.close()
    # A crash after the main store's write and before the mirror's: the mark stays, the mirror differs.
    (location / STALE_MARK).touch()
    behind = ox.Store(str(location / MIRROR_FOLDER))
    behind.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("stale"), ox.NamedNode("urn:x:g")))
    behind.flush()
    del behind
    reader = ReadOnlyStore(str(location), PRIVATE)
    assert not reader._uses_mirror(PUBLIC)  # a reader does not trust a mirror marked behind
    del reader
    reopened = open_store(settings.with_(store=str(location)))
    try:
        assert not (location / STALE_MARK).exists()
        assert_mirrors(reopened)
        assert ReadOnlyStore(str(location), PRIVATE)._uses_mirror(PUBLIC)
        aurelia = [str(IRIS.state_graph("review-restricted", "XAA"))]
        assert not ReadOnlyStore(str(location), PRIVATE)._uses_mirror(Dataset(default=aurelia, named=aurelia))
    finally:
        reopened.close()


def test_a_store_without_private_graphs_has_no_mirror(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "plain")
    store.close()
    assert not (tmp_path / "plain" / MIRROR_FOLDER).exists()


def test_a_refused_update_leaves_the_mirror_in_use(mirrored: EmbeddedStore) -> None:
    from sherloc_kg.errors import QueryError

    for broken in ("INSERT DATA { <urn:x:a> <urn:x:b> }", "DELETE { ?s ?p ?o } WHERE { ?s ?p"):
        with pytest.raises(QueryError):
            mirrored.update(broken)
        assert_mirrors(mirrored)
        assert mirrored._uses_mirror(PUBLIC)
