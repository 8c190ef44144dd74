"""Dereferenceable Linked Data: every IRI under the base answers at the same path on this server.

    /id/{path}, /vocab/{path}   a resource: its own triples, those of its sub-resources
                                (``{case}/defendant/1``), the labels of what it links to, and the
                                links made to it (who cites it), with the labels of who cites it
    /ontology                   the ontology graph, as a document (terms are ``ontology#Term``)
    /shapes, /shapes/{name}     the SHACL shapes, all files or one (``{base}shapes/cases``)
    /graph/{name}               a named graph: its size and what it holds (VoID), not its dump
    /context.jsonld             the JSON-LD ``@context`` every JSON-LD document here carries inline

Formats: HTML, Turtle, JSON-LD, RDF/XML and N-Triples, chosen by ``Accept`` or by a suffix
(``/id/case/BRA001.ttl``; a suffix wins over ``Accept``). Every response names the document it
served in ``Content-Location`` (the suffixed URL) and the other formats in ``Link: rel="alternate"``;
a negotiated one also says ``Vary: Accept`` and links the resource to its RDF documents with
``rel="describedby"``.

Incoming links are paged: a description carries at most :data:`INCOMING_PAGE` of them (ordered by
property, then by the citing resource); when there are more, ``Link: rel="next"`` names the next
page (``?page=2``) and the HTML page links to it. Every page repeats the resource's own triples.

The HTML is an explorer page (``ld_resource.html`` extends the explorer frame and is rendered by
``api.explorer.layout``): the facts, the links out and in grouped by relation (named by their
labels), a breadcrumb and type line, the explorer's own page of a provision or a country, and a
picture of the neighbourhood (``api.explorer.neighbourhood``). Labels and texts come in the
language the page is shown in (``?lang=``, the cookie, ``Accept-Language``) where the data has them.

Everything is read through one CONSTRUCT run in the store (and, for a page, one query of the labels
it lacks), over the graphs the caller may see (``Caller.dataset``): a restricted triple never
reaches the public, and a resource that only the restricted graphs know is, for the public, as
unknown as one nobody knows: 404, in the format asked.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from sherloc_kg.access import Caller
from sherloc_kg.iris import GRAPHS, STATE_GRAPHS, Iris, is_iso3, parse_provision
from sherloc_kg.namespaces import HYDRA, ONTOLOGY_IRI
from sherloc_kg.reference import read_turtle
from sherloc_kg.store.terms import to_oxigraph

from .context import Context, caller, context, reading
from .errors import UnknownResource
from .explorer.layout import DEFAULT_LANGUAGE, language, pick, render, url
from .explorer.neighbourhood import Link, picture
from .jsonld_context import CONTEXT_PREFIXES, context_document
from .negotiation import DATASET_TYPES, GRAPH_TYPES, JSONLD, SUFFIXES, NotAcceptable, choose, content_type, \
    graph_document

router = APIRouter()

HTML = "text/html"
#: What a Linked Data URL can be served as; HTML first, so a browser (or ``*/*``) gets the page.
OFFERS = (HTML,) + GRAPH_TYPES
#: A resource's description is also a dataset: each triple with the named graph that holds it
#: (TriG, N-Quads), so that inferred statements (graph ``inferred``) show as such.
RESOURCE_OFFERS = OFFERS + DATASET_TYPES
RESOURCE_SUFFIXES = {**SUFFIXES, ".trig": "application/trig", ".nq": "application/n-quads"}
#: media type -> the suffix of its document (the reverse of the suffix tables).
SUFFIX_OF = {media: suffix for suffix, media in RESOURCE_SUFFIXES.items()}
#: The engine's dataset syntaxes.
_DATASET_FORMATS = {"application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS}
#: Most incoming links one description carries; more are paged, the pages linked both in the
#: ``Link`` header (rel first/prev/next) and in the document (Hydra: :func:`_pages`).
INCOMING_PAGE = 500
#: Labels of the resources a description links to, in these languages (the six of the UN) and
#: untagged; the resource's own labels come in every language.
LABEL_LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru")

_SAFE_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_LABELS = (
    URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
    URIRef("http://purl.org/dc/terms/title"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2004/02/skos/core#notation"),
)
_VOID = "http://rdfs.org/ns/void#"

# What each named graph holds (docs/model.md "Named graphs"), said in its description.
GRAPH_DESCRIPTIONS = {
    "ontology": "The SHERLOC-KG ontology (OWL 2).",
    "vocabularies": "The SKOS concept schemes: crime types, cross-cutting issues, TIP elements, court levels and the rest.",
    "instruments": "UNTOC and its Protocols, with every provision and its text.",
    "countries": "Countries and international or regional jurisdictions.",
    "cases": "Court cases (the SHERLOC case law database).",
    "legislation": "National laws and their provisions.",
    "editorial": "The SHERLOC-KG editors' own claims (implementation mappings, courts cases are attributed to), each with who, when and why; never a source's statement.",
    "participation": "Treaty participation: signatures, ratifications, accessions.",
    "treaties": "Bilateral and multilateral cooperation treaties.",
    "strategies": "National and regional strategies.",
    "bibliography": "Publications (the SHERLOC bibliographic database).",
    "authorities": "Competent national authorities and their designations.",
    "authorities-restricted": "Contact details of competent national authorities (restricted).",
    "guide": "Sections of the legislative guides.",
    "review": "Published responses to the review mechanism.",
    "review-restricted": "Unpublished responses to the review mechanism (restricted).",
    "inferred": "Materialised inferences, kept apart from asserted facts.",
    "provenance": "PROV-O: load activities, source files and which record came from which file.",
    "provenance-restricted": "PROV-O of the records that exist only in restricted graphs (restricted).",
}


# -- the description query ----------------------------------------------------------------------
# The label properties are a FILTER on a pattern that starts from the bound resource, not a VALUES
# block: Oxigraph joined ``VALUES ?labelProperty`` with ``?linked ?labelProperty ?label`` first, a
# scan of every label in the store, which made a resource page grow with the data (0.6 s at 100k
# triples; 2 ms with the FILTER, the same triples; benchmarks/lookups.py).

_DESCRIBE = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?s ?p ?o ?g
WHERE {{
  {{
    {{ BIND({iri} AS ?s) }} UNION {{ {iri} ?partLink ?s FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{below}")) }}
    GRAPH ?g {{ ?s ?p ?o }}
  }}
  UNION
  {{
    {{ BIND({iri} AS ?x) }} UNION {{ {iri} ?partLink ?x FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{below}")) }}
    ?x ?q ?linked .
    FILTER(isIRI(?linked) && ?linked != {iri})
    GRAPH ?g {{ ?linked ?p ?o }}
    FILTER(?p IN (skos:prefLabel, dcterms:title, rdfs:label, skos:notation))
    FILTER(lang(?o) IN ({languages}))
    BIND(?linked AS ?s)
  }}
  UNION
  {{
    {{ SELECT DISTINCT ?in ?inProperty WHERE {{ ?in ?inProperty {iri} }}
       ORDER BY ?inProperty ?in LIMIT {limit} OFFSET {offset} }}
    {{
      GRAPH ?g {{ ?in ?inProperty {iri} }}
      BIND(?in AS ?s) BIND(?inProperty AS ?p) BIND({iri} AS ?o)
    }}
    UNION
    {{
      GRAPH ?g {{ ?in ?p ?o }}
      FILTER(?p IN (skos:prefLabel, dcterms:title, rdfs:label, skos:notation))
      FILTER(lang(?o) IN ({languages}))
      BIND(?in AS ?s)
    }}
  }}
}}"""

