"""The ``sherloc-kg`` command as users run it: real processes on a real on-disk store."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO

EXE = str(Path(sys.executable).with_name("sherloc-kg"))
BUNDLED = REPO / "data/cases/sherloc-cases-tip-2026-08.jsonl"


def sherloc(store: Path, *args: str, check: int | None = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([EXE, "--store", str(store), *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "200"})
    if check is not None:
        assert done.returncode == check, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return done


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store after ``init --no-data``, made once and copied for each test."""
    store = tmp_path_factory.mktemp("init") / "store"
    done = sherloc(store, "init", "--no-data")
    assert "instruments:" in done.stdout and "countries:" in done.stdout
    return store


@pytest.fixture
def store(initialised: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(initialised, copy)
    return copy


def stats(store: Path) -> dict:
    return json.loads(sherloc(store, "stats", "--json").stdout)


def test_init_without_data_has_the_reference_graphs_and_no_cases(store: Path) -> None:
    figures = stats(store)
    assert figures["records"]["instruments"] == 4
    assert figures["records"]["cases"] == 0
    assert figures["records"]["countries"] >= 249
    assert all(figures["graphs"][g] > 0 for g in ("ontology", "vocabularies", "instruments", "countries"))


def test_load_then_query_in_every_format(store: Path) -> None:
    done = sherloc(store, "load", "cases", str(BUNDLED))
    assert "1164 record(s) read, 1164 written" in done.stdout
    assert stats(store)["records"]["cases"] == 1164
    rows = list(csv.DictReader(io.StringIO(sherloc(store, "query", "cases-by-country", "--format", "csv").stdout)))
    assert sum(int(r["cases"]) for r in rows) == 1164
    results = json.loads(sherloc(store, "query", "cases-of-country", "--param", "country=ALB", "--format", "json").stdout)
    assert results["head"]["vars"][:2] == ["country", "case"] and results["results"]["bindings"]
    table = sherloc(store, "query", "provision", "-p", "provision=untoc/art/32").stdout
    assert "untoc/art/32/5" in table and "row(s)" in table


def test_a_bad_file_exits_1_names_the_problem_and_changes_nothing(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "T1", "title": "x", "country": "BRA", "year": 2020, "crime_types": ["no-such-crime"]}\n'
                   '{"id": "T2", "title": "y", "country": "BRA", "year": 2020, "crime_types": ["corruption"]}\n', encoding="utf-8")
    before = stats(store)
    done = sherloc(store, "load", "cases", str(bad), check=1)
    assert f"{bad}:1" in done.stderr and "record T1" in done.stderr and "crime_types" in done.stderr
    assert "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert stats(store) == before


def test_a_file_that_is_not_utf8_exits_1_naming_the_line(store: Path, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("id,title,country,year\nT1,Proc\u00e8s,BRA,2020\n".encode("latin-1"))
    before = stats(store)
    done = sherloc(store, "load", "cases", str(latin1), check=1)
    assert f"{latin1}:2: not UTF-8 text: byte 0xe8 at column 8" in done.stderr
    assert "Traceback" not in done.stderr
    assert stats(store) == before


def test_validate_reports_and_writes_nothing(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "T1", "title": "x", "country": "BRA", "year": 2020, "crime_types": ["corruption"], "provisions": ["untoc/art/77"]}\n',
                   encoding="utf-8")
    before = stats(store)
    done = sherloc(store, "validate", "cases", str(bad), check=1)
    assert "provisions" in done.stderr and "untoc/art/77" in done.stderr
    assert stats(store) == before
    sherloc(store, "validate", "cases", str(BUNDLED))
    assert stats(store) == before


@pytest.mark.parametrize("args", [("load", "nonsense", "x.jsonl"), ("load", "cases", "/no/such/file.jsonl"),
                                  ("query", "no-such-query"), ("query", "cases-of-country"),
                                  ("query", "cases-of-country", "--param", "country"), ("export", "--format", "ttl")])
def test_usage_errors_exit_2_with_one_line(store: Path, args: tuple[str, ...]) -> None:
    done = sherloc(store, *args, check=2)
    assert done.stderr.strip() and "Traceback" not in done.stderr


