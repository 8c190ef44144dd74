"""/dataset (DCAT + VoID) and /dataset/dump.nq.gz on the real app served on loopback, over a real
store holding the reference graphs and every example (restricted graphs included)."""

from __future__ import annotations

import gzip
import hashlib
import time
from datetime import datetime, timezone
import warnings
from collections import Counter
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from sherloc_kg.access import PUBLIC, Role, Tokens, public_graphs
from sherloc_kg.api.caching import public_state
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import PATIENCE, fetch, serving
from .test_search_api import examples_store, restricted_values

BASE = "https://w3id.org/sherloc/"
ME = URIRef(BASE + "dataset")


@pytest.fixture(scope="module")
def example_store(settings: Settings) -> EmbeddedStore:
    """The store the dataset is served from (tests/test_api_remote.py swaps in a remote one)."""
    return examples_store(settings)


@pytest.fixture(scope="module")
def served(settings: Settings, example_store: EmbeddedStore,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict, EmbeddedStore]]:
    tokens = tmp_path_factory.mktemp("dataset") / "tokens.json"
    admin = Tokens(tokens).create(Role.ADMIN, name="test")
    store = example_store
    with serving(create_app(settings.with_(tokens=tokens), store=store)) as url:
        yield url, {"Authorization": f"Bearer {admin}"}, store


def description(url: str, headers: dict | None = None, accept: str = "text/turtle") -> Graph:
    response = fetch(url + "/dataset", headers={"Accept": accept, **(headers or {})})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=response.text, format={"text/turtle": "turtle", "application/ld+json": "json-ld",
                                                         "application/rdf+xml": "xml",
                                                         "application/n-triples": "nt"}[accept])


def present(store: EmbeddedStore, graphs: list[str]) -> list[str]:
    return [g for g in graphs if g in set(store.graphs())]


