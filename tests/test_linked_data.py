"""Dereferenceable Linked Data (/id/..., /vocab/..., /ontology, /shapes, /graph/..., /context.jsonld)
on the real app served on loopback, over real stores: the bundled cases and the illustrative
examples (whose authority has contact details in the restricted graph)."""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from sherloc_kg.access import Tokens
from sherloc_kg.api import linked_data
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.iris import GRAPHS, Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.reference import BUNDLED, install_reference, load_examples
from sherloc_kg.store import RecordWrite
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.terms import from_oxigraph

from .servers import fetch, fetch_head, serving

BASE = "https://w3id.org/sherloc/"
SHERLOC = Namespace("https://w3id.org/sherloc/ontology#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
FORMATS = {".ttl": ("text/turtle", "turtle"), ".jsonld": ("application/ld+json", "json-ld"),
           ".rdf": ("application/rdf+xml", "xml"), ".nt": ("application/n-triples", "nt")}
CASE = "BRA001"  # a real case of data/cases/


@pytest.fixture(scope="module")
def cases(settings: Settings) -> dict[str, dict]:
    path = settings.data_dir / dict(BUNDLED)["cases"]
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    return {record["id"]: record for record in records}


@pytest.fixture(scope="module")
def server(settings: Settings, loaded_store: EmbeddedStore) -> Iterator[str]:
    with serving(create_app(settings, store=loaded_store)) as url:
        yield url


@pytest.fixture(scope="module")
def context_document(server: str) -> dict:
    return fetch(server + "/context.jsonld").json()


def parse(response: httpx.Response, fmt: str, context: dict | None = None) -> Graph:
    """The graph a response carries. A JSON-LD document carries the published context inline (the
    one /context.jsonld serves), so rdflib never goes to the network."""
    graph = Graph()
    if fmt == "json-ld":
        document = response.json()
        assert document["@context"] == context["@context"]
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=json.dumps(document), format="json-ld")
        return graph
    graph.parse(data=response.text, format=fmt)
    return graph


def links(response: httpx.Response) -> dict[tuple[str, str], str]:
    """The Link header as {(rel, type or ""): target}."""
    found = {}
    for item in response.headers.get("link", "").split(", <"):
        match = re.match(r'<?([^>]*)>; rel="([^"]+)"(?:; type="([^"]+)")?', item)
        assert match, item
        found[(match[2], match[3] or "")] = match[1]
    return found


# -- a real case, in every format -----------------------------------------------------------------

