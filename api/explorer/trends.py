"""Trends: cases per year by crime type, the elements of trafficking in persons (TIP Protocol
art. 3 (a)) the cases record, and signatures, ratifications and accessions over time, each as an
SVG chart (:mod:`.charts`) with its numbers in a table and the named query behind it.

A fourth chart (art. 32 (3) (b), "transnational vs internal cases where known") splits the cases of
each year into transnational, internal and unknown, by the rule in the header of the named query
``cases-transnational-by-year`` (the data has no "transnational" flag: it is derived from the
countries involved and the defendants' nationalities a case records; :data:`REACH_RULE`).

``?country=ISO3`` narrows every chart to one State. ``?region=150`` (a UN M49 area the data places
a State in, ``sherloc:inRegion``) shows the cases per year and crime type of that area's States
(named query ``cases-by-area-year-and-crime-type``); the other charts are per State or for all.

Queries per page: four named queries (``cases-by-year-and-crime-type``, ``cases-by-tip-element``
or ``tip-elements-by-country``, ``participation-over-time``, ``cases-transnational-by-year``) and
``records-per-country`` for the choice of State.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from sherloc_kg.access import Caller
from sherloc_kg.errors import UsageError
from sherloc_kg.iris import INSTRUMENTS, is_iso3

from .. import implementation
from ..context import Context, caller, reading
from . import charts
from .layout import render, url

router = APIRouter()


#: Short names of the instruments, in their usual order.
INSTRUMENT_NAMES = {"untoc": "Convention (UNTOC)", "tip": "Trafficking in Persons Protocol",
                    "som": "Smuggling of Migrants Protocol", "fp": "Firearms Protocol"}
#: The groups of TIP Protocol art. 3 (a) elements and the vocabulary each comes from.
TIP_GROUPS = (("act", "Act", "tip-act"), ("means", "Means", "tip-means"), ("purpose", "Purpose", "tip-purpose"))
#: More crime types than this are drawn as the largest ones and "other crime types".
MAX_SERIES = 7


@dataclass
class Chart:
    """One chart on the page: the SVG, the named query behind it, the numbers as a table."""

    ident: str
    heading: str
    svg: Markup | None
    query: str
    query_href: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    note: str = ""
    #: how many leading columns hold text (the others are numbers, aligned right)
    text_columns: int = 1

    def add_year_rows(self, years: list[int], series: list[tuple[str, list[int]]]) -> None:
        """One table row per year with any count: the year, each series' count, their total."""
        for i, year in enumerate(years):
            values = [counts[i] for _, counts in series]
            if any(values):
                self.rows.append([year, *values, sum(values)])


def _year(value: object) -> int | None:
    match = re.match(r"-?\d{4}", str(value)) if value is not None else None
    return int(match.group(0)) if match else None


def cases_chart(ctx: Context, who: Caller, country: str | None, region: dict | None = None) -> Chart:
    if region is not None:
        named = ctx.library.get("cases-by-area-year-and-crime-type")
        bindings = named.bindings({"area": region["code"]}, ctx.iris)
        link = url("/explore/sparql", query=named.name, area=region["code"])
    else:
        named = ctx.library.get("cases-by-year-and-crime-type")
        bindings = named.bindings({"country": country} if country else {}, ctx.iris)
        link = url("/explore/sparql", query=named.name, country=country)
    rows = ctx.reads.select(named.text, bindings=bindings, dataset=who.dataset(ctx.iris)).rows
    counts: dict[tuple[int, str], int] = defaultdict(int)
    labels: dict[str, str] = {}
    for row in rows:
        year = _year(row.get("year"))
        if year is None:
            continue
        concept = str(row["crimeType"])
        labels[concept] = str(row["label"]) if row.get("label") else concept.rsplit("/", 1)[-1]
        counts[(year, concept)] += int(row["cases"])
    chart = Chart("cases-per-year", "Cases per year by crime type", None, named.name, link)
    if not counts:
        chart.note = "No case with a year and a crime type."
        return chart
    years = list(range(min(y for y, _ in counts), max(y for y, _ in counts) + 1))
    totals: dict[str, int] = defaultdict(int)
    for (_, concept), n in counts.items():
        totals[concept] += n
    ranked = sorted(totals, key=lambda c: (-totals[c], labels[c]))
    shown, rest = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    series = [(labels[c], [counts.get((y, c), 0) for y in years]) for c in shown]
    if rest:
        series.append(("Other crime types", [sum(counts.get((y, c), 0) for c in rest) for y in years]))
    where = f" in {region['name']} (UN M49 {region['code']})" if region else f" in {country}" if country else ""
    chart.svg = charts.stacked_bar_chart(
        [str(y) for y in years], series, ident="chart-cases-per-year", unit="cases",
        title=f"Cases per year by crime type{where}",
        description=(f"Stacked bars: for each year from {years[0]} to {years[-1]}, the number of cases decided{where}, "
                     "split by crime type; a case with several crime types counts once for each. "
                     "The numbers are in the table below the chart."))
    chart.columns = ["Year"] + [name for name, _ in series] + ["All crime types"]
    chart.add_year_rows(years, series)
    return chart


