"""Faults of the remote store, each against real processes (no mocks): the server is down at
start, goes down (``kill -9``) in the middle of a load, is not a SPARQL endpoint at all, or rejects
a query the embedded store accepts. Each time the user gets one line naming the server and the
cause, a non-zero exit, never a traceback; and a load cut short leaves the previous state."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sherloc_kg.config import Settings

from . import backends
from .backends import backend, oxigraph_settings, virtuoso_settings  # noqa: F401  (fixtures)
from .servers import answering, free_port, stop
from .test_cli import BUNDLED, many_cases

EXE = str(Path(sys.executable).with_name("sherloc-kg"))


def sherloc(store: str, *args: str, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, "--store", store, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def failed_cleanly(done: subprocess.CompletedProcess, *names: str) -> None:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    for name in names:
        assert name in done.stderr, done.stderr


# (a) the server is down at start ---------------------------------------------------------------

def test_a_server_that_is_down_at_start_is_named() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    for command in (["stats"], ["stats", "--json"], ["query", "cases-by-country"], ["serve"]):
        done = sherloc(url, *command, timeout=120)
        failed_cleanly(done, url, "cannot reach")
        assert done.returncode == 1, command


# (b) the server goes down in the middle of a load -----------------------------------------------

class OxigraphProcess:
    """``oxigraph serve`` over ``directory/db``, started with the program tests.backends uses; can be
    killed with SIGKILL and started again over the same database."""

    def __init__(self, directory: Path) -> None:
        if not Path(backends.OXIGRAPH).exists():
            backends.missing("the oxigraph server (PyPI package 'oxigraph') is not installed")
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> str:
        port = free_port()
        log = self.directory / "oxigraph.log"
        with log.open("ab") as sink:
            self.process = subprocess.Popen([backends.OXIGRAPH, "serve", "--location", str(self.directory / "db"),
                                             "--bind", f"127.0.0.1:{port}"], stdout=sink, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}/query"
        answering(self.process, self.url, log)
        return self.url

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


def stats(url: str) -> dict:
    done = sherloc(url, "stats", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_kill_9_of_the_server_during_a_load_leaves_the_previous_state(tmp_path: Path) -> None:
    """Load the reference data and the bundled cases into a real ``oxigraph serve``; then, for a few
    delays after the load's "write: started" line, kill -9 the server while a bigger load writes,
    restart it over the same database, and check the store: exactly the previous state (or, if the
    kill came after the commit, exactly the complete load), never a part."""
    server = OxigraphProcess(tmp_path)
    try:
        url = server.start()
        assert sherloc(url, "init", "--no-data").returncode == 0
        done = sherloc(url, "load", "cases", str(BUNDLED))
        assert done.returncode == 0, done.stderr
        before = stats(url)
        assert before["records"]["cases"] == 1164
        big = many_cases(tmp_path / "big.jsonl", 2000)

        outcomes = []
        for delay in (0.0, 0.05, 0.2, 0.5, 1.0):
            process = subprocess.Popen([EXE, "--store", url, "load", "cases", str(big)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            assert process.stderr is not None
            for line in process.stderr:
                if line.startswith("write: started"):
                    break
            time.sleep(delay)
            loading = process.poll() is None
            server.kill()
            error = process.stderr.read()
            process.wait(timeout=300)
            process.stderr.close()
            url = server.start()
            state = stats(url)
            whole = state["records"]["cases"] == 1164 + 2000
            if not whole:
                assert state["graphs"] == before["graphs"], delay
                assert state["records"] == before["records"], delay
                assert state["triples"] == before["triples"], delay
            if loading and not whole:
                # the load was cut in its write: it failed, in one line naming the server
                assert process.returncode == 1, (delay, error)
                assert "Traceback" not in error, error
                assert "127.0.0.1:" in error and ("cannot reach" in error or "oxigraph" in error.lower()), error
                assert "write: started" not in error.splitlines()[-1], error
            outcomes.append((delay, loading, whole, process.returncode))
            if whole:  # the load committed before the kill: start again from the previous state
                break
        assert any(o[1] and not o[2] for o in outcomes), f"no kill landed during the write: {outcomes}"
    finally:
        server.stop()


# (c) the server answers with an error page --------------------------------------------------------

NOT_SPARQL = textwrap.dedent("""
    import sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Page(BaseHTTPRequestHandler):
        def answer(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"
            self.send_response(int(sys.argv[2]))
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        do_GET = do_POST = answer
        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", int(sys.argv[1])), Page).serve_forever()
""")


@pytest.mark.parametrize("status", [200, 500])
def test_a_server_that_answers_html_pages_is_named_with_the_cause(tmp_path: Path, status: int) -> None:
    script = tmp_path / "not_sparql.py"
    script.write_text(NOT_SPARQL)
    port = free_port()
    process = subprocess.Popen([sys.executable, str(script), str(port), str(status)])
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        backends_wait_for_http(url, process)
        for command in (["stats"], ["query", "cases-by-country"]):
            done = sherloc(url, *command)
            failed_cleanly(done, url)
            if status == 200:
                assert "do not parse" in done.stderr and "error page" in done.stderr, done.stderr
            else:
                assert "HTTP 500" in done.stderr and "Welcome to nginx" in done.stderr, done.stderr
    finally:
        stop(process)


def test_a_plain_file_server_is_named_with_its_status(tmp_path: Path) -> None:
    """``python -m http.server``: GET /query is a 404 page, POST is refused with 501."""
    (tmp_path / "index.html").write_text("<html>hello</html>")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        backends_wait_for_http(f"http://127.0.0.1:{port}/", process)
        missing = f"http://127.0.0.1:{port}/query"
        done = sherloc(missing, "stats")
        failed_cleanly(done, missing, "does not answer SPARQL queries", "HTTP 404")
        page = f"http://127.0.0.1:{port}/index.html"
        done = sherloc(page, "query", "cases-by-country")
        failed_cleanly(done, page, "HTTP 501")
    finally:
        stop(process)


def backends_wait_for_http(url: str, process: subprocess.Popen) -> None:
    import httpx
    for _ in range(300):
        assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


# (d) a query the embedded store accepts and the server rejects -----------------------------------

SECOND_BASE = "BASE <http://a.example/> BASE <http://b.example/> SELECT * WHERE { ?s ?p ?o } LIMIT 1\n"


def test_a_query_virtuoso_rejects_gives_virtuoso_s_own_error(tmp_path: Path, virtuoso_settings: Settings) -> None:
    """SPARQL 1.1 allows any number of BASE declarations in a prologue; Virtuoso 7 refuses a second
    one with a syntax error (SP030). The embedded store runs the query; against Virtuoso the user
    gets one line naming the server and Virtuoso's own error text. A query the server refuses is
    the caller's error, which the web API shows to the caller too: it names the server's kind,
    never its address."""
    query = tmp_path / "second-base.rq"
    query.write_text(SECOND_BASE)
    embedded = sherloc("memory", "query", str(query))
    assert embedded.returncode == 0, embedded.stderr
    url = virtuoso_settings.store
    done = sherloc(url, "query", str(query), env={"SHERLOC_STORE_USER": virtuoso_settings.store_user or "",
                                                  "SHERLOC_STORE_PASSWORD": virtuoso_settings.store_password or ""})
    failed_cleanly(done, "Virtuoso refused the query", "SP030", "syntax error at 'BASE'")
    assert url not in done.stderr and urlsplit(url).netloc not in done.stderr, done.stderr
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# (e) a write bigger than a server's statement limits ---------------------------------------------

BIG_GRAPHS = [f"http://example.org/graph/big/{n}" for n in range(3)]


def test_a_write_replacing_thousands_of_records_in_several_graphs(backend) -> None:  # noqa: F811
    """A load replacing more records than Virtuoso's SPARQL compiler takes in one VALUES block
    (4094: "SP030 ... Too many arguments for standard built-in function in operator()"), in
    several graphs at once, on every backend: the staged path on Virtuoso copies each graph and
    deletes the records in pieces, then swaps. The records are replaced whole, the record that
    was not named is kept, and no staging graph is left behind."""
    from rdflib import Literal, URIRef

    from sherloc_kg.store import Dataset, RecordWrite

    p = URIRef("http://example.org/p")
    records = [f"http://example.org/id/big/{n}" for n in range(5000)]
    kept = URIRef("http://example.org/id/kept")

    def load(value: str) -> list[RecordWrite]:
        writes = []
        for graph in BIG_GRAPHS:
            triples = []
            for record in records:
                part = URIRef(f"{record}/part/1")
                triples += [(URIRef(record), p, Literal(value)), (URIRef(record), p, part), (part, p, Literal(value))]
            writes.append(RecordWrite(graph, list(records), triples))
        return writes

    backend.write(load("old") + [RecordWrite(BIG_GRAPHS[0], [], [(kept, p, Literal("kept"))])])
    backend.write(load("new"))
    for graph in BIG_GRAPHS:
        assert backend.count(graph) == 3 * len(records) + (graph == BIG_GRAPHS[0])
    values = backend.select("SELECT ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?v FILTER(isLiteral(?v)) } } "
                            "GROUP BY ?v", dataset=Dataset(default=[], named=BIG_GRAPHS)).rows
    assert {str(r["v"]): int(r["n"]) for r in values} == {"new": 6 * len(records), "kept": 1}
    assert backend.graphs() == BIG_GRAPHS
    if hasattr(backend, "_select_rows"):
        rows = backend._select_rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
        assert not [r for r in rows if str(r["g"]).startswith("urn:sherloc:staging:")]


# (f) the server hangs: it accepts connections and never answers -----------------------------------

@contextmanager
def hung_server() -> Iterator[str]:
    """A socket server on a free loopback port, in a thread: it accepts every connection and never
    sends a byte (a server wedged by a runaway query, or a dead proxy). Yields its query URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, name="hung-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/query"
    finally:
        stop.set()
        thread.join(timeout=10)
        for connection in held:
            connection.close()
        listener.close()


def test_a_hung_server_is_a_timeout_naming_it_not_a_hang(tmp_path: Path) -> None:
    """Every kind of request to a server that never answers fails after its timeout, naming the
    server and the setting to raise: a caller's query (``query_serialized``, what /sparql runs)
    after SHERLOC_QUERY_TIMEOUT, the application's own queries, dumps and writes after
    SHERLOC_STORE_TIMEOUT. Queries fail with the embedded store's timeout error (QueryTimedOut:
    503 with Retry-After), writes with a StoreError (the write may still land)."""
    import io

    from sherloc_kg.errors import QueryTimedOut, StoreError
    from sherloc_kg.store import Dataset, RecordWrite
    from sherloc_kg.store.remote import RemoteStore
    from sherloc_kg.store.servers import OxigraphServer

    with hung_server() as url:
        settings = Settings(store=url, query_timeout=1, store_timeout=2)
        started = time.monotonic()
        with pytest.raises(QueryTimedOut, match="SHERLOC_QUERY_TIMEOUT") as probe:
            RemoteStore(settings)
        assert url in str(probe.value) and probe.value.http_status == 503
        with RemoteStore(settings, server=OxigraphServer()) as store:
            graph = "http://example.org/graph/1"
            mine = Dataset(default=[graph], named=[graph])
            with pytest.raises(QueryTimedOut, match=f"Oxigraph server at {url} did not answer the query within 1 s"):
                store.query_serialized("SELECT * WHERE { ?s ?p ?o }", io.BytesIO(), dataset=mine,
                                       media_type="application/sparql-results+json")
            with pytest.raises(QueryTimedOut, match=r"did not answer within 2 s \(SHERLOC_STORE_TIMEOUT\)"):
                store.select("SELECT * WHERE { ?s ?p ?o }", dataset=mine)
            with pytest.raises(QueryTimedOut, match="SHERLOC_STORE_TIMEOUT"):
                store.graphs()
            with pytest.raises(StoreError, match=r"did not answer within 2 s \(SHERLOC_STORE_TIMEOUT\).*write may"):
                store.write([RecordWrite(graph, [], [])], replace_graphs=[graph])
            with pytest.raises(QueryTimedOut, match="SHERLOC_STORE_TIMEOUT"):
                list(store.dump_chunks([graph]))
        # six requests, each given up after its timeout: nowhere near a hang
        assert time.monotonic() - started < 60


def test_a_hung_server_is_a_503_on_the_endpoint_and_one_line_on_the_command_line(tmp_path: Path) -> None:
    import httpx

    from sherloc_kg.api.app import create_app
    from sherloc_kg.store.remote import RemoteStore
    from sherloc_kg.store.servers import OxigraphServer

    from .servers import serving

    with hung_server() as url:
        settings = Settings(store=url, query_timeout=1, tokens=tmp_path / "tokens.json")
        with RemoteStore(settings, server=OxigraphServer()) as store, \
                serving(create_app(settings, store)) as base, httpx.Client(base_url=base, timeout=60) as client:
            answer = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
            assert answer.status_code == 503, answer.text
            assert answer.headers["Retry-After"] and answer.json()["error"] == "QueryTimedOut"
            assert url in answer.json()["message"] and "SHERLOC_QUERY_TIMEOUT" in answer.json()["message"]
        done = sherloc(url, "stats", env={"SHERLOC_QUERY_TIMEOUT": "1"}, timeout=120)
        failed_cleanly(done, url, "did not answer", "SHERLOC_QUERY_TIMEOUT")
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr


# (g) queries a remote server once took for something else, or ran from every node ---------------

def test_a_query_whose_comments_name_an_update_is_sent_as_a_query(backend) -> None:  # noqa: F811
    """SPARQLWrapper guessed the form from the text with every other comment line left in: a
    named query whose description said "address" went out as an update ("ADD") and was refused."""
    from rdflib import Literal

    text = ("# title: contacts\n# description: their address, and what to insert or delete\n"
            "# note: drop nothing\nSELECT (1 AS ?one) WHERE {}\n")
    assert backend.select(text).rows == [{"one": Literal(1)}]


def test_a_bound_iri_anchors_a_path_and_stays_in_the_results(backend) -> None:  # noqa: F811
    """A bound variable is written in place inside the WHERE group (servers walked a property path
    from every node before joining a VALUES block), and still answers in the projection."""
    from rdflib import URIRef

    from sherloc_kg.store import Dataset, RecordWrite

    p, a, b, c = (URIRef(f"http://example.org/{n}") for n in ("p", "a", "b", "c"))
    graph = "http://example.org/graph/1"
    backend.write([RecordWrite(graph, [], [(a, p, b), (b, p, c)])])
    rows = backend.select("SELECT ?start ?end WHERE { ?end <http://example.org/p>* ?start } ORDER BY ?end",
                          bindings={"start": c}, dataset=Dataset(default=[graph], named=[graph])).rows
    assert rows == [{"start": c, "end": a}, {"start": c, "end": b}, {"start": c, "end": c}]
