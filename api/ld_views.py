"""The HTML of Linked Data URLs: resource pages, documents (the ontology, the shapes) and list
resources, rendered from what sherloc_kg/resource.py read.

Resource pages are explorer pages: ``ld_resource.html`` extends the explorer frame (navigation,
language switch, stylesheet) and is rendered through ``api.explorer.layout``: the facts, the links
out and in grouped by relation (named by their labels), a breadcrumb and type line, the explorer's
own page of a provision or a country, and a picture of the neighbourhood
(``api.explorer.neighbourhood``). Labels and texts come in the language the page is shown in
(``?lang=``, the cookie, ``Accept-Language``) where the data has them, in English otherwise; the
labels a description lacks for a page are read in one query (:func:`page_labels`). Each link only
the inferred graph holds is marked "inferred by a rule, not recorded", with a link to the named
query ``why-inferred`` for its subject and provision.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from sherloc_kg.access import Caller
from sherloc_kg.iris import Iris, is_iso3, parse_provision
from sherloc_kg.namespaces import ELI, ONTOLOGY_IRI
from sherloc_kg.queries import internal
from sherloc_kg.resource import LABEL_LANGUAGES, LISTS, Inference, Listing, Resource

from .context import Context
from .explorer.i18n import N_, interface_language, translations
from .explorer.layout import DEFAULT_LANGUAGE, authority_href, concept_href, law_href, pick, publication_href, url
from .explorer.layout import render as render_page
from .explorer.neighbourhood import Link, picture
from .jsonld_context import CONTEXT_PREFIXES
from .ld_documents import new_graph, resource_triples
from .negotiation import HTML, OFFERS, RESOURCE_OFFERS, Target, content_type, formats

_SAFE_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_LABELS = (
    URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
    URIRef("http://purl.org/dc/terms/title"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2004/02/skos/core#notation"),
)

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
                 inferred: Mapping[tuple[Node, Node, Node], Inference] | None = None) -> None:
        self.base = ctx.settings.base
        self.iris = ctx.iris
        self.graph = graph
        self.wanted = wanted
        self.property_labels = property_labels or {}
        self.labels_in_language = labels_in_language or {}
        self.inferred = inferred or {}

    def why(self, subject: Node, prop: Node, obj: Node) -> str | None:
        """For a link drawn by a rule rather than recorded: the named query ``why-inferred`` on the
        workbench, for its subject (and the provision it points to), which gives the facts behind it."""
        inference = self.inferred.get((subject, prop, obj))
        return None if inference is None else url("/explore/sparql", **inference.parameters)

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
    query = internal("resource-page-labels")
    text = query.with_rows({"s": [URIRef(n) for n in sorted(properties | linked)]})
    found: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in ctx.reads.select(text, bindings=query.bindings({"wanted": wanted}, ctx.iris),
                                dataset=who.dataset(ctx.iris)).rows:
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
    "case": (N_("Case law"), "/explore/search/cases"),
    "country": (N_("Countries"), "/explore/countries"),
    "instrument": (N_("Convention and Protocols"), "/explore/instruments"),
    "legislation": (N_("Legislation"), "/explore/search/legislation"),
    "treaty": (N_("Treaties"), "/explore/search/treaties"),
    "strategy": (N_("Strategies"), "/explore/search/strategies"),
    "publication": (N_("Bibliography"), "/explore/search/publications"),
    "authority": (N_("Competent national authorities"), "/explore/search/authorities"),
    "participation": (N_("Countries"), "/explore/countries"),
}


def _work(graph: Graph, iri: str) -> URIRef | None:
    """The work or subdivision a language version (``eli:LegalExpression``, ``{work}/{tag}``)
    realizes, None for any other resource: ``…/untoc/art/5/fr`` is no provision (item ``fr``) of
    article 5 but its French version (loaders/eli.py)."""
    if (URIRef(iri), RDF.type, ELI.LegalExpression) not in graph:
        return None
    work = graph.value(URIRef(iri), ELI.realizes)
    return work if isinstance(work, URIRef) else URIRef(iri.rsplit("/", 1)[0])


def _provision_crumbs(base: str, reference: str, *, itself: bool = False, lang: str = "en") -> list[tuple[str, str]]:
    """``untoc/art/5/1/a`` → UNTOC, Art. 5, 5(1): the provisions above it, each a link (and
    ``itself``, 5(1)(a), too: the crumbs of a language version of it)."""
    parsed = parse_provision(reference)
    if parsed is None:
        return []
    code, article = parsed.instrument, parsed.article
    crumbs = [(code.upper(), f"/id/instrument/{code}")]
    if article:
        crumbs.append((translations(lang).gettext("Art. %(number)s") % {"number": article},
                       f"/id/instrument/{code}/art/{article}"))
        name, path = article, f"/id/instrument/{code}/art/{article}"
        for part in parsed.parts:
            name, path = f"{name}({part})", f"{path}/{part}"
            crumbs.append((name, path))
    return crumbs if itself else crumbs[:-1]  # the last is the page itself


def breadcrumbs(render: Renderer, iri: str, title: str) -> list[tuple[str, str | None]]:
    """Home, where such records are browsed, the resources above this one, this one (the words of the
    interface in the page's language)."""
    lang = interface_language(render.wanted)
    gettext = translations(lang).gettext
    crumbs: list[tuple[str, str | None]] = [(gettext("Home"), "/")]
    base = render.base
    local = render.iris.relative(iri) or ""
    parts = local.split("/")
    work = _work(render.graph, iri)
    if parts[0] == "id" and len(parts) > 2:
        kind = parts[1]
        if kind in COLLECTIONS:
            label, href = COLLECTIONS[kind]
            crumbs.append((gettext(label), href))
        if kind == "instrument" and work is not None:  # a language version: the work and what is above it
            crumbs += _provision_crumbs(base, "/".join(parts[2:-1]), itself=True, lang=lang)
        elif kind == "instrument":
            crumbs += _provision_crumbs(base, "/".join(parts[2:]), lang=lang)
        else:
            for end in range(3, len(parts)):
                above = URIRef(base + "/".join(parts[:end]))
                if (above, None, None) in render.graph or (None, None, above) in render.graph:
                    crumbs.append((render.label(above) or unquote(parts[end - 1]), "/" + "/".join(parts[:end])))
    elif parts[0] == "vocab" and len(parts) > 2:
        scheme = URIRef(base + "vocab/" + parts[1])
        crumbs.append((render.label(scheme) or parts[1], "/vocab/" + parts[1]))
    elif parts[0] == "graph":
        crumbs.append((gettext("Dataset"), "/dataset"))
    crumbs.append((title, None))
    return crumbs


def explorer_links(iris: Iris, iri: str, graph: Graph | None = None, lang: str = "en") -> list[tuple[str, str]]:
    """The explorer's own page of a resource, when it has one: a provision in the Convention
    browser (``/explore/instruments/untoc/art/5/1``), a country's profile (``/explore/countries/BRA``),
    a case's reader page (``/explore/cases/ALB001``), a law's (``/explore/laws/CAN/W-11.2``, a provision
    of it at its anchor), a vocabulary's or concept's (``/explore/concepts/tip-act/recruitment``), an
    authority's or a publication's (``/explore/authorities/{id}``, ``/explore/publications/{id}``). A language version (``eli:LegalExpression`` in
    ``graph``, ``…/untoc/art/5/fr``) has none: it is no provision."""
    gettext = translations(interface_language(lang)).gettext
    if graph is not None and _work(graph, iri) is not None:
        return []
    reference = iris.below(iri, "id/instrument/")
    if reference is not None and parse_provision(reference) is not None:
        return [(gettext("Read it in the Convention browser"), "/explore/instruments/" + reference)]
    code = iris.below(iri, "id/country/")
    if code is not None and is_iso3(code):
        return [(gettext("Country profile"), "/explore/countries/" + code)]
    case = iris.case_path(iri)
    if case is not None:
        return [(gettext("Read the case page"), "/explore/cases/" + case)]
    concept = concept_href(iris, iri)
    if concept is not None:
        return [(gettext("Read the concept page"), concept)]
    authority = authority_href(iris, iri)
    if authority is not None:
        return [(gettext("Read the authority page"), authority)]
    publication = publication_href(iris, iri)
    if publication is not None:
        return [(gettext("Read the publication page"), publication)]
    law = law_href(iris, iri)
    if law is not None:
        return [(gettext("Read the law page"), law)]
    return []


def resource_view(ctx: Context, target: Target, resource: Resource, *, wanted: str = DEFAULT_LANGUAGE,
                  who: Caller | None = None, offers: tuple[str, ...] = RESOURCE_OFFERS,
                  graph: Graph | None = None) -> PageView:
    """The page of a resource (``offers``: the formats its URL serves, listed on the page; ``graph``:
    what the page shows, when it is more than the resource's description)."""
    graph = graph if graph is not None else new_graph(resource_triples(resource))
    inferred: dict[tuple[Node, Node, Node], Inference] = {
        s.triple: found for s in resource.all() if (found := resource.inference(s, ctx.iris))}
    render = Renderer(ctx, graph, wanted, *page_labels(ctx, who, graph, wanted), inferred=inferred)
    iri, name = resource.iri, str(resource.iri)
    main = render.section(iri)
    types = sorted((render.value(t) for t in graph.objects(iri, RDF.type)), key=lambda v: v.text)
    page, here = resource.page, target.here
    labelled = render.labelled(iri)
    title_lang = labelled[1] if labelled else None
    outgoing, incoming = render.links(iri)
    return PageView(
        title=main.label, iri=name, kind=", ".join(v.text for v in types),
        sections=[main] + [render.section(p, anchor="part-" + str(p)[len(name) + 1:]) for p in resource.parts
                           if (p, None, None) in graph],
        incoming=render.incoming(iri), incoming_total=resource.incoming_total,
        formats=formats(target, page, offers),
        next_page=f"{here}?page={page + 1}" if resource.has_next else None,
        previous_page=(f"{here}?page={page - 1}" if page > 2 else here) if page > 1 else None,
        lang=wanted, title_lang=title_lang,
        title_fallback=bool(title_lang and title_lang.split("-")[0].lower() != wanted),
        types=types, breadcrumbs=breadcrumbs(render, name, main.label),
        explore=explorer_links(render.iris, name, graph, wanted),
        neighbourhood=picture(main.label, render.href(name), outgoing, incoming,
                              incoming_total=resource.incoming_total, lang=interface_language(wanted)),
    )


def document_view(ctx: Context, target: Target, graph: Graph, title: str, iri: str, first: list,
                  *, wanted: str = DEFAULT_LANGUAGE) -> PageView:
    """A document of many resources (the ontology, the shapes): one section per named subject,
    anchored by its fragment so that ``ontology#CourtCase`` lands on it."""
    render = Renderer(ctx, graph, wanted)
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)},
                      key=lambda s: (s not in first, render.curie(str(s))))
    sections = [render.section(s, anchor=str(s).partition("#")[2] or None) for s in subjects]
    home = translations(interface_language(wanted)).gettext("Home")
    return PageView(title=title, iri=iri, kind="document", sections=sections, formats=formats(target),
                    lang=wanted, breadcrumbs=[(home, "/"), (title, None)])


