"""The review under article 32 as data: the Mechanism (COP sessions and resolutions, cycles,
clusters as sets of provisions, groups) installed by ``sherloc-kg init`` from
data/review-mechanism.jsonl, its shapes, and the answer-history query."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef

from sherloc_kg.access import PUBLIC
from sherloc_kg.config import Settings
from sherloc_kg.errors import Location
from sherloc_kg.iris import Iris
from sherloc_kg.loaders import mechanism
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.reference import install_reference, load_examples
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.validation import Gate

BASE = "https://w3id.org/sherloc/"
IRIS = Iris(BASE)
REVIEW = BASE + "graph/review"
PREFIXES = ("PREFIX sherloc: <https://w3id.org/sherloc/ontology#>\n"
            "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")


@pytest.fixture(scope="module")
def initialised(settings: Settings) -> EmbeddedStore:
    """A store as `sherloc-kg init` leaves it (the reference graphs), read only."""
    store = EmbeddedStore(None)
    install_reference(store, settings)
    return store


def select(store: EmbeddedStore, query: str) -> list[dict]:
    return store.select(PREFIXES + query, dataset=PUBLIC.dataset(IRIS)).rows


def test_cluster_one_is_a_set_of_provisions_after_init(initialised: EmbeddedStore) -> None:
    rows = select(initialised, f"""SELECT ?p WHERE {{ GRAPH <{REVIEW}> {{
        ?c a sherloc:ReviewCluster ; sherloc:clusterNumber 1 ; sherloc:clusterProvision ?p }} }}""")
    provisions = {IRIS.provision_reference(str(r["p"])) for r in rows}
    assert provisions == {"untoc/art/2", "untoc/art/5", "untoc/art/6", "untoc/art/8", "untoc/art/9",
                          "untoc/art/10", "untoc/art/15", "untoc/art/23", "tip/art/3", "tip/art/5",
                          "som/art/3", "som/art/5", "som/art/6"}
    # clusters 2-4 are not invented: only what was read in a source is there
    assert [int(r["n"].toPython()) for r in select(initialised, """SELECT ?n WHERE {
        ?c a sherloc:ReviewCluster ; sherloc:clusterNumber ?n }""")] == [1]
    assert not select(initialised, "SELECT ?p WHERE { ?c sherloc:clusterProvision ?p FILTER(CONTAINS(STR(?p), '/fp/')) }")


def test_sessions_and_resolutions_after_init(initialised: EmbeddedStore) -> None:
    rows = select(initialised, """SELECT ?number ?session ?n ?place ?start ?end WHERE {
        ?r a sherloc:COPResolution ; skos:notation ?number ; sherloc:adoptedAtSession ?session .
        ?session a sherloc:COPSession ; sherloc:sessionNumber ?n ; sherloc:startDate ?start ; sherloc:endDate ?end .
        OPTIONAL { ?session sherloc:heldAt ?place } } ORDER BY ?n""")
    found = {str(r["number"]): (int(r["n"].toPython()), str(r["place"]) if r.get("place") else None,
                                str(r["start"]), str(r["end"])) for r in rows}
    assert found == {"9/1": (9, None, "2018-10-15", "2018-10-19"),  # place of session 9: not in the sources
                     "10/1": (10, "Vienna", "2020-10-12", "2020-10-16")}
    assert str(rows[0]["session"]) == BASE + "id/cop/session/9"
    mechanism_rows = select(initialised, """SELECT ?r ?cycle ?launch WHERE {
        ?m a sherloc:ReviewMechanism ; sherloc:establishedBy ?r .
        ?cycle sherloc:ofMechanism ?m ; sherloc:launchedBy ?launch }""")
    assert [(str(r["r"]), str(r["launch"])) for r in mechanism_rows] == \
        [(BASE + "id/cop/resolution/9/1", BASE + "id/cop/resolution/10/1")]


def test_every_mechanism_fact_names_its_source(initialised: EmbeddedStore) -> None:
    rows = select(initialised, f"""SELECT ?s (COUNT(?source) AS ?n) WHERE {{ GRAPH <{REVIEW}> {{
        ?s a ?type OPTIONAL {{ ?s dcterms:source ?source }} }}
        VALUES ?type {{ sherloc:COPSession sherloc:COPResolution sherloc:ReviewMechanism sherloc:ReviewCycle
                        sherloc:ReviewCluster sherloc:ReviewGroup }} }} GROUP BY ?s""")
    assert len(rows) == 10 and all(int(r["n"].toPython()) >= 1 for r in rows)
    groups = select(initialised, "SELECT ?n ?count WHERE { ?g a sherloc:ReviewGroup ; sherloc:groupNumber ?n ; "
                                 "sherloc:memberCount ?count } ORDER BY ?n")
    assert [(int(r["n"].toPython()), int(r["count"].toPython())) for r in groups] == [(1, 131), (2, 131), (3, 134)]


def test_the_provision_page_query_lists_the_cluster(initialised: EmbeddedStore, settings: Settings) -> None:
    named = QueryLibrary(settings.queries_dir).get("provision-guidance")
    for reference in ("untoc/art/23", "untoc/art/23/a", "som/art/6"):
        rows = initialised.select(named.text, bindings=named.bindings({"provision": reference}, IRIS),
                                  dataset=PUBLIC.dataset(IRIS)).rows
        clusters = [r for r in rows if str(r["kind"]) == "cluster"]
        assert clusters and str(clusters[0]["resource"]) == BASE + "id/mechanism/untoc/cluster/1"


def test_init_again_keeps_the_review_answers(settings: Settings) -> None:
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    answers = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a a <https://w3id.org/sherloc/ontology#ReviewResponse> } }"
    before = (store.count(REVIEW), store.select(answers).rows[0]["n"])
    install_reference(store, settings, with_examples=True)
    assert (store.count(REVIEW), store.select(answers).rows[0]["n"]) == before


def gate(settings: Settings) -> Gate:
    return Gate.for_kind("mechanism", settings.shapes_dir, settings.ontology_dir / "sherloc.ttl", IRIS)


def check(settings: Settings, store: EmbeddedStore, tmp_path: Path, lines: list[dict]):
    path = tmp_path / "mechanism.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    records = list(mechanism.read(path, IRIS, "jsonl"))
    errors = [r.error for r in records if r.error is not None]
    triples = [t for r in records if r.error is None for ts in r.triples.values() for t in ts]
    objects = {o for (_s, _p, o) in triples if isinstance(o, URIRef)}
    context = [(r["s"], r["p"], r["o"]) for r in store.select(
        "SELECT ?s ?p ?o WHERE { VALUES ?s { %s } VALUES ?p { <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> } ?s ?p ?o }"
        % " ".join(f"<{o}>" for o in objects)).rows] if objects else []
    return errors, gate(settings).check(triples, context, lambda focus: Location(str(path), record=str(focus)))


def test_an_admin_adds_a_cluster_as_data(settings: Settings, initialised: EmbeddedStore, tmp_path: Path) -> None:
    source = "https://example.org/procedures-and-rules-appendix"
    errors, issues = check(settings, initialised, tmp_path, [
        {"type": "cluster", "number": 2, "cycle": 1, "label": "Cluster 2", "provisions": ["untoc/art/13"],
         "sources": [source]}])
    assert not errors and not issues
    errors, issues = check(settings, initialised, tmp_path, [
        {"type": "cluster", "number": 2, "cycle": 7, "label": "Cluster 2", "provisions": ["untoc/art/99"]},
        {"type": "resolution", "id": "11/1", "session": 11, "label": "x", "sources": [source]}])
    fields = sorted((i.location.field, i.severity) for i in issues)
    assert fields == [("cycle", "Violation"), ("provisions", "Violation"), ("session", "Violation"),
                      ("sources", "Violation")], fields
    errors, _ = check(settings, initialised, tmp_path, [{"type": "resolution", "id": "nine", "session": 9}])
    assert errors and errors[0].location.field == "id"


def test_session_numbers_are_integers_for_plain_queries(initialised: EmbeddedStore) -> None:
    assert initialised.ask(PREFIXES + "ASK { ?s sherloc:sessionNumber 10 ; sherloc:heldAt 'Vienna' }")


def test_the_history_query_lists_answers_loaded_from_files(settings: Settings) -> None:
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    named = QueryLibrary(settings.queries_dir).get("review-answer-history")
    rows = store.select(named.text, bindings=named.bindings({}, IRIS), dataset=PUBLIC.dataset(IRIS)).rows
    answers = {str(r["answer"]) for r in rows}
    assert answers == {BASE + "id/review/XAA-review-untoc-art-5-1-a"}  # the published one only
    assert all(r.get("version") is None and str(r["current"]) == "true" for r in rows)
