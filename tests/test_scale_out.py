"""Scaling out: several web server processes over one SPARQL server (README "Scaling out").

``sherloc-kg serve --workers 2`` over a real ``oxigraph serve``: both worker processes answer, and
a load made by another process (the CLI) is seen by every worker at once, since no worker keeps
state of its own. With the embedded store, more than one worker is refused.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .backends import oxigraph_server
from .servers import answering, free_port, stop
from .test_cli import BUNDLED, EXE, sherloc


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """(web URL, store URL, server log) of ``serve --workers 2`` over an initialised oxigraph server."""
    directory = tmp_path_factory.mktemp("scale-out")
    with oxigraph_server(directory) as settings:
        sherloc(settings.store, "init", "--no-data")
        port = free_port()
        log = directory / "serve.log"
        with log.open("wb") as sink:
            process = subprocess.Popen([EXE, "--store", settings.store, "serve", "--port", str(port), "--workers", "2"],
                                       stdout=sink, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            answering(process, url + "/sparql", log)
            for _ in range(600):  # the first worker answers; wait (bounded) for the second one too
                if log.read_text(errors="replace").count("Application startup complete") >= 2:
                    break
                time.sleep(0.1)
            yield url, settings.store, log
        finally:
            stop(process)


def test_two_worker_processes_serve_one_store_and_see_each_others_writes(two_workers: tuple[str, str, Path]) -> None:
    url, store, log = two_workers
    started = set(re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace")))
    assert len(started) == 2, log.read_text(errors="replace")
    with httpx.Client() as client:
        before = {client.get(url + "/api/stats").json()["records"]["cases"] for _ in range(8)}
        assert before == {0}
        sherloc(store, "load", "cases", str(BUNDLED))
        # Fresh connections, so the kernel spreads them over both workers: every one sees the load.
        after = [httpx.get(url + "/api/stats").json()["records"]["cases"] for _ in range(8)]
    assert after == [1164] * 8


def test_more_than_one_worker_on_the_embedded_store_is_refused(tmp_path: Path) -> None:
    done = sherloc(tmp_path / "store", "serve", "--workers", "2", check=2)
    assert "--workers 2 needs a remote store" in done.stderr and "sherloc-kg migrate" in done.stderr
