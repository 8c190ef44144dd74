"""Every error SHERLOC-KG raises on purpose.

    SherlocError                      base: catch this to catch ours
    ├── UsageError                    the caller asked for something malformed (exit 2, HTTP 400)
    ├── SourceError                   a source file cannot be read as its format says (exit 1, HTTP 422)
    │   │                             carries file, line, record id, field: like SyntaxError
    │   ├── SourceErrors              several problems of one record, all found at once, each at its
    │   │                             field (HTTP 422; loaders/review.py)
    │   └── UnparsableDocument        an RDF document the store cannot parse (HTTP 400; store/contract.py)
    ├── ValidationFailed              records broke SHACL shapes; carries the issues (exit 1, HTTP 422)
    ├── NotUtf8                       a text upload that is not UTF-8 (HTTP 422; api/records.py)
    ├── QueryError                    a SPARQL query or update failed (HTTP 400)
    ├── NotFound                      a named query, record or IRI does not exist (exit 2, HTTP 404)
    │   └── UnknownResource           an IRI not known at a linked-data URL, answered in the format
    │                                 asked (HTTP 404; api/errors.py)
    ├── StoreError                    the store refused or failed an operation (HTTP 503)
    │   └── NotOnThisStore            a query the store's server would answer wrongly, refused
    │                                 before it is sent; says which and why (HTTP 501; store/servers.py)
    ├── Unauthorized                  no valid credentials (exit 2, HTTP 401)
    ├── Forbidden                     valid credentials, but the role may not do this (exit 2, HTTP 403)
    ├── Conflict                      the request clashes with the record's state: withdrawing an
    │                                 answer that is not published (exit 2, HTTP 409; api/review_publication.py)
    ├── ChecksBusy                    too many token checks at once: try again shortly (HTTP 503; access.py)
    ├── NotAcceptable                 no format the client accepts (exit 2, HTTP 406)
    ├── UnsupportedMediaType          a request body in a media type we do not read (exit 2, HTTP 415)
    ├── BodyTooLarge                  a request body over its route's limit (HTTP 413; api/security.py)
    ├── BodyTooSlow                   a request body that stopped arriving (HTTP 408; api/security.py)
    ├── TooManyFailedChecks           too many failed token checks from one address (HTTP 429,
    │                                 Retry-After; api/security.py)
    ├── XmlTooComplex                 an uploaded XML document nests too deep or has too many
    │                                 elements (exit 2, HTTP 422; sherloc_kg/xml_shape.py)
    ├── ClientGone                    the client went away while its query ran (499, logged only;
    │                                 query_worker.py)
    └── LimitReached                  a bound on a query was reached; says which (SHERLOC-Limit)
        ├── QueryTooLong              the query text is over SHERLOC_QUERY_MAX_LENGTH (HTTP 413)
        ├── QueryTooDeep              brackets nested past the bound, refused unparsed (HTTP 400; api/limits.py)
        ├── ResultTooLarge            the answer is over its cap (HTTP 422)
        ├── QueryTimedOut             the query ran past SHERLOC_QUERY_TIMEOUT (HTTP 503, Retry-After)
        ├── QueryOutOfMemory          its worker passed its memory limit (HTTP 503; query_worker.py)
        ├── WorkersBusy               every query worker is taken (HTTP 503, Retry-After)
        └── TooManyQueries            the client's share of the workers is taken (HTTP 429, Retry-After)

A load stopped by a signal is no error of the caller's: ``LoadStopped`` (ingest.py) is a
BaseException, like KeyboardInterrupt, so that no ``except Exception`` takes it for bad data.

Each class carries what its HTTP answer needs: ``http_status``, :meth:`SherlocError.headers`
(``Retry-After``, ``SHERLOC-Limit``, ``WWW-Authenticate``), :meth:`SherlocError.body` (the JSON
``{"error": ..., "message": ...}``) and :meth:`SherlocError.callers` (whether the caller may read
its words: a failure that is not the caller's is answered with a generic body and a reference,
never its text). The CLI maps these to one red line and an exit code in one place (``cli.py``);
the API builds every error response from them in one place (``api/errors.py``);
tests/test_error_tree.py keeps this tree whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class SherlocError(Exception):
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def callers(self) -> bool:
        """Whether this is the caller's to read: a refusal of the request (4xx), or a designed 5xx
        that says what to do. False for a failure that is not the caller's (the store failing, a
        bug): its text may name files, addresses or the engine's words, and is never sent."""
        return self.http_status < 500

    def headers(self) -> dict[str, str]:
        """The HTTP headers an answer to this error carries beside its status."""
        return {}

    def body(self) -> dict[str, str]:
        """The JSON body of an answer to this error (only sent when :meth:`callers`)."""
        return {"error": type(self).__name__, "message": str(self)}


class UsageError(SherlocError):
    exit_code = 2
    http_status = 400


class NotFound(SherlocError):
    exit_code = 2
    http_status = 404


