"""``/dataset`` for a browser: the DCAT description in words, with the dumps (api/dataset.py answers
it when the request asks for HTML).

One description, renderers many: :func:`read` takes the very graph the RDF answers serialise (the
DCAT-AP and VoID description api/dcat.py builds of what the caller may see, sherloc_kg/access.py)
and reads it into :class:`DatasetPage`, which ``explorer/dataset.html`` renders. Nothing on the
page comes from elsewhere: a fact added to the description shows here once the page reads it.

The page says what the description says: the catalogue and the dataset (title, description,
publisher, licence, dates, coverage), the SPARQL endpoint as a data service, the change feed when it
is announced, and one row per graph the caller may see with its dumps (format, size, SHA-256,
licence, download link). Links to IRIs under the base go to the path this server answers them at
(a composite licence, ``{base}dataset#licence-{graph}``, is a section of this page). The texts of the
description are English; the page marks them so (``lang="en"``) in another language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from fastapi import Request
from fastapi.responses import HTMLResponse
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VOID
from rdflib.term import Node

from sherloc_kg.access import Caller
from sherloc_kg.iris import GRAPHS, Iris

from ..dcat import EACH_GRAPH_ITS_LICENCE, SPDX
from ..negotiation import FORMAT_NAMES, GRAPH_TYPES, SUFFIX_OF
from ..sparql_endpoint import EDITOR
from .layout import render

#: The SPARQL workbench's page of named queries (its editor: api/sparql_endpoint.py's EDITOR).
WORKBENCH = "/explore/sparql"
#: What a browser's page adds to ``Vary``: the RDF answers' fields, and what picks the page's language.
VARY = "Accept, Accept-Language, Cookie, Host"
#: ``{name} ({IRI})`` in a composite licence's statement (sherloc_kg/graph_catalogue.py, ``licence_text``).
_NAMED_IRI = re.compile(r"(?<=: )([^:;()]+?) \((https?://[^\s()]+)\)")


@dataclass(frozen=True)
class Text:
    """A literal of the description, and its language tag (None: untagged)."""

    text: str
    lang: str | None


@dataclass(frozen=True)
class Piece:
    """Part of a statement: text, linked when ``href`` is given."""

    text: str
    href: str | None = None


@dataclass(frozen=True)
class Licence:
    """A licence as the page names it: ``name`` linked to ``href``; ``each_graph``: the dataset's
    own document, saying each graph is under its own licence (the table gives them); ``statement``:
    a composite licence's text (which part is under which terms), shown in a section of the page
    (``anchor``)."""

    href: str
    name: Text | None
    each_graph: bool = False
    statement: tuple[Piece, ...] = ()
    anchor: str | None = None


@dataclass(frozen=True)
class Download:
    title: Text | None
    format: str
    compressed: bool
    href: str
    size: int | None
    algorithm: str | None
    checksum: str | None
    licence: Licence | None


@dataclass(frozen=True)
class GraphEntry:
    title: Text
    description: Text | None
    triples: int
    licence: Licence | None
    downloads: tuple[Download, ...]


@dataclass(frozen=True)
class Access:
    """A way in that is no file: the SPARQL endpoint (a data service) or the change feed."""

    title: Text | None
    description: Text | None
    href: str
    standard: Piece | None
    licence: Licence | None


@dataclass(frozen=True)
class DatasetPage:
    catalogue: Text | None
    catalogue_description: Text | None
    catalogue_licence: Licence | None
    title: Text | None
    description: Text | None
    publisher: Piece | None
    licence: Licence | None
    issued: datetime | None
    modified: datetime | None
    coverage: tuple[str, str] | None
    triples: int
    service: Access | None
    feed: Access | None
    graphs: tuple[GraphEntry, ...]
    whole: Download | None
    #: The composite licences the rows name, each said in full in a section of its own.
    licences: tuple[Licence, ...]


class _Reader:
    def __init__(self, g: Graph, iris: Iris) -> None:
        self.g, self.iris = g, iris
        self.licences: dict[str, Licence] = {}

    def one(self, subject: Node | None, predicate: URIRef) -> Node | None:
        return None if subject is None else self.g.value(subject, predicate)

    def text(self, subject: Node | None, predicate: URIRef) -> Text | None:
        value = self.one(subject, predicate)
        return Text(str(value), value.language) if isinstance(value, Literal) else None

    def href(self, iri: Node) -> str:
        """Where this server answers ``iri`` (under the base), else the IRI itself."""
        return self.iris.href(str(iri)) or str(iri)

    def licence(self, subject: Node | None) -> Licence | None:
        iri = self.one(subject, DCTERMS.license)
        if iri is None:
            return None
        if str(iri) not in self.licences:
            self.licences[str(iri)] = self._licence(iri)
        return self.licences[str(iri)]

    def _licence(self, iri: Node) -> Licence:
        label = self.text(iri, RDFS.label)
        if str(iri) == self.iris.base + EACH_GRAPH_ITS_LICENCE:
            return Licence(self.href(iri), None, each_graph=True)
        fragment = str(iri).partition("#")[2]
        if self.iris.href(str(iri)) is not None and fragment and label is not None:
            return Licence("#" + fragment, None, statement=_pieces(label.text), anchor=fragment)
        return Licence(self.href(iri), label)

    def count(self, subject: Node | None, predicate: URIRef) -> int | None:
        value = self.one(subject, predicate)
        return int(str(value)) if isinstance(value, Literal) else None

    def instant(self, subject: Node | None, predicate: URIRef) -> datetime | None:
        value = self.one(subject, predicate)
        found = value.toPython() if isinstance(value, Literal) else None
        if not isinstance(found, datetime):
            return None
        return found if found.tzinfo is not None else found.replace(tzinfo=timezone.utc)

    def standard(self, subject: Node | None) -> Piece | None:
        iri = self.one(subject, DCTERMS.conformsTo)
        title = self.text(iri, DCTERMS.title)
        return None if iri is None else Piece(title.text if title else str(iri), str(iri))

    def download(self, node: Node) -> Download:
        checksum = self.one(node, SPDX.checksum)
        kind = self.text(self.one(node, DCTERMS.format), SKOS.prefLabel)
        algorithm = self.text(self.one(checksum, SPDX.algorithm), RDFS.label)
        value = self.one(checksum, SPDX.checksumValue)
        return Download(self.text(node, DCTERMS.title), kind.text if kind else "",
                        self.one(node, DCAT.compressFormat) is not None, self.href(self.one(node, DCAT.downloadURL) or node),
                        self.count(node, DCAT.byteSize), algorithm.text if algorithm else None,
                        str(value) if value is not None else None, self.licence(node))


def _pieces(statement: str) -> tuple[Piece, ...]:
    """A composite licence's statement, each ``name (IRI)`` in it a link named ``name``."""
    pieces, at = [], 0
    for match in _NAMED_IRI.finditer(statement):
        pieces += [Piece(statement[at:match.start()]), Piece(match[1], match[2])]
        at = match.end()
    return tuple(pieces + [Piece(statement[at:])])


