"""The faceted search pages: one per record kind, over :mod:`sherloc_kg.search` (the same code as
the JSON API ``/api/search/{kind}``), and the same search as CSV.

    GET /explore/search/{kind}        the form, the facets with their counts, a page of results (its
                                      JSON twin, named in ``Link: rel="alternate"``: the same search at
                                      ``/api/search/{kind}``, api/explorer/twins.py)
    GET /explore/search/{kind}.csv    every matching record (up to CSV_MAX) as CSV

The URL holds the whole search (a GET form: shareable, works without JavaScript); the parameters
are those of the JSON API (country, provision, crime_type, issue, tip_act, tip_means, tip_purpose,
year_from, year_to, q, page, size, sort), plus ``lang``. A parameter that does not fit is a 400
page naming it; an unknown kind a 404 page.

The CSV holds every record the search matches, in its order, up to :data:`CSV_MAX`; when there
are more, the first CSV_MAX are sent with ``X-Result-Truncated: true`` (``X-Result-Total`` says
how many matched). Lists in a cell are separated by "; ".
"""

from __future__ import annotations

import csv
import io
import math

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from sherloc_kg import search as core
from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import parse_provision

from ..context import Context, caller, reading
from ..instruments import provision_words
from .i18n import N_, translations
from .layout import language, reader_href, render, url

router = APIRouter()

#: The kinds, in the order of the tabs, with their titles.
KINDS = {
    "cases": N_("Case law"),
    "legislation": N_("Legislation"),
    "treaties": N_("Treaties"),
    "strategies": N_("Strategies"),
    "publications": N_("Bibliography"),
    "authorities": N_("Competent national authorities"),
}
#: Short names of the facets (the long ones, with their properties, are the tooltips).
FACET_TITLES = {
    "country": N_("Country"),
    "provision": N_("Convention provision"),
    "crime_type": N_("Crime type"),
    "issue": N_("Cross-cutting issue"),
    "tip_act": N_("Trafficking: act"),
    "tip_means": N_("Trafficking: means"),
    "tip_purpose": N_("Trafficking: purpose"),
}
SORT_LABELS = {"year_desc": N_("Newest first"), "year_asc": N_("Oldest first"), "title": N_("Title"), "id": N_("Identifier")}
PAGE_SIZES = (10, 20, 50, 100)
#: The most records one CSV holds.
CSV_MAX = 10_000
SUMMARY_LENGTH = 300
_PAGER_SPAN = 2


def _params(request: Request) -> tuple[dict[str, list[str]], str | None]:
    """The search parameters of the URL (empty values dropped, as an empty form field sends
    them), and the ``lang`` the page was asked in."""
    params: dict[str, list[str]] = {}
    lang = None
    for name, value in request.query_params.multi_items():
        if name == "lang":
            lang = value
            continue
        if value.strip() == "":
            continue
        params.setdefault(name, []).append(value)
    return params, lang


def _pages(page: int, last: int) -> list[int | None]:
    """Page numbers around ``page`` with the first and last; None where some are skipped."""
    shown = sorted({1, last, *range(max(1, page - _PAGER_SPAN), min(last, page + _PAGER_SPAN) + 1)})
    result: list[int | None] = []
    for number in shown:
        if result and number - (result[-1] or 0) > 1:
            result.append(None)
        result.append(number)
    return result


def _facet_panels(kind: core.Kind, parsed: core.SearchRequest, facets: dict[str, list[dict]],
                  lang: str = "en") -> list[dict]:
    """The filter panels; a Convention provision named in words (its reference is the value sent)."""
    panels = []
    for facet in kind.all_facets:
        chosen = parsed.values(facet.name)
        values = list(facets.get(facet.name, []))
        listed = {v["value"] for v in values}
        # a chosen value no record has any more stays listed, so it can be unticked
        values += [{"value": v, "label": v, "count": 0} for v in chosen if v not in listed]
        for value in values:
            value["checked"] = value["value"] in chosen
            if facet.kind == "provision" and parse_provision(value["value"]) is not None:
                title = value["label"] if value["label"] != value["value"] else None
                value["label"] = provision_words(value["value"], lang) + (f": {title}" if title else "")
            value["show_code"] = facet.kind == "country" and value["label"] != value["value"]
        values.sort(key=lambda v: (not v["checked"], -v["count"], v["value"]))
        panels.append({"name": facet.name, "title": FACET_TITLES.get(facet.name, facet.name),
                       "help": facet.label, "values": values, "active": bool(chosen)})
    return panels


def _title(request: Request, kind: str) -> str:
    """"Search: Case law", in the request's language."""
    gettext = translations(language(request)).gettext
    return gettext("Search: %(kind)s") % {"kind": gettext(KINDS[kind])}


def _error_page(request: Request, who: Caller, kind: str, message: str, status: int) -> HTMLResponse:
    return render(request, "explorer/search.html", title=N_("Search"), who=who, status_code=status,
                  kinds=KINDS, kind=kind, kind_title=KINDS.get(kind), error=message, status=status,
                  q=request.query_params.get("q", ""),
                  tab_links={k: url(f"/explore/search/{k}", lang=request.query_params.get("lang")) for k in KINDS})


