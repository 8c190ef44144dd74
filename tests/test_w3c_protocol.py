"""The W3C SPARQL 1.1 Protocol and Service Description tests, run over real HTTP.

The manifests of ``shared/conformance/w3c-sparql11/`` (copied into ``tests/fixtures/shared/``) are read as data: each ``mf:ProtocolTest``
is one test, whose ``ht:requests`` are sent in order to the application served by uvicorn on a
fresh, empty in-memory Oxigraph store; each response is checked against ``mf:expectedStatus``,
``mf:expectedFormat`` (parsed by its Content-Type) and ``mf:expectedBoolean``. The ``/sparql/``
prefix of each ``ht:absolutePath`` is kept: the application answers there as at ``/sparql``.

Who sends them. Most requests go as the public, as a client on the web would. Two kinds go with
an admin token, because SHERLOC-KG rightly refuses them to the public:
- the update tests (their names start ``update_`` or ``bad_update_``): updates are for admins,
  and so are the ASK queries that check them, since they read graphs such as
  ``http://example.org/protocol-update-dataset-test/`` that are not public SHERLOC graphs;
- the query tests with ``ut:graphData``: their graphs (``http://kasei.us/...``) are not public
  SHERLOC graphs either, so for the public they would be an empty dataset (see
  ``api/sparql_endpoint.py``). The public side of the same rules is tested in
  ``test_sparql_endpoint.py``. The ``bad_update_`` tests as admin show that the request itself,
  not the missing right, is what gets refused.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset as RdfDataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from api.app import create_app
from sherloc_kg.access import Tokens
from sherloc_kg.store.contract import RdfDocument
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import SHARED
from .servers import serving

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")

CONFORMANCE = SHARED / "conformance" / "w3c-sparql11"
PROTOCOL = CONFORMANCE / "protocol" / "manifest.ttl"
SERVICE_DESCRIPTION = CONFORMANCE / "service-description" / "manifest.ttl"
RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}"
RDF_FORMATS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
               "application/ld+json": "json-ld", "application/n-quads": "nquads", "application/trig": "trig"}


def _manifest(path: Path) -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(manifest, MF.entries)))


def _local(iri: URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _protocol_ids() -> list[str]:
    # Collected at import time to parametrise; the shared_dir fixture checks the same folder.
    if not PROTOCOL.exists():
        return []
    graph, entries = _manifest(PROTOCOL)
    return [_local(e) for e in entries if (e, RDF.type, MF.ProtocolTest) in graph]


def _status_ok(expected: URIRef, status: int) -> bool:
    name = _local(expected)
    family = re.fullmatch(r"StatusCode(\d)xx", name)
    if family:
        return status // 100 == int(family.group(1))
    exact = re.fullmatch(r"StatusCode(\d{3})", name)
    if exact:
        return status == int(exact.group(1))
    named = {"OK": 200, "NoContent": 204, "BadRequest": 400, "Unauthorized": 401, "Forbidden": 403,
             "NotFound": 404, "MethodNotAllowed": 405, "NotAcceptable": 406, "UnsupportedMediaType": 415}
    assert name in named, f"unknown expected status {expected}"
    return status == named[name]


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def read_boolean(response: httpx.Response) -> bool:
    media_type = _media_type(response)
    if media_type == "application/sparql-results+json":
        document = json.loads(response.content)
        assert isinstance(document["boolean"], bool)
        return document["boolean"]
    assert media_type == "application/sparql-results+xml", f"not a boolean result format: {media_type}"
    element = ET.fromstring(response.content).find(f"{RESULTS_XML}boolean")
    assert element is not None and element.text in ("true", "false")
    return element.text == "true"


def read_table(response: httpx.Response) -> tuple[list[str], list[dict[str, str]]]:
    """Variables and rows of a SELECT result, in whichever of the four formats it came."""
    media_type = _media_type(response)
    text = response.content.decode("utf-8")
    if media_type == "application/sparql-results+json":
        document = json.loads(text)
        return document["head"]["vars"], [{k: v["value"] for k, v in b.items()}
                                          for b in document["results"]["bindings"]]
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(response.content)
        variables = [v.get("name") for v in root.iter(f"{RESULTS_XML}variable")]
        rows = [{b.get("name"): "".join(b.itertext()) for b in r.iter(f"{RESULTS_XML}binding")}
                for r in root.iter(f"{RESULTS_XML}result")]
        return variables, rows
    if media_type == "text/csv":
        records = list(csv.reader(io.StringIO(text)))
        return records[0], [dict(zip(records[0], r)) for r in records[1:]]
    assert media_type == "text/tab-separated-values", f"not a tabular result format: {media_type}"
    lines = text.splitlines()
    variables = [v.lstrip("?") for v in lines[0].split("\t")]
    return variables, [{v: _tsv_value(cell) for v, cell in zip(variables, line.split("\t")) if cell}
                       for line in lines[1:]]


def _tsv_value(cell: str) -> str:
    """The lexical value of a TSV cell, which holds the term in Turtle syntax."""
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    if cell.startswith('"'):
        return json.loads(cell[: cell.rindex('"') + 1])
    return cell


def read_rdf(response: httpx.Response) -> Graph:
    media_type = _media_type(response)
    assert media_type in RDF_FORMATS, f"not an RDF format: {media_type}"
    with warnings.catch_warnings():
        # rdflib's JSON-LD, N-Quads and TriG parsers build a ConjunctiveGraph, which it deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        if media_type in ("application/n-quads", "application/trig"):
            dataset = RdfDataset()
            dataset.parse(data=response.content, format=RDF_FORMATS[media_type])
            graph = Graph()
            for s, p, o, _g in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
            return graph
        return Graph().parse(data=response.content, format=RDF_FORMATS[media_type])


@pytest.fixture
def admin_app(tmp_path, settings):
    """A fresh empty store, an application around it, and an admin token for it."""
    configured = settings.with_(tokens=tmp_path / "tokens.json")
    store = EmbeddedStore(None)
    return store, create_app(configured, store), Tokens(configured.tokens).create("admin")


@pytest.mark.parametrize("test_id", _protocol_ids())
def test_protocol(test_id: str, shared_dir: Path, admin_app) -> None:
    path = shared_dir / "conformance" / "w3c-sparql11" / "protocol" / "manifest.ttl"
    graph, entries = _manifest(path)
    entry = next(e for e in entries if _local(e) == test_id)
    store, app, admin = admin_app
    for data in graph.objects(entry, UT.graphData):
        source = Path(str(graph.value(data, UT.graph)).removeprefix("file://"))
        source = source if source.is_absolute() and source.exists() else path.parent / source.name
        store.load_graph(str(graph.value(data, RDFS.label)),
                         [RdfDocument(source.read_bytes(), "application/n-triples", name=source.name)])
    as_admin = test_id.startswith(("update_", "bad_update_")) or (entry, UT.graphData, None) in graph
    requests = list(Collection(graph, graph.value(graph.value(entry, MF.action), HT.requests)))
    assert requests, f"{test_id} has no requests"
    with serving(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        for number, request in enumerate(requests, 1):
            headers = {str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
                       for h in Collection(graph, graph.value(request, HT.headers) or RDF.nil)}
            if as_admin:
                headers["Authorization"] = f"Bearer {admin}"
            body = graph.value(request, HT.body)
            content = None
            if body is not None:
                encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
                content = str(graph.value(body, CNT.chars)).encode(encoding)
            response = client.request(str(graph.value(request, HT.methodName)),
                                      str(graph.value(request, HT.absolutePath)),
                                      headers=headers, content=content)
            where = f"{test_id} request {number}: {response.status_code} {response.text[:300]}"
            expected = graph.value(request, HT.resp)
            statuses = list(graph.objects(expected, MF.expectedStatus))
            assert statuses and any(_status_ok(s, response.status_code) for s in statuses), where
            expected_format = graph.value(expected, MF.expectedFormat)
            if expected_format is not None:
                kind = str(expected_format)
                if kind == "boolean":
                    read_boolean(response)
                elif kind == "tabular":
                    variables, _rows = read_table(response)
                    assert variables, where
                else:
                    assert kind == "RDF", kind
                    read_rdf(response)
            expected_boolean = graph.value(expected, MF.expectedBoolean)
            if expected_boolean is not None:
                assert read_boolean(response) is expected_boolean.toPython(), where


def test_every_protocol_test_is_collected(shared_dir: Path) -> None:
    graph, entries = _manifest(shared_dir / "conformance" / "w3c-sparql11" / "protocol" / "manifest.ttl")
    protocol_tests = [e for e in entries if (e, RDF.type, MF.ProtocolTest) in graph]
    assert len(protocol_tests) == 34
    assert _protocol_ids() == [_local(e) for e in protocol_tests]


# -- service description ------------------------------------------------------------------------
def _service_description_ids() -> list[str]:
    if not SERVICE_DESCRIPTION.exists():
        return []
    graph, entries = _manifest(SERVICE_DESCRIPTION)
    return [_local(e) for e in entries if (e, RDF.type, MF.ServiceDescriptionTest) in graph]


def _conforms_to_schema(description: Graph, endpoint: URIRef) -> None:
    """The SD vocabulary's domains, ranges and classes, checked by hand: the manifest names no
    schema file and none is bundled (https://www.w3.org/TR/sparql11-service-description/ 3.)."""
    services = list(description.subjects(SD.endpoint, endpoint))
    assert len(services) == 1
    service = services[0]
    assert (service, RDF.type, SD.Service) in description
    languages = set(description.objects(service, SD.supportedLanguage))
    assert SD.SPARQL11Query in languages
    assert languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    assert all(isinstance(f, URIRef) for f in description.objects(service, SD.resultFormat))
    features = set(description.objects(service, SD.feature))
    assert features <= {SD.DereferencesURIs, SD.UnionDefaultGraph, SD.RequiresDataset,
                        SD.EmptyGraphs, SD.BasicFederatedQuery}
    datasets = list(description.objects(service, SD.defaultDataset))
    assert len(datasets) == 1 and (datasets[0], RDF.type, SD.Dataset) in description
    defaults = list(description.objects(datasets[0], SD.defaultGraph))
    assert len(defaults) == 1 and (defaults[0], RDF.type, SD.Graph) in description
    for named in description.objects(datasets[0], SD.namedGraph):
        assert (named, RDF.type, SD.NamedGraph) in description
        names = list(description.objects(named, SD.name))
        assert len(names) == 1 and isinstance(names[0], URIRef)
        graphs = list(description.objects(named, SD.graph))
        assert len(graphs) == 1 and (graphs[0], RDF.type, SD.Graph) in description
        assert int(description.value(graphs[0], VOID.triples)) >= 0


@pytest.mark.parametrize("test_id", _service_description_ids())
def test_service_description(test_id: str, admin_app) -> None:
    _store, app, _admin = admin_app
    with serving(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        for path in ("/sparql", "/sparql/"):
            response = client.get(path)  # no Accept: whatever the service prefers
            assert response.status_code == 200, response.text
            description = read_rdf(response)  # returns-rdf: parses as RDF by its Content-Type
            endpoint = URIRef(base + path)
            if test_id == "has-endpoint-triple":
                assert (None, SD.endpoint, endpoint) in description
            elif test_id == "conforms-to-schema":
                _conforms_to_schema(description, endpoint)
            else:
                assert test_id == "returns-rdf", test_id
                assert len(description) > 0


def test_every_service_description_test_is_collected() -> None:
    assert _service_description_ids() == ["has-endpoint-triple", "returns-rdf", "conforms-to-schema"]
