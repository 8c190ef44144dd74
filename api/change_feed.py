"""The change feed (issue 19, item 8): the versions of the records as a Linked Data Event Stream
(LDES, https://w3id.org/ldes/specification, over TREE, https://w3id.org/tree/specification), so
that another portal replicates SHERLOC-KG and then keeps up with it from the feed alone.

    GET /feed              the root page: the ldes:EventStream, what its members are, the oldest versions
    GET /feed?after={key}  the versions after the version keyed {key}, oldest first
    GET /feed/version/{key}  one version (its IRI, dereferenced): the same as on its page

Each page is a ``tree:Node`` with at most PAGE_SIZE versions (and at most PAGE_TEXT characters of
their triples, one version at least); a page that has more after it links to the next page with a
``tree:GreaterThanOrEqualToRelation`` on ``prov:generatedAtTime`` (every version of the next page is
that late or later). A harvester fetches the root, follows the relations, and later fetches again
the last page it saw (which grows until it is full and links on): no version is ever inserted
before one already published, so each version is on exactly one page of a walk, and a full page
never changes (``ldes:immutable``, ``Cache-Control: immutable``).

A member (sherloc_kg/versions.py) is what one record holds in one graph; each version says which
(``dcterms:isVersionOf`` the record, or the graph for a graph written whole; ``dcterms:isPartOf``
the graph), when (``prov:generatedAtTime``), and whether it creates, updates or deletes the member
(``as:Create``, ``as:Update``, ``as:Delete``, the ``ldes:version*Object`` of the stream). Its
triples are in the named graph of the version's IRI, as TREE's member extraction reads them, in
TriG, N-Quads and JSON-LD (default TriG); Turtle, which has no named graphs, carries them as the
N-Triples text of ``prov:value``. A harvester keeps, for each member (record and graph), the
triples of its latest version in that graph, and drops them at an ``as:Delete``.

Each caller reads the versions of the graphs it may read (access.py, ``Caller.feed_dataset``): the
public those of the public graphs; a restricted record's versions are never in its feed. Answers
carry an ETag (api/caching.py); pages vary with the caller's credentials.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, XSD

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.queries import internal
from sherloc_kg.store.terms import to_oxigraph
from sherloc_kg.versions import AS, CREATE, DELETE, UPDATE, joined

from .context import Context, caller, reading
from .jsonld_context import CONTEXT_PREFIXES, EXPANDED
from .negotiation import JSONLD, choose, content_type, jsonld_profile

router = APIRouter(tags=["change feed"])

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
#: The specifications the feed conforms to (``/dataset`` announces it: a distribution of it).
LDES_SPECIFICATION = URIRef("https://w3id.org/ldes/specification")
#: What the feed answers in, first the default: named graphs hold each version's triples.
FEED_TYPES = ("application/trig", "application/n-quads", JSONLD, "text/turtle")
#: Versions on a page, at most.
PAGE_SIZE = 100
#: Characters of N-Triples (the versions' triples) on a page, at most, unless its one version has more.
PAGE_TEXT = 4_000_000
#: A version key (sherloc_kg/versions.py KEY_FORMAT).
KEY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
#: Cache-Control of a full page (it never changes) to a caller without credentials.
IMMUTABLE = "public, max-age=31536000, immutable"
_PREFIXES = {**CONTEXT_PREFIXES, "ldes": str(LDES), "tree": str(TREE), "as": str(AS)}
#: The prefixes by namespace, longest first (a compact IRI uses the longest that fits).
_NAMESPACES = sorted(_PREFIXES.items(), key=lambda item: -len(item[1]))
_DATASET_FORMATS = {"application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS}


class Page:
    """One page of the feed as read for one caller: its versions (rows of sparql/internal/feed-page.rq
    with their triples) and the page after it, if any."""

    def __init__(self, iris: Iris, after: str | None, rows: list[dict], contents: dict[str, str], more: bool) -> None:
        self.iris = iris
        self.root = after is None
        self.url = iris.feed() if after is None else iris.feed_page(after)
        self.rows = rows
        self.contents = contents
        last = iris.version_key(str(rows[-1]["version"])) if rows else None
        self.next = iris.feed_page(last) if more and last else None


def read_page(ctx: Context, who: Caller, after: str | None) -> Page:
    """The versions ``who`` may read after the version keyed ``after`` (None: from the first)."""
    if after is not None and not KEY.fullmatch(after):
        raise UsageError(f"after={after!r} is no version key: give the key of a version of the feed, "
                         "e.g. 2026-12-07T10:15:02.000042Z, as the feed's links do")
    dataset = who.feed_dataset(ctx.iris, ctx.store.graphs())
    start = "" if after is None else str(ctx.iris.version(after))
    named = internal("feed-page")  # its text ends with ORDER BY: the page's LIMIT (an integer) is appended
    rows = ctx.reads.select(named.text + f"\nLIMIT {PAGE_SIZE + 1}", bindings=named.bindings({"after": start}, ctx.iris),
                            dataset=dataset).rows
    taken: list[dict] = []
    size = 0
    for row in rows[:PAGE_SIZE]:
        length = int(row.get("size") or 0)
        if taken and size + length > PAGE_TEXT:
            break
        taken.append(row)
        size += length
    contents: dict[str, str] = {}
    live = [row["version"] for row in taken if str(row["kind"]) != str(DELETE)]
    if live:
        query = internal("feed-contents").with_rows({"version": live})
        contents = joined(ctx.reads.select(query, dataset=dataset).rows)
    return Page(ctx.iris, after, taken, contents, more=len(taken) < len(rows))


# -- the page as RDF ---------------------------------------------------------------------------

def _node(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _stream(iris: Iris) -> list[tuple]:
    """What the root page says of the stream: how to read its members (the member shape included)."""
    stream, shape = URIRef(iris.event_stream()), URIRef(str(iris.feed()) + "#member")
    paths = {"versionOf": DCTERMS.isVersionOf, "graph": DCTERMS.isPartOf, "time": PROV.generatedAtTime}
    triples: list[tuple] = [
        (stream, RDF.type, LDES.EventStream),
        (stream, DCTERMS.title, Literal("SHERLOC-KG change feed", lang="en")),
        (stream, DCTERMS.description, Literal(
            "Every version of every record of SHERLOC-KG, oldest first. A member is what one record holds "
            "in one named graph: dcterms:isVersionOf names the record (or the graph, for a graph written "
            "whole), dcterms:isPartOf the graph; the version's triples are in the named graph of the "
            "version's IRI (in Turtle, the N-Triples text of prov:value). Keep the latest version of each "
            "record in each graph; as:Delete removes it.", lang="en")),
        (stream, DCTERMS.conformsTo, LDES_SPECIFICATION),
        (stream, LDES.timestampPath, PROV.generatedAtTime),
        (stream, LDES.versionOfPath, DCTERMS.isVersionOf),
        (stream, LDES.versionCreatePath, RDF.type), (stream, LDES.versionCreateObject, CREATE),
        (stream, LDES.versionUpdatePath, RDF.type), (stream, LDES.versionUpdateObject, UPDATE),
        (stream, LDES.versionDeletePath, RDF.type), (stream, LDES.versionDeleteObject, DELETE),
        (stream, TREE.shape, shape),
        (shape, RDF.type, SH.NodeShape),
    ]
    for name, path in paths.items():
        constraint = URIRef(f"{shape}-{name}")
        triples += [(shape, SH.property, constraint), (constraint, SH.path, path),
                    (constraint, SH.minCount, Literal(1)), (constraint, SH.maxCount, Literal(1))]
        triples.append((constraint, SH.datatype, XSD.dateTime) if name == "time" else (constraint, SH.nodeKind, SH.IRI))
    return triples


def page_description(page: Page) -> list[tuple]:
    """The page's triples of the default graph: the stream (its context on the root page), the
    page as a ``tree:Node`` with its relation to the next, and each version's description."""
    iris, stream, here = page.iris, URIRef(page.iris.event_stream()), URIRef(page.url)
    triples: list[tuple] = _stream(iris) if page.root else [(stream, RDF.type, LDES.EventStream)]
    if page.root:
        triples.append((stream, TREE.view, here))
    triples.append((here, RDF.type, TREE.Node))
    if page.next is not None:
        relation = URIRef(f"{here}#next") if not page.root else URIRef(f"{iris.feed()}#next")
        triples += [(here, TREE.relation, relation), (relation, RDF.type, TREE.GreaterThanOrEqualToRelation),
                    (relation, TREE.node, URIRef(page.next)), (relation, TREE.path, PROV.generatedAtTime),
                    (relation, TREE.value, page.rows[-1]["time"])]
        if not page.root:
            triples.append((here, LDES.immutable, Literal(True)))
    for row in page.rows:
        triples.append((stream, TREE.member, row["version"]))
        triples += version_description(row)
    return triples