def tip_chart(ctx: Context, who: Caller, country: str | None) -> Chart:
    named = ctx.library.get("tip-elements-by-country" if country else "cases-by-tip-element")
    bindings = named.bindings({"country": country} if country else {}, ctx.iris)
    rows = ctx.reads.select(named.text, bindings=bindings, dataset=who.dataset(ctx.iris)).rows
    chart = Chart("tip-elements", "Elements of trafficking in persons (TIP Protocol, art. 3 (a))", None, named.name,
                  url("/explore/sparql", query=named.name, country=country))
    order = {group: i for i, (group, _, _) in enumerate(TIP_GROUPS)}
    items = []
    for row in rows:
        group = str(row["group"])
        element = str(row["element"])
        label = str(row["label"]) if row.get("label") else element.rsplit("/", 1)[-1]
        items.append((order.get(group, 9), -int(row["cases"]), label, group, element, int(row["cases"])))
    items.sort()
    if not items:
        chart.note = "No case records an act, a means or a purpose of trafficking in persons."
        return chart
    names = {group: name for group, name, _ in TIP_GROUPS}
    labels = [f"{names.get(group, group)}: {label}" for _, _, label, group, _, _ in items]
    values = [n for *_, n in items]
    hrefs = [ctx.iris.href(element) for *_, element, _ in items]
    where = f" in {country}" if country else ""
    chart.svg = charts.horizontal_bar_chart(
        labels, values, ident="chart-tip-elements", hrefs=hrefs, unit="cases",
        groups=[order.get(group, 0) for _, _, _, group, _, _ in items],
        title=f"Cases{where} by element of trafficking in persons",
        description=("Horizontal bars: for each act, means and purpose of exploitation of the definition in article 3 (a) "
                     f"of the Trafficking in Persons Protocol, how many cases{where} record it. "
                     "Each bar links to the element's page; the numbers are in the table below the chart."))
    chart.columns = ["Element", "Kind", "Cases"]
    chart.text_columns = 2
    chart.rows = [[Markup('<a href="{}">{}</a>').format(href, label) if href else label, names.get(group, group), n]
                  for (_, _, label, group, _, n), href in zip(items, hrefs)]
    return chart


def participation_chart(ctx: Context, who: Caller, country: str | None) -> Chart:
    named = ctx.library.get("participation-over-time")
    bindings = named.bindings({"participant": country} if country else {}, ctx.iris)
    rows = ctx.reads.select(named.text, bindings=bindings, dataset=who.dataset(ctx.iris)).rows
    chart = Chart("ratifications", "Ratifications, accessions and other consents to be bound, over time", None,
                  named.name, url("/explore/sparql", query=named.name, participant=country))
    consents: dict[str, list[int]] = {code: [] for code in INSTRUMENTS}
    signatures: dict[str, int] = defaultdict(int)
    for row in rows:
        code = str(row["code"])
        year = _year(row.get("consentDate"))
        if year is not None:
            consents.setdefault(code, []).append(year)
        if row.get("signatureDate"):
            signatures[code] += 1
    series = [(INSTRUMENT_NAMES.get(code, code), sorted(years)) for code, years in consents.items() if years]
    if not series:
        chart.note = "No ratification, accession, acceptance, approval or succession recorded."
        return chart
    where = f" by {country}" if country else ""
    chart.svg = charts.cumulative_chart(
        series, ident="chart-ratifications", unit="parties",
        title=f"Parties over time{where}: ratifications, accessions and other consents to be bound",
        description=("Step lines, one per instrument: how many States and organizations had expressed their consent "
                     "to be bound (ratification, accession, acceptance, approval or succession) by the end of each "
                     "year. The numbers are in the table below the chart."))
    years, cumulative = charts.cumulative_counts(series)
    chart.columns = ["Year"] + [f"{name} (parties)" for name, _ in series]
    for i, year in enumerate(years):
        new = [sum(1 for y in events if y == year) for _, events in series]
        if any(new):
            chart.rows.append([year, *(f"{counts[i]} (+{n})" if n else str(counts[i])
                                       for (_, counts), n in zip(cumulative, new))])
    signed = ", ".join(f"{INSTRUMENT_NAMES.get(c, c)}: {n}" for c, n in signatures.items())
    chart.note = f"Signatures recorded: {signed}." if signed else ""
    return chart


