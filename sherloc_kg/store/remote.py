"""The remote backend: any SPARQL 1.1 server, spoken to through the standard protocols only.

- Queries: the SPARQL 1.1 Protocol, through SPARQLWrapper (POST, form-encoded). The dataset goes
  as ``default-graph-uri`` / ``named-graph-uri`` (or the server's union-default-graph switch), and
  any ``FROM`` / ``FROM NAMED`` of the query text is removed first, so the caller's dataset is the
  one the query sees on every server (SPARQL 1.1 Protocol, 2.1.4). Results are requested in the
  caller's media type and streamed through as the server wrote them, unless the server's own
  serialisers are not the standard's (Virtuoso): then they are read in a standard format and
  re-serialised by the engine's serialiser (pyoxigraph). ``bindings`` become a ``VALUES`` block
  at the start of the query's outer ``WHERE`` group. A named query the server is not trusted
  with (``Server.distrusts``: its header says the server answers it wrongly) is never sent: the
  graphs the caller may read are copied into an in-memory embedded store, whose engine answers it
  (at most ``SHERLOC_LOCAL_COPY_LIMIT`` quads; over it, refused saying so).
- Updates: SPARQL 1.1 Update over HTTP (httpx).
- Bulk graph writes: the Graph Store HTTP Protocol (httpx, the body streamed).

Per-server differences live in :mod:`.servers`; this module asks, never tests for a product. The
update operations it sends (record deletions, insertions, graph loads) come from :mod:`.writes`,
as the embedded store's do.

Guarantees (the contract's "each write commits whole or not at all"), per server:

- **Oxigraph server** applies an update request, and a Graph Store request, as one transaction.
  ``write`` sends every operation of a load (graph clears, record deletions, insertions, the
  inference rules) as ONE update request, exactly like the embedded store; ``load_graph`` is one
  Graph Store ``PUT``/``POST``; ``restore`` one Graph Store ``POST`` of the whole dump. A failure,
  or the server or the connection going down mid-request, leaves the previous state. Its server
  reads no update over 128 MiB (a load of about 700,000 triples): a larger write first sends its
  new triples to staging graphs by Graph Store ``POST`` (no size limit there), then the one
  update request that clears, deletes, ``ADD``\\ s each staging graph onto its graph, runs the
  rules and drops the staging graphs. The write is still one transaction for every SHERLOC graph;
  a failure drops the staging graphs.
- **Virtuoso 7** applies each *operation* whole or not at all, but not a request: an operation
  failing at run time leaves the earlier ones of the same request applied. Writes are therefore
  staged. (1) Requests that write only staging graphs (``urn:sherloc:staging:{uuid}:{graph}``)
  build the new version of every graph the write touches, one operation per request: the
  ``COPY`` of each current graph, the write's ``before`` operations over the copies, its record
  deletions (at most ``values_limit`` records each:
  Virtuoso's compiler refuses a ``VALUES`` block of more than 4094 terms), the new triples (Graph
  Store ``POST``), then each inference rule with the touched graphs renamed to their staging
  copies. Sending these as separate requests costs no atomicity: no reader sees a staging graph
  (it is in no dataset this backend sets, and hidden from ``graphs()`` and ``count()``), so
  nothing of (1) is visible until (2); and it spares Virtuoso a pathological plan (a ``DELETE``
  after a ``COPY`` in one request ran forty times slower). If one fails, the staging graphs are
  dropped and the real graphs were never touched. (2) One ``MOVE`` request per graph puts each staging graph
  onto its graph. What can be seen if (2) fails part-way (the server dies between two ``MOVE``\\ s):
  the graphs moved so far hold the new version, the others the old one, and staging graphs are
  left behind (hidden from ``graphs()``, ``count()`` and every dataset this backend sets).
  Re-running the load is idempotent and repairs it. While (2) runs, a reader may see one graph new
  and another old. Staging copies whole graphs, so a write costs time in proportion to the graphs
  it touches. A request of (1) or (2) that Virtuoso rolls back for a passing reason (a deadlock,
  ``40001``, or a lock wait that timed out, ``SR171``) is sent again after a pause, up to five
  times: each is idempotent, and each ``MOVE`` goes alone because a ``MOVE`` from a staging graph
  already moved would empty its graph.
- **Other servers** are treated like Virtuoso (staged), since the Protocol does not promise that a
  request is atomic.

Writes from several processes at once are not isolated from each other on a staged server (the
later swap wins); run one loader at a time. Reads are each one request: one snapshot on Oxigraph,
whatever Virtuoso's isolation (read committed) gives.
"""

from __future__ import annotations

import ast
import io
import logging
import shutil
import time
import urllib.error
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import BinaryIO, NoReturn

