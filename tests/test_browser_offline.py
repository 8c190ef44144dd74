"""The pages built on script libraries, in a real browser (Chromium through Playwright, see
tests/browser.py), using nothing from another host: the API documentation (Swagger UI) and the
SPARQL editor (YASGUI), both from our own static files. Every request a page makes is recorded and
must go to the explorer server; console errors (a content-security-policy violation among them)
fail the test (tests/browser.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.queries import QueryLibrary

from .browser import BrowserPage


@pytest.fixture
def requests_made(browser_page: BrowserPage) -> list[str]:
    """Every URL the page asks for, from now on."""
    made: list[str] = []
    browser_page.page.on("request", lambda request: made.append(request.url))
    return made


def only_here(made: list[str], base_url: str) -> None:
    here = urlsplit(base_url).netloc
    others = [url for url in made if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != here]
    assert not others, f"requests to other hosts: {others}"
    assert made, "the page made no request at all"


def test_the_api_documentation_renders_offline(browser_page: BrowserPage, requests_made: list[str]) -> None:
    browser_page.goto("/docs")
    page = browser_page.page
    page.wait_for_selector(".opblock", timeout=60_000)
    assert page.locator(".opblock").count() > 20  # the API's operations, read from /openapi.json
    assert page.locator(".opblock-summary-path", has_text="/api/search/{kind}").count() >= 1
    only_here(requests_made, browser_page.base_url)
    assert any(url.endswith("/openapi.json") for url in requests_made)


def test_the_sparql_editor_runs_a_query_and_links_our_pages(browser_page: BrowserPage, requests_made: list[str],
                                                            settings: Settings) -> None:
    browser_page.goto("/sparql")   # a browser opening the endpoint lands on the editor
    page = browser_page.page
    assert browser_page.path() == "/explore/sparql/editor"
    browser_page.wait_until("window.sherlocEditor !== undefined", timeout_ms=60_000)
    page.wait_for_selector(".yasqe .CodeMirror")
    text = page.evaluate("window.sherlocEditor.getTab().getYasqe().getValue()")
    assert "PREFIX sherloc: <https://w3id.org/sherloc/ontology#>" in text and "sherloc:CourtCase" in text
    page.locator(".yasqe_queryButton").first.click()
    page.wait_for_selector(".yasr tbody tr td a[href]", timeout=60_000)
    rows = page.locator(".yasr tbody tr")
    assert rows.count() >= 10
    # a case IRI of the results (under our base, w3id.org) links to the case's page on this host
    links = [a.get_attribute("href") for a in page.locator(".yasr tbody tr td a[href]").all()]
    cases = [href for href in links if href.startswith("/id/case/")]
    assert cases, links
    assert not any(href.startswith(settings.base) for href in links)
    browser_page.screenshot("sparql-editor-results")
    # a named query opens as a new tab with its text
    library = QueryLibrary(settings.queries_dir)
    named = library.get("cases-by-country")
    page.locator(f'button.example[data-name="{named.name}"]').click()
    browser_page.wait_until(f"window.sherlocEditor.getTab().getName() === {named.title!r}")
    assert page.evaluate("window.sherlocEditor.getTab().getYasqe().getValue()") == named.text
    assert page.evaluate("window.sherlocEditor.getTab().getEndpoint()") == browser_page.base_url + "/sparql"
    only_here(requests_made, browser_page.base_url)
    assert any(url.endswith("/sparql") for url in requests_made)


def test_an_unknown_explorer_url_is_a_page_with_ways_on(browser_page: BrowserPage) -> None:
    browser_page.expect_error(r"status of 404 .*/explore/no-such-page")  # Chromium logs the page's own 404
    browser_page.goto("/explore/no-such-page", status=404)
    page = browser_page.page
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.get_by_role("navigation", name="Main").is_visible()
    page.get_by_role("link", name="search the cases").click()
    page.wait_for_url("**/explore/search/cases")
