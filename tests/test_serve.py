"""``sherloc-kg serve`` as a real server process on a free loopback port."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .servers import free_port
from .test_cli import BUNDLED, EXE, sherloc


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("serve") / "store"
    sherloc(store, "init")
    port = free_port()
    log = store.parent / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([EXE, "--store", str(store), "serve", "--port", str(port)],
                                   stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/api/stats", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_home_page_says_what_the_graph_holds(server: str) -> None:
    page = httpx.get(server + "/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<span class="figure">1,164</span>Case law' in page.text and "Cases by country" in page.text


def test_stats_and_named_queries_as_json(server: str) -> None:
    figures = httpx.get(server + "/api/stats").json()
    assert figures["records"]["cases"] == 1164 and figures["records"]["instruments"] == 4
    listed = {q["name"]: q for q in httpx.get(server + "/api/queries").json()}
    assert listed["cases-of-country"]["parameters"][0]["name"] == "country"
    result = httpx.get(server + "/api/queries/cases-of-country", params={"country": "ALB"}).json()
    source = [json.loads(line) for line in Path(BUNDLED).read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    assert len(result["results"]["bindings"]) == sum(1 for c in source if c.get("country") == "ALB")
    bad = httpx.get(server + "/api/queries/cases-of-country", params={"country": "albania"})
    assert bad.status_code == 400 and "three capital letters" in bad.json()["message"]
    assert httpx.get(server + "/api/queries/nope").status_code == 404


def test_sparql_endpoint_answers_in_the_accepted_format(server: str) -> None:
    query = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/sherloc/ontology#CourtCase> }"
    as_json = httpx.get(server + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert as_json.json()["results"]["bindings"][0]["n"]["value"] == "1164"
    as_csv = httpx.get(server + "/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv") and as_csv.text.split() == ["n", "1164"]
    broken = httpx.get(server + "/sparql", params={"query": "SELEKT"})
    assert broken.status_code == 400 and "syntax" in broken.json()["message"].lower()


def test_the_served_process_answers_linked_data_search_and_the_dataset(server: str) -> None:
    """What `make run` promises: the endpoint, the Linked Data and the JSON API over the bundled data."""
    source = [json.loads(line) for line in Path(BUNDLED).read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    first = source[0]
    turtle = httpx.get(server + f"/id/case/{first['id']}", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert first["title"] in turtle.text
    found = httpx.get(server + "/api/search/cases", params={"country": first["country"], "size": 100}).json()
    assert found["total"] == sum(1 for c in source if c.get("country") == first["country"])
    description = httpx.get(server + "/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and "sparql-service-description" in description.text
    assert httpx.get(server + "/dataset", headers={"Accept": "text/turtle"}).status_code == 200
