"""The explorer in a real browser (Chromium through Playwright, see tests/browser.py): pages load
without console errors (a script error, a missing resource or a content-security-policy violation
would be one), links and forms work, the keyboard reaches what matters. A screenshot of each test's
last page is saved in test-artifacts/screenshots/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.reference import BUNDLED

from .browser import BrowserPage


@pytest.fixture(scope="module")
def a_case(settings: Settings) -> dict:
    """A real case of data/cases/ (the first of the bundled file): its id, title and country."""
    path = settings.data_dir / dict(BUNDLED)["cases"]
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            return json.loads(line)
    raise AssertionError(f"no case in {path}")


def test_home_page_loads_without_console_errors(browser_page: BrowserPage) -> None:
    browser_page.goto("/")
    page = browser_page.page
    assert page.title().endswith("SHERLOC-KG")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.locator("h1").first.is_visible()
    # the stylesheet applied (the skip link is moved off screen until focused)
    assert page.locator("a.skip").bounding_box()["x"] < 0


def test_a_case_page_and_its_neighbourhood_picture(browser_page: BrowserPage, a_case: dict) -> None:
    browser_page.goto("/")
    browser_page.goto(f"/id/case/{a_case['id']}")
    page = browser_page.page
    assert page.locator("h1").inner_text() == a_case["title"]
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Case law").is_visible()
    picture = page.locator("svg.neighbourhood")
    assert picture.is_visible() and picture.get_attribute("role") == "group"
    assert "Neighbourhood of" in picture.locator("title").first.text_content()
    # a node of the picture is a link: clicking the case's country opens the country's page
    node = picture.locator(f'a.node.out[href="/id/country/{a_case["country"]}"]')
    assert node.count() == 1
    browser_page.screenshot("case-page")
    node.click()
    page.wait_for_url(f"**/id/country/{a_case['country']}")
    assert browser_page.path() == f"/id/country/{a_case['country']}"
    assert page.locator("svg.neighbourhood").is_visible()
    # the country page shows, among the links to it, the case we came from
    assert page.locator("#incoming").get_by_role("link", name=a_case["title"], exact=True).count() >= 1


def test_the_language_switch_changes_the_page_language(browser_page: BrowserPage) -> None:
    browser_page.goto("/id/instrument/untoc/art/5/1")
    page = browser_page.page
    assert page.locator("html").get_attribute("lang") == "en"
    form = page.locator("form.language")
    form.get_by_label("Language").select_option("nl")
    with page.expect_navigation():
        form.get_by_role("button", name="Switch").click()
    assert browser_page.path() == "/id/instrument/untoc/art/5/1"
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("#site-lang").input_value() == "nl"
    # the Dutch text of the paragraph comes first, marked
    first = page.locator("dl.facts li.in-language").first
    assert first.locator("span[lang=nl]").count() == 1
    assert first.inner_text().startswith("Elke Staat die partij is")
    browser_page.screenshot("provision-page-in-dutch")
    # and the choice is remembered on the next page
    browser_page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"


def test_tab_reaches_the_skip_link_first(browser_page: BrowserPage, a_case: dict) -> None:
    browser_page.goto(f"/id/case/{a_case['id']}")
    page = browser_page.page
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert focused == ["skip", "#main"]
    assert page.locator("a.skip").bounding_box()["x"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert browser_page.path().endswith("#main")


def test_a_missing_resource_is_a_page_in_the_frame(browser_page: BrowserPage) -> None:
    browser_page.goto("/id/case/NO-SUCH-CASE", status=404)
    browser_page.expect_error(r"404")  # Chromium logs the 404 of the document itself
    page = browser_page.page
    assert page.locator("h1").inner_text() == "Not found"
    assert page.get_by_role("navigation", name="Main").is_visible()


def test_the_fixture_catches_console_errors_and_failed_requests(browser_page: BrowserPage) -> None:
    """The check every browser test relies on: an error logged, or a resource that cannot be
    loaded, is reported (here expected, so this test passes)."""
    browser_page.goto("/")
    page = browser_page.page
    page.evaluate("() => console.error('deliberate error')")
    page.evaluate("() => fetch('/static/no-such-file.css').then(r => r.status)")
    # markup with an inline style, as a template might slip in: the policy refuses it, loudly
    page.evaluate("""() => document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>')""")
    page.wait_for_timeout(200)
    problems = browser_page.problems()
    assert any("Content Security Policy" in p for p in problems), problems
    assert any("deliberate error" in p for p in problems), problems
    assert any("/static/no-such-file.css" in p and "404" in p for p in problems), problems
    browser_page.expect_error("deliberate error")
    browser_page.expect_error(r"/static/no-such-file\.css")
    browser_page.expect_error("Content Security Policy")
    assert browser_page.problems() == []


# -- the flows of the issue: browse, search, follow links, switch language, query, keyboard --------

