"""/sparql: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

    GET  /sparql?query=...                         query (2.1.1)
    POST /sparql  application/x-www-form-urlencoded  query=... (2.1.2) or update=... (2.2.1)
    POST /sparql  application/sparql-query          the query as the body (2.1.3)
    POST /sparql  application/sparql-update         the update as the body (2.2.2)
    GET  /sparql  (no query)                        the service description (SPARQL 1.1 SD)

Results are negotiated by Accept before the query runs (406 when nothing fits); a ``format``
parameter (a media type or a short name such as ``csv``), where it names an offered format,
takes precedence, for HTML forms and clients that send one.

Who sees what. Every query runs over a dataset the server sets: the protocol's default-graph-uri
/ named-graph-uri when given (they win over the query's FROM / FROM NAMED, Protocol 2.1.4), else
the query's own FROM / FROM NAMED, else the caller's dataset. Either way the graphs are
intersected with those the caller may see, and a confined caller's query always gets both its
default and its named graphs from the server, so no FROM, GRAPH or protocol parameter reaches a
graph outside them. An empty intersection is an empty dataset, not an error: a query for graphs
one may not see answers as if they held nothing, which tells nothing about whether they exist.

Updates are for admin tokens only (401 for the public, 403 for other roles). SERVICE makes the
server fetch URLs of the query's choosing, so only an admin may use it; any word or prefixed name
starting with SERVICE is refused, since Oxigraph reads ``SERVICESILENT<u>`` and ``SERVICEex:x`` as
SERVICE (sparql_text.service_like). LOAD is refused for everyone, spelt likewise: it would fetch a
URL and parse it with no entity or size checks (admins load through the CLI or the Graph Store).

The engine never parses query text in the server process when the store is on disk: queries, and
the syntax check of a text that is no query, run in worker processes (sherloc_kg/query_worker.py),
which a crash or a memory limit ends without ending the server. Before any engine sees a text,
brackets nested deeper than MAX_NESTING are refused (a 400): Oxigraph's parser recurses on them
and overflows its stack, which kills the process it runs in (also a remote ``oxigraph serve``).

Bounded work (api/limits.py): a query longer than SHERLOC_QUERY_MAX_LENGTH is a 413; an answer
over SHERLOC_QUERY_MAX_ROWS rows (or triples) or SHERLOC_QUERY_MAX_BYTES bytes is a 422, never a
truncated result; a query running past SHERLOC_QUERY_TIMEOUT is stopped (on the on-disk store its
worker process is killed) and answered 503 with Retry-After; more than SHERLOC_QUERY_CONCURRENCY
queries at once from one client is a 429 with Retry-After. Each refusal names its limit in the
JSON body and in a ``SHERLOC-Limit`` header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID, XSD

from sherloc_kg.access import Caller, Forbidden, Role
from sherloc_kg.errors import LimitReached, QueryError, QueryTimedOut, QueryTooLong, SherlocError, StoreError, \
    UnsupportedMediaType, \
    UsageError, WorkersBusy
from sherloc_kg.queries import internal
from sherloc_kg.query_limits import Caps
from sherloc_kg.sparql_text import dataset_clauses, first_keyword, load_like, query_form, \
    service_like, update_names_dataset, with_base, with_using
from sherloc_kg.store import Dataset

from .context import Context, caller, context
from .errors import json_error
from .explorer import twins
from .limits import caps_for, check_depth, check_length, client_of
from .negotiation import DATASET_TYPES, GRAPH_TYPES, RESULT_TYPES, choose, content_type, graph_document, named_format

#: The SPARQL editor's page (api/sparql_editor.py), where a browser opening /sparql is sent.
EDITOR = "/explore/sparql/editor"
router = APIRouter()

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: What each kind of query can be answered in, the default first. ASK gets no CSV/TSV: SPARQL 1.1
#: defines those for SELECT results only.
OFFERS = {
    "SELECT": RESULT_TYPES,
    "ASK": ("application/sparql-results+json", "application/sparql-results+xml"),
    "CONSTRUCT": GRAPH_TYPES + DATASET_TYPES,
    "DESCRIBE": GRAPH_TYPES + DATASET_TYPES,
}
#: The W3C format IRIs (https://www.w3.org/ns/formats/) named in the service description.
FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
    "application/n-triples": FORMATS["N-Triples"],
    "application/n-quads": FORMATS["N-Quads"],
    "application/trig": FORMATS.TriG,
}
_FORM = "application/x-www-form-urlencoded"
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*$")
_ENGINE_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}



@dataclass
class Operation:
    """One protocol request, read: the query or update text and the dataset parameters."""

    query: str | None = None
    update: str | None = None
    params: dict[str, list[str]] = field(default_factory=dict)

    def graphs(self, name: str) -> list[str]:
        values = self.params.get(name, [])
        for value in values:
            if not _IRI.match(value):
                raise UsageError(f"{name}={value!r} is not an absolute IRI")
        return list(dict.fromkeys(values))


async def _body(request: Request, who: Caller = Depends(caller)) -> bytes:
    """The request body, read only once the caller is known (a bogus token is a 401 before any of
    it is read); refused unread (413) when a caller other than an admin declares one far beyond
    the longest query (three times it, for percent-encoding, plus room for parameters)."""
    limit = request.app.state.context.settings.query_max_length
    declared = request.headers.get("content-length", "")
    if limit and declared.isdigit() and int(declared) > 3 * limit + 65536 and who.role is not Role.ADMIN:
        raise QueryTooLong(f"the request body is {declared} bytes long; this endpoint runs queries of at most "
                           f"{limit} bytes (SHERLOC_QUERY_MAX_LENGTH)", f"length={limit}")
    return await request.body()


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"the {what} is not UTF-8 (byte {error.start}): the SPARQL Protocol takes "
                         "UTF-8 only") from error


def _pairs(encoded: str, what: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(encoded, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise UsageError(f"the {what} is not percent-encoded UTF-8") from error


def read_operation(request: Request, body: bytes) -> Operation:
    """The query or update a request carries, refused as the protocol says when malformed."""
    pairs = _pairs(request.scope.get("query_string", b"").decode("latin-1"), "URL query string")
    if request.method == "POST":
        header = request.headers.get("content-type")
        media_type, *parameters = [p.strip() for p in (header or "").split(";")]
        media_type = media_type.lower()
        if not media_type:
            raise UsageError("a POST to /sparql needs a Content-Type: application/sparql-query, "
                             "application/sparql-update or application/x-www-form-urlencoded")
        if media_type == _FORM:
            pairs += _pairs(_decode(body, "form body"), "form body")
        elif media_type in ("application/sparql-query", "application/sparql-update"):
            for parameter in parameters:
                name, _, value = parameter.partition("=")
                if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
                    raise UsageError(f"charset {value.strip()} is not accepted: the SPARQL Protocol takes UTF-8 only")
            if any(name in ("query", "update") for name, _ in pairs):
                raise UsageError("give the operation once: in the body or in the URL, not both")
            pairs.append(("query" if media_type.endswith("query") else "update", _decode(body, "body")))
        else:
            raise UnsupportedMediaType(f"Content-Type {media_type} is not one the SPARQL Protocol takes: use "
                                       "application/sparql-query, application/sparql-update or "
                                       f"{_FORM}")
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    queries, updates = params.get("query", []), params.get("update", [])
    if len(queries) + len(updates) > 1:
        raise UsageError("a request carries exactly one query or one update; this one has "
                         f"{len(queries)} query and {len(updates)} update parameters")
    if updates and request.method != "POST":
        raise UsageError("an update must be sent with POST (SPARQL 1.1 Protocol, 2.2)")
    return Operation(query=queries[0] if queries else None, update=updates[0] if updates else None,
                     params=params)


def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _located(error: QueryError, text: str, shift: int) -> QueryError:
    """The engine's error said against the text the client sent: line, column, the line itself."""
    message = str(error)
    lines = text.splitlines() or [""]
    found = _ENGINE_ERROR.search(message)
    if found:
        line, column, what = int(found.group(1)) - shift, int(found.group(2)), found.group(3).strip()
    elif (parsed := _parse_error(text)) is not None:
        line, column, what = parsed
    else:
        return error
    if line < 1:
        return error
    if len(what) > 240:
        what = what[:240].rstrip() + " ..."
    source = lines[line - 1] if line <= len(lines) else ""
    kind = "update" if "update" in message.split("error at")[0] else "query"
    return QueryError(f"SPARQL {kind} syntax error at line {line}, column {column}: {what}\n"
                      f"  {source}\n  {' ' * max(0, column - 1)}^")


