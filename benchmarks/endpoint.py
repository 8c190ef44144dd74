"""SPARQL over HTTP, three servers on the same data, in one run:

1. our ``/sparql`` (``sherloc-kg serve``: FastAPI + uvicorn over the embedded Oxigraph store, with
   the caller's dataset confinement and content negotiation on every request);
2. raw ``oxigraph serve-read-only`` (the Oxigraph server from PyPI's ``oxigraph``) over a copy of
   the same public graphs, union default graph;
3. ``rdflib-endpoint`` over the same N-Quads in an rdflib Dataset (rdflib's own SPARQL engine).

The queries are the headline questions of the named query library (``sparql/*.rq``); parameters
are given as a trailing ``VALUES`` clause so all three servers get the very same text. Each server
must return the same number of rows for each query, or the run fails. Median latency per query
and server, and the ratios, go to ``benchmarks/results/endpoint.json`` (the report rendered beside
it, endpoint.md).

With ``--triples N`` the data is a synthetic set of about N triples (``sherloc-kg generate``,
fictional States only) loaded through the pipeline instead of the bundled cases, and the
country-parametrised queries ask about the State with the most cases; the result goes to
``benchmarks/results/endpoint-{N}.json``.

Usage: ``python benchmarks/endpoint.py [--repeat 15] [--triples N] [--out FILE]``
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.render import publish  # noqa: E402
from sherloc_kg.config import PROJECT_ROOT, Settings  # noqa: E402
from sherloc_kg.generate import FILES, LOAD_ORDER  # noqa: E402
from sherloc_kg.iris import Iris  # noqa: E402
from sherloc_kg.queries import QueryLibrary  # noqa: E402
from sherloc_kg.store.terms import sparql_term  # noqa: E402

BIN = Path(sys.executable).parent
#: (named query, parameters as the CLI takes them). The join queries are the ones marked "join".
HEADLINE = [
    ("cases-by-country", {}, "aggregate"),
    ("cases-by-year-and-crime-type", {"country": "BRA"}, "join"),
    ("cases-of-country", {"country": "BRA"}, "join"),
    ("crime-type-trend", {"crimeType": "trafficking-in-persons"}, "join"),
    ("provision", {"provision": "untoc/art/5"}, "lookup"),
    ("instrument-articles", {"instrument": "tip"}, "lookup"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_values(text: str, bindings: dict) -> str:
    """The query with its parameters as a trailing VALUES clause (standard SPARQL 1.1)."""
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(sparql_term(term) for term in bindings.values())
    return f"{text}\nVALUES ({names}) {{ ({values}) }}"


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"server for {url} exited:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"server for {url} did not start")


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rows(response: httpx.Response) -> int:
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def measure(client: httpx.Client, url: str, query: str, repeat: int, method: str) -> tuple[float, int]:
    headers = {"Accept": "application/sparql-results+json"}

    def once() -> httpx.Response:
        if method == "GET":
            return client.get(url, params={"query": query}, headers=headers)
        return client.post(url, data={"query": query}, headers=headers)

    count = rows(once())  # warm-up, and the row count to compare
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = once()
        times.append(time.perf_counter() - started)
        assert rows(answer) == count
    return statistics.median(times), count


def serve_rdflib(nquads: str, port: int) -> None:
    """Entry point of the rdflib-endpoint server process."""
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    uvicorn.run(SparqlEndpoint(graph=dataset), host="127.0.0.1", port=port, log_level="warning")


def run_measured(command: list[str]) -> int:
    """Run ``command`` (it must succeed); its peak resident memory in KiB (``wait4``'s rusage)."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)}: exit {process.returncode}: {errors.read()[-2000:].decode(errors='replace')}")
    return usage.ru_maxrss


def pieces(path: Path, records: int | None) -> list[Path]:
    """``path`` itself, or, for JSON Lines of more than ``records`` records, files of at most that
    many beside it (``cases.jsonl`` → ``cases.part-0001.jsonl``, ...), in the file's order."""
    if records is None or path.suffix != ".jsonl":
        return [path]
    with path.open(encoding="utf-8") as lines:
        kept = [line for line in lines if line.strip() and not line.startswith("#")]
    if len(kept) <= records:
        return [path]
    parts = []
    for number, start in enumerate(range(0, len(kept), records), 1):
        part = path.with_name(f"{path.stem}.part-{number:04d}{path.suffix}")
        part.write_text("".join(kept[start:start + records]), encoding="utf-8")
        parts.append(part)
    return parts


def load_synthetic(cli: list[str], directory: Path, triples: int, peaks: dict[str, int] | None = None,
                   piece_records: int | None = None) -> str:
    """Generate about ``triples`` record triples and load them kind by kind through the pipeline
    into the store ``cli`` names; the code of the State with the most cases. ``peaks``, if given,
    gets each kind's peak resident memory (KiB, its largest load). ``piece_records``: load a file
    of more records than that in pieces of that many, one ``load`` (one transaction) each, as an
    operator would load a very large set (a load holds its whole file in memory)."""
    subprocess.run(cli + ["init", "--no-data", "--with-examples"], check=True, capture_output=True)
    subprocess.run(cli + ["generate", "--triples", str(triples), "--seed", "1", "--out", str(directory), "--register"],
                   check=True, capture_output=True)
    for kind in LOAD_ORDER:
        for piece in pieces(directory / FILES[kind], piece_records):
            print(f"loading {kind} ({piece.name})", flush=True)
            peak = run_measured(cli + ["load", kind, str(piece)])
            if peaks is not None:
                peaks[kind] = max(peak, peaks.get(kind, 0))
    with (directory / FILES["cases"]).open(encoding="utf-8") as lines:
        per_country = collections.Counter(json.loads(line).get("country") for line in lines if line.strip() and not line.startswith("#"))
    return per_country.most_common(1)[0][0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rdflib-repeat", type=int, default=3)
    parser.add_argument("--triples", type=int, default=0,
                        help="use a synthetic set of about N triples (sherloc-kg generate) instead of the bundled cases")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.out is None:
        name = f"endpoint-{args.triples}.json" if args.triples else "endpoint.json"
        args.out = PROJECT_ROOT / "benchmarks/results" / name

    iris = Iris(Settings().base)
    library = QueryLibrary(PROJECT_ROOT / "sparql")
    work = Path(tempfile.mkdtemp(prefix="sherloc-bench-endpoint-"))
    processes: list[subprocess.Popen] = []
    try:
        store = work / "store"
        dump = work / "public.nq"
        cli = [str(BIN / "sherloc-kg"), "--store", str(store)]
        country, described = "BRA", f"the reference graphs and the {1164} bundled real SHERLOC cases"
        if args.triples:
            country = load_synthetic(cli, work / "synthetic", args.triples)
            described = (f"a synthetic set of about {args.triples} record triples (`sherloc-kg generate --triples "
                         f"{args.triples} --seed 1`, fictional States) loaded through the pipeline, with the "
                         f"reference graphs; country queries ask about {country}, the State with the most cases")
        else:
            subprocess.run(cli + ["init"], check=True, capture_output=True)
        subprocess.run(cli + ["export", "--public", "--format", "nq", "-o", str(dump)], check=True, capture_output=True)
        triples = sum(1 for _ in dump.open(encoding="utf-8"))
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / "oxigraph"), "--file", str(dump)],
                       check=True, capture_output=True)

        ports = {name: free_port() for name in ("ours", "oxigraph", "rdflib")}
        commands = {
            "ours": cli + ["serve", "--port", str(ports["ours"])],
            "oxigraph": [str(BIN / "oxigraph"), "serve-read-only", "--location", str(work / "oxigraph"),
                         "--bind", f"127.0.0.1:{ports['oxigraph']}", "--union-default-graph"],
            "rdflib": [sys.executable, __file__, "--serve-rdflib", str(dump), str(ports["rdflib"])],
        }
        urls = {"ours": f"http://127.0.0.1:{ports['ours']}/sparql",
                "oxigraph": f"http://127.0.0.1:{ports['oxigraph']}/query",
                "rdflib": f"http://127.0.0.1:{ports['rdflib']}/"}
        pids = {}
        for name, command in commands.items():
            log = work / f"{name}.log"
            with log.open("wb") as sink:
                process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
            processes.append(process)
            pids[name] = process.pid
            wait_until_up(urls[name].rstrip("/") + ("?query=ASK%7B%7D" if name != "ours" else "?query=ASK%7B%7D"),
                          process, log)

        table = []
        with httpx.Client(timeout=600) as client:
            for name, params, kind in HEADLINE:
                named = library.get(name)
                params = {k: (country if k == "country" else v) for k, v in params.items()}
                query = with_values(named.text, named.bindings(params, iris))
                ours, n_ours = measure(client, urls["ours"], query, args.repeat, "GET")
                oxi, n_oxi = measure(client, urls["oxigraph"], query, args.repeat, "GET")
                rdf, n_rdf = measure(client, urls["rdflib"], query, args.rdflib_repeat, "POST")
                if not n_ours == n_oxi == n_rdf:
                    raise SystemExit(f"{name}: the servers disagree on the rows: ours {n_ours}, "
                                     f"oxigraph {n_oxi}, rdflib {n_rdf}")
                table.append((name, kind, n_ours, ours, oxi, rdf))
                print(f"{name:32} {kind:9} rows={n_ours:5} ours={ours*1000:8.2f} ms  oxigraph={oxi*1000:8.2f} ms  "
                      f"rdflib={rdf*1000:9.1f} ms", flush=True)
        memory = {name: peak_rss_mib(pid) for name, pid in pids.items()}
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)

    publish(document(args, described, triples, table, memory), args.out)


