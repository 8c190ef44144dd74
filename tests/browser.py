"""Browser tests: fixtures that drive a real Chromium (Debian's, at /usr/bin/chromium) through
Playwright over the explorer served by uvicorn (the ``explorer`` fixture of conftest.py).

conftest.py registers them once for the whole session (a test module that imported them itself
would get a second session-scoped ``browser``, and a second Playwright in the same thread is refused:
"using Playwright Sync API inside the asyncio loop", which the full run hit when both browser modules
ran on one worker)::

    def test_something(browser_page: BrowserPage) -> None:
        browser_page.goto("/id/case/BRA001")
        assert browser_page.page.locator("h1").inner_text() == "..."

``browser_page`` gives a :class:`BrowserPage`: a fresh browser context (no cookies from another
test) and its Playwright ``page``, whose relative URLs resolve against the explorer server. It
collects console errors (a page script error, a resource the page could not load, a violation of
the content security policy: each is logged to the console by Chromium) and failed requests; when
the test ends it saves a screenshot to ``test-artifacts/screenshots/{test name}.png`` and fails the
test (as an error in teardown) if there was any console error or failed request it did not expect
(:meth:`BrowserPage.expect_error`).

No browser is ever downloaded (``playwright install`` is not used): Playwright drives the
Chromium the machine has. A machine without it skips these tests with the reason, CI (``CI`` set)
fails instead, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .backends import missing

REPO = Path(__file__).resolve().parents[1]
#: Debian's chromium; another one can be named with SHERLOC_CHROMIUM.
CHROMIUM = os.environ.get("SHERLOC_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
#: How long an action or a navigation may take (the test machines are shared and slow).
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def explorer_url(explorer: str) -> str:
    """The base URL of the explorer server (``http://127.0.0.1:PORT``), for tests that browse it."""
    return explorer


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session (a Playwright ``Browser``)."""
    if not Path(CHROMIUM).is_file():
        missing(f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        missing("the Python package 'playwright' is not installed (pip install -e '.[test]')")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            # CI runs as root, where Chromium's sandbox cannot start; /dev/shm is small in containers.
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class BrowserPage:
    """A page of a fresh browser context over the explorer, with what went wrong on it."""

    page: object                      # playwright.sync_api.Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    expected: list[re.Pattern] = field(default_factory=list)

    def url(self, path: str) -> str:
        """The absolute URL of a path on the explorer server."""
        return self.base_url + path

    def goto(self, path: str, *, status: int = 200):
        """Open ``path`` and check the status of the document; returns the Playwright response."""
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, path
        assert response.status == status, f"{path}: {response.status}"
        return response

    def path(self) -> str:
        """The path (and query) of the page now shown."""
        current = self.page.url
        return current[len(self.base_url):] if current.startswith(self.base_url) else current

    def expect_error(self, pattern: str) -> None:
        """A console error or failed request matching ``pattern`` is expected (a test that opens a
        page that is meant to be missing, say), and does not fail the test."""
        self.expected.append(re.compile(pattern))

    def problems(self) -> list[str]:
        """The console errors and failed requests not expected."""
        return [p for p in self.console_errors + self.failed_requests
                if not any(e.search(p) for e in self.expected)]

    def wait_until(self, expression: str, timeout_ms: int = TIMEOUT_MS) -> None:
        """Poll ``expression`` (JavaScript, true when done) until it holds. Each poll is one
        ``evaluate``: Playwright's ``wait_for_function`` evaluates its predicate again on later frames
        with ``eval``, which a page whose Content-Security-Policy has no 'unsafe-eval' (ours) refuses."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self.page.evaluate(f"Boolean({expression})"):
            assert time.monotonic() < deadline, f"never true within {timeout_ms} ms: {expression}"
            time.sleep(0.1)

    def screenshot(self, name: str) -> Path:
        """Save a screenshot of the whole page as ``test-artifacts/screenshots/{name}.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")
        self.page.screenshot(path=str(target), full_page=True)
        return target


@pytest.fixture
def browser_page(browser, explorer_url: str, request: pytest.FixtureRequest) -> Iterator[BrowserPage]:
    """A fresh context and page over the explorer (English, a desktop-sized window); screenshot
    and console check when the test ends (see the module docstring)."""
    context = browser.new_context(base_url=explorer_url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    state = BrowserPage(page, explorer_url)

    def on_console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            state.console_errors.append(f"console error: {message.text} ({location.get('url', '')})")

    def on_failed(failed) -> None:
        state.failed_requests.append(f"request failed: {failed.method} {failed.url}: {failed.failure}")

    def on_response(response) -> None:
        if response.status >= 400 and not response.request.is_navigation_request():
            state.failed_requests.append(f"request failed: {response.request.method} {response.url}: {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: state.console_errors.append(f"page error: {error}"))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    try:
        yield state
    finally:
        try:
            state.screenshot(request.node.name)
        finally:
            context.close()
    problems = state.problems()
    if problems:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems), pytrace=False)
