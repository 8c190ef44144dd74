"""Dereferenceable Linked Data: every IRI under the base answers at the same path on this server.

    /id/{path}, /vocab/{path}   a resource: its own triples, those of its sub-resources
                                (``{case}/defendant/1``), the labels of what it links to, and the
                                links made to it (who cites it), with the labels of who cites it
    /id/{kind}                  a list resource: every record of a kind (``/id/case``,
                                ``/id/legislation``, ... :data:`sherloc_kg.resource.LISTS`), paged
    /ontology                   the ontology graph, as a document (terms are ``ontology#Term``)
    /shapes, /shapes/{name}     the SHACL shapes, all files or one (``{base}shapes/cases``)
    /graph/{name}               a named graph: its size and what it holds (VoID), not its dump
    /context.jsonld             the JSON-LD ``@context`` every JSON-LD document here carries inline

Formats: HTML, Turtle, JSON-LD, RDF/XML and N-Triples (a resource also TriG and N-Quads, with the
graph of each statement), chosen by ``Accept`` or by a suffix (``/id/case/BRA001.ttl``; a suffix
wins over ``Accept``: api/negotiation.py). Every response names the document it served in
``Content-Location`` (the suffixed URL) and the other formats in ``Link: rel="alternate"``; a
negotiated one also says ``Vary: Accept`` and links the resource to its RDF documents with
``rel="describedby"``.

Incoming links are paged: a description carries at most :data:`INCOMING_PAGE` of them (ordered by
property, then by the citing resource); when there are more, ``Link: rel="next"`` names the next
page (``?page=2``), the HTML page links to it and the document says so in its data (Hydra,
api/ld_documents.py). Every page repeats the resource's own triples. A list resource is paged the
same way, :data:`sherloc_kg.resource.LIST_PAGE` members a page, each page a
``hydra:PartialCollectionView`` of the list, a ``hydra:Collection``.

What a resource is, is read once by :func:`sherloc_kg.resource.read`, over the graphs the caller
may see (``Caller.dataset``): a restricted triple never reaches the public, and a resource that
only the restricted graphs know is, for the public, as unknown as one nobody knows: 404, in the
format asked. This module routes; the documents are api/ld_documents.py's, the pages
api/ld_views.py's, the JSON of the same reading api/resource_json.py's.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotAcceptable, UsageError
from sherloc_kg.iris import GRAPHS, STATE_GRAPHS, Iris, is_iso3
from sherloc_kg.namespaces import ONTOLOGY_IRI
from sherloc_kg.queries import internal
from sherloc_kg.reference import read_turtle
from sherloc_kg.resource import INCOMING_PAGE, LISTS, Page, Resource, read, read_list, rules_by_property

from .context import Context, caller, context, reading
from .errors import UnknownResource
from .explorer.layout import language
from .jsonld_context import CONTEXT_PREFIXES, context_document
from .ld_documents import (DATASET_FORMATS, Triple, dataset_document, incoming_pages, listing_triples, new_graph,
                           resource_triples, respond)
from .ld_views import PageView, document_view, html_response, list_view, resource_view
from .negotiation import HTML, JSONLD, OFFERS, RESOURCE_OFFERS, Target, content_type, link_headers, split_suffix, \
    targets

router = APIRouter()

__all__ = ["GRAPH_DESCRIPTIONS", "INCOMING_PAGE", "router"]

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


def _unknown(target: Target, iri: str) -> UnknownResource:
    """The 404 of a linked-data URL, answered in the format asked (api/errors.py)."""
    return UnknownResource(iri, target.media, target.negotiated)


def _read(ctx: Context, who: Caller, iri: str, page: int = 1) -> Resource | None:
    """What ``who`` may see of ``iri`` (None: nothing, or no IRI)."""
    try:
        resource = read(ctx.reads, ctx.iris, iri, who.dataset(ctx.iris), window=Page(page),
                        rules=rules_by_property(ctx.settings.queries_dir / "rules"))
    except UsageError:
        return None
    return resource if resource.known else None


def _document(request: Request, target: Target, triples: list[Triple], view: PageView | None,
              headers: dict[str, str], who: Caller | None = None) -> Response:
    """The answer: the page (``view``) or the RDF document of ``triples``, as ``target`` asks."""
    if target.media == HTML:
        assert view is not None
        return html_response(request, view, headers, who)
    return respond(triples, target.media, request, headers)


# -- resources -------------------------------------------------------------------------------------

def _resource(request: Request, ctx: Context, who: Caller, page: int) -> Response:
    readings = targets(request, RESOURCE_OFFERS)
    for target in readings:
        kind = ctx.iris.below(str(ctx.iris.at(target.path)), "id/")
        if kind in LISTS:
            return _list(request, ctx, who, target, kind, page)
        resource = _read(ctx, who, str(ctx.iris.at(target.path)), page)
        if resource is None:
            continue
        headers = link_headers(target, page=page, has_next=resource.has_next, offers=RESOURCE_OFFERS,
                               describes_thing=True)
        if target.media == HTML:
            return html_response(request, resource_view(ctx, target, resource, wanted=language(request), who=who),
                                 headers, who)
        paging = incoming_pages(request, resource)
        if target.media in DATASET_FORMATS:
            return Response(dataset_document(resource, paging, target.media),
                            media_type=content_type(target.media), headers=headers)
        return respond([*resource_triples(resource), *paging], target.media, request, headers)
    first = readings[0]
    raise _unknown(first, str(ctx.iris.at(first.path)))


def _list(request: Request, ctx: Context, who: Caller, target: Target, kind: str, page: int) -> Response:
    """A page of the list resource ``{base}id/{kind}``: a Hydra collection of every record of the kind."""
    if target.media not in OFFERS:
        raise NotAcceptable(f"a list resource is served as {', '.join(OFFERS)}, not {target.media}")
    listing = read_list(ctx.reads, ctx.iris, kind, who.dataset(ctx.iris), page)
    headers = link_headers(target, page=page, has_next=listing.has_next, offers=OFFERS, describes_thing=True)
    triples = listing_triples(request, listing)
    view = (list_view(ctx, target, listing, new_graph(triples), wanted=language(request), who=who)
            if target.media == HTML else None)
    return _document(request, target, triples, view, headers, who)


@router.get("/id/{path:path}", summary="Dereference a resource IRI")
@router.head("/id/{path:path}", include_in_schema=False)
def resource(request: Request, path: str, page: int = Query(1, ge=1, description="page of incoming links "
                                                            "(of members, for a list resource such as /id/case)"),
             ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    """A record, provision, country, court... in HTML, Turtle, JSON-LD, RDF/XML, N-Triples, TriG or
    N-Quads; ``/id/case``, ``/id/legislation``...: every record of the kind, a paged Hydra collection."""
    return _resource(request, ctx, who, page)


@router.get("/vocab/{path:path}", summary="Dereference a concept or scheme IRI")
@router.head("/vocab/{path:path}", include_in_schema=False)
def vocabulary(request: Request, path: str, page: int = Query(1, ge=1, description="page of incoming links"),
               ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    """A SKOS concept or concept scheme, with the records that use it (incoming links)."""
    return _resource(request, ctx, who, page)


# -- documents: the ontology, the shapes -------------------------------------------------------------

@router.get("/ontology", summary="The ontology")
@router.head("/ontology", include_in_schema=False)
@router.get("/ontology.{ext}", include_in_schema=False)
@router.head("/ontology.{ext}", include_in_schema=False)
def ontology(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    """The ontology graph; its terms are ``ontology#Term`` and the HTML page has an anchor for each."""
    target = targets(request)[0]
    if target.path != "/ontology":
        raise _unknown(target, str(ctx.iris.at(target.path)))
    query = internal("resource-graph-triples")
    rows = ctx.reads.select(query.text, bindings=query.bindings({"graph": str(ctx.iris.graph("ontology"))}, ctx.iris),
                            dataset=who.dataset(ctx.iris)).rows
    triples: list[Triple] = [(row["s"], row["p"], row["o"]) for row in rows]
    if not triples:
        raise _unknown(target, ONTOLOGY_IRI)
    view = (document_view(ctx, target, new_graph(triples), "SHERLOC-KG ontology", ONTOLOGY_IRI,
                          [URIRef(ONTOLOGY_IRI)], wanted=language(request))
            if target.media == HTML else None)
    return _document(request, target, triples, view, link_headers(target), who)


