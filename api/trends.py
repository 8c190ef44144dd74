"""Trends, as the explorer's trends page charts them, as JSON (``GET /api/trends``): cases per year
by crime type, the elements of trafficking in persons (TIP Protocol art. 3 (a)) the cases record (in all and year by year),
signatures, ratifications and accessions over time, and (art. 32 (3) (b)) the cases of each year
that are transnational or internal where the records tell (and how many cases that is), by the rule in the header of the named query
``cases-transnational-by-year`` (the data has no "transnational" flag: :data:`REACH_RULE`).

Each chart is what the page draws and tabulates: the values drawn (``categories`` and ``series``;
see :class:`Chart`), the table of numbers under it, the named query behind it, and a note. The
page (:mod:`api.explorer.trends`) draws the SVG from the same :class:`Trends`.

``country=ISO3`` narrows every chart to one State. ``region=150`` (a UN M49 area the data places a
State in, ``sherloc:inRegion``) gives the cases per year and crime type of that area's States (named
query ``cases-by-area-year-and-crime-type``); the other charts are per State or for all. Over the
graphs the caller may read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from sherloc_kg.access import Caller
from sherloc_kg.errors import UsageError
from sherloc_kg.iris import INSTRUMENTS, is_iso3

from . import implementation
from .context import Context, caller, reading
from .explorer import twins
from .explorer.charts import cumulative_counts
from .explorer.i18n import N_, number, translations
from .explorer.layout import concept_href, url
from .instruments import INSTRUMENT_NAMES

router = APIRouter(tags=["trends"], dependencies=[Depends(twins.links_back)])

#: The groups of TIP Protocol art. 3 (a) elements and the vocabulary each comes from.
TIP_GROUPS = (("act", N_("Act"), "tip-act"), ("means", N_("Means"), "tip-means"), ("purpose", N_("Purpose"), "tip-purpose"))
#: More crime types than this are drawn as the largest ones and "other crime types".
MAX_SERIES = 7
#: The reaches of a case (named query ``cases-transnational-by-year``), in the order drawn: label
#: ("unknown" is counted, for the coverage, never drawn).
REACHES = (("transnational", N_("Transnational")), ("internal", N_("Internal")), ("unknown", N_("Not known")))
#: How the reach of a case is derived (the same rule as the query's header).
REACH_RULE = N_("The data has no \u201ctransnational\u201d flag; the split is derived from what each case records. "
              "Transnational: the case records a country involved other than the deciding State (where the conduct "
              "was committed, prepared, directed or controlled, or had substantial effects, or whose nationals or "
              "groups took part: UNTOC art. 3 (2)), or a defendant who is a national of another State. Internal: "
              "neither, and every recorded defendant has a nationality, that of the deciding State (no foreign element "
              "recorded, which is not proof that there was none). Not known: the case records no involved country "
              "and no defendant's nationality, as most case records do.")
#: The States one can narrow the page to: every one with a record of any kind.
_JURISDICTIONS = "records-per-country"


class Series(BaseModel):
    name: str
    values: list[int] = Field(description="One value per category (the bars); for a step line, the year of each event.")


class Chart(BaseModel):
    """One chart: what is drawn, the numbers as a table, the named query behind them."""

    ident: str
    heading: str
    query: str = Field(description="The named query behind the chart.")
    query_href: str = Field(description="That query, with the chart's parameters, in the SPARQL workbench.")
    drawn: Literal["stacked-bars", "bars", "steps", "none"] = Field(
        description="stacked-bars: one bar per category stacked from the series; bars: one bar per category (the "
                    "one series); steps: a step line per series, how many of its events (years) by each year; none: "
                    "nothing to draw (the note says why).")
    unit: str = Field(description="What the values count.")
    title: str = Field(default="", description="The figure's title.")
    description: str = Field(default="", description="What the figure shows, in words.")
    categories: list[str] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)
    links: list[str | None] = Field(default_factory=list, description="bars: each bar's (and table row's) link.")
    groups: list[int] = Field(default_factory=list, description="bars: each bar's group (its colour).")
    columns: list[str] = Field(default_factory=list, description="The table's column headings.")
    rows: list[list[str | int]] = Field(default_factory=list, description="The table's rows.")
    text_columns: int = Field(default=1, description="How many leading columns hold text (the others, numbers).")
    note: str = ""

    def stack_by_year(self, years: list[int], series: list[tuple[str, list[int]]], *, title: str,
                      description: str, total: str, year: str = "Year") -> None:
        """Draw ``series`` (label, a count per year) as stacked bars over ``years``, with the table
        of the same counts (a column per series and ``total``)."""
        self.drawn, self.categories = "stacked-bars", [str(y) for y in years]
        self.series = [Series(name=label, values=values) for label, values in series]
        self.title, self.description = title, description
        self.columns = [year] + [label for label, _ in series] + [total]
        self.add_year_rows(years, series)

    def add_year_rows(self, years: list[int], series: list[tuple[str, list[int]]]) -> None:
        """One table row per year with any count: the year, each series' count, their total."""
        for i, year in enumerate(years):
            values = [counts[i] for _, counts in series]
            if any(values):
                self.rows.append([year, *values, sum(values)])


