"""Every read a request runs goes through the request's bounded store (issue 24): named queries
with parameters, Linked Data resource pages and explorer pages, like search before them.

On the on-disk store served by a real ``sherloc-kg serve`` process (the servers of
tests/test_abuse_pages.py: the explorer's data with its cases four times over):

- they answer what the store itself answers (a named query's rows, a resource's triples) and what
  the page should show;
- with SHERLOC_QUERY_TIMEOUT=1 a heavy named query (the gap matrix, with a parameter) and a heavy
  explorer page (``/explore/gaps``) are a 503 with ``Retry-After`` and ``SHERLOC-Limit`` (the page
  as a page, in HTML), and the server goes on serving;
- a client that goes away mid-request has its query's worker stopped (killed and replaced).

And, without a server: the bounded store's verbs in the workers (a named query's serialized
answer with its parameters bound, a graph's size, an answer within caps) answer as the store.

Every wait is bounded; no duration is asserted.
"""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from api.limits import QueryRunner, answer_within
from sherloc_kg.access import PUBLIC
from sherloc_kg.config import Settings
from sherloc_kg.errors import ResultTooLarge
from sherloc_kg.iris import Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.query_limits import Caps
from sherloc_kg.store import open_store
from sherloc_kg.store.embedded import EmbeddedStore

from .test_abuse import BOUND, NQUADS, _replaced, _workers_of
from .test_abuse_pages import Server, big_dump, hurried, patient  # noqa: F401  (module fixtures)

HEAVY_QUERY = "/api/queries/gap-matrix"  # States × articles: seconds on this store
HEAVY_PAGE = "/explore/gaps"
SRJ = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def same_store(big_dump: bytes) -> EmbeddedStore:  # noqa: F811
    """The served data in an in-memory store, read directly: what the answers must be."""
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(big_dump), media_type=NQUADS)
    return store


#: The GROUP_CONCATs of the queries compared: the order of their parts is open (SPARQL 1.1, 18.5.1.7).
CONCATENATED = {"crimeTypes": ";", "crimeTypeNames": ";"}


def _rows(body: dict) -> Counter:
    """SPARQL JSON results as a multiset of rows (the order of rows a query does not fix is open,
    and so is the order of a GROUP_CONCAT's parts)."""
    rows = []
    for binding in body["results"]["bindings"]:
        row = dict(binding)
        for name, separator in CONCATENATED.items():
            if name in row:
                row[name] = {**row[name], "value": separator.join(sorted(row[name]["value"].split(separator)))}
        rows.append(json.dumps(row, sort_keys=True))
    return Counter(rows)


def _public_rows(settings: Settings, store: EmbeddedStore, name: str, **params: str) -> Counter:
    named = QueryLibrary(settings.queries_dir).get(name)
    iris = Iris(settings.base)
    buffer = io.BytesIO()
    store.query_serialized(named.text, buffer, media_type=SRJ["Accept"], bindings=named.bindings(params, iris),
                           dataset=PUBLIC.dataset(iris))
    return _rows(json.loads(buffer.getvalue()))


# -- the answers are the store's ------------------------------------------------------------------
def test_a_named_query_with_parameters_answers_as_the_store(patient: Server, settings: Settings,  # noqa: F811
                                                             same_store: EmbeddedStore) -> None:
    with patient.client() as client:
        answers = {code: client.get("/api/queries/cases-of-country", params={"country": code}, headers=SRJ)
                   for code in ("BRA", "XAA")}
    for code, answer in answers.items():
        assert answer.status_code == 200, answer.text[:300]
        assert _rows(answer.json()) == _public_rows(settings, same_store, "cases-of-country", country=code)
    brazil = answers["BRA"].json()["results"]["bindings"]
    assert brazil and {row["country"]["value"] for row in brazil} == {settings.base + "id/country/BRA"}
    assert _rows(answers["BRA"].json()) != _rows(answers["XAA"].json())  # the parameter is bound


def test_a_resource_page_answers_as_the_store(patient: Server, settings: Settings,  # noqa: F811
                                              same_store: EmbeddedStore) -> None:
    iri = settings.base + "id/country/BRA"
    with patient.client() as client:
        turtle = client.get("/id/country/BRA", headers={"Accept": "text/turtle"})
        page = client.get("/id/country/BRA", headers={"Accept": "text/html"})
    assert turtle.status_code == page.status_code == 200, turtle.text[:300]
    served = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(iri), None, None) in served
    from sherloc_kg.api.app import create_app

    from .servers import serving

    with serving(create_app(settings, store=same_store)) as url:  # the same page, the store read in this process
        direct = httpx.get(url + "/id/country/BRA", headers={"Accept": "text/turtle"}, timeout=BOUND)
    assert isomorphic(served, Graph().parse(data=direct.text, format="turtle"))
    assert "Brazil" in page.text and "text/html" in page.headers["content-type"]


def test_an_explorer_page_shows_what_its_named_queries_answer(patient: Server) -> None:  # noqa: F811
    with patient.client() as client:
        cases = client.get("/api/queries/cases-of-country", params={"country": "BRA"}, headers=SRJ)
        page = client.get("/explore/countries/BRA")
    assert cases.status_code == page.status_code == 200, page.text[:300]
    rows = cases.json()["results"]["bindings"]
    assert f"{len(rows):,} cases decided" in page.text
    assert rows[0]["id"]["value"] in page.text  # the newest case is listed


