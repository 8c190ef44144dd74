"""Queries that a timeout can really stop: a small pool of worker processes over the on-disk store.

pyoxigraph's ``Store.query`` cannot be interrupted from Python, and a thread cannot be killed; a
process can. So the server sends each query (text, dataset, media type, caps) to a worker process
that holds its own ``Store.read_only`` view of the store directory and answers with the
serialized bytes. When the answer is not there within the timeout the worker is killed (SIGKILL),
which ends the query's work at once, a fresh worker is started in the background, and the caller
gets :class:`QueryTimedOut` (503 with Retry-After). Other queries keep running on the other
workers meanwhile, and the server's event loop never waits on any of them.

A read-only RocksDB open sees the data as of when it was opened. Before each query the server
sends a fingerprint of the store directory (the names, sizes and times of its files: every
committed write appends to the write-ahead log), and a worker whose view is older reopens first.
The server's compaction deletes files such a view may still have to read: a query that fails
because one vanished is run again on fresh views (``ReadOnlyStore.afresh``, a bounded number of
times), never answered as the caller's error.
Workers are started with ``spawn``: no fork of a threaded server.

Each worker limits its own address space (RLIMIT_AS, SHERLOC_QUERY_WORKER_MEMORY) before it opens
the store: a query that needs more fails its allocation, which ends the worker (the engine aborts),
and the caller gets :class:`QueryOutOfMemory` (503) while a fresh worker takes its place. A parser
crash (a stack overflow) likewise ends a worker, never the server.

Fair share: one client (its token, else its address) holds at most ``share`` workers at once (half
of them, at least one); its other queries wait for one of its own to finish, so that one client's
heavy queries never keep another client's from a worker.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import resource
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection

from .errors import LimitReached, QueryError, QueryTimedOut, ResultTooLarge, SherlocError, StoreError, UsageError, \
    WorkersBusy
from .query_limits import Caps, answer_capped
from .store import Dataset
from .store.contract import TermValue
from .store.embedded import MIRROR_FOLDER, ReadOnlyStore

#: How long a new worker may take to import and report ready, and how long a query may wait for a
#: free worker beyond the query timeout, before the pool gives up (seconds).
STARTUP_GRACE = 60
_ERRORS = {cls.__name__: cls for cls in (QueryError, StoreError, UsageError)}


class QueryOutOfMemory(LimitReached):
    """The worker running the query went past its memory limit (or otherwise died) and was
    replaced: 503, as a timeout is: the server is fine, this query is too costly for it."""

    http_status = 503
    retry_after = 5


def _share_malloc_arenas() -> None:
    """glibc gives each thread its own 64 MiB malloc arena (address space, mostly never touched);
    under RLIMIT_AS those would count against the limit for nothing, so threads share two."""
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def limit_memory(mebibytes: int) -> None:
    """Bound this process's address space (RLIMIT_AS) to ``mebibytes`` MiB; 0 leaves it as is."""
    if mebibytes <= 0:
        return
    _share_malloc_arenas()
    limit = mebibytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def store_fingerprint(path: str) -> tuple:
    """What changes whenever the store directory does: every file's name, size and mtime, its
    public mirror's (``public/``) included."""
    try:
        return tuple(sorted((folder, entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
                            for folder in (path, os.path.join(path, MIRROR_FOLDER)) if os.path.isdir(folder)
                            for entry in os.scandir(folder) if entry.is_file()))
    except OSError:
        return ()


@dataclass(frozen=True)
class QueryRequest:
    """One query for a worker. ``kind`` "serialize" answers bytes in ``media_type`` within
    ``caps`` (/sparql, the named queries); "select" and "ask" answer the store contract's
    SelectResult or bool (the fixed queries of search and pages, bounded in time the same way);
    "count" the number of triples in ``graph`` (None: the whole store). Every kind binds
    ``bindings`` (a named query's parameters, as typed terms)."""

    sparql: str
    form: str
    media_type: str
    dataset: Dataset | None
    caps: Caps
    fingerprint: tuple
    kind: str = "serialize"
    bindings: dict | None = None
    graph: str | None = None


class ClientGone(SherlocError):
    """The client went away while its query ran: the query's worker was killed, nobody waits."""

    http_status = 499


# -- the worker process ---------------------------------------------------------------------------
class _Bound:
    """``store`` with a named query's parameters bound in every query it serializes: what
    :func:`answer_capped` (which passes no bindings) runs against."""

    def __init__(self, store, bindings: Mapping[str, TermValue]) -> None:
        self.store, self.bindings = store, bindings

    def query_serialized(self, sparql, output, *, media_type, dataset=None, bindings=None) -> None:
        self.store.query_serialized(sparql, output, media_type=media_type, dataset=dataset, bindings=self.bindings)


def answer_bound(store, sparql: str, *, form: str, media_type: str, dataset: Dataset | None, caps: Caps,
                 bindings: Mapping[str, TermValue] | None = None) -> bytes:
    """:func:`answer_capped` with ``bindings`` bound as terms (never pasted into the text)."""
    return answer_capped(_Bound(store, bindings) if bindings else store, sparql, form=form,  # type: ignore[arg-type]
                         media_type=media_type, dataset=dataset, caps=caps)


def _answer(store, request: QueryRequest):
    if request.kind == "select":
        return store.select(request.sparql, bindings=request.bindings, dataset=request.dataset)
    if request.kind == "ask":
        return store.ask(request.sparql, bindings=request.bindings, dataset=request.dataset)
    if request.kind == "count":
        return store.count(request.graph)
    return answer_bound(store, request.sparql, form=request.form, media_type=request.media_type,
                        dataset=request.dataset, caps=request.caps, bindings=request.bindings)


def _logged_failure() -> str:
    """Write the exception being handled, with its traceback, to this worker's standard error
    (the server's log) under a fresh reference, and return a message naming only that reference:
    the engine's text names files of the store, which no page may show."""
    reference = secrets.token_hex(6)
    print(f"query worker error {reference}:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
    return f"a query worker failed; its error is in the server's log under worker reference {reference}"


def worker_main(path: str, connection: Connection, private_graphs: frozenset[str] = frozenset(),
                memory: int = 0) -> None:
    """The loop of one worker process: answer requests until the pipe closes or a None comes."""
    store, seen = None, None
    limit_memory(memory)
    try:
        connection.send("ready")
    except OSError:  # the server went away while this worker started
        return
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        reply: tuple[object, ...]  # (status, details...), read by QueryRunner
        try:
            if store is None or request.fingerprint != seen:
                store, seen = None, request.fingerprint
                store = ReadOnlyStore(path, private_graphs)
            # A view that lost a file to the server's compaction (measured: 28 of 300 write/read
            # cycles on a fresh store, issue 20) is opened afresh and the query run again; a query
            # error (the caller's) never is.
            body = store.afresh(partial(_answer, request=request))
            reply = ("ok", body)
        except ResultTooLarge as error:
            reply = ("too-large", str(error), error.limit)
        except MemoryError:
            reply = ("out-of-memory",)
        except StoreError:  # not the caller's (fresh views failed READ_ATTEMPTS times): a generic 503
            store = None
            reply = ("error", "StoreError", _logged_failure())
        except SherlocError as error:  # the caller's query (a QueryError, a UsageError): said to the caller
            reply = ("error", type(error).__name__ if type(error).__name__ in _ERRORS else "QueryError", str(error))
        except Exception:  # noqa: BLE001 - not the caller's: logged here, a generic 503 to the client
            store = None
            reply = ("error", "StoreError", _logged_failure())
        try:
            connection.send(reply)
        except OSError:
            return


# -- the pool, in the server ------------------------------------------------------------------
class _Worker:
    def __init__(self, context, path: str, private_graphs: frozenset[str], memory: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(path, child, private_graphs, memory),
                                       name="sherloc-query-worker", daemon=True)
        self.process.start()
        child.close()
        self._stopping, self._stopped = threading.Lock(), False

    def stop(self) -> None:
        with self._stopping:
            if self._stopped:
                return
            self._stopped = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=30)
        self.connection.close()
        self.process.close()


class WorkerPool:
    """``size`` worker processes answering queries over the store at ``path`` within ``timeout``
    seconds (0: no timeout), each within ``memory`` MiB of address space (0: no limit). Started on
    the first query; :meth:`close` stops them."""

    def __init__(self, path: str, *, size: int, timeout: int, private_graphs: frozenset[str] = frozenset(),
                 memory: int = 0) -> None:
        self.path = path
        self.private_graphs = private_graphs
        self.size = size
        self.timeout = timeout
        self.memory = memory
        #: How many workers one client may hold at once.
        self.share = max(1, size // 2)
        self._held: dict[str, int] = {}
        self._share_freed = threading.Condition()
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def pids(self) -> list[int]:
        """The process ids of the live workers (for tests and operators)."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers if w.process.pid is not None)

    def busy_pids(self) -> list[int]:
        """The process ids of the workers running a query right now."""
        with self._lock:
            return sorted(w.process.pid for w in self._busy if w.process.pid is not None)

    def _start_one(self) -> None:
        """Start a worker and hand it to the idle queue once it says it is ready, from a thread,
        so that no request waits for a process to start."""
        with self._lock:
            if self._closed:
                return
            worker = _Worker(self._context, self.path, self.private_graphs, self.memory)
            self._workers.add(worker)

        def welcome() -> None:
            try:
                if worker.connection.poll(STARTUP_GRACE) and worker.connection.recv() == "ready":
                    self._idle.put(worker)
                    return
            except (EOFError, OSError):
                pass
            self._retire(worker)

        threading.Thread(target=welcome, name="sherloc-query-worker-start", daemon=True).start()

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop()

    def _ensure_started(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(self.size):
            self._start_one()

    def run(self, request: QueryRequest, client: str = "", *, cancelled: threading.Event | None = None,
            timeout: float | None = None):
        """The answer to ``request`` from a worker; QueryTimedOut (and a fresh worker) when it
        takes longer than ``timeout`` (default: the pool's), QueryOutOfMemory when its worker dies,
        WorkersBusy when no worker frees up in time (for this client: within its share), ClientGone
        (and a fresh worker) as soon as ``cancelled`` is set."""
        self._ensure_started()
        wait = (self.timeout or 0) + STARTUP_GRACE
        with self._share_freed:
            if not self._share_freed.wait_for(lambda: self._held.get(client, 0) < self.share, timeout=wait):
                raise WorkersBusy(f"this client's queries already hold {self.share} of the {self.size} query "
                                  "workers, its share, and none finished in time: try again shortly",
                                  f"workers={self.size}")
            self._held[client] = self._held.get(client, 0) + 1
        try:
            return self._run_held(request, wait, cancelled, self.timeout if timeout is None else timeout)
        finally:
            with self._share_freed:
                left = self._held[client] - 1
                if left:
                    self._held[client] = left
                else:
                    del self._held[client]
                self._share_freed.notify_all()

    def _run_held(self, request: QueryRequest, wait: float, cancelled: threading.Event | None, timeout: float):
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise WorkersBusy(f"all {self.size} query workers stayed busy: try again shortly",
                              f"workers={self.size}") from None
        with self._lock:
            self._busy.add(worker)
        try:
            return self._ask(worker, request, cancelled, timeout)
        finally:
            with self._lock:
                self._busy.discard(worker)

    def _ask(self, worker: _Worker, request: QueryRequest, cancelled: threading.Event | None, timeout: float):
        try:
            worker.connection.send(request)
            if not self._answered(worker, cancelled, timeout):
                self._replace(worker)
                if cancelled is not None and cancelled.is_set():
                    raise ClientGone("the client went away: its query was stopped")
                raise QueryTimedOut(f"the query ran longer than {self.timeout} s, this endpoint's limit "
                                    "(SHERLOC_QUERY_TIMEOUT), and was stopped: make it more selective "
                                    "(bind a subject or a graph, add LIMIT, avoid unbounded paths)",
                                    f"timeout={self.timeout}")
            reply = worker.connection.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise self._died() from None
        self._idle.put(worker)
        kind, *rest = reply
        if kind == "ok":
            return rest[0]
        if kind == "out-of-memory":
            raise self._died()
        if kind == "too-large":
            raise ResultTooLarge(rest[0], rest[1])
        raise _ERRORS.get(rest[0], QueryError)(rest[1])

    @staticmethod
    def _answered(worker: _Worker, cancelled: threading.Event | None, timeout: float) -> bool:
        """Wait for the worker's reply: False when ``timeout`` passes (0: none) or ``cancelled``
        is set first. Looks at ``cancelled`` every tenth of a second."""
        deadline = time.monotonic() + timeout if timeout else None
        while True:
            step = 0.1 if cancelled is not None else None
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                step = left if step is None else min(step, left)
            if worker.connection.poll(step):
                return True
            if cancelled is not None and cancelled.is_set():
                return False

    def _died(self) -> QueryOutOfMemory:
        limit = f"{self.memory} MiB" if self.memory else "the machine's memory"
        return QueryOutOfMemory(f"the query needed more memory than a query worker has ({limit}, "
                                "SHERLOC_QUERY_WORKER_MEMORY) or could not be parsed, and was stopped: make it more "
                                "selective (bind a subject or a graph, add LIMIT, avoid cartesian products)",
                                f"memory={self.memory}")

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` (which stops its query), and start a fresh one in its place."""
        self._retire(worker)
        self._start_one()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            try:
                worker.connection.send(None)
            except OSError:
                pass
            worker.stop()
