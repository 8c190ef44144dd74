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

The pages speak in words (issue 18): an article is named as a reader names it (``Article 5`` under its
instrument's name, ``Art. 5`` in the gap list, the full words in its title and for screen readers) and
links to the Convention browser; statuses, gaps and findings by their labels in the page's language;
the evidence links to the reader's pages (a case, an authority, a law at the provision's anchor),
never to the RDF view where a reader's page exists. The JSON and CSV keep the references and codes.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import INSTRUMENTS, parse_provision
from sherloc_kg.obligations import CONSIDER, MANDATORY, NONE, OPTIONAL

from . import i18n
from .i18n import N_, SHORT_TITLES

from .. import implementation as core
from ..context import Context, caller, reading
from .layout import authority_href, case_href, language, law_href, render, url
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
#: The gaps in a few words (a heat-map cell's title; api/implementation.py's GAPS explain them).
GAP_LABELS = {"no-legislation": N_("no implementing legislation recorded"),
              "self-assessed-without-legislation": N_("self-assessed as implemented, no legislation recorded"),
              "legislation-but-assessed-not-implemented": N_("legislation recorded, self-assessed as not implemented"),
              "cases-without-legislation": N_("cases, no legislation recorded")}
#: An article named short, where a list of them must stay narrow.
ARTICLE_SHORT = N_("Art. %(number)s")
#: The findings of the data-quality checks in words (the query's ``detail`` is English, for the JSON).
FINDING_WORDS = {"case-without-provision-link": N_("no Convention provision and no national provision given"),
                 "law-without-implemented-provision": N_("no provision of this law says which Convention provision it "
                                                         "implements"),
                 "national-provision-without-link": N_("implements no Convention provision, as recorded")}
_DECIDED_IN = re.compile(r"decided in (\d{4})")


def article_words(reference: str, number: str | None, lang: str) -> dict[str, str]:
    """An article of an instrument as the pages name it: ``page`` (the Convention browser), ``words``
    (``Trafficking in Persons Protocol, Article 5``), ``label`` (``Article 5``), ``short`` (``Art. 5``)
    and ``instrument_name`` (its instrument's short name), in ``lang``."""
    gettext = i18n.translations(lang).gettext
    parsed = parse_provision(reference)
    number = number or (parsed.article if parsed is not None and parsed.article else reference)
    code = reference.split("/", 1)[0]
    return {"page": "/explore/instruments/" + reference, "words": i18n.provision_words(reference, lang),
            "label": i18n.part_label("Article", number, lang), "short": gettext(ARTICLE_SHORT) % {"number": number},
            "instrument_name": gettext(SHORT_TITLES[code]) if code in SHORT_TITLES else ""}


def reader_page(ctx: Context, entry: dict) -> str:
    """The reader's page of an evidence entry or a finding (a case, an authority, a law or a provision
    of one at its anchor); its RDF view where there is none (a review answer)."""
    iri = entry["iri"]
    return (case_href(ctx.iris, iri) or authority_href(ctx.iris, iri) or law_href(ctx.iris, iri)
            or entry["href"] or iri)


