"""The Convention browser: the Convention and its three Protocols, each instrument's table of
contents, and one page per provision (article, paragraph, subparagraph or item) with its text in the
chosen language and everything the graph links to it.

    /explore/instruments                          the four instruments (1 store query)
    /explore/instruments/{code}                   table of contents (2 queries)
    /explore/instruments/{code}/art/{n}[/...]     a provision (5 queries, a 6th for names of States
                                                  that only designated authorities)

Every query is a named query of ``sparql/`` (so the page can say which ones it ran) and runs over
the caller's dataset: restricted graphs never reach the public.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from rdflib import Literal, URIRef

from sherloc_kg.access import Caller
from sherloc_kg.errors import UsageError
from sherloc_kg.iris import INSTRUMENTS
from sherloc_kg.namespaces import SHERLOC
from sherloc_kg.store.terms import sparql_term

from ..context import Context, caller, reading
from .layout import LANGUAGES, Picked, language, pick, render

router = APIRouter()

#: Short names of the instruments, for breadcrumbs and headings (the interface is English).
SHORT_TITLES = {"untoc": "Organized Crime Convention", "tip": "Trafficking in Persons Protocol",
                "som": "Smuggling of Migrants Protocol", "fp": "Firearms Protocol"}
#: Above this many cases (or national provisions), a provision page shows counts per State with
#: links to the search instead of every row.
LIST_LIMIT = 50
#: The kind of a provision by its class.
_KINDS = {str(SHERLOC.Article): "Article", str(SHERLOC.Paragraph): "Paragraph",
          str(SHERLOC.Subparagraph): "Subparagraph", str(SHERLOC.Item): "Item"}
#: Why a case is inferred to concern a provision: each ground is a rule of sparql/rules/ (the query
#: ``cases-on-provision`` names them in ?why; ``why-inferred`` gives the facts behind each link).
GROUNDS = {
    "national-law": "the case applies national law recorded (or mapped by our editors) as implementing it",
    "tip-elements": "the case records the act, means and purpose of trafficking that TIP art. 3 (a) defines",
    "crime-type": "the case's crime type is one that this provision obliges States to criminalize",
}


# -- helpers ------------------------------------------------------------------------------------

def _run(ctx: Context, who: Caller, name: str, **params: str) -> list[dict]:
    """The rows of the named query ``name`` over the caller's dataset."""
    named = ctx.library.get(name)
    return ctx.reads.select(named.text, bindings=named.bindings(params, ctx.iris),
                            dataset=who.dataset(ctx.iris)).rows


def _lang(term: object) -> str | None:
    return term.language if isinstance(term, Literal) else None


def _local(ctx: Context, iri: object) -> str:
    """The path this server answers a resource IRI at (``/id/...``)."""
    return ctx.iris.href(str(iri)) or str(iri)


def _code(iri: object) -> str:
    """The last segment of a country or jurisdiction IRI: its ISO 3166-1 alpha-3 (or body) code."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


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


def citation(reference: str) -> str:
    """``untoc/art/5/1/a`` → ``Article 5 (1) (a)``."""
    steps = reference.split("/")[2:]
    return f"Article {steps[0]}" + "".join(f" ({step})" for step in steps[1:])


def _not_found(request: Request, who: Caller, message: str) -> HTMLResponse:
    return render(request, "explorer/convention_not_found.html", title="Not found", who=who,
                  status_code=404, message=message)


# -- the instruments ------------------------------------------------------------------------------

def _instruments(ctx: Context, who: Caller, wanted: str, code: str | None = None) -> list[dict]:
    """The instruments (or one), in the order untoc, tip, som, fp, from the query ``instruments``."""
    found: dict[str, dict] = {}
    for row in _run(ctx, who, "instruments", **({"instrument": code} if code else {})):
        item = found.setdefault(str(row["code"]), {
            "code": str(row["code"]), "short": SHORT_TITLES.get(str(row["code"]), str(row["code"])),
            "iri": row["instrument"], "titles": {},
            **{key: (str(row[key]) if key in row else None) for key in (
                "adopted", "adoptedBy", "entryIntoForce", "signatories", "parties", "countsAsAt")},
            "articles": int(row["articles"]) if "articles" in row else 0,
            "supplements": _code(row["supplements"]) if "supplements" in row else None})
        if "title" in row:
            item["titles"][_lang(row["title"])] = str(row["title"])
    result = sorted(found.values(), key=lambda i: INSTRUMENTS.index(i["code"]) if i["code"] in INSTRUMENTS else 99)
    for item in result:
        item["title"] = pick(item["titles"], wanted) or Picked(item["short"], None, False)
        item["path"] = _local(ctx, item["iri"])
    return result


def _contents(ctx: Context, who: Caller, code: str, wanted: str) -> list[dict]:
    """The articles of an instrument in order, from the query ``instrument-contents``."""
    articles: dict[str, dict] = {}
    for row in _run(ctx, who, "instrument-contents", instrument=code):
        article = articles.setdefault(str(row["notation"]), {
            "ref": str(row["notation"]), "number": str(row["number"]), "position": int(row["position"]),
            "parts": int(row["parts"]) if "parts" in row else 0, "titles": {}})
        if "title" in row:
            article["titles"][_lang(row["title"])] = str(row["title"])
    ordered = sorted(articles.values(), key=lambda a: a["position"])
    for article in ordered:
        article["title"] = pick(article["titles"], wanted)
    return ordered


@router.get("/explore/instruments", response_class=HTMLResponse)
def instruments(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    """The Convention and its three Protocols: title, adoption and entry into force, signatories
    and parties where the graph records them, number of articles, and a link to each."""
    wanted = language(request)
    return render(request, "explorer/convention_instruments.html", title="The Convention and its Protocols",
                  who=who, instruments=_instruments(ctx, who, wanted), wanted_name=LANGUAGES[wanted],
                  short_titles=SHORT_TITLES)


@router.get("/explore/instruments/{code}", response_class=HTMLResponse)
def instrument(code: str, request: Request, ctx: Context = Depends(reading),
               who: Caller = Depends(caller)) -> HTMLResponse:
    """An instrument's table of contents: its articles in order, number and title, each linked."""
    if code not in INSTRUMENTS:
        return _not_found(request, who, f"There is no instrument “{code}”.")
    wanted = language(request)
    found = _instruments(ctx, who, wanted, code)
    if not found:
        return _not_found(request, who, f"The instrument “{code}” is not in the graph.")
    return render(request, "explorer/convention_instrument.html", title=found[0]["short"], who=who,
                  instrument=found[0], articles=_contents(ctx, who, code, wanted), wanted_name=LANGUAGES[wanted])


