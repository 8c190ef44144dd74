"""A regional strategy's region is the UN M49 area's concept (issue 19, item 7), served as such: its
page names the area and links to it, its JSON-LD writes ``region`` as an IRI, a search finds it by
the area's name, and the named query gives the area with its name. On the real server over a store
with the examples and two regional strategies loaded through the ingest pipeline."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import SHERLOC

from .servers import serving
from .test_search_api import examples_store

IRIS = Iris()
#: id → M49 code of the regional strategies loaded here (Africa; Latin America and the Caribbean).
REGIONAL = {"XAA-regional-africa": "002", "XAA-regional-lac": "419"}


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = examples_store(settings)
    path = tmp_path_factory.mktemp("regional") / "regional.jsonl"
    path.write_text("".join(json.dumps({
        "id": strategy_id, "title": f"[Illustrative] Regional plan {n} against trafficking (test)", "region": code,
        "issuing_body": "[Illustrative] A regional body (fictional)", "date_adopted": "2021-05-04",
        "crime_types": ["trafficking-in-persons"], "url": f"https://example.org/illustrative/{strategy_id}",
    }) + "\n" for n, (strategy_id, code) in enumerate(REGIONAL.items(), 1)), encoding="utf-8")
    report = Ingest(store, settings).load("strategies", [path])
    assert report.violations == [] and report.records_written == 2
    with serving(create_app(settings, store=store)) as base:
        yield base


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=120, **kwargs)


def test_the_page_of_a_regional_strategy_names_its_region_and_links_to_it(server: str) -> None:
    page = get(server + "/id/strategy/XAA-regional-africa", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert '<code class="curie">sherloc:region</code></dt> <dd><ul><li><a href="/vocab/m49/002">Africa</a></li>' \
        in " ".join(page.text.split())
    area = get(server + "/vocab/m49/002", headers={"accept": "text/html"})
    assert area.status_code == 200 and "Africa" in area.text and "/id/strategy/XAA-regional-africa" in area.text


def test_json_ld_writes_the_region_as_an_iri(server: str) -> None:
    context = get(server + "/context.jsonld").json()
    assert context["@context"]["region"] == {"@id": "sherloc:region", "@type": "@id"}
    response = get(server + "/id/strategy/XAA-regional-lac.jsonld")
    document = response.json()
    nodes = document.get("@graph", [document])
    [strategy] = [n for n in nodes if n.get("@id") == str(IRIS.strategy("XAA-regional-lac"))]
    assert strategy["region"] == str(IRIS.m49_area("419"))
    graph = Graph()
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=json.dumps(document), format="json-ld")
    assert (IRIS.strategy("XAA-regional-lac"), SHERLOC.region, IRIS.m49_area("419")) in graph
    turtle = Graph().parse(data=get(server + "/id/strategy/XAA-regional-lac.ttl").text, format="turtle")
    assert isomorphic(graph, turtle)


def test_a_search_finds_a_regional_strategy_by_the_name_of_its_region(server: str) -> None:
    found = get(server + "/api/search/strategies", params={"q": "caribbean"}).json()
    assert [item["id"] for item in found["items"]] == ["XAA-regional-lac"]
    assert get(server + "/api/search/strategies", params={"q": "africa"}).json()["total"] == 1


def test_the_named_query_gives_the_region_and_its_name(server: str) -> None:
    answer = get(server + "/api/queries/strategies-and-publications", params={"area": "419"},
                 headers={"accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    rows = answer.json()["results"]["bindings"]
    assert [(r["item"]["value"], r["area"]["type"], r["area"]["value"], r["areaName"]["value"]) for r in rows] == \
        [(str(IRIS.strategy("XAA-regional-lac")), "uri", str(IRIS.m49_area("419")), "Latin America and the Caribbean")]
    # the strategies of a region only: none of its States' own strategies, nor of the regions above it
    assert get(server + "/api/queries/strategies-and-publications", params={"area": "019"},
               headers={"accept": "application/sparql-results+json"}).json()["results"]["bindings"] == []