def _cases(settings: Settings) -> list[dict]:
    path = settings.data_dir / dict(BUNDLED)["cases"]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_browse_the_convention_to_a_paragraph_by_clicking(browser_page: BrowserPage) -> None:
    """Home → the Convention → its Article 5 → paragraph 1, by clicking links only; then the
    language switch shows the paragraph's Dutch text."""
    browser_page.goto("/")
    page = browser_page.page
    browser_page.screenshot("flow-browse-1-home")
    with page.expect_navigation():
        page.locator("main").get_by_role(
            "link", name="United Nations Convention against Transnational Organized Crime").first.click()
    assert browser_page.path() == "/explore/instruments/untoc"
    assert page.locator("h1").inner_text() == "Organized Crime Convention"
    browser_page.screenshot("flow-browse-2-contents")
    with page.expect_navigation():
        page.locator("ol.contents").get_by_role("link", name="Article 5", exact=True).click()
    assert browser_page.path() == "/explore/instruments/untoc/art/5"
    assert "Article 5" in page.locator("h1").inner_text()
    browser_page.screenshot("flow-browse-3-article")
    with page.expect_navigation():
        page.locator(".provision ol.provision-parts > li > a").first.click()
    assert browser_page.path() == "/explore/instruments/untoc/art/5/1"
    crumbs = page.get_by_role("navigation", name="Breadcrumbs")
    assert crumbs.get_by_role("link", name="Organized Crime Convention").is_visible()
    assert page.locator(".provision .provision-text").first.inner_text().startswith("Each State Party")
    browser_page.screenshot("flow-browse-4-paragraph")
    # the language switch (a form) shows the Dutch text of the same paragraph
    form = page.locator("form.language")
    form.get_by_label("Language").select_option("nl")
    with page.expect_navigation():
        form.get_by_role("button", name="Switch").click()
    assert browser_page.path() == "/explore/instruments/untoc/art/5/1"
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator(".provision .provision-text").first.inner_text().startswith("Elke Staat die partij is")
    browser_page.screenshot("flow-browse-5-paragraph-in-dutch")
    # the breadcrumb, in Dutch now as the rest of the interface, leads back up to the article
    with page.expect_navigation():
        page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Artikel 5").click()
    assert browser_page.path() == "/explore/instruments/untoc/art/5"
    assert page.locator("html").get_attribute("lang") == "nl"


def test_search_cases_by_country_and_crime_type_then_follow_a_case(browser_page: BrowserPage,
                                                                   settings: Settings) -> None:
    """The search form: tick a country and a crime type, submit, read the count, open a case, go
    to its country's page and back."""
    country, crime = "BRA", "participation-in-an-organized-criminal-group"
    expected = sorted(c["id"] for c in _cases(settings)
                      if c.get("country") == country and crime in c.get("crime_types", []))
    assert expected, "the bundled cases changed: choose another country and crime type"
    browser_page.goto("/")
    page = browser_page.page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    assert browser_page.path() == "/explore/search/cases"
    form = page.locator("form.search-form")
    form.locator(f'#facet-country input[value="{country}"]').check()
    form.locator(f'#facet-crime_type input[value="{crime}"]').check()
    browser_page.screenshot("flow-search-1-ticked")
    with page.expect_navigation():
        form.get_by_role("button", name="Apply filters").click()
    path = browser_page.path()
    assert path.startswith("/explore/search/cases?") and f"country={country}" in path and f"crime_type={crime}" in path
    total = page.locator("#total")
    assert total.inner_text() == str(len(expected))
    status = page.get_by_role("status").inner_text()
    assert status.startswith(f"{len(expected)} records") or status.startswith(f"{len(expected)} record;"), status
    # the boxes stay ticked, and every result is a case of that country
    assert form.locator(f'#facet-country input[value="{country}"]').is_checked()
    assert form.locator(f'#facet-crime_type input[value="{crime}"]').is_checked()
    results = page.locator("li.result")
    assert results.count() == min(len(expected), 20)
    assert set(results.locator(".result-facts .country").all_inner_texts()) == {country}
    shown = results.locator("a.result-title + span.badge").all_inner_texts()
    assert len(shown) == results.count() and set(shown) <= set(expected), shown
    browser_page.screenshot("flow-search-2-results")
    # open the first case
    first = results.first.locator("a.result-title")
    title, href = first.inner_text(), first.get_attribute("href")
    with page.expect_navigation():
        first.click()
    assert browser_page.path() == href and href.startswith("/explore/cases/")
    assert page.locator("h1").inner_text() == title
    browser_page.screenshot("flow-search-3-case")
    # its data view is one link away, and leads back
    with page.expect_navigation():
        page.get_by_role("link", name="Data view (RDF)").click()
    assert browser_page.path() == href.replace("/explore/cases/", "/id/case/")
    with page.expect_navigation():
        page.get_by_role("link", name="Read the case page").click()
    assert browser_page.path() == href
    # its State (a link of the facts): that country's profile in the explorer
    with page.expect_navigation():
        page.locator("main dl a[href='/explore/countries/%s']" % country).first.click()
    assert browser_page.path() == f"/explore/countries/{country}"
    assert page.locator("h1").inner_text().startswith("Brazil")
    assert page.locator("#cases").get_by_role("link", name=f"Search all cases of {country}").is_visible()
    browser_page.screenshot("flow-search-4-country")
    # back: the case again
    page.go_back()
    page.wait_for_url(f"**{href}")
    assert page.locator("h1").inner_text() == title


