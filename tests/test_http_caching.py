"""HTTP caching (api/caching.py): strong ETags from the answer's bytes, Last-Modified from the
store's state, 304 to a matching If-None-Match or, without one, to an If-Modified-Since at or after
the Last-Modified (GET and HEAD), Cache-Control public for the public and private/no-store for a
caller with a token, Vary, no validator on errors or streams. Against the real application served
by uvicorn on a loopback port, over real in-memory Oxigraph stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sherloc_kg.api.app import create_app
from sherloc_kg.api.caching import (PRIVATE, PUBLIC, StoreState, cache_headers, http_date, last_modified, none_match,
                                    not_modified, parse_http_date, strong_etag)
from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving

#: One GET per route family: (path, Accept).
FAMILIES = [
    ("/id/instrument/untoc", "text/turtle"),
    ("/id/instrument/untoc", "application/ld+json"),
    ("/id/instrument/untoc", "text/html"),
    ("/id/instrument/untoc.ttl", "*/*"),
    ("/id/instrument/untoc.nt", "*/*"),
    ("/dataset", "text/turtle"),
    ("/dataset", "application/ld+json"),
    ("/api/queries/instruments", "application/sparql-results+json"),
    ("/api/queries/instruments", "text/csv"),
    ("/api/resource?iri=https://w3id.org/sherloc/id/instrument/untoc", "application/json"),
    ("/api/search/cases", "application/json"),
    ("/", "text/html"),
    ("/explore/instruments", "text/html"),
    ("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D", "application/sparql-results+json"),
]


@dataclass
class Served:
    url: str
    store: EmbeddedStore
    token: str
    settings: Settings

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120)


@pytest.fixture(scope="module")
def read_only(explorer: str) -> Iterator[httpx.Client]:
    """The session's explorer application (every example loaded): read only."""
    time.sleep(1.1)  # the store may have changed this very second, which gets no Last-Modified
    with httpx.Client(base_url=explorer, timeout=120) as client:
        yield client


@pytest.fixture
def writable(settings: Settings, store: EmbeddedStore, token_file: Path, admin_token: str) -> Iterator[Served]:
    """The application over a fresh store of its own (reference graphs), with an admin token."""
    configured = settings.with_(tokens=token_file)
    with serving(create_app(configured, store=store)) as url:
        yield Served(url, store, admin_token, configured)


def _fields(value: str | None) -> set[str]:
    return {f.strip().lower() for f in (value or "").split(",") if f.strip()}