UNITS = {"rows": "rows", "ours_ms": "ms", "oxigraph_ms": "ms", "rdflib_ms": "ms", "ours_per_oxigraph": "ratio",
         "rdflib_per_ours": "ratio"}
COLUMNS = [
    {"label": "query", "cell": "{query}"},
    {"label": "kind", "cell": "{kind}"},
    {"label": "rows", "cell": "{rows}", "align": "right"},
    {"label": "ours (ms)", "cell": "{ours_ms:.2f}", "align": "right"},
    {"label": "oxigraph serve (ms)", "cell": "{oxigraph_ms:.2f}", "align": "right"},
    {"label": "rdflib-endpoint (ms)", "cell": "{rdflib_ms:.1f}", "align": "right"},
    {"label": "ours / oxigraph", "cell": "{ours_per_oxigraph:.2f}x", "align": "right", "chart": "ours_per_oxigraph",
     "goal": 1.5},
    {"label": "rdflib / ours", "cell": "{rdflib_per_ours:.0f}x", "align": "right", "chart": "rdflib_per_ours",
     "goal": 50.0},
]
BODY = [
    "Machine: {machine}.\nData: {data}; public graphs only: {quads} quads, the same N-Quads in all three servers.\n"
    "Command: `{command}` (also `make bench`).\nMedian wall-clock latency of one HTTP request from a client on "
    "loopback (SPARQL JSON results), over {repeat} requests after a warm-up ({rdflib_repeat} for rdflib-endpoint). "
    "Every server returned the same number of rows for every query.",
    {"table": "queries"},
    "Peak resident memory of each server process after the run (VmHWM): ours {ours_peak_rss_mib:.0f} MiB, "
    "oxigraph {oxigraph_peak_rss_mib:.0f} MiB, rdflib {rdflib_peak_rss_mib:.0f} MiB.",
]