# -- a provision ------------------------------------------------------------------------------------

@dataclass
class Node:
    """A provision of the outline: the one the page is about, a part of it, or one above it."""

    iri: str
    role: str
    kind: str = ""
    ref: str = ""
    number: str = ""
    parent: str | None = None
    position: int = 0
    texts: dict = field(default_factory=dict)
    titles: dict = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    text: Picked | None = None
    title: Picked | None = None

    @property
    def label(self) -> str:
        """``Article 5``, ``Paragraph 1``, ``Subparagraph (a)``, ``Item (ii)``."""
        if self.kind in ("Article", "Paragraph"):
            return f"{self.kind} {self.number}"
        return f"{self.kind or 'Part'} ({self.number})"


def _outline(ctx: Context, who: Caller, reference: str, wanted: str) -> dict[str, Node]:
    """Every node of the query ``provision-outline``, its parts linked in order, texts picked."""
    nodes: dict[str, Node] = {}
    for row in _run(ctx, who, "provision-outline", provision=reference):
        node = nodes.setdefault(str(row["node"]), Node(str(row["node"]), str(row["role"])))
        if "type" in row and str(row["type"]) in _KINDS:
            node.kind = _KINDS[str(row["type"])]
        node.ref = str(row.get("notation", node.ref))
        node.number = str(row.get("number", node.number))
        node.parent = str(row["parent"]) if "parent" in row else node.parent
        node.position = int(row["position"]) if "position" in row else node.position
        if "value" in row:
            (node.texts if str(row["field"]) == "text" else node.titles)[_lang(row["value"])] = str(row["value"])
    for node in nodes.values():
        node.text, node.title = pick(node.texts, wanted), pick(node.titles, wanted)
        if node.role == "part" and node.parent in nodes:
            nodes[node.parent].children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: child.position)
    return nodes


def _by_country(rows: list[dict], names: dict[str, str]) -> list[dict]:
    """Rows grouped by their ``country``: [{iri, code, name, rows}] by name; the rows' values as
    plain strings (an rdflib Literal never equals a string in a template comparison)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[str(row["country"])].append({key: str(value) for key, value in row.items()})
        if "countryName" in row:
            names.setdefault(str(row["country"]), str(row["countryName"]))
    return sorted(({"iri": iri, "code": _code(iri), "name": names.get(iri, _code(iri)), "rows": members}
                   for iri, members in groups.items()), key=lambda g: g["name"].casefold())


_COUNTRY_NAMES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?country ?name WHERE {
  VALUES ?country { %s }
  ?country skos:prefLabel ?name FILTER(langMatches(lang(?name), "en"))
}"""


def _country_names(ctx: Context, who: Caller, countries: set[str]) -> dict[str, str]:
    """English names of countries (IRIs the store gave back, written as terms, never raw text)."""
    if not countries:
        return {}
    values = " ".join(sparql_term(URIRef(iri)) for iri in sorted(countries))
    rows = ctx.reads.select(_COUNTRY_NAMES % values, dataset=who.dataset(ctx.iris)).rows
    return {str(row["country"]): str(row["name"]) for row in rows}


