"""The countries list and the country pages, over HTTP on a real server holding the bundled cases
and every illustrative example; the figures are checked against the input files."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from sherloc_kg.access import Tokens

REPO = Path(__file__).resolve().parents[1]
#: Built by other pages of the explorer; their own tests follow them.
ELSEWHERE = ("/explore/search", "/explore/instruments", "/explore/sparql")


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return [c for path in sorted((REPO / "data/cases").glob("*.jsonl")) for c in jsonl(path)]


@pytest.fixture(scope="module")
def official(settings, explorer_store, tmp_path_factory: pytest.TempPathFactory):
    """The same application with a token file holding an official token: (url, headers)."""
    from sherloc_kg.api.app import create_app

    from .servers import serving

    token_file = Path(tmp_path_factory.mktemp("country-tokens")) / "tokens.json"
    token = Tokens(token_file).create("official", name="country page test")
    with serving(create_app(settings.with_(tokens=token_file), store=explorer_store)) as url:
        yield url, {"Authorization": "Bearer " + token}


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=120, **kwargs)


def test_countries_list_has_every_country_with_its_case_count(explorer: str, cases: list[dict]) -> None:
    response = get(explorer + "/explore/countries")
    assert response.status_code == 200
    page = response.text
    counts = Counter(c.get("country") or c.get("jurisdiction") for c in cases)
    for code in ("BRA", counts.most_common(1)[0][0]):
        row = re.search(rf'<th scope="row"><a href="/explore/countries/{code}">([^<]+)</a></th>\s*'
                        rf'<td><code>{code}</code></td>\s*<td class="number">(\d+)</td>', page)
        assert row, code
        assert int(row.group(2)) == counts[code], code
    assert '<a href="/explore/countries/BRA">Brazil</a>' in page
    # the fictional States are there through their laws, participation, authorities...
    assert 'href="/explore/countries/XAA"' in page and 'href="/explore/countries/XAC"' in page
    assert " style=" not in page and "<script" not in page


def test_countries_list_sorts_by_a_column(explorer: str, cases: list[dict]) -> None:
    page = get(explorer + "/explore/countries", params={"sort": "cases", "order": "desc"}).text
    first = re.search(r'<tbody>\s*<tr>\s*<th scope="row"><a href="/explore/countries/([A-Z0-9]+)">', page)
    counts = Counter(c.get("country") or c.get("jurisdiction") for c in cases)
    assert first and first.group(1) == counts.most_common(1)[0][0]
    assert 'aria-sort="descending"' in page
    by_name = get(explorer + "/explore/countries", params={"sort": "name"}).text
    names = re.findall(r'<th scope="row"><a href="/explore/countries/[A-Z0-9]+">([^<]+)</a>', by_name)
    assert names == sorted(names, key=str.casefold)
    assert get(explorer + "/explore/countries", params={"sort": "<x>", "order": "up"}).status_code == 200


def test_country_page_of_a_fictional_state(explorer: str) -> None:
    response = get(explorer + "/explore/countries/XAA")
    assert response.status_code == 200
    page = response.text
    assert "Aurelia (fictional State)" in page
    # participation: the dates and the action of data/examples/participation.csv
    with (REPO / "data/examples/participation.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["country"] == "XAA"]
    section = page[page.index('id="participation"'):page.index('id="legislation"')]
    for row in rows:
        assert f'<a href="/explore/instruments/{row["instrument"]}">' in section
        assert f'<time datetime="{row["signature_date"]}">' in section
        assert f'<time datetime="{row["consent_date"]}">' in section
        assert row["consent_type"].capitalize() in section
    # legislation per Convention provision: provision → the national provision implementing it
    for law in jsonl(REPO / "data/examples/legislation.jsonl"):
        if law["country"] != "XAA":
            continue
        for provision in law["provisions"]:
            for reference in provision.get("implements", []):
                row = re.search(rf'<a href="/explore/instruments/{reference}">[^<]+, Article [^<]+</a>.*?</tr>', page, re.S)
                assert row, reference
                assert f'<a href="/id/legislation/XAA/{law["id"]}/art/{provision["number"]}">' in row.group(0)
    # cases: a chart and the case, with the way to every case of the State
    assert '<a href="/explore/cases/XAA-EX-001">' in page
    assert 'href="/explore/search/cases?country=XAA"' in page
    assert re.search(r'<svg [^>]*role="(img|group)"', page)
    # authorities and strategies
    assert '<a href="/id/authority/XAA-central-authority-mla">' in page
    assert '<a href="/id/strategy/XAA-strategy-tip-2022">' in page
    assert " style=" not in page and "<script" not in page


def test_contact_details_only_for_an_official(explorer: str, official) -> None:
    authority = next(a for a in jsonl(REPO / "data/examples/authorities.jsonl") if a["country"] == "XAA")
    email, phone = authority["contact"]["email"], authority["contact"]["phone"]
    public = get(explorer + "/explore/countries/XAA").text
    assert email not in public and phone not in public
    assert authority["name"] in public  # the public part is there
    url, headers = official
    assert email not in get(url + "/explore/countries/XAA").text
    page = get(url + "/explore/countries/XAA", headers=headers).text
    assert f'<a href="mailto:{email}">{email}</a>' in page
    assert phone in page and authority["contact"]["address"] in page


def test_a_real_country_page(explorer: str, cases: list[dict]) -> None:
    page = get(explorer + "/explore/countries/BRA").text
    expected = sum(1 for c in cases if c.get("country") == "BRA")
    assert f"{expected} cases decided" in page
    years = Counter(c["year"] for c in cases if c.get("country") == "BRA")
    year, n = years.most_common(1)[0]
    assert f'<title>{year}: {n} cases</title>' in page
    assert f'<tr><th scope="row">{year}</th><td class="number">{n}</td></tr>' in page
    # Brazil is not in the bundled (partial) UNTC table: for the four instruments, no participation
    # recorded, with what the store covers; never "not party" (open world)
    assert page.count('<span class="muted">no participation recorded</span>') == 4
    assert "from the UN Treaty Collection status table of UNTOC as at 4 May 2024, covering 18 participants" in page
    assert "not party" not in page.lower()
    albania = get(explorer + "/explore/countries/ALB").text  # Albania,12 Dec 2000,21 Aug 2002 in the table
    assert page.count('<span class="muted">no participation recorded</span>') == 4
    assert '<time datetime="2002-08-21">21 August 2002</time></td>' in albania and "<td>Ratification</td>" in albania
    assert albania.count('<span class="muted">no participation recorded</span>') == 3  # the Protocols


@pytest.mark.parametrize("code", ["QQQ", "XYZ", "bra", "B", "<script>", "BRA%20X"])
def test_unknown_or_malformed_code_is_a_404_in_the_frame(explorer: str, code: str) -> None:
    response = get(explorer + "/explore/countries/" + code)
    assert response.status_code == 404
    assert 'href="/static/explorer.css"' in response.text
    assert "<script>" not in response.text


def test_every_local_link_on_a_country_page_answers(explorer: str) -> None:
    for code in ("XAA", "BRA"):
        page = get(explorer + f"/explore/countries/{code}").text
        hrefs = {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', page)}
        local = sorted(h for h in hrefs if h.startswith("/") and not h.startswith("//")
                       and not urlsplit(h).path.startswith(ELSEWHERE))
        assert any(h.startswith("/id/") for h in local)
        for href in local:
            response = get(explorer + href, follow_redirects=True)
            assert response.status_code == 200, href
