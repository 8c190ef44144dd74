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
  stream is sent as it comes, not held in memory to be hashed, and gets no ETag here. An answer
  with an ETag of its own (the dumps, api/dumps.py; static files: Starlette's) keeps it; a HEAD a
  route answers itself without its body (a static file) gets no ETag here rather than that of an
  empty body.
- ``Last-Modified``: the store's last change (:func:`store_state`: the latest end of a load
  activity, or of a review version made or published, in the public graphs; no store keeps a time
  of its own), or the release (the newest file the answers are made from, :func:`released`) if
  later, for a public answer that may be kept; read once per request, before the route runs, so
  that a write landing while the route reads can only make the date older than the answer, never
  newer. None is given while the store's state is unknown (a write that runs no inference rule, a
  SPARQL Update or a Graph Store request, deletes the rules' fingerprint first: sherloc_kg/inference.py;
  the next load records a time again), nor when the change is of the current second (a second change
  in the same second would carry the same date). A route's own Last-Modified is kept.
- Conditional requests (RFC 9110 §13.1.2, §13.1.3, §13.2.2), GET and HEAD only: ``If-None-Match``
  (weak comparison: ``W/"x"`` matches ``"x"``; a list; ``*``) matching the ETag, or, when the request
  has no ``If-None-Match`` (which takes precedence), an ``If-Modified-Since`` (one valid HTTP-date) at
  or after the Last-Modified: the answer is ``304 Not Modified`` with no body and the 200's headers
  but its ``Content-Length`` and ``Content-Type`` (ETag, Last-Modified, Cache-Control, Vary,
  Content-Location, Link, ...). An answer whose validators the route gave itself (the dumps: their
  SHA-256 as ETag; static files) is decided on them before its body is read.

Anything but a 200 (errors above all) passes through untouched: no ETag, no Last-Modified, never a 304.

