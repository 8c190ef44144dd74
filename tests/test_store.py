"""The store contract, one suite run against every backend: embedded Oxigraph (in memory and on
disk), a real ``oxigraph serve`` and a real Virtuoso 7 (fixtures in ``backends.py``)."""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from sherloc_kg.errors import NotOnThisStore, QueryError, StoreError, UsageError
from sherloc_kg.store import Dataset, RecordWrite
from sherloc_kg.store.contract import RdfDocument, UnparsableDocument
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.remote import RemoteStore
from sherloc_kg.store.contract import STAGING_PREFIX
from sherloc_kg.store.servers import OxigraphServer, Server

from .backends import backend, empty, oxigraph_settings, virtuoso_process, virtuoso_settings  # noqa: F401  (fixtures)

G1, G2 = "http://example.org/graph/1", "http://example.org/graph/2"
RESTRICTED = "http://example.org/graph/restricted"
P = URIRef("http://example.org/p")
R = URIRef("http://example.org/id/r")
R_PART = URIRef("http://example.org/id/r/part/1")
R_OTHER = URIRef("http://example.org/id/r2")  # shares a prefix with R but is another record
NQUADS = "application/n-quads"


def triples_of(store, graph: str) -> set[tuple]:
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", dataset=Dataset(default=[graph])).rows
    return {(r["s"], r["p"], r["o"]) for r in rows}


def nquads(store, graphs=None) -> set[str]:
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS, graphs=graphs)
    return set(buffer.getvalue().decode().splitlines())


def test_write_inserts_and_replace_removes_the_old_record_and_its_parts(backend) -> None:
    backend.write([RecordWrite(G1, [str(R), str(R_OTHER)], [
        (R, P, R_PART), (R_PART, P, Literal('quote " and\nnewline', lang="en")), (R, P, Literal(1)),
        (R_OTHER, P, Literal("kept")),
    ])])
    assert backend.count(G1) == 4
    backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal(2))])])
    assert triples_of(backend, G1) == {(R, P, Literal(2)), (R_OTHER, P, Literal("kept"))}


def test_reloading_the_same_records_is_idempotent(backend) -> None:
    write = [RecordWrite(G1, [str(R)], [(R, P, R_PART), (R_PART, P, Literal("part")), (R, P, Literal("v"))])]
    backend.write(write)
    first = nquads(backend)
    backend.write(write)
    backend.write(write)
    assert nquads(backend) == first and backend.count(G1) == 3


def test_a_failing_write_leaves_the_store_as_it_was(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("before"))])])
    with pytest.raises(QueryError):
        backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal("after"))])], then=["INSERT DATA { this is not sparql }"])
    assert triples_of(backend, G1) == {(R, P, Literal("before"))}
    assert backend.graphs() == [G1]


def test_a_write_failing_while_it_runs_leaves_the_store_as_it_was(backend) -> None:
    """The last operation parses but fails when run (LOAD of a closed port): the record
    replacement before it must not be visible, on every backend."""
    backend.write([RecordWrite(G1, [], [(R, P, Literal("before"))]), RecordWrite(G2, [], [(R, P, Literal("g2"))])])
    before = nquads(backend)
    with pytest.raises((QueryError, StoreError)):
        backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal("after"))])], replace_graphs=[G2],
                      then=[f"LOAD <http://127.0.0.1:9/nothing.ttl> INTO GRAPH <{G1}>"])
    assert nquads(backend) == before
    assert backend.graphs() == [G1, G2]


def test_replace_graphs_clears_them_in_the_same_transaction(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("old"))]), RecordWrite(G2, [], [(R, P, Literal("g2"))])])
    backend.write([RecordWrite(G1, [], [(R, P, Literal("new"))])], replace_graphs=[G1])
    assert triples_of(backend, G1) == {(R, P, Literal("new"))}
    assert triples_of(backend, G2) == {(R, P, Literal("g2"))}


