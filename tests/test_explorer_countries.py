"""The countries list and the country pages, over HTTP on a real server holding the bundled cases
and every illustrative example; the figures are checked against the input files."""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sherloc_kg.access import Tokens

from .servers import fetch

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


def test_countries_list_has_every_country_with_its_case_count(explorer: str, cases: list[dict]) -> None:
    response = fetch(explorer + "/explore/countries")
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
    page = fetch(explorer + "/explore/countries", params={"sort": "cases", "order": "desc"}).text
    first = re.search(r'<tbody>\s*<tr>\s*<th scope="row"><a href="/explore/countries/([A-Z0-9]+)">', page)
    counts = Counter(c.get("country") or c.get("jurisdiction") for c in cases)
    assert first and first.group(1) == counts.most_common(1)[0][0]
    assert 'aria-sort="descending"' in page
    by_name = fetch(explorer + "/explore/countries", params={"sort": "name"}).text
    names = re.findall(r'<th scope="row"><a href="/explore/countries/[A-Z0-9]+">([^<]+)</a>', by_name)
    assert names == sorted(names, key=str.casefold)
    assert fetch(explorer + "/explore/countries", params={"sort": "<x>", "order": "up"}).status_code == 200


def test_country_page_of_a_fictional_state(explorer: str) -> None:
    response = fetch(explorer + "/explore/countries/XAA")
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
                assert f'<a href="/explore/laws/XAA/{law["id"]}#art-{provision["number"]}">' in row.group(0)
    # cases: a chart and the case, with the way to every case of the State
    assert '<a href="/explore/cases/XAA-EX-001">' in page
    assert 'href="/explore/search/cases?country=XAA"' in page
    assert re.search(r'<svg [^>]*role="(img|group)"', page)
    # authorities and strategies
    assert '<a href="/explore/authorities/XAA-central-authority-mla">' in page  # its page for readers
    assert '<a href="/id/strategy/XAA-strategy-tip-2022">' in page
    assert " style=" not in page and "<script" not in page


#: What a reader of each language reads for Aurelia's authority (data/examples/authorities.jsonl:
#: designated under untoc/art/18/13, languages en and fr, channels direct and interpol), in words.
AUTHORITY_WORDS = {
    "en": {"headings": ("Designated under", "Languages accepted", "Channels"),
           "provisions": {"untoc/art/18/13": "Organized Crime Convention, Article 18 (13)"},
           "language_names": ["English", "French"], "languages": "English and French",
           "channel_names": ["direct transmission", "INTERPOL"], "channels": "direct transmission and INTERPOL",
           "matter": "Mutual legal assistance"},
    "fr": {"headings": ("Désignée en vertu de", "Langues acceptées", "Voies de transmission"),
           "provisions": {"untoc/art/18/13": "Convention contre la criminalité organisée, Article 18 (13)"},
           "language_names": ["anglais", "français"], "languages": "anglais et français",
           "channel_names": ["transmission directe", "INTERPOL"], "channels": "transmission directe et INTERPOL",
           "matter": "Entraide judiciaire"},
}


def aurelias_authority() -> dict:
    authority = next(a for a in jsonl(REPO / "data/examples/authorities.jsonl") if a["country"] == "XAA")
    # the words above are of this record
    assert [d["under"] for d in authority["designations"]] == ["untoc/art/18/13"]
    assert sorted(authority["languages_accepted"]) == ["en", "fr"]
    assert sorted(authority["channels"]) == ["direct", "interpol"]
    return authority


def _section(page: str, ident: str) -> str:
    start = page.index(f'<section id="{ident}"')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("lang", sorted(AUTHORITY_WORDS))
