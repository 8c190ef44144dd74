"""One resource read once (sherloc_kg/resource.py) and its renderers: the Linked Data documents, the
page and the JSON of /api/resource say the same of it; the JSON marks inferred links as the page
does, with the rules and the question that says why (issue 19, item 3); the list resources
(/id/case, /id/legislation...) are paged Hydra collections a client walks by hydra:next alone
(issue 19, item 5). On the real app served on loopback, over the bundled cases."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import SHERLOC
from sherloc_kg.resource import LIST_PAGE, LISTS, Page, Sample, read, rule_reasons, rules_by_property
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import fetch, serving

BASE = "https://w3id.org/sherloc/"
INFERRED = BASE + "graph/inferred"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
#: A link the page marks as inferred: its target, then the link to why (api/templates/ld_resource.html).
PAGE_MARK = re.compile(r'<a href="([^"]+)">[^<]*</a> <small class="inferred">inferred by a rule, not recorded '
                       r'\(<a href="([^"]+)">why</a>\)</small>')


@pytest.fixture(scope="module")
def server(settings: Settings, loaded_store: EmbeddedStore) -> Iterator[str]:
    with serving(create_app(settings, store=loaded_store)) as url:
        yield url


def only_inferred(store: EmbeddedStore) -> tuple[URIRef, URIRef]:
    """A case and a provision it concerns by inference alone (no other graph records the link)."""
    row = store.select(f"""SELECT ?case ?provision WHERE {{
        GRAPH <{INFERRED}> {{ ?case <{SHERLOC.concernsProvision}> ?provision }}
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?case <{SHERLOC.concernsProvision}> ?provision }} FILTER(?g != <{INFERRED}>) }}
      }} ORDER BY ?case ?provision LIMIT 1""").rows[0]
    return row["case"], row["provision"]


# -- the reading -------------------------------------------------------------------------------------

def test_a_resource_is_read_into_typed_statements_with_their_graphs(settings: Settings,
                                                                    loaded_store: EmbeddedStore) -> None:
    iris = Iris()
    case, provision = only_inferred(loaded_store)
    rules = rules_by_property(settings.queries_dir / "rules")
    resource = read(loaded_store, iris, str(case), Dataset(default=None), rules=rules)
    assert resource.known and resource.iri == case
    statements = {s.triple: s for s in resource.statements}
    link = statements[(case, SHERLOC.concernsProvision, provision)]
    assert link.inferred and link.graphs == {INFERRED}
    typed = statements[(case, RDF.type, SHERLOC.CourtCase)]
    assert not typed.inferred and BASE + "graph/cases" in typed.graphs
    inference = resource.inference(link, iris)
    assert inference is not None and "case-concerns-provision" in inference.rules
    assert set(inference.rules) <= set(rules[str(SHERLOC.concernsProvision)])
    assert inference.parameters == {"query": "why-inferred", "subject": iris.below(str(case), "id/"),
                                    "provision": iris.below(str(provision), "id/instrument/")}
    assert resource.inference(typed, iris) is None
    # the labels of what it links to come with it, each with its graph
    assert any(s.subject == provision for s in resource.labels)
    assert not read(loaded_store, iris, BASE + "id/case/NO-SUCH-CASE", Dataset(default=None)).known


def test_incoming_links_are_read_by_page_or_by_sample(loaded_store: EmbeddedStore) -> None:
    iris = Iris()
    concept = BASE + "vocab/crime-type/trafficking-in-persons"
    pairs = {(r["s"], r["p"]) for r in loaded_store.select(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{concept}> }}").rows}
    first = read(loaded_store, iris, concept, Dataset(default=None), window=Page(1, 100))
    second = read(loaded_store, iris, concept, Dataset(default=None), window=Page(2, 100))
    assert first.incoming_total == len(pairs) and first.has_next and first.pages == -(-len(pairs) // 100)
    one, two = ({(s.subject, s.predicate) for s in r.incoming} for r in (first, second))
    assert len(one) == len(two) == 100 and not one & two and one | two <= pairs
    sample = read(loaded_store, iris, concept, Dataset(default=None), window=Sample(per_property=3))
    by_property: dict = {}
    for statement in sample.incoming:
        by_property.setdefault(statement.predicate, []).append(statement.subject)
    assert set(by_property) == {p for _, p in pairs} and all(len(v) <= 3 for v in by_property.values())


# -- the JSON marks inferred links ------------------------------------------------------------------

def test_the_json_marks_an_inferred_link_with_its_rules_and_why(server: str, loaded_store: EmbeddedStore,
                                                                settings: Settings) -> None:
    iris = Iris()
    case, provision = only_inferred(loaded_store)
    body = fetch(server + "/api/resource", params={"iri": str(case)}).json()
    values = {value["iri"]: value for value in body["fields"]["concernsProvision"]}
    link = values[str(provision)]
    assert link["inferred"] is True
    assert "case-concerns-provision" in link["rules"]
    assert set(link["rules"]) <= set(rules_by_property(settings.queries_dir / "rules")[str(SHERLOC.concernsProvision)])
    why = urlsplit(link["why"])
    assert why.path == "/api/queries/why-inferred"
    assert parse_qs(why.query) == {"subject": [iris.below(str(case), "id/")],
                                   "provision": [iris.below(str(provision), "id/instrument/")]}
    # the question answers: the recorded facts behind the link, each with its rule
    answer = fetch(server + link["why"], headers={"Accept": "application/sparql-results+json"})
    rows = answer.json()["results"]["bindings"]
    assert answer.status_code == 200 and rows
    assert {row["rule"]["value"] for row in rows} <= set(link["rules"])
    # recorded values are not marked
    assert all("inferred" not in value and "why" not in value for value in body["fields"]["title"] +
               body["fields"]["type"] + body["fields"].get("refersToProvision", []))
    # each rule comes with what it infers and why, as its file says
    reasons = rule_reasons(settings.queries_dir / "rules")
    assert link["reasons"] == [reasons[rule] for rule in link["rules"]]
    assert "concerns a Convention provision when it refers to it" in reasons["case-concerns-provision"]
    # the page marks the same links, and only them, with the same question
    page = fetch(server + iris.href(str(case)), headers={"Accept": "text/html"}).text
    assert json_marks(body, iris) == page_marks(page) != set()


Mark = tuple[str, tuple[tuple[str, str], ...]]


def _parameters(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, value) for name, values in parse_qs(query).items() for value in values))


def json_marks(body: dict, iris: Iris) -> set[Mark]:
    """(where the link goes, the why-inferred parameters) of every link the JSON marks inferred."""
    def walk(fields: dict) -> Iterator[dict]:
        for values in fields.values():
            for value in values:
                yield value
                yield from walk(value.get("fields", {}))
    values = [*walk(body["fields"]), *(item for link in body["incoming"] for item in link["items"])]
    return {(iris.href(value["iri"]) or value["iri"], _parameters(urlsplit(value["why"]).query))
            for value in values if value.get("inferred")}


def page_marks(page: str) -> set[Mark]:
    """The same of the HTML page: the link marked and its why (the workbench running why-inferred)."""
    marks = set()
    for href, why in PAGE_MARK.findall(page):
        parts = urlsplit(html.unescape(why))
        parameters = _parameters(parts.query)
        assert parts.path == "/explore/sparql" and ("query", "why-inferred") in parameters
        marks.add((html.unescape(href), tuple(p for p in parameters if p != ("query", "why-inferred"))))
    return marks


def test_the_json_marks_an_inferred_implementation_link_and_not_the_recorded_one(
        server: str, loaded_store: EmbeddedStore, settings: Settings) -> None:
    """A national provision implementing a paragraph (recorded, or claimed by our editors) implements
    the article by a rule: the JSON marks that link and not the recorded one. The property is the one
    the rule writes (read from the rule, whatever the ELI term)."""
    iris = Iris()
    rule = "implementation-counts-for-containing-provision"
    rules = rules_by_property(settings.queries_dir / "rules")
    implements = next(URIRef(p) for p, names in rules.items() if rule in names)
    row = loaded_store.select(f"""SELECT ?national ?article ?part WHERE {{
        GRAPH <{INFERRED}> {{ ?national <{implements}> ?article }}
        FILTER NOT EXISTS {{ GRAPH ?h {{ ?national <{implements}> ?article }} FILTER(?h != <{INFERRED}>) }}
        GRAPH ?g {{ ?national <{implements}> ?part }} FILTER(?g != <{INFERRED}>)
      }} ORDER BY ?national ?article ?part LIMIT 1""").rows[0]
    body = fetch(server + "/api/resource", params={"iri": str(row["national"])}).json()
    name = {iri: short for short, iri in body["properties"].items()}[str(implements)]
    values = {value["iri"]: value for value in body["fields"][name]}
    inferred, recorded = values[str(row["article"])], values[str(row["part"])]
    assert inferred["inferred"] is True and rule in inferred["rules"]
    assert inferred["reasons"][inferred["rules"].index(rule)] == rule_reasons(settings.queries_dir / "rules")[rule]
    assert parse_qs(urlsplit(inferred["why"]).query) == {
        "subject": [iris.below(str(row["national"]), "id/")],
        "provision": [iris.below(str(row["article"]), "id/instrument/")]}
    assert not {"inferred", "rules", "reasons", "why"} & recorded.keys()
    page = fetch(server + iris.href(str(row["national"])), headers={"Accept": "text/html"}).text
    assert json_marks(body, iris) == page_marks(page) != set()


def test_the_inferred_marks_are_documented_in_the_openapi_description(server: str) -> None:
    schemas = fetch(server + "/openapi.json").json()["components"]["schemas"]
    for model in ("FieldValue", "Linked"):
        properties = schemas[model]["properties"]
        assert {"inferred", "rules", "reasons", "why"} <= properties.keys()
        assert all(properties[name].get("description") for name in ("inferred", "rules", "reasons", "why"))


def test_the_json_marks_inferred_incoming_links(server: str, loaded_store: EmbeddedStore) -> None:
    case, provision = only_inferred(loaded_store)
    body = fetch(server + "/api/resource", params={"iri": str(provision)}).json()
    concerning = next(link for link in body["incoming"] if link["property"] == "concernsProvision")
    recorded = {str(r["case"]) for r in loaded_store.select(f"""SELECT ?case WHERE {{
        GRAPH ?g {{ ?case <{SHERLOC.concernsProvision}> <{provision}> }} FILTER(?g != <{INFERRED}>) }}""").rows}
    assert concerning["items"]
    for item in concerning["items"]:
        assert item.get("inferred", False) is (item["iri"] not in recorded)
        if item.get("inferred"):
            assert parse_qs(urlsplit(item["why"]).query)["subject"] == [item["iri"][len(BASE + "id/"):]]


# -- list resources ------------------------------------------------------------------------------------

def walk(server: str, path: str) -> tuple[list[URIRef], int, int]:
    """Follow hydra:next from the first page of a list resource: the members found (in order),
    the collection's hydra:totalItems and how many pages were read."""
    first = URIRef(server + path)
    collection = URIRef(BASE + path.lstrip("/").rsplit(".", 1)[0])
    url: URIRef | None = first
    members: list[URIRef] = []
    pages, total = 0, -1
    while url is not None:
        response = fetch(str(url))
        assert response.status_code == 200, url
        graph = Graph().parse(data=response.text, format="turtle")
        assert (collection, RDF.type, HYDRA.Collection) in graph
        assert (collection, HYDRA.view, url) in graph and (url, RDF.type, HYDRA.PartialCollectionView) in graph
        assert graph.value(url, HYDRA.first) == first
        total = graph.value(collection, HYDRA.totalItems).toPython()
        page = sorted(graph.objects(collection, HYDRA.member))
        assert len(page) <= LIST_PAGE
        members += page
        pages += 1
        url = graph.value(url, HYDRA.next)
    return members, total, pages


