"""/sparql as SHERLOC-KG runs it: confinement of each caller to its graphs, admin-only updates and
SERVICE, negotiation, errors, service description, CORS, and a free event loop, over real HTTP."""

from __future__ import annotations

import http.server
import io
import json
import threading
from urllib.parse import quote

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from api.app import create_app
from sherloc_kg.access import Tokens
from sherloc_kg.access import PUBLIC_GRAPHS
from sherloc_kg.iris import Iris
from sherloc_kg.store.contract import RdfDocument
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import free_port, serving
from .test_w3c_protocol import SD, VOID, read_boolean, read_rdf, read_table

NQUADS = "application/n-quads"
IRIS = Iris()
SECRET = "SECRET-contact-do-not-leak"
RESTRICTED = [str(IRIS.graph("authorities-restricted")), str(IRIS.graph("review-restricted"))]
CASES = str(IRIS.graph("cases"))
PUBLIC_FACT = (URIRef(IRIS.base + "id/case/T1"), URIRef("http://purl.org/dc/terms/title"), Literal("Public case"))


def _load(store: EmbeddedStore, graph: str, turtle: str) -> None:
    store.load_graph(graph, [RdfDocument(turtle.encode(), "text/turtle", name=graph)])


def fill_site(store, reference_dump: bytes):
    """``store`` (empty) with the reference graphs, a public case, and a secret triple in each
    restricted graph."""
    store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    _load(store, CASES, f'<{PUBLIC_FACT[0]}> <{PUBLIC_FACT[1]}> "Public case" .')
    for number, graph in enumerate(RESTRICTED):
        _load(store, graph, f'<{IRIS.base}id/authority/A{number}> <http://xmlns.com/foaf/0.1/mbox> "{SECRET}" .')
    return store


@pytest.fixture(scope="module")
def site_store(reference_dump: bytes):
    """The store the site serves (tests/test_api_remote.py swaps in a remote one)."""
    return fill_site(EmbeddedStore(None), reference_dump)


@pytest.fixture
def empty_store():
    """An empty store, for a test that writes (tests/test_api_remote.py swaps in a remote one)."""
    return EmbeddedStore(None)


@pytest.fixture(scope="module")
def site(site_store, settings, tmp_path_factory):
    """One served application over the reference graphs, a public case, and a secret triple in
    each restricted graph; with one token per role the tests use. Read only."""
    store = site_store
    configured = settings.with_(tokens=tmp_path_factory.mktemp("tokens") / "tokens.json")
    tokens = Tokens(configured.tokens)
    bearer = {role: {"Authorization": f"Bearer {tokens.create(role)}"} for role in ("admin", "editor")}
    bearer["public"] = {}
    with serving(create_app(configured, store)) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client, store, bearer


def _get(client: httpx.Client, query: str, headers: dict[str, str] | None = None, **params: str | list[str]):
    return client.get("/sparql", params={"query": query, **params}, headers=headers or {})


