"""Article 32 information gathering (issue 8): what the graph records about each State's
implementation of the Convention and its Protocols, as JSON and CSV. The explorer pages
(:mod:`api.explorer.implementation`) render the same figures.

    GET /api/countries/{ISO3}/implementation[.csv]   the implementation profile of a State
    GET /api/gap-matrix[.csv]                        States × articles, with the gaps
    GET /api/countries/{ISO3}/quality[.csv]          the data-quality findings for a State

Filters: ``instrument`` (untoc, tip, som, fp) and ``cluster`` (a review cluster, e.g. 1; "none":
the articles of no cluster); for the gap matrix also ``region``: a UN M49 area by its three-digit code
(a region such as 150, Europe; a sub-region such as 155, Western Europe; or an intermediate region),
matched against the notations of the ``sherloc:inRegion`` areas the countries graph gives each State at install time
(loaders/countries.py, from country_converter). Every figure comes from one named query (``implementation-profile``, ``gap-matrix``,
``data-quality-of-country``) run over the graphs the caller may read (``who.dataset``): the public
never sees an unpublished self-assessment, an official does. Python only reshapes the rows. Each
article of the profile also lists ``withdrawals``: answers about it that were published, then
withdrawn by the State, with the version that was public, kept as history (api/review_withdrawals.py).

Open world. The store knows a State's participation only where a source recorded it (the bundled UN
Treaty Collection table covers 18 participants of UNTOC and none of the Protocols): without a
record, participation is "no participation recorded", never "not party", in the JSON, the CSV and
the pages alike; each answer carries ``coverage`` (named query ``participation-coverage``): per
instrument, how many participants have participation recorded, from which source, as at which date,
with a sentence saying so. The gap matrix has a row for every State with any record (a case decided
by its courts, a law, an authority, a review answer, a participation). The ``no-legislation`` gap is
a gap in the database: the article lays an obligation and no implementing legislation is recorded,
whether or not participation is recorded (the cell says which). Implementation counts say what they
rest on: ``cited`` (the legislation record) or ``editorial`` (a mapping by the SHERLOC-KG editors,
graph ``editorial``).

The gap matrix has a row for a regional economic integration organization that is party to an
instrument (the European Union, ``id/jurisdiction/EU``, from the UN Treaty Collection status
table), beside the States: it is no ``sherloc:Country``, so its row says ``"organization": true``,
carries :data:`ORGANIZATION_NOTE`, and links to its resource page (it has no implementation profile).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import INSTRUMENTS, is_iso3
from sherloc_kg.loaders.countries import M49_AREAS
from sherloc_kg.obligations import LABELS as OBLIGATION_LABELS
from sherloc_kg.parameters import M49
from sherloc_kg.queries import internal

from . import review_withdrawals
from .context import Context, caller, reading
from .explorer import twins
from .explorer.i18n import N_, date, interface_language, number, translations

router = APIRouter(tags=["implementation"])

CLUSTER = re.compile(r"[A-Za-z0-9-]{1,20}")
#: The derived status of an article for a State, strongest evidence first.
DERIVED = ("evidence found", "self-assessed only", "nothing recorded")
#: The gaps the matrix marks: notation → explanation.
GAPS = {
    "no-legislation": N_("The article lays an obligation and no implementing legislation is recorded for the State: a gap "
                       "in the database (where no participation is recorded, the database does not say whether the "
                       "obligation binds the State)"),
    "self-assessed-without-legislation": N_("Self-assessed as implemented (or partially), but no implementing legislation "
                                            "is recorded"),
    "legislation-but-assessed-not-implemented": N_("Implementing legislation is recorded, but the State self-assessed "
                                                   "the article as not implemented"),
    "cases-without-legislation": N_("Cases apply or cite the article, but no implementing legislation is recorded"),
}
REGION_NOTE = N_("Regions are the UN M49 areas (region, sub-region, intermediate region) recorded for each State; "
               "a regional economic integration organization and a fictional State are in "
               "none, so a region filter leaves them out.")
ORGANIZATION_NOTE = N_("A regional economic integration organization (UNTOC art. 2 (j)), party to the Convention "
                     "under art. 36 (3), not a State: it has no ISO 3166-1 code, no implementation profile and no "
                     "national legislation of its own in the data; its member States implement the Convention.")
#: What a State's participation in an instrument is, as recorded.
PARTICIPATION_WORDS = {"party": "party", "signatory": "signatory (no consent to be bound recorded)",
                       "not-recorded": "no participation recorded"}
#: How the coverage sentence names each instrument.
COVERAGE_NAMES = {"untoc": N_("UNTOC"), "tip": N_("the Trafficking in Persons Protocol"),
                  "som": N_("the Smuggling of Migrants Protocol"), "fp": N_("the Firearms Protocol")}
UNTC = "https://treaties.un.org/"
PROFILE_COLUMNS = ("instrument", "article", "title", "obligation", "clusters", "participation", "party_since", "signed",
                   "derived_status", "national_provisions", "national_provisions_cited", "national_provisions_editorial", "cases", "authorities",
                   "self_assessment", "self_assessment_date", "self_assessment_responses")
MATRIX_COLUMNS = ("country", "name", "instrument", "article", "obligation", "weight", "clusters", "participation",
                  "party_since", "signed", "national_provisions", "national_provisions_cited",
                  "national_provisions_editorial", "cases", "authorities", "self_assessment", "self_assessment_date", "gaps")
QUALITY_COLUMNS = ("country", "check", "severity", "resource", "label", "detail")


# -- helpers --------------------------------------------------------------------------------------

def _text(row: dict, name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None and str(value) != "" else None


def _int(row: dict, name: str) -> int:
    value = row.get(name)
    try:
        return int(str(value)) if value is not None else 0
    except ValueError:
        return 0


def _entries(ctx: Context, value: object) -> list[dict]:
    """The "IRI|reference|label" lines of an evidence list, each with its local path; a national
    provision's line ends with "|cited" or "|editorial", the kind of claim it rests on."""
    result = []
    for line in sorted(str(value or "").split("\n")):
        if not line.strip():
            continue
        iri, _, rest = line.partition("|")
        reference, _, label = rest.partition("|")
        claim = None
        if label.endswith(("|cited", "|editorial")):
            label, _, claim = label.rpartition("|")
        entry = {"iri": iri, "href": ctx.iris.href(iri), "reference": reference or None,
                 "label": label or iri.rsplit("/", 1)[-1]}
        if claim:
            entry["claim"] = claim
        result.append(entry)
    return result