class Region(BaseModel):
    code: str = Field(description="The UN M49 code.")
    name: str
    level: int = Field(default=0, description="0 region, 1 sub-region, 2 intermediate region.")


class TrendsChoice(BaseModel):
    code: str
    name: str


class Trends(BaseModel):
    title: str
    country: str | None = Field(description="The State the charts are narrowed to.")
    country_name: str | None
    region: Region | None = Field(description="The UN M49 area the cases chart is narrowed to.")
    regions: list[Region] = Field(description="The areas one can narrow to: those holding a State in the data.")
    countries: list[TrendsChoice] = Field(description="The States one can narrow to: every one with a record, by name.")
    charts: list[Chart]


def _year(value: object) -> int | None:
    match = re.match(r"-?\d{4}", str(value)) if value is not None else None
    return int(match.group(0)) if match else None


def _rows(ctx: Context, who: Caller, name: str, params: dict[str, str]) -> list[dict]:
    named = ctx.library.get(name)
    return ctx.reads.select(named.text, bindings=named.bindings(params, ctx.iris), dataset=who.dataset(ctx.iris)).rows


def cases_chart(ctx: Context, who: Caller, country: str | None, region: Region | None = None,
                lang: str = "en") -> Chart:
    gettext = translations(lang).gettext
    if region is not None:
        name, params = "cases-by-area-year-and-crime-type", {"area": region.code}
    else:
        name, params = "cases-by-year-and-crime-type", ({"country": country} if country else {})
    counts: dict[tuple[int, str], int] = defaultdict(int)
    labels: dict[str, str] = {}
    for row in _rows(ctx, who, name, params):
        year = _year(row.get("year"))
        if year is None:
            continue
        concept = str(row["crimeType"])
        labels[concept] = str(row["label"]) if row.get("label") else concept.rsplit("/", 1)[-1]
        counts[(year, concept)] += int(row["cases"])
    chart = Chart(ident="cases-per-year", heading=gettext("Cases per year by crime type"), query=name,
                  query_href=url("/explore/sparql", query=name, **params), drawn="none", unit="cases")
    if not counts:
        chart.note = gettext("No case with a year and a crime type.")
        return chart
    years, series = _yearly_series(counts, labels, gettext("Other crime types"))
    place = f"{region.name} (UN M49 {region.code})" if region else country
    span = {"first": str(years[0]), "last": str(years[-1]), "place": place}
    if place:
        title = gettext("Cases per year by crime type in %(place)s") % span
        description = gettext("Stacked bars: for each year from %(first)s to %(last)s, the number of cases decided in "
                              "%(place)s, split by crime type; a case with several crime types counts once for each. "
                              "The numbers are in the table below the chart.") % span
    else:
        title = gettext("Cases per year by crime type")
        description = gettext("Stacked bars: for each year from %(first)s to %(last)s, the number of cases decided, "
                              "split by crime type; a case with several crime types counts once for each. The numbers "
                              "are in the table below the chart.") % span
    chart.stack_by_year(years, series, title=title, total=gettext("All crime types"), description=description,
                        year=gettext("Year"))
    return chart


