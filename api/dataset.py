"""The dataset described and dumped: ``/dataset`` (DCAT-AP and VoID, api/dcat.py) and the dumps.

``/dataset`` answers in Turtle, JSON-LD, RDF/XML or N-Triples by Accept (or a ``format`` parameter:
``?format=ttl``, ``jsonld``, ``rdf``, ``nt``), and a browser (``Accept: text/html``) gets the same
description in words, with the dumps, as an explorer page (api/explorer/dataset.py renders the
graph the RDF answers serialise; ``Link: rel="alternate"`` names each RDF syntax). An answer to a
caller who is not the public, a browser signed in by its session cookie included, is ``private,
no-store``: what it lists no shared cache keeps (api/caching.py sees only ``Authorization``). It describes the graphs
the caller may see, the public dumps and the change feed as distributions, and the SPARQL endpoint
as a ``dcat:DataService``, named by its address at the host the request was sent to, as its service
description (``GET /sparql``) names it, so VoID, DCAT and the service description agree
(``Vary: Host``); the dataset, the graphs and the dumps keep their IRIs under the base, which
resolve through deploy/w3id/.

The dumps of the public graphs are files made once per state of the store (api/dumps.py), sent with
``Content-Length``, their SHA-256 as ETag (the checksum the description gives) and the store's
Last-Modified (api/caching.py):

- ``/dataset/dump.nq.gz``: every public graph, gzip-compressed N-Quads;
- ``/dataset/dump/{graph}.nq`` and ``/dataset/dump/{graph}.ttl``: one public graph, N-Quads or Turtle.

A caller with a token who may read more than the public graphs gets, at ``/dataset/dump.nq.gz``, the
graphs it may read, streamed as they are read (never cached, never kept: ``private, no-store``):
quads are read from the store in chunks, each serialised by the engine and pushed through one gzip
stream, so the dump is never held in memory.

The store's quad iterator is bound to the thread that made it (pyoxigraph's iterators are
"unsendable": touched from another thread, the engine panics and takes the process down), while
a streaming response would pull each chunk on whichever thread of the pool is free. So each such
dump is read from start to end on one thread of its own, which hands the compressed chunks over a
small queue; when the client goes away the thread stops at its next chunk and drops the iterator
itself.
"""

from __future__ import annotations

import queue
import threading
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import anyio

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from sherloc_kg.access import PUBLIC, Caller, Role
from sherloc_kg.errors import NotFound

from . import dcat
from .caching import PRIVATE, StoreState, public_state, request_state, store_state
from .context import Context, caller, context, reading
from .dumps import WHOLE, DumpFile, dumps_of
from .dumps import chunks as file_chunks
from .explorer.dataset import page as explorer_page
from .negotiation import GRAPH_TYPES, HTML, choose, graph_document, named_format

router = APIRouter(tags=["dataset"])

DUMP_PATH = dcat.DUMP_PATH


def public_dumps(request: Request, ctx: Context) -> tuple[StoreState, dict[str, DumpFile]]:
    """The public store's state (read for this request by api/caching.py, else now) and its dumps."""
    state = request_state(request.scope) or public_state(ctx.store, ctx.iris)
    return state, dumps_of(request.app.state).files(ctx.store, ctx.iris, state.key)


#: What ``/dataset`` answers in: the RDF syntaxes first (so ``*/*`` and no Accept get Turtle), then the page.
OFFERS = GRAPH_TYPES + (HTML,)


@router.get("/dataset", summary="The dataset described in DCAT-AP and VoID (a page for a browser)",
            responses={200: {"content": {t: {} for t in OFFERS}}})