import httpx
import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .. import sparql_text
from ..config import Settings
from ..errors import NotOnThisStore, QueryError, QueryTimedOut, SherlocError, StoreError, UsageError
from .contract import STAGING_PREFIX, Dataset, RdfDocument, RecordWrite, SelectResult, TermValue, check_write
from .bindings import with_bindings
from .embedded import EmbeddedStore
from .servers import N_TRIPLES, SPARQL_XML, Server, detect
from .terms import select_result, to_oxigraph
from .writes import graph_operations, hoist_prologues, parse_document, record_operations

#: A graph no one writes: names an empty dataset where the Protocol has no other way to say so.
EMPTY_GRAPH = "urn:sherloc:empty"
N_QUADS = "application/n-quads"
#: What a form-encoded body carries as is (``urllib.parse.quote_plus``; a space becomes ``+``).
_FORM_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~ "

Params = list[tuple[str, str]]
#: SPARQLWrapper's name for each of a server's authentication schemes (``Server.auth_scheme``).
_WRAPPER_AUTH = {"basic": BASIC, "digest": DIGEST}


def without_dataset_clauses(text: str) -> str:
    """``text`` without its ``FROM`` / ``FROM NAMED`` clauses: the protocol's dataset replaces them."""
    items = sparql_text.tokens(text)
    cuts: list[tuple[int, int]] = []
    index = 0
    while index < len(items):
        token = items[index]
        if token.depth == 0 and token.is_word("FROM"):
            end = index + 1
            if end < len(items) and items[end].is_word("NAMED"):
                end += 1
            if end < len(items):
                cuts.append((token.start, items[end].end))
            index = end + 1
            continue
        index += 1
    for start, end in reversed(cuts):
        # blanked out, line breaks kept: a server's "error at line:column" still points into the
        # text the caller wrote
        text = text[:start] + "".join(c if c in "\r\n" else " " for c in text[start:end]) + text[end:]
    return text


def has_dataset_clauses(text: str) -> bool:
    return any(t.depth == 0 and t.is_word("FROM") for t in sparql_text.tokens(text))


def written_graphs(update: str) -> set[str]:
    """The graph IRIs an update writes (GRAPH in an INSERT/DELETE template, DROP/CLEAR/CREATE
    GRAPH, WITH, INTO, TO). Graphs written as prefixed names are not seen: write them in full."""
    found: set[str] = set()
    items = sparql_text.tokens(update)
    in_pattern = False
    for index, token in enumerate(items):
        previous = items[index - 1] if index else None
        if token.depth == 0 and token.kind == "punct" and token.text == ";":
            in_pattern = False
        elif token.depth == 0 and token.is_word("WHERE", "USING") and not (previous and previous.is_word("DELETE")):
            in_pattern = True
        elif token.kind == "iri" and not in_pattern and previous is not None \
                and previous.is_word("GRAPH", "WITH", "INTO", "TO"):
            found.add(token.text[1:-1])
    return found


#: The words after which an IRI names a graph: ``GRAPH <g>``, ``WITH <g>``, ``USING [NAMED] <g>``,
#: ``INTO <g>``, ``TO <g>``, ``COPY|MOVE|ADD [SILENT] <g>``, ``FROM [NAMED] <g>``.
_BEFORE_GRAPH_NAME = ("GRAPH", "WITH", "USING", "NAMED", "INTO", "TO", "COPY", "MOVE", "ADD", "SILENT", "FROM")


