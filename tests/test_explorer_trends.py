"""The trends page: three SVG charts over the real bundled cases and the examples, each with its
numbers in a table and the named query behind it; the numbers are checked against the JSONL."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


def records(*patterns: str) -> list[dict]:
    found = []
    for pattern in patterns:
        for path in sorted(REPO.glob(pattern)):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    found.append(json.loads(line))
    return found


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    """The bundled real cases and the illustrative example case: what the explorer store holds."""
    return records("data/cases/*.jsonl", "data/examples/cases.jsonl")


def year_of(case: dict) -> int:
    return int(case.get("year") or case["decision_date"][:4])


def svgs(page: str) -> dict[str, ET.Element]:
    """Each chart of the page, parsed, by the id of its title."""
    found = {}
    for match in re.finditer(r"<svg .*?</svg>", page, re.S):
        root = ET.fromstring(match.group(0))
        assert root.get("role") == "img"
        found[root.find(SVG + "title").get("id")] = root
    return found


def tooltips(root: ET.Element) -> list[str]:
    return [e.find(SVG + "title").text for e in root.iter() if e.get("class") in ("bar", "point")]


@pytest.fixture(scope="module")
def page(explorer: str) -> str:
    response = httpx.get(explorer + "/explore/trends", timeout=120)
    assert response.status_code == 200
    return response.text


def test_trends_shows_three_charts_with_tables_and_queries(page: str) -> None:
    charts = svgs(page)
    assert set(charts) == {"chart-cases-per-year-title", "chart-tip-elements-title", "chart-ratifications-title"}
    assert page.count('<details class="numbers">') == 3
    assert page.count("<table>") >= 3
    for name in ("cases-by-year-and-crime-type", "cases-by-tip-element", "participation-over-time"):
        assert f'href="/explore/sparql?query={name}"' in page, name
    assert " style=" not in page and "<script" not in page


def test_a_bar_of_cases_per_year_equals_the_count_in_the_data(page: str, cases: list[dict]) -> None:
    per_year = Counter(year_of(c) for c in cases if "trafficking-in-persons" in c["crime_types"])
    year, expected = per_year.most_common(1)[0]
    root = svgs(page)["chart-cases-per-year-title"]
    tip = [t for t in tooltips(root) if t.startswith(f"{year}, Trafficking in persons: ")]
    assert tip == [f"{year}, Trafficking in persons: {expected} cases (of "
                   f"{sum(len(c['crime_types']) for c in cases if year_of(c) == year)})"]
    bar = next(e for e in root.iter(SVG + "rect") if e.get("class") == "bar"
               and e.find(SVG + "title").text == tip[0])
    assert bar.get("data-value") == str(expected)
    # the table gives the same number
    row = re.search(rf'<tr><th scope="row">{year}</th><td class="number">(\d+)</td>', page)
    assert row and int(row.group(1)) == expected


def test_tip_elements_count_the_cases_recording_each_element(page: str, cases: list[dict]) -> None:
    acts = Counter(a for c in cases for a in set((c.get("tip_elements") or {}).get("acts", [])))
    act, expected = acts.most_common(1)[0]
    root = svgs(page)["chart-tip-elements-title"]
    links = [a for a in root.iter(SVG + "a") if a.get("href") == f"/vocab/tip-act/{act}"]
    assert len(links) == 1
    assert links[0].find(SVG + "rect").get("data-value") == str(expected)
    row = re.search(rf'<a href="/vocab/tip-act/{act}">[^<]+</a></th><td>Act</td><td class="number">(\d+)</td>', page)
    assert row and int(row.group(1)) == expected


def test_ratifications_are_cumulative_per_instrument(page: str) -> None:
    with (REPO / "data/examples/participation.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    untoc = sorted(int(r["consent_date"][:4]) for r in rows if r["instrument"] == "untoc" and r["consent_date"])
    root = svgs(page)["chart-ratifications-title"]
    points = [t for t in tooltips(root) if t.startswith("Convention (UNTOC), ")]
    assert points[-1] == f"Convention (UNTOC), {untoc[-1]}: {len(untoc)} parties (+{untoc.count(untoc[-1])})"
    assert len(untoc) > 1
    assert len(points) == len(set(untoc))


def test_trends_for_one_country(explorer: str, cases: list[dict]) -> None:
    response = httpx.get(explorer + "/explore/trends", params={"country": "BRA"}, timeout=120)
    assert response.status_code == 200
    page = response.text
    assert "<h1>Trends: Brazil</h1>" in page
    assert 'href="/explore/sparql?query=tip-elements-by-country&amp;country=BRA"' in page
    root = svgs(page)["chart-cases-per-year-title"]
    total = sum(int(float(b.get("data-value"))) for b in root.iter(SVG + "rect") if b.get("class") == "bar")
    assert total == sum(len(c["crime_types"]) for c in cases if c.get("country") == "BRA")
    assert '<option value="BRA" selected>' in page


def test_a_malformed_country_is_refused_in_the_frame(explorer: str) -> None:
    response = httpx.get(explorer + "/explore/trends", params={"country": "<b>x"}, timeout=60)
    assert response.status_code == 400
    assert "&lt;b&gt;x" in response.text and "<b>x" not in response.text
    assert '<html lang="en">' in response.text


def test_trends_for_a_state_without_cases(explorer: str) -> None:
    page = httpx.get(explorer + "/explore/trends", params={"country": "XAC"}, timeout=120).text
    assert "<h1>Trends: Caldera (fictional State)</h1>" in page
    assert "No case with a year and a crime type." in page
    root = svgs(page)["chart-ratifications-title"]
    assert tooltips(root) == ["Convention (UNTOC), 2012: 1 party (+1)", "Trafficking in Persons Protocol, 2012: 1 party (+1)"]
    assert 'href="/explore/sparql?query=participation-over-time&amp;participant=XAC"' in page
