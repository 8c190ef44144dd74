"""Crash recovery (issue 7): ``kill -9`` of a real ``sherloc-kg serve`` during a load through the API
(``POST /api/records/cases``) leaves the on-disk store at its previous state, and the server starts
again on the same store; after a load that completed, a ``kill -9`` keeps the new state.

The store: ``init --no-data``, a generated synthetic dataset (``generate --register``), its
legislation loaded by the CLI; then the server loads the generated cases through the API (some
575 records, 16k triples: the read and the SHACL gate take seconds, the write a fraction).

The state compared: triples per graph over every graph (an admin's ``/api/stats``), and what the
public reads (the public ``/api/stats`` and a public ``/sparql`` count over the default graph,
both answered from the public mirror, ``public/`` in the store's directory, which a crash during a
write leaves marked stale and the next start rebuilds).

Kill points, each found by bounded polling, never by waiting a fixed time: while the load is
being read and validated (the server's log says it started), and while it is being written (the
mirror's ``public.stale`` mark appears, set just before the store's one write transaction).
Killed while writing, the store may already hold the whole load (the main transaction committed
before the kill, the mirror not yet): either state is right, a mix never is, and the public
mirror must agree with the store either way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Tokens

from .servers import free_port
from .test_cli import EXE, sherloc

COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass
class Prepared:
    store: Path
    cases: Path
    tokens: Path
    editor: dict[str, str]
    admin: dict[str, str]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("crash")
    store = folder / "store"
    sherloc(store, "init", "--no-data")
    sherloc(store, "generate", "--triples", "30000", "--kinds", "legislation,cases", "--out", str(folder / "gen"),
            "--register")
    sherloc(store, "load", "legislation", str(folder / "gen" / "legislation.jsonl"))
    tokens = folder / "tokens.json"
    made = Tokens(tokens)
    editor = {"Authorization": "Bearer " + made.create("editor", name="crash test editor")}
    admin = {"Authorization": "Bearer " + made.create("admin", name="crash test admin")}
    return Prepared(store, folder / "gen" / "cases.jsonl", tokens, editor, admin)


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def start(prepared: Prepared, name: str) -> Server:
    port = free_port()
    log = prepared.store.parent / f"serve-{name}.log"
    env = {**os.environ, "SHERLOC_TOKENS": str(prepared.tokens), "SHERLOC_QUERY_WORKERS": "1"}
    with log.open("wb") as sink:
        process = subprocess.Popen([EXE, "--store", str(prepared.store), "serve", "--port", str(port)],
                                   stdout=sink, stderr=subprocess.STDOUT, env=env)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    for _ in range(600):
        try:
            if httpx.get(server.url + "/api/stats", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        assert process.poll() is None, f"the server did not start:\n{server.log_text()}"
        time.sleep(0.1)
    kill(server)
    raise AssertionError(f"the server did not answer:\n{server.log_text()}")


def kill(server: Server) -> None:
    """SIGKILL the server, then make sure its query workers (children) go too."""
    children = children_of(server.process.pid)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=60)
    for pid in children:
        for _ in range(100):  # orphaned workers see their pipe close and exit
            if not Path(f"/proc/{pid}").exists() or "Z" in (Path(f"/proc/{pid}/stat").read_text().split()[2:3] or [""]):
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)


def stop(server: Server) -> None:
    server.process.terminate()
    server.process.wait(timeout=60)


def state(server: Server, prepared: Prepared) -> dict:
    everything = httpx.get(server.url + "/api/stats", headers=prepared.admin, timeout=120).json()
    public = httpx.get(server.url + "/api/stats", timeout=120).json()
    counted = httpx.get(server.url + "/sparql", params={"query": COUNT_DEFAULT},
                        headers={"Accept": "application/sparql-results+json"}, timeout=120).json()
    return {"graphs": everything["graphs"], "records": everything["records"], "public": public,
            "public_default": int(counted["results"]["bindings"][0]["n"]["value"])}


def post_load(server: Server, prepared: Prepared, outcome: dict) -> threading.Thread:
    def run() -> None:
        try:
            outcome["response"] = httpx.post(server.url + "/api/records/cases", content=prepared.cases.read_bytes(),
                                             params={"filename": "cases.jsonl"}, timeout=600,
                                             headers={"Content-Type": "application/x-ndjson", **prepared.editor})
        except httpx.TransportError as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, name="crash-test-load", daemon=True)
    thread.start()
    return thread


def wait_until(condition, thread: threading.Thread, server: Server, what: str) -> None:
    for _ in range(300_000):  # bounded: some 10 minutes of 2 ms polls at the most
        if condition():
            return
        assert thread.is_alive(), f"the load ended before {what}:\n{server.log_text()[-3000:]}"
        time.sleep(0.002)
    raise AssertionError(f"never saw {what}")


def test_kill_during_api_load_leaves_the_previous_state_and_restarts(prepared: Prepared) -> None:
    server = start(prepared, "first")
    try:
        paths = httpx.get(server.url + "/openapi.json", timeout=60).json()["paths"]
        assert "/api/records/{kind}" in paths, "sherloc-kg serve has no /api/records: api/app.py must include api/records.router"
        before = state(server, prepared)
        assert before["records"]["cases"] == 0 and before["records"]["legislation"] > 0

        # 1. killed while the load is read and validated
        outcome: dict = {}
        thread = post_load(server, prepared, outcome)
        wait_until(lambda: "load cases started" in server.log_text(), thread, server, "the load start")
        kill(server)
        thread.join(timeout=60)
        assert "response" not in outcome, "the load answered before the kill"
        server = start(prepared, "after-kill-reading")
        assert state(server, prepared) == before

        # 2. killed while it is written
        stale = prepared.store / "public.stale"
        assert not stale.exists()
        outcome = {}
        thread = post_load(server, prepared, outcome)
        wait_until(stale.exists, thread, server, "the write start (public.stale)")
        kill(server)
        thread.join(timeout=60)
        server = start(prepared, "after-kill-writing")
        assert not stale.exists(), "the restart did not rebuild the public mirror"
        middle = state(server, prepared)

        # 3. a load that completes, then kill -9: the new state stays
        done = httpx.post(server.url + "/api/records/cases", content=prepared.cases.read_bytes(), timeout=600,
                          params={"filename": "cases.jsonl"},
                          headers={"Content-Type": "application/x-ndjson", **prepared.editor})
        assert done.status_code == 200, done.text
        assert done.json()["records_written"] == done.json()["records_read"] > 500
        after = state(server, prepared)
        assert after["records"]["cases"] == done.json()["records_written"]
        assert after["graphs"]["cases"] > 0 and after["public"]["graphs"]["cases"] == after["graphs"]["cases"]
        kill(server)
        server = start(prepared, "after-kill-done")
        assert state(server, prepared) == after

        # the kill while writing left one of the two states, never a mix
        assert middle in (before, after), "a kill while writing left a partial load"
    finally:
        if server.process.poll() is None:
            stop(server)


def test_kill_during_a_trusted_restore_leaves_the_store_empty_again(prepared: Prepared, tmp_path: Path) -> None:
    """``restore --trusted`` into an empty on-disk store uses the bulk loader, which is not one
    transaction; killed half way, the store may hold part of the dump, and ``restore.incomplete`` says
    so: the next open must empty the store (its state before the restore) instead of serving it."""
    from sherloc_kg.store.embedded import RESTORE_MARK

    dump = tmp_path / "dump.nq"
    sherloc(prepared.store, "export", "--format", "nq", "-o", str(dump))
    body = dump.read_bytes()
    with dump.open("ab") as sink:  # a bigger dump, so that the kill lands inside the load
        for copy in range(1, 6):
            sink.write(body.replace(b"/id/", f"/id/copy{copy}/".encode()))
    target = tmp_path / "target"
    process = subprocess.Popen([EXE, "--store", str(target), "restore", str(dump), "--trusted"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mark = target / RESTORE_MARK
    for _ in range(300_000):  # bounded polling: the mark appears just before the bulk load starts
        if mark.exists() or process.poll() is not None:
            break
        time.sleep(0.002)
    assert process.poll() is None and mark.exists(), "the restore ended before it could be killed"
    time.sleep(0.5)  # into the load
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert mark.exists()
    done = sherloc(target, "stats", "--json")
    assert '"triples": 0' in done.stdout, done.stdout
    assert not mark.exists()
    sherloc(target, "restore", str(dump), "--trusted")  # and a restore then goes through whole
    assert f'"triples": {len(set(dump.read_bytes().splitlines()))}' in sherloc(target, "stats", "--json").stdout