def _order(iris: Iris, subset: Node) -> tuple[int, str]:
    name = iris.graph_name(str(subset)) or ""
    family = name.split("/", 1)[0]
    return (list(GRAPHS).index(family) if family in GRAPHS else len(GRAPHS), name)


def read(g: Graph, iris: Iris) -> DatasetPage:
    """The page's facts, read from the description ``g`` (api/dcat.py's :func:`~api.dcat.description`)."""
    r = _Reader(g, iris)
    catalogue = next(iter(g.subjects(RDF.type, DCAT.Catalog)), None)
    me = r.one(catalogue, DCAT.dataset) or next(iter(g.subjects(RDF.type, DCAT.Dataset)), None)
    publisher = r.one(me, DCTERMS.publisher)
    name = r.text(publisher, FOAF.name)
    homepage = r.one(publisher, FOAF.homepage)
    period = r.one(me, DCTERMS.temporal)
    start, end = r.one(period, DCAT.startDate), r.one(period, DCAT.endDate)

    dumped = {d for s in g.objects(me, VOID.subset) for d in g.objects(s, VOID.dataDump)}
    distributions = sorted(g.objects(me, DCAT.distribution), key=str)
    files = [d for d in distributions if r.one(d, DCAT.downloadURL) is not None]
    feeds = [d for d in distributions if r.one(d, DCAT.downloadURL) is None and r.one(d, DCTERMS.conformsTo) is not None]
    whole = next((d for d in files if d not in dumped), None)

    graphs = []
    for subset in sorted(g.objects(me, VOID.subset), key=lambda s: _order(iris, s)):
        downloads = sorted((r.download(d) for d in g.objects(subset, VOID.dataDump)), key=lambda d: d.format)
        graphs.append(GraphEntry(r.text(subset, DCTERMS.title) or Text(iris.graph_name(str(subset)) or str(subset), None),
                                 r.text(subset, DCTERMS.description), r.count(subset, VOID.triples) or 0,
                                 r.licence(subset), tuple(downloads)))

    service, feed = r.one(catalogue, DCAT.service), feeds[0] if feeds else None
    endpoint = None if service is None else Access(
        r.text(service, DCTERMS.title), r.text(service, DCTERMS.description),
        str(r.one(service, DCAT.endpointURL) or ""), r.standard(service), r.licence(service))
    stream = None if feed is None else Access(
        r.text(feed, DCTERMS.title), r.text(feed, DCTERMS.description), r.href(r.one(feed, DCAT.accessURL) or feed),
        r.standard(feed), r.licence(feed))
    everything = r.download(whole) if whole is not None else None
    catalogue_licence, licence = r.licence(catalogue), r.licence(me)
    return DatasetPage(
        catalogue=r.text(catalogue, DCTERMS.title), catalogue_description=r.text(catalogue, DCTERMS.description),
        catalogue_licence=catalogue_licence, title=r.text(me, DCTERMS.title), description=r.text(me, DCTERMS.description),
        publisher=Piece(name.text, r.href(homepage) if homepage else None) if name else None,
        licence=licence, issued=r.instant(me, DCTERMS.issued), modified=r.instant(me, DCTERMS.modified),
        coverage=(str(start), str(end)) if start is not None and end is not None else None,
        triples=r.count(me, VOID.triples) or 0, service=endpoint, feed=stream, graphs=tuple(graphs),
        whole=everything,
        licences=tuple(sorted((lic for lic in r.licences.values() if lic.statement), key=lambda lic: lic.anchor or "")))


def alternates(path: str = "/dataset") -> list[tuple[str, str, str]]:
    """(name, URL, media type) of the description in each RDF syntax: ``/dataset?format=ttl``..."""
    return [(FORMAT_NAMES[m], f"{path}?format={SUFFIX_OF[m].lstrip('.')}", m) for m in GRAPH_TYPES]


def page(request: Request, description: Graph, iris: Iris, who: Caller) -> HTMLResponse:
    """The description ``description`` as the page a browser is shown (see the module docstring)."""
    data = read(description, iris)
    formats = alternates(request.url.path)
    response = render(request, "explorer/dataset.html", title="Dataset and dumps", who=who, data=data,
                      formats=formats, workbench=WORKBENCH, editor=EDITOR)
    response.headers["Link"] = ", ".join(f'<{href}>; rel="alternate"; type="{media}"' for _, href, media in formats)
    response.headers["Vary"] = VARY
    return response