def _parse_error(text: str) -> tuple[int, int, str] | None:
    """Where the text the client sent fails to parse, as Oxigraph's parser says it (line, column,
    what it expected), when the store that refused it said no place: a SPARQL server such as
    Virtuoso 7 gives a line at best ("line 0: Parentheses are not balanced at '}'"). The text runs on
    an empty in-memory store, which only parses it (nothing to read, nothing kept); a text that
    could reach out (SERVICE, LOAD) is not run."""
    if service_like(text) or load_like(text):
        return None
    try:
        if query_form(text) is None and first_keyword(text) in _UPDATE_WORDS:
            ox.Store().update(text, base_iri=_PARSE_BASE)
        else:
            ox.Store().query(text, base_iri=_PARSE_BASE)
    except SyntaxError as error:
        found = _ENGINE_ERROR.search(str(error))
        if found:
            return int(found.group(1)), int(found.group(2)), found.group(3).strip()
    except Exception:  # noqa: BLE001  (it parsed: what the store refused was not its syntax)
        return None
    return None


#: Relative IRIs resolve against it while parsing alone (the base changes no syntax error).
_PARSE_BASE = "http://localhost/sparql"


def _dataset(who: Caller, ctx: Context, text: str, operation: Operation, base: str) -> Dataset:
    """The dataset a query runs over (see the module docstring)."""
    default, named = operation.graphs("default-graph-uri"), operation.graphs("named-graph-uri")
    if not default and not named:
        default, named = dataset_clauses(text, base)
        if not default and not named:
            return who.dataset(ctx.iris)
    return who.dataset_within(ctx.iris, default, named)