def document(args: argparse.Namespace, described: str, quads: int, table: list[tuple],
             memory: dict[str, float]) -> dict:
    """The run's result document (benchmarks/render.py); times in ``table`` in seconds."""
    return {
        "benchmark": "endpoint",
        "title": "SPARQL endpoint: ours vs raw Oxigraph server vs rdflib-endpoint",
        "command": f"{Path(sys.executable).name} benchmarks/endpoint.py --repeat {args.repeat} "
                   f"--rdflib-repeat {args.rdflib_repeat}" + (f" --triples {args.triples}" if args.triples else ""),
        "parameters": {"repeat": args.repeat, "rdflib_repeat": args.rdflib_repeat, "triples": args.triples},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"{platform.system()} {platform.release()}",
        "notes": {"data": described},
        "figures": {"quads": quads, **{f"{name}_peak_rss_mib": mib for name, mib in memory.items()}},
        "units": {"quads": "quads", **{f"{name}_peak_rss_mib": "MiB" for name in memory}},
        "tables": {"queries": {"units": UNITS, "columns": COLUMNS, "rows": [
            {"query": name, "kind": kind, "rows": count, "ours_ms": ours * 1000, "oxigraph_ms": oxi * 1000,
             "rdflib_ms": rdf * 1000, "ours_per_oxigraph": ours / oxi, "rdflib_per_ours": rdf / ours}
            for name, kind, count, ours, oxi, rdf in table]}},
        "body": BODY,
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-rdflib":
        serve_rdflib(sys.argv[2], int(sys.argv[3]))
    else:
        main()