def dataset_description(request: Request, named: str | None = Query(
        None, alias="format", description="an RDF syntax by name (ttl, jsonld, rdf, nt) or media type, which wins over Accept"),
        ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    media_type = named_format(named, GRAPH_TYPES) or choose(request.headers.get("accept"), OFFERS)
    public, files = public_dumps(request, ctx)
    if who.role is Role.PUBLIC:
        state = public
    else:  # over the graphs the description lists (not the change feed's version logs an admin reads)
        state = store_state(ctx.reads, ctx.iris, who.described_dataset(ctx.iris, ctx.reads))
    # the endpoint at the host asked, as the service description names it (hence Vary: Host)
    graph = dcat.description(ctx.reads, ctx.iris, who, str(request.base_url) + "sparql", state, files)
    if media_type == HTML:
        response: Response = explorer_page(request, graph, ctx.iris, who)
    else:
        body, content_type = graph_document(graph, media_type, request.headers.get("accept"))
        response = Response(body, media_type=content_type, headers={"Vary": "Accept, Host"})
    if who.role is not Role.PUBLIC:  # a browser signed in (a session cookie, no Authorization) included
        response.headers["Cache-Control"] = PRIVATE
    return response


def gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Compress a stream of byte chunks as one gzip member, yielding output as it comes."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: gzip header and trailer
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()


_END = object()


def on_one_thread(make: Callable[[], Iterable[bytes]], *, backlog: int = 4) -> AsyncIterator[bytes]:
    """The chunks of ``make()``, made, read and closed on one thread of their own (see the module
    docstring); at most ``backlog`` chunks wait for the client at any time."""
    chunks: queue.Queue[object] = queue.Queue(maxsize=backlog)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            source = iter(make())
            try:
                for chunk in source:
                    if not hand_over(chunk):
                        return
            finally:
                close = getattr(source, "close", None)
                if close is not None:
                    close()  # here, on the thread that made the store's iterator
        except BaseException as error:  # noqa: BLE001 - handed to the response, which ends it
            hand_over(error)
            return
        hand_over(_END)

    async def stream() -> AsyncIterator[bytes]:
        thread = threading.Thread(target=produce, name="sherloc-dump", daemon=True)
        thread.start()
        try:
            while True:
                item = await anyio.to_thread.run_sync(chunks.get)
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            stop.set()

    return stream()


def _file_response(file: DumpFile, filename: str | None = None) -> StreamingResponse:
    headers = {"Content-Length": str(file.size), "ETag": file.etag}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return StreamingResponse(file_chunks(file.path), media_type=file.media_type, headers=headers)


@router.get("/dataset/dump.nq.gz", summary="The caller's graphs (the public ones for the public) as gzip N-Quads",
            response_class=StreamingResponse, responses={200: {"content": {"application/gzip": {}}}})
async def dump(request: Request, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> StreamingResponse:
    def plan() -> DumpFile | list[str]:
        graphs = who.graphs_among(ctx.iris, sorted(ctx.store.graphs()))
        if set(graphs) <= set(PUBLIC.graphs_among(ctx.iris, graphs)):  # the public dump, made once per state
            return public_dumps(request, ctx)[1][WHOLE]
        return graphs

    found = await run_in_threadpool(plan)
    if isinstance(found, DumpFile):
        return _file_response(found, "sherloc-kg.nq.gz")
    filename = f"sherloc-kg-{who.role.value}.nq.gz"
    store = ctx.store
    return StreamingResponse(on_one_thread(lambda: gzip_stream(store.dump_chunks(found))), media_type="application/gzip",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/dataset/dump/{name}", summary="One public graph as N-Quads ({graph}.nq) or Turtle ({graph}.ttl)",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/n-quads": {}, "text/turtle": {}}}, 404: {}})
async def graph_dump(request: Request, name: str, ctx: Context = Depends(context)) -> StreamingResponse:
    _state, files = await run_in_threadpool(public_dumps, request, ctx)
    if name == WHOLE or name not in files:
        raise NotFound(f"no dump {name}: the public graphs' dumps are "
                       + ", ".join(sorted(f for f in files if f != WHOLE)))
    return _file_response(files[name])
