"""What differs between SPARQL servers, in one place: the remote backend asks its ``Server`` and
never tests for a product itself.

=================  ============  ============  =========================  ==========  =========
server             query         update        Graph Store                auth        request
                                                                                      atomic
=================  ============  ============  =========================  ==========  =========
Oxigraph server    ``/query``    ``/update``   ``/store``                 (a proxy's  yes
                                                                          basic)
Virtuoso 7         ``/sparql``   ``/sparql-    ``/sparql-graph-crud-      digest      no
                                 auth`` [1]_   auth`` [1]_
other SPARQL 1.1   the URL       the URL       ``SHERLOC_STORE_GSP``      basic       assumed
                                                                                      not
=================  ============  ============  =========================  ==========  =========

.. [1] With credentials. Virtuoso runs ``/sparql`` as its ``SPARQL`` account, which may not write
   unless an operator grants it ``SPARQL_UPDATE``; then ``SHERLOC_STORE_UPDATE`` can name
   ``/sparql`` and no credentials are needed.

Virtuoso, as measured on 7.2.5 (Debian's ``virtuoso-opensource``):

- an update request of several operations is **not** atomic: an operation that fails at run time
  leaves the earlier ones applied (a syntax error anywhere refuses the whole request, as nothing
  runs before the request compiles). One operation is one SQL statement, applied whole or not at
  all. Hence the backend stages writes (see ``remote.py``);
- ``FROM`` / ``FROM NAMED`` in a query are *added* to the protocol's ``default-graph-uri`` /
  ``named-graph-uri`` (SPARQL 1.1 Protocol says the protocol's dataset wins), and a ``define
  input:default-graph-uri`` pragma overrides it. The backend strips ``FROM`` clauses whenever it
  sets the dataset (for every server, as the Protocol's precedence says) and refuses pragmas here;
- without a dataset, a query's default graph is the union of *all* graphs, including Virtuoso's
  own (``virtrdf#``, ``ldp#``, its service description): they are hidden from ``graphs()`` and
  ``count()``, and a query "over everything" names SHERLOC's graphs explicitly;
- its SPARQL JSON and TSV results are not the standard's (``typed-literal``, booleans as ``1``,
  IRIs quoted as strings in TSV): results are fetched as SPARQL XML and re-serialised locally by
  the engine's serialiser; CONSTRUCT results come as N-Triples, which is standard;
- it applies the query's dataset to a ``SERVICE`` pattern (the other endpoint is asked about this
  store's graphs), so a query with SERVICE is refused rather than answered wrongly;
- its SPARQL compiler refuses a ``VALUES`` block of more than 4094 terms (``SP030 ... Too many
  arguments for standard built-in function in operator()``): the records a write replaces are
  deleted 1000 at a time (``values_limit``);
- ``ResultSetMaxRows`` (default 10000) silently cuts results; Virtuoso then sends
  ``X-SPARQL-MaxRows``, which the backend turns into an error rather than return a partial dump;
- it has no default graph of its own: a graph write needs a graph IRI;
- its literals are normalised (language tags lower-cased, ``true`` stored as ``1``, decimals
  canonicalised): what comes back may differ in form from what was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import NotOnThisStore, QueryError
from .. import sparql_text
from .contract import STAGING_PREFIX


SPARQL_XML = "application/sparql-results+xml"
SPARQL_TSV = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"


def _sibling(url: str, path: str) -> str:
    """``url`` with its last path segment replaced: ``http://h/ds/query`` → ``http://h/ds/update``."""
    parts = urlsplit(url)
    base = parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{path}", "", ""))


