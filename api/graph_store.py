"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graph-store``: whole graphs as RDF documents.

ADMIN ONLY, AND IT BYPASSES THE SHACL GATE. Every request needs an admin token (the public gets
401, any other role 403). What it writes is raw RDF straight into the store: no SHACL validation,
no loader, no provenance, no inference. A write to a SHERLOC graph that has a version log records,
in the same transaction, the versions of the members it changes, at graph level (sherloc_kg/versions.py),
so that the change feed carries it. It is the administrator's tool for repairs (put back a
graph from a dump, remove a graph a bad load left behind) and for running the W3C conformance
suite; records that people should trust come in through the ingest pipeline, never through here.

Identifying the graph (W3C GSP §4):

- indirect: ``/rdf-graph-store?graph=IRI`` names the graph ``IRI``; ``/rdf-graph-store?default``
  names the default graph. The query string is percent-decoded exactly once and ``+`` stays a
  plus (an IRI has no spaces), so ``%2531`` names ``%31``, not ``1``.
- direct: a request to ``/rdf-graph-store/{path}`` names the graph whose IRI is the request URL
  itself, as the client wrote it (scheme, ``Host`` and path, percent-encoding kept, no query).
  Behind a proxy, run uvicorn with forwarded headers so the URL is the public one.

The default graph is the store's own default graph: not the union of the SHERLOC graphs (those
live in named graphs and are written by the pipeline). SHERLOC never writes it and public queries
never see it (their dataset names the public graphs), so it is a scratch graph for repairs and for
the conformance suite. Data left in it turns off the embedded store's union-graph fast path.

A graph exists while it holds at least one triple (the store is a quad store: an empty graph and
an absent one are the same), the default graph included:

- ``GET``/``HEAD``: the graph as Turtle, JSON-LD, RDF/XML or N-Triples by ``Accept`` (406 when
  none fits); 404 if it does not exist.
- ``PUT``: replace the graph with the body; 201 if it did not exist, 204 otherwise.
- ``DELETE``: drop the graph; 204, or 404 if it did not exist.
- ``POST``: add the body's triples to the graph (201 if that created it, 204 otherwise). A
  ``multipart/form-data`` body carries several RDF files, each with its own ``Content-Type`` (or
  a file name ending in .ttl, .nt, .rdf, .jsonld, .nq, .trig); all are added in one transaction.
  ``POST /rdf-graph-store`` with no graph creates a new graph with a fresh IRI below the endpoint
  (so the IRI is also its direct URL) and answers 201 with that IRI in ``Location``.

Bodies are parsed by ``Content-Type``: Turtle, N-Triples, RDF/XML, JSON-LD, and TriG or N-Quads
as long as all their triples are in the document's default graph (a body naming graphs is
refused: one request writes one graph). Relative IRIs resolve against the graph IRI (the request
URL for the default graph). A body that does not parse is a 400 naming the line; another media
type is a 415. Every write is one store transaction: the graph is replaced or merged whole, or
left as it was.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Request, Response

from sherloc_kg import versions
from sherloc_kg.access import Caller, Role
from sherloc_kg.errors import NotFound, UnsupportedMediaType, UsageError
from sherloc_kg.store.contract import RdfDocument
from sherloc_kg.xml_entities import declared_entities
from sherloc_kg.xml_shape import check_xml_shape

from .context import Context, caller, context
from .negotiation import GRAPH_TYPES, choose, content_type

ENDPOINT = "/rdf-graph-store"

router = APIRouter(tags=["graph store"])



#: Media types a body may have -> the one the store parses. TriG and N-Quads only as graphs.
BODY_TYPES = {
    "text/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "application/n-triples": "application/n-triples",
    "text/plain": "application/n-triples",
    "application/rdf+xml": "application/rdf+xml",
    "application/ld+json": "application/ld+json",
    "application/trig": "application/trig",
    "application/x-trig": "application/trig",
    "application/n-quads": "application/n-quads",
    "text/x-nquads": "application/n-quads",
}
#: File suffixes of multipart parts sent without a Content-Type of their own.
PART_SUFFIXES = {
    ".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml", ".jsonld": "application/ld+json", ".trig": "application/trig",
    ".nq": "application/n-quads",
}
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
# An absolute IRI as SPARQL's IRIREF allows it: a scheme, then no spaces, controls or <>"{}|^`\.
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\]*$')


@dataclass(frozen=True)
class Target:
    """What a request names: one graph (``None`` is the default graph), or the store itself."""

    graph: str | None
    store: bool = False
    base: str | None = None  # the IRI relative IRIs of a body resolve against

    def __str__(self) -> str:
        return "the default graph" if self.graph is None else f"graph <{self.graph}>"


# -- dependencies: the admin check runs before anything else, the body is read only after it -----
def admin(who: Caller = Depends(caller)) -> Caller:
    who.require(Role.ADMIN)
    return who


