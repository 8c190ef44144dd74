"""Accessibility of every kind of explorer page, checked by axe-core in a real browser (Chromium
through Playwright, tests/browser.py) over the explorer's store (the bundled cases and the
examples): at a laptop's width (1366 px) and a phone's (390 px), and in Arabic (right to left) for
some; no violation of impact "serious" or "critical" (issue 18).

axe-core is a test-time npm dependency of frontend/ (``make setup`` installs it with ``npm ci``);
the test evaluates its script in the page (the app never serves it, and our content security
policy refuses an inline script tag, which is what Playwright's ``add_script_tag`` would add).

The pages are real ones: the case, the provisions and the countries are read from the bundled data
and from the server's JSON twins, not guessed."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pytest

from sherloc_kg.config import Settings
from sherloc_kg.reference import BUNDLED, EXAMPLES

from .browser import REPO, BrowserPage

AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"laptop": (1366, 768), "phone": (390, 844)}
BAD = ("serious", "critical")
#: A word no record holds: the searches with no result.
NOWHERE = "qxzvwjkq"

#: Every kind of explorer page, by name (the paths are found in :func:`pages`).
PAGES = [
    "home", "instruments", "instrument-contents", "article", "paragraph", "countries", "country",
    "country-implementation", "country-quality", "gap-matrix", "trends", "search-cases",
    "search-cases-none", "search-legislation", "search-legislation-none", "case-reader", "case-data", "law-reader",
    "provision-data", "workbench", "workbench-result", "sparql-editor", "sign-in", "review-submit",
    "dataset", "not-found", "concept-reader", "concept-scheme", "authority-reader", "publication-reader",
]
#: Those also checked in Arabic, right to left.
ARABIC = ["home", "paragraph", "country", "search-cases", "case-reader", "law-reader", "workbench-result", "concept-reader"]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def axe_script() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make setup` (npm ci --prefix frontend)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(explorer_url: str, settings: Settings) -> dict[str, str]:
    return page_paths(explorer_url, settings)


def page_paths(explorer_url: str, settings: Settings) -> dict[str, str]:
    """The path of each page of :data:`PAGES` on the explorer at ``explorer_url``."""
    def get(path: str, **params) -> dict:
        response = httpx.get(explorer_url + path, params=params, timeout=60)
        response.raise_for_status()
        return response.json()

    case = _records(settings.data_dir / dict(BUNDLED)["cases"])[0]
    # the State whose profile has the most kinds of record (participation, laws, cases, authorities, ...)
    rows = get("/api/countries")["rows"]
    profile = max(rows, key=lambda row: (len(row["counts"]), sum(row["counts"].values())))["code"]
    # a State with an editorial implementation mapping (its implementation profile has rows)
    mapped = next(relative for kind, relative in BUNDLED if kind == "editorial" and "implementation-" in relative)
    implemented = _records(settings.data_dir / mapped)[0]["national"].split("/")[1]
    # the first instrument, its first article with parts, that article's first part
    instrument = get("/api/instruments")["instruments"][0]["code"]
    article = next(a for a in get(f"/api/instruments/{instrument}")["articles"] if a["parts"])["reference"]
    paragraph = get(f"/api/instruments/{article}")["provision"]["parts"][0]["reference"]
    # the first example law: its provisions cited, inferred and applied by a case
    law = _records(settings.data_dir / dict(EXAMPLES)["legislation"])[0]
    with_laws = max((r for r in rows if r["counts"].get("legislation")), key=lambda r: r["counts"]["legislation"])
    for kind in ("cases", "legislation"):
        assert get(f"/api/search/{kind}", q=NOWHERE)["total"] == 0, f"a {kind} record holds {NOWHERE!r}"
    return {
        "home": "/",
        "instruments": "/explore/instruments",
        "instrument-contents": f"/explore/instruments/{instrument}",
        "article": f"/explore/instruments/{article}",
        "paragraph": f"/explore/instruments/{paragraph}",
        "countries": "/explore/countries",
        "country": f"/explore/countries/{profile}",
        "country-implementation": f"/explore/countries/{implemented}/implementation",
        "country-quality": f"/explore/countries/{implemented}/quality",
        "gap-matrix": "/explore/gaps",
        "trends": "/explore/trends",
        "search-cases": "/explore/search/cases?" + urlencode({"country": case["country"]}),
        "search-cases-none": "/explore/search/cases?" + urlencode({"q": NOWHERE}),
        "search-legislation": "/explore/search/legislation?" + urlencode({"country": with_laws["code"]}),
        "search-legislation-none": "/explore/search/legislation?" + urlencode({"q": NOWHERE}),
        "case-reader": "/explore/cases/" + quote(case["id"], safe=""),
        "case-data": "/id/case/" + quote(case["id"], safe=""),
        "law-reader": f"/explore/laws/{law['country']}/" + quote(law["id"], safe=""),
        "provision-data": f"/id/instrument/{paragraph}",
        "workbench": "/explore/sparql",
        "workbench-result": "/explore/sparql?" + urlencode({"query": "cases-of-country", "country": case["country"]}),
        "sparql-editor": "/explore/sparql/editor",
        "sign-in": "/explore/sign-in",
        "review-submit": "/explore/review/submit",
        "dataset": "/dataset",
        "not-found": "/explore/no-such-page",
        "concept-reader": "/explore/concepts/tip-act/recruitment",
        "concept-scheme": "/explore/concepts/cross-cutting-issue",
        "authority-reader": "/explore/authorities/XAA-central-authority-mla",
        "publication-reader": "/explore/publications/XAA-example-publication-tip-2023",
    }


#: What axe leaves out of its check, per page, and why: only third-party widgets we cannot change.
EXCLUDED = {
    # YASGUI (the @zazuko/yasgui npm package) builds its editor, tabs and result view itself; its
    # markup is not ours to fix. The rest of the page (our text, the named queries) is checked.
    "sparql-editor": ["#yasgui"],
}


def _axe(browser_page: BrowserPage, script: str, name: str) -> list[dict]:
    """Run axe over the page now shown: its violations, each with rule id, impact, help, how many
    elements and the first targets."""
    page = browser_page.page
    page.evaluate(script)  # defines window.axe
    context = {"exclude": [[selector] for selector in EXCLUDED.get(name, [])]} if name in EXCLUDED else "document"
    return page.evaluate(
        """context => axe.run(context === 'document' ? document : context, {resultTypes: ['violations']})
             .then(results => results.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                 targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""", context)


def _wait_for_page_scripts(browser_page: BrowserPage, name: str) -> None:
    """A page whose script builds part of it is checked once built."""
    if name == "sparql-editor":
        browser_page.wait_until("window.sherlocEditor !== undefined", timeout_ms=60_000)
        browser_page.page.wait_for_selector(".yasqe .CodeMirror")


def _check(browser_page: BrowserPage, pages: dict[str, str], axe_script: str, name: str, device: str,
           lang: str | None = None) -> None:
    page = browser_page.page
    width, height = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": height})
    path = pages[name]
    if lang:
        path += ("&" if "?" in path else "?") + urlencode({"lang": lang})
    if name == "not-found":
        browser_page.expect_error(r"status of 404 .*/explore/no-such-page")  # Chromium logs the page's own 404
    browser_page.goto(path, status=404 if name == "not-found" else 200)
    if lang:
        assert page.locator("html").get_attribute("lang") == lang
    _wait_for_page_scripts(browser_page, name)
    violations = _axe(browser_page, axe_script, name)
    bad = [v for v in violations if v["impact"] in BAD]
    browser_page.screenshot(f"axe-{name}-{lang or 'en'}-{device}")
    assert not bad, f"{path} at {width} px: {len(bad)} serious or critical axe violations:\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}; {v['count']} elements, e.g. {', '.join(v['targets'])}"
        for v in bad)


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_a_page_has_no_serious_accessibility_violation(browser_page: BrowserPage, pages: dict[str, str],
                                                       axe_script: str, name: str, device: str) -> None:
    _check(browser_page, pages, axe_script, name, device)


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("name", ARABIC)
def test_a_page_in_arabic_has_no_serious_accessibility_violation(browser_page: BrowserPage, pages: dict[str, str],
                                                                 axe_script: str, name: str, device: str) -> None:
    _check(browser_page, pages, axe_script, name, device, lang="ar")


def test_axe_finds_a_violation_where_there_is_one(browser_page: BrowserPage, pages: dict[str, str],
                                                  axe_script: str) -> None:
    """The check itself works: an image without a text alternative and a form field without a label,
    put into a real page, are reported (critical)."""
    browser_page.goto(pages["home"])
    browser_page.page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<img src="/static/nothing.png"><input type="text" name="unnamed">')""")
    browser_page.expect_error(r"/static/nothing\.png")
    found = {v["id"]: v for v in _axe(browser_page, axe_script, "home")}
    assert found["image-alt"]["impact"] == "critical", found
    assert found["label"]["impact"] == "critical", found
