"""The session cookie of a signed-in browser (sherloc_kg/sessions.py) and its CSRF check.

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page sends
it), ``Secure`` when the request came over HTTPS (directly or through a trusted proxy), on ``/``,
for the session's lifetime. A request that changes something (any method but GET, HEAD, OPTIONS)
and is signed in by the cookie alone must also carry the session's CSRF token: in the
``X-CSRF-Token`` header (a page's script) or as the ``csrf`` field of its form. Without it the
request is refused (403), never run as the public: a forged form fails loudly.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request, Response

from sherloc_kg.access import Forbidden
from sherloc_kg.errors import UsageError
from sherloc_kg.sessions import LIFETIME, Session, Sessions

from .multipart import form_fields

COOKIE = "sherloc_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_of(request: Request, sessions: Sessions) -> Session | None:
    """The live session this request's cookie names, once per request (None without one)."""
    if not hasattr(request.state, "session"):
        session_id = request.cookies.get(COOKIE)
        request.state.session = sessions.find(session_id) if session_id else None
    return request.state.session


async def require_csrf(request: Request, session: Session) -> None:
    """Refuse a state-changing request of ``session`` that does not carry its CSRF token."""
    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        media_type = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if media_type == "application/x-www-form-urlencoded":
            # the body is kept by the request, so the route reads it again
            presented = dict(parse_qsl((await request.body()).decode("utf-8", "replace"))).get(CSRF_FIELD)
        elif media_type == "multipart/form-data":
            try:
                fields = form_fields(await request.body(), request.headers.get("content-type") or "")
            except UsageError:
                fields = {}
            presented = fields[CSRF_FIELD][1].decode("utf-8", "replace") if CSRF_FIELD in fields else None
    if not Sessions.csrf_matches(session, presented):
        raise Forbidden("this form did not come from a page of this site signed in as you (its CSRF token is "
                        "missing or wrong): reload the page and send it again")


def set_cookie(response: Response, request: Request, session_id: str) -> None:
    response.set_cookie(COOKIE, session_id, max_age=int(LIFETIME.total_seconds()), path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