def participation_status(row: dict) -> str:
    """party, signatory or not-recorded: what the store records of a State's participation."""
    if _text(row, "partySince"):
        return "party"
    return "signatory" if _text(row, "signed") else "not-recorded"


def coverage(ctx: Context, who: Caller, instrument: str | None = None) -> list[dict]:
    """Per instrument (named query ``participation-coverage``): how many participants have
    participation recorded, from which sources, as at which date, and a sentence saying so; a
    State outside it has "no participation recorded", never "not party"."""
    found: dict[str, dict] = {}
    for row in _run(ctx, who, "participation-coverage", {"instrument": instrument} if instrument else {}):
        code = _text(row, "code") or ""
        entry = found.setdefault(code, {
            "instrument": code, "participants": 0, "parties": 0, "sources": [],
            "party_count": _int(row, "partyCount") if _text(row, "partyCount") else None,
            "counts_as_at": _text(row, "countsAsAt")})
        count = _int(row, "participants")
        if count:
            entry["participants"] += count
            entry["parties"] += _int(row, "parties")
            entry["sources"].append({"source": _text(row, "source"), "file": _text(row, "file"),
                                     "as_at": _text(row, "asAt"), "participants": count,
                                     "parties": _int(row, "parties")})
    for entry in found.values():
        entry["sentence"] = coverage_sentence(entry)
    return list(found.values())


