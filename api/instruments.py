"""The Convention and its three Protocols as the explorer's Convention browser shows them, as JSON:

    GET /api/instruments                          the four instruments (named query ``instruments``)
    GET /api/instruments/{code}                   an instrument's table of contents (``instrument-contents``)
    GET /api/instruments/{code}/art/{n}[/...]     a provision: its text and its parts' texts, the
                                                  provisions above it and the articles beside it, the
                                                  national provisions implementing it and the cases
                                                  citing or concerning it State by State, legislative
                                                  guide sections, authorities designated under it,
                                                  its review cluster (five named queries, and
                                                  ``explorer-designating-states`` of sparql/internal/
                                                  for the names of States that only designated
                                                  authorities)

Each is the JSON twin of an explorer page (api/explorer/twins.py), which renders the same models
(:mod:`api.explorer.convention`). Texts and titles come in the language asked for (``lang``, else
the browser's), or in English (else untagged, else any) where the data lacks it: each says which
it is (``lang``) and whether it fell back (``fallback``). Every query runs over the caller's graphs:
an authority's contact details are never part of these answers (they are in no query here).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import INSTRUMENTS
from sherloc_kg.namespaces import SHERLOC
from sherloc_kg.queries import internal

from .context import Context, caller, reading
from .explorer import i18n, twins
from .explorer.layout import Picked, authority_href, case_href, language, law_href, pick

router = APIRouter(tags=["instruments"], dependencies=[Depends(twins.links_back)])

#: Short names of the instruments, for breadcrumbs and headings (i18n.py: marked for translation).
SHORT_TITLES = i18n.SHORT_TITLES
#: Short names of the instruments, in their usual order (the countries and trends pages).
INSTRUMENT_NAMES = {"untoc": i18n.N_("Convention (UNTOC)"), "tip": i18n.N_("Trafficking in Persons Protocol"),
                    "som": i18n.N_("Smuggling of Migrants Protocol"), "fp": i18n.N_("Firearms Protocol")}
#: The kind of a provision by its class.
_KINDS = {str(SHERLOC.Article): "Article", str(SHERLOC.Paragraph): "Paragraph",
          str(SHERLOC.Subparagraph): "Subparagraph", str(SHERLOC.Item): "Item"}
#: Why a case is inferred to concern a provision: each ground is a rule of sparql/rules/ (the query
#: ``cases-on-provision`` names them in ?why; ``why-inferred`` gives the facts behind each link).
GROUNDS = {
    "cited-part": "the case cites one of its parts",
    "national-law": "the case applies national law recorded (or mapped by our editors) as implementing it",
    "tip-elements": "the case records the act, means and purpose of trafficking that TIP art. 3 (a) defines",
    "crime-type": "the case's crime type is one that this provision obliges States to criminalize",
}
#: The named queries behind a provision's data.
PROVISION_QUERIES = ("provision-outline", "implementing-legislation", "cases-on-provision",
                     "authorities-designated-under", "provision-guidance")
_LANG = Query(None, description="The language of texts and titles (en, fr, es, ar, zh, ru, de, it, nl); "
                                "else the browser's (Accept-Language), else English.")


# -- helpers ------------------------------------------------------------------------------------

def _run(ctx: Context, who: Caller, name: str, **params: str) -> list[dict]:
    """The rows of the named query ``name`` over the caller's dataset."""
    named = ctx.library.get(name)
    return ctx.reads.select(named.text, bindings=named.bindings(params, ctx.iris),
                            dataset=who.dataset(ctx.iris)).rows


def _lang(term: object) -> str | None:
    return term.language if isinstance(term, Literal) else None


def matter_labels(ctx: Context, who: Caller, wanted: str) -> dict[str, Picked]:
    """The designation matters in words (notation → label in ``wanted``, else English): scheme-labels.rq."""
    labels: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in ctx.reads.select(internal("scheme-labels").text, bindings={"scheme": ctx.iris.scheme("designation-matter")},
                                dataset=who.dataset(ctx.iris)).rows:
        labels[str(row["notation"])].setdefault(_lang(row["label"]), str(row["label"]))
    return {notation: found for notation, values in labels.items() if (found := pick(values, wanted)) is not None}


