"""Every explorer page has a JSON twin (issue 23, item 3; api/explorer/twins.py), over real HTTP on
the application over the examples store (reference graphs, bundled cases, every illustrative
example).

The pages are found in the application's own routes (every GET route at ``/`` or under
``/explore``), so a page added without a twin fails here; a route that answers no page (a download,
the language switch's redirect) is listed in :data:`NOT_PAGES` and checked to answer no page. For
each page, at the representative URL of :data:`PAGES`:

- its answer names its twin: ``Link: <URL>; rel="alternate"; type="application/json"``;
- the twin answers 200 with that media type and names the page back (``type="text/html"``), the
  same path;
- the twin holds what the page shows (the same counts, titles, rows: :data:`CHECKS`);
- the twin is as public-safe as the page: what the restricted graphs alone hold (which graphs are
  restricted is asked of sherloc_kg/access.py) is in neither for the public, and for an official
  the twin holds no restricted thing the page does not show (the official sees the contact details
  of Aurelia's authority in both: the check is not vacuous).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from fastapi.routing import APIRoute
from rdflib import URIRef

from sherloc_kg import access
from sherloc_kg.access import PUBLIC, Caller, Role, Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.store.terms import sparql_term

from sherloc_kg.api.explorer.i18n import listing
from sherloc_kg.api.explorer.twins import TWINS

from .servers import serving

TIMEOUT = 300

#: Each explorer page's route → a representative URL (data in the examples store).
PAGES = {
    "/": "/",
    "/explore/instruments": "/explore/instruments",
    "/explore/instruments/{code}": "/explore/instruments/tip",
    "/explore/instruments/{code}/art/{rest:path}": "/explore/instruments/untoc/art/5",
    "/explore/search/{kind}": "/explore/search/cases?country=BRA&crime_type=&size=20",
    "/explore/countries": "/explore/countries?sort=cases&order=desc",
    "/explore/countries/{code}": "/explore/countries/XAA",
    "/explore/cases/{case_id:path}": "/explore/cases/XAA-EX-001",
    "/explore/concepts/{scheme}": "/explore/concepts/cross-cutting-issue",
    "/explore/concepts/{scheme}/{notation}": "/explore/concepts/crime-type/trafficking-in-persons",
    "/explore/laws/{code}/{law_id:path}": "/explore/laws/XAA/XAA-penal-code",
    "/explore/countries/{code}/implementation": "/explore/countries/XAA/implementation",
    "/explore/gaps": "/explore/gaps?instrument=tip",
    "/explore/countries/{code}/quality": "/explore/countries/XAA/quality",
    "/explore/trends": "/explore/trends?country=BRA",
    "/explore/review/submit": "/explore/review/submit",
    "/explore/sparql": "/explore/sparql?query=cases-of-country&country=XAA",
    "/explore/sparql/editor": "/explore/sparql/editor",
    "/explore/sign-in": "/explore/sign-in",
    "/explore/review/questionnaire": "/explore/review/questionnaire?country=XAA&instrument=untoc",
    "/explore/authorities/{authority_id:path}": "/explore/authorities/XAA-central-authority-mla",
    "/explore/publications/{publication_id:path}": "/explore/publications/XAA-example-publication-tip-2023",
}
#: Explorer routes that answer no page: route → (representative URL, status, media type).
NOT_PAGES = {
    "/explore/language": ("/explore/language?lang=fr&next=/", 303, None),
    "/explore/search/{kind}.csv": ("/explore/search/cases.csv?country=XAA", 200, "text/csv"),
    "/explore/sparql/download": ("/explore/sparql/download?query=cases-of-country&country=XAA&as=csv", 200, "text/csv"),
    "/explore/review/submit/template.csv": ("/explore/review/submit/template.csv", 200, "text/csv"),
}
#: Pages whose twin is served by a module of its own (documented there, with its own models or none).
TWINS_ELSEWHERE = {
    "/explore/search/{kind}": "api/search.py",
    "/explore/countries/{code}/implementation": "api/implementation.py",
    "/explore/gaps": "api/implementation.py",
    "/explore/countries/{code}/quality": "api/implementation.py",
    "/explore/sparql": "api/library.py",
}


def explorer_routes(routes: list) -> Iterator[APIRoute]:
    """The GET routes of the explorer (``/`` and ``/explore/...``) among ``routes``, included routers
    walked (FastAPI keeps an included router whole, or copies its routes: both are read)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from explorer_routes(inner.routes)
        elif isinstance(route, APIRoute) and "GET" in route.methods and \
                (route.path == "/" or route.path.startswith("/explore")):
            yield route


