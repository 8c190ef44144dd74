"""`make bench` at its smallest size (issue 9): the very Makefile target, with ``SIZE=smoke`` (the
fewest records and repetitions each benchmark takes) and ``RESULTS`` in a temporary folder, never
benchmarks/results. No timing is asserted: each benchmark must have written its result document
(NAME.json) with the rows and columns it measures, every number in it finite and non-negative
(rates and ratios positive), its report (NAME.md) the rendering of that document, and charts.py
must have drawn a PNG beside every document that charts a ratio.

The installation steps of the target are taken as done (``make -o``): the test runs the benchmarks,
not pip (``make setup`` installs the bench extra with the test one, so the suite always runs this)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.render import cell, markdown, read

from .conftest import REPO
from .test_bench_results import PNG_MAGIC, check_document, check_numbers, labels


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench-results")
    stamps = [".venv/.installed"]  # as the Makefile names it
    command = ["make", "--no-print-directory", *[f"--old-file={stamp}" for stamp in stamps],
               "bench", "SIZE=smoke", f"RESULTS={out}", f"BIN={Path(sys.executable).parent}"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return out


def result(folder: Path, name: str) -> dict[str, Any]:
    """The result document ``name`` of a run, checked, with its report the rendering of it."""
    document = read(folder / f"{name}.json")
    check_document(document, name)
    report = (folder / f"{name}.md").read_text(encoding="utf-8")
    assert report == markdown(document)
    assert "Machine:" in report and "Command:" in report, name
    return document


def test_make_bench_writes_every_result(results: Path) -> None:
    from benchmarks.endpoint import HEADLINE
    from benchmarks.ingest import SOURCES
    from benchmarks.pages import pages

    assert sorted(p.name for p in results.glob("*.json")) == ["endpoint.json", "ingest.json", "mirror.json",
                                                               "pages.json"]
    assert sorted(p.name for p in results.glob("*.md")) == ["endpoint.md", "ingest.md", "mirror.md", "pages.md"]

    ingest = result(results, "ingest")["tables"]
    loaders, restore = ingest["loaders"], ingest["restore"]
    assert labels(loaders)[:2] == ["loader: format (data)", "records"] and "pipeline / raw" in labels(loaders)
    assert [row["label"] for row in loaders["rows"]] == [source.label for source in SOURCES]
    check_numbers(loaders, positive=("records", "triples", "pipeline_s", "pipeline_records_per_s", "raw_records_per_s",
                                     "pipeline_per_raw"))
    assert labels(restore)[-1] == "restore / raw" and len(restore["rows"]) == 4
    check_numbers(restore, positive=("quads", "restore_s", "raw_s"))

    queries = result(results, "endpoint")["tables"]["queries"]
    assert [row["query"] for row in queries["rows"]] == [name for name, _params, _kind in HEADLINE]
    assert labels(queries)[-2:] == ["ours / oxigraph", "rdflib / ours"]
    check_numbers(queries, positive=("ours_ms", "oxigraph_ms", "rdflib_ms"))

    page_table = result(results, "pages")["tables"]["pages"]
    assert [row["page"] for row in page_table["rows"]] == [name for name, _path in pages("X", "Y")]
    assert "page / SPARQL" in labels(page_table)
    check_numbers(page_table, positive=("page_ms",))

    mirror = result(results, "mirror")["tables"]["queries"]
    assert [row["query"] for row in mirror["rows"]] == [name for name, _params, _kind in HEADLINE]
    assert labels(mirror)[-1] == "lists / mirror"
    check_numbers(mirror, positive=("lists_ms", "mirror_ms"))


def test_charts_are_pngs_beside_the_results(results: Path) -> None:
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
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["inference.json", "lookups.json"]

    lookups = result(tmp_path, "lookups")["tables"]
    assert [row["lookup"] for row in lookups["lookups"]["rows"]] == [
        "case page (HTML)", "case data (Turtle)", "law page (HTML)", "implementing legislation, one State",
        "implementing legislation, every State"]
    check_numbers(lookups["lookups"], positive=("median_ms_5000",))
    assert [row["size"] for row in lookups["memory"]["rows"]] == [5000]
    check_numbers(lookups["memory"], positive=("quads", "disk_mb", "rss_idle_mib"))

    loads = result(tmp_path, "inference")["tables"]["loads"]
    assert [cell(loads["columns"][0], row) for row in loads["rows"]] == ["5,000: 20 cases", "5,000: 10 laws"]
    assert labels(loads)[3] == "whole / scoped"
    check_numbers(loads, positive=("scoped_s", "whole_s", "scoped_peak_mib"))
    assert (tmp_path / "inference.png").read_bytes()[:8] == PNG_MAGIC
