"""What the change feed's version log costs a load: the same loads with the log off and on, in one run.

Each round fills two fresh on-disk stores (``open_store``: the embedded Oxigraph with its public
mirror, as ``sherloc-kg serve`` has it) the way ``sherloc-kg init --with-examples`` does, step by
step, then changes them:

- ``reference``: the reference graphs (their versions: one member per graph);
- each bundled file (``reference.BUNDLED``), then the examples;
- ``cases, unchanged``: the bundled cases loaded again under another file name (the load is
  written, its provenance differs; the log reads every case's latest version and finds no change);
- ``cases, 10 % changed``: the same file with the title of one case in ten changed (a version each).

With the log **off**, ``versions.write`` is replaced by a plain ``Store.write`` for the round (the
hook, and nothing else, taken out: ingest.py and reference.py call it); **on** is the code as it
is. The two stores are filled in turn, step by step, the order swapped every round, so that a
machine busy with something else weighs on both alike. Reported: the median wall-clock time of
each step, and on / off.

Usage: ``python benchmarks/change_feed.py [--repeat 3] [--out benchmarks/results/change_feed.json]``
(the report rendered beside it, change_feed.md)
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.pages import machine  # noqa: E402
from benchmarks.render import run_repeated  # noqa: E402
from sherloc_kg import versions  # noqa: E402
from sherloc_kg.access import WRITE_READS  # noqa: E402
from sherloc_kg.config import Settings  # noqa: E402
from sherloc_kg.ingest import Ingest  # noqa: E402
from sherloc_kg.reference import BUNDLED, install_reference, load_examples  # noqa: E402
from sherloc_kg.store import Store, open_store  # noqa: E402

LOGGED = versions.write


def _unlogged(store, iris, writes, *, replace_graphs=(), before=(), then=(), stated=None, inserted=()):
    """``versions.write`` without the log: the plain write it wraps."""
    store.write(writes, replace_graphs=list(replace_graphs), before=before, then=then)
    return []


@contextmanager
def log(on: bool):
    versions.write = LOGGED if on else _unlogged
    try:
        yield
    finally:
        versions.write = LOGGED


def changed_cases(source: Path, target: Path, every: int = 10) -> Path:
    """The cases file with the title of one case in ``every`` changed."""
    lines = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines()):
        if line.startswith("{") and number % every == 0:
            record = json.loads(line)
            record["title"] = record.get("title", "") + " (changed)"
            line = json.dumps(record)
        lines.append(line)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _loading(ingest: Callable[[Store], Ingest], kind: str, path: Path) -> Callable[[Store], object]:
    return lambda store: ingest(store).load(kind, [path])


def steps(settings: Settings, work: Path) -> list[tuple[str, Callable[[Store], object]]]:
    ingest = lambda store: Ingest(store, settings)  # noqa: E731
    cases = settings.data_dir / BUNDLED[0][1]
    again = work / "cases-again.jsonl"
    shutil.copyfile(cases, again)
    changed = changed_cases(cases, work / "cases-changed.jsonl")
    found: list[tuple[str, Callable[[Store], object]]] = [
        ("reference", lambda store: install_reference(store, settings, with_examples=True))]
    for kind, relative in BUNDLED:
        found.append((f"{kind}: {relative}", _loading(ingest, kind, settings.data_dir / relative)))
    found += [("examples", lambda store: load_examples(store, settings)),
              ("cases, unchanged", lambda store: ingest(store).load("cases", [again])),
              ("cases, 10 % changed", lambda store: ingest(store).load("cases", [changed]))]
    return found


def log_size(store: Store) -> dict:
    rows = store.select("SELECT (COUNT(DISTINCT ?v) AS ?versions) (SUM(STRLEN(?text)) AS ?chars) WHERE { "
                        "GRAPH ?g { ?v <http://purl.org/dc/terms/isVersionOf> ?r OPTIONAL { ?v "
                        "<http://www.w3.org/ns/prov#value> ?text } } }", dataset=WRITE_READS).rows
    return {"versions": int(rows[0]["versions"]), "chars": int(rows[0].get("chars") or 0), "quads": store.count()}


def run(args: argparse.Namespace) -> dict:
    times: dict[str, dict[bool, list[float]]] = {}
    sizes: dict[bool, dict] = {}
    for round_ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="sherloc-bench-feed-") as folder:
            work = Path(folder)
            settings = Settings(store=str(work / "x"), home=REPO)
            plan = steps(settings, work)
            stores = {on: open_store(settings.with_(store=str(work / ("on" if on else "off")))) for on in (False, True)}
            order = (False, True) if round_ % 2 == 0 else (True, False)
            try:
                for name, step in plan:
                    for on in order:
                        with log(on):
                            started = time.perf_counter()
                            step(stores[on])
                            elapsed = time.perf_counter() - started
                        times.setdefault(name, {False: [], True: []})[on].append(elapsed)
                    print(f"round {round_ + 1} {name:60} off {times[name][False][-1]:6.2f} s, "
                          f"on {times[name][True][-1]:6.2f} s", flush=True)
                sizes = {on: log_size(stores[on]) for on in (False, True)}
            finally:
                for store in stores.values():
                    store.close()
    return {"times": times, "sizes": sizes}


UNITS = {"off_s": "s", "on_s": "s", "on_per_off": "ratio"}
COLUMNS = [
    {"label": "step", "cell": "{step}"},
    {"label": "log off (s)", "cell": "{off_s:.2f}", "align": "right"},
    {"label": "log on (s)", "cell": "{on_s:.2f}", "align": "right"},
    {"label": "on / off", "cell": "{on_per_off:.2f}x", "align": "right", "chart": "on_per_off"},
]
BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nData: the reference graphs with the fictional States, the bundled "
    "files and the examples (`sherloc-kg init --with-examples`, step by step), each step into two fresh on-disk "
    "stores (with the public mirror): the version log **off** (`versions.write` replaced by a plain `Store.write`) "
    "and **on**, in turn, the order swapped every round; then the bundled cases loaded again unchanged (another "
    "file name, so that the load is written) and with one title in ten changed. {repeat} rounds, median wall-clock "
    "time per step. The whole `init` (every step but the last two): {init_off_s:.1f} s off, {init_on_s:.1f} s on, "
    "**{init_on_per_off:.2f}x**.",
    "After the run, the log held {versions:,} versions and {log_chars:,} characters of N-Triples; the store "
    "{quads_on:,} quads with the log, {quads_off:,} without.",
    {"table": "steps"},
]


def document(result: dict, args: argparse.Namespace, command: str) -> dict:
    median = {name: {on: statistics.median(runs[on]) for on in (False, True)} for name, runs in result["times"].items()}
    rows = [{"step": name, "off_s": m[False], "on_s": m[True], "on_per_off": m[True] / m[False]}
            for name, m in median.items()]
    init = [m for name, m in median.items() if not name.startswith("cases, ")]
    init_off, init_on = sum(m[False] for m in init), sum(m[True] for m in init)
    rows.append({"step": "total", "off_s": sum(m[False] for m in median.values()),
                 "on_s": sum(m[True] for m in median.values()),
                 "on_per_off": sum(m[True] for m in median.values()) / sum(m[False] for m in median.values())})
    sizes = result["sizes"]
    return {
        "benchmark": "change_feed",
        "title": "The change feed's version log: a load with it off and on",
        "command": command,
        "parameters": {"repeat": args.repeat},
        "machine": machine(),
        "notes": {},
        "figures": {"init_off_s": init_off, "init_on_s": init_on, "init_on_per_off": init_on / init_off,
                    "versions": sizes[True]["versions"], "log_chars": sizes[True]["chars"],
                    "quads_on": sizes[True]["quads"], "quads_off": sizes[False]["quads"]},
        "units": {"init_off_s": "s", "init_on_s": "s", "init_on_per_off": "ratio", "versions": "versions",
                  "log_chars": "characters", "quads_on": "quads", "quads_off": "quads"},
        "tables": {"steps": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }


def main() -> None:
    run_repeated("change_feed", __doc__.splitlines()[0], run, document)


if __name__ == "__main__":
    main()
