"""What every response of the server carries, and what no response may carry (issue 7).

One pure ASGI middleware (:class:`SecurityMiddleware`, the outermost of the application's own, so
that even a CORS preflight and the 500 below get it) does three things:

Headers, on every response:

- ``X-Content-Type-Options: nosniff``: a browser takes each body for the type it is served as (a
  Turtle or CSV document holding a ``<script>`` in a literal is never run as HTML).
- ``Referrer-Policy: no-referrer``: the URLs of this server carry SPARQL queries and search terms
  (``/sparql?query=...``, ``/api/search/...?q=``); no page here needs a Referer (a signed-in browser's forms
  carry a CSRF token, api/session_cookie.py: no Referer-based check to feed), so none is sent,
  not even to our own origin. ``strict-origin-when-cross-origin`` would keep the full URL for
  same-origin requests, which gains nothing here.
- ``Content-Security-Policy``: HTML pages get :data:`HTML_POLICY` (``default-src 'self'``, no inline
  script or style, no plugins, no framing, forms post only to us); the pages built on a script
  library that sets styles from script (``/docs``: Swagger UI; the SPARQL editor: YASGUI; both
  served from our own static files, api/browser_assets.py) get :data:`DOCS_POLICY`, the same but
  for inline style (never inline script, never another host); every other response gets
  :data:`OTHER_POLICY` (``default-src 'none'``: a JSON, RDF or CSV body opened in a browser loads
  nothing). HTML pages also say ``X-Frame-Options: DENY`` for browsers without CSP level 2.

Body size, for requests with a body (POST, PUT, PATCH): at most :data:`QUERY_BODY_LIMIT` (1 MiB)
for a SPARQL query sent as ``application/sparql-query``, :data:`UPDATE_BODY_LIMIT` (16 MiB) for the
rest of ``/sparql`` (updates, forms) and for the Graph Store (``/rdf-graph-store``),
:data:`LOAD_BODY_LIMIT` (64 MiB) for a file loaded through ``/api/records/{kind}``, and
:data:`OTHER_BODY_LIMIT` (1 MiB) anywhere else. A ``Content-Length`` over the limit is refused at
once; a chunked body is counted as it arrives and refused when it passes the limit. Either way the
answer is a 413 with a JSON error naming the limit (and the ``SHERLOC-Limit`` header). The query
text has its own, smaller bound (``SHERLOC_QUERY_MAX_LENGTH``, api/limits.py).

Failed token checks, per client address: a request that carries an ``Authorization`` header and is
answered 401 counts as a failure (as does a failed check of a token sent in a form, counted by the
route that reads the form into the same record, :attr:`Context.failed_checks`); after :data:`AUTH_FAILURES` failures within
:data:`AUTH_WINDOW` seconds, further requests from that address that carry credentials are answered
429 with ``Retry-After`` at once, without a check (each costs an argon2 verification, by design
slow), until the window has passed. Requests without credentials are not affected.

A body must keep coming: each chunk within :data:`BODY_CHUNK_TIMEOUT` seconds of the one before
(or of the head), else the request is answered 408 and the connection closed (a client trickling a
body a byte at a time held a worker thread and a connection for ever).

Responses that may name the host the request was sent to (HTML pages: their form actions and links;
the SPARQL service description) carry ``Vary: Host``, so that no cache serves one host's page for
another; with SHERLOC_ALLOWED_HOSTS only the configured hosts are answered at all (api/app.py).

A client that goes away mid-request (Starlette's ``ClientDisconnect`` while a body is read) is
logged as such, in one line, not as an unexpected error.

Unexpected exceptions: anything a route raises that no handler answers (a bug, a store crash) is
caught here and answered by api/errors.py (logged with its traceback and an error reference,
answered 500 with ``{"error": "InternalError", "message": "...", "reference": "..."}``: never the
exception's text, its type, a traceback or a file path); so are this middleware's own refusals
(413, 408, 429: each an exception carrying its status and headers). :func:`install` also
registers api/errors.py's handler with the application.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections import deque

from fastapi import FastAPI, Request
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sherloc_kg.errors import SherlocError

from . import errors
from .errors import error_response

log = logging.getLogger("sherloc_kg.api")

#: Largest body of a SPARQL query POSTed as application/sparql-query.
QUERY_BODY_LIMIT = 1 * 1024 * 1024
#: Largest body of an update or form on /sparql, and of a Graph Store write (a whole graph).
UPDATE_BODY_LIMIT = 16 * 1024 * 1024
#: Largest file loaded through ``POST /api/records/{kind}`` (api/records.py).
LOAD_BODY_LIMIT = 64 * 1024 * 1024
#: Largest body anywhere else.
OTHER_BODY_LIMIT = 1 * 1024 * 1024

HTML_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#: Pages whose script library (Swagger UI, YASGUI; our own static files) sets styles from script:
#: inline style is allowed there, and nothing else beyond HTML_POLICY.
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

#: Seconds a request body may pause between two chunks before the request is answered 408.
BODY_CHUNK_TIMEOUT = 30

#: Failed token checks one address may make within AUTH_WINDOW seconds before it is refused (429).
AUTH_FAILURES = 30
AUTH_WINDOW = 60


class FailedChecks:
    """When each address's recent failed token checks happened (within AUTH_WINDOW)."""

    def __init__(self, limit: int = AUTH_FAILURES, window: float = AUTH_WINDOW) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen.setdefault(address, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait(self, address: str) -> int:
        """Seconds until ``address`` may try again; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.limit:
                if not times:
                    self._seen.pop(address, None)
                return 0
            return max(1, int(times[0] + self.window - now) + 1)

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(address, now).append(now)
            if len(self._seen) > 100_000:  # many addresses: forget the quiet ones
                for quiet in [a for a, t in self._seen.items() if not t or t[-1] <= now - self.window]:
                    del self._seen[quiet]


class TooManyFailedChecks(SherlocError):
    """More than AUTH_FAILURES failed token checks from one address within AUTH_WINDOW s (429)."""

    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"more than {AUTH_FAILURES} failed token checks from this address within {AUTH_WINDOW} s: "
                         f"try again in {retry_after} s")
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after), "SHERLOC-Limit": f"auth-failures={AUTH_FAILURES}"}

    def body(self) -> dict[str, str]:
        return {**super().body(), "limit": f"auth-failures={AUTH_FAILURES}"}


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodyTooSlow(SherlocError):
    """A request body that stopped arriving (408): the connection is closed."""

    http_status = 408

    def headers(self) -> dict[str, str]:
        return {"Connection": "close"}

    def body(self) -> dict[str, str]:
        return {**super().body(), "error": "RequestTimeout"}


class BodyTooLarge(SherlocError):
    """A request body over the limit of its route (413)."""

    http_status = 413

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit

    def headers(self) -> dict[str, str]:
        return {"SHERLOC-Limit": f"body={self.limit}", "Connection": "close"}

    def body(self) -> dict[str, str]:
        return {**super().body(), "error": "RequestTooLarge", "limit": f"body={self.limit}"}


def body_limit(method: str, path: str, content_type: str) -> int | None:
    """The largest body a request may send; None for methods without a body."""
    if method not in _BODY_METHODS:
        return None
    if path in ("/sparql", "/sparql/"):
        media_type = content_type.split(";", 1)[0].strip().lower()
        return QUERY_BODY_LIMIT if media_type == "application/sparql-query" else UPDATE_BODY_LIMIT
    if path == "/rdf-graph-store" or path.startswith("/rdf-graph-store/"):
        return UPDATE_BODY_LIMIT
    if path.startswith("/api/records/"):
        return LOAD_BODY_LIMIT
    return OTHER_BODY_LIMIT


def too_large(limit: int, size: int | None = None) -> BodyTooLarge:
    sent = f"the request body is {size} bytes" if size is not None else "the request body is larger than that"
    return BodyTooLarge(f"{sent}; this route takes bodies of at most {limit} bytes ({limit // 1024} KiB): "
                        "send less, or load large files with `sherloc-kg load`", limit)


def _policy(content_type: str, styled_by_script: bool) -> str:
    if not content_type.lower().startswith("text/html"):
        return OTHER_POLICY
    return DOCS_POLICY if styled_by_script else HTML_POLICY


class SecurityMiddleware:
    """See the module docstring: headers, body size limits and the generic 500."""

    def __init__(self, app: ASGIApp, docs_paths: tuple[str | None, ...] = (), failed_checks: FailedChecks | None = None) -> None:
        self.app = app
        self.docs_paths = frozenset(p for p in docs_paths if p)
        self.failed_checks = failed_checks if failed_checks is not None else FailedChecks()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        limit = body_limit(scope["method"], scope["path"], headers.get("content-type", ""))
        started = False
        styled = scope["path"] in self.docs_paths
        address = (scope.get("client") or ("unknown", 0))[0]
        credentials = "authorization" in headers

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if credentials and message.get("status") == 401:
                    self.failed_checks.failed(address)
                await send(_with_headers(message, scope, styled))
                return
            await send(message)

        if credentials:
            retry_after = self.failed_checks.wait(address)
            if retry_after:
                await self._answer(TooManyFailedChecks(retry_after), scope, receive, send_secured)
                return
        inner_receive: Receive
        if limit is not None:
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await self._answer(too_large(limit, int(declared)), scope, receive, send_secured)
                return
            received = 0

            async def receive_limited() -> Message:
                nonlocal received
                try:
                    message = await asyncio.wait_for(receive(), BODY_CHUNK_TIMEOUT)
                except asyncio.TimeoutError:
                    raise BodyTooSlow(f"the request body stopped arriving for {BODY_CHUNK_TIMEOUT} s: send it "
                                      "at once") from None
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise too_large(limit)
                return message

            inner_receive = receive_limited
        else:
            inner_receive = receive
        try:
            await self.app(scope, inner_receive, send_secured)
        except BodyTooLarge as error:
            if started:
                raise
            await self._answer(error, scope, receive, send_secured)
        except BodyTooSlow as error:
            log.info("a body too slow on %s %s", scope["method"], scope["path"])
            if started:
                raise
            await self._answer(error, scope, receive, send_secured)
        except ClientDisconnect:
            log.info("the client went away during %s %s", scope["method"], scope["path"])
        except Exception as error:  # noqa: BLE001 - the one place every unexpected failure ends
            if started:
                log.exception("unexpected error %s answering %s %s", secrets.token_hex(6), scope["method"], scope["path"])
                raise
            await self._answer(error, scope, receive, send_secured)

    @staticmethod
    async def _answer(error: Exception, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer ``error`` the way every error is answered (api/errors.py)."""
        await error_response(Request(scope), error)(scope, receive, send)


def _with_headers(message: Message, scope: Scope, styled_by_script: bool) -> Message:
    headers = list(message.get("headers", []))
    present = {k.lower() for k, _ in headers}
    content_type = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), "")
    add = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"no-referrer",
           b"content-security-policy": _policy(content_type, styled_by_script).encode("latin-1")}
    if content_type.lower().startswith("text/html"):
        add[b"x-frame-options"] = b"DENY"
    headers += [(k, v) for k, v in add.items() if k not in present]
    if content_type.lower().startswith("text/html") or scope["path"] in ("/sparql", "/sparql/"):
        headers = _vary_on_host(headers)
    return {**message, "headers": headers}


def _vary_on_host(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with Host among the Vary fields (added to the one there, else a new one)."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            fields = [f.strip().lower() for f in value.split(b",")]
            if b"host" not in fields and b"*" not in fields:
                headers[index] = (name, value + b", Host")
            return headers
    return headers + [(b"vary", b"Host")]


def install(app: FastAPI, failed_checks: FailedChecks, styled_by_script: tuple[str, ...] = ()) -> None:
    """Wire the middleware (outermost of the application's own) and the one error handler (api/errors.py).
    ``failed_checks``: the application's one record of failed token checks, which the routes that
    take a token elsewhere than in a header (the explorer's CSV upload form) count into as well;
    ``styled_by_script``: the paths of the pages that get DOCS_POLICY."""
    app.add_middleware(SecurityMiddleware, docs_paths=styled_by_script, failed_checks=failed_checks)

    errors.install(app)


__all__ = ["LOAD_BODY_LIMIT", "BodyTooLarge", "BodyTooSlow", "FailedChecks", "TooManyFailedChecks", "SecurityMiddleware", "body_limit", "install"]
