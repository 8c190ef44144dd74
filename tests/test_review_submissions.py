"""The submission workflow of the review under article 32 (api/review.py), over real HTTP.

A fictional State (Aurelia, XAA; Borealis, XAB: user-assigned ISO codes, data/fictional-states.csv)
submits answers with a ``submitter`` token; invalid answers are refused with a report and leave the
store exactly as it was; another State's token is refused; unpublished answers never reach a public
response; an official of the State publishes; every version stays queryable with who and when.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from sherloc_kg.access import Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving
from .test_search_api import examples_store

BASE = "https://w3id.org/sherloc/"
G = BASE + "graph/"
JSON = "application/sparql-results+json"



@dataclass
class Server:
    client: httpx.Client
    store: EmbeddedStore
    bearer: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = examples_store(settings)
    token_file = Path(tmp_path_factory.mktemp("review-tokens")) / "tokens.json"
    tokens = Tokens(token_file)
    made = {
        "submitter-XAA": tokens.create("submitter", country="XAA", name="Aurelia expert"),
        "submitter-XAB": tokens.create("submitter", country="XAB", name="Borealis expert"),
        "official-XAA": tokens.create("official", country="XAA", name="Aurelia focal point"),
        "official-XAB": tokens.create("official", country="XAB", name="Borealis focal point"),
        "editor": tokens.create("editor", name="an editor"),
        "admin": tokens.create("admin", name="the administrator"),
    }
    bearer = {"public": {}} | {who: {"Authorization": f"Bearer {token}"} for who, token in made.items()}
    app = create_app(settings.with_(tokens=token_file), store=store)
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield Server(client, store, bearer)


def snapshot(store: EmbeddedStore) -> list[str]:
    buffer = io.BytesIO()
    store.dump(buffer, media_type="application/n-quads")
    return sorted(buffer.getvalue().decode("utf-8").splitlines())


def answer(answer_id: str, marker: str, **changes) -> dict:
    """A valid answer of Aurelia, its practices text carrying ``marker`` (a text found nowhere else)."""
    return {"id": answer_id, "country": "XAA", "cycle": 1, "cluster": 1, "provision": "untoc/art/6",
            "status": "partially-implemented", "measures": ["XAA-penal-code#150"],
            "practices": f"[Illustrative] Invented answer {marker}: laundering of proceeds is an offence.",
            "difficulties": f"[Illustrative] Invented difficulty {marker}.",
            "assistance_needs": ["training"], "date": "2024-05-01"} | changes


def marker() -> str:
    return "MARK" + uuid.uuid4().hex[:12].upper()


def submit(server: Server, who: str, body, **headers) -> httpx.Response:
    return server.client.post("/api/review/submissions", json=body, headers=server.bearer[who] | headers)


def public_bodies(server: Server, answer_id: str) -> list[str]:
    """What the public gets from every surface that could show an answer."""
    iri = BASE + "id/review/" + answer_id
    c = server.client
    texts = []
    for query in (
        "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT * FROM NAMED <{G}review-restricted> FROM NAMED <{G}provenance-restricted> "
        f"FROM NAMED <{G}review-restricted/XAA> FROM NAMED <{G}provenance-restricted/XAA> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT * WHERE {{ GRAPH <{G}review-restricted> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ GRAPH <{G}review-restricted/XAA> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}",
        f"DESCRIBE <{iri}/version/1> <{iri}/version/2>",
    ):
        response = c.get("/sparql", params={"query": query}, headers={"Accept": JSON + ", text/turtle;q=0.9"})
        assert response.status_code == 200, response.text
        texts.append(response.text)
    for path in (f"/id/review/{answer_id}", f"/id/review/{answer_id}/version/1",
                 f"/id/review/{answer_id}/version/2", f"/api/resource?iri={iri}",
                 "/api/search/cases?q=Invented", "/api/stats", "/api/review/submissions?country=XAA",
                 f"/api/review/submissions/{answer_id}",
                 f"/api/queries/review-answer-history?answer=review/{answer_id}"):
        for accept in ("text/turtle", "application/json", "text/html"):
            texts.append(c.get(path, headers={"Accept": accept}).text)
    return texts


# -- submitting ---------------------------------------------------------------------------------

def test_a_submitter_submits_answers_of_its_state_restricted_with_who_and_when(server: Server) -> None:
    secret = marker()
    before_public = server.client.get("/api/stats").json()
    response = submit(server, "submitter-XAA", [answer("XAA-sub-art-6", secret)])
    assert response.status_code == 201, response.text
    stored = response.json()["stored"]
    assert stored == [{"id": "XAA-sub-art-6", "iri": BASE + "id/review/XAA-sub-art-6", "version": 1,
                       "version_iri": BASE + "id/review/XAA-sub-art-6/version/1",
                       "graph": "review-restricted/XAA", "published": False}]
    rows = server.store.select(f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?g ?who ?when ?name WHERE {{ GRAPH ?g {{ <{stored[0]['version_iri']}> prov:wasAttributedTo ?a ;
            prov:generatedAtTime ?when ; dcterms:creator ?who . ?a foaf:name ?name }} }}""").rows
    assert [(str(r["g"]), str(r["who"]), str(r["name"])) for r in rows] == \
        [(G + "review-restricted/XAA", "Aurelia expert", "Aurelia expert")]
    # the public sees nothing of it, anywhere, and its figures do not move
    for body in public_bodies(server, "XAA-sub-art-6"):
        assert secret not in body and "Aurelia expert" not in body
    assert server.client.get("/api/stats").json() == before_public
    assert server.client.get("/id/review/XAA-sub-art-6", headers={"Accept": "text/turtle"}).status_code == 404
    # the submitter lists its State's answers; an official reads them everywhere
    mine = server.client.get("/api/review/submissions", headers=server.bearer["submitter-XAA"]).json()
    listed = {a["id"]: a for a in mine["answers"]}
    assert listed["XAA-sub-art-6"]["published"] is False and secret in listed["XAA-sub-art-6"]["practices"]
    assert listed["XAA-sub-art-6"]["current_version"].endswith("/version/1")
    assert listed["XAA-sub-art-6"]["measures"] == ["XAA:XAA-penal-code#150"]
    official = server.bearer["official-XAA"]
    assert secret in server.client.get("/id/review/XAA-sub-art-6", headers=official | {"Accept": "text/turtle"}).text
    query = f"SELECT ?o WHERE {{ <{BASE}id/review/XAA-sub-art-6> ?p ?o }}"
    assert secret in server.client.get("/sparql", params={"query": query}, headers=official | {"Accept": JSON}).text
    other = server.client.get("/api/review/submissions?country=XAA", headers=server.bearer["submitter-XAB"]).json()
    assert "XAA-sub-art-6" not in {a["id"] for a in other["answers"]}


