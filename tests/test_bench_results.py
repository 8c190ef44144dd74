"""The committed benchmark results (benchmarks/results/): each is a JSON document, and the Markdown
report and PNG chart beside it are its renderings (benchmarks/render.py, benchmarks/charts.py),
never edited apart from it. Also the checks of a result document that the smoke test
(tests/test_bench_smoke.py) applies to fresh runs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.charts import series
from benchmarks.render import markdown, read, text

from .conftest import REPO

RESULTS = REPO / "benchmarks/results"
DOCUMENTS = sorted(RESULTS.glob("*.json"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_document(document: dict[str, Any], benchmark: str) -> None:
    """The shape benchmarks/render.py describes: every figure and row field that has a unit is a
    finite number (or null), every row has every field its table gives a unit, every charted
    column charts a ratio, and the report renders."""
    assert document["benchmark"] == benchmark
    assert document["title"] and document["command"] and document["machine"]
    assert isinstance(document["parameters"], dict) and isinstance(document["notes"], dict)
    for name, unit in document["units"].items():
        assert unit and finite(document["figures"][name]), (name, document["figures"][name])
    for name, table in document["tables"].items():
        assert table["rows"], name
        for row in table["rows"]:
            for field in table["units"]:
                assert finite(row[field]), (name, field, row[field])
        for column in table["columns"]:
            if "chart" in column:
                assert table["units"][column["chart"]] == "ratio", (name, column["label"])
    assert markdown(document).startswith(f"# {document['title']}\n\n")


def finite(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value))


def check_numbers(table: dict[str, Any], positive: Iterable[str]) -> None:
    """Every numeric field of every row >= 0 where given (a time, a count, a rate, a ratio...);
    ratios > 0; the fields named in ``positive`` given and > 0 in every row."""
    positive = set(positive)
    assert positive <= set(table["units"]), positive - set(table["units"])
    for row in table["rows"]:
        for field, unit in table["units"].items():
            value = row[field]
            assert finite(value), (field, value)
            if field in positive:
                assert value is not None and value > 0, (field, row)
            elif value is not None:
                assert value > 0 if unit == "ratio" else value >= 0, (field, row)


def labels(table: dict[str, Any]) -> list[str]:
    return [column["label"] for column in table["columns"]]


def test_every_result_is_a_document_with_its_report() -> None:
    reports = sorted(RESULTS.glob("*.md"))
    assert len(DOCUMENTS) >= 12
    assert [p.stem for p in reports] == [p.stem for p in DOCUMENTS]


@pytest.mark.parametrize("source", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_the_report_is_the_rendering_of_the_document(source: Path) -> None:
    document = read(source)
    check_document(document, source.stem.split("-")[0])
    assert source.with_suffix(".md").read_text(encoding="utf-8") == markdown(document)


@pytest.mark.parametrize("source", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_a_chart_beside_each_document_with_a_charted_ratio(source: Path) -> None:
    chart = source.with_suffix(".png")
    if series(read(source)):
        assert chart.read_bytes()[:8] == PNG_MAGIC
    else:
        assert not chart.exists()


def test_the_readme_performance_table_quotes_the_documents() -> None:
    """Each source of the README's Performance table is a result document here; two of its figures
    as the documents hold them."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Performance\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| what")]
    sources = [name for row in rows for name in re.findall(r"`([\w-]+\.\w+)`", row.rsplit(" | ", 1)[1])]
    assert len(rows) >= 10 and len(sources) >= len(rows)
    assert all(name.endswith(".json") and (RESULTS / name).is_file() for name in sources), sources

    restore = {row["label"]: row["restore_per_raw"]
               for row in read(RESULTS / "ingest.json")["tables"]["restore"]["rows"]}
    on_disk = restore["on disk, as `restore` opens it (with the public mirror)"]
    in_memory = restore["in memory, as `restore` opens it (with the public mirror)"]
    assert f"{on_disk:.2f}x on disk, {in_memory:.2f}x in memory" in section
    memory = {row["size"]: row for row in read(RESULTS / "lookups.json")["tables"]["memory"]["rows"]}
    assert f"{memory[10_000_000]['rss_peak_mib']:.0f} MiB peak" in section


def test_a_cell_takes_the_first_alternative_that_applies() -> None:
    cell = [{"if": "refused", "text": "{ms:.1f} ({refused} refused)"}, "{ms:.1f}", "n/a"]
    assert text(cell, {"ms": 12.345, "refused": 2}) == "12.3 (2 refused)"
    assert text(cell, {"ms": 12.345, "refused": 0}) == "12.3"
    assert text(cell, {"ms": None, "refused": 0}) == "n/a"
    assert text("{sizes:,| → }", {"sizes": [1000, 20000]}) == "1,000 → 20,000"
    assert text("{statuses}", {"statuses": {"200": 72, "503": 1}}) == "{200: 72, 503: 1}"
    assert text(["{ms:.1f}"], {"ms": None}) is None
    with pytest.raises(KeyError):
        text("{mistyped}", {"ms": 1.0})