def links(response: httpx.Response) -> dict[tuple[str, str], str]:
    """The ``Link`` header: (rel, type) → URL."""
    found = {}
    for part in response.headers.get_list("link", split_commas=True):
        match = re.fullmatch(r'\s*<([^>]*)>((?:\s*;\s*[a-z]+="[^"]*")*)\s*', part)
        assert match, part
        params = dict(re.findall(r'([a-z]+)="([^"]*)"', match.group(2)))
        found[(params.get("rel", ""), params.get("type", ""))] = match.group(1)
    return found


def twin_of(response: httpx.Response) -> tuple[str, str]:
    """(URL, media type) of the twin a page's answer names."""
    alternates = [(url, media) for (rel, media), url in links(response).items() if rel == "alternate"]
    assert len(alternates) == 1, response.headers.get("link")
    return alternates[0]


@pytest.fixture(scope="module")
def served(settings: Settings, explorer_store, tmp_path_factory: pytest.TempPathFactory):
    """The application over the examples store: (url, the headers of an official of no State)."""
    token_file = Path(tmp_path_factory.mktemp("twin-tokens")) / "tokens.json"
    token = Tokens(token_file).create("official", name="twins test")
    with serving(create_app(settings.with_(tokens=token_file), store=explorer_store)) as url:
        yield url, {"Authorization": "Bearer " + token}


@pytest.fixture(scope="module")
def app_routes(settings: Settings) -> list[APIRoute]:
    return list(explorer_routes(create_app(settings).routes))


@pytest.fixture
def served_route(app_routes: list[APIRoute], request: pytest.FixtureRequest) -> str:
    """The test's ``route`` parameter, which the application must serve (a route listed here that it
    no longer serves is a stale list, not a test to skip)."""
    route = request.node.callspec.params["route"]
    if route not in {r.path for r in app_routes}:
        pytest.fail(f"{route} is listed here but the application does not serve it")
    return route


@pytest.fixture(scope="module")
def secrets(explorer_store, settings: Settings) -> set[str]:
    """What only the restricted graphs hold (sherloc_kg/access.py says which are restricted), as
    text a page or a twin would carry it: string literals (not dates, numbers or booleans, which
    any record may hold), e-mail addresses, and the paths of resources no public graph names."""
    iris = Iris(settings.base)
    everything = Caller(Role.ADMIN).dataset(iris)
    restricted = [g for g in explorer_store.graphs() if access.is_restricted_graph(iris, g)]
    assert restricted, "the examples hold restricted graphs"
    terms = set()
    for graph in restricted:
        rows = explorer_store.select(f"SELECT ?s ?o WHERE {{ GRAPH {sparql_term(URIRef(graph))} {{ ?s ?p ?o }} }}",
                                     dataset=everything).rows
        for row in rows:
            terms.add(row["s"])
            if getattr(row["o"], "datatype", None) is None:  # a plain or language-tagged string, or an IRI
                terms.add(row["o"])
    values = " ".join(sparql_term(t) for t in terms)
    public = {str(row["x"]) for row in explorer_store.select(
        f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {values} }} {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }}",
        dataset=PUBLIC.dataset(iris)).rows}
    found = set()
    for term in terms:
        text = str(term)
        if text in public:
            continue
        if text.startswith("mailto:"):
            found.add(text[len("mailto:"):])
        elif text.startswith(settings.base):
            found.add(iris.href(text) or text)
        elif len(text) >= 8:
            found.add(text)
    assert any("@" in s for s in found) and any("/id/review/" in s for s in found), found
    return found


