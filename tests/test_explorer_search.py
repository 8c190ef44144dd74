"""The explorer's faceted search pages and their CSV, over HTTP on a real server with the real cases."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "data" / "cases" / "sherloc-cases-tip-2026-08.jsonl"
TIMEOUT = 120


@pytest.fixture(scope="module")
def source() -> list[dict]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def where(case: dict) -> str:
    return case.get("country") or case["jurisdiction"]


def get(explorer: str, path: str, params=None) -> httpx.Response:
    return httpx.get(explorer + path, params=params, timeout=TIMEOUT)


def total_of(page: str) -> int:
    found = re.search(r'<strong id="total">([\d,]+)</strong>', page)
    assert found, page[:2000]
    return int(found.group(1).replace(",", ""))


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def test_a_country_and_crime_type_narrow_the_cases(explorer: str, source: list[dict]) -> None:
    everything = get(explorer, "/explore/search/cases")
    assert everything.status_code == 200 and everything.headers["content-type"].startswith("text/html")
    assert total_of(everything.text) >= len(source)
    crime = "participation-in-an-organized-criminal-group"
    expected = [c for c in source if where(c) == "BRA" and crime in c["crime_types"]]
    assert 5 < len(expected) < 100
    response = get(explorer, "/explore/search/cases", [("country", "BRA"), ("crime_type", crime), ("size", "100")])
    assert response.status_code == 200
    page = response.text
    assert total_of(page) == len(expected) < total_of(everything.text)
    # every result is a Brazilian case, linked to its reader page (the RDF view is one link further)
    results = re.findall(r'<a class="result-title" href="([^"]+)"', page)
    assert sorted(results) == sorted(f"/explore/cases/{c['id']}" for c in expected)
    countries = re.findall(r'<span class="country" title="[^"]*">([A-Z]{3})</span>', page)
    assert countries and set(countries) == {"BRA"}
    # the filters are ticked and the form keeps them
    assert re.search(r'name="country" value="BRA" checked', page)
    assert re.search(rf'name="crime_type" value="{crime}" checked', page)


def test_facets_show_the_counts_of_the_search(explorer: str, source: list[dict]) -> None:
    page = get(explorer, "/explore/search/cases", {"year_from": "2008", "year_to": "2010"}).text
    in_range = Counter(where(c) for c in source if 2008 <= c["year"] <= 2010)
    # country labels with their codes and counts (e.g. "Albania <code>ALB</code> (12)")
    for code in ("ALB", "BRA", "USA"):
        if in_range[code]:
            assert re.search(rf'value="{code}"[^>]*>\s*<label[^>]*>[^<]+<code>{code}</code> '
                             rf'<span class="count">\({in_range[code]:,}\)</span>', page), code
    purposes = Counter(p for c in source if 2008 <= c["year"] <= 2010
                       for p in (c.get("tip_elements") or {}).get("purposes", []))
    top, count = purposes.most_common(1)[0]
    # the TIP Protocol art. 3 elements are facets of cases, with their labels
    assert re.search(rf'name="tip_purpose" value="{top}"[^>]*>\s*<label[^>]*>[^<]+ '
                     rf'<span class="count">\({count:,}\)</span>', page), top
    assert "Trafficking: purpose" in page and 'id="facet-tip_act"' in page


def test_tip_element_filter_counts_like_the_source(explorer: str, source: list[dict]) -> None:
    expected = sum(1 for c in source if "removal-of-organs" in (c.get("tip_elements") or {}).get("purposes", []))
    page = get(explorer, "/explore/search/cases", {"tip_purpose": "removal-of-organs"}).text
    assert total_of(page) == expected > 0


def test_paging_links_keep_the_filters(explorer: str, source: list[dict]) -> None:
    expected = sum(1 for c in source if where(c) == "USA")
    page = get(explorer, "/explore/search/cases", {"country": "USA", "size": "10", "sort": "id"}).text
    assert total_of(page) == expected > 30
    pager = page[page.index('class="pager"'):]
    links = [h for h in hrefs(pager) if h.startswith("/explore/search/cases?")]
    assert links
    for link in links:
        assert "country=USA" in link and "size=10" in link and "sort=id" in link, link
    assert re.search(r'rel="next" href="[^"]*page=2', pager)
    last = (expected + 9) // 10
    assert f"page={last}" in pager
    # page 2 follows page 1 in the same order, without overlap
    first = re.findall(r'class="result-title" href="([^"]+)"', page)
    second = re.findall(r'class="result-title" href="([^"]+)"',
                        get(explorer, "/explore/search/cases", {"country": "USA", "size": "10", "sort": "id",
                                                                "page": "2"}).text)
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert sorted(first + second) == first + second


def test_results_link_provisions_to_the_convention_pages(explorer: str) -> None:
    page = get(explorer, "/explore/search/legislation", {"provision": "untoc/art/5"}).text
    assert total_of(page) >= 1
    assert re.search(r'href="/explore/instruments/untoc/art/5(/[0-9a-z]+)*"', page)
    # a law or a provision of one leads to the law's reader page (at the provision), not its RDF view
    laws = re.findall(r'class="result-title" href="(/explore/laws/[^"]+)"', page)
    assert laws and 'href="/id/legislation/' not in page
    for href in laws:
        target, _, place = href.partition("#")
        law = get(explorer, target).text
        assert not place or f'id="{place}"' in law, href


def test_tabs_switch_the_kind_and_every_kind_has_a_page(explorer: str) -> None:
    page = get(explorer, "/explore/search/cases", {"q": "decision"}).text
    for kind in ("cases", "legislation", "treaties", "strategies", "publications", "authorities"):
        assert f'href="/explore/search/{kind}?q=decision"' in page, kind
        response = get(explorer, f"/explore/search/{kind}")
        assert response.status_code == 200, (kind, response.text[:500])
        assert total_of(response.text) >= 1, kind
    authorities = get(explorer, "/explore/search/authorities").text
    assert 'value="year_desc"' not in authorities and 'name="year_from"' not in authorities


def test_the_form_works_without_javascript_and_is_a_get(explorer: str) -> None:
    page = get(explorer, "/explore/search/cases").text
    assert re.search(r'<form class="search-form" action="/explore/search/cases" method="get">', page)
    assert '<button type="submit">Search</button>' in page
    assert "<script>" not in page and " style=" not in page
    # an empty form field (as a browser sends it) is no filter
    empty = get(explorer, "/explore/search/cases", {"q": "", "year_from": "", "year_to": "", "country": "BRA"})
    assert empty.status_code == 200 and total_of(empty.text) >= 99


def test_bad_parameters_are_a_400_page_naming_them(explorer: str) -> None:
    response = get(explorer, "/explore/search/cases", {"year_from": "twenty"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "year_from" in response.text and "<main" in response.text and 'class="error-box"' in response.text
    for params, name in (({"country": "brazil"}, "country"), ({"sort": "random"}, "sort"),
                         ({"crime_type": "no-such-crime"}, "crime_type"), ({"size": "1000"}, "size")):
        response = get(explorer, "/explore/search/cases", params)
        assert response.status_code == 400 and f"parameter &#39;{name}&#39;" in response.text, params
    assert get(explorer, "/explore/search/treaties", {"crime_type": "drug-offences"}).status_code == 400


def test_unknown_kind_is_a_404_page(explorer: str) -> None:
    response = get(explorer, "/explore/search/spaceships")
    assert response.status_code == 404 and "<main" in response.text and "spaceships" in response.text
    assert get(explorer, "/explore/search/spaceships.csv").status_code == 404


def test_csv_has_every_matching_record(explorer: str, source: list[dict]) -> None:
    crime = "participation-in-an-organized-criminal-group"
    page = get(explorer, "/explore/search/cases", [("country", "BRA"), ("crime_type", crime), ("size", "10"),
                                                   ("page", "2")]).text
    link = next(h for h in hrefs(page) if h.startswith("/explore/search/cases.csv"))
    assert "country=BRA" in link and f"crime_type={crime}" in link and "page=" not in link
    assert "Download CSV" in page
    response = get(explorer, link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="sherloc-cases.csv"'
    assert response.headers["x-result-truncated"] == "false"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = {c["id"] for c in source if where(c) == "BRA" and crime in c["crime_types"]}
    assert len(rows) == total_of(page) == len(expected) == int(response.headers["x-result-total"])
    assert {r["id"] for r in rows} == expected
    assert list(rows[0])[:5] == ["id", "iri", "title", "country", "year"]
    assert {"provisions", "crime_types", "tip_act", "tip_means", "tip_purpose"} <= set(rows[0])
    assert all(r["country"] == "BRA" and crime in r["crime_types"].split("; ") for r in rows)
    assert all(r["iri"].endswith("/id/case/" + r["id"]) for r in rows)


def test_csv_of_everything_is_not_only_a_page(explorer: str, source: list[dict]) -> None:
    response = get(explorer, "/explore/search/cases.csv", {"size": "5"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == int(response.headers["x-result-total"]) >= len(source)
    bad = get(explorer, "/explore/search/cases.csv", {"year_to": "soon"})
    assert bad.status_code == 400 and "year_to" in bad.text


def test_words_find_what_the_page_shows_of_a_case(explorer: str, explorer_store) -> None:
    prefixes = ("PREFIX sherloc: <https://w3id.org/sherloc/ontology#>\n"
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
    for q, pattern in (("money laundering", '?r sherloc:crimeType ?c . ?c skos:notation "money-laundering" .'),
                       ("Brazil", '?r sherloc:jurisdiction ?c . ?c sherloc:iso3166Alpha3 "BRA" .'),
                       ("Brésil", '?r sherloc:jurisdiction ?c . ?c sherloc:iso3166Alpha3 "BRA" .')):
        rows = explorer_store.select(f"{prefixes}SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE "
                                     f"{{ ?r a sherloc:CourtCase . {pattern} }}").rows
        expected = int(rows[0]["n"])
        page = get(explorer, "/explore/search/cases", {"q": q}).text
        assert total_of(page) == expected > 0, q
        assert "Download CSV" in page and "Nothing matches" not in page


def test_a_search_finding_nothing_says_what_to_change(explorer: str) -> None:
    page = get(explorer, "/explore/search/cases", {"q": "zzqqxx"}).text
    assert total_of(page) == 0
    assert "Download CSV" not in page and ".csv" not in page
    assert "Untick" not in page and "filters set" not in page
    assert "Try other or fewer words" in page and 'href="/explore/search/cases"' in page
    filtered = get(explorer, "/explore/search/cases", {"q": "zzqqxx", "country": "BRA"}).text
    assert total_of(filtered) == 0 and "Download CSV" not in filtered
    assert re.search(r"with the filters set: Country\.</p>\s*<p>Untick it, or try other words\.", filtered)
    years = get(explorer, "/explore/search/cases", {"year_from": "1900", "year_to": "1901",
                                                    "crime_type": "money-laundering"}).text
    assert total_of(years) == 0
    assert "with the filters set: Crime type, Years." in years and "Untick one of them or widen the years." in years
