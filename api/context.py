"""What every route needs, built once per application: settings, store, IRIs, the query library
and the token file; the bounds of /sparql queries (where they run, how many per client); the
caller of the current request, resolved from its credentials; and the store that request reads
through.

Routes take these through FastAPI dependencies (``Depends(context)``, ``Depends(caller)``), so a
test can build an application around any store. A route that reads the store takes
``Depends(reading)``: the context of its request, whose :attr:`Context.reads` bounds every query
it runs (issue 24); writes go to :attr:`Context.store`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from sherloc_kg.access import Caller, Tokens
from sherloc_kg.config import Settings
from sherloc_kg.inference import Inference
from sherloc_kg.iris import Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.sessions import Sessions
from sherloc_kg.store import Store

from .limits import ClientSlots, QueryRunner, client_of
from .security import FailedChecks
from .session_cookie import require_csrf, session_of


@dataclass
class Context:
    settings: Settings
    store: Store
    iris: Iris
    library: QueryLibrary
    tokens: Tokens
    #: Sessions of browsers signed in with a token (api/sign_in.py).
    sessions: Sessions
    queries: QueryRunner
    slots: ClientSlots
    #: Failed token checks per client address (api/security.py): the middleware counts 401s to
    #: requests with an Authorization header; a route that reads a token from a form counts its own.
    failed_checks: FailedChecks
    #: The store read queries go through. In a request's context (:meth:`for_request`) the
    #: request's bounded store; in the application's own, the store itself.
    reads: Store

    @classmethod
    def build(cls, settings: Settings, store: Store) -> "Context":
        tokens = Tokens(settings.tokens)
        return cls(settings=settings, store=store, iris=Iris(settings.base),
                   library=QueryLibrary(settings.queries_dir), tokens=tokens, sessions=Sessions(tokens),
                   queries=QueryRunner(settings, store), slots=ClientSlots(settings.query_concurrency),
                   failed_checks=FailedChecks(), reads=store)

    def for_request(self, request: Request, who: Caller) -> "Context":
        """This context for one request of ``who``, made once per request: its :attr:`reads` is the
        request's bounded store (:meth:`QueryRunner.bounded`): on the on-disk store every query the
        request reads with runs in the query workers, all within one SHERLOC_QUERY_TIMEOUT from
        now, within the client's share of the workers, and stops when the client goes. In memory
        and on a remote store it is the store itself, as before."""
        found = getattr(request.state, "reading", None)
        if found is None:
            found = replace(self, reads=self.queries.bounded(client_of(request, who)))
            request.state.reading = found
        return found

    def before_raw_write(self) -> None:
        """A write that runs no inference rule (a SPARQL Update, a Graph Store request) is coming:
        the next load runs the rules whole. Done first, so that a failure in between costs that
        load time only, never a stale inference (sherloc_kg/inference.py)."""
        Inference(self.settings, self.iris).forget(self.store)


def context(request: Request) -> Context:
    return request.app.state.context


async def caller(request: Request) -> Caller:
    """The caller of this request: the holder of its live bearer token, else of its live session
    (a browser signed in, api/session_cookie.py: a request that changes something must then carry
    the session's CSRF token), else the public."""
    found: Caller | None = getattr(request.state, "caller", None)
    if found is None:
        ctx: Context = request.app.state.context
        authorization = request.headers.get("authorization")
        session = None if authorization else await run_in_threadpool(session_of, request, ctx.sessions)
        if session is not None:
            await require_csrf(request, session)
        # off the event loop: a token check costs an argon2 verification, with_store a query
        found = await run_in_threadpool(_resolve, ctx, authorization, session.caller if session else None)
        request.state.caller = found
    return found


def _resolve(ctx: Context, authorization: str | None, signed_in: Caller | None) -> Caller:
    # with_store: an official of no State reads every State's restricted graphs present now.
    who = signed_in if signed_in is not None else ctx.tokens.from_header(authorization)
    return who.with_store(ctx.store, ctx.iris)


def reading(request: Request, who: Caller = Depends(caller)) -> Context:
    """The context of this request, its reads bounded (:meth:`Context.for_request`): what every
    route that reads the store takes."""
    return context(request).for_request(request, who)