def _yearly_series(counts: dict[tuple[int, str], int], labels: dict[str, str],
                   other: str) -> tuple[list[int], list[tuple[str, list[int]]]]:
    """Every year from the first to the last of ``counts`` ((year, key) -> n), and a series per key
    for the MAX_SERIES keys counted most (ties by label), the rest summed as ``other``."""
    years = list(range(min(y for y, _ in counts), max(y for y, _ in counts) + 1))
    totals: dict[str, int] = defaultdict(int)
    for (_, key), n in counts.items():
        totals[key] += n
    ranked = sorted(totals, key=lambda k: (-totals[k], labels[k]))
    shown, rest = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    series = [(labels[k], [counts.get((y, k), 0) for y in years]) for k in shown]
    if rest:
        series.append((other, [sum(counts.get((y, k), 0) for k in rest) for y in years]))
    return years, series


def tip_chart(ctx: Context, who: Caller, country: str | None, lang: str = "en") -> Chart:
    gettext = translations(lang).gettext
    name = "tip-elements-by-country" if country else "cases-by-tip-element"
    rows = _rows(ctx, who, name, {"country": country} if country else {})
    chart = Chart(ident="tip-elements", heading=gettext("Elements of trafficking in persons (TIP Protocol, art. 3 (a))"),
                  query=name, query_href=url("/explore/sparql", query=name, country=country), drawn="none",
                  unit="cases")
    order = {group: i for i, (group, _, _) in enumerate(TIP_GROUPS)}
    items = []
    for row in rows:
        group = str(row["group"])
        element = str(row["element"])
        label = str(row["label"]) if row.get("label") else element.rsplit("/", 1)[-1]
        items.append((order.get(group, 9), -int(row["cases"]), label, group, element, int(row["cases"])))
    items.sort()
    if not items:
        chart.note = gettext("No case records an act, a means or a purpose of trafficking in persons.")
        return chart
    names = {group: gettext(group_name) for group, group_name, _ in TIP_GROUPS}
    chart.drawn = "bars"
    chart.categories = [f"{names.get(group, group)}: {label}" for _, _, label, group, _, _ in items]
    chart.series = [Series(name=gettext("Cases"), values=[n for *_, n in items])]
    chart.links = [concept_href(ctx.iris, element) or ctx.iris.href(element) for *_, element, _ in items]
    chart.groups = [order.get(group, 0) for _, _, _, group, _, _ in items]
    if country:
        chart.title = gettext("Cases in %(place)s by element of trafficking in persons") % {"place": country}
        chart.description = gettext(
            "Horizontal bars: for each act, means and purpose of exploitation of the definition in article 3 (a) of the "
            "Trafficking in Persons Protocol, how many cases in %(place)s record it. Each bar links to the element's "
            "page; the numbers are in the table below the chart.") % {"place": country}
    else:
        chart.title = gettext("Cases by element of trafficking in persons")
        chart.description = gettext(
            "Horizontal bars: for each act, means and purpose of exploitation of the definition in article 3 (a) of the "
            "Trafficking in Persons Protocol, how many cases record it. Each bar links to the element's page; the "
            "numbers are in the table below the chart.")
    chart.columns = [gettext("Element"), gettext("Kind"), gettext("Cases")]
    chart.text_columns = 2
    chart.rows = [[label, names.get(group, group), n] for _, _, label, group, _, n in items]
    return chart


def tip_years_chart(ctx: Context, who: Caller, country: str | None, lang: str = "en") -> Chart:
    """Cases per year by element of trafficking in persons (the most recorded ones, the others together)."""
    gettext = translations(lang).gettext
    name = "tip-elements-by-year"
    params = {"country": country} if country else {}
    counts: dict[tuple[int, str], int] = defaultdict(int)
    labels: dict[str, str] = {}
    names = {group: gettext(group_name) for group, group_name, _ in TIP_GROUPS}
    for row in _rows(ctx, who, name, params):
        year = _year(row.get("year"))
        if year is None:
            continue
        element = str(row["element"])
        label = str(row["label"]) if row.get("label") else element.rsplit("/", 1)[-1]
        labels[element] = f"{names.get(str(row['group']), str(row['group']))}: {label}"
        counts[(year, element)] += int(row["cases"])
    chart = Chart(ident="tip-elements-per-year", heading=gettext("Elements of trafficking in persons per year"),
                  query=name, query_href=url("/explore/sparql", query=name, **params), drawn="none", unit="cases")
    if not counts:
        chart.note = gettext("No case with a year records an act, a means or a purpose of trafficking in persons.")
        return chart
    years, series = _yearly_series(counts, labels, gettext("Other elements"))
    span = {"first": str(years[0]), "last": str(years[-1]), "place": country}
    if country:
        title = gettext("Elements of trafficking in persons per year in %(place)s") % span
        description = gettext(
            "Stacked bars: for each year from %(first)s to %(last)s, how many cases decided in %(place)s record each "
            "act, means and purpose of exploitation (TIP Protocol art. 3 (a)); a case that records several elements "
            "counts once for each, one that records none is not counted. The numbers are in the table below the "
            "chart.") % span
    else:
        title = gettext("Elements of trafficking in persons per year")
        description = gettext(
            "Stacked bars: for each year from %(first)s to %(last)s, how many cases decided record each act, means "
            "and purpose of exploitation (TIP Protocol art. 3 (a)); a case that records several elements counts once "
            "for each, one that records none is not counted. The numbers are in the table below the chart.") % span
    chart.stack_by_year(years, series, title=title, total=gettext("All elements"), description=description,
                        year=gettext("Year"))
    return chart