_COUNT_INCOMING = "SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?in ?p WHERE {{ ?in ?p {iri} }} }}"


@dataclass
class Description:
    """One resource as a caller may see it: its triples (``graph``), and for each the named graphs
    that hold it (``quads``: the triple with its graph, for TriG and N-Quads, and to tell inferred
    links, held only by the ``inferred`` graph, from recorded ones)."""
    iri: str
    graph: Graph
    incoming_total: int = 0
    page: int = 1
    quads: Sequence[tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal, URIRef]] = ()

    def inferred(self, inferred_graph: str) -> set[tuple[Node, Node, Node]]:
        """The triples no graph but ``inferred_graph`` holds: drawn by a rule, not recorded."""
        held: dict[tuple[Node, Node, Node], set[str]] = defaultdict(set)
        for s, p, o, g in self.quads:
            held[(s, p, o)].add(str(g))
        return {triple for triple, graphs in held.items() if graphs == {inferred_graph}}

    @property
    def has_next(self) -> bool:
        return self.page * INCOMING_PAGE < self.incoming_total


def _construct(ctx: Context, who: Caller, sparql: str) -> Graph:
    """Run a CONSTRUCT in the store, over the caller's graphs; the triples as an rdflib graph."""
    buffer = io.BytesIO()
    ctx.reads.query_serialized(sparql, buffer, media_type="application/n-triples", dataset=who.dataset(ctx.iris))
    graph = _new_graph()
    graph.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    return graph


def _new_graph() -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in CONTEXT_PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def describe(ctx: Context, who: Caller, iri: str, page: int = 1) -> Description:
    """The description of one resource as the caller may see it (empty graph: unknown to them)."""
    if not _SAFE_IRI.match(iri):
        return Description(iri, _new_graph())
    term = f"<{iri}>"
    languages = ", ".join(['""'] + [f'"{code}"' for code in LABEL_LANGUAGES])
    sparql = _DESCRIBE.format(iri=term, below=iri + "/", languages=languages, limit=INCOMING_PAGE,
                              offset=(page - 1) * INCOMING_PAGE)
    graph = _new_graph()
    quads = []
    for row in ctx.reads.select(sparql, dataset=who.dataset(ctx.iris)).rows:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        assert isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef) and isinstance(o, Node) \
            and isinstance(g, URIRef)
        graph.add((s, p, o))
        quads.append((s, p, o, g))
    incoming = 0
    if len(graph):
        row = ctx.reads.select(_COUNT_INCOMING.format(iri=term), dataset=who.dataset(ctx.iris)).rows[0]
        incoming = int(row["n"])
    return Description(iri, graph, incoming, page, quads)


# -- requests: which IRI, which format -----------------------------------------------------------