# -- a timeout: a 503 with Retry-After, and the server serves on --------------------------------
def test_a_heavy_named_query_times_out_with_retry_after(hurried: Server) -> None:  # noqa: F811
    with hurried.client() as client:
        answer = client.get(HEAVY_QUERY, params={"instrument": "untoc"}, headers=SRJ)
    assert answer.status_code == 503, answer.text[:300]
    assert answer.json()["error"] == "QueryTimedOut" and "SHERLOC_QUERY_TIMEOUT" in answer.json()["message"]
    assert answer.headers["retry-after"] and answer.headers["sherloc-limit"] == "timeout=1"
    hurried.assert_up()
    with hurried.client() as client:  # a light named query still answers
        light = client.get("/api/queries/cases-of-country", params={"country": "BRA"}, headers=SRJ)
    assert light.status_code == 200 and light.json()["results"]["bindings"], light.text[:300]


def test_a_heavy_explorer_page_times_out_as_a_page_with_retry_after(hurried: Server) -> None:  # noqa: F811
    with hurried.client() as client:
        page = client.get(HEAVY_PAGE, params={"instrument": "untoc"})
    assert page.status_code == 503, page.text[:300]
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["retry-after"] and page.headers["sherloc-limit"] == "timeout=1"
    assert "SHERLOC_QUERY_TIMEOUT" in page.text and "try again in" in page.text
    hurried.assert_up()
    with hurried.client() as client:  # a light page still answers (three small queries)
        light = client.get("/id/case/BRA003", headers={"Accept": "text/html"})
    assert light.status_code == 200 and "BRA003" in light.text, light.text[:300]


# -- a client that goes: its worker is stopped ------------------------------------------------------
@pytest.mark.parametrize("path", [HEAVY_QUERY, HEAVY_PAGE])
def test_a_client_that_goes_has_its_read_stopped(patient: Server, path: str) -> None:  # noqa: F811
    """The client gives up after a second; the query, which takes seconds, is stopped at once:
    its worker is killed and replaced (the timeout, 90 s, is far away)."""
    patient.assert_up()
    server = patient.process.pid  # type: ignore[attr-defined]
    deadline = time.monotonic() + BOUND
    while len(_workers_of(server)) < 2:
        assert time.monotonic() < deadline, "two workers never came up"
        time.sleep(0.1)
    before = _workers_of(server)
    with pytest.raises(httpx.ReadTimeout), patient.client(timeout=1) as client:
        client.get(path, params={"instrument": "untoc"}, headers=SRJ)
    assert _replaced(patient, before, 30), "the abandoned read ran on"  # type: ignore[arg-type]
    patient.assert_up()


# -- the bounded store's verbs, in the workers -------------------------------------------------------
@pytest.fixture
def on_disk(settings: Settings, big_dump: bytes, tmp_path: Path) -> Iterator[tuple[EmbeddedStore, QueryRunner]]:  # noqa: F811
    store = open_store(settings.with_(store=str(tmp_path / "store")))
    store.restore(io.BytesIO(big_dump), media_type=NQUADS)
    runner = QueryRunner(settings.with_(query_timeout=90, query_workers=2, query_worker_memory=512), store)
    try:
        yield store, runner  # type: ignore[misc]
    finally:
        runner.close()
        store.close()


def test_the_bounded_store_reads_in_the_workers_as_the_store(settings: Settings,
                                                             on_disk: tuple[EmbeddedStore, QueryRunner]) -> None:
    store, runner = on_disk
    bounded = runner.bounded("address 127.0.0.1")
    assert bounded is not store
    iris = Iris(settings.base)
    named = QueryLibrary(settings.queries_dir).get("cases-of-country")
    bindings = named.bindings({"country": "BRA"}, iris)
    dataset = PUBLIC.dataset(iris)
    served, direct = io.BytesIO(), io.BytesIO()
    bounded.query_serialized(named.text, served, media_type=SRJ["Accept"], bindings=bindings, dataset=dataset)
    store.query_serialized(named.text, direct, media_type=SRJ["Accept"], bindings=bindings, dataset=dataset)
    assert _rows(json.loads(served.getvalue())) == _rows(json.loads(direct.getvalue()))
    assert json.loads(served.getvalue())["results"]["bindings"]
    graph = str(iris.graph("instruments"))
    assert bounded.count(graph) == store.count(graph) > 0
    assert bounded.count() == store.count()
    capped = answer_within(bounded, named.text, form="SELECT", media_type=SRJ["Accept"], dataset=dataset,
                           caps=Caps(rows=1000), bindings=bindings)
    assert _rows(json.loads(capped)) == _rows(json.loads(direct.getvalue()))
    with pytest.raises(ResultTooLarge):
        answer_within(bounded, named.text, form="SELECT", media_type=SRJ["Accept"], dataset=dataset,
                      caps=Caps(rows=1), bindings=bindings)


def test_in_memory_the_bounded_store_is_the_store(settings: Settings, same_store: EmbeddedStore) -> None:
    runner = QueryRunner(settings, same_store)
    assert runner.bounded("address 127.0.0.1") is same_store