def test_before_runs_over_the_records_as_they_were_in_the_same_write(backend) -> None:
    """``before`` (the inference rules' marking) sees the records the write replaces, and what
    it writes is part of the same transaction: a failing write leaves none of it behind."""
    marks = "http://example.org/graph/marks"
    before = [f"INSERT {{ GRAPH <{marks}> {{ ?s <http://example.org/was> ?o }} }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"]
    backend.write([RecordWrite(G1, [str(R)], [(R, P, R_PART), (R_PART, P, Literal("old"))])])
    backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal("new"))])], before=before,
                  then=[f"INSERT {{ GRAPH <{marks}> {{ ?s <http://example.org/is> ?o }} }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"])
    was, now = URIRef("http://example.org/was"), URIRef("http://example.org/is")
    assert triples_of(backend, marks) == {(R, was, R_PART), (R_PART, was, Literal("old")), (R, now, Literal("new"))}
    assert triples_of(backend, G1) == {(R, P, Literal("new"))}
    state = nquads(backend)
    with pytest.raises(QueryError):
        backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal("newer"))])], before=before,
                      then=["INSERT DATA { this is not sparql }"])
    assert nquads(backend) == state
    with pytest.raises(UsageError, match="before"):
        backend.write([RecordWrite(G1, [], [(R, P, Literal("x"))])], replace_graphs=[G1], before=before)
    assert nquads(backend) == state


def test_rules_run_after_the_records_in_the_same_write(backend) -> None:
    inferred = "http://example.org/graph/inferred"
    rule = (f"PREFIX ex: <http://example.org/>\nDROP SILENT GRAPH <{inferred}>",
            f"PREFIX ex: <http://example.org/>\nINSERT {{ GRAPH <{inferred}> {{ ?s ex:seen ?o }} }} "
            f"WHERE {{ GRAPH <{G1}> {{ ?s ex:p ?o }} }}")
    backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal("one"))])], then=list(rule))
    backend.write([RecordWrite(G1, [str(R)], [(R, P, Literal("two"))])], then=list(rule))
    seen = URIRef("http://example.org/seen")
    assert triples_of(backend, inferred) == {(R, seen, Literal("two"))}


def test_bindings_are_terms_not_text(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("x"))])])
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    rows = backend.select("SELECT ?o WHERE { ?s ?p ?o }", bindings={"o": hostile}).rows
    assert rows == []
    assert backend.select("SELECT ?o WHERE { ?s ?p ?o }", bindings={"o": Literal("x")}).rows == [{"o": Literal("x")}]
    assert backend.count() == 1


def test_dataset_limits_what_a_query_sees(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("one"))]), RecordWrite(G2, [], [(R, P, Literal("two"))])])
    only_g1 = Dataset(default=[G1], named=[G1])
    assert {r["o"] for r in backend.select("SELECT ?o { ?s ?p ?o }", dataset=only_g1).rows} == {Literal("one")}
    assert backend.select("SELECT ?o { GRAPH ?g { ?s ?p ?o } }", dataset=only_g1).rows == [{"o": Literal("one")}]
    assert backend.ask("ASK { ?s ?p 'two' }") is True
    assert backend.ask("ASK { ?s ?p 'two' }", dataset=only_g1) is False


@pytest.mark.parametrize("query", [
    "SELECT ?o WHERE { ?s ?p ?o }",
    f"SELECT ?o FROM <{RESTRICTED}> WHERE {{ ?s ?p ?o }}",
    f"SELECT ?o FROM NAMED <{RESTRICTED}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"SELECT ?o WHERE {{ GRAPH <{RESTRICTED}> {{ ?s ?p ?o }} }}",
    "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_a_confined_query_never_sees_a_restricted_graph(backend, query: str) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("public"))]),
                   RecordWrite(RESTRICTED, [], [(R, P, Literal("secret"))])])
    public = Dataset(default=[G1], named=[G1])
    values = {r["o"] for r in backend.select(query, dataset=public).rows}
    assert Literal("secret") not in values
    out = io.BytesIO()
    backend.query_serialized(query, out, media_type="application/sparql-results+json", dataset=public)
    assert b"secret" not in out.getvalue()


