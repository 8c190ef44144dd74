"""The SPARQL editor scholars know: YASGUI (npm's ``@zazuko/yasgui``, installed by ``make setup``
into api/static/vendor/), served from our own host, over our endpoint.

    GET /explore/sparql/editor     the editor page: tabs, syntax checking, result tables and charts
    GET /api/sparql/editor         its JSON twin: the endpoint, our prefixes and the named queries as
                                   examples (the page's script reads it)
    GET /api/sparql/prefixes       our prefixes as prefix.cc's "popular" list gives its own
                                   (``{"prefix": "namespace"}``): the editor's prefix completion asks
                                   here instead of prefix.cc

A browser opening ``/sparql`` itself (no query, HTML preferred) is sent here (api/sparql_endpoint.py).
What the page adds to YASGUI (static/sparql-editor.js): the endpoint fixed to ours; our prefixes
preloaded; the named queries (sparql/*.rq) as examples that open in a new tab; no autocompletion
that asks another host (YASGUI's class and property suggestions query the Linked Open Vocabularies
service); and results whose IRIs are ours linked to our pages on this host. The server-rendered
workbench (/explore/sparql) stays for browsers without script.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from sherloc_kg.access import Caller
from sherloc_kg.namespaces import PREFIXES

from .browser_assets import vendored
from .context import Context, caller, context, reading
from .explorer.layout import render
from .sparql_endpoint import EDITOR

PATH = EDITOR
TWIN = "/api/sparql/editor"
PREFIX_LIST = "/api/sparql/prefixes"
YASGUI = "vendor/yasgui"

router = APIRouter()


class Example(BaseModel):
    name: str = Field(description="The named query's name (sparql/{name}.rq; /api/queries/{name} runs it).")
    title: str
    description: str
    query: str = Field(description="Its SPARQL text, as the file holds it.")


class EditorSetup(BaseModel):
    endpoint: str = Field(description="The SPARQL 1.1 endpoint the editor sends queries to.")
    base: str = Field(description="Base of our IRIs: a result IRI under it is linked to its page here.")
    prefixes: dict[str, str] = Field(description="The prefixes the editor declares in a new query.")
    prefix_list: str = Field(description="Where the editor's prefix completion reads the prefixes it offers.")
    graphs: list[str] = Field(description="The named graphs the caller's queries run over (and their union as the "
                                          "default graph).")
    examples: list[Example]


def prefixes(ctx: Context) -> dict[str, str]:
    """Our prefixes, and ``id:`` for the resources of this deployment."""
    return {**PREFIXES, "id": ctx.iris.base + "id/"}


def setup(request: Request, ctx: Context, who: Caller) -> EditorSetup:
    """What the editor needs, from the request's own address, the graphs the caller may read and
    the named query library."""
    root = str(request.base_url)
    return EditorSetup(endpoint=root + "sparql", base=ctx.iris.base, prefixes=prefixes(ctx), prefix_list=PREFIX_LIST,
                       graphs=who.graphs_among(ctx.iris, ctx.reads.graphs()),
                       examples=[Example(name=q.name, title=q.title, description=q.description, query=q.text)
                                 for q in ctx.library.all()])


def _alternate(target: str, media_type: str) -> str:
    return f'<{target}>; rel="alternate"; type="{media_type}"'


@router.get(TWIN, response_model=EditorSetup, tags=["sparql"])
def editor_setup(request: Request, response: Response, ctx: Context = Depends(reading),
                 who: Caller = Depends(caller)) -> EditorSetup:
    """The SPARQL editor's setup: our endpoint, prefixes, the graphs you may query, and the named
    queries as examples."""
    response.headers["Link"] = _alternate(PATH, "text/html")
    return setup(request, ctx, who)


@router.get(PREFIX_LIST, tags=["sparql"])
def prefix_list(ctx: Context = Depends(context)) -> dict[str, str]:
    """Our prefixes, ``{"prefix": "namespace IRI"}``."""
    return prefixes(ctx)


@router.get(PATH, response_class=HTMLResponse, include_in_schema=False)
def editor_page(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    page = render(request, "explorer/sparql_editor.html", title="SPARQL editor", who=who,
                  setup=setup(request, ctx, who), twin=TWIN, installed=vendored(f"{YASGUI}/yasgui.min.js"),
                  status_code=200 if vendored(f"{YASGUI}/yasgui.min.js") else 503)
    page.headers["Link"] = _alternate(TWIN, "application/json")
    return page