def coverage_sentence(entry: dict, lang: str = "en") -> str:
    """"Participation in UNTOC is recorded from the UN Treaty Collection status table of UNTOC as at
    4 May 2024, covering 18 participants (...)", in ``lang`` (the JSON's: English), from a coverage
    entry (:func:`coverage`; a dict, or the fields of api/countries.py's Coverage as one)."""
    gettext, ngettext = translations(lang).gettext, translations(lang).ngettext
    code = entry["instrument"]
    name = gettext(COVERAGE_NAMES[code]) if code in COVERAGE_NAMES else code
    if not entry["participants"]:
        return gettext("No participation in %(instrument)s is recorded in the store: no source loaded covers it.") \
            % {"instrument": name}
    parts = []
    for source in entry["sources"]:
        what = (gettext("the UN Treaty Collection status table of %(instrument)s") % {"instrument": name}
                if (source["source"] or "").startswith(UNTC)
                else gettext("the file %(file)s") % {"file": source["file"]} if source["file"]
                else gettext("a source not recorded"))
        figures = {"source": what, "date": date(source["as_at"], lang), "num": number(source["participants"], lang),
                   "parties": number(source["parties"], lang)}
        parts.append((ngettext("from %(source)s as at %(date)s, covering %(num)s participant (%(parties)s with a "
                               "consent to be bound)",
                               "from %(source)s as at %(date)s, covering %(num)s participants (%(parties)s with a "
                               "consent to be bound)", source["participants"]) if source["as_at"]
                      else ngettext("from %(source)s, covering %(num)s participant (%(parties)s with a consent to be "
                                    "bound)",
                                    "from %(source)s, covering %(num)s participants (%(parties)s with a consent to be "
                                    "bound)", source["participants"])) % figures)
    counted = ""
    if entry["party_count"] is not None:
        counted = (gettext("; the UN Treaty Collection counted %(num)s parties as at %(date)s") if entry["counts_as_at"]
                   else gettext("; the UN Treaty Collection counted %(num)s parties")) \
            % {"num": number(entry["party_count"], lang), "date": date(entry["counts_as_at"], lang)}
    return gettext("Participation in %(instrument)s is recorded %(sources)s%(counted)s. For any other State, no "
                   "participation in %(instrument)s is recorded: the store does not say whether it is a party.") \
        % {"instrument": name, "sources": "; ".join(parts), "counted": counted}


def filters(instrument: str | None, cluster: str | None) -> dict[str, str]:
    """The query parameters of the filters, checked; UsageError (400) for a value that fits none."""
    params: dict[str, str] = {}
    if instrument:
        if instrument not in INSTRUMENTS:
            raise UsageError(f"unknown instrument '{instrument}'; known: {', '.join(INSTRUMENTS)}")
        params["instrument"] = instrument
    if cluster:
        if not CLUSTER.fullmatch(cluster):
            raise UsageError(f"'{cluster}' is not a review cluster (e.g. 1, or none)")
        params["cluster"] = cluster
    return params


def regions(ctx: Context, who: Caller) -> list[dict]:
    """The UN M49 areas that hold at least one State in the data, in the order of the M49 hierarchy:
    code, English name (:data:`M49_AREAS`) and level (0 region, 1 sub-region, 2 intermediate region)."""
    regions_query = internal("implementation-regions")
    present = {_text(row, "code") for row in ctx.reads.select(regions_query.text, dataset=who.dataset(ctx.iris)).rows}
    found = []
    for code, (name, parent) in M49_AREAS.items():
        if code in present:
            level = 0
            while parent is not None:
                level, parent = level + 1, M49_AREAS[parent][1]
            found.append({"code": code, "name": name, "level": level})
    return found + [{"code": code, "name": code, "level": 0}
                    for code in sorted(c for c in present - set(M49_AREAS) if c is not None)]