def test_a_query_its_server_is_not_trusted_with_is_answered_over_a_copy_of_what_it_may_read(backend) -> None:
    """A named query whose header says the store's server answers it wrongly (``# not-on``,
    store/servers.py) is never sent there (the server's check would refuse it): the embedded engine
    answers it over a copy of the graphs the caller may read, the same answers as everywhere else;
    a copy over ``local_copy_limit`` quads is refused, naming the query and the setting."""
    server = getattr(backend, "server", None)
    header = f"# not-on: {server.name if server else 'Virtuoso'} -- probe: it answers this wrongly\n"
    backend.write([RecordWrite(G1, [], [(R, P, Literal("public"))]),
                   RecordWrite(RESTRICTED, [], [(R, P, Literal("secret"))])])
    public = Dataset(default=[G1], named=[G1])
    query = header + "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert backend.select(query, dataset=public).rows == [{"g": URIRef(G1), "o": Literal("public")}]
    assert {r["o"] for r in backend.select(header + "SELECT ?o { ?s ?p ?o }").rows} == {Literal("public"),
                                                                                      Literal("secret")}
    wanted = header + "ASK { ?s ?p ?value }"
    assert backend.ask(wanted, bindings={"value": Literal("secret")}, dataset=public) is False
    assert backend.ask(wanted, bindings={"value": Literal("public")}, dataset=public) is True
    out = io.BytesIO()
    backend.query_serialized(query, out, media_type="text/csv", dataset=public)
    assert out.getvalue().decode().splitlines() == ["g,o", f"{G1},public"]
    if server is not None:
        with pytest.raises(NotOnThisStore, match=f"'probe' does not run on {server.name}: it answers this wrongly"):
            server.check_query(query)  # were it sent, the server's own check stops it
        backend.local_copy_limit = 0  # the one quad the caller may read is over it
        with pytest.raises(NotOnThisStore, match="'probe' does not run on .*SHERLOC_LOCAL_COPY_LIMIT"):
            backend.select(query, dataset=public)


def test_dump_and_restore_round_trip(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("é", lang="fr"))]), RecordWrite(G2, [], [(R, P, Literal(3))])])
    dumped = io.BytesIO()
    backend.dump(dumped, media_type=NQUADS)
    copy = EmbeddedStore(None)
    copy.restore(io.BytesIO(dumped.getvalue()), media_type=NQUADS)
    assert copy.graphs() == sorted([G1, G2]) and copy.count() == 2
    turtle = io.BytesIO()
    backend.dump(turtle, media_type="text/turtle", graphs=[G1])
    assert b'"\xc3\xa9"@fr' in turtle.getvalue()
    with pytest.raises(UsageError, match="holds one graph"):
        backend.dump(io.BytesIO(), media_type="text/turtle")
    # and back into the backend itself, emptied
    backend.update(f"DROP SILENT GRAPH <{G1}> ; DROP SILENT GRAPH <{G2}>")
    assert backend.count() == 0
    backend.restore(io.BytesIO(dumped.getvalue()), media_type=NQUADS)
    assert nquads(backend) == set(dumped.getvalue().decode().splitlines())


def test_a_dump_whose_first_triple_is_long_restores_and_loads(backend) -> None:
    # A change-feed version holds a graph's N-Triples in one literal (sherloc_kg/versions.py):
    # Virtuoso's Graph Store endpoint refused such a body until it was sent as Turtle with a prefix
    # line first (VirtuosoServer.graph_document).
    long_text = "\\n".join(f'<{R}> <{P}> \\"line {i}\\" .' for i in range(20_000))
    dump = f'<{R}> <{P}> "{long_text}" <{G1}> .\n<{R}> <{P}> "short" <{G1}> .\n'.encode()
    backend.restore(io.BytesIO(dump), media_type=NQUADS)
    assert nquads(backend) == set(dump.decode().splitlines())
    backend.load_graph(G2, [RdfDocument(f'<{R}> <{P}> "{long_text}" .\n'.encode(), "application/n-triples")])
    assert backend.count(G2) == 1 and nquads(backend, [G2]) == {f'<{R}> <{P}> "{long_text}" <{G2}> .'}


def test_restore_of_a_broken_dump_writes_nothing(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("kept"))])])
    broken = f'<{R}> <{P}> "new" <{G2}> .\nthis is not n-quads\n'.encode()
    with pytest.raises(QueryError, match="does not parse"):
        backend.restore(io.BytesIO(broken), media_type=NQUADS)
    assert backend.graphs() == [G1]


def test_dump_chunks_stream_every_quad_in_pieces(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal(i)) for i in range(25)]),
                   RecordWrite(G2, [], [(R, P, Literal("other"))])])
    chunks = list(backend.dump_chunks([G1], chunk_size=10))
    assert [len(c.decode().splitlines()) for c in chunks] == [10, 10, 5]
    lines = {line for c in chunks for line in c.decode().splitlines()}
    assert lines == nquads(backend, [G1])
    assert list(backend.dump_chunks([])) == []


