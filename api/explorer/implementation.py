"""Article 32 information gathering (issue 8): the implementation profile of a State, the gap
matrix of States × articles, and the data-quality report of a State, as pages of the explorer.

    /explore/countries/{ISO3}/implementation   one row per article: party since, implementing
                                               legislation, cases, authorities, latest self-assessment,
                                               derived status; each cell links to its evidence
    /explore/gaps                              the heat map: States × articles, gaps marked, mandatory
                                               articles weighted
    /explore/countries/{ISO3}/quality          the conditions the SHACL shapes warn about, per State

The figures are those of the JSON/CSV routes of :mod:`api.implementation` (one named query per
page, over the graphs the caller may read; each page names its JSON twin in ``Link: rel="alternate"``,
api/explorer/twins.py); filters: ``instrument`` and ``cluster``, and on the gap
matrix ``region`` (a UN M49 area code, chosen from the areas that hold a State in the data). No inline
style or script (the CSP forbids them): the heat map is an HTML table whose cells carry classes.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import INSTRUMENTS
from sherloc_kg.obligations import CONSIDER, MANDATORY, NONE, OPTIONAL

from . import i18n
from .i18n import N_

from .. import implementation as core
from ..context import Context, caller, reading
from .layout import language, render, url
from ..instruments import INSTRUMENT_NAMES

router = APIRouter()

#: The symbol and the words of each kind of heat-map cell (the class is ``cell-{kind}``; its colours,
#: told apart with any colour vision, in api/static/explorer.css). A cell also shows how many records
#: (national provisions, cases, designated authorities) the store holds for it, when any.
CELL_KINDS = {
    "gap-mandatory": ("!", N_("gap on a mandatory article")),
    "gap": ("!", N_("gap")),
    "disagreement": ("≠", N_("self-assessment and recorded evidence disagree")),
    "evidence": ("✓", N_("implementing legislation recorded")),
    "other-evidence": ("•", N_("cases, authorities or a self-assessment recorded, no legislation needed")),
    "nothing": ("", N_("nothing recorded")),
    "participation-not-recorded": ("?", N_("no participation recorded for the instrument, and nothing else recorded")),
}
#: The obligation types as the pages name them (sherloc_kg/obligations.py's LABELS, to translate).
OBLIGATION_LABELS = {MANDATORY: N_("Mandatory"), CONSIDER: N_("To consider"), OPTIONAL: N_("Optional"),
                     NONE: N_("No obligation")}
#: The derived status of an article for a State (api/implementation.py's DERIVED, to translate).
DERIVED_LABELS = {"evidence found": N_("evidence found"), "self-assessed only": N_("self-assessed only"),
                  "nothing recorded": N_("nothing recorded")}
#: The self-assessments a review answer gives (api/explorer/submission_csv.py's statuses), to translate.
ASSESSMENTS = {"implemented": N_("implemented"), "partially-implemented": N_("partially implemented"),
               "not-implemented": N_("not implemented"), "not-applicable": N_("not applicable")}
#: The severities of the data-quality findings (sh:Warning, sh:Violation), to translate.
SEVERITIES = {"warning": N_("warning"), "violation": N_("violation")}
DISAGREEMENTS = {"self-assessed-without-legislation", "legislation-but-assessed-not-implemented"}


def _not_found(request: Request, who: Caller, code: str, why: str) -> HTMLResponse:
    return render(request, "explorer/country_not_found.html", title="Country not found", who=who,
                  status_code=404, code=code, why=why)


def _bad_filter(request: Request, who: Caller, error: UsageError) -> HTMLResponse:
    return render(request, "explorer/implementation_error.html", title="Bad filter", who=who, status_code=400,
                  message=str(error))


def _filter_choices(request: Request, instrument: str | None, cluster: str | None) -> dict:
    gettext = i18n.translations(i18n.interface_language(language(request))).gettext
    return {"lang_param": language(request) if request.query_params.get("lang") else None,
            "instruments": [(code, gettext(INSTRUMENT_NAMES.get(code, code))) for code in INSTRUMENTS],
            "instrument": instrument or "", "cluster": cluster or ""}


@router.get("/explore/countries/{code}/implementation", response_class=HTMLResponse)
def implementation_page(request: Request, code: str, instrument: str | None = Query(None),
                        cluster: str | None = Query(None), ctx: Context = Depends(reading),
                        who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        result = core.profile(ctx, who, code, instrument or None, cluster or None, language=language(request))
    except NotFound as error:
        return _not_found(request, who, code, str(error))
    except UsageError as error:
        return _bad_filter(request, who, error)
    params = {"instrument": instrument or None, "cluster": cluster or None}
    lang = i18n.interface_language(language(request))
    gettext = i18n.translations(lang).gettext
    title = gettext("Implementation profile: %(name)s") % {"name": result["name"]}
    for entry in result["coverage"]:
        entry["sentence"] = core.coverage_sentence(entry, lang)
    return render(request, "explorer/implementation_profile.html", title=title,
                  who=who, profile=result, code=code, derived=core.DERIVED, derived_labels=DERIVED_LABELS,
                  obligation_labels=OBLIGATION_LABELS, assessments=ASSESSMENTS,
                  json_href=url(f"/api/countries/{code}/implementation", **params),
                  csv_href=url(f"/api/countries/{code}/implementation.csv", **params),
                  query_href=url("/explore/sparql", query="implementation-profile", country=code, **params),
                  **_filter_choices(request, instrument, cluster))


def _cell_kind(cell: dict, article: dict) -> str:
    gaps = set(cell["gaps"])
    if gaps & DISAGREEMENTS:
        return "disagreement"
    if gaps:
        return "gap-mandatory" if article["obligation"] == "mandatory" else "gap"
    if cell["national_provisions"]:
        return "evidence"
    if cell["cases"] or cell["authorities"] or cell["self_assessment"]:
        return "other-evidence"
    # open world: without a participation record the store does not know whether the State is bound
    return "nothing" if cell["participation"] != "not-recorded" else "participation-not-recorded"


@router.get("/explore/gaps", response_class=HTMLResponse)
def gaps_page(request: Request, instrument: str | None = Query(None), cluster: str | None = Query(None),
              region: str | None = Query(None), ctx: Context = Depends(reading),
              who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        result = core.matrix(ctx, who, instrument or None, cluster or None, region or None)
    except UsageError as error:
        return _bad_filter(request, who, error)
    lang = i18n.interface_language(language(request))
    _ = i18n.translations(lang).gettext
    for entry in result["coverage"]:
        entry["sentence"] = core.coverage_sentence(entry, lang)
    grid: dict[str, list[dict]] = {s["country"]: [] for s in result["states"]}
    by_pair = {(c["country"], c["article"]): c for c in result["cells"]}
    listed = []
    for state in result["states"]:
        for article in result["articles"]:
            cell = by_pair.get((state["country"], article["article"]))
            if cell is None:
                continue
            kind = _cell_kind(cell, article)
            symbol, words = CELL_KINDS[kind]
            editorial = cell["national_provisions_editorial"]
            described = "; ".join([f"{state['country']} {article['article']}",
                                   _(OBLIGATION_LABELS.get(article["obligation"], article["obligation"])).lower(),
                                   _(words), _party(cell, lang),
                                   *([_("editorial mapping: %(num)s national provision(s) mapped by the editors")
                                      % {"num": i18n.number(editorial, lang)}]
                                     if editorial else []),
                                   *([_("self-assessed: %(statuses)s") % {"statuses": ", ".join(cell["self_assessment"])}]
                                     if cell["self_assessment"] else []),
                                   *([_("gaps: %(gaps)s") % {"gaps": ", ".join(cell["gaps"])}] if cell["gaps"] else [])])
            records = cell["national_provisions"] + cell["cases"] + cell["authorities"]
            grid[state["country"]].append({**cell, "kind": kind, "symbol": symbol, "described": described,
                                           "records": records})
            if cell["gaps"]:
                listed.append({**cell, "name": state["name"], "obligation": article["obligation"],
                               "weight": article["weight"], "instrument": article["instrument"]})
    groups: list[dict] = []
    for article in result["articles"]:
        if groups and groups[-1]["code"] == article["instrument"]:
            groups[-1]["span"] += 1
        else:
            groups.append({"code": article["instrument"], "name": _(INSTRUMENT_NAMES[article["instrument"]])
                           if article["instrument"] in INSTRUMENT_NAMES else "",
                           "span": 1})
    by_state = _gaps_by_state(result["states"], listed, result["cells"], lang)
    params = {"instrument": instrument or None, "cluster": cluster or None, "region": region or None}
    return render(request, "explorer/gaps_matrix.html", title="Gap matrix", who=who, matrix=result, grid=grid,
                  groups=groups, listed=by_state, kinds={kind: (symbol, _(words)) for kind, (symbol, words)
                                                         in CELL_KINDS.items()},
                  obligation_labels={key: _(label) for key, label in OBLIGATION_LABELS.items()},
                  json_href=url("/api/gap-matrix", **params), csv_href=url("/api/gap-matrix.csv", **params),
                  query_href=url("/explore/sparql", query="gap-matrix", **params),
                  regions=result["regions"], region=region or "", **_filter_choices(request, instrument, cluster))


def _party(cell: dict, lang: str) -> str:
    """What participation is recorded for the State in the cell's instrument, in ``lang``."""
    gettext = i18n.translations(lang).gettext
    if cell["party_since"]:
        return gettext("party since %(date)s") % {"date": i18n.date(cell["party_since"], lang)}
    if cell["signed"]:
        return gettext("signed %(date)s, no consent to be bound recorded") % {"date": i18n.date(cell["signed"], lang)}
    return gettext("no participation recorded")


