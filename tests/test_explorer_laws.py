"""A national law and its provisions written for readers (issue 18, item 1):
``/explore/laws/{ISO3}/{law id}`` over real HTTP, on the application over the examples store
(the `explorer` fixture: Canada's and Luxembourg's laws and the illustrative XAA penal code).

- the XAA penal code: title, State, date and status, its provisions in order at their anchors with
  their words, a cited implementation, inferred ones with the part they rest on and the why? link,
  the case applying them, where the record comes from, the RDF view; and its JSON twin;
- a Canadian Act in English and in French: title, texts and the editors' mapping (who and why), the
  fallback marked where the page's language has no text;
- an unknown law is a 404; the RDF views of a law and a provision link to the page (at the
  provision's anchor), and the page to them.
"""

from __future__ import annotations

import re

import httpx

from .jargon import Page, jargon

TIMEOUT = 120
PENAL_CODE = "/explore/laws/XAA/XAA-penal-code"


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=TIMEOUT, **kwargs)


def test_the_example_penal_code_reads_with_its_provisions_and_what_they_implement(explorer: str) -> None:
    response = get(explorer + PENAL_CODE)
    assert response.status_code == 200
    page = Page(response.text)
    text = page.text
    assert "<h1><span>[Illustrative] Penal Code of Aurelia (fictional State)</span></h1>" in response.text
    assert page.linked("/explore/countries/XAA") == ["Aurelia (fictional State)"] * 2  # breadcrumb and facts
    assert "Type Code Date 1 June 2004 Status in force" in text
    # the provisions in order, each at its anchor, with its heading and words
    assert response.text.index('<li id="art-150">') < response.text.index('<li id="art-210">')
    assert "Article 210: [Illustrative] Trafficking in persons [Illustrative] Whoever recruits" in text
    # cited, and inferred through the part it implements, with the link to why
    assert "Trafficking in Persons Protocol, Article 5 cited" in text
    assert "Organized Crime Convention, Article 5 (1) (a) cited" in text
    assert re.search(r"Organized Crime Convention, Article 5 inferred \(through Organized Crime Convention, "
                     r"Article 5 \(1\) \(a\)\) why\?", text)
    assert page.linked("/explore/sparql?query=why-inferred&subject=legislation%2FXAA%2FXAA-penal-code%2Fart%2F150"
                       "&provision=untoc%2Fart%2F5") == ["why?"]
    assert page.linked("/explore/instruments/tip/art/5") == ["Trafficking in Persons Protocol, Article 5"]
    # the case applying both articles, linked to its page under each
    assert page.linked("/explore/cases/XAA-EX-001") == ["[Illustrative] Public Prosecutor v. A. (fictional case)"] * 2
    # the source and provenance in words, the RDF view one click away; no jargon
    assert page.linked("https://example.org/illustrative/xaa/penal-code") == ["The law on its publisher’s website"] * 2
    assert re.search(r"Invented law of a fictional State .* Loaded into this database on \d{1,2} \w+ \d{4}\.", text)
    assert page.linked("/id/legislation/XAA/XAA-penal-code") == [
        "Data view (RDF)", "The record as data: every statement, its graph picture and its formats (RDF view)"]
    assert not jargon(text), jargon(text)
    # the JSON twin holds what the page shows, and names it back
    assert response.headers["link"] == '</api/laws/XAA/XAA-penal-code?lang=en>; rel="alternate"; type="application/json"'
    twin = get(explorer + "/api/laws/XAA/XAA-penal-code?lang=en")
    assert twin.status_code == 200 and "/explore/laws/XAA/XAA-penal-code?lang=en" in twin.headers["link"]
    data = twin.json()
    assert data["adopted"] == "2004-06-01" and data["state"][0]["href"] == "/explore/countries/XAA"
    assert [(u["anchor"], u["href"]) for u in data["provisions"]] == [
        ("art-150", PENAL_CODE + "#art-150"), ("art-210", PENAL_CODE + "#art-210")]
    links = {(i["reference"], i["claim"]) for i in data["provisions"][0]["implements"]}
    assert links == {("untoc/art/5/1/a", "cited"), ("untoc/art/5/1", "inferred"), ("untoc/art/5", "inferred")}


def test_a_canadian_act_in_english_and_in_french(explorer: str) -> None:
    english = get(explorer + "/explore/laws/CAN/W-11.2", params={"lang": "en"})
    french = get(explorer + "/explore/laws/CAN/W-11.2", params={"lang": "fr"})
    assert english.status_code == french.status_code == 200
    en, fr = Page(english.text).text, Page(french.text).text
    assert "<h1><span>Witness Protection Program Act</span></h1>" in english.text
    assert "<h1><span>Loi sur le Programme de protection des témoins</span></h1>" in french.text
    assert "Section 4: Establishment A program to facilitate the protection of witnesses" in en
    assert "Article 4 : Établissement Est instauré le Programme de protection des témoins" in fr
    # the editors' mapping: marked so, with who and why (their words are in English: marked so in French)
    assert re.search(r"Organized Crime Convention, Article 24 \(1\) editorial mapping \(SHERLOC-KG editors, "
                     r"6 December 2026 ?: s\. 4 establishes the Witness Protection Program", en)
    assert "correspondance éditoriale (SHERLOC-KG editors, 6 décembre 2026" in fr
    assert '<span lang="en">s. 4 establishes the Witness Protection Program' in french.text
    assert "Citation W-11.2" in en and "Royal Canadian Mounted Police" in en
    # a language the Act is not in: the English texts, marked as such
    spanish = get(explorer + "/explore/laws/CAN/W-11.2", params={"lang": "es"}).text
    assert '<h1><span lang="en">Witness Protection Program Act</span> <span class="fallback">' in spanish
    assert '<p class="law-text" lang="en">A program to facilitate the protection of witnesses' in spanish


def test_an_unknown_law_is_a_404_and_the_rdf_views_link_to_the_page(explorer: str) -> None:
    response = get(explorer + "/explore/laws/XAA/no-such-law")
    assert response.status_code == 404 and "<h1>Law not found</h1>" in response.text
    assert get(explorer + "/api/laws/XAA/no-such-law").status_code == 404
    html = {"Accept": "text/html"}
    assert Page(get(explorer + "/id/legislation/XAA/XAA-penal-code/art/210", headers=html).text).linked(
        PENAL_CODE + "#art-210") == ["Read the law page"]
    assert Page(get(explorer + "/id/legislation/CAN/I-2.5/sec/117/1", headers=html).text).linked(
        "/explore/laws/CAN/I-2.5#sec-117-1") == ["Read the law page"]
    assert Page(get(explorer + "/id/legislation/LUX/eli-etat-leg-loi-1999-05-31-n6-jo", headers=html).text).linked(
        "/explore/laws/LUX/eli-etat-leg-loi-1999-05-31-n6-jo") == ["Read the law page"]
    # a language version is no provision: its RDF view has no law page link
    assert not [href for href, _ in Page(get(explorer + "/id/legislation/CAN/W-11.2/sec/4/en", headers=html).text).links
                if href.startswith("/explore/laws/")]
