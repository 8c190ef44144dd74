"""A store restored piece by piece (what ``sherloc-kg migrate`` does into an on-disk store), in one run.

``migrate`` copies a store as pieces of N-Quads (``--chunk-size`` quads each) and hands each piece
to the target's ``restore``. An on-disk embedded store keeps a public mirror beside the main store
(sherloc_kg/store/embedded.py), so each piece has to reach the mirror too. Measured here, on the
store ``sherloc-kg init`` builds from the bundled data (dumped once), three ways:

- **whole**: the dump restored at once into an empty store (the bulk loader; the floor);
- **pieces, mirror per piece**: the code as it is, each piece read once more into the mirror
  without its private quads;
- **pieces, mirror copied**: as the store did before, the whole mirror rebuilt from the main store
  after every piece (the piece loaded by the same transactional load, then the same rebuild).

Each round restores into a fresh on-disk store; the ways take turns, the order rotating every
round; reported: the median wall-clock time of each and the ratios.

Usage: ``python benchmarks/restore_pieces.py [--repeat 3] [--out benchmarks/results/restore_pieces.json]``
(the report rendered beside it, restore_pieces.md)
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pyoxigraph as ox  # noqa: E402

from benchmarks.pages import machine  # noqa: E402
from benchmarks.render import run_repeated  # noqa: E402
from sherloc_kg.config import Settings  # noqa: E402
from sherloc_kg.access import mirror_private_graphs  # noqa: E402
from sherloc_kg.iris import Iris  # noqa: E402
from sherloc_kg.store.embedded import EmbeddedStore  # noqa: E402

NQUADS = "application/n-quads"
#: The piece size test_migrate uses for the way back (``--chunk-size 777``).
PIECE = 777
WAYS = ("whole", "per-piece", "copied")


def bundled_store(folder: Path) -> Path:
    """``sherloc-kg init`` (reference graphs and the bundled data) into ``folder``."""
    exe = str(Path(sys.executable).parent / "sherloc-kg")
    env = {**os.environ, "SHERLOC_STORE": str(folder)}
    subprocess.run([exe, "init"], check=True, env=env, stdout=subprocess.DEVNULL)
    return folder


def restore(way: str, target: Path, dump: bytes, pieces: list[bytes]) -> float:
    # with its public mirror, as the CLI opens a directory (sherloc_kg/store/__init__.py)
    store = EmbeddedStore(target, private_graphs=mirror_private_graphs(Iris(Settings(home=REPO).base)))
    try:
        started = time.perf_counter()
        if way == "whole":
            store.restore(io.BytesIO(dump), media_type=NQUADS)
        else:
            store.restore(io.BytesIO(pieces[0]), media_type=NQUADS)  # into the empty store: bulk
            for piece in pieces[1:]:
                if way == "per-piece":
                    store.restore(io.BytesIO(piece), media_type=NQUADS)
                else:  # what restore did before: the transactional load, then the mirror rebuilt whole
                    store._mark_stale()
                    store._load(io.BytesIO(piece), ox.RdfFormat.N_QUADS)
                    store._rebuild_mirror()
        return time.perf_counter() - started
    finally:
        store.close()


def run(args: argparse.Namespace) -> dict:
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    with tempfile.TemporaryDirectory(prefix="sherloc-bench-restore-") as folder:
        source = EmbeddedStore(bundled_store(Path(folder) / "source"))
        try:
            buffer = io.BytesIO()
            source.dump(buffer, media_type=NQUADS)
            pieces = list(source.dump_chunks(source.graphs(), chunk_size=PIECE))
        finally:
            source.close()
        dump = buffer.getvalue()
        quads = dump.count(b"\n")
        for round_ in range(args.repeat):
            order = WAYS[round_ % 3:] + WAYS[:round_ % 3]
            for way in order:
                times[way].append(restore(way, Path(folder) / f"{way}-{round_}", dump, pieces))
                print(f"round {round_ + 1} {way:9} {times[way][-1]:7.1f} s", flush=True)
    return {"times": times, "quads": quads, "pieces": len(pieces)}


UNITS = {"seconds": "s"}
COLUMNS = [
    {"label": "restore", "cell": "{way}"},
    {"label": "seconds", "cell": "{seconds:.1f}", "align": "right"},
    {"label": "/ whole", "cell": "{ratio:.1f}x", "align": "right"},
]
BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nData: the store `sherloc-kg init` builds from the bundled data "
    "({quads:,} quads), dumped as N-Quads and restored into a fresh on-disk embedded store (with its public mirror) "
    "whole, or in {pieces:,} pieces of {piece} quads as `sherloc-kg migrate --chunk-size {piece}` hands them over; "
    "the ways in turn, the order rotating every round; {repeat} rounds, median wall-clock time.",
    "Mirror copied after every piece / mirror per piece: **{copied_per_piece:.1f}x**.",
    {"table": "ways"},
]
LABELS = {"whole": "whole dump, one restore", "per-piece": "pieces, each piece into the mirror (now)",
          "copied": "pieces, mirror rebuilt after each (before)"}


def document(result: dict, args: argparse.Namespace, command: str) -> dict:
    median = {way: statistics.median(runs) for way, runs in result["times"].items()}
    rows = [{"way": LABELS[way], "seconds": median[way], "ratio": median[way] / median["whole"]} for way in WAYS]
    return {
        "benchmark": "restore_pieces",
        "title": "A store restored piece by piece, as migrate does: the public mirror per piece against copied whole",
        "command": command,
        "parameters": {"repeat": args.repeat},
        "machine": machine(),
        "notes": {},
        "figures": {"quads": result["quads"], "pieces": result["pieces"], "piece": PIECE,
                    "copied_per_piece": median["copied"] / median["per-piece"]},
        "units": {"quads": "quads", "pieces": "pieces", "piece": "quads", "copied_per_piece": "ratio"},
        "tables": {"ways": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }


def main() -> None:
    run_repeated("restore_pieces", __doc__.splitlines()[0], run, document, repeat=1)


if __name__ == "__main__":
    main()