def _query(request: Request) -> dict[str, list[str]]:
    """Query parameters, percent-decoded once (``+`` is a plus, as in an IRI)."""
    found: dict[str, list[str]] = {}
    for item in request.scope.get("query_string", b"").decode("latin-1").split("&"):
        if item:
            name, _, value = item.partition("=")
            found.setdefault(unquote(name), []).append(unquote(value, errors="strict"))
    return found


def _request_url(request: Request) -> str:
    """The request URL without its query, percent-encoding as the client sent it."""
    raw = request.scope.get("raw_path")
    path = raw.decode("ascii", "strict") if raw else quote(request.scope.get("root_path", "") + request.url.path)
    return f"{request.url.scheme}://{request.url.netloc}{path}"


def target(request: Request, _admin: Caller = Depends(admin)) -> Target:
    try:
        query = _query(request)
        url = _request_url(request)
    except UnicodeError as error:
        raise UsageError(f"the request URL is not valid UTF-8/ASCII: {error}") from error
    graphs, default = query.get("graph", []), "default" in query
    if request.path_params.get("path") is not None:
        if graphs or default:
            raise UsageError(f"a URL below {ENDPOINT} names its graph itself (direct identification); "
                             "it takes no graph= or default parameter")
        return Target(graph=url, base=url)
    if default and graphs:
        raise UsageError("name one graph: either ?graph=IRI or ?default, not both")
    if len(graphs) > 1:
        raise UsageError("name one graph: ?graph= appears more than once")
    if default:
        return Target(graph=None, base=url)
    if graphs:
        iri = graphs[0]
        if not _IRI.match(iri):
            raise UsageError(f"?graph= must be an absolute IRI (scheme:...) without spaces or <>\"{{}}|^`\\: {iri!r}")
        return Target(graph=iri, base=iri)
    return Target(graph=None, store=True, base=url)


async def body(request: Request, _admin: Caller = Depends(admin)) -> bytes:
    return await request.body()


# -- request bodies ----------------------------------------------------------------------------
def _media_type(header: str) -> tuple[str, dict[str, str]]:
    kind, *parameters = header.split(";")
    values = {}
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        values[name.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), values


def _document(data: bytes, header: str | None, *, base: str | None, name: str) -> RdfDocument:
    if not header:
        raise UnsupportedMediaType(f"{name}: send a Content-Type: one of {', '.join(sorted(set(BODY_TYPES.values())))}")
    kind, parameters = _media_type(header)
    parsed_as = BODY_TYPES.get(kind)
    if parsed_as is None:
        raise UnsupportedMediaType(f"{name}: the graph store reads {', '.join(sorted(set(BODY_TYPES.values())))}"
                                   f" (and multipart/form-data of those), not {kind}")
    charset = parameters.get("charset", "utf-8").lower()
    if charset not in _UTF8 and parsed_as != "application/rdf+xml":  # XML declares its own encoding
        try:
            data = data.decode(charset).encode("utf-8")
        except LookupError as error:
            raise UnsupportedMediaType(f"{name}: unknown charset {charset}") from error
        except UnicodeDecodeError as error:
            raise UsageError(f"{name}: the body is not valid {charset}: {error}") from error
    if parsed_as == "application/rdf+xml":
        _check_xml_entities(data, name)
        check_xml_shape(data, name)  # depth and size, before the store's parser walks it (a 422)
    return RdfDocument(data=data, media_type=parsed_as, base_iri=base, name=name)


#: Most bytes the internal entities of an RDF/XML body may expand to, all references together.
XML_ENTITY_EXPANSION_LIMIT = 1024 * 1024


def _check_xml_entities(data: bytes, name: str) -> None:
    """Refuse an RDF/XML body whose DOCTYPE could read files or explode: the store's RDF/XML parser
    expands entities itself, without a limit (a 1 KB "billion laughs" becomes a 3 GB literal). Plain
    internal entities (``<!ENTITY rdf "http://www.w3.org/...">``, as ontology editors write) are
    kept; external, parameter and nested entities are refused, and so is a body whose references
    would expand past :data:`XML_ENTITY_EXPANSION_LIMIT`."""
    sizes: dict[str, int] = {}
    for entity in declared_entities(data):
        if entity.is_parameter or entity.value is None or entity.external:
            raise UsageError(f"{name}: the RDF/XML declares the external or parameter entity '{entity.name}': "
                             "refused (it could read a local file); write the value in the document")
        if "&" in entity.value or "%" in entity.value:
            raise UsageError(f"{name}: the RDF/XML entity '{entity.name}' refers to other entities: refused "
                             "(nested entities expand into an entity bomb)")
        sizes[entity.name] = len(entity.value.encode("utf-8"))
    expansion = sum(size * data.count(f"&{entity};".encode("utf-8")) for entity, size in sizes.items())
    if expansion > XML_ENTITY_EXPANSION_LIMIT:
        raise UsageError(f"{name}: the RDF/XML's entity references would expand to {expansion} bytes, over "
                         f"{XML_ENTITY_EXPANSION_LIMIT}: refused")


