"""Dereferenceable Linked Data: every IRI under the base answers at the same path on this server.

    /id/{path}, /vocab/{path}   a resource: its own triples, those of its sub-resources
                                (``{case}/defendant/1``), the labels of what it links to, and the
                                links made to it (who cites it), with the labels of who cites it
    /ontology                   the ontology graph, as a document (terms are ``ontology#Term``)
    /shapes, /shapes/{name}     the SHACL shapes, all files or one (``{base}shapes/cases``)
    /graph/{name}               a named graph: its size and what it holds (VoID), not its dump
    /context.jsonld             the JSON-LD ``@context`` every JSON-LD document here refers to

Formats: HTML, Turtle, JSON-LD, RDF/XML and N-Triples, chosen by ``Accept`` or by a suffix
(``/id/case/BRA001.ttl``; a suffix wins over ``Accept``). Every response names the document it
served in ``Content-Location`` (the suffixed URL) and the other formats in ``Link: rel="alternate"``;
a negotiated one also says ``Vary: Accept`` and links the resource to its RDF documents with
``rel="describedby"``.

Incoming links are paged: a description carries at most :data:`INCOMING_PAGE` of them (ordered by
property, then by the citing resource); when there are more, ``Link: rel="next"`` names the next
page (``?page=2``) and the HTML page links to it. Every page repeats the resource's own triples.

Everything is read through one CONSTRUCT run in the store, over the graphs the caller may see
(``Caller.dataset``): a restricted triple never reaches the public, and a resource that only the
restricted graphs know is, for the public, as unknown as one nobody knows: 404, in the format asked.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from sherloc_kg.access import Caller
from sherloc_kg.iris import GRAPHS, segment
from sherloc_kg.namespaces import ONTOLOGY_IRI
from sherloc_kg.reference import read_turtle

from .context import Context, caller, context
from .jsonld_context import CONTEXT_PREFIXES, context_definition, context_document
from .negotiation import GRAPH_TYPES, SUFFIXES, NotAcceptable, choose, content_type

router = APIRouter()

HTML = "text/html"
JSONLD = "application/ld+json"
#: What a Linked Data URL can be served as; HTML first, so a browser (or ``*/*``) gets the page.
OFFERS = (HTML,) + GRAPH_TYPES
#: media type -> the suffix of its document (the reverse of negotiation.SUFFIXES).
SUFFIX_OF = {media: suffix for suffix, media in SUFFIXES.items()}
#: Most incoming links one description carries; more are paged with ``Link: rel="next"``.
INCOMING_PAGE = 500
#: Where the JSON-LD documents find their context: resolved against the document's own URL.
CONTEXT_PATH = "/context.jsonld"
#: Labels of the resources a description links to, in these languages (the six of the UN) and
#: untagged; the resource's own labels come in every language.
LABEL_LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru")

_RDFLIB_FORMATS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt"}
_SAFE_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_LABELS = (
    URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
    URIRef("http://purl.org/dc/terms/title"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2004/02/skos/core#notation"),
)
_VOID = "http://rdfs.org/ns/void#"

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

# What each named graph holds (docs/model.md "Named graphs"), said in its description.
GRAPH_DESCRIPTIONS = {
    "ontology": "The SHERLOC-KG ontology (OWL 2).",
    "vocabularies": "The SKOS concept schemes: crime types, cross-cutting issues, TIP elements, court levels and the rest.",
    "instruments": "UNTOC and its Protocols, with every provision and its text.",
    "countries": "Countries and international or regional jurisdictions.",
    "cases": "Court cases (the SHERLOC case law database).",
    "legislation": "National laws and their provisions.",
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

_DESCRIBE = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT {{
  ?s ?p ?o .
  ?linked ?labelProperty ?label .
  ?in ?inProperty {iri} .
}}
WHERE {{
  {{
    {{ BIND({iri} AS ?s) }} UNION {{ {iri} ?partLink ?s FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{below}")) }}
    ?s ?p ?o .
  }}
  UNION
  {{
    {{ BIND({iri} AS ?x) }} UNION {{ {iri} ?partLink ?x FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{below}")) }}
    ?x ?q ?linked .
    FILTER(isIRI(?linked) && ?linked != {iri})
    VALUES ?labelProperty {{ skos:prefLabel dcterms:title rdfs:label skos:notation }}
    ?linked ?labelProperty ?label .
    FILTER(lang(?label) IN ({languages}))
  }}
  UNION
  {{
    {{ SELECT DISTINCT ?in ?inProperty WHERE {{ ?in ?inProperty {iri} }}
       ORDER BY ?inProperty ?in LIMIT {limit} OFFSET {offset} }}
    OPTIONAL {{
      VALUES ?labelProperty {{ skos:prefLabel dcterms:title rdfs:label skos:notation }}
      ?in ?labelProperty ?label .
      FILTER(lang(?label) IN ({languages}))
    }}
    BIND(?in AS ?linked)
  }}
}}"""

