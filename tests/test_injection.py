"""Injection suite (issue 7): SPARQL-breaking values in every parameter of every named query
(``/api/queries/{name}``), every filter of ``/api/search/{kind}`` and of the explorer's search
pages, and ``/api/resource``, over real HTTP against the examples store.

Each value must be either refused (400, the message naming the parameter) or taken as a literal
value: a named query answers exactly as for a harmless value that matches nothing, a search finds
nothing, an HTML page shows the value escaped. Nothing may change the store (compared with a
snapshot), and nothing may be a 5xx.

Why it holds: the named queries bind every parameter as an RDF term (Oxigraph substitutions),
never as text (sherloc_kg/queries.py); the search validates each filter and writes the values
as escaped RDF terms (sherloc_kg/search.py, ``sparql_term``).
"""

from __future__ import annotations

import html
from urllib.parse import quote
from collections.abc import Iterator

import httpx
import pytest

from sherloc_kg import search as core
from sherloc_kg.config import Settings
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO, snapshot

BASE = "https://w3id.org/sherloc/"
PAYLOADS = [
    '"> } ; DROP ALL ; #',
    "<http://x> } UNION { ?s ?p ?o",
    "untoc/art/5> } UNION { ?s ?p ?o } #",
    "XAA\" || true || \"",
    "' OR '1'='1",
    'x" . ?s ?p ?o . FILTER("1',
    "line\nbreak } ; CLEAR ALL",
    "\\u0022) } ; DROP ALL ; #",
    "\\U0000003E } UNION { ?s ?p ?o }",
    "\u0000",
    "BRA\u0000",
    "\u202e\ufeffXAA",
    "<script>alert(1)</script>",
    "*",
    "",
]
#: A harmless value of each parameter type that matches nothing (None: the type takes no free text).
NO_MATCH = {"string": "nosuchvalue", "iri": BASE + "id/nosuch/thing", "resource": "case/NO-SUCH-CASE",
            "case": "NO-SUCH-CASE"}  # cases: any text, as an IRI segment
#: A valid value of each type, for the other required parameters of a query.
VALID = {"country": "XAA", "area": "XAA", "provision": "untoc/art/5", "instrument": "untoc", "string": "1",
         "iri": BASE + "id/country/XAA", "resource": "case/XAA-EX-001", "concept:crime-type": "trafficking-in-persons",
         "integer": "2010", "date": "2020-01-01", "case": "XAA-EX-001"}


@pytest.fixture(scope="module")
def client(settings: Settings, explorer_store: EmbeddedStore) -> Iterator[httpx.Client]:
    from sherloc_kg.api.app import create_app

    from .servers import serving

    before = snapshot(explorer_store)
    with serving(create_app(settings, store=explorer_store)) as url, \
            httpx.Client(base_url=url, timeout=120) as session:
        yield session
    assert snapshot(explorer_store) == before, "an injection attempt changed the store"


def refused_naming(answer: httpx.Response, name: str) -> bool:
    return answer.status_code == 400 and f"'{name}'" in answer.json()["message"]


def rows(answer: httpx.Response) -> list:
    return answer.json()["results"]["bindings"]


NAMED = [(q.name, p.name, p.type) for q in QueryLibrary(REPO / "sparql").all() for p in q.parameters]


@pytest.mark.parametrize("query,parameter,kind", NAMED, ids=[f"{q}?{p}" for q, p, _ in NAMED])
def test_named_query_parameters(client: httpx.Client, query: str, parameter: str, kind: str) -> None:
    named = QueryLibrary(REPO / "sparql").get(query)
    others = {p.name: VALID[p.type] for p in named.parameters if p.required and p.name != parameter}
    harmless = NO_MATCH.get(kind.partition(":")[0])
    baseline = client.get(f"/api/queries/{query}", params={**others, parameter: harmless}) if harmless else None
    for payload in PAYLOADS:
        answer = client.get(f"/api/queries/{query}", params={**others, parameter: payload})
        assert answer.status_code < 500, (payload, answer.text)
        if answer.status_code == 400:
            assert refused_naming(answer, parameter) or (payload == "" and "needs parameter" in answer.text), \
                (payload, answer.text)
            continue
        assert answer.status_code == 200, (payload, answer.status_code, answer.text)
        if payload == "" and not named.parameters[[p.name for p in named.parameters].index(parameter)].required:
            continue  # an empty optional parameter may mean "omitted"
        assert baseline is not None and baseline.status_code == 200, \
            f"{payload!r} accepted by a {kind} parameter that takes no free text"
        assert len(rows(answer)) == len(rows(baseline)), (payload, rows(answer)[:3])