def participation_chart(ctx: Context, who: Caller, country: str | None, lang: str = "en") -> Chart:
    gettext = translations(lang).gettext
    name = "participation-over-time"
    rows = _rows(ctx, who, name, {"participant": country} if country else {})
    chart = Chart(ident="ratifications",
                  heading=gettext("Ratifications, accessions and other consents to be bound, over time"),
                  query=name, query_href=url("/explore/sparql", query=name, participant=country), drawn="none",
                  unit="parties")
    consents: dict[str, list[int]] = {code: [] for code in INSTRUMENTS}
    signatures: dict[str, int] = defaultdict(int)
    for row in rows:
        code = str(row["code"])
        year = _year(row.get("consentDate"))
        if year is not None:
            consents.setdefault(code, []).append(year)
        if row.get("signatureDate"):
            signatures[code] += 1
    series = [(_instrument(code, lang), sorted(years)) for code, years in consents.items() if years]
    if not series:
        chart.note = gettext("No ratification, accession, acceptance, approval or succession recorded.")
        return chart
    chart.drawn = "steps"
    chart.series = [Series(name=label, values=years) for label, years in series]
    chart.title = (gettext("Parties over time by %(place)s: ratifications, accessions and other consents to be bound")
                   % {"place": country} if country
                   else gettext("Parties over time: ratifications, accessions and other consents to be bound"))
    chart.description = gettext(
        "Step lines, one per instrument: how many States and organizations had expressed their consent to be bound "
        "(ratification, accession, acceptance, approval or succession) by the end of each year. The numbers are in "
        "the table below the chart.")
    years, counted = cumulative_counts(series)
    chart.categories = [str(y) for y in years]
    chart.columns = [gettext("Year")] + [gettext("%(instrument)s (parties)") % {"instrument": label} for label, _ in series]
    for i, year in enumerate(years):
        new = [sum(1 for y in events if y == year) for _, events in series]
        if any(new):
            chart.rows.append([year, *(f"{number(counts[i], lang)} (+{number(n, lang)})" if n else number(counts[i], lang)
                                       for (_, counts), n in zip(counted, new))])
    signed = ", ".join(f"{_instrument(c, lang)}: {number(n, lang)}" for c, n in signatures.items())
    chart.note = gettext("Signatures recorded: %(signatures)s.") % {"signatures": signed} if signed else ""
    return chart


def _instrument(code: str, lang: str) -> str:
    """The instrument's name (:data:`INSTRUMENT_NAMES`) in ``lang``; an unknown code as it is."""
    return translations(lang).gettext(INSTRUMENT_NAMES[code]) if code in INSTRUMENT_NAMES else code


