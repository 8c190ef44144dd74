"""Every error answer of the server, built in one place from the exception.

The exception says what its answer carries (sherloc_kg/errors.py): ``http_status``, ``headers()``
(``Retry-After``, ``SHERLOC-Limit``, ``WWW-Authenticate``, ``Connection: close``), ``body()`` and
``callers()``. :func:`error_response` builds the answer from it, in the format the request
negotiates:

- an error the caller may read: its status, its headers and the JSON body
  ``{"error": ClassName, "message": ..., ["limit": ...]}``; a limit reached on an explorer page
  (or by a client preferring HTML) is the explorer's limit page, with the same status and headers;
- a failure that is not the caller's (the store failing, a bug, anything not ours): logged with a
  fresh reference and its traceback, answered with a generic body and that reference, never its
  text, type, a traceback or a file path (it may name files, the store's address, the engine's
  words): 503 with ``Retry-After`` when the store failed, 500 otherwise;
- an IRI not known here, asked for at a linked-data URL (:class:`UnknownResource`): 404 in the
  format the route negotiated (a page in the explorer frame, a comment in Turtle, N-Triples or
  RDF/XML, or JSON-LD's JSON error);
- a client that went away (Starlette's ``ClientDisconnect``): logged in one line;
- on an explorer page (``/``, ``/explore/...``), any of these, and what the framework refuses itself
  (no such URL, a method or a parameter it cannot take): a page in the explorer frame with the same
  status and headers (:func:`error_page`), never JSON a reader cannot use.

:func:`install` registers it as the application's handler for every exception; the security
middleware (api/security.py) answers through it what it refuses before or around the
application. Routes that show an error inside their own page (the SPARQL workbench's form, the
review upload form) or as a download's text read the same status, headers and ``callers()`` from
the exception.
"""

from __future__ import annotations

import json
import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from sherloc_kg.errors import LimitReached, NotAcceptable, NotFound, NotOnThisStore, SherlocError

from .explorer.i18n import N_
from .negotiation import choose, content_type

log = logging.getLogger("sherloc_kg.api")


def error_response(request: Request, error: BaseException) -> Response:
    """The answer to ``error`` raised answering ``request`` (see the module docstring)."""
    if isinstance(error, ClientDisconnect):
        log.info("the client went away during %s %s", request.method, request.url.path)
        return JSONResponse({"error": "ClientDisconnect", "message": "the client went away"}, status_code=400)
    if not isinstance(error, SherlocError) or not error.callers():
        answer = failure(request, error)
        return error_page(request, answer) if explorer_page(request) else answer
    if isinstance(error, UnknownResource):
        return unknown_resource(request, error)
    if isinstance(error, (LimitReached, NotOnThisStore)) and wants_page(request):
        return limit_page(request, error)
    answer = json_error(error)
    return error_page(request, answer) if explorer_page(request) else answer


def http_error(request: Request, error: Exception) -> Response:
    """What the framework itself refuses (a URL with no route: 404; a method the route does not
    take: 405; a parameter of the wrong type: 422): its JSON as FastAPI gives it, but a page on
    an explorer URL."""
    if isinstance(error, RequestValidationError):
        answer = JSONResponse({"detail": jsonable_encoder(error.errors())}, status_code=422)
    elif isinstance(error, StarletteHTTPException):
        answer = JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)
    else:
        return error_response(request, error)
    return error_page(request, answer) if explorer_page(request) else answer


#: A page's heading for the status of an error answered as a page.
#: The pages' titles, in English (translated by the page: api/explorer/i18n.py).
_TITLES = {400: N_("This request could not be answered"), 401: N_("Sign-in needed"), 403: N_("Not allowed"),
           404: N_("Page not found"), 405: N_("This page cannot be used that way"), 413: N_("Too much sent"),
           422: N_("This request could not be answered"), 500: N_("Something went wrong on our side"),
           503: N_("The database is not answering")}


def error_page(request: Request, answer: JSONResponse) -> Response:
    """``answer`` (a JSON error) as a page in the explorer frame: its status and headers, its words."""
    from .explorer.layout import render  # here: the explorer's routes import the middleware that imports this

    body = json.loads(bytes(answer.body))
    detail = body.get("detail")
    if answer.status_code == 404 and not body.get("message"):
        message = f"There is no page at {request.url.path}."
    elif isinstance(detail, list):   # a parameter of the wrong type: name it and what was given
        message = "; ".join(f"{' '.join(str(p) for p in d.get('loc', [])[1:]) or 'the request'}: {d.get('msg', '')}"
                            + (f" (you gave '{d['input']}')" if isinstance(d.get("input"), str) else "")
                            for d in detail)
    else:
        message = str(body.get("message") or detail or "")
    status = answer.status_code
    page = render(request, "explorer/error.html", title=_TITLES.get(status, _TITLES[400]),
                  who=getattr(request.state, "caller", None), status_code=status, message=message,
                  reference=body.get("reference"))
    page.headers.update({k: v for k, v in answer.headers.items()
                         if k.lower() not in ("content-type", "content-length")})
    return page


