"""Vocabulary concepts written for readers (issue 18, item 1): ``/explore/concepts/{scheme}[/{notation}]``
over real HTTP, on the application over the examples store (the ``explorer`` fixture).

- a TIP act reads in English and in French (the Protocol's words, from the vocabulary), with its
  definition and the provision it is defined in, in words, linked to the Convention browser; its
  JSON twin holds the same;
- a crime type says how many cases the search lists, linked to that search, and the count is the
  search's own;
- a vocabulary's page lists its concepts by label, narrower ones under their broader;
- an unknown concept is a 404 page;
- the RDF view (``/vocab/...``) and the reader page link to each other; the trends chart links
  elements of trafficking to their concept page (no jargon: tests/test_no_jargon.py crawls them).
"""

from __future__ import annotations

import re

import httpx

from .jargon import Page, jargon

TIMEOUT = 120


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=TIMEOUT, **kwargs)


def alternate(response: httpx.Response) -> str:
    match = re.fullmatch(r'<([^>]*)>; rel="alternate"; type="[^"]+"', response.headers["link"])
    assert match, response.headers.get("link")
    return match.group(1)


def test_a_concept_reads_in_words_in_the_chosen_language(explorer: str) -> None:
    response = get(explorer + "/explore/concepts/tip-act/recruitment?lang=en")
    assert response.status_code == 200
    page = Page(response.text)
    assert re.search(r"\bRecruitment\b", page.text) and "Recruitment/Hiring" in page.text
    assert "engagement, enlistment or hiring of a person" in page.text
    assert page.linked("/explore/instruments/tip/art/3/a") == ["Trafficking in Persons Protocol, Article 3 (a)"]
    assert page.linked("/explore/concepts/tip-act") == ["Trafficking in persons: acts"] * 2  # breadcrumb, sentence
    assert "Data view (RDF)" in page.linked("/vocab/tip-act/recruitment")
    # what uses it: the cases recording it, counted by the search the link opens
    search = "/explore/search/cases?tip_act=recruitment"
    assert page.linked(search) == ["Case law"]
    listed = get(explorer + "/api/search/cases?tip_act=recruitment&size=1").json()["total"]
    assert listed > 0 and re.search(rf"Case law ?: {listed:,}\b".replace(",", "[, \u202f\u00a0]?"), page.text)
    assert not jargon(page.text)
    # its twin, in the page's language, names the page back
    twin = get(explorer + alternate(response))
    assert alternate(twin) == "/explore/concepts/tip-act/recruitment?lang=en"
    data = twin.json()
    assert data["label"] == {"text": "Recruitment", "lang": "en", "fallback": False}
    assert data["provisions"][0]["reference"] == "tip/art/3/a"
    assert {"kind": "cases", "filter": "tip_act", "count": listed} .items() <= data["uses"][0].items()

    french = Page(get(explorer + "/explore/concepts/tip-act/recruitment?lang=fr").text)
    assert "le recrutement" in french.text and "Protocole relatif à la traite des personnes" in french.text
    # the scheme's name has no French label: the English one, marked as such
    assert '<a href="/explore/concepts/tip-act" lang="en">' in get(
        explorer + "/explore/concepts/tip-act/recruitment?lang=fr").text


def test_a_crime_type_counts_its_cases_and_a_vocabulary_lists_its_concepts(explorer: str) -> None:
    data = get(explorer + "/api/concepts/crime-type/trafficking-in-persons?lang=en").json()
    cases = next(u for u in data["uses"] if u["kind"] == "cases")
    assert cases["href"] == "/explore/search/cases?crime_type=trafficking-in-persons"
    assert cases["count"] == get(explorer + "/api/search/cases?crime_type=trafficking-in-persons&size=1").json()["total"]
    assert cases["count"] > 100 and data["referred"] >= cases["count"]
    assert {u["kind"] for u in data["uses"]} == {"cases", "legislation", "strategies", "publications"}

    response = get(explorer + "/explore/concepts/cross-cutting-issue?lang=en")
    assert response.status_code == 200 and alternate(response) == "/api/concepts/cross-cutting-issue?lang=en"
    page = Page(response.text)
    assert "Data view (RDF)" in page.linked("/vocab/cross-cutting-issue") and not jargon(page.text)
    # a hierarchy: narrower concepts inside their broader's item
    scheme = get(explorer + "/api/concepts/cross-cutting-issue").json()
    nested = next(c for c in scheme["concepts"] if c["narrower"])
    assert f'<a href="{nested["href"]}">{nested["label"]}</a><ul>' in response.text.replace("\n", "")


def test_unknown_concepts_and_the_rdf_view_link(explorer: str) -> None:
    for path in ("/explore/concepts/tip-act/no-such-act", "/explore/concepts/no-such-scheme",
                 "/api/concepts/tip-act/no-such-act", "/explore/concepts/tip-act/NOT%20A%20NOTATION"):
        assert get(explorer + path).status_code == 404, path
    rdf = Page(get(explorer + "/vocab/tip-act/recruitment", headers={"Accept": "text/html"}).text)
    assert rdf.linked("/explore/concepts/tip-act/recruitment") == ["Read the concept page"]
    trends = get(explorer + "/explore/trends").text
    assert 'href="/explore/concepts/tip-act/recruitment"' in trends and 'href="/vocab/tip-act/' not in trends