def reach_chart(ctx: Context, who: Caller, country: str | None, lang: str = "en") -> Chart:
    """Cases per year, transnational / internal (art. 32 (3) (b)): only the cases whose records tell,
    with how many of the cases that is (a chart of the others would be a chart of what is not known)."""
    gettext = translations(lang).gettext
    rule = gettext(REACH_RULE)
    name = "cases-transnational-by-year"
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in _rows(ctx, who, name, {"country": country} if country else {}):
        year = _year(row.get("year"))
        if year is not None:
            counts[(year, str(row["reach"]))] += int(row["cases"])
    chart = Chart(ident="transnational", heading=gettext("Transnational and internal cases per year, where known"),
                  query=name, query_href=url("/explore/sparql", query=name, country=country), drawn="none",
                  unit="cases", note=rule)
    if not counts:
        chart.note = gettext("No case with a year.") + " " + rule
        return chart
    every = sum(counts.values())
    known = {key: n for key, n in counts.items() if key[1] != "unknown"}
    figures = {"known": number(sum(known.values()), lang), "every": number(every, lang),
               "others": number(every - sum(known.values()), lang), "place": country}
    coverage = (gettext("The records tell whether a case is transnational or internal for %(known)s of the %(every)s "
                        "cases with a year in %(place)s; the chart leaves the %(others)s others out.") if country
                else gettext("The records tell whether a case is transnational or internal for %(known)s of the "
                             "%(every)s cases with a year; the chart leaves the %(others)s others out.")) % figures
    chart.note = coverage + " " + rule
    if not known:
        return chart
    years = list(range(min(y for y, _ in known), max(y for y, _ in known) + 1))
    series = [(gettext(label), [known.get((y, reach), 0) for y in years]) for reach, label in REACHES
              if reach != "unknown"]
    span = {"first": str(years[0]), "last": str(years[-1]), "place": country}
    if country:
        title = gettext("Transnational and internal cases per year in %(place)s, where known") % span
        description = gettext(
            "Stacked bars: for each year from %(first)s to %(last)s, the number of cases decided in %(place)s whose "
            "records tell whether they are transnational (at the bottom) or internal; each case counts once. How many "
            "cases that is, and the rule, are given under the chart; the numbers are in the table below it.") % span
    else:
        title = gettext("Transnational and internal cases per year, where known")
        description = gettext(
            "Stacked bars: for each year from %(first)s to %(last)s, the number of cases decided whose records tell "
            "whether they are transnational (at the bottom) or internal; each case counts once. How many cases that "
            "is, and the rule, are given under the chart; the numbers are in the table below it.") % span
    chart.stack_by_year(years, series, title=title, total=gettext("Known"), description=description,
                        year=gettext("Year"))
    return chart


def trends(ctx: Context, who: Caller, country: str | None = None, region: str | None = None,
           lang: str = "en") -> Trends:
    """The charts, for every State, one State (``country``) or one UN M49 area (``region``; with a
    country, the region is left aside); UsageError (400) for a malformed country or an unknown area.
    Their words in ``lang`` (the explorer's page; the JSON is in English)."""
    gettext = translations(lang).gettext
    country, region = country or None, region or None
    if country is not None and not is_iso3(country):
        raise UsageError(f"'{country}' is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. BRA).")
    available = [Region.model_validate(r) for r in implementation.regions(ctx, who)]
    found = None if country else implementation.region_filter(region, [r.model_dump() for r in available])
    chosen = Region(code=found["code"], name=found["name"],
                    level=next((r.level for r in available if r.code == found["code"]), 0)) if found else None
    names = {str(r["code"]): str(r["name"]) if r.get("name") else str(r["code"])
             for r in _rows(ctx, who, _JURISDICTIONS, {}) if r.get("code") and is_iso3(str(r["code"]))}
    choices = sorted(names.items(), key=lambda c: (c[1].casefold(), c[0]))
    country_name = dict(choices).get(country) if country else None
    if chosen is not None:
        charts = [cases_chart(ctx, who, None, chosen, lang)]
        title = gettext("Trends: %(name)s") % {"name": chosen.name}
    else:
        charts = [cases_chart(ctx, who, country, lang=lang), tip_chart(ctx, who, country, lang),
                  tip_years_chart(ctx, who, country, lang), participation_chart(ctx, who, country, lang),
                  reach_chart(ctx, who, country, lang)]
        title = gettext("Trends: %(name)s") % {"name": country_name or country} if country else gettext("Trends")
    return Trends(title=title, country=country, country_name=country_name, region=chosen, regions=available,
                  countries=[TrendsChoice(code=code, name=name) for code, name in choices], charts=charts)


@router.get("/api/trends", response_model=Trends, summary="Cases, trafficking elements and ratifications over time")
def trends_json(country: str | None = Query(None, description="ISO 3166-1 alpha-3: every chart for that State."),
                region: str | None = Query(None, description="A UN M49 area code (e.g. 150): the cases per year and "
                                                             "crime type of its States."),
                ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Trends:
    """The trends page's charts: the values drawn, the numbers, the named query behind each."""
    return trends(ctx, who, country, region)