def _local(ctx: Context, iri: object) -> str:
    """The path this server answers a resource IRI at (``/id/...``)."""
    return ctx.iris.href(str(iri)) or str(iri)


def _code(iri: object) -> str:
    """The last segment of a country or jurisdiction IRI: its ISO 3166-1 alpha-3 (or body) code."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def _text(row: dict, name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None and str(value) != "" else None


def national_citation(national: str, path: str, number: str | None = None) -> str:
    """A national provision as a reader cites it, from its place in its law (``path``: its numbers
    from the law down, as the query ``implementing-legislation`` gives them): ``section 117 (1) (a)``
    for the sections of an Act (``…/sec/117/1/a``), ``article 210`` for the articles of other laws.
    A number that names its own unit, as Akoma Ntoso's ``<num>`` does (``Art. 3.``), is kept as written."""
    if number and number[:1].isalpha() and not number.isalpha():
        return number
    steps = path.split() or [""]
    unit = "section" if "/sec/" in national else "article"
    return f"{unit} {steps[0]}" + "".join(f" ({step})" for step in steps[1:])


def provision_words(reference: str, lang: str) -> str:
    """``tip/art/3/a`` → ``Trafficking in Persons Protocol, Article 3 (a)``, in ``lang`` where the
    interface is translated into it (:func:`api.explorer.i18n.provision_words`)."""
    return i18n.provision_words(reference, i18n.interface_language(lang))


def citation(reference: str) -> str:
    """``untoc/art/5/1/a`` → ``Article 5 (1) (a)``."""
    steps = reference.split("/")[2:]
    return f"Article {steps[0]}" + "".join(f" ({step})" for step in steps[1:])


# -- the instruments ------------------------------------------------------------------------------

class Instrument(BaseModel):
    code: str = Field(description="untoc, tip, som or fp.")
    short: str = Field(description="Its short English name.")
    iri: str
    href: str = Field(description="Its linked-data page.")
    title: Picked = Field(description="Its title in the language asked for, or the fallback.")
    adopted: str | None = None
    adopted_by: str | None = Field(default=None, description="The resolution that adopted it.")
    entry_into_force: str | None = None
    signatories: str | None = None
    parties: str | None = None
    counts_as_at: str | None = Field(default=None, description="The date of the signatory and party counts.")
    supplements: str | None = Field(default=None, description="The code of the instrument it supplements.")
    articles: int = Field(description="How many articles it has.")


class InstrumentList(BaseModel):
    language: str = Field(description="The language asked for.")
    instruments: list[Instrument] = Field(description="In the order untoc, tip, som, fp.")
    query: str = Field(default="instruments", description="The named query behind it.")


def _instruments(ctx: Context, who: Caller, wanted: str, code: str | None = None) -> list[Instrument]:
    """The instruments (or one), in the order untoc, tip, som, fp, from the query ``instruments``."""
    found: dict[str, dict] = {}
    titles: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in _run(ctx, who, "instruments", **({"instrument": code} if code else {})):
        key = str(row["code"])
        found.setdefault(key, {
            "code": key, "short": SHORT_TITLES.get(key, key), "iri": str(row["instrument"]),
            "href": _local(ctx, row["instrument"]),
            **{name: _text(row, variable) for name, variable in (
                ("adopted", "adopted"), ("adopted_by", "adoptedBy"), ("entry_into_force", "entryIntoForce"),
                ("signatories", "signatories"), ("parties", "parties"), ("counts_as_at", "countsAsAt"))},
            "articles": int(row["articles"]) if "articles" in row else 0,
            "supplements": _code(row["supplements"]) if "supplements" in row else None})
        if "title" in row:
            titles[key][_lang(row["title"])] = str(row["title"])
    ordered = sorted(found, key=lambda k: INSTRUMENTS.index(k) if k in INSTRUMENTS else 99)
    return [Instrument(**found[key], title=pick(titles[key], wanted) or Picked(found[key]["short"], None, False))
            for key in ordered]


def instrument_list(ctx: Context, who: Caller, wanted: str) -> InstrumentList:
    """The Convention and its three Protocols: titles, adoption and entry into force, signatories
    and parties where the graph records them, number of articles."""
    return InstrumentList(language=wanted, instruments=_instruments(ctx, who, wanted))


