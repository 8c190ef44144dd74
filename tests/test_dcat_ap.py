"""DCAT-AP 3.0.1 (issue 19, item 6): ``/dataset`` as a harvester reads it, served by the application
over the bundled data and the examples (the session's explorer application), checked with pySHACL
against the official shapes (SEMIC's, copied in tests/fixtures/shared/conformance/dcat-ap-3.0.1/);
each distribution's size and checksum against the bytes its URL sends; and the licence and sources
of every graph, in the description and in the data.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter

import httpx
import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, SH, VOID

from sherloc_kg.access import public_graphs
from sherloc_kg.graph_catalogue import CATALOGUE
from sherloc_kg.iris import Iris
from sherloc_kg.store import Dataset

from .conftest import SHARED

SHAPES = SHARED / "conformance" / "dcat-ap-3.0.1"
#: The shape files of the profile (imports.ttl only names the vocabularies' own ontologies).
SHAPE_FILES = ("shapes.ttl", "shapes_recommended.ttl", "range.ttl", "mdr-vocabularies.shape.ttl", "deprecateduris.ttl")
BASE = "https://w3id.org/sherloc/"
ME = URIRef(BASE + "dataset")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LDES = URIRef("https://w3id.org/ldes/specification")
IANA = "https://www.iana.org/assignments/media-types/"


@pytest.fixture(scope="module")
def client(explorer: str) -> httpx.Client:
    with httpx.Client(base_url=explorer, timeout=300) as session:
        yield session


@pytest.fixture(scope="module")
def turtle(client: httpx.Client) -> str:
    answer = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.fixture(scope="module")
def described(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def results(data: Graph, *files: str) -> list[tuple[str, str, str, str]]:
    """(severity, focus node, path, source shape) of each top-level result of the shapes of ``files``."""
    shapes = Graph()
    for name in files:
        shapes.parse(SHAPES / name, format="turtle")
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found = []
    for top in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(top, SH.result):
            found.append((str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                          str(report.value(result, SH.focusNode)), str(report.value(result, SH.resultPath)),
                          str(report.value(result, SH.sourceShape))))
    return found


def test_the_official_shapes_find_no_violation(described: Graph) -> None:
    found = results(described, *SHAPE_FILES)
    assert [r for r in found if r[0] != "Warning"] == []


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_each_file_of_shapes_alone(described: Graph, name: str) -> None:
    """The recommended properties are all present (shapes_recommended.ttl: not one warning); the only
    warnings are the controlled vocabularies' advice that the publisher is not a corporate body of
    the EU's authority table (it is not one)."""
    found = results(described, name)
    if name != "mdr-vocabularies.shape.ttl":
        assert found == [], found
        return
    assert {(severity, path) for severity, _focus, path, _shape in found} == {("Warning", str(DCTERMS.publisher))}
    assert {focus for _s, focus, _p, _shape in found} == {BASE + "dataset", BASE + "dataset#catalog",
                                                          str(next(iter(described.subjects(RDF.type, DCAT.DataService))))}


def test_a_violation_is_found_where_there_is_one(described: Graph) -> None:
    """The check checks: the description without the dump's media type's class breaks the range shapes."""
    broken = Graph()
    for triple in described:
        if not (triple[1] == RDF.type and triple[2] == DCTERMS.MediaType):
            broken.add(triple)
    assert any(r[0] == "Violation" for r in results(broken, "range.ttl"))