def region_filter(region: str | None, available: list[dict]) -> dict | None:
    """The region asked for, checked: {code, name}; UsageError (400) naming the parameter for a value
    that is no three-digit M49 code or that no State in the data is in."""
    if not region:
        return None
    if not M49.fullmatch(region):
        raise UsageError(f"parameter 'region': {region!r} is not a UN M49 area code of three digits (e.g. 150 for Europe)")
    for known in available:
        if known["code"] == region:
            return {"code": region, "name": known["name"]}
    raise UsageError(f"parameter 'region': no State in the data is in the UN M49 area {region} "
                     "(e.g. 150 for Europe, 155 for Western Europe)")


def state(ctx: Context, who: Caller, code: str) -> tuple[str, str]:
    """(IRI, English name) of the State ``code``; NotFound when the code names none."""
    if not is_iso3(code):
        raise NotFound(f"'{code}' is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. XAA)")
    named = internal("implementation-state")
    bindings = named.bindings({"country": code}, ctx.iris)
    rows = ctx.reads.select(named.text, bindings=bindings, dataset=who.dataset(ctx.iris)).rows
    if not rows:
        raise NotFound(f"no State with the code {code} is known")
    return str(bindings["country"]), _text(rows[0], "label") or code


def _run(ctx: Context, who: Caller, name: str, params: dict[str, str]) -> list[dict]:
    named = ctx.library.get(name)
    return ctx.reads.select(named.text, bindings=named.bindings(params, ctx.iris), dataset=who.dataset(ctx.iris)).rows


def _plain_rows(ctx: Context, who: Caller, name: str, params: dict[str, str]) -> list[dict[str, str]]:
    """The rows of a named query as {variable: lexical value}, read from its SPARQL JSON results: for
    the gap matrix's 10,000+ rows (every State with a record × 107 articles) three times faster than
    turning every value into an rdflib term, and the same strings."""
    named = ctx.library.get(name)
    buffer = io.BytesIO()
    ctx.reads.query_serialized(named.text, buffer, media_type="application/sparql-results+json",
                               bindings=named.bindings(params, ctx.iris), dataset=who.dataset(ctx.iris))
    return [{variable: term["value"] for variable, term in binding.items()}
            for binding in json.loads(buffer.getvalue())["results"]["bindings"]]


