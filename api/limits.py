"""The bounds every /sparql query runs within (issue 7): who is held to which caps, how many
queries one client may run at once, where a query runs (a worker process that a timeout can kill,
or this process), and the one response shape for a limit reached.

Admin tokens are exempt from the length, row, size and concurrency caps (they restore, repair and
federate, and are few); the timeout binds every role, since a runaway query holds a worker
whoever sent it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from fastapi.responses import JSONResponse

from sherloc_kg.access import Caller, Role
from sherloc_kg.config import Settings
from sherloc_kg.errors import LimitReached, QueryTooLong, TooManyQueries
from sherloc_kg.query_limits import Caps, answer_capped
from sherloc_kg.query_worker import QueryRequest, WorkerPool, store_fingerprint
from sherloc_kg.sparql_text import nesting_depth
from sherloc_kg.store import Dataset, Store
from sherloc_kg.store.embedded import EmbeddedStore

#: The response header naming the limit a refused query reached, e.g. ``SHERLOC-Limit: rows=10000``.
LIMIT_HEADER = "SHERLOC-Limit"


def caps_for(who: Caller, settings: Settings) -> Caps:
    """The result caps of this caller's queries; 0 in a setting means no cap."""
    if who.role is Role.ADMIN:
        return Caps()
    return Caps(rows=settings.query_max_rows or None, bytes=settings.query_max_bytes or None)


def check_length(text: str, who: Caller, settings: Settings) -> None:
    """Refuse a query text longer than SHERLOC_QUERY_MAX_LENGTH bytes (413), before any parsing."""
    limit = settings.query_max_length
    if not limit or who.role is Role.ADMIN:
        return
    size = len(text.encode("utf-8"))
    if size > limit:
        raise QueryTooLong(f"the query is {size} bytes long; this endpoint runs queries of at most {limit} "
                           "bytes (SHERLOC_QUERY_MAX_LENGTH)", f"length={limit}")


#: The deepest nesting of brackets a query or update text may have. Oxigraph's parser recurses once
#: or more per level and overflows its thread's stack (a SIGSEGV that ends the whole process) near
#: 4,000 levels on an 8 MiB stack, fewer on the smaller stacks of other threads; the deepest of
#: our own queries nests 6 levels.
MAX_NESTING = 64


class QueryTooDeep(LimitReached):
    """Brackets nested deeper than MAX_NESTING: refused before any engine parses the text."""

    http_status = 400


def check_depth(text: str) -> None:
    """Refuse a text whose brackets nest deeper than MAX_NESTING (every role: a parser crash is
    no privilege), read by the lexer, which does not recurse."""
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise QueryTooDeep(f"the text nests brackets ((, {{ or [) {depth} levels deep; this endpoint parses at most "
                           f"{MAX_NESTING}: write the expression flatter (IN (...), VALUES, a chain of && or ||)",
                           f"nesting={MAX_NESTING}")


def client_of(request: Request, who: Caller) -> str:
    """Who a query counts against: its token when it sends one, else its address."""
    if who.token_id:
        return f"token {who.token_id}"
    return f"address {request.client.host if request.client else 'unknown'}"


class ClientSlots:
    """At most ``per_client`` queries running at once for each client; 0 means no limit."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, client: str, who: Caller) -> Iterator[None]:
        if not self.per_client or who.role is Role.ADMIN:
            yield
            return
        with self._lock:
            running = self._running.get(client, 0)
            if running >= self.per_client:
                raise TooManyQueries(f"{running} queries of this client are already running; this endpoint "
                                     f"runs at most {self.per_client} at once per client "
                                     "(SHERLOC_QUERY_CONCURRENCY): wait for one to finish",
                                     f"concurrency={self.per_client}")
            self._running[client] = running + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running[client] - 1
                if left:
                    self._running[client] = left
                else:
                    del self._running[client]


class QueryRunner:
    """Where /sparql queries run. On the on-disk embedded store: always in worker processes
    (sherloc_kg/query_worker.py), at least one, so that the engine never parses or runs a caller's
    text in the server process: a timeout kills the worker, a memory limit (RLIMIT_AS) bounds it,
    a parser crash ends it and not the server, and each client holds at most its fair share of
    them. In memory (tests and demonstrations: a store in memory cannot be shared with another
    process): in this process, with the caps and the nesting bound but without a timeout. On a
    remote store: in this process, which parses nothing and stops waiting after
    SHERLOC_QUERY_TIMEOUT (a 503); the server runs the query and must stop it by its own limits
    (README "Scaling out")."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.store = store
        self.path: str | None = None
        self.pool: WorkerPool | None = None
        if isinstance(store, EmbeddedStore) and store.location != "memory":
            self.path = store.location
            self.pool = WorkerPool(store.location, size=max(1, settings.query_workers), timeout=settings.query_timeout,
                                   private_graphs=store.private_graphs, memory=settings.query_worker_memory)

    def answer(self, sparql: str, *, form: str, media_type: str, dataset: Dataset | None, caps: Caps,
               client: str = "") -> bytes:
        if self.pool is not None and self.path is not None:
            return self.pool.run(QueryRequest(sparql=sparql, form=form, media_type=media_type, dataset=dataset,
                                              caps=caps, fingerprint=store_fingerprint(self.path)), client=client)
        return answer_capped(self.store, sparql, form=form, media_type=media_type, dataset=dataset, caps=caps)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def limit_response(error: LimitReached) -> JSONResponse:
    """The JSON error every other refusal has, plus the limit by name, in the body and in
    ``SHERLOC-Limit``, and ``Retry-After`` when waiting helps (timeouts, busy, 429)."""
    headers = {LIMIT_HEADER: error.limit}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse({"error": type(error).__name__, "message": str(error), "limit": error.limit},
                        status_code=error.http_status, headers=headers)
