"""The web application: one FastAPI app assembled from one router per surface.

    sparql_endpoint   /sparql           SPARQL 1.1 Protocol: query, update (admin), service description
    graph_store       /rdf-graph-store  SPARQL 1.1 Graph Store Protocol (admin)
    linked_data       /id/..., /vocab/..., /ontology, /graph/...  dereferenceable IRIs
    library           /api/queries, /api/stats   the named query library and statistics
    search            /api/search/..., /api/resource   JSON search with facets, records as JSON
    dataset           /dataset, dumps   DCAT/VoID description and dumps of the public graphs
    explorer          /, /explore/...   the web explorer (HTML; static files under /static)
    sparql_editor     /explore/sparql/editor   YASGUI over /sparql, from our static files
    browser_assets    /docs, /favicon.ico   Swagger UI from our static files (never a CDN), the icon
    sign_in           /explore/sign-in, /explore/sign-out   a browser's session from a token

Handlers are plain ``def``: FastAPI runs them in its thread pool, so a long query never blocks
the event loop. Every route reads the graphs its caller may see from ``api.context.caller``.

How ``sherloc-kg serve`` runs it (:func:`server_options`): a connection must send a request's head
(request line and headers) within HEAD_TIMEOUT seconds of connecting or of its last answer, or it
is closed (slow clients holding connections open, "slowloris"; bodies have their own per-chunk
timeout in api/security.py); ``X-Forwarded-*`` headers are believed from SHERLOC_TRUSTED_PROXIES
only (uvicorn believes them from 127.0.0.1 by default, i.e. from any local process); and with
SHERLOC_ALLOWED_HOSTS a request for another ``Host`` is refused.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from uvicorn.protocols.http.h11_impl import H11Protocol

from sherloc_kg.config import Settings
from sherloc_kg.store import Store, open_store

from . import (browser_assets, caching, dataset, explorer, graph_store, head, implementation, library, linked_data,
               records, review, review_publication, search, security, sign_in, sparql_editor,
               sparql_endpoint)
from . import change_feed
from .context import Context
from .limits import DisconnectWatch


def from_environment() -> FastAPI:
    """The application for the settings in the environment (``SHERLOC_*``): what each worker
    process of ``sherloc-kg serve --workers N`` (or ``uvicorn --factory``) builds."""
    return create_app(Settings.from_env())


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    # FastAPI's /docs and /redoc load Swagger UI and ReDoc from a CDN: ours is api/browser_assets.py
    app = FastAPI(title="SHERLOC-KG", docs_url=None, redoc_url=None,
                  description="The UN Convention against Transnational Organized Crime, its Protocols, "
                              "and the national law and case law that implement and apply them, as linked data.")
    app.state.context = Context.build(settings, store or open_store(settings))
    # Other portals read the linked data from their own pages: any origin may read. Never with
    # credentials: a signed-in browser's session cookie is SameSite=Strict and CORS does not allow
    # credentials, so no other origin rides on it (api/session_cookie.py; forms carry a CSRF token).
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
                       allow_headers=["Accept", "Content-Type", "Authorization"],
                       expose_headers=["Content-Location", "Link", "Vary", "ETag"])
    app.add_middleware(DisconnectWatch)  # a client that goes stops its query (api/limits.py)
    hosts = [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()]
    if hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    # headers, body size limits (api/security.py), outside all but HEAD; every error answered by api/errors.py
    security.install(app, app.state.context.failed_checks,
                     styled_by_script=(browser_assets.DOCS, sparql_editor.PATH))
    caching.install(app)  # ETag, 304, Cache-Control (api/caching.py): outside security, inside HEAD
    head.install(app)  # HEAD on every GET route (api/head.py); outermost, so HEAD gets the GET's headers

    for module in (explorer, sign_in, sparql_editor, browser_assets, sparql_endpoint, graph_store, library, search,
                   dataset, implementation, review, review_publication, records, linked_data):
        app.include_router(module.router)
    app.include_router(change_feed.router)  # /feed: the change feed (LDES)
    app.mount("/static", StaticFiles(packages=[("sherloc_kg.api", "static")]), name="static")  # package data
    return app


#: Seconds a connection has to send a whole request head, from connecting or from its last answer.
HEAD_TIMEOUT = 20


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request head does not arrive within
    HEAD_TIMEOUT seconds (uvicorn has no such bound: a client sending a header byte now and then
    held its connection for ever)."""

    _head_timer: asyncio.TimerHandle | None = None
    _waiting_cycle: object = None

    def _expect_head(self) -> None:
        self._stop_waiting()
        self._waiting_cycle = self.cycle
        self._head_timer = self.loop.call_later(HEAD_TIMEOUT, self._head_too_slow)

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.cycle is self._waiting_cycle and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._expect_head()

    def handle_events(self) -> None:
        super().handle_events()
        if self._head_timer is not None and self.cycle is not self._waiting_cycle:
            self._stop_waiting()  # a request's head arrived: its body and answer have their own bounds

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._expect_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)


def server_options(settings: Settings) -> dict[str, Any]:
    """What ``sherloc-kg serve`` passes to uvicorn besides host and port (see the module docstring)."""
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    return {"http": HeadTimeoutProtocol, "proxy_headers": bool(proxies),
            "forwarded_allow_ips": proxies or None, "timeout_keep_alive": 5}