def test_authorities_are_shown_in_words_not_codes(explorer: str, lang: str) -> None:
    authority = aurelias_authority()
    words = AUTHORITY_WORDS[lang]
    response = fetch(explorer + "/explore/countries/XAA", params={"lang": lang})
    assert response.status_code == 200
    section = html.unescape(_section(response.text, "authorities"))
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())  # what a reader reads: no markup
    designated, languages, channels = words["headings"]
    assert f'<a href="/explore/authorities/{authority["id"]}">' in section
    # each provision a link to its page in the Convention browser, named in words; no code shown
    assert f"<dt>{designated}</dt>" in section
    for designation in authority["designations"]:
        reference = designation["under"]
        assert f'<dd><a href="/explore/instruments/{reference}">{words["provisions"][reference]}</a>: ' \
               f'{words["matter"]}' in section  # what for, in the reader's language
    assert "untoc/art/" not in text and "/art/" not in text
    # the languages and the channels by their names, joined as the language writes a list
    shown = re.search(rf"<dt>{languages}</dt><dd>([^<]*)</dd>", section)
    assert shown and shown.group(1) == words["languages"]
    codes = authority["languages_accepted"]
    assert ", ".join(codes) not in text and ", ".join(reversed(codes)) not in text
    shown = re.search(rf"<dt>{channels}</dt><dd>([^<]*)</dd>", section)
    assert shown and shown.group(1) == words["channels"]
    codes = authority["channels"]
    assert ", ".join(codes) not in text and ", ".join(reversed(codes)) not in text


@pytest.mark.parametrize("lang", sorted(AUTHORITY_WORDS))
def test_the_twin_keeps_the_authorities_codes_beside_the_words(explorer: str, lang: str) -> None:
    authority = aurelias_authority()
    words = AUTHORITY_WORDS[lang]
    response = fetch(explorer + "/api/countries/XAA", params={"lang": lang})
    assert response.status_code == 200
    twin = next(a for a in response.json()["authorities"] if a["href"] == f"/explore/authorities/{authority['id']}")
    # the codes, for machines
    assert sorted(twin["languages"].split(", ")) == sorted(authority["languages_accepted"])
    assert sorted(twin["channels"].split(", ")) == sorted(authority["channels"])
    assert [d["reference"] for d in twin["designations"]] == [d["under"] for d in authority["designations"]]
    # and beside them the words the page shows
    assert twin["language_names"] == words["language_names"]
    assert twin["channel_names"] == words["channel_names"]
    assert [d["label"] for d in twin["designations"]] == \
        [words["provisions"][d["under"]] for d in authority["designations"]]


def test_contact_details_only_for_an_official(explorer: str, official) -> None:
    authority = next(a for a in jsonl(REPO / "data/examples/authorities.jsonl") if a["country"] == "XAA")
    email, phone = authority["contact"]["email"], authority["contact"]["phone"]
    public = fetch(explorer + "/explore/countries/XAA").text
    assert email not in public and phone not in public
    assert authority["name"] in public  # the public part is there
    url, headers = official
    assert email not in fetch(url + "/explore/countries/XAA").text
    page = fetch(url + "/explore/countries/XAA", headers=headers).text
    assert f'<a href="mailto:{email}">{email}</a>' in page
    assert phone in page and authority["contact"]["address"] in page


def test_a_real_country_page(explorer: str, cases: list[dict]) -> None:
    page = fetch(explorer + "/explore/countries/BRA").text
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
    albania = fetch(explorer + "/explore/countries/ALB").text  # Albania,12 Dec 2000,21 Aug 2002 in the table
    assert page.count('<span class="muted">no participation recorded</span>') == 4
    assert '<time datetime="2002-08-21">21 August 2002</time></td>' in albania and "<td>Ratification</td>" in albania
    assert albania.count('<span class="muted">no participation recorded</span>') == 3  # the Protocols


@pytest.mark.parametrize("code", ["QQQ", "XYZ", "bra", "B", "<script>", "BRA%20X"])
def test_unknown_or_malformed_code_is_a_404_in_the_frame(explorer: str, code: str) -> None:
    response = fetch(explorer + "/explore/countries/" + code)
    assert response.status_code == 404
    assert 'href="/static/explorer.css"' in response.text
    assert "<script>" not in response.text


def test_every_local_link_on_a_country_page_answers(explorer: str) -> None:
    for code in ("XAA", "BRA"):
        page = fetch(explorer + f"/explore/countries/{code}").text
        hrefs = {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', page)}
        local = sorted(h for h in hrefs if h.startswith("/") and not h.startswith("//")
                       and not urlsplit(h).path.startswith(ELSEWHERE))
        assert any(h.startswith("/id/") for h in local)
        for href in local:
            response = fetch(explorer + href, follow_redirects=True)
            assert response.status_code == 200, href