_COUNT_INCOMING = "SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?in ?p WHERE {{ ?in ?p {iri} }} }}"


@dataclass
class Description:
    iri: str
    graph: Graph
    incoming_total: int = 0
    page: int = 1

    @property
    def has_next(self) -> bool:
        return self.page * INCOMING_PAGE < self.incoming_total


def _construct(ctx: Context, who: Caller, sparql: str) -> Graph:
    """Run a CONSTRUCT in the store, over the caller's graphs; the triples as an rdflib graph."""
    buffer = io.BytesIO()
    ctx.store.query_serialized(sparql, buffer, media_type="application/n-triples", dataset=who.dataset(ctx.iris))
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
    graph = _construct(ctx, who, sparql)
    incoming = 0
    if len(graph):
        row = ctx.store.select(_COUNT_INCOMING.format(iri=term), dataset=who.dataset(ctx.iris)).rows[0]
        incoming = int(row["n"])
    return Description(iri, graph, incoming, page)


# -- requests: which IRI, which format -----------------------------------------------------------

def _raw_path(request: Request) -> str:
    """The path as sent (still percent-encoded), so that an id holding ``/`` or ``#`` survives."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    return path.split("?", 1)[0]


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, media in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix) and not path.endswith("/" + suffix):
            return path[: -len(suffix)], media
    return path, None


def _normalise(path: str) -> str:
    """A request path in the form the IRI module mints: each segment decoded, then encoded again
    the one way ``iris.segment`` does (``%40`` and ``@`` name the same resource)."""
    return "/".join(segment(unquote(part)) for part in path.lstrip("/").split("/"))


@dataclass
class Target:
    path: str            # the local path of the resource, without suffix: "/id/case/BRA001"
    media: str           # the format to serve
    negotiated: bool     # chosen by Accept (Vary: Accept) rather than by suffix


def _targets(request: Request) -> list[Target]:
    """The readings of a request, most likely first: ``/id/x.ttl`` is ``/id/x`` in Turtle, unless
    no ``/id/x`` exists and ``/id/x.ttl`` itself is an IRI (an id ending in a suffix)."""
    path = _raw_path(request)
    stripped, suffix_media = _split_suffix(path)
    accept = request.headers.get("accept")
    if suffix_media:
        readings = [Target(stripped, suffix_media, False)]
        try:
            readings.append(Target(path, choose(accept, OFFERS), True))
        except NotAcceptable:  # the second reading is only a fallback
            pass
        return readings
    return [Target(path, choose(accept, OFFERS), True)]


# -- responses -----------------------------------------------------------------------------------

def _headers(target: Target, *, page: int = 1, has_next: bool = False, describes_thing: bool = False) -> dict[str, str]:
    query = f"?page={page}" if page > 1 else ""
    links = [f'<{target.path}{SUFFIX_OF[m]}{query}>; rel="alternate"; type="{m}"' for m in OFFERS if m != target.media]
    if describes_thing and target.negotiated:
        links += [f'<{target.path}{SUFFIX_OF[m]}{query}>; rel="describedby"; type="{m}"' for m in GRAPH_TYPES]
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


def serialize(graph: Graph, media: str) -> bytes:
    """An RDF graph in one of GRAPH_TYPES; JSON-LD compacted against the published context."""
    if media == JSONLD:
        document = json.loads(graph.serialize(format="json-ld", context=context_definition(), auto_compact=True))
        if isinstance(document, list):
            document = {"@graph": document}
        document["@context"] = CONTEXT_PATH
        document = {"@context": document.pop("@context"), **document}
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return graph.serialize(format=_RDFLIB_FORMATS[media], encoding="utf-8")


def _not_found(target: Target, what: str) -> Response:
    """404 in the format asked: a page, a comment in Turtle/N-Triples/RDF-XML, or JSON."""
    message = f"{what} is not known here"
    if target.media == HTML:
        body = _TEMPLATES.get_template("ld_not_found.html").render(what=what, message=message).encode("utf-8")
    elif target.media == JSONLD:
        body = json.dumps({"error": "NotFound", "message": message}).encode("utf-8")
    elif target.media == "application/rdf+xml":
        text = message.replace("--", "- -")
        body = (f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {text} -->\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n').encode("utf-8")
    else:
        body = ("# " + message.replace("\n", " ") + "\n").encode("utf-8")
    headers = {"Vary": "Accept"} if target.negotiated else {}
    return Response(body, status_code=404, media_type=content_type(target.media), headers=headers)


def _respond(target: Target, graph: Graph, view: "PageView | None", headers: dict[str, str]) -> Response:
    if target.media == HTML:
        assert view is not None
        body = _TEMPLATES.get_template("ld_resource.html").render(page=view).encode("utf-8")
    else:
        body = serialize(graph, target.media)
    return Response(body, media_type=content_type(target.media), headers=headers)


# -- the HTML view -------------------------------------------------------------------------------

@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    nested: list["Fact"] | None = None   # a blank node, shown inline


@dataclass
class Fact:
    property: str
    href: str | None
    values: list[Value]


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


class Renderer:
    """Turns a graph into the plain view the template shows: labels, links to local paths."""

    def __init__(self, ctx: Context, graph: Graph) -> None:
        self.base = ctx.settings.base
        self.graph = graph

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` goes: its path on this server when it is ours, else the IRI."""
        if iri.startswith(ONTOLOGY_IRI):
            return "/ontology" + iri[len(ONTOLOGY_IRI):]
        if iri.startswith(self.base):
            return "/" + iri[len(self.base):]
        return iri

    def curie(self, iri: str) -> str:
        for prefix, namespace in CONTEXT_PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return self.href(iri) if iri.startswith(self.base) else iri

    def label(self, node: URIRef) -> str | None:
        for prop in _LABELS:
            found = list(self.graph.objects(node, prop))
            if found:
                preferred = [v for v in found if isinstance(v, Literal) and v.language in (None, "en")]
                return str(sorted(preferred or found, key=lambda v: (v.language or "", str(v)))[0])
        return None

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

    def facts(self, subject, depth: int = 0) -> list[Fact]:
        grouped: dict[URIRef, list] = defaultdict(list)
        for prop, obj in self.graph.predicate_objects(subject):
            grouped[prop].append(obj)
        order = sorted(grouped, key=lambda p: (p != RDF.type, self.curie(str(p))))
        return [Fact(self.curie(str(p)), self.href(str(p)),
                     [self.value(o, depth) for o in sorted(grouped[p], key=_sort_key)]) for p in order]

    def incoming(self, iri: URIRef) -> list[Fact]:
        grouped: dict[URIRef, list] = defaultdict(list)
        for subject, prop in self.graph.subject_predicates(iri):
            grouped[prop].append(subject)
        return [Fact(self.curie(str(p)), self.href(str(p)),
                     [self.value(s) for s in sorted(grouped[p], key=_sort_key)])
                for p in sorted(grouped, key=lambda p: self.curie(str(p)))]

    def section(self, subject, anchor: str | None = None) -> Section:
        name = self.label(subject) if isinstance(subject, URIRef) else None
        iri = str(subject) if isinstance(subject, URIRef) else None
        return Section(name or (self.curie(iri) if iri else ""), iri, anchor, self.facts(subject))


