"""A competent national authority written for readers (issue 18): ``/explore/authorities/{id}``.

What the CNA Directory carries, where the data has it: the authority's name (in the chosen language
where the data has it), its State (linked to its country page), what it is designated for in words
and under which provision of the Convention or a Protocol (linked to the Convention browser), the
languages it accepts requests in (their names in the interface language), the channels in words,
whether it accepts the Convention as legal basis, its contact details for a caller who may read them
(officials: the restricted graph ``authorities-restricted``; the public is told they are shown to
officials only), and where the record comes from, in words. The RDF view (``/id/authority/{id}``)
is one link away, and links back here.

The data are those of :mod:`api.authorities` (the JSON twin ``/api/authorities/{id}``), over the
caller's graphs. An authority the graphs do not hold is a 404 page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound

from ..authorities import authority
from ..context import Context, caller, reading
from .i18n import N_
from .layout import language, render

router = APIRouter()


@router.get("/explore/authorities/{authority_id:path}", response_class=HTMLResponse)
def authority_page(request: Request, authority_id: str, ctx: Context = Depends(reading),
                   who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        data = authority(ctx, who, authority_id, language(request))
    except NotFound as error:
        return render(request, "explorer/record_not_found.html", title=N_("Authority not found"), who=who,
                      status_code=404, why=str(error), search="/explore/search/authorities",
                      search_label=N_("Search the competent national authorities"))
    return render(request, "explorer/authority.html", title=data.name, who=who, data=data)
