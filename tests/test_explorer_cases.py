"""A court case written for readers (issue 18, item 1): ``/explore/cases/{id}`` over real HTTP, on
the application over the examples store (reference graphs, the bundled SHERLOC cases, every
illustrative example), and on a store of its own for identifiers that need escaping.

- a known SHERLOC case carries what SHERLOC's page carries, from the data: title, State (linked
  to its country page), year, crime types in words, the elements of trafficking linked to TIP
  art. 3 (a), the provisions it concerns marked inferred with their grounds, the SHERLOC record,
  where it comes from in words, related cases (same State, a crime type in common), and its JSON
  twin; the illustrative case shows a cited provision beside inferred ones, and the national law
  it applies;
- the RDF view (``/id/case/...``) and the reader page link to each other, and search results and
  the country page link cases to their reader page;
- identifiers with a space, ``#``, ``/`` and non-ASCII letters go there and back;
- no jargon reaches them (the crawl over every page kind: tests/test_no_jargon.py).
"""

from __future__ import annotations

import io
import json
import re

import httpx
import pytest
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris, segment
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO
from .jargon import Page
from .servers import serving

TIMEOUT = 120
BUNDLED = REPO / "data" / "cases" / "sherloc-cases-tip-2026-08.jsonl"


def bundled() -> list[dict]:
    return [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=TIMEOUT, **kwargs)


def alternate(response: httpx.Response) -> tuple[str, str]:
    match = re.fullmatch(r'<([^>]*)>; rel="alternate"; type="([^"]+)"', response.headers["link"])
    assert match, response.headers.get("link")
    return match.group(1), match.group(2)


# -- a known case ------------------------------------------------------------------------------

def test_a_sherloc_case_reads_as_sherloc_carries_it(explorer: str) -> None:
    record = next(c for c in bundled() if c["id"] == "ALB001")
    response = get(explorer + "/explore/cases/ALB001")
    assert response.status_code == 200
    page = Page(response.text)
    assert "<h1>Decision No. 648</h1>" in response.text and record["title"] == "Decision No. 648"
    assert page.linked("/explore/countries/ALB") == ["Albania", "Albania"]  # breadcrumb and the facts
    assert "Year of the decision 2009" in page.text
    assert page.linked("/explore/search/cases?crime_type=trafficking-in-persons") == ["Trafficking in persons"]
    # the elements of trafficking in words, each linked to the definition they are elements of
    definition = page.linked("/explore/instruments/tip/art/3/a")
    for element in ("Recruitment", "Transportation", "Transfer", "Deception", "Fraud",
                    "Exploitation of the prostitution of others or other forms of sexual exploitation"):
        assert element in definition, element
    assert "Trafficking in Persons Protocol, Article 3 (a)" in definition
    assert re.search(r"Act Recruitment , Transfer , Transportation Means Deception , Fraud Purpose", page.text)
    # the provisions: inferred (the record cites none), each with its grounds and a link to why
    assert re.search(r"Trafficking in Persons Protocol, Article 3 \(a\) inferred \(trafficking elements\) why\?",
                     page.text)
    assert re.search(r"Trafficking in Persons Protocol, Article 5 inferred \(crime type\) why\?", page.text)
    assert not re.search(r"Article [0-9 ()a-z]+ cited", page.text)
    assert page.linked("/explore/sparql?query=why-inferred&subject=case%2FALB001&provision=tip%2Fart%2F5") == ["why?"]
    # the SHERLOC record, prominent (under the title) and in the sources; provenance in words
    assert page.linked(record["source_url"]) == ["Read the case on SHERLOC",
                                                 "The case’s record on SHERLOC, UNODC’s knowledge management portal"]
    assert "From the SHERLOC case listing of 9 August 2026." in page.text
    assert re.search(r"Loaded into this database on \d{1,2} \w+ \d{4}\.", page.text)
    # related: cases of Albania, sharing the crime type; the page says what related means
    assert "other cases decided in the same State or by the same body that share a crime type" in page.text
    related = [(href, text) for href, text in page.links if href.startswith("/explore/cases/")]
    albanian = {c["id"]: c["title"] for c in bundled() if c.get("country") == "ALB" and c["id"] != "ALB001"}
    assert related and len(related) <= 10
    assert all(href.removeprefix("/explore/cases/") in albanian and albanian[href.removeprefix("/explore/cases/")] == text
               for href, text in related)
    # the RDF view, one link away
    assert page.linked("/id/case/ALB001") == ["Data view (RDF)", "The record as data: every statement, its graph "
                                                                 "picture and its formats (RDF view)"]


