"""The remote backend's connection to its SPARQL server: the standard protocols over HTTP, and what
the server's answers mean for SHERLOC (its refusals and silences as the errors of :mod:`..errors`).

- Queries: the SPARQL 1.1 Protocol, through SPARQLWrapper (POST, form-encoded), the answer a
  readable stream of the body.
- Updates: SPARQL 1.1 Update over HTTP (httpx); one the server rolled back for a passing reason is
  sent again when the caller says it is idempotent.
- Bulk graph writes: the Graph Store HTTP Protocol (httpx, the body streamed).

The server is probed once (a trivial query; its ``Server`` header names it) and every difference
between servers is asked of its :class:`.servers.Server`, never tested for by product. The store
operations over this connection are :mod:`.remote`'s (reads) and :mod:`.remote_writes`' (writes).
"""

from __future__ import annotations

import ast
import logging
import time
import urllib.error
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, NoReturn

import httpx
import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from .. import sparql_text
from ..config import Settings
from ..errors import QueryError, QueryTimedOut, SherlocError, StoreError
from .contract import SelectResult
from .servers import SPARQL_XML, Server, detect
from .terms import select_result

Params = list[tuple[str, str]]
#: SPARQLWrapper's name for each of a server's authentication schemes (``Server.auth_scheme``).
_WRAPPER_AUTH = {"basic": BASIC, "digest": DIGEST}

#: The remote backend's logger, by the name it has always had (the backend was one module).
LOG = logging.getLogger("sherloc_kg.store.remote")

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


def _error_text(body: bytes | str | None, limit: int = 600) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


class RemoteClient:
    """The connection to one SPARQL server: its URLs, credentials and timeouts, and one method per
    kind of request (a query, an update, a Graph Store write), each raising SHERLOC's errors."""

    def __init__(self, settings: Settings, *, server: Server | None = None) -> None:
        self.query_url = settings.store
        self._user = settings.store_user or None
        self._password = settings.store_password or None
        #: Seconds to wait for the answer to a caller's query, ``query_serialized`` (what /sparql
        #: runs; SHERLOC_QUERY_TIMEOUT), and to everything else: writes, dumps and the queries the
        #: application writes itself for its pages and loads, which the embedded store runs
        #: without a limit (SHERLOC_STORE_TIMEOUT). None: no limit. A read timeout: the longest
        #: silence of the server, while it prepares its answer or between two pieces of it.
        self.query_timeout: int | None = settings.query_timeout or None
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

    def close(self) -> None:
        self._http.close()