Known limits of the date: a write sent to a remote store by another program, or a ``restore`` of an
older dump, is not seen (the ETag, taken from the answer itself, still is); nor is a query whose
answer changes with the clock alone (``NOW()``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from pathlib import Path

import anyio
import pyoxigraph as ox
from fastapi import FastAPI
from rdflib import Literal
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sherloc_kg.access import PUBLIC as PUBLIC_CALLER
from sherloc_kg.errors import SherlocError
from sherloc_kg.iris import Iris
from sherloc_kg.queries import internal
from sherloc_kg.store import Dataset, Store
from sherloc_kg.store.terms import select_result

log = logging.getLogger(__name__)

#: Cache-Control of a public answer that says nothing itself: kept, but revalidated before each use (a
#: load changes the answers at any moment; see the module docstring).
PUBLIC = "public, no-cache"
#: Cache-Control of any answer to a request carrying credentials.
PRIVATE = "private, no-store"

#: Headers of a 200 left out of the 304 that replaces it (they describe the body it does not carry).
_NOT_IN_304 = {b"content-length", b"content-type", b"transfer-encoding"}
#: Where a request keeps the store's state read for it (``request.state``).
STATE_KEY = "sherloc_store_state"


# -- the store's state ------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoreState:
    """When the data a caller sees last changed (``modified``; None: unknown, see the module
    docstring), the latest change recorded whether or not a later one went unrecorded (``latest``,
    the dataset's ``dcterms:modified``), and when they were first loaded (``issued``)."""

    modified: datetime | None
    latest: datetime | None
    issued: datetime | None
    #: How many changes the store records: with ``modified``, what names a state (api/dumps.py).
    changes: int = 0

    @property
    def key(self) -> tuple[datetime, int] | None:
        """What tells this state from another (None: unknown)."""
        return None if self.modified is None else (self.modified, self.changes)


def _instant(term: object) -> datetime | None:
    if not isinstance(term, Literal):
        return None
    value = term.toPython()
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def store_state(store: Store, iris: Iris, dataset: Dataset, *, for_a_caller: bool = False) -> StoreState:
    """The state of the graphs of ``dataset`` (sparql/internal/dataset-modified.rq): one query over
    the predicates that record a change, a few rows whatever the size of the store.

    ``for_a_caller``: read for a caller's request (the Last-Modified of its answer), so within the
    caller's SHERLOC_QUERY_TIMEOUT, as ``query_serialized`` runs a caller's query, and not the
    application's SHERLOC_STORE_TIMEOUT (an hour by default): a remote store that hangs would
    otherwise hold every GET that long before its route ran."""
    text, bindings = internal("dataset-modified").text, {"inferred": iris.graph("inferred")}
    if for_a_caller:
        answer = io.BytesIO()
        store.query_serialized(text, answer, media_type=ox.QueryResultsFormat.JSON.media_type, bindings=bindings, dataset=dataset)
        rows = select_result(ox.parse_query_results(answer.getvalue(), ox.QueryResultsFormat.JSON)).rows
    else:
        rows = store.select(text, bindings=bindings, dataset=dataset).rows
    row = rows[0] if rows else {}
    known = int(str(row.get("fingerprints", 0))) > 0
    latest = _instant(row.get("modified"))
    return StoreState(latest if known else None, latest, _instant(row.get("issued")), int(str(row.get("changes", 0))))


def public_state(store: Store, iris: Iris, *, for_a_caller: bool = False) -> StoreState:
    return store_state(store, iris, PUBLIC_CALLER.dataset(iris), for_a_caller=for_a_caller)


_RELEASED: dict[tuple[str, ...], datetime] = {}
_RELEASED_LOCK = threading.Lock()


def released(*folders: Path) -> datetime:
    """The release the answers are made from: the newest modification time of the files of the
    code (this package and sherloc_kg) and of ``folders`` (the queries, ontology and shapes read),
    read once per process. The same install gives the same time on every server."""
    key = tuple(sorted(str(f) for f in folders))
    with _RELEASED_LOCK:
        if key not in _RELEASED:
            import sherloc_kg

            roots = [Path(__file__).resolve().parent, Path(sherloc_kg.__file__).resolve().parent, *folders]
            newest = max((f.stat().st_mtime for root in roots if root.is_dir() for f in root.rglob("*")
                          if f.is_file() and "__pycache__" not in f.parts), default=0.0)
            _RELEASED[key] = datetime.fromtimestamp(int(newest), timezone.utc)
        return _RELEASED[key]


def last_modified(state: StoreState, release: datetime, now: datetime | None = None) -> datetime | None:
    """The Last-Modified of an answer made in ``state`` by ``release``, to the second; None when the
    state is unknown or the date is not before the current second (see the module docstring)."""
    if state.modified is None:
        return None
    when = max(state.modified, release).replace(microsecond=0)
    current = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    return when if when < current else None


def http_date(when: datetime) -> str:
    """An IMF-fixdate (RFC 9110 §5.6.7): ``Sun, 06 Nov 1994 08:49:37 GMT``."""
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)


def parse_http_date(value: str) -> datetime | None:
    """An HTTP-date read (any of its three forms), or None if it is none."""
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def request_state(scope: Scope) -> StoreState | None:
    """The public store's state read for this request by :class:`Revalidation` (None if it read none)."""
    found = scope.get("state", {}).get(STATE_KEY)
    return found if isinstance(found, StoreState) else None


# -- validators ---------------------------------------------------------------------------------------
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


