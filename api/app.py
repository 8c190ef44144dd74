"""The web application. This first version serves what the foundation needs: a home page saying
what the graph holds, the statistics and the named query library as JSON, and a read-only SPARQL
endpoint over the public graphs. The endpoint, Linked Data and explorer issues grow it.

Handlers are plain ``def``: FastAPI runs them in its thread pool, so a long query never blocks
the event loop.
"""

from __future__ import annotations

import html
import io

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from sherloc_kg.config import Settings
from sherloc_kg.errors import SherlocError
from sherloc_kg.iris import Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.statistics import collect
from sherloc_kg.store import Dataset, Store, open_store

RESULT_TYPES = {
    "application/sparql-results+json": "application/sparql-results+json",
    "application/json": "application/sparql-results+json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "text/csv": "text/csv",
    "text/tab-separated-values": "text/tab-separated-values",
}


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    store = store or open_store(settings)
    iris = Iris(settings.base)
    library = QueryLibrary(settings.queries_dir)
    public = Dataset(default=iris.public_graphs(), named=iris.public_graphs())
    app = FastAPI(title="SHERLOC-KG", description="UNTOC, its Protocols, national law and case law as linked data.")

    @app.exception_handler(SherlocError)
    def sherloc_error(_request: Request, error: SherlocError) -> JSONResponse:
        return JSONResponse({"error": type(error).__name__, "message": str(error)}, status_code=error.http_status)

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        figures = collect(store, iris)
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in figures["records"].items() if v)
        queries = "".join(
            f'<li><a href="/api/queries/{q.name}">{html.escape(q.title)}</a></li>' for q in library.all())
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>SHERLOC-KG</title></head><body>"
            "<h1>SHERLOC-KG</h1><p>The UN Convention against Transnational Organized Crime, its Protocols, "
            "and the case law that applies them, as linked data.</p>"
            f"<h2>What the graph holds</h2><table>{rows}</table><p>{figures['triples']} triples.</p>"
            f"<h2>Questions</h2><ul>{queries}</ul><p>SPARQL: <code>/sparql?query=...</code></p></body></html>"
        )

    @app.get("/api/stats")
    def stats() -> dict:
        return collect(store, iris)

    @app.get("/api/queries")
    def queries() -> list[dict]:
        return [{"name": q.name, "title": q.title, "description": q.description,
                 "parameters": [{"name": p.name, "type": p.type, "required": p.required, "help": p.help}
                                for p in q.parameters]} for q in library.all()]

    @app.get("/api/queries/{name}")
    def run_query(name: str, request: Request) -> Response:
        named = library.get(name)
        bindings = named.bindings(dict(request.query_params), iris)
        buffer = io.BytesIO()
        store.query_serialized(named.text, buffer, media_type="application/sparql-results+json",
                               bindings=bindings, dataset=public)
        return Response(buffer.getvalue(), media_type="application/sparql-results+json")

    @app.get("/sparql")
    def sparql(request: Request, query: str | None = None) -> Response:
        if not query:
            raise HTTPException(400, "give a SPARQL query in the 'query' parameter")
        accept = request.headers.get("accept", "application/sparql-results+json")
        media_type = next((RESULT_TYPES[t.split(";")[0].strip()] for t in accept.split(",")
                           if t.split(";")[0].strip() in RESULT_TYPES), "application/sparql-results+json")
        buffer = io.BytesIO()
        store.query_serialized(query, buffer, media_type=media_type, dataset=public)
        return Response(buffer.getvalue(), media_type=media_type)

    return app