class ArticleEntry(BaseModel):
    reference: str = Field(description="Its reference, e.g. untoc/art/5.")
    number: str
    position: int
    parts: int = Field(description="How many paragraphs or subparagraphs it has.")
    title: Picked | None


class InstrumentContents(BaseModel):
    language: str
    instrument: Instrument
    articles: list[ArticleEntry] = Field(description="In order.")
    query: str = Field(default="instrument-contents", description="The named query behind the table of contents.")


def instrument_contents(ctx: Context, who: Caller, code: str, wanted: str) -> InstrumentContents:
    """An instrument's table of contents: its articles in order (query ``instrument-contents``);
    NotFound for a code that is no instrument, or one not in the graph."""
    if code not in INSTRUMENTS:
        raise NotFound(f"There is no instrument “{code}”.")
    found = _instruments(ctx, who, wanted, code)
    if not found:
        raise NotFound(f"The instrument “{code}” is not in the graph.")
    articles: dict[str, dict] = {}
    titles: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in _run(ctx, who, "instrument-contents", instrument=code):
        key = str(row["notation"])
        articles.setdefault(key, {"reference": key, "number": str(row["number"]), "position": int(row["position"]),
                                  "parts": int(row["parts"]) if "parts" in row else 0})
        if "title" in row:
            titles[key][_lang(row["title"])] = str(row["title"])
    ordered = sorted(articles.values(), key=lambda a: a["position"])
    return InstrumentContents(language=wanted, instrument=found[0],
                              articles=[ArticleEntry(**a, title=pick(titles[a["reference"]], wanted)) for a in ordered])


# -- a provision ------------------------------------------------------------------------------------

class OutlineNode(BaseModel):
    """A provision: the one asked for (with its parts at every depth), one above it, or an article
    beside its own."""

    iri: str
    kind: str = Field(description="Article, Paragraph, Subparagraph or Item; empty for the instrument.")
    reference: str = Field(description="Its reference (untoc/art/5/1/a); the instrument's code for the instrument.")
    number: str
    label: str = Field(description="Article 5, Paragraph 1, Subparagraph (a), Item (ii).")
    title: Picked | None = None
    text: Picked | None = None
    parts: list[OutlineNode] = Field(default_factory=list, description="Its parts, in order.")


@dataclass
class _Node:
    iri: str
    role: str
    kind: str = ""
    ref: str = ""
    number: str = ""
    parent: str | None = None
    position: int = 0
    texts: dict[str | None, str] = field(default_factory=dict)
    titles: dict[str | None, str] = field(default_factory=dict)
    children: list[_Node] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.kind in ("Article", "Paragraph"):
            return f"{self.kind} {self.number}"
        return f"{self.kind or 'Part'} ({self.number})"

    def model(self, wanted: str, *, parts: bool = False) -> OutlineNode:
        return OutlineNode(iri=self.iri, kind=self.kind, reference=self.ref, number=self.number, label=self.label,
                           title=pick(self.titles, wanted), text=pick(self.texts, wanted),
                           parts=[c.model(wanted, parts=True) for c in self.children] if parts else [])


def _outline(ctx: Context, who: Caller, reference: str) -> dict[str, _Node]:
    """Every node of the query ``provision-outline``, its parts linked in order."""
    nodes: dict[str, _Node] = {}
    for row in _run(ctx, who, "provision-outline", provision=reference):
        node = nodes.setdefault(str(row["node"]), _Node(str(row["node"]), str(row["role"])))
        if "type" in row and str(row["type"]) in _KINDS:
            node.kind = _KINDS[str(row["type"])]
        node.ref = str(row.get("notation", node.ref))
        node.number = str(row.get("number", node.number))
        node.parent = str(row["parent"]) if "parent" in row else node.parent
        node.position = int(row["position"]) if "position" in row else node.position
        if "value" in row:
            (node.texts if str(row["field"]) == "text" else node.titles)[_lang(row["value"])] = str(row["value"])
    for node in nodes.values():
        if node.role == "part" and node.parent in nodes:
            nodes[node.parent].children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: child.position)
    return nodes


class StateGroup(BaseModel):
    iri: str = Field(description="The State or jurisdiction.")
    code: str
    name: str = Field(description="Its English name (the code where the data has none).")
    href: str = Field(description="Its linked-data page.")