def list_view(ctx: Context, target: Target, listing: Listing, graph: Graph, *,
              wanted: str = DEFAULT_LANGUAGE, who: Caller | None = None) -> PageView:
    """The page of a list resource: its members on this page, each a link named by its label,
    and the way to the next and previous pages."""
    render = Renderer(ctx, graph, wanted, *page_labels(ctx, who, graph, wanted))
    title = LISTS[listing.kind][1]
    members = sorted((render.value(m) for m in listing.members), key=lambda v: (v.text.lower(), v.href or ""))
    first = listing.page * listing.size - listing.size + 1
    shown = f"{title}: {first}-{first + len(members) - 1} of {listing.total}" if members else f"{title}: none"
    section = Section(shown, str(listing.iri), None, [
        Fact("rdf:type", render.href(str(listing.cls)), [render.value(listing.cls)], label="members are", links=True),
        Fact("hydra:member", None, members, label="members", links=True)])
    page, here = listing.page, target.here
    return PageView(title=title, iri=str(listing.iri), kind="list", sections=[section],
                    formats=formats(target, page, OFFERS), lang=wanted,
                    next_page=f"{here}?page={page + 1}" if listing.has_next else None,
                    previous_page=(f"{here}?page={page - 1}" if page > 2 else here) if page > 1 else None,
                    breadcrumbs=[(translations(interface_language(wanted)).gettext("Home"), "/"), (title, None)])



def html_response(request: Request, view: PageView, headers: dict[str, str], who: Caller | None = None) -> Response:
    """The page ``view`` in the explorer frame (``ld_resource.html``)."""
    body = render_page(request, "ld_resource.html", title=view.title, who=who, page=view).body
    return Response(body, media_type=content_type(HTML), headers=headers)