#: The reaches of a case (named query ``cases-transnational-by-year``), in the order drawn: label.
REACHES = (("transnational", "Transnational"), ("internal", "Internal"), ("unknown", "Not known"))
#: How the reach of a case is derived (the same rule as the query's header).
REACH_RULE = ("The data has no \u201ctransnational\u201d flag; the split is derived from what each case records. "
              "Transnational: the case records a country involved other than the deciding State (where the conduct "
              "was committed, prepared, directed or controlled, or had substantial effects, or whose nationals or "
              "groups took part: UNTOC art. 3 (2)), or a defendant who is a national of another State. Internal: "
              "neither, and every recorded defendant has a nationality, that of the deciding State (no foreign element "
              "recorded, which is not proof that there was none). Not known: the case records no involved country "
              "and no defendant's nationality, as most case records do.")


def reach_chart(ctx: Context, who: Caller, country: str | None) -> Chart:
    """Cases per year, transnational / internal / not known (art. 32 (3) (b))."""
    named = ctx.library.get("cases-transnational-by-year")
    bindings = named.bindings({"country": country} if country else {}, ctx.iris)
    rows = ctx.reads.select(named.text, bindings=bindings, dataset=who.dataset(ctx.iris)).rows
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        year = _year(row.get("year"))
        if year is not None:
            counts[(year, str(row["reach"]))] += int(row["cases"])
    chart = Chart("transnational", "Transnational and internal cases per year, where known", None, named.name,
                  url("/explore/sparql", query=named.name, country=country), note=REACH_RULE)
    if not counts:
        chart.note = "No case with a year. " + REACH_RULE
        return chart
    years = list(range(min(y for y, _ in counts), max(y for y, _ in counts) + 1))
    series = [(label, [counts.get((y, reach), 0) for y in years]) for reach, label in REACHES]
    where = f" in {country}" if country else ""
    chart.svg = charts.stacked_bar_chart(
        [str(y) for y in years], series, ident="chart-transnational", unit="cases",
        title=f"Transnational, internal and not-known cases per year{where}",
        description=(f"Stacked bars: for each year from {years[0]} to {years[-1]}, the number of cases decided{where}: "
                     "transnational at the bottom, then internal, then those whose records do not tell; each case "
                     "counts once. The rule is given under the chart; the numbers are in the table below it."))
    chart.columns = ["Year"] + [label for _, label in REACHES] + ["All cases"]
    chart.add_year_rows(years, series)
    return chart


#: The States one can narrow the page to: every one with a record of any kind.
_JURISDICTIONS = "records-per-country"


@router.get("/explore/trends", response_class=HTMLResponse)
def trends(request: Request, country: str | None = Query(None), region: str | None = Query(None),
           ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    country, region = country or None, region or None
    refused: dict[str, Any] = dict(title="Trends", who=who, status_code=400, charts=[], countries=[], regions=[], country=None,
                   country_name=None, region=None)
    if country is not None and not is_iso3(country):
        return render(request, "explorer/trends.html", **refused,
                      error=f"'{country}' is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. BRA).")
    available = implementation.regions(ctx, who)
    try:
        chosen = None if country else implementation.region_filter(region, available)
    except UsageError as error:
        return render(request, "explorer/trends.html", **refused, error=str(error))
    named = ctx.library.get(_JURISDICTIONS)
    names = {str(r["code"]): str(r["name"]) if r.get("name") else str(r["code"])
             for r in ctx.reads.select(named.text, dataset=who.dataset(ctx.iris)).rows
             if r.get("code") and is_iso3(str(r["code"]))}
    choices = sorted(names.items(), key=lambda c: (c[1].casefold(), c[0]))
    country_name = dict(choices).get(country) if country else None
    if chosen is not None:
        found = [cases_chart(ctx, who, None, chosen)]
        title = f"Trends: {chosen['name']}"
    else:
        found = [cases_chart(ctx, who, country), tip_chart(ctx, who, country),
                 participation_chart(ctx, who, country), reach_chart(ctx, who, country)]
        title = f"Trends: {country_name or country}" if country else "Trends"
    return render(request, "explorer/trends.html", title=title, who=who, charts=found, countries=choices,
                  regions=available, region=chosen, country=country, country_name=country_name, error=None)
