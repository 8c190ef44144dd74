"""The store backends side by side, in one run: embedded in-memory, embedded on disk, a real
``oxigraph serve`` and a real Virtuoso 7 (each server started on free loopback ports over a
temporary database by the same code as the test suite, ``tests/backends.py``).

For each backend: the reference graphs (``install_reference``), then ingest throughput (every data
file through the validated pipeline, :class:`sherloc_kg.ingest.Ingest`, as ``sherloc-kg load``
runs it), then the headline named queries of ``benchmarks/endpoint.py`` (``sparql/*.rq``, public
graphs as the dataset, parameters bound as the CLI binds them), each run ``--repeat`` times. Every
backend must return the same number of rows for each query, or the run fails. Medians, and the
ratio to the embedded in-memory store, go to ``benchmarks/results/backends.json`` (the report rendered
beside it, backends.md) with the data size (triples), the machine (CPUs, RAM) and the command.

Without ``--data`` the data is the bundled cases; ``--data DIR`` loads the files of a generated
set (``sherloc-kg generate --out DIR``: ``DIR/participation.csv``, ``DIR/cases.jsonl``, ... in the
generator's load order) and the country queries ask about the State with the most cases.

Usage: ``python benchmarks/backends.py [--data DIR] [--repeat 7] [--backends memory,disk,oxigraph,virtuoso] [--out FILE]``
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.backends (the server-starting code) and benchmarks.endpoint

from benchmarks.endpoint import HEADLINE  # noqa: E402
from benchmarks.render import publish  # noqa: E402
from sherloc_kg.config import PROJECT_ROOT, Settings  # noqa: E402
from sherloc_kg.generate import FILES, LOAD_ORDER, STATES_FILE, register_states  # noqa: E402
from sherloc_kg.ingest import Ingest  # noqa: E402
from sherloc_kg.access import public_graphs  # noqa: E402
from sherloc_kg.iris import Iris  # noqa: E402
from sherloc_kg.queries import QueryLibrary  # noqa: E402
from sherloc_kg.reference import BUNDLED, install_reference  # noqa: E402
from sherloc_kg.store.contract import Dataset  # noqa: E402
from sherloc_kg.store.embedded import EmbeddedStore  # noqa: E402
from sherloc_kg.store.remote import RemoteStore  # noqa: E402
from tests import backends as servers  # noqa: E402

ALL = ("memory", "disk", "oxigraph", "virtuoso")
#: The headline queries, and the two Article 32 queries Virtuoso is not trusted with (their header
#: says so), which the remote store answers there with the embedded engine over a copy of the
#: caller's graphs (store/remote.py): what that costs beside a server that runs them.
QUERIES = [*HEADLINE, ("gap-matrix", {"instrument": "tip"}, "aggregate"),
           ("implementation-profile", {"country": "BRA", "instrument": "tip"}, "aggregate")]


def machine() -> str:
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}){ram}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


@contextmanager
def open_store(name: str, work: Path):
    if name in ("memory", "disk"):
        store = EmbeddedStore(None if name == "memory" else work / "disk-store")
        try:
            yield store, Settings(store="memory" if name == "memory" else str(work / "disk-store"))
        finally:
            store.close()
        return
    directory = work / name
    directory.mkdir()
    starter = servers.oxigraph_server if name == "oxigraph" else servers.virtuoso_server
    with starter(directory) as settings:
        store = RemoteStore(settings)
        try:
            yield store, settings
        finally:
            store.close()


def data_files(data: Path | None) -> list[tuple[str, Path]]:
    if data is None:
        return [(kind, PROJECT_ROOT / "data" / path) for kind, path in BUNDLED]
    return [(kind, data / FILES[kind]) for kind in LOAD_ORDER if (data / FILES[kind]).exists()]


def top_country(files: list[tuple[str, Path]]) -> str:
    counts: collections.Counter[str] = collections.Counter()
    for kind, path in files:
        if kind == "cases":
            for line in path.open(encoding="utf-8"):
                if line.strip() and not line.startswith("#"):
                    counts[json.loads(line).get("country")] += 1
    return counts.most_common(1)[0][0] if counts else "BRA"


def run_backend(name: str, work: Path, files, library: QueryLibrary, country: str, repeat: int,
                states: Path | None = None) -> dict:
    with open_store(name, work) as (store, settings):
        iris = Iris(settings.base)
        started = time.perf_counter()
        install_reference(store, settings, with_examples=states is not None)
        if states is not None:  # a generated set is about its own fictional States
            register_states(store, settings, states)
        reference_seconds = time.perf_counter() - started
        ingest = Ingest(store, settings)
        written = 0
        started = time.perf_counter()
        for kind, path in files:
            report = ingest.load(kind, [path])
            written += report.records_written
            print(f"  {name}: {kind} {report.records_written} records, {time.perf_counter() - started:.0f} s so far",
                  file=sys.stderr, flush=True)
        ingest_seconds = time.perf_counter() - started
        triples = store.count()
        records = written
        dataset = Dataset(default=public_graphs(iris), named=public_graphs(iris))
        queries = {}
        for query_name, params, _kind in QUERIES:
            named = library.get(query_name)
            values = {k: (country if k == "country" else v) for k, v in params.items()}
            bindings = named.bindings(values, iris)
            times, rows = [], None
            for _ in range(repeat + 1):  # the first run warms caches and is not counted
                started = time.perf_counter()
                result = store.select(named.text, bindings=bindings, dataset=dataset)
                times.append(time.perf_counter() - started)
                rows = len(result.rows)
            queries[query_name] = (statistics.median(times[1:]), rows)
        return {"reference_s": reference_seconds, "ingest_s": ingest_seconds, "records": records,
                "triples": triples, "queries": queries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="a generated dataset directory (sherloc-kg generate --out DIR)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backends", default=",".join(ALL))
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/backends.json")
    args = parser.parse_args()
    names = [n for n in args.backends.split(",") if n]
    files = data_files(args.data)
    country = top_country(files) if args.data else "BRA"
    library = QueryLibrary(PROJECT_ROOT / "sparql")
    results: dict[str, dict] = {}
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sherloc-bench-backends-")))
        for name in names:
            print(f"{name}: loading and querying ...", file=sys.stderr, flush=True)
            results[name] = run_backend(name, work, files, library, country, args.repeat,
                                        states=args.data / STATES_FILE if args.data else None)
            # written after each backend: a long run (1M triples) cut short keeps what it measured
            publish(document(args, names, results), args.out)


BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nDate: {date}  \nData: the reference graphs, then {data} through "
    "the validated pipeline (`sherloc_kg.ingest.Ingest`); {triples} triples in the store afterwards (count per "
    "backend below).  \nQueries: the headline named queries of `benchmarks/endpoint.py`, and `gap-matrix` and "
    "`implementation-profile` (on Virtuoso answered by the embedded engine over a copy of the public graphs: "
    "store/remote.py), public graphs as the dataset, median of {repeat} runs after one warm-up, in the "
    "benchmark's process (client included for the servers: SPARQL 1.1 Protocol over loopback HTTP). Ratios are to `{base}`.",
    {"heading": "Ingest"},
    {"table": "ingest"},
    {"heading": "Headline queries (median ms; rows)"},
    {"table": "queries"},
]


def document(args: argparse.Namespace, names: list[str], results: dict[str, dict]) -> dict:
    """The result document (benchmarks/render.py) of the backends measured so far (``results``), in
    the order of ``names``; times in ``results`` in seconds."""
    names = [n for n in names if n in results]
    rows = {q: {n: results[n]["queries"][q][1] for n in names} for q, _p, _k in QUERIES}
    for query_name, per_backend in rows.items():
        if len(set(per_backend.values())) != 1:
            raise SystemExit(f"{query_name}: the backends disagree on the number of rows: {per_backend}")
    base = names[0]

    def ratio(value: float, reference: float) -> float | None:
        return value / reference if reference else None

    described = "the bundled data files, as `sherloc-kg init` loads them (" + ", ".join(
        f"`data/{path}`" for _kind, path in BUNDLED) + ")"
    if args.data:
        described = f"the files of `{args.data}`"
        made = args.data / "generate.json"  # what `sherloc-kg generate` wrote them with
        if made.exists():
            spec = json.loads(made.read_text(encoding="utf-8"))
            described += (f" (`sherloc-kg generate --triples {spec['target_triples']} --seed {spec['seed']}`: "
                          f"{sum(spec['records'].values())} records of {len(spec['records'])} kinds, "
                          f"{spec['states']} fictional States)")
    ingest_rows = [{"backend": n, "triples": results[n]["triples"], "reference_s": results[n]["reference_s"],
                    "ingest_s": results[n]["ingest_s"],
                    "records_per_s": results[n]["records"] / results[n]["ingest_s"] if results[n]["ingest_s"] else 0,
                    "ingest_per_base": ratio(results[n]["ingest_s"], results[base]["ingest_s"])} for n in names]
    query_rows = []
    for query_name, _params, _kind in QUERIES:
        times = {n: results[n]["queries"][query_name][0] for n in names}
        query_rows.append({"query": query_name, "rows": rows[query_name][base],
                           **{f"{n}_ms": times[n] * 1000 for n in names},
                           **{f"{n}_per_base": ratio(times[n], times[base]) for n in names[1:]}})
    query_columns = [{"label": "query", "cell": "{query}"}, {"label": "rows", "cell": "{rows}", "align": "right"},
                     *({"label": f"{n} ms", "cell": f"{{{n}_ms:.1f}}", "align": "right"} for n in names),
                     *({"label": f"{n}/{base}", "cell": [f"{{{n}_per_base:.1f}}×", "n/a"], "align": "right"}
                       for n in names[1:])]
    return {
        "benchmark": "backends",
        "title": "Store backends: ingest and headline queries",
        "command": " ".join(shlex.quote(a) for a in ["python", "benchmarks/backends.py", *sys.argv[1:]]),
        "parameters": {"data": str(args.data) if args.data else None, "repeat": args.repeat, "backends": names},
        "machine": machine(),
        "notes": {"data": described, "base": base, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
        "figures": {"triples": results[base]["triples"]},
        "units": {"triples": "triples"},
        "tables": {
            "ingest": {"units": {"triples": "triples", "reference_s": "s", "ingest_s": "s",
                                 "records_per_s": "records/s", "ingest_per_base": "ratio"},
                       "columns": [{"label": "backend", "cell": "{backend}"},
                                   {"label": "triples", "cell": "{triples}", "align": "right"},
                                   {"label": "reference graphs (s)", "cell": "{reference_s:.2f}", "align": "right"},
                                   {"label": "ingest (s)", "cell": "{ingest_s:.2f}", "align": "right"},
                                   {"label": "records/s", "cell": "{records_per_s:.0f}", "align": "right"},
                                   {"label": f"ratio to {base}", "cell": ["{ingest_per_base:.1f}×", "n/a"],
                                    "align": "right"}],
                       "rows": ingest_rows},
            "queries": {"units": {"rows": "rows", **{f"{n}_ms": "ms" for n in names},
                                  **{f"{n}_per_base": "ratio" for n in names[1:]}},
                        "columns": query_columns, "rows": query_rows},
        },
        "body": BODY,
    }


if __name__ == "__main__":
    main()