@dataclass(frozen=True)
class Server:
    """A generic SPARQL 1.1 Protocol + Graph Store Protocol server."""

    name: str = "SPARQL server"
    #: Whether one update request is applied as one transaction (all of it or none of it).
    atomic_requests: bool = False
    #: Whether it keeps a default graph of its own, apart from the named graphs.
    has_default_graph: bool = True
    #: Whether it serialises every result format to the standards, so bytes can pass through.
    faithful_results: bool = True
    #: Protocol parameters that make the default graph the union of all graphs, if it has some.
    union_parameters: dict[str, str] = field(default_factory=dict)
    #: Results format to read rows in (dumps, ``select``).
    rows_format: str = SPARQL_XML
    #: Triples per INSERT DATA operation where a write cannot go through the Graph Store Protocol.
    insert_chunk: int = 5_000
    #: Most records one record-deleting operation lists (its ``VALUES`` block); a write replacing
    #: more records deletes them in several operations. ``None``: no limit.
    values_limit: int | None = None
    #: Largest SPARQL request body (bytes) it reads; a write whose update would be larger sends
    #: its new triples through the Graph Store Protocol first. ``None``: no known limit.
    max_request_bytes: int | None = None
    #: Whether updates go as the request body (``application/sparql-update``, SPARQL 1.1 Protocol
    #: 2.2.2) rather than form-encoded: no percent-encoding to pay for, a third smaller.
    direct_updates: bool = False
    #: The HTTP authentication scheme its endpoints ask credentials by (queries, updates, Graph
    #: Store requests alike).
    auth_scheme: Literal["basic", "digest"] = "basic"
    #: Whether it answers a query grouping a UNION of filtered branches as SPARQL says (the search's
    #: facet counts); where not, each branch is grouped in a query of its own.
    groups_unions: bool = True

    def update_url(self, query_url: str, *, with_credentials: bool) -> str:
        return query_url

    def gsp_url(self, query_url: str, *, with_credentials: bool) -> str | None:
        return None

    def auth(self, user: str | None, password: str | None) -> httpx.Auth | None:
        if not user:
            return None
        return (httpx.DigestAuth if self.auth_scheme == "digest" else httpx.BasicAuth)(user, password or "")

    def gsp_graph(self, graph: str | None) -> dict[str, str]:
        """The Graph Store Protocol's query parameters naming ``graph`` (None: the default graph)."""
        return {"default": ""} if graph is None else {"graph": graph}

    def is_own_graph(self, graph: str) -> bool:
        """Whether ``graph`` is the server's (or a staging graph): hidden from callers."""
        return graph.startswith(STAGING_PREFIX)

    def refusal(self, text: str) -> str | None:
        """Why ``text`` is refused on this server and answered nowhere else (SERVICE on Virtuoso),
        else None."""
        return None

    def distrusts(self, text: str) -> str | None:
        """Why this server is not trusted with a named query (its header says the server answers
        it wrongly, see :func:`refused_here`), else None. The remote store answers such a query
        with the embedded engine over a copy of the graphs it may read, never sends it here."""
        return refused_here(text, self.name)

    def check_query(self, text: str) -> None:
        """Refuse what this server would answer wrongly, or read as overriding the dataset the
        caller set."""
        refusal = self.refusal(text) or self.distrusts(text)
        if refusal:
            raise NotOnThisStore(refusal)

    def truncated(self, headers: object) -> str | None:
        """A message if the server says it cut the results short, else None."""
        return None

    def graph_document(self, triples: bytes) -> tuple[bytes, str]:
        """The body and media type of a Graph Store write of ``triples`` (N-Triples)."""
        return triples, N_TRIPLES

    def transient(self, status: int, body: bytes) -> bool:
        """Whether a refused update was rolled back for a reason that may pass (a deadlock, a lock
        wait that timed out), so sending the same idempotent request again is the remedy."""
        return False


@dataclass(frozen=True)
class OxigraphServer(Server):
    name: str = "Oxigraph server"
    atomic_requests: bool = True
    union_parameters: dict[str, str] = field(default_factory=lambda: {"union-default-graph": ""})
    rows_format: str = SPARQL_TSV
    # ``oxigraph serve`` (0.4, 0.5) answers 413 to a query or update body over 128 MiB; its Graph
    # Store endpoint reads a body of any size.
    max_request_bytes: int | None = 128 * 1024 * 1024
    direct_updates: bool = True

    def update_url(self, query_url: str, *, with_credentials: bool) -> str:
        return _sibling(query_url, "update")

    def gsp_url(self, query_url: str, *, with_credentials: bool) -> str | None:
        return _sibling(query_url, "store")


_VIRTUOSO_OWN = ("http://www.openlinksw.com/schemas/", "http://www.w3.org/ns/ldp#")


