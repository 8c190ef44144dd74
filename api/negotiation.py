"""Content negotiation, in one place for every route: which media type an ``Accept`` header (or a
file suffix) asks for, among the ones a route can produce.

Accept parsing follows RFC 9110: media ranges with ``q`` weights, ``type/*`` and ``*/*``; among
equally weighted ranges the more specific one wins, and among offers the route's order decides.
A JSON-LD range may name a ``profile`` (expanded or compacted, :func:`jsonld_profile`); the
Content-Type answered names the profile served. :func:`graph_document` renders a graph in the
syntax chosen, so every route that answers with an RDF graph (Linked Data, ``/dataset``, the
SPARQL service description) gives JSON-LD the same way: compacted with its context inline, or
expanded, as asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from sherloc_kg.errors import NotAcceptable

from .jsonld_context import COMPACTED, PROFILES, jsonld_document

JSONLD = "application/ld+json"

#: Results of SELECT and ASK, first one the default.
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
#: Graphs (CONSTRUCT, DESCRIBE, Linked Data descriptions), first one the default.
GRAPH_TYPES = (
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
)
#: rdflib's names of the graph syntaxes besides JSON-LD (which :func:`graph_document` renders itself).
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt"}
#: Datasets: graphs with their graph names.
DATASET_TYPES = ("application/n-quads", "application/trig")

#: Names clients use for the same format.
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
}

#: File suffixes of Linked Data URLs (``/id/case/BRA016.ttl``).
SUFFIXES = {
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".nt": "application/n-triples",
    ".html": "text/html",
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int
    profile: tuple[str, ...] = ()   # the IRIs of a ``profile`` parameter

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; an absent or empty header accepts everything."""
    ranges = []
    for order, item in enumerate((header or "*/*").split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        media = ALIASES.get(media, media)
        kind, slash, sub = media.partition("/")
        if not slash:
            kind, sub = media, "*"
        q = 1.0
        profile: tuple[str, ...] = ()
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            name = name.strip().lower()
            if name == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif name == "profile":
                profile = tuple(value.strip().strip('"').split())
        ranges.append(MediaRange(kind, sub, q, order, profile))
    return ranges or [MediaRange("*", "*", 1.0, 0)]


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q the client gives ``media_type``: that of the most specific range matching it. An offer
    is read through :data:`ALIASES` as the ranges are, so a resource offering plain
    ``application/json`` (a report, not SPARQL results) is what ``Accept: application/json`` gets."""
    media_type = ALIASES.get(media_type, media_type)
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    return max(matching, key=lambda r: (r.specificity, -r.order)).q


def choose(accept: str | None, offers: tuple[str, ...] | list[str]) -> str:
    """The best of ``offers`` for this Accept header; ties go to the earlier offer.
    Raises NotAcceptable when the client accepts none of them."""
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    if best is None:
        raise NotAcceptable(f"none of the formats this resource has is acceptable: {', '.join(offers)}")
    return best


def jsonld_profile(accept: str | None) -> str:
    """The JSON-LD form the client asks for: the first known profile of the most wanted
    ``application/ld+json`` range that names one, :data:`COMPACTED` when none does."""
    named = [r for r in parse_accept(accept)
             if (r.type, r.subtype) == ("application", "ld+json") and r.q > 0 and r.profile]
    for wanted in sorted(named, key=lambda r: (-r.q, r.order)):
        known = [p for p in wanted.profile if p in PROFILES]
        if known:
            return known[0]
    return COMPACTED


def content_type(media_type: str, profile: str | None = None) -> str:
    """The Content-Type header for a media type: text formats say they are UTF-8; JSON-LD names
    the ``profile`` served, when given."""
    if profile is not None:
        media_type = f'{media_type}; profile="{profile}"'
    if media_type.startswith("text/") or media_type.partition(";")[0].endswith(
            ("+json", "+xml", "/n-triples", "/n-quads", "/trig", "/json")):
        return f"{media_type}; charset=utf-8"
    return media_type


def graph_document(graph: Graph, media_type: str, accept: str | None) -> tuple[bytes, str]:
    """``graph`` in ``media_type`` (one of :data:`GRAPH_TYPES`) and the Content-Type to send it with.
    JSON-LD comes in the form the ``Accept`` header's profile asks (:func:`jsonld_profile`): compacted,
    with the published context inline, or expanded; either parses alone (api/jsonld_context.py)."""
    if media_type == JSONLD:
        profile = jsonld_profile(accept)
        return jsonld_document(graph, profile), content_type(media_type, profile)
    return graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8"), content_type(media_type)
