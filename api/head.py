"""HEAD on every GET route (RFC 9110 §9.3.2): the GET's status and headers, no body.

Starlette's own ``Route`` adds HEAD wherever GET is allowed, but FastAPI's ``APIRoute`` (every
``@router.get``) takes its methods verbatim, so a HEAD there was 405. :class:`HeadAsGet`, the
outermost middleware, answers such a HEAD by running the request as a GET through the whole
application (security headers, errors, CORS: the same headers a GET gets, ``Content-Length``
included) and sending the start of the answer with an empty body. A streamed answer (the dump) is
stopped at its first chunk rather than generated in full for nobody.

A HEAD that some route (or mount, e.g. ``/static``) answers itself is passed through unchanged.
Every ``Allow`` header that lists GET lists HEAD too (the 405s FastAPI writes from route methods).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _BodyDropped(Exception):
    """Raised from ``send`` to stop a streamed answer to a HEAD once its head has gone out."""


def with_head_allowed(message: Message) -> Message:
    """``message`` (an ``http.response.start``) with HEAD added to an ``Allow`` that lists GET."""
    headers = list(message.get("headers", []))
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"allow":
            methods = [m.strip() for m in value.decode("latin-1").split(",") if m.strip()]
            if "GET" in methods and "HEAD" not in methods:
                methods.insert(methods.index("GET") + 1, "HEAD")
                headers[i] = (name, ", ".join(methods).encode("latin-1"))
    return {**message, "headers": headers}


class HeadAsGet:
    """ASGI middleware: a HEAD that no route answers itself is run as a GET and its body dropped."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    def _answered_natively(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] is Match.FULL for route in self.router.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_allowing_head(message: Message) -> None:
            await send(with_head_allowed(message) if message["type"] == "http.response.start" else message)

        if scope["method"] != "HEAD" or self._answered_natively(scope):
            await self.app(scope, receive, send_allowing_head)
            return
        finished = False

        async def send_head(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start":
                await send_allowing_head(message)
            elif message["type"] == "http.response.body":
                if not finished:
                    finished = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                if message.get("more_body", False):
                    raise _BodyDropped
            else:
                await send(message)

        try:
            await self.app({**scope, "method": "GET"}, receive, send_head)
        except _BodyDropped:
            pass


def install(app: FastAPI) -> None:
    """Wire :class:`HeadAsGet` outermost: call after every other ``add_middleware``."""
    app.add_middleware(HeadAsGet, router=app.router)


__all__ = ["HeadAsGet", "install", "with_head_allowed"]