def explorer_page(request: Request) -> bool:
    """Whether ``request`` asked for a page of the explorer (``/`` or ``/explore/...``, not a CSV
    or a download), whose errors are pages too."""
    path = request.url.path
    return path == "/" or (path.startswith("/explore/") and not path.endswith(".csv")
                           and path != "/explore/sparql/download")


def json_error(error: SherlocError, message: str | None = None) -> JSONResponse:
    """The JSON answer to an error the caller may read; ``message`` in place of its own words
    (a load's message with the server's paths taken out)."""
    body = error.body() if message is None else {**error.body(), "message": message}
    return JSONResponse(body, status_code=error.http_status, headers=error.headers() or None)


def failure(request: Request, error: BaseException) -> JSONResponse:
    """A failure that is not the caller's: logged at error level with a fresh reference and the
    traceback, answered with the generic body and that reference. A StoreError (the store failed or
    is unreachable) is a 503 with ``Retry-After``, anything else a 500."""
    reference = secrets.token_hex(6)
    log.error("unexpected error %s answering %s %s", reference, request.method, request.url.path, exc_info=error)
    if not (isinstance(error, SherlocError) and error.http_status == 503):
        return JSONResponse({"error": "InternalError",
                             "message": "the server failed to answer this request; the failure is logged. If it "
                                        "persists, report it with this reference.",
                             "reference": reference}, status_code=500)
    return JSONResponse({"error": "ServiceUnavailable",
                         "message": "the store failed to answer this request; the failure is logged. Try again "
                                    "shortly; if it persists, report it with this reference.",
                         "reference": reference}, status_code=503, headers={"Retry-After": "5"})


class UnknownResource(NotFound):
    """An IRI this server does not know (or the caller may not see), asked for at a linked-data URL
    in ``media``: 404 in that format; ``Vary: Accept`` when Accept chose it (``negotiated``)."""

    def __init__(self, iri: str, media: str, negotiated: bool) -> None:
        super().__init__(f"{iri} is not known here")
        self.iri, self.media, self.negotiated = iri, media, negotiated

    def headers(self) -> dict[str, str]:
        return {"Vary": "Accept"} if self.negotiated else {}

    def body(self) -> dict[str, str]:
        return {**super().body(), "error": "NotFound"}


def unknown_resource(request: Request, error: UnknownResource) -> Response:
    """A linked-data 404 in the format asked: a page (in the explorer frame), a comment in
    Turtle/N-Triples/RDF-XML, or the JSON error (JSON-LD)."""
    from .explorer.layout import render  # here: the explorer's routes import the middleware that imports this

    message = str(error)
    if error.media == "text/html":
        body = render(request, "ld_not_found.html", title=N_("Not found"), who=getattr(request.state, "caller", None),
                      what=error.iri, message=message).body
    elif error.media == "application/ld+json":
        body = json.dumps(error.body()).encode("utf-8")
    elif error.media == "application/rdf+xml":
        text = message.replace("--", "- -")
        body = (f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {text} -->\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n').encode("utf-8")
    else:
        body = ("# " + message.replace("\n", " ") + "\n").encode("utf-8")
    return Response(body, status_code=error.http_status, media_type=content_type(error.media),
                    headers=error.headers())


def wants_page(request: Request) -> bool:
    """Whether an error is answered as a page: on an explorer page (not its CSV or download
    files), or to a client that prefers HTML to JSON (a browser on a resource page)."""
    if explorer_page(request):
        return True
    accept = request.headers.get("accept") or ""
    if "html" not in accept:
        return False
    try:
        return choose(accept, ("application/json", "text/html")) == "text/html"
    except NotAcceptable:
        return False


def limit_page(request: Request, error: LimitReached | NotOnThisStore) -> Response:
    """A page that a limit kept from being answered (the query timeout, a worker's memory, the
    workers busy), or that the store's server is not trusted with (NotOnThisStore): the status and
    headers of the JSON refusal (``Retry-After`` included), its words in the frame."""
    from .explorer.layout import render  # here: the explorer's routes import the middleware that imports this

    response = render(request, "explorer/limit.html", title=N_("This page could not be answered"),
                      status_code=error.http_status, message=str(error),
                      retry_after=getattr(error, "retry_after", None))
    response.headers.update(error.headers())
    return response


def install(app: FastAPI) -> None:
    """Answer every exception a route raises with :func:`error_response`: ours where they are
    raised (inside the middleware), anything else as the last resort."""
    app.add_exception_handler(SherlocError, error_response)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, http_error)
    app.add_exception_handler(Exception, error_response)


__all__ = ["UnknownResource", "error_page", "error_response", "explorer_page", "failure", "http_error", "install", "json_error", "limit_page", "unknown_resource",
           "wants_page"]
