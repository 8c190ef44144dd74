"""Abuse suite, tokens and requests (issue 24, findings 5, 8 and 9): token checks that take the
same work for known and unknown ids, run a bounded number at a time, and are refused per address
after repeated failures; published agents that name no token id; bodies not read before the
caller is known; clients that go away mid-body logged as such, not as unexpected errors.

Each test serves its own application (the failure limit is per application and per address, so
no other test's requests count), over real HTTP on loopback, on the in-memory store with the
examples.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher

from sherloc_kg import access
from sherloc_kg.access import Tokens
from sherloc_kg.api import app as app_module
from sherloc_kg.api import security
from sherloc_kg.api.app import create_app, server_options
from sherloc_kg.api.security import AUTH_FAILURES
from sherloc_kg.config import Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import free_port, serving
from .test_review_submissions import answer, marker
from .test_search_api import examples_store

BASE = "https://w3id.org/sherloc/"
BOUND = 60  # seconds: an upper bound on any wait, never an expectation


class CountingHasher(PasswordHasher):
    """argon2 as it is, counting its verifications (the work a token check costs)."""

    def __init__(self) -> None:
        super().__init__()
        self.verified = 0
        self._count = threading.Lock()

    def verify(self, hash, password) -> bool:  # noqa: A002 - argon2's own parameter name
        with self._count:
            self.verified += 1
        return super().verify(hash, password)


def test_unknown_and_known_ids_cost_the_same_check(tmp_path: Path) -> None:
    tokens = Tokens(tmp_path / "tokens.json")
    real = tokens.create("official", country="XAA", name="timing")
    token_id = real.split("_")[1]
    tokens._hasher = counting = CountingHasher()
    forged_known = f"skg_{token_id}_{'x' * 43}"
    forged_unknown = f"skg_{'0' * 12}_{'x' * 43}"
    for forged in (forged_known, forged_unknown):
        before = counting.verified
        with pytest.raises(access.Unauthorized) as refused:
            tokens.caller(forged)
        assert counting.verified == before + 1, "an unknown id must cost the same verification as a known one"
        assert str(refused.value) == "the bearer token is unknown or revoked"
    tokens.revoke(token_id)
    before = counting.verified
    with pytest.raises(access.Unauthorized):
        tokens.caller(real)
    assert counting.verified == before + 1


def test_token_checks_run_a_bounded_number_at_a_time(tmp_path: Path) -> None:
    tokens = Tokens(tmp_path / "tokens.json")
    token_id = tokens.create("editor").split("_")[1]
    running, most = 0, 0
    lock = threading.Lock()

    class Watching(PasswordHasher):
        def verify(self, hash, password) -> bool:  # noqa: A002
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            try:
                return super().verify(hash, password)
            finally:
                with lock:
                    running -= 1

    tokens._hasher = Watching()

    def forge(index: int) -> None:
        with pytest.raises(access.Unauthorized):
            tokens.caller(f"skg_{token_id}_forged{index:037d}")

    threads = [threading.Thread(target=forge, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND)
    assert 1 <= most <= access.CONCURRENT_CHECKS


@pytest.fixture(scope="module")
def examples(settings: Settings) -> EmbeddedStore:
    return examples_store(settings)


@pytest.fixture
def site(settings: Settings, examples: EmbeddedStore, tmp_path: Path) -> Iterator[tuple[str, dict]]:
    """A fresh application (its own failure counts) over the examples: its URL and bearer headers."""
    token_file = tmp_path / "tokens.json"
    tokens = Tokens(token_file)
    bearer = {name: {"Authorization": "Bearer " + tokens.create(role, country=country, name=f"abuse {name}")}
              for name, role, country in (("submitter-XAA", "submitter", "XAA"), ("official-XAA", "official", "XAA"),
                                          ("admin", "admin", None))}
    with serving(create_app(settings.with_(tokens=token_file), store=examples)) as url:
        yield url, bearer


def test_failed_checks_from_one_address_are_refused_for_a_while(site: tuple[str, dict]) -> None:
    url, bearer = site
    forged = {"Authorization": "Bearer skg_000000000000_" + "x" * 43}
    with httpx.Client(base_url=url, timeout=BOUND) as client:
        statuses = [client.get("/api/stats", headers=forged).status_code for _ in range(AUTH_FAILURES)]
        assert statuses == [401] * AUTH_FAILURES
        refused = client.get("/api/stats", headers=forged)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0, refused.text
        assert refused.json()["limit"] == f"auth-failures={AUTH_FAILURES}"
        # Credentials of any kind wait too (no check runs); the public is served as ever.
        assert client.get("/api/stats", headers=bearer["admin"]).status_code == 429
        assert client.get("/api/stats").status_code == 200


def test_failed_checks_of_form_tokens_count_toward_the_same_limit(site: tuple[str, dict]) -> None:
    """The CSV upload form takes its token in the body, not a header: its failed checks count in the
    same per-address record, and past the limit the form and every credentialed request get 429."""
    url, bearer = site
    form = {"token": "skg_000000000000_" + "y" * 43, "report": "html"}
    upload = {"answers": ("a.csv", b"id\n", "text/csv")}
    with httpx.Client(base_url=url, timeout=BOUND) as client:
        statuses = [client.post("/explore/review/submit", data=form, files=upload).status_code
                    for _ in range(AUTH_FAILURES)]
        assert statuses == [401] * AUTH_FAILURES
        refused = client.post("/explore/review/submit", data=form, files=upload)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert refused.headers["sherloc-limit"] == f"auth-failures={AUTH_FAILURES}"
        assert "text/html" in refused.headers["content-type"] and "failed token checks" in refused.text
        # a right token in the form waits too (no check runs), and so does a header's
        good = {**form, "token": bearer["submitter-XAA"]["Authorization"].removeprefix("Bearer ")}
        assert client.post("/explore/review/submit", data=good, files=upload).status_code == 429
        assert client.get("/api/stats", headers=bearer["admin"]).status_code == 429
        assert client.get("/api/stats").status_code == 200


def test_published_agents_name_no_token_id(site: tuple[str, dict]) -> None:
    url, bearer = site
    ids = {headers["Authorization"].split("_")[1] for headers in bearer.values()}
    with httpx.Client(base_url=url, timeout=BOUND) as client:
        sent = client.post("/api/review/submissions", json=answer("XAA-agent-check", marker()),
                           headers=bearer["submitter-XAA"])
        assert sent.status_code == 201, sent.text[:500]
        published = client.post("/api/review/submissions/XAA-agent-check/publish", headers=bearer["official-XAA"])
        assert published.status_code == 200, published.text[:500]
        rows = client.get("/sparql", params={"query": (
            "SELECT DISTINCT ?agent WHERE { { ?v <http://www.w3.org/ns/prov#wasAttributedTo> ?agent } UNION "
            "{ ?v <https://w3id.org/sherloc/ontology#publishedBy> ?agent } }")},
            headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    agents = {row["agent"]["value"] for row in rows}
    assert len(agents) >= 2 and all(a.startswith(BASE + "id/agent/") for a in agents), agents
    assert not [a for a in agents for token_id in ids if token_id in a], agents


def _raw(url: str, head: str, body: bytes = b"") -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=BOUND)
    connection.sendall(head.encode("latin-1") + body)
    return connection


def test_a_bogus_token_is_refused_before_the_body_is_read(site: tuple[str, dict]) -> None:
    """The body is announced at 10 MiB and never sent: the 401 comes without waiting for it."""
    url, _ = site
    head = ("POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-update\r\n"
            "Authorization: Bearer skg_000000000000_" + "x" * 43 + "\r\n"
            f"Content-Length: {10 * 1024 * 1024}\r\n\r\n")
    connection = _raw(url, head, b"INSERT DATA { <a:b> <a:c> <a:d> }")
    try:
        answer_head = connection.recv(4096).decode("latin-1")
    finally:
        connection.close()
    assert answer_head.startswith("HTTP/1.1 401"), answer_head[:200]


def test_a_client_leaving_mid_body_is_not_an_unexpected_error(site: tuple[str, dict],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    url, bearer = site
    head = ("POST /api/review/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: {bearer['submitter-XAA']['Authorization']}\r\nContent-Length: 100000\r\n\r\n")
    with caplog.at_level(logging.INFO, logger="sherloc_kg.api"):
        _raw(url, head, b'{"answers": [').close()
        deadline = time.monotonic() + BOUND
        while "went away" not in caplog.text:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
    assert "unexpected error" not in caplog.text
    with httpx.Client(base_url=url, timeout=BOUND) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


AKN = b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'


@pytest.mark.parametrize(("shape", "document"), [
    ("deep", b'<?xml version="1.0"?>\n' + AKN + b"<act>" + b"<p>" * 20_000 + b"x" + b"</p>" * 20_000
     + b"</act></akomaNtoso>\n"),
    ("wide", b'<?xml version="1.0"?>\n' + AKN + b"<act><body>" + b"<article><num>1</num></article>\n" * 130_000
     + b"</body></act></akomaNtoso>\n"),
])
def test_xml_uploads_are_bounded_in_depth_and_size(site: tuple[str, dict], shape: str, document: bytes) -> None:
    url, bearer = site
    with httpx.Client(base_url=url, timeout=BOUND) as client:
        answer = client.post("/api/records/legislation", content=document, params={"filename": f"{shape}.xml"},
                             headers={"Content-Type": "application/xml", **bearer["admin"]})
        assert answer.status_code == 422, answer.text[:500]
        message = answer.json()["message"]
        assert message.startswith(f"{shape}.xml: element <") and "line" in message, message
        assert ("levels deep" if shape == "deep" else "at most 250000") in message
        rdf = (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               b'xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s">' + b"<e:p><rdf:Description>" * 5000
               + b"</rdf:Description></e:p>" * 5000 + b"</rdf:Description></rdf:RDF>")
        graph = client.put("/rdf-graph-store", params={"graph": "http://e/g"}, content=rdf,
                           headers={"Content-Type": "application/rdf+xml", **bearer["admin"]})
        assert graph.status_code == 422 and "levels deep" in graph.json()["message"], graph.text[:500]
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


# -- slow clients, hosts and forwarded headers ------------------------------------------------------
@contextmanager
def served_as_serve_does(app, settings: Settings) -> Iterator[str]:
    """``app`` under uvicorn with the options ``sherloc-kg serve`` passes (api/app.server_options)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           **server_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + BOUND
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _closed_within(connection: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``connection`` within ``seconds`` (reading whatever it sends)."""
    connection.settimeout(seconds)
    try:
        while connection.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def test_a_slow_request_head_is_cut_off(settings: Settings, examples: EmbeddedStore, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "HEAD_TIMEOUT", 1)
    app = create_app(settings.with_(tokens=tmp_path / "tokens.json"), store=examples)
    with served_as_serve_does(app, settings) as url:
        slow = _raw(url, "GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            assert _closed_within(slow, BOUND), "a connection without a whole head stayed open"
        finally:
            slow.close()
        with httpx.Client(base_url=url, timeout=BOUND) as client:  # whole requests still pass, kept alive
            for _ in range(2):
                assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_body_that_stops_is_answered_408(site: tuple[str, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "BODY_CHUNK_TIMEOUT", 1)
    url, bearer = site
    head = ("POST /api/review/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: {bearer['submitter-XAA']['Authorization']}\r\nContent-Length: 1000\r\n\r\n")
    connection = _raw(url, head, b'{"answers": [')
    try:
        connection.settimeout(BOUND)
        answer_head = connection.recv(4096).decode("latin-1")
    finally:
        connection.close()
    assert answer_head.startswith("HTTP/1.1 408"), answer_head[:300]


def test_forwarded_headers_are_believed_from_configured_proxies_only(settings: Settings, examples: EmbeddedStore,
                                                                     tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "Accept": "text/turtle"}
    app = create_app(settings.with_(tokens=tmp_path / "tokens.json"), store=examples)
    with served_as_serve_does(app, settings) as url, httpx.Client(base_url=url, timeout=BOUND) as client:
        described = client.get("/sparql", headers=forwarded)
    assert described.status_code == 200 and f"<{url}/sparql>" in described.text and "https://127" not in described.text
    trusting = settings.with_(trusted_proxies="127.0.0.1")
    app = create_app(trusting.with_(tokens=tmp_path / "tokens.json"), store=examples)
    with served_as_serve_does(app, trusting) as url, httpx.Client(base_url=url, timeout=BOUND) as client:
        described = client.get("/sparql", headers=forwarded)
    assert "<https://127.0.0.1:" in described.text, described.text[:500]


def test_pages_naming_the_host_vary_on_it_and_other_hosts_can_be_refused(settings: Settings, examples: EmbeddedStore,
                                                                         tmp_path: Path) -> None:
    app = create_app(settings.with_(tokens=tmp_path / "tokens.json"), store=examples)
    with serving(app) as url, httpx.Client(base_url=url, timeout=BOUND) as client:
        # the service description and the SPARQL editor (where a browser opening /sparql is sent)
        for path, accept in (("/explore/sparql/editor", "text/html"), ("/sparql", "text/turtle")):
            page = client.get(path, headers={"Host": "evil.example", "Accept": accept})
            assert page.status_code == 200 and "evil.example" in page.text
            assert "host" in [f.strip().lower() for f in page.headers["vary"].split(",")], page.headers
        assert "host" in client.get("/", headers={"Host": "evil.example"}).headers["vary"].lower()
    pinned = settings.with_(tokens=tmp_path / "tokens.json", allowed_hosts="127.0.0.1,sherloc.example")
    with serving(create_app(pinned, store=examples)) as url, httpx.Client(base_url=url, timeout=BOUND) as client:
        assert client.get("/sparql", headers={"Host": "evil.example"}).status_code == 400
        assert client.get("/sparql", headers={"Host": "sherloc.example"}).status_code == 200
        assert client.get("/sparql").status_code == 200