def test_run_a_named_query_with_its_parameter_form_and_download(browser_page: BrowserPage) -> None:
    browser_page.goto("/explore/sparql")
    page = browser_page.page
    examples = page.locator("#examples")
    with page.expect_navigation():
        examples.locator('a[href="/explore/sparql?query=cases-of-country"]').click()
    assert browser_page.path() == "/explore/sparql?query=cases-of-country"
    parameters = page.locator("form.sparql-parameters")
    assert page.locator("section.sparql-results").count() == 0  # not run until its parameter is given
    parameters.get_by_label("country").fill("BRA")
    browser_page.screenshot("flow-sparql-1-parameters")
    with page.expect_navigation():
        parameters.get_by_role("button", name="Run cases-of-country").click()
    # a GET form sends every field: the optional language (titles' language) left empty
    assert browser_page.path() == "/explore/sparql?query=cases-of-country&country=BRA&language="
    results = page.locator("section.sparql-results")
    rows = int(results.locator("#row-count").inner_text().replace(",", ""))
    assert rows == 99
    table = results.locator("table.sparql-table")
    assert table.locator("thead th").all_inner_texts()[:3] == ["#", "?country", "?case"]
    assert table.locator("tbody tr").count() == rows
    case_link = table.locator("tbody tr").first.locator('a[href^="/id/case/BRA"]')
    assert case_link.count() == 1
    browser_page.screenshot("flow-sparql-2-results")
    # download the results as CSV
    with page.expect_download() as info:
        results.locator("p.downloads").get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    assert download.suggested_filename == "sherloc-cases-of-country.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("country,case,id,title,year") and len(lines) == rows + 1
    # a link of the table opens the resource
    href = case_link.get_attribute("href")
    with page.expect_navigation():
        case_link.click()
    assert browser_page.path() == href


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), type: e.type || null, name: e.name || null, value: e.value || null,
                id: e.id || null, class: e.className || null, text: (e.innerText || "").trim()}; }""")


def _tab_to(page, predicate, *, back: bool = False, limit: int = 400) -> dict:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = _focused(page)
        if predicate(focused):
            return focused
    raise AssertionError(f"the keyboard did not reach the element in {limit} presses; last: {focused}")


def test_the_search_form_and_facets_work_with_the_keyboard(browser_page: BrowserPage) -> None:
    browser_page.goto("/explore/search/cases")
    page = browser_page.page
    everything = int(page.locator("#total").inner_text().replace(",", ""))
    # Tab from the top reaches the words field; typing and Enter submits the form
    _tab_to(page, lambda f: f["id"] == "search-q")
    page.keyboard.type("Decision")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=Decision" in browser_page.path()
    with_words = int(page.locator("#total").inner_text().replace(",", ""))
    assert 0 < with_words < everything
    # Tab on to the first country box; Space ticks it
    box = _tab_to(page, lambda f: f["name"] == "country" and f["type"] == "checkbox")
    page.keyboard.press("Space")
    assert page.locator(f'#facet-country input[value="{box["value"]}"]').is_checked()
    # the focus is visible (the stylesheet gives focused controls an outline)
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    browser_page.screenshot("flow-keyboard-1-box-ticked")
    # back (Shift+Tab) to the Search button; Enter submits with the box ticked
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Search", back=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"country={box['value']}" in browser_page.path() and "q=Decision" in browser_page.path()
    narrowed = int(page.locator("#total").inner_text().replace(",", ""))
    assert 0 < narrowed <= with_words
    assert set(page.locator("li.result .result-facts .country").all_inner_texts()) == {box["value"]}
    # the Years list (a details element within the filters, themselves one) opens with the keyboard
    # and its links work
    _tab_to(page, lambda f: f["tag"] == "summary" and f["text"] == "Years")
    page.keyboard.press("Enter")
    assert page.locator("#facet-year").get_attribute("open") is not None
    year = _tab_to(page, lambda f: f["tag"] == "a" and f["text"].isdigit())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"year_from={year['text']}" in browser_page.path() and f"year_to={year['text']}" in browser_page.path()
    assert set(page.locator("li.result .year").all_inner_texts()) == {year["text"]}
    # a result title is reachable and opens the case
    _tab_to(page, lambda f: f["tag"] == "a" and f["class"] == "result-title")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert browser_page.path().startswith("/explore/cases/")  # the case's reader page
    assert page.locator("h1").count() == 1
    browser_page.screenshot("flow-keyboard-2-case")