def _cell(value: object) -> str:
    """A CSV cell; a text a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(columns: tuple[str, ...], rows: list[list[object]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return Response(buffer.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# -- the implementation profile -----------------------------------------------------------------

def profile(ctx: Context, who: Caller, code: str, instrument: str | None = None, cluster: str | None = None,
            language: str | None = None) -> dict:
    """The implementation profile of State ``code``: one entry per article (named query
    ``implementation-profile``). With ``language``, article titles and the titles of the laws in
    the evidence are in that language where the data has them (English otherwise)."""
    iri, name = state(ctx, who, code)
    params = {"country": code, **filters(instrument, cluster)}
    articles: dict[str, dict] = {}
    query_params = params | ({"language": language} if language and language != "en" else {})
    for row in _run(ctx, who, "implementation-profile", query_params):
        article_iri = str(row["article"])
        cluster_id = _text(row, "cluster")
        if article_iri in articles:  # an article in several clusters: one entry, every cluster
            if cluster_id and cluster_id != "none":
                articles[article_iri]["clusters"].append(cluster_id)
            continue
        obligation = _text(row, "obligation") or "none"
        statuses = (_text(row, "assessmentStatus") or "").split()
        articles[article_iri] = {
            "article": _text(row, "reference"), "iri": article_iri, "href": ctx.iris.href(article_iri),
            "anchor": (_text(row, "reference") or "").replace("/", "-"),
            "instrument": _text(row, "code"), "number": _text(row, "number"), "title": _text(row, "title"),
            "obligation": obligation, "obligation_label": OBLIGATION_LABELS.get(obligation, obligation),
            "clusters": [cluster_id] if cluster_id and cluster_id != "none" else [],
            "participation": participation_status(row),
            "participation_words": PARTICIPATION_WORDS[participation_status(row)],
            "party_since": _text(row, "partySince"), "signed": _text(row, "signed"),
            "derived_status": _text(row, "derived") or "nothing recorded",
            "national_provisions": _entries(ctx, row.get("nationals")),
            "national_provisions_cited": _int(row, "citedCount"),
            "national_provisions_editorial": _int(row, "editorialCount"),
            "cases": _entries(ctx, row.get("cases")),
            "authorities": _entries(ctx, row.get("authorities")),
            "self_assessment": {"statuses": statuses, "date": _text(row, "assessmentDate"),
                                "responses": _entries(ctx, row.get("assessments"))} if statuses else None,
        }
    entries = list(articles.values())
    if language and language != "en":
        _law_titles_in(ctx, who, code, language, entries)
    # answers published, then withdrawn: the published version stays public, as history
    withdrawn = review_withdrawals.by_article(review_withdrawals.withdrawals(
        ctx, who, code, interface_language(language or "en"))) if is_iso3(code) else {}
    for entry in entries:
        entry["withdrawals"] = [w.model_dump() for w in withdrawn.get(entry["article"] or "", [])]
    totals = {status: sum(1 for a in entries if a["derived_status"] == status) for status in DERIVED}
    return {"country": code, "iri": iri, "name": name, "filters": params | {"country": code},
            "query": "implementation-profile", "articles": entries, "totals": totals,
            "participation_recorded": sorted({a["instrument"] for a in entries if a["participation"] != "not-recorded"}),
            "coverage": coverage(ctx, who, instrument)}


def _law_titles_in(ctx: Context, who: Caller, code: str, language: str, entries: list[dict]) -> None:
    """Relabel the national provisions of ``entries`` with their law's title in ``language`` (query
    ``laws-of-country``), where the data has one: "Criminal Code, sec. 467.11 (1)" → "Code criminel,
    sec. 467.11 (1)". A law's provisions have IRIs below the law's own."""
    titles = {str(row["law"]): (str(row["lawTitle"]), _text(row, "titleLanguage"))
              for row in _run(ctx, who, "laws-of-country", {"country": code, "language": language})
              if row.get("lawTitle") is not None}
    for article in entries:
        for entry in article["national_provisions"]:
            law = max((law for law in titles if entry["iri"].startswith(law + "/")), key=len, default=None)
            if law is None or titles[law][1] != language:
                continue
            _title, _comma, place = entry["label"].rpartition(", ")
            entry["label"] = f"{titles[law][0]}, {place}" if place else entry["label"]
            entry["label_language"] = language


def profile_rows(result: dict) -> list[list[object]]:
    rows = []
    for a in result["articles"]:
        assessment = a["self_assessment"] or {}
        rows.append([a["instrument"], a["article"], a["title"], a["obligation"], a["clusters"],
                     a["participation_words"], a["party_since"], a["signed"], a["derived_status"],
                     [f'{e["reference"]}: {e["label"]} ({e.get("claim", "cited")}) <{e["iri"]}>'
                      for e in a["national_provisions"]],
                     a["national_provisions_cited"], a["national_provisions_editorial"],
                     [f'{e["label"]} <{e["iri"]}>' for e in a["cases"]],
                     [f'{e["label"]} <{e["iri"]}>' for e in a["authorities"]],
                     assessment.get("statuses"), assessment.get("date"),
                     [f'{e["reference"]}: {e["label"]} <{e["iri"]}>' for e in assessment.get("responses", [])]])
    return rows


