"""The Convention browser (instruments, tables of contents, provision pages), over HTTP on a real
server holding the reference graphs, the bundled cases and the illustrative examples."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Caller
from sherloc_kg.iris import Iris

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "data" / "convention-texts"
#: Pages other explorer modules build (they may not exist yet): not followed by the link check.
ELSEWHERE = ("/explore/search", "/explore/countries", "/explore/trends", "/explore/sparql")


#: Seconds a page may take before the test gives up: a bound for a loaded 2-core CI machine running two
#: test processes and a remote store, never an expectation (tests assert no wall-clock time).
TIMEOUT = 120


def page(explorer: str, path: str, **params: str) -> str:
    response = httpx.get(explorer + path, params=params, timeout=TIMEOUT)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>" not in response.text and " style=" not in response.text
    return response.text


def section(text: str, name: str) -> str:
    """The ``<section>`` of a provision page whose heading has id ``name``."""
    match = re.search(rf'<section aria-labelledby="{name}">(.*?)</section>', text, re.S)
    assert match, name
    return match.group(1)


def words(text: str) -> str:
    """Visible text with tags dropped and white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def from_texts(instrument: str, phrase: str) -> str:
    """``phrase``, after checking that it is in the bundled text of ``instrument``."""
    assert phrase in (TEXTS / f"{instrument}.md").read_text(encoding="utf-8"), phrase
    return phrase


def test_instruments_page_lists_the_convention_and_its_three_protocols(explorer: str) -> None:
    text = page(explorer, "/explore/instruments")
    for code in ("untoc", "tip", "som", "fp"):
        assert f'<a href="/explore/instruments/{code}">' in text, code
    assert "United Nations Convention against Transnational Organized Crime" in text
    assert "2003-09-29" in text and "General Assembly resolution 55/25" in text  # entry into force, adoption
    assert "Table of contents of the Organized Crime Convention (41 articles)" in text


def test_table_of_contents_lists_the_articles_in_order_with_titles(explorer: str) -> None:
    text = page(explorer, "/explore/instruments/untoc")
    visible = words(text)
    assert "Article 5 : Criminalization of participation in an organized criminal group" in visible
    numbers = [int(n) for n in re.findall(r'href="/explore/instruments/untoc/art/(\d+)"', text)]
    assert numbers == list(range(1, 42))
    dutch = words(page(explorer, "/explore/instruments/untoc", lang="nl"))
    assert "Strafbaarstelling van deelname aan een criminele organisatie" in dutch


def test_article_page_shows_its_text_and_links_its_paragraphs(explorer: str) -> None:
    text = page(explorer, "/explore/instruments/untoc/art/5")
    assert "<h1>Article 5: Criminalization of participation in an organized criminal group</h1>" in text
    assert from_texts("untoc", "Each State Party shall adopt such legislative and other measures as may be "
                               "necessary to establish as criminal offences, when committed intentionally:") in text
    assert from_texts("untoc", "Criminal activities of the organized criminal group;") in text
    for part in ("5/1", "5/1/a", "5/1/a/ii/b", "5/2", "5/3"):
        assert f'href="/explore/instruments/untoc/art/{part}"' in text, part
    breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', text, re.S).group(0)
    assert 'href="/explore/instruments/untoc">Organized Crime Convention</a>' in breadcrumbs
    assert 'rel="prev" href="/explore/instruments/untoc/art/4"' in text
    assert 'rel="next" href="/explore/instruments/untoc/art/6"' in text
    assert 'href="/id/instrument/untoc/art/5"' in text
    assert "/explore/sparql?query=provision-outline&amp;provision=untoc%2Fart%2F5" in text


def test_paragraph_page_has_breadcrumbs_up_to_the_instrument(explorer: str) -> None:
    text = page(explorer, "/explore/instruments/untoc/art/5/1/a")
    crumbs = words(re.search(r'<nav class="breadcrumbs".*?</nav>', text, re.S).group(0))
    assert crumbs.split() == "Convention and Protocols Organized Crime Convention Article 5 Paragraph 1 Subparagraph (a)".split()
    assert from_texts("untoc", "Either or both of the following as criminal offences distinct from those involving "
                               "the attempt or completion of the criminal activity:") in text
    assert 'href="/explore/instruments/untoc/art/5/1/a/i"' in text


def _concerning(store, provision: str) -> tuple[int, int]:
    """(cases linked to the provision, of which citing it or a part), straight from the store."""
    iris = Iris()
    rows = store.select(
        """PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT (COUNT(DISTINCT ?case) AS ?n) (COUNT(DISTINCT ?citing) AS ?cited) WHERE {
          VALUES ?p { <%s> }
          ?case sherloc:concernsProvision ?p .
          OPTIONAL { ?case sherloc:refersToProvision ?part . ?part eli:is_part_of* ?p BIND(?case AS ?citing) }
        }""" % iris.provision(provision), dataset=Caller().dataset(iris)).rows
    return int(rows[0]["n"]), int(rows[0]["cited"])