@router.get("/explore/instruments/{code}/art/{rest:path}", response_class=HTMLResponse)
def provision(code: str, rest: str, request: Request, ctx: Context = Depends(reading),
              who: Caller = Depends(caller)) -> HTMLResponse:
    """A provision: breadcrumbs, its full text and its parts' texts in the chosen language (English,
    marked, where that language is missing), links to each part, the previous and next articles;
    the national provisions implementing it and the cases citing or concerning it, State by State;
    legislative guide sections, authorities designated under it, its review cluster if recorded;
    links to its linked-data page and to the queries behind the page."""
    reference = f"{code}/art/{rest}"
    try:
        iri = ctx.iris.provision(reference)
        if not request.scope["path"].endswith(f"/instruments/{reference}"):  # a final %0A the route let by
            raise UsageError(reference)
    except UsageError:
        return _not_found(request, who, f"“{reference}” is not a provision reference.")
    wanted = language(request)
    nodes = _outline(ctx, who, reference, wanted)
    self_node = nodes.get(str(iri))
    if self_node is None or self_node.role != "self":
        return _not_found(request, who, f"The {SHORT_TITLES[code]} has no {citation(reference).lower()}.")

    ancestors = sorted((n for n in nodes.values() if n.role == "ancestor"), key=lambda n: len(n.ref))
    beside = {n.role: n for n in nodes.values() if n.role in ("previous", "next")}
    article = next((n for n in [*ancestors, self_node] if n.kind == "Article"), None)

    names: dict[str, str] = {}
    laws = _run(ctx, who, "implementing-legislation", provision=reference, language=wanted)
    cases = _run(ctx, who, "cases-on-provision", provision=reference)
    law_groups, case_groups = _by_country(laws, names), _by_country(cases, names)
    designations = _run(ctx, who, "authorities-designated-under", provision=reference)
    names.update(_country_names(ctx, who, {str(r["country"]) for r in designations} - set(names)))
    authorities = _by_country(designations, names)
    guidance = _run(ctx, who, "provision-guidance", provision=reference)
    guides: dict[str, dict] = {}
    for row in (r for r in guidance if str(r["kind"]) == "guide"):
        guide = guides.setdefault(str(row["resource"]), {
            "path": _local(ctx, row["resource"]), "label": str(row.get("label", _code(row["resource"]))),
            "chapter": str(row.get("chapter", "")), "section": str(row.get("section", "")), "explains": set()})
        guide["explains"].add(ctx.iris.provision_reference(str(row["explains"])) or str(row["explains"]))
    clusters = sorted({(str(r["label"]), _local(ctx, r["resource"]) if "resource" in r else None)
                       for r in guidance if str(r["kind"]) == "cluster" and "label" in r},
                      key=lambda cluster: (cluster[0], cluster[1] or ""))

    for group in law_groups:
        for row in group["rows"]:
            row["citation"] = national_citation(row["national"], row.get("path", row["number"]), row["number"])
    for group in case_groups:
        group["asserted"] = sum(1 for r in group["rows"] if str(r["link"]) == "asserted")
        for row in group["rows"]:
            row["grounds"] = [GROUNDS[g] for g in row.get("why", "").split() if g in GROUNDS]
            row["subject"] = ctx.iris.below(str(row["case"]), "id/") or str(row["case"])
    grounds = [text for key, text in GROUNDS.items() if any(key in str(r.get("why", "")).split() for r in cases)]
    instrument_node = next((n for n in ancestors if not n.kind), None)
    instrument_title = instrument_node.title if instrument_node else None
    fallback = any(n.text and n.text.fallback for n in nodes.values() if n.role != "ancestor")
    heading = citation(reference)
    if self_node.kind == "Article" and self_node.title:
        heading += f": {self_node.title.text}"
    queries = [ctx.library.get(name) for name in ("provision-outline", "implementing-legislation",
                                                  "cases-on-provision", "authorities-designated-under",
                                                  "provision-guidance")]
    return render(
        request, "explorer/convention_provision.html", title=f"{citation(reference)} · {SHORT_TITLES[code]}",
        who=who, code=code, short=SHORT_TITLES[code], reference=reference, heading=heading, node=self_node,
        ancestors=[n for n in ancestors if n.kind], instrument_title=instrument_title, article=article,
        previous=beside.get("previous"), next=beside.get("next"),
        fallback=fallback, wanted_name=LANGUAGES[wanted], wanted=wanted,
        law_groups=law_groups, law_count=sum(len(g["rows"]) for g in law_groups),
        case_groups=case_groups, case_count=len(cases), grounds=grounds,
        authorities=authorities, guides=list(guides.values()), clusters=clusters,
        resource_path=_local(ctx, iri), queries=queries, list_limit=LIST_LIMIT,
        local=lambda term: _local(ctx, term), provision_ref=ctx.iris.provision_reference, citation=citation)