@dataclass(frozen=True)
class VirtuosoServer(Server):
    name: str = "Virtuoso"
    atomic_requests: bool = False
    has_default_graph: bool = False
    faithful_results: bool = False
    insert_chunk: int = 500  # its SPARQL compiler runs out of memory ("memory exhausted") near 5000
    # A VALUES block of more than 4094 terms: "SP030 ... Too many arguments for standard built-in
    # function in operator()" (7.2.5), e.g. a load replacing 25,000 cases.
    values_limit: int | None = 1_000
    auth_scheme: Literal["basic", "digest"] = "digest"
    # The search's facet counts, one query grouping a UNION of a branch per facet, each with the
    # search's other filters (7.2.5, 20k generated triples and the bundled data): with a country and
    # a word of q given, the country, provision and TIP facets came back empty; over legislation,
    # "SQ142 Different number of expected and generated columns in a select (5 vs 3)". One grouped
    # query per facet answers what the embedded store answers.
    groups_unions: bool = False

    def update_url(self, query_url: str, *, with_credentials: bool) -> str:
        return _sibling(query_url, "sparql-auth") if with_credentials else query_url

    def gsp_url(self, query_url: str, *, with_credentials: bool) -> str | None:
        return _sibling(query_url, "sparql-graph-crud-auth" if with_credentials else "sparql-graph-crud")

    def gsp_graph(self, graph: str | None) -> dict[str, str]:
        # A named graph goes as ``graph-uri``, the parameter of Virtuoso's Graph Store documentation.
        return super().gsp_graph(graph) if graph is None else {"graph-uri": graph}

    def is_own_graph(self, graph: str) -> bool:
        if super().is_own_graph(graph) or graph.startswith(_VIRTUOSO_OWN):
            return True
        # Its service description graph is named after its endpoint: http://HOST/sparql.
        parts = urlsplit(graph)
        return parts.scheme == "http" and parts.path in ("/sparql", "/DAV/", "/DAV") and not parts.query

    def refusal(self, text: str) -> str | None:
        # SERVICE (7.2.5, measured): Virtuoso applies the query's dataset to the remote pattern, so
        # the other endpoint is asked for ``GRAPH <one of this store's graphs> { ... }`` (or
        # ``GRAPH <urn:sherloc:empty>``), a question about graphs it does not hold, and answers
        # nothing or the wrong thing; it also drops a value bound where its pattern cannot hold it
        # (a literal for a subject). A wrong answer is worse than a refusal.
        if sparql_text.service_like(text):
            return ("SERVICE does not run on Virtuoso: it sends the other endpoint the pattern "
                    "restricted to this store's graphs, so the answer would be wrong; federated "
                    "queries run on the embedded store and on Oxigraph server")
        return None

    def check_query(self, text: str) -> None:
        super().check_query(text)
        for token in sparql_text.tokens(text):
            if token.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return
            if token.is_word("DEFINE"):
                raise QueryError("Virtuoso pragmas (define ...) are not accepted: they could change the "
                                 "dataset the query runs over")

    def graph_document(self, triples: bytes) -> tuple[bytes, str]:
        # Its Graph Store endpoint tells the format from the first bytes of the body, whatever the
        # Content-Type says, and refuses a body whose first line is long ("the submitted resource is
        # of unsupported type text/plain", 7.2.5: a change-feed version of the countries graph, one
        # triple of 485 KB). A prefix line first makes the body read as Turtle, which N-Triples is.
        return b"@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n" + triples, "text/turtle"

    def transient(self, status: int, body: bytes) -> bool:
        # 40001: the transaction lost a deadlock; SR171: it waited on a lock past its timeout.
        # Virtuoso rolls the operation back in both cases and its documentation says to retry.
        return status >= 500 and any(code in body for code in (b"40001", b"SR171"))

    def truncated(self, headers: object) -> str | None:
        limit = headers.get("X-SPARQL-MaxRows") if hasattr(headers, "get") else None
        state = headers.get("X-SQL-State") if hasattr(headers, "get") else None
        if state and state.strip().upper() == "S1TAT":
            # An "anytime" answer: the query ran past [SPARQL] MaxQueryExecutionTime and Virtuoso sent
            # what it had found so far as if it were the whole answer.
            return ("Virtuoso stopped the query at its time limit ([SPARQL] MaxQueryExecutionTime) and "
                    "would have answered with partial results")
        if limit:
            return (f"Virtuoso cut the results at {limit} rows (its [SPARQL] ResultSetMaxRows); raise that "
                    "limit above the largest graph")
        return None


#: A named query's header line saying a server cannot be trusted with it:
#: ``# not-on: Virtuoso -- cases-on-provision: why``.
_NOT_ON = re.compile(r"#\s*not-on:\s*(?P<server>[^-]+?)\s+--\s+(?P<name>[a-z0-9-]+):\s*(?P<why>.+?)\s*$")


def refused_here(text: str, server: str) -> str | None:
    """Why a named query whose header says ``server`` answers it wrongly or not at all is not sent
    there, else None. The remote store answers it another way or refuses it naming the query,
    never answers it wrongly (tests/test_backend_answers.py compares every named query on every
    server)."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return None  # the header ends at the first line that is not a comment
        match = _NOT_ON.match(stripped)
        if match and match["server"].strip().lower() == server.lower():
            return f"the named query '{match['name']}' does not run on {server}: {match['why']}"
    return None


def detect(query_url: str, server_header: str | None) -> Server:
    """The server behind ``query_url``, from its ``Server`` header, else from the URL's shape."""
    header = (server_header or "").lower()
    if "virtuoso" in header:
        return VirtuosoServer()
    if "oxigraph" in header or urlsplit(query_url).path.endswith("/query"):
        return OxigraphServer()
    return Server()