# -- confinement ------------------------------------------------------------------------------
ATTACKS = {
    "from": (f"SELECT ?o FROM <{RESTRICTED[0]}> FROM <{RESTRICTED[1]}> WHERE {{ ?s ?p ?o }}", {}),
    "from-prefixed": (f"PREFIX g: <{IRIS.base}graph/> SELECT ?o FROM g:authorities-restricted "
                      "FROM g:review-restricted WHERE { ?s ?p ?o }", {}),
    "from-relative": (f"BASE <{IRIS.base}graph/> SELECT ?o FROM <authorities-restricted> WHERE {{ ?s ?p ?o }}", {}),
    "from-named-graph-var": (f"SELECT ?o FROM NAMED <{RESTRICTED[0]}> FROM NAMED <{RESTRICTED[1]}> "
                             "WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    "graph-constant": (f"SELECT ?o WHERE {{ GRAPH <{RESTRICTED[0]}> {{ ?s ?p ?o }} }}", {}),
    "graph-var": ("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    "default-graph-uri": ("SELECT ?o WHERE { ?s ?p ?o }", {"default-graph-uri": RESTRICTED}),
    "named-graph-uri": ("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": RESTRICTED}),
    "mixed-protocol": (f"SELECT ?o FROM <{RESTRICTED[0]}> "
                       "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                       {"default-graph-uri": [CASES, RESTRICTED[1]], "named-graph-uri": RESTRICTED + [CASES]}),
    "construct": (f"CONSTRUCT {{ ?s ?p ?o }} FROM <{RESTRICTED[0]}> WHERE {{ ?s ?p ?o }}", {}),
    "describe": (f"DESCRIBE ?s FROM <{RESTRICTED[0]}> WHERE {{ ?s ?p \"{SECRET}\" }}", {}),
}


@pytest.mark.parametrize("role", ["public", "editor"])
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_confined_caller_never_reads_a_restricted_graph(site, role: str, attack: str) -> None:
    client, _store, bearer = site
    query, params = ATTACKS[attack]
    response = _get(client, query, bearer[role], **params)
    assert response.status_code == 200, response.text
    assert SECRET not in response.text
    assert not any(graph in response.text for graph in RESTRICTED)
    # The same request by an admin does reach the secret: the attack is a real one.
    assert SECRET in _get(client, query, bearer["admin"], **params).text


def test_ask_for_the_secret_is_false_for_the_public(site) -> None:
    client, _store, bearer = site
    query = f'ASK {{ {{ ?s ?p "{SECRET}" }} UNION {{ GRAPH ?g {{ ?s ?p "{SECRET}" }} }} }}'
    assert read_boolean(_get(client, query)) is False
    assert read_boolean(_get(client, query, bearer["admin"])) is True


def test_public_queries_still_see_public_graphs(site) -> None:
    client, _store, _bearer = site
    query = 'SELECT ?g WHERE { GRAPH ?g { ?s ?p "Public case" } }'
    _vars, rows = read_table(_get(client, query))
    assert rows == [{"g": CASES}]
    # FROM a public graph works, and intersecting with a restricted one keeps just the public one.
    _vars, rows = read_table(_get(client, f"SELECT ?o FROM <{CASES}> FROM <{RESTRICTED[0]}> WHERE {{ ?s ?p ?o }}"))
    assert [r["o"] for r in rows] == ["Public case"]


def test_an_empty_intersection_is_an_empty_dataset(site) -> None:
    client, _store, _bearer = site
    response = _get(client, "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                    **{"default-graph-uri": RESTRICTED[0], "named-graph-uri": "http://nowhere.example/"})
    assert response.status_code == 200
    assert read_table(response)[1] == []


# -- updates and SERVICE ----------------------------------------------------------------------
def test_updates_are_for_admins_only(settings, tmp_path, empty_store) -> None:
    configured = settings.with_(tokens=tmp_path / "tokens.json")
    store = empty_store
    tokens = Tokens(configured.tokens)
    editor, admin = tokens.create("editor"), tokens.create("admin")
    update = f'INSERT DATA {{ GRAPH <{CASES}> {{ <{PUBLIC_FACT[0]}> <{PUBLIC_FACT[1]}> "Added" }} }}'
    form = "application/x-www-form-urlencoded"
    with serving(create_app(configured, store)) as base, httpx.Client(base_url=base) as client:
        public = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})
        assert public.status_code == 401
        assert public.headers["www-authenticate"].startswith("Bearer")
        refused = client.post("/sparql", content=f"update={quote(update)}",
                              headers={"Content-Type": form, "Authorization": f"Bearer {editor}"})
        assert refused.status_code == 403 and "admin" in refused.json()["message"]
        assert store.count() == 0
        done = client.post("/sparql", content=f"update={quote(update)}",
                           headers={"Content-Type": form, "Authorization": f"Bearer {admin}"})
        assert done.status_code == 204, done.text
        assert store.count(CASES) == 1
        conflict = client.post("/sparql", params={"using-graph-uri": CASES},
                               content=f"WITH <{CASES}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
                               headers={"Content-Type": "application/sparql-update",
                                        "Authorization": f"Bearer {admin}"})
        assert conflict.status_code == 400 and "USING" in conflict.json()["message"]
        assert store.count(CASES) == 1


@pytest.mark.parametrize("role", ["public", "editor"])
def test_service_is_refused_to_all_but_admins(site, role: str) -> None:
    client, _store, bearer = site
    response = _get(client, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", bearer[role])
    assert response.status_code == 403
    assert "SERVICE" in response.json()["message"]


# -- formats and errors -----------------------------------------------------------------------
@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml",
                                        "text/csv", "text/tab-separated-values"])
