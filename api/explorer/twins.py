"""Every explorer page has a machine-readable twin: the same data as JSON, at a route under ``/api/``.

The page's answer names its twin, and the twin's answer names the page::

    GET /explore/countries/XAA      Link: </api/countries/XAA?lang=en>; rel="alternate"; type="application/json"
    GET /api/countries/XAA?lang=en  Link: </explore/countries/XAA?lang=en>; rel="alternate"; type="text/html"

:data:`TWINS` is the table of each page and its twin. Each page's data comes from one function
returning typed data (pydantic models): the JSON route returns it as it is (its model documented in
/openapi.json) and the page renders the same objects. The functions, models and JSON routes live
beside the other JSON of the API, as :mod:`api.implementation` does for the article 32 pages:

    /                                     /api/overview                api/overview.py
    /explore/instruments[/...]            /api/instruments[/...]       api/instruments.py
    /explore/countries[/{ISO3}]           /api/countries[/{ISO3}]      api/countries.py
    /explore/cases/{id}                   /api/cases/{id}              api/cases.py
    /explore/concepts/{scheme}[/{notation}] /api/concepts/{scheme}[/{notation}] api/concepts.py
    /explore/authorities/{id}             /api/authorities/{id}        api/authorities.py
    /explore/publications/{id}            /api/publications/{id}       api/publications.py
    /explore/laws/{ISO3}/{law id}         /api/laws/{ISO3}/{law id}    api/laws.py
    /explore/countries/{ISO3}/implementation, /explore/gaps, /explore/countries/{ISO3}/quality
                                          /api/countries/{ISO3}/implementation, /api/gap-matrix,
                                          /api/countries/{ISO3}/quality   api/implementation.py
    /explore/search/{kind}                /api/search/{kind}           sherloc_kg/search.py, api/search.py
    /explore/trends                       /api/trends                  api/trends.py
    /explore/review/submit                /api/review/submission-format  api/review_csv.py (what the form takes;
                                                                          answers are sent to /api/review/submissions)
    /explore/review/questionnaire         /api/review/questionnaire    api/review_questionnaire.py (the questions and
                                                                          the answers the caller sees)
    /explore/sparql                       /api/queries, /api/queries/{name}, /sparql (the workbench runs these)
    /explore/sparql/editor                /api/sparql/editor           api/sparql_editor.py
    /explore/sign-in                      /api/session                 api/session_status.py (who is signed in;
                                                                          signing in is a POST)

The twin's URL is the page's: the same path parameters, the same query (filters, sort, page; empty
values left out, as the pages' GET forms send them), and for a page whose data comes in the chosen
language, that language as ``lang`` (a page takes it from the URL, the cookie or the browser:
the twin's link says which it was). The JSON routes read every parameter as the page does, and
answer over the same caller's graphs (``Caller.dataset``, sherloc_kg/access.py): what the page
hides from the public, the twin does not hold for the public either.

Mechanism: :func:`api.explorer.layout.render` adds the page's header (every page is rendered
through it; the table is looked up by the route that answered, ``request.scope["route"]``); the
JSON routes' routers take :func:`links_back` as a dependency, which adds theirs, and a route that
returns a Response of its own (api/implementation.py, api/library.py, ``GET /sparql``) passes it
through :func:`named_back`. The workbench's twins name it back through :data:`_BACK`. No import of
the page modules here (layout imports this module).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, urlencode

from fastapi import Request, Response

JSON = "application/json"
HTML = "text/html"
SPARQL_RESULTS = "application/sparql-results+json"
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}")
_QUERY_NAME = re.compile(r"[a-z0-9-]{1,100}")
_R = TypeVar("_R", bound=Response)


@dataclass(frozen=True)
class Twin:
    """A page (its route's path) and its JSON twin (a route's path with the same path parameters)."""

    page: str
    data: str
    #: The data is in the page's language: the twin is asked in it (``lang``).
    language: bool = False
    media: str = JSON
    #: A twin whose URL is not the page's path and query carried over (the workbench's).
    build: Callable[[Request], tuple[str, str]] | None = None


def _fill(template: str, params: dict[str, object]) -> str:
    """``template`` with its ``{name}`` (``{name:path}``) parameters replaced by ``params``, escaped
    as a path segment (a path parameter keeps its slashes)."""
    return _PARAM.sub(lambda m: quote(str(params.get(m[1], "")), safe="/" if m[2] == "path" else ""), template)


def _href(path: str, pairs: list[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(pairs) if pairs else "")


def _given(request: Request, *leave_out: str) -> list[tuple[str, str]]:
    """The request's query parameters, empty values and ``leave_out`` left out, in their order."""
    return [(name, value) for name, value in request.query_params.multi_items()
            if name not in leave_out and value.strip() != ""]


def _workbench(request: Request) -> tuple[str, str]:
    """What the workbench shows: the results of a named query (``/api/queries/{name}``, SPARQL JSON),
    of a query of one's own (``/sparql``), or, with neither, the named queries it offers."""
    given = _given(request, "lang")
    names = [v for k, v in given if k == "query"]
    texts = [v for k, v in given if k == "sparql"]
    if len(names) == 1 and not texts and _QUERY_NAME.fullmatch(names[0]):
        return _href(f"/api/queries/{names[0]}", [(k, v.strip()) for k, v in given if k != "query"]), SPARQL_RESULTS
    if len(texts) == 1 and not names:
        return _href("/sparql", [("query", texts[0])]), SPARQL_RESULTS
    return "/api/queries", JSON


