"""No jargon reaches a page for people (issue 18, item 1): a crawl of the explorer over the examples
store (the bundled data and every illustrative example), from the home page, a sample of case pages
and the country pages with legislation, strategies and authorities, following every link to a
human page, a few pages of each kind. No page it reaches shows a CURIE (``xsd:`` among them), a raw
IRI of ours, a provision reference or a vocabulary notation that reads as a code (tests/jargon.py).

Exempt, by design: the RDF views (``/id/...``, ``/vocab/...``, ``/ontology``: the data as data; a
concept's page for people is ``/explore/concepts/...``), the SPARQL workbench and editor
(queries are their subject), the API and its documentation, downloads. The article 32 pages (the
implementation profile, the gap matrix, the data quality report) are read as any other. The review
upload form documents the CSV file's format, whose codes are its subject: the codes it shows as
code (``<code>``) are left out of its reading, and nothing else (:data:`FORMATS`).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import httpx

from sherloc_kg.iris import segment

from .conftest import REPO
from .jargon import Page, code_notations, jargon

TIMEOUT = 120
BUNDLED = REPO / "data" / "cases" / "sherloc-cases-tip-2026-08.jsonl"
#: Pages that are not for people, or not for them alone (see the module's docstring).
EXEMPT = re.compile(r"^/(?:id/|vocab/|ontology|api/|docs|openapi|sparql|static/|explore/sparql|explore/language|graph|feed)")
#: Pages that document an input format: read without the text they mark as code (tests/jargon.py Page).
FORMATS = re.compile(r"^/explore/review/submit$")
#: Each kind of page is read this many times (its first links found).
PER_KIND = 3
#: The words of our paths; any other segment is a value (a code, an identifier, a reference).
WORDS = {"explore", "cases", "laws", "countries", "search", "instruments", "trends", "art", "review",
         "questionnaire", "sign-in", "dataset", "concepts", "authorities", "publications", "implementation",
         "quality", "gaps", "submit"}
#: The kinds the crawl must reach: every kind of page for people there is.
KINDS = {"/", "/explore/cases/*", "/explore/laws/*/*", "/explore/countries", "/explore/countries/*", "/explore/search/*",
         "/explore/instruments", "/explore/instruments/*", "/explore/instruments/*/art/*", "/explore/trends",
         "/dataset", "/explore/review/questionnaire", "/explore/sign-in", "/explore/concepts/*", "/explore/concepts/*/*",
         "/explore/authorities/*", "/explore/publications/*", "/explore/countries/*/implementation",
         "/explore/countries/*/quality", "/explore/gaps", "/explore/review/submit"}


def kind(path: str) -> str:
    """``/explore/cases/ALB001`` → ``/explore/cases/*``; ``/explore/instruments/tip/art/3/a`` →
    ``/explore/instruments/*/art/*`` (the paragraphs below an article are one kind with it)."""
    parts = [p if p in WORDS else "*" for p in path.strip("/").split("/") if p]
    if "art" in parts:
        parts = parts[:parts.index("art") + 2]
    return "/" + "/".join(parts)


def bundled_ids() -> list[str]:
    return [json.loads(line)["id"] for line in BUNDLED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_no_jargon_reaches_a_page_for_people(explorer: str) -> None:
    assert "trafficking-in-persons" in code_notations() and "money-laundering" not in code_notations()
    start = ["/", *("/explore/cases/" + segment(c) for c in bundled_ids()[::100]), "/explore/cases/XAA-EX-001",
             "/explore/countries/XAA", "/explore/countries/CAN", "/explore/countries/LUX",
             "/explore/countries/XAA?lang=fr", "/explore/cases/ALB001?lang=es", "/explore/sign-in", "/explore/concepts/m49",
             "/explore/search/publications"]
    queue, seen, per_kind, found = list(start), set(start), {}, {}
    with httpx.Client(base_url=explorer, timeout=TIMEOUT) as client:
        while queue:
            href = queue.pop(0)
            response = client.get(href)
            assert response.status_code == 200, href
            if not response.headers["content-type"].startswith("text/html"):
                continue
            page = Page(response.text, code=not FORMATS.match(urlsplit(href).path))
            hits = jargon(page.text)
            if hits:
                found[href] = sorted(hits)
            for target, _ in page.links:
                split = urlsplit(urljoin(href, target))
                if split.netloc or EXEMPT.match(split.path) or split.path.endswith(".csv"):
                    continue
                link = split.path + (f"?{split.query}" if split.query else "")
                if link in seen or per_kind.get(kind(split.path), 0) >= PER_KIND:
                    continue
                seen.add(link)
                per_kind[kind(split.path)] = per_kind.get(kind(split.path), 0) + 1
                queue.append(link)
    assert not found, "\n".join(f"{page}: {hits[:6]}" for page, hits in found.items())
    assert KINDS <= set(per_kind) | {kind(urlsplit(s).path) for s in start}, sorted(per_kind)
    # the crawl sees jargon where there is some: the RDF view of a case shows CURIEs and xsd: types
    rdf_view = httpx.get(explorer + "/id/case/ALB001", headers={"Accept": "text/html"}, timeout=TIMEOUT)
    assert jargon(Page(rdf_view.text).text) >= {"dcterms:i", "xsd:i"}
    # the upload form shows the file's codes, as code only: read whole, they are there
    form = httpx.get(explorer + "/explore/review/submit", timeout=TIMEOUT).text
    assert jargon(Page(form).text) >= {"partially-implemented", "untoc/art/6"}
