"""Three people walking the site in Debian's Chromium (tests/browser.py), through the real server,
each on a laptop (1366 × 768) and on a phone (390 × 844), by clicking the links and forms they
would use (issue 18, Tests):

- a scholar: home → search cases for "trafficking" → a case → the Convention provision it concerns →
  the case's country profile → its implementation profile → the gap matrix → trends;
- an official of the fictional example State XAA (Aurelia): the country's authorities without their
  contact details, signs in with a token, sees the contact details restricted to officials, the
  review upload page, signs out and no longer sees them;
- a developer: the dataset page, the API documentation (Swagger UI from our own files), /sparql in a
  browser (the SPARQL editor), a named query run there, a result link followed to a Linked Data
  page, whose other formats each answer.

On every page: the document's status is below 400, no console error (a script error, a resource
that cannot be loaded, a content-security-policy violation), no page error, no request answered
400 or more, no sideways scroll, and a full-page screenshot kept in
``test-artifacts/screenshots/personas/{persona}-{width}-{step}.png``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sherloc_kg.access import Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings

from .browser import SCREENSHOTS, TIMEOUT_MS
from .servers import serving

SHOTS = SCREENSHOTS / "personas"
SCREENS = {1366: {"width": 1366, "height": 768}, 390: {"width": 390, "height": 844}}
#: An e-mail address of a contact of Aurelia's authorities (data/examples/authorities.jsonl): restricted
#: to officials, in the graph the public does not read.
RESTRICTED_EMAIL = "central-authority@example.org"


@pytest.fixture(scope="module")
def site(settings: Settings, explorer_store, token_file: Path) -> Iterator[str]:
    """The explorer with the examples (Aurelia, XAA, among them), taking the module's tokens."""
    with serving(create_app(settings.with_(tokens=token_file), store=explorer_store)) as url:
        yield url


@pytest.fixture(scope="module")
def official_token(token_file: Path) -> str:
    return Tokens(token_file).create("official", country="XAA", name="Aurelian official (personas)")


