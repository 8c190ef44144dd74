"""Resource pages (the HTML of /id/... and /vocab/...) in the explorer frame, over HTTP on a real
server: facts, links out and in grouped by relation, the breadcrumb and type line, links to the
explorer's own pages, the language chosen, the neighbourhood picture, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urldefrag

import pytest
from rdflib import Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, SKOS

from sherloc_kg.api.app import create_app
from sherloc_kg.api.explorer import neighbourhood
from sherloc_kg.api.explorer.neighbourhood import Link, picture
from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.store import RecordWrite
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import fetch, serving
from .test_linked_data import cases  # noqa: F401  (the bundled cases by id, a fixture)

SHERLOC = Namespace("https://w3id.org/sherloc/ontology#")
SVG = "{http://www.w3.org/2000/svg}"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def a_case(cases: dict[str, dict]) -> dict:
    """A real case with several trafficking acts (so one relation groups several links)."""
    return next(r for r in cases.values() if len(r["tip_elements"]["acts"]) >= 2 and r.get("country"))


def groups(fragment: str) -> dict[str, list[tuple[str, str]]]:
    """The relations of a ``<dl class="facts">`` list as {CURIE: [(href, text), ...]}."""
    found = {}
    for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", fragment, re.S):
        curie = re.search(r'<code class="curie">([^<]+)</code>', dt)
        name = curie.group(1) if curie else re.sub(r"<[^>]+>", "", dt).strip()
        found[name] = re.findall(r'<a href="([^"]+)">([^<]*)</a>', dd)
    return found


def svg_of(page: str) -> ET.Element:
    """The neighbourhood picture of a page, parsed as XML (it must be well-formed)."""
    match = re.search(r'<svg class="neighbourhood".*?</svg>', page, re.S)
    assert match, "no neighbourhood picture"
    return ET.fromstring(match.group(0))


def node_links(svg: ET.Element) -> list[str]:
    return [a.get("href") for a in svg.iter(SVG + "a") if "node" in (a.get("class") or "").split()]


# -- the frame, the groups, the breadcrumb ---------------------------------------------------------

def test_a_case_page_is_an_explorer_page(explorer: str, a_case: dict) -> None:
    response = fetch(f"{explorer}/id/case/{a_case['id']}", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<nav aria-label="Main">' in page and 'href="/static/explorer.css"' in page
    assert '<form class="language"' in page and 'class="skip" href="#main"' in page
    assert f"<h1>{a_case['title']}</h1>" in page
    assert f"<title>{a_case['title']} · SHERLOC-KG</title>" in page
    # breadcrumb and type line
    crumbs = page.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert '<a href="/">Home</a>' in crumbs and '<a href="/explore/search/cases">Case law</a>' in crumbs
    assert f'<span aria-current="page">{a_case["title"]}</span>' in crumbs
    assert '<a class="badge type" href="/ontology#CourtCase">Court case</a>' in page
    # what the Linked Data page always had: formats, alternates
    assert f'<link rel="alternate" type="text/turtle" href="/id/case/{a_case["id"]}.ttl">' in page
    assert f'<a href="/id/case/{a_case["id"]}.jsonld">JSON-LD</a>' in page
    assert "<script" not in page and " style=" not in page


def test_links_out_and_in_are_grouped_by_relation(explorer: str, a_case: dict, cases: dict) -> None:
    page = fetch(f"{explorer}/id/case/{a_case['id']}", headers=HTML).text
    facts = groups(page.split("<h2>Facts</h2>")[1].split("</dl>")[0])
    assert "dcterms:title" in facts and "sherloc:decisionYear" in facts
    out = groups(page.split('<h2 id="outgoing">Links from this</h2>')[1].split("</dl>")[0])
    assert out["sherloc:tipAct"] == sorted(
        out["sherloc:tipAct"]) and {href for href, _ in out["sherloc:tipAct"]} == {
        f"/vocab/tip-act/{act}" for act in a_case["tip_elements"]["acts"]}
    assert out["sherloc:jurisdiction"] == [(f"/id/country/{a_case['country']}", out["sherloc:jurisdiction"][0][1])]
    assert out["rdf:type"] == [("/ontology#CourtCase", "Court case")]
    # the relation is named by its label, linked to its definition, with its CURIE beside it
    assert '<dt><a href="/ontology#jurisdiction">jurisdiction</a> <code class="curie">sherloc:jurisdiction</code></dt>' in page
    assert '<a href="/ontology#tipAct">trafficking act</a>' in page

    country = fetch(f"{explorer}/id/country/{a_case['country']}", headers=HTML).text
    incoming = groups(country.split('id="incoming"')[1])
    cited = {href for href, _ in incoming["sherloc:jurisdiction"]}
    expected = {f"/id/case/{i}" for i, r in cases.items() if r.get("country") == a_case["country"]}
    assert expected <= cited  # every real case of the country (and the examples, if any)
    assert (f"/id/case/{a_case['id']}", a_case["title"]) in incoming["sherloc:jurisdiction"]


def test_a_part_of_a_case_has_the_case_in_its_breadcrumb(explorer: str) -> None:
    page = fetch(f"{explorer}/id/case/XAA-EX-001/defendant/1", headers=HTML).text
    crumbs = page.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert '<a href="/explore/search/cases">Case law</a>' in crumbs
    assert re.search(r'<a href="/id/case/XAA-EX-001">[^<]+</a>', crumbs)


# -- links to the explorer's own pages; language --------------------------------------------------------

def test_a_provision_links_to_the_convention_browser(explorer: str) -> None:
    page = fetch(f"{explorer}/id/instrument/untoc/art/5/1", headers=HTML).text
    assert '<a href="/explore/instruments/untoc/art/5/1">' in page
    crumbs = page.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert [href for href in re.findall(r'href="([^"]+)"', crumbs)] == [
        "/", "/explore/instruments", "/id/instrument/untoc", "/id/instrument/untoc/art/5"]
    assert '<a href="/explore/instruments/untoc">' in fetch(f"{explorer}/id/instrument/untoc", headers=HTML).text
    assert '<a href="/explore/countries/BRA">' in fetch(f"{explorer}/id/country/BRA", headers=HTML).text
    case = fetch(f"{explorer}/id/case/BRA001", headers=HTML).text
    assert "/explore/instruments/" not in case and "/explore/countries/BRA" not in case


def test_the_chosen_language_comes_first_and_marked(explorer: str) -> None:
    def texts(page: str) -> str:
        return page.split('<code class="curie">sherloc:text</code>')[1].split("</dd>")[0]

    dutch = fetch(f"{explorer}/id/instrument/untoc/art/5/1?lang=nl", headers=HTML).text
    assert '<html lang="nl">' in dutch
    first = texts(dutch).split("<li")[1]
    assert first.startswith(' class="in-language"><span lang="nl">Elke Staat die partij is')
    assert '<small class="badge">Nederlands</small>' in first
    # a label the description has in Dutch too (the article's title) is shown in Dutch
    assert '<a href="/id/instrument/untoc/art/5">Strafbaarstelling van deelname aan een criminele organisatie</a>' in dutch
    english = fetch(f"{explorer}/id/instrument/untoc/art/5/1", headers=HTML).text
    assert '<html lang="en">' in english
    assert texts(english).split("<li")[1].startswith(' class="in-language"><span lang="en">Each State Party')
    # the cookie the language switch sets works the same way; a title in French for a country
    french = fetch(f"{explorer}/id/country/BRA", headers=HTML, cookies={"lang": "fr"}).text
    assert '<h1 lang="fr">Brésil</h1>' in french
    # a title missing in the chosen language falls back to English, and says so (the Convention has no
    # Russian text here; French, Spanish, German and Italian it has)
    article = fetch(f"{explorer}/id/instrument/untoc/art/5?lang=ru", headers=HTML).text
    assert '<h1 lang="en">Criminalization of participation in an organized criminal group</h1>' in article
    assert 'class="fallback"' in article
    article = fetch(f"{explorer}/id/instrument/untoc/art/5?lang=fr", headers=HTML).text
    assert '<h1 lang="fr">Incrimination de la participation à un groupe criminel organisé</h1>' in article


# -- the neighbourhood picture ----------------------------------------------------------------------------

def test_the_neighbourhood_picture_is_svg_whose_nodes_lead_to_pages(explorer: str, a_case: dict) -> None:
    page = fetch(f"{explorer}/id/case/{a_case['id']}", headers=HTML).text
    svg = svg_of(page)
    assert svg.get("role") == "group"
    assert svg.find(SVG + "title").text == f"Neighbourhood of {a_case['title']}"
    assert svg.find(SVG + "desc").text
    # its links are for the mouse: the keyboard finds the same ones in the lists below
    assert {a.get("tabindex") for a in svg.iter(SVG + "a")} == {"-1"}
    hrefs = node_links(svg)
    assert f"/id/country/{a_case['country']}" in hrefs and "/ontology#CourtCase" in hrefs
    assert f"/id/case/{a_case['id']}" in hrefs  # the centre
    for act in a_case["tip_elements"]["acts"]:
        assert f"/vocab/tip-act/{act}" in hrefs
    edge_labels = {t.text for g in svg.iter(SVG + "g") for t in g.iter(SVG + "text")}
    assert {"jurisdiction", "trafficking act", "type"} <= edge_labels
    for href in sorted(set(hrefs)):
        response = fetch(explorer + urldefrag(href)[0], headers=HTML)
        assert response.status_code == 200, href


def test_a_crowded_neighbourhood_shows_at_most_the_limit_and_says_how_many_more(explorer: str) -> None:
    page = fetch(f"{explorer}/id/country/BRA", headers=HTML).text
    total = int(re.search(r"<h2>Links to this \((\d+)\)</h2>", page).group(1))
    svg = svg_of(page)
    shown = [a for a in svg.iter(SVG + "a") if (a.get("class") or "").split()[:2] == ["node", "in"]]
    around = [a for a in svg.iter(SVG + "a") if (a.get("class") or "") in ("node in", "node out")]
    assert len(around) <= neighbourhood.LIMIT
    more = [a for a in svg.iter(SVG + "a") if a.get("class") == "more"]
    assert more and more[0].get("href") == "#incoming"
    assert "".join(more[0].itertext()) == f"and {total - len(shown)} more"
    for href in node_links(svg)[:5]:
        assert fetch(explorer + urldefrag(href)[0], headers=HTML).status_code == 200


def test_the_picture_is_deterministic_and_bounded() -> None:
    outgoing = [Link("relation", f"/id/x/{i}", f"X {i}") for i in range(30)]
    incoming = [Link("cites", f"/id/y/{i}", f"Y {i}") for i in range(3)]
    first = picture("Centre", "/id/c", outgoing, incoming)
    assert first == picture("Centre", "/id/c", list(outgoing), list(incoming))
    svg = ET.fromstring(str(first))
    nodes = node_links(svg)
    assert len(nodes) == neighbourhood.LIMIT + 1  # and the centre
    assert nodes.count("/id/c") == 1 and sum(h.startswith("/id/y/") for h in nodes) == 3
    assert "and 9 more" in str(first)
    # one node per resource, however many relations lead to it
    twice = picture("C", "/id/c", [Link("a", "/id/z", "Z"), Link("b", "/id/z", "Z")], [])
    assert node_links(ET.fromstring(str(twice))) == ["/id/z", "/id/c"] and ">a, b<" in str(twice)
    empty = ET.fromstring(str(picture("Alone", "/id/alone", [], [])))
    assert node_links(empty) == ["/id/alone"]


# -- escaping ---------------------------------------------------------------------------------------------

def test_labels_with_markup_are_escaped_in_the_page_and_the_picture(settings: Settings) -> None:
    base = "https://w3id.org/sherloc/"
    iris = Iris(base)
    case, country = iris.case("ESC-1"), iris.country("XZZ")
    title = '<b>Bold</b> & "quoted" <script>alert(1)</script>'
    label = "<i>Aurelia</i> & Co"
    store = EmbeddedStore(None)
    store.write([
        RecordWrite(str(iris.graph("cases")), [str(case)], [
            (case, RDF.type, SHERLOC.CourtCase), (case, DCTERMS.title, Literal(title)),
            (case, SHERLOC.jurisdiction, country)]),
        RecordWrite(str(iris.graph("countries")), [str(country)], [
            (country, RDF.type, SHERLOC.Country), (country, SKOS.prefLabel, Literal(label, lang="en"))])])
    with serving(create_app(settings, store=store)) as url:
        page = fetch(url + "/id/case/ESC-1", headers=HTML).text
        assert "<b>" not in page and "<script>" not in page and "<i>" not in page
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;quoted&#34;" in page
        assert '<a href="/id/country/XZZ">&lt;i&gt;Aurelia&lt;/i&gt; &amp; Co</a>' in page
        svg = svg_of(page)  # well-formed XML despite the markup in the labels
        assert svg.find(SVG + "title").text == f"Neighbourhood of {title}"
        texts = ["".join(t.itertext()) for t in svg.iter(SVG + "text")]
        assert any(t.startswith("<i>Aurelia</i>") for t in texts)
        other = fetch(url + "/id/country/XZZ", headers=HTML).text
        assert "<b>" not in other and "&lt;b&gt;Bold" in other
        svg_of(other)


def test_an_unknown_resource_is_a_404_page_in_the_frame(explorer: str) -> None:
    response = fetch(f"{explorer}/id/case/NO-SUCH-CASE", headers=HTML)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert '<nav aria-label="Main">' in response.text and "<h1>Not found</h1>" in response.text
    assert "https://w3id.org/sherloc/id/case/NO-SUCH-CASE" in response.text and "not known" in response.text


def test_documents_are_in_the_frame_too(explorer: str) -> None:
    page = fetch(f"{explorer}/ontology", headers=HTML).text
    assert '<nav aria-label="Main">' in page and 'id="CourtCase"' in page
    graph = fetch(f"{explorer}/graph/cases", headers=HTML).text
    assert '<a href="/dataset">Dataset</a>' in graph and '<svg class="neighbourhood"' in graph
