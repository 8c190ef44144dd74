"""HEAD on every GET route (api/head.py): the GET's status and headers, an empty body, and HEAD in
every ``Allow`` that lists GET. Against the real application served by uvicorn over the bundled data."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from sherloc_kg.api.head import install as head_install

#: Headers that differ between any two answers (or that a HEAD may leave out, RFC 9110 §9.3.2).
PER_ANSWER = {"date", "transfer-encoding"}


@pytest.fixture(scope="module")
def client(explorer: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=explorer, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def a_case(client: httpx.Client) -> str:
    """The path of a case of the bundled data, as the search API finds it."""
    found = client.get("/api/search/cases", params={"size": 1}).json()
    iri = next(v for v in _strings(found) if "/id/case/" in v)
    return "/id/" + iri.split("/id/", 1)[1]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _comparable(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in PER_ANSWER}


@pytest.mark.parametrize(("path", "accept", "status"), [
    ("/", "text/html", 200),
    ("/dataset", "text/turtle", 200),
    ("/dataset", "text/html", 200),
    ("/dataset/dump.nq.gz", "*/*", 200),
    ("/sparql", "text/turtle", 200),
    ("/api/search/cases", "application/json", 200),
    ("/explore/instruments", "text/html", 200),
    ("/explore/countries", "text/html", 200),
    ("/static/explorer.css", "*/*", 200),
    ("/no/such/route", "application/json", 404),
    ("/id/case/no-such-case", "text/turtle", 404),
])
def test_head_is_get_without_body(client: httpx.Client, path: str, accept: str, status: int) -> None:
    got = client.get(path, headers={"Accept": accept})
    head = client.head(path, headers={"Accept": accept})
    assert got.status_code == status
    assert head.status_code == got.status_code
    assert head.content == b""
    assert _comparable(head) == _comparable(got)
    for name in ("content-type", "etag", "vary", "last-modified", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name)
    if "content-length" in got.headers:
        assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "text/html"])
def test_head_on_a_case(client: httpx.Client, a_case: str, accept: str) -> None:
    got = client.get(a_case, headers={"Accept": accept})
    head = client.head(a_case, headers={"Accept": accept})
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert _comparable(head) == _comparable(got)
    assert head.headers["content-type"] == got.headers["content-type"]


def test_head_does_not_stream_the_dump(client: httpx.Client) -> None:
    """The dump's HEAD answers with the GET's headers and no body, and the connection stays usable."""
    with client.stream("HEAD", "/dataset/dump.nq.gz") as head:
        assert head.status_code == 200
        assert head.read() == b""
        assert head.headers["content-type"] == "application/gzip"
    assert client.get("/dataset").status_code == 200


@pytest.mark.parametrize("path", ["/", "/dataset", "/api/search/cases", "/explore/instruments"])
def test_405_allows_head_where_get_is_allowed(client: httpx.Client, path: str) -> None:
    refused = client.request("DELETE", path)
    assert refused.status_code == 405
    allowed = [m.strip() for m in refused.headers["allow"].split(",")]
    assert "GET" in allowed and "HEAD" in allowed


def test_405_without_get_does_not_allow_head(client: httpx.Client) -> None:
    """A route that does not answer GET (publishing a review answer, POST only) is not offered HEAD."""
    refused = client.head("/api/review/submissions/1/publish")
    assert refused.status_code == 405
    assert refused.content == b""
    assert [m.strip() for m in refused.headers["allow"].split(",")] == ["POST"]


def test_a_streamed_answer_to_head_stops_at_its_first_chunk() -> None:
    """The body of a streamed GET (the dump) is not generated in full just to be dropped."""
    made: list[int] = []

    def chunks() -> Iterator[bytes]:
        for i in range(1000):
            made.append(i)
            yield b"x" * 100

    app = FastAPI()
    app.get("/stream")(lambda: StreamingResponse(chunks(), media_type="application/octet-stream"))
    head_install(app)
    transport = httpx.ASGITransport(app=app)

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as asgi:
            return await asgi.head("/stream"), await asgi.get("/stream")

    # a loop of its own, in a thread of its own: the session's browser (tests/browser.py, Playwright's
    # synchronous API) keeps an event loop running in the main thread, where asyncio.run refuses to start
    with ThreadPoolExecutor(max_workers=1) as thread:
        head, got = thread.submit(asyncio.run, ask()).result()
    assert head.status_code == got.status_code == 200
    assert head.content == b"" and len(got.content) == 100_000
    assert head.headers["content-type"] == got.headers["content-type"]
    assert len(made) == 1000 + 1  # the whole body for the GET, one chunk for the HEAD
