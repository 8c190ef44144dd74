"""HTTP caching in one place (issue 19): strong ETags, 304 Not Modified, Cache-Control and Vary.

:class:`Revalidation` is a pure ASGI middleware, inside :class:`api.head.HeadAsGet` (so a HEAD is
seen here as the GET it is run as, and gets the same ETag) and outside the security middleware (so
the headers it copies into a 304 are the ones the 200 went out with, ``Vary: Host`` included). For a
GET (or a HEAD a route answers itself) answered 200:

- ``Cache-Control``: a route's own value is kept; otherwise :data:`PUBLIC` (``public, no-cache``: a
  cache may keep the answer but asks again before each use, so nobody is served an answer older than
  the store's state; with the ETag the answer to that question is a 304 without a body). A request that carries ``Authorization`` never gets a header a shared cache
  may act on: unless the route said ``private`` or ``no-store`` itself, it gets :data:`PRIVATE`
  (``private, no-store``), whatever else the route said. ``Vary`` gains ``Authorization`` (every
  route answers from the graphs its caller may see), next to what the route and the security
  middleware put there (``Accept``, ``Host``).
- ``ETag``: a strong one, ``"<SHA-256 of the body, hex>"``, for an answer whose body comes in one
  piece (every answer but a stream), unless it says ``no-store`` (nobody keeps it to revalidate). A
  stream (the dump, static files) is sent as it comes, not held in memory to be hashed, and gets no
  ETag: the store has no version number that changes with every write (see below), so there is no
  honest cheaper validator. An answer with an ETag of its own (static files: Starlette's, which
  answers If-None-Match itself) keeps it; a HEAD a route answers itself without its body (a static
  file) gets no ETag here rather than that of an empty body.
- ``If-None-Match`` (RFC 9110 §13.1.2, weak comparison: ``W/"x"`` matches ``"x"``; a list; ``*``)
  matching the ETag: the answer is ``304 Not Modified`` with no body and the 200's headers but its
  ``Content-Length`` and ``Content-Type`` (ETag, Cache-Control, Vary, Content-Location, Link, ...).

Anything but a 200 (errors above all) passes through untouched: no ETag, never a 304.

No ``Last-Modified``: neither Oxigraph nor a remote SPARQL store keeps a time of last change, and
one kept by this process would miss writes made by another (a CLI load, a SPARQL update sent to the
remote store directly), so a date could claim "not modified" for a changed answer. The ETag is taken
from the answer itself and cannot be wrong in that way.
"""

from __future__ import annotations

import hashlib

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Cache-Control of a public answer that says nothing itself: kept, but revalidated before each use (a
#: load changes the answers at any moment, and no store says when; see the module docstring).
PUBLIC = "public, no-cache"
#: Cache-Control of any answer to a request carrying credentials.
PRIVATE = "private, no-store"

#: Headers of a 200 left out of the 304 that replaces it (they describe the body it does not carry).
_NOT_IN_304 = {b"content-length", b"content-type", b"transfer-encoding"}


def strong_etag(body: bytes) -> str:
    """The strong entity tag of ``body``: its SHA-256, quoted."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match: header`` matches ``etag`` (weak comparison, RFC 9110 §13.1.2 and §8.8.3.2):
    ``*``, or any listed tag whose opaque part equals ``etag``'s, ``W/`` or not."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(tag) == wanted for tag in _tags(header))


def _tags(header: str) -> list[str]:
    """The entity tags of an If-None-Match list (commas may appear inside a quoted tag)."""
    tags, i = [], 0
    while i < len(header):
        while i < len(header) and header[i] in " \t,":
            i += 1
        if i >= len(header):
            break
        start = i
        if header.startswith("W/", i):
            i += 2
        if i < len(header) and header[i] == '"':
            end = header.find('"', i + 1)
            if end < 0:
                break  # unterminated: not a tag
            tags.append(header[start:end + 1])
            i = end + 1
        else:  # not an entity tag: skip to the next comma
            end = header.find(",", i)
            i = len(header) if end < 0 else end
    return tags


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def _directives(value: bytes) -> set[str]:
    return {d.strip().split("=", 1)[0].strip().lower() for d in value.decode("latin-1").split(",") if d.strip()}


def _with_vary(headers: list[tuple[bytes, bytes]], field: bytes) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``field`` among the Vary fields (added to the one there, else a new one)."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            fields = [f.strip().lower() for f in value.split(b",")]
            if field.lower() not in fields and b"*" not in fields:
                headers[index] = (name, value + b", " + field)
            return headers
    return headers + [(b"vary", field)]


def cache_headers(headers: list[tuple[bytes, bytes]], credentials: bool) -> tuple[list[tuple[bytes, bytes]], bool]:
    """The headers of a 200 with Cache-Control and Vary as the module docstring says, and whether
    the answer may carry an ETag (it is not ``no-store``)."""
    own = [v for k, v in headers if k.lower() == b"cache-control"]
    directives = set().union(*(_directives(v) for v in own)) if own else set()
    if credentials and not directives & {"private", "no-store"}:
        headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"] + [(b"cache-control", PRIVATE.encode())]
        directives = _directives(PRIVATE.encode())
    elif not own:
        headers = headers + [(b"cache-control", PUBLIC.encode())]
        directives = _directives(PUBLIC.encode())
    headers = _with_vary(list(headers), b"Authorization")
    return headers, "no-store" not in directives


class Revalidation:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        credentials = any(k.lower() == b"authorization" for k, _ in scope.get("headers", []))
        listed = [v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"if-none-match"]
        if_none_match = ", ".join(listed) if listed else None  # several fields are one list (RFC 9110 §5.3)
        held: Message | None = None  # the start of a 200, until its body shows whether it streams
        hashable = False
        passing = False  # the answer goes out as it comes (not a 200, or a stream)

        async def send_cached(message: Message) -> None:
            nonlocal held, hashable, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                if message.get("status") != 200:
                    passing = True
                    await send(message)
                    return
                headers, hashable = cache_headers(list(message.get("headers", [])), credentials)
                held = {**message, "headers": headers}
                return
            if held is None:
                await send(message)
                return
            start, held = held, None
            passing = True
            if message["type"] != "http.response.body" or message.get("more_body", False) or not hashable:
                await send(start)  # a stream (or an extension's message): as it comes, no ETag
                await send(message)
                return
            body = message.get("body", b"")
            declared = next((v for k, v in start["headers"] if k.lower() == b"content-length"), None)
            if any(k.lower() == b"etag" for k, _ in start["headers"]) or (
                    scope["method"] == "HEAD" and declared is not None and declared != str(len(body)).encode()):
                await send(start)  # the route's own validator (static files), or a HEAD without the body to hash
                await send(message)
                return
            etag = strong_etag(body)
            headers = list(start["headers"]) + [(b"etag", etag.encode("latin-1"))]
            if none_match(if_none_match, etag):
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(k, v) for k, v in headers if k.lower() not in _NOT_IN_304]})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({**start, "headers": headers})
            await send(message)

        await self.app(scope, receive, send_cached)


def install(app: FastAPI) -> None:
    """Wire :class:`Revalidation` outside the security middleware and inside HEAD (api/head.py):
    call after ``security.install`` and before ``head.install``."""
    app.add_middleware(Revalidation)


__all__ = ["PRIVATE", "PUBLIC", "Revalidation", "cache_headers", "install", "none_match", "strong_etag"]