def utc(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def test_the_description_counts_each_public_graph(served) -> None:
    url, _, store = served
    iris = Iris()
    g = description(url)
    assert (ME, RDF.type, DCAT.Dataset) in g and (ME, RDF.type, VOID.Dataset) in g
    subsets = {str(s): int(g.value(s, VOID.triples)) for s in g.objects(ME, VOID.subset)}
    assert set(subsets) == set(public_graphs(iris))
    assert subsets == {graph: store.count(graph) for graph in public_graphs(iris)}
    assert int(g.value(ME, VOID.triples)) == sum(subsets.values()) > 10_000
    assert not any("restricted" in graph for graph in subsets)
    # the last change the public can see: the latest load activity of the public graphs (the
    # examples' restricted review answers are loaded later, their provenance restricted)
    latest = store.select("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT (MAX(?t) AS ?m) "
                          "WHERE { ?a prov:endedAtTime ?t }", dataset=PUBLIC.dataset(iris)).rows[0]["m"]
    # (Virtuoso gives the store clock's time without a zone: UTC, as api/caching.py reads it)
    assert g.value(ME, DCTERMS.modified).toPython() >= utc(latest.toPython())
    assert g.value(ME, DCTERMS.modified).toPython() == public_state(store, iris).latest
    # read for a caller's request (within its query timeout, as Last-Modified is), the same state
    assert public_state(store, iris, for_a_caller=True) == public_state(store, iris)
    assert g.value(ME, VOID.sparqlEndpoint) == URIRef(url + "/sparql")   # where it is (see below)
    assert g.value(ME, VOID.uriSpace) == Literal(BASE)
    assert URIRef(BASE + "id/instrument/untoc") in set(g.objects(ME, VOID.exampleResource))
    assert URIRef(BASE + "id/case/XAA-EX-001") in set(g.objects(ME, VOID.exampleResource))
    assert g.value(ME, DCTERMS.title) and g.value(ME, DCTERMS.description) and g.value(ME, DCTERMS.license)
    assert g.value(ME, DCTERMS.publisher) is not None
    dump = URIRef(BASE + "dataset/dump.nq.gz")
    assert dump in set(g.objects(ME, DCAT.distribution)) and dump in set(g.objects(ME, VOID.dataDump))
    assert str(g.value(dump, DCAT.mediaType)).endswith("application/n-quads")


LDES = URIRef("https://w3id.org/ldes/specification")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize("host", [None, "kg.example.org"])
def test_service_description_void_and_dcat_agree_on_the_endpoint(served, host: str | None) -> None:
    """The SPARQL service description (GET /sparql), VoID and DCAT name one endpoint address: the
    endpoint at the host the client asked (the IRIs stay under the base; deploy/w3id/ redirects them)."""
    url, _, _ = served
    headers = {"Accept": "text/turtle"} | ({"Host": host} if host else {})
    endpoint = URIRef(f"http://{host}/sparql" if host else url + "/sparql")
    sd = Graph().parse(data=fetch(url + "/sparql", headers=headers).text, format="turtle")
    assert set(sd.objects(None, SD.endpoint)) == {endpoint}
    response = fetch(url + "/dataset", headers=headers)
    assert "Host" in response.headers["vary"].split(", ")
    g = Graph().parse(data=response.text, format="turtle")
    assert set(g.objects(ME, VOID.sparqlEndpoint)) == {endpoint}
    services = set(g.subjects(DCAT.endpointURL, endpoint))
    assert len(services) == 1 and set(g.objects(None, DCAT.endpointURL)) == {endpoint}
    service = services.pop()
    assert (service, RDF.type, DCAT.DataService) in g and (service, DCAT.servesDataset, ME) in g
    assert (service, RDF.type, SD.Service) in sd and (service, SD.endpoint, endpoint) in sd   # one node


def test_the_description_in_every_graph_syntax(served) -> None:
    url, _, _ = served
    turtle = description(url)
    for accept in ("application/ld+json", "application/rdf+xml", "application/n-triples"):
        other = description(url, accept=accept)
        assert len(other) == len(turtle) and int(other.value(ME, VOID.triples)) == int(turtle.value(ME, VOID.triples))
    assert fetch(url + "/dataset", headers={"Accept": "image/png"}).status_code == 406


def test_an_admin_description_counts_the_restricted_graphs(served) -> None:
    url, admin, store = served
    g = description(url, admin)
    subsets = {str(s): int(g.value(s, VOID.triples)) for s in g.objects(ME, VOID.subset)}
    restricted = BASE + "graph/authorities-restricted"
    assert subsets[restricted] == store.count(restricted) > 0
    # every graph but the change feed's version logs, which no query reads: the feed is described as
    # a distribution of its own (an admin's dump still holds them, as a backup)
    logs = Iris().version_logs(store.graphs())
    assert logs and not set(logs) & set(subsets)
    assert int(g.value(ME, VOID.triples)) == sum(subsets.values()) == store.count() - sum(store.count(lg) for lg in logs)
    feeds = [d for d in g.objects(ME, DCAT.distribution) if (d, DCTERMS.conformsTo, LDES) in g]
    assert [str(g.value(d, DCAT.accessURL)) for d in feeds] == [BASE + "feed"]


def read_dump(url: str, headers: dict | None = None) -> tuple[httpx.Response, Counter, bytes]:
    """The response, the number of quads per graph (N-Quads parsed by a real parser), the N-Quads."""
    response = fetch(url + "/dataset/dump.nq.gz", headers=headers or {}, timeout=60)
    assert response.status_code == 200, response.text
    nquads = gzip.decompress(response.content)
    per_graph = Counter(q.graph_name.value for q in ox.parse(nquads, ox.RdfFormat.N_QUADS))
    return response, per_graph, nquads


def test_the_public_dump_holds_exactly_the_public_graphs(served) -> None:
    url, _, store = served
    response, parsed, nquads = read_dump(url)
    assert response.headers["content-type"] == "application/gzip"
    assert 'filename="sherloc-kg.nq.gz"' in response.headers["content-disposition"]
    public = present(store, public_graphs(Iris()))
    graphs = set(parsed)
    assert graphs == set(public)
    assert parsed == {g: store.count(g) for g in public}
    lines = [line for line in nquads.decode().splitlines() if line.strip()]
    assert len(lines) == sum(store.count(g) for g in public)
    text = nquads.decode()
    assert not any(secret in text for secret in restricted_values(store))
    assert "restricted" not in " ".join(graphs)


def test_an_admin_dump_holds_every_graph(served) -> None:
    url, admin, store = served
    response, parsed, nquads = read_dump(url, admin)
    assert parsed == {g: store.count(g) for g in store.graphs()}
    assert len(nquads.decode().splitlines()) == store.count()
    assert response.headers["cache-control"] == "private, no-store"


def test_the_public_dump_is_a_file_with_its_size_and_checksum(served) -> None:
    """The public dump is made once per state of the store and sent whole: Content-Length, its
    SHA-256 as a strong ETag (the checksum /dataset gives), the store's Last-Modified."""
    url, _, _ = served
    time.sleep(1.1)  # a store changed this very second gets no Last-Modified
    response = fetch(url + "/dataset/dump.nq.gz", timeout=60)
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["etag"] == '"' + hashlib.sha256(response.content).hexdigest() + '"'
    assert "last-modified" in response.headers
    again = fetch(url + "/dataset/dump.nq.gz", timeout=60)
    assert again.content == response.content and again.headers["etag"] == response.headers["etag"]


def test_a_dump_of_more_than_the_public_graphs_is_streamed(served) -> None:
    url, admin, store = served
    with httpx.stream("GET", url + "/dataset/dump.nq.gz", headers=admin, timeout=PATIENCE) as response:
        assert response.status_code == 200
        assert response.headers.get("transfer-encoding") == "chunked" and "content-length" not in response.headers
        assert "etag" not in response.headers and "last-modified" not in response.headers
        pieces = list(response.iter_raw())
    assert gzip.decompress(b"".join(pieces))
    # the store hands the quads over in pieces, never as one document
    graphs = store.graphs()
    chunks = list(store.dump_chunks(graphs, chunk_size=1000))
    assert len(chunks) > 5 and all(len(c.decode().splitlines()) <= 1000 for c in chunks)
    assert sum(len(c.decode().splitlines()) for c in chunks) == store.count()
