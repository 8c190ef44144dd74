"""The SPARQL workbench: an editor, the named queries as examples, results as a table, downloads.

    GET /explore/sparql                              the editor with a default query
    GET /explore/sparql?sparql=TEXT                  run a query of one's own
    GET /explore/sparql?query=NAME[&PARAM=VALUE...]  a named query (sparql/NAME.rq): its text in the
                                                     editor and a form for its parameters; it runs
                                                     once every required parameter is given
    GET /explore/sparql/download?...&as=FORMAT       the same results as a file (Content-Disposition)

FORMAT: json, xml, csv, tsv for SELECT (json, xml for ASK); turtle, jsonld, rdfxml, nt, nquads,
trig for CONSTRUCT and DESCRIBE.

Same bounds and confinement as /sparql. A query of one's own runs through the endpoint's own
code (:func:`api.sparql_endpoint.run_query`): length cap (413), no SERVICE for non-admins (403),
the caller's graphs only, whatever FROM / GRAPH say, the per-client concurrency (429), the row and
byte caps (422), the worker process and its timeout on the disk store (503). A named query runs
over the caller's graphs, under the same per-client slots and row/byte caps; its parameters are
bound as typed RDF terms (never pasted into the text). It runs through the request's bounded
store (``ctx.reads``, api/context.py), as ``/api/queries/{name}`` does: on the disk store in a
worker, within the request's timeout and the caller's share, stopped when the client goes. Every
refusal is a message on the page with the status the endpoint would give (400, 403, 404, 413,
422, 429, 503), never a trace.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from sherloc_kg.access import Caller
from sherloc_kg.errors import QueryError, SherlocError, UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import PREFIXES
from sherloc_kg.queries import NamedQuery, internal
from sherloc_kg.sparql_text import query_form

from .. import sparql_endpoint
from ..context import Context, caller, reading
from ..limits import answer_within, caps_for, client_of
from ..negotiation import content_type
from .layout import render, url

router = APIRouter()

#: Download formats: short name → (media type, file suffix), by query form.
FORMATS: dict[str, dict[str, tuple[str, str]]] = {
    "SELECT": {"json": ("application/sparql-results+json", "srj"), "xml": ("application/sparql-results+xml", "srx"),
               "csv": ("text/csv", "csv"), "tsv": ("text/tab-separated-values", "tsv")},
    "ASK": {"json": ("application/sparql-results+json", "srj"), "xml": ("application/sparql-results+xml", "srx")},
    "CONSTRUCT": {"turtle": ("text/turtle", "ttl"), "jsonld": ("application/ld+json", "jsonld"),
                  "rdfxml": ("application/rdf+xml", "rdf"), "nt": ("application/n-triples", "nt"),
                  "nquads": ("application/n-quads", "nq"), "trig": ("application/trig", "trig")},
}
FORMATS["DESCRIBE"] = FORMATS["CONSTRUCT"]
FORMAT_LABELS = {"json": "SPARQL JSON", "xml": "SPARQL XML", "csv": "CSV", "tsv": "TSV", "turtle": "Turtle",
                 "jsonld": "JSON-LD", "rdfxml": "RDF/XML", "nt": "N-Triples", "nquads": "N-Quads", "trig": "TriG"}
#: The most rows the page shows; the downloads hold the whole answer (within the endpoint's caps).
DISPLAY_MAX = 1000

#: The query the editor opens with (sparql/internal/workbench-default.rq).
DEFAULT_QUERY = internal("workbench-default").body
_NAME = re.compile(r"[a-z0-9-]{1,100}")


@dataclass
class Run:
    """What the page was asked to do: a named query (with its parameter values) or a text."""

    named: NamedQuery | None = None
    values: dict[str, str] = field(default_factory=dict)
    text: str | None = None

    @property
    def sparql(self) -> str:
        return self.named.text if self.named is not None else (self.text or "")

    @property
    def ready(self) -> bool:
        """A text is run when given; a named query once each required parameter has a value."""
        if self.named is None:
            return bool(self.text and self.text.strip())
        return all(p.name in self.values for p in self.named.parameters if p.required)

    def params(self) -> dict[str, object]:
        """The URL parameters that ask for this run again."""
        if self.named is not None:
            return {"query": self.named.name, **self.values}
        return {"sparql": self.text}


def _read(pairs: list[tuple[str, str]], ctx: Context, *, extra: tuple[str, ...] = ()) -> Run:
    """The run the parameters ask for. Unknown parameters of a named query are a UsageError."""
    params: dict[str, str] = {}
    for given, value in pairs:
        if given in ("lang", *extra):
            continue
        if given in params:
            raise UsageError(f"parameter '{given}' may be given only once")
        params[given] = value
    text, name = params.pop("sparql", None), params.pop("query", None)
    if text is not None and name is not None:
        raise UsageError("give either a query of your own (sparql=...) or a named query (query=NAME), not both")
    if name is not None:
        if not _NAME.fullmatch(name):
            raise UsageError(f"parameter 'query': {name[:100]!r} is not the name of a query in the library")
        named = ctx.library.get(name)
        values = {k: v.strip() for k, v in params.items() if v.strip()}
        named.check_names(values)
        return Run(named=named, values=values)
    if params:
        raise UsageError(f"unknown parameter '{next(iter(params))}': a query of your own takes only sparql=...")
    return Run(text=text)


def answer(request: Request, run: Run, ctx: Context, who: Caller, media_type_for: dict[str, str]) -> tuple[str, bytes, str]:
    """Run ``run`` within the endpoint's bounds: (query form, body, media type). ``media_type_for``
    maps a query form to the format wanted (short names, as /sparql's ``format`` takes them)."""
    if run.named is None:
        text = run.text or ""
        form = query_form(text)
        short = media_type_for.get(form or "SELECT", "json")
        response = sparql_endpoint.run_query(
            request, sparql_endpoint.Operation(query=text, params={"format": [short]}), ctx, who)
        media_type = response.headers["content-type"].split(";")[0].strip()
        return form or "SELECT", bytes(response.body), media_type
    named = run.named
    form = query_form(named.text) or "SELECT"
    short = media_type_for.get(form, "json")
    media_type = FORMATS[form][short][0]
    dataset, caps = who.dataset(ctx.iris), caps_for(who, ctx.settings)
    bindings = named.checked_bindings(run.values, ctx.iris, ctx.reads, dataset)
    with ctx.slots.hold(client_of(request, who), who):
        try:
            body = answer_within(ctx.reads, named.text, form=form, media_type=media_type, dataset=dataset, caps=caps,
                                 bindings=bindings)
        except SherlocError:
            raise
        except (OSError, ValueError, RuntimeError) as error:
            raise QueryError(f"the query failed while running: {error}") from error
    return form, body, media_type


# -- showing results -------------------------------------------------------------------------------
def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(ns):] or "-"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _cell(term: dict | None, iris: Iris) -> dict | None:
    """A term of a result (SPARQL JSON shape) as the table shows it."""
    if term is None:
        return None
    kind = term.get("type")
    if kind == "uri":
        iri = term["value"]
        href = iris.href(iri)
        return {"kind": "iri", "text": href or _short(iri), "href": href or iri, "iri": iri}
    if kind == "bnode":
        return {"kind": "bnode", "text": "_:" + term["value"]}
    if kind == "triple":
        return {"kind": "literal", "text": "<< quoted triple >>"}
    datatype = term.get("datatype")
    return {"kind": "literal", "text": term.get("value", ""), "lang": term.get("xml:lang"),
            "datatype": _short(datatype) if datatype and not datatype.endswith("#string") else None}


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        result = {"type": "literal", "value": term.value}
        if term.language:
            result["xml:lang"] = term.language
        else:
            result["datatype"] = term.datatype.value
        return result
    return {"type": "triple"}