class QueryError(SherlocError):
    exit_code = 1
    http_status = 400


class StoreError(SherlocError):
    exit_code = 1
    http_status = 503


class NotOnThisStore(StoreError):
    """The store's server is known to answer this query wrongly (a named query whose header says
    so, SERVICE on Virtuoso): refused before it is sent, never answered wrongly. The message names
    the query or the feature, the server and why: the caller's to read, though no fault of theirs."""

    http_status = 501

    def callers(self) -> bool:
        return True


class Unauthorized(SherlocError):
    exit_code = 2
    http_status = 401

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="sherloc-kg"'}


class Forbidden(SherlocError):
    exit_code = 2
    http_status = 403


class Conflict(SherlocError):
    """The request cannot be done in the state its record is in; the message says which state."""

    exit_code = 2
    http_status = 409


class NotAcceptable(SherlocError):
    exit_code = 2
    http_status = 406


class UnsupportedMediaType(SherlocError):
    exit_code = 2
    http_status = 415


class XmlTooComplex(SherlocError):
    """An uploaded XML document nests too deeply or has too many elements: 422."""

    exit_code = 2
    http_status = 422


@dataclass(frozen=True)
class Location:
    """Where in a source a problem is: file, line (1-based), record id and input field."""

    file: str
    line: int | None = None
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file + (f":{self.line}" if self.line else "")]
        if self.record:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)


class SourceError(SherlocError):
    """A record cannot be read: malformed line, missing or misspelt field, unknown reference."""

    http_status = 422

    def __init__(self, message: str, location: Location, value: str | None = None) -> None:
        super().__init__(f"{location}: {message}")
        self.message = message
        self.location = location
        self.value = value  # what was written, where a report quotes it

    def each(self) -> list[SourceError]:
        """Every problem this error stands for: itself, or those of :class:`SourceErrors`."""
        return [self]


class SourceErrors(SourceError):
    """Several problems of one record, all found at once (a loader that reads every field before it
    gives up: loaders/review.py), reported each at its field; the first stands for them all."""

    def __init__(self, errors: list[SourceError]) -> None:
        super().__init__(errors[0].message, errors[0].location, errors[0].value)
        self.errors = errors

    def each(self) -> list[SourceError]:
        return list(self.errors)


@dataclass(frozen=True)
class Issue:
    """One broken rule, said so that a data editor knows what to fix."""

    severity: str  # "Violation" | "Warning" | "Info"
    message: str
    location: Location
    value: str | None = None
    shape: str | None = None
    focus: str | None = None  # the IRI the rule was checked on

    def __str__(self) -> str:
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.location}: {self.severity}: {self.message}{value}"


class ValidationFailed(SherlocError):
    """Records broke the SHACL shapes; nothing was written."""

    http_status = 422

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        violations = [i for i in issues if i.severity == "Violation"]
        lines = "\n".join(str(i) for i in violations[:50])
        more = f"\n... and {len(violations) - 50} more" if len(violations) > 50 else ""
        super().__init__(f"{len(violations)} violation(s); nothing was written\n{lines}{more}")


#: The response header naming the limit a refused request reached (``rows=10000``).
LIMIT_HEADER = "SHERLOC-Limit"


# -- the query limits (sherloc_kg/query_limits.py, api/limits.py) ------------------------------
class LimitReached(SherlocError):
    """A query went past one of the endpoint's limits. ``limit`` names it (``rows=10000``) for the
    ``SHERLOC-Limit`` response header; ``retry_after`` (seconds) is sent as ``Retry-After``."""

    retry_after: ClassVar[int | None] = None

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message)
        self.limit = limit

    def callers(self) -> bool:
        return True  # a limit says which and when to come back, even as a 503

    def headers(self) -> dict[str, str]:
        """The limit by name in ``SHERLOC-Limit``, and ``Retry-After`` when waiting helps."""
        headers = {LIMIT_HEADER: self.limit}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers

    def body(self) -> dict[str, str]:
        return {**super().body(), "limit": self.limit}


class QueryTooLong(LimitReached):
    """The query text is longer than SHERLOC_QUERY_MAX_LENGTH: 413, the request is too large."""

    http_status = 413


class ResultTooLarge(LimitReached):
    """The answer would pass the row, triple or byte cap: 422, the query is understood but this
    server will not produce that answer; asking again will not help, asking for less will."""

    http_status = 422


class QueryTimedOut(LimitReached):
    """The query ran past SHERLOC_QUERY_TIMEOUT and was stopped: 503 with Retry-After (the
    server is fine; this query is too costly for it now)."""

    http_status = 503
    retry_after = 5


class WorkersBusy(LimitReached):
    """No query worker came free in time (every one held by a long query): 503, try again."""

    http_status = 503
    retry_after = 2


class TooManyQueries(LimitReached):
    """The client already runs SHERLOC_QUERY_CONCURRENCY queries: 429 with Retry-After."""

    http_status = 429
    retry_after = 1