class Walk:
    """One persona's browser at one width: each :meth:`step` opens a page (by its path or by an
    action on the page now shown), then checks it and keeps its screenshot."""

    def __init__(self, browser, base_url: str, persona: str, width: int) -> None:
        self.base_url, self.persona, self.width = base_url, persona, width
        self.context = browser.new_context(base_url=base_url, locale="en-GB", viewport=SCREENS[width])
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.set_default_navigation_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.steps = 0
        self.page.on("console", lambda message: self.problems.append(f"console error: {message.text}")
                     if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", lambda failed: self.problems.append(
            f"request failed: {failed.method} {failed.url}: {failed.failure}"))
        self.page.on("response", lambda response: self.problems.append(
            f"{response.request.method} {response.url}: {response.status}") if response.status >= 400 else None)

    def path(self) -> str:
        current = self.page.url
        return current[len(self.base_url):] if current.startswith(self.base_url) else current

    def step(self, name: str, *, path: str | None = None, action: Callable[[], None] | None = None) -> None:
        """Open a page: ``path``, or whatever ``action`` (a click, a key) navigates to."""
        if path is not None:
            response = self.page.goto(path, wait_until="load")
        else:
            assert action is not None
            with self.page.expect_navigation(wait_until="load") as navigation:
                action()
            response = navigation.value
        assert response is not None, name
        assert response.status < 400, f"{self.persona} at {self.width} px, {name}: {self.path()} is {response.status}"
        self.check(name)

    def check(self, name: str) -> None:
        """The page now shown: no problem so far, no sideways scroll; its screenshot kept."""
        self.steps += 1
        where = f"{self.persona} at {self.width} px, step {self.steps} ({name}, {self.path()})"
        wide, window = self.page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.persona}-{self.width}-{self.steps:02d}-{name}.png"), full_page=True)
        assert wide <= window, f"{where}: the page scrolls sideways ({wide} px in a {window} px window)"
        assert not self.problems, f"{where}: the browser reported problems:\n" + "\n".join(self.problems)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def walk(browser, site: str, request: pytest.FixtureRequest) -> Iterator[Callable[[str, int], Walk]]:
    walks: list[Walk] = []

    def start(persona: str, width: int) -> Walk:
        walks.append(Walk(browser, site, persona, width))
        return walks[-1]

    yield start
    for each in walks:
        each.close()


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.mark.parametrize("width", sorted(SCREENS))
def test_a_scholar_follows_a_case_to_the_convention_and_the_country(walk, width: int) -> None:
    w = walk("scholar", width)
    page = w.page
    w.step("home", path="/")
    assert "Convention against Transnational Organized Crime" in page.locator("h1").inner_text()
    # the search box of the header, on every page
    page.locator("#site-q").fill("trafficking")
    w.step("search", action=lambda: page.locator("#site-q").press("Enter"))
    assert w.path().startswith("/explore/search/cases?q=trafficking")
    assert _number(page.locator("#total").inner_text()) > 0
    results = page.locator("li.result")
    assert results.first.is_visible()
    if width < 800:  # on the phone the results come first, the filters after them
        assert results.first.bounding_box()["y"] < page.locator("#filters").bounding_box()["y"]
    # a case that concerns a provision of the Convention or a Protocol
    case = results.filter(has=page.locator("p.provisions a")).first.locator("a.result-title")
    title, case_path = case.inner_text(), case.get_attribute("href")
    w.step("case", action=case.click)
    assert w.path() == case_path and case_path.startswith("/explore/cases/")  # the case page for readers
    assert page.locator("h1").inner_text() == title
    # the provision it concerns, in the Convention browser
    provisions = page.locator("section[aria-labelledby='provisions'] a[href^='/explore/instruments/']")
    provision = provisions.first.get_attribute("href")
    w.step("provision", action=provisions.first.click)
    assert w.path() == provision
    assert page.locator(".provision .provision-text").first.inner_text().strip()
    # back to the case, on to the profile of the State that decided it
    page.go_back()
    page.wait_for_url(f"**{case_path}")
    assert page.locator("h1").inner_text() == title
    country = page.locator("nav.breadcrumbs a[href^='/explore/countries/']").first
    code = country.get_attribute("href").rsplit("/", 1)[1]
    name = country.inner_text().strip()
    w.step("country", action=country.click)
    assert w.path() == f"/explore/countries/{code}"
    assert page.locator("h1").inner_text().startswith(name)
    assert page.locator("#cases").get_by_role("link", name=f"Search all cases of {code}").is_visible()
    # its implementation profile, the gap matrix of every State, the trends
    w.step("implementation", action=page.locator("main").get_by_role("link", name="Implementation profile").click)
    assert w.path() == f"/explore/countries/{code}/implementation"
    assert page.locator("h1").inner_text().startswith("Implementation profile")
    assert page.locator("table.implementation-profile tbody tr").count() > 0
    w.step("gaps", action=page.locator("main").get_by_role("link", name="gap matrix").first.click)
    assert w.path() == "/explore/gaps"
    assert page.locator("h1").inner_text().startswith("Gap matrix")
    assert page.locator("table.gap-matrix tbody tr").count() > 0
    w.step("trends", action=page.get_by_role("navigation", name="Main").get_by_role("link", name="Trends").click)
    assert w.path() == "/explore/trends"
    assert page.locator("h1").inner_text() == "Trends"
    assert page.locator("svg.chart").first.is_visible()