def _raw_path(request: Request) -> str:
    """The path as sent (still percent-encoded), so that an id holding ``/`` or ``#`` survives."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    return path.split("?", 1)[0]


def _split_suffix(path: str, suffixes: dict[str, str] = SUFFIXES) -> tuple[str, str | None]:
    for suffix, media in suffixes.items():
        if path.endswith(suffix) and len(path) > len(suffix) and not path.endswith("/" + suffix):
            return path[: -len(suffix)], media
    return path, None


@dataclass
class Target:
    path: str            # the local path of the resource, without suffix: "/id/case/BRA001"
    media: str           # the format to serve
    negotiated: bool     # chosen by Accept (Vary: Accept) rather than by suffix


def _targets(request: Request, offers: tuple[str, ...] = OFFERS) -> list[Target]:
    """The readings of a request, most likely first: ``/id/x.ttl`` is ``/id/x`` in Turtle, unless
    no ``/id/x`` exists and ``/id/x.ttl`` itself is an IRI (an id ending in a suffix). ``offers``:
    what the route serves (a resource: also TriG and N-Quads)."""
    path = _raw_path(request)
    suffixes = RESOURCE_SUFFIXES if offers == RESOURCE_OFFERS else SUFFIXES
    stripped, suffix_media = _split_suffix(path, suffixes)
    accept = request.headers.get("accept")
    if suffix_media:
        readings = [Target(stripped, suffix_media, False)]
        try:
            readings.append(Target(path, choose(accept, offers), True))
        except NotAcceptable:  # the second reading is only a fallback
            pass
        return readings
    return [Target(path, choose(accept, offers), True)]


# -- responses -----------------------------------------------------------------------------------

def _headers(target: Target, *, page: int = 1, has_next: bool = False, describes_thing: bool = False) -> dict[str, str]:
    query = f"?page={page}" if page > 1 else ""
    offers = RESOURCE_OFFERS if describes_thing else OFFERS
    links = [f'<{target.path}{SUFFIX_OF[m]}{query}>; rel="alternate"; type="{m}"' for m in offers if m != target.media]
    if describes_thing and target.negotiated:
        links += [f'<{target.path}{SUFFIX_OF[m]}{query}>; rel="describedby"; type="{m}"'
                  for m in GRAPH_TYPES + DATASET_TYPES]
    here = target.path + ("" if target.negotiated else SUFFIX_OF[target.media])
    if page > 1:
        links.append(f'<{here}>; rel="first"')
        links.append(f'<{here}{"?page=" + str(page - 1) if page > 2 else ""}>; rel="prev"')
    if has_next:
        links.append(f'<{here}?page={page + 1}>; rel="next"')
    headers = {"Content-Location": f"{target.path}{SUFFIX_OF[target.media]}{query}", "Link": ", ".join(links)}
    if target.negotiated:
        headers["Vary"] = "Accept"
    return headers


def _unknown(target: Target, iri: str) -> UnknownResource:
    """The 404 of a linked-data URL, answered in the format asked (api/errors.py)."""
    return UnknownResource(iri, target.media, target.negotiated)


def _respond(request: Request, target: Target, graph: Graph, view: "PageView | None", headers: dict[str, str],
             who: Caller | None = None) -> Response:
    if target.media == HTML:
        assert view is not None
        body = render(request, "ld_resource.html", title=view.title, who=who, page=view).body
        return Response(body, media_type=content_type(HTML), headers=headers)
    if target.media == JSONLD:   # a .jsonld document too depends on Accept: its profile
        headers = {**headers, "Vary": "Accept"}
    body, media_type = graph_document(graph, target.media, request.headers.get("accept"))
    return Response(body, media_type=media_type, headers=headers)


# -- the HTML view -------------------------------------------------------------------------------
#
# Resource pages are explorer pages: ld_resource.html extends the explorer frame (navigation,
# language switch, stylesheet) and is rendered through api.explorer.layout. Labels and texts come in
# the language the page is shown in where the data has them, in English otherwise.

@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    nested: list["Fact"] | None = None   # a blank node, shown inline
    wanted: bool = False                 # a text in the page's language, among texts in others (shown first)
    why: str | None = None               # an inferred link (drawn by a rule, not recorded): where it says why


@dataclass
class Fact:
    property: str                        # the property as a CURIE (sherloc:jurisdiction)
    href: str | None
    values: list[Value]
    label: str = ""                      # its label, in the page's language where it has one
    links: bool = False                  # some value is a resource (a link out)

    def __post_init__(self) -> None:
        self.label = self.label or self.property


@dataclass
class Section:
    label: str
    iri: str | None
    anchor: str | None
    facts: list[Fact]


@dataclass
class PageView:
    title: str
    iri: str
    kind: str
    sections: list[Section]
    incoming: list[Fact] = field(default_factory=list)
    incoming_total: int = 0
    formats: list[tuple[str, str]] = field(default_factory=list)
    next_page: str | None = None
    previous_page: str | None = None
    lang: str = "en"
    title_lang: str | None = None
    title_fallback: bool = False
    types: list[Value] = field(default_factory=list)
    breadcrumbs: list[tuple[str, str | None]] = field(default_factory=list)
    explore: list[tuple[str, str]] = field(default_factory=list)
    neighbourhood: Markup | None = None


def _in_language(literal: object, wanted: str) -> bool:
    return (isinstance(literal, Literal) and literal.language is not None
            and literal.language.split("-")[0].lower() == wanted)


class Renderer:
    """Turns a graph into the plain view the template shows: labels, links to local paths."""

    def __init__(self, ctx: Context, graph: Graph, wanted: str = DEFAULT_LANGUAGE,
                 property_labels: dict[str, str] | None = None, labels_in_language: dict[str, str] | None = None,
                 inferred: set[tuple[Node, Node, Node]] | None = None) -> None:
        self.base = ctx.settings.base
        self.iris = ctx.iris
        self.graph = graph
        self.wanted = wanted
        self.property_labels = property_labels or {}
        self.labels_in_language = labels_in_language or {}
        self.inferred = inferred or set()

    def why(self, subject: Node, prop: Node, obj: Node) -> str | None:
        """For a link drawn by a rule rather than recorded: the named query ``why-inferred`` on the
        workbench, for its subject (and the provision it points to), which gives the facts behind it."""
        if (subject, prop, obj) not in self.inferred:
            return None
        params = {"query": "why-inferred", "subject": self.iris.below(str(subject), "id/") or str(subject)}
        provision = self.iris.below(str(obj), "id/instrument/")
        if provision is not None and parse_provision(provision) is not None:
            params["provision"] = provision
        return url("/explore/sparql", **params)

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` goes: its path on this server when it is ours, else the IRI."""
        if iri.startswith(ONTOLOGY_IRI):
            return "/ontology" + iri[len(ONTOLOGY_IRI):]
        return self.iris.href(iri) or iri

    def curie(self, iri: str) -> str:
        for prefix, namespace in CONTEXT_PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return self.href(iri) if iri.startswith(self.base) else iri

    def labelled(self, node) -> tuple[str, str | None] | None:
        """A node's label and its language: in the page's language if some label property has one,
        else as in English (untagged or English first, of the first label property it has)."""
        if self.wanted != DEFAULT_LANGUAGE:
            if str(node) in self.labels_in_language:
                return self.labels_in_language[str(node)], self.wanted
            for prop in _LABELS:
                texts = sorted((v for v in self.graph.objects(node, prop)
                                if isinstance(v, Literal) and _in_language(v, self.wanted)), key=str)
                if texts:
                    return str(texts[0]), texts[0].language
        for prop in _LABELS:
            found = list(self.graph.objects(node, prop))
            if found:
                preferred = [v for v in found if isinstance(v, Literal) and v.language in (None, "en")]
                chosen = sorted(preferred or found, key=lambda v: (getattr(v, "language", None) or "", str(v)))[0]
                return str(chosen), getattr(chosen, "language", None)
        return None

    def label(self, node) -> str | None:
        found = self.labelled(node)
        return found[0] if found else None

    def property_label(self, prop) -> str:
        """A property's label: from the ontology (looked up for the page), from the graph itself (a
        document that defines it), else its local name."""
        iri = str(prop)
        if iri in self.property_labels:
            return self.property_labels[iri]
        if prop == RDF.type:
            return "type"
        own = self.label(prop)
        if own:
            return own
        local = re.split(r"[#/:]", iri)[-1]
        local = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).replace("_", " ")
        return local.lower() if local and not local.isupper() else (local or self.curie(iri))

    def value(self, node, depth: int = 0) -> Value:
        if isinstance(node, Literal):
            datatype = self.curie(str(node.datatype)) if node.datatype else None
            return Value(str(node), lang=node.language, datatype=datatype)
        if isinstance(node, BNode):
            if (node, RDF.first, None) in self.graph:
                items = [self.value(item, depth + 1) for item in Collection(self.graph, node)]
                return Value("(" + ", ".join(i.text for i in items) + ")")
            return Value("", nested=self.facts(node, depth + 1) if depth < 4 else [])
        iri = str(node)
        return Value(self.label(node) or self.curie(iri), href=self.href(iri))

    def _values(self, subject: Node, prop: Node, nodes: list, depth: int = 0) -> list[Value]:
        """The values of one property: texts in the page's language first (and marked, when the
        property has texts in other languages too), then the rest in a stable order."""
        languages = {n.language for n in nodes if isinstance(n, Literal) and n.language}
        marked = len(languages) > 1
        ordered = sorted(nodes, key=lambda n: (not _in_language(n, self.wanted), _sort_key(n)))
        values = []
        for node in ordered:
            value = self.value(node, depth)
            value.wanted = marked and _in_language(node, self.wanted)
            value.why = self.why(subject, prop, node)
            values.append(value)
        return values

    def facts(self, subject, depth: int = 0) -> list[Fact]:
        grouped: dict[Node, list] = defaultdict(list)
        for prop, obj in self.graph.predicate_objects(subject):
            grouped[prop].append(obj)
        order = sorted(grouped, key=lambda p: (p != RDF.type, self.curie(str(p))))
        return [Fact(self.curie(str(p)), self.href(str(p)),
                     self._values(subject, p, grouped[p], depth),
                     label=self.property_label(p), links=any(isinstance(o, URIRef) for o in grouped[p]))
                for p in order]

    def incoming(self, iri: URIRef) -> list[Fact]:
        grouped: dict[Node, list] = defaultdict(list)
        for subject, prop in self.graph.subject_predicates(iri):
            grouped[prop].append(subject)
        facts = []
        for p in sorted(grouped, key=lambda p: self.curie(str(p))):
            values = []
            for s in sorted(grouped[p], key=_sort_key):
                value = self.value(s)
                value.why = self.why(s, p, iri)
                values.append(value)
            facts.append(Fact(self.curie(str(p)), self.href(str(p)), values, label=self.property_label(p), links=True))
        return facts

    def section(self, subject, anchor: str | None = None) -> Section:
        name = self.label(subject) if isinstance(subject, URIRef) else None
        iri = str(subject) if isinstance(subject, URIRef) else None
        return Section(name or (self.curie(iri) if iri else ""), iri, anchor, self.facts(subject))

    def links(self, iri: URIRef) -> tuple[list[Link], list[Link]]:
        """The resource's links out and in, to resources that have a page here, for the picture."""
        def link(prop, node) -> Link | None:
            href = self.href(str(node))
            if not isinstance(node, URIRef) or not href.startswith("/"):
                return None
            return Link(self.property_label(prop), href, self.label(node) or self.curie(str(node)))

        outgoing = [found for p, o in self.graph.predicate_objects(iri) if (found := link(p, o))]
        incoming = [found for s, p in self.graph.subject_predicates(iri) if (found := link(p, s))]
        order = lambda item: (item.relation == "type", item.relation, item.label, item.href)  # noqa: E731
        return sorted(outgoing, key=order), sorted(incoming, key=order)