UNKNOWN = [(q.name, p.name, p.type) for q in QueryLibrary(REPO / "sparql").all() for p in q.parameters
           if p.type.partition(":")[0] in ("concept", "provision")]


@pytest.mark.parametrize("query,parameter,kind", UNKNOWN, ids=[f"{q}?{p}" for q, p, _ in UNKNOWN])
def test_a_well_formed_provision_or_concept_that_names_nothing_is_refused(client: httpx.Client, query: str,
                                                                          parameter: str, kind: str) -> None:
    named = QueryLibrary(REPO / "sparql").get(query)
    others = {p.name: VALID[p.type] for p in named.parameters if p.required and p.name != parameter}
    typo = "untoc/art/99" if kind == "provision" else "trafficking-in-person"
    answer = client.get(f"/api/queries/{query}", params={**others, parameter: typo})
    assert refused_naming(answer, parameter) and typo in answer.json()["message"], answer.text
    known = client.get(f"/api/queries/{query}", params={**others, parameter: VALID[kind]})
    assert known.status_code == 200, known.text
    page = client.get("/explore/sparql", params={"query": query, **others, parameter: typo})
    assert page.status_code == 400 and typo in html.unescape(page.text)


SEARCH = [(kind, name) for kind in core.KINDS for name in core.PARAMETERS]


@pytest.mark.parametrize("kind,parameter", SEARCH, ids=[f"{k}?{p}" for k, p in SEARCH])
def test_search_filters(client: httpx.Client, kind: str, parameter: str) -> None:
    for payload in PAYLOADS:
        answer = client.get(f"/api/search/{kind}", params={parameter: payload})
        assert answer.status_code < 500, (payload, answer.text)
        if answer.status_code == 400:
            assert refused_naming(answer, parameter), (payload, answer.text)
            continue
        assert answer.status_code == 200, (payload, answer.status_code, answer.text)
        found = answer.json()
        if payload in ("", "*") and parameter != "q":
            continue
        if parameter == "q" and not payload.strip(" \u0000"):
            continue  # no words: no text filter
        assert found["total"] == 0, (parameter, payload, found["items"][:2])


EXPLORER = [(kind, name) for kind in core.KINDS for name in ("country", "provision", "crime_type", "q", "year_from",
                                                             "sort", "page")]


@pytest.mark.parametrize("kind,parameter", EXPLORER, ids=[f"{k}?{p}" for k, p in EXPLORER])
def test_explorer_search_filters(client: httpx.Client, kind: str, parameter: str) -> None:
    for payload in PAYLOADS:
        page = client.get(f"/explore/search/{kind}", params={parameter: payload})
        assert page.status_code in (200, 400), (payload, page.status_code)
        assert "<script>alert(1)</script>" not in page.text
        if page.status_code == 400:
            assert html.escape(parameter) in page.text
        as_csv = client.get(f"/explore/search/{kind}.csv", params={parameter: payload})
        assert as_csv.status_code in (200, 400), (payload, as_csv.status_code)
        if as_csv.status_code == 400:
            assert f"'{parameter}'" in as_csv.text
        elif payload.strip(" \u0000*") and parameter in ("country", "provision", "crime_type", "q"):
            assert as_csv.headers["x-result-total"] == "0", (parameter, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_resource_iri(client: httpx.Client, payload: str) -> None:
    for value in (payload, BASE + "id/case/" + payload):
        answer = client.get("/api/resource", params={"iri": value})
        assert answer.status_code in (400, 404, 422), (value, answer.status_code, answer.text)
        if answer.status_code == 400:
            assert "iri" in answer.json()["message"].lower(), answer.text
    by_path = client.get("/api/resource/id/case/" + quote(payload, safe=""))
    assert by_path.status_code in (400, 404), (payload, by_path.status_code, by_path.text)