@router.get("/explore/search/{kind}.csv")
def search_csv(kind: str, request: Request, ctx: Context = Depends(reading),
               who: Caller = Depends(caller)) -> Response:
    params, _ = _params(request)
    try:
        parsed = core.parse(kind, params)
        total, items = core.export(ctx.reads, ctx.iris, parsed,
                                   who.dataset(ctx.iris), limit=CSV_MAX)
    except (UsageError, NotFound) as error:
        return Response(f"{error}\n", status_code=error.http_status, media_type="text/plain; charset=utf-8")
    kind_ = parsed.kind
    columns = ["id", "iri", "title", "country"]
    if kind_.year:
        columns.append("year")
    if kind_.summaries:
        columns.append("summary")
    for name, key in (("provision", "provisions"), ("crime_type", "crime_types"), ("issue", "issues")):
        if kind_.facet(name) is not None:
            columns.append(key)
    columns += [facet.name for facet in kind_.extra_facets]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow([_cell(item.get(column)) for column in columns])
    headers = {"Content-Disposition": f'attachment; filename="sherloc-{kind_.name}.csv"',
               "X-Result-Total": str(total), "X-Result-Truncated": "true" if total > len(items) else "false"}
    return Response(buffer.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)


def _cell(value: object) -> str:
    """A CSV cell: lists joined by "; "; a text that a spreadsheet would run as a formula gets a
    leading apostrophe (the usual guard against CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/explore/search/{kind}", response_class=HTMLResponse)
def search_page(kind: str, request: Request, ctx: Context = Depends(reading),
                who: Caller = Depends(caller)) -> HTMLResponse:
    if kind not in core.KINDS:
        message = translations(language(request)).gettext(
            "There is no search for '%(kind)s'. The kinds one can search are: %(kinds)s.")
        return _error_page(request, who, kind, message % {"kind": kind, "kinds": ", ".join(KINDS)}, 404)
    params, lang = _params(request)
    try:
        parsed = core.parse(kind, params)
        result = core.search(ctx.reads, ctx.iris, parsed, who.dataset(ctx.iris),
                             extra_facets=True)
    except UsageError as error:
        return _error_page(request, who, kind, str(error), 400)
    spec = parsed.kind
    state = {name: values for name, values in params.items() if name != "page"}
    if lang:
        state["lang"] = [lang]
    path = f"/explore/search/{kind}"

    def link(**changes: object) -> str:
        return url(path, **{**state, **changes})

    last = max(1, math.ceil(result["total"] / parsed.size))
    labels = {name: {v["value"]: v["label"] for v in values} for name, values in result["facets"].items()}
    items = []
    for item in result["items"]:
        summary = item.get("summary") or ""
        if len(summary) > SUMMARY_LENGTH:
            summary = summary[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + " …"
        items.append({
            **item, "href": reader_href(ctx.iris, item["iri"]) or ctx.iris.href(item["iri"]) or item["iri"], "excerpt": summary,
            "provision_words": [(ref, provision_words(ref, language(request))) for ref in item.get("provisions") or []],
            "countries": [(c, labels.get("country", {}).get(c, c)) for c in item.get("country", [])],
            "concepts": [(FACET_TITLES.get(name, name), value, labels.get(name, {}).get(value, value))
                         for name, key in (("crime_type", "crime_types"), ("issue", "issues"),
                                           ("tip_act", "tip_act"), ("tip_means", "tip_means"),
                                           ("tip_purpose", "tip_purpose"))
                         for value in item.get(key) or []],
        })
    # the filters set, by name, for a search that finds nothing (what to untick)
    filters_set = [FACET_TITLES.get(facet.name, facet.name) for facet in spec.all_facets if parsed.values(facet.name)]
    if parsed.year_from is not None or parsed.year_to is not None:
        filters_set.append(N_("Years"))
    return render(
        request, "explorer/search.html", title=_title(request, kind), who=who,
        filters_set=filters_set, browse_link=url(path, lang=lang),
        kinds=KINDS, kind=kind, kind_title=KINDS[kind], error=None, path_here=path,
        q=parsed.q or "", year_from=parsed.year_from, year_to=parsed.year_to, sort=parsed.sort, size=parsed.size,
        sorts=[(s, SORT_LABELS[s]) for s in core.SORTS if spec.year or not s.startswith("year")],
        sizes=PAGE_SIZES, has_year=bool(spec.year), year_help=spec.year_label,
        facets=_facet_panels(spec, parsed, result["facets"], language(request)),
        years=[(v["value"], v["count"], link(year_from=v["value"], year_to=v["value"]))
               for v in result["facets"].get("year", [])],
        total=result["total"], page=parsed.page, last=last, items=items,
        first_shown=(parsed.page - 1) * parsed.size + 1 if items else 0,
        last_shown=(parsed.page - 1) * parsed.size + len(items),
        pages=[(n, link(page=n) if n else None) for n in _pages(parsed.page, last)],
        previous=link(page=parsed.page - 1) if parsed.page > 1 else None,
        next=link(page=parsed.page + 1) if parsed.page < last else None,
        csv_link=url(path + ".csv", **{n: v for n, v in params.items() if n not in ("page", "size")}),
        csv_max=CSV_MAX, lang_param=lang,
        clear_link=url(path, lang=lang),
        tab_links={k: url(f"/explore/search/{k}", q=parsed.q, lang=lang) for k in KINDS})
