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
    """The bundled real cases and the illustrative example case: what the explorer store holds, a
    judgment recorded twice counted once (data/editorial/cases-international.jsonl)."""
    from .test_queries import counted_once

    return counted_once(records("data/cases/*.jsonl", "data/examples/cases.jsonl"))


def year_of(case: dict) -> int:
    return int(case.get("year") or case["decision_date"][:4])


def svgs(page: str) -> dict[str, ET.Element]:
    """Each chart of the page, parsed, by the id of its title."""
    found = {}
    for match in re.finditer(r"<svg .*?</svg>", page, re.S):
        root = ET.fromstring(match.group(0))
        assert root.get("role") == ("group" if root.find(".//" + SVG + "a") is not None else "img")
        found[root.find(SVG + "title").get("id")] = root
    return found


def tooltips(root: ET.Element) -> list[str]:
    return [e.find(SVG + "title").text for e in root.iter() if e.get("class") in ("bar", "point")]


@pytest.fixture(scope="module")
def page(explorer: str) -> str:
    response = httpx.get(explorer + "/explore/trends", timeout=120)
    assert response.status_code == 200
    return response.text


def test_trends_shows_four_charts_with_tables_and_queries(page: str) -> None:
    charts = svgs(page)
    assert set(charts) == {"chart-cases-per-year-title", "chart-tip-elements-title", "chart-tip-elements-per-year-title",
                           "chart-ratifications-title", "chart-transnational-title"}
    assert page.count('<details class="numbers">') == 5
    assert page.count("<table>") >= 5
    for name in ("cases-by-year-and-crime-type", "cases-by-tip-element", "tip-elements-by-year",
                 "participation-over-time", "cases-transnational-by-year"):
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
    links = [a for a in root.iter(SVG + "a") if a.get("href") == f"/explore/concepts/tip-act/{act}"]
    assert len(links) == 1
    assert links[0].find(SVG + "rect").get("data-value") == str(expected)
    row = re.search(rf'<a href="/explore/concepts/tip-act/{act}">[^<]+</a></th><td>Act</td><td class="number">(\d+)</td>', page)
    assert row and int(row.group(1)) == expected


def test_tip_elements_per_year_count_the_cases_of_each_year(page: str, cases: list[dict]) -> None:
    """By hand from the records: the act most recorded, in the year it is most recorded; a case with
    several elements counts once for each, one with none is not drawn."""
    per_year = Counter((year_of(c), a) for c in cases for a in set((c.get("tip_elements") or {}).get("acts", [])))
    (year, act), expected = per_year.most_common(1)[0]
    root = svgs(page)["chart-tip-elements-per-year-title"]
    label = {"recruitment": "Recruitment", "transportation": "Transportation", "transfer": "Transfer",
             "harbouring": "Harbouring", "receipt": "Receipt"}[act]
    recording = sum(len({*(c.get("tip_elements") or {}).get("acts", []), *(c.get("tip_elements") or {}).get("means", []),
                         *(c.get("tip_elements") or {}).get("purposes", [])}) for c in cases if year_of(c) == year)
    assert f"{year}, Act: {label}: {expected} cases (of {recording})" in tooltips(root)
    block = section(page, "tip-elements-per-year")
    assert 'href="/explore/sparql?query=tip-elements-by-year"' in block
    row = re.search(rf'<tr><th scope="row">{year}</th>((?:<td class="number">\d+</td>)+)</tr>', block)
    assert row and int(re.findall(r"\d+", row.group(1))[-1]) == recording


