"""The web application: one FastAPI app assembled from one router per surface.

    sparql_endpoint   /sparql           SPARQL 1.1 Protocol: query, update (admin), service description
    graph_store       /rdf-graph-store  SPARQL 1.1 Graph Store Protocol (admin)
    linked_data       /id/..., /vocab/..., /ontology, /graph/...  dereferenceable IRIs
    library           /api/queries, /api/stats   the named query library and statistics
    search            /api/search/..., /api/resource   JSON search with facets, records as JSON
    dataset           /dataset, dumps   DCAT/VoID description and dumps of the public graphs
    explorer          /, /explore/...   the web explorer (HTML; static files under /static)

Handlers are plain ``def``: FastAPI runs them in its thread pool, so a long query never blocks
the event loop. Every route reads the graphs its caller may see from ``api.context.caller``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from sherloc_kg.config import Settings
from sherloc_kg.errors import SherlocError
from sherloc_kg.store import Store, open_store

from . import (dataset, explorer, graph_store, implementation, library, linked_data, records, review, search, security,
               sparql_endpoint)
from .context import Context
from .limits import DisconnectWatch


def from_environment() -> FastAPI:
    """The application for the settings in the environment (``SHERLOC_*``): what each worker
    process of ``sherloc-kg serve --workers N`` (or ``uvicorn --factory``) builds."""
    return create_app(Settings.from_env())


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    app = FastAPI(title="SHERLOC-KG",
                  description="The UN Convention against Transnational Organized Crime, its Protocols, "
                              "and the national law and case law that implement and apply them, as linked data.")
    app.state.context = Context.build(settings, store or open_store(settings))
    # Other portals read the linked data from their own pages: any origin may read; credentials are
    # bearer tokens, never cookies, so no origin gets a user's rights by riding on a browser session.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
                       allow_headers=["Accept", "Content-Type", "Authorization"],
                       expose_headers=["Content-Location", "Link", "Vary"])
    app.add_middleware(DisconnectWatch)  # a client that goes stops its query (api/limits.py)
    security.install(app)  # headers, body size limits, generic 500 (api/security.py); outermost

    @app.exception_handler(SherlocError)
    def sherloc_error(_request: Request, error: SherlocError) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="sherloc-kg"'} if error.http_status == 401 else None
        return JSONResponse({"error": type(error).__name__, "message": str(error)},
                            status_code=error.http_status, headers=headers)

    for module in (explorer, sparql_endpoint, graph_store, library, search, dataset, implementation, review, records,
                   linked_data):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
