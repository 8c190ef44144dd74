"""A load into a large store: the inference rules run scoped to what the load may change, against
the same load with the rules run whole (as every load did before scoping), in one run.

For each size N of ``--sizes``, the generated set that ``benchmarks/lookups.py`` caches (its dump
and its files, in ``--cache``; made by ``make bench-large`` or ``lookups.py --prepare-only``):

1. the dump restored into a fresh on-disk store (``sherloc-kg restore --trusted``), then one load
   that is not timed (the dump may hold no fingerprint of these rules: that load runs whole);
2. ``--repeat`` rounds of, for each load below, the load with the rules scoped (the normal
   ``sherloc-kg load``) and the same load right after a raw write that makes the rules run whole
   (``Inference.invalidate``, in a process of its own), in turn:

   - ``--cases`` cases of the set loaded again (each replaces itself, and its inferences);
   - ``--laws`` laws of the set loaded again (their provisions, and every case applying one, are
     recomputed);

   each a real ``sherloc-kg load`` process: wall-clock time and peak RSS (``wait4``).

The result gives the medians and the ratio whole / scoped per size.

Usage: ``python benchmarks/inference.py [--sizes 100000,1000000] [--repeat 3] [--cases 1000]
[--laws 300] [--out benchmarks/results/inference.json]`` (the report rendered beside it, inference.md)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.endpoint import run_measured  # noqa: E402
from benchmarks.lookups import each_size  # noqa: E402
from benchmarks.pages import machine  # noqa: E402
from benchmarks.render import publish  # noqa: E402
from sherloc_kg.generate import FILES  # noqa: E402

BIN = Path(sys.executable).parent
INVALIDATE = ("from sherloc_kg.config import Settings; from sherloc_kg.inference import Inference; "
              "from sherloc_kg.iris import Iris; from sherloc_kg.store import open_store; "
              "s = Settings(store={store!r}); t = open_store(s); t.update(Inference(s, Iris(s.base)).invalidate()); "
              "t.close()")


def first_records(source: Path, count: int, target: Path) -> Path:
    with source.open(encoding="utf-8") as lines:
        kept = [line for line in lines if line.startswith("{")][:count]
    target.write_text("".join(kept), encoding="utf-8")
    return target


def timed(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    peak = run_measured(command)
    return time.perf_counter() - started, peak


def measure(size: int, folder: Path, args: argparse.Namespace, work: Path) -> dict:
    store = work / f"store-{size}"
    cli = [str(BIN / "sherloc-kg"), "--store", str(store)]
    run_measured(cli + ["restore", str(folder / "dump.nq"), "--trusted"])
    loads = {
        f"{args.cases:,} cases": ("cases", first_records(folder / "data" / FILES["cases"], args.cases,
                                                         work / f"cases-{size}.jsonl")),
        f"{args.laws:,} laws": ("legislation", first_records(folder / "data" / FILES["legislation"], args.laws,
                                                             work / f"laws-{size}.jsonl")),
    }
    kind, path = next(iter(loads.values()))
    run_measured(cli + ["load", kind, str(path)])  # sets the fingerprint of these rules
    results: dict = {"size": size, "loads": {}}
    try:
        for name, (kind, path) in loads.items():
            times: dict[str, list[tuple[float, int]]] = {"scoped": [], "whole": []}
            for round_ in range(args.repeat):
                # each load by an operator of its own: the same records by the same agent again would
                # write nothing (sherloc_kg/provenance.py), and here a write is what is measured
                os.environ["SHERLOC_OPERATOR"] = f"benchmark {name} round {round_} scoped"
                times["scoped"].append(timed(cli + ["load", kind, str(path)]))
                run_measured([sys.executable, "-c", INVALIDATE.format(store=str(store))])
                os.environ["SHERLOC_OPERATOR"] = f"benchmark {name} round {round_} whole"
                times["whole"].append(timed(cli + ["load", kind, str(path)]))
            results["loads"][name] = {mode: {"median": statistics.median(t for t, _ in runs),
                                             "peak": max(p for _, p in runs)} for mode, runs in times.items()}
            row = results["loads"][name]
            print(f"{size:>10,} {name:14} scoped {row['scoped']['median']:6.1f} s, whole {row['whole']['median']:6.1f} s",
                  flush=True)
    finally:
        shutil.rmtree(store, ignore_errors=True)
    return results


UNITS = {"size": "triples", "scoped_s": "s", "whole_s": "s", "whole_per_scoped": "ratio", "scoped_peak_mib": "MiB",
         "whole_peak_mib": "MiB"}
COLUMNS = [
    {"label": "store size: load", "cell": "{size:,}: {load}"},
    {"label": "scoped (s)", "cell": "{scoped_s:.1f}", "align": "right"},
    {"label": "whole (s)", "cell": "{whole_s:.1f}", "align": "right"},
    {"label": "whole / scoped", "cell": "{whole_per_scoped:.2f}x", "align": "right", "chart": "whole_per_scoped"},
    {"label": "scoped peak RSS (MiB)", "cell": "{scoped_peak_mib:.0f}", "align": "right"},
    {"label": "whole peak RSS (MiB)", "cell": "{whole_peak_mib:.0f}", "align": "right"},
]
BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nData: the generated sets of `benchmarks/lookups.py` (`sherloc-kg "
    "generate --triples N --seed 1 --register`, fictional States) restored into an on-disk store with `sherloc-kg "
    "restore --trusted`. Each load is one `sherloc-kg load` process reloading the first records of the set's file "
    "(each replaces itself): **scoped** is the normal load (the rules run for what it may change); **whole** is the "
    "same load after a raw write, so that its rules run over the whole store, as every load did before. {repeat} "
    "rounds, the two in turn; median wall-clock time, largest peak RSS.",
    {"table": "loads"},
]


def document(results: list[dict], args: argparse.Namespace, command: str) -> dict:
    """The run's result document (benchmarks/render.py): a row per store size and load."""
    rows = [{"size": result["size"], "load": name, "scoped_s": row["scoped"]["median"],
             "whole_s": row["whole"]["median"], "whole_per_scoped": row["whole"]["median"] / row["scoped"]["median"],
             "scoped_peak_mib": row["scoped"]["peak"] / 1024, "whole_peak_mib": row["whole"]["peak"] / 1024}
            for result in results for name, row in result["loads"].items()]
    return {
        "benchmark": "inference",
        "title": "A load into a large store: inference scoped vs whole",
        "command": command,
        "parameters": {"sizes": [result["size"] for result in results], "repeat": args.repeat, "cases": args.cases,
                       "laws": args.laws},
        "machine": machine(),
        "notes": {},
        "figures": {},
        "units": {},
        "tables": {"loads": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--laws", type=int, default=300)
    parser.add_argument("--cache", type=Path, default=REPO / "var/bench/lookups")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/inference.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    folders = {size: args.cache / f"{size}-seed1" for size in sizes}
    missing = [str(f) for f in folders.values() if not (f / "dump.nq").is_file()]
    if missing:
        raise SystemExit(f"no generated set in {', '.join(missing)}: run `python benchmarks/lookups.py "
                         f"--sizes {args.sizes} --prepare-only` first")
    results = each_size(sizes, "sherloc-bench-inference-", lambda size, work: measure(size, folders[size], args, work))
    command = (f"python benchmarks/inference.py --sizes {','.join(map(str, sizes))} --repeat {args.repeat} "
               f"--cases {args.cases} --laws {args.laws}")
    publish(document(results, args, command), args.out)


if __name__ == "__main__":
    main()
