"""Countries: every State and jurisdiction that any record names, and one page per State.

``/explore/countries`` (one query, ``records-per-country``): a table of how many records of each
kind each State has, sortable by any column (``?sort=cases&order=desc``; links, no script).

``/explore/countries/{code}`` (eight queries): the State's name; its participation in each
instrument (where none is recorded, "no participation recorded", with what the store covers: never
"not party"); its laws per Convention provision; its cases with a chart per year; its competent
national authorities (the contact details come from the restricted graph, so only a caller who may
read it sees them); its strategies. A malformed or unknown code is a 404 page in the frame.

Both render the data of :mod:`api.countries` (their JSON twins: ``/api/countries[/{code}]``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound

from ..context import Context, caller, reading
from ..countries import Cases, country, country_list
from ..implementation import coverage_sentence
from . import charts
from .i18n import N_, interface_language, translations
from .layout import language, render, url

router = APIRouter()


@router.get("/explore/countries", response_class=HTMLResponse)
def countries(request: Request, sort: str = Query("name"), order: str = Query("asc"),
              ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    data = country_list(ctx, who, sort, order)
    headers = []
    for key, label in (("name", N_("State or jurisdiction")), ("code", N_("Code")),
                       *((c.kind, c.label) for c in data.columns)):
        current = key == data.sort
        default = "desc" if key not in ("name", "code") else "asc"
        target = ("desc" if data.order == "asc" else "asc") if current else default
        headers.append({"key": key, "label": label, "href": url("/explore/countries", sort=key, order=target),
                        "aria": ("ascending" if data.order == "asc" else "descending") if current else None,
                        "number": key not in ("name", "code")})
    return render(request, "explorer/countries.html", title=N_("Countries"), who=who, data=data, headers=headers)


def _not_found(request: Request, who: Caller, code: str, why: str) -> HTMLResponse:
    return render(request, "explorer/country_not_found.html", title=N_("Country not found"), who=who,
                  status_code=404, code=code, why=why)


def cases_chart(code: str, cases: Cases, lang: str = "en") -> Markup | None:
    """The bar chart of a State's cases per year, every year from the first to the last (each bar a
    link to the search for that year's cases), its title and description in ``lang``."""
    if not cases.per_year:
        return None
    gettext = translations(lang).gettext
    counts = {entry.year: entry.cases for entry in cases.per_year}
    years = list(range(min(counts), max(counts) + 1))
    return charts.bar_chart(
        [str(y) for y in years], [counts.get(y, 0) for y in years], ident="chart-country-cases",
        unit="cases", lang=interface_language(lang),
        hrefs=[url("/explore/search/cases", country=code, year_from=y, year_to=y) for y in years],
        title=gettext("Cases decided in %(code)s per year") % {"code": code},
        description=gettext("Bars: the number of cases decided in %(code)s each year from %(first)s to %(last)s; "
                            "each bar links to those cases. The numbers are in the table below the chart.")
        % {"code": code, "first": years[0], "last": years[-1]})


@router.get("/explore/countries/{code}", response_class=HTMLResponse)
def country_page(request: Request, code: str, ctx: Context = Depends(reading),
                 who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        data = country(ctx, who, code, language(request))
    except NotFound as error:
        return _not_found(request, who, code, str(error))
    return render(request, "explorer/country.html", title=data.name.text if data.name else code, who=who,
                  data=data, code=code, cases_svg=cases_chart(code, data.cases, language(request)),
                  coverage=[coverage_sentence(c.model_dump(), interface_language(language(request)))
                            for c in data.coverage],
                  search_href=url("/explore/search/cases", country=code))
