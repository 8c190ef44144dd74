"""A court case written for readers (issue 18): ``/explore/cases/{id}``.

What SHERLOC's own case pages carry, where the data has it: the title, the State or body whose
courts decided (linked to its country page), the court, the year or date, the crime types and
cross-cutting issues in words, the elements of trafficking in persons the case records (linked to
article 3 (a) of the Trafficking in Persons Protocol), the provisions of the Convention and its
Protocols it cites or concerns (each marked cited or inferred, and why), the national provisions it
applies, its SHERLOC record (a prominent link), where the record comes from, in words, and related
cases (the page says what "related" means). The RDF view (``/id/case/{id}``: the property table,
the graph picture, the formats) is one link away, and links back here.

The identifier is the rest of the path, any character escaped as the case's IRI escapes it
(:meth:`sherloc_kg.iris.Iris.case_path`); the data are those of :mod:`api.cases` (the JSON twin
``/api/cases/{id}``), over the caller's graphs. A case the graphs do not hold is a 404 page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound

from ..cases import GROUND_SHORT, case
from ..context import Context, caller, reading
from .i18n import N_
from .layout import language, render

router = APIRouter()


@router.get("/explore/cases/{case_id:path}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, ctx: Context = Depends(reading),
              who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        data = case(ctx, who, case_id, language(request))
    except NotFound as error:
        return render(request, "explorer/case_not_found.html", title=N_("Case not found"), who=who,
                      status_code=404, why=str(error))
    return render(request, "explorer/case.html", title=data.title, who=who, data=data, ground_short=GROUND_SHORT)
