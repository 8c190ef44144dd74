"""`make bench` at its smallest size (issue 9): the very Makefile target, with ``SIZE=smoke`` (the
fewest records and repetitions each benchmark takes) and ``RESULTS`` in a temporary folder, never
benchmarks/results. No timing is asserted: the tables must have their rows and columns, every
number in them must be a finite, non-negative number (rates and ratios positive), and charts.py
must have drawn a PNG beside every table that has ratios.

The installation steps of the target are taken as done (``make -o``): the test runs the benchmarks,
not pip (``make setup`` installs the bench extra with the test one, so the suite always runs this)."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_NUMBER = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)(x)?(?:\s.*)?$")



def number(cell: str) -> tuple[float, bool] | None:
    """The number a cell starts with ("1,234", "5.75", "98x", "12.3 (2 refused)") and whether it
    is a ratio; None for a cell that holds no number (a label, "-", "n/a")."""
    match = _NUMBER.match(cell.strip().strip("`*"))
    if match is None:
        return None
    return float(match.group(1).replace(",", "")), bool(match.group(2))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench-results")
    stamps = [".venv/.installed"]  # as the Makefile names it
    command = ["make", "--no-print-directory", *[f"--old-file={stamp}" for stamp in stamps],
               "bench", "SIZE=smoke", f"RESULTS={out}", f"BIN={Path(sys.executable).parent}"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return out


def tables(path: Path) -> list[tuple[list[str], list[list[str]]]]:
    from benchmarks.charts import tables as parse

    return parse(path.read_text(encoding="utf-8"))


def check_numbers(head: list[str], rows: list[list[str]], positive: tuple[str, ...]) -> None:
    """Every numeric cell finite and >= 0; ratios and the columns named in ``positive`` > 0."""
    for row in rows:
        assert len(row) == len(head), (head, row)
        for name, cell in zip(head, row):
            found = number(cell)
            if found is None:
                continue
            value, ratio = found
            assert math.isfinite(value) and value >= 0, (name, cell)
            if ratio or name in positive:
                assert value > 0, (name, cell)


def test_make_bench_writes_every_table(results: Path) -> None:
    from benchmarks.endpoint import HEADLINE
    from benchmarks.pages import pages

    assert sorted(p.name for p in results.glob("*.md")) == ["endpoint.md", "ingest.md", "mirror.md", "pages.md"]
    for path in results.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ") and "Machine:" in text and "Command:" in text, path.name

    ingest = tables(results / "ingest.md")
    (head, rows), (restore_head, restore_rows) = ingest[0], ingest[1]
    assert head[:2] == ["loader: format (data)", "records"] and "pipeline / raw" in head
    assert len(rows) >= 10 and all(number(row[head.index("pipeline / raw")]) for row in rows)
    check_numbers(head, rows, positive=("records", "triples", "pipeline s", "pipeline records/s", "raw records/s"))
    assert restore_head[-1] == "restore / raw" and len(restore_rows) == 4
    check_numbers(restore_head, restore_rows, positive=("quads", "restore s", "raw bulk s"))

    [(head, rows)] = tables(results / "endpoint.md")
    assert [row[0] for row in rows] == [name for name, _params, _kind in HEADLINE]
    assert head[-2:] == ["ours / oxigraph", "rdflib / ours"]
    check_numbers(head, rows, positive=("ours (ms)", "oxigraph serve (ms)", "rdflib-endpoint (ms)"))

    head, rows = tables(results / "pages.md")[0]
    assert [row[0] for row in rows] == [name for name, _path in pages("X", "Y")]
    assert "page / SPARQL" in head
    check_numbers(head, rows, positive=("page (ms)",))
    assert all(number(row[head.index("page (ms)")]) for row in rows)

    [(head, rows)] = tables(results / "mirror.md")
    assert [row[0] for row in rows] == [name for name, _params, _kind in HEADLINE]
    assert head[-1] == "lists / mirror"
    check_numbers(head, rows, positive=("lists (ms)", "mirror (ms)"))


def test_charts_are_pngs_beside_the_tables(results: Path) -> None:
    charts = sorted(results.glob("*.png"))
    assert [p.stem for p in charts] == ["endpoint", "ingest", "mirror", "pages"]
    for chart in charts:
        data = chart.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 1000, chart.name


def test_make_bench_large_at_its_smallest(tmp_path: Path) -> None:
    """`make bench-large` on one small generated set: point lookups and server memory, and a load
    with the inference rules scoped vs whole (the 10M run uses the very same targets)."""
    command = ["make", "--no-print-directory", "--old-file=.venv/.installed", "bench-large", "SIZE=smoke",
               "LOOKUP_SIZES=5000", f"BENCH_CACHE={tmp_path / 'cache'}", f"RESULTS={tmp_path}",
               f"BIN={Path(sys.executable).parent}"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    assert sorted(p.name for p in tmp_path.glob("*.md")) == ["inference.md", "lookups.md"]

    (head, rows), (memory_head, memory_rows) = tables(tmp_path / "lookups.md")[:2]
    assert [row[0] for row in rows] == ["case page (HTML)", "case data (Turtle)", "law page (HTML)",
                                        "implementing legislation, one State", "implementing legislation, every State"]
    check_numbers(head, rows, positive=("5,000 (ms)",))
    assert [row[0] for row in memory_rows] == ["5,000"]
    check_numbers(memory_head, memory_rows, positive=("quads", "store on disk (MB)", "server RSS idle (MiB)"))

    [(head, rows)] = tables(tmp_path / "inference.md")
    assert [row[0] for row in rows] == ["5,000: 20 cases", "5,000: 10 laws"]
    assert head[3] == "whole / scoped"
    check_numbers(head, rows, positive=("scoped (s)", "whole (s)", "scoped peak RSS (MiB)"))
    assert (tmp_path / "inference.png").read_bytes()[:8] == PNG_MAGIC