def run_query(request: Request, operation: Operation, ctx: Context, who: Caller) -> Response:
    text = operation.query or ""
    check_length(text, who, ctx.settings)
    if operation.params.get("using-graph-uri") or operation.params.get("using-named-graph-uri"):
        raise UsageError("using-graph-uri and using-named-graph-uri are for updates; a query takes "
                         "default-graph-uri and named-graph-uri")
    check_depth(text)
    if who.role is not Role.ADMIN and service_like(text):
        raise Forbidden("SERVICE is not allowed here: this endpoint does not fetch other endpoints "
                        "for a query (it needs an admin token); no word or prefixed name of a query may "
                        "start with SERVICE")
    base = endpoint_url(request)
    form = query_form(text)
    runnable, shift = with_base(text, base)
    client = client_of(request, who)
    if form is None:
        if first_keyword(text) in _UPDATE_WORDS:
            raise UsageError("this is an update, not a query: POST it as update=... or with "
                             "Content-Type application/sparql-update")
        with ctx.slots.hold(client, who):
            _check_syntax(ctx, runnable, text, shift, client)
        raise QueryError("the query is not SELECT, ASK, CONSTRUCT or DESCRIBE")
    dataset = _dataset(who, ctx, text, operation, base)
    media_type = _format_parameter(operation, OFFERS[form]) or choose(request.headers.get("accept"), OFFERS[form])
    with ctx.slots.hold(client, who):
        try:
            body = ctx.queries.answer(runnable, form=form, media_type=media_type, dataset=dataset,
                                      caps=caps_for(who, ctx.settings), client=client)
        except QueryError as error:
            raise _located(error, text, shift) from error
        except SherlocError:
            raise
        except ValueError as error:
            raise QueryError(f"the query failed while running: {error}") from error
        except (OSError, RuntimeError) as error:  # the engine's storage failing: not the caller's (a 503, logged)
            raise StoreError("the store failed while running a query") from error
    return Response(body, headers={"Content-Type": content_type(media_type), "Vary": "Accept"})


def _format_parameter(operation: Operation, offers: tuple[str, ...]) -> str | None:
    """The format a ``format`` parameter names among ``offers``, if it names one: a media type or
    a short name (``json``, ``xml``, ``csv``, ``turtle``...). Not part of the protocol, but what
    HTML forms (which cannot set Accept) and clients such as SPARQLWrapper send; anything else
    is ignored and Accept decides."""
    for value in operation.params.get("format", [])[:1]:
        return named_format(value, offers)
    return None


def _check_syntax(ctx: Context, runnable: str, text: str, shift: int, client: str) -> None:
    """Let the engine say what is wrong with a text that starts with no query form: where queries
    run (a worker process on the on-disk store, never the server's own), over an empty dataset and
    within the timeout and caps, so even a text that parses reads nothing."""
    try:
        ctx.queries.answer(runnable, form="SELECT", media_type="application/sparql-results+json",
                           dataset=Dataset(default=[], named=[]), caps=Caps(bytes=65536), client=client)
    except QueryError as error:
        raise _located(error, text, shift) from error
    except (QueryTimedOut, WorkersBusy):
        raise
    except (SherlocError, OSError, ValueError, RuntimeError):
        pass


