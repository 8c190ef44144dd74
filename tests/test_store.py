"""The store contract, run against every backend this version has (embedded, in memory and on disk)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from sherloc_kg.errors import QueryError, StoreError, UsageError
from sherloc_kg.store import Dataset, RecordWrite
from sherloc_kg.store.embedded import EmbeddedStore

G1, G2 = "http://example.org/graph/1", "http://example.org/graph/2"
P = URIRef("http://example.org/p")
R = URIRef("http://example.org/id/r")
R_PART = URIRef("http://example.org/id/r/part/1")
R_OTHER = URIRef("http://example.org/id/r2")  # shares a prefix with R but is another record


@pytest.fixture(params=["memory", "disk"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> EmbeddedStore:
    store = EmbeddedStore(None if request.param == "memory" else tmp_path / "store")
    yield store
    store.close()


def triples_of(store: EmbeddedStore, graph: str) -> set[tuple]:
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", dataset=Dataset(default=[graph])).rows
    return {(r["s"], r["p"], r["o"]) for r in rows}


def test_write_inserts_and_replace_removes_the_old_record_and_its_parts(backend: EmbeddedStore) -> None:
    backend.write([RecordWrite(G1, [str(R), str(R_OTHER)], [
        (R, P, R_PART), (R_PART, P, Literal('quote " and\nnewline', lang="en")), (R, P, Literal(1)),
        (R_OTHER, P, Literal("kept")),
    ])])
    assert backend.count(G1) == 4
    backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal(2))])])
    assert triples_of(backend, G1) == {(R, P, Literal(2)), (R_OTHER, P, Literal("kept"))}


def test_a_failing_write_leaves_the_store_as_it_was(backend: EmbeddedStore) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("before"))])])
    with pytest.raises(QueryError):
        backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal("after"))])], then=["INSERT DATA { this is not sparql }"])
    assert triples_of(backend, G1) == {(R, P, Literal("before"))}


def test_replace_graphs_clears_them_in_the_same_transaction(backend: EmbeddedStore) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("old"))]), RecordWrite(G2, [], [(R, P, Literal("g2"))])])
    backend.write([RecordWrite(G1, [], [(R, P, Literal("new"))])], replace_graphs=[G1])
    assert triples_of(backend, G1) == {(R, P, Literal("new"))}
    assert triples_of(backend, G2) == {(R, P, Literal("g2"))}


def test_bindings_are_terms_not_text(backend: EmbeddedStore) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("x"))])])
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    rows = backend.select("SELECT ?o WHERE { ?s ?p ?o }", bindings={"o": hostile}).rows
    assert rows == []
    assert backend.select("SELECT ?o WHERE { ?s ?p ?o }", bindings={"o": Literal("x")}).rows == [{"o": Literal("x")}]
    assert backend.count() == 1


def test_dataset_limits_what_a_query_sees(backend: EmbeddedStore) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("one"))]), RecordWrite(G2, [], [(R, P, Literal("two"))])])
    only_g1 = Dataset(default=[G1], named=[G1])
    assert {r["o"] for r in backend.select("SELECT ?o { ?s ?p ?o }", dataset=only_g1).rows} == {Literal("one")}
    assert backend.select("SELECT ?o { GRAPH ?g { ?s ?p ?o } }", dataset=only_g1).rows == [{"o": Literal("one")}]
    assert backend.ask("ASK { ?s ?p 'two' }") is True
    assert backend.ask("ASK { ?s ?p 'two' }", dataset=only_g1) is False


def test_dump_and_restore_round_trip(backend: EmbeddedStore) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("é", lang="fr"))]), RecordWrite(G2, [], [(R, P, Literal(3))])])
    nquads = io.BytesIO()
    backend.dump(nquads, media_type="application/n-quads")
    copy = EmbeddedStore(None)
    copy.restore(io.BytesIO(nquads.getvalue()), media_type="application/n-quads")
    assert copy.graphs() == sorted([G1, G2]) and copy.count() == 2
    turtle = io.BytesIO()
    backend.dump(turtle, media_type="text/turtle", graphs=[G1])
    assert b'"\xc3\xa9"@fr' in turtle.getvalue()
    with pytest.raises(UsageError, match="holds one graph"):
        backend.dump(io.BytesIO(), media_type="text/turtle")


def test_serialized_results_come_from_the_engine(backend: EmbeddedStore) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("v"))])])
    out = io.BytesIO()
    backend.query_serialized("SELECT ?o { ?s ?p ?o }", out, media_type="text/csv")
    assert out.getvalue().decode().splitlines() == ["o", "v"]


def test_syntax_errors_are_query_errors(backend: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match="syntax"):
        backend.select("SELEKT ?x")


def test_a_locked_disk_store_says_who_may_hold_it(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "s")
    try:
        with pytest.raises(StoreError, match="another sherloc-kg process"):
            EmbeddedStore(tmp_path / "s")
    finally:
        first.close()
