"""What a browser asks for besides the explorer's pages, all from our own host:

    GET /docs          the interactive API documentation: Swagger UI from api/static/vendor/ (npm's
                       swagger-ui-dist, installed by ``make setup``), over ``/openapi.json``
    GET /favicon.ico   the site's icon (Chromium asks every site for it)

FastAPI's own ``/docs`` and ``/redoc`` load their scripts and styles from a CDN at run time: a
browser offline, or behind a proxy that blocks it, got a blank page. They are turned off
(api/app.py) and this page stands in for ``/docs``. Its script is a file of ours
(static/swagger-init.js), so the page keeps the explorer's content security policy except for
style: Swagger UI sets styles from script (api/security.py, DOCS_POLICY).
"""

from __future__ import annotations

import html
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

DOCS = "/docs"
STATIC = files("sherloc_kg.api") / "static"
SWAGGER = "vendor/swagger-ui"


def vendored(path: str) -> bool:
    """Whether ``make setup`` put ``static/{path}`` in place (npm's packages, copied at setup)."""
    return (STATIC / path).is_file()


@router.get(DOCS, response_class=HTMLResponse)
def api_documentation(request: Request) -> HTMLResponse:
    """Swagger UI over the OpenAPI description, from our static files."""
    title = html.escape(request.app.title)
    if not vendored(f"{SWAGGER}/swagger-ui-bundle.js"):
        return HTMLResponse(
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            f"<title>{title} API documentation</title></head><body><h1>API documentation</h1>"
            "<p>The documentation viewer (Swagger UI) is not installed with this copy: run "
            "<code>make setup</code>, which installs it with npm. The description itself is "
            '<a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></body></html>', status_code=503)
    return HTMLResponse(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} API documentation</title>"
        f'<link rel="stylesheet" href="/static/{SWAGGER}/swagger-ui.css">'
        '<link rel="icon" href="/favicon.ico"></head><body>'
        f'<div id="swagger-ui" data-openapi="{html.escape(request.app.openapi_url or "/openapi.json")}"></div>'
        f'<script src="/static/{SWAGGER}/swagger-ui-bundle.js"></script>'
        '<script src="/static/swagger-init.js"></script></body></html>')


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response((STATIC / "favicon.ico").read_bytes(), media_type="image/vnd.microsoft.icon")