def _gaps_by_state(states: list[dict], listed: list[dict], every: list[dict], lang: str) -> list[dict]:
    """The gaps grouped: one entry per State (most weighted gaps first), one list per kind of gap,
    heavier articles first; with the participation recorded for the State, instrument by instrument.
    (One row per gap would be thousands of rows once every State with a case is in the matrix.)"""
    gettext = i18n.translations(lang).gettext
    cells: dict[str, list[dict]] = {}
    for cell in listed:
        cells.setdefault(cell["country"], []).append(cell)
    # the participation recorded, from every cell (a State's gaps may all lie in another instrument)
    recorded: dict[str, dict[str, str]] = {}
    for c in every:
        instrument = c["article"].split("/")[0]
        if c["participation"] != "not-recorded" and instrument not in recorded.get(c["country"], {}):
            when = i18n.date(c["party_since"] or c["signed"], lang)
            recorded.setdefault(c["country"], {})[instrument] = (
                gettext("%(instrument)s: party since %(date)s") if c["party_since"]
                else gettext("%(instrument)s: signed %(date)s")) % {"instrument": instrument, "date": when}
    result = []
    for state in sorted(states, key=lambda s: (-s["weighted"], s["country"])):
        mine = cells.get(state["country"])
        if not mine:
            continue
        kinds = []
        for gap, words in core.GAPS.items():
            hit = sorted((c for c in mine if gap in c["gaps"]), key=lambda c: -c["weight"])
            if hit:
                kinds.append({"gap": gap, "words": gettext(words),
                              "cells": [{"article": c["article"], "href": c["href"], "obligation": c["obligation"],
                                         "editorial": c["national_provisions_editorial"]} for c in hit]})
        result.append({"country": state["country"], "name": state["name"], "href": state["href"],
                       "count": state["gaps"], "weighted": state["weighted"], "kinds": kinds,
                       "parties": list(recorded.get(state["country"], {}).values())})
    return result


@router.get("/explore/countries/{code}/quality", response_class=HTMLResponse)
def quality_page(request: Request, code: str, ctx: Context = Depends(reading),
                 who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        result = core.quality(ctx, who, code)
    except NotFound as error:
        return _not_found(request, who, code, str(error))
    gettext = i18n.translations(i18n.interface_language(language(request))).gettext
    title = gettext("Data quality: %(name)s") % {"name": result["name"]}
    return render(request, "explorer/quality_report.html", title=title, who=who,
                  report=result, code=code, severities=SEVERITIES, csv_href=f"/api/countries/{code}/quality.csv",
                  json_href=f"/api/countries/{code}/quality",
                  query_href=url("/explore/sparql", query="data-quality-of-country", country=code))