#: Every explorer page and its twin (tests/test_explorer_twins.py requests each page the
#: application serves and fails for one missing here).
TWINS: tuple[Twin, ...] = (
    Twin("/", "/api/overview"),
    Twin("/explore/instruments", "/api/instruments", language=True),
    Twin("/explore/instruments/{code}", "/api/instruments/{code}", language=True),
    Twin("/explore/instruments/{code}/art/{rest:path}", "/api/instruments/{code}/art/{rest:path}", language=True),
    Twin("/explore/search/{kind}", "/api/search/{kind}"),
    Twin("/explore/countries", "/api/countries"),
    Twin("/explore/countries/{code}", "/api/countries/{code}", language=True),
    Twin("/explore/cases/{case_id:path}", "/api/cases/{case_id:path}", language=True),
    Twin("/explore/concepts/{scheme}", "/api/concepts/{scheme}", language=True),
    Twin("/explore/concepts/{scheme}/{notation}", "/api/concepts/{scheme}/{notation}", language=True),
    Twin("/explore/authorities/{authority_id:path}", "/api/authorities/{authority_id:path}", language=True),
    Twin("/explore/publications/{publication_id:path}", "/api/publications/{publication_id:path}", language=True),
    Twin("/explore/laws/{code}/{law_id:path}", "/api/laws/{code}/{law_id:path}", language=True),
    Twin("/explore/countries/{code}/implementation", "/api/countries/{code}/implementation"),
    Twin("/explore/gaps", "/api/gap-matrix"),
    Twin("/explore/countries/{code}/quality", "/api/countries/{code}/quality"),
    Twin("/explore/trends", "/api/trends"),
    Twin("/explore/review/submit", "/api/review/submission-format"),
    Twin("/explore/review/questionnaire", "/api/review/questionnaire", language=True),
    Twin("/explore/sparql", "/api/queries", build=_workbench),
    Twin("/explore/sparql/editor", "/api/sparql/editor"),
    Twin("/explore/sign-in", "/api/session"),
)
_BY_PAGE = {twin.page: twin for twin in TWINS}
_BY_DATA = {twin.data: twin for twin in TWINS if twin.build is None}


def link(href: str, media: str) -> str:
    """A ``Link`` header value naming ``href`` as an alternate of the answer, in ``media``."""
    return f'<{href}>; rel="alternate"; type="{media}"'


def _route_path(request: Request) -> str | None:
    route = request.scope.get("route")
    return getattr(route, "path", None)


def data_href(request: Request, lang: str) -> tuple[str, str] | None:
    """(URL, media type) of the twin of the page answering ``request``, shown in ``lang``; None
    for a route that is no page of the table (a resource page of api/linked_data.py)."""
    twin = _BY_PAGE.get(_route_path(request) or "")
    if twin is None:
        return None
    if twin.build is not None:
        return twin.build(request)
    pairs = _given(request, "lang") + ([("lang", lang)] if twin.language else [])
    return _href(_fill(twin.data, dict(request.path_params)), pairs), twin.media


def announce(request: Request, response: Response, lang: str) -> None:
    """Name the twin of the page in ``response`` (a page answering a GET; a form's POST answer is
    the outcome of what was sent, which has no twin)."""
    if request.method not in ("GET", "HEAD"):
        return
    found = data_href(request, lang)
    if found is not None:
        response.headers["Link"] = link(*found)


def _workbench_page(request: Request) -> str:
    """The workbench showing what ``/api/queries`` or ``/api/queries/{name}`` answers (the reverse
    of :func:`_workbench`): the named query and its parameters, or the list of named queries."""
    name = request.path_params.get("name")
    if name is None:
        return "/explore/sparql"
    return _href("/explore/sparql", [("query", str(name)), *_given(request, "query")])


def _own_query_page(request: Request) -> str | None:
    """The workbench running the query ``/sparql?query=...`` runs, when that is all it is given
    (the workbench takes no protocol parameters such as ``default-graph-uri``)."""
    given = request.query_params.multi_items()
    if len(given) != 1 or given[0][0] != "query":
        return None
    return _href("/explore/sparql", [("sparql", given[0][1])])


#: Twins built otherwise than by the page's path and query (:attr:`Twin.build`): their route's
#: path → the page's URL (None: the answer is no page's twin).
_BACK: dict[str, Callable[[Request], str | None]] = {
    "/api/queries": _workbench_page,
    "/api/queries/{name}": _workbench_page,
    "/sparql": _own_query_page,
}


def page_href(request: Request) -> str | None:
    """The URL of the page whose twin answers ``request``: the same path parameters and query."""
    path = _route_path(request) or ""
    if path in _BACK:
        return _BACK[path](request)
    twin = _BY_DATA.get(path)
    if twin is None:
        return None
    return _href(_fill(twin.page, dict(request.path_params)), _given(request))


def links_back(request: Request, response: Response) -> None:
    """A dependency of the JSON twins' routes: their answer names the page it is the twin of. (A
    route returning a Response of its own calls :func:`named_back` on it: FastAPI adds a
    dependency's headers only to the answers it makes.)"""
    named_back(request, response)


def named_back(request: Request, response: _R) -> _R:
    """``response``, naming the page whose twin answers ``request`` in its ``Link`` header."""
    href = page_href(request)
    if href is not None:
        response.headers["Link"] = link(href, HTML)
    return response
