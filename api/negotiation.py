"""Content negotiation, in one place for every route: which media type an ``Accept`` header (or a
file suffix) asks for, among the ones a route can produce.

Accept parsing follows RFC 9110: media ranges with ``q`` weights, ``type/*`` and ``*/*``; among
equally weighted ranges the more specific one wins, and among offers the route's order decides.
A JSON-LD range may name a ``profile`` (expanded or compacted, :func:`jsonld_profile`); the
Content-Type answered names the profile served. :func:`graph_document` renders a graph in the
syntax chosen, so every route that answers with an RDF graph (Linked Data, ``/dataset``, the
SPARQL service description) gives JSON-LD the same way: compacted with its context inline, or
expanded, as asked.

Linked Data URLs (``/id/...``, ``/vocab/...``, ``/ontology``, ``/shapes``, ``/graph/...``) also name
their format by a suffix (``/id/case/BRA001.ttl``; a suffix wins over ``Accept``): :func:`targets`
reads such a request as the resource's path and the format to serve (:class:`Target`), and
:func:`link_headers` names the document served (``Content-Location``), the other formats
(``Link: rel="alternate"``), the RDF documents of a thing (``rel="describedby"``) and the pages
around a paged one (``rel="first|prev|next"``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
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

#: The short names a ``format`` parameter may give a format by (``/sparql?format=csv``, ``/dataset?format=ttl``).
SHORT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",), "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",), "ttl": ("text/turtle",), "n3": ("text/turtle",),
    "json-ld": ("application/ld+json",), "jsonld": ("application/ld+json",),
    "rdf": ("application/rdf+xml",), "rdfxml": ("application/rdf+xml",), "rdf/xml": ("application/rdf+xml",),
    "nt": ("application/n-triples",), "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",), "nquads": ("application/n-quads",),
    "n-quads": ("application/n-quads",), "trig": ("application/trig",),
}


def named_format(value: str | None, offers: tuple[str, ...]) -> str | None:
    """The offer a ``format`` parameter names, by media type or short name (:data:`SHORT_NAMES`);
    None when it names none (then Accept decides). Not HTTP, but what an HTML link or form (which
    cannot set Accept) and clients such as SPARQLWrapper send."""
    value = (value or "").strip().lower()
    for media_type in offers:
        if value == media_type or media_type in SHORT_NAMES.get(value, ()):
            return media_type
    return None


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


# -- Linked Data URLs: which resource, which format ------------------------------------------------

HTML = "text/html"
#: What a Linked Data URL can be served as; HTML first, so a browser (or ``*/*``) gets the page.
OFFERS = (HTML,) + GRAPH_TYPES
#: A resource's description is also a dataset: each triple with the named graph that holds it
#: (TriG, N-Quads), so that inferred statements (graph ``inferred``) show as such.
RESOURCE_OFFERS = OFFERS + DATASET_TYPES
RESOURCE_SUFFIXES = {**SUFFIXES, ".trig": "application/trig", ".nq": "application/n-quads"}
#: media type -> the suffix of its document (the reverse of the suffix tables).
SUFFIX_OF = {media: suffix for suffix, media in RESOURCE_SUFFIXES.items()}
#: How a page names each format.
FORMAT_NAMES = {HTML: "HTML", "text/turtle": "Turtle", JSONLD: "JSON-LD", "application/rdf+xml": "RDF/XML",
                "application/n-triples": "N-Triples", "application/trig": "TriG (with graph names)",
                "application/n-quads": "N-Quads (with graph names)"}


def raw_path(request: Request) -> str:
    """The path as sent (still percent-encoded), so that an id holding ``/`` or ``#`` survives."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    return path.split("?", 1)[0]


def split_suffix(path: str, suffixes: dict[str, str] = SUFFIXES) -> tuple[str, str | None]:
    """``/id/x.ttl`` -> (``/id/x``, Turtle); a path without a known suffix -> (path, None)."""
    for suffix, media in suffixes.items():
        if path.endswith(suffix) and len(path) > len(suffix) and not path.endswith("/" + suffix):
            return path[: -len(suffix)], media
    return path, None


@dataclass
class Target:
    path: str            # the local path of the resource, without suffix: "/id/case/BRA001"
    media: str           # the format to serve
    negotiated: bool     # chosen by Accept (Vary: Accept) rather than by suffix

    @property
    def here(self) -> str:
        """The URL path of the document served, as asked: suffixed unless negotiated."""
        return self.path + ("" if self.negotiated else SUFFIX_OF[self.media])


def targets(request: Request, offers: tuple[str, ...] = OFFERS) -> list[Target]:
    """The readings of a request, most likely first: ``/id/x.ttl`` is ``/id/x`` in Turtle, unless
    no ``/id/x`` exists and ``/id/x.ttl`` itself is an IRI (an id ending in a suffix). ``offers``:
    what the route serves (a resource: also TriG and N-Quads)."""
    path = raw_path(request)
    suffixes = RESOURCE_SUFFIXES if offers == RESOURCE_OFFERS else SUFFIXES
    stripped, suffix_media = split_suffix(path, suffixes)
    accept = request.headers.get("accept")
    if suffix_media:
        readings = [Target(stripped, suffix_media, False)]
        try:
            readings.append(Target(path, choose(accept, offers), True))
        except NotAcceptable:  # the second reading is only a fallback
            pass
        return readings
    return [Target(path, choose(accept, offers), True)]


def link_headers(target: Target, *, page: int = 1, has_next: bool = False,
                 offers: tuple[str, ...] = OFFERS, describes_thing: bool = False) -> dict[str, str]:
    """``Content-Location``, ``Link`` (alternates, describedby, first/prev/next) and ``Vary`` of a
    Linked Data answer: ``offers`` the formats its URL serves, ``describes_thing`` when it
    describes a thing rather than being a document itself."""
    query = f"?page={page}" if page > 1 else ""
    links = [f'<{target.path}{SUFFIX_OF[m]}{query}>; rel="alternate"; type="{m}"' for m in offers if m != target.media]
    if describes_thing and target.negotiated:
        links += [f'<{target.path}{SUFFIX_OF[m]}{query}>; rel="describedby"; type="{m}"'
                  for m in offers if m != HTML]
    if page > 1:
        links.append(f'<{target.here}>; rel="first"')
        links.append(f'<{target.here}{"?page=" + str(page - 1) if page > 2 else ""}>; rel="prev"')
    if has_next:
        links.append(f'<{target.here}?page={page + 1}>; rel="next"')
    headers = {"Content-Location": f"{target.path}{SUFFIX_OF[target.media]}{query}", "Link": ", ".join(links)}
    if target.negotiated:
        headers["Vary"] = "Accept"
    return headers


def formats(target: Target, page: int = 1, offers: tuple[str, ...] = OFFERS) -> list[tuple[str, str]]:
    """(name, URL) of each format ``target``'s URL serves, for a page to list."""
    query = f"?page={page}" if page > 1 else ""
    return [(FORMAT_NAMES[m], f"{target.path}{SUFFIX_OF[m]}{query}") for m in offers]
