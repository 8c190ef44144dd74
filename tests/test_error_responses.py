"""Every error answer is built in one place (api/errors.py) from the exception: its status, its
headers and its body come from the error class (issue 23, item 7); a failure that is not the
caller's is answered generically, with a reference and none of its words."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from starlette.requests import Request

from sherloc_kg.access import ChecksBusy
from sherloc_kg.errors import LimitReached, NotFound, QueryTimedOut, SherlocError, StoreError, TooManyQueries, \
    Unauthorized, UsageError
from sherloc_kg.api.errors import UnknownResource, error_response
from sherloc_kg.api.security import BodyTooLarge, BodyTooSlow, TooManyFailedChecks

API = Path(__file__).resolve().parent.parent / "api"


def _request(path: str = "/api/search/cases", accept: str = "application/json") -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "query_string": b"", "root_path": "",
                    "headers": [(b"accept", accept.encode())], "server": ("testserver", 80), "scheme": "http"})


@pytest.mark.parametrize("error, status, headers, body", [
    (UsageError("bad"), 400, {}, {"error": "UsageError", "message": "bad"}),
    (NotFound("no such case"), 404, {}, {"error": "NotFound", "message": "no such case"}),
    (Unauthorized("no token"), 401, {"www-authenticate": 'Bearer realm="sherloc-kg"'},
     {"error": "Unauthorized", "message": "no token"}),
    (ChecksBusy("busy"), 503, {}, {"error": "ChecksBusy", "message": "busy"}),
    (QueryTimedOut("slow", "timeout=30s"), 503, {"sherloc-limit": "timeout=30s", "retry-after": "5"},
     {"error": "QueryTimedOut", "message": "slow", "limit": "timeout=30s"}),
    (TooManyQueries("yours are running", "concurrency=2"), 429, {"sherloc-limit": "concurrency=2", "retry-after": "1"},
     {"error": "TooManyQueries", "message": "yours are running", "limit": "concurrency=2"}),
    (BodyTooLarge("too big", 1024), 413, {"sherloc-limit": "body=1024", "connection": "close"},
     {"error": "RequestTooLarge", "message": "too big", "limit": "body=1024"}),
    (BodyTooSlow("stopped"), 408, {"connection": "close"}, {"error": "RequestTimeout", "message": "stopped"}),
    (TooManyFailedChecks(7), 429, {"retry-after": "7", "sherloc-limit": "auth-failures=30"},
     {"error": "TooManyFailedChecks", "limit": "auth-failures=30"}),
])
def test_an_error_the_caller_may_read_is_answered_with_its_own_status_headers_and_body(
        error: SherlocError, status: int, headers: dict[str, str], body: dict[str, str]) -> None:
    response = error_response(_request(), error)
    assert response.status_code == status == error.http_status
    assert {k: v for k, v in response.headers.items() if k in headers} == headers
    sent = json.loads(bytes(response.body))
    assert {k: v for k, v in sent.items() if k in body} == body


@pytest.mark.parametrize("error, status", [
    (StoreError("engine said /var/lib/sherloc/store: I/O error"), 503),
    (SherlocError("some failure naming /srv/secret"), 500),
    (OSError("/var/lib/sherloc/store: disk full"), 500),
])
def test_a_failure_that_is_not_the_callers_is_generic_with_a_reference(error: BaseException, status: int) -> None:
    response = error_response(_request(), error)
    assert response.status_code == status
    sent = json.loads(bytes(response.body))
    assert sent["error"] == ("ServiceUnavailable" if status == 503 else "InternalError")
    assert re.fullmatch(r"[0-9a-f]{12}", sent["reference"])
    assert "/" not in sent["message"] and str(error) not in bytes(response.body).decode()
    assert (response.headers.get("retry-after") == "5") == (status == 503)


def test_a_limit_on_an_explorer_page_is_the_limit_page_with_the_same_status_and_headers() -> None:
    error = QueryTimedOut("the query ran too long", "timeout=30s")
    response = error_response(_request("/explore/sparql"), error)
    assert response.status_code == 503 and response.headers["content-type"].startswith("text/html")
    assert response.headers["retry-after"] == "5" and response.headers["sherloc-limit"] == "timeout=30s"
    assert "the query ran too long" in bytes(response.body).decode()
    # any other error of an explorer page is a page too, with its status; the API keeps its JSON
    usage = error_response(_request("/explore/sparql"), UsageError("bad value"))
    assert usage.status_code == 400 and usage.headers["content-type"].startswith("text/html")
    assert "bad value" in bytes(usage.body).decode()
    assert error_response(_request("/api/queries/x"), UsageError("bad")).headers["content-type"] == "application/json"


def test_a_limit_says_its_headers_wherever_it_is_answered() -> None:
    assert isinstance(QueryTimedOut("x", "timeout=1s"), LimitReached)
    for error in (QueryTimedOut("x", "timeout=1s"), TooManyQueries("x", "concurrency=1")):
        assert error.headers()["SHERLOC-Limit"] == error.limit and error.headers()["Retry-After"]


def test_no_module_of_the_api_but_errors_py_registers_an_exception_handler() -> None:
    found = []
    for path in sorted(API.rglob("*.py")):
        if path.name == "errors.py" and path.parent == API:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("exception_handler", "add_exception_handler"):
                found.append(f"{path.relative_to(API.parent)}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize("media, start", [
    ("text/turtle", b"# https://example.org/id/case/X is not known here\n"),
    ("application/n-triples", b"# https://example.org/id/case/X is not known here\n"),
    ("application/rdf+xml", b'<?xml version="1.0" encoding="utf-8"?>\n<!-- https://example.org/id/case/X is not'),
    ("application/ld+json", b'{"error": "NotFound", "message": "https://example.org/id/case/X is not known here"}'),
])
def test_an_unknown_linked_data_iri_is_a_404_in_the_format_the_route_chose(media: str, start: bytes) -> None:
    for negotiated in (True, False):
        response = error_response(_request("/id/case/X"), UnknownResource("https://example.org/id/case/X", media, negotiated))
        assert response.status_code == 404 and response.headers["content-type"].startswith(media)
        assert bytes(response.body).startswith(start)
        assert response.headers.get("vary") == ("Accept" if negotiated else None)
