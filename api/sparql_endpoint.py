"""(being rewritten) /sparql"""

from __future__ import annotations

import io

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from sherloc_kg.access import Caller

from .context import Context, caller, context
from .negotiation import RESULT_TYPES, choose

router = APIRouter()


@router.get("/sparql")
def sparql(request: Request, query: str | None = None, ctx: Context = Depends(context),
           who: Caller = Depends(caller)) -> Response:
    if not query:
        raise HTTPException(400, "give a SPARQL query in the 'query' parameter")
    media_type = choose(request.headers.get("accept"), RESULT_TYPES)
    buffer = io.BytesIO()
    ctx.store.query_serialized(query, buffer, media_type=media_type, dataset=who.dataset(ctx.iris))
    return Response(buffer.getvalue(), media_type=media_type)
