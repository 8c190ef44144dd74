"""The store backends side by side, in one run: embedded in-memory, embedded on disk, a real
``oxigraph serve`` and a real Virtuoso 7 (each server started on free loopback ports over a
temporary database by the same code as the test suite, ``tests/backends.py``).

For each backend: the reference graphs (``install_reference``), then ingest throughput (every data
file through the validated pipeline, :class:`sherloc_kg.ingest.Ingest`, as ``sherloc-kg load``
runs it), then the headline named queries of ``benchmarks/endpoint.py`` (``sparql/*.rq``, public
graphs as the dataset, parameters bound as the CLI binds them), each run ``--repeat`` times. Every
backend must return the same number of rows for each query, or the run fails. Medians, and the
ratio to the embedded in-memory store, go to ``benchmarks/results/backends.md`` with the data
size (triples), the machine (CPUs, RAM) and the command.

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
from sherloc_kg.config import PROJECT_ROOT, Settings  # noqa: E402
from sherloc_kg.generate import FILES, LOAD_ORDER, STATES_FILE, register_states  # noqa: E402
from sherloc_kg.ingest import Ingest  # noqa: E402
from sherloc_kg.iris import Iris  # noqa: E402
from sherloc_kg.queries import QueryLibrary  # noqa: E402
from sherloc_kg.reference import BUNDLED, install_reference  # noqa: E402
from sherloc_kg.store.contract import Dataset  # noqa: E402
from sherloc_kg.store.embedded import EmbeddedStore  # noqa: E402
from sherloc_kg.store.remote import RemoteStore  # noqa: E402
from tests import backends as servers  # noqa: E402

ALL = ("memory", "disk", "oxigraph", "virtuoso")


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
        dataset = Dataset(default=iris.public_graphs(), named=iris.public_graphs())
        queries = {}
        for query_name, params, _kind in HEADLINE:
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
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/backends.md")
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
            text = report(args, names, results)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
    print(text)


def report(args: argparse.Namespace, names: list[str], results: dict[str, dict]) -> str:
    """The Markdown table of the backends measured so far (``results``), in the order of ``names``."""
    names = [n for n in names if n in results]
    rows = {q: {n: results[n]["queries"][q][1] for n in names} for q, _p, _k in HEADLINE}
    for query_name, per_backend in rows.items():
        if len(set(per_backend.values())) != 1:
            raise SystemExit(f"{query_name}: the backends disagree on the number of rows: {per_backend}")
    base = names[0]

    def ratio(value: float, reference: float) -> str:
        return f"{value / reference:.1f}×" if reference else "n/a"

    described = "the 1164 bundled SHERLOC cases (`data/cases/sherloc-cases-tip-2026-08.jsonl`)"
    if args.data:
        described = f"the files of `{args.data}`"
        made = args.data / "generate.json"  # what `sherloc-kg generate` wrote them with
        if made.exists():
            spec = json.loads(made.read_text(encoding="utf-8"))
            described += (f" (`sherloc-kg generate --triples {spec['target_triples']} --seed {spec['seed']}`: "
                          f"{sum(spec['records'].values())} records of {len(spec['records'])} kinds, "
                          f"{spec['states']} fictional States)")
    lines = [
        "# Store backends: ingest and headline queries",
        "",
        f"Command: `{' '.join(shlex.quote(a) for a in ['python', 'benchmarks/backends.py', *sys.argv[1:]])}`  ",
        f"Machine: {machine()}  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
        f"Data: the reference graphs, then {described} through the validated pipeline "
        f"(`sherloc_kg.ingest.Ingest`); {results[base]['triples']} triples in the store afterwards "
        f"(count per backend below).  ",
        f"Queries: the headline named queries of `benchmarks/endpoint.py`, public graphs as the dataset, "
        f"median of {args.repeat} runs after one warm-up, in the benchmark's process (client included for the "
        f"servers: SPARQL 1.1 Protocol over loopback HTTP). Ratios are to `{base}`.",
        "",
        "## Ingest",
        "",
        "| backend | triples | reference graphs (s) | ingest (s) | records/s | ratio to " + base + " |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        r = results[name]
        per_second = r["records"] / r["ingest_s"] if r["ingest_s"] else 0
        lines.append(f"| {name} | {r['triples']} | {r['reference_s']:.2f} | {r['ingest_s']:.2f} | "
                     f"{per_second:.0f} | {ratio(r['ingest_s'], results[base]['ingest_s'])} |")
    header = ["query", "rows", *(f"{n} ms" for n in names), *(f"{n}/{base}" for n in names[1:])]
    lines += ["", "## Headline queries (median ms; rows)", "",
              "| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for query_name, _params, _kind in HEADLINE:
        times = [results[n]["queries"][query_name][0] for n in names]
        cells = [query_name, str(rows[query_name][base]), *(f"{t * 1000:.1f}" for t in times),
                 *(ratio(t, times[0]) for t in times[1:])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
