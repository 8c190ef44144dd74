"""A vocabulary concept and a vocabulary as their reader pages show them (issue 18), as JSON:

    GET /api/concepts/{scheme}             a vocabulary (crime types, TIP acts...): its name and
                                           definition, its concepts by label, as a hierarchy
    GET /api/concepts/{scheme}/{notation}  a concept: its label in the language asked for (else the
                                           fallback, marked), alternative labels, definition and
                                           scope note, its broader, narrower and related concepts,
                                           the provisions of the Convention and its Protocols it is
                                           defined in or tied to (in words), and what uses it: the
                                           records of each search that filters by it, counted, with
                                           the search's link, and how many resources refer to it

The JSON twins (api/explorer/twins.py) of ``/explore/concepts/...`` (:mod:`api.explorer.concepts`),
which render the same models. The data come from three internal queries (``concept-page``,
``concept-scheme-members``, ``concept-uses``, sparql/internal/) and the search's own count
(:func:`sherloc_kg.search.count`, so a count is what its link lists), over the caller's graphs. A
concept's IRI is ``{base}vocab/{scheme}/{notation}`` (:meth:`Iris.concept`).

Open world: a use is counted from what the database holds; a count of none is said as the number
the data gives, never as "not used". A fact the vocabulary does not hold is left out. Labels and
texts come in the language asked for where the vocabulary has them, else in English. The
vocabulary's files list concepts in an order the RDF does not keep: the pages list them by label.
"""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal

from sherloc_kg import search as core
from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound
from sherloc_kg.parameters import NOTATION
from sherloc_kg.queries import internal

from .context import Context, caller, reading
from .explorer import i18n, twins
from .explorer.finder import KINDS as KIND_TITLES
from .explorer.layout import Picked, concept_href, language, pick, url
from .instruments import provision_words

router = APIRouter(tags=["concepts"], dependencies=[Depends(twins.links_back)])



class ConceptLink(BaseModel):
    """A concept by its label in the language asked for (else the fallback), with its reader page."""

    iri: str
    label: str
    lang: str | None = Field(description="The label's language (None: untagged).")
    href: str | None = Field(description="Its reader page (/explore/concepts/...).")


class Provision(BaseModel):
    reference: str = Field(description="The provision's reference, e.g. tip/art/3/a.")
    label: str = Field(description="The provision in words: Trafficking in Persons Protocol, Article 3 (a).")
    href: str = Field(description="Its page in the Convention browser.")


class Use(BaseModel):
    kind: str = Field(description="The search's record kind: cases, legislation, strategies, publications...")
    title: str = Field(description="The records' kind in words, in the language asked for.")
    filter: str = Field(description="The search's parameter: crime_type, issue, tip_act, tip_means, tip_purpose.")
    count: int = Field(description="How many records of the kind the search lists (narrower concepts count too).")
    href: str = Field(description="The search that lists them.")


class Member(BaseModel):
    iri: str
    notation: str
    label: str
    lang: str | None
    href: str
    narrower: list["Member"] = Field(default_factory=list)


class ConceptData(BaseModel):
    """A concept, what the vocabulary says of it and what uses it."""

    language: str
    scheme: str
    notation: str
    iri: str
    resource: str = Field(description="Its linked-data page (the RDF view).")
    label: Picked
    alt_labels: list[Picked] = Field(description="Other names, in the language asked for where it has them.")
    definition: Picked | None
    scope_note: Picked | None
    vocabulary: ConceptLink = Field(description="Its scheme, with the scheme's reader page.")
    broader: list[ConceptLink]
    narrower: list[ConceptLink]
    related: list[ConceptLink]
    provisions: list[Provision] = Field(description="The provisions it is defined in or tied to (rdfs:seeAlso).")
    uses: list[Use] = Field(description="The searches that filter by it, with what they list.")
    referred: int = Field(description="How many resources refer to it directly (its RDF view lists them).")


class SchemeData(BaseModel):
    """A vocabulary and its concepts."""

    language: str
    scheme: str
    iri: str
    resource: str = Field(description="Its linked-data page (the RDF view).")
    label: Picked
    definition: Picked | None
    scope_note: Picked | None
    provisions: list[Provision]
    concepts: list[Member] = Field(description="Its concepts by label, each with its narrower concepts.")


