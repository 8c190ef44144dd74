"""Competent national authorities and publications written for readers (issue 18, item 1):
``/explore/authorities/{id}`` and ``/explore/publications/{id}`` over real HTTP, on the application
over the examples store (the illustrative authority of Aurelia with its restricted contact details,
the illustrative publication).

- the authority reads in words (its State linked, what it is designated for and under which
  provision, languages by name, channels), in English and in French (the designation matter's own
  label in the interface language); the public is told contact details are for officials and gets
  none, on the page as in the twin; an official signed in through the sign-in form sees them;
- the country page, the Convention provision page and the search of authorities link the authority
  to its page, and the provision page names the matter and the languages in words;
- the publication reads in words (title, authors, year, publisher, the countries and crime types it
  concerns, linked), with its source; the bibliography's search results link to it;
- each page links to its RDF view, which links back; each names its JSON twin; an unknown
  identifier is a 404 page; no jargon (tests/jargon.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from sherloc_kg.api.app import create_app
from sherloc_kg.access import Tokens

from .conftest import REPO
from .jargon import Page, jargon
from .servers import serving

TIMEOUT = 120
AUTHORITY = "/explore/authorities/XAA-central-authority-mla"
PUBLICATION = "/explore/publications/XAA-example-publication-tip-2023"


def example(name: str) -> dict:
    lines = (REPO / "data" / "examples" / name).read_text(encoding="utf-8").splitlines()
    return next(json.loads(line) for line in lines if line.strip() and not line.startswith("#"))


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=TIMEOUT, **kwargs)


def twin_of(response: httpx.Response) -> str:
    match = re.fullmatch(r'<([^>]*)>; rel="alternate"; type="application/json"', response.headers["link"])
    assert match, response.headers.get("link")
    return match.group(1)


@pytest.fixture(scope="module")
def official_url(settings, explorer_store, tmp_path_factory: pytest.TempPathFactory):
    """The explorer with a token file holding an official of Aurelia: (url, token)."""
    token_file = Path(tmp_path_factory.mktemp("authority-tokens")) / "tokens.json"
    token = Tokens(token_file).create("official", country="XAA", name="Aurelian official")
    with serving(create_app(settings.with_(tokens=token_file), store=explorer_store)) as url:
        yield url, token


def test_an_authority_in_words_with_its_contacts_for_officials_only(explorer: str, official_url) -> None:
    record = example("authorities.jsonl")
    contact = record["contact"]
    response = get(explorer + AUTHORITY)
    assert response.status_code == 200
    page = Page(response.text)
    assert f"<h1>{record['name']}</h1>" in response.text
    assert "Aurelia (fictional State)" in page.linked("/explore/countries/XAA")
    assert page.linked("/explore/instruments/untoc/art/18/13") == ["Organized Crime Convention, Article 18 (13)"]
    assert re.search(r"Designated for Mutual legal assistance ?, under Organized Crime Convention, Article 18 \(13\) "
                     r"\(notified on 10 January 2005 ?\)", page.text)
    assert "Languages accepted English and French" in page.text
    assert "Channels direct transmission and INTERPOL" in page.text
    assert "Accepts the Convention as legal basis yes" in page.text
    assert "Contact details are shown to officials only." in page.text
    assert contact["phone"] not in response.text and contact["email"] not in response.text
    assert page.linked("/id/authority/XAA-central-authority-mla")[0] == "Data view (RDF)"
    assert "Loaded into this database on" in page.text
    assert not jargon(page.text), jargon(page.text)
    # the twin holds for the public what the page shows: no contact
    twin = get(explorer + twin_of(response))
    data = twin.json()
    assert twin_of(response) == "/api/authorities/XAA-central-authority-mla?lang=en"
    assert data["contact"] is None and data["contacts_shown"] is False and contact["email"] not in twin.text
    assert data["language_names"] == ["English", "French"] and data["designations"][0]["matter"] == \
        "Mutual legal assistance"
    # in French: the matter's own label, the languages' names in French
    french = Page(get(explorer + AUTHORITY, params={"lang": "fr"}).text)
    assert "Entraide judiciaire" in french.text and "anglais et français" in french.text
    # an official signed in through the form sees the contact details, on the page and in the twin
    url, token = official_url
    with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        check = re.search(r'name="check" value="([^"]+)"', client.get("/explore/sign-in").text)[1]
        signed = client.post("/explore/sign-in", data={"token": token, "next": AUTHORITY, "check": check})
        assert signed.status_code == 303, signed.text[:300]
        mine = client.get(AUTHORITY).text
        assert f'<a href="mailto:{contact["email"]}">{contact["email"]}</a>' in mine
        assert contact["phone"] in mine and contact["address"] in mine and contact["person"] in mine
        assert "shown to officials only" not in mine
        assert client.get("/api/authorities/XAA-central-authority-mla").json()["contact"]["email"] == contact["email"]
    # the RDF view links back; the country page and the provision page link here, in words
    rdf = Page(get(explorer + "/id/authority/XAA-central-authority-mla", headers={"Accept": "text/html"}).text)
    assert rdf.linked(AUTHORITY) == ["Read the authority page"]
    assert Page(get(explorer + "/explore/countries/XAA").text).linked(AUTHORITY) == [record["name"]]
    provision = get(explorer + "/explore/instruments/untoc/art/18/13")
    assert Page(provision.text).linked(AUTHORITY) == [record["name"]]
    assert re.search(r"for <span>Mutual legal assistance</span> on .*; languages accepted: English and French",
                     provision.text)
    assert "Entraide judiciaire" in get(explorer + "/explore/instruments/untoc/art/18/13?lang=fr").text
    assert Page(get(explorer + "/explore/search/authorities", params={"country": "XAA"}).text).linked(AUTHORITY) \
        == [record["name"]]
    missing = get(explorer + "/explore/authorities/XAA-no-such-authority")
    assert missing.status_code == 404 and "Authority not found" in missing.text


def test_a_publication_in_words_linked_from_the_bibliography(explorer: str) -> None:
    record = example("bibliography.jsonl")
    response = get(explorer + PUBLICATION)
    assert response.status_code == 200
    page = Page(response.text)
    assert f"<h1>{record['title']}</h1>" in response.text
    assert "Authors Example, A.; Sample, B. Year 2023" in page.text
    assert f"Publisher {record['publisher']}" in page.text
    assert page.linked("/explore/countries/XAA") == ["Aurelia (fictional State)"]
    assert page.linked("/explore/countries/XAB") == ["Borealis (fictional State)"]
    assert page.linked("/explore/search/publications?crime_type=trafficking-in-persons") == ["Trafficking in persons"]
    assert page.linked(record["url"]) == ["Read it at the source", "The publication at its source"]
    assert record["abstract"] in page.text
    assert page.linked("/id/publication/XAA-example-publication-tip-2023")[0] == "Data view (RDF)"
    assert not jargon(page.text), jargon(page.text)
    data = get(explorer + twin_of(response)).json()
    assert data["authors"] == record["authors"] and data["year"] == "2023"
    assert [c["label"] for c in data["countries"]] == ["Aurelia (fictional State)", "Borealis (fictional State)"]
    rdf = Page(get(explorer + "/id/publication/XAA-example-publication-tip-2023", headers={"Accept": "text/html"}).text)
    assert rdf.linked(PUBLICATION) == ["Read the publication page"]
    search = Page(get(explorer + "/explore/search/publications", params={"country": "XAA"}).text)
    assert search.linked(PUBLICATION) == [record["title"]]
    missing = get(explorer + "/explore/publications/no-such-publication")
    assert missing.status_code == 404 and "Publication not found" in missing.text
