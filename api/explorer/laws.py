"""A national law and its provisions written for readers (issue 18): ``/explore/laws/{ISO3}/{law id}``.

The law's title in the language asked for where the data has it (marked otherwise), the State
(linked to its country page), its type, date and in-force status, its provisions in order, each at
an anchor (``#art-210``, ``#sec-117-1``) with its heading and words, the Convention and Protocol
provisions it gives effect to (each marked cited, editorial mapping with who and why, or inferred
with why), the court cases applying it, where the record comes from in words, and the RDF view
(``/id/legislation/...``) one link away, which links back here.

The identifier is the rest of the path, escaped as the law's IRI escapes it; the data are those of
:mod:`api.laws` (the JSON twin ``/api/laws/{ISO3}/{law id}``), over the caller's graphs. A law the
graphs do not hold is a 404 page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound

from ..context import Context, caller, reading
from ..laws import law
from .i18n import N_
from .layout import LANGUAGES, language, render

router = APIRouter()


@router.get("/explore/laws/{code}/{law_id:path}", response_class=HTMLResponse)
def law_page(request: Request, code: str, law_id: str, ctx: Context = Depends(reading),
             who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        data = law(ctx, who, code, law_id, language(request))
    except NotFound as error:
        return render(request, "explorer/law_not_found.html", title=N_("Law not found"), who=who,
                      status_code=404, why=str(error))
    return render(request, "explorer/law.html", title=data.title.text, who=who, data=data,
                  wanted_name=LANGUAGES[data.language])
