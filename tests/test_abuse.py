"""Abuse suite (issue 24): hostile requests against a real ``sherloc-kg serve`` process, over real
HTTP on loopback, on the on-disk embedded store (queries in worker processes capped at 512 MiB)
and on a remote ``oxigraph serve`` holding the same data (the examples, with restricted CNA
contacts and the unpublished answers of Aurelia, XAA, and Borealis, XAB).

The server is a process of its own, so a crash shows as a dead process (and a test failure), not
as a dead test run. After every hostile request the server must still be up and answer a query.
What each test checks:

- crashes: brackets nested thousands deep (with and without a ``\\u`` escape in a PREFIX IRI,
  which once made the text pass for a non-query parsed in the server process), JSON and JSON-LD
  nested thousands deep to ``POST /api/review/submissions``: a 400, the server up;
- SERVICE in every spelling the engine reads (``SERVICESILENT<u>``, ``SERVICEex:x``, a comment
  between, any case): refused for the public and for officials, and a loopback listener standing
  for the other host receives no connection; on ``oxigraph serve`` a SERVICE to the store's own
  endpoint (which holds every graph) returns nothing restricted;
- parallel dump downloads: two clients looping on ``/dataset/dump.nq.gz``: every download whole,
  the server up;
- the existence oracle: publishing or reading another State's answer is answered as an unknown id
  is, and submitting under another State's id as under an unused id of its range.

Every hostile loop is bounded in count, every wait in time; no test asserts a duration except the
liveness bounds the issue asks for, with margin for a loaded two-core machine.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import pytest

from api.dataset import on_one_thread
from sherloc_kg.access import Tokens
from sherloc_kg.config import Settings
from sherloc_kg.reference import install_reference, load_examples
from sherloc_kg.sparql_text import dataset_clauses, has_relative_iri, nesting_depth, query_form, service_like
from sherloc_kg.store import open_store
from sherloc_kg.store.remote import RemoteStore

from api.limits import CLIENT_GONE, QueryRunner
from sherloc_kg.errors import QueryTimedOut
from sherloc_kg.query_worker import ClientGone

from .backends import oxigraph_server
from .servers import Served, serve_process, stop
from .test_leaks import AUTHORITY, BORIALIS_ANSWER, add_borealis, collect_secrets
from .test_review_submissions import answer as submission
from .test_review_submissions import marker

NQUADS = "application/n-quads"
BOUND = 120  # seconds: an upper bound on any wait, never an expectation
BACKENDS = ["embedded", "oxigraph"]
RUNAWAY_TIMEOUT = 90  # seconds: the query timeout of the workers' server, far beyond any wait below
DEEP = 5000  # brackets: Oxigraph's parser overflows its stack near 4,000 on an 8 MiB stack


@dataclass
class Site:
    backend: str
    url: str
    process: subprocess.Popen
    log: Path
    bearer: dict[str, dict[str, str]]
    secrets: set[str]
    store_url: str | None  # the oxigraph serve query endpoint, on that backend

    def client(self, timeout: float = BOUND) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def assert_up(self) -> None:
        """The server process lives and answers a small query."""
        assert self.process.poll() is None, f"the server died:\n{self.log.read_text(errors='replace')[-3000:]}"
        with self.client(timeout=30) as client:
            answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and answer.json()["boolean"] is True, answer.text[:500]


@pytest.fixture(scope="module")
def examples_dump(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, set[str]]:
    """The examples store (with Borealis's unpublished answer) as N-Quads, and its secrets."""
    store = open_store(settings)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    add_borealis(store, settings, Path(tmp_path_factory.mktemp("abuse-borealis")))
    secrets = collect_secrets(store).values
    dump = io.BytesIO()
    store.dump(dump, media_type=NQUADS)
    return dump.getvalue(), secrets


def _serve(folder: Path, store: str, tokens: Path, timeout: int) -> Served:
    """``sherloc-kg serve`` with two query workers of 512 MiB, ``timeout`` seconds a query."""
    return serve_process(folder, store, bound=BOUND, env={
        "SHERLOC_TOKENS": str(tokens), "SHERLOC_QUERY_WORKERS": "2", "SHERLOC_QUERY_WORKER_MEMORY": "512",
        "SHERLOC_QUERY_TIMEOUT": str(timeout), "SHERLOC_QUERY_CONCURRENCY": "4"})


@contextmanager
def _site(backend: str, settings: Settings, examples: tuple[bytes, set[str]], folder: Path,
          timeout: int = 20) -> Iterator[Site]:
    """``sherloc-kg serve`` over the examples on ``backend``, with tokens of each role."""
    dump, secrets = examples
    tokens_file = folder / "tokens.json"
    tokens = Tokens(tokens_file)
    bearer: dict[str, dict[str, str]] = {"public": {}}
    for name, role, country in (("official", "official", None), ("official-XAA", "official", "XAA"),
                                ("official-XAB", "official", "XAB"), ("submitter-XAA", "submitter", "XAA")):
        bearer[name] = {"Authorization": "Bearer " + tokens.create(role, country=country, name=f"abuse {name}")}
    if backend == "embedded":
        location = folder / "store"
        store = open_store(settings.with_(store=str(location)))
        store.restore(io.BytesIO(dump), media_type=NQUADS)
        store.close()
        served = _serve(folder, str(location), tokens_file, timeout)
        try:
            yield Site("embedded", served.url, served.process, served.log, bearer, secrets, None)
        finally:
            stop(served.process)
        return
    with oxigraph_server(folder) as remote:
        loader = RemoteStore(remote)
        loader.restore(io.BytesIO(dump), media_type=NQUADS)
        loader.close()
        served = _serve(folder, remote.store, tokens_file, timeout)
        try:
            yield Site("oxigraph", served.url, served.process, served.log, bearer, secrets, remote.store)
        finally:
            stop(served.process)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request: pytest.FixtureRequest, settings: Settings, examples_dump: tuple[bytes, set[str]],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with _site(request.param, settings, examples_dump, Path(tmp_path_factory.mktemp(f"abuse-{request.param}"))) as up:
        yield up


@pytest.fixture(scope="module")
def embedded_site(settings: Settings, examples_dump: tuple[bytes, set[str]],
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The on-disk embedded store only: its queries run in our worker processes (on a remote
    store they run in the remote server, under that server's own limits)."""
    with _site("embedded", settings, examples_dump, Path(tmp_path_factory.mktemp("abuse-workers")),
               timeout=RUNAWAY_TIMEOUT) as up:
        yield up


def _leaked(site: Site, response: httpx.Response, sent: str) -> list[str]:
    text = response.text
    return sorted(s for s in site.secrets if s in text and s not in sent)


# -- crashes ------------------------------------------------------------------------------------
NESTED = "SELECT * WHERE { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }"
CRASHES = {
    "nested-parentheses": NESTED,
    "nested-parentheses-after-an-escaped-prefix": "PREFIX ex: <http://example.org/\\u0041>\n" + NESTED,
    "nested-braces": "SELECT * WHERE " + "{" * DEEP + "}" * DEEP,
    "nested-blank-nodes": "SELECT * WHERE { ?s a " + "[a" * DEEP + "1" + "]" * DEEP + " }",
    "escaped-keyword-no-form": "PREFIX ex: <http://example.org/\\u0041>\nASK " + "{" * DEEP + "}" * DEEP,
}


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_deeply_nested_queries_are_refused_and_the_server_stays_up(site: Site, name: str) -> None:
    with site.client() as client:
        for via in ("get", "post"):
            if via == "get":
                answer = client.get("/sparql", params={"query": CRASHES[name]})
            else:
                answer = client.post("/sparql", content=CRASHES[name],
                                     headers={"Content-Type": "application/sparql-query"})
            assert answer.status_code == 400, answer.text[:300]
            assert answer.json()["limit"].startswith("nesting="), answer.text[:300]
    site.assert_up()


def test_an_escape_in_a_prefix_iri_does_not_change_how_the_query_is_read(site: Site) -> None:
    """``\\u`` escapes in IRIs are read as the engine reads them: the text is still a query, and
    a FROM written with one names the graph it means (once silently ignored: a wrong answer)."""
    query = ("PREFIX ex: <http://example.org/\\u0041>\n"
             "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/sherloc/graph/instrum\\u0065nts> WHERE { ?s ?p ?o }")
    plain = query.replace("instrum\\u0065nts", "instruments")
    with site.client() as client:
        counts = []
        for text in (query, plain):
            answer = client.get("/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 200, answer.text[:300]
            counts.append(int(answer.json()["results"]["bindings"][0]["n"]["value"]))
    assert counts[0] == counts[1] > 0


def _nested_json(levels: int) -> bytes:
    return (b'{"a":' * levels) + b"1" + (b"}" * levels)


@pytest.mark.parametrize("media_type", ["application/ld+json", "application/json"])
def test_deeply_nested_submissions_are_refused_and_the_server_stays_up(site: Site, media_type: str) -> None:
    with site.client() as client:
        for levels in (8000, 40):
            answer = client.post("/api/review/submissions", content=_nested_json(levels),
                                 headers={"Content-Type": media_type, **site.bearer["submitter-XAA"]})
            assert answer.status_code == 400, answer.text[:300]
            assert "levels deep" in answer.json()["message"]
    site.assert_up()


# -- SERVICE --------------------------------------------------------------------------------------
class Listener:
    """A loopback TCP listener standing for another host: counts the connections it receives."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


SERVICE_SPELLINGS = {
    "plain": "SELECT * WHERE { SERVICE <$U> { ?s ?p ?o } }",
    "lower-case": "select * where { service <$U> { ?s ?p ?o } }",
    "mixed-case-silent": "SELECT * WHERE { SeRvIcE SILENT <$U> { ?s ?p ?o } }",
    "glued-silent": "SELECT * WHERE { SERVICESILENT<$U> { ?s ?p ?o } }",
    "glued-prefixed-name": "PREFIX ex: <$U>\nSELECT * WHERE { SERVICEex:x { ?s ?p ?o } }",
    "glued-empty-prefix": "PREFIX : <$U>\nSELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "comment-between": "SELECT * WHERE { SERVICE#}\n<$U> { ?s ?p ?o } }",
    "escaped-iri": "SELECT * WHERE { SERVICE <$E> { ?s ?p ?o } }",
    "in-a-subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE <$U> { ?s ?p ?o } } } }",
    "optional-glued": "SELECT * WHERE { ?a ?b ?c OPTIONAL{SERVICE<$U>{?s ?p ?o}} } LIMIT 1",
    "ask": "ASK { SERVICE <$U> { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICESILENT <$U> { ?s ?p ?o } }",
}


def _spelled(template: str, url: str) -> str:
    escaped = url.replace("http", "\\u0068ttp", 1)
    return template.replace("$U", url).replace("$E", escaped)


@pytest.mark.parametrize("spelling", sorted(SERVICE_SPELLINGS))
def test_no_service_spelling_reaches_another_host(site: Site, listener: Listener, spelling: str) -> None:
    target = f"http://127.0.0.1:{listener.port}/sparql"
    query = _spelled(SERVICE_SPELLINGS[spelling], target)
    with site.client() as client:
        for role in ("public", "official", "official-XAA"):
            answer = client.get("/sparql", params={"query": query}, headers=site.bearer[role])
            assert answer.status_code == 403, (role, answer.text[:300])
            assert "SERVICE" in answer.json()["message"]
    assert listener.connections == 0
    site.assert_up()


def test_service_to_the_stores_own_endpoint_returns_nothing_restricted(site: Site) -> None:
    """On ``oxigraph serve`` the store's own endpoint holds every graph, restricted ones included:
    a SERVICE there would read them. Every spelling is refused before it gets there."""
    target = site.store_url or f"{site.url}/sparql"
    with site.client() as client:
        for spelling, template in sorted(SERVICE_SPELLINGS.items()):
            inner = template.replace("?s ?p ?o", f"GRAPH ?g {{ <{AUTHORITY}> ?p ?o }}")
            query = _spelled(inner, target)
            for role in ("public", "official-XAB"):
                answer = client.get("/sparql", params={"query": query}, headers=site.bearer[role])
                assert answer.status_code == 403, (spelling, role, answer.text[:300])
                assert not _leaked(site, answer, query), (spelling, role)


def test_words_holding_service_in_strings_iris_and_variables_still_run(site: Site) -> None:
    query = ('SELECT ?service WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?service) '
             "?s <http://example.org/SERVICE> ?o } # SERVICE <http://127.0.0.1:9/>")
    with site.client() as client:
        answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text[:300]


# -- dumps -----------------------------------------------------------------------------------------
def test_parallel_dump_downloads_keep_the_server_up(site: Site) -> None:
    """Three clients (the public and two officials, whose dumps span more than one chunk of the
    store's iterator) download the dump six times each, at the same time."""
    sizes: dict[str, list[int]] = {}
    failures: list[str] = []

    def download(role: str, rounds: int) -> None:
        with site.client() as client:
            for _ in range(rounds):
                try:
                    with client.stream("GET", "/dataset/dump.nq.gz", headers=site.bearer[role]) as response:
                        if response.status_code != 200:
                            failures.append(f"{role}: status {response.status_code}")
                            return
                        body = b"".join(response.iter_bytes())
                    sizes.setdefault(role, []).append(len(gzip.decompress(body)))
                except (httpx.HTTPError, OSError, EOFError) as error:
                    failures.append(f"{role}: {error!r}")
                    return

    threads = [threading.Thread(target=download, args=(role, 6)) for role in ("public", "official", "official-XAA")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND)
    assert not failures, failures
    assert all(len(found) == 6 and len(set(found)) == 1 and found[0] > 0 for found in sizes.values()), sizes
    assert sizes["official"][0] > sizes["public"][0]
    site.assert_up()


def test_a_dump_is_read_on_one_thread_whatever_thread_pulls_it(settings: Settings,
                                                              examples_dump: tuple[bytes, set[str]]) -> None:
    """The store's iterator may not cross threads (pyoxigraph panics); the response pulls chunks
    from the thread pool. Three dumps in small chunks pulled at once all come whole."""
    store = open_store(settings)
    store.restore(io.BytesIO(examples_dump[0]), media_type=NQUADS)
    graphs = store.graphs()
    expected = b"".join(store.dump_chunks(graphs))

    async def read_all() -> list[bytes]:
        results: list[bytes] = [b"", b"", b""]

        async def one(index: int) -> None:
            async for chunk in on_one_thread(lambda: store.dump_chunks(graphs, chunk_size=50)):
                results[index] += chunk

        async with anyio.create_task_group() as group:
            for index in range(3):
                group.start_soon(one, index)
        return results

    assert anyio.run(read_all) == [expected] * 3


def test_a_dump_abandoned_midway_leaves_the_server_serving(site: Site) -> None:
    for _ in range(3):
        with site.client() as client, client.stream("GET", "/dataset/dump.nq.gz") as response:
            assert response.status_code == 200
            next(response.iter_raw(1024))
    site.assert_up()
    with site.client() as client:
        whole = client.get("/dataset/dump.nq.gz")
    assert whole.status_code == 200 and gzip.decompress(whole.content)


# -- the existence oracle -----------------------------------------------------------------------
def test_another_states_answer_is_refused_as_an_unknown_one(site: Site) -> None:
    answer_id = BORIALIS_ANSWER.rsplit("/", 1)[1]
    with site.client() as client:
        theirs = client.post(f"/api/review/submissions/{answer_id}/publish", headers=site.bearer["official-XAA"])
        unknown = client.post("/api/review/submissions/XAB-no-such-answer/publish",
                              headers=site.bearer["official-XAA"])
        read = client.get(f"/api/review/submissions/{answer_id}", headers=site.bearer["official-XAA"])
        read_unknown = client.get("/api/review/submissions/XAB-no-such-answer", headers=site.bearer["official-XAA"])
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["message"].replace(answer_id, "ID") == unknown.json()["message"].replace("XAB-no-such-answer",
                                                                                                  "ID")
    assert "XAB" not in theirs.json()["message"].replace(answer_id, "")
    assert read.status_code == read_unknown.status_code == 404
    assert read.json()["message"].replace(answer_id, "ID") == read_unknown.json()["message"].replace(
        "XAB-no-such-answer", "ID")
    assert json.dumps(theirs.json()).count("Borealis") == 0


def test_submitting_another_states_id_is_refused_as_an_unused_one(site: Site) -> None:
    """An id of another State's range is refused with the same status and words whether an answer
    holds it (Borealis's, XAB) or not, whatever State the answer claims; nothing is stored."""
    taken, unused = BORIALIS_ANSWER.rsplit("/", 1)[1], "XAB-review-no-such-answer"
    answers = []
    with site.client() as client:
        for country in ("XAA", "XAB"):
            for answer_id in (taken, unused):
                body = submission(answer_id, marker(), country=country)
                answers.append((answer_id, client.post("/api/review/submissions", json=body,
                                                       headers=site.bearer["submitter-XAA"])))
        still = client.get(f"/api/review/submissions/{unused}", headers=site.bearer["official-XAB"])
    for country in (0, 2):
        (first, theirs), (second, none) = answers[country], answers[country + 1]
        assert theirs.status_code == none.status_code == 403, theirs.text
        assert theirs.json()["message"].replace(first, "ID") == none.json()["message"].replace(second, "ID")
        assert "Borealis" not in theirs.text and not _leaked(site, theirs, first)
    assert still.status_code == 404
    site.assert_up()


def test_review_listings_read_through_the_bounded_store_as_the_store(site: Site) -> None:
    """The review routes read through the bounded store (on the on-disk store, in the workers):
    each State's official lists its own unpublished answers and not another State's."""
    borealis = BORIALIS_ANSWER.rsplit("/", 1)[1]
    with site.client() as client:
        theirs = client.get("/api/review/submissions", params={"country": "XAB"}, headers=site.bearer["official-XAB"])
        ours = client.get("/api/review/submissions", params={"country": "XAB"}, headers=site.bearer["official-XAA"])
        one = client.get(f"/api/review/submissions/{borealis}", headers=site.bearer["official-XAB"])
    assert theirs.status_code == ours.status_code == one.status_code == 200, theirs.text[:300]
    assert borealis in {a["id"] for a in theirs.json()["answers"]}
    assert borealis not in ours.text and not _leaked(site, ours, "")
    assert one.json()["answer"]["id"] == borealis


# -- memory and fairness (the embedded store: its queries run in our workers) -------------------
HEAVY = ("SELECT ?c ?f ?i WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1")


def _workers_of(parent: int) -> set[int]:
    """The query worker processes (multiprocessing spawn children) of the server process."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.add(int(entry))
    return found


def _address_space_limit(pid: int) -> str:
    try:
        lines = Path(f"/proc/{pid}/limits").read_text().splitlines()
    except OSError:
        return "gone"
    for line in lines:
        if line.startswith("Max address space"):
            return line.split()[3]
    raise AssertionError("no address space line")


def test_workers_have_a_memory_limit_and_a_heavy_query_ends_only_its_worker(embedded_site: Site) -> None:
    site = embedded_site
    site.assert_up()
    capped = str(512 * 1024 * 1024)
    deadline = time.monotonic() + BOUND  # a worker sets its limit first thing once started: wait for both
    while True:
        workers = _workers_of(site.process.pid)
        limits = {pid: _address_space_limit(pid) for pid in workers}
        if len(workers) == 2 and set(limits.values()) == {capped}:
            break
        assert time.monotonic() < deadline, limits
        time.sleep(0.1)
    with site.client() as client:
        answer = client.get("/sparql", params={"query": HEAVY})
    assert answer.status_code == 503, answer.text[:300]
    assert answer.json()["error"] in ("QueryOutOfMemory", "QueryTimedOut") and answer.headers["retry-after"]
    site.assert_up()


def test_one_clients_heavy_queries_leave_a_worker_for_another_client(embedded_site: Site) -> None:
    site = embedded_site
    site.assert_up()
    heavy: list[httpx.Response] = []
    heavy_ended: list[float] = []  # time.monotonic() when a heavy query's answer came

    def hog() -> None:
        with site.client() as client:
            heavy.append(client.get("/sparql", params={"query": HEAVY}))
            heavy_ended.append(time.monotonic())

    with site.client() as client:  # the official's token checked once (argon2), then remembered
        assert client.get("/sparql", params={"query": "ASK {}"}, headers=site.bearer["official"]).status_code == 200
    hogs = [threading.Thread(target=hog) for _ in range(3)]
    for thread in hogs:
        thread.start()
    try:
        time.sleep(1)  # let the heavy queries take what they can
        asked: list[tuple[float, float]] = []
        with site.client() as client:
            for _ in range(3):
                started = time.monotonic()
                answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                    headers={"Accept": "application/sparql-results+json", **site.bearer["official"]})
                asked.append((started, time.monotonic()))
                assert answer.status_code == 200 and answer.json()["boolean"] is True, answer.text[:300]
    finally:
        for thread in hogs:
            thread.join(BOUND)
    # Order, not durations: had the official to wait for a worker, a heavy query would have ended
    # while each of its requests was open (they run to the time or memory limit; an ASK is at once).
    waited = [any(started < ended < answered for ended in heavy_ended) for started, answered in asked]
    assert not all(waited), f"each of the other client's ASKs waited for a heavy query to end: {asked}, {heavy_ended}"
    assert len(heavy) == 3 and all(r.status_code in (503, 429) for r in heavy), [r.text[:200] for r in heavy]
    site.assert_up()


# -- cancellation ----------------------------------------------------------------------------------
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # streams: little memory


def _replaced(site: Site, before: set[int], within: float) -> set[int]:
    """The workers of ``before`` that are gone, waiting at most ``within`` seconds for one."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        gone = before - _workers_of(site.process.pid)
        if gone:
            return gone
        time.sleep(0.1)
    return set()


def test_a_client_that_goes_away_stops_its_query(embedded_site: Site) -> None:
    """The client gives up after a second; its query, which would run for the whole timeout
    (RUNAWAY_TIMEOUT), is stopped within a third of it: its worker is killed and replaced."""
    site = embedded_site
    site.assert_up()
    deadline = time.monotonic() + BOUND
    while len(_workers_of(site.process.pid)) < 2:
        assert time.monotonic() < deadline, "two workers never came up"
        time.sleep(0.1)
    before = _workers_of(site.process.pid)
    with pytest.raises(httpx.ReadTimeout), site.client(timeout=1) as client:
        client.get("/sparql", params={"query": ENDLESS}, headers=site.bearer["official"])
    assert _replaced(site, before, RUNAWAY_TIMEOUT / 3), "the abandoned query ran on"
    site.assert_up()


def test_search_runs_in_the_workers_within_the_timeout(settings: Settings, examples_dump: tuple[bytes, set[str]],
                                                       tmp_path: Path) -> None:
    """What search and the resource pages read through (api/limits.BoundedStore): the fixed
    queries run in the workers, within one deadline for the request, stopped at once when the
    client goes; their answers are the store's own."""
    location = tmp_path / "store"
    store = open_store(settings.with_(store=str(location)))
    store.restore(io.BytesIO(examples_dump[0]), media_type=NQUADS)
    runner = QueryRunner(settings.with_(query_timeout=RUNAWAY_TIMEOUT, query_workers=2, query_worker_memory=512),
                         store)
    try:
        bounded = runner.bounded("address 127.0.0.1")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert bounded.select(count).rows == store.select(count).rows
        assert bounded.ask("ASK { ?s ?p ?o }") is True
        gone = threading.Event()
        threading.Timer(1, gone.set).start()
        token = CLIENT_GONE.set(gone)
        try:
            with pytest.raises(ClientGone):
                bounded.select(ENDLESS)
        finally:
            CLIENT_GONE.reset(token)
        short = QueryRunner(settings.with_(query_timeout=1, query_workers=1, query_worker_memory=512), store)
        try:
            with pytest.raises(QueryTimedOut):
                short.bounded("address 127.0.0.1").select(ENDLESS)
        finally:
            short.close()
        assert bounded.select(count).rows == store.select(count).rows  # a fresh worker answers
    finally:
        runner.close()
        store.close()


def test_search_on_the_workers_answers_as_the_store(embedded_site: Site) -> None:
    with embedded_site.client() as client:
        public = client.get("/api/search/authorities")
        official = client.get("/api/search/authorities", headers=embedded_site.bearer["official"])
    assert public.status_code == official.status_code == 200, public.text[:300]
    assert public.json()["total"] > 0
    assert not _leaked(embedded_site, public, "")
    with embedded_site.client() as client:
        page = client.get("/api/resource", params={"iri": AUTHORITY})
        restricted = client.get("/api/resource", params={"iri": AUTHORITY}, headers=embedded_site.bearer["official"])
    assert page.status_code == restricted.status_code == 200, page.text[:300]
    assert not _leaked(embedded_site, page, AUTHORITY)
    assert _leaked(embedded_site, restricted, AUTHORITY), "an official reads the contact details"


# -- the lexer's part: what the engine would read --------------------------------------------------
@pytest.mark.parametrize("text", [_spelled(t, "http://127.0.0.1:9/") for t in SERVICE_SPELLINGS.values()]
                         + ["SELECT * { SERVICE_x:y {} }", "SELECT * { ?s ?p ?o . service:x ?p ?o }"])
def test_every_service_like_token_is_seen(text: str) -> None:
    assert service_like(text)


@pytest.mark.parametrize("text", [
    'SELECT ?service { ?service <http://e/SERVICE> "SERVICE <http://x/>" } # SERVICE <http://x/>',
    "SELECT * { ?s <http://e/\\u0053ERVICE> 'SERVICE' }",
    'SELECT * { ?s ?p """SERVICE\n<http://x/>""" }',
])
def test_service_in_strings_iris_comments_and_variables_is_not_a_keyword(text: str) -> None:
    assert not service_like(text)


def test_escaped_iris_are_read_as_the_engine_reads_them() -> None:
    text = "PREFIX ex: <http://example.org/\\u0041>\nSELECT * FROM <http://e/g\\u0031> FROM NAMED ex:b WHERE {}"
    assert query_form(text) == "SELECT"
    assert dataset_clauses(text) == (["http://e/g1"], ["http://example.org/Ab"])
    assert not has_relative_iri("SELECT * { <\\u0068ttp://e/x> ?p ?o }")


def test_nesting_depth_counts_brackets_outside_strings_and_comments() -> None:
    assert nesting_depth("SELECT * { FILTER((1)) ?s ?p [ ?q ?o ] }") == 3
    assert nesting_depth('SELECT * { ?s ?p "((((((" } # ((((((((') == 1
    assert nesting_depth("(" * 100_000) == 100_000  # no recursion: any depth is read


@pytest.mark.parametrize("update", ["LOAD <$U>", "LOADSILENT<$U>", "load silent <$U> INTO GRAPH <http://e/g>",
                                    "PREFIX ex: <$U>\nLOADex:x"])
def test_load_is_refused_even_for_an_admin_and_reaches_no_host(settings: Settings, examples_dump, tmp_path: Path,
                                                               listener: Listener, update: str) -> None:
    from sherloc_kg.api.app import create_app

    from .servers import serving

    store = open_store(settings)
    tokens = Tokens(tmp_path / "tokens.json")
    admin = {"Authorization": "Bearer " + tokens.create("admin", name="abuse admin")}
    text = update.replace("$U", f"http://127.0.0.1:{listener.port}/data.rdf")
    with serving(create_app(settings.with_(tokens=tmp_path / "tokens.json"), store=store)) as url, \
            httpx.Client(base_url=url, timeout=BOUND) as client:
        answer = client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-update", **admin})
    assert answer.status_code == 403 and "LOAD" in answer.json()["message"], answer.text[:300]
    assert listener.connections == 0


# -- the in-memory store: for tests and demonstrations only ---------------------------------------
def test_serving_the_in_memory_store_warns_that_it_is_not_for_the_public(tmp_path: Path) -> None:
    """No worker process can share a store in memory, so its queries run in the server without a
    timeout: ``serve`` says so, and what a public deployment must use instead."""
    served = serve_process(tmp_path, "memory", bound=BOUND)
    stop(served.process)
    text = " ".join(served.log.read_text(errors="replace").split())
    assert ("warning: the in-memory store is for tests and demonstrations: its queries run in the server process, "
            "without a timeout; a public deployment must use the on-disk store (--store DIR) or a remote SPARQL "
            "server (--store URL)") in text