def shown(text: str, secrets: set[str]) -> set[str]:
    return {s for s in secrets if s in text}


def as_text(twin: httpx.Response) -> str:
    """The twin's JSON as text, every string as it is (no escapes)."""
    return json.dumps(twin.json(), ensure_ascii=False)


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=TIMEOUT, **kwargs)


def page_and_twin(base: str, route: str, headers: dict | None = None) -> tuple[str, str, httpx.Response]:
    """(the page's text, unescaped; the twin's URL; the twin's answer)."""
    page = get(base + PAGES[route], headers=headers)
    assert page.status_code == 200, (route, page.status_code)
    assert page.headers["content-type"].startswith("text/html")
    href, media = twin_of(page)
    twin = get(base + href, headers={**(headers or {}), "Accept": media})
    assert twin.status_code == 200, (href, twin.status_code, twin.text[:300])
    assert twin.headers["content-type"].split(";")[0].strip() == media
    return html.unescape(page.text), href, twin


# -- what each twin holds of its page --------------------------------------------------------------

def _home(page: str, data: dict) -> None:
    for d in data["databases"]:
        assert f'<span class="figure">{d["records"]:,}</span>{d["label"]}' in page, d
    assert f'{data["triples"]:,}</span> triples' in page
    for i in data["instruments"]:
        assert f'<a href="{i["href"]}">{i["title"]}</a>' in page
    assert len(data["crime_types"]) >= 10
    for c in data["crime_types"]:
        assert f'{c["label"]}</a> ({c["cases"]:,})' in page, c
    assert len(data["queries"]) == page.count('href="/explore/sparql?query=')


def _instruments(page: str, data: dict) -> None:
    assert [i["code"] for i in data["instruments"]] == ["untoc", "tip", "som", "fp"]
    for i in data["instruments"]:
        assert f'{i["title"]["text"]}' in page and f'({i["articles"]} articles)' in page


def _instrument(page: str, data: dict) -> None:
    shown_refs = re.findall(r'<a href="/explore/instruments/(tip/art/[^"]+)">Article', page)
    assert shown_refs == [a["reference"] for a in data["articles"]]
    assert len(shown_refs) == data["instrument"]["articles"]
    assert all(a["title"]["text"] in page for a in data["articles"] if a["title"])


def _provision(page: str, data: dict) -> None:
    assert f'<h1>{data["heading"]}</h1>' in page
    texts = [part["text"]["text"] for part in parts(data["provision"]) if part["text"]]
    assert texts and all(text in page for text in texts)
    assert [p["reference"] for p in data["provision"]["parts"]] == \
        re.findall(r'<li><a href="/explore/instruments/(untoc/art/5/\d+)">', page)
    n, states = data["case_count"], len(data["cases"])
    assert n and f"{n} case{'s' if n != 1 else ''} decided in {states} jurisdiction" in page
    assert n == sum(len(g["rows"]) for g in data["cases"])
    laws = data["legislation_count"]
    assert laws and f"{laws} national provision{'s' if laws != 1 else ''} in {len(data['legislation'])} State" in page
    for group in data["legislation"]:
        assert f'<a href="{group["href"]}">{group["name"]}</a>' in page
    assert data["guides"] and all(g["href"] in page for g in data["guides"])
    assert [c["label"] for c in data["clusters"]] and all(c["label"] in page for c in data["clusters"])


def parts(node: dict) -> Iterator[dict]:
    """A provision and its parts at every depth."""
    yield node
    for part in node["parts"]:
        yield from parts(part)


