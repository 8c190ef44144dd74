"""The RDF documents of Linked Data URLs, rendered from what sherloc_kg/resource.py read.

- A resource (:class:`Resource`): its statements, the labels it carries and the links to it, as
  Turtle, RDF/XML and N-Triples by the engine's serialisers (pyoxigraph), as TriG and N-Quads with
  the named graph of each statement (an inferred link in graph ``inferred``), and as JSON-LD
  (compacted against the published context, api/jsonld_context.py, through rdflib, which compacts).
- Paging in the data (Hydra): where a resource has more incoming links than one page carries,
  they are a ``hydra:Collection`` (``{document}#incoming``, ``hydra:totalItems``) and the document
  its ``hydra:PartialCollectionView`` with ``hydra:first``, ``hydra:last`` and, where they exist,
  ``hydra:previous``/``hydra:next``: a client that reads only the document finds every page.
- A list resource (:class:`Listing`, ``{base}id/case``...): itself a ``hydra:Collection`` of
  every record of its kind, ``hydra:member`` the records on this page (with their labels), the
  page its ``hydra:PartialCollectionView`` as above.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from sherloc_kg.namespaces import HYDRA
from sherloc_kg.resource import Listing, Resource
from sherloc_kg.store.terms import to_oxigraph

from .jsonld_context import CONTEXT_PREFIXES
from .jsonld_context import jsonld_document
from .negotiation import JSONLD, content_type, jsonld_profile

Triple = tuple[Node, Node, Node]

#: The engine's syntaxes for the RDF documents.
ENGINE_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
                  "application/n-triples": ox.RdfFormat.N_TRIPLES, "application/trig": ox.RdfFormat.TRIG,
                  "application/n-quads": ox.RdfFormat.N_QUADS}
DATASET_FORMATS = ("application/trig", "application/n-quads")


def new_graph(triples: Iterable[Triple] = ()) -> Graph:
    """An rdflib graph with the published prefixes bound, holding ``triples``."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in CONTEXT_PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)
    return graph


def resource_triples(resource: Resource) -> list[Triple]:
    """Every triple of a resource's description."""
    return [statement.triple for statement in resource.all()]


def _ox_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    assert isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef) and isinstance(o, (URIRef, BNode, Literal))
    subject = to_oxigraph(s)
    assert not isinstance(subject, ox.Literal)
    return ox.Triple(subject, ox.NamedNode(str(p)), to_oxigraph(o))


def rdf_document(triples: Iterable[Triple], media_type: str, accept: str | None) -> tuple[bytes, str]:
    """``triples`` in ``media_type`` (Turtle, RDF/XML, N-Triples by the engine; JSON-LD compacted
    or expanded as the ``Accept`` header's profile asks) and the Content-Type to send it with."""
    if media_type == JSONLD:
        profile = jsonld_profile(accept)
        return jsonld_document(new_graph(triples), profile), content_type(media_type, profile)
    body = ox.serialize([_ox_triple(*t) for t in triples], format=ENGINE_FORMATS[media_type],
                        prefixes=dict(CONTEXT_PREFIXES))
    assert body is not None  # no output given: the bytes are returned
    return body, content_type(media_type)


def dataset_document(resource: Resource, paging: Iterable[Triple], media_type: str) -> bytes:
    """The description as a dataset, by the engine's serialiser: each triple in the named graph
    that holds it (a triple in several graphs, in each), the paging triples in the default graph."""
    def quad(triple: ox.Triple, graph: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
        return ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    quads = [quad(_ox_triple(s, p, o), ox.NamedNode(g)) for s, p, o, g in resource.quads()]
    quads += [quad(_ox_triple(s, p, o), ox.DefaultGraph()) for s, p, o in paging]
    body = ox.serialize(quads, format=ENGINE_FORMATS[media_type], prefixes=dict(CONTEXT_PREFIXES))
    assert body is not None
    return body


def respond(triples: Iterable[Triple], media_type: str, request: Request, headers: dict[str, str]) -> Response:
    """An RDF document of ``triples`` as the response, in ``media_type``."""
    if media_type == JSONLD:  # a .jsonld document too depends on Accept: its profile
        headers = {**headers, "Vary": "Accept"}
    body, content = rdf_document(list(triples), media_type, request.headers.get("accept"))
    return Response(body, media_type=content, headers=headers)


# -- paging in the data (Hydra) ----------------------------------------------------------------------

def here(request: Request) -> str:
    """The absolute URL of the document asked for, without its query (its first page)."""
    return str(request.url.replace(query=""))


def view(collection: URIRef, document: str, page: int, total: int, size: int) -> list[Triple]:
    """``collection`` (``hydra:totalItems`` ``total``) seen through page ``page`` of ``document``
    (its first page; the others are ``?page=n``), a ``hydra:PartialCollectionView`` with its
    first, last, previous and next pages."""
    def at(number: int) -> URIRef:
        return URIRef(document if number == 1 else f"{document}?page={number}")

    current = at(page)
    triples: list[Triple] = [
        (collection, RDF.type, HYDRA.Collection), (collection, HYDRA.totalItems, Literal(total)),
        (collection, HYDRA.view, current), (current, RDF.type, HYDRA.PartialCollectionView),
        (current, HYDRA.first, at(1)), (current, HYDRA.last, at(max(1, -(-total // size)))),
    ]
    if page > 1:
        triples.append((current, HYDRA.previous, at(page - 1)))
    if page * size < total:
        triples.append((current, HYDRA.next, at(page + 1)))
    return triples


def incoming_pages(request: Request, resource: Resource) -> list[Triple]:
    """Where the resource's incoming links are paged (more than one page), the pages in the data:
    the links a ``hydra:Collection`` ``{document}#incoming`` (a subject and a property each), this
    document its view (else no triple)."""
    if resource.incoming_total <= resource.page_size:
        return []
    document = here(request)
    return view(URIRef(document + "#incoming"), document, resource.page, resource.incoming_total, resource.page_size)


def listing_triples(request: Request, listing: Listing) -> list[Triple]:
    """A page of a list resource: the collection, its members on this page and their labels, the view."""
    triples = view(listing.iri, here(request), listing.page, listing.total, listing.size)
    triples += [(listing.iri, HYDRA.member, member) for member in listing.members]
    triples += [statement.triple for statement in listing.labels]
    return triples