def test_count_and_graphs(backend) -> None:
    assert backend.graphs() == [] and backend.count() == 0
    backend.write([RecordWrite(G2, [], [(R, P, Literal("a")), (R, P, Literal("b"))]),
                   RecordWrite(G1, [], [(R, P, Literal("c"))])])
    assert backend.graphs() == [G1, G2]
    assert (backend.count(G1), backend.count(G2), backend.count(), backend.count("http://example.org/none")) == (1, 2, 3, 0)


def test_load_graph_read_graph_and_graph_exists(backend) -> None:
    turtle = RdfDocument(b'@prefix ex: <http://example.org/> . ex:a ex:p "one" . [] ex:p "blank" .', "text/turtle",
                         name="one.ttl")
    more = RdfDocument(b'<http://example.org/b> <http://example.org/p> "two" .\n', "application/n-triples")
    assert backend.graph_exists(G1) is False
    assert backend.load_graph(G1, [turtle, more]) == 3
    assert backend.graph_exists(G1) is True and backend.count(G1) == 3
    out = io.BytesIO()
    backend.read_graph(G1, out, media_type="application/n-triples")
    assert b'"two"' in out.getvalue() and len(out.getvalue().splitlines()) == 3
    assert backend.load_graph(G1, [more], replace=True) == 1
    assert triples_of(backend, G1) == {(URIRef("http://example.org/b"), P, Literal("two"))}
    with pytest.raises(UnparsableDocument):
        backend.load_graph(G1, [RdfDocument(b"<a> <b> .", "text/turtle", base_iri="http://example.org/")], replace=True)
    with pytest.raises(UsageError):
        backend.load_graph(G1, [RdfDocument(f'<{R}> <{P}> "x" <{G2}> .'.encode(), NQUADS)])
    assert backend.count(G1) == 1 and backend.graphs() == [G1]
    backend.load_graph(G1, [], replace=True)
    assert backend.graph_exists(G1) is False


def test_serialized_results_come_in_the_asked_format(backend) -> None:
    backend.write([RecordWrite(G1, [], [(R, P, Literal("v"))])])
    out = io.BytesIO()
    backend.query_serialized("SELECT ?o { ?s ?p ?o }", out, media_type="text/csv")
    assert out.getvalue().decode().splitlines() == ["o", "v"]
    out = io.BytesIO()
    backend.query_serialized("SELECT ?o { ?s ?p ?o }", out, media_type="text/tab-separated-values")
    assert out.getvalue().decode().splitlines() == ["?o", '"v"']
    out = io.BytesIO()
    backend.query_serialized("ASK { ?s ?p 'v' }", out, media_type="application/sparql-results+json")
    assert b'"boolean":true' in out.getvalue().replace(b" ", b"")
    out = io.BytesIO()
    backend.query_serialized("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", out, media_type="application/n-triples")
    assert out.getvalue().decode().strip() == f'<{R}> <{P}> "v" .'
    with pytest.raises(UsageError):
        backend.query_serialized("SELECT ?o { ?s ?p ?o }", io.BytesIO(), media_type="text/turtle")


def test_syntax_errors_are_query_errors(backend) -> None:
    with pytest.raises(QueryError):
        backend.select("SELEKT ?x")
    with pytest.raises(QueryError):
        backend.update("INSERT DATA { this is not sparql }")


def test_a_locked_disk_store_says_who_may_hold_it(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "s")
    try:
        with pytest.raises(StoreError, match="another sherloc-kg process"):
            EmbeddedStore(tmp_path / "s")
    finally:
        first.close()