def _facts(ctx: Context, who: Caller, iri: str) -> tuple[dict[str, dict[str | None, str]],
                                                          dict[str, dict[str, dict[str | None, str]]]]:
    """What ``concept-page`` gives: literals by field and language; IRIs by field, with their labels."""
    query = internal("concept-page")
    rows = ctx.reads.select(query.text, bindings=query.bindings({"concept": iri}, ctx.iris),
                            dataset=who.dataset(ctx.iris)).rows
    texts: dict[str, dict[str | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    values: dict[str, dict[str, dict[str | None, str]]] = defaultdict(dict)
    for row in rows:
        field, value = str(row["field"]), row["value"]
        if isinstance(value, Literal):
            texts[field][value.language].add(str(value))
            continue
        labels = values[field].setdefault(str(value), {})
        label = row.get("label")
        if isinstance(label, Literal):
            labels.setdefault(label.language, str(label))
    # several texts of one field in one language (a scheme's scope notes): all of them, in one order
    literals = {field: {language: " ".join(sorted(found)) for language, found in by_language.items()}
                for field, by_language in texts.items()}
    return literals, values


def _linked(ctx: Context, iri: str, labels: dict[str | None, str], wanted: str) -> ConceptLink:
    chosen = pick(labels, wanted)
    href = concept_href(ctx.iris, iri)
    if chosen is None:  # no label: the last segment of its IRI (the RDF view has the IRI)
        return ConceptLink(iri=iri, label=iri.rstrip("/").rsplit("/", 1)[-1], lang=None, href=href)
    return ConceptLink(iri=iri, label=chosen.text, lang=chosen.lang, href=href)


def _provisions(ctx: Context, values: dict[str, dict[str | None, str]], wanted: str) -> list[Provision]:
    references = sorted({r for iri in values if (r := ctx.iris.provision_reference(iri))})
    return [Provision(reference=r, label=provision_words(r, wanted), href="/explore/instruments/" + r)
            for r in references]


def _named(scheme: str, notation: str | None = None) -> None:
    if not NOTATION.fullmatch(scheme) or (notation is not None and not NOTATION.fullmatch(notation)):
        raise NotFound("This is not the name of a vocabulary or of one of its concepts.")


def concept(ctx: Context, who: Caller, scheme: str, notation: str, wanted: str) -> ConceptData:
    """The concept ``notation`` of the vocabulary ``scheme``; NotFound when the caller's graphs hold none."""
    _named(scheme, notation)
    iri = str(ctx.iris.concept(scheme, notation))
    literals, values = _facts(ctx, who, iri)
    in_scheme = values.get("inScheme", {})
    scheme_iri = str(ctx.iris.scheme(scheme))
    if scheme_iri not in in_scheme:
        raise NotFound(f"The vocabulary “{scheme}” has no concept “{notation}”.")

    def linked(field: str) -> list[ConceptLink]:
        return sorted((_linked(ctx, v, labels, wanted) for v, labels in values.get(field, {}).items()),
                      key=lambda n: n.label.casefold())

    label = pick(literals.get("prefLabel", {}), wanted) or Picked(notation, None, False)
    alt = literals.get("altLabel", {})
    dataset = who.dataset(ctx.iris)
    uses = []
    gettext = i18n.translations(i18n.interface_language(wanted)).gettext
    for kind in core.KINDS.values():
        for facet in kind.all_facets:
            if facet.kind == "concept" and facet.scheme == scheme:
                request = core.parse(kind.name, {facet.name: [notation]})
                uses.append(Use(kind=kind.name, title=gettext(KIND_TITLES.get(kind.name, kind.name)), filter=facet.name,
                                count=core.count(ctx.reads, ctx.iris, request, dataset),
                                href=url("/explore/search/" + kind.name, **{facet.name: notation})))
    query = internal("concept-uses")
    counted = ctx.reads.select(query.text, bindings=query.bindings({"concept": iri}, ctx.iris), dataset=dataset).rows
    return ConceptData(
        language=wanted, scheme=scheme, notation=notation, iri=iri, resource=ctx.iris.href(iri) or iri, label=label,
        alt_labels=[found] if (found := pick(alt, wanted)) else [],
        definition=pick(literals.get("definition", {}), wanted), scope_note=pick(literals.get("scopeNote", {}), wanted),
        vocabulary=_linked(ctx, scheme_iri, in_scheme[scheme_iri], wanted),
        broader=linked("broader"), narrower=linked("narrower"), related=linked("related"),
        provisions=_provisions(ctx, values.get("seeAlso", {}), wanted), uses=uses,
        referred=int(str(counted[0]["n"])) if counted else 0)


def vocabulary(ctx: Context, who: Caller, scheme: str, wanted: str) -> SchemeData:
    """The vocabulary ``scheme`` and its concepts; NotFound when the caller's graphs hold no such scheme."""
    _named(scheme)
    iri = str(ctx.iris.scheme(scheme))
    literals, values = _facts(ctx, who, iri)
    query = internal("concept-scheme-members")
    rows = ctx.reads.select(query.text, bindings=query.bindings({"scheme": iri}, ctx.iris),
                            dataset=who.dataset(ctx.iris)).rows
    if not rows and not literals:
        raise NotFound(f"No vocabulary named “{scheme}” is recorded.")
    labels: dict[str, dict[str | None, str]] = defaultdict(dict)
    notations: dict[str, str] = {}
    broader: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        each, label = str(row["concept"]), row.get("label")
        notations.setdefault(each, str(row["notation"]))
        if isinstance(label, Literal):
            labels[each].setdefault(label.language, str(label))
        if row.get("broader") is not None:
            broader[each].add(str(row["broader"]))

    def member(iri: str, above: frozenset[str]) -> Member:
        chosen = pick(labels.get(iri, {}), wanted)
        below = [m for m in notations if iri in broader.get(m, ()) and m not in above]
        return Member(iri=iri, notation=notations[iri], label=chosen.text if chosen else notations[iri],
                      lang=chosen.lang if chosen else None, href=f"/explore/concepts/{scheme}/{notations[iri]}",
                      narrower=_by_label([member(m, above | {m}) for m in below]))

    tops = [m for m in notations if not broader.get(m, set()) & notations.keys()]
    return SchemeData(
        language=wanted, scheme=scheme, iri=iri, resource=ctx.iris.href(iri) or iri,
        label=pick(literals.get("prefLabel", {}), wanted) or Picked(scheme, None, False),
        definition=pick(literals.get("definition", {}), wanted), scope_note=pick(literals.get("scopeNote", {}), wanted),
        provisions=_provisions(ctx, values.get("seeAlso", {}), wanted),
        concepts=_by_label([member(m, frozenset({m})) for m in tops]))


def _by_label(members: list[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (m.label.casefold(), m.notation))


_LANG = Query(None, description="The language of labels and texts (en, fr, es, ar, zh, ru, de, it, nl); else the "
                                "browser's, else English.")


@router.get("/api/concepts/{scheme}", response_model=SchemeData, summary="A vocabulary, as its reader page shows it")
def scheme_json(request: Request, scheme: str = Path(description="The vocabulary, e.g. tip-act"),
                lang: str | None = _LANG, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> SchemeData:
    """Its name, definition and scope note, the provisions it is tied to, its concepts as a hierarchy."""
    return vocabulary(ctx, who, scheme, language(request))


@router.get("/api/concepts/{scheme}/{notation}", response_model=ConceptData,
            summary="A vocabulary concept, as its reader page shows it")
def concept_json(request: Request, scheme: str = Path(description="The vocabulary, e.g. tip-act"),
                 notation: str = Path(description="The concept's notation, e.g. recruitment"),
                 lang: str | None = _LANG, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> ConceptData:
    """Its labels, definition, broader, narrower and related concepts, the provisions it is defined
    in or tied to, and what uses it: each search that filters by it, counted and linked."""
    return concept(ctx, who, scheme, notation, language(request))