class ImplementingProvision(BaseModel):
    iri: str
    href: str
    law: str = Field(description="The law's IRI.")
    law_title: str | None
    number: str
    citation: str = Field(description="As a reader cites it: section 117 (1) (a), article 210.")
    heading: str | None
    heading_language: str | None
    claim: str = Field(description="cited (the legislation record says so) or editorial (mapped by our editors).")
    link: str = Field(description="asserted (it implements this provision) or inferred (it implements a part).")
    implements: str = Field(description="The reference of the provision it implements (this one or a part).")


class LawsOfState(StateGroup):
    rows: list[ImplementingProvision]


class ProvisionCase(BaseModel):
    iri: str
    href: str = Field(description="Its reader page (/explore/cases/{id}).")
    id: str
    title: str
    year: str | None
    link: str = Field(description="asserted (the case cites the provision or a part) or inferred (a rule links them).")
    why: list[str] = Field(description="The rules that infer the link (keys of grounds).")
    grounds: list[str] = Field(description="The same in words.")
    subject: str = Field(description="The case's path below id/ (the why-inferred query's parameter).")


class CasesOfState(StateGroup):
    asserted: int = Field(description="How many of the cases cite the provision (or a part).")
    rows: list[ProvisionCase]


class Designation(BaseModel):
    authority: str = Field(description="The authority's IRI.")
    href: str
    name: str
    designated_under: str = Field(description="The reference of the provision (this one or a part).")
    matter: str | None = Field(description="The designation matter's notation (mutual-legal-assistance).")
    matter_label: str | None = Field(description="The designation matter in words, in the language asked for "
                                                 "(else English).")
    matter_lang: str | None = Field(description="That label's language.")
    date: str | None
    languages: list[str] = Field(description="Languages accepted: ISO 639-1 codes.")
    language_names: list[str] = Field(description="Their names in the language asked for, ordered by name.")


class AuthoritiesOfState(StateGroup):
    rows: list[Designation]


class GuideSection(BaseModel):
    iri: str
    href: str
    label: str
    chapter: str
    section: str
    explains: list[str] = Field(description="The references of the provisions it explains.")


class Cluster(BaseModel):
    label: str = Field(description="The review cluster's label, or its number as review responses record it.")
    href: str | None = Field(description="Its linked-data page, where the cluster is a resource.")


class QueryRef(BaseModel):
    name: str
    title: str


class ProvisionData(BaseModel):
    """A provision of the Convention or a Protocol and everything the graph links to it."""

    language: str
    instrument: str = Field(description="The instrument's code.")
    short: str = Field(description="The instrument's short name.")
    instrument_title: Picked | None
    reference: str
    heading: str = Field(description="Article 5: Criminalization of participation...; Article 5 (1) (a).")
    provision: OutlineNode = Field(description="The provision with its parts at every depth.")
    ancestors: list[OutlineNode] = Field(description="The provisions above it, outermost first.")
    article: OutlineNode | None = Field(description="The article holding it (itself, for an article).")
    previous_article: OutlineNode | None
    next_article: OutlineNode | None
    fallback: bool = Field(description="A text of the provision or its parts is not in the language asked for.")
    legislation: list[LawsOfState] = Field(description="National provisions implementing it or a part, by State.")
    legislation_count: int
    cases: list[CasesOfState] = Field(description="Cases citing or (inferred) concerning it, by State.")
    case_count: int
    grounds: list[str] = Field(description="The rules that infer a link of one of the cases, in words.")
    authorities: list[AuthoritiesOfState] = Field(description="Authorities designated under it or a part, by State "
                                                                "(never their contact details).")
    guides: list[GuideSection]
    clusters: list[Cluster]
    resource: str = Field(description="Its linked-data page.")
    queries: list[QueryRef] = Field(description="The named queries behind it.")