def _search(page: str, data: dict) -> None:
    assert f'<strong id="total">{data["total"]:,}</strong>' in page and data["total"] > 20
    titles = re.findall(r'<a class="result-title" href="[^"]+">([^<]*)</a>', page)
    assert titles == [item["title"] or item["id"] for item in data["items"]]
    for value in data["facets"]["crime_type"]:
        assert value["label"] in page


def _countries(page: str, data: dict) -> None:
    codes = re.findall(r'<th scope="row"><a href="/explore/countries/([A-Z0-9]+)">', page)
    assert codes == [row["code"] for row in data["rows"]] and len(codes) > 100
    assert f'<caption>{len(data["rows"])} States and jurisdictions</caption>' in page
    for column in data["columns"]:
        assert f'<td class="number">{column["total"]:,}</td>' in page


def _country(page: str, data: dict) -> None:
    assert data["name"]["text"] == "Aurelia (fictional State)" and data["name"]["text"] in page
    assert data["laws"] and all(f'<a href="{law["href"]}">{law["title"]}</a>' in page for law in data["laws"])
    assert data["provisions"] and all(p["reference"] in page for p in data["provisions"])
    assert data["authorities"] and all(f'<a href="{a["href"]}">{a["name"]}</a>' in page for a in data["authorities"])
    # each authority's provisions, languages and channels as the page words them, their codes beside
    for a in data["authorities"]:
        for d in a["designations"]:
            assert d["label"] != d["reference"]
            assert (f'<a href="{d["href"]}">{d["label"]}</a>' if d["href"] else f'<dd>{d["label"]}') in page
        assert bool(a["languages"]) == bool(a["language_names"]) and bool(a["channels"]) == bool(a["channel_names"])
        assert not a["language_names"] or f'<dd>{listing(a["language_names"], "en")}</dd>' in page
        assert not a["channel_names"] or f'<dd>{listing(a["channel_names"], "en")}</dd>' in page
    assert any(a["language_names"] and a["channel_names"] and a["designations"] for a in data["authorities"])
    assert data["strategies"] and all(s["title"] in page for s in data["strategies"])
    cases = data["cases"]
    assert cases["total"] and f'{cases["total"]:,} case' in page
    assert all(f'<a href="{c["href"]}">{c["title"]}</a>' in page for c in cases["latest"])
    assert [p["code"] for p in data["participation"]] == \
        re.findall(r'<th scope="row"><a href="/explore/instruments/([a-z]+)">', page)


def _case(page: str, data: dict) -> None:
    assert f"<h1>{data['title']}</h1>" in page and data["id"] == "XAA-EX-001"
    assert data["decided_by"][0]["href"] == "/explore/countries/XAA" and data["decided_by"][0]["label"] in page
    assert data["provisions"] and all(f'<a href="{p["href"]}">{p["label"]}</a>' in page for p in data["provisions"])
    assert f'<a href="{data["resource"]}">' in page


def _concept(page: str, data: dict) -> None:
    assert f'<span>{data["label"]["text"]}</span></h1>' in page and f'<a href="{data["resource"]}">' in page
    assert data["uses"] and all(f'<a href="{u["href"]}">{u["title"]}</a>' in page for u in data["uses"])


def _vocabulary(page: str, data: dict) -> None:
    members = [m for top in data["concepts"] for m in (top, *top["narrower"])]
    assert len(members) > len(data["concepts"]) and all(f'<a href="{m["href"]}">{m["label"]}</a>' in page for m in members)


def _authority(page: str, data: dict) -> None:
    assert f"<h1>{data['name']}</h1>" in page and data["state"][0]["href"] == "/explore/countries/XAA"
    assert all(d["matter"] in page and f'<a href="{d["href"]}">{d["provision"]}</a>' in page for d in data["designations"])
    assert data["language_names"] and all(name in page for name in data["language_names"])
    assert data["contact"] is None and not data["contacts_shown"]  # the public: no contact, none on the page
    assert f'<a href="{data["resource"]}">' in page


