"""Real HTTP servers for tests: an application served by uvicorn on a free loopback port, in a
thread of the test process (so a test can still reach into the store it serves); or a real
``sherloc-kg serve`` process (its query workers, its signals), started and stopped in one way."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn


#: How long a test waits for a test server's answer: an upper bound, never an expectation. httpx's
#: default (5 s) is not one: Virtuoso 7.2 planned a resource's description over the public graphs in
#: 0.02 s in one server and in 10 s in another holding the same data (CI failed on that).
PATIENCE = 120.0


def fetch(url: str, **kwargs) -> httpx.Response:
    """``httpx.get`` waiting up to :data:`PATIENCE` unless told otherwise."""
    kwargs.setdefault("timeout", PATIENCE)
    return httpx.get(url, **kwargs)


def fetch_head(url: str, **kwargs) -> httpx.Response:
    """``httpx.head`` waiting up to :data:`PATIENCE` unless told otherwise."""
    kwargs.setdefault("timeout", PATIENCE)
    return httpx.head(url, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            if not thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on port {port}")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def stop(process: subprocess.Popen) -> None:
    """Stop a server process: SIGTERM, a minute to exit, then SIGKILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answering(process: subprocess.Popen, url: str, log: Path, bound: float = 300) -> None:
    """Wait until ``url`` (a SPARQL endpoint) answers ``ASK {}``; fail with the end of ``log`` if the
    process exits first, or after ``bound`` seconds (an upper bound, never an expectation)."""
    deadline = time.monotonic() + bound
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {bound} s:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)


@dataclass
class Served:
    """A ``sherloc-kg serve`` process: its base URL and its log."""

    process: subprocess.Popen
    url: str
    log: Path


def serve_process(folder: Path, store: str | Path, *, env: dict[str, str] | None = None,
                  args: Sequence[str] = (), bound: float = 300) -> Served:
    """Start ``sherloc-kg --store STORE serve ARGS`` on a free loopback port with ``env`` added to
    the environment, its output in ``FOLDER/serve.log``; return once it answers. :func:`stop` it."""
    from .test_cli import EXE

    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([EXE, "--store", str(store), "serve", *args, "--port", str(port)],
                                   stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        answering(process, url + "/sparql", log, bound)
    except BaseException:
        stop(process)
        raise
    return Served(process, url, log)
