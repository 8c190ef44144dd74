"""The public mirror (sherloc_kg/store/embedded.py): the headline named queries over the public
graphs, on one on-disk store that also holds restricted graphs, run two ways in one process:

    lists    the public dataset as explicit graph lists on the main store (what the store did before)
    mirror   the same dataset answered by the mirror over the union of its graphs

Same store, same queries, same answers (the run fails if the row counts differ); medians of
``--repeat`` runs after a warm-up, and the ratio lists/mirror. Also: the time to build the mirror
from scratch when the store opens without one (or with one marked stale), and the disk it takes.

Data: a synthetic set (``sherloc-kg generate --triples N``, fictional States, with restricted
authority contacts and unpublished review answers) loaded through the pipeline.

Usage: ``python benchmarks/mirror.py [--triples 100000] [--repeat 7] [--out FILE]`` (default
``benchmarks/results/mirror.json``, its report rendered beside it as mirror.md)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.backends import machine  # noqa: E402
from benchmarks.endpoint import HEADLINE, load_synthetic  # noqa: E402
from benchmarks.render import publish  # noqa: E402
from sherloc_kg.config import PROJECT_ROOT, Settings  # noqa: E402
from sherloc_kg.access import public_graphs  # noqa: E402
from sherloc_kg.iris import Iris  # noqa: E402
from sherloc_kg.queries import QueryLibrary  # noqa: E402
from sherloc_kg.store import Dataset, open_store  # noqa: E402
from sherloc_kg.store.embedded import MIRROR_FOLDER  # noqa: E402


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/mirror.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sherloc-bench-mirror-"))
    try:
        location = work / "store"
        cli = [str(Path(sys.executable).with_name("sherloc-kg")), "--store", str(location)]
        country = load_synthetic(cli, work / "data", args.triples)
        shutil.rmtree(location / MIRROR_FOLDER)  # measure building it from nothing
        settings = Settings.from_env(store=str(location))
        started = time.perf_counter()
        store = open_store(settings)
        build = time.perf_counter() - started
        iris, library = Iris(settings.base), QueryLibrary(PROJECT_ROOT / "sparql")
        public = Dataset(default=public_graphs(iris), named=public_graphs(iris))
        rows = []
        for name, params, kind in HEADLINE:
            named = library.get(name)
            bindings = named.bindings({k: (country if k == "country" else v) for k, v in params.items()}, iris)
            medians, counts = {}, {}
            for way in ("lists", "mirror"):
                store._mirror_current = way == "mirror"  # the same store, the mirror switched off or on
                store.select(named.text, bindings=bindings, dataset=public)
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    counts[way] = len(store.select(named.text, bindings=bindings, dataset=public).rows)
                    times.append(time.perf_counter() - started)
                medians[way] = statistics.median(times) * 1000
            store._mirror_current = True
            if counts["lists"] != counts["mirror"]:
                raise SystemExit(f"{name}: {counts['lists']} rows over the lists, {counts['mirror']} on the mirror")
            rows.append({"query": name, "kind": kind, "rows": counts["mirror"], "lists_ms": medians["lists"],
                         "mirror_ms": medians["mirror"], "lists_per_mirror": medians["lists"] / medians["mirror"]})
        triples, graphs = store.count(), len(store.graphs())
        store.close()
        disk_main, disk_mirror = size_of(location) - size_of(location / MIRROR_FOLDER), size_of(location / MIRROR_FOLDER)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    command = "python benchmarks/mirror.py" + (f" --triples {args.triples}" if args.triples != 100_000 else "") + \
        (f" --repeat {args.repeat}" if args.repeat != 7 else "")
    publish({
        "benchmark": "mirror",
        "title": "Public queries: graph lists vs the public mirror",
        "command": command,
        "parameters": {"triples": args.triples, "repeat": args.repeat},
        "machine": machine(),
        "notes": {},
        "figures": {"quads": triples, "graphs": graphs, "country": country, "mirror_build_s": build,
                    "main_store_mb": disk_main / 1e6, "mirror_mb": disk_mirror / 1e6},
        "units": {"quads": "quads", "graphs": "graphs", "mirror_build_s": "s", "main_store_mb": "MB",
                  "mirror_mb": "MB"},
        "tables": {"queries": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }, args.out)


UNITS = {"rows": "rows", "lists_ms": "ms", "mirror_ms": "ms", "lists_per_mirror": "ratio"}
COLUMNS = [
    {"label": "query", "cell": "{query}"},
    {"label": "kind", "cell": "{kind}"},
    {"label": "rows", "cell": "{rows}", "align": "right"},
    {"label": "lists (ms)", "cell": "{lists_ms:.1f}", "align": "right"},
    {"label": "mirror (ms)", "cell": "{mirror_ms:.1f}", "align": "right"},
    {"label": "lists / mirror", "cell": "{lists_per_mirror:.1f}x", "align": "right", "chart": "lists_per_mirror"},
]
BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nData: `sherloc-kg generate --triples {triples} --seed 1` loaded "
    "through the pipeline into an on-disk store with the reference graphs and the examples: {quads} quads in "
    "{graphs} named graphs, restricted ones included; country queries ask about {country}, the State with the most "
    "cases.  \nQueries: the headline named queries, public graphs as the dataset, in-process, median of {repeat} "
    "runs after a warm-up; both ways return the same rows.",
    {"table": "queries"},
    "Building the mirror from nothing when the store opened: {mirror_build_s:.1f} s. Disk: main store "
    "{main_store_mb:.1f} MB, mirror {mirror_mb:.1f} MB.",
]


if __name__ == "__main__":
    main()
