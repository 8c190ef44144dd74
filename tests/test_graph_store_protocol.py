"""The SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store, over real HTTP (uvicorn on a
loopback port) against a real in-memory Oxigraph store, with a real admin token.

Three parts:

1. The W3C suite, read from the copy of ``shared/conformance/w3c-sparql11/graph-store-protocol/`` in ``tests/fixtures/shared/``
   (manifest-direct.ttl, manifest-indirect.ttl) with rdflib: every ``mf:GraphStoreProtocolTest``
   of each file (entries list or not: ``head_non_existing_direct`` is typed but left out of the
   direct manifest's list) runs its ``ht:requests`` in order on a fresh store. The manifests'
   ``/gsp`` path prefix becomes ``/rdf-graph-store``; ``$LOCATION$`` becomes the ``Location`` of the
   response that announced it (``mf:expectedLocation``). Checked: the status (any of
   ``mf:expectedStatus``; ``hts:StatusCode2xx``-style classes by their first digit), every expected
   response header, and, when a body is given, that the returned graph is isomorphic to it. For
   direct identification the graph IRI is the request URL, so the test's base
   ``http://www.example/gsp/`` is mapped to the server's ``{url}/rdf-graph-store/`` in the bodies
   (request and expected alike), which makes the resources live under their graph as the tests
   intend.

2. ``http-rdf-update/manifest.ttl`` is the 2011 suite the W3C deprecated in 2012 in favour of the
   one above. Its 18 entries carry no ``ht:requests``: each is a prose description (Markdown in
   ``rdfs:comment``) of one HTTP exchange, meant for a person, with ``$HOST$``, ``$GRAPHSTORE$``
   and ``$NEWPATH$`` placeholders. They are therefore encoded here by hand as 18 tests, in the
   manifest's order, one per entry, with its expectations; the steps share one store (step n
   runs on the state steps 1..n-1 left, which the fixture replays if a step is run alone), and a
   test checks that the manifest still lists exactly these 18 entries, each still saying the
   request line and the status this file encodes. Where the prose cannot be run as written, the
   step says why and what it does instead:
   - steps 7, 10, 12 expect ``200 OK`` for DELETE and POST; the Recommendation allows 200 or 204
     and this server answers 204, so both are accepted;
   - step 7 deletes ``person/2.ttl`` as an "existing graph", but no earlier step creates it; the
     step first PUTs it (the current suite's ``put_delete_get_delete`` does the same);
   - steps 10 and 12 send Turtle without the final ``.``, which Turtle requires; step 10 checks that
     the body as written is refused (400, graph unchanged), then both send it with the ``.``;
   - step 11's expected body is the graph of step 2 ("John Doe", no ``foaf:name``), which no server
     can return after steps 3 and 10; it checks the graph steps 3 and 10 make, which is also what
     step 13's expected body implies (that body, minus the names step 12 adds);
   - step 16 "after noop" has no noop request anywhere; it repeats the GET of step 15.

3. Our own: 401 with WWW-Authenticate for the public, 403 for an editor, a broken body (Turtle,
   or one bad part of a multipart) leaves the store unchanged and names the line, 415, 406, every
   format both ways, direct identification by request URL, the default graph's isolation from
   public queries, and that the graph store (admin only) bypasses the SHACL gate.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from sherloc_kg.access import PUBLIC, Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import SHARED, snapshot
from .servers import serving

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
CONFORMANCE = "conformance/w3c-sparql11"
GSP_MANIFESTS = ("graph-store-protocol/manifest-direct.ttl", "graph-store-protocol/manifest-indirect.ttl")
OLD_MANIFEST = "http-rdf-update/manifest.ttl"
ENDPOINT = "/rdf-graph-store"

#: hts: status names as the manifests use them.
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "BadRequest": 400, "NotFound": 404,
          "NotAcceptable": 406, "UnsupportedMediaType": 415}
#: Formats of expected bodies, by response Content-Type (rdflib parser names).
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                  "application/ld+json": "json-ld"}


# -- servers -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def editor_token(token_file: Path) -> str:
    return Tokens(token_file).create("editor", name="graph store tests")


@dataclass
class Served:
    url: str
    store: EmbeddedStore
    token: str

    @property
    def endpoint(self) -> str:
        return self.url + ENDPOINT

    def request(self, method: str, target: str, *, token: str | None = "admin", **options) -> httpx.Response:
        """A request to ``target`` (a path on this server, or an absolute URL), as admin by default."""
        headers = dict(options.pop("headers", {}) or {})
        if token == "admin":
            headers["Authorization"] = f"Bearer {self.token}"
        elif token:
            headers["Authorization"] = f"Bearer {token}"
        url = target if target.startswith("http") else self.url + target
        return httpx.request(method, url, headers=headers, timeout=60, **options)


def serve(settings: Settings, token_file: Path, token: str) -> Iterator[Served]:
    store = EmbeddedStore(None)
    with serving(create_app(settings.with_(tokens=token_file), store=store)) as url:
        yield Served(url, store, token)


@pytest.fixture
def server(settings: Settings, token_file: Path, admin_token: str) -> Iterator[Served]:
    """The application over a fresh, empty in-memory store."""
    yield from serve(settings, token_file, admin_token)


# -- 1. the W3C Graph Store Protocol suite -----------------------------------------------------
@functools.cache
def manifest(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def gsp_cases(shared: Path) -> list[tuple[str, URIRef]]:
    cases = []
    for name in GSP_MANIFESTS:
        graph = manifest(shared / CONFORMANCE / name)
        for test in sorted(graph.subjects(RDF.type, MF.GraphStoreProtocolTest)):
            cases.append((name, test))
    return cases


# Collected from the copies of the shared fixtures (the ``shared_dir`` fixture's place);
# the test reads the manifest again through the fixture.
CASES = gsp_cases(SHARED)


def test_the_w3c_suite_was_found() -> None:
    assert len(CASES) == 14, "the W3C graph store manifests hold 14 tests (5 direct, 9 indirect)"


def rdf_list(graph: Graph, head) -> list:
    return list(Collection(graph, head)) if head is not None else []


def header_pairs(graph: Graph, node) -> list[tuple[str, str]]:
    return [(str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
            for h in rdf_list(graph, graph.value(node, HT.headers))]


def expected_statuses(graph: Graph, response) -> list[str]:
    return [str(s)[len(str(HTS)):] for s in graph.objects(response, MF.expectedStatus)]


def status_matches(code: int, names: list[str]) -> bool:
    for name in names:
        klass = re.fullmatch(r"StatusCode(\d)xx", name)
        if (klass and code // 100 == int(klass.group(1))) or STATUS.get(name) == code:
            return True
    return False


def media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def same_header(actual: str | None, expected: str) -> bool:
    normal = lambda v: [p.strip().lower().replace('"', "") for p in v.split(";")]  # noqa: E731
    return actual is not None and normal(actual) == normal(expected)


def assert_isomorphic(actual: httpx.Response, expected_text: str, expected_type: str, *, label: str) -> None:
    returned = Graph().parse(data=actual.content, format=RDFLIB_FORMATS[media_type(actual.headers["content-type"])])
    wanted = Graph().parse(data=expected_text, format=RDFLIB_FORMATS[media_type(expected_type)])
    assert isomorphic(returned, wanted), (
        f"{label}: the graph returned is not the one expected\n--- returned\n"
        f"{returned.serialize(format='nt')}--- expected\n{wanted.serialize(format='nt')}")


@pytest.mark.parametrize(("manifest_name", "test_iri"), CASES, ids=[f"{m.split('-')[-1][:-4]}:{t.split('#')[-1]}"
                                                                    for m, t in CASES])
def test_w3c_graph_store_protocol(manifest_name: str, test_iri: URIRef, shared_dir: Path, server: Served) -> None:
    graph = manifest(shared_dir / CONFORMANCE / manifest_name)
    action = graph.value(test_iri, MF.action)
    authority = str(graph.value(action, HT.connectionAuthority))
    direct = (test_iri, MF.requires, MF.DirectGraphIdentification) in graph
    # Direct identification: the graph IRI is the request URL, so the test's base goes where we are.
    rebase = (lambda text: text.replace(f"http://{authority}/gsp/", f"{server.endpoint}/")) if direct else (lambda t: t)
    variables: dict[str, str] = {}

    def fill(text: str) -> str:
        for name, value in variables.items():
            text = text.replace(name, value)
        return text

    for number, request in enumerate(rdf_list(graph, graph.value(action, HT.requests)), start=1):
        method = str(graph.value(request, HT.methodName))
        path = str(graph.value(request, HT.absolutePath))
        assert path.startswith("/gsp"), path
        path = fill(ENDPOINT + path[len("/gsp"):])
        headers = dict(header_pairs(graph, request))
        body = graph.value(graph.value(request, HT.body), CNT.chars) if graph.value(request, HT.body) else None
        content = rebase(fill(str(body))).encode("utf-8") if body is not None else None
        label = f"{test_iri.split('#')[-1]} request {number}: {method} {path}"

        response = server.request(method, path, headers=headers, content=content)

        expected = graph.value(request, HT.resp)
        statuses = expected_statuses(graph, expected)
        assert status_matches(response.status_code, statuses), (
            f"{label}: got {response.status_code} {response.text[:300]!r}, expected one of {statuses}")
        for name, value in header_pairs(graph, expected):
            assert same_header(response.headers.get(name), value), (
                f"{label}: header {name} is {response.headers.get(name)!r}, expected {value!r}")
        location = graph.value(expected, MF.expectedLocation)
        if location is not None:
            assert response.headers.get("location"), f"{label}: no Location header"
            variables[str(location)] = response.headers["location"]
        expected_body = graph.value(expected, HT.body)
        if expected_body is not None:
            expected_type = dict(header_pairs(graph, expected)).get("content-type", "text/turtle")
            assert_isomorphic(response, rebase(str(graph.value(expected_body, CNT.chars))), expected_type, label=label)
        if method == "HEAD":
            assert response.content == b"", f"{label}: HEAD answered with a body"


# -- 2. the deprecated 2011 suite, encoded from its prose --------------------------------------
PERSON = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix v: <http://www.w3.org/2006/vcard/ns#> .
<{S}/person/1> a foaf:Person;
    foaf:businessCard [ a v:VCard; v:fn "{name}" ]{extra} .
"""
ALICE = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix v: <http://www.w3.org/2006/vcard/ns#> .
[] a foaf:Person; foaf:businessCard [ a v:VCard; v:given-name "Alice" ] .
"""
BOUNDARY = "a6fe4cd636164618814be9f8d3d1a0de"
MULTIPART = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="lastName.ttl"; filename="lastName.ttl"\r\n'
    "Content-Type: text/turtle; charset=utf-8\r\n\r\n"
    "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\r\n"
    '<{S}/person/1> foaf:familyName "Doe" .\r\n\r\n'
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="firstName.ttl"; filename="firstName.ttl"\r\n'
    "Content-Type: text/turtle; charset=utf-8\r\n\r\n"
    "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\r\n"
    '<{S}/person/1> foaf:givenName "Jane" .\r\n\r\n'
    f"--{BOUNDARY}--\r\n"
)
TURTLE = {"Content-Type": "text/turtle; charset=utf-8"}
ACCEPT = {"Accept": "text/turtle"}
TURTLE_UTF8 = "text/turtle; charset=utf-8"


@dataclass(frozen=True)
class Step:
    """One entry of http-rdf-update/manifest.ttl. ``request_line`` and ``status_line`` are quoted
    from its prose (checked against the manifest); the rest is what runs and what is checked.
    In paths and bodies, ``{S}`` is ``$HOST$/$GRAPHSTORE$`` (the server's endpoint URL), ``{G}`` the
    same URL percent-encoded as a query value, ``{NEW}`` the Location of step 14 ($NEWPATH$)."""

    entry: str
    request_line: str
    status_line: str
    method: str
    path: str
    statuses: tuple[int, ...]
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    content_type: str | None = None
    expected: str | None = None
    location: bool = False
    content_length: bool = False


STEPS = (
    Step("put__initial_state", "PUT $GRAPHSTORE$/person/1.ttl HTTP/1.1", "201 Created",
         "PUT", "{S}/person/1.ttl", (201,), TURTLE, PERSON.format(S="{S}", name="John Doe", extra="")),
    Step("get_of_put__initial_state", "GET $GRAPHSTORE$?graph=http://$HOST$/$GRAPHSTORE$/person/1.ttl HTTP/1.1",
         "200 OK", "GET", f"{ENDPOINT}?graph={{G}}%2Fperson%2F1.ttl", (200,), ACCEPT,
         content_type=TURTLE_UTF8, expected=PERSON.format(S="{S}", name="John Doe", extra=""), content_length=True),
    Step("put__graph_already_in_store", "PUT $GRAPHSTORE$/person/1.ttl HTTP/1.1", "204 No Content",
         "PUT", "{S}/person/1.ttl", (204,), TURTLE, PERSON.format(S="{S}", name="Jane Doe", extra="")),
    Step("get_of_put__graph_already_in_store", "GET $GRAPHSTORE$/person/1.ttl HTTP/1.1", "200 OK",
         "GET", "{S}/person/1.ttl", (200,), ACCEPT,
         content_type=TURTLE_UTF8, expected=PERSON.format(S="{S}", name="Jane Doe", extra=""), content_length=True),
    Step("put__default_graph", "PUT $GRAPHSTORE$?default HTTP/1.1", "201 Created",
         "PUT", f"{ENDPOINT}?default", (201,), TURTLE, ALICE),
    Step("get_of_put__default_graph", "GET $GRAPHSTORE$?default HTTP/1.1", "200 OK",
         "GET", f"{ENDPOINT}?default", (200,), ACCEPT, content_type=TURTLE_UTF8, expected=ALICE, content_length=True),
    # Prose: 200 OK. No earlier step creates person/2.ttl: the step PUTs it first (see the docstring).
    Step("delete__existing_graph", "DELETE $GRAPHSTORE$/person/2.ttl HTTP/1.1", "200 OK",
         "DELETE", "{S}/person/2.ttl", (200, 204)),
    Step("get_of_delete__existing_graph", "GET $GRAPHSTORE$/person/2.ttl HTTP/1.1", "404 Not Found",
         "GET", "{S}/person/2.ttl", (404,)),
    Step("delete__nonexistent_graph", "DELETE $GRAPHSTORE$/person/2.ttl HTTP/1.1", "404 Not Found",
         "DELETE", "{S}/person/2.ttl", (404,)),
    # Prose: 200 OK, and a body without its final '.' (sent as written first: refused).
    Step("post__existing_graph", "POST $GRAPHSTORE$/person/1.ttl HTTP/1.1", "200 OK",
         "POST", "{S}/person/1.ttl", (200, 204), TURTLE,
         '@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\n<{S}/person/1> foaf:name "Jane Doe" .\n'),
    # Prose expects step 2's graph, impossible here: the graph steps 3 and 10 make.
    Step("get_of_post__existing_graph", "GET $GRAPHSTORE$/person/1.ttl HTTP/1.1", "200 OK",
         "GET", "{S}/person/1.ttl", (200,), ACCEPT, content_type=TURTLE_UTF8,
         expected=PERSON.format(S="{S}", name="Jane Doe", extra=';\n    foaf:name "Jane Doe"'), content_length=True),
    # Prose: 200 OK, parts without their final '.'.
    Step("post__multipart_formdata", "POST $GRAPHSTORE$/person/1.ttl HTTP/1.1", "200 OK",
         "POST", "{S}/person/1.ttl", (200, 204), {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
         MULTIPART),
    Step("get_of_post__multipart_formdata", "GET $GRAPHSTORE$/person/1.ttl HTTP/1.1", "200 OK",
         "GET", "{S}/person/1.ttl", (200,), content_type=TURTLE_UTF8, content_length=True,
         expected=PERSON.format(S="{S}", name="Jane Doe", extra=';\n    foaf:name "Jane Doe"; '
                                'foaf:givenName "Jane"; foaf:familyName "Doe"')),
    Step("post__create__new_graph", "POST $GRAPHSTORE$ HTTP/1.1", "201 Created",
         "POST", ENDPOINT, (201,), TURTLE, ALICE, location=True),
    Step("get_of_post__create__new_graph", "GET $NEWPATH$ HTTP/1.1", "200 OK",
         "GET", "{NEW}", (200,), ACCEPT, content_type=TURTLE_UTF8, expected=ALICE, content_length=True),
    # No noop request exists in the suite: the same GET again.
    Step("get_of_post__after_noop", "GET $NEWPATH$ HTTP/1.1", "200 OK",
         "GET", "{NEW}", (200,), ACCEPT, content_type=TURTLE_UTF8, expected=ALICE, content_length=True),
    Step("head_on_an_existing_graph", "HEAD $GRAPHSTORE$/person/1.ttl HTTP/1.1", "200 OK",
         "HEAD", "{S}/person/1.ttl", (200,), content_type=TURTLE_UTF8, content_length=True),
    Step("head_on_a_nonexisting_graph", "HEAD $GRAPHSTORE$/person/4.ttl HTTP/1.1", "404 Not Found",
         "HEAD", "{S}/person/4.ttl", (404,)),
)


class Replay:
    """The store the 2011 steps share, and how far along them it is."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.done = 0
        self.new = ""

    def fill(self, text: str) -> str:
        endpoint = self.served.endpoint
        return (text.replace("{G}", quote(endpoint, safe="")).replace("{S}", endpoint)
                .replace("{NEW}", self.new))

    def run(self, step: Step) -> None:
        served, label = self.served, f"{step.entry}: {step.method} {self.fill(step.path)}"
        if step.entry == "delete__existing_graph":  # the precondition the prose leaves out
            made = served.request("PUT", self.fill("{S}/person/2.ttl"), headers=TURTLE, content=ALICE)
            assert made.status_code == 201, made.text
        if step.entry in ("post__existing_graph", "post__multipart_formdata"):
            as_written = step.body.replace(" .\n", "\n") if step.entry == "post__existing_graph" \
                else step.body.replace(' .\r\n', '\r\n')
            before = snapshot(served.store)
            refused = served.request(step.method, self.fill(step.path), headers=step.headers,
                                     content=self.fill(as_written).encode())
            assert refused.status_code == 400 and snapshot(served.store) == before, refused.text
        content = self.fill(step.body).encode() if step.body is not None else None
        response = served.request(step.method, self.fill(step.path), headers=step.headers, content=content)
        assert response.status_code in step.statuses, f"{label}: {response.status_code} {response.text[:300]}"
        if step.content_type:
            assert same_header(response.headers.get("content-type"), step.content_type), label
        if step.content_length:
            assert int(response.headers["content-length"]) > 0, label
        if step.location:
            self.new = response.headers["location"]
            assert self.new.startswith(self.served.endpoint + "/"), label
        if step.expected is not None:
            assert_isomorphic(response, self.fill(step.expected), TURTLE_UTF8, label=label)
        if step.method == "HEAD":
            assert response.content == b"", label


@pytest.fixture(scope="class")
def replay(settings: Settings, token_file: Path, admin_token: str) -> Iterator[Replay]:
    yield from (Replay(s) for s in serve(settings, token_file, admin_token))


def test_http_rdf_update_manifest_is_prose_of_these_18_steps(shared_dir: Path) -> None:
    graph = manifest(shared_dir / CONFORMANCE / OLD_MANIFEST)
    base = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/http-rdf-update/manifest#"
    entries = rdf_list(graph, graph.value(next(graph.subjects(RDF.type, MF.Manifest)), MF.entries))
    assert [str(e)[len(base):] for e in entries] == [s.entry for s in STEPS]
    for entry, step in zip(entries, STEPS):
        assert (entry, RDF.type, MF.GraphStoreProtocolTest) in graph
        assert graph.value(entry, MF.action) is None and graph.value(entry, HT.requests) is None, \
            f"{step.entry} became runnable: run it from the manifest instead"
        prose = " ".join(str(c) for c in graph.objects(entry, RDFS.comment) if isinstance(c, Literal))
        request, _, response = prose.partition("#### Response")
        assert step.request_line in request, step.entry
        assert step.status_line in response, step.entry


class TestHttpRdfUpdate2011:
    """The 18 steps of http-rdf-update/manifest.ttl, in order, on one shared store."""

    @pytest.mark.parametrize("number", range(len(STEPS)), ids=[s.entry for s in STEPS])
    def test_step(self, number: int, replay: Replay) -> None:
        while replay.done < number:  # run alone: replay the steps before it
            replay.run(STEPS[replay.done])
            replay.done += 1
        assert replay.done == number, "steps ran out of order"
        replay.run(STEPS[number])
        replay.done += 1


# -- 3. our own --------------------------------------------------------------------------------
GRAPH = "http://example.org/graph/people"
GRAPH_URL = f"{ENDPOINT}?graph={quote(GRAPH, safe='')}"
PEOPLE = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/id/ana> a foaf:Person ; foaf:name "Ana"@es ; foaf:knows [ foaf:name "Bo" ] .
<http://example.org/id/bo> foaf:age 41 .
"""


def people() -> Graph:
    return Graph().parse(data=PEOPLE, format="turtle")


def put_people(server: Served) -> None:
    assert server.request("PUT", GRAPH_URL, headers=TURTLE, content=PEOPLE).status_code == 201


def test_the_public_gets_401_with_a_bearer_challenge(server: Served) -> None:
    for method in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        response = server.request(method, GRAPH_URL, token=None, headers=TURTLE,
                                  content=PEOPLE if method in ("PUT", "POST") else None)
        assert response.status_code == 401, (method, response.text)
        assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert server.request("PUT", GRAPH_URL, token="skg_nope_nope", headers=TURTLE, content=PEOPLE).status_code == 401
    assert not server.store.graph_exists(GRAPH)


def test_an_editor_gets_403(server: Served, editor_token: str) -> None:
    put_people(server)
    for method in ("GET", "PUT", "POST", "DELETE"):
        response = server.request(method, GRAPH_URL, token=editor_token, headers=TURTLE,
                                  content=PEOPLE if method in ("PUT", "POST") else None)
        assert response.status_code == 403 and "admin" in response.json()["message"], (method, response.text)
    assert isomorphic(Graph().parse(data=server.request("GET", GRAPH_URL).content, format="turtle"), people())


def test_a_broken_put_leaves_the_store_unchanged_and_names_the_line(server: Served) -> None:
    put_people(server)
    before = snapshot(server.store)
    broken = '@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n<http://example.org/id/cy> foaf:name "Cy" .\n' \
             '<http://example.org/id/cy> foaf:knows <http://example.org/id/ana> ;\n  foaf:age "41 .\n'
    response = server.request("PUT", GRAPH_URL, headers=TURTLE, content=broken)
    assert response.status_code == 400
    assert re.search(r"line [34]\b", response.json()["message"]), response.json()
    assert snapshot(server.store) == before


def test_one_bad_file_in_a_multipart_post_writes_none_of_them(server: Served) -> None:
    put_people(server)
    before = snapshot(server.store)
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"good\"; filename=\"good.nt\"\r\n\r\n"
            "<http://example.org/id/cy> <http://xmlns.com/foaf/0.1/name> \"Cy\" .\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"bad\"; filename=\"bad.rdf\"\r\n"
            "Content-Type: application/rdf+xml\r\n\r\n"
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
            "<rdf:Description rdf:about=\"http://example.org/id/cy\">\n</rdf:RDF>\r\n"
            f"--{BOUNDARY}--\r\n")
    response = server.request("POST", GRAPH_URL, content=body.encode(),
                              headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert "bad.rdf" in message and "line 3" in message, message
    assert snapshot(server.store) == before


def test_unsupported_or_missing_content_type_is_415(server: Served) -> None:
    for headers in ({"Content-Type": "application/pdf"}, {"Content-Type": "text/html; charset=utf-8"}, {}):
        for method in ("PUT", "POST"):
            response = server.request(method, GRAPH_URL, headers=headers, content=PEOPLE.encode())
            assert response.status_code == 415, (headers, method, response.text)
    assert server.store.count() == 0


def test_nothing_acceptable_is_406(server: Served) -> None:
    put_people(server)
    response = server.request("GET", GRAPH_URL, headers={"Accept": "image/png, text/html;q=0.5"})
    assert response.status_code == 406 and "text/turtle" in response.json()["message"]


# rdflib's JSON-LD plugin builds a ConjunctiveGraph inside, which rdflib itself deprecates.
RDFLIB_JSONLD = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@RDFLIB_JSONLD
@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml",
                                    "application/n-triples"])
def test_every_graph_format_by_accept(server: Served, accept: str) -> None:
    put_people(server)
    response = server.request("GET", GRAPH_URL, headers={"Accept": f"{accept}, */*;q=0.1"})
    assert response.status_code == 200 and media_type(response.headers["content-type"]) == accept
    assert "accept" in response.headers["vary"].lower()
    assert isomorphic(Graph().parse(data=response.content, format=RDFLIB_FORMATS[accept]), people())


@RDFLIB_JSONLD
@pytest.mark.parametrize("media", ["application/n-triples", "application/rdf+xml", "application/ld+json",
                                   "application/trig", "application/n-quads"])
def test_bodies_in_every_syntax(server: Served, media: str) -> None:
    if media == "application/trig":  # the triples in the document's default graph, as a block
        prologue, _, statements = PEOPLE.partition("\n")
        document = f"{prologue}\n{{\n{statements}}}\n"
    elif media == "application/n-quads":  # quads without a graph name
        document = people().serialize(format="nt")
    else:
        document = people().serialize(format=RDFLIB_FORMATS[media])
    response = server.request("PUT", GRAPH_URL, headers={"Content-Type": media}, content=document.encode())
    assert response.status_code == 201, response.text
    returned = server.request("GET", GRAPH_URL, headers={"Accept": "application/n-triples"})
    assert isomorphic(Graph().parse(data=returned.content, format="nt"), people())


def test_a_dataset_body_naming_graphs_is_refused(server: Served) -> None:
    quads = '<http://example.org/id/ana> <http://xmlns.com/foaf/0.1/name> "Ana" <http://example.org/other> .\n'
    response = server.request("PUT", GRAPH_URL, headers={"Content-Type": "application/n-quads"}, content=quads)
    assert response.status_code == 400 and "http://example.org/other" in response.json()["message"]
    assert server.store.count() == 0


def test_direct_identification_names_the_graph_by_its_request_url(server: Served) -> None:
    direct = f"{server.endpoint}/people/ana.ttl"
    assert server.request("PUT", direct, headers=TURTLE, content=PEOPLE).status_code == 201
    assert server.store.graphs() == [direct]
    indirect = server.request("GET", f"{ENDPOINT}?graph={quote(direct, safe='')}", headers=ACCEPT)
    assert isomorphic(Graph().parse(data=indirect.content, format="turtle"), people())
    relative = "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n<#me> foaf:name \"Ana\" .\n"
    assert server.request("PUT", direct, headers=TURTLE, content=relative).status_code == 204
    triples = list(Graph().parse(data=server.request("GET", direct).content, format="turtle"))
    assert triples == [(URIRef(direct + "#me"), FOAF.name, Literal("Ana"))]
    assert server.request("GET", direct + "?default").status_code == 400


def test_post_to_the_store_mints_a_graph_below_the_endpoint(server: Served) -> None:
    first = server.request("POST", ENDPOINT, headers=TURTLE, content=PEOPLE)
    second = server.request("POST", ENDPOINT, headers=TURTLE, content=PEOPLE)
    assert first.status_code == second.status_code == 201
    locations = [first.headers["location"], second.headers["location"]]
    assert locations[0] != locations[1] and all(u.startswith(server.endpoint + "/") for u in locations)
    assert sorted(server.store.graphs()) == sorted(locations)
    empty = server.request("POST", ENDPOINT, headers=TURTLE, content=b"")
    assert empty.status_code == 400 and len(server.store.graphs()) == 2


def test_graph_identification_is_checked(server: Served) -> None:
    for path in (f"{ENDPOINT}?graph=people", f"{ENDPOINT}?graph={GRAPH}&default",
                 f"{ENDPOINT}?graph={GRAPH}&graph={GRAPH}x", f"{ENDPOINT}?graph=http://a/b%3Ec"):
        response = server.request("PUT", path, headers=TURTLE, content=PEOPLE)
        assert response.status_code == 400, (path, response.text)
    for method in ("GET", "PUT", "DELETE"):
        response = server.request(method, ENDPOINT, headers=TURTLE, content=PEOPLE if method == "PUT" else None)
        assert response.status_code == 400 and "needs a graph" in response.json()["message"]
    assert server.store.count() == 0


def test_put_post_and_delete_are_graph_replace_merge_and_drop(server: Served) -> None:
    put_people(server)
    other = "<http://example.org/id/cy> <http://xmlns.com/foaf/0.1/name> \"Cy\" .\n"
    assert server.request("POST", GRAPH_URL, headers={"Content-Type": "application/n-triples"},
                          content=other).status_code == 204
    merged = Graph().parse(data=server.request("GET", GRAPH_URL).content, format="turtle")
    assert isomorphic(merged, people() + Graph().parse(data=other, format="nt"))
    assert server.request("PUT", GRAPH_URL, headers={"Content-Type": "text/plain"}, content=other).status_code == 204
    replaced = Graph().parse(data=server.request("GET", GRAPH_URL).content, format="turtle")
    assert isomorphic(replaced, Graph().parse(data=other, format="nt"))
    assert server.request("DELETE", GRAPH_URL).status_code == 204
    assert server.store.count() == 0 and server.request("DELETE", GRAPH_URL).status_code == 404
    assert server.request("POST", GRAPH_URL, headers=TURTLE, content=PEOPLE).status_code == 201


def test_the_default_graph_is_the_stores_own_and_no_public_query_sees_it(server: Served, settings: Settings) -> None:
    iris = Iris(settings.base)
    cases = str(iris.graph("cases"))
    assert server.request("PUT", f"{ENDPOINT}?default", headers=TURTLE, content=PEOPLE).status_code == 201
    assert server.request("PUT", f"{ENDPOINT}?graph={quote(cases, safe='')}", headers=TURTLE,
                          content="<http://example.org/id/x> <http://example.org/p> 1 .").status_code == 201
    log = str(iris.version_log(cases))  # the change feed's version log of the graph (sherloc_kg/versions.py)
    assert server.store.graphs() == [cases, log] and server.store.count() - server.store.count(log) == len(people()) + 1
    ask = "ASK { <http://example.org/id/bo> ?p ?o }"
    assert not server.store.ask(ask, dataset=PUBLIC.dataset(iris))
    assert server.store.ask("ASK { <http://example.org/id/x> ?p ?o }", dataset=PUBLIC.dataset(iris))
    assert server.request("DELETE", f"{ENDPOINT}?default").status_code == 204
    assert server.request("GET", f"{ENDPOINT}?default").status_code == 404
    assert server.store.graphs() == [cases, log]


def test_it_writes_raw_rdf_past_the_shacl_gate(server: Served, settings: Settings) -> None:
    """A court case with no name, no country, nothing the shapes require: the ingest pipeline would
    refuse it; the graph store, an admin's repair tool, writes it as it is."""
    cases = str(Iris(settings.base).graph("cases"))
    case = "<https://w3id.org/sherloc/id/case/BROKEN> a <https://w3id.org/sherloc/ontology#CourtCase> .\n"
    response = server.request("PUT", f"{ENDPOINT}?graph={quote(cases, safe='')}", headers=TURTLE, content=case)
    assert response.status_code == 201 and server.store.count(cases) == 1


def test_head_has_the_headers_of_get_and_no_body(server: Served) -> None:
    put_people(server)
    got = server.request("GET", GRAPH_URL, headers=ACCEPT)
    head = server.request("HEAD", GRAPH_URL, headers=ACCEPT)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))


def test_percent_encoding_is_decoded_once_and_plus_is_a_plus(server: Served) -> None:
    plus = server.request("PUT", f"{ENDPOINT}?graph=http://example.org/a+b", headers=TURTLE, content=PEOPLE)
    assert plus.status_code == 201 and server.store.graphs() == ["http://example.org/a+b"]
    twice = server.request("PUT", f"{ENDPOINT}?graph=http://example.org/%2541", headers=TURTLE, content=PEOPLE)
    assert twice.status_code == 201 and "http://example.org/%41" in server.store.graphs()
    space = server.request("PUT", f"{ENDPOINT}?graph=http://example.org/a%20b", headers=TURTLE, content=PEOPLE)
    assert space.status_code == 400 and len(server.store.graphs()) == 2
