"""Abuse suite (issue 24, finding 8): a load from the command line stops on SIGTERM and SIGINT.

A 26.7 MB Akoma Ntoso file once held the load lock for most of an hour and a supervisor's SIGTERM
could not stop it cleanly. Now ``sherloc-kg load`` (and ``validate``) stops within seconds of
either signal, wherever it is reading or validating: its one transaction is never committed, the
store is closed as usual and holds exactly what it held before, and the command exits 128 + the
signal's number with one line saying so. A signal that lands while the transaction commits lets
the commit end (Oxigraph's commit does not return to Python before): the load is then whole in
the store, and the line says that instead.

Real processes on a real on-disk store (``init --no-data``), a load of generated cases big enough
to take tens of seconds; the signal is sent once the process says the stage has started.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.store import open_store

from .conftest import snapshot
from .test_cli import EXE, initialised, many_cases, stats  # noqa: F401 - initialised is a fixture

STOPPED_WITHIN = 20  # seconds from the signal to the exit: a bound with margin for a loaded machine, not an expectation


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 cases: validating them takes tens of seconds."""
    return many_cases(tmp_path_factory.mktemp("stop") / "big.jsonl", 6000)


def _state(settings: Settings, store: Path) -> set[str]:
    opened = open_store(settings.with_(store=str(store)))
    try:
        return snapshot(opened)
    finally:
        opened.close()


def _stop_at(store: Path, args: list[str], stage: str, number: signal.Signals,
             delay: float = 0.0) -> tuple[int, str, float]:
    """Run ``sherloc-kg --store STORE ARGS``, send ``number`` ``delay`` seconds after its
    ``STAGE: started`` line: (exit code, standard error, seconds from the signal to the exit)."""
    process = subprocess.Popen([EXE, "--store", str(store), *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith(f"{stage}: started"):
            break
    else:
        process.wait()
        raise AssertionError(f"no '{stage}: started' line: {''.join(lines)}")
    time.sleep(delay)
    if process.poll() is not None:  # done before the signal (possible only for the write)
        rest = process.stderr.read()
        process.stderr.close()
        return process.returncode, "".join(lines) + rest, 0.0
    sent = time.monotonic()
    process.send_signal(number)
    try:
        rest = process.stderr.read()
        process.wait(timeout=STOPPED_WITHIN * 3)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    return process.returncode, "".join(lines) + rest, time.monotonic() - sent


@pytest.mark.parametrize(("stage", "number"), [("validate", signal.SIGTERM), ("read", signal.SIGINT),
                                               ("validate", signal.SIGINT)])
def test_a_load_stops_on_a_signal_and_leaves_the_store_as_it_was(settings: Settings, initialised: Path,  # noqa: F811
                                                                 tmp_path: Path, big: Path, stage: str,
                                                                 number: signal.Signals) -> None:
    store = tmp_path / "store"
    shutil.copytree(initialised, store)
    before = _state(settings, store)
    code, errors, took = _stop_at(store, ["load", "cases", str(big)], stage, number)
    assert code == 128 + number, errors
    assert took < STOPPED_WITHIN, f"the load took {took:.1f} s to stop"
    last = errors.strip().splitlines()[-1]
    assert last == f"the load was stopped by {number.name}: nothing was written, the store holds what it held before"
    assert "Traceback" not in errors
    assert _state(settings, store) == before


def test_a_check_stops_on_sigterm(initialised: Path, big: Path) -> None:  # noqa: F811
    code, errors, took = _stop_at(initialised, ["validate", "cases", str(big)], "validate", signal.SIGTERM)
    assert code == 128 + signal.SIGTERM and took < STOPPED_WITHIN, errors
    assert errors.strip().splitlines()[-1].startswith("the check was stopped by SIGTERM: nothing was written")


def test_a_signal_during_the_commit_lets_it_end_and_says_so(settings: Settings, initialised: Path,  # noqa: F811
                                                            tmp_path: Path) -> None:
    """Signals sent at several moments after "write: started": each time the exit line says what
    the store holds, and it does: exactly the state before, or the whole load."""
    small = many_cases(tmp_path / "small.jsonl", 2000)
    pristine = tmp_path / "pristine"
    shutil.copytree(initialised, pristine)
    before = _state(settings, pristine)
    cases_before = stats(pristine)["records"]["cases"]
    seen = set()
    for delay in (0.0, 0.3):
        store = tmp_path / f"store-{delay}"
        shutil.copytree(pristine, store)
        code, errors, took = _stop_at(store, ["load", "cases", str(small)], "write", signal.SIGTERM, delay)
        if code == 0:  # the load ended before the signal came
            continue
        assert code == 128 + signal.SIGTERM and took < STOPPED_WITHIN, errors
        last = errors.strip().splitlines()[-1]
        if last.endswith("nothing was written, the store holds what it held before"):
            assert _state(settings, store) == before
            seen.add("before")
        else:
            assert last == "the load was stopped by SIGTERM while its transaction committed: the load is in the " \
                           "store, whole", errors
            assert stats(store)["records"]["cases"] == cases_before + 2000
            seen.add("whole")
    assert seen, "every load ended before its signal"