def test_tip_article_5_shows_its_cases_grouped_by_state_with_the_inferred_ones_marked(
        explorer: str, explorer_store, monkeypatch) -> None:
    from sherloc_kg.api.explorer import convention

    monkeypatch.setattr(convention, "LIST_LIMIT", 100_000)  # every case listed, not counts per State
    total, cited = _concerning(explorer_store, "tip/art/5")
    # the examples' case applies a law implementing it; the real trafficking cases have that crime
    # type, which art. 5 obliges States to criminalize: all inferred, none cited
    assert total > 1000 and cited == 0
    cases = section(page(explorer, "/explore/instruments/tip/art/5"), "cases")
    assert f"{total:,} cases decided in" in words(cases)
    assert '<h3><a href="/id/country/XAA">Aurelia (fictional State)</a>: 1 case</h3>' in cases
    assert '<li class="inferred"><a href="/explore/cases/XAA-EX-001">' in cases
    assert '<span class="badge inferred">inferred</span>' in cases
    assert "(the case applies national law recorded (or mapped by our editors) as implementing it;" in words(cases)
    assert "the case's crime type is one that this provision obliges States to criminalize" in words(cases)
    assert '<span class="badge">cited</span>' not in cases
    assert 'href="/explore/search/cases?provision=tip%2Fart%2F5"' in cases
    assert 'href="/explore/sparql?query=why-inferred&amp;subject=case%2FXAA-EX-001&amp;provision=tip%2Fart%2F5"' in cases


def test_tip_article_3_lists_the_real_cases_state_by_state(explorer: str, explorer_store) -> None:
    """932 real cases record the act, means and purpose of TIP art. 3 (a): the article's page counts
    them State by State, each count leading to the search, all marked inferred with the reason."""
    total, cited = _concerning(explorer_store, "tip/art/3")
    assert total > 900
    cases = section(page(explorer, "/explore/instruments/tip/art/3"), "cases")
    assert "<caption>Cases citing or concerning article 3, by State</caption>" in cases
    assert f"{total:,} cases decided in" in words(cases)
    albania = re.search(r'<tr><td><a href="/id/country/ALB">Albania</a></td>\s*<td class="number">'
                        r'<a href="/explore/search/cases\?provision=tip%2Fart%2F3&amp;country=ALB">(\d+)', cases)
    assert albania and int(albania.group(1)) >= 1
    assert "the case records the act, means and purpose of trafficking that TIP art. 3 (a) defines" in words(cases)


def test_a_case_citing_a_part_counts_as_cited_for_the_article(explorer: str, explorer_store, monkeypatch) -> None:
    from sherloc_kg.api.explorer import convention

    monkeypatch.setattr(convention, "LIST_LIMIT", 100_000)  # every case listed, not counts per State
    total, cited = _concerning(explorer_store, "tip/art/3")
    assert cited >= 1  # XAA-EX-001 cites tip/art/3/a
    cases = section(page(explorer, "/explore/instruments/tip/art/3"), "cases")
    assert f"{total:,} case" in words(cases)
    assert '<span class="badge">cited</span>' in cases


