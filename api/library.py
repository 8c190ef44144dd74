"""The named query library and the dataset statistics as JSON: ``/api/queries``, ``/api/stats``."""

from __future__ import annotations

import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sherloc_kg.access import Caller
from sherloc_kg.iris import Iris
from sherloc_kg.statistics import collect
from sherloc_kg.store import Store

from .context import Context, caller, context, reading
from .explorer import twins
from .negotiation import RESULT_TYPES, choose, content_type

router = APIRouter(tags=["queries"])


def statistics(store: Store, iris: Iris, who: Caller) -> dict:
    """The store's figures over what ``who`` may see: for the public, the public graphs only (a
    restricted graph is neither listed nor counted, nor are the records only it holds)."""
    return collect(store, iris, None if who.visible_graphs(iris) is None else who.dataset(iris))


@router.get("/api/stats")
def stats(ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> dict:
    """Triples per named graph, records per kind: of the graphs the caller may see."""
    return statistics(ctx.reads, ctx.iris, who)


@router.get("/api/queries", dependencies=[Depends(twins.links_back)])
def queries(ctx: Context = Depends(context)) -> list[dict]:
    return [{"name": q.name, "title": q.title, "description": q.description,
             "parameters": [{"name": p.name, "type": p.type, "required": p.required, "help": p.help}
                            for p in q.parameters]} for q in ctx.library.all()]


@router.get("/api/queries/{name}")
def run_query(name: str, request: Request, ctx: Context = Depends(reading),
              who: Caller = Depends(caller)) -> Response:
    """Run a named query; parameters are query parameters, results by Accept (SPARQL JSON by
    default, XML, CSV or TSV)."""
    named = ctx.library.get(name)
    media_type = choose(request.headers.get("accept"), RESULT_TYPES)
    bindings = named.checked_bindings(dict(request.query_params), ctx.iris, ctx.reads, who.dataset(ctx.iris))
    buffer = io.BytesIO()
    ctx.reads.query_serialized(named.text, buffer, media_type=media_type,
                               bindings=bindings, dataset=who.dataset(ctx.iris))
    return twins.named_back(request, Response(buffer.getvalue(), media_type=content_type(media_type),
                                              headers={"Vary": "Accept"}))
