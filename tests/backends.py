"""The store backends the contract suite runs against, each a real store: embedded Oxigraph (in
memory and on disk), a real ``oxigraph serve`` process and a real Virtuoso 7 (``virtuoso-t``),
each server started on free loopback ports with a temporary database and stopped afterwards.

A server is started once per test session; each test gets it emptied. A server whose program is
not installed is skipped with the reason (``.ci/run`` installs both).
"""

from __future__ import annotations

import os
import re
import secrets
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sherloc_kg.config import DEFAULT_BASE, Settings
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.remote import RemoteStore
from sherloc_kg.store.servers import OxigraphServer

from .servers import answering, free_port, stop

REPO = Path(__file__).resolve().parents[1]
OXIGRAPH = shutil.which("oxigraph") or str(REPO / ".venv" / "bin" / "oxigraph")
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
VIRTUOSO_ROOT = Path("/var/lib/virtuoso-opensource-7/vsp")


def missing(reason: str) -> None:
    """A server the suite needs is not installed: skipped on a developer's machine, a failure in
    CI (``CI`` set), where ``.ci/run`` installs it, so CI never passes by skipping."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run should have installed it")
    pytest.skip(reason)


@contextmanager
def oxigraph_server(directory: Path) -> Iterator[Settings]:
    """``oxigraph serve`` on a free port over a database in ``directory``."""
    if not Path(OXIGRAPH).exists():
        missing("the oxigraph server (PyPI package 'oxigraph') is not installed")
    port = free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(directory / "db"),
                                    "--bind", f"127.0.0.1:{port}"], stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/query"
        answering(process, url, log)
        yield Settings(store=url, base=DEFAULT_BASE, home=REPO)
    finally:
        stop(process)


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = {max_seconds}
"""


class IsqlSession:
    """An interactive ``isql`` connection to a Virtuoso started by :func:`virtuoso_process` in
    ``directory``: another client of the same database, with transactions of its own. It logs in
    with Virtuoso's initial password, so it is opened before that password is replaced."""

    def __init__(self, directory: Path) -> None:
        port = re.search(r"\[Parameters\]\s*ServerPort = 127\.0\.0\.1:(\d+)", (directory / "virtuoso.ini").read_text())
        assert port and ISQL is not None
        self.process = subprocess.Popen([ISQL, f"127.0.0.1:{port.group(1)}", "dba", "dba"], cwd=directory,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._marks = 0
        self.run("")

    def run(self, statement: str) -> str:
        """Send one statement; isql's answer, read up to a marker selected after it (some isql
        commands print nothing). A statement isql reports an error for fails the test."""
        assert self.process.stdin
        self._marks += 1
        mark = f"isql-mark-{self._marks}"
        self.process.stdin.write(f"{statement}\nSELECT '{mark}';\n".encode())
        self.process.stdin.flush()
        answer = self._read_until(mark.encode())
        assert "*** Error" not in answer, f"isql: {statement}: {answer}"
        return answer

    def _read_until(self, mark: bytes, seconds: float = 300.0) -> str:
        assert self.process.stdout
        stream = self.process.stdout.fileno()
        seen = b""
        deadline = time.monotonic() + seconds
        while mark not in seen.replace(b"'" + mark, b""):  # the echo of the SELECT is not the answer
            ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"isql said nothing for {seconds} s: {seen.decode(errors='replace')}"
            piece = os.read(stream, 65536)
            assert piece, f"isql ended: {seen.decode(errors='replace')}"
            seen += piece
        return seen.decode(errors="replace")

    def close(self) -> None:
        if self.process.poll() is None and self.process.stdin:
            self.process.stdin.write(b"EXIT;\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


@contextmanager
def virtuoso_process(directory: Path, *, max_seconds: int = 120) -> Iterator[tuple[Settings, IsqlSession]]:
    """Virtuoso 7 on free ports over a fresh database in ``directory``, and an isql session to it.
    The ``dba`` password is replaced by a random one through that session (on isql's standard
    input, never on a command line). ``max_seconds`` is its [SPARQL] MaxQueryExecutionTime, which
    also bounds how long a request waits for a lock."""
    if VIRTUOSO is None or ISQL is None:
        missing("Virtuoso 7 is not installed (Debian: apt-get install virtuoso-opensource)")
    http_port, isql_port = free_port(), free_port()
    root = VIRTUOSO_ROOT if VIRTUOSO_ROOT.is_dir() else directory
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, isql_port=isql_port, http_port=http_port, root=root,
                                       max_seconds=max_seconds))
    log = directory / "virtuoso.out"
    with log.open("wb") as sink:
        process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=directory,
                                   stdout=sink, stderr=subprocess.STDOUT)
    session = None
    try:
        url = f"http://127.0.0.1:{http_port}/sparql"
        answering(process, url, log)
        session = IsqlSession(directory)
        password = secrets.token_urlsafe(16)
        session.run(f"USER_SET_PASSWORD('dba', '{password}');")
        yield Settings(store=url, base=DEFAULT_BASE, home=REPO, store_user="dba", store_password=password), session
    finally:
        if session is not None:
            session.close()
        stop(process)


@contextmanager
def virtuoso_server(directory: Path) -> Iterator[Settings]:
    """Virtuoso 7 as :func:`virtuoso_process` starts it, for HTTP clients only."""
    with virtuoso_process(directory) as (settings, session):
        session.close()
        yield settings


def empty(store: RemoteStore) -> None:
    """Drop every graph the store shows, and any staging graph a failed write left behind."""
    rows = store._select_rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
    leftovers = [str(r["g"]) for r in rows if str(r["g"]).startswith("urn:sherloc:staging:")]
    graphs = store.graphs() + leftovers
    if graphs:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    if store.server.has_default_graph:
        store.update("DROP SILENT DEFAULT")


@pytest.fixture(scope="session")
def oxigraph_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as settings:
        yield settings


@pytest.fixture(scope="session")
def virtuoso_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as settings:
        yield settings


#: "oxigraph-large-writes": the same ``oxigraph serve``, its request limit taken as 1 kB, so that
#: every write with triples takes the path of a write over its real limit (128 MiB): triples to
#: staging graphs by the Graph Store Protocol, then one update request (``_write_through_staging``).
BACKENDS = ["memory", "disk", "oxigraph", "oxigraph-large-writes", "virtuoso"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty store of each backend."""
    if request.param in ("memory", "disk"):
        store = EmbeddedStore(None if request.param == "memory" else tmp_path / "store")
    elif request.param == "oxigraph-large-writes":
        store = RemoteStore(request.getfixturevalue("oxigraph_settings"),
                            server=OxigraphServer(max_request_bytes=1_000))
        empty(store)
    else:
        settings = request.getfixturevalue(f"{request.param}_settings")
        store = RemoteStore(settings)
        empty(store)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def remote_backend(request: pytest.FixtureRequest):
    """Marker for tests that want only the servers: parametrise with indirect=True."""
    settings = request.getfixturevalue(f"{request.param}_settings")
    store = RemoteStore(settings)
    empty(store)
    try:
        yield store
    finally:
        store.close()


__all__ = ["backend", "oxigraph_settings", "virtuoso_settings", "remote_backend", "empty"]
