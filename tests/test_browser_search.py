"""The search page on a phone and from the keyboard (issue 18, item 4), in Chromium (tests/browser.py):
at 390 px the results come before the filters, which are collapsed and open with their summary (and
still filter); nothing scrolls sideways; a "Skip to results" link takes a keyboard user from the top
of the page to the first result in a few Tab presses. Without JavaScript the filters are open, and
the results still come first on a phone."""

from __future__ import annotations

from .browser import TIMEOUT_MS, BrowserPage

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 768}


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px wide in a {widths[1]} px window"


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), href: e.getAttribute("href"), class: e.className || null,
                text: (e.innerText || "").trim()}; }""")


def test_on_a_phone_the_results_come_first_and_the_filters_open_on_demand(browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.goto("/explore/search/cases?q=trafficking")
    filters = page.locator("#filters")
    first = page.locator("li.result").first
    assert first.is_visible()
    assert first.bounding_box()["y"] + first.bounding_box()["height"] <= filters.bounding_box()["y"]
    # collapsed: the summary shows, the boxes do not
    assert filters.get_attribute("open") is None
    assert not page.locator("#facet-country").is_visible()
    _no_sideways_scroll(page)
    browser_page.screenshot("search-phone-1-results-first")
    # the summary opens them; ticking a country and applying the filters narrows the results
    everything = int(page.locator("#total").inner_text().replace(",", ""))
    filters.locator("> summary").click()
    assert filters.get_attribute("open") is not None
    box = page.locator("#facet-country input[type=checkbox]").first
    box.scroll_into_view_if_needed()
    assert box.is_visible()
    country = box.get_attribute("value")
    box.check()
    _no_sideways_scroll(page)
    browser_page.screenshot("search-phone-2-filters-open")
    with page.expect_navigation():
        filters.get_by_role("button", name="Apply filters").click()
    assert f"country={country}" in browser_page.path() and "q=trafficking" in browser_page.path()
    narrowed = int(page.locator("#total").inner_text().replace(",", ""))
    assert 0 < narrowed <= everything
    assert set(page.locator("li.result .result-facts .country").all_inner_texts()) == {country}
    # the page comes back with the results first and the filters closed, the box still ticked
    assert page.locator("li.result").first.bounding_box()["y"] < filters.bounding_box()["y"]
    assert filters.get_attribute("open") is None
    assert page.locator(f'#facet-country input[value="{country}"]').is_checked()
    _no_sideways_scroll(page)


def test_the_filters_open_again_when_the_window_widens(browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.goto("/explore/search/cases")
    assert page.locator("#filters").get_attribute("open") is None
    page.set_viewport_size(WIDE)
    browser_page.wait_until("document.getElementById('filters').open")
    filters, results = page.locator("#filters").bounding_box(), page.locator("div.results").bounding_box()
    assert filters["x"] + filters["width"] <= results["x"]  # beside the results, before them
    assert page.locator("#facet-country").is_visible()
    _no_sideways_scroll(page)


def _tabs_to_first_result(browser_page: BrowserPage) -> int:
    """From the top of the search page, Tab to "Skip to results", Enter, Tab on (past the count of
    results and its download link) to the first result's link; the number of Tab presses it took."""
    page = browser_page.page
    presses = 0
    for _ in range(5):
        page.keyboard.press("Tab")
        presses += 1
        focused = _focused(page)
        if focused["href"] == "#results":
            break
    assert focused["href"] == "#results" and focused["text"] == "Skip to results", focused
    assert page.locator('a.skip[href="#results"]').bounding_box()["x"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert browser_page.path().endswith("#results")
    # past the count of results and its "Download CSV" link, to the first result
    while presses < 5 and focused["class"] != "result-title":
        page.keyboard.press("Tab")
        presses += 1
        focused = _focused(page)
    first = page.locator("li.result a.result-title").first
    assert focused["class"] == "result-title" and focused["href"] == first.get_attribute("href"), focused
    return presses


def test_a_keyboard_user_reaches_the_first_result_in_a_few_presses(browser_page: BrowserPage) -> None:
    page = browser_page.page
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        browser_page.goto("/explore/search/cases?q=trafficking")
        assert _tabs_to_first_result(browser_page) <= 5
        # Enter opens it
        href = _focused(page)["href"]
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert browser_page.path() == href
    browser_page.screenshot("search-keyboard-first-result")


def test_without_javascript_the_filters_are_open_and_the_results_first_on_a_phone(browser, explorer_url: str) -> None:
    context = browser.new_context(base_url=explorer_url, java_script_enabled=False, viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        assert page.goto("/explore/search/cases?q=trafficking").status == 200
        filters = page.locator("#filters")
        assert filters.get_attribute("open") is not None
        assert page.locator("li.result").first.bounding_box()["y"] < filters.bounding_box()["y"]
        _no_sideways_scroll(page)
        # a closed summary opens without a script too (the browser's own details element)
        filters.locator("> summary").click()
        assert filters.get_attribute("open") is None
        filters.locator("> summary").click()
        box = page.locator("#facet-country input[type=checkbox]").first
        country = box.get_attribute("value")
        box.check()
        with page.expect_navigation():
            filters.get_by_role("button", name="Apply filters").click()
        assert f"country={country}" in page.url
        assert set(page.locator("li.result .result-facts .country").all_inner_texts()) == {country}
    finally:
        context.close()
