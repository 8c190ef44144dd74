"""A crawl of the explorer over HTTP (httpx, no browser): starting at ``/``, every local link
reachable within three clicks answers 200 (a page, a stylesheet, a download, a Linked Data format),
or 303 for the language switch (which only sets a cookie and sends the browser back, so its target
is not followed from there).

What is followed: the ``href`` of ``<a>`` and ``<link>`` and the ``src`` of ``<script>`` and
``<img>`` that stay on this server (a path, or an absolute URL of the same origin), without their
fragment. Pages that are not HTML (CSV, Turtle, JSON-LD, the stylesheet...) are fetched once and
must answer 200, but are not parsed.

Bounds, so that it runs in a couple of minutes and still covers every kind of page:

* depth: three clicks from the home page (pages at depth 3 are fetched, their links not followed);
* variants: of the URLs that share a path and the names of their query parameters (a search with
  ``country=...&page=...``, a sorted table), at most :data:`VARIANTS` are visited; the named query
  of ``/explore/sparql?query=NAME`` counts as part of the path (each named query is its own page);
* leaves: the pages three clicks away are fetched but not parsed, so only their own answer is
  tested; of those that share a template (``/id/instrument/*/art/*/*``, ``/explore/countries/*``, a
  Linked Data format of a case...), at most :data:`LEAVES` are visited: a sample of each kind;
* two clicks away: every kind of page is visited and its links read, but of the pages sharing a
  template at most :data:`SECOND_CLICK` (the gap matrix alone links a profile for each of the 117
  States with a record, and a Canadian Act's page links its hundreds of sections);
* the whole crawl stops at :data:`MAX_URLS`; reaching that bound fails the test, saying so, rather
  than passing on a partial crawl.

The number of URLs visited (by depth, and by kind of page) is printed (``pytest -s`` shows it) and
kept in ``test-artifacts/crawl.txt``.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]
DEPTH = 3
VARIANTS = 3
LEAVES = 20
SECOND_CLICK = 40
#: Enough for three clicks: each resource page links 7 formats of itself (HTML, Turtle, JSON-LD,
#: RDF/XML, N-Triples, TriG, N-Quads), each format a template of its own.
MAX_URLS = 2600
#: The language switch answers 303 (a cookie, then back to the page it was chosen on).
REDIRECTS = {"/explore/language": 303}
#: Parameters whose value names a different page, not a variant of the same one.
IDENTITY_PARAMS = {"/explore/sparql": ("query",), "/explore/sparql/download": ("query", "as")}
WORKERS = 4


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "script": "src", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def local(base: str, page: str, href: str) -> str | None:
    """The path and query ``href`` (found on ``page``) names on this server, or None."""
    if href.startswith(("mailto:", "javascript:", "data:", "tel:")):
        return None
    absolute = urljoin(base + page, href)
    if not absolute.startswith(base + "/"):
        return None
    parts = urlsplit(absolute)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def shape(target: str) -> tuple:
    """What makes two URLs variants of one page: the path, the names of the query parameters (and
    the values of the identity parameters of that path)."""
    parts = urlsplit(target)
    params = parse_qsl(parts.query, keep_blank_values=True)
    identity = IDENTITY_PARAMS.get(parts.path, ())
    return (parts.path, frozenset(name for name, _ in params),
            tuple(sorted((n, v) for n, v in params if n in identity)))


def template(target: str) -> tuple:
    """The template of a leaf page: its first two path steps, how many steps, its format suffix."""
    steps = [s for s in urlsplit(target).path.split("/") if s]
    suffix = steps[-1].rsplit(".", 1)[1] if steps and "." in steps[-1] else ""
    return (tuple(steps[:2]), len(steps), suffix, bool(urlsplit(target).query))


def kind_of(target: str) -> str:
    """A rough name of the kind of page, for the summary."""
    path = urlsplit(target).path
    steps = [s for s in path.split("/") if s]
    if not steps:
        return "/"
    if steps[0] == "id" and len(steps) > 1:
        return "/id/" + steps[1] + ("" if "." not in steps[-1] else " (format)")
    return "/" + "/".join(steps[:2])


def test_every_link_within_three_clicks_of_home_answers(explorer: str) -> None:
    started = time.monotonic()
    seen: set[str] = {"/"}
    variants: Counter = Counter({shape("/"): 1})
    frontier = ["/"]
    visited: dict[str, int] = {}
    depth_of: dict[str, int] = {}
    failures: list[str] = []
    skipped_variants = skipped_leaves = skipped_second = 0
    leaves: Counter = Counter()
    second: Counter = Counter()
    queued = 1
    bound_hit = False

    def fetch(client: httpx.Client, target: str) -> tuple[str, int, str, str | None]:
        response = client.get(explorer + target)
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        body = response.text if media_type == "text/html" else None
        return target, response.status_code, media_type, body

    with httpx.Client(follow_redirects=False, timeout=60) as client, ThreadPoolExecutor(WORKERS) as pool:
        for depth in range(DEPTH + 1):
            found: list[str] = []
            for target, status, _media_type, body in pool.map(lambda t: fetch(client, t), frontier):
                visited[target] = status
                depth_of[target] = depth
                path = urlsplit(target).path
                want = REDIRECTS.get(path, 200)
                if status != want:
                    failures.append(f"{target} (depth {depth}): {status}, expected {want}")
                    continue
                if depth == DEPTH or body is None or path in REDIRECTS:
                    continue
                for href in links_of(body):
                    link = local(explorer, target, href.split("#", 1)[0] or target)
                    if link is None or link in seen:
                        continue
                    seen.add(link)
                    key = shape(link)
                    if "?" in link and variants[key] >= VARIANTS:
                        skipped_variants += 1
                        continue
                    if depth + 1 == DEPTH and leaves[template(link)] >= LEAVES:
                        skipped_leaves += 1
                        continue
                    if depth + 1 == DEPTH - 1 and second[template(link)] >= SECOND_CLICK:
                        skipped_second += 1
                        continue
                    if queued >= MAX_URLS:
                        bound_hit = True
                        continue
                    queued += 1
                    variants[key] += 1
                    leaves[template(link)] += depth + 1 == DEPTH
                    second[template(link)] += depth + 1 == DEPTH - 1
                    found.append(link)
            frontier = found
            if not frontier:
                break

    elapsed = time.monotonic() - started
    by_depth = Counter(depth_of.values())
    by_kind = Counter(kind_of(t) for t in visited)
    summary = (f"crawl: {len(visited)} URLs visited in {elapsed:.1f} s "
               f"(by depth: {dict(sorted(by_depth.items()))}); {skipped_variants} links skipped as further "
               f"variants of a page already visited {VARIANTS} times, {skipped_leaves} pages three clicks away "
               f"skipped as beyond the sample of {LEAVES} of their template, {skipped_second} two clicks away beyond "
               f"the sample of {SECOND_CLICK}\n"
               + "\n".join(f"  {n:5d}  {k}" for k, n in by_kind.most_common()))
    print("\n" + summary)
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "crawl.txt").write_text(summary + "\n", encoding="utf-8")

    # the language switch is a form on every page, not a link: sent once from a page of the crawl
    switched = httpx.get(explorer + "/explore/language", params={"lang": "nl", "next": "/explore/countries"},
                         follow_redirects=False)
    if switched.status_code != REDIRECTS["/explore/language"] or switched.headers.get("location") != "/explore/countries":
        failures.append(f"/explore/language: {switched.status_code} to {switched.headers.get('location')}, "
                        "expected 303 to /explore/countries")

    assert not failures, f"{len(failures)} of {len(visited)} URLs failed:\n" + "\n".join(failures[:50])
    assert not bound_hit, (f"the crawl reached its bound of {MAX_URLS} URLs before three clicks were done: "
                           f"raise MAX_URLS or lower VARIANTS; it covered only part of the explorer\n{summary}")
    # the crawl did reach the page families of the explorer
    for family in ("/explore/instruments", "/explore/search", "/explore/countries", "/explore/trends",
                   "/explore/sparql", "/id/case", "/id/country", "/static/explorer.css"):
        assert any(t.startswith(family) for t in visited), f"no {family} page was reached\n{summary}"