def _groups(ctx: Context, rows: list[dict], names: dict[str, str]) -> list[tuple[dict, list[dict]]]:
    """Rows grouped by their ``country``, by name: ({iri, code, name, href}, the rows); the names
    found in the rows (``countryName``) are added to ``names``."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[str(row["country"])].append(row)
        if "countryName" in row:
            names.setdefault(str(row["country"]), str(row["countryName"]))
    found = [({"iri": iri, "code": _code(iri), "name": names.get(iri, _code(iri)), "href": _local(ctx, iri)}, members)
             for iri, members in groups.items()]
    return sorted(found, key=lambda g: g[0]["name"].casefold())


def _reference(ctx: Context, iri: object) -> str:
    return ctx.iris.provision_reference(str(iri)) or str(iri)


def provision(ctx: Context, who: Caller, code: str, rest: str, wanted: str, *, path: str) -> ProvisionData:
    """The provision ``{code}/art/{rest}`` asked for at ``path`` (the request's); NotFound for a
    malformed reference or a provision the instrument does not have."""
    reference = f"{code}/art/{rest}"
    try:
        if code not in SHORT_TITLES or not path.endswith(f"/{reference}"):  # a final %0A the route let by
            raise UsageError(reference)
        iri = ctx.iris.provision(reference)
    except UsageError:
        raise NotFound(f"“{reference}” is not a provision reference.") from None
    nodes = _outline(ctx, who, reference)
    self_node = nodes.get(str(iri))
    if self_node is None or self_node.role != "self":
        raise NotFound(f"The {SHORT_TITLES[code]} has no {citation(reference).lower()}.")
    ancestors = sorted((n for n in nodes.values() if n.role == "ancestor"), key=lambda n: len(n.ref))
    beside = {n.role: n for n in nodes.values() if n.role in ("previous", "next")}
    article = next((n for n in [*ancestors, self_node] if n.kind == "Article"), None)

    names: dict[str, str] = {}
    laws = _run(ctx, who, "implementing-legislation", provision=reference, language=wanted)
    cases = _run(ctx, who, "cases-on-provision", provision=reference)
    law_groups, case_groups = _groups(ctx, laws, names), _groups(ctx, cases, names)
    designations = _run(ctx, who, "authorities-designated-under", provision=reference)
    if {str(r["country"]) for r in designations} - set(names):
        query = internal("explorer-designating-states")
        found = ctx.reads.select(query.text, bindings=query.bindings({"provision": reference}, ctx.iris),
                                 dataset=who.dataset(ctx.iris)).rows
        for row in found:
            names.setdefault(str(row["country"]), str(row["name"]))
    authority_groups = _groups(ctx, designations, names)
    guidance = _run(ctx, who, "provision-guidance", provision=reference)
    guides: dict[str, dict] = {}
    for row in (r for r in guidance if str(r["kind"]) == "guide"):
        guide = guides.setdefault(str(row["resource"]), {
            "iri": str(row["resource"]), "href": _local(ctx, row["resource"]),
            "label": str(row.get("label", _code(row["resource"]))), "chapter": str(row.get("chapter", "")),
            "section": str(row.get("section", "")), "explains": set()})
        guide["explains"].add(_reference(ctx, row["explains"]))
    clusters = sorted({(str(r["label"]), _local(ctx, r["resource"]) if "resource" in r else None)
                       for r in guidance if str(r["kind"]) == "cluster" and "label" in r},
                      key=lambda cluster: (cluster[0], cluster[1] or ""))

    legislation = [LawsOfState(**group, rows=[ImplementingProvision(
        iri=str(r["national"]), href=law_href(ctx.iris, str(r["national"])) or _local(ctx, r["national"]),
        law=str(r["law"]), law_title=_text(r, "lawTitle"),
        number=str(r["number"]), heading=_text(r, "heading"), heading_language=_text(r, "headingLanguage"),
        citation=national_citation(str(r["national"]), str(r.get("path", r["number"])), str(r["number"])),
        claim=str(r.get("claim", "cited")), link=str(r.get("link", "asserted")),
        implements=_reference(ctx, r["implements"]) if "implements" in r else reference) for r in rows])
        for group, rows in law_groups]
    case_list = []
    for group, rows in case_groups:
        entries = []
        for r in rows:
            why = [g for g in str(r.get("why", "")).split() if g in GROUNDS]
            entries.append(ProvisionCase(iri=str(r["case"]), href=case_href(ctx.iris, str(r["case"])) or _local(ctx, r["case"]),
                                     id=str(r["id"]),
                                     title=str(r["title"]), year=_text(r, "year"), link=str(r["link"]), why=why,
                                     grounds=[GROUNDS[g] for g in why],
                                     subject=ctx.iris.below(str(r["case"]), "id/") or str(r["case"])))
        case_list.append(CasesOfState(**group, rows=entries, asserted=sum(1 for e in entries if e.link == "asserted")))
    matters = matter_labels(ctx, who, wanted) if designations else {}
    shown = i18n.interface_language(wanted)
    authorities = [AuthoritiesOfState(**group, rows=[Designation(
        authority=str(r["authority"]), href=authority_href(ctx.iris, str(r["authority"])) or _local(ctx, r["authority"]),
        name=str(r["name"]), designated_under=_reference(ctx, r["designatedUnder"]), matter=_text(r, "matter"),
        matter_label=matters[str(r["matter"])].text if str(r.get("matter")) in matters else None,
        matter_lang=matters[str(r["matter"])].lang if str(r.get("matter")) in matters else None, date=_text(r, "date"),
        languages=(codes := [v for v in str(r.get("languages", "")).split(";") if v]),
        language_names=sorted((i18n.language_name(c, shown) for c in codes), key=str.casefold)) for r in rows])
        for group, rows in authority_groups]

    instrument_node = next((n for n in ancestors if not n.kind), None)
    self_model = self_node.model(wanted, parts=True)
    heading = citation(reference)
    if self_node.kind == "Article" and self_model.title:
        heading += f": {self_model.title.text}"
    fallback = any(text is not None and text.fallback for n in nodes.values() if n.role != "ancestor"
                   for text in [pick(n.texts, wanted)])
    return ProvisionData(
        language=wanted, instrument=code, short=SHORT_TITLES[code],
        instrument_title=pick(instrument_node.titles, wanted) if instrument_node else None,
        reference=reference, heading=heading, provision=self_model,
        ancestors=[n.model(wanted) for n in ancestors if n.kind],
        article=article.model(wanted) if article else None,
        previous_article=beside["previous"].model(wanted) if "previous" in beside else None,
        next_article=beside["next"].model(wanted) if "next" in beside else None,
        fallback=fallback, legislation=legislation, legislation_count=sum(len(g.rows) for g in legislation),
        cases=case_list, case_count=len(cases),
        grounds=[text for key, text in GROUNDS.items() if any(key in str(r.get("why", "")).split() for r in cases)],
        authorities=authorities,
        guides=[GuideSection(**{**g, "explains": sorted(g["explains"])}) for g in guides.values()],
        clusters=[Cluster(label=label, href=href) for label, href in clusters],
        resource=_local(ctx, iri),
        queries=[QueryRef(name=name, title=ctx.library.get(name).title) for name in PROVISION_QUERIES])


# -- routes ---------------------------------------------------------------------------------------

@router.get("/api/instruments", response_model=InstrumentList, summary="The Convention and its Protocols")
def instruments_json(request: Request, lang: str | None = _LANG, ctx: Context = Depends(reading),
                     who: Caller = Depends(caller)) -> InstrumentList:
    """Titles, adoption and entry into force, signatories and parties, number of articles."""
    return instrument_list(ctx, who, language(request))


@router.get("/api/instruments/{code}", response_model=InstrumentContents,
            summary="An instrument's table of contents")
def instrument_json(request: Request, code: str = Path(description="untoc, tip, som or fp."),
                    lang: str | None = _LANG, ctx: Context = Depends(reading),
                    who: Caller = Depends(caller)) -> InstrumentContents:
    """Its articles in order, number and title."""
    return instrument_contents(ctx, who, code, language(request))


@router.get("/api/instruments/{code}/art/{rest:path}", response_model=ProvisionData,
            summary="A provision and what the graph links to it")
def provision_json(request: Request, code: str = Path(description="untoc, tip, som or fp."),
                   rest: str = Path(description="The article and its parts: 5, 5/1, 5/1/a..."),
                   lang: str | None = _LANG, ctx: Context = Depends(reading),
                   who: Caller = Depends(caller)) -> ProvisionData:
    """Its text and its parts', the provisions above and beside it, the national provisions
    implementing it, the cases citing or concerning it, guide sections, designated authorities,
    review clusters."""
    return provision(ctx, who, code, rest, language(request), path=request.scope["path"])