def rename_graphs(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every IRI that is a key of ``names`` replaced by its value where it names a
    graph (after ``GRAPH``, ``WITH``, ``INTO``...). The same IRI as a subject or an object is a
    resource and stays: the inferred graph's version triple (``<graph/inferred> owl:versionInfo``,
    sherloc_kg/inference.py) renamed to its staging graph was never found again on Virtuoso, and
    one such triple more was left in the provenance graph by every load."""
    pieces, position = [], 0
    items = sparql_text.tokens(text)
    for index, token in enumerate(items):
        if token.kind == "iri" and token.text[1:-1] in names and index \
                and items[index - 1].is_word(*_BEFORE_GRAPH_NAME):
            pieces.append(text[position:token.start])
            pieces.append(f"<{names[token.text[1:-1]]}>")
            position = token.end
    pieces.append(text[position:])
    return "".join(pieces)


LOG = logging.getLogger(__name__)

#: Pauses (seconds) before sending a rolled-back idempotent update again; then the error stands.
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)


def _wrapper_body(error: SPARQLWrapperException) -> bytes | str | None:
    """The server's answer to a refused query. SPARQLWrapper (2.0) keeps it only inside its
    exception's message (``...\\n\\nResponse:\\n`` and the body's ``repr``)."""
    _, found, answer = str(error).partition("\n\nResponse:\n")
    if not found:
        return None
    try:
        return ast.literal_eval(answer)
    except (ValueError, SyntaxError):
        return answer


def _is_timeout(error: BaseException) -> bool:
    """Whether a socket error (urllib wraps some in ``URLError``) is a read or connect timeout."""
    reason = getattr(error, "reason", None)
    return isinstance(error, TimeoutError) or isinstance(reason, TimeoutError) \
        or (isinstance(error, OSError) and "timed out" in str(error))


def _n_quads(quads: list[ox.Quad]) -> bytes:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None  # bytes when no output is given (the stub's type is bytes | None)
    return data


def _error_text(body: bytes | str | None, limit: int = 600) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


class RemoteStore:
    #: Not a LocalStore (store.contract): the server holds the data, and its own limits stop queries.
    on_disk = False

    @property
    def groups_unions(self) -> bool:
        return self.server.groups_unions

    def refusal(self, sparql: str) -> str | None:
        return self.server.refusal(sparql)

    def __init__(self, settings: Settings, *, server: Server | None = None) -> None:
        self.query_url = settings.store
        self.location = settings.store
        self._user = settings.store_user or None
        self._password = settings.store_password or None
        #: Seconds to wait for the answer to a caller's query, ``query_serialized`` (what /sparql
        #: runs; SHERLOC_QUERY_TIMEOUT), and to everything else: writes, dumps and the queries the
        #: application writes itself for its pages and loads, which the embedded store runs
        #: without a limit (SHERLOC_STORE_TIMEOUT). None: no limit. A read timeout: the longest
        #: silence of the server, while it prepares its answer or between two pieces of it.
        self.query_timeout: int | None = settings.query_timeout or None
        #: Most quads copied into this process to answer a named query the server is not trusted
        #: with (SHERLOC_LOCAL_COPY_LIMIT).
        self.local_copy_limit: int = settings.local_copy_limit
        self.store_timeout: int | None = settings.store_timeout or None
        self._http = httpx.Client(timeout=httpx.Timeout(30.0, read=self.store_timeout))
        self.server = server or self._probe()
        credentials = self._user is not None
        self.update_url = settings.store_update or self.server.update_url(self.query_url, with_credentials=credentials)
        self.gsp_url = settings.store_gsp or self.server.gsp_url(self.query_url, with_credentials=credentials)
        auth = self.server.auth(self._user, self._password)
        if auth is not None:  # else none, as the client was made
            self._http.auth = auth

    def _probe(self) -> Server:
        """Ask the endpoint a trivial query: it must answer, and its Server header names it."""
        try:
            response = self._http.get(self.query_url, params={"query": "ASK {}"}, headers={"Accept": SPARQL_XML},
                                      timeout=httpx.Timeout(30.0, read=self.query_timeout))
        except httpx.TimeoutException as error:
            raise QueryTimedOut(f"the SPARQL server at {self.query_url} did not answer a trivial query (ASK {{}}) "
                                f"within {self.query_timeout} s (SHERLOC_QUERY_TIMEOUT): it is hung or overloaded",
                                f"timeout={self.query_timeout}") from error
        except httpx.HTTPError as error:
            raise StoreError(f"cannot reach the SPARQL server at {self.query_url}: {error}") from error
        if response.status_code != 200:
            raise StoreError(f"{self.query_url} does not answer SPARQL queries (HTTP {response.status_code}): "
                             f"{_error_text(response.content, 200)}")
        return detect(self.query_url, response.headers.get("server"))

    def _who(self, url: str) -> str:
        return f"{self.server.name} at {url}"

    # -- the protocol -------------------------------------------------------------------------
    def _dataset_params(self, text: str, dataset: Dataset | None) -> tuple[str, Params]:
        if dataset is None or (dataset.default is None and dataset.named is None):
            if has_dataset_clauses(text):
                return text, []  # the query names its graphs; the store's whole content is allowed
            if self.server.union_parameters:
                return text, list(self.server.union_parameters.items())
            dataset = Dataset(default=None, named=None)
        everything: list[str] | None = None

        def listed(graphs: Sequence[str] | None, kind: str) -> Params:
            nonlocal everything
            if graphs is None:
                everything = self.graphs() if everything is None else everything
                graphs = everything
            return [(kind, g) for g in (graphs or [EMPTY_GRAPH])]

        params = listed(dataset.default, "default-graph-uri") + listed(dataset.named, "named-graph-uri")
        return without_dataset_clauses(text), params

    def _timed_out(self, url: str, *, patient: bool = True, write: bool = False) -> SherlocError:
        """The error for a server that stayed silent past the store timeout (``patient``) or the
        query timeout: a StoreError for a write, else QueryTimedOut (as the embedded store's)."""
        if write:
            return StoreError(f"{self._who(url)} did not answer within {self.store_timeout} s "
                              "(SHERLOC_STORE_TIMEOUT): it is hung or overloaded; the write may still "
                              "land there: check the store, load again to repair")
        if patient:
            return QueryTimedOut(f"{self._who(url)} did not answer within {self.store_timeout} s "
                                 "(SHERLOC_STORE_TIMEOUT): it is hung or overloaded",
                                 f"timeout={self.store_timeout}")
        return QueryTimedOut(f"{self._who(url)} did not answer the query within {self.query_timeout} s "
                             "(SHERLOC_QUERY_TIMEOUT): the server is hung or overloaded, or the query is too "
                             "costly for it: make it more selective (bind a subject or a graph, add LIMIT)",
                             f"timeout={self.query_timeout}")

    @contextmanager
    def _reading(self, response, *, patient: bool = True) -> Iterator[None]:
        """Read a query's answer: a server going silent past the timeout mid-answer is the same
        timeout error as one that never answers; the response is closed in every case."""
        try:
            yield
        except OSError as error:
            if _is_timeout(error):
                raise self._timed_out(self.query_url, patient=patient) from error
            raise StoreError(f"the connection to {self._who(self.query_url)} broke while it answered: "
                             f"{error}") from error
        finally:
            response.close()

    def _request(self, text: str, accept: str, params: Params, *, patient: bool = True):
        """Send a query; returns the HTTP response, a readable stream of the body. The server may
        stay silent for the store timeout (not ``patient``: the query timeout), then it has timed
        out."""
        self.server.check_query(text)
        wrapper = SPARQLWrapper(self.query_url)
        seconds = self.store_timeout if patient else self.query_timeout
        if seconds:
            wrapper.setTimeout(seconds)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a query form it cannot tell: the server will say
            wrapper.setQuery(text)
        # SPARQLWrapper (2.0) tells the form by a regular expression over the text with only every
        # other comment line removed: a query whose description says "address" went out as an
        # update (``update=``, "ADD") and the server refused it. This method sends queries only.
        wrapper.queryType = sparql_text.query_form(text) or wrapper.queryType
        if wrapper.isSparqlUpdateRequest():
            wrapper.queryType = "SELECT"
        wrapper.addCustomHttpHeader("Accept", accept)
        for name, value in params:
            wrapper.addParameter(name, value)
        if self._user is not None:
            wrapper.setHTTPAuth(_WRAPPER_AUTH[self.server.auth_scheme])
            wrapper.setCredentials(self._user, self._password or "")
        try:
            response = wrapper.query().response
        except SPARQLWrapperException as error:
            status = getattr(error, "code", None) or {"QueryBadFormed": 400}.get(type(error).__name__)
            said = _error_text(_wrapper_body(error))
            if status == 400 or type(error).__name__ == "QueryBadFormed":
                # the caller's error, shown to the caller: the server's words, never its address
                raise QueryError(f"{self.server.name} refused the query: {said}") from error
            raise StoreError(f"{self._who(self.query_url)} refused the query ({type(error).__name__}): {said}") from error
        except urllib.error.HTTPError as error:
            body = error.read() if hasattr(error, "read") else b""
            if error.code in (400, 406):
                raise QueryError(f"{self.server.name} refused the query (HTTP {error.code}): {_error_text(body)}") from error
            raise StoreError(f"{self._who(self.query_url)} answered HTTP {error.code}: {_error_text(body)}") from error
        except (urllib.error.URLError, OSError) as error:
            if _is_timeout(error):
                raise self._timed_out(self.query_url, patient=patient) from error
            raise StoreError(f"cannot reach {self._who(self.query_url)}: {getattr(error, 'reason', error)}") from error
        problem = self.server.truncated(response.headers)
        if problem:
            response.close()
            raise StoreError(problem)
        return response

    def _results(self, text: str, params: Params, fmt: ox.QueryResultsFormat, *, patient: bool = True):
        response = self._request(text, fmt.media_type, params, patient=patient)
        with self._reading(response, patient=patient):
            body = response.read()
        try:
            return ox.parse_query_results(body, fmt)
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"{self._who(self.query_url)} sent results that do not parse as {fmt.name} "
                             f"(an error page?): {error}") from error

    def _rows_format(self) -> ox.QueryResultsFormat:
        fmt = ox.QueryResultsFormat.from_media_type(self.server.rows_format)
        assert fmt is not None, self.server.rows_format  # each server's is one the engine reads
        return fmt

    def _select_rows(self, text: str, params: Params) -> SelectResult:
        return select_result(self._results(text, params, self._rows_format()))

    def _update(self, text: str, *, idempotent: bool = False) -> None:
        """Send one update request. An ``idempotent`` one (it only rebuilds staging graphs, or is
        one operation the server applies whole) is sent again, after a pause, when the server
        rolled it back for a passing reason (a deadlock or a lock wait that timed out)."""
        for pause in (*RETRY_PAUSES, None):
            try:
                if self.server.direct_updates:
                    response = self._http.post(self.update_url, content=text.encode("utf-8"), headers={
                        "Accept": "*/*", "Content-Type": "application/sparql-update; charset=utf-8"})
                else:
                    response = self._http.post(self.update_url, data={"update": text}, headers={"Accept": "*/*"})
            except httpx.TimeoutException as error:
                raise self._timed_out(self.update_url, write=True) from error
            except httpx.HTTPError as error:
                raise StoreError(f"cannot reach {self._who(self.update_url)}: {error}") from error
            if response.status_code < 400:
                return
            if not (idempotent and pause is not None and self.server.transient(response.status_code, response.content)):
                self._refused(response, self.update_url, "update")
            LOG.warning("%s rolled the update back (%s); sending it again in %s s",
                        self._who(self.update_url), _error_text(response.content, 120), pause)
            time.sleep(pause)

    def _refused(self, response: httpx.Response, url: str, what: str) -> NoReturn:
        message = f"{self._who(url)} refused the {what} (HTTP {response.status_code}): {_error_text(response.content)}"
        if response.status_code in (401, 403):
            raise StoreError(message + " (check SHERLOC_STORE_USER and SHERLOC_STORE_PASSWORD)")
        raise (QueryError if response.status_code == 400 else StoreError)(message)

    def _gsp(self, method: str, graph: str | None, body: bytes | Iterator[bytes] | None, media_type: str) -> None:
        if self.gsp_url is None:
            raise StoreError(f"no Graph Store endpoint for {self._who(self.query_url)}: set SHERLOC_STORE_GSP")
        try:
            response = self._http.request(method, self.gsp_url, params=self.server.gsp_graph(graph), content=body,
                                          headers={"Content-Type": media_type})
        except httpx.TimeoutException as error:
            raise self._timed_out(self.gsp_url, write=True) from error
        except httpx.HTTPError as error:
            raise StoreError(f"cannot reach {self._who(self.gsp_url)}: {error}") from error
        if response.status_code >= 400:
            self._refused(response, self.gsp_url, f"graph write ({method})")

    # -- reading ------------------------------------------------------------------------------
    @contextmanager
    def _copy_for(self, sparql: str, dataset: Dataset | None) -> Iterator[EmbeddedStore | None]:
        """For a named query the server is not trusted with (``Server.distrusts``): an in-memory
        embedded store holding a copy of the graphs the query may read, which answers it as the
        embedded store does; else None. Over ``local_copy_limit`` quads it is refused, saying why."""
        why = self.server.distrusts(sparql)
        if why is None:
            yield None
            return
        counts = self._counts()
        if dataset is None or dataset.default is None or dataset.named is None:
            graphs = sorted(counts)
        else:
            graphs = sorted({*dataset.default, *dataset.named} & counts.keys())
        size = sum(counts[g] for g in graphs)
        if size > self.local_copy_limit:
            raise NotOnThisStore(f"{why}; answering it here instead would copy {size:,} quads, over the "
                                 f"{self.local_copy_limit:,} this process copies (SHERLOC_LOCAL_COPY_LIMIT)")
        local = EmbeddedStore(None)
        try:
            local.restore(io.BytesIO(b"".join(self.dump_chunks(graphs))), media_type=N_QUADS)
            yield local
        finally:
            local.close()

    def select(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
               dataset: Dataset | None = None) -> SelectResult:
        with self._copy_for(sparql, dataset) as local:
            if local is not None:
                return local.select(sparql, bindings=bindings, dataset=dataset)
        text, params = self._dataset_params(with_bindings(sparql, bindings), dataset)
        return self._select_rows(text, params)

    def ask(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
            dataset: Dataset | None = None) -> bool:
        with self._copy_for(sparql, dataset) as local:
            if local is not None:
                return local.ask(sparql, bindings=bindings, dataset=dataset)
        text, params = self._dataset_params(with_bindings(sparql, bindings), dataset)
        results = self._results(text, params, ox.QueryResultsFormat.XML)
        if not isinstance(results, ox.QueryBoolean):
            raise UsageError("expected an ASK query")
        return bool(results)

    def query_serialized(self, sparql: str, output: BinaryIO, *, media_type: str,
                         bindings: Mapping[str, TermValue] | None = None,
                         dataset: Dataset | None = None) -> None:
        with self._copy_for(sparql, dataset) as local:
            if local is not None:
                local.query_serialized(sparql, output, media_type=media_type, bindings=bindings, dataset=dataset)
                return
        text, params = self._dataset_params(with_bindings(sparql, bindings), dataset)
        self._serialize(text, params, output, media_type, patient=False)

    def _serialize(self, text: str, params: Params, output: BinaryIO, media_type: str, *,
                   patient: bool = True) -> None:
        graph_result = sparql_text.query_form(text) in ("CONSTRUCT", "DESCRIBE")
        fmt = (ox.RdfFormat if graph_result else ox.QueryResultsFormat).from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no serialiser for {media_type} for this kind of query")
        if self.server.faithful_results:
            response = self._request(text, fmt.media_type, params, patient=patient)
            with self._reading(response, patient=patient):
                shutil.copyfileobj(response, output)
            return
        if graph_result:
            assert isinstance(fmt, ox.RdfFormat)  # from RdfFormat, for a graph result
            response = self._request(text, N_TRIPLES, params, patient=patient)
            with self._reading(response, patient=patient):
                try:
                    ox.serialize(ox.parse(response, ox.RdfFormat.N_TRIPLES), output, fmt)
                except SyntaxError as error:
                    raise StoreError(f"{self._who(self.query_url)} sent N-Triples that do not parse: {error}") from error
            return
        self._results(text, params, ox.QueryResultsFormat.XML, patient=patient).serialize(output, fmt)

    def dump(self, output: BinaryIO, *, media_type: str, graphs: Sequence[str] | None = None) -> None:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no RDF serialiser for {media_type}")
        if not fmt.supports_datasets:
            if graphs is None or len(graphs) != 1:
                raise UsageError(f"{fmt.name} holds one graph: name exactly one graph, or use TriG or N-Quads")
            self.read_graph(graphs[0], output, media_type=media_type)
            return
        names = self.graphs() if graphs is None else list(graphs)
        if fmt == ox.RdfFormat.N_QUADS:
            for chunk in self.dump_chunks(names):
                output.write(chunk)
            return
        quads = (q for chunk in self.dump_chunks(names) for q in ox.parse(chunk, ox.RdfFormat.N_QUADS))
        ox.serialize(quads, output, fmt)

    def dump_chunks(self, graphs: Sequence[str], *, chunk_size: int = 10_000) -> Iterator[bytes]:
        """N-Quads of ``graphs`` in pieces, from ONE query (one snapshot where the server gives
        one), its results parsed as they stream in."""
        if not graphs:
            return
        params = [("default-graph-uri", EMPTY_GRAPH)] + [("named-graph-uri", g) for g in graphs]
        fmt = self._rows_format()
        response = self._request("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", fmt.media_type, params)
        with self._reading(response):
            try:
                solutions = ox.parse_query_results(response, fmt)
                if not isinstance(solutions, ox.QuerySolutions):
                    raise StoreError(f"{self._who(self.query_url)} answered the dump's SELECT with a boolean")
                chunk: list[ox.Quad] = []
                for row in solutions:
                    chunk.append(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
                    if len(chunk) >= chunk_size:
                        yield _n_quads(chunk)
                        chunk = []
                if chunk:
                    yield _n_quads(chunk)
            except (SyntaxError, ValueError) as error:
                raise StoreError(f"{self._who(self.query_url)} sent a dump that does not parse: {error}") from error

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            rows = self._select_rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", []).rows
            return int(rows[0]["n"]) if rows else 0
        return sum(self._counts().values()) + (self._count_default() if self.server.has_default_graph else 0)

    def _counts(self) -> dict[str, int]:
        rows = self._select_rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
        return {str(r["g"]): int(r["n"]) for r in rows if "g" in r and not self.server.is_own_graph(str(r["g"]))}

    def _count_default(self) -> int:
        rows = self._select_rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", []).rows
        return int(rows[0]["n"]) if rows else 0

    def graph_exists(self, graph: str | None) -> bool:
        if graph is None:
            return self.server.has_default_graph and self._count_default() > 0
        results = self._results(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", [], ox.QueryResultsFormat.XML)
        return bool(results)

    def read_graph(self, graph: str | None, output: BinaryIO, *, media_type: str) -> None:
        if ox.RdfFormat.from_media_type(media_type) is None:
            raise UsageError(f"no RDF serialiser for {media_type}")
        if graph is None:
            pattern = "{ ?s ?p ?o }" if self.server.has_default_graph else "{ FILTER(false) }"
        else:
            pattern = f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        self._serialize(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {pattern}", [], output, media_type)

    def graphs(self) -> list[str]:
        # GROUP BY, not DISTINCT: Virtuoso 7 answers this form from its graph index at once, and
        # the DISTINCT form by a scan (7 s instead of 2 ms over 28,000 quads)
        rows = self._select_rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
        return sorted(str(r["g"]) for r in rows if "g" in r and not self.server.is_own_graph(str(r["g"])))

    # -- writing ------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        """One update request: one transaction on a server that applies requests atomically (see
        the module's docstring for the others)."""
        self._update(sparql)

    def write(self, writes: Sequence[RecordWrite], *, replace_graphs: Iterable[str] = (),
              before: Sequence[str] = (), then: Sequence[str] = ()) -> None:
        replace_graphs = list(replace_graphs)
        check_write(before, replace_graphs)
        prologue, rules = hoist_prologues(then)
        header = "\n".join(prologue) + "\n"
        if self.server.atomic_requests:
            operations = [*before, *record_operations(writes, replace_graphs, values_limit=self.server.values_limit),
                          *rules]
            if not operations:
                return
            text = header + " ;\n".join(operations)
            if self._fits(text) or self.gsp_url is None:
                self._update(text)
            else:
                self._write_through_staging(writes, replace_graphs, header, before, rules)
            return
        targets = {w.graph for w in writes} | set(replace_graphs)
        for rule in [*before, *rules]:
            targets |= written_graphs(rule)
        if not targets and not rules:
            return
        staging = {g: f"{STAGING_PREFIX}{uuid.uuid4().hex}:{g}" for g in sorted(targets)}
        # (1) copies of the touched graphs, less the records being replaced; (2) the new triples,
        # over the Graph Store Protocol (Virtuoso's SPARQL compiler runs out of memory on large
        # INSERT DATA); (3) the rules over the copies. Only staging graphs are written so far, so
        # each operation goes in a request of its own (each idempotent: a COPY replaces its whole
        # staging graph, a deletion deletes nothing the second time): Virtuoso 7.2 takes forty
        # times longer over a DELETE that follows a COPY in the same request (66 s instead of
        # 1.5 s for 1000 records of 3000 triples), and a request of its own is retried alone.
        # ``before`` runs on the copies before the deletions (it sees the records as they were).
        try:
            kept = [graph for graph in staging if graph not in replace_graphs]  # the others start empty
            for graph in kept:
                self._update(f"COPY SILENT GRAPH <{graph}> TO GRAPH <{staging[graph]}>", idempotent=True)
            for operation in before:
                self._update(header + rename_graphs(operation, staging), idempotent=True)
            for graph in kept:
                for operation in record_operations([RecordWrite(w.graph, w.records) for w in writes if w.graph == graph],
                                                   [], staging, values_limit=self.server.values_limit):
                    self._update(operation, idempotent=True)
            for write in writes:
                self._write_triples(staging[write.graph], [
                    ox.Triple(*(to_oxigraph(term) for term in triple)) for triple in write.triples])  # type: ignore[arg-type]
        except SherlocError:
            self._drop_quietly(staging.values())
            raise
        self._staged([header + rename_graphs(rule, staging) for rule in rules], staging, "MOVE")

    def _fits(self, update: str) -> bool:
        """Whether ``update`` is within the largest request body the server reads."""
        limit = self.server.max_request_bytes
        if limit is None:
            return True
        body = update.encode("utf-8")
        if not self.server.direct_updates:  # form-encoded: each byte not always safe becomes %XX
            unsafe = len(body.translate(None, _FORM_SAFE))
            return len(b"update=") + len(body) + 2 * unsafe <= limit
        return len(body) <= limit

    def _write_through_staging(self, writes: Sequence[RecordWrite], replace_graphs: Sequence[str],
                               header: str, before: Sequence[str], rules: Sequence[str]) -> None:
        """A write too large for one update request, on a server that applies a request as one
        transaction: the new triples of each write go first to a staging graph of their own by
        the Graph Store Protocol (any size), then ONE update request does everything else: the
        graph clears, the record deletions, an ``ADD`` of each staging graph onto its graph, the
        rules, the drops of the staging graphs. Every SHERLOC graph still changes in one
        transaction; between the two requests the staged triples are visible only to a query over
        the union of all graphs, never to a dataset this backend sets from graph names."""
        staging = [f"{STAGING_PREFIX}{uuid.uuid4().hex}:{w.graph}" if w.triples else None for w in writes]
        operations = [*before, *(f"DROP SILENT GRAPH <{g}>" for g in replace_graphs)]
        for write, stage in zip(writes, staging):
            operations += record_operations([RecordWrite(write.graph, write.records)], [],
                                            values_limit=self.server.values_limit)
            if stage is not None:
                operations.append(f"ADD SILENT GRAPH <{stage}> TO GRAPH <{write.graph}>")
        operations += rules
        operations += [f"DROP SILENT GRAPH <{stage}>" for stage in staging if stage is not None]
        try:
            for write, stage in zip(writes, staging):
                if stage is not None:
                    self._write_triples(stage, [ox.Triple(*(to_oxigraph(term) for term in triple))  # type: ignore[arg-type]
                                                for triple in write.triples])
            self._update(header + " ;\n".join(operations))
        except SherlocError:
            self._drop_quietly(s for s in staging if s is not None)
            raise

    def _staged(self, build: Sequence[str], staging: Mapping[str, str], verb: str) -> None:
        """Run the ``build`` requests in turn (they fill the staging graphs), then put each staging
        graph onto its graph with ``verb`` (MOVE: replace; ADD: add), one request per graph so
        that a request rolled back for a passing reason can be sent again alone (a MOVE from a
        staging graph already moved would empty its graph); clean up on failure."""
        try:
            for request in build:
                self._update(request, idempotent=True)
        except SherlocError:
            self._drop_quietly(staging.values())
            raise
        try:
            for graph, stage in staging.items():
                swap = f"{verb} SILENT GRAPH <{stage}> TO GRAPH <{graph}>"
                self._update(swap if verb == "MOVE" else f"{swap} ;\nDROP SILENT GRAPH <{stage}>", idempotent=True)
        except SherlocError as error:
            self._drop_quietly(staging.values())
            raise StoreError(f"the write failed while moving its staged graphs into place; some graphs may "
                             f"hold the new version and others the old one: load again to repair ({error})") from error

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        graphs = list(graphs)
        if not graphs:
            return
        try:
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        except SherlocError:
            pass  # staging graphs are hidden; the next failure report names the cause

    def restore(self, source: BinaryIO, *, media_type: str) -> None:
        """Add a dump (N-Quads or TriG): one Graph Store request on a server that applies it as one
        transaction, else staged graph by graph and added graph by graph."""
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None or not fmt.supports_datasets:
            raise UsageError(f"no RDF dataset parser for {media_type}")
        if self.server.atomic_requests and self.gsp_url is not None:
            try:
                self._gsp_dataset(source, fmt)
            except QueryError as error:
                raise QueryError(f"the dump does not parse: {error}") from error
            return
        try:
            quads = list(ox.parse(source, fmt))
        except SyntaxError as error:
            raise QueryError(f"the dump does not parse: {error}") from error
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                raise UsageError(f"{self.server.name} has no default graph of its own: the dump puts triples in it")
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        self._stage_and_swap(by_graph, "ADD")

    def _gsp_dataset(self, source: BinaryIO, fmt: ox.RdfFormat) -> None:
        def body() -> Iterator[bytes]:
            while piece := source.read(1 << 20):
                yield piece

        if self.gsp_url is None:
            raise StoreError("no Graph Store endpoint")
        try:
            response = self._http.post(self.gsp_url, content=body(), headers={"Content-Type": fmt.media_type})
        except httpx.TimeoutException as error:
            raise self._timed_out(self.gsp_url, write=True) from error
        except httpx.HTTPError as error:
            raise StoreError(f"cannot reach {self._who(self.gsp_url)}: {error}") from error
        if response.status_code >= 400:
            self._refused(response, self.gsp_url, "dump")

    def _stage_and_swap(self, by_graph: Mapping[str, list[ox.Triple]], verb: str) -> None:
        staging = {g: f"{STAGING_PREFIX}{uuid.uuid4().hex}:{g}" for g in by_graph}
        try:
            for graph, triples in by_graph.items():
                self._write_triples(staging[graph], triples)
        except SherlocError:
            self._drop_quietly(staging.values())
            raise
        self._staged([], staging, verb)

    def _write_triples(self, graph: str, triples: list[ox.Triple]) -> None:
        """Add triples to a graph: Graph Store POST where there is one, else INSERT DATA."""
        if not triples:
            return
        if self.gsp_url is not None:
            self._gsp("POST", graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), N_TRIPLES)
            return
        size = self.server.insert_chunk
        for start in range(0, len(triples), size):
            body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples[start:start + size])
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")

    def load_graph(self, graph: str | None, documents: Sequence[RdfDocument], *,
                   replace: bool = False) -> int:
        triples = [t for document in documents for t in parse_document(document)]
        if graph is None and not self.server.has_default_graph:
            raise UsageError(f"{self.server.name} has no default graph of its own: name a graph")
        if self.server.atomic_requests and self.gsp_url is not None:
            if triples or replace:
                self._gsp("PUT" if replace else "POST", graph,
                          ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), N_TRIPLES)
            return len(triples)
        if self.server.atomic_requests:
            operations = graph_operations(graph, triples, replace=replace)
            if operations:
                self._update(" ;\n".join(operations))
            return len(triples)
        assert graph is not None
        if triples or replace:
            self._stage_and_swap({graph: triples}, "MOVE" if replace else "ADD")
        return len(triples)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