def test_the_json_twin_holds_what_the_page_shows(explorer: str) -> None:
    page = get(explorer + "/explore/cases/ALB001")
    href, media = alternate(page)
    assert (href, media) == ("/api/cases/ALB001?lang=en", "application/json")
    twin = get(explorer + href)
    assert twin.status_code == 200 and alternate(twin) == ("/explore/cases/ALB001?lang=en", "text/html")
    data = twin.json()
    assert data["title"] == "Decision No. 648" and data["year"] == "2009"
    assert [(n["label"], n["href"]) for n in data["decided_by"]] == [("Albania", "/explore/countries/ALB")]
    assert {p["reference"]: (p["link"], p["why"]) for p in data["provisions"]} == {
        "tip/art/3": ("inferred", ["tip-elements"]), "tip/art/3/a": ("inferred", ["tip-elements"]),
        "tip/art/5": ("inferred", ["crime-type"]), "tip/art/5/1": ("inferred", ["crime-type"])}
    assert data["provenance"]["as_of"] == "2026-08-09"
    assert data["provenance"]["sherloc"].startswith("https://www.unodc.org/cld/case-law-doc/")
    assert [r["href"] for r in data["related"]] == re.findall(r'<li><a href="(/explore/cases/[^"]+)">', page.text)


def test_a_cited_provision_beside_inferred_ones_and_the_national_law_applied(explorer: str) -> None:
    page = Page(get(explorer + "/explore/cases/XAA-EX-001").text)
    text = page.text
    assert "Trafficking in Persons Protocol, Article 3 (a) cited" in text
    assert re.search(r"Organized Crime Convention, Article 5 \(1\) \(a\) inferred \(national law\) why\?", text)
    assert re.search(r"Trafficking in Persons Protocol, Article 3 inferred \(part cited, trafficking elements\)", text)
    assert "“national law”: the case applies national law recorded (or mapped by our editors)" in text
    assert page.linked("/explore/laws/XAA/XAA-penal-code#art-210") == [
        "[Illustrative] Penal Code of Aurelia (fictional State), article 210"]
    assert page.linked("/explore/countries/XAB") == ["Borealis (fictional State)"]  # a country involved
    assert "Date of the decision 15 March 2021" in text and "Court [Illustrative] High Court of Aurelia" in text
    # open world: what the record lacks is not shown, nor said to be missing (no SHERLOC record here)
    assert "SHERLOC" not in text.replace("SHERLOC-KG", "") and " no " not in f" {text.lower()} "


def test_a_case_of_an_international_body_names_it_without_a_dead_link(explorer: str) -> None:
    """FRA013 was decided by an international or regional body (SHERLOC's jurisdiction IRB), which
    has no country page: the breadcrumb names it, unlinked (it once linked to ``None``)."""
    record = next(c for c in bundled() if c["id"] == "FRA013")
    assert record["jurisdiction"] == "IRB" and "country" not in record
    response = get(explorer + "/explore/cases/FRA013")
    assert response.status_code == 200
    page = Page(response.text)
    crumbs = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', response.text, re.S)
    assert crumbs and "<a" not in crumbs.group(1).split("</li>", 1)[1].rsplit("<li", 1)[0]
    assert not [href for href, _ in page.links if not href or "None" in href]
    for href, _ in page.links:
        if href.startswith("/"):
            assert get(explorer + href).status_code == 200, href