def test_the_catalogue_the_service_and_the_feed(client: httpx.Client, described: Graph) -> None:
    catalog = URIRef(BASE + "dataset#catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in described
    assert (catalog, DCAT.dataset, ME) in described
    services = set(described.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    service = services.pop()
    endpoint = URIRef(str(client.base_url).rstrip("/") + "/sparql")
    assert (catalog, DCAT.service, service) in described
    assert (service, DCAT.endpointURL, endpoint) in described
    assert (service, DCAT.endpointDescription, endpoint) in described
    assert (service, DCAT.servesDataset, ME) in described
    feeds = [d for d in described.objects(ME, DCAT.distribution) if (d, DCTERMS.conformsTo, LDES) in described]
    assert len(feeds) == 1
    assert described.value(feeds[0], DCAT.accessURL) == URIRef(BASE + "feed")


def test_one_n_quads_and_one_turtle_distribution_per_public_graph(described: Graph, explorer_store) -> None:
    held = [g for g in public_graphs(Iris()) if g in set(explorer_store.graphs())]
    distributions = set(described.objects(ME, DCAT.distribution))
    for graph in held:
        dumps = set(described.objects(URIRef(graph), VOID.dataDump))
        assert dumps <= distributions
        types = sorted(str(described.value(d, DCAT.mediaType)) for d in dumps)
        assert types == [IANA + "application/n-quads", IANA + "text/turtle"], graph
        for dump in dumps:
            assert described.value(dump, DCTERMS.license) == described.value(URIRef(graph), DCTERMS.license)
            assert described.value(dump, DCAT.byteSize) is not None
            checksum = described.value(dump, SPDX.checksum)
            assert len(str(described.value(checksum, SPDX.checksumValue))) == 64


def _served(client: httpx.Client, iri: str) -> httpx.Response:
    assert iri.startswith(BASE), iri
    answer = client.get("/" + iri[len(BASE):])
    assert answer.status_code == 200, (iri, answer.text[:200])
    return answer


def test_each_distribution_is_the_bytes_its_url_sends(client: httpx.Client, described: Graph) -> None:
    """Size and SHA-256 as the description gives them, of exactly what the download URL sends (with
    Content-Length, and the checksum as ETag); the data parse and hold each graph's count."""
    checked = Counter()
    for dump in described.objects(ME, DCAT.distribution):
        size = described.value(dump, DCAT.byteSize)
        if size is None:
            continue  # the change feed
        answer = _served(client, str(described.value(dump, DCAT.downloadURL)))
        value = str(described.value(described.value(dump, SPDX.checksum), SPDX.checksumValue))
        assert len(answer.content) == int(size) == int(answer.headers["content-length"])
        assert hashlib.sha256(answer.content).hexdigest() == value and answer.headers["etag"] == f'"{value}"'
        media = str(described.value(dump, DCAT.mediaType)).removeprefix(IANA)
        packed = described.value(dump, DCAT.compressFormat)  # DCAT: the media type of what it holds, and how packed
        assert answer.headers["content-type"].split(";")[0] == (str(packed).removeprefix(IANA) if packed else media)
        data = gzip.decompress(answer.content) if packed else answer.content
        fmt = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_QUADS
        parsed = list(ox.parse(data, fmt))
        graphs = [g for g in described.objects(ME, VOID.subset) if (g, VOID.dataDump, dump) in described]
        expected = sum(int(described.value(g, VOID.triples)) for g in graphs) if graphs else int(
            described.value(ME, VOID.triples))
        assert len(parsed) == expected, dump
        checked[media] += 1
    assert checked["application/n-quads"] == checked["text/turtle"] + 1 > 5  # and the whole dump


def test_every_graph_has_its_licence_and_sources(described: Graph) -> None:
    subsets = set(described.objects(ME, VOID.subset))
    assert subsets
    for subset in subsets:
        name = str(subset).removeprefix(BASE + "graph/")
        assert described.value(subset, DCTERMS.license) is not None, name
        lineage = described.value(subset, DCTERMS.provenance)
        assert (lineage, RDF.type, DCTERMS.ProvenanceStatement) in described
        assert {str(s) for s in described.objects(subset, DCTERMS.source)} == {s.iri for s in CATALOGUE[name].sources}


def test_the_data_say_each_graphs_licence_and_sources(explorer_store) -> None:
    """In the provenance graph itself (a dump carries them): every public graph's licence, lineage and
    sources; the reference graphs generated by an install activity of an agent, from files named by
    their SHA-256."""
    iris = Iris()
    provenance = Dataset(default=[str(iris.graph("provenance"))], named=[])
    for name in CATALOGUE:
        if str(iris.graph(name)) not in public_graphs(iris):
            continue
        rows = explorer_store.select("SELECT ?licence ?lineage WHERE { ?g <http://purl.org/dc/terms/license> ?licence ; "
                                     "<http://purl.org/dc/terms/provenance> ?lineage }",
                                     bindings={"g": iris.graph(name)}, dataset=provenance).rows
        assert len(rows) == 1, name
        sources = explorer_store.select("SELECT ?s WHERE { ?g <http://purl.org/dc/terms/source> ?s }",
                                        bindings={"g": iris.graph(name)}, dataset=provenance).rows
        assert {str(r["s"]) for r in sources} == {s.iri for s in CATALOGUE[name].sources}, name
    for name in ("ontology", "vocabularies", "instruments", "countries"):
        rows = explorer_store.select(
            f"SELECT ?activity ?agent ?file WHERE {{ ?g <{PROV.wasGeneratedBy}> ?activity ; <{PROV.wasDerivedFrom}> ?file . "
            f"?activity <{PROV.wasAssociatedWith}> ?agent ; <{PROV.used}> ?file ; <{PROV.endedAtTime}> ?t . "
            f"?file <{DCTERMS.identifier}> ?id }}", bindings={"g": iris.graph(name)}, dataset=provenance).rows
        assert rows, name
        assert all(str(r["agent"]).startswith(BASE + "id/agent/") for r in rows)
