"""api/security.py over real HTTP: the headers every response carries, the Content-Security-Policy
of HTML pages (and that our pages need nothing it forbids), the generic 500 and the body limits."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Tokens
from sherloc_kg.api import security
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving

SECRET_TEXT = "secret-marker-7f3a /srv/sherloc/internal/path.py"


@pytest.fixture(scope="module")
def served(settings: Settings, loaded_store: EmbeddedStore,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    token_file = Path(tmp_path_factory.mktemp("security")) / "tokens.json"
    admin = {"Authorization": "Bearer " + Tokens(token_file).create("admin", name="security test")}
    app = create_app(settings.with_(tokens=token_file), store=loaded_store)

    def boom() -> dict:  # a bug: an exception no handler answers, with a path and a "secret" in its text
        raise RuntimeError(f"failed reading {SECRET_TEXT}")

    app.add_api_route("/test-only/boom", boom, methods=["GET"])
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client, admin


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


ROUTES = [
    ("GET", "/", {"Accept": "text/html"}),
    ("GET", "/id/case/BRA001", {"Accept": "text/html"}),
    ("GET", "/id/case/BRA001.ttl", {}),
    ("GET", "/id/case/NO-SUCH-CASE", {"Accept": "text/html"}),
    ("GET", "/sparql", {"Accept": "text/html"}),
    ("GET", "/sparql?query=ASK%7B%7D", {}),
    ("GET", "/sparql?query=SELEC", {}),
    ("GET", "/api/search/cases?size=1", {}),
    ("GET", "/api/resource/id/case/NO-SUCH-CASE", {}),
    ("GET", "/dataset", {"Accept": "text/turtle"}),
    ("GET", "/rdf-graph-store?default", {}),
    ("HEAD", "/id/case/BRA001.nt", {}),
    ("OPTIONS", "/sparql", {"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}),
    ("GET", "/openapi.json", {}),
    ("GET", "/docs", {}),
    ("GET", "/explore/sparql/editor", {}),
    ("GET", "/favicon.ico", {}),
]


@pytest.mark.parametrize("method,path,headers", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_response_has_the_headers(served, method: str, path: str, headers: dict) -> None:
    client, _ = served
    response = client.request(method, path, headers=headers)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    if response.headers.get("content-type", "").startswith("text/html"):
        assert response.headers["x-frame-options"] == "DENY"
    else:
        assert policy["default-src"] == ["'none'"]


HTML_PAGES = ["/", "/id/case/BRA001", "/id/instrument/untoc/art/5", "/id/case/NO-SUCH-CASE", "/explore/no-such-page",
              "/graph/cases", "/ontology", "/shapes/cases", "/vocab/crime-type/trafficking-in-persons"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_get_a_strict_policy_and_need_nothing_it_forbids(served, path: str) -> None:
    client, _ = served
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code in (200, 404)
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    page = response.text
    # what the policy would block: inline script or style, event handlers, javascript: URLs, other origins
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", page, re.IGNORECASE), path
    for found in re.findall(r'<(?:link|img|iframe|embed|object)\b[^>]*\b(?:href|src)="([^"]+)"', page):
        assert found.startswith("/") and not found.startswith("//"), (path, found)


@pytest.mark.parametrize("path", ["/docs", "/explore/sparql/editor"])
def test_pages_styled_by_their_script_library_allow_inline_style_only(served, path: str) -> None:
    """Swagger UI and YASGUI set styles from script: those two pages allow inline style, and
    nothing else the strict policy forbids (no inline script, no other host)."""
    client, _ = served
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"] and policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"] and policy["frame-ancestors"] == ["'none'"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text, re.IGNORECASE)
    for src in re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', response.text):
        assert src.startswith("/") and not src.startswith("//"), src


def test_an_unexpected_exception_is_a_generic_500(served, caplog: pytest.LogCaptureFixture) -> None:
    client, _ = served
    with caplog.at_level(logging.ERROR, logger="sherloc_kg.api"):
        response = client.get("/test-only/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "InternalError" and re.fullmatch(r"[0-9a-f]{12}", body["reference"])
    text = response.text + str(response.headers)
    for leak in ("secret-marker", "/srv/", ".py", "RuntimeError", "Traceback", "boom", "line "):
        assert leak not in text, leak
    assert response.headers["x-content-type-options"] == "nosniff"
    # the trace is in the server's log, under the same reference
    logged = [r for r in caplog.records if body["reference"] in r.getMessage()]
    assert logged and logged[0].exc_info and "secret-marker" in str(logged[0].exc_info[1])


def test_a_query_body_over_its_limit_is_a_413(served) -> None:
    client, _ = served
    query = "ASK {}" + " " * security.QUERY_BODY_LIMIT
    response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "RequestTooLarge" and str(security.QUERY_BODY_LIMIT) in body["message"]
    assert response.headers["sherloc-limit"] == f"body={security.QUERY_BODY_LIMIT}"
    assert response.headers["x-content-type-options"] == "nosniff"
    # under the limit the same request is served
    ok = client.post("/sparql", content="ASK {}" + " " * 1000, headers={"Content-Type": "application/sparql-query",
                                                                      "Accept": "application/sparql-results+json"})
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_a_chunked_body_is_counted_as_it_arrives(served) -> None:
    client, _ = served

    def chunks() -> Iterator[bytes]:
        yield b"ASK {}"
        for _ in range(security.QUERY_BODY_LIMIT // 65536 + 2):
            yield b" " * 65536

    response = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and response.json()["error"] == "RequestTooLarge"


def test_graph_store_and_updates_take_up_to_16_mib(served) -> None:
    client, admin = served
    assert security.UPDATE_BODY_LIMIT == 16 * 1024 * 1024
    triple = b"<https://example.org/s> <https://example.org/p> \"%s\" .\n"
    small = b"".join(triple % str(i).encode() for i in range(40000))  # about 2 MiB: over the query limit
    assert security.QUERY_BODY_LIMIT < len(small) < security.UPDATE_BODY_LIMIT
    graph = "https://example.org/security-test-graph"
    put = client.put("/rdf-graph-store", params={"graph": graph}, content=small,
                     headers={**admin, "Content-Type": "application/n-triples"})
    assert put.status_code in (201, 204), put.text
    assert client.delete("/rdf-graph-store", params={"graph": graph}, headers=admin).status_code == 204
    big = b"#" * (security.UPDATE_BODY_LIMIT + 1)
    refused = client.put("/rdf-graph-store", params={"graph": graph}, content=big,
                         headers={**admin, "Content-Type": "application/n-triples"})
    assert refused.status_code == 413 and str(security.UPDATE_BODY_LIMIT) in refused.json()["message"]
    update = client.post("/sparql", content=big, headers={**admin, "Content-Type": "application/sparql-update"})
    assert update.status_code == 413
    # the limit holds before authentication: nobody makes the server read 16 MiB for a 401
    assert client.put("/rdf-graph-store", params={"graph": graph}, content=big,
                      headers={"Content-Type": "application/n-triples"}).status_code == 413


def test_the_limits_by_route() -> None:
    assert security.body_limit("GET", "/sparql", "") is None
    assert security.body_limit("POST", "/sparql", "application/sparql-query; charset=utf-8") == security.QUERY_BODY_LIMIT
    assert security.body_limit("POST", "/sparql", "application/x-www-form-urlencoded") == security.UPDATE_BODY_LIMIT
    assert security.body_limit("PUT", "/rdf-graph-store/x", "text/turtle") == security.UPDATE_BODY_LIMIT
    assert security.body_limit("POST", "/api/search/cases", "application/json") == security.OTHER_BODY_LIMIT