def not_modified(if_none_match: str | None, if_modified_since: datetime | None, etag: str | None,
                 modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2 for a GET or HEAD: If-None-Match decides when the request has one (false
    without an ETag to match); else If-Modified-Since, when the answer has a Last-Modified."""
    if if_none_match is not None:
        return etag is not None and none_match(if_none_match, etag)
    return if_modified_since is not None and modified is not None and modified <= if_modified_since


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
    the answer may carry validators (it is not ``no-store``)."""
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


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _if_modified_since(headers: list[tuple[bytes, bytes]]) -> datetime | None:
    """The request's If-Modified-Since, ignored (None) unless it is one valid HTTP-date."""
    values = [v.decode("latin-1") for k, v in headers if k.lower() == b"if-modified-since"]
    return parse_http_date(values[0]) if len(values) == 1 else None


class Revalidation:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def _last_modified(self, scope: Scope) -> datetime | None:
        """The Last-Modified of a public answer to this request (the store's state read now, and kept
        for the route in ``request.state``), or None."""
        context = getattr(getattr(scope.get("app"), "state", None), "context", None)
        if context is None:
            return None
        try:
            state = await anyio.to_thread.run_sync(partial(public_state, context.store, context.iris, for_a_caller=True))
        except SherlocError as error:  # the route will meet the store's trouble itself
            log.debug("no Last-Modified: %s", error)
            return None
        scope.setdefault("state", {})[STATE_KEY] = state
        settings = context.settings
        return last_modified(state, released(settings.queries_dir, settings.ontology_dir, settings.shapes_dir))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request_headers = list(scope.get("headers", []))
        credentials = any(k.lower() == b"authorization" for k, _ in request_headers)
        listed = [v.decode("latin-1") for k, v in request_headers if k.lower() == b"if-none-match"]
        if_none_match = ", ".join(listed) if listed else None  # several fields are one list (RFC 9110 §5.3)
        if_modified_since = _if_modified_since(request_headers)
        # read before the route runs: a write landing meanwhile makes the date older, never newer
        # (not for the static files, which have their own)
        static = scope.get("path", "").startswith("/static/")
        modified = None if credentials or static else await self._last_modified(scope)
        held: Message | None = None  # the start of a 200, until its body shows whether it streams
        hashable = False
        passing = False  # the answer goes out as it comes (not a 200, or decided)
        dropping = False  # a 304 went out: the body of the 200 it replaces is dropped
        answer_modified: datetime | None = None

        async def not_modified_answer(headers: list[tuple[bytes, bytes]]) -> None:
            nonlocal dropping
            dropping = True
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k, v) for k, v in headers if k.lower() not in _NOT_IN_304]})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def send_cached(message: Message) -> None:
            nonlocal held, hashable, passing, answer_modified
            if dropping:
                return
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                if message.get("status") != 200:
                    passing = True
                    await send(message)
                    return
                headers, hashable = cache_headers(list(message.get("headers", [])), credentials)
                own_modified = _header(headers, b"last-modified")
                if own_modified is not None:
                    answer_modified = parse_http_date(own_modified.decode("latin-1"))
                elif hashable and modified is not None:
                    answer_modified = modified
                    headers.append((b"last-modified", http_date(modified).encode("latin-1")))
                own_etag = _header(headers, b"etag")
                if own_etag is not None:  # the route's own validators: decided now, before its body
                    passing = True
                    if not_modified(if_none_match, if_modified_since, own_etag.decode("latin-1"), answer_modified):
                        await not_modified_answer(headers)
                        return
                    await send({**message, "headers": headers})
                    return
                held = {**message, "headers": headers}
                return
            if held is None:
                await send(message)
                return
            start, held = held, None
            passing = True
            body = message.get("body", b"")
            declared = _header(start["headers"], b"content-length")
            stream = message["type"] != "http.response.body" or message.get("more_body", False)
            bodiless_head = scope["method"] == "HEAD" and declared is not None and declared != str(len(body)).encode()
            etag = None if stream or not hashable or bodiless_head else strong_etag(body)
            headers = list(start["headers"]) + ([(b"etag", etag.encode("latin-1"))] if etag else [])
            if not_modified(if_none_match, if_modified_since, etag, answer_modified):
                await not_modified_answer(headers)
                return
            await send({**start, "headers": headers})
            await send(message)

        await self.app(scope, receive, send_cached)


def install(app: FastAPI) -> None:
    """Wire :class:`Revalidation` outside the security middleware and inside HEAD (api/head.py):
    call after ``security.install`` and before ``head.install``."""
    app.add_middleware(Revalidation)


__all__ = ["PRIVATE", "PUBLIC", "Revalidation", "StoreState", "cache_headers", "http_date", "install", "last_modified",
           "none_match", "not_modified", "parse_http_date", "public_state", "released", "request_state", "store_state",
           "strong_etag"]