def _publication(page: str, data: dict) -> None:
    assert f"<h1>{data['title']['text']}</h1>" in page and "; ".join(data["authors"]) in page
    assert data["countries"] and all(f'<a href="{c["href"]}">{c["label"]}</a>' in page for c in data["countries"])
    assert f'<a href="{data["resource"]}">' in page


def _law(page: str, data: dict) -> None:
    assert f"<h1><span>{data['title']['text']}</span></h1>" in page and data["id"] == "XAA-penal-code"
    assert data["state"][0]["href"] == "/explore/countries/XAA"
    for unit in data["provisions"]:
        assert f'<li id="{unit["anchor"]}">' in page
        assert all(f'<a href="{i["href"]}">{i["label"]}</a>' in page for i in unit["implements"])
    assert f'<a href="{data["resource"]}">' in page


def _implementation(page: str, data: dict) -> None:
    for status, n in data["totals"].items():
        assert f"{status.capitalize()}: {n}" in page
    assert re.findall(r'<tr id="([^"]+)" class="derived-', page) == [a["anchor"] for a in data["articles"]]


def _gaps(page: str, data: dict) -> None:
    rows = re.findall(r'<tr><th scope="row"><a href="[^"]+">([^<]+)</a> <code>([A-Z0-9]+)</code>', page)
    assert rows == [(s["name"], s["country"]) for s in data["states"]] and rows


def _quality(page: str, data: dict) -> None:
    assert f'{data["total"]} finding' in page
    for check in data["checks"]:
        assert re.search(rf'<tr id="summary-{check["check"]}">.*?<td class="number">{check["count"]}</td>', page), check


def _trends(page: str, data: dict) -> None:
    assert f'<h1>{data["title"]}</h1>' in page and data["country_name"] == "Brazil"
    drawn = [c for c in data["charts"] if c["drawn"] != "none"]
    assert len(drawn) >= 3
    for chart in data["charts"]:
        section = page.split(f'id="{chart["ident"]}"', 1)[1].split("</section>", 1)[0]
        assert chart["heading"] in section
        assert section.count('<th scope="row">') == len(chart["rows"])
        for row in chart["rows"]:
            assert f"{row[0]}" in section
        assert section.count('class="bar"') + section.count('class="point"') >= (1 if chart["drawn"] != "none" else 0)


def _review_form(page: str, data: dict) -> None:
    for column in data["columns"]:
        required = "yes" if column["required"] else "no"
        assert f'<th scope="row"><code>{column["name"]}</code></th><td>{required}</td>' in page
    assert f'at most {data["max_rows"]} answers per file' in page and f'href="{data["template"]}"' in page


def _editor(page: str, data: dict) -> None:
    assert f'The graphs you can query ({len(data["graphs"])})' in page and data["graphs"]
    assert [e["title"] for e in data["examples"]] == re.findall(r'<button type="button" class="example" '
                                                                r'data-name="[^"]+">([^<]+)</button>', page)


def _sign_in(page: str, data: dict) -> None:
    assert data["signed_in"] is False and data["expires"] is None and data["sign_in"] == "/explore/sign-in"
    assert 'name="token" type="password"' in page and "You are signed in" not in page


def _questionnaire(page: str, data: dict) -> None:
    # the public is led to sign in; the twin holds the questions and the answers the public may see
    assert data["country"] == "XAA" and data["may_submit"] is False and len(data["questions"]) >= 41
    assert "/explore/sign-in?next=" in page and 'class="review-questionnaire"' not in page


def _workbench(page: str, data: dict) -> None:
    rows = data["results"]["bindings"]
    assert rows and f'<strong id="row-count">{len(rows):,}</strong>' in page