def _sort_key(node) -> tuple:
    return (isinstance(node, BNode), str(node))


def _formats(target: Target, page: int = 1, offers: tuple[str, ...] = OFFERS) -> list[tuple[str, str]]:
    query = f"?page={page}" if page > 1 else ""
    names = {HTML: "HTML", "text/turtle": "Turtle", JSONLD: "JSON-LD", "application/rdf+xml": "RDF/XML",
             "application/n-triples": "N-Triples", "application/trig": "TriG (with graph names)",
             "application/n-quads": "N-Quads (with graph names)"}
    return [(names[m], f"{target.path}{SUFFIX_OF[m]}{query}") for m in offers]


# (the label properties as a FILTER, not a VALUES block: see the description query above)
_PAGE_LABELS = """SELECT ?s ?label WHERE {{
  VALUES ?s {{ {nodes} }}
  ?s ?labelProperty ?label
  FILTER(?labelProperty IN (<http://www.w3.org/2000/01/rdf-schema#label>, <http://www.w3.org/2004/02/skos/core#prefLabel>,
                            <http://purl.org/dc/terms/title>))
  FILTER(lang(?label) IN ("", "en", "{wanted}"))
}}"""


def page_labels(ctx: Context, who: Caller | None, graph: Graph, wanted: str) -> tuple[dict[str, str], dict[str, str]]:
    """What the description lacks for a page, in one query: the labels of the properties it uses
    (in the page's language where the ontology has one, else English) and, when the page's language
    is not one the description carries labels in (Dutch), the labels of what it links to in it."""
    properties = {str(p) for p in graph.predicates() if _SAFE_IRI.match(str(p))}
    linked: set[str] = set()
    if wanted not in LABEL_LANGUAGES:
        linked = {str(n) for n in set(graph.subjects()) | set(graph.objects())
                  if isinstance(n, URIRef) and _SAFE_IRI.match(str(n))}
    if not properties or who is None:
        return {}, {}
    nodes = " ".join(f"<{n}>" for n in sorted(properties | linked))
    found: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in ctx.reads.select(_PAGE_LABELS.format(nodes=nodes, wanted=wanted), dataset=who.dataset(ctx.iris)).rows:
        label = row["label"]
        tag = label.language.split("-")[0].lower() if isinstance(label, Literal) and label.language else None
        found[str(row["s"])].setdefault(tag, str(label))
    labels = {}
    for prop in properties & set(found):
        picked = pick(found[prop], wanted)
        if picked:
            labels[prop] = picked.text
    in_language = {node: found[node][wanted] for node in linked & set(found) if wanted in found[node]}
    return labels, in_language


