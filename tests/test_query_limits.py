"""Bounded work on /sparql (issue 7), over real HTTP: runaway queries stopped by the timeout (their
worker process really gone, a fresh one answering next, other clients served meanwhile), the row,
triple and size caps refused by name, the query length, and the per-client concurrency limit.

Nothing here asserts a duration: the order of events is what is checked, and timeouts only bound
the waiting so that a broken build fails instead of hanging.
"""

from __future__ import annotations

import io
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from sherloc_kg.access import Tokens, is_restricted_graph
from sherloc_kg.iris import Iris
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import free_port, serving
from .test_cli import EXE
from .test_w3c_protocol import read_rdf, read_table

NQUADS = "application/n-quads"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DEEP_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?s (<http://example.org/p>|!<http://example.org/p>)* ?o }"
SIMPLE = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
BOUND = 120  # seconds: an upper bound on any wait, never an expectation


@pytest.fixture(scope="module")
def disk_store(loaded_store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The bundled data on disk, as `make run` serves it."""
    dump = io.BytesIO()
    loaded_store.dump(dump, media_type=NQUADS)
    store = EmbeddedStore(tmp_path_factory.mktemp("limits") / "store")
    store.restore(io.BytesIO(dump.getvalue()), media_type=NQUADS)
    yield store


@contextmanager
def site(settings, store, tmp_path, **limits) -> Iterator[tuple[httpx.Client, object, dict[str, dict[str, str]]]]:
    """An application over ``store`` with ``limits`` (Settings fields), served over HTTP; its
    query runner, and bearer headers for two editors and an admin."""
    configured = settings.with_(tokens=tmp_path / "tokens.json", **limits)
    tokens = Tokens(configured.tokens)
    bearer = {name: {"Authorization": f"Bearer {tokens.create(role)}"}
              for name, role in (("editor", "editor"), ("other editor", "editor"), ("admin", "admin"))}
    bearer["public"] = {}
    app = create_app(configured, store)
    runner = app.state.context.queries
    try:
        with serving(app) as base, httpx.Client(base_url=base, timeout=BOUND) as client:
            yield client, runner, bearer
    finally:
        runner.close()


def _get(client: httpx.Client, query: str, headers: dict[str, str] | None = None, **params: str) -> httpx.Response:
    return client.get("/sparql", params={"query": query, **params}, headers=headers or {})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


class Background:
    """One request in a thread of its own, with its own connection."""

    def __init__(self, base_url: str, query: str, headers: dict[str, str] | None = None) -> None:
        self.response: httpx.Response | None = None

        def run() -> None:
            with httpx.Client(base_url=base_url, timeout=BOUND) as own:
                self.response = _get(own, query, headers)

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def result(self) -> httpx.Response:
        self.thread.join(BOUND)
        assert self.response is not None, "the background request never answered"
        return self.response


# -- the timeout really stops the work --------------------------------------------------------
@pytest.mark.parametrize("runaway", [CARTESIAN, DEEP_PATH], ids=["cartesian", "deep-path"])
def test_a_runaway_query_is_killed_and_others_are_served_meanwhile(settings, disk_store, tmp_path, runaway) -> None:
    with site(settings, disk_store, tmp_path, query_timeout=2, query_workers=2) as (client, runner, _bearer):
        assert _get(client, SIMPLE).status_code == 200  # the workers are up
        assert _get(client, SIMPLE, _bearer["editor"]).status_code == 200  # its token checked once, remembered
        _until(lambda: len(runner.pool.pids()) == 2, "two workers ready")
        slow = Background(str(client.base_url), runaway)
        _until(lambda: len(runner.pool.busy_pids()) == 1, "the runaway query reached a worker")
        [runaway_pid] = runner.pool.busy_pids()

        # Another client (a token): one client holds at most its share of the workers (issue 24).
        quick = _get(client, SIMPLE, _bearer["editor"])
        assert quick.status_code == 200 and len(read_table(quick)[1]) == 1
        assert slow.response is None  # answered while the runaway was still running

        stopped = slow.result()
        assert stopped.status_code == 503, stopped.text
        assert stopped.json()["error"] == "QueryTimedOut" and stopped.json()["limit"] == "timeout=2"
        assert "SHERLOC_QUERY_TIMEOUT" in stopped.json()["message"]
        assert int(stopped.headers["retry-after"]) > 0 and stopped.headers["sherloc-limit"] == "timeout=2"
        assert not _alive(runaway_pid)  # the work really stopped: its process is gone

        _until(lambda: len(runner.pool.pids()) == 2, "a fresh worker in place of the killed one")
        assert runaway_pid not in runner.pool.pids()
        again = _get(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        # every triple, less the change feed's version logs, which are in no query's dataset (versions.py),
        # and the restricted graphs the public does not read (a store of public data has some: the
        # restricted graphs' licences and sources, in provenance-restricted, sherloc_kg/graph_catalogue.py)
        iris = Iris()
        logs = sum(disk_store.count(log) for log in iris.version_logs(disk_store.graphs()))
        restricted = sum(disk_store.count(g) for g in disk_store.graphs() if is_restricted_graph(iris, g))
        assert again.status_code == 200
        assert int(read_table(again)[1][0]["n"]) == disk_store.count() - logs - restricted > 0


def test_a_worker_sees_what_the_server_just_wrote(settings, tmp_path, reference_dump) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    graph = "https://w3id.org/sherloc/graph/cases"
    with site(settings, store, tmp_path, query_workers=1) as (client, runner, bearer):
        ask = f'ASK {{ GRAPH <{graph}> {{ ?s ?p "written just now" }} }}'
        assert _get(client, ask).json()["boolean"] is False
        update = f'INSERT DATA {{ GRAPH <{graph}> {{ <https://w3id.org/sherloc/id/case/X1> ' \
                 '<http://purl.org/dc/terms/title> "written just now" } }'
        done = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update",
                                                               **bearer["admin"]})
        assert done.status_code == 204, done.text
        assert _get(client, ask).json()["boolean"] is True
        assert runner.pool is not None


# -- caps: refused by name, never cut short ---------------------------------------------------
@pytest.fixture(params=["memory", "disk"])
def capped_store(request, loaded_store, disk_store):
    return loaded_store if request.param == "memory" else disk_store


def test_the_row_and_triple_caps_refuse_by_name(settings, capped_store, tmp_path) -> None:
    with site(settings, capped_store, tmp_path, query_max_rows=5) as (client, _runner, bearer):
        for accept in ("application/sparql-results+json", "text/csv", "text/tab-separated-values"):
            refused = _get(client, "SELECT * WHERE { ?s ?p ?o }", {"Accept": accept})
            assert refused.status_code == 422, refused.text
            assert refused.json() == {"error": "ResultTooLarge", "limit": "rows=5",
                                      "message": refused.json()["message"]}
            assert "5 rows" in refused.json()["message"] and "SHERLOC_QUERY_MAX_ROWS" in refused.json()["message"]
            assert refused.headers["sherloc-limit"] == "rows=5"
            fits = _get(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 5", {"Accept": accept})
            assert fits.status_code == 200 and len(read_table(fits)[1]) == 5
        graph = _get(client, "CONSTRUCT WHERE { ?s ?p ?o }", {"Accept": "text/turtle"})
        assert graph.status_code == 422 and graph.json()["limit"] == "triples=5"
        fits = _get(client, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5", {"Accept": "application/ld+json"})
        assert fits.status_code == 200 and len(read_rdf(fits)) == 5
        # Admin tokens are not capped.
        everything = _get(client, "SELECT * WHERE { ?s ?p ?o }", bearer["admin"])
        assert everything.status_code == 200 and len(read_table(everything)[1]) > 5


def test_the_size_cap_refuses_by_name(settings, capped_store, tmp_path) -> None:
    with site(settings, capped_store, tmp_path, query_max_bytes=2000) as (client, _runner, bearer):
        for query in ("SELECT * WHERE { ?s ?p ?o } LIMIT 1000", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1000"):
            refused = _get(client, query)
            assert refused.status_code == 422, refused.text
            assert refused.json()["limit"] == "bytes=2000" and refused.headers["sherloc-limit"] == "bytes=2000"
            assert "SHERLOC_QUERY_MAX_BYTES" in refused.json()["message"]
            assert _get(client, query, bearer["admin"]).status_code == 200
        small = _get(client, SIMPLE)
        assert small.status_code == 200 and len(small.content) <= 2000


# -- query length -----------------------------------------------------------------------------
def test_a_query_over_the_length_limit_is_413(settings, loaded_store, tmp_path) -> None:
    with site(settings, loaded_store, tmp_path, query_max_length=200) as (client, _runner, bearer):
        long_query = "SELECT * WHERE { ?s ?p ?o } " + "#" * 300
        for response in (_get(client, long_query),
                         client.post("/sparql", content=long_query,
                                     headers={"Content-Type": "application/sparql-query"}),
                         client.post("/sparql", data={"query": long_query})):
            assert response.status_code == 413, response.text
            assert response.json()["error"] == "QueryTooLong" and response.json()["limit"] == "length=200"
            message = response.json()["message"]
            assert "200 bytes" in message and "SHERLOC_QUERY_MAX_LENGTH" in message
        assert _get(client, SIMPLE).status_code == 200
        assert _get(client, long_query + " LIMIT 1", bearer["admin"]).status_code == 200
        huge = client.post("/sparql", content=b"#" * 200_000, headers={"Content-Type": "application/sparql-query"})
        assert huge.status_code == 413 and huge.json()["error"] == "QueryTooLong"  # refused unread


# -- concurrency per client -------------------------------------------------------------------
def test_one_client_over_its_concurrency_gets_429_while_another_is_served(settings, disk_store, tmp_path) -> None:
    with site(settings, disk_store, tmp_path, query_timeout=2, query_workers=2, query_concurrency=1) \
            as (client, runner, bearer):
        assert _get(client, SIMPLE).status_code == 200
        slow = Background(str(client.base_url), CARTESIAN, bearer["editor"])
        _until(lambda: len(runner.pool.busy_pids()) == 1, "the first query of the client is running")

        second = _get(client, SIMPLE, bearer["editor"])
        assert second.status_code == 429, second.text
        assert second.json()["error"] == "TooManyQueries" and second.json()["limit"] == "concurrency=1"
        assert int(second.headers["retry-after"]) > 0
        other = _get(client, SIMPLE, bearer["other editor"])
        assert other.status_code == 200
        anonymous = _get(client, SIMPLE)
        assert anonymous.status_code == 200
        assert slow.response is None  # all of that while the first query still ran

        assert slow.result().status_code == 503
        assert _get(client, SIMPLE, bearer["editor"]).status_code == 200  # its slot is free again


# -- the same, through `sherloc-kg serve` as `make run` starts it ----------------------------------
def _workers_of(parent: int) -> set[int]:
    """The query worker processes (spawned children) of process ``parent``, read from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8")
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.add(int(entry))
    return found


def test_sherloc_kg_serve_kills_a_runaway_worker(disk_store, tmp_path) -> None:
    store = tmp_path / "store"
    dump = io.BytesIO()
    disk_store.dump(dump, media_type=NQUADS)
    copy = EmbeddedStore(store)
    copy.restore(io.BytesIO(dump.getvalue()), media_type=NQUADS)
    copy.close()
    port = free_port()
    env = {**os.environ, "SHERLOC_QUERY_TIMEOUT": "2", "SHERLOC_QUERY_WORKERS": "2",
           "SHERLOC_TOKENS": str(tmp_path / "tokens.json")}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen([EXE, "--store", str(store), "serve", "--port", str(port)], stdout=sink,
                                  stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=BOUND) as client:
            def up() -> bool:
                assert server.poll() is None, log.read_text(errors="replace")
                try:
                    return _get(client, SIMPLE).status_code == 200
                except httpx.TransportError:
                    return False
            _until(up, "the server answers a query")
            _until(lambda: len(_workers_of(server.pid)) == 2, "two workers")
            before = _workers_of(server.pid)

            slow = Background(base, CARTESIAN)
            quick = _get(client, SIMPLE)
            assert quick.status_code == 200 and slow.response is None
            stopped = slow.result()
            assert stopped.status_code == 503 and stopped.headers["retry-after"], stopped.text

            _until(lambda: len(_workers_of(server.pid)) == 2 and _workers_of(server.pid) != before,
                   "a fresh worker in place of the killed one")
            [killed] = before - _workers_of(server.pid)
            assert not _alive(killed)
            assert _get(client, SIMPLE).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