def _multipart(header: str, data: bytes, *, base: str | None) -> list[RdfDocument]:
    """The RDF files of a multipart/form-data body, each parsed by its own Content-Type."""
    envelope = f"Content-Type: {header}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(envelope + data)
    if not message.is_multipart() or message.defects:
        problems = ", ".join(type(d).__name__ for d in message.defects) or "no parts"
        raise UsageError(f"the multipart/form-data body does not parse ({problems}); check the boundary")
    documents = []
    for number, part in enumerate(message.iter_parts(), start=1):
        filename = part.get_filename() or part.get_param("name", header="content-disposition") or ""
        name = f"part {number}" + (f" ({filename})" if filename else "")
        declared = part["content-type"]
        if declared is None:
            declared = PART_SUFFIXES.get(PurePosixPath(str(filename)).suffix.lower())
        payload = part.get_payload(decode=True)  # the part's bytes (None for a nested multipart)
        documents.append(_document(payload if isinstance(payload, bytes) else b"", declared, base=base, name=name))
    if not documents:
        raise UsageError("the multipart/form-data body holds no files")
    return documents


def documents(request: Request, data: bytes, base: str | None) -> list[RdfDocument]:
    header = request.headers.get("content-type")
    if header and _media_type(header)[0] == "multipart/form-data":
        return _multipart(header, data, base=base)
    return [_document(data, header, base=base, name="request body")]


def _no_graph(method: str) -> UsageError:
    return UsageError(f"{method} {ENDPOINT} needs a graph: ?graph=IRI, ?default, or a URL below {ENDPOINT}")


# -- the protocol --------------------------------------------------------------------------------
@router.get(ENDPOINT, name="graph_store_read")
@router.get(ENDPOINT + "/{path:path}", name="graph_store_read_direct")
@router.head(ENDPOINT, name="graph_store_head")
@router.head(ENDPOINT + "/{path:path}", name="graph_store_head_direct")
def read(request: Request, graph: Target = Depends(target), ctx: Context = Depends(context)) -> Response:
    """The graph, serialised in the format the client accepts."""
    if graph.store:
        raise _no_graph(request.method)
    media = choose(request.headers.get("accept"), GRAPH_TYPES)
    if not ctx.store.graph_exists(graph.graph):
        raise NotFound(f"{graph} does not exist (holds no triples)")
    buffer = io.BytesIO()
    ctx.store.read_graph(graph.graph, buffer, media_type=media)
    return Response(buffer.getvalue(), media_type=content_type(media), headers={"Vary": "Accept"})


@router.put(ENDPOINT, name="graph_store_put")
@router.put(ENDPOINT + "/{path:path}", name="graph_store_put_direct")
def put(request: Request, graph: Target = Depends(target), data: bytes = Depends(body),
        ctx: Context = Depends(context)) -> Response:
    """Replace the graph with the body, in one transaction."""
    if graph.store:
        raise _no_graph("PUT")
    parts = documents(request, data, graph.base)
    ctx.before_raw_write()
    existed = ctx.store.graph_exists(graph.graph)
    versions.load_graph(ctx.store, ctx.iris, graph.graph, parts, replace=True)  # and the change feed's versions
    created = not existed and ctx.store.graph_exists(graph.graph)
    return Response(status_code=201 if created else 204)


@router.delete(ENDPOINT, name="graph_store_delete")
@router.delete(ENDPOINT + "/{path:path}", name="graph_store_delete_direct")
def delete(graph: Target = Depends(target), ctx: Context = Depends(context)) -> Response:
    """Drop the graph."""
    if graph.store:
        raise _no_graph("DELETE")
    if not ctx.store.graph_exists(graph.graph):
        raise NotFound(f"{graph} does not exist (holds no triples)")
    ctx.before_raw_write()
    versions.drop_graph(ctx.store, ctx.iris, graph.graph)  # and the change feed's deletions
    return Response(status_code=204)


@router.post(ENDPOINT, name="graph_store_post")
@router.post(ENDPOINT + "/{path:path}", name="graph_store_post_direct")
def post(request: Request, graph: Target = Depends(target), data: bytes = Depends(body),
         ctx: Context = Depends(context)) -> Response:
    """Add the body's triples to the graph; to the store itself, create a graph with a fresh IRI."""
    if graph.store:
        fresh = str(request.url_for("graph_store_post_direct", path=uuid.uuid4().hex))
        ctx.before_raw_write()
        written = ctx.store.load_graph(fresh, documents(request, data, fresh), replace=False)
        if not written:
            raise UsageError("the body holds no triples: a graph exists while it holds triples, "
                             "so there is nothing to create")
        return Response(status_code=201, headers={"Location": fresh})
    parts = documents(request, data, graph.base)
    ctx.before_raw_write()
    existed = ctx.store.graph_exists(graph.graph)
    versions.load_graph(ctx.store, ctx.iris, graph.graph, parts, replace=False)  # and the change feed's versions
    created = not existed and ctx.store.graph_exists(graph.graph)
    return Response(status_code=201 if created else 204)
