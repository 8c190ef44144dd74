"""Real SPARQL clients against a real server: SPARQLWrapper, rdflib's SPARQLStore, and another
engine federating into our endpoint with SERVICE, as another UN portal would.

The server is the application over the bundled real cases, served by uvicorn on a free loopback
port; every expected figure is computed from the source file, not written down."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving

SHERLOC = "https://w3id.org/sherloc/ontology#"
COUNT_CASES = f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a <{SHERLOC}CourtCase> }}"


@pytest.fixture(scope="module")
def source_cases(settings: Settings) -> list[dict]:
    path = settings.data_dir / "cases/sherloc-cases-tip-2026-08.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def endpoint(loaded_store: EmbeddedStore, settings: Settings, tmp_path_factory) -> Iterator[str]:
    tokens = tmp_path_factory.mktemp("clients") / "tokens.json"
    with serving(create_app(settings.with_(tokens=tokens), store=loaded_store)) as url:
        yield url + "/sparql"


def wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_json_xml_and_csv_agree_with_the_source(endpoint: str, source_cases: list[dict]) -> None:
    as_json = wrapper(endpoint, COUNT_CASES, JSON).query().convert()
    assert as_json["results"]["bindings"][0]["n"]["value"] == str(len(source_cases))

    as_xml = wrapper(endpoint, COUNT_CASES, XML).query().convert()
    literal = as_xml.getElementsByTagName("literal")[0].firstChild.data
    assert literal == str(len(source_cases))

    per_country = f"""SELECT ?code (COUNT(?c) AS ?n) WHERE {{
        ?c a <{SHERLOC}CourtCase> ; <{SHERLOC}jurisdiction> ?country .
        ?country <{SHERLOC}iso3166Alpha3> ?code }} GROUP BY ?code"""
    as_csv = wrapper(endpoint, per_country, CSV).query().convert()
    rows = {row["code"]: int(row["n"]) for row in csv.DictReader(io.StringIO(as_csv.decode("utf-8")))}
    expected = Counter(case.get("country") for case in source_cases)
    assert rows["BRA"] == expected["BRA"] and rows["ALB"] == expected["ALB"]


def test_sparqlwrapper_construct_to_turtle(endpoint: str, source_cases: list[dict]) -> None:
    case = next(c for c in source_cases if c.get("title"))
    iri = f"https://w3id.org/sherloc/id/case/{case['id']}"
    query = f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
    client = wrapper(endpoint, query, TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    titles = {str(o) for o in graph.objects(URIRef(iri), URIRef("http://purl.org/dc/terms/title"))}
    assert case["title"] in titles


def test_rdflib_sparqlstore_reads_the_endpoint(endpoint: str, source_cases: list[dict]) -> None:
    store = SPARQLStore(endpoint, returnFormat="json")
    graph = Graph(store=store)
    (row,) = list(graph.query(COUNT_CASES))
    assert int(row[0]) == len(source_cases)
    ask = graph.query(f"ASK {{ ?c a <{SHERLOC}CourtCase> }}")
    assert ask.askAnswer is True


def test_another_engine_federates_into_our_endpoint(endpoint: str, source_cases: list[dict]) -> None:
    """A pyoxigraph store of another portal holds its own facts and asks us, with SERVICE, for the
    cases decided in the States it knows about."""
    portal = ox.Store()
    portal.add(ox.Quad(ox.NamedNode("http://portal.example/topic/1"), ox.NamedNode("http://portal.example/about"),
                       ox.Literal("ALB")))
    query = f"""SELECT ?case WHERE {{
        <http://portal.example/topic/1> <http://portal.example/about> ?code .
        SERVICE <{endpoint}> {{
            ?case a <{SHERLOC}CourtCase> ; <{SHERLOC}jurisdiction> ?country .
            ?country <{SHERLOC}iso3166Alpha3> ?code
        }}
    }}"""
    found = {solution["case"].value for solution in portal.query(query)}
    expected = {f"https://w3id.org/sherloc/id/case/{c['id']}" for c in source_cases if c.get("country") == "ALB"}
    assert expected and found == expected


def test_xml_results_are_well_formed_sparql_results(endpoint: str) -> None:
    client = wrapper(endpoint, f"ASK {{ ?c a <{SHERLOC}CourtCase> }}", XML)
    document = client.query().response.read()
    root = ET.fromstring(document)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"