CHECKS: dict[str, Callable[[str, dict], None]] = {
    "/": _home, "/explore/instruments": _instruments, "/explore/instruments/{code}": _instrument,
    "/explore/instruments/{code}/art/{rest:path}": _provision, "/explore/search/{kind}": _search,
    "/explore/countries": _countries, "/explore/countries/{code}": _country, "/explore/cases/{case_id:path}": _case,
    "/explore/laws/{code}/{law_id:path}": _law,
    "/explore/countries/{code}/implementation": _implementation, "/explore/gaps": _gaps,
    "/explore/countries/{code}/quality": _quality, "/explore/trends": _trends,
    "/explore/review/submit": _review_form, "/explore/sparql": _workbench, "/explore/sparql/editor": _editor,
    "/explore/sign-in": _sign_in, "/explore/review/questionnaire": _questionnaire,
    "/explore/concepts/{scheme}": _vocabulary, "/explore/concepts/{scheme}/{notation}": _concept,
    "/explore/authorities/{authority_id:path}": _authority, "/explore/publications/{publication_id:path}": _publication,
}


# -- the tests -------------------------------------------------------------------------------------

def test_every_explorer_route_is_a_page_with_a_twin_or_no_page(app_routes: list[APIRoute]) -> None:
    """A page added to the explorer needs a twin (api/explorer/twins.py) and a line in PAGES."""
    found = {route.path for route in app_routes}
    assert found <= set(PAGES) | set(NOT_PAGES), \
        f"explorer routes without a representative URL here: {sorted(found - set(PAGES) - set(NOT_PAGES))}"
    assert len(found & set(PAGES)) >= 13 and set(CHECKS) == set(PAGES)
    assert set(PAGES) <= {twin.page for twin in TWINS}, "each page is in the table of twins"


@pytest.mark.parametrize("route", sorted(NOT_PAGES))
def test_routes_that_answer_no_page_name_no_twin(served, served_route: str, route: str) -> None:
    base, _ = served
    path, status, media = NOT_PAGES[route]
    response = httpx.get(base + path, timeout=TIMEOUT, follow_redirects=False)
    assert response.status_code == status
    if media:
        assert response.headers["content-type"].startswith(media)
    assert "link" not in response.headers


@pytest.fixture(scope="module")
def schema(served) -> dict:
    return get(served[0] + "/openapi.json").json()