#: Where each kind of record is browsed in the explorer: the second crumb of its pages.
COLLECTIONS = {
    "case": ("Case law", "/explore/search/cases"),
    "country": ("Countries", "/explore/countries"),
    "instrument": ("Convention and Protocols", "/explore/instruments"),
    "legislation": ("Legislation", "/explore/search/legislation"),
    "treaty": ("Treaties", "/explore/search/treaties"),
    "strategy": ("Strategies", "/explore/search/strategies"),
    "publication": ("Bibliography", "/explore/search/publications"),
    "authority": ("Competent national authorities", "/explore/search/authorities"),
    "participation": ("Countries", "/explore/countries"),
}


def _provision_crumbs(base: str, reference: str) -> list[tuple[str, str]]:
    """``untoc/art/5/1/a`` → UNTOC, Art. 5, 5(1): the provisions above it, each a link."""
    parsed = parse_provision(reference)
    if parsed is None:
        return []
    code, article = parsed.instrument, parsed.article
    crumbs = [(code.upper(), f"/id/instrument/{code}")]
    if article:
        crumbs.append((f"Art. {article}", f"/id/instrument/{code}/art/{article}"))
        name, path = article, f"/id/instrument/{code}/art/{article}"
        for part in parsed.parts:
            name, path = f"{name}({part})", f"{path}/{part}"
            crumbs.append((name, path))
    return crumbs[:-1]  # the last is the page itself


