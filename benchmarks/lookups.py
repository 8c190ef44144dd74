"""Point lookups as the data grows (issue 9): is an entity page, or a provision's implementing
legislation, as fast at 1M (10M) triples as at 100k? And how much memory does the server take?

For each size N of ``--sizes`` (record triples, as ``sherloc-kg generate --triples N`` counts them):

1. **data**: ``sherloc-kg generate --triples N --seed S --register`` loaded kind by kind through the
   pipeline into an on-disk store (as benchmarks/endpoint.py does: ``init --no-data --with-examples``,
   then ``load KIND FILE`` in the generator's load order), then ``export`` to N-Quads. The dump is
   kept in ``--cache`` (default ``var/bench/lookups/``) and reused by later runs: the validated
   pipeline is the slow part (about 2,000 triples/s on the 2-core machine, see ingest.json);
2. **store**: the dump restored into a fresh on-disk store with ``sherloc-kg restore DUMP --trusted``
   (timed), as an operator would move a checked store;
3. **server**: a real ``sherloc-kg serve`` on that store (one worker, loopback);
4. **lookups**: ``--targets`` different records of each kind (spread evenly over the generated
   files, the same ones at every size as far as the smaller set has them) requested in turn, one
   warm-up round, then ``--repeat`` rounds; the median (and 90th percentile) of every request's
   wall-clock time:

   - case page: ``GET /id/case/{id}`` as HTML (the explorer's resource page);
   - case data: the same IRI as Turtle (the Linked Data description);
   - law page: ``GET /id/legislation/{country}/{id}`` as HTML;
   - implementing legislation of a provision in one State: the named query
     ``implementing-legislation`` (``/api/queries/implementing-legislation?provision=P&country=C``)
     for provisions P of ``PROVISIONS``, C the State with the most cases (answers grow with the
     State's laws, so a few rows);
   - implementing legislation of a provision, every State: the same query without ``country``
     (its answer grows with the data; listed to show what is not a point lookup);
5. **memory**: the server's resident set after the lookups (VmRSS) and its peak (VmHWM), from
   ``/proc``; the store's size on disk.

The table gives each lookup's median per size and its ratio to the first (smallest) size. Goal
(issue 9): point lookups flat within 2x from 100k to 10M triples; server RSS under 1 GB at 10M.

Usage: ``python benchmarks/lookups.py [--sizes 100000,1000000,10000000] [--repeat 20] [--targets 10]
[--out benchmarks/results/lookups.json] [--prepare-only]`` (``make bench-large`` runs it at 100k, 1M
and 10M); the report is rendered beside the result (lookups.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.endpoint import free_port, load_synthetic, run_measured, wait_until_up  # noqa: E402
from benchmarks.pages import machine  # noqa: E402
from benchmarks.render import publish  # noqa: E402
from sherloc_kg.generate import FILES  # noqa: E402

BIN = Path(sys.executable).parent
#: Convention provisions whose implementing legislation is looked up (the generator gives the
#: criminalization articles the most weight).
PROVISIONS = ["untoc/art/5/1/a", "tip/art/5", "untoc/art/18/13", "som/art/6"]
HTML = "text/html"
#: Records per load: a file of more is loaded in pieces (one transaction each). A load holds its
#: whole file in memory, several kilobytes a triple at its peak: the 10M set's legislation file
#: (3.4M triples) in one load passed 17 GB before it was stopped, on a 24 GB machine.
PIECE_RECORDS = 10_000
JSON = "application/sparql-results+json"


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def records(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def spread(items: list, count: int) -> list:
    """``count`` items spread evenly over ``items`` (all of them if there are fewer)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(n * step)] for n in range(count)]


