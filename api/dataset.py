"""The dataset described and dumped: ``/dataset`` (DCAT + VoID) and ``/dataset/dump.nq.gz``.

``/dataset`` answers in Turtle, JSON-LD, RDF/XML or N-Triples by Accept. It describes the graphs
the caller may see: one ``void:subset`` per graph with its ``void:triples``, the total, the latest
load time from the provenance graph as ``dcterms:modified``, the SPARQL endpoint, the URI space,
example resources and the dump as a ``dcat:Distribution``. The endpoint is named by its address at
the host the request was sent to, as its service description (``GET /sparql``) names it, so VoID,
DCAT (a ``dcat:DataService``) and the service description agree (``Vary: Host``); the dataset and
the graphs keep their IRIs under the base, which resolve through deploy/w3id/.

``/dataset/dump.nq.gz`` streams the caller's graphs (for the public: the public graphs only) as
gzip-compressed N-Quads: quads are read from the store in chunks, each serialised by the engine
and pushed through one gzip stream, so the dump is never held in memory.

The store's quad iterator is bound to the thread that made it (pyoxigraph's iterators are
"unsendable": touched from another thread, the engine panics and takes the process down), while
a streaming response would pull each chunk on whichever thread of the pool is free. So each dump
is read from start to end on one thread of its own, which hands the compressed chunks over a small
queue; when the client goes away the thread stops at its next chunk and drops the iterator itself.
"""

from __future__ import annotations

import queue
import threading
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import anyio

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from sherloc_kg.access import Caller, Role
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import PREFIXES, SHERLOC
from sherloc_kg.store import Dataset, Store

from .context import Context, caller, context, reading
from .negotiation import GRAPH_TYPES, choose, graph_document

router = APIRouter(tags=["dataset"])

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IANA = "https://www.iana.org/assignments/media-types/"
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
TITLE = "SHERLOC-KG"
DESCRIPTION = ("The United Nations Convention against Transnational Organized Crime and its Protocols, and the "
               "national legislation, case law, cooperation treaties, strategies, competent national authorities, "
               "publications and review responses that implement and apply them, as linked data.")
DUMP_PATH = "dataset/dump.nq.gz"


def graph_counts(store: Store, graphs: list[str], dataset: Dataset) -> dict[str, int]:
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                        dataset=dataset).rows
    found = {str(row["g"]): int(row["n"]) for row in rows}
    return {g: found.get(g, 0) for g in graphs}