def test_in_french(explorer: str) -> None:
    text = Page(get(explorer + "/explore/cases/ALB001?lang=fr").text).text
    assert "Albanie" in text and "De la liste des affaires de SHERLOC du 9 août 2026." in text
    assert "Protocole relatif à la traite des personnes, Article 3 (a) déduite (éléments de la traite)" in text
    assert "Lire l’affaire sur SHERLOC" in text and "Vue des données (RDF)" in text


def test_an_unknown_case_is_a_404_page(explorer: str) -> None:
    response = get(explorer + "/explore/cases/NO-SUCH-CASE")
    assert response.status_code == 404 and "<h1>Case not found</h1>" in response.text
    assert get(explorer + "/api/cases/NO-SUCH-CASE").status_code == 404


# -- reachable ---------------------------------------------------------------------------------

def test_the_rdf_view_search_and_country_page_lead_to_the_case_page(explorer: str) -> None:
    assert Page(get(explorer + "/id/case/ALB001", headers={"Accept": "text/html"}).text).linked(
        "/explore/cases/ALB001") == ["Read the case page"]
    search = Page(get(explorer + "/explore/search/cases?country=ALB&size=100").text)
    assert "Decision No. 648" in search.linked("/explore/cases/ALB001")
    assert not [href for href, _ in search.links if href.startswith("/id/case/")]
    country = Page(get(explorer + "/explore/countries/ALB").text)
    assert "Decision No. 99" in country.linked("/explore/cases/ALB003")
    assert "Trafficking in persons" in country.text and "trafficking-in-persons" not in country.text


# -- identifiers that need escaping ------------------------------------------------------------

ODD = ("MEX 9#1", "MEX/7", "MEX-Ünïcødé-é")


@pytest.fixture(scope="module")
def odd_cases(settings: Settings, reference_dump: bytes, tmp_path_factory: pytest.TempPathFactory):
    """An application over the reference graphs and three cases whose identifiers need escaping."""
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(reference_dump), media_type="application/n-quads")
    source = tmp_path_factory.mktemp("odd") / "odd-cases.jsonl"
    source.write_text("".join(json.dumps({"id": case_id, "title": f"Case {case_id}", "country": "MEX", "year": 2020,
                                          "crime_types": ["trafficking-in-persons"]}, ensure_ascii=False) + "\n"
                              for case_id in ODD), encoding="utf-8")
    report = Ingest(store, settings).load("cases", [source])
    assert report.records_written == len(ODD), report
    with serving(create_app(settings, store=store)) as url:
        yield url


@pytest.mark.parametrize("case_id", ODD)
def test_an_identifier_that_needs_escaping_goes_there_and_back(odd_cases: str, settings: Settings,
                                                                case_id: str) -> None:
    iris = Iris(settings.base)
    iri = str(iris.case(case_id))
    assert iris.case_id(iri) == case_id and iris.case_path(iri) == segment(case_id)
    path = "/explore/cases/" + segment(case_id)
    response = get(odd_cases + path)
    assert response.status_code == 200 and f"<h1>Case {case_id}</h1>" in response.text
    page = Page(response.text)
    assert page.linked(iris.href(iri)) == ["Data view (RDF)", "The record as data: every statement, its graph "
                                                              "picture and its formats (RDF view)"]
    assert Page(get(odd_cases + iris.href(iri), headers={"Accept": "text/html"}).text).linked(path) == \
        ["Read the case page"]
    href, _ = alternate(response)
    twin = get(odd_cases + href)
    assert twin.status_code == 200 and twin.json()["id"] == case_id and twin.json()["iri"] == iri
    back = alternate(twin)[0]  # a "/" may come back unescaped: the page's route takes the rest of the path
    assert back in (path + "?lang=en", "/explore/cases/" + segment(case_id).replace("%2F", "/") + "?lang=en")
    assert f"<h1>Case {case_id}</h1>" in get(odd_cases + back).text
    # the other two are related (same State, same crime type), each linked by its own escaped path
    others = {"/explore/cases/" + segment(o) for o in ODD if o != case_id}
    assert {h for h, _ in page.links if h.startswith("/explore/cases/")} == others
    search = Page(get(odd_cases + "/explore/search/cases?country=MEX").text)
    assert search.linked(path) == [f"Case {case_id}"]