def _part(reference: str | None, lang: str) -> str | None:
    """The part of an article an entry is about, in words (``Article 5 (1) (a)``); None for no provision."""
    parsed = parse_provision(reference or "")
    return i18n.citation(reference or "", lang) if parsed is not None and parsed.article else None


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
    groups: list[dict] = []  # the articles instrument by instrument, in the order of the query (numeric)
    for article in result["articles"]:
        article.update(article_words(article["article"] or "", article["number"], lang))
        for entry in article["national_provisions"] + article["cases"] + article["authorities"] + \
                ((article["self_assessment"] or {}).get("responses") or []):
            entry["page"], entry["part"] = reader_page(ctx, entry), _part(entry["reference"], lang)
        if not groups or groups[-1]["code"] != article["instrument"]:
            groups.append({"code": article["instrument"], "name": article["instrument_name"], "articles": []})
        groups[-1]["articles"].append(article)
    recorded = i18n.listing([gettext(core.COVERAGE_NAMES[c]) for c in INSTRUMENTS
                             if c in result["participation_recorded"]], lang)
    return render(request, "explorer/implementation_profile.html", title=title, groups=groups, recorded=recorded,
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
    for article in result["articles"]:
        article.update(article_words(article["article"], article["number"], lang))
    listed = []
    for state in result["states"]:
        for article in result["articles"]:
            cell = by_pair.get((state["country"], article["article"]))
            if cell is None:
                continue
            kind = _cell_kind(cell, article)
            symbol, words = CELL_KINDS[kind]
            editorial = cell["national_provisions_editorial"]
            described = "; ".join([state["name"], article["words"],
                                   _(OBLIGATION_LABELS.get(article["obligation"], article["obligation"])).lower(),
                                   _(words), _party(cell, lang),
                                   *([_("editorial mapping: %(num)s national provision(s) mapped by the editors")
                                      % {"num": i18n.number(editorial, lang)}]
                                     if editorial else []),
                                   *([_("self-assessed: %(statuses)s") % {"statuses": ", ".join(
                                       _(ASSESSMENTS.get(s, s)) for s in cell["self_assessment"])}]
                                     if cell["self_assessment"] else []),
                                   *([_("gaps: %(gaps)s") % {"gaps": ", ".join(
                                       _(GAP_LABELS.get(g, g)) for g in cell["gaps"])}] if cell["gaps"] else [])])
            records = cell["national_provisions"] + cell["cases"] + cell["authorities"]
            grid[state["country"]].append({**cell, "kind": kind, "symbol": symbol, "described": described,
                                           "records": records})
            if cell["gaps"]:
                listed.append({**cell, "name": state["name"], "obligation": article["obligation"],
                               "weight": article["weight"], "instrument": article["instrument"],
                               "short": article["short"]})
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


def _finding_words(ctx: Context, check: str, finding: dict, lang: str) -> str | None:
    """What a data-quality finding says, in ``lang``; None where the pages know no words for it (the
    query's English ``detail`` is shown, marked as English)."""
    gettext = i18n.translations(lang).gettext
    detail = finding["detail"] or ""
    if check == "case-without-decision-date":
        year = _DECIDED_IN.match(detail)
        return (gettext("decided in %(year)s; no full date") % {"year": year.group(1)} if year
                else gettext("no decision date and no year"))
    if check == "case-cites-unknown-national-provision":
        # {base}id/legislation/XAA/XAA-penal-code/art/999 → "XAA-penal-code, art. 999"
        parts = (ctx.iris.below(detail.removeprefix("cites "), "id/legislation/") or "").split("/")
        if len(parts) >= 4 and parts[2] in ("art", "sec"):
            cited = f"{unquote(parts[1])}, {parts[2]}. {parts[3]}" + "".join(f" ({p})" for p in parts[4:])
            return gettext("cites a national provision the legislation database does not hold: %(provision)s") \
                % {"provision": cited}
        return gettext("cites a national provision the legislation database does not hold")
    return gettext(FINDING_WORDS[check]) if check in FINDING_WORDS else None


def _instrument_name(code: str, lang: str) -> str:
    """An instrument's short name in ``lang`` (``Trafficking in Persons Protocol``)."""
    return i18n.translations(lang).gettext(SHORT_TITLES[code]) if code in SHORT_TITLES else code


def _rank(cell: dict) -> int:
    return list(INSTRUMENTS).index(cell["instrument"]) if cell["instrument"] in INSTRUMENTS else len(INSTRUMENTS)


def _gaps_by_state(states: list[dict], listed: list[dict], every: list[dict], lang: str) -> list[dict]:
    """The gaps grouped: one entry per State (most weighted gaps first), one list per kind of gap,
    instrument by instrument, heavier articles first; with the participation recorded for the State,
    instrument by instrument.
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
                else gettext("%(instrument)s: signed %(date)s")) % {"instrument": _instrument_name(instrument, lang),
                                                                    "date": when}
    result = []
    for state in sorted(states, key=lambda s: (-s["weighted"], s["country"])):
        mine = cells.get(state["country"])
        if not mine:
            continue
        kinds = []
        for gap, words in core.GAPS.items():
            hit = sorted((c for c in mine if gap in c["gaps"]), key=lambda c: -c["weight"])
            if hit:  # the articles under their instrument's name, instrument by instrument
                instruments = [{"name": _instrument_name(code, lang),
                                "cells": [{"article": c["article"], "href": c["href"], "obligation": c["obligation"],
                                           "short": c["short"],
                                           "editorial": c["national_provisions_editorial"]}
                                          for c in hit if c["instrument"] == code]}
                               for code in dict.fromkeys(c["instrument"] for c in sorted(hit, key=_rank))]
                kinds.append({"gap": gap, "words": gettext(words), "instruments": instruments})
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
    lang = i18n.interface_language(language(request))
    gettext = i18n.translations(lang).gettext
    title = gettext("Data quality: %(name)s") % {"name": result["name"]}
    for check in result["checks"]:
        for finding in check["findings"]:
            finding["page"] = reader_page(ctx, finding)
            # a provision of a law with no English title is labelled with the law's IRI: its id instead
            finding["label"] = re.sub(re.escape(ctx.iris.base) + r"id/legislation/[^/\s]+/([^/\s,]+)",
                                      lambda m: unquote(m.group(1)), finding["label"])
            finding["words"] = _finding_words(ctx, check["check"], finding, lang)
    return render(request, "explorer/quality_report.html", title=title, who=who,
                  report=result, code=code, severities=SEVERITIES, csv_href=f"/api/countries/{code}/quality.csv",
                  json_href=f"/api/countries/{code}/quality",
                  query_href=url("/explore/sparql", query="data-quality-of-country", country=code))
