"""The implementation profile of a State (issue 8, item 3), over HTTP on a real server holding the
bundled cases and every illustrative example: the figures are computed here from
data/examples/*.jsonl and compared with the HTML, JSON and CSV answers; the unpublished
self-assessment is shown to an official only."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from sherloc_kg import obligations
from sherloc_kg.access import Tokens
from sherloc_kg.iris import INSTRUMENTS
from sherloc_kg.loaders.instruments import parse_instrument

from .jargon import Page, jargon
from .servers import serving

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"


# -- the servers ---------------------------------------------------------------------------------

def application(settings, store):
    """The application with the routes of api/implementation.py (included here until api/app.py
    includes them itself)."""
    from sherloc_kg.api.app import create_app

    return create_app(settings, store=store)


@pytest.fixture(scope="session")
def article32(settings, explorer_store) -> str:
    with serving(application(settings, explorer_store)) as url:
        yield url


@pytest.fixture(scope="session")
def article32_official(settings, explorer_store, tmp_path_factory: pytest.TempPathFactory):
    """The same application with a token file holding an official token: (url, headers)."""
    token_file = Path(tmp_path_factory.mktemp("article32-tokens")) / "tokens.json"
    token = Tokens(token_file).create("official", name="article 32 test")
    with serving(application(settings.with_(tokens=token_file), explorer_store)) as url:
        yield url, {"Authorization": "Bearer " + token}


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=120, **kwargs)


# -- what the example files say -------------------------------------------------------------------

def jsonl(name: str) -> list[dict]:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def article_of(reference: str) -> str:
    """untoc/art/5/1/a → untoc/art/5."""
    return "/".join(reference.split("/")[:3])


def participation() -> dict[tuple[str, str], str]:
    """(country, instrument) → consent date."""
    with (EXAMPLES / "participation.csv").open(encoding="utf-8") as handle:
        return {(r["country"], r["instrument"]): r["consent_date"] for r in csv.DictReader(handle) if r["consent_date"]}


def implementing() -> dict[str, str]:
    """national provision key (country:law#number) → the Convention provision it implements (one each here)."""
    result = {}
    for law in jsonl("legislation.jsonl"):
        for provision in law["provisions"]:
            for reference in provision.get("implements", []):
                result[f'{law["country"]}:{law["id"]}#{provision["number"]}'] = reference
    return result


def expected_evidence() -> dict[tuple[str, str], dict[str, set[str]]]:
    """(country, article) → {"national": national provision paths, "cases": case ids,
    "authorities": authority ids, "public": statuses, "all": statuses} from the example files."""
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for law in jsonl("legislation.jsonl"):
        for provision in law["provisions"]:
            for reference in provision.get("implements", []):
                found[(law["country"], article_of(reference))]["national"].add(
                    f'/id/legislation/{law["country"]}/{law["id"]}/art/{provision["number"]}')
    links = implementing()
    for case in jsonl("cases.jsonl"):
        country = case["country"]
        cited = list(case.get("provisions", []))
        for key in case.get("legislation", []):
            cited.append(links[key if ":" in key else f"{country}:{key}"])
        for reference in cited:
            found[(country, article_of(reference))]["cases"].add(case["id"])
    for authority in jsonl("authorities.jsonl"):
        for designation in authority.get("designations", []):
            found[(authority["country"], article_of(designation["under"]))]["authorities"].add(authority["id"])
    for review in jsonl("review.jsonl"):
        key = (review["country"], article_of(review["provision"]))
        found[key]["all"].add(review["status"])
        if review.get("published"):
            found[key]["public"].add(review["status"])
    return found


def article_types() -> dict[str, str]:
    types: dict[str, str] = {}
    for code in INSTRUMENTS:
        for article in parse_instrument(REPO / "data/convention-texts" / f"{code}.md", code).articles:
            types[article.reference] = obligations.assign(article)[article.reference]
    return types


def unpublished() -> dict:
    return next(r for r in jsonl("review.jsonl") if not r.get("published"))


# -- the JSON ------------------------------------------------------------------------------------

def test_profile_matches_the_example_files(article32: str) -> None:
    response = get(article32 + "/api/countries/XAA/implementation")
    assert response.status_code == 200
    profile = response.json()
    assert profile["name"] == "Aurelia (fictional State)"
    articles = {a["article"]: a for a in profile["articles"]}
    types = article_types()
    assert set(articles) == set(types)  # every article of the four instruments, once
    evidence = expected_evidence()
    party = participation()
    for reference, a in articles.items():
        expected = evidence.get(("XAA", reference), {})
        assert {e["href"] for e in a["national_provisions"]} == expected.get("national", set()), reference
        assert {e["href"].rsplit("/", 1)[-1] for e in a["cases"]} == expected.get("cases", set()), reference
        assert {e["href"].rsplit("/", 1)[-1] for e in a["authorities"]} == expected.get("authorities", set()), reference
        statuses = expected.get("public", set())
        assert set((a["self_assessment"] or {}).get("statuses", [])) == statuses, reference
        assert a["party_since"] == party.get(("XAA", a["instrument"])), reference
        assert a["obligation"] == types[reference], reference
        has_evidence = any(expected.get(k) for k in ("national", "cases", "authorities"))
        derived = "evidence found" if has_evidence else "self-assessed only" if statuses else "nothing recorded"
        assert a["derived_status"] == derived, reference
        for entry in a["national_provisions"] + a["cases"] + a["authorities"]:
            assert entry["href"].startswith("/id/"), entry
    assert profile["totals"]["evidence found"] == sum(1 for (c, _), e in evidence.items()
                                                      if c == "XAA" and any(e.get(k) for k in ("national", "cases", "authorities")))
    # the evidence of untoc/art/5 names the paragraph each law implements
    law = articles["untoc/art/5"]["national_provisions"][0]
    assert law["reference"] == "untoc/art/5/1/a" and "art. 150" in law["label"]


def test_filters_by_instrument_and_cluster(article32: str) -> None:
    tip = get(article32 + "/api/countries/XAA/implementation", params={"instrument": "tip"}).json()
    assert tip["articles"] and {a["instrument"] for a in tip["articles"]} == {"tip"}
    assert len(tip["articles"]) == sum(1 for r in article_types() if r.startswith("tip/"))
    one = get(article32 + "/api/countries/XAA/implementation", params={"cluster": "1"}).json()["articles"]
    none = get(article32 + "/api/countries/XAA/implementation", params={"cluster": "none"}).json()["articles"]
    assert all("1" in a["clusters"] for a in one)
    assert all(a["clusters"] == [] for a in none)
    assert not {a["article"] for a in one} & {a["article"] for a in none}
    bad = get(article32 + "/api/countries/XAA/implementation", params={"instrument": "xyz"})
    assert bad.status_code == 400
    assert get(article32 + "/api/countries/QQQ/implementation").status_code == 404
    assert get(article32 + "/api/countries/bra/implementation").status_code == 404


def test_the_public_never_sees_the_unpublished_self_assessment(article32: str, article32_official) -> None:
    hidden = unpublished()
    article = article_of(hidden["provision"])
    response_id = hidden["id"]
    public_json = get(article32 + "/api/countries/XAA/implementation").text
    public_csv = get(article32 + "/api/countries/XAA/implementation.csv").text
    public_html = get(article32 + "/explore/countries/XAA/implementation").text
    for body in (public_json, public_csv, public_html):
        assert response_id not in body and hidden["status"] not in body
    url, headers = article32_official
    assert response_id not in get(url + "/api/countries/XAA/implementation").text  # no token: the public
    official = {a["article"]: a for a in get(url + "/api/countries/XAA/implementation", headers=headers).json()["articles"]}
    assert official[article]["self_assessment"]["statuses"] == [hidden["status"]]
    assert official[article]["self_assessment"]["date"] == hidden["date"]
    assert response_id in get(url + "/api/countries/XAA/implementation.csv", headers=headers).text
    page = get(url + "/explore/countries/XAA/implementation", headers=headers).text
    assert f'href="/id/review/{response_id}"' in page


# -- the CSV and the page -----------------------------------------------------------------------

def test_csv_holds_one_row_per_article(article32: str) -> None:
    response = get(article32 + "/api/countries/XAA/implementation.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(article_types())
    by_article = {r["article"]: r for r in rows}
    assert by_article["untoc/art/5"]["derived_status"] == "evidence found"
    assert "/id/legislation/XAA/XAA-penal-code/art/150" in by_article["untoc/art/5"]["national_provisions"]
    assert by_article["untoc/art/5"]["self_assessment"] == "implemented"
    assert by_article["untoc/art/1"]["derived_status"] == "nothing recorded"


def test_profile_page_links_every_cell_to_its_evidence(article32: str) -> None:
    response = get(article32 + "/explore/countries/XAA/implementation")
    assert response.status_code == 200
    page = response.text
    assert " style=" not in page and "<script" not in page
    row = re.search(r'<tr id="untoc-art-5" class="derived-evidence-found">(.*?)</tr>', page, re.S)
    assert row, "untoc/art/5 row"
    # the reader's pages (the Convention browser, the law at the provision's anchor, the case); a
    # review answer has its RDF view only
    for href in ("/explore/instruments/untoc/art/5", "/explore/laws/XAA/XAA-penal-code#art-150",
                 "/explore/cases/XAA-EX-001", "/id/review/XAA-review-untoc-art-5-1-a"):
        assert f'href="{href}"' in row.group(1), href
    assert '<time datetime="2004-05-10">' in row.group(1)
    assert "Mandatory" in row.group(1)
    # in words (issue 18): the article under its instrument's heading, the paragraph a law implements
    assert '<span class="visually-hidden">Organized Crime Convention, </span>Article 5</a>' in row.group(1)
    assert "(Article 5 (1) (a))" in row.group(1) and ">Article 5 (1) (a)</a>" in row.group(1)
    headings = re.findall(r'<h2 class="instrument-heading">([^<]+)</h2>', page)
    assert headings == ["Organized Crime Convention", "Trafficking in Persons Protocol", "Smuggling of Migrants Protocol",
                        "Firearms Protocol"]
    assert not jargon(Page(page).text), jargon(Page(page).text)
    assert "Participation: recorded for Aurelia (fictional State) in UNTOC and the Trafficking in Persons Protocol;" in page
    authority = re.search(r'<tr id="untoc-art-18" [^>]*>(.*?)</tr>', page, re.S)
    assert authority and 'href="/explore/authorities/XAA-central-authority-mla"' in authority.group(1)
    assert 'href="/api/countries/XAA/implementation.csv"' in page
    hrefs = {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', page)}
    local = sorted(h for h in hrefs if h.startswith("/") and not urlsplit(h).path.startswith(("/explore/sparql", "/static")))
    for href in local:
        assert get(article32 + href).status_code == 200, href


def test_profile_page_of_an_unknown_state_is_a_404_in_the_frame(article32: str) -> None:
    response = get(article32 + "/explore/countries/QQQ/implementation")
    assert response.status_code == 404
    assert 'href="/static/explorer.css"' in response.text
    assert get(article32 + "/explore/countries/XAA/implementation", params={"instrument": "<b>"}).status_code == 400


def test_the_country_page_links_the_article_32_pages(article32: str) -> None:
    page = get(article32 + "/explore/countries/XAA").text
    assert 'href="/explore/countries/XAA/implementation"' in page
    assert 'href="/explore/countries/XAA/quality"' in page
    assert 'href="/explore/gaps"' in get(article32 + "/").text