@router.get("/api/countries/{code}/implementation.csv")
def profile_csv(code: str, instrument: str | None = Query(None), cluster: str | None = Query(None),
                ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    result = profile(ctx, who, code, instrument, cluster)
    return csv_response(PROFILE_COLUMNS, profile_rows(result), f"sherloc-implementation-{code}.csv")


@router.get("/api/countries/{code}/implementation")
def profile_json(request: Request, code: str, instrument: str | None = Query(None, description="untoc, tip, som or fp"),
                 cluster: str | None = Query(None, description="a review cluster, e.g. 1; none: no cluster"),
                 ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> JSONResponse:
    """The implementation profile of a State, article by article."""
    return twins.named_back(request, JSONResponse(profile(ctx, who, code, instrument, cluster)))


# -- the gap matrix -------------------------------------------------------------------------------

def matrix(ctx: Context, who: Caller, instrument: str | None = None, cluster: str | None = None,
           region: str | None = None) -> dict:
    """States × articles (named query ``gap-matrix``): the articles in order, the States by code,
    and one cell per pair; with ``region``, the States in that UN M49 area only."""
    params = filters(instrument, cluster)
    available = regions(ctx, who)
    chosen = region_filter(region, available)
    if chosen:
        params["region"] = chosen["code"]
    articles: dict[str, dict] = {}
    states: dict[str, dict] = {}
    cells: dict[tuple[str, str], dict] = {}
    for row in _plain_rows(ctx, who, "gap-matrix", params):
        reference = _text(row, "reference") or str(row["article"])
        code = _text(row, "iso") or str(row["country"]).rsplit("/", 1)[-1]
        cluster_id = _text(row, "cluster")
        article = articles.setdefault(reference, {
            "article": reference, "href": ctx.iris.href(str(row["article"])), "instrument": _text(row, "code"),
            "number": _text(row, "number"), "obligation": _text(row, "obligation") or "none",
            "weight": _int(row, "weight"), "clusters": []})
        if cluster_id and cluster_id != "none" and cluster_id not in article["clusters"]:
            article["clusters"].append(cluster_id)
        organization = _text(row, "organization") == "true"
        # a regional economic integration organization (the EU) has no profile page: its resource page
        home = ctx.iris.href(str(row["country"])) if organization else f"/explore/countries/{code}/implementation"
        states.setdefault(code, {"country": code, "name": _text(row, "name") or code, "href": home,
                                 "organization": organization, "note": ORGANIZATION_NOTE if organization else None,
                                 "gaps": 0, "weighted": 0})
        if (code, reference) in cells:
            continue
        gaps = (_text(row, "gaps") or "").split()
        cells[(code, reference)] = {
            "country": code, "article": reference, "participation": participation_status(row),
            "party_since": _text(row, "partySince"), "signed": _text(row, "signed"),
            "national_provisions": _int(row, "nationalCount"),
            "national_provisions_cited": _int(row, "citedCount"),
            "national_provisions_editorial": _int(row, "editorialCount"), "cases": _int(row, "caseCount"),
            "authorities": _int(row, "authorityCount"),
            "self_assessment": (_text(row, "assessmentStatus") or "").split(),
            "self_assessment_date": _text(row, "assessmentDate"), "gaps": gaps,
            "href": home if organization else f"/explore/countries/{code}/implementation#{reference.replace('/', '-')}"}
        states[code]["gaps"] += len(gaps)
        states[code]["weighted"] += article["weight"] * len(gaps)
    return {"filters": params, "query": "gap-matrix", "region": chosen, "regions": available, "region_note": REGION_NOTE,
            "gap_types": GAPS, "coverage": coverage(ctx, who, instrument),
            "participation_words": PARTICIPATION_WORDS,
            "weights": {"mandatory": 3, "to-consider": 2, "optional": 1, "none": 0},
            "articles": sorted(articles.values(), key=_article_order),
            "states": sorted(states.values(), key=lambda s: s["country"]),
            "cells": list(cells.values())}


def _article_order(article: dict) -> tuple:
    """Instrument by instrument (UNTOC, then its Protocols), articles by number as numbers: tip/art/6
    before tip/art/10, whatever order the store answered in."""
    instrument = article["instrument"]
    rank = list(INSTRUMENTS).index(instrument) if instrument in INSTRUMENTS else len(INSTRUMENTS)
    parts = re.split(r"(\d+)", article["number"] or article["article"])
    return (rank, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p])


def matrix_rows(result: dict) -> list[list[object]]:
    articles = {a["article"]: a for a in result["articles"]}
    names = {s["country"]: s["name"] for s in result["states"]}
    return [[c["country"], names.get(c["country"]), articles[c["article"]]["instrument"], c["article"],
             articles[c["article"]]["obligation"], articles[c["article"]]["weight"], articles[c["article"]]["clusters"],
             PARTICIPATION_WORDS[c["participation"]], c["party_since"], c["signed"], c["national_provisions"],
             c["national_provisions_cited"], c["national_provisions_editorial"], c["cases"], c["authorities"],
             c["self_assessment"],
             c["self_assessment_date"], c["gaps"]] for c in result["cells"]]


@router.get("/api/gap-matrix.csv")
def matrix_csv(instrument: str | None = Query(None), cluster: str | None = Query(None),
               region: str | None = Query(None), ctx: Context = Depends(reading),
               who: Caller = Depends(caller)) -> Response:
    return csv_response(MATRIX_COLUMNS, matrix_rows(matrix(ctx, who, instrument, cluster, region)),
                        "sherloc-gap-matrix.csv")


@router.get("/api/gap-matrix")
def matrix_json(request: Request, instrument: str | None = Query(None, description="untoc, tip, som or fp"),
                cluster: str | None = Query(None, description="a review cluster, e.g. 1; none: no cluster"),
                region: str | None = Query(None, description="a UN M49 region, sub-region or intermediate region "
                                           "by its three-digit code, e.g. 150 (Europe)"),
                ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> JSONResponse:
    """States × articles: what is recorded and where the records show a gap."""
    return twins.named_back(request, JSONResponse(matrix(ctx, who, instrument, cluster, region)))


# -- data quality ---------------------------------------------------------------------------------

QUALITY_CHECKS = {
    "case-without-decision-date": N_("Cases without a decision date"),
    "case-without-provision-link": N_("Cases linked to no Convention provision and no national provision"),
    "case-cites-unknown-national-provision": N_("Cases citing a national provision the legislation database does not hold"),
    "law-without-implemented-provision": N_("Laws none of whose provisions implements a Convention provision"),
    "national-provision-without-link": N_("Provisions of a law that implement no Convention provision"),
}


def quality(ctx: Context, who: Caller, code: str) -> dict:
    """The data-quality findings for State ``code`` (named query ``data-quality-of-country``)."""
    iri, name = state(ctx, who, code)
    findings: dict[str, list[dict]] = defaultdict(list)
    severity: dict[str, str] = {}
    for row in _run(ctx, who, "data-quality-of-country", {"country": code}):
        issue = str(row["issue"])
        severity[issue] = _text(row, "severity") or "warning"
        findings.setdefault(issue, [])
        if row.get("resource") is not None:
            resource = str(row["resource"])
            findings[issue].append({"iri": resource, "href": ctx.iris.href(resource),
                                    "label": _text(row, "label") or resource.rsplit("/", 1)[-1],
                                    "detail": _text(row, "detail")})
    checks = [{"check": issue, "title": QUALITY_CHECKS.get(issue, issue), "severity": severity.get(issue, "warning"),
               "count": len(findings.get(issue, [])), "findings": findings.get(issue, [])}
              for issue in [*QUALITY_CHECKS, *sorted(set(findings) - set(QUALITY_CHECKS))]]
    return {"country": code, "iri": iri, "name": name, "query": "data-quality-of-country", "checks": checks,
            "total": sum(c["count"] for c in checks)}


def quality_rows(result: dict) -> list[list[object]]:
    return [[result["country"], c["check"], c["severity"], f["iri"], f["label"], f["detail"]]
            for c in result["checks"] for f in c["findings"]]


@router.get("/api/countries/{code}/quality.csv")
def quality_csv(code: str, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    return csv_response(QUALITY_COLUMNS, quality_rows(quality(ctx, who, code)), f"sherloc-data-quality-{code}.csv")


@router.get("/api/countries/{code}/quality")
def quality_json(request: Request, code: str, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> JSONResponse:
    """The data-quality findings for a State: the conditions the SHACL shapes warn about."""
    return twins.named_back(request, JSONResponse(quality(ctx, who, code)))
