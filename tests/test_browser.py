"""The explorer in a real browser (Chromium through Playwright, see tests/browser.py): pages load
without console errors (a script error, a missing resource or a content-security-policy violation
would be one), links and forms work, the keyboard reaches what matters. A screenshot of each test's
last page is saved in test-artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.reference import BUNDLED

from .browser import BrowserPage, browser, browser_page, explorer_url  # noqa: F401


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
    assert picture.is_visible() and picture.get_attribute("role") == "img"
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