@pytest.mark.parametrize("suffix", FORMATS)
def test_a_real_case_in_every_format(server: str, cases: dict, context_document: dict, suffix: str) -> None:
    media, fmt = FORMATS[suffix]
    response = fetch(f"{server}/id/case/{CASE}{suffix}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    graph = parse(response, fmt, context_document)
    case, record = URIRef(BASE + "id/case/" + CASE), cases[CASE]
    assert (case, RDF.type, SHERLOC.CourtCase) in graph
    assert (case, DCTERMS.title, Literal(record["title"])) in graph
    assert (case, SHERLOC.decisionYear, Literal(record["year"], datatype=XSD.integer)) in graph
    country = URIRef(BASE + "id/country/" + record["country"])
    assert (case, SHERLOC.jurisdiction, country) in graph
    # the labels of what it links to come with it
    assert (country, SKOS.prefLabel, Literal("Brazil", lang="en")) in graph
    assert (SHERLOC.CourtCase, RDFS.label, Literal("Court case", lang="en")) in graph
    for act in record["tip_elements"]["acts"]:
        assert (case, SHERLOC.tipAct, URIRef(f"{BASE}vocab/tip-act/{act}")) in graph


def test_suffix_and_accept_serve_the_same_graph(server: str, context_document: dict) -> None:
    for suffix, (media, fmt) in FORMATS.items():
        by_suffix = fetch(f"{server}/id/case/{CASE}{suffix}")
        by_accept = fetch(f"{server}/id/case/{CASE}", headers={"Accept": media})
        assert by_accept.headers["content-type"].startswith(media)
        assert isomorphic(parse(by_suffix, fmt, context_document), parse(by_accept, fmt, context_document))
    turtle = parse(fetch(f"{server}/id/case/{CASE}.ttl"), "turtle")
    rdfxml = parse(fetch(f"{server}/id/case/{CASE}.rdf"), "xml")
    assert len(turtle) > 20 and isomorphic(turtle, rdfxml)


def test_json_ld_expands_to_the_same_graph_as_turtle(server: str, context_document: dict) -> None:
    for path in (f"/id/case/{CASE}", "/id/country/BRA", "/id/instrument/untoc/art/5/1/a", "/vocab/tip-means/fraud",
                 "/graph/cases"):
        turtle = parse(fetch(server + path + ".ttl"), "turtle")
        jsonld = parse(fetch(server + path + ".jsonld"), "json-ld", context_document)
        assert len(turtle) and isomorphic(turtle, jsonld), path


def test_the_published_context(server: str, context_document: dict) -> None:
    response = fetch(server + "/context.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    context = context_document["@context"]
    for prefix in ("sherloc", "eli", "dcterms", "skos", "prov", "org", "vcard", "bibo", "foaf", "xsd", "rdfs"):
        assert context[prefix].startswith("http"), prefix
    assert context["sherloc"] == str(SHERLOC)
    # a document written by hand against the context means what its terms say
    document = {"@context": context, "@id": BASE + "id/case/X", "@type": "sherloc:CourtCase", "title": "A case",
                "jurisdiction": BASE + "id/country/BRA", "decisionYear": "2020", "isPartOf": BASE + "id/y"}
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=json.dumps(document), format="json-ld")
    case = URIRef(BASE + "id/case/X")
    assert set(graph) == {
        (case, RDF.type, SHERLOC.CourtCase), (case, DCTERMS.title, Literal("A case")),
        (case, SHERLOC.jurisdiction, URIRef(BASE + "id/country/BRA")),
        (case, SHERLOC.decisionYear, Literal("2020", datatype=XSD.integer)),
        (case, ELI.is_part_of, URIRef(BASE + "id/y")),
    }


# -- what a description holds -----------------------------------------------------------------------

def test_a_provision_has_its_text_and_its_parent_links_to_it(server: str) -> None:
    provision = URIRef(BASE + "id/instrument/untoc/art/5/1/a")
    parent = URIRef(BASE + "id/instrument/untoc/art/5/1")
    graph = parse(fetch(server + "/id/instrument/untoc/art/5/1/a.ttl"), "turtle")
    texts = {str(t) for t in graph.objects(provision, SHERLOC.text) if t.language == "en"}
    assert len(texts) == 1 and texts.pop().startswith("Either or both of the following as criminal offences")
    assert (provision, ELI.is_part_of, parent) in graph
    assert (parent, ELI.has_part, provision) in graph                     # incoming
    assert (parent, SKOS.notation, Literal("untoc/art/5/1")) in graph     # with the label of who links
    # its own items (below its IRI, linked from it) are described with it
    item = URIRef(str(provision) + "/i")
    assert (provision, ELI.has_part, item) in graph and any(graph.objects(item, SHERLOC.text))
    page = fetch(server + "/id/instrument/untoc/art/5/1/a", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    incoming = page.text.split('id="incoming"')[1]
    assert '<a href="/id/instrument/untoc/art/5/1">untoc/art/5/1</a>' in incoming
    assert 'href="/id/instrument/untoc/art/5/1/a/i"' in page.text


def test_a_country_lists_every_case_that_cites_it(server: str, cases: dict) -> None:
    country = URIRef(BASE + "id/country/BRA")
    response = fetch(server + "/id/country/BRA.ttl")
    graph = parse(response, "turtle")
    expected = {URIRef(BASE + "id/case/" + i) for i, r in cases.items() if r.get("country") == "BRA"}
    assert len(expected) > 50
    assert set(graph.subjects(SHERLOC.jurisdiction, country)) == expected
    for case in expected:  # each with its title, so a page can name it
        assert (case, DCTERMS.title, Literal(cases[str(case).rsplit("/", 1)[1]]["title"])) in graph
    assert (country, SHERLOC.iso3166Alpha3, Literal("BRA")) in graph
    assert ("next", "") not in links(response)
    page = fetch(server + "/id/country/BRA.html").text
    assert f'<a href="/id/case/{CASE}">{cases[CASE]["title"]}</a>' in page
    assert "sherloc:jurisdiction" in page.split('id="incoming"')[1]


def test_a_vocabulary_concept_and_who_uses_it(server: str) -> None:
    concept = URIRef(BASE + "vocab/tip-means/fraud")
    graph = parse(fetch(server + "/vocab/tip-means/fraud.ttl"), "turtle")
    assert (concept, RDF.type, SKOS.Concept) in graph
    assert (concept, SKOS.prefLabel, Literal("Fraud", lang="en")) in graph
    assert (concept, SKOS.inScheme, URIRef(BASE + "vocab/tip-means")) in graph
    assert (URIRef(BASE + "id/case/" + CASE), SHERLOC.tipMeans, concept) in graph
    scheme = parse(fetch(server + "/vocab/tip-means.ttl"), "turtle")
    assert (concept, SKOS.inScheme, URIRef(BASE + "vocab/tip-means")) in scheme


def test_incoming_links_are_paged_with_link_next(server: str, loaded_store: EmbeddedStore) -> None:
    concept = URIRef(BASE + "vocab/crime-type/trafficking-in-persons")
    expected = {(r["s"], r["p"]) for r in loaded_store.select(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{concept}> }}").rows}
    assert len(expected) > linked_data.INCOMING_PAGE
    url, seen, pages = server + "/vocab/crime-type/trafficking-in-persons.nt", set(), 0
    while url:
        response = fetch(url)
        graph = parse(response, "nt")
        assert (concept, SKOS.prefLabel, Literal("Trafficking in persons", lang="en")) in graph  # on every page
        page = set(graph.subject_predicates(concept))
        assert len(page) <= linked_data.INCOMING_PAGE and not page & seen
        seen |= page
        pages += 1
        following = links(response).get(("next", ""))
        url = server + following if following else None
    assert seen == expected and pages == -(-len(expected) // linked_data.INCOMING_PAGE)


def test_the_pages_of_incoming_links_are_found_in_the_data_alone(server: str, loaded_store: EmbeddedStore) -> None:
    """A client that reads only the document (no Link header) finds every page: Hydra's
    PartialCollectionView of the resource's incoming links, with first/last/previous/next."""
    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    concept = URIRef(BASE + "vocab/crime-type/trafficking-in-persons")
    expected = {(r["s"], r["p"]) for r in loaded_store.select(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{concept}> }}").rows}
    first = URIRef(server + "/vocab/crime-type/trafficking-in-persons.ttl")
    url: URIRef | None = first
    seen: set = set()
    previous = None
    while url is not None:
        graph = parse(fetch(str(url)), "turtle")
        collection = URIRef(str(first) + "#incoming")
        assert (collection, RDF.type, hydra.Collection) in graph
        assert graph.value(collection, hydra.totalItems).toPython() == len(expected)
        assert (collection, hydra.view, url) in graph and (url, RDF.type, hydra.PartialCollectionView) in graph
        assert graph.value(url, hydra.first) == first and graph.value(url, hydra.previous) == previous
        last = graph.value(url, hydra.last)
        seen |= set(graph.subject_predicates(concept))
        previous, url = url, graph.value(url, hydra.next)
    assert seen == expected and previous == last != first


def test_a_description_with_few_incoming_links_is_not_paged(server: str) -> None:
    graph = parse(fetch(server + f"/id/case/{CASE}.ttl"), "turtle")
    assert not list(graph.triples((None, RDF.type, URIRef("http://www.w3.org/ns/hydra/core#PartialCollectionView"))))


def test_a_description_as_a_dataset_names_the_graph_of_each_statement(server: str, loaded_store: EmbeddedStore) -> None:
    """TriG and N-Quads (by suffix or Accept) give each statement with the graph that holds it: an
    inferred link in the inferred graph, recorded facts in their source's graph; the same
    statements as the Turtle. The page marks the inferred links, and only them, with a link to the
    named query that says why."""
    inferred = BASE + "graph/inferred"
    concerns = SHERLOC.concernsProvision
    row = loaded_store.select(f"""SELECT ?case ?provision WHERE {{
        GRAPH <{inferred}> {{ ?case <{concerns}> ?provision }}
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?case <{concerns}> ?provision }} FILTER(?g != <{inferred}>) }}
      }} ORDER BY ?case ?provision LIMIT 1""").rows[0]
    case, provision = row["case"], row["provision"]
    path = server + "/" + str(case)[len(BASE):]
    turtle = parse(fetch(path + ".ttl"), "turtle")
    for answer, fmt, media in ((fetch(path + ".trig"), ox.RdfFormat.TRIG, "application/trig"),
                               (fetch(path + ".nq"), ox.RdfFormat.N_QUADS, "application/n-quads"),
                               (fetch(path, headers={"Accept": "application/n-quads"}), ox.RdfFormat.N_QUADS,
                                "application/n-quads")):
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        quads = {(from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object), q.graph_name.value)
                 for q in ox.parse(answer.content, fmt)}
        assert (case, concerns, provision, inferred) in quads
        assert (case, RDF.type, SHERLOC.CourtCase, BASE + "graph/cases") in quads  # recorded, by its source
        assert {g for *_, g in quads} <= {BASE + "graph/" + name for name in GRAPHS}
        assert {(s, p, o) for s, p, o, _ in quads} == set(turtle)
    only_inferred = {(r["p"], r["o"]) for r in loaded_store.select(f"""SELECT ?p ?o WHERE {{
        GRAPH <{inferred}> {{ <{case}> ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH ?g {{ <{case}> ?p ?o }} FILTER(?g != <{inferred}>) }} }}""").rows}
    page = fetch(path + ".html").text
    whys = [parse_qs(urlsplit(html.unescape(href)).query)
            for href in re.findall(r'href="([^"]*query=why-inferred[^"]*)"', page)]
    subject = str(case)[len(BASE + "id/"):]
    assert whys and all(why["subject"] == [subject] for why in whys)
    assert sorted(why["provision"][0] for why in whys) == sorted(
        str(o)[len(BASE + "id/instrument/"):] for p, o in only_inferred if p == concerns)


def test_the_named_query_of_links_in_and_out(settings: Settings, loaded_store: EmbeddedStore, cases: dict) -> None:
    query = QueryLibrary(settings.queries_dir).get("resource-links")
    assert [p.name for p in query.parameters] == ["resource"] and query.title
    bindings = query.bindings({"resource": BASE + "id/country/BRA"}, Iris())
    rows = loaded_store.select(query.text, bindings=bindings).rows
    incoming = {str(r["other"]): str(r.get("otherLabel")) for r in rows
                if str(r["direction"]) == "in" and r["property"] == SHERLOC.jurisdiction}
    expected = {BASE + "id/case/" + i: r["title"] for i, r in cases.items() if r.get("country") == "BRA"}
    assert incoming == expected
    outgoing = [r for r in rows if str(r["direction"]) == "out"]
    assert any(r["property"] == RDF.type and r["other"] == SHERLOC.Country for r in outgoing)
    assert [str(r["direction"]) for r in rows] == sorted((str(r["direction"]) for r in rows), reverse=True)


# -- documents: ontology, shapes, graphs ----------------------------------------------------------------

def test_the_ontology_document(server: str) -> None:
    graph = parse(fetch(server + "/ontology.ttl"), "turtle")
    assert (URIRef("https://w3id.org/sherloc/ontology"), RDF.type, OWL.Ontology) in graph
    assert (SHERLOC.CourtCase, RDF.type, OWL.Class) in graph
    assert (SHERLOC.CourtCase, RDFS.label, Literal("Court case", lang="en")) in graph
    page = fetch(server + "/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="CourtCase"' in page.text
    # the HTML of a case links its class to the anchor in the ontology page
    assert 'href="/ontology#CourtCase"' in fetch(f"{server}/id/case/{CASE}.html").text


def test_the_shapes_documents(server: str) -> None:
    every = parse(fetch(server + "/shapes.ttl"), "turtle")
    cases = parse(fetch(server + "/shapes/cases.ttl"), "turtle")
    assert SHERLOC.CourtCase in set(cases.objects(None, SH.targetClass))
    ground = lambda g: {t for t in g if not any(isinstance(term, BNode) for term in t)}  # noqa: E731
    assert ground(cases) <= ground(every) and len(every) > len(cases)
    assert SHERLOC.CompetentNationalAuthority in set(every.objects(None, SH.targetClass))
    assert fetch(server + "/shapes/nothing.ttl").status_code == 404


def test_a_named_graph_is_described_not_dumped(server: str, loaded_store: EmbeddedStore) -> None:
    graph_iri = URIRef(BASE + "graph/cases")
    graph = parse(fetch(server + "/graph/cases.ttl"), "turtle")
    assert (graph_iri, VOID.triples, Literal(loaded_store.count(str(graph_iri)))) in graph
    partitions = {graph.value(p, VOID["class"]): graph.value(p, VOID.entities).toPython()
                  for p in graph.objects(graph_iri, VOID.classPartition)}
    assert partitions == {SHERLOC.CourtCase: 1164}
    assert len(graph) < 50
    assert fetch(server + "/graph/authorities-restricted.ttl").status_code == 404
    assert fetch(server + "/graph/nonsense").status_code == 404


def test_every_public_graph_is_described(server: str) -> None:
    """Each graph of the public list answers its description (a graph added to GRAPHS without one
    was a 500)."""
    from sherloc_kg.access import PUBLIC_GRAPHS

    for name in PUBLIC_GRAPHS:
        response = fetch(server + f"/graph/{name}.ttl")
        assert response.status_code == 200, name
        assert parse(response, "turtle").value(URIRef(BASE + f"graph/{name}"), DCTERMS.description) is not None, name


# -- not found, not acceptable, headers --------------------------------------------------------------------

def test_unknown_iri_is_404_in_the_format_asked(server: str, context_document: dict) -> None:
    turtle = fetch(server + "/id/case/NO-SUCH-CASE.ttl")
    assert turtle.status_code == 404 and turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.text.startswith("# ") and "id/case/NO-SUCH-CASE" in turtle.text
    assert len(parse(turtle, "turtle")) == 0
    for suffix in (".nt", ".rdf"):
        response = fetch(server + "/id/case/NO-SUCH-CASE" + suffix)
        assert response.status_code == 404 and len(parse(response, FORMATS[suffix][1])) == 0
    page = fetch(server + "/vocab/crime-type/no-such-concept", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "vocab/crime-type/no-such-concept" in page.text and "not known" in page.text
    as_json = fetch(server + "/id/country/ZZZ", headers={"Accept": "application/ld+json"})
    assert as_json.status_code == 404 and as_json.json()["error"] == "NotFound"
    assert "Accept" in as_json.headers["vary"]


def test_not_acceptable_is_406(server: str) -> None:
    response = fetch(f"{server}/id/case/{CASE}", headers={"Accept": "application/pdf"})
    assert response.status_code == 406 and response.json()["error"] == "NotAcceptable"


def test_headers_name_the_document_and_its_alternates(server: str) -> None:
    negotiated = fetch(f"{server}/id/case/{CASE}", headers={"Accept": "text/turtle"})
    assert "Accept" in negotiated.headers["vary"]
    assert negotiated.headers["content-location"] == f"/id/case/{CASE}.ttl"
    found = links(negotiated)
    assert found[("alternate", "application/ld+json")] == f"/id/case/{CASE}.jsonld"
    assert found[("alternate", "text/html")] == f"/id/case/{CASE}.html"
    assert found[("describedby", "text/turtle")] == f"/id/case/{CASE}.ttl"
    assert ("alternate", "text/turtle") not in found
    suffixed = fetch(f"{server}/id/case/{CASE}.rdf")
    assert "Accept" not in suffixed.headers.get("vary", "")
    assert suffixed.headers["content-location"] == f"/id/case/{CASE}.rdf"
    assert links(suffixed)[("alternate", "application/n-triples")] == f"/id/case/{CASE}.nt"
    browser = fetch(f"{server}/id/case/{CASE}",
                        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html")
    assert browser.headers["content-location"] == f"/id/case/{CASE}.html"
    head = fetch_head(f"{server}/id/case/{CASE}.ttl")
    assert head.status_code == 200 and head.content == b""
    ontology = fetch(server + "/ontology", headers={"Accept": "application/n-triples"})
    assert ontology.headers["content-location"] == "/ontology.nt" and "Accept" in ontology.headers["vary"]


# -- odd ids, another base, escaping -------------------------------------------------------------------------

@pytest.fixture
def empty_store() -> EmbeddedStore:
    """An empty store, for a test that writes (tests/test_api_remote.py swaps in a remote one)."""
    return EmbeddedStore(None)


def test_ids_with_reserved_characters_and_another_base(settings: Settings, empty_store: EmbeddedStore) -> None:
    base = "http://example.org/kg/"
    iris = Iris(base)
    store = empty_store
    odd = iris.case("X 1/2 <b>")  # ``/`` inside an id is encoded, so is the markup
    country = iris.country("XAA")
    store.write([RecordWrite(str(iris.graph("cases")), [str(odd)], [
        (odd, RDF.type, SHERLOC.CourtCase), (odd, DCTERMS.title, Literal("<script>alert(1)</script>")),
        (odd, SHERLOC.jurisdiction, country)]),
        RecordWrite(str(iris.graph("countries")), [str(country)], [(country, SKOS.prefLabel, Literal("Aurelia", lang="en"))])])
    with serving(create_app(settings.with_(base=base), store=store)) as url:
        path = str(odd)[len(base) - 1:]
        assert path == "/id/case/X%201%2F2%20%3Cb%3E"
        graph = parse(fetch(url + path + ".ttl"), "turtle")
        assert (odd, SHERLOC.jurisdiction, country) in graph
        page = fetch(url + path, headers={"Accept": "text/html"}).text
        assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert '<a href="/id/country/XAA">Aurelia</a>' in page
        incoming = parse(fetch(url + "/id/country/XAA.ttl"), "turtle")
        assert (odd, DCTERMS.title, Literal("<script>alert(1)</script>")) in incoming
        assert fetch(url + "/id/case/X%201.ttl").status_code == 404


# -- restricted information -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_store(settings: Settings) -> EmbeddedStore:
    """The reference graphs and the examples (tests/test_api_remote.py swaps in a remote store)."""
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    return store


@pytest.fixture(scope="module")
def examples(settings: Settings, example_store: EmbeddedStore,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The examples served on loopback, with an official's and an admin's token."""
    store = example_store
    token_file = Path(tmp_path_factory.mktemp("tokens")) / "t.json"
    tokens = Tokens(token_file)
    bearer = {role: {"Authorization": "Bearer " + tokens.create(role)} for role in ("official", "admin")}
    with serving(create_app(settings.with_(tokens=token_file), store=store)) as url:
        yield url, bearer


AUTHORITY = "/id/authority/XAA-central-authority-mla"
SECRETS = ("555 0100", "555 0101", "central-authority@example.org", "1 Example Street", "Monday to Friday")


def test_restricted_contact_details_never_reach_the_public(examples) -> None:
    url, _ = examples
    authority = URIRef(BASE + AUTHORITY[1:])
    for suffix in (".ttl", ".jsonld", ".rdf", ".nt", ".html"):
        response = fetch(url + AUTHORITY + suffix)
        assert response.status_code == 200
        assert "Central Authority for Mutual Legal Assistance" in response.text
        assert not any(secret in response.text for secret in SECRETS), suffix
        assert "hasEmail" not in response.text and "/contact" not in response.text
    graph = parse(fetch(url + AUTHORITY + ".ttl"), "turtle")
    assert (authority, SHERLOC.designation, URIRef(str(authority) + "/designation/1")) in graph
    assert (URIRef(str(authority) + "/designation/1"), SHERLOC.designatedUnder,
            URIRef(BASE + "id/instrument/untoc/art/18/13")) in graph
    # a resource only the restricted graph knows is, for the public, unknown
    for suffix in (".ttl", ".html"):
        assert fetch(url + AUTHORITY + "/contact" + suffix).status_code == 404
    provision = fetch(url + "/id/instrument/untoc/art/18/13.nt").text
    assert AUTHORITY + "/designation/1" in provision and not any(secret in provision for secret in SECRETS)


@pytest.mark.parametrize("role", ["official", "admin"])
def test_officials_and_admins_see_the_contact_details(examples, role: str) -> None:
    url, bearer = examples
    authority = URIRef(BASE + AUTHORITY[1:])
    graph = parse(fetch(url + AUTHORITY + ".ttl", headers=bearer[role]), "turtle")
    assert (authority, VCARD.hasEmail, URIRef("mailto:central-authority@example.org")) in graph
    contact = URIRef(str(authority) + "/contact")
    assert (authority, VCARD.hasAddress, contact) in graph
    assert any("1 Example Street" in str(v) for v in graph.objects(contact, VCARD["street-address"]))
    page = fetch(url + AUTHORITY, headers={**bearer[role], "Accept": "text/html"}).text
    assert "central-authority@example.org" in page and "555 0100" in page
    assert fetch(url + AUTHORITY + "/contact.ttl", headers=bearer[role]).status_code == 200
    assert fetch(url + "/graph/authorities-restricted.ttl", headers=bearer[role]).status_code == 200


def test_a_bad_token_is_refused_not_served_as_public(examples) -> None:
    url, _ = examples
    response = fetch(url + AUTHORITY + ".ttl", headers={"Authorization": "Bearer skg_nope_nope"})
    assert response.status_code == 401


def test_an_example_case_with_its_defendant(examples) -> None:
    url, _ = examples
    case = URIRef(BASE + "id/case/XAA-EX-001")
    defendant = URIRef(str(case) + "/defendant/1")
    graph = parse(fetch(url + "/id/case/XAA-EX-001.ttl"), "turtle")
    assert (case, SHERLOC.defendant, defendant) in graph
    assert (defendant, SHERLOC.nationality, URIRef(BASE + "id/country/XAB")) in graph
    assert any(graph.objects(URIRef(BASE + "id/country/XAB"), SKOS.prefLabel))  # label of what the part links to
    page = fetch(url + "/id/case/XAA-EX-001.html").text
    assert 'id="part-defendant/1"' in page and "eight years" in page


# -- JSON-LD that parses alone, for every kind of resource (issue 19, item 1) -------------------------------------

EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
#: Kinds of ``{base}id/{kind}/...`` the examples and the reference graphs hold at least one of.
KINDS = {"case", "legislation", "instrument", "country", "jurisdiction", "court", "authority", "publication",
         "treaty", "strategy", "guide", "review", "participation"}


def test_every_kind_of_resource_in_json_ld_parses_alone_into_its_turtle(examples) -> None:
    """One public resource of each kind under ``id/`` (the first IRI of each, found through the public
    endpoint), a concept and a graph: the JSON-LD body, compacted (the default) or expanded, parsed
    from the string alone (no base, no network: the context is inline) is the graph of the Turtle."""
    url, _ = examples
    query = f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}'
    rows = fetch(url + "/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    first: dict[str, str] = {}
    for iri in sorted(row["s"]["value"] for row in rows):
        first.setdefault(iri[len(BASE + "id/"):].split("/")[0], iri)
    assert KINDS <= set(first), KINDS - set(first)
    iris = Iris()
    paths = [iris.href(iri) for iri in first.values()] + ["/vocab/tip-means/fraud", "/graph/authorities"]
    for path in paths:
        assert path is not None
        turtle = fetch(url + path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, path
        expected = Graph().parse(data=turtle.text, format="turtle")
        assert len(expected), path
        for accept in ("application/ld+json", f'application/ld+json; profile="{EXPANDED}"'):
            response = fetch(url + path, headers={"Accept": accept})
            assert response.status_code == 200 and "/context.jsonld" not in response.text, (path, accept)
            document = response.json()
            if "profile" in accept:
                assert isinstance(document, list) and "@context" not in response.text, path
            else:
                assert isinstance(document["@context"], dict), path
            graph = Graph()
            with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
                warnings.simplefilter("ignore", DeprecationWarning)
                graph.parse(data=response.text, format="json-ld")
            assert isomorphic(graph, expected), (path, accept)