def prepare(size: int, seed: int, cache: Path) -> Path:
    """The folder holding ``dump.nq`` (everything the store held, N-Quads), ``data/`` (the generated
    files) and ``meta.json`` for ``size`` triples; made once (slow: the validated pipeline)."""
    folder = cache / f"{size}-seed{seed}"
    if (folder / "dump.nq").is_file() and (folder / "meta.json").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="sherloc-bench-lookups-"))
    try:
        cli = [str(BIN / "sherloc-kg"), "--store", str(work / "store")]
        print(f"{size:,} triples: generate and load through the pipeline (once; cached in {folder})",
              file=sys.stderr, flush=True)
        started = time.perf_counter()
        if seed != 1:
            raise SystemExit("load_synthetic (benchmarks/endpoint.py) generates with --seed 1")
        peaks: dict[str, int] = {}
        country = load_synthetic(cli, folder / "data", size, peaks, piece_records=PIECE_RECORDS)
        loaded = time.perf_counter() - started
        subprocess.run(cli + ["export", "--format", "nq", "-o", str(folder / "dump.tmp.nq")], check=True,
                       capture_output=True)
        (folder / "dump.tmp.nq").rename(folder / "dump.nq")
        (folder / "meta.json").write_text(json.dumps({"country": country, "pipeline_seconds": round(loaded, 1),
                                                      "pipeline_peak_kib": max(peaks.values()),
                                                      "pipeline_peak_kind": max(peaks, key=peaks.__getitem__)}),
                                          encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def memory_kib(pid: int) -> dict[str, int]:
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return found


def timed_rounds(client: httpx.Client, requests: list[tuple[str, dict, str]], repeat: int) -> tuple[list[float], int]:
    """Every request once (warm-up), then ``repeat`` rounds of all of them: the times, and the
    rows (SPARQL JSON) or bytes of the warm-up answers."""
    size = 0
    for path, params, accept in requests:
        response = client.get(path, params=params, headers={"Accept": accept})
        if response.status_code != 200:
            raise SystemExit(f"{path} {params}: {response.status_code}: {response.text[:300]}")
        size += len(response.json()["results"]["bindings"]) if accept == JSON else len(response.content)
    times = []
    for _ in range(repeat):
        for path, params, accept in requests:
            started = time.perf_counter()
            response = client.get(path, params=params, headers={"Accept": accept})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
    return times, size


def lookups(folder: Path, targets: int, country: str) -> dict[str, list[tuple[str, dict, str]]]:
    data = folder / "data"
    cases = spread([r["id"] for r in records(data / FILES["cases"])], targets)
    laws = spread([(r["country"], r["id"]) for r in records(data / FILES["legislation"])], targets)
    implementing = "/api/queries/implementing-legislation"
    return {
        "case page (HTML)": [(f"/id/case/{case}", {}, HTML) for case in cases],
        "case data (Turtle)": [(f"/id/case/{case}", {}, "text/turtle") for case in cases],
        "law page (HTML)": [(f"/id/legislation/{c}/{law}", {}, HTML) for c, law in laws],
        "implementing legislation, one State": [(implementing, {"provision": p, "country": country}, JSON)
                                                for p in PROVISIONS],
        "implementing legislation, every State": [(implementing, {"provision": p}, JSON) for p in PROVISIONS],
    }


def measure(size: int, folder: Path, targets: int, repeat: int, work: Path) -> dict:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    store = work / f"store-{size}"
    cli = [str(BIN / "sherloc-kg"), "--store", str(store)]
    started = time.perf_counter()
    restore_peak = run_measured(cli + ["restore", str(folder / "dump.nq"), "--trusted"])
    restore = time.perf_counter() - started
    quads = sum(1 for _ in (folder / "dump.nq").open("rb"))
    port = free_port()
    log = work / f"serve-{size}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(cli + ["serve", "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT)
    result: dict = {"size": size, "quads": quads, "restore": restore, "restore_peak": restore_peak,
                    "disk": size_of(store), "country": meta["country"], "pipeline": meta.get("pipeline_seconds"),
                    "pipeline_peak": meta.get("pipeline_peak_kib"), "pipeline_peak_kind": meta.get("pipeline_peak_kind"),
                    "lookups": {}}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/sparql?query=ASK%7B%7D", process, log)
        result["rss_idle"] = memory_kib(process.pid).get("VmRSS", 0)
        with httpx.Client(base_url=base, timeout=600) as client:
            for name, requests in lookups(folder, targets, meta["country"]).items():
                times, answer = timed_rounds(client, requests, repeat)
                result["lookups"][name] = {"median": statistics.median(times),
                                           "p90": statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0],
                                           "requests": len(times), "targets": len(requests), "answer": answer}
                print(f"{size:>10,} {name:40} median {statistics.median(times) * 1000:8.1f} ms "
                      f"({len(requests)} targets, answers {answer})", flush=True)
        result.update(memory_kib(process.pid))
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(store, ignore_errors=True)
    return result