def breadcrumbs(render: Renderer, iri: str, title: str) -> list[tuple[str, str | None]]:
    """Home, where such records are browsed, the resources above this one, this one."""
    crumbs: list[tuple[str, str | None]] = [("Home", "/")]
    base = render.base
    local = render.iris.relative(iri) or ""
    parts = local.split("/")
    if parts[0] == "id" and len(parts) > 2:
        kind = parts[1]
        if kind in COLLECTIONS:
            crumbs.append(COLLECTIONS[kind])
        if kind == "instrument":
            crumbs += _provision_crumbs(base, "/".join(parts[2:]))
        else:
            for end in range(3, len(parts)):
                above = URIRef(base + "/".join(parts[:end]))
                if (above, None, None) in render.graph or (None, None, above) in render.graph:
                    crumbs.append((render.label(above) or unquote(parts[end - 1]), "/" + "/".join(parts[:end])))
    elif parts[0] == "vocab" and len(parts) > 2:
        scheme = URIRef(base + "vocab/" + parts[1])
        crumbs.append((render.label(scheme) or parts[1], "/vocab/" + parts[1]))
    elif parts[0] == "graph":
        crumbs.append(("Dataset", "/dataset"))
    crumbs.append((title, None))
    return crumbs


def explorer_links(iris: Iris, iri: str) -> list[tuple[str, str]]:
    """The explorer's own page of a resource, when it has one: a provision in the Convention
    browser (``/explore/instruments/untoc/art/5/1``), a country's profile (``/explore/countries/BRA``)."""
    reference = iris.below(iri, "id/instrument/")
    if reference is not None and parse_provision(reference) is not None:
        return [("Read it in the Convention browser", "/explore/instruments/" + reference)]
    code = iris.below(iri, "id/country/")
    if code is not None and is_iso3(code):
        return [("Country profile", "/explore/countries/" + code)]
    return []


def resource_view(ctx: Context, target: Target, description: Description, *, wanted: str = DEFAULT_LANGUAGE,
                  who: Caller | None = None, offers: tuple[str, ...] = RESOURCE_OFFERS) -> PageView:
    """The page of a resource (``offers``: the formats its URL serves, listed on the page)."""
    render = Renderer(ctx, description.graph, wanted, *page_labels(ctx, who, description.graph, wanted),
                      inferred=description.inferred(str(ctx.iris.graph("inferred"))))
    iri = URIRef(description.iri)
    main = render.section(iri)
    parts = sorted({s for s in description.graph.subjects() if isinstance(s, URIRef)
                    and str(s).startswith(description.iri + "/") and (iri, None, s) in description.graph})
    types = sorted((render.value(t) for t in description.graph.objects(iri, RDF.type)), key=lambda v: v.text)
    here = target.path + ("" if target.negotiated else SUFFIX_OF[target.media])
    page = description.page
    labelled = render.labelled(iri)
    title_lang = labelled[1] if labelled else None
    outgoing, incoming = render.links(iri)
    return PageView(
        title=main.label, iri=description.iri, kind=", ".join(v.text for v in types),
        sections=[main] + [render.section(p, anchor="part-" + str(p)[len(description.iri) + 1:]) for p in parts],
        incoming=render.incoming(iri), incoming_total=description.incoming_total,
        formats=_formats(target, page, offers),
        next_page=f"{here}?page={page + 1}" if description.has_next else None,
        previous_page=(f"{here}?page={page - 1}" if page > 2 else here) if page > 1 else None,
        lang=wanted, title_lang=title_lang,
        title_fallback=bool(title_lang and title_lang.split("-")[0].lower() != wanted),
        types=types, breadcrumbs=breadcrumbs(render, description.iri, main.label),
        explore=explorer_links(render.iris, description.iri),
        neighbourhood=picture(main.label, render.href(description.iri), outgoing, incoming,
                              incoming_total=description.incoming_total),
    )


def document_view(ctx: Context, target: Target, graph: Graph, title: str, iri: str, first: list,
                  *, wanted: str = DEFAULT_LANGUAGE) -> PageView:
    """A document of many resources (the ontology, the shapes): one section per named subject,
    anchored by its fragment so that ``ontology#CourtCase`` lands on it."""
    render = Renderer(ctx, graph, wanted)
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)},
                      key=lambda s: (s not in first, render.curie(str(s))))
    sections = [render.section(s, anchor=str(s).partition("#")[2] or None) for s in subjects]
    return PageView(title=title, iri=iri, kind="document", sections=sections, formats=_formats(target),
                    lang=wanted, breadcrumbs=[("Home", "/"), (title, None)])


# -- routes --------------------------------------------------------------------------------------

