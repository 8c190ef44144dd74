"""The home page (its data: :func:`api.overview.overview`, also ``GET /api/overview``) and the
language switch."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sherloc_kg.access import Caller

from ..context import Context, caller, reading
from ..overview import overview
from .layout import LANGUAGE_COOKIE, LANGUAGES, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    return render(request, "explorer/home.html", title="Home", who=who, data=overview(ctx, who))


@router.get("/explore/language")
def switch_language(lang: str = Query(...), next: str = Query("/")) -> RedirectResponse:
    """Remember the chosen language (a cookie) and go back to the page it was chosen on. Only a
    path on this server is followed, never another site."""
    target = next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
