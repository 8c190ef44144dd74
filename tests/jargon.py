"""What a page for people must not show (issue 18): a page's visible text and links read from its
HTML, and the jargon found in a text: a CURIE of our prefixes (``xsd:`` among them), a raw IRI of
ours, a provision reference (``tip/art/3/a``) or a vocabulary notation that reads as a code
(``trafficking-in-persons``). Used by the crawl over every page kind (tests/test_no_jargon.py) and
by the tests of single pages."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

from rdflib import Graph

from sherloc_kg.namespaces import PREFIXES, SKOS

from .conftest import REPO


class Page(HTMLParser):
    """A page's visible text (no script, style or attributes) and its links: (href, text). With
    ``code=False`` the text inside ``<code>`` is left out too: for a page that documents an input
    format, whose codes are its subject (the RDF view shows its CURIEs as code: never read it so)."""

    def __init__(self, markup: str, *, code: bool = True) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._skip = 0
        self._hidden = ("script", "style") if code else ("script", "style", "code")
        self._link: tuple[str, list[str]] | None = None
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._hidden:
            self._skip += 1
        if tag == "a":
            self._link = (dict(attrs).get("href") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden and self._skip:
            self._skip -= 1
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)
            if self._link is not None:
                self._link[1].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())

    def linked(self, href: str) -> list[str]:
        return [text for target, text in self.links if target == href]


@lru_cache(maxsize=1)
def code_notations() -> frozenset[str]:
    """The vocabularies' notations that read as codes: hyphenated, and no word of the Convention's
    own text ("money-laundering" is one)."""
    graph = Graph()
    for path in sorted((REPO / "ontology" / "vocabularies").glob("*.ttl")):
        graph.parse(path)
    texts = " ".join(p.read_text(encoding="utf-8") for p in (REPO / "data" / "convention-texts").glob("*.md")).lower()
    return frozenset(str(n) for n in graph.objects(None, SKOS.notation)
                     if "-" in str(n) and str(n).lower() not in texts)


JARGON = (
    re.compile(r"\b(?:%s):[A-Za-z_]" % "|".join(sorted(PREFIXES))),  # a CURIE of our prefixes (xsd: among them)
    re.compile(r"https?://w3id\.org/sherloc/"),                       # a raw IRI of ours
    re.compile(r"\b(?:untoc|tip|som|fp)/art/\d"),                     # a provision reference
)


@lru_cache(maxsize=1)
def _notation_pattern() -> re.Pattern:
    codes = sorted(code_notations(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:%s)(?![\w-])" % "|".join(map(re.escape, codes)))


def jargon(text: str) -> set[str]:
    """The jargon in ``text`` (each match as found)."""
    return {m.group(0) for pattern in (*JARGON, _notation_pattern()) for m in pattern.finditer(text)}
