"""Signing in to the explorer with a token, and out (sherloc_kg/sessions.py; the cookie and the
CSRF check: api/session_cookie.py).

    GET  /explore/sign-in     the form (a password field for the token), or who is signed in
    POST /explore/sign-in     token, next: a session, then back to ``next`` (a path of this site)
    POST /explore/sign-out    the session ends (its CSRF token required), then the home page

The sign-in form is itself protected against forged sign-ins (another site signing a browser in
as someone else): the page sets a short-lived cookie and the same random value in the form, and
a sign-in whose two differ is refused. Wrong tokens count towards the per-address limit of failed
checks, as a wrong Authorization header does (api/security.py).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sherloc_kg.access import Caller, Role
from sherloc_kg.errors import Unauthorized

from .context import Context, caller, context
from .explorer.i18n import N_, interface_language, translations
from .explorer.layout import language, render
from .security import TooManyFailedChecks
from .session_cookie import COOKIE, clear_cookie, session_of, set_cookie

SIGN_IN = "/explore/sign-in"
SIGN_OUT = "/explore/sign-out"
#: The cookie holding the sign-in form's own check value, for as long as one fills in the form.
FORM_COOKIE = "sherloc_sign_in"
FORM_SECONDS = 1800
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(include_in_schema=False)

#: What each role sees and does once signed in, said to the person.
ROLE_WORDS = {
    Role.OFFICIAL: N_("the contact details of competent national authorities, and your State's review answers "
                      "before they are published (publishing and withdrawing them too)"),
    Role.SUBMITTER: N_("your State's review answers before they are published, and the upload of new ones"),
    Role.EDITOR: N_("the public data, and the editorial work your token allows"),
    Role.ADMIN: N_("every graph of the store"),
}


def _next(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site's address)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _page(request: Request, who: Caller, *, status_code: int = 200, error: str | None = None,
          next_path: str = "/") -> HTMLResponse:
    ctx: Context = request.app.state.context
    session = session_of(request, ctx.sessions)
    check = secrets.token_urlsafe(24)
    gettext = translations(interface_language(language(request))).gettext
    words = ROLE_WORDS.get(who.role)
    page = render(request, "explorer/sign_in.html", title=N_("Sign in") if session is None else N_("Signed in"),
                  who=who, status_code=status_code, session=session, error=gettext(error) if error else None,
                  next_path=next_path, check=check, role_words=gettext(words) if words else None,
                  sign_in=SIGN_IN, sign_out=SIGN_OUT)
    page.headers.update(NO_STORE)
    if session is None:
        page.set_cookie(FORM_COOKIE, check, max_age=FORM_SECONDS, path=SIGN_IN, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return page


@router.get(SIGN_IN, response_class=HTMLResponse)
def sign_in_form(request: Request, who: Caller = Depends(caller)) -> HTMLResponse:
    return _page(request, who, next_path=_next(request.query_params.get("next")))


@router.post(SIGN_IN, response_class=HTMLResponse)
async def sign_in(request: Request, ctx: Context = Depends(context)) -> Response:
    fields = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    token, next_path = fields.get("token", "").strip(), _next(fields.get("next"))
    public = Caller()
    expected, presented = request.cookies.get(FORM_COOKIE), fields.get("check")
    if not expected or not presented or not hmac.compare_digest(expected.encode(), presented.encode()):
        return _page(request, public, status_code=403, next_path=next_path,
                     error=N_("This sign-in did not come from this site's sign-in page (or the page was open too "
                              "long): sign in again from this page."))
    address = request.client.host if request.client else "unknown"
    if retry_after := ctx.failed_checks.wait(address):
        refused = TooManyFailedChecks(retry_after)
        page = _page(request, public, status_code=refused.http_status, error=str(refused), next_path=next_path)
        page.headers.update(refused.headers())
        return page
    if not token:
        return _page(request, public, status_code=400, error=N_("Enter your token."), next_path=next_path)
    try:
        who = await run_in_threadpool(ctx.tokens.caller, token)  # an argon2 check: off the event loop
    except Unauthorized:
        ctx.failed_checks.failed(address)
        return _page(request, public, status_code=401, next_path=next_path,
                     error=N_("This token is not a live SHERLOC-KG token: check it, or ask for a new one."))
    session_id, _ = await run_in_threadpool(ctx.sessions.start, who)
    response = RedirectResponse(next_path, status_code=303, headers=NO_STORE)
    set_cookie(response, request, session_id)
    response.delete_cookie(FORM_COOKIE, path=SIGN_IN)
    return response


@router.post(SIGN_OUT)
def sign_out(request: Request, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> Response:
    """``who`` is resolved first: a signed-in browser's sign-out must carry the session's CSRF token."""
    session_id = request.cookies.get(COOKIE)
    if session_id:
        ctx.sessions.end(session_id)
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    clear_cookie(response, request)
    return response
