"""The gap matrix and the trends' charts in a real browser (Chromium through Playwright, tests/browser.py) at a laptop's
width (1366 px) and a phone's (390 px), over the explorer's store (the bundled cases and the
examples): no console error, the page never scrolls sideways (the heat map scrolls in its own box),
the article heads stay in view when the heat map scrolls, the articles in numeric order, a count in
every cell that has records, and colours for the kinds of cell that stay apart with any colour
vision; the charts' text no smaller on a phone than on a laptop. Screenshots:
test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from .browser import BrowserPage
from .colour_vision import closest_pair

WIDTHS = {"laptop": (1366, 768), "phone": (390, 844)}


@pytest.mark.parametrize("device", WIDTHS)
def test_the_gap_matrix_fits_the_window_and_keeps_its_heads_in_view(browser_page: BrowserPage, device: str) -> None:
    page = browser_page.page
    width, height = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": height})
    browser_page.goto("/explore/gaps")
    assert page.locator("table.gap-matrix tbody tr").count() > 10
    # no sideways scroll of the page: the heat map (107 articles wide) scrolls in its box
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth")
    box = page.locator(".gap-scroll")
    assert page.evaluate("document.querySelector('.gap-scroll').scrollWidth") > width  # it does hold a wide table
    # the articles, instrument by instrument, in numeric order (tip/art/6 before tip/art/10)
    heads = page.locator("table.gap-matrix th.article-head a").evaluate_all(
        "links => links.map(a => [a.dataset.article, a.title])")
    references = [reference for reference, _ in heads]
    # the title names the article in words, never by its reference
    assert heads[0][1] == "Organized Crime Convention, Article 1: No obligation", heads[0]
    by_instrument: dict[str, list[int]] = {}
    for reference in references:
        instrument, _, number = reference.split("/")
        by_instrument.setdefault(instrument, []).append(int(number))
    assert list(by_instrument) == ["untoc", "tip", "som", "fp"]
    for instrument, numbers in by_instrument.items():
        assert numbers == sorted(numbers), (instrument, numbers)
    assert references.index("tip/art/6") < references.index("tip/art/10")
    # scrolled down and right inside its box, the article heads and the State names are still shown
    box.evaluate("element => { element.scrollTop = 600; element.scrollLeft = 900; }")
    top = box.bounding_box()["y"]
    left = box.bounding_box()["x"]
    head = page.locator("table.gap-matrix thead tr:last-child th").first.bounding_box()
    assert abs(head["y"] - top) < 60, (head, top)
    state = page.locator("table.gap-matrix tbody tr:nth-child(20) th").bounding_box()
    assert abs(state["x"] - left) < 2, (state, left)
    browser_page.screenshot(f"gap-matrix-{device}")


def test_a_heat_map_cell_shows_its_count_and_the_kinds_differ_with_any_colour_vision(browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_page.goto("/explore/gaps?instrument=untoc")
    # a cell with implementing legislation recorded shows the number of records; an empty one nothing
    evidence = page.locator("td.cell-evidence").first.inner_text()
    assert re.fullmatch(r"✓\d+", evidence), evidence
    assert page.locator("td.cell-nothing").evaluate_all("cells => cells.every(c => !/\\d/.test(c.textContent))")
    legend = page.locator("ul.gap-legend span.gap-cell")
    kinds = legend.evaluate_all(
        "spans => spans.map(s => [s.className.split(' ').find(c => c.startsWith('cell-')), getComputedStyle(s).backgroundColor])")
    colours = dict(kinds)  # the legend's sample of a count is an evidence cell again
    assert len(colours) == 7, colours
    hardest = closest_pair(colours)
    assert hardest[0] >= 12, hardest
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth")


@pytest.mark.parametrize("device", WIDTHS)
def test_the_charts_keep_readable_text_and_the_page_never_scrolls_sideways(browser_page: BrowserPage,
                                                                           device: str) -> None:
    page = browser_page.page
    width, height = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": height})
    browser_page.goto("/explore/trends")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth")
    # the size a chart's 12 px text is drawn at: the SVG's drawn width over its own (viewBox) width
    sizes = page.locator("svg.chart").evaluate_all(
        "svgs => svgs.map(s => 12 * s.getBoundingClientRect().width / s.viewBox.baseVal.width)")
    assert len(sizes) == 5
    assert min(sizes) >= 10, sizes  # 4.6 px on a phone once (a 900 px chart squeezed to 342 px)
    browser_page.screenshot(f"trends-{device}")
