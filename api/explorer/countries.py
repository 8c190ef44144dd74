"""Countries: every State and jurisdiction that any record names, and one page per State.

``/explore/countries`` (one query, ``records-per-country``): a table of how many records of each
kind each State has, sortable by any column (``?sort=cases&order=desc``; links, no script).

``/explore/countries/{code}`` (eight queries): the State's name; its participation in each
instrument (``participation-of-state``; where none is recorded, "no participation recorded", with
what the store covers, ``participation-coverage``: never "not party"); its laws per Convention provision
(``laws-of-country``, ``legislation-of-country``); its cases with a chart per year (``cases-of-country``); its
competent national authorities (``authorities-of-country``: the contact details come from the
restricted graph, so only a caller who may read it sees them); its strategies
(``strategies-of-country``). A malformed or unknown code is a 404 page in the frame.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import Literal, URIRef

from sherloc_kg.access import Caller
from sherloc_kg.errors import UsageError
from sherloc_kg.iris import INSTRUMENTS
from sherloc_kg.namespaces import SHERLOC

from .. import implementation as core
from ..context import Context, caller, reading
from . import charts
from .convention import national_citation
from .layout import language, pick, render, url
from .trends import INSTRUMENT_NAMES

router = APIRouter()

#: A State's ISO 3166-1 alpha-3 code, or the code of an international jurisdiction or regional
#: organization (IRB, ECHR, EU).
CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
#: The columns of the list: (kind in records-per-country, heading).
KINDS = (("cases", "Cases"), ("legislation", "Laws"), ("participation", "Treaty actions"),
         ("authorities", "Authorities"), ("strategies", "Strategies"), ("treaties", "Treaties"),
         ("publications", "Publications"), ("review", "Review answers"))
SORTS = ("name", "code", *(kind for kind, _ in KINDS))
LATEST = 10

_TYPES = {str(SHERLOC.Country): "State", str(SHERLOC.InternationalJurisdiction): "International jurisdiction",
          str(SHERLOC.RegionalEconomicIntegrationOrganization): "Regional economic integration organization"}
_IDENTITY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
SELECT ?jurisdiction ?type ?label ?note WHERE {
  VALUES ?jurisdiction { %s }
  ?jurisdiction a ?type .
  FILTER(?type IN (sherloc:Country, sherloc:InternationalJurisdiction, sherloc:RegionalEconomicIntegrationOrganization))
  OPTIONAL { ?jurisdiction skos:prefLabel ?label }
  OPTIONAL { ?jurisdiction skos:scopeNote ?note }
}"""


# -- the list --------------------------------------------------------------------------------------

@dataclass
class Row:
    code: str
    name: str
    href: str
    counts: dict[str, int] = field(default_factory=dict)

    def key(self, sort: str) -> tuple:
        if sort == "name":
            return (self.name.casefold(), self.code)
        if sort == "code":
            return (self.code,)
        return (self.counts.get(sort, 0), self.name.casefold())


@router.get("/explore/countries", response_class=HTMLResponse)
def countries(request: Request, sort: str = Query("name"), order: str = Query("asc"),
              ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    sort = sort if sort in SORTS else "name"
    order = order if order in ("asc", "desc") else "asc"
    named = ctx.library.get("records-per-country")
    rows: dict[str, Row] = {}
    for record in ctx.reads.select(named.text, dataset=who.dataset(ctx.iris)).rows:
        iri = str(record["jurisdiction"])
        code = str(record["code"]) if record.get("code") else iri.rsplit("/", 1)[-1]
        if not CODE.fullmatch(code):
            continue
        row = rows.setdefault(iri, Row(code, str(record["name"]) if record.get("name") else code,
                                       f"/explore/countries/{code}"))
        row.counts[str(record["kind"])] = int(record["records"])
    table = sorted(rows.values(), key=lambda r: r.key(sort), reverse=(order == "desc"))
    totals = {kind: sum(r.counts.get(kind, 0) for r in table) for kind, _ in KINDS}
    columns = [(kind, label) for kind, label in KINDS if totals[kind]]
    headers = []
    for key, label in (("name", "State or jurisdiction"), ("code", "Code"), *columns):
        current = key == sort
        default = "desc" if key not in ("name", "code") else "asc"
        target = ("desc" if order == "asc" else "asc") if current else default
        headers.append({"key": key, "label": label, "href": url("/explore/countries", sort=key, order=target),
                        "aria": ("ascending" if order == "asc" else "descending") if current else None,
                        "number": key not in ("name", "code")})
    return render(request, "explorer/countries.html", title="Countries", who=who, rows=table, columns=columns,
                  headers=headers, totals=totals, query=named.name)


# -- one State -------------------------------------------------------------------------------------

def _not_found(request: Request, who: Caller, code: str, why: str) -> HTMLResponse:
    return render(request, "explorer/country_not_found.html", title="Country not found", who=who,
                  status_code=404, code=code, why=why)


def _provision_key(reference: str) -> tuple:
    instrument, _, rest = reference.partition("/art/")
    order = INSTRUMENTS.index(instrument) if instrument in INSTRUMENTS else len(INSTRUMENTS)
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in rest.split("/"))
    return (order, parts)