@lru_cache(maxsize=32)
def _shapes(directory: str, base: str, name: str | None) -> Graph:
    files = sorted(Path(directory).glob("*.ttl")) if name is None else [Path(directory) / f"{name}.ttl"]
    graph = new_graph(read_turtle(files, Iris(base)))
    graph.bind("sh", CONTEXT_PREFIXES["sh"])
    return graph


def _shapes_response(request: Request, ctx: Context, name: str | None) -> Response:
    target = targets(request)[0]
    directory = ctx.settings.shapes_dir
    if name is not None:
        name = split_suffix(name)[0]
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
    return _document(request, target, list(graph), view, link_headers(target))


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


# -- named graphs --------------------------------------------------------------------------------------

@router.get("/graph/{family}/{country}", summary="Describe one State's restricted graph")
@router.head("/graph/{family}/{country}", include_in_schema=False)
def state_graph_description(request: Request, family: str, country: str, ctx: Context = Depends(reading),
                            who: Caller = Depends(caller)) -> Response:
    """One State's graph of a family kept per State (``review-restricted/XAA``), as
    :func:`graph_description` describes a graph; unknown to a caller who may not read it."""
    country = split_suffix(country)[0]
    if family not in STATE_GRAPHS or not is_iso3(country):
        raise _unknown(targets(request)[0], str(ctx.iris.at(targets(request)[0].path)))
    return _graph_description(request, f"{family}/{country}", ctx, who,
                              f"{GRAPH_DESCRIPTIONS[family]} Those of State {country}.")