def document(results: list[dict], args: argparse.Namespace, command: str) -> dict:
    """The run's result document (benchmarks/render.py): a row per lookup with its median, 90th
    percentile, ratio to the first size and answer at each size; a row per size of the store and
    the server's memory."""
    first = results[0]["size"]
    units: dict[str, str] = {}
    columns: list[dict] = [{"label": "lookup", "cell": "{lookup}"}]
    for r in results:
        size = r["size"]
        units |= {f"median_ms_{size}": "ms", f"p90_ms_{size}": "ms", f"answer_{size}": "bytes or rows"}
        columns.append({"label": f"{size:,} (ms)", "cell": f"{{median_ms_{size}:.1f}} (p90 {{p90_ms_{size}:.0f}})",
                        "align": "right"})
    for r in results[1:]:
        size = r["size"]
        units[f"per_first_{size}"] = "ratio"
        columns.append({"label": f"{size} / {first}", "cell": f"{{per_first_{size}:.2f}}x", "align": "right",
                        "chart": f"per_first_{size}", "goal": 2.0})
    columns.append({"label": "answers", "cell": " → ".join(f"{{answer_{r['size']}:,}}" for r in results),
                    "align": "right"})
    lookup_rows = []
    for name in results[0]["lookups"]:
        row: dict = {"lookup": name}
        for r in results:
            measured = r["lookups"][name]
            row |= {f"median_ms_{r['size']}": measured["median"] * 1000, f"p90_ms_{r['size']}": measured["p90"] * 1000,
                    f"answer_{r['size']}": measured["answer"]}
        for r in results[1:]:
            row[f"per_first_{r['size']}"] = r["lookups"][name]["median"] / results[0]["lookups"][name]["median"]
        lookup_rows.append(row)
    memory_rows = [{"size": r["size"], "quads": r["quads"], "country": r["country"], "disk_mb": r["disk"] / 1e6,
                    "restore_s": r["restore"], "restore_peak_mib": r["restore_peak"] / 1024,
                    "pipeline_s": r["pipeline"], "pipeline_peak_mib": (r["pipeline_peak"] or 0) / 1024 or None,
                    "pipeline_peak_kind": r["pipeline_peak_kind"], "rss_idle_mib": r["rss_idle"] / 1024,
                    "rss_after_mib": r.get("VmRSS", 0) / 1024, "rss_peak_mib": r.get("VmHWM", 0) / 1024}
                   for r in results]
    return {
        "benchmark": "lookups",
        "title": "Point lookups as the data grows",
        "command": command,
        "parameters": {"sizes": [r["size"] for r in results], "repeat": args.repeat, "targets": args.targets,
                       "seed": args.seed, "provisions": PROVISIONS, "piece_records": PIECE_RECORDS},
        "machine": machine(),
        "notes": {"sizes": ", ".join(f"N = {r['size']:,}: {r['quads']:,} quads" for r in results),
                  "provisions": f"{len(PROVISIONS)} Convention provisions ({', '.join(PROVISIONS)})",
                  "states": ", ".join(f"{r['size']:,}: {r['country']}" for r in results)},
        "figures": {},
        "units": {},
        "tables": {"lookups": {"units": units, "columns": columns, "rows": lookup_rows},
                   "memory": {"units": MEMORY_UNITS, "columns": MEMORY_COLUMNS, "rows": memory_rows}},
        "body": BODY,
    }