def version_description(row: dict) -> list[tuple]:
    """What a version is (a row of feed-page.rq or feed-version.rq): its kind, member, graph and time."""
    version = row["version"]
    return [(version, RDF.type, row["kind"]), (version, DCTERMS.isVersionOf, row["record"]),
            (version, DCTERMS.isPartOf, row["graph"]), (version, PROV.generatedAtTime, row["time"])]


def dataset_quads(description: list[tuple], contents: dict[str, str]) -> list[ox.Quad]:
    """A page or a version as a dataset: its ``description`` in the default graph, each version's
    triples (``contents``: N-Triples text by version IRI) in the named graph of the version."""
    quads = []
    for s, p, o in description:
        subject = to_oxigraph(s)
        assert not isinstance(subject, ox.Literal)
        quads.append(ox.Quad(subject, _node(p), to_oxigraph(o), ox.DefaultGraph()))
    for version, text in contents.items():
        graph = ox.NamedNode(version)
        quads += [ox.Quad(q.subject, q.predicate, q.object, graph)
                  for q in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)]
    return quads


def render(description: list[tuple], contents: dict[str, str], media_type: str,
           accept: str | None) -> tuple[bytes, str]:
    """A page or a version (see :func:`dataset_quads`) in ``media_type`` (one of FEED_TYPES) and the
    Content-Type to send it with. Turtle, which has no named graphs, gives each version's triples as
    the N-Triples text of its ``prov:value``."""
    if media_type in _DATASET_FORMATS:
        body = ox.serialize(dataset_quads(description, contents), format=_DATASET_FORMATS[media_type],
                            prefixes=_PREFIXES)
        assert body is not None
        return body, content_type(media_type)
    if media_type == JSONLD:
        profile = jsonld_profile(accept)
        return jsonld(dataset_quads(description, contents), profile), content_type(media_type, profile)
    graph = Graph()
    for prefix, namespace in _PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in description:
        graph.add(triple)
    for version, text in contents.items():
        graph.add((URIRef(version), PROV.value, Literal(text)))
    return graph.serialize(format="turtle", encoding="utf-8"), content_type(media_type)


