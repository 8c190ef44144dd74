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
Workers are started with ``spawn``: no fork of a threaded server.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError, QueryTimedOut, ResultTooLarge, SherlocError, StoreError, UsageError, WorkersBusy
from .query_limits import Caps, answer_capped
from .store import Dataset
from .store.embedded import MIRROR_FOLDER, STALE_MARK, EmbeddedStore

#: How long a new worker may take to import and report ready, and how long a query may wait for a
#: free worker beyond the query timeout, before the pool gives up (seconds).
STARTUP_GRACE = 60
_ERRORS = {cls.__name__: cls for cls in (QueryError, StoreError, UsageError)}


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
    sparql: str
    form: str
    media_type: str
    dataset: Dataset | None
    caps: Caps
    fingerprint: tuple


# -- the worker process ---------------------------------------------------------------------------
class ReadOnlyStore(EmbeddedStore):
    """The embedded store's reading verbs over a read-only open of the same directory: it takes
    no lock, so it opens beside the server's own read-write store."""

    def __init__(self, location: str, private_graphs: frozenset[str] = frozenset()) -> None:
        # The parent's __init__ would open read-write. The mirror is used only if it was current
        # both before and after it was opened (each open is a snapshot of that moment).
        self.location, self.private_graphs = location, private_graphs
        self._mirror, self._mirror_current = None, False
        try:
            self._store = ox.Store.read_only(location)
            folder, stale = Path(location) / MIRROR_FOLDER, Path(location) / STALE_MARK
            if private_graphs and folder.is_dir() and not stale.exists():
                self._mirror = ox.Store.read_only(str(folder))
                self._mirror_current = not stale.exists()
        except OSError as error:
            raise StoreError(f"cannot open the store at {location} to read: {error}") from error


def _open(path: str, private_graphs: frozenset[str]) -> ReadOnlyStore:
    return ReadOnlyStore(path, private_graphs)


def _answer(store, request: QueryRequest) -> bytes:
    return answer_capped(store, request.sparql, form=request.form, media_type=request.media_type,
                         dataset=request.dataset, caps=request.caps)


def worker_main(path: str, connection: Connection, private_graphs: frozenset[str] = frozenset()) -> None:
    """The loop of one worker process: answer requests until the pipe closes or a None comes."""
    store, seen = None, None
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
        try:
            if store is None or request.fingerprint != seen:
                store, seen = _open(path, private_graphs), request.fingerprint
            try:
                body = _answer(store, request)
            except StoreError:  # files moved under an old view (a compaction): once more, fresh
                store = _open(path, private_graphs)
                body = _answer(store, request)
            reply = ("ok", body)
        except ResultTooLarge as error:
            reply = ("too-large", str(error), error.limit)
        except SherlocError as error:
            reply = ("error", type(error).__name__ if type(error).__name__ in _ERRORS else "QueryError", str(error))
        except Exception as error:  # noqa: BLE001 - said to the client as a failed query
            reply = ("error", "QueryError", f"the query failed while running: {error}")
        try:
            connection.send(reply)
        except OSError:
            return


# -- the pool, in the server ------------------------------------------------------------------
class _Worker:
    def __init__(self, context, path: str, private_graphs: frozenset[str]) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(path, child, private_graphs), name="sherloc-query-worker",
                                       daemon=True)
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
    seconds (0: no timeout). Started on the first query; :meth:`close` stops them."""

    def __init__(self, path: str, *, size: int, timeout: int, private_graphs: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.private_graphs = private_graphs
        self.size = size
        self.timeout = timeout
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
            worker = _Worker(self._context, self.path, self.private_graphs)
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

    def run(self, request: QueryRequest) -> bytes:
        """The answer to ``request`` from a worker; QueryTimedOut (and a fresh worker) when it
        takes longer than the timeout, WorkersBusy when no worker frees up in time."""
        self._ensure_started()
        try:
            worker = self._idle.get(timeout=(self.timeout or 0) + STARTUP_GRACE)
        except queue.Empty:
            raise WorkersBusy(f"all {self.size} query workers stayed busy: try again shortly",
                              f"workers={self.size}") from None
        with self._lock:
            self._busy.add(worker)
        try:
            return self._ask(worker, request)
        finally:
            with self._lock:
                self._busy.discard(worker)

    def _ask(self, worker: _Worker, request: QueryRequest) -> bytes:
        try:
            worker.connection.send(request)
            if not worker.connection.poll(self.timeout or None):
                self._replace(worker)
                raise QueryTimedOut(f"the query ran longer than {self.timeout} s, this endpoint's limit "
                                    "(SHERLOC_QUERY_TIMEOUT), and was stopped: make it more selective "
                                    "(bind a subject or a graph, add LIMIT, avoid unbounded paths)",
                                    f"timeout={self.timeout}")
            reply = worker.connection.recv()
        except (EOFError, OSError) as error:
            self._replace(worker)
            raise StoreError(f"the query worker died while running the query: {error}") from error
        self._idle.put(worker)
        kind, *rest = reply
        if kind == "ok":
            return rest[0]
        if kind == "too-large":
            raise ResultTooLarge(rest[0], rest[1])
        raise _ERRORS.get(rest[0], QueryError)(rest[1])

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