def test_select_results_in_each_format(site, media_type: str) -> None:
    client, _store, _bearer = site
    response = _get(client, f"SELECT ?title WHERE {{ GRAPH <{CASES}> {{ ?case ?p ?title }} }}",
                    {"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    variables, rows = read_table(response)
    assert variables == ["title"] and rows == [{"title": "Public case"}]


@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json", "application/rdf+xml",
                                        "application/n-triples", "application/n-quads", "application/trig"])
def test_construct_results_in_each_format(site, media_type: str) -> None:
    client, _store, _bearer = site
    response = _get(client, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{CASES}> {{ ?s ?p ?o }} }}",
                    {"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = read_rdf(response)
    assert set(graph) == {PUBLIC_FACT}


@pytest.mark.parametrize(("query", "fmt", "media_type"), [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "csv", "text/csv"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/tab-separated-values", "text/tab-separated-values"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "xml", "application/rdf+xml"),
    ("ASK {}", "xml", "application/sparql-results+xml"),
    ("ASK {}", "no-such-format", "application/sparql-results+json"),  # ignored: Accept decides
])
def test_format_parameter_overrides_accept(site, query: str, fmt: str, media_type: str) -> None:
    client, _store, _bearer = site
    response = _get(client, query, {"Accept": "application/json, text/turtle"}, format=fmt)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_ask_in_json_and_xml_by_post(site) -> None:
    client, _store, _bearer = site
    for media_type in ("application/sparql-results+json", "application/sparql-results+xml"):
        response = client.post("/sparql/", content="ASK { ?s ?p \"Public case\" }",
                               headers={"Content-Type": "application/sparql-query", "Accept": media_type})
        assert response.headers["content-type"].startswith(media_type)
        assert read_boolean(response) is True


@pytest.mark.parametrize(("query", "accept"), [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/turtle"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    ("ASK {}", "text/csv"),
])
def test_nothing_acceptable_is_406(site, query: str, accept: str) -> None:
    client, _store, _bearer = site
    response = _get(client, query, {"Accept": accept})
    assert response.status_code == 406
    assert response.json()["error"] == "NotAcceptable"


def test_syntax_errors_say_what_and_where(site) -> None:
    client, _store, _bearer = site
    response = _get(client, "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(\n}")
    assert response.status_code == 400
    message = response.json()["message"]
    assert "syntax error at line 5, column" in message and "expected" in message
    assert "\n  }\n" in message  # the offending line, then a caret under the place
    # Relative IRIs resolve against the endpoint, which must not shift the line numbers.
    message = _get(client, "SELECT * WHERE {\n  <rel> ?p ?o .\n  FILTER(\n}").json()["message"]
    assert "line 4" in message


@pytest.mark.parametrize(("method", "kwargs", "fragment"), [
    ("GET", {"params": {"query": ["ASK {}", "ASK {}"]}}, "exactly one"),
    ("GET", {"params": {"update": "CLEAR ALL"}}, "POST"),
    ("POST", {"content": b"ASK {}"}, "Content-Type"),
    ("POST", {"content": "ASK {}".encode("utf-16"),
              "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, "UTF-8"),
    ("POST", {"content": b"ASK { \"\xff\" }", "headers": {"Content-Type": "application/sparql-query"}}, "UTF-8"),
    ("POST", {"content": b"query=ASK+%7B%7D&update=CLEAR+ALL",
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, "exactly one"),
    ("GET", {"params": {"query": "INSERT DATA { <a:b> <a:b> <a:b> }"}}, "update"),
    ("GET", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, "IRI"),
])
def test_protocol_errors_are_400_with_a_reason(site, method: str, kwargs: dict, fragment: str) -> None:
    client, _store, _bearer = site
    response = client.request(method, "/sparql", **kwargs)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["message"]


def test_unsupported_media_type_is_415(site) -> None:
    client, _store, _bearer = site
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


# -- service description ----------------------------------------------------------------------
def _named_graphs(description: Graph) -> dict[str, int]:
    found = {}
    for named in description.objects(None, SD.namedGraph):
        graph = description.value(named, SD.graph)
        found[str(description.value(named, SD.name))] = int(description.value(graph, VOID.triples))
    return found


def _triples_in(store: EmbeddedStore, graph: str) -> int:
    buffer = io.BytesIO()
    store.read_graph(graph, buffer, media_type="application/n-triples")
    return len(buffer.getvalue().splitlines())


def test_service_description_lists_what_the_public_may_query(site) -> None:
    client, store, _bearer = site
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = read_rdf(response)
    public = [str(IRIS.graph(name)) for name in PUBLIC_GRAPHS]
    expected = {g: _triples_in(store, g) for g in store.graphs() if g in public}
    assert CASES in expected and len(expected) > 1
    assert _named_graphs(description) == expected
    assert not any(g in response.text for g in RESTRICTED)
    service = next(description.subjects(RDF.type, SD.Service))
    assert (service, SD.feature, SD.BasicFederatedQuery) not in description
    default = description.value(description.value(service, SD.defaultDataset), SD.defaultGraph)
    assert int(description.value(default, VOID.triples)) == sum(expected.values())


def test_service_description_for_an_admin_lists_every_graph(site) -> None:
    client, store, bearer = site
    description = read_rdf(client.get("/sparql", headers={"Accept": "application/ld+json", **bearer["admin"]}))
    listed = _named_graphs(description)
    assert set(listed) == set(store.graphs()) and listed[RESTRICTED[0]] == 1
    assert (None, SD.feature, SD.BasicFederatedQuery) in description


def test_a_browser_asking_for_the_service_gets_the_editor_with_its_graphs(site) -> None:
    client, _store, _bearer = site
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 303 and response.headers["location"] == "/explore/sparql/editor"
    page = client.get(response.headers["location"])
    assert page.headers["content-type"].startswith("text/html") and 'id="yasgui"' in page.text
    assert CASES in page.text and RESTRICTED[0] not in page.text
    head = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""


def test_cross_origin_get_is_allowed(site) -> None:
    client, _store, _bearer = site
    response = _get(client, "ASK {}", {"Origin": "https://portal.example.org"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


# -- a slow query does not block the server ---------------------------------------------------
class _HeldEndpoint(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers only once the test lets it: a query that calls it through
    SERVICE stays running, with no clock involved, for as long as the test wants."""

    arrived: threading.Event
    release: threading.Event

    def _answer(self) -> None:
        self.arrived.set()
        self.release.wait()
        body = json.dumps({"head": {"vars": ["x"]},
                           "results": {"bindings": [{"x": {"type": "literal", "value": "late"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    def log_message(self, *_args) -> None:
        pass


def test_a_running_query_does_not_block_other_requests(site) -> None:
    client, store, bearer = site
    handler = type("Held", (_HeldEndpoint,), {"arrived": threading.Event(), "release": threading.Event()})
    remote = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=remote.serve_forever, daemon=True).start()
    slow_query = f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{remote.server_port}/sparql> {{ ?x ?p ?o }} }}"
    refusal = store.refusal(slow_query)
    if refusal:  # a server that would answer SERVICE wrongly (Virtuoso): refused unsent, saying why
        try:
            response = _get(client, slow_query, bearer["admin"])
        finally:
            remote.shutdown()
            remote.server_close()
        assert response.status_code == 501, response.text
        assert response.json() == {"error": "NotOnThisStore", "message": refusal}
        assert not handler.arrived.is_set()
        return
    result: dict[str, httpx.Response] = {}

    def run_slow() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=120) as own:
            result["slow"] = _get(own, slow_query, bearer["admin"])

    slow = threading.Thread(target=run_slow)
    slow.start()
    try:
        assert handler.arrived.wait(60), "the slow query never reached its SERVICE"
        quick = _get(client, "ASK { ?s ?p \"Public case\" }")
        assert quick.status_code == 200 and read_boolean(quick) is True
        assert slow.is_alive() and "slow" not in result  # it answered while the slow one ran
        assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200
    finally:
        handler.release.set()
        slow.join(120)
        remote.shutdown()
        remote.server_close()
    assert result["slow"].status_code == 200, result["slow"].text
    assert read_table(result["slow"])[1] == [{"x": "late"}]