def test_example_laws_appear_under_the_provisions_they_implement_grouped_by_state(explorer: str) -> None:
    laws = [json.loads(line) for line in (REPO / "data" / "examples" / "legislation.jsonl").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    checked = 0
    for law in laws:
        for provision in law["provisions"]:
            for reference in provision.get("implements", []):
                legislation = section(page(explorer, f"/explore/instruments/{reference}"), "legislation")
                national = f'href="/explore/laws/{law["country"]}/{law["id"]}#art-{provision["number"]}"'
                heading = f'<h3><a href="/id/country/{law["country"]}">'
                assert national in legislation and heading in legislation, (reference, law["id"])
                assert legislation.index(heading) < legislation.index(national)
                checked += 1
    assert checked >= 2
    # a law implementing untoc/art/5/1/a counts for article 5 too, and says which part it implements
    article = section(page(explorer, "/explore/instruments/untoc/art/5"), "legislation")
    assert 'href="/explore/laws/XAA/XAA-penal-code#art-150"' in article
    assert "(implements Article 5 (1) (a))" in article


def test_guide_authorities_and_review_cluster_sections(explorer: str) -> None:
    text = page(explorer, "/explore/instruments/untoc/art/5")
    assert 'href="/id/guide/XAA-example-guide-untoc-art-5"' in section(text, "guide")
    assert "Cluster 1" in section(text, "review")
    authorities = section(page(explorer, "/explore/instruments/untoc/art/18"), "authorities")
    assert '<h3><a href="/id/country/XAA">Aurelia (fictional State)</a></h3>' in authorities
    assert 'href="/explore/authorities/XAA-central-authority-mla"' in authorities  # its page for readers
    assert "for <span>Mutual legal assistance</span>" in authorities and "English and French" in authorities
    assert "mailto:" not in authorities and "@" not in authorities  # contacts stay restricted
    assert 'id="review"' not in page(explorer, "/explore/instruments/fp/art/21")  # no cluster recorded: no section


def test_dutch_text_and_english_fallback(explorer: str) -> None:
    dutch = page(explorer, "/explore/instruments/untoc/art/5", lang="nl")
    assert from_texts("untoc", "Elke Staat die partij is, neemt de wettelijke en andere maatregelen die nodig kunnen "
                               "zijn om de volgende handelingen strafbaar te stellen, indien zij opzettelijk zijn gepleegd:") in dutch
    assert 'class="fallback"' not in section(dutch, "text")
    # French, Spanish, German and Italian are there too (data/convention-texts/translations/)
    french = section(page(explorer, "/explore/instruments/untoc/art/5", lang="fr"), "text")
    assert 'class="fallback"' not in french
    assert '<span class="provision-text">Chaque État partie adopte les mesures législatives' in french
    spanish = section(page(explorer, "/explore/instruments/untoc/art/2", lang="es"), "text")
    assert "grupo delictivo organizado" in spanish and 'class="fallback"' not in spanish
    russian = page(explorer, "/explore/instruments/untoc/art/5", lang="ru")
    text = section(russian, "text")
    assert '<p class="fallback">(English; текста на языке «Русский» нет)</p>' in text  # the mark, in Russian
    assert '<span class="provision-text" lang="en">Each State Party shall adopt' in text


@pytest.mark.parametrize("path", ["/explore/instruments/untoc/art/99", "/explore/instruments/untoc/art/5/9",
                                  "/explore/instruments/xyz", "/explore/instruments/xyz/art/1",
                                  "/explore/instruments/untoc/art/5/", "/explore/instruments/untoc/art/5%0A",
                                  "/explore/instruments/untoc/art/<b>"])
def test_unknown_or_malformed_provisions_are_404_pages_in_the_frame(explorer: str, path: str) -> None:
    response = httpx.get(explorer + path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/static/explorer.css">' in response.text
    assert "<h1>Not found</h1>" in response.text and "<b>" not in response.text


@pytest.mark.parametrize("path", ["/explore/instruments/untoc/art/5", "/explore/instruments/tip/art/5",
                                  "/explore/instruments/untoc/art/18"])
def test_every_link_on_a_provision_page_resolves(explorer: str, path: str) -> None:
    """Each page linked is read once, and each place a link names in it (``#...``) is an element of it."""
    hrefs = set(re.findall(r'href="([^"]+)"', page(explorer, path)))
    local = sorted(html.unescape(h) for h in hrefs if h.startswith("/") and not h.startswith(ELSEWHERE))
    assert len(local) > 10
    places: dict[str, set[str]] = {}
    for href in local:
        target, _, fragment = href.partition("#")
        places.setdefault(target, set()).update([fragment] if fragment else [])
    broken = []
    with httpx.Client(base_url=explorer, timeout=TIMEOUT) as client:  # not httpx's 5 s: no wall-clock check
        for target, fragments in places.items():
            response = client.get(target)
            ids = set(re.findall(r'\bid="([^"]+)"', response.text)) if fragments else set()
            if response.status_code != 200 or fragments - ids:
                broken.append(f"{target}: {response.status_code}, no element {sorted(fragments - ids)}")
    assert not broken


def test_long_lists_become_counts_per_state_with_links_to_the_search(explorer: str, monkeypatch) -> None:
    """Above the list limit (real articles can have hundreds of cases) a page shows one row per State."""
    from sherloc_kg.api.explorer import convention

    monkeypatch.setattr(convention, "LIST_LIMIT", 0)
    text = page(explorer, "/explore/instruments/tip/art/5")
    cases = section(text, "cases")
    assert "<caption>Cases citing or concerning article 5, by State</caption>" in cases
    assert 'href="/explore/search/cases?provision=tip%2Fart%2F5&amp;country=XAA"' in cases
    assert 'href="/explore/cases/' not in cases and 'href="/id/case/' not in cases
    assert 'href="/explore/search/legislation?provision=tip%2Fart%2F5&amp;country=XAA"' in section(text, "legislation")