def description(store: Store, iris: Iris, who: Caller, endpoint: str) -> Graph:
    """The DCAT/VoID description of what ``who`` may see. ``endpoint``: the SPARQL endpoint's address,
    the one its service description names (``sd:endpoint``, api/sparql_endpoint.py): VoID gives it as
    ``void:sparqlEndpoint`` and DCAT as the ``dcat:endpointURL`` of a ``dcat:DataService``, which is the
    same node as the service description's ``sd:Service`` (``{endpoint}#service``)."""
    dataset = who.dataset(iris)
    graphs = who.listed_graphs(iris, store)
    counts = graph_counts(store, graphs, dataset)
    base = iris.base
    me = URIRef(base + "dataset")
    g = Graph()
    for prefix in ("dcterms", "foaf", "xsd", "sherloc"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("dcat", DCAT)
    g.bind("void", VOID)
    g.bind("sd", SD)
    publisher = URIRef(base)
    g.add((me, RDF.type, DCAT.Dataset))
    g.add((me, RDF.type, VOID.Dataset))
    g.add((me, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((me, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((me, DCTERMS.license, LICENCE))
    g.add((me, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal("SHERLOC-KG project", lang="en")))
    g.add((publisher, FOAF.homepage, URIRef(base)))
    g.add((me, FOAF.homepage, URIRef(base)))
    modified = store.select("PREFIX prov: <http://www.w3.org/ns/prov#>\n"
                            "SELECT (MAX(?t) AS ?latest) WHERE { ?a a prov:Activity ; prov:endedAtTime ?t }",
                            dataset=dataset).rows
    if modified and "latest" in modified[0]:
        g.add((me, DCTERMS.modified, modified[0]["latest"]))
    g.add((me, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
    g.add((me, VOID.sparqlEndpoint, URIRef(endpoint)))
    service = URIRef(endpoint + "#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal(f"{TITLE} SPARQL endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, URIRef(endpoint)))
    g.add((service, DCAT.endpointDescription, URIRef(endpoint)))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, me))
    g.add((me, VOID.uriSpace, Literal(base)))
    g.add((me, VOID.rootResource, iris.instrument("untoc")))
    for vocabulary in ("eli", "skos", "dcterms", "org", "vcard", "bibo", "prov", "foaf", "sherloc"):
        g.add((me, VOID.vocabulary, URIRef(PREFIXES[vocabulary])))
    for example in _examples(store, iris, dataset):
        g.add((me, VOID.exampleResource, example))
    for graph, count in counts.items():
        subset = URIRef(graph)
        name = iris.graph_name(graph) or graph
        g.add((me, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCTERMS.title, Literal(name)))
        g.add((subset, SD.name, subset))
        g.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
    dump = URIRef(base + DUMP_PATH)
    g.add((me, VOID.dataDump, dump))
    g.add((me, DCAT.distribution, dump))
    g.add((dump, RDF.type, DCAT.Distribution))
    g.add((dump, DCTERMS.title, Literal("The graphs above as gzip-compressed N-Quads", lang="en")))
    g.add((dump, DCAT.downloadURL, dump))
    g.add((dump, DCAT.accessURL, dump))
    g.add((dump, DCAT.mediaType, URIRef(IANA + "application/n-quads")))
    g.add((dump, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    g.add((dump, DCTERMS.license, LICENCE))
    return g


def _examples(store: Store, iris: Iris, dataset: Dataset) -> list[URIRef]:
    """The Convention, one of its articles and the first case, where the store holds them."""
    candidates = [iris.instrument("untoc"), iris.provision("untoc/art/5")]
    rows = store.select(f"SELECT ?c WHERE {{ ?c a <{SHERLOC.CourtCase}> ; <{DCTERMS.identifier}> ?id }} "
                        "ORDER BY ?id LIMIT 1", dataset=dataset).rows
    found = [c for c in candidates
             if store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", bindings={"s": c}, dataset=dataset).rows]
    return found + [URIRef(str(row["c"])) for row in rows]


@router.get("/dataset", summary="The dataset described in DCAT and VoID",
            responses={200: {"content": {t: {} for t in GRAPH_TYPES}}})
def dataset_description(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Response:
    media_type = choose(request.headers.get("accept"), GRAPH_TYPES)
    # the endpoint at the host asked, as the service description names it (hence Vary: Host)
    graph = description(ctx.reads, ctx.iris, who, str(request.base_url) + "sparql")
    body, content_type = graph_document(graph, media_type, request.headers.get("accept"))
    return Response(body, media_type=content_type, headers={"Vary": "Accept, Host"})


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


@router.get("/dataset/dump.nq.gz", summary="The caller's graphs (the public ones for the public) as gzip N-Quads",
            response_class=StreamingResponse, responses={200: {"content": {"application/gzip": {}}}})
def dump(ctx: Context = Depends(context), who: Caller = Depends(caller)) -> StreamingResponse:
    graphs = who.graphs_among(ctx.iris, sorted(ctx.store.graphs()))
    filename = "sherloc-kg.nq.gz" if who.role is Role.PUBLIC else f"sherloc-kg-{who.role.value}.nq.gz"
    store = ctx.store
    return StreamingResponse(on_one_thread(lambda: gzip_stream(store.dump_chunks(graphs))), media_type="application/gzip",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})