@router.get("/graph/{name}", summary="Describe a named graph")
@router.head("/graph/{name}", include_in_schema=False)
def graph_description(request: Request, name: str, ctx: Context = Depends(reading),
                      who: Caller = Depends(caller)) -> Response:
    """A named graph described in VoID: its size, its classes and how many of each; not its dump.
    A restricted graph is, for a caller who may not read it, unknown."""
    name = split_suffix(name)[0]
    if name not in GRAPHS:
        raise _unknown(targets(request)[0], str(ctx.iris.at(targets(request)[0].path)))
    return _graph_description(request, name, ctx, who, GRAPH_DESCRIPTIONS[name])


def _graph_description(request: Request, name: str, ctx: Context, who: Caller, text: str) -> Response:
    target = targets(request)[0]
    iri = str(ctx.iris.graph(name))
    if not who.may_see(iri, ctx.iris):
        raise _unknown(target, str(ctx.iris.at(target.path)))
    dataset = who.dataset(ctx.iris)
    resource = read(ctx.reads, ctx.iris, iri, dataset, rules=rules_by_property(ctx.settings.queries_dir / "rules"))
    node = URIRef(iri)
    void = lambda term: URIRef(_VOID + term)  # noqa: E731
    triples: list[Triple] = [*resource_triples(resource),
                             (node, RDF.type, void("Dataset")),
                             (node, URIRef("http://purl.org/dc/terms/title"), Literal(name)),
                             (node, URIRef("http://purl.org/dc/terms/description"), Literal(text, lang="en")),
                             (node, void("triples"), Literal(ctx.reads.count(iri)))]
    bindings = internal("resource-graph-subjects").bindings({"graph": iri}, ctx.iris)
    subjects = ctx.reads.select(internal("resource-graph-subjects").text, bindings=bindings, dataset=dataset).rows[0]
    triples.append((node, void("distinctSubjects"), Literal(int(subjects["n"]))))
    for row in ctx.reads.select(internal("resource-graph-classes").text, bindings=bindings, dataset=dataset).rows:
        partition = BNode()
        triples += [(node, void("classPartition"), partition), (partition, void("class"), row["class"]),
                    (partition, void("entities"), Literal(int(row["n"])))]
    view = (resource_view(ctx, target, resource, wanted=language(request), who=who, offers=OFFERS,
                          graph=new_graph(triples))
            if target.media == HTML else None)
    return _document(request, target, triples, view, link_headers(target), who)


@router.get("/context.jsonld", summary="The JSON-LD context")
@router.head("/context.jsonld", include_in_schema=False)
def jsonld_context() -> Response:
    """The ``@context`` every JSON-LD document of this server carries inline."""
    body = json.dumps(context_document(), indent=1).encode("utf-8")
    return Response(body, media_type=content_type(JSONLD), headers={"Cache-Control": "public, max-age=86400"})