def jsonld(quads: list[ox.Quad], profile: str) -> bytes:
    """The quads as JSON-LD that parses alone: the engine's expanded form (each named graph a node
    with ``@graph``) for :data:`EXPANDED`, else the same compacted against the feed's prefixes, which
    it carries inline (``"@context"``)."""
    body = ox.serialize(quads, format=ox.RdfFormat.JSON_LD)
    assert body is not None
    if profile == EXPANDED:
        return body
    document = {"@context": dict(_PREFIXES), "@graph": _compacted(json.loads(body))}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _curie(iri: str) -> str:
    """``iri`` as ``prefix:name`` where one of the feed's prefixes is its namespace, else as it is."""
    for prefix, namespace in _NAMESPACES:
        rest = iri[len(namespace):]
        if iri.startswith(namespace) and rest and not rest.startswith("//"):
            return f"{prefix}:{rest}"
    return iri


def _compacted(node: object) -> object:
    """Expanded JSON-LD with its IRIs written as compact IRIs (properties, ``@id``, ``@type``)."""
    if isinstance(node, list):
        return [_compacted(item) for item in node]
    if not isinstance(node, dict):
        return node
    compact: dict[str, object] = {}
    for key, value in node.items():
        if key == "@id" and isinstance(value, str):
            compact[key] = _curie(value)
        elif key == "@type":
            compact[key] = [_curie(v) for v in value] if isinstance(value, list) else _curie(str(value))
        elif key.startswith("@"):
            compact[key] = _compacted(value)
        else:
            compact[_curie(key)] = _compacted(value)
    return compact