def run_update(request: Request, operation: Operation, ctx: Context, who: Caller) -> Response:
    who.require(Role.ADMIN)
    text = operation.update or ""
    if operation.params.get("default-graph-uri") or operation.params.get("named-graph-uri"):
        raise UsageError("default-graph-uri and named-graph-uri are for queries; an update takes "
                         "using-graph-uri and using-named-graph-uri")
    using, using_named = operation.graphs("using-graph-uri"), operation.graphs("using-named-graph-uri")
    if (using or using_named) and update_names_dataset(text):
        raise UsageError("the update names its dataset itself (USING, USING NAMED or WITH): it may not "
                         "also get using-graph-uri or using-named-graph-uri (SPARQL 1.1 Protocol, 2.2.3)")
    check_depth(text)
    if load_like(text):
        raise Forbidden("LOAD is not run here: the engine would fetch a URL of the update's choosing and parse it "
                        "without the entity checks every other way in has; load files with `sherloc-kg load` or "
                        "PUT/POST them to the Graph Store (/rdf-graph-store)")
    runnable, shift = with_base(with_using(text, using, using_named), endpoint_url(request))
    ctx.before_raw_write()
    try:
        ctx.store.update(runnable)
    except QueryError as error:
        raise _located(error, text, shift) from error
    return Response(status_code=204)


# -- service description ------------------------------------------------------------------------
def describe_service(endpoint: str, ctx: Context, who: Caller) -> Graph:
    """The service description (https://www.w3.org/TR/sparql11-service-description/) as this
    caller sees it: the graphs listed are those its queries can reach, with their sizes."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for media_type in dict.fromkeys(RESULT_TYPES + GRAPH_TYPES + DATASET_TYPES):
        graph.add((service, SD.resultFormat, FORMAT_IRIS[media_type]))
    # Without FROM, the default graph is the merge of every graph the caller may see.
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if who.role is Role.ADMIN:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    # blank nodes labelled by their place, not at random: the same data gives the same bytes (and ETag, api/caching.py)
    dataset, default = BNode("dataset"), BNode("default")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    total = ctx.reads.select(internal("service-triples").text, dataset=who.dataset(ctx.iris))
    graph.add((default, VOID.triples, Literal(int(total.rows[0]["n"]), datatype=XSD.integer)))
    for number, name in enumerate(who.graphs_among(ctx.iris, ctx.reads.graphs())):
        named, described = BNode(f"named{number}"), BNode(f"graph{number}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(ctx.reads.count(name), datatype=XSD.integer)))
    return graph


def service_description(request: Request, ctx: Context, who: Caller) -> Response:
    media_type = choose(request.headers.get("accept"), GRAPH_TYPES + ("text/html",))
    if media_type == "text/html":  # a browser: the SPARQL editor, which describes the service in words
        return RedirectResponse(EDITOR, status_code=303, headers={"Vary": "Accept"})
    graph = describe_service(endpoint_url(request), ctx.for_request(request, who), who)
    # JSON-LD as every graph document of the API gives it: the profile asked, parsing alone
    body, media_type = graph_document(graph, media_type, request.headers.get("accept"))
    return Response(body, headers={"Content-Type": media_type, "Vary": "Accept"})


# -- routes -------------------------------------------------------------------------------------
@router.get("/sparql")
@router.head("/sparql", include_in_schema=False)
@router.get("/sparql/", include_in_schema=False)
@router.head("/sparql/", include_in_schema=False)
def sparql_get(request: Request, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> Response:
    """Query by GET (``?query=``), or the service description when there is no query."""
    operation = read_operation(request, b"")
    if operation.query is None:
        return service_description(request, ctx, who)
    try:
        # the workbench showing the same query is named as its page (api/explorer/twins.py)
        return twins.named_back(request, run_query(request, operation, ctx, who))
    except LimitReached as error:  # JSON, as every answer of the endpoint, even to a browser
        return json_error(error)


@router.post("/sparql")
@router.post("/sparql/", include_in_schema=False)
def sparql_post(request: Request, who: Caller = Depends(caller), body: bytes = Depends(_body),
                ctx: Context = Depends(context)) -> Response:
    """Query or update by POST: form-encoded, or the text itself as the body."""
    operation = read_operation(request, body)
    if operation.update is not None:
        return run_update(request, operation, ctx, who)
    if operation.query is None:
        raise UsageError("give a SPARQL query (query=...) or update (update=...)")
    try:
        return run_query(request, operation, ctx, who)
    except LimitReached as error:  # JSON, as every answer of the endpoint, even to a browser
        return json_error(error)