def table(form: str, body: bytes, media_type: str, iris: Iris) -> dict:
    """The answer as a table: variables, rows (at most DISPLAY_MAX), how many rows in all; or a boolean."""
    if form == "ASK":
        return {"boolean": bool(json.loads(body)["boolean"])}
    if form == "SELECT":
        data = json.loads(body)
        variables = data["head"].get("vars", [])
        bindings = data["results"]["bindings"]
    else:
        variables = ["subject", "predicate", "object"]
        bindings = [{"subject": _term_json(t.subject), "predicate": _term_json(t.predicate),
                     "object": _term_json(t.object)} for t in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
    rows = [[_cell(b.get(v), iris) for v in variables] for b in bindings[:DISPLAY_MAX]]
    return {"variables": variables, "rows": rows, "count": len(bindings)}


# -- pages -----------------------------------------------------------------------------------------
def _page(request: Request, ctx: Context, who: Caller, run: Run | None, *, error: SherlocError | None = None,
          result: dict | None = None, form: str | None = None) -> HTMLResponse:
    named = run.named if run else None
    editor = run.sparql if run and (run.named or run.text) else DEFAULT_QUERY
    downloads = []
    if run is not None and result is not None and form is not None:
        downloads = [(FORMAT_LABELS[short], url("/explore/sparql/download", **run.params(), **{"as": short}))
                     for short in FORMATS[form]]
    status = error.http_status if error is not None else 200
    response = render(
        request, "explorer/sparql.html", title="SPARQL", who=who, status_code=status,
        queries=ctx.library.all(), named=named, values=run.values if run else {}, editor=editor,
        error=str(error) if error is not None else None, status=status,
        error_kind=type(error).__name__ if error is not None else None,
        result=result, form=form, downloads=downloads, display_max=DISPLAY_MAX,
        endpoint_link=url("/sparql", query=run.sparql) if run and (run.text or run.named) and not (named and named.parameters) else None)
    if error is not None:
        response.headers.update(error.headers())
    return response


def _url_pairs(request: Request) -> list[tuple[str, str]]:
    return sparql_endpoint._pairs(request.scope.get("query_string", b"").decode("latin-1"), "URL query string")


@router.get("/explore/sparql", response_class=HTMLResponse)
def workbench(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    try:
        pairs = _url_pairs(request)
    except SherlocError as error:
        return _page(request, ctx, who, None, error=error)
    return _workbench(request, pairs, ctx, who)


@router.post("/explore/sparql", response_class=HTMLResponse)
def workbench_post(request: Request, body: bytes = Depends(sparql_endpoint._body), ctx: Context = Depends(reading),
                   who: Caller = Depends(caller)) -> HTMLResponse:
    """The same from a form sent by POST (application/x-www-form-urlencoded): for a query too long
    for a URL (the editor's script posts those)."""
    try:
        media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media_type != "application/x-www-form-urlencoded":
            raise UsageError("send the form as application/x-www-form-urlencoded")
        pairs = _url_pairs(request) + sparql_endpoint._pairs(sparql_endpoint._decode(body, "form body"), "form body")
    except SherlocError as error:
        return _page(request, ctx, who, None, error=error)
    return _workbench(request, pairs, ctx, who)


def _workbench(request: Request, pairs: list[tuple[str, str]], ctx: Context, who: Caller) -> HTMLResponse:
    try:
        run = _read(pairs, ctx)
    except SherlocError as error:
        return _page(request, ctx, who, None, error=error)
    if not run.ready:
        return _page(request, ctx, who, run)
    try:
        form, body, media_type = answer(request, run, ctx, who, {"SELECT": "json", "ASK": "json",
                                                                 "CONSTRUCT": "nt", "DESCRIBE": "nt"})
        result = table(form, body, media_type, ctx.iris)
    except SherlocError as error:
        if not error.callers():
            raise  # not the caller's: the generic answer, logged with a reference (api/errors.py)
        return _page(request, ctx, who, run, error=error)
    return _page(request, ctx, who, run, result=result, form=form)


@router.get("/explore/sparql/download")
def download(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    short = request.query_params.get("as", "")
    try:
        run = _read(_url_pairs(request), ctx, extra=("as",))
        if not run.ready:
            raise UsageError("give a query (sparql=...) or a named query with its required parameters")
        form = (query_form(run.sparql) or "SELECT") if run.named is None else (query_form(run.named.text) or "SELECT")
        if short not in FORMATS.get(form, {}):
            raise UsageError(f"parameter 'as': {short!r} is not a format of {form} results; "
                             f"one of: {', '.join(FORMATS.get(form, {}))}")
        form, body, media_type = answer(request, run, ctx, who, {form: short})
    except SherlocError as error:
        if not error.callers():
            raise  # not the caller's: the generic answer, logged with a reference (api/errors.py)
        return Response(f"{error}\n", status_code=error.http_status, media_type="text/plain; charset=utf-8",
                        headers=error.headers())
    name = run.named.name if run.named is not None else "query"
    suffix = FORMATS[form][short][1]
    return Response(body, media_type=content_type(media_type),
                    headers={"Content-Disposition": f'attachment; filename="sherloc-{name}.{suffix}"'})
