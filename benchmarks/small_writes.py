"""Small writes over HTTP: our server against raw ``oxigraph serve``, the same requests, in one run
(issue 22, item 3).

1. ours: ``sherloc-kg serve`` (FastAPI + uvicorn over the embedded on-disk Oxigraph store with its
   public mirror), holding what ``sherloc-kg init`` loads (the reference graphs and the bundled
   cases); every request carries an admin token (the Graph Store and SPARQL Update are admin only);
2. ``oxigraph serve`` (read-write, the Oxigraph server from PyPI's ``oxigraph``) over a copy of the
   same quads (``sherloc-kg export``).

Each operation is sent ``--repeat`` times to each server, the servers taking turns request by
request (a busy machine weighs on both alike), each time on a fresh graph
``http://example.org/bench/...`` (not a SHERLOC graph: no version log, as in the W3C suites):

- ``query``: a SELECT of the triples of a one-triple graph (the baseline: HTTP, the token, a read);
- ``put``: a Graph Store ``PUT`` of a one-triple Turtle graph;
- ``put + query``: the two in turn, as a test suite loading a dataset and asking about it does;
- ``insert data``: a SPARQL Update ``INSERT DATA`` of one triple;
- ``delete/insert where``: a SPARQL Update that reads (``DELETE { } INSERT { } WHERE { }`` on one graph).

Every answer is checked (status, and the query's one row). Reported: the median wall-clock time of
each operation on each server, and ours / oxigraph.

Usage: ``python benchmarks/small_writes.py [--repeat 100] [--out benchmarks/results/small_writes.json]``
(the report rendered beside it, small_writes.md)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.endpoint import free_port, peak_rss_mib, wait_until_up  # noqa: E402
from benchmarks.pages import machine  # noqa: E402
from benchmarks.render import publish  # noqa: E402
from sherloc_kg.config import PROJECT_ROOT  # noqa: E402

BIN = Path(sys.executable).parent
GRAPH = "http://example.org/bench/{kind}/{n}"


class Server:
    """One server's endpoints, and the headers its requests carry."""

    def __init__(self, client: httpx.Client, query: str, update: str, store: str, headers: dict[str, str]) -> None:
        self.client, self.query_url, self.update_url, self.store_url = client, query, update, store
        self.headers = headers

    def put(self, graph: str, n: int) -> None:
        body = f'<{graph}#s> <http://example.org/bench/p> "{n}" .\n'.encode()
        answer = self.client.put(self.store_url, params={"graph": graph}, content=body,
                                 headers={**self.headers, "Content-Type": "text/turtle"})
        assert answer.status_code in (201, 204), (answer.status_code, answer.text[:300])

    def query(self, graph: str) -> None:
        answer = self.client.post(self.query_url, data={"query": f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                                  headers={**self.headers, "Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        assert len(answer.json()["results"]["bindings"]) == 1, answer.text[:300]

    def update(self, text: str) -> None:
        answer = self.client.post(self.update_url, data={"update": text}, headers=self.headers)
        assert answer.status_code in (200, 204), (answer.status_code, answer.text[:300])


def _insert(graph: str, n: int) -> str:
    return f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <http://example.org/bench/p> "{n}" }} }}'


def _rewrite(graph: str, n: int) -> str:
    return (f'DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{graph}> {{ ?s ?p "{n}-new" }} }} '
            f'WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}')


def operations() -> list[tuple[str, Callable[[Server, int], None], Callable[[Server, int], None] | None]]:
    """(name, the measured step, a step run before it unmeasured) for each operation."""
    def g(kind: str, n: int) -> str:
        return GRAPH.format(kind=kind, n=n)
    return [
        ("query", lambda s, n: s.query(g("query", n)), lambda s, n: s.put(g("query", n), n)),
        ("put", lambda s, n: s.put(g("put", n), n), None),
        ("put + query", lambda s, n: (s.put(g("putq", n), n), s.query(g("putq", n))), None),
        ("insert data", lambda s, n: s.update(_insert(g("insert", n), n)), None),
        ("delete/insert where", lambda s, n: s.update(_rewrite(g("rewrite", n), n)),
         lambda s, n: s.put(g("rewrite", n), n)),
    ]


def measure(servers: dict[str, Server], repeat: int) -> list[dict]:
    rows = []
    for name, step, setup in operations():
        times: dict[str, list[float]] = {label: [] for label in servers}
        for n in range(-1, repeat):  # n = -1: a warm-up, not counted
            for label, server in servers.items():
                if setup is not None:
                    setup(server, n)
                started = time.perf_counter()
                step(server, n)
                if n >= 0:
                    times[label].append(time.perf_counter() - started)
        ours, oxigraph = (statistics.median(times[label]) for label in ("ours", "oxigraph"))
        rows.append({"operation": name, "ours_ms": ours * 1000, "oxigraph_ms": oxigraph * 1000,
                     "ours_per_oxigraph": ours / oxigraph})
        print(f"{name:22} ours={ours * 1000:8.2f} ms  oxigraph={oxigraph * 1000:8.2f} ms  {ours / oxigraph:6.1f}x",
              flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/small_writes.json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sherloc-bench-small-writes-"))
    processes: list[subprocess.Popen] = []
    env = {**os.environ, "SHERLOC_TOKENS": str(work / "tokens.json")}
    try:
        cli = [str(BIN / "sherloc-kg"), "--store", str(work / "store")]
        subprocess.run(cli + ["init"], check=True, capture_output=True, env=env)
        made = subprocess.run(cli + ["tokens", "create", "--role", "admin", "--name", "bench"], check=True,
                              capture_output=True, text=True, env=env)
        token = made.stdout.strip().splitlines()[-1]
        dump = work / "all.nq"
        subprocess.run(cli + ["export", "--format", "nq", "-o", str(dump)], check=True, capture_output=True, env=env)
        quads = sum(1 for _ in dump.open(encoding="utf-8"))
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / "oxigraph"), "--file", str(dump)],
                       check=True, capture_output=True)
        ports = {"ours": free_port(), "oxigraph": free_port()}
        commands = {
            "ours": cli + ["serve", "--port", str(ports["ours"])],
            "oxigraph": [str(BIN / "oxigraph"), "serve", "--location", str(work / "oxigraph"),
                         "--bind", f"127.0.0.1:{ports['oxigraph']}"],
        }
        ups = {"ours": f"http://127.0.0.1:{ports['ours']}/sparql?query=ASK%7B%7D",
               "oxigraph": f"http://127.0.0.1:{ports['oxigraph']}/query?query=ASK%7B%7D"}
        pids = {}
        for name, command in commands.items():
            log = work / f"{name}.log"
            with log.open("wb") as sink:
                process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
            processes.append(process)
            pids[name] = process.pid
            wait_until_up(ups[name], process, log)
        with httpx.Client(timeout=600) as client:
            ours_url, oxigraph_url = (f"http://127.0.0.1:{ports[name]}" for name in ("ours", "oxigraph"))
            servers = {
                "ours": Server(client, f"{ours_url}/sparql", f"{ours_url}/sparql", f"{ours_url}/rdf-graph-store",
                               {"Authorization": f"Bearer {token}"}),
                "oxigraph": Server(client, f"{oxigraph_url}/query", f"{oxigraph_url}/update",
                                   f"{oxigraph_url}/store", {}),
            }
            rows = measure(servers, args.repeat)
        memory = {name: peak_rss_mib(pid) for name, pid in pids.items()}
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
    publish(document(args, quads, rows, memory), args.out)


UNITS = {"ours_ms": "ms", "oxigraph_ms": "ms", "ours_per_oxigraph": "ratio"}
COLUMNS = [
    {"label": "operation", "cell": "{operation}"},
    {"label": "ours (ms)", "cell": "{ours_ms:.2f}", "align": "right"},
    {"label": "oxigraph serve (ms)", "cell": "{oxigraph_ms:.2f}", "align": "right"},
    {"label": "ours / oxigraph", "cell": "{ours_per_oxigraph:.1f}x", "align": "right"},
]
BODY = [
    "Machine: {machine}.\nData: what `sherloc-kg init` loads (the reference graphs and the bundled cases), "
    "{quads} quads, in both servers (ours on disk with its public mirror, `oxigraph serve` on disk).\n"
    "Command: `{command}`.\nMedian wall-clock time of each operation from a client on loopback, over {repeat} "
    "requests after a warm-up, the two servers taking turns request by request, each request on a fresh "
    "one-triple graph outside the SHERLOC graphs (no version log); ours as an admin (a token, verified once "
    "and remembered). Every answer was checked.",
    {"table": "operations"},
    "Peak resident memory of each server process after the run (VmHWM): ours {ours_peak_rss_mib:.0f} MiB, "
    "oxigraph {oxigraph_peak_rss_mib:.0f} MiB.",
]


def document(args: argparse.Namespace, quads: int, rows: list[dict], memory: dict[str, float]) -> dict:
    """The run's result document (benchmarks/render.py)."""
    return {
        "benchmark": "small_writes",
        "title": "Small writes: ours vs oxigraph serve",
        "command": f"python benchmarks/small_writes.py --repeat {args.repeat}",
        "parameters": {"repeat": args.repeat},
        "machine": machine(),
        "notes": {},
        "figures": {"quads": quads, **{f"{name}_peak_rss_mib": mib for name, mib in memory.items()}},
        "units": {"quads": "quads", **{f"{name}_peak_rss_mib": "MiB" for name in memory}},
        "tables": {"operations": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }


if __name__ == "__main__":
    main()
