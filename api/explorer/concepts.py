"""The vocabularies' concepts written for readers (issue 18): ``/explore/concepts/{scheme}`` and
``/explore/concepts/{scheme}/{notation}``.

A vocabulary's page (crime types, cross-cutting issues, the acts, means and purposes of trafficking
in persons, designation matters, statuses...) lists its concepts by label, in the chosen language,
as a hierarchy. A concept's page gives its label (the English one, marked, where the vocabulary has
none in the chosen language), its definition and scope note, its broader, narrower and related
concepts, the provisions of the Convention and its Protocols it is defined in or tied to (in words,
linked to the Convention browser), and what uses it: for each search that filters by it, how many
records it lists, linked; and how many resources refer to it, which its RDF view lists. The RDF view
(``/vocab/...``) is one link away and links back here.

The data are those of :mod:`api.concepts` (the JSON twins ``/api/concepts/...``), over the caller's
graphs. A vocabulary or concept the graphs do not hold is a 404 page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound

from ..concepts import concept, vocabulary
from ..context import Context, caller, reading
from .i18n import N_
from .layout import language, render

router = APIRouter()


def _not_found(request: Request, who: Caller, error: NotFound) -> HTMLResponse:
    return render(request, "explorer/concept_not_found.html", title=N_("Concept not found"), who=who,
                  status_code=404, why=str(error))


@router.get("/explore/concepts/{scheme}", response_class=HTMLResponse)
def scheme_page(request: Request, scheme: str, ctx: Context = Depends(reading),
                who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        data = vocabulary(ctx, who, scheme, language(request))
    except NotFound as error:
        return _not_found(request, who, error)
    return render(request, "explorer/concept_scheme.html", title=data.label.text, who=who, data=data)


@router.get("/explore/concepts/{scheme}/{notation}", response_class=HTMLResponse)
def concept_page(request: Request, scheme: str, notation: str, ctx: Context = Depends(reading),
                 who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        data = concept(ctx, who, scheme, notation, language(request))
    except NotFound as error:
        return _not_found(request, who, error)
    return render(request, "explorer/concept.html", title=data.label.text, who=who, data=data)
