"""Real legislation under the Convention on a plain init (issue 17): Canada's laws, mapped by the
editors to the provisions they give effect to, on the Convention's pages, Canada's country page and
its implementation profile, in English and in French; every such link marked "editorial mapping",
never as the State's own statement. Over HTTP on a real server holding what ``sherloc-kg init`` loads."""

from __future__ import annotations

import html
import re

import pytest

from sherloc_kg.config import Settings

from .servers import serving
from .test_implementation_profile import get


@pytest.fixture(scope="module")
def plain(settings: Settings, loaded_store) -> str:
    from sherloc_kg.api.app import create_app

    with serving(create_app(settings, store=loaded_store)) as url:
        yield url


def words(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def section(text: str, pattern: str) -> str:
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return match.group(0)


def test_untoc_article_5_lists_canadian_provisions_marked_editorial(plain: str) -> None:
    page = get(plain + "/explore/instruments/untoc/art/5")
    assert page.status_code == 200
    laws = section(page.text, r'<section aria-labelledby="legislation">.*?</section>')
    text = words(laws)
    # Criminal Code ss. 467.11 (1) and 467.13 (1), from S.C. 2001, c. 32, mapped by the editors
    assert "Criminal Code, section 467.11 (1)" in text and "Criminal Code, section 467.13 (1)" in text
    assert 'href="/explore/laws/CAN/C-46#sec-467.11-1"' in laws
    canada = section(laws, r'<h3><a href="/id/country/CAN">Canada</a></h3>\s*<ul>.*?</ul>')
    marks = re.findall(r'<span class="badge( editorial)?"', canada)
    assert marks and all(mark == " editorial" for mark in marks), marks  # never "cited"
    assert "editorial mapping" in words(canada)


def test_canada_country_page_gives_its_laws_per_article_in_english_and_french(plain: str) -> None:
    english = words(get(plain + "/explore/countries/CAN", params={"lang": "en"}).text)
    french = words(get(plain + "/explore/countries/CAN", params={"lang": "fr"}).text)
    assert "Section 117 (1) — Immigration and Refugee Protection Act editorial mapping" in english
    assert "Section 117 (1) — Loi sur l’immigration et la protection des réfugiés correspondance éditoriale" in french
    assert "Section 4: Establishment — Witness Protection Program Act" in english
    assert "Section 4: Établissement — Loi sur le Programme de protection des témoins" in french
    # each provision named in words, never by its code, and its title, follow the language too
    assert "Organized Crime Convention, Article 24 (1) Protection of witnesses" in english
    assert "Convention contre la criminalité organisée, Article 24 (1) Protection des témoins" in french
    assert "untoc/art/24/1" not in english and "untoc/art/24/1" not in french
    # every law, with its provisions counted at any depth, dates and numbers written per language
    assert re.search(r"Immigration and Refugee Protection Act \( ?1 November 2001 ?\): \d,\d{3} provisions", english)
    assert re.search(r"Code criminel ?: 169 dispositions", french)  # 25 sections and their parts


def test_canada_profile_gives_its_laws_per_article_in_english_and_french(plain: str) -> None:
    english = get(plain + "/explore/countries/CAN/implementation", params={"lang": "en"})
    french = get(plain + "/explore/countries/CAN/implementation", params={"lang": "fr"})
    assert english.status_code == french.status_code == 200
    assert "Criminal Code, sec. 467.11 (1)" in words(english.text)
    assert "Code criminel, sec. 467.11 (1)" in words(french.text)
    assert "Criminalization of participation in an organized criminal group" in words(english.text)
    assert "Incrimination de la participation à un groupe criminel organisé" in words(french.text)
    assert '<a href="/explore/laws/CAN/C-46#sec-467.11-1" lang="fr">Code criminel, sec. 467.11 (1)</a>' in french.text
    profile = get(plain + "/api/countries/CAN/implementation").json()
    article_5 = next(a for a in profile["articles"] if a["article"] == "untoc/art/5")
    assert {e["claim"] for e in article_5["national_provisions"]} == {"editorial"}
    assert article_5["national_provisions_editorial"] >= 2 and article_5["national_provisions_cited"] == 0