@pytest.mark.parametrize("kind", ["case", "country", "instrument"])
def test_a_client_following_hydra_next_collects_every_member_once(server: str, loaded_store: EmbeddedStore,
                                                                   kind: str) -> None:
    cls, _ = LISTS[kind]
    expected = {r["m"] for r in loaded_store.select(
        f'SELECT DISTINCT ?m WHERE {{ ?m a <{cls}> FILTER(STRSTARTS(STR(?m), "{BASE}id/{kind}/")) }}').rows}
    assert expected
    members, total, pages = walk(server, f"/id/{kind}.ttl")
    assert len(members) == len(set(members)) == total == len(expected) and set(members) == expected
    assert pages == -(-len(expected) // LIST_PAGE)


def test_a_list_resource_is_paged_in_headers_and_pages_too(server: str) -> None:
    cases = fetch(server + "/id/case", headers={"Accept": "text/turtle"})
    assert cases.status_code == 200 and cases.headers["content-location"] == "/id/case.ttl"
    assert '</id/case?page=2>; rel="next"' in cases.headers["link"]
    graph = Graph().parse(data=cases.text, format="turtle")
    member = next(graph.objects(URIRef(BASE + "id/case"), HYDRA.member))
    assert graph.value(member, URIRef("http://purl.org/dc/terms/title")) is not None  # named, for a reader
    page = fetch(server + "/id/case?page=2", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'href="/id/case?page=3"' in page.text and f'href="{member[len(BASE) - 1:]}"' \
        not in page.text
    assert 'href="/id/case/' in page.text
    assert fetch(server + "/id/case.trig").status_code == 406
    assert fetch(server + "/id/no-such-kind.ttl").status_code == 404
    jsonld = fetch(server + "/id/legislation.jsonld")
    assert jsonld.status_code == 200 and "hydra" in jsonld.text
