"""The bounds every /sparql query runs within (issue 7): who is held to which caps, how many
queries one client may run at once, where a query runs (a worker process that a timeout can kill,
or this process), and the one response shape for a limit reached. Every other read of a request
(named queries, pages, search, statistics) goes through the request's :class:`BoundedStore`
(``Context.for_request``, api/context.py): the same workers, one deadline for the request.

Admin tokens are exempt from the length, row, size and concurrency caps (they restore, repair and
federate, and are few); the timeout binds every role, since a runaway query holds a worker
whoever sent it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import BinaryIO

from fastapi import Request

from sherloc_kg.access import Caller, Role
from sherloc_kg.config import Settings
from sherloc_kg.errors import LimitReached, QueryTooLong, TooManyQueries
from sherloc_kg.query_limits import Caps, answer_capped
from sherloc_kg.query_worker import QueryRequest, WorkerPool, answer_bound, store_fingerprint
from sherloc_kg.store.contract import SelectResult, TermValue
from sherloc_kg.sparql_text import nesting_depth
from sherloc_kg.store import Dataset, Store, local_store


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
#: our own queries (sparql/) nests 9 levels.
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


#: Set when the client of the current request has gone away (see :class:`DisconnectWatch`); the
#: handler's thread sees it through the request's context, which the thread pool carries over.
CLIENT_GONE: ContextVar[threading.Event | None] = ContextVar("sherloc_client_gone", default=None)


class DisconnectWatch:
    """ASGI middleware: notices a client that goes away while its request is being answered and
    sets :data:`CLIENT_GONE`, so that the query running for it is stopped (its worker killed)
    instead of running on for nobody. Requests without a body are watched from the start; others
    once their body has been read (the only message left then is the disconnect)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gone = threading.Event()
        watcher: asyncio.Task | None = None
        first: list[dict] = []

        async def watch() -> dict:
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
            return message

        headers = dict(scope.get("headers") or [])
        bodiless = not headers.get(b"transfer-encoding") and headers.get(b"content-length", b"0") in (b"0", b"")
        if bodiless:
            first.append(await receive())
            if first[0]["type"] == "http.disconnect":
                gone.set()
            watcher = asyncio.ensure_future(watch())

        async def wrapped() -> dict:
            nonlocal watcher
            if first:
                return first.pop()
            if watcher is not None:
                return await asyncio.shield(watcher)
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
            elif not message.get("more_body", False):
                watcher = asyncio.ensure_future(watch())
            return message

        token = CLIENT_GONE.set(gone)
        try:
            await self.app(scope, wrapped, send)
        finally:
            CLIENT_GONE.reset(token)
            if watcher is not None and not watcher.done():
                watcher.cancel()


class QueryRunner:
    """Where /sparql queries run. On the on-disk embedded store: always in worker processes
    (sherloc_kg/query_worker.py), at least one, so that the engine never parses or runs a caller's
    text in the server process: a timeout kills the worker, a memory limit (RLIMIT_AS) bounds it,
    a parser crash ends it and not the server, each client holds at most its fair share of them,
    and a client that goes away has its query stopped. In memory (tests and demonstrations: a store
    in memory cannot be shared with another process): in this process, with the caps and the
    nesting bound but without a timeout. On a remote store: in this process, which parses nothing
    and stops waiting after SHERLOC_QUERY_TIMEOUT (a 503); the server runs the query and must stop
    it by its own limits (README "Scaling out")."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.store = store
        self.settings = settings
        self.path: str | None = None
        self.pool: WorkerPool | None = None
        local = local_store(store)
        if local is not None:
            self.path = local.location
            self.pool = WorkerPool(local.location, size=max(1, settings.query_workers), timeout=settings.query_timeout,
                                   private_graphs=local.private_graphs, memory=settings.query_worker_memory)

    def answer(self, sparql: str, *, form: str, media_type: str, dataset: Dataset | None, caps: Caps,
               client: str = "") -> bytes:
        if self.pool is not None and self.path is not None:
            return self.pool.run(QueryRequest(sparql=sparql, form=form, media_type=media_type, dataset=dataset,
                                              caps=caps, fingerprint=store_fingerprint(self.path)), client=client,
                                 cancelled=CLIENT_GONE.get())
        return answer_capped(self.store, sparql, form=form, media_type=media_type, dataset=dataset, caps=caps)

    def bounded(self, client: str) -> Store:
        """The store one request reads through (api/context.py, ``Context.for_request``): on the
        on-disk store its queries run in the workers, all of them within SHERLOC_QUERY_TIMEOUT from
        now, within ``client``'s share, stopped when the client goes; elsewhere the store itself."""
        if self.pool is None or self.path is None:
            return self.store
        return BoundedStore(self, client)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