def _sort_key(node) -> tuple:
    return (isinstance(node, BNode), str(node))


def _formats(target: Target, page: int = 1) -> list[tuple[str, str]]:
    query = f"?page={page}" if page > 1 else ""
    names = {HTML: "HTML", "text/turtle": "Turtle", JSONLD: "JSON-LD", "application/rdf+xml": "RDF/XML",
             "application/n-triples": "N-Triples"}
    return [(names[m], f"{target.path}{SUFFIX_OF[m]}{query}") for m in OFFERS]


def resource_view(ctx: Context, target: Target, description: Description) -> PageView:
    render = Renderer(ctx, description.graph)
    iri = URIRef(description.iri)
    main = render.section(iri)
    parts = sorted({s for s in description.graph.subjects() if isinstance(s, URIRef)
                    and str(s).startswith(description.iri + "/") and (iri, None, s) in description.graph})
    kinds = [render.value(t).text for t in description.graph.objects(iri, RDF.type)]
    here = target.path + ("" if target.negotiated else SUFFIX_OF[target.media])
    page = description.page
    return PageView(
        title=main.label, iri=description.iri, kind=", ".join(sorted(kinds)),
        sections=[main] + [render.section(p, anchor="part-" + str(p)[len(description.iri) + 1:]) for p in parts],
        incoming=render.incoming(iri), incoming_total=description.incoming_total,
        formats=_formats(target, page),
        next_page=f"{here}?page={page + 1}" if description.has_next else None,
        previous_page=(f"{here}?page={page - 1}" if page > 2 else here) if page > 1 else None,
    )