def test_json_ld_answers_are_read_like_json(server: Server) -> None:
    secret = marker()
    iri = BASE + "id/review/XAA-sub-jsonld"
    document = {
        "@context": {"sherloc": "https://w3id.org/sherloc/ontology#", "dcterms": "http://purl.org/dc/terms/",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": iri, "@type": "sherloc:ReviewResponse",
        "sherloc:country": {"@id": BASE + "id/country/XAA"},
        "sherloc:aboutProvision": {"@id": BASE + "id/instrument/som/art/6"},
        "sherloc:implementationStatus": {"@id": BASE + "vocab/review-status/not-implemented"},
        "sherloc:practices": f"[Illustrative] Invented {secret}",
        "dcterms:date": {"@value": "2024-06-01", "@type": "xsd:date"},
    }
    response = server.client.post("/api/review/submissions", content=json.dumps(document),
                                  headers=server.bearer["submitter-XAA"] | {"Content-Type": "application/ld+json"})
    assert response.status_code == 201, response.text
    assert response.json()["stored"][0]["id"] == "XAA-sub-jsonld"
    mine = server.client.get("/api/review/submissions/XAA-sub-jsonld", headers=server.bearer["submitter-XAA"]).json()
    assert mine["answer"]["provision"] == "som/art/6" and mine["answer"]["status"] == "not-implemented"
    assert secret in mine["versions"][0]["practices"]


# -- refusing -----------------------------------------------------------------------------------

def test_an_invalid_submission_is_refused_with_a_report_and_nothing_is_stored(server: Server) -> None:
    before = snapshot(server.store)
    good, bad = answer("XAA-sub-good", marker()), answer("XAA-sub-bad", marker(), status="done",
                                                          provision="untoc/art/999", date="2001-01-01")
    response = submit(server, "submitter-XAA", [good, bad])
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["stored"] is False and "nothing was stored" in report["message"]
    problems = {p["field"]: p for p in report["problems"]}
    assert {"status", "provision", "date"} <= set(problems)
    for field in ("status", "provision", "date"):
        assert problems[field]["index"] == 1 and problems[field]["id"] == "XAA-sub-bad"
        assert problems[field]["message"]
    assert problems["status"]["value"].endswith("/vocab/review-status/done")
    assert problems["date"]["value"] == "2001-01-01"
    assert "status" in problems["status"]["message"]
    assert snapshot(server.store) == before

    # a field that cannot even be read is reported the same way
    unreadable = submit(server, "submitter-XAA", [answer("XAA-sub-odd", marker(), provison="untoc/art/5")])
    assert unreadable.status_code == 422
    (problem,) = unreadable.json()["problems"]
    assert problem["index"] == 0 and problem["field"] == "provison" and "did you mean 'provision'" in problem["message"]
    # and so is an attempt to publish by submitting
    published = submit(server, "submitter-XAA", [answer("XAA-sub-pub", marker(), published=True)])
    assert published.status_code == 422 and published.json()["problems"][0]["field"] == "published"

    # a client that asks for JSON by its everyday name gets the JSON report, not a 406
    plain_json = submit(server, "submitter-XAA", [good, bad], Accept="application/json")
    assert plain_json.status_code == 422 and plain_json.json()["stored"] is False, plain_json.text

    turtle = submit(server, "submitter-XAA", [good, bad], Accept="text/turtle")
    assert turtle.status_code == 422 and turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    (report_node,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert str(graph.value(report_node, SH.conforms)) == "false"
    results = list(graph.objects(report_node, SH.result))
    assert len(results) >= 3
    assert {graph.value(r, SH.focusNode) for r in results} == {URIRef(BASE + "id/review/XAA-sub-bad")}
    paths = {str(graph.value(r, SH.resultPath)) for r in results}
    assert "https://w3id.org/sherloc/ontology#implementationStatus" in paths
    assert all(graph.value(r, SH.resultMessage) for r in results)
    assert snapshot(server.store) == before


def test_only_a_token_of_the_state_may_submit_for_it(server: Server) -> None:
    before = snapshot(server.store)
    body = [answer("XAA-sub-other", marker())]
    refused = submit(server, "submitter-XAB", body)
    assert refused.status_code == 403 and "XAA-sub-other" in refused.json()["message"]
    assert submit(server, "public", body).status_code == 401
    assert submit(server, "editor", body).status_code == 403
    # nor may it take over another State's answer by its id
    taken = submit(server, "submitter-XAB", [answer("XAA-sub-art-6", marker(), country="XAB",
                                                    measures=[])])
    assert taken.status_code == 403
    assert snapshot(server.store) == before
    # an admin submits for any State
    assert submit(server, "admin", [answer("XAA-sub-admin", marker())]).status_code == 201


def test_a_state_submits_under_ids_of_its_own_range_only(server: Server) -> None:
    """Answer ids are shared by every State: a submitter's begin with its State's code and a hyphen,
    so that an id of another State's range is refused the same way whether an answer holds it or
    not (issue 24, finding 7)."""
    before = snapshot(server.store)
    for answer_id in ("sub-no-prefix", "XAAsub-no-hyphen", "xaa-sub-lower", "XAB-sub-other-range"):
        refused = submit(server, "submitter-XAA", [answer(answer_id, marker())])
        assert refused.status_code == 403, refused.text
        assert "begins with 'XAA-'" in refused.json()["message"] and answer_id in refused.json()["message"]
    assert snapshot(server.store) == before
    taken = submit(server, "submitter-XAB", [answer("XAA-sub-art-6", marker(), country="XAB", measures=[])])
    unused = submit(server, "submitter-XAB", [answer("XAA-sub-never-used", marker(), country="XAB", measures=[])])
    assert taken.status_code == unused.status_code == 403
    assert taken.json()["message"].replace("XAA-sub-art-6", "ID") == \
        unused.json()["message"].replace("XAA-sub-never-used", "ID")
    # an admin writes for any State, but in that State's range too: no State's range holds another's answer
    assert submit(server, "admin", [answer("XAB-sub-admin", marker(), country="XAB", measures=[])]).status_code == 201
    outside = submit(server, "admin", [answer("sub-admin-any-id", marker())])
    assert outside.status_code == 422 and "begins with its State's code" in outside.text, outside.text[:500]
    # the explorer's CSV form holds its rows to the same rule
    from .test_explorer_review_upload import HEADER, row

    mark = marker()
    before = snapshot(server.store)
    page = server.client.post("/explore/review/submit", data={"report": "html"}, headers=server.bearer["submitter-XAA"],
                              files={"answers": ("a.csv", (HEADER + row(f"XAB-csv-{mark}", mark)).encode(), "text/csv")})
    assert page.status_code == 403
    assert "row 2" in page.text and "begins with &#39;XAA-&#39;" in page.text and "Nothing was stored" in page.text
    assert snapshot(server.store) == before


# -- publishing and versions --------------------------------------------------------------------

def test_publishing_and_the_history_of_versions(server: Server) -> None:
    first, second = marker(), marker()
    assert submit(server, "submitter-XAA", [answer("XAA-sub-hist", first)]).status_code == 201
    c = server.client
    publish = "/api/review/submissions/XAA-sub-hist/publish"
    assert c.post(publish).status_code == 401
    assert c.post(publish, headers=server.bearer["submitter-XAA"]).status_code == 403
    # Another State's unpublished answer is refused as one that does not exist (issue 24: no oracle).
    assert c.post(publish, headers=server.bearer["official-XAB"]).status_code == 404
    assert c.post("/api/review/submissions/nothing-here/publish", headers=server.bearer["admin"]).status_code == 404
    done = c.post(publish, headers=server.bearer["official-XAA"])
    assert done.status_code == 200, done.text
    assert done.json()["version"] == BASE + "id/review/XAA-sub-hist/version/1"
    # public now
    page = c.get("/id/review/XAA-sub-hist", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and first in page.text
    listed = {a["id"]: a for a in c.get("/api/review/submissions?country=XAA").json()["answers"]}
    assert listed["XAA-sub-hist"]["published"] is True and "XAA-sub-art-6" not in listed

    # a second version: restricted again, the first stays public as history
    response = submit(server, "submitter-XAA", [answer("XAA-sub-hist", second, status="implemented")])
    assert response.json()["stored"][0]["version"] == 2
    for body in public_bodies(server, "XAA-sub-hist"):
        assert second not in body
    history = "/api/queries/review-answer-history"
    params = {"answer": "review/XAA-sub-hist"}
    public_rows = c.get(history, params=params, headers={"Accept": JSON}).json()["results"]["bindings"]
    assert [r["number"]["value"] for r in public_rows] == ["1"] and first in public_rows[0]["practices"]["value"]
    # published, but the submitter's name is not: the public sees the agent (its role, its State) only
    assert "submitterName" not in public_rows[0] and "publishedAt" in public_rows[0]
    assert public_rows[0]["submitter"]["value"].startswith(BASE + "id/agent/")
    official_rows = c.get(history, params=params, headers=server.bearer["official-XAA"] | {"Accept": JSON}
                          ).json()["results"]["bindings"]
    assert [r["number"]["value"] for r in official_rows] == ["1", "2"]
    v1, v2 = official_rows
    assert v2["previous"]["value"] == v1["version"]["value"]
    assert v2["current"]["value"] == "true" and v1["current"]["value"] == "false"
    assert second in v2["practices"]["value"] and v2["status"]["value"].endswith("/implemented")
    assert v2["submittedAt"]["value"] >= v1["submittedAt"]["value"]
    assert v1["submitterName"]["value"] == "Aurelia expert"  # the State's officials still see who

    # publish the second: both versions public, linked
    assert c.post(publish, headers=server.bearer["admin"]).status_code == 200
    public_rows = c.get(history, params=params, headers={"Accept": JSON}).json()["results"]["bindings"]
    assert [r["number"]["value"] for r in public_rows] == ["1", "2"]
    assert public_rows[1]["previous"]["value"] == public_rows[0]["version"]["value"]
    assert public_rows[1]["publisher"]["value"].startswith(BASE + "id/agent/")
    assert second in c.get("/id/review/XAA-sub-hist", headers={"Accept": "text/turtle"}).text
    assert not server.store.select(
        f"SELECT * WHERE {{ GRAPH <{G}review-restricted/XAA> {{ <{BASE}id/review/XAA-sub-hist> ?p ?o }} }}").rows
    assert server.store.select(
        f"SELECT * WHERE {{ GRAPH <{G}review> {{ <{BASE}id/review/XAA-sub-hist> ?p ?o }} }}").rows


def test_an_unpublished_revision_of_a_never_published_version_hides_the_earlier_one(server: Server) -> None:
    """v1 never published, v2 published: the public sees v2, and not even the IRI of v1."""
    assert submit(server, "submitter-XAA", [answer("XAA-sub-skip", marker())]).status_code == 201
    assert submit(server, "submitter-XAA", [answer("XAA-sub-skip", marker())]).status_code == 201
    assert server.client.post("/api/review/submissions/XAA-sub-skip/publish",
                              headers=server.bearer["official-XAA"]).status_code == 200
    body = server.client.get("/sparql", params={"query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
                             headers={"Accept": JSON}).text
    assert "XAA-sub-skip/version/2" in body and "XAA-sub-skip/version/1" not in body


def test_the_mechanism_dereferences_publicly(server: Server) -> None:
    cluster = server.client.get("/id/mechanism/untoc/cluster/1", headers={"Accept": "text/turtle"})
    assert cluster.status_code == 200 and "som/art/6" in cluster.text and "untoc/art/23" in cluster.text
    resolution = server.client.get("/id/cop/resolution/10/1", headers={"Accept": "text/turtle"})
    assert resolution.status_code == 200 and "id/cop/session/10" in resolution.text


def test_publishing_makes_the_answer_public_but_not_the_names_of_people(server: Server) -> None:
    """Issue 8: the submitter's and the publisher's names (their tokens' --name) stay restricted, in
    the State's graph; the public sees who by role and State only."""
    text = marker()
    assert submit(server, "submitter-XAA", [answer("XAA-sub-names", text)]).status_code == 201
    assert server.client.post("/api/review/submissions/XAA-sub-names/publish",
                              headers=server.bearer["official-XAA"]).status_code == 200
    iri = BASE + "id/review/XAA-sub-names"
    bodies = public_bodies(server, "XAA-sub-names")
    assert any(text in body for body in bodies), "the answer is public now"
    for body in bodies + [server.client.get("/dataset/dump.nq.gz").text]:
        assert "Aurelia expert" not in body and "Aurelia focal point" not in body
    public = server.client.get("/sparql", headers={"Accept": JSON}, params={"query": f"""
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
        SELECT ?role ?state WHERE {{ <{iri}/version/1> prov:wasAttributedTo ?a . ?a skos:note ?role ;
            sherloc:country ?state }}"""}).json()["results"]["bindings"]
    assert [(r["role"]["value"], r["state"]["value"]) for r in public] == [("submitter token", BASE + "id/country/XAA")]
    names = f"""PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
        SELECT ?g ?name WHERE {{ {{ GRAPH ?g {{ <{iri}/version/1> dcterms:creator ?name }} }} UNION
            {{ <{iri}/version/1> prov:wasAttributedTo|sherloc:publishedBy ?a . GRAPH ?g {{ ?a foaf:name ?name }} }} }}"""
    kept = {(str(r["g"]), str(r["name"])) for r in server.store.select(names).rows}
    assert kept == {(G + "review-restricted/XAA", "Aurelia expert"), (G + "review-restricted/XAA", "Aurelia focal point")}
    seen = server.client.get("/sparql", params={"query": names},
                             headers=server.bearer["official-XAA"] | {"Accept": JSON}).text
    assert "Aurelia expert" in seen and "Aurelia focal point" in seen  # the State's officials still see who
    assert "Aurelia expert" not in server.client.get("/sparql", params={"query": names},
                                                     headers=server.bearer["official-XAB"] | {"Accept": JSON}).text


def test_an_official_of_another_state_does_not_read_the_unpublished_answers(server: Server) -> None:
    text = marker()
    assert submit(server, "submitter-XAA", [answer("XAA-sub-scoped", text)]).status_code == 201
    borealis = server.bearer["official-XAB"]
    assert server.client.get("/api/review/submissions/XAA-sub-scoped", headers=borealis).status_code == 404
    listed = server.client.get("/api/review/submissions?country=XAA", headers=borealis).json()
    assert "XAA-sub-scoped" not in {a["id"] for a in listed["answers"]}
    query = f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ <{BASE}id/review/XAA-sub-scoped> ?p ?o }} }}"
    assert text not in server.client.get("/sparql", params={"query": query}, headers=borealis | {"Accept": JSON}).text
    mine = server.client.get("/api/review/submissions/XAA-sub-scoped", headers=server.bearer["official-XAA"]).json()
    assert text in mine["answer"]["practices"] and mine["answer"]["current_version"].endswith("/version/1")
    assert text in server.client.get("/sparql", params={"query": query},
                                     headers=server.bearer["official-XAA"] | {"Accept": JSON}).text


