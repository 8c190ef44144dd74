"""Faults of the remote store, each against real processes (no mocks): the server is down at
start, goes down (``kill -9``) in the middle of a load, is not a SPARQL endpoint at all, or rejects
a query the embedded store accepts. Each time the user gets one line naming the server and the
cause, a non-zero exit, never a traceback; and a load cut short leaves the previous state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sherloc_kg.config import Settings

from . import backends
from .backends import virtuoso_settings  # noqa: F401  (fixture)
from .servers import free_port
from .test_cli import BUNDLED, many_cases

EXE = str(Path(sys.executable).with_name("sherloc-kg"))


def sherloc(store: str, *args: str, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, "--store", store, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def failed_cleanly(done: subprocess.CompletedProcess, *names: str) -> None:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    for name in names:
        assert name in done.stderr, done.stderr


# (a) the server is down at start ---------------------------------------------------------------

def test_a_server_that_is_down_at_start_is_named() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    for command in (["stats"], ["stats", "--json"], ["query", "cases-by-country"], ["serve"]):
        done = sherloc(url, *command, timeout=120)
        failed_cleanly(done, url, "cannot reach")
        assert done.returncode == 1, command


# (b) the server goes down in the middle of a load -----------------------------------------------

class OxigraphProcess:
    """``oxigraph serve`` over ``directory/db``, started with the program tests.backends uses; can be
    killed with SIGKILL and started again over the same database."""

    def __init__(self, directory: Path) -> None:
        if not Path(backends.OXIGRAPH).exists():
            backends.missing("the oxigraph server (PyPI package 'oxigraph') is not installed")
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> str:
        port = free_port()
        log = self.directory / "oxigraph.log"
        with log.open("ab") as sink:
            self.process = subprocess.Popen([backends.OXIGRAPH, "serve", "--location", str(self.directory / "db"),
                                             "--bind", f"127.0.0.1:{port}"], stdout=sink, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}/query"
        backends._wait_until_answering(self.url, self.process, log)
        return self.url

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            backends._stop(self.process)


def stats(url: str) -> dict:
    done = sherloc(url, "stats", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_kill_9_of_the_server_during_a_load_leaves_the_previous_state(tmp_path: Path) -> None:
    """Load the reference data and the bundled cases into a real ``oxigraph serve``; then, for a few
    delays after the load's "write: started" line, kill -9 the server while a bigger load writes,
    restart it over the same database, and check the store: exactly the previous state (or, if the
    kill came after the commit, exactly the complete load), never a part."""
    server = OxigraphProcess(tmp_path)
    try:
        url = server.start()
        assert sherloc(url, "init", "--no-data").returncode == 0
        done = sherloc(url, "load", "cases", str(BUNDLED))
        assert done.returncode == 0, done.stderr
        before = stats(url)
        assert before["records"]["cases"] == 1164
        big = many_cases(tmp_path / "big.jsonl", 2000)

        outcomes = []
        for delay in (0.0, 0.05, 0.2, 0.5, 1.0):
            process = subprocess.Popen([EXE, "--store", url, "load", "cases", str(big)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            assert process.stderr is not None
            for line in process.stderr:
                if line.startswith("write: started"):
                    break
            time.sleep(delay)
            loading = process.poll() is None
            server.kill()
            error = process.stderr.read()
            process.wait(timeout=300)
            process.stderr.close()
            url = server.start()
            state = stats(url)
            whole = state["records"]["cases"] == 1164 + 2000
            if not whole:
                assert state["graphs"] == before["graphs"], delay
                assert state["records"] == before["records"], delay
                assert state["triples"] == before["triples"], delay
            if loading and not whole:
                # the load was cut in its write: it failed, in one line naming the server
                assert process.returncode == 1, (delay, error)
                assert "Traceback" not in error, error
                assert "127.0.0.1:" in error and ("cannot reach" in error or "oxigraph" in error.lower()), error
                assert "write: started" not in error.splitlines()[-1], error
            outcomes.append((delay, loading, whole, process.returncode))
            if whole:  # the load committed before the kill: start again from the previous state
                break
        assert any(o[1] and not o[2] for o in outcomes), f"no kill landed during the write: {outcomes}"
    finally:
        server.stop()


# (c) the server answers with an error page --------------------------------------------------------

NOT_SPARQL = textwrap.dedent("""
    import sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Page(BaseHTTPRequestHandler):
        def answer(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"
            self.send_response(int(sys.argv[2]))
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        do_GET = do_POST = answer
        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", int(sys.argv[1])), Page).serve_forever()
""")


@pytest.mark.parametrize("status", [200, 500])
def test_a_server_that_answers_html_pages_is_named_with_the_cause(tmp_path: Path, status: int) -> None:
    script = tmp_path / "not_sparql.py"
    script.write_text(NOT_SPARQL)
    port = free_port()
    process = subprocess.Popen([sys.executable, str(script), str(port), str(status)])
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        backends_wait_for_http(url, process)
        for command in (["stats"], ["query", "cases-by-country"]):
            done = sherloc(url, *command)
            failed_cleanly(done, url)
            if status == 200:
                assert "do not parse" in done.stderr and "error page" in done.stderr, done.stderr
            else:
                assert "HTTP 500" in done.stderr and "Welcome to nginx" in done.stderr, done.stderr
    finally:
        backends._stop(process)


def test_a_plain_file_server_is_named_with_its_status(tmp_path: Path) -> None:
    """``python -m http.server``: GET /query is a 404 page, POST is refused with 501."""
    (tmp_path / "index.html").write_text("<html>hello</html>")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        backends_wait_for_http(f"http://127.0.0.1:{port}/", process)
        missing = f"http://127.0.0.1:{port}/query"
        done = sherloc(missing, "stats")
        failed_cleanly(done, missing, "does not answer SPARQL queries", "HTTP 404")
        page = f"http://127.0.0.1:{port}/index.html"
        done = sherloc(page, "query", "cases-by-country")
        failed_cleanly(done, page, "HTTP 501")
    finally:
        backends._stop(process)


def backends_wait_for_http(url: str, process: subprocess.Popen) -> None:
    import httpx
    for _ in range(300):
        assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


# (d) a query the embedded store accepts and the server rejects -----------------------------------

SECOND_BASE = "BASE <http://a.example/> BASE <http://b.example/> SELECT * WHERE { ?s ?p ?o } LIMIT 1\n"


def test_a_query_virtuoso_rejects_gives_virtuoso_s_own_error(tmp_path: Path, virtuoso_settings: Settings) -> None:
    """SPARQL 1.1 allows any number of BASE declarations in a prologue; Virtuoso 7 refuses a second
    one with a syntax error (SP030). The embedded store runs the query; against Virtuoso the user
    gets one line naming the server and Virtuoso's own error text."""
    query = tmp_path / "second-base.rq"
    query.write_text(SECOND_BASE)
    embedded = sherloc("memory", "query", str(query))
    assert embedded.returncode == 0, embedded.stderr
    url = virtuoso_settings.store
    done = sherloc(url, "query", str(query), env={"SHERLOC_STORE_USER": virtuoso_settings.store_user or "",
                                                  "SHERLOC_STORE_PASSWORD": virtuoso_settings.store_password or ""})
    failed_cleanly(done, url, "Virtuoso", "SP030", "syntax error at 'BASE'")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