@router.get("/feed", summary="The change feed: every version of every record, as a Linked Data Event Stream",
            responses={200: {"content": {media: {} for media in FEED_TYPES},
                             "description": "A page of the feed (a tree:Node); the root page describes the "
                                            "ldes:EventStream."},
                       400: {"description": "after= is no version key."},
                       406: {"description": "None of TriG, N-Quads, JSON-LD or Turtle is acceptable."}})
def feed(request: Request,
         after: str | None = Query(None, max_length=40, description="The key of the last version seen (the feed's "
                                   "links carry it): the page of the versions after it. Left out: the root page."),
         ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    media = choose(request.headers.get("accept"), FEED_TYPES)
    page = read_page(ctx, who, after)
    contents = {str(row["version"]): page.contents[str(row["version"])]
                for row in page.rows if page.contents.get(str(row["version"]))}
    body, kind = render(page_description(page), contents, media, request.headers.get("accept"))
    headers = {"Vary": "Accept"}
    if page.next is not None:
        headers["Link"] = f'<{ctx.iris.href(page.next) or page.next}>; rel="next"'
        if not page.root:
            headers["Cache-Control"] = IMMUTABLE
    return Response(body, media_type=kind, headers=headers)


@router.get("/feed/version/{key}", summary="One version of a member of the change feed",
            responses={200: {"content": {media: {} for media in FEED_TYPES},
                             "description": "The version: what it is (its kind, member, graph and time) in the "
                                            "default graph, the member's triples at that version in the named "
                                            "graph of the version's IRI."},
                       400: {"description": "The key is no version key."},
                       404: {"description": "No version of a graph the caller may read has this key."},
                       406: {"description": "None of TriG, N-Quads, JSON-LD or Turtle is acceptable."}})
def version(request: Request, key: str, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    """A version's IRI dereferenced (sherloc_kg/iris.py, ``Iris.version``): the same description and
    triples as on the feed's page that lists it, for a caller who may read its graph. A version never
    changes once written: its answer is cached as immutable."""
    if not KEY.fullmatch(key):
        raise UsageError(f"{key!r} is no version key: a version's key is its time, e.g. 2026-12-07T10:15:02.000042Z")
    media = choose(request.headers.get("accept"), FEED_TYPES)
    iri = ctx.iris.version(key)
    dataset = who.feed_dataset(ctx.iris, ctx.store.graphs())
    rows = ctx.reads.select(internal("feed-version").with_rows({"version": [iri]}), dataset=dataset).rows
    if not rows:
        raise NotFound(f"no version {key} among the versions of the graphs this caller may read")
    row = {"version": iri, **rows[0]}
    contents = joined({"version": str(iri), "content": piece.get("content")} for piece in rows)  # a row a piece
    body, kind = render(version_description(row), contents, media, request.headers.get("accept"))
    # to a request with credentials api/caching.py sends "private, no-store" instead
    return Response(body, media_type=kind, headers={"Vary": "Accept", "Cache-Control": IMMUTABLE})
