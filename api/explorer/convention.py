"""The Convention browser: the Convention and its three Protocols, each instrument's table of
contents, and one page per provision (article, paragraph, subparagraph or item) with its text in the
chosen language and everything the graph links to it.

    /explore/instruments                          the four instruments (1 store query)
    /explore/instruments/{code}                   table of contents (2 queries)
    /explore/instruments/{code}/art/{n}[/...]     a provision (5 queries, a 6th for names of States
                                                  that only designated authorities)

Each page renders the data of :mod:`api.instruments` (its JSON twin: ``/api/instruments...``).
Every query is a named query of ``sparql/`` (so the page can say which ones it ran) and runs over
the caller's dataset: restricted graphs never reach the public.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound

from ..context import Context, caller, reading
from ..instruments import SHORT_TITLES, instrument_contents, instrument_list, provision
from . import i18n
from .i18n import N_
from .layout import LANGUAGES, language, render

router = APIRouter()

#: Above this many cases (or national provisions), a provision page shows counts per State with
#: links to the search instead of every row.
LIST_LIMIT = 50


def _not_found(request: Request, who: Caller, message: str) -> HTMLResponse:
    return render(request, "explorer/convention_not_found.html", title=N_("Not found"), who=who,
                  status_code=404, message=message)


@router.get("/explore/instruments", response_class=HTMLResponse)
def instruments(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    """The Convention and its three Protocols: title, adoption and entry into force, signatories
    and parties where the graph records them, number of articles, and a link to each."""
    wanted = language(request)
    return render(request, "explorer/convention_instruments.html", title=N_("The Convention and its Protocols"),
                  who=who, data=instrument_list(ctx, who, wanted), wanted_name=LANGUAGES[wanted],
                  short_titles=SHORT_TITLES)


@router.get("/explore/instruments/{code}", response_class=HTMLResponse)
def instrument(code: str, request: Request, ctx: Context = Depends(reading),
               who: Caller = Depends(caller)) -> HTMLResponse:
    """An instrument's table of contents: its articles in order, number and title, each linked."""
    wanted = language(request)
    try:
        data = instrument_contents(ctx, who, code, wanted)
    except NotFound as error:
        return _not_found(request, who, str(error))
    return render(request, "explorer/convention_instrument.html", title=data.instrument.short, who=who,
                  instrument=data.instrument, articles=data.articles, wanted_name=LANGUAGES[wanted])


@router.get("/explore/instruments/{code}/art/{rest:path}", response_class=HTMLResponse)
def provision_page(code: str, rest: str, request: Request, ctx: Context = Depends(reading),
                   who: Caller = Depends(caller)) -> HTMLResponse:
    """A provision: breadcrumbs, its full text and its parts' texts in the chosen language (English,
    marked, where that language is missing), links to each part, the previous and next articles;
    the national provisions implementing it and the cases citing or concerning it, State by State;
    legislative guide sections, authorities designated under it, its review cluster if recorded;
    links to its linked-data page and to the queries behind the page."""
    wanted = language(request)
    try:
        data = provision(ctx, who, code, rest, wanted, path=request.scope["path"])
    except NotFound as error:
        return _not_found(request, who, str(error))
    return render(request, "explorer/convention_provision.html",
                  title=f"{i18n.citation(data.reference, wanted)} · {data.short}",
                  who=who, data=data, node=data.provision, wanted_name=LANGUAGES[wanted], wanted=wanted,
                  list_limit=LIST_LIMIT)