@pytest.mark.parametrize("width", sorted(SCREENS))
def test_an_official_signs_in_to_see_the_restricted_contacts(walk, width: int, official_token: str) -> None:
    w = walk("official", width)
    page = w.page
    # as anyone: Aurelia's authorities without their contact details
    w.step("authorities-public", path="/explore/countries/XAA#authorities")
    authorities = page.locator("#authorities")
    assert authorities.get_by_text("Contact details are shown to officials only.").is_visible()
    assert authorities.locator("article.authority").count() > 0
    assert RESTRICTED_EMAIL not in page.content()
    # sign in; back to the same page
    w.step("sign-in", path="/explore/sign-in?next=/explore/countries/XAA")
    page.get_by_label("Your token").fill(official_token)
    w.step("authorities-official", action=page.get_by_role("button", name="Sign in").click)
    assert w.path() == "/explore/countries/XAA"
    assert official_token not in page.content()
    email = page.locator("#authorities").get_by_role("link", name=RESTRICTED_EMAIL)
    email.scroll_into_view_if_needed()
    assert email.is_visible() and email.get_attribute("href") == f"mailto:{RESTRICTED_EMAIL}"
    assert page.locator("#authorities").get_by_text("Contact details are shown to officials only.").count() == 0
    assert "signed in as official" in page.locator("footer.site").inner_text()
    # the review upload page, from the home page's link
    w.step("home", path="/")
    w.step("review-upload", action=page.get_by_role("link", name="submit their self-assessment answers").click)
    assert w.path() == "/explore/review/submit"
    form = page.locator("form.review-upload")
    assert form.get_by_label("CSV file of answers").get_attribute("type") == "file"
    assert form.get_by_role("button", name="Upload and check").is_visible()
    template = page.locator("main a[href$='template.csv']").first.get_attribute("href")
    answer = page.request.get(template)
    assert answer.status == 200 and answer.text().splitlines()[0].count(",") >= 2
    # sign out: the contact details are gone again
    w.step("signed-in", path="/explore/sign-in")
    assert "You are signed in as official" in page.locator("main").inner_text()
    w.step("signed-out", action=page.get_by_role("button", name="Sign out").click)
    assert w.path() == "/"
    w.step("authorities-after", path="/explore/countries/XAA#authorities")
    assert RESTRICTED_EMAIL not in page.content()
    assert page.locator("#authorities").get_by_text("Contact details are shown to officials only.").is_visible()


@pytest.mark.parametrize("width", sorted(SCREENS))
def test_a_developer_finds_the_dumps_the_api_and_the_sparql_editor(walk, width: int) -> None:
    w = walk("developer", width)
    page = w.page
    w.step("dataset", path="/dataset")
    assert page.locator("h1").inner_text() == "Dataset and dumps"
    dumps = page.locator("table.dataset-dumps a[href^='/dataset/dump']")
    assert dumps.count() > 0
    head = page.request.head(dumps.first.get_attribute("href"))
    assert head.status == 200
    # the API documentation, Swagger UI from our own static files
    w.step("api-docs", action=page.locator("footer.site").get_by_role("link", name="JSON API").click)
    assert w.path() == "/docs"
    page.wait_for_selector(".opblock", timeout=60_000)
    assert page.locator(".opblock-summary-path", has_text="/api/search/{kind}").count() >= 1
    w.check("api-docs-rendered")
    # the SPARQL endpoint opened in a browser is the editor; a named query runs there
    w.step("sparql-editor", path="/sparql")
    assert w.path() == "/explore/sparql/editor"
    deadline = 600
    while not page.evaluate("window.sherlocEditor !== undefined"):
        deadline -= 1
        assert deadline > 0, "the SPARQL editor did not start"
        page.wait_for_timeout(100)
    example = page.locator('button.example[data-name="cases-by-country"]')
    title = example.inner_text()
    example.click()
    for _ in range(600):  # polled: the page's policy forbids the eval of wait_for_function (tests/browser.py)
        if page.evaluate("window.sherlocEditor.getTab().getName()") == title:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.sherlocEditor.getTab().getName()") == title
    page.locator(".yasqe_queryButton").locator("visible=true").first.click()
    page.wait_for_selector(".yasr tbody tr td a[href^='/id/']", timeout=60_000)
    assert page.locator(".yasr tbody tr").count() > 1
    w.check("sparql-results")
    link = page.locator(".yasr tbody tr td a[href^='/id/']").first
    target = link.get_attribute("href")
    w.step("resource", action=link.click)
    assert w.path() == target
    assert page.locator("h1").inner_text().strip()
    # its other formats, each linked from the page, each answering in its format
    formats = {"Turtle": "text/turtle", "JSON-LD": "application/ld+json", "RDF/XML": "application/rdf+xml",
               "N-Triples": "application/n-triples"}
    for label, media_type in formats.items():
        href = page.locator("main").get_by_role("link", name=label, exact=True).first.get_attribute("href")
        assert href.startswith(target + "."), (label, href)
        answer = page.request.get(href)
        assert answer.status == 200 and answer.headers["content-type"].startswith(media_type), (label, answer.headers)
        assert target.rsplit("/", 1)[1] in answer.text()