@pytest.mark.parametrize("route", sorted(PAGES))
def test_the_page_and_its_twin(served, schema: dict, secrets: set[str], served_route: str, route: str) -> None:
    """The twin holds what the page shows, names the page back, is documented with its model, and is
    as public-safe as the page. One test per page: each page and twin is asked once per caller."""
    base, official = served
    page, href, twin = page_and_twin(base, route)
    CHECKS[route](page, twin.json())
    # the twin names the page back; the page there names the same twin
    back = links(twin).get(("alternate", "text/html"))
    assert back is not None, (href, twin.headers.get("link"))
    assert urlsplit(back).path == urlsplit(PAGES[route]).path
    again = get(base + back)
    assert again.status_code == 200 and urlsplit(twin_of(again)[0]).path == urlsplit(href).path
    # documented in /openapi.json (the pages are not)
    path = urlsplit(href).path
    documented = [p for p in schema["paths"] if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", p), path)]
    assert len(documented) == 1, (route, path, documented)
    if route not in TWINS_ELSEWHERE:  # those are documented by their own module
        operation = schema["paths"][documented[0]]["get"]
        assert "$ref" in operation["responses"]["200"]["content"]["application/json"]["schema"], path
    # public-safe: what only the restricted graphs hold is in neither
    assert shown(page, secrets) == set() and shown(as_text(twin), secrets) == set()
    # an official reads the restricted graphs: the twin shows no more of them than the page
    page, _, twin = page_and_twin(base, route, headers=official)
    assert shown(as_text(twin), secrets) <= shown(page, secrets)


def test_the_workbench_and_its_other_twins_name_each_other(served) -> None:
    """A query of one's own (its twin the SPARQL endpoint) and the workbench with no query (its twin
    the list of named queries): each twin names the same page back."""
    base, _ = served
    own = "/explore/sparql?" + urlencode({"sparql": "SELECT ?s WHERE { ?s a ?t } LIMIT 3"})
    for url, twin_path, media in ((own, "/sparql", "application/sparql-results+json"),
                                  ("/explore/sparql", "/api/queries", "application/json")):
        page = get(base + url)
        href, named = twin_of(page)
        assert (urlsplit(href).path, named) == (twin_path, media)
        twin = get(base + href, headers={"Accept": media})
        assert twin.status_code == 200 and links(twin)[("alternate", "text/html")] == url


def test_the_pages_are_not_in_the_schema(schema: dict) -> None:
    assert not [p for p in schema["paths"] if p == "/" or p.startswith("/explore")]


def test_every_model_has_a_name_of_its_own(schema: dict) -> None:
    """Two twins' models of one name (``Linked`` in two modules) are told apart by FastAPI with their
    module path (``sherloc_kg__api__concepts__Linked``): a consumer's generated client gets those names,
    and the first model's documented name is gone."""
    assert not [name for name in schema["components"]["schemas"] if "__" in name]


def test_an_official_sees_the_contact_details_on_the_page_and_in_the_twin(served, secrets: set[str]) -> None:
    base, official = served
    public_page, _, public_twin = page_and_twin(base, "/explore/countries/{code}")
    assert public_twin.json()["contacts_shown"] is False
    assert all(a["contact"] is None for a in public_twin.json()["authorities"])
    page, _, twin = page_and_twin(base, "/explore/countries/{code}", headers=official)
    found = shown(page, secrets)
    assert any("@" in s for s in found)
    assert found == shown(as_text(twin), secrets)
    assert twin.json()["contacts_shown"] is True


def test_a_page_and_its_twin_agree_on_errors(served) -> None:
    base, _ = served
    for url, status in (("/explore/countries/ZZZ", 404), ("/explore/instruments/untoc/art/99", 404),
                        ("/explore/instruments/xyz", 404), ("/explore/trends?country=brazil", 400)):
        page = get(base + url)
        assert page.status_code == status, url
        href, _ = twin_of(page)
        twin = get(base + href)
        assert twin.status_code == status, href
        assert twin.headers["content-type"].startswith("application/json") and twin.json()["message"]


def test_the_twin_of_a_page_in_another_language_is_in_that_language(served) -> None:
    base, _ = served
    page = get(base + "/explore/instruments/untoc/art/5", cookies={"lang": "fr"})
    href, _ = twin_of(page)
    assert "lang=fr" in href
    data = get(base + href).json()
    first = data["provision"]["parts"][0]["text"]
    assert data["language"] == "fr" and first["lang"] == "fr" and not first["fallback"]
    assert first["text"] in html.unescape(page.text) and first["text"].startswith("Chaque État partie")


def test_the_sign_in_pages_twin_says_who_is_signed_in(served) -> None:
    """A form's twin holds what the form shows: here, once signed in, the session's role and end."""
    base, official = served
    with httpx.Client(base_url=base, timeout=TIMEOUT) as browser:  # keeps the cookies, as a browser does
        form = browser.get("/explore/sign-in")
        check = re.search(r'name="check" value="([^"]+)"', form.text)
        assert check
        signed = browser.post("/explore/sign-in", data={"token": official["Authorization"].split()[1],
                                                        "check": check.group(1), "next": "/"})
        assert signed.status_code == 303
        page = browser.get("/explore/sign-in")
        href, media = twin_of(page)
        twin = browser.get(href, headers={"Accept": media})
        data = twin.json()
        assert data["signed_in"] is True and data["role"] == "official" and data["name"] == "twins test"
        assert f"You are signed in as {data['role']} ({data['name']})" in html.unescape(page.text)
        assert data["sees"] and data["sees"] in html.unescape(page.text)
        assert twin.headers["cache-control"] == "no-store"
        assert not {"csrf", "session", "id"} & set(data)
    assert get(base + href).json()["signed_in"] is False  # another browser, without the cookie