def test_ratifications_are_cumulative_per_instrument(page: str) -> None:
    from .test_query_library import bundled_participation

    with (REPO / "data/examples/participation.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle)) + bundled_participation()  # the examples and the bundled UNTC table
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


# -- transnational vs internal (art. 32 (3) (b)) ---------------------------------------------------

def section(page: str, ident: str) -> str:
    found = re.search(rf'<section class="chart-block" id="{ident}".*?</section>', page, re.S)
    assert found, ident
    return found.group(0)


def reach_rows(block: str) -> dict[int, list[int]]:
    """Year → [transnational, internal, known] from the chart's table."""
    rows = {}
    for year, cells in re.findall(r'<tr><th scope="row">(\d{4})</th>((?:<td class="number">\d+</td>)+)</tr>', block):
        rows[int(year)] = [int(n) for n in re.findall(r"\d+", cells)]
    return rows


def test_transnational_and_internal_cases_per_year(page: str, cases: list[dict]) -> None:
    """By hand: the example XAA-EX-001 (Aurelia, 2021: involved country Borealis, a defendant of
    Borealis) is transnational, and so is Rantsev v. Cyprus and Russia (2010, decided by the European
    Court of Human Rights, our editors recording the two respondent States as involved: data/editorial/);
    the other judgments of international courts involve one respondent State: not known. No case
    records defendants who are all nationals of the deciding State, so none is internal; the other
    bundled real cases record neither involved countries nor nationalities: not known, and not drawn
    (a chart of them would be a chart of unknowns): the page says how many cases the chart covers."""
    block = section(page, "transnational")
    assert 'href="/explore/sparql?query=cases-transnational-by-year"' in block
    assert "no \u201ctransnational\u201d flag" in block and "UNTOC art. 3 (2)" in block  # the rule, on the page
    every = len(cases)  # every case has a year
    assert (f"transnational or internal for 2 of the {every:,} cases with a year; the chart leaves the {every - 2:,} "
            "others out") in block
    assert reach_rows(block) == {2010: [1, 0, 1], 2021: [1, 0, 1]}
    root = svgs(page)["chart-transnational-title"]
    assert "2021, Transnational: 1 case (of 1)" in tooltips(root)
    assert "2010, Transnational: 1 case (of 1)" in tooltips(root)
    assert sum(1 for t in tooltips(root) if ", Transnational: " in t) == 2
    assert not [t for t in tooltips(root) if ", Internal: " in t]
    assert not [t for t in tooltips(root) if "Not known" in t]


def test_transnational_for_one_state(explorer: str) -> None:
    page = httpx.get(explorer + "/explore/trends", params={"country": "XAA"}, timeout=120).text
    block = section(page, "transnational")
    assert reach_rows(block) == {2021: [1, 0, 1]}
    assert "for 1 of the 1 cases with a year in XAA; the chart leaves the 0 others out" in block
    assert 'href="/explore/sparql?query=cases-transnational-by-year&amp;country=XAA"' in block
    empty = section(httpx.get(explorer + "/explore/trends", params={"country": "XAC"}, timeout=120).text,
                    "transnational")
    assert "No case with a year." in empty and "<svg" not in empty


def test_no_chart_of_unknowns_but_the_coverage(explorer: str, cases: list[dict]) -> None:
    """Brazil's cases record no involved country and no nationality: no chart, the coverage said."""
    brazil = sum(1 for c in cases if c.get("country") == "BRA")
    assert brazil > 1
    page = httpx.get(explorer + "/explore/trends", params={"country": "BRA"}, timeout=120).text
    block = section(page, "transnational")
    assert "<svg" not in block and reach_rows(block) == {}
    assert f"for 0 of the {brazil:,} cases with a year in BRA; the chart leaves the {brazil:,} others out" in block


def test_the_reach_rule_of_the_query(settings) -> None:
    """The rule on cases made for it (Borealis, XAB): all defendants nationals of the deciding State:
    internal; a defendant without a recorded nationality: not known; an involved country that is the
    deciding State itself: not known; a defendant of another State: transnational."""
    from sherloc_kg.ingest import Ingest
    from sherloc_kg.iris import Iris
    from sherloc_kg.queries import QueryLibrary

    from .test_search_api import examples_store

    store = examples_store(settings)
    made = [
        {"id": "XAB-R-1", "year": 2019, "defendants": [{"type": "person", "nationality": "XAB"},
                                                       {"type": "person", "nationality": "XAB"}]},
        {"id": "XAB-R-2", "year": 2019, "defendants": [{"type": "person", "nationality": "XAB"}, {"type": "person"}]},
        {"id": "XAB-R-3", "year": 2019, "involved_countries": ["XAB"]},
        {"id": "XAB-R-4", "year": 2020, "defendants": [{"type": "person", "nationality": "XAB"},
                                                       {"type": "person", "nationality": "XAC"}]},
        {"id": "XAB-R-5", "year": 2020, "involved_countries": ["XAC"]},
    ]
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.jsonl"
        path.write_text("".join(json.dumps({"title": "[Illustrative] test case", "country": "XAB",
                                            "crime_types": ["trafficking-in-persons"]} | case) + "\n"
                                for case in made), encoding="utf-8")
        report = Ingest(store, settings).load("cases", [path])
    assert not [i for i in report.issues if i.severity == "Violation"], report.issues
    named = QueryLibrary(settings.queries_dir).get("cases-transnational-by-year")
    rows = store.select(named.text, bindings=named.bindings({"country": "XAB"}, Iris(settings.base))).rows
    found = {(int(str(r["year"])), str(r["reach"])): int(str(r["cases"])) for r in rows}
    assert found == {(2019, "internal"): 1, (2019, "unknown"): 2, (2020, "transnational"): 2}


def test_cases_per_year_and_crime_type_in_a_region(settings) -> None:
    """Cases of French (Europe 150, Western Europe 155) and Mexican (Americas 019) courts, beside the
    fictional States' (in no region): a region counts the cases of its States only, a State its own."""
    import tempfile

    from sherloc_kg.ingest import Ingest
    from sherloc_kg.iris import Iris
    from sherloc_kg.queries import QueryLibrary

    from .test_search_api import examples_store

    store = examples_store(settings)
    made = [("FRA-R-1", "FRA", 2019, ["trafficking-in-persons"]), ("FRA-R-2", "FRA", 2019, ["trafficking-in-persons",
            "smuggling-of-migrants"]), ("FRA-R-3", "FRA", 2021, ["smuggling-of-migrants"]),
            ("MEX-R-1", "MEX", 2019, ["trafficking-in-persons"])]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.jsonl"
        path.write_text("".join(json.dumps({"id": i, "title": "[Illustrative] region test case", "country": c,
                                            "year": y, "crime_types": t}) + "\n" for i, c, y, t in made),
                        encoding="utf-8")
        report = Ingest(store, settings).load("cases", [path])
    assert not [i for i in report.issues if i.severity == "Violation"], report.issues
    named = QueryLibrary(settings.queries_dir).get("cases-by-area-year-and-crime-type")

    def counts(area: str) -> dict[tuple[int, str], int]:
        rows = store.select(named.text, bindings=named.bindings({"area": area}, Iris(settings.base))).rows
        return {(int(str(r["year"])), str(r["crimeType"]).rsplit("/", 1)[-1]): int(r["cases"]) for r in rows}

    french = {(2019, "trafficking-in-persons"): 2, (2019, "smuggling-of-migrants"): 1, (2021, "smuggling-of-migrants"): 1}
    assert counts("150") == counts("155") == counts("FRA") == french
    assert counts("019") == {(2019, "trafficking-in-persons"): 1}
    assert counts("002") == {}  # Africa: no case of its States here


def test_the_trends_page_for_a_region(settings) -> None:
    """?region=150: the cases per year and crime type of the courts of the region's States only (France
    here, not the fictional States nor Mexico), with the query behind it; a malformed or absent area
    is a 400 naming the parameter."""
    import tempfile

    import httpx

    from sherloc_kg.api.app import create_app
    from sherloc_kg.ingest import Ingest

    from .servers import serving
    from .test_search_api import examples_store

    store = examples_store(settings)
    made = [("FRA-T-1", "FRA", 2018, "trafficking-in-persons"), ("FRA-T-2", "FRA", 2018, "trafficking-in-persons"),
            ("MEX-T-1", "MEX", 2018, "trafficking-in-persons")]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.jsonl"
        path.write_text("".join(json.dumps({"id": i, "title": "[Illustrative] region page case", "country": c,
                                            "year": y, "crime_types": [t]}) + "\n" for i, c, y, t in made),
                        encoding="utf-8")
        Ingest(store, settings).load("cases", [path])
    with serving(create_app(settings, store=store)) as base:
        europe = httpx.get(base + "/explore/trends", params={"region": "150"}, timeout=60)
        malformed = httpx.get(base + "/explore/trends", params={"region": "EUR"}, timeout=60)
        absent = httpx.get(base + "/explore/trends", params={"region": "999"}, timeout=60)
        eastern = httpx.get(base + "/explore/trends", params={"region": "151"}, timeout=60).text
        everything = httpx.get(base + "/explore/trends", timeout=60).text
    assert europe.status_code == 200
    page = europe.text
    assert "<h1>Trends: Europe</h1>" in page and page.count("<svg") == 1
    assert "query=cases-by-area-year-and-crime-type&amp;area=150" in page
    rows = re.findall(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>', page)
    assert [(year, re.findall(r">(\d+)<", cells)[-1]) for year, cells in rows] == [("2018", "2")]  # France's two
    assert '<option value="150" selected>Europe (150)</option>' in page
    assert malformed.status_code == 400 and "parameter &#39;region&#39;" in malformed.text
    assert absent.status_code == 400 and "no State in the data is in the UN M49 area 999" in absent.text
    assert "<h1>Trends: Eastern Europe</h1>" in eastern and "No case with a year and a crime type." in eastern
    assert '<option value="019">Americas (019)</option>' in everything