MEMORY_UNITS = {"size": "triples", "quads": "quads", "disk_mb": "MB", "restore_s": "s", "restore_peak_mib": "MiB",
                "pipeline_s": "s", "pipeline_peak_mib": "MiB", "rss_idle_mib": "MiB", "rss_after_mib": "MiB",
                "rss_peak_mib": "MiB"}
MEMORY_COLUMNS = [
    {"label": "size", "cell": "{size:,}", "align": "right"},
    {"label": "quads", "cell": "{quads:,}", "align": "right"},
    {"label": "store on disk (MB)", "cell": "{disk_mb:.0f}", "align": "right"},
    {"label": "restore --trusted (s)", "cell": "{restore_s:.1f}", "align": "right"},
    {"label": "restore peak RSS (MiB)", "cell": "{restore_peak_mib:.0f}", "align": "right"},
    {"label": "pipeline load, once (s)", "cell": ["{pipeline_s:.1f}", "-"], "align": "right"},
    {"label": "pipeline load peak RSS (MiB)", "cell": ["{pipeline_peak_mib:.0f} ({pipeline_peak_kind})", "-"],
     "align": "right"},
    {"label": "server RSS idle (MiB)", "cell": "{rss_idle_mib:.0f}", "align": "right"},
    {"label": "server RSS after lookups (MiB)", "cell": "{rss_after_mib:.0f}", "align": "right"},
    {"label": "server peak RSS (MiB)", "cell": "{rss_peak_mib:.0f}", "align": "right"},
]
BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nData: `sherloc-kg generate --triples N --seed 1 --register` "
    "(fictional States) loaded through the pipeline (a file of more than {piece_records:,} records in pieces of that "
    "many, one load each) with the reference graphs and the examples, exported, and restored with `sherloc-kg "
    "restore --trusted` into an on-disk store, served by `sherloc-kg serve` (one worker) on loopback; sizes: "
    "{sizes}.  \nLookups: {targets} different records per kind (cases, laws; spread over the generated files) or "
    "{provisions} requested in turn; one warm-up round, then {repeat} rounds; median of every request (and 90th "
    "percentile). \"One State\": the State with the most cases ({states}). Answers: bytes of the pages (all "
    "targets, summed) or rows of the query (all provisions, summed). Goal: point lookups within 2x from 100k to 10M "
    "triples.",
    {"table": "lookups"},
    {"heading": "Server memory and the store"},
    {"table": "memory"},
    "Goal: server RSS under 1 GB at 10M triples on disk. Peak RSS of a load or restore: the process's own "
    "high-water mark (`wait4`); of the pipeline load, the largest of its loads (one `sherloc-kg load` per file or "
    "piece, the kind named).",
]


def each_size(sizes: list[int], prefix: str, measure_one) -> list[dict]:
    """``measure_one(size, work)`` for each size, in one scratch folder removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return [measure_one(size, work) for size in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000",
                        help="record triples of each generated set, comma-separated (the first is the reference)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=REPO / "var/bench/lookups")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/lookups.json")
    parser.add_argument("--prepare-only", action="store_true", help="only generate, load and dump the sets")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    folders = {size: prepare(size, args.seed, args.cache) for size in sizes}
    if args.prepare_only:
        return
    results = each_size(sizes, "sherloc-bench-lookups-",
                        lambda size, work: measure(size, folders[size], args.targets, args.repeat, work))
    command = (f"python benchmarks/lookups.py --sizes {','.join(map(str, sizes))} --repeat {args.repeat} "
               f"--targets {args.targets}")
    publish(document(results, args, command), args.out)


if __name__ == "__main__":
    main()
