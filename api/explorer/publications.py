"""A publication of the bibliography written for readers (issue 18): ``/explore/publications/{id}``.

Its title, authors, year, publisher (and the journal or book it is part of), what it is about (the
countries it concerns, linked to their pages; the crime types, linked to the bibliography filtered
by each), research methods and keywords, its abstract, its page at the source (a link out), and
where the record comes from, in words. The RDF view (``/id/publication/{id}``) is one link away,
and links back here.

The data are those of :mod:`api.publications` (the JSON twin ``/api/publications/{id}``), over the
caller's graphs. A publication the graphs do not hold is a 404 page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound

from ..context import Context, caller, reading
from ..publications import publication
from .i18n import N_
from .layout import language, render

router = APIRouter()


@router.get("/explore/publications/{publication_id:path}", response_class=HTMLResponse)
def publication_page(request: Request, publication_id: str, ctx: Context = Depends(reading),
                     who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        data = publication(ctx, who, publication_id, language(request))
    except NotFound as error:
        return render(request, "explorer/record_not_found.html", title=N_("Publication not found"), who=who,
                      status_code=404, why=str(error), search="/explore/search/publications",
                      search_label=N_("Search the bibliography"))
    title = data.title.text if data.title else data.id
    return render(request, "explorer/publication.html", title=title, who=who, data=data)
