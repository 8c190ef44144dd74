"""`sherloc-kg init` stops on SIGTERM (issue 24, finding 8: loads that stop on a supervisor's signal).

``init`` is several transactions: the reference graphs, then each bundled source. A signal while
one of them is read or validated stops it unwritten; those before it stay, whole. The exit line
names both, the exit code is 128 + the signal's number, and running ``init`` again finishes the
store: it then holds what an uninterrupted ``init`` writes. Real processes, a real on-disk store.
"""

from __future__ import annotations

import signal
from pathlib import Path

from sherloc_kg.reference import BUNDLED

from .test_abuse_load_signals import STOPPED_WITHIN, _stop_at
from .test_cli import sherloc, stats


def test_init_stops_on_sigterm_names_what_it_holds_and_a_second_init_finishes(tmp_path: Path) -> None:
    store = tmp_path / "store"
    # the first "validate: started" is the first bundled source's (the real cases)
    code, errors, took = _stop_at(store, ["init"], "validate", signal.SIGTERM)
    assert code == 128 + signal.SIGTERM, errors
    assert took < STOPPED_WITHIN, f"init took {took:.1f} s to stop"
    assert "Traceback" not in errors
    first = BUNDLED[0][1]
    assert errors.strip().splitlines()[-1] == (
        f"init was stopped by SIGTERM: {first} was not written; the store holds the reference graphs, "
        "the removal of earlier examples; `sherloc-kg init` again finishes it (each step replaces what it loads)")
    held = stats(store)["records"]
    assert held["instruments"] == 4 and held["cases"] == 0
    sherloc(store, "init")
    finished = stats(store)["records"]
    assert finished["cases"] == 1164 and finished["legislation"] >= 11
    assert finished["participation"] > 0