def document_view(ctx: Context, target: Target, graph: Graph, title: str, iri: str, first: list) -> PageView:
    """A document of many resources (the ontology, the shapes): one section per named subject,
    anchored by its fragment so that ``ontology#CourtCase`` lands on it."""
    render = Renderer(ctx, graph)
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)},
                      key=lambda s: (s not in first, render.curie(str(s))))
    sections = [render.section(s, anchor=str(s).partition("#")[2] or None) for s in subjects]
    return PageView(title=title, iri=iri, kind="document", sections=sections, formats=_formats(target))


# -- routes --------------------------------------------------------------------------------------

def _resource(request: Request, ctx: Context, who: Caller, page: int) -> Response:
    readings = _targets(request)
    for target in readings:
        iri = ctx.settings.base + _normalise(target.path)
        description = describe(ctx, who, iri, page)
        if len(description.graph):
            view = resource_view(ctx, target, description) if target.media == HTML else None
            headers = _headers(target, page=page, has_next=description.has_next, describes_thing=True)
            return _respond(target, description.graph, view, headers)
    first = readings[0]
    return _not_found(first, ctx.settings.base + _normalise(first.path))


@router.get("/id/{path:path}", summary="Dereference a resource IRI")
@router.head("/id/{path:path}", include_in_schema=False)
def resource(request: Request, path: str, page: int = Query(1, ge=1, description="page of incoming links"),
             ctx: Context = Depends(context), who: Caller = Depends(caller)) -> Response:
    """A record, provision, country, court... in HTML, Turtle, JSON-LD, RDF/XML or N-Triples."""
    return _resource(request, ctx, who, page)


@router.get("/vocab/{path:path}", summary="Dereference a concept or scheme IRI")
@router.head("/vocab/{path:path}", include_in_schema=False)
def vocabulary(request: Request, path: str, page: int = Query(1, ge=1, description="page of incoming links"),
               ctx: Context = Depends(context), who: Caller = Depends(caller)) -> Response:
    """A SKOS concept or concept scheme, with the records that use it (incoming links)."""
    return _resource(request, ctx, who, page)