# -- withdrawing (api/review_publication.py) -----------------------------------------------------

def public_sparql(server: Server, query: str) -> list[dict]:
    response = server.client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_an_official_withdraws_a_published_answer_and_its_published_version_stays_history(server: Server) -> None:
    text = marker()
    c = server.client
    iri = BASE + "id/review/XAA-sub-withdraw"
    assert submit(server, "submitter-XAA", [answer("XAA-sub-withdraw", text)]).status_code == 201
    withdraw = "/api/review/submissions/XAA-sub-withdraw/withdraw"
    not_yet = c.post(withdraw, headers=server.bearer["official-XAA"])
    assert not_yet.status_code == 409 and "is not published" in not_yet.json()["message"], not_yet.text
    assert c.post("/api/review/submissions/XAA-sub-withdraw/publish",
                  headers=server.bearer["official-XAA"]).status_code == 200
    listed = {a["id"] for a in c.get("/api/review/submissions?country=XAA").json()["answers"]}
    assert "XAA-sub-withdraw" in listed

    assert c.post(withdraw).status_code == 401
    by_submitter = c.post(withdraw, headers=server.bearer["submitter-XAA"])
    assert by_submitter.status_code == 403 and "submitter" in by_submitter.json()["message"]
    # A published answer is public, whose it is too: another State's official is refused, saying why.
    by_other = c.post(withdraw, headers=server.bearer["official-XAB"])
    assert by_other.status_code == 403 and "XAA" in by_other.json()["message"], by_other.text
    unknown = c.post("/api/review/submissions/XAA-nothing-here/withdraw", headers=server.bearer["admin"])
    assert unknown.status_code == 404 and "XAA-nothing-here" in unknown.json()["message"]
    before_feed = server.store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?v <http://purl.org/dc/terms/isVersionOf> "
        f"<{iri}> }} }}").rows[0]["n"].toPython()

    listing = "/api/review/submissions?country=XAA"
    published = c.get(listing)
    published_tag = published.headers["etag"]
    done = c.post(withdraw, headers=server.bearer["official-XAA"])
    assert done.status_code == 200, done.text
    # HTTP caching sees the change: the ETag of the published state no longer answers 304
    withdrawn_tag = c.get(listing).headers["etag"]
    assert withdrawn_tag != published_tag and c.get(listing, headers={"If-None-Match": published_tag}).status_code == 200
    assert done.json()["published"] is False and done.json()["version"] == iri + "/version/1"

    # the public no longer sees the answer's state: neither in the listing nor by SPARQL
    listed = {a["id"] for a in c.get("/api/review/submissions?country=XAA").json()["answers"]}
    assert "XAA-sub-withdraw" not in listed
    assert not public_sparql(server, f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    assert not public_sparql(server, f"SELECT ?s WHERE {{ ?s <https://w3id.org/sherloc/ontology#currentVersion> ?v "
                                     f"FILTER(?s = <{iri}>) }}")
    # ... but the published version stays public, as history, with who withdrew it (by role and State) and when
    history = c.get("/api/queries/review-answer-history", params={"answer": "review/XAA-sub-withdraw"},
                    headers={"Accept": JSON}).json()["results"]["bindings"]
    assert [r["number"]["value"] for r in history] == ["1"] and text in history[0]["practices"]["value"]
    assert history[0]["current"]["value"] == "false"
    withdrawal = public_sparql(server, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX sherloc: <https://w3id.org/sherloc/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?w ?when ?role WHERE {{ GRAPH <{G}review> {{ ?w a sherloc:ReviewWithdrawal ; sherloc:withdrew <{iri}> ;
            prov:invalidated <{iri}/version/1> ; prov:endedAtTime ?when ; prov:wasAssociatedWith ?a .
            ?a skos:note ?role }} }}""")
    assert [r["role"]["value"] for r in withdrawal] == ["official token"]
    assert datetime.fromisoformat(withdrawal[0]["when"]["value"]) == datetime.fromisoformat(done.json()["withdrawn_at"])
    for body in public_bodies(server, "XAA-sub-withdraw"):
        assert "Aurelia focal point" not in body
    # the State's official still sees the answer, unpublished, in the State's restricted graph
    mine = c.get("/api/review/submissions/XAA-sub-withdraw", headers=server.bearer["official-XAA"]).json()
    assert mine["answer"]["published"] is False and text in mine["answer"]["practices"]
    assert mine["answer"]["current_version"] == iri + "/version/1"
    assert server.store.select(f"SELECT * WHERE {{ GRAPH <{G}review-restricted/XAA> {{ <{iri}> ?p ?o }} }}").rows
    assert not server.store.select(f"SELECT * WHERE {{ GRAPH <{G}review> {{ <{iri}> ?p ?o }} }}").rows
    # the change feed's version log saw the change (sherloc_kg/versions.py)
    after_feed = server.store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?v <http://purl.org/dc/terms/isVersionOf> "
        f"<{iri}> }} }}").rows[0]["n"].toPython()
    assert after_feed > before_feed
    again = c.post(withdraw, headers=server.bearer["admin"])
    assert again.status_code == 409 and "XAA-sub-withdraw" in again.json()["message"]

    # published again: public again, and withdrawn again by an admin
    assert c.post("/api/review/submissions/XAA-sub-withdraw/publish", headers=server.bearer["admin"]).status_code == 200
    assert "XAA-sub-withdraw" in {a["id"] for a in c.get("/api/review/submissions?country=XAA").json()["answers"]}
    assert public_sparql(server, f"SELECT ?p WHERE {{ GRAPH <{G}review> {{ <{iri}> ?p ?o }} }}")
    # the ETag is the body's hash: published again, the listing differs from the withdrawn one, and
    # equals the first published one exactly when its body does (the same answer, the same version)
    republished = c.get(listing)
    assert republished.headers["etag"] != withdrawn_tag
    assert (republished.headers["etag"] == published_tag) == (republished.content == published.content)
    history = c.get("/api/queries/review-answer-history", params={"answer": "review/XAA-sub-withdraw"},
                    headers={"Accept": JSON}).json()["results"]["bindings"]
    assert [r["number"]["value"] for r in history] == ["1"] and history[0]["current"]["value"] == "true"
    assert c.post(withdraw, headers=server.bearer["admin"]).status_code == 200
    assert "XAA-sub-withdraw" not in {a["id"] for a in c.get("/api/review/submissions?country=XAA").json()["answers"]}
    assert len(public_sparql(server, f"SELECT ?w WHERE {{ ?w <https://w3id.org/sherloc/ontology#withdrew> <{iri}> }}")) == 2


def test_another_states_unpublished_answer_is_not_withdrawn_nor_told_apart(server: Server) -> None:
    """Issue 24: an official of another State learns nothing of an unpublished answer: the refusal
    is the one for an id no answer holds."""
    assert submit(server, "submitter-XAA", [answer("XAA-sub-hidden", marker())]).status_code == 201
    hidden = server.client.post("/api/review/submissions/XAA-sub-hidden/withdraw", headers=server.bearer["official-XAB"])
    absent = server.client.post("/api/review/submissions/XAA-sub-absent/withdraw", headers=server.bearer["official-XAB"])
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["message"].replace("hidden", "absent") == absent.json()["message"]


def test_the_openapi_document_shows_withdraw(server: Server) -> None:
    paths = server.client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/review/submissions/{answer_id}/withdraw"]
    assert "post" in paths["/api/review/submissions/{answer_id}/publish"]
