"""The explorer's SPARQL workbench, over HTTP on a real server with the real cases and examples."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from sherloc_kg.queries import QueryLibrary

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def get(explorer: str, path: str, params=None) -> httpx.Response:
    return httpx.get(explorer + path, params=params, timeout=TIMEOUT)


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def row_count(page: str) -> int:
    found = re.search(r'<strong id="row-count">([\d,]+)</strong>', page)
    assert found, page[-3000:]
    return int(found.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def emails() -> list[str]:
    """The contact emails of the illustrative authorities: only in the restricted graph."""
    found = []
    for line in (REPO / "data" / "examples" / "authorities.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            email = (json.loads(line).get("contact") or {}).get("email")
            if email:
                found.append(email)
    assert found
    return found


def test_the_page_has_an_editor_and_lists_every_named_query(explorer: str, settings) -> None:
    response = get(explorer, "/explore/sparql")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert re.search(r'<textarea class="sparql" id="sparql-text" name="sparql"[^>]*>PREFIX sherloc:', page)
    assert '<form class="sparql-editor" id="sparql-editor" action="/explore/sparql" method="get">' in page
    for named in QueryLibrary(settings.queries_dir).all():
        assert f'href="/explore/sparql?query={named.name}"' in page, named.name
        assert str(escape(named.title)) in page, named.name
    assert '<script src="/static/sparql.js" defer></script>' in page and " style=" not in page
    assert get(explorer, "/static/sparql.js").headers["content-type"].split(";")[0] in (
        "text/javascript", "application/javascript")


def test_a_named_query_runs_and_links_its_iris(explorer: str) -> None:
    response = get(explorer, "/explore/sparql", {"query": "cases-by-country"})
    assert response.status_code == 200, response.text[-2000:]
    page = response.text
    assert "Cases by country" in page and "cases-by-country" in page
    # its text is in the editor
    assert "SELECT ?jurisdiction" in page
    assert row_count(page) > 50
    # IRIs under the base link to their pages on this server
    assert 'href="/id/country/BRA"' in page and 'href="/id/country/USA"' in page
    assert re.search(r'<th scope="col">\?jurisdiction</th>', page)


def test_a_named_query_with_parameters_shows_its_form_then_runs(explorer: str) -> None:
    page = get(explorer, "/explore/sparql", {"query": "cases-of-country"}).text
    assert '<input type="hidden" name="query" value="cases-of-country">' in page
    assert re.search(r'<input id="p-country" name="country" value="" required', page)
    assert "row-count" not in page  # nothing runs before the required parameter is given
    response = get(explorer, "/explore/sparql", {"query": "cases-of-country", "country": "ALB"})
    assert response.status_code == 200
    assert row_count(response.text) >= 1 and 'href="/id/case/ALB001"' in response.text
    bad = get(explorer, "/explore/sparql", {"query": "cases-of-country", "country": "Albania"})
    assert bad.status_code == 400 and "country" in bad.text and 'class="error-box"' in bad.text
    unknown = get(explorer, "/explore/sparql", {"query": "no-such-query"})
    assert unknown.status_code == 404 and "no-such-query" in unknown.text


def test_free_text_runs_and_literals_show_their_language(explorer: str) -> None:
    response = get(explorer, "/explore/sparql", {"sparql": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert row_count(response.text) == 1
    n = re.search(r'<span class="literal">(\d+)</span> <span class="datatype">xsd:integer</span>', response.text)
    assert n and int(n.group(1)) > 10000
    labelled = get(explorer, "/explore/sparql", {"sparql": (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?c ?l WHERE { "
        "?c skos:notation \"trafficking-in-persons\" ; skos:prefLabel ?l FILTER(lang(?l) = \"en\") }")}).text
    assert re.search(r'<span class="literal" lang="en">[^<]+</span> <span class="badge lang">@en</span>', labelled)
    ask = get(explorer, "/explore/sparql", {"sparql": "ASK { ?s ?p ?o }"}).text
    assert '<strong id="answer">yes</strong>' in ask
    construct = get(explorer, "/explore/sparql", {"sparql": (
        "CONSTRUCT { ?c ?p ?o } WHERE { ?c ?p ?o FILTER(?c = <https://w3id.org/sherloc/id/case/ALB001>) }")})
    assert construct.status_code == 200 and row_count(construct.text) >= 3
    assert "?subject" in construct.text and 'href="/id/case/ALB001"' in construct.text


def test_a_syntax_error_is_a_message_with_status_400(explorer: str) -> None:
    response = get(explorer, "/explore/sparql", {"sparql": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "syntax error at line 1" in response.text and 'class="error-box"' in response.text
    assert "Traceback" not in response.text
    # the text stays in the editor to be fixed
    assert "SELECT * WHERE { ?s ?p }</textarea>" in response.text
    update = get(explorer, "/explore/sparql", {"sparql": "DELETE WHERE { ?s ?p ?o }"})
    assert update.status_code == 400 and "update" in update.text


def test_the_explorer_is_held_to_the_endpoint_limits(explorer: str) -> None:
    service = get(explorer, "/explore/sparql", {"sparql": "SELECT * WHERE { SERVICE <http://example.org/sparql> "
                                                          "{ ?s ?p ?o } }"})
    assert service.status_code == 403 and "SERVICE" in service.text
    # a text too long for a URL comes by POST (the editor's script switches); the length cap holds there too
    too_long = httpx.post(explorer + "/explore/sparql", timeout=TIMEOUT,
                          data={"sparql": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000})
    assert too_long.status_code == 413 and "SHERLOC_QUERY_MAX_LENGTH" in too_long.text
    assert too_long.headers["sherloc-limit"].startswith("length=")
    posted = httpx.post(explorer + "/explore/sparql", timeout=TIMEOUT,
                        data={"sparql": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } #" + "x" * 20_000})
    assert posted.status_code == 200 and row_count(posted.text) == 1


def test_a_restricted_graph_stays_invisible_to_the_public(explorer: str, explorer_store, settings,
                                                          emails: list[str]) -> None:
    restricted = settings.base + "graph/authorities-restricted"
    held = explorer_store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{restricted}> {{ ?s ?p ?o }} }}")
    assert int(held.rows[0]["n"]) > 0  # the store holds it, with the emails ...
    stored = explorer_store.select(f"SELECT ?o WHERE {{ GRAPH <{restricted}> {{ ?s ?p ?o }} }}").rows
    assert any(email in str(row["o"]) for row in stored for email in emails)
    queries = (
        f"SELECT * FROM <{restricted}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * WHERE {{ GRAPH <{restricted}> {{ ?s ?p ?o }} }}",
        "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?o), \"@\")) }",
        "PREFIX vcard: <http://www.w3.org/2006/vcard/ns#> SELECT ?o WHERE { ?s vcard:hasEmail ?o }",
    )
    for query in queries:  # ... but the page shows nothing of it
        response = get(explorer, "/explore/sparql", {"sparql": query})
        assert response.status_code == 200, query
        for email in emails:
            assert email not in response.text, query
        download = get(explorer, "/explore/sparql/download", {"sparql": query, "as": "csv"})
        assert download.status_code == 200 and not any(email in download.text for email in emails), query
    assert row_count(get(explorer, "/explore/sparql", {"sparql": queries[0]}).text) == 0


def test_downloads_come_in_every_result_format(explorer: str) -> None:
    page = get(explorer, "/explore/sparql", {"query": "cases-of-country", "country": "ALB"}).text
    links = {h.rsplit("as=", 1)[1]: h for h in hrefs(page) if h.startswith("/explore/sparql/download?")}
    assert set(links) == {"json", "xml", "csv", "tsv"}
    types = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "csv": "text/csv", "tsv": "text/tab-separated-values"}
    for short, link in links.items():
        assert "query=cases-of-country" in link and "country=ALB" in link
        response = get(explorer, link)
        assert response.status_code == 200, (short, response.text)
        assert response.headers["content-type"].split(";")[0] == types[short]
        assert response.headers["content-disposition"].startswith("attachment; filename=\"sherloc-cases-of-country.")
    rows = list(csv.DictReader(io.StringIO(get(explorer, links["csv"]).text)))
    assert rows and all(r["country"].endswith("/id/country/ALB") for r in rows)
    # a query of one's own: the same, through the endpoint's code
    text = "SELECT ?s WHERE { ?s a <https://w3id.org/sherloc/ontology#CourtCase> } LIMIT 3"
    own = get(explorer, "/explore/sparql", {"sparql": text}).text
    own_links = [h for h in hrefs(own) if h.startswith("/explore/sparql/download?")]
    assert len(own_links) == 4
    tsv = get(explorer, next(h for h in own_links if h.endswith("as=tsv")))
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert len(tsv.text.strip().splitlines()) == 4
    graph = get(explorer, "/explore/sparql/download", {"sparql": "CONSTRUCT WHERE { ?s a ?o } LIMIT 2", "as": "turtle"})
    assert graph.status_code == 200 and graph.headers["content-type"].startswith("text/turtle")
    assert get(explorer, "/explore/sparql/download", {"sparql": text, "as": "turtle"}).status_code == 400
    assert 'href="/sparql?query=' in own  # the same query at the endpoint
