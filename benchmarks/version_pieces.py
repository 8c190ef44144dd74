"""The change feed's log on Virtuoso: each version's text as one literal against pieces, in one run.

The change feed's log (sherloc_kg/versions.py) keeps each version's triples as N-Triples text. A
graph written whole is one version: the instruments graph at ``init`` is several million
characters. This measures, on a real Virtuoso 7 (``virtuoso-t`` on free loopback ports, as the
tests start it), what ``sherloc-kg init`` writes first: the reference graphs with the fictional
States (``install_reference(..., with_examples=True)``) into an emptied store, through the real
write path (store/remote.py), two ways:

- **one literal**: ``versions.PIECE`` set beyond the longest text, so each version is one
  ``prov:value`` (the log as it was);
- **pieces**: the code as it is (runs of whole lines of at most ``versions.PIECE`` characters).

The two ways take turns, the order swapped every round; reported: the median wall-clock time of
each and one literal / pieces, with the length of the longest version.

Usage: ``python benchmarks/version_pieces.py [--repeat 3] [--out benchmarks/results/version_pieces.json]``
(the report rendered beside it, version_pieces.md)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.pages import machine  # noqa: E402
from benchmarks.render import run_repeated  # noqa: E402
from sherloc_kg import versions  # noqa: E402
from sherloc_kg.access import WRITE_READS  # noqa: E402
from sherloc_kg.config import Settings  # noqa: E402
from sherloc_kg.reference import install_reference  # noqa: E402
from sherloc_kg.store.remote import RemoteStore  # noqa: E402
from tests import backends as servers  # noqa: E402

PIECES = versions.PIECE
#: Longer than any version's text: every version one literal.
WHOLE = 10**12
LONGEST = ("SELECT (MAX(?length) AS ?longest) (COUNT(?text) AS ?literals) WHERE { GRAPH ?g { "
           "?v <http://www.w3.org/ns/prov#value> ?text BIND(STRLEN(?text) AS ?length) } }")


def run(args: argparse.Namespace) -> dict:
    times: dict[str, list[float]] = {"one": [], "pieces": []}
    literals: dict[str, int] = {}
    longest = 0
    with tempfile.TemporaryDirectory(prefix="sherloc-bench-pieces-") as folder, \
            servers.virtuoso_server(Path(folder)) as settings:
        store = RemoteStore(settings)
        try:
            for round_ in range(args.repeat):
                for way in (("one", "pieces") if round_ % 2 == 0 else ("pieces", "one")):
                    servers.empty(store)
                    versions.PIECE = WHOLE if way == "one" else PIECES
                    started = time.perf_counter()
                    install_reference(store, Settings(home=REPO), with_examples=True)
                    times[way].append(time.perf_counter() - started)
                    row = store.select(LONGEST, dataset=WRITE_READS).rows[0]
                    literals[way] = int(row["literals"])
                    if way == "one":
                        longest = int(row["longest"])
                    print(f"round {round_ + 1} {way:7} {times[way][-1]:6.1f} s, {literals[way]} literals", flush=True)
        finally:
            versions.PIECE = PIECES
            store.close()
    return {"times": times, "literals": literals, "longest": longest}


UNITS = {"seconds": "s", "literals": "literals"}
COLUMNS = [
    {"label": "version text", "cell": "{way}"},
    {"label": "prov:value literals", "cell": "{literals:,}", "align": "right"},
    {"label": "init's reference graphs (s)", "cell": "{seconds:.1f}", "align": "right"},
]
BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nData: the reference graphs with the fictional States, written "
    "by `install_reference` (the first step of `sherloc-kg init --with-examples`) into an emptied real Virtuoso 7 "
    "through store/remote.py, with the change feed's log keeping each version's N-Triples as one literal (the "
    "longest {longest:,} characters: the instruments graph) or in pieces of at most {piece:,} characters; the two "
    "in turn, the order swapped every round; {repeat} rounds, median wall-clock time.",
    "One literal / pieces: **{one_per_pieces:.1f}x**.",
    {"table": "ways"},
]


def document(result: dict, args: argparse.Namespace, command: str) -> dict:
    median = {way: statistics.median(runs) for way, runs in result["times"].items()}
    rows = [{"way": "one literal", "literals": result["literals"]["one"], "seconds": median["one"]},
            {"way": f"pieces of {PIECES:,} characters", "literals": result["literals"]["pieces"],
             "seconds": median["pieces"]}]
    return {
        "benchmark": "version_pieces",
        "title": "The change feed's log on Virtuoso: a version's text as one literal against pieces",
        "command": command,
        "parameters": {"repeat": args.repeat},
        "machine": machine(),
        "notes": {},
        "figures": {"longest": result["longest"], "piece": PIECES, "one_per_pieces": median["one"] / median["pieces"]},
        "units": {"longest": "characters", "piece": "characters", "one_per_pieces": "ratio"},
        "tables": {"ways": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }


def main() -> None:
    run_repeated("version_pieces", __doc__.splitlines()[0], run, document)


if __name__ == "__main__":
    main()
