"""``/dataset`` for a browser (api/explorer/dataset.py): the DCAT description in words, with the
dumps, on the application over the bundled data and every example (the session's ``explorer``;
tests/test_api_remote.py runs this module again on Oxigraph server and Virtuoso).

What the page says is checked against what the RDF answer of the same URL says and against what
the dump routes send: each public graph's N-Quads and Turtle files, their size and SHA-256 those of
the bytes downloaded; the licences named and linked; the SPARQL endpoint and the workbench linked;
the RDF syntaxes named in ``Link: rel="alternate"`` and on the page, each answering its syntax. The
page is in the language asked for (Arabic right to left); Accept still gives the RDF to whoever asks
for it; the page has an ETag and a 304 like every answer; a restricted graph shows only to a caller
who may read it (sherloc_kg/access.py).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS, VOID

from sherloc_kg.access import Tokens, public_graphs
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.graph_catalogue import CATALOGUE
from sherloc_kg.iris import Iris

from .servers import serving
from .test_sign_in import sign_in

BASE = "https://w3id.org/sherloc/"
ME = URIRef(BASE + "dataset")
#: What Firefox and Chromium send for a page.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_SYNTAXES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
                "application/n-triples": "nt"}
TIMEOUT = 120


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    yield child
                yield from child.all(tag)


_VOID = {"meta", "link", "br", "input", "img", "hr"}


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.open[-1].children.append(node)
        if tag not in _VOID:
            self.open.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def tree(html: str) -> Node:
    parser = _Tree()
    parser.feed(html)
    return parser.root


def visible(root: Node) -> str:
    """The text a reader sees (what is inside <head> and the attributes aside)."""
    body = next(root.all("body"))
    return re.sub(r"\s+", " ", body.text())


@pytest.fixture(scope="module")
def client(explorer: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=explorer, timeout=TIMEOUT) as session:
        yield session


@pytest.fixture(scope="module")
def page(client: httpx.Client) -> httpx.Response:
    answer = client.get("/dataset", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert answer.status_code == 200, answer.text[:300]
    return answer


@pytest.fixture(scope="module")
def described(client: httpx.Client) -> Graph:
    answer = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    return Graph().parse(data=answer.text, format="turtle")


def dump_rows(root: Node) -> list[list[Node]]:
    """The cells of each file's row of the downloads table, the graph's own cells (rowspan) left out:
    format, size, checksum, licence, link."""
    table = next(t for t in root.all("table") if "dataset-dumps" in t.attrs.get("class", ""))
    rows = []
    for row in next(table.all("tbody")).all("tr"):
        cells = [c for c in row.children if isinstance(c, Node) and c.tag == "td" and "triples" not in c.attrs.get("class", "")]
        if any(a.attrs.get("download") is not None for c in cells for a in c.all("a")):
            rows.append(cells[-5:])
    return rows


def test_a_browser_is_shown_the_description_in_words(page: httpx.Response, described: Graph) -> None:
    assert page.headers["content-type"].startswith("text/html")
    assert {"Accept", "Host"} <= {v.strip() for v in page.headers["vary"].split(",")}
    root = tree(page.text)
    text = visible(root)
    assert '<html lang="en"' in page.text
    assert "<title>Dataset and dumps · SHERLOC-KG</title>" in page.text
    # the dataset's and the catalogue's title and description, as the description gives them
    for node in (ME, URIRef(BASE + "dataset#catalog")):
        for predicate in (DCTERMS.title, DCTERMS.description):
            assert str(described.value(node, predicate)) in text, (node, predicate)
    # the publisher, named and linked
    publisher = described.value(ME, DCTERMS.publisher)
    name = str(described.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name")))
    assert any(a.text() == name and a.attrs["href"] == "/" for a in root.all("a"))
    # the catalogue's licence, named and linked to its document
    catalogue_licence = described.value(URIRef(BASE + "dataset#catalog"), DCTERMS.license)
    licence_name = str(described.value(catalogue_licence, RDFS.label))
    assert licence_name == "Creative Commons Attribution 4.0 International"
    assert any(a.attrs.get("href") == str(catalogue_licence) and a.text() == licence_name for a in root.all("a"))
    # the dates, written out, with the instant for machines
    modified = described.value(ME, DCTERMS.modified).toPython()
    times = {t.attrs["datetime"][:19] for t in root.all("time")}
    assert modified.isoformat()[:19] in times
    assert f"{modified.day} {modified:%B} {modified.year}" in text


def test_no_code_on_the_page(page: httpx.Response) -> None:
    """No prefixed name, no datatype, no IRI and no media type as visible text (links are fine)."""
    text = visible(tree(page.text))
    assert not re.search(r"\b(?:dcat|dcterms|void|xsd|spdx|foaf|rdfs?|skos|sd|owl|vcard|ldes):\w", text), text
    assert "http://" not in text and "https://" not in text and "w3id.org" not in text
    assert not re.search(r"\b(?:text|application)/[a-z]", text)
    assert "^^" not in text and "@en" not in text and "checksumAlgorithm" not in text


def test_each_public_graph_with_its_files_as_the_dump_routes_send_them(client: httpx.Client, page: httpx.Response,
                                                                        described: Graph, explorer_store) -> None:
    """Format in words, size (its exact count in <data value>) and SHA-256 (in <code>) of exactly the
    bytes each download link sends; the licence named and linked."""
    root = tree(page.text)
    rows = dump_rows(root)
    text = visible(root)
    iris = Iris()
    held = [g for g in public_graphs(iris) if g in set(explorer_store.graphs())]
    assert len(held) > 5
    seen = {}
    for fmt, size, checksum, licence, link in rows:
        href = next(link.all("a")).attrs["href"]
        answer = client.get(href)
        assert answer.status_code == 200, href
        shown = next(size.all("data")).attrs["value"]
        assert int(shown) == len(answer.content) == int(answer.headers["content-length"]), href
        assert re.fullmatch(r"[\d.,]+\s?(B|byte|kB|MB|GB)", re.sub(r"<[^>]+>", "", size.text()).strip()), size.text()
        value = next(checksum.all("code")).text()
        assert value == hashlib.sha256(answer.content).hexdigest(), href
        assert checksum.text() == "SHA-256" + value   # the algorithm named, the value to copy
        seen[href] = (fmt.text().strip(), licence)
    for graph in held:
        name = iris.graph_name(graph)
        assert CATALOGUE[name].title in text, name
        for suffix, words in ((".nq", "RDF N-Quads"), (".ttl", "RDF Turtle")):
            href = f"/dataset/dump/{name}{suffix}"
            assert href in seen, href
            fmt, licence = seen[href]
            assert fmt == words
            # the licence the description gives the file, linked: its own document, or this page's section
            given = described.value(URIRef(BASE + f"dataset/dump/{name}{suffix}"), DCTERMS.license)
            links = list(licence.all("a"))
            assert len(links) == 1
            if str(given).startswith(BASE + "dataset#"):
                anchor = str(given).partition("#")[2]
                assert links[0].attrs["href"] == "#" + anchor
                assert any(s.attrs.get("id") == anchor for s in root.all("section"))
            else:
                assert links[0].attrs["href"] == str(given)
                assert links[0].text() == str(described.value(given, RDFS.label))
    assert set(seen) == {f"/dataset/dump/{iris.graph_name(g)}{s}" for g in held for s in (".nq", ".ttl")} | {
        "/dataset/dump.nq.gz"}
    assert seen["/dataset/dump.nq.gz"][0] == "RDF N-Quads, compressed with gzip"
    # no restricted graph for the public
    assert "contact details" not in text and "unpublished" not in text


def test_the_endpoint_the_workbench_and_the_feed_are_linked(page: httpx.Response, described: Graph,
                                                            explorer: str) -> None:
    hrefs = {a.attrs.get("href") for a in tree(page.text).all("a")}
    endpoint = next(iter(described.objects(None, DCAT.endpointURL)))
    assert str(endpoint) == explorer + "/sparql" and str(endpoint) in hrefs
    assert {"/explore/sparql", "/explore/sparql/editor", "/feed"} <= hrefs
    assert "https://www.w3.org/TR/sparql11-protocol/" in hrefs and "https://w3id.org/ldes/specification" in hrefs


def test_the_rdf_syntaxes_are_named_and_each_answers_its_own(client: httpx.Client, page: httpx.Response,
                                                              described: Graph) -> None:
    header = {m.group(2): m.group(1) for m in re.finditer(r'<([^>]+)>; rel="alternate"; type="([^"]+)"',
                                                         page.headers["link"])}
    assert set(header) == set(RDF_SYNTAXES)
    shown = {a.attrs["type"]: a.attrs["href"] for a in tree(page.text).all("a") if a.attrs.get("rel") == "alternate"}
    assert shown == header
    for media, href in header.items():
        answer = client.get(href, headers={"Accept": BROWSER})  # followed by a browser: the syntax all the same
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), href
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            g = Graph().parse(data=answer.text, format=RDF_SYNTAXES[media])
        assert int(g.value(ME, VOID.triples)) == int(described.value(ME, VOID.triples))


@pytest.mark.parametrize("accept, media", [
    ("text/html", "text/html"),
    (BROWSER, "text/html"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples", "application/n-triples"),
    ("*/*", "text/turtle"),
    (None, "text/turtle"),
])
def test_accept_chooses_the_page_or_the_rdf(client: httpx.Client, accept: str | None, media: str) -> None:
    answer = client.get("/dataset", headers={"Accept": accept if accept is not None else ""})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media
    if media != "text/html":
        assert answer.headers["vary"].startswith("Accept, Host")
        assert "<html" not in answer.text


def test_the_page_is_revalidated_like_every_answer(client: httpx.Client, page: httpx.Response) -> None:
    etag = page.headers["etag"]
    assert etag.startswith('"') and page.headers["cache-control"] == "public, no-cache"
    again = client.get("/dataset", headers={"Accept": BROWSER, "Accept-Language": "en", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["vary"] == page.headers["vary"]
    # the Turtle has validators of its own: the page's ETag does not stand for it
    turtle = client.get("/dataset", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert turtle.status_code == 200 and turtle.headers["etag"] != etag
    head = client.head("/dataset", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert head.status_code == 200 and head.headers["etag"] == etag and head.content == b""
    if "last-modified" in page.headers:
        since = client.get("/dataset", headers={"Accept": BROWSER, "Accept-Language": "en",
                                                "If-Modified-Since": page.headers["last-modified"]})
        assert since.status_code == 304


@pytest.mark.parametrize("lang, words", [
    ("ar", ("مجموعة البيانات والنسخ الكاملة", "تنزيل", "آخر تغيير", "المجموع الاختباري")),
    ("fr", ("Jeu de données et exports", "Télécharger", "Dernière modification", "Somme de contrôle")),
])
def test_the_page_in_another_language(client: httpx.Client, lang: str, words: tuple[str, ...]) -> None:
    answer = client.get("/dataset", params={"lang": lang}, headers={"Accept": BROWSER})
    assert answer.status_code == 200
    assert f'<html lang="{lang}"' in answer.text
    assert (' dir="rtl"' in answer.text.split(">", 2)[1]) == (lang == "ar")
    text = visible(tree(answer.text))
    for word in words:
        assert word in text, (lang, word)
    # the description's English texts say they are English (and, on a right-to-left page, left to right)
    marked = '<span lang="en" dir="ltr">' if lang == "ar" else '<span lang="en">'
    assert marked + "The United Nations Convention against Transnational Organized Crime" in answer.text
    # the change's date in the language's words
    assert re.search(r'<time datetime="[^"]+">[^<]*20\d\d', answer.text)
    if lang == "fr":
        assert re.search(r"\d+,\d (Mo|ko)", text)   # sizes the French way


@pytest.fixture(scope="module")
def with_tokens(settings: Settings, explorer_store, token_file: Path) -> Iterator[str]:
    with serving(create_app(settings.with_(tokens=token_file), store=explorer_store)) as url:
        yield url


def test_a_restricted_graph_shows_to_whoever_may_read_it_without_a_file(with_tokens: str, admin_token: str) -> None:
    public = httpx.get(with_tokens + "/dataset", headers={"Accept": BROWSER}, timeout=TIMEOUT)
    admin = httpx.get(with_tokens + "/dataset", headers={"Accept": BROWSER, "Authorization": f"Bearer {admin_token}"},
                      timeout=TIMEOUT)
    title = CATALOGUE["authorities-restricted"].title
    assert title not in public.text and "signed in as" not in public.text
    assert title in admin.text and admin.headers["cache-control"] == "private, no-store"
    assert "etag" not in admin.headers
    # listed, with no dump of its own (the SPARQL endpoint reads it), and the whole dump made on request
    assert "/dataset/dump/authorities-restricted" not in admin.text
    assert "made as it is downloaded" in visible(tree(admin.text))


def test_a_signed_in_browser_sees_its_graphs_in_an_answer_no_cache_keeps(with_tokens: str, token_file: Path) -> None:
    """Signed in with a session cookie (no Authorization header for the caching middleware to see),
    an official is shown the restricted graphs it reads, in an answer marked private and never
    stored, the Turtle as much as the page."""
    official = Tokens(token_file).create("official", country="XAA", name="dataset page official")
    title = CATALOGUE["authorities-restricted"].title
    with httpx.Client(base_url=with_tokens, timeout=TIMEOUT) as browser:
        assert sign_in(browser, official).status_code == 303
        answer = browser.get("/dataset", headers={"Accept": BROWSER})
        assert answer.status_code == 200 and title in answer.text
        assert answer.headers["cache-control"] == "private, no-store" and "etag" not in answer.headers
        assert "Cookie" in answer.headers["vary"]
        turtle = browser.get("/dataset", headers={"Accept": "text/turtle"})
        assert title in turtle.text and turtle.headers["cache-control"] == "private, no-store"