@router.get("/ontology", summary="The ontology")
@router.head("/ontology", include_in_schema=False)
@router.get("/ontology.{ext}", include_in_schema=False)
@router.head("/ontology.{ext}", include_in_schema=False)
def ontology(request: Request, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> Response:
    """The ontology graph; its terms are ``ontology#Term`` and the HTML page has an anchor for each."""
    target = _targets(request)[0]
    if target.path != "/ontology":
        return _not_found(target, ctx.settings.base + _normalise(target.path))
    graph_iri = str(ctx.iris.graph("ontology"))
    graph = _construct(ctx, who, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    if not len(graph):
        return _not_found(target, ONTOLOGY_IRI)
    view = (document_view(ctx, target, graph, "SHERLOC-KG ontology", ONTOLOGY_IRI, [URIRef(ONTOLOGY_IRI)])
            if target.media == HTML else None)
    return _respond(target, graph, view, _headers(target))


@lru_cache(maxsize=32)
def _shapes(directory: str, base: str, name: str | None) -> Graph:
    from sherloc_kg.iris import Iris

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
            return _not_found(target, ctx.settings.base + _normalise(target.path))
    elif target.path != "/shapes":
        return _not_found(target, ctx.settings.base + _normalise(target.path))
    graph = _shapes(str(directory), ctx.settings.base, name)
    iri = ctx.settings.base + _normalise(target.path)
    title = "SHERLOC-KG shapes" + (f": {name}" if name else "")
    documents = [s for s in graph.subjects(RDF.type, URIRef(CONTEXT_PREFIXES["owl"] + "Ontology"))]
    view = document_view(ctx, target, graph, title, iri, documents) if target.media == HTML else None
    return _respond(target, graph, view, _headers(target))


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


@router.get("/graph/{name}", summary="Describe a named graph")
@router.head("/graph/{name}", include_in_schema=False)
def graph_description(request: Request, name: str, ctx: Context = Depends(context),
                      who: Caller = Depends(caller)) -> Response:
    """A named graph described in VoID: its size, its classes and how many of each; not its dump.
    A restricted graph is, for a caller who may not read it, unknown."""
    target = _targets(request)[0]
    name = _split_suffix(name)[0]
    iri = ctx.settings.base + "graph/" + name
    if name not in GRAPHS or not who.may_see(iri, ctx.iris):
        return _not_found(target, ctx.settings.base + _normalise(target.path))
    description = describe(ctx, who, iri)
    graph = description.graph
    node = URIRef(iri)
    void = lambda term: URIRef(_VOID + term)  # noqa: E731
    dataset = who.dataset(ctx.iris)
    graph.add((node, RDF.type, void("Dataset")))
    graph.add((node, URIRef("http://purl.org/dc/terms/title"), Literal(name)))
    graph.add((node, URIRef("http://purl.org/dc/terms/description"), Literal(GRAPH_DESCRIPTIONS[name], lang="en")))
    graph.add((node, void("triples"), Literal(ctx.store.count(iri))))
    subjects = ctx.store.select(_SUBJECTS.format(graph=iri), dataset=dataset).rows[0]
    graph.add((node, void("distinctSubjects"), Literal(int(subjects["n"]))))
    for row in ctx.store.select(_CLASSES.format(graph=iri), dataset=dataset).rows:
        partition = BNode()
        graph.add((node, void("classPartition"), partition))
        graph.add((partition, void("class"), row["class"]))
        graph.add((partition, void("entities"), Literal(int(row["n"]))))
    view = resource_view(ctx, target, description) if target.media == HTML else None
    return _respond(target, graph, view, _headers(target))


@router.get("/context.jsonld", summary="The JSON-LD context")
@router.head("/context.jsonld", include_in_schema=False)
def jsonld_context() -> Response:
    """The ``@context`` every JSON-LD document of this server refers to."""
    body = json.dumps(context_document(), indent=1).encode("utf-8")
    return Response(body, media_type=content_type(JSONLD), headers={"Cache-Control": "public, max-age=86400"})