@pytest.mark.parametrize(("path", "accept"), FAMILIES)
def test_get_revalidates(read_only: httpx.Client, path: str, accept: str) -> None:
    got = read_only.get(path, headers={"Accept": accept})
    assert got.status_code == 200, got.text
    etag = got.headers["etag"]
    assert etag == strong_etag(got.content)  # strong (no W/), the SHA-256 of exactly these bytes
    assert got.headers["cache-control"] == PUBLIC
    assert "authorization" in _fields(got.headers["vary"])
    modified = got.headers["last-modified"]
    assert parse_http_date(modified) is not None and http_date(parse_http_date(modified)) == modified

    again = read_only.get(path, headers={"Accept": accept, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag and again.headers["last-modified"] == modified
    assert again.headers["cache-control"] == got.headers["cache-control"]
    assert again.headers["vary"] == got.headers["vary"]

    since = read_only.get(path, headers={"Accept": accept, "If-Modified-Since": modified})
    assert since.status_code == 304 and since.content == b""
    assert since.headers["etag"] == etag and since.headers["last-modified"] == modified
    earlier = http_date(parse_http_date(modified) - timedelta(seconds=1))
    changed = read_only.get(path, headers={"Accept": accept, "If-Modified-Since": earlier})
    assert changed.status_code == 200 and changed.content == got.content
    head_since = read_only.head(path, headers={"Accept": accept, "If-Modified-Since": modified})
    assert head_since.status_code == 304 and head_since.headers["last-modified"] == modified

    other = read_only.get(path, headers={"Accept": accept, "If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.headers["etag"] == etag and other.content == got.content

    head = read_only.head(path, headers={"Accept": accept})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == etag and head.headers["cache-control"] == got.headers["cache-control"]
    head_revalidated = read_only.head(path, headers={"Accept": accept, "If-None-Match": etag})
    assert head_revalidated.status_code == 304 and head_revalidated.headers["etag"] == etag


def test_negotiated_documents_vary_on_accept(read_only: httpx.Client) -> None:
    turtle = read_only.get("/id/instrument/untoc", headers={"Accept": "text/turtle"})
    jsonld = read_only.get("/id/instrument/untoc", headers={"Accept": "application/ld+json"})
    assert turtle.headers["etag"] != jsonld.headers["etag"]
    assert {"accept", "authorization"} <= _fields(turtle.headers["vary"])
    # the Turtle's tag does not validate the JSON-LD
    assert read_only.get("/id/instrument/untoc", headers={"Accept": "application/ld+json",
                                                         "If-None-Match": turtle.headers["etag"]}).status_code == 200


def test_html_keeps_vary_host(read_only: httpx.Client) -> None:
    page = read_only.get("/explore/instruments")
    assert {"host", "authorization"} <= _fields(page.headers["vary"])
    again = read_only.get("/explore/instruments", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304 and _fields(again.headers["vary"]) == _fields(page.headers["vary"])


@pytest.mark.parametrize("header", ['"a", {etag}, "b"', "W/{etag}", "*", '"x"\t,W/{etag}'])
def test_if_none_match_lists_star_and_weak_comparison(read_only: httpx.Client, header: str) -> None:
    etag = read_only.get("/dataset").headers["etag"]
    answer = read_only.get("/dataset", headers={"If-None-Match": header.format(etag=etag)})
    assert answer.status_code == 304 and answer.headers["etag"] == etag and answer.content == b""


def test_none_match_rules() -> None:
    assert none_match('"abc"', '"abc"') and none_match('W/"abc"', '"abc"') and none_match(" * ", '"abc"')
    assert none_match('"x,y", "abc"', '"abc"')
    assert not none_match('"abcd"', '"abc"') and not none_match(None, '"abc"') and not none_match("", '"abc"')
    assert not none_match('abc', '"abc"')  # not an entity tag at all


@pytest.mark.parametrize(("path", "accept"), [("/id/case/no-such-case", "text/turtle"),
                                              ("/api/queries/no-such-query", "application/json"),
                                              ("/no/such/route", "application/json")])
def test_errors_have_no_etag_and_are_never_304(read_only: httpx.Client, path: str, accept: str) -> None:
    missing = read_only.get(path, headers={"Accept": accept})
    assert missing.status_code == 404
    assert "etag" not in missing.headers
    assert read_only.get(path, headers={"Accept": accept, "If-None-Match": "*"}).status_code == 404
    assert read_only.head(path, headers={"Accept": accept, "If-None-Match": "*"}).status_code == 404


@pytest.mark.parametrize("path", ["/dataset/dump.nq.gz", "/dataset/dump/instruments.nq", "/dataset/dump/instruments.ttl"])
def test_the_dumps_are_files_with_their_own_validators(read_only: httpx.Client, path: str) -> None:
    """A dump is sent whole with its size, its SHA-256 as ETag and the store's Last-Modified; a
    revalidation is decided on them before the file is read."""
    dump = read_only.get(path)
    assert dump.status_code == 200
    assert dump.headers["content-length"] == str(len(dump.content))
    assert dump.headers["etag"] == strong_etag(dump.content)
    assert dump.headers["cache-control"] == PUBLIC and "authorization" in _fields(dump.headers["vary"])
    for conditional in ({"If-None-Match": dump.headers["etag"]}, {"If-None-Match": "*"},
                        {"If-Modified-Since": dump.headers["last-modified"]}):
        again = read_only.get(path, headers=conditional)
        assert again.status_code == 304 and again.content == b"", conditional
        assert again.headers["etag"] == dump.headers["etag"]
    head = read_only.head(path, headers={"If-Modified-Since": dump.headers["last-modified"]})
    assert head.status_code == 304


@pytest.mark.parametrize(("path", "accept"), [("/dataset", "text/turtle"), ("/id/instrument/untoc", "text/turtle"),
                                              ("/api/search/cases", "application/json"),
                                              ("/api/queries/instruments", "text/csv"), ("/", "text/html")])
def test_an_authenticated_answer_is_private(writable: Served, path: str, accept: str) -> None:
    with writable.client() as client:
        answer = client.get(path, headers={"Accept": accept, "Authorization": f"Bearer {writable.token}"})
        assert answer.status_code == 200
        assert "no-store" in _fields(answer.headers["cache-control"])
        assert "private" in _fields(answer.headers["cache-control"])
        assert "public" not in _fields(answer.headers["cache-control"])
        assert "etag" not in answer.headers
        assert client.get(path, headers={"Accept": accept, "Authorization": f"Bearer {writable.token}",
                                         "If-None-Match": "*"}).status_code == 200
        head = client.head(path, headers={"Accept": accept, "Authorization": f"Bearer {writable.token}"})
        assert head.headers["cache-control"] == answer.headers["cache-control"]


def test_an_authenticated_dump_stays_private(writable: Served) -> None:
    with writable.client() as client, client.stream(
            "GET", "/dataset/dump.nq.gz", headers={"Authorization": f"Bearer {writable.token}"}) as dump:
        assert dump.status_code == 200
        assert dump.headers["cache-control"] == PRIVATE


def test_a_routes_own_cache_control() -> None:
    """A route's own ``no-store`` (the review form's answers, api/explorer/review.py; the dataset to a
    token) is never weakened and such an answer gets no ETag; a route's own public value is kept for
    the public only."""
    own = [(b"content-type", b"text/html"), (b"cache-control", b"no-store")]
    for credentials in (False, True):
        headers, tagged = cache_headers(list(own), credentials)
        assert [v for k, v in headers if k == b"cache-control"] == [b"no-store"] and not tagged
    public = [(b"cache-control", b"public, max-age=86400"), (b"vary", b"Accept")]
    headers, tagged = cache_headers(list(public), False)
    assert dict(headers) == {b"cache-control": b"public, max-age=86400", b"vary": b"Accept, Authorization"} and tagged
    headers, tagged = cache_headers(list(public), True)
    assert [v for k, v in headers if k == b"cache-control"] == [PRIVATE.encode()] and not tagged


def test_the_jsonld_context_keeps_its_own_max_age(read_only: httpx.Client) -> None:
    context = read_only.get("/context.jsonld")
    assert context.status_code == 200 and context.headers["cache-control"] == "public, max-age=86400"
    assert context.headers["etag"] == strong_etag(context.content)
    assert read_only.get("/context.jsonld", headers={"If-None-Match": context.headers["etag"]}).status_code == 304


@pytest.mark.parametrize(("path", "accept"), [("/id/instrument/untoc", "text/turtle"),
                                              ("/api/resource?iri=https://w3id.org/sherloc/id/instrument/untoc",
                                               "application/json"),
                                              ("/api/queries/dataset-statistics", "text/csv"),
                                              ("/dataset", "text/turtle")])
def test_a_write_changes_the_etag(writable: Served, path: str, accept: str) -> None:
    """After a write through the Graph Store (as admin), the old tag no longer validates."""
    iris = Iris(writable.settings.base)
    untoc = iris.instrument("untoc")
    with writable.client() as client:
        before = client.get(path, headers={"Accept": accept})
        assert before.status_code == 200
        assert client.get(path, headers={"Accept": accept, "If-None-Match": before.headers["etag"]}).status_code == 304
        written = client.post("/rdf-graph-store", params={"graph": str(iris.graph("instruments"))},
                              headers={"Authorization": f"Bearer {writable.token}", "Content-Type": "text/turtle"},
                              content=f'<{untoc}> <http://www.w3.org/2000/01/rdf-schema#comment> '
                                      f'"changed for the caching test" .\n'.encode())
        assert written.status_code in (200, 201, 204), written.text
        after = client.get(path, headers={"Accept": accept, "If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        assert after.headers["etag"] == strong_etag(after.content)


def test_if_none_match_takes_precedence_over_if_modified_since(read_only: httpx.Client) -> None:
    """RFC 9110 §13.2.2: If-Modified-Since is ignored when the request has an If-None-Match."""
    got = read_only.get("/id/instrument/untoc", headers={"Accept": "text/turtle"})
    etag, modified = got.headers["etag"], got.headers["last-modified"]
    long_ago = http_date(parse_http_date(modified) - timedelta(days=3650))
    assert read_only.get("/id/instrument/untoc", headers={"Accept": "text/turtle", "If-None-Match": '"other"',
                                                         "If-Modified-Since": modified}).status_code == 200
    assert read_only.get("/id/instrument/untoc", headers={"Accept": "text/turtle", "If-None-Match": etag,
                                                         "If-Modified-Since": long_ago}).status_code == 304


@pytest.mark.parametrize("value", ["yesterday", "", "Mon, 32 Dec 2026 99:00:00 GMT"])
def test_an_if_modified_since_that_is_no_date_is_ignored(read_only: httpx.Client, value: str) -> None:
    assert read_only.get("/dataset", headers={"If-Modified-Since": value}).status_code == 200


def test_two_if_modified_since_fields_are_ignored(read_only: httpx.Client) -> None:
    modified = read_only.get("/dataset").headers["last-modified"]
    answer = read_only.get("/dataset", headers=[("If-Modified-Since", modified), ("If-Modified-Since", modified)])
    assert answer.status_code == 200


def test_if_modified_since_is_for_get_and_head_only(read_only: httpx.Client) -> None:
    modified = read_only.get("/dataset").headers["last-modified"]
    answer = read_only.post("/sparql", content="ASK { ?s ?p ?o }", headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json",
        "If-Modified-Since": modified})
    assert answer.status_code == 200 and "last-modified" not in answer.headers


def test_an_error_has_no_last_modified(read_only: httpx.Client) -> None:
    missing = read_only.get("/id/case/no-such-case", headers={"If-Modified-Since": http_date(datetime.now(timezone.utc))})
    assert missing.status_code == 404 and "last-modified" not in missing.headers


def test_the_date_rules() -> None:
    now = datetime(2026, 12, 7, 10, 0, 5, 300_000, tzinfo=timezone.utc)
    release = datetime(2026, 1, 1, tzinfo=timezone.utc)
    changed = datetime(2026, 12, 7, 9, 0, 0, 900_000, tzinfo=timezone.utc)
    assert last_modified(StoreState(changed, changed, None), release, now) == changed.replace(microsecond=0)
    assert last_modified(StoreState(None, changed, None), release, now) is None  # unknown
    assert last_modified(StoreState(now, now, None), release, now) is None  # this very second
    later_release = datetime(2026, 12, 7, 9, 30, tzinfo=timezone.utc)
    assert last_modified(StoreState(changed, changed, None), later_release, now) == later_release
    assert not_modified(None, changed, None, changed.replace(microsecond=0))
    assert not not_modified(None, changed - timedelta(seconds=1), None, changed.replace(microsecond=0))
    assert not not_modified('"x"', changed, '"y"', changed)  # If-None-Match decides
    assert not not_modified('"x"', changed, None, changed)
    assert not not_modified(None, None, '"x"', changed)
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == parse_http_date("Sun Nov  6 08:49:37 1994") == \
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")


CASE = ('{"id": "TST-CACHE-001", "title": "A case loaded for the caching test", "country": "BRA", "year": 2015, '
        '"crime_types": ["trafficking-in-persons"]}\n')


def test_a_load_moves_the_last_modified(writable: Served) -> None:
    """A load through the API is a change the date shows: a client that kept the earlier answer
    gets the new one, and may revalidate it by its new date."""
    with writable.client() as client:
        before = client.get("/dataset", headers={"Accept": "text/turtle"})
        assert before.status_code == 200
        modified = before.headers["last-modified"]
        time.sleep(1.1)  # a change of the current second gets no date
        loaded = client.post("/api/records/cases", content=CASE.encode(), headers={
            "Authorization": f"Bearer {writable.token}", "Content-Type": "application/x-ndjson"})
        assert loaded.status_code == 200, loaded.text
        time.sleep(1.1)
        after = client.get("/dataset", headers={"Accept": "text/turtle", "If-Modified-Since": modified})
        assert after.status_code == 200
        assert parse_http_date(after.headers["last-modified"]) > parse_http_date(modified)
        again = client.get("/dataset", headers={"Accept": "text/turtle",
                                                "If-Modified-Since": after.headers["last-modified"]})
        assert again.status_code == 304
        # the same file again changes nothing: the date stays
        reloaded = client.post("/api/records/cases", content=CASE.encode(), headers={
            "Authorization": f"Bearer {writable.token}", "Content-Type": "application/x-ndjson"})
        assert reloaded.status_code == 200
        assert client.get("/dataset").headers["last-modified"] == after.headers["last-modified"]


def test_a_raw_write_leaves_no_date_until_the_next_load(writable: Served) -> None:
    """A Graph Store write records no time: until a load records one, answers carry no
    Last-Modified, so no If-Modified-Since is ever answered 304 on a date that missed the write."""
    iris = Iris(writable.settings.base)
    with writable.client() as client:
        modified = client.get("/id/instrument/untoc", headers={"Accept": "text/turtle"}).headers["last-modified"]
        written = client.post("/rdf-graph-store", params={"graph": str(iris.graph("instruments"))},
                              headers={"Authorization": f"Bearer {writable.token}", "Content-Type": "text/turtle"},
                              content=f'<{iris.instrument("untoc")}> <http://www.w3.org/2000/01/rdf-schema#comment> '
                                      '"a raw write" .\n'.encode())
        assert written.status_code in (200, 201, 204), written.text
        after = client.get("/id/instrument/untoc", headers={"Accept": "text/turtle", "If-Modified-Since": modified})
        assert after.status_code == 200 and "last-modified" not in after.headers
        assert "a raw write" in after.text
