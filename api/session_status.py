"""Who the explorer takes the caller for, as JSON: ``GET /api/session``, the twin of the sign-in page
(``/explore/sign-in``, api/sign_in.py; api/explorer/twins.py), which shows the same: whether a
session is signed in, as which role, for which State, until when, and what that role sees besides
the public data. Answered to the caller about itself only, never cached (``no-store``), and never
with the session's id or its CSRF token.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from sherloc_kg.access import Caller

from .context import Context, caller, context
from .explorer import twins
from .session_cookie import session_of
from .sign_in import ROLE_WORDS, SIGN_IN

router = APIRouter(tags=["sign-in"], dependencies=[Depends(twins.links_back)])


class SessionStatus(BaseModel):
    signed_in: bool = Field(description="Whether the request's session cookie names a live session.")
    role: str = Field(description="The caller's role: public without a token or a session.")
    name: str | None = Field(description="The name its token was given.")
    country: str | None = Field(description="The State its token acts for, if any.")
    expires: datetime | None = Field(description="When the session ends.")
    sees: str | None = Field(description="What the role sees besides what everyone sees.")
    sign_in: str = Field(description="The page to sign in or out at.")


def session_status(request: Request, ctx: Context, who: Caller) -> SessionStatus:
    session = session_of(request, ctx.sessions)
    return SessionStatus(signed_in=session is not None, role=who.role.value, name=who.name, country=who.country,
                         expires=session.expires if session is not None else None, sees=ROLE_WORDS.get(who.role),
                         sign_in=SIGN_IN)


@router.get("/api/session", response_model=SessionStatus, summary="Who you are signed in as")
def session_json(request: Request, response: Response, ctx: Context = Depends(context),
                 who: Caller = Depends(caller)) -> SessionStatus:
    """Whether a session is signed in, its role, State and end, and what the role sees."""
    response.headers["Cache-Control"] = "no-store"
    return session_status(request, ctx, who)
