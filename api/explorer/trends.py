"""Trends: cases per year by crime type, the elements of trafficking in persons (TIP Protocol art. 3
(a)) the cases record (in all and per year), signatures, ratifications and accessions over time, and the cases of each
year that are transnational or internal where known (art. 32 (3) (b)), each as an SVG chart
(:mod:`.charts`) with its numbers in a table and the named query behind it.

The page renders the data of :mod:`api.trends` (its JSON twin: ``/api/trends``), which says what
each chart draws; the SVG is drawn here from it. ``?country=ISO3`` narrows every chart to one
State, ``?region=150`` the cases per year and crime type to one UN M49 area.

Queries per page: five named queries (``cases-by-year-and-crime-type``, ``cases-by-tip-element``
or ``tip-elements-by-country``, ``tip-elements-by-year``, ``participation-over-time``,
``cases-transnational-by-year``) and
``records-per-country`` for the choice of State.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from sherloc_kg.access import Caller
from sherloc_kg.errors import UsageError

from ..context import Context, caller, reading
from ..trends import Chart, trends
from . import charts
from .i18n import N_, interface_language
from .layout import language, render

router = APIRouter()


def svg(chart: Chart, lang: str = "en") -> Markup | None:
    """The SVG of ``chart``, drawn from what its data says is drawn (None: nothing to draw), its
    numbers and tooltips written in ``lang``."""
    ident = f"chart-{chart.ident}"
    if chart.drawn == "stacked-bars":
        return charts.stacked_bar_chart(chart.categories, [(s.name, s.values) for s in chart.series], ident=ident,
                                        unit=chart.unit, title=chart.title, description=chart.description, lang=lang)
    if chart.drawn == "bars":
        return charts.horizontal_bar_chart(chart.categories, chart.series[0].values, ident=ident, hrefs=chart.links,
                                           unit=chart.unit, groups=chart.groups, title=chart.title,
                                           description=chart.description, lang=lang)
    if chart.drawn == "steps":
        return charts.cumulative_chart([(s.name, s.values) for s in chart.series], ident=ident, unit=chart.unit,
                                       title=chart.title, description=chart.description, lang=lang)
    return None


@router.get("/explore/trends", response_class=HTMLResponse)
def trends_page(request: Request, country: str | None = Query(None), region: str | None = Query(None),
                ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    lang = interface_language(language(request))
    lang_param = language(request) if request.query_params.get("lang") else None
    try:
        data = trends(ctx, who, country, region, lang)
    except UsageError as error:
        refused: dict[str, Any] = dict(title=N_("Trends"), who=who, status_code=400, data=None, drawn=[])
        return render(request, "explorer/trends.html", **refused, error=str(error))
    return render(request, "explorer/trends.html", title=data.title, who=who, data=data, lang_param=lang_param,
                  drawn=[(chart, svg(chart, lang)) for chart in data.charts], error=None)