def _number_key(number: str) -> tuple:
    match = re.match(r"(\d+)(.*)", number)
    return (0, int(match.group(1)), match.group(2)) if match else (1, 0, number)


def _text(row: dict, name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None and str(value) != "" else None


def _provision_href(ctx: Context, reference: str) -> str | None:
    """The local page of a Convention provision given by its reference (untoc/art/18/13)."""
    try:
        return ctx.iris.href(str(ctx.iris.provision(reference)))
    except UsageError:
        return None


def participation(ctx: Context, who: Caller, iri: URIRef) -> list[dict]:
    named = ctx.library.get("participation-of-state")
    rows = ctx.reads.select(named.text, bindings={"country": iri}, dataset=who.dataset(ctx.iris)).rows
    result = []
    for row in rows:
        code = str(row["code"])
        result.append({"code": code, "name": INSTRUMENT_NAMES.get(code, code),
                       "title": _text(row, "instrumentTitle"), "status": str(row["status"]),
                       "signature": _text(row, "signatureDate"), "consent": _text(row, "consentDate"),
                       "action": _text(row, "actionLabel") or _text(row, "action"),
                       "declarations": _text(row, "declarations")})
    return result


def legislation(ctx: Context, who: Caller, iri: URIRef, wanted: str) -> tuple[list[dict], list[dict]]:
    """(provisions: each Convention provision with the national provisions linked to it, each marked
    with its claim, cited or editorial (``legislation-of-country``); laws: each law of the State
    with how many provisions it has (``laws-of-country``)). Titles and headings in the language
    ``wanted`` where the data has it."""
    bindings: dict[str, URIRef | Literal] = {"country": iri, "language": Literal(wanted)}
    dataset = who.dataset(ctx.iris)
    laws = [{"iri": str(row["law"]), "href": ctx.iris.href(str(row["law"])),
             "title": _text(row, "lawTitle") or str(row["law"]).rsplit("/", 1)[-1],
             "adopted": _text(row, "adopted"), "in_force": _text(row, "inForce"),
             "parts": int(str(row["parts"])) if row.get("parts") is not None else 0}
            for row in ctx.reads.select(ctx.library.get("laws-of-country").text, bindings=bindings,
                                        dataset=dataset).rows]
    provisions: dict[str, dict] = {}
    for row in ctx.reads.select(ctx.library.get("legislation-of-country").text, bindings=bindings,
                                dataset=dataset).rows:
        national_iri = str(row["national"])
        path = _text(row, "path") or str(row["number"])
        national = {"iri": national_iri, "href": ctx.iris.href(national_iri), "number": str(row["number"]),
                    "path": path, "citation": national_citation(national_iri, path, str(row["number"])),
                    "heading": _text(row, "heading"), "law": _text(row, "lawTitle") or str(row["law"]),
                    "law_href": ctx.iris.href(str(row["law"])), "claim": _text(row, "claim") or "cited"}
        provision_iri = str(row["provision"])
        reference = _text(row, "reference") or ctx.iris.provision_reference(provision_iri) or provision_iri
        entry = provisions.setdefault(reference, {"reference": reference, "href": ctx.iris.href(provision_iri),
                                                  "title": _text(row, "provisionTitle"), "national": {}})
        entry["national"].setdefault((national_iri, national["claim"]), national)
    by_provision = [{**p, "national": sorted(p["national"].values(),
                                             key=lambda n: (n["law"], [_number_key(step) for step in n["path"].split()]))}
                    for _, p in sorted(provisions.items(), key=lambda item: _provision_key(item[0]))]
    return by_provision, sorted(laws, key=lambda law: law["title"].casefold())


def cases(ctx: Context, who: Caller, iri: URIRef, code: str) -> dict:
    named = ctx.library.get("cases-of-country")
    rows = ctx.reads.select(named.text, bindings={"country": iri}, dataset=who.dataset(ctx.iris)).rows
    per_year: dict[int, int] = defaultdict(int)
    undated = 0
    for row in rows:
        year = row.get("year")
        if year is not None and re.fullmatch(r"-?\d+", str(year)):
            per_year[int(str(year))] += 1
        else:
            undated += 1
    latest = [{"id": str(row["id"]), "title": str(row["title"]), "year": _text(row, "year"),
               "href": ctx.iris.href(str(row["case"])),
               "crime_types": [t for t in str(row.get("crimeTypes") or "").split(";") if t]}
              for row in rows[:LATEST]]
    svg = None
    years: list[int] = []
    if per_year:
        years = list(range(min(per_year), max(per_year) + 1))
        svg = charts.bar_chart(
            [str(y) for y in years], [per_year.get(y, 0) for y in years], ident="chart-country-cases", unit="cases",
            hrefs=[url("/explore/search/cases", country=code, year_from=y, year_to=y) for y in years],
            title=f"Cases decided in {code} per year",
            description=(f"Bars: the number of cases decided in {code} each year from {years[0]} to {years[-1]}; "
                         "each bar links to those cases. The numbers are in the table below the chart."))
    return {"total": len(rows), "latest": latest, "svg": svg, "undated": undated,
            "per_year": [(y, per_year[y]) for y in years if per_year.get(y)], "query": named.name}


def authorities(ctx: Context, who: Caller, iri: URIRef) -> list[dict]:
    named = ctx.library.get("authorities-of-country")
    rows = ctx.reads.select(named.text, bindings={"country": iri}, dataset=who.dataset(ctx.iris)).rows
    result = []
    for row in rows:
        designations = []
        for line in str(row.get("designations") or "").split("\n"):
            if not line.strip():
                continue
            reference, _, rest = line.partition("|")
            matter, _, date = rest.partition("|")
            designations.append({"reference": reference, "matter": matter or None, "date": date or None,
                                 "href": _provision_href(ctx, reference)})
        email = _text(row, "email")
        contact = {"address": _text(row, "street"), "telephone": _text(row, "telephone"),
                   "email": email[len("mailto:"):] if email and email.startswith("mailto:") else email,
                   "fax": _text(row, "fax"), "hours": _text(row, "officeHours"), "person": _text(row, "contactPerson")}
        result.append({"iri": str(row["authority"]), "href": ctx.iris.href(str(row["authority"])),
                       "name": _text(row, "name") or str(row["authority"]).rsplit("/", 1)[-1],
                       "legal_basis": _text(row, "legalBasis"), "languages": _text(row, "languages"),
                       "channels": _text(row, "channels"), "designations": designations,
                       "contact": contact if any(contact.values()) else None})
    return result


def strategies(ctx: Context, who: Caller, iri: URIRef) -> list[dict]:
    named = ctx.library.get("strategies-of-country")
    rows = ctx.reads.select(named.text, bindings={"country": iri}, dataset=who.dataset(ctx.iris)).rows
    return [{"href": ctx.iris.href(str(row["strategy"])),
             "title": _text(row, "title") or str(row["strategy"]).rsplit("/", 1)[-1],
             "body": _text(row, "issuingBody"), "adopted": _text(row, "adopted"),
             "start": _text(row, "periodStart"), "end": _text(row, "periodEnd"),
             "crime_types": _text(row, "crimeTypes"),
             "provisions": [{"reference": ref, "href": _provision_href(ctx, ref)} for ref in (_text(row, "provisions") or "").split("; ") if ref]}
            for row in rows]


@router.get("/explore/countries/{code}", response_class=HTMLResponse)
def country(request: Request, code: str, ctx: Context = Depends(reading),
            who: Caller = Depends(caller)) -> HTMLResponse:
    if not CODE.fullmatch(code):
        return _not_found(request, who, code, "This is not a country code: a State is named by its ISO 3166-1 "
                                              "alpha-3 code in capitals (e.g. BRA).")
    candidates = (ctx.iris.country(code), ctx.iris.jurisdiction(code))
    rows = ctx.reads.select(_IDENTITY % " ".join(f"<{c}>" for c in candidates), dataset=who.dataset(ctx.iris)).rows
    if not rows:
        return _not_found(request, who, code, f"No State or jurisdiction with the code {code} is known.")
    iri = URIRef(str(rows[0]["jurisdiction"]))
    kind = _TYPES.get(str(rows[0]["type"]), "Jurisdiction")
    labels = {(row["label"].language if hasattr(row["label"], "language") else None): str(row["label"])
              for row in rows if row.get("label") is not None and str(row["jurisdiction"]) == str(iri)}
    name = pick(labels, language(request))
    note = next((str(row["note"]) for row in rows if row.get("note")), None)
    by_provision, laws = legislation(ctx, who, iri, language(request))
    return render(
        request, "explorer/country.html", title=name.text if name else code, who=who,
        code=code, name=name, kind=kind, note=note, iri=str(iri), href=ctx.iris.href(str(iri)),
        participation=participation(ctx, who, iri) if kind != "International jurisdiction" else [],
        coverage=core.coverage(ctx, who) if kind != "International jurisdiction" else [],
        provisions=by_provision, laws=laws, cases=cases(ctx, who, iri, code),
        authorities=authorities(ctx, who, iri), strategies=strategies(ctx, who, iri),
        restricted=who.may_see(str(ctx.iris.graph("authorities-restricted")), ctx.iris),
        search_href=url("/explore/search/cases", country=code))
