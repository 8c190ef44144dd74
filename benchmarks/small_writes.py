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

- ``query``: a SELECT of the triples of a one-triple graph, the same each time (the baseline: HTTP,
  the token, a read);
- ``query after a write``: the same on a graph just written (a ``PUT``, not timed);
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
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
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
        ("query", lambda s, n: s.query(g("query", 0)), None),
        ("query after a write", lambda s, n: s.query(g("after", n)), lambda s, n: s.put(g("after", n), n)),
        ("put", lambda s, n: s.put(g("put", n), n), None),
        ("put + query", lambda s, n: (s.put(g("putq", n), n), s.query(g("putq", n))), None),
        ("insert data", lambda s, n: s.update(_insert(g("insert", n), n)), None),
        ("delete/insert where", lambda s, n: s.update(_rewrite(g("rewrite", n), n)),
         lambda s, n: s.put(g("rewrite", n), n)),
    ]


def measure(servers: dict[str, Server], repeat: int) -> list[dict]:
    rows = []
    for server in servers.values():
        server.put(GRAPH.format(kind="query", n=0), 0)
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


def phases(location: Path, repeat: int) -> dict[str, float]:
    """Where our write's time goes, in process, on the same store once the server has stopped
    (median ms): a Graph Store write of one triple through the store (``load_graph``: the main
    store, the public mirror, the stale mark), the mirror's flush alone (part of it, done before
    the stale mark goes), the fresh read-only views a query worker opens after any write, and the
    rebuild of the mirror that follows an update that reads."""
    from sherloc_kg.access import mirror_private_graphs
    from sherloc_kg.config import Settings
    from sherloc_kg.iris import Iris
    from sherloc_kg.store.contract import RdfDocument
    from sherloc_kg.store.embedded import EmbeddedStore, ReadOnlyStore

    # opened as open_store opens it (the phases are the embedded store's own steps)
    store = EmbeddedStore(str(location), private_graphs=mirror_private_graphs(Iris(Settings().base)))
    assert store._mirror is not None
    times: dict[str, list[float]] = {"load_graph_ms": [], "mirror_flush_ms": [], "worker_views_ms": [],
                                     "mirror_rebuild_ms": []}

    def timed(name: str, step: Callable[[], object]) -> None:
        started = time.perf_counter()
        step()
        times[name].append((time.perf_counter() - started) * 1000)

    for n in range(repeat):
        graph = GRAPH.format(kind="phase", n=n)
        document = RdfDocument(data=f'<{graph}#s> <http://example.org/bench/p> "{n}" .'.encode(),
                               media_type="text/turtle", base_iri=graph, name="body")
        timed("load_graph_ms", partial(store.load_graph, graph, [document], replace=True))
        for written in (store._store, store._mirror):  # a write to both, as load_graph makes, then the flush alone
            store._update(written, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <http://example.org/bench/q> "{n}" }} }}')
        timed("mirror_flush_ms", store._mirror.flush)
        timed("worker_views_ms", lambda: ReadOnlyStore(str(location), frozenset(store.private_graphs)))
    for _ in range(min(repeat, 5)):
        timed("mirror_rebuild_ms", store._rebuild_mirror)
    store.close()
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/small_writes.json")
    parser.add_argument("--before", type=Path, default=None,
                        help="a result document of this benchmark run on an earlier commit: its ratios beside these")
    parser.add_argument("--before-commit", default="", help="the commit --before was run on (said in the report)")
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
        stop(processes)
        inside = phases(work / "store", args.repeat)
        print(inside, flush=True)
    finally:
        stop(processes)
        shutil.rmtree(work, ignore_errors=True)
    before, before_command = {}, None
    if args.before is not None:
        earlier = json.loads(args.before.read_text(encoding="utf-8"))
        before = {row["operation"]: row["ours_per_oxigraph"] for row in earlier["tables"]["operations"]["rows"]}
        before_command = earlier["command"]
    for row in rows:
        row["before_per_oxigraph"] = before.get(row["operation"])
    publish(document(args, quads, rows, memory, inside, before_command), args.out)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


UNITS = {"ours_ms": "ms", "oxigraph_ms": "ms", "ours_per_oxigraph": "ratio", "before_per_oxigraph": "ratio"}
COLUMNS = [
    {"label": "operation", "cell": "{operation}"},
    {"label": "ours (ms)", "cell": "{ours_ms:.2f}", "align": "right"},
    {"label": "oxigraph serve (ms)", "cell": "{oxigraph_ms:.2f}", "align": "right"},
    {"label": "ours / oxigraph", "cell": "{ours_per_oxigraph:.1f}x", "align": "right"},
    {"label": "before: ours / oxigraph", "cell": "{before_per_oxigraph:.1f}x", "align": "right"},
]
BODY = [
    "Machine: {machine}.\nData: what `sherloc-kg init` loads (the reference graphs and the bundled cases), "
    "{quads} quads, in both servers (ours on disk with its public mirror, `oxigraph serve` on disk).\n"
    "Command: `{command}`.\nMedian wall-clock time of each operation from a client on loopback, over {repeat} "
    "requests after a warm-up, the two servers taking turns request by request, each request on a fresh "
    "one-triple graph outside the SHERLOC graphs (no version log); ours as an admin (a token, verified once "
    "and remembered). Every answer was checked.",
    {"table": "operations"},
    [{"if": "before_commit", "text": "Before: the ratios of `{before_command}` run on commit {before_commit} (the "
      "same operations, measured the same way), when every Graph Store request and SPARQL Update first ran "
      "the inference bookkeeping as an update that reads, which had the public mirror rebuilt from the whole "
      "store."}],
    "Peak resident memory of each server process after the run (VmHWM): ours {ours_peak_rss_mib:.0f} MiB, "
    "oxigraph {oxigraph_peak_rss_mib:.0f} MiB.",
    {"heading": "Where our time goes"},
    "Measured in process on the same store after the servers stopped (median of {repeat}; the rebuild of 5): "
    "a one-triple Graph Store write through the store (`load_graph`: main store, public mirror, stale mark) "
    "{load_graph_ms:.1f} ms, of which the public mirror's flush, done before its stale mark is removed, "
    "{mirror_flush_ms:.1f} ms; the fresh read-only views (store and mirror) a query worker opens before "
    "its first query after any write {worker_views_ms:.1f} ms; the mirror rebuilt from the whole store, as after "
    "every update that reads (WHERE, USING...), {mirror_rebuild_ms:.0f} ms.",
    {"list": "explanation", "item": "- {item}"},
]


EXPLANATION = [
    "The mirror's flush buys the order of a crash: the stale mark goes only once the mirror's copy of the "
    "write is on disk, so a store that comes back without the mark never serves a public mirror behind "
    "its main store (one that would still show a triple the write removed from the public graphs).",
    "The worker views buy queries that a timeout really stops: each query runs in a worker process that "
    "is killed at the timeout (sherloc_kg/query_worker.py), and a read-only view sees the store as of its "
    "opening, so a worker opens fresh views, store and mirror, after each write.",
    "The rebuild buys the mirror's exactness: an update that reads may read a restricted graph to write a "
    "public one, so it cannot be replayed on the mirror, which lacks the restricted graphs; its cost grows "
    "with the store, not the update. A Graph Store request, INSERT DATA, DELETE DATA, DROP and CLEAR are "
    "replayed instead.",
]


def document(args: argparse.Namespace, quads: int, rows: list[dict], memory: dict[str, float],
             inside: dict[str, float], before_command: str | None = None) -> dict:
    """The run's result document (benchmarks/render.py)."""
    return {
        "benchmark": "small_writes",
        "title": "Small writes: ours vs oxigraph serve",
        "command": f"python benchmarks/small_writes.py --repeat {args.repeat}"
                   + (f" --before {args.before.name} --before-commit {args.before_commit}" if args.before else ""),
        "parameters": {"repeat": args.repeat},
        "machine": machine(),
        "notes": {"before_commit": args.before_commit or None, "before_command": before_command},
        "figures": {"quads": quads, **{f"{name}_peak_rss_mib": mib for name, mib in memory.items()}, **inside,
                    "explanation": EXPLANATION},
        "units": {"quads": "quads", **{f"{name}_peak_rss_mib": "MiB" for name in memory},
                  **{name: "ms" for name in inside}},
        "tables": {"operations": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }


if __name__ == "__main__":
    main()