def _resource(request: Request, ctx: Context, who: Caller, page: int) -> Response:
    readings = _targets(request, RESOURCE_OFFERS)
    for target in readings:
        iri = str(ctx.iris.at(target.path))
        description = describe(ctx, who, iri, page)
        if len(description.graph):
            headers = _headers(target, page=page, has_next=description.has_next, describes_thing=True)
            if target.media in DATASET_TYPES:
                return Response(_dataset_document(description, _pages(request, description), target.media),
                                media_type=content_type(target.media), headers=headers)
            view = (resource_view(ctx, target, description, wanted=language(request), who=who)
                    if target.media == HTML else None)
            graph = description.graph
            pages = _pages(request, description) if target.media != HTML else None
            if pages:  # paged: the description and its pages in one graph (a copy, only then)
                graph = _new_graph()
                for triple in (*description.graph, *pages):
                    graph.add(triple)
            return _respond(request, target, graph, view, headers, who)
    first = readings[0]
    raise _unknown(first, str(ctx.iris.at(first.path)))


def _dataset_document(description: Description, pages: Graph, media_type: str) -> bytes:
    """The description as a dataset, by the engine's serialiser: each triple in the named graph
    that holds it (a triple in several graphs, in each), the paging triples (:func:`_pages`) in
    the default graph."""
    def quad(s: Node, p: Node, o: Node, g: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
        assert isinstance(s, (URIRef, BNode)) and isinstance(o, (URIRef, BNode, Literal))
        subject = to_oxigraph(s)
        assert not isinstance(subject, ox.Literal)
        return ox.Quad(subject, ox.NamedNode(str(p)), to_oxigraph(o), g)

    quads = [quad(s, p, o, ox.NamedNode(str(g))) for s, p, o, g in description.quads]
    quads += [quad(s, p, o, ox.DefaultGraph()) for s, p, o in pages]
    body = ox.serialize(quads, format=_DATASET_FORMATS[media_type], prefixes=dict(CONTEXT_PREFIXES))
    assert body is not None  # no output given: the bytes are returned
    return body


def _pages(request: Request, description: Description) -> Graph:
    """Where the description's incoming links are paged (more than INCOMING_PAGE), the pages in
    the data, so that a client that reads only the document finds the others (else no triple).
    The incoming links of the resource are a ``hydra:Collection`` (``{document}#incoming``,
    ``hydra:totalItems`` the number of links, a subject and a property each); this document is its
    ``hydra:PartialCollectionView`` with ``hydra:first``, ``hydra:last`` and, where they exist,
    ``hydra:previous``/``hydra:next`` (the URLs of the ``Link`` header's first/prev/next)."""
    graph = _new_graph()
    if description.incoming_total <= INCOMING_PAGE:
        return graph
    here = str(request.url.replace(query=""))

    def at(page: int) -> URIRef:
        return URIRef(here if page == 1 else f"{here}?page={page}")

    collection, view = URIRef(here + "#incoming"), at(description.page)
    graph.add((collection, RDF.type, HYDRA.Collection))
    graph.add((collection, HYDRA.totalItems, Literal(description.incoming_total)))
    graph.add((collection, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, at(1)))
    graph.add((view, HYDRA.last, at(-(-description.incoming_total // INCOMING_PAGE))))
    if description.page > 1:
        graph.add((view, HYDRA.previous, at(description.page - 1)))
    if description.has_next:
        graph.add((view, HYDRA.next, at(description.page + 1)))
    return graph


@router.get("/id/{path:path}", summary="Dereference a resource IRI")
@router.head("/id/{path:path}", include_in_schema=False)
def resource(request: Request, path: str, page: int = Query(1, ge=1, description="page of incoming links"),
             ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    """A record, provision, country, court... in HTML, Turtle, JSON-LD, RDF/XML or N-Triples."""
    return _resource(request, ctx, who, page)


@router.get("/vocab/{path:path}", summary="Dereference a concept or scheme IRI")
@router.head("/vocab/{path:path}", include_in_schema=False)
def vocabulary(request: Request, path: str, page: int = Query(1, ge=1, description="page of incoming links"),
               ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    """A SKOS concept or concept scheme, with the records that use it (incoming links)."""
    return _resource(request, ctx, who, page)


@router.get("/ontology", summary="The ontology")
@router.head("/ontology", include_in_schema=False)
@router.get("/ontology.{ext}", include_in_schema=False)
@router.head("/ontology.{ext}", include_in_schema=False)
def ontology(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    """The ontology graph; its terms are ``ontology#Term`` and the HTML page has an anchor for each."""
    target = _targets(request)[0]
    if target.path != "/ontology":
        raise _unknown(target, str(ctx.iris.at(target.path)))
    graph_iri = str(ctx.iris.graph("ontology"))
    graph = _construct(ctx, who, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    if not len(graph):
        raise _unknown(target, ONTOLOGY_IRI)
    view = (document_view(ctx, target, graph, "SHERLOC-KG ontology", ONTOLOGY_IRI, [URIRef(ONTOLOGY_IRI)],
                          wanted=language(request))
            if target.media == HTML else None)
    return _respond(request, target, graph, view, _headers(target), who)


@lru_cache(maxsize=32)
def _shapes(directory: str, base: str, name: str | None) -> Graph:
    files = sorted(Path(directory).glob("*.ttl")) if name is None else [Path(directory) / f"{name}.ttl"]
    graph = _new_graph()
    graph.bind("sh", CONTEXT_PREFIXES["sh"])
    for triple in read_turtle(files, Iris(base)):
        graph.add(triple)
    return graph


def _shapes_response(request: Request, ctx: Context, name: str | None) -> Response:
    target = _targets(request)[0]
    directory = ctx.settings.shapes_dir
    if name is not None:
        name = _split_suffix(name)[0]
        if not re.fullmatch(r"[a-z0-9-]+", name) or not (directory / f"{name}.ttl").is_file():
            raise _unknown(target, str(ctx.iris.at(target.path)))
    elif target.path != "/shapes":
        raise _unknown(target, str(ctx.iris.at(target.path)))
    graph = _shapes(str(directory), ctx.settings.base, name)
    iri = str(ctx.iris.at(target.path))
    title = "SHERLOC-KG shapes" + (f": {name}" if name else "")
    documents = [s for s in graph.subjects(RDF.type, URIRef(CONTEXT_PREFIXES["owl"] + "Ontology"))]
    view = (document_view(ctx, target, graph, title, iri, documents, wanted=language(request))
            if target.media == HTML else None)
    return _respond(request, target, graph, view, _headers(target))


@router.get("/shapes", summary="The SHACL shapes")
@router.head("/shapes", include_in_schema=False)
@router.get("/shapes.{ext}", include_in_schema=False)
@router.head("/shapes.{ext}", include_in_schema=False)
def shapes(request: Request, ctx: Context = Depends(context)) -> Response:
    """Every SHACL shape the ingest gate checks records against, as one published document."""
    return _shapes_response(request, ctx, None)


@router.get("/shapes/{name}", summary="The SHACL shapes of one record kind")
@router.head("/shapes/{name}", include_in_schema=False)
def shapes_of(request: Request, name: str, ctx: Context = Depends(context)) -> Response:
    """The shapes of one record kind (``{base}shapes/cases``)."""
    return _shapes_response(request, ctx, name)


_CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s a ?class }} }} GROUP BY ?class ORDER BY ?class"
_SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


@router.get("/graph/{family}/{country}", summary="Describe one State's restricted graph")
@router.head("/graph/{family}/{country}", include_in_schema=False)
def state_graph_description(request: Request, family: str, country: str, ctx: Context = Depends(reading),
                            who: Caller = Depends(caller)) -> Response:
    """One State's graph of a family kept per State (``review-restricted/XAA``), as
    :func:`graph_description` describes a graph; unknown to a caller who may not read it."""
    country = _split_suffix(country)[0]
    if family not in STATE_GRAPHS or not is_iso3(country):
        raise _unknown(_targets(request)[0], str(ctx.iris.at(_targets(request)[0].path)))
    return _graph_description(request, f"{family}/{country}", ctx, who,
                              f"{GRAPH_DESCRIPTIONS[family]} Those of State {country}.")


@router.get("/graph/{name}", summary="Describe a named graph")
@router.head("/graph/{name}", include_in_schema=False)
def graph_description(request: Request, name: str, ctx: Context = Depends(reading),
                      who: Caller = Depends(caller)) -> Response:
    """A named graph described in VoID: its size, its classes and how many of each; not its dump.
    A restricted graph is, for a caller who may not read it, unknown."""
    name = _split_suffix(name)[0]
    if name not in GRAPHS:
        raise _unknown(_targets(request)[0], str(ctx.iris.at(_targets(request)[0].path)))
    return _graph_description(request, name, ctx, who, GRAPH_DESCRIPTIONS[name])


def _graph_description(request: Request, name: str, ctx: Context, who: Caller, text: str) -> Response:
    target = _targets(request)[0]
    iri = str(ctx.iris.graph(name))
    if not who.may_see(iri, ctx.iris):
        raise _unknown(target, str(ctx.iris.at(target.path)))
    description = describe(ctx, who, iri)
    graph = description.graph
    node = URIRef(iri)
    void = lambda term: URIRef(_VOID + term)  # noqa: E731
    dataset = who.dataset(ctx.iris)
    graph.add((node, RDF.type, void("Dataset")))
    graph.add((node, URIRef("http://purl.org/dc/terms/title"), Literal(name)))
    graph.add((node, URIRef("http://purl.org/dc/terms/description"), Literal(text, lang="en")))
    graph.add((node, void("triples"), Literal(ctx.reads.count(iri))))
    subjects = ctx.reads.select(_SUBJECTS.format(graph=iri), dataset=dataset).rows[0]
    graph.add((node, void("distinctSubjects"), Literal(int(subjects["n"]))))
    for row in ctx.reads.select(_CLASSES.format(graph=iri), dataset=dataset).rows:
        partition = BNode()
        graph.add((node, void("classPartition"), partition))
        graph.add((partition, void("class"), row["class"]))
        graph.add((partition, void("entities"), Literal(int(row["n"]))))
    view = (resource_view(ctx, target, description, wanted=language(request), who=who, offers=OFFERS)
            if target.media == HTML else None)
    return _respond(request, target, graph, view, _headers(target), who)


@router.get("/context.jsonld", summary="The JSON-LD context")
@router.head("/context.jsonld", include_in_schema=False)
def jsonld_context() -> Response:
    """The ``@context`` every JSON-LD document of this server carries inline."""
    body = json.dumps(context_document(), indent=1).encode("utf-8")
    return Response(body, media_type=content_type(JSONLD), headers={"Cache-Control": "public, max-age=86400"})