def test_a_staged_write_on_virtuoso_outlasts_a_lock_held_by_another_client(tmp_path: Path,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    """Another client's open transaction holds a lock on the graph a load replaces: Virtuoso rolls
    the load's MOVE back when its lock wait runs out (SR171). The store sends that MOVE again, and
    the load lands whole once the other transaction ends."""
    old = RdfDocument(f'<{R}> <{P}> "old" .\n'.encode(), "application/n-triples")
    new = RdfDocument(f'<{R}> <{P}> "new" .\n<{R_OTHER}> <{P}> "new" .\n'.encode(), "application/n-triples")
    with virtuoso_process(tmp_path, max_seconds=2) as (settings, isql), RemoteStore(settings) as store:
        store.load_graph(G1, [old])
        isql.run("set autocommit manual;")
        isql.run(f"SPARQL INSERT DATA {{ GRAPH <{G1}> {{ <{R}> <{P}> 'held' }} }};")
        release = threading.Timer(5.0, isql.run, ["rollback work;"])
        release.start()
        try:
            with caplog.at_level(logging.WARNING, logger="sherloc_kg.store.remote"):
                assert store.load_graph(G1, [new], replace=True) == 2
        finally:
            release.join()
        assert "SR171" in caplog.text and "sending it again" in caplog.text
        assert triples_of(store, G1) == {(R, P, Literal("new")), (R_OTHER, P, Literal("new"))}
        assert store.graphs() == [G1]
        rows = store._select_rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
        assert not [r for r in rows if str(r["g"]).startswith("urn:sherloc:staging:")]


def test_an_update_a_caller_sends_is_not_sent_twice(tmp_path: Path) -> None:
    """Only the store's own idempotent steps are retried: a caller's update that Virtuoso rolls back
    fails with the server's reason."""
    with virtuoso_process(tmp_path, max_seconds=2) as (settings, isql), RemoteStore(settings) as store:
        store.load_graph(G1, [RdfDocument(f'<{R}> <{P}> "old" .\n'.encode(), "application/n-triples")])
        isql.run("set autocommit manual;")
        isql.run(f"SPARQL INSERT DATA {{ GRAPH <{G1}> {{ <{R}> <{P}> 'held' }} }};")
        try:
            with pytest.raises(StoreError, match="SR171"):
                store.update(f"CLEAR GRAPH <{G1}>")
        finally:
            isql.run("rollback work;")
        assert triples_of(store, G1) == {(R, P, Literal("old"))}


def staging_graphs(store: RemoteStore) -> list[str]:
    rows = store._select_rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
    return [str(r["g"]) for r in rows if str(r["g"]).startswith(STAGING_PREFIX)]


def test_a_write_over_the_server_s_request_limit_stages_its_triples_then_commits_in_one_request(
        oxigraph_settings) -> None:  # noqa: F811
    """``oxigraph serve`` reads no update body over 128 MiB (a load of some 700,000 triples). Over
    the limit (here taken as 1 kB), the new triples go to a staging graph by one Graph Store POST,
    then one update request replaces the records, adds the staged triples and runs the rules: the
    requests the server saw say so, the result is the one the single request gives, and a failing
    last request leaves the previous state and no staging graph."""
    requests: list[tuple[str, str]] = []
    with RemoteStore(oxigraph_settings, server=OxigraphServer(max_request_bytes=1_000)) as store:
        empty(store)
        store.write([RecordWrite(G1, [], [(R, P, Literal("old")), (R_OTHER, P, Literal("kept"))])])
        store._http.event_hooks["request"] = [lambda r: requests.append((r.method, r.url.path))]
        many = [(R, P, Literal(f"new {n}")) for n in range(200)]
        inferred = "http://example.org/graph/inferred"
        rule = f"INSERT {{ GRAPH <{inferred}> {{ ?s <http://example.org/seen> ?o }} }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"
        store.write([RecordWrite(G1, [str(R)], many)], then=[rule])
        assert requests == [("POST", "/store"), ("POST", "/update")]
        assert triples_of(store, G1) == set(many) | {(R_OTHER, P, Literal("kept"))}
        assert store.count(inferred) == 201
        assert staging_graphs(store) == [] and store.graphs() == [G1, inferred]

        before = nquads(store)
        with pytest.raises((QueryError, StoreError)):
            store.write([RecordWrite(G1, [str(R)], many[:100])],
                        then=[f"LOAD <http://127.0.0.1:9/nothing.ttl> INTO GRAPH <{G1}>"])
        assert nquads(store) == before
        assert staging_graphs(store) == []


def test_the_request_size_counts_the_form_encoding_where_updates_are_form_encoded() -> None:
    """A server that takes updates form-encoded reads ``update=`` and every byte that is not
    always safe as ``%XX``: the size the store checks against its limit is that body's, exactly."""
    from urllib.parse import urlencode

    text = 'INSERT DATA { <http://example.org/é> <http://example.org/p> "a b\n\"c\" ~_.-+%" }'
    size = len(urlencode({"update": text}))
    for limit, fits in ((size, True), (size - 1, False)):
        store = RemoteStore.__new__(RemoteStore)
        store.server = Server(max_request_bytes=limit)
        assert store._fits(text) is fits
        store.server = OxigraphServer(max_request_bytes=len(text.encode()) - (not fits))
        assert store._fits(text) is fits