def test_export_writes_every_quad(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "dump.nq"
    sherloc(store, "export", "--format", "nq", "-o", str(out))
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == stats(store)["triples"]
    turtle = sherloc(store, "export", "--format", "ttl", "--graph", "instruments").stdout
    assert "untoc/art/32/3/e" in turtle


def test_check_ontology_passes(store: Path) -> None:
    assert "consistent" in sherloc(store, "check-ontology").stdout.lower()


def many_cases(path: Path, count: int) -> Path:
    """``count`` valid cases with fictional ids, shaped like the bundled ones."""
    source = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            record = dict(source[n % len(source)], id=f"KILL{n:06d}")
            handle.write(json.dumps(record) + "\n")
    return path


def test_kill_9_during_a_load_leaves_the_previous_state(store: Path, tmp_path: Path) -> None:
    """Kill a load while it writes (after its "write: started" line), immediately and after a few
    short delays: each time the store holds either exactly what it held before or the complete
    load, never a part of it."""
    sherloc(store, "load", "cases", str(BUNDLED))
    before = stats(store)
    big = many_cases(tmp_path / "big.jsonl", 2000)
    pristine = tmp_path / "pristine"
    shutil.copytree(store, pristine)
    sherloc(store, "load", "cases", str(big))
    after = stats(store)
    assert after["records"]["cases"] == 1164 + 2000

    outcomes = []
    for delay in (0.0, 0.05, 0.2, 0.5):
        shutil.rmtree(store)
        shutil.copytree(pristine, store)
        process = subprocess.Popen([EXE, "--store", str(store), "load", "cases", str(big)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("write: started"):
                break
        time.sleep(delay)
        alive = process.poll() is None
        if alive:
            process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        state = stats(store)
        assert state["records"]["cases"] in (before["records"]["cases"], after["records"]["cases"]), delay
        assert state["graphs"]["cases"] in (before["graphs"]["cases"], after["graphs"]["cases"]), delay
        assert state["triples"] in (before["triples"], after["triples"]), delay
        outcomes.append((delay, alive, state["records"]["cases"]))
    killed_mid_write = [o for o in outcomes if o[1] and o[2] == before["records"]["cases"]]
    assert killed_mid_write, f"no kill landed during the write: {outcomes}"


def test_the_guessed_format_is_printed(store: Path, shared_dir: Path, tmp_path: Path) -> None:
    untc = tmp_path / "untc-status-untoc-2024-05-04.csv"
    shutil.copy(shared_dir / "fixtures/real/untc-status-untoc-2024-05-04-partial.csv", untc)
    done = sherloc(store, "load", "participation", str(untc))
    assert f"{untc}: read as untc (guessed" in done.stderr
    assert "18 written" in done.stdout
    judgment = shared_dir / "fixtures/real/ecli-nl/ECLI.NL.HR.1984.AC8252.xml"
    done = sherloc(store, "validate", "cases", str(judgment))
    assert f"{judgment}: read as xml (guessed" in done.stderr
    chosen = sherloc(store, "load", "cases", "--format", "jsonl", str(BUNDLED))
    assert "guessed" not in chosen.stderr


def sst_files(store: Path) -> int:
    return len(list(store.glob("*.sst"))) + len(list((store / "public").glob("*.sst")))


def test_a_batch_load_compacts_the_store_and_a_small_one_leaves_it(store: Path, tmp_path: Path) -> None:
    """A load that writes a tenth of the store or more ends with RocksDB's full compaction (fewer
    files, the same data); a load of a few records into a larger store does not pay for one; and
    ``optimize`` compacts on demand."""
    before = sst_files(store)
    done = sherloc(store, "load", "cases", str(BUNDLED))
    assert "compacted the store in" in done.stderr
    one = tmp_path / "one.jsonl"
    one.write_text(BUNDLED.read_text(encoding="utf-8").splitlines()[-1] + "\n", encoding="utf-8")
    done = sherloc(store, "load", "cases", str(one))
    assert "compacted" not in done.stderr
    loaded, files = stats(store), sst_files(store)
    done = sherloc(store, "optimize")
    assert "compacted the store in" in done.stderr
    assert sst_files(store) < files and sst_files(store) <= before + 2
    assert stats(store) == loaded


def test_optimize_refuses_a_store_it_cannot_compact() -> None:
    done = subprocess.run([EXE, "--store", "memory", "optimize"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "nothing to compact: memory is not an on-disk embedded store" in done.stderr