class BoundedStore:
    """A store whose read queries (``select``, ``ask``, ``query_serialized``, ``count``, and
    :meth:`answer` within caps) run in the query workers, all within one deadline for the whole
    request (SHERLOC_QUERY_TIMEOUT seconds from its start) and stopped when its client goes;
    every other verb (the writes, the listing of graphs, dumps) is the store's."""

    def __init__(self, runner: QueryRunner, client: str) -> None:
        self._runner, self._client = runner, client
        timeout = runner.settings.query_timeout
        self._deadline = time.monotonic() + timeout if timeout else None

    def __getattr__(self, name: str):
        return getattr(self._runner.store, name)

    def _run(self, kind: str, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
             dataset: Dataset | None = None, form: str = "SELECT", media_type: str = "", caps: Caps = Caps(),
             graph: str | None = None):
        pool, path = self._runner.pool, self._runner.path
        assert pool is not None and path is not None
        left = None
        if self._deadline is not None:
            left = max(0.001, self._deadline - time.monotonic())
        return pool.run(QueryRequest(sparql=sparql, form=form, media_type=media_type, dataset=dataset, caps=caps,
                                     fingerprint=store_fingerprint(path), kind=kind,
                                     bindings=dict(bindings) if bindings else None, graph=graph),
                        client=self._client, cancelled=CLIENT_GONE.get(), timeout=left)

    def select(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
               dataset: Dataset | None = None) -> SelectResult:
        return self._run("select", sparql, bindings=bindings, dataset=dataset)

    def ask(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
            dataset: Dataset | None = None) -> bool:
        return self._run("ask", sparql, bindings=bindings, dataset=dataset, form="ASK")

    def query_serialized(self, sparql: str, output: BinaryIO, *, media_type: str,
                         bindings: Mapping[str, TermValue] | None = None, dataset: Dataset | None = None) -> None:
        output.write(self._run("serialize", sparql, bindings=bindings, dataset=dataset, media_type=media_type))

    def count(self, graph: str | None = None) -> int:
        return self._run("count", "", graph=graph)

    def answer(self, sparql: str, *, form: str, media_type: str, dataset: Dataset | None, caps: Caps,
               bindings: Mapping[str, TermValue] | None = None) -> bytes:
        """The answer in ``media_type`` within ``caps``, refused in the worker at the first row or
        byte past one (:func:`sherloc_kg.query_limits.answer_capped`)."""
        return self._run("serialize", sparql, bindings=bindings, dataset=dataset, form=form, media_type=media_type,
                         caps=caps)


def answer_within(store: Store, sparql: str, *, form: str, media_type: str, dataset: Dataset | None, caps: Caps,
                  bindings: Mapping[str, TermValue] | None = None) -> bytes:
    """A query's answer within ``caps`` from a request's store (:meth:`QueryRunner.bounded`): in
    the workers on the on-disk store, in this process elsewhere."""
    if isinstance(store, BoundedStore):
        return store.answer(sparql, form=form, media_type=media_type, dataset=dataset, caps=caps, bindings=bindings)
    return answer_bound(store, sparql, form=form, media_type=media_type, dataset=dataset, caps=caps, bindings=bindings)
