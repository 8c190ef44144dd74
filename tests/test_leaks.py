"""Leak suite (issue 7): attack requests over real HTTP against the examples store, whose
authority has contact details in ``authorities-restricted`` and whose unpublished review answer of
Aurelia (XAA; with its provenance) sits in ``review-restricted/XAA`` / ``provenance-restricted/XAA``;
the fixture adds an unpublished answer of Borealis (XAB), in ``review-restricted/XAB``.

The restricted values are collected from the store's restricted graphs at fixture time (every
IRI or text there that no public graph holds), never written here. Each attack is run twice:

- as the public: no restricted value may appear anywhere in the body (gzip bodies unpacked) or
  the headers, apart from what the request itself sent; and the route must still answer as it
  should (status, counts equal to those over the public graphs, ASK false...), so a route that
  answers nothing at all does not pass for a safe one;
- with an ``official`` token: the values the route is meant to show are there (an official reads
  the restricted graphs), so the suite fails if it stops reaching them.

The official above acts for no State and reads every State's answers. An official of Aurelia
(``--country XAA``) reads Aurelia's unpublished answers and none of Borealis's, whatever the
route (SCOPED): never a value held only in Borealis's graphs, and always Aurelia's answer where
the route shows it.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_plus

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID, XSD

from sherloc_kg.access import PUBLIC, RESTRICTED_GRAPHS, Tokens, is_restricted, is_restricted_graph, public_graphs
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.graph_catalogue import CATALOGUE
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving
from .test_search_api import examples_store

BASE = "https://w3id.org/sherloc/"
G = BASE + "graph/"
AUTHORITY = BASE + "id/authority/XAA-central-authority-mla"
PREFIXES = ("PREFIX sherloc: <https://w3id.org/sherloc/ontology#>\n"
            "PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>\n"
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n")
STRING_TYPES = {None, XSD.string}
SD = "http://www.w3.org/ns/sparql-service-description#"


# -- what is secret, read from the store ---------------------------------------------------------

@dataclass
class Secrets:
    values: set[str]                 # every restricted value, as it could appear in a response
    known: dict[str, str]            # a few of them by what they are (email, phone, answer...)
    unpublished: str                 # the IRI of the unpublished review response
    public_count_all: int            # COUNT(*) over GRAPH ?g, the public graphs only
    public_count_default: int        # COUNT(*) over the default graph, the public graphs only
    public_graph_counts: dict[str, int]
    borealis: set[str] = field(default_factory=set)  # the values an official of XAA may not see


def restricted_values(store: EmbeddedStore, graphs: list[str], visible) -> set[str]:
    """Every IRI or text of ``graphs`` that the dataset ``visible`` does not hold."""
    rows = store.select("SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { %s } }"
                        % " ".join(f"<{g}>" for g in graphs)).rows
    values: set[str] = set()
    for term in {t for row in rows for t in (row["s"], row["o"])}:
        if not (isinstance(term, URIRef) or (isinstance(term, Literal) and term.datatype in STRING_TYPES
                                             and len(str(term)) >= 8)):
            continue
        if store.select("SELECT ?t ?x WHERE { { ?t ?p ?x } UNION { ?x ?p ?t } } LIMIT 1",
                        bindings={"t": term}, dataset=visible).rows:
            continue
        text = str(term)
        values.add(text)
        if text.startswith(BASE):
            values.add(text[len(BASE):])
    return values


def collect_secrets(store: EmbeddedStore) -> Secrets:
    iris = Iris(BASE)
    restricted = [g for g in store.graphs() if is_restricted_graph(iris, g)]
    assert G + "review-restricted/XAA" in restricted and G + "review-restricted/XAB" in restricted, restricted
    public = PUBLIC.dataset(iris)
    rows = store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { %s } }"
                        % " ".join(f"<{g}>" for g in restricted)).rows
    assert rows, "the examples store holds no restricted data: the suite would prove nothing"
    candidates = set()
    for row in rows:
        for term in (row["s"], row["o"]):
            if isinstance(term, URIRef) or (isinstance(term, Literal) and term.datatype in STRING_TYPES
                                            and len(str(term)) >= 8):
                candidates.add(term)
    values: set[str] = set()
    for term in candidates:
        known_publicly = store.select("SELECT ?t ?x WHERE { { ?t ?p ?x } UNION { ?x ?p ?t } } LIMIT 1",
                                      bindings={"t": term}, dataset=public).rows
        if known_publicly:
            continue
        text = str(term)
        values.add(text)
        if text.startswith("mailto:"):
            values.add(text[len("mailto:"):])
        if text.startswith(BASE):
            values.add(text[len(BASE):])
    assert values

    def one(graph: str, prop: str) -> str:
        found = [str(r["o"]) for r in rows if str(r["g"]) == G + graph and str(r["p"]) == prop]
        assert found, (graph, prop)
        return sorted(found)[0]

    sherloc, vcard = "https://w3id.org/sherloc/ontology#", "http://www.w3.org/2006/vcard/ns#"
    known = {
        "email": one("authorities-restricted", vcard + "hasEmail").removeprefix("mailto:"),
        "phone": one("authorities-restricted", vcard + "hasTelephone"),
        "address": one("authorities-restricted", vcard + "street-address"),
        "person": one("authorities-restricted", sherloc + "contactPerson"),
        "answer": one("review-restricted/XAA", sherloc + "practices"),
        "review": one("review-restricted/XAA", "http://purl.org/dc/terms/identifier"),
        "answer-b": one("review-restricted/XAB", sherloc + "practices"),
        "review-b": one("review-restricted/XAB", "http://purl.org/dc/terms/identifier"),
    }
    assert all(v in values for v in known.values()), known
    unpublished = [str(r["s"]) for r in rows if str(r["g"]) == G + "review-restricted/XAA"][0]
    # What Aurelia's official may read, written out here rather than asked of sherloc_kg.access.
    aurelia = public_graphs(iris) + [G + "authorities-restricted", G + "review-restricted/XAA",
                                      G + "provenance-restricted/XAA"]
    borealis = restricted_values(store, [g for g in restricted if g.endswith("/XAB")],
                                 Dataset(default=aurelia, named=aurelia))
    assert {known["answer-b"], known["review-b"], BORIALIS_ANSWER} <= borealis, borealis
    count = lambda q: int(store.select(q, dataset=public).rows[0]["n"])  # noqa: E731
    counts = {g: store.count(g) for g in public_graphs(iris)}
    return Secrets(values=values, known=known, unpublished=unpublished,
                   public_count_all=count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
                   public_count_default=count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                   public_graph_counts=counts, borealis=borealis)


# -- the served app ------------------------------------------------------------------------------

@dataclass
class Server:
    client: httpx.Client
    url: str
    bearer: dict[str, dict[str, str]]
    secrets: Secrets


BORIALIS_ANSWER = BASE + "id/review/XAB-review-leak-untoc-art-6"


def add_borealis(store: EmbeddedStore, settings: Settings, folder: Path) -> None:
    """An unpublished answer of Borealis (XAB), loaded from a file as the examples are."""
    path = folder / "borealis.jsonl"
    path.write_text(json.dumps({
        "id": "XAB-review-leak-untoc-art-6", "country": "XAB", "cycle": 1, "cluster": 1, "provision": "untoc/art/6",
        "status": "not-implemented", "practices": "[Illustrative] Invented answer of Borealis BOREALISSECRET: "
        "laundering is not yet an offence.", "difficulties": "[Illustrative] Invented difficulty of Borealis: "
        "no financial intelligence unit.", "date": "2024-03-01", "published": False}) + "\n", encoding="utf-8")
    Ingest(store, settings).load("review", [path])


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = examples_store(settings)
    add_borealis(store, settings, Path(tmp_path_factory.mktemp("leak-borealis")))
    secrets = collect_secrets(store)
    token_file = Path(tmp_path_factory.mktemp("leak-tokens")) / "tokens.json"
    tokens = Tokens(token_file)
    bearer = {"public": {}}
    bearer.update({role: {"Authorization": "Bearer " + tokens.create(role, name=f"leak suite {role}")}
                   for role in ("official", "admin")})
    bearer.update({f"official-{c}": {"Authorization": "Bearer " + tokens.create("official", country=c,
                                                                                 name=f"leak suite official of {c}")}
                   for c in ("XAA", "XAB")})
    with serving(create_app(settings.with_(tokens=token_file), store=store)) as url, \
            httpx.Client(base_url=url, timeout=120) as client:
        yield Server(client, url, bearer, secrets)


# -- attacks -------------------------------------------------------------------------------------

@dataclass
class Attack:
    id: str
    path: str
    params: dict[str, str] | list[tuple[str, str]] | None = None
    method: str = "GET"
    content: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200                        # what the public gets
    official_status: int | None = None       # what an official gets (default: 200)
    official_sees: tuple[str, ...] = ()      # keys of Secrets.known an official's answer holds
    check: Callable[["Server", httpx.Response, str], None] | None = None  # more, per role


def fill(value: str, server: Server) -> str:
    return value.replace("$G", G).replace("$B", BASE).replace("$URL", server.url)


def sparql(id: str, query: str, *, via: str = "get", extra: list[tuple[str, str]] | None = None,
           accept: str | None = None, **kwargs) -> Attack:
    text = PREFIXES + query
    headers = {"Accept": accept} if accept else {}
    if via == "get":
        return Attack(id, "/sparql", [("query", text)] + (extra or []), headers=headers, **kwargs)
    if via == "form":
        return Attack(id, "/sparql", extra, method="POST", content=text, headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"}, **kwargs)
    return Attack(id, "/sparql", extra, method="POST", content=text,
                  headers={**headers, "Content-Type": "application/sparql-query"}, **kwargs)


def ask_is(public: bool, official: bool):
    def check(_server: Server, response: httpx.Response, role: str) -> None:
        assert response.json()["boolean"] is (official if role == "official" else public)
    return check


def count_is(field_name: str):
    def check(server: Server, response: httpx.Response, role: str) -> None:
        n = int(response.json()["results"]["bindings"][0]["n"]["value"])
        expected = 0 if field_name == "nothing" else getattr(server.secrets, field_name)
        if role == "public":
            assert n == expected
        else:
            assert n > expected
    return check


def service_description(server: Server, response: httpx.Response, role: str) -> None:
    graph = Graph().parse(data=response.text, format="turtle")
    names = {str(o) for o in graph.objects(None, URIRef(SD + "name"))}
    restricted = {n for n in names if is_restricted_graph(Iris(BASE), n)}
    default = next(graph.objects(None, URIRef(SD + "defaultGraph")))
    total = int(next(graph.objects(default, VOID.triples)))
    if role == "public":
        assert not restricted and total == server.secrets.public_count_default
        assert names == {g for g, n in server.secrets.public_graph_counts.items() if n}
    else:
        assert restricted and total > server.secrets.public_count_default


def dataset_description(server: Server, response: httpx.Response, role: str) -> None:
    graph = Graph().parse(data=response.text, format="turtle")
    subsets = {str(s): int(next(graph.objects(s, VOID.triples))) for s in graph.objects(URIRef(BASE + "dataset"), VOID.subset)}
    total = int(next(graph.objects(URIRef(BASE + "dataset"), VOID.triples)))
    if role == "public":
        assert subsets == server.secrets.public_graph_counts
        assert total == sum(server.secrets.public_graph_counts.values())
    else:
        assert {G + "authorities-restricted", G + "review-restricted/XAA", G + "review-restricted/XAB"} <= set(subsets)
        assert total == sum(subsets.values()) > sum(server.secrets.public_graph_counts.values())


def dataset_page(server: Server, response: httpx.Response, role: str) -> None:
    """The page a browser is shown at /dataset: the restricted graphs' rows for an official only,
    and the public's triples the public graphs' (the page reads the description checked above)."""
    assert response.headers["content-type"].startswith("text/html")
    restricted = (CATALOGUE["authorities-restricted"].title, CATALOGUE["review-restricted"].title)
    if role == "public":
        assert not [title for title in restricted if html.escape(title) in response.text]
        assert f'<td class="triples">{sum(server.secrets.public_graph_counts.values()):,}</td>' in response.text
    else:
        assert all(html.escape(title) in response.text for title in restricted)


def stats(server: Server, response: httpx.Response, role: str) -> None:
    body = response.json()
    graphs = {name: n for name, n in body["graphs"].items() if n}
    if role == "public":
        assert not [g for g in graphs if is_restricted(g)], graphs
        assert body["triples"] == sum(server.secrets.public_graph_counts.values())
        assert body["records"]["review"] == 1  # the published review response only
    else:
        assert {"authorities-restricted", "review-restricted/XAA", "review-restricted/XAB"} <= set(graphs)
        assert body["records"]["review"] == 3


def home_page(server: Server, response: httpx.Response, role: str) -> None:
    triples = int(re.search(r'<span class="triples">([\d,]+)</span> triples', response.text).group(1).replace(",", ""))
    reviews = int(re.search(r'<span class="figure">(\d+)</span>Review answers', response.text).group(1))
    if role == "public":
        assert (triples, reviews) == (sum(server.secrets.public_graph_counts.values()), 1)
    else:
        assert reviews == 3


def statistics_query(server: Server, response: httpx.Response, role: str) -> None:
    graphs = {b["graph"]["value"] for b in response.json()["results"]["bindings"]}
    restricted = {g for g in graphs if is_restricted_graph(Iris(BASE), g)}
    assert bool(restricted) is (role == "official")


def service_refused(server: Server, response: httpx.Response, role: str) -> None:
    assert "SERVICE" in response.json()["message"]


ATTACKS = [
    # -- SPARQL: datasets naming the restricted graphs ------------------------------------------
    sparql("sparql-from-restricted", "SELECT ?p ?o FROM <$Gauthorities-restricted> WHERE { ?s ?p ?o }",
           official_sees=("email", "phone", "address", "person")),
    sparql("sparql-from-named-restricted", "SELECT ?g ?s ?p ?o FROM NAMED <$Gauthorities-restricted> "
           "FROM NAMED <$Greview-restricted/XAA> WHERE { GRAPH ?g { ?s ?p ?o } }", official_sees=("email", "answer")),
    sparql("sparql-graph-iri", "SELECT ?s ?p ?o WHERE { GRAPH <$Greview-restricted/XAA> { ?s ?p ?o } }",
           official_sees=("answer", "review")),
    sparql("sparql-graph-variable", "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
           "FILTER(STRSTARTS(STR(?s), \"$Bid/authority/\") || STRSTARTS(STR(?s), \"$Bid/review/\")) }",
           official_sees=("email", "phone", "answer", "answer-b")),
    sparql("sparql-default-graph-uri", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
           extra=[("default-graph-uri", "$Gauthorities-restricted")], official_sees=("email", "phone")),
    sparql("sparql-named-graph-uri", "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
           extra=[("named-graph-uri", "$Greview-restricted/XAA"), ("named-graph-uri", "$Gprovenance-restricted/XAA")],
           official_sees=("answer",)),
    sparql("sparql-protocol-beats-from", "SELECT ?s ?p ?o FROM <$Gauthorities-restricted> WHERE { ?s ?p ?o }",
           extra=[("default-graph-uri", "$Gauthorities-restricted"), ("default-graph-uri", "$Gauthorities")],
           official_sees=("email",)),
    sparql("sparql-post-form-from", "SELECT ?s ?p ?o FROM <$Gauthorities-restricted> WHERE { ?s ?p ?o }",
           via="form", official_sees=("email",)),
    sparql("sparql-post-body-graph", "SELECT ?g ?o WHERE { GRAPH ?g { ?s sherloc:practices|vcard:hasEmail ?o } }",
           via="body", official_sees=("email", "answer", "answer-b")),
    # -- DESCRIBE / CONSTRUCT --------------------------------------------------------------------
    sparql("sparql-describe-authority", f"DESCRIBE <{AUTHORITY}>", accept="text/turtle",
           official_sees=("email", "phone")),
    sparql("sparql-describe-review", "DESCRIBE ?r WHERE { ?r a sherloc:ReviewResponse }", accept="application/n-quads",
           official_sees=("answer",)),
    sparql("sparql-construct-graph-var", "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
           f"FILTER(STRSTARTS(STR(?s), \"{AUTHORITY}\")) }}", accept="application/ld+json",
           official_sees=("email", "address")),
    # -- property paths --------------------------------------------------------------------------
    sparql("sparql-path-to-contact", f"SELECT ?x WHERE {{ <{AUTHORITY}> vcard:hasAddress/vcard:street-address"
           "|vcard:hasEmail|vcard:hasTelephone|sherloc:contactPerson ?x }", official_sees=("email", "address", "person")),
    sparql("sparql-path-reverse-from-country", "SELECT ?r ?x WHERE { <$Bid/country/XAA> ^sherloc:country ?r . "
           "?r !(rdf:type) ?x }", official_sees=("email", "answer", "review")),
    sparql("sparql-path-closure-in-graph", f"SELECT ?g ?x WHERE {{ GRAPH ?g {{ <{AUTHORITY}> (!rdf:type)+ ?x }} }}",
           official_sees=("address",)),
    # -- ASK probes ------------------------------------------------------------------------------
    sparql("sparql-ask-email", "ASK { ?s vcard:hasEmail ?e FILTER(CONTAINS(STR(?e), \"@\")) }",
           check=ask_is(False, True)),
    sparql("sparql-ask-email-in-named-graph", "ASK FROM NAMED <$Gauthorities-restricted> { GRAPH ?g { ?s vcard:hasEmail ?e } }",
           check=ask_is(False, True)),
    sparql("sparql-ask-unpublished-review", "ASK { ?r sherloc:published false }", check=ask_is(False, True)),
    # -- counts ----------------------------------------------------------------------------------
    sparql("sparql-count-all-graphs", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
           check=count_is("public_count_all")),
    sparql("sparql-count-default-graph", "SELECT (COUNT(*) AS ?n) FROM <$Gauthorities-restricted> "
           "FROM <$Greview-restricted/XAA> WHERE { ?s ?p ?o }", check=count_is("nothing")),
    sparql("sparql-count-union-default", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
           check=count_is("public_count_default")),
    # -- SERVICE ---------------------------------------------------------------------------------
    sparql("sparql-service-self", "SELECT * WHERE { SERVICE <$URL/sparql> { GRAPH ?g { ?s vcard:hasEmail ?o } } }",
           status=403, official_status=403, check=service_refused),
    sparql("sparql-service-lowercase", "SELECT * WHERE { service silent <$URL/sparql?default-graph-uri=$Gauthorities-restricted> "
           "{ ?s ?p ?o } }", status=403, official_status=403, check=service_refused),
    # -- result formats: CSV, TSV, XML -------------------------------------------------------------
    sparql("sparql-csv", "SELECT ?s ?p ?o FROM <$Gauthorities-restricted> WHERE { ?s ?p ?o }",
           extra=[("format", "csv")], official_sees=("email", "phone")),
    sparql("sparql-tsv", "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?o) && CONTAINS(?o, \"555\")) }",
           accept="text/tab-separated-values", official_sees=("phone",)),
    sparql("sparql-xml", "SELECT ?o WHERE { GRAPH <$Greview-restricted/XAA> { ?s sherloc:practices ?o } }",
           accept="application/sparql-results+xml", official_sees=("answer",)),
    # -- errors ----------------------------------------------------------------------------------
    sparql("sparql-syntax-error", "SELECT * FROM <$Gauthorities-restricted> WHERE { ?s vcard:hasEmail ?o ",
           status=400, official_status=400),
    sparql("sparql-bad-dataset-iri", "SELECT * WHERE { ?s ?p ?o }",
           extra=[("default-graph-uri", "$Gauthorities-restricted"), ("default-graph-uri", "not an iri")],
           status=400, official_status=400),
    sparql("sparql-not-acceptable", "SELECT ?o FROM <$Gauthorities-restricted> WHERE { ?s ?p ?o }",
           accept="image/png", status=406, official_status=406),
    sparql("sparql-update-by-public", "INSERT { ?s ?p ?o } WHERE { GRAPH <$Gauthorities-restricted> { ?s ?p ?o } }",
           via="body", status=400, official_status=400),
    Attack("sparql-update-form", "/sparql", method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"},
           content="update=" + "COPY%20%3C$Gauthorities-restricted%3E%20TO%20%3C$Gauthorities%3E",
           status=401, official_status=403),
    # -- service description -------------------------------------------------------------------
    Attack("sparql-service-description", "/sparql", headers={"Accept": "text/turtle"}, check=service_description),
    Attack("sparql-editor-page", "/explore/sparql/editor", headers={"Accept": "text/html"}),
    Attack("sparql-editor-setup", "/api/sparql/editor"),
    # -- Linked Data -----------------------------------------------------------------------------
    Attack("ld-authority-html", "/id/authority/XAA-central-authority-mla", headers={"Accept": "text/html"},
           official_sees=("email", "phone", "address", "person")),
    *[Attack(f"ld-authority-suffix{suffix}", "/id/authority/XAA-central-authority-mla" + suffix,
             official_sees=("email", "phone")) for suffix in (".ttl", ".jsonld", ".nt", ".rdf", ".html")],
    *[Attack(f"ld-authority-accept-{media.split('/')[1]}", "/id/authority/XAA-central-authority-mla",
             headers={"Accept": media}, official_sees=("email", "phone"))
      for media in ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")],
    Attack("ld-contact-node", "/id/authority/XAA-central-authority-mla/contact.ttl", status=404,
           official_sees=("address",)),
    Attack("ld-unpublished-review-html", "/id/review/XAA-review-tip-art-5", headers={"Accept": "text/html"},
           status=404, official_sees=("answer",)),
    Attack("ld-unpublished-review-jsonld", "/id/review/XAA-review-tip-art-5.jsonld", status=404,
           official_sees=("answer",)),
    Attack("ld-incoming-on-provision", "/id/instrument/tip/art/5.nt", official_sees=("review",)),
    Attack("ld-incoming-on-country", "/id/country/XAA", headers={"Accept": "text/html"}, official_sees=("review",)),
    Attack("ld-incoming-on-national-provision", "/id/legislation/XAA/XAA-penal-code/art/210.ttl",
           official_sees=("review",)),
    Attack("ld-incoming-on-concept", "/vocab/review-status/partially-implemented.jsonld", official_sees=("review",)),
    *[Attack(f"ld-graph-{name}", f"/graph/{name}.ttl", status=404) for name in sorted(RESTRICTED_GRAPHS)],
    *[Attack(f"ld-graph-{name}", f"/graph/{name}.ttl", status=404)  # described to officials (VoID counts)
      for name in ("review-restricted/XAA", "provenance-restricted/XAA")],
    Attack("ld-graph-review-partitions", "/graph/review.ttl"),
    Attack("ld-head-review", "/id/review/XAA-review-tip-art-5.ttl", method="HEAD", status=404),
    # -- JSON API --------------------------------------------------------------------------------
    Attack("api-resource-authority", "/api/resource", {"iri": AUTHORITY}, official_sees=("email", "phone", "address")),
    Attack("api-resource-contact", "/api/resource/id/authority/XAA-central-authority-mla/contact", status=404,
           official_sees=("address",)),
    Attack("api-resource-review", "/api/resource/id/review/XAA-review-tip-art-5", status=404, official_sees=("answer",)),
    Attack("api-resource-provision-incoming", "/api/resource/id/instrument/tip/art/5", official_sees=("review",)),
    Attack("explorer-authority-page", "/explore/authorities/XAA-central-authority-mla",
           official_sees=("email", "phone", "address", "person")),
    Attack("api-authority", "/api/authorities/XAA-central-authority-mla", official_sees=("email", "phone", "address")),
    Attack("api-search-authorities", "/api/search/authorities", {"country": "XAA", "q": "central"}),
    Attack("api-search-contact-words", "/api/search/authorities", {"q": "Monday Friday"}),
    Attack("api-queries-authorities", "/api/queries/authorities-designated-under", {"provision": "untoc/art/18"}),
    Attack("api-queries-resource-links", "/api/queries/resource-links", {"resource": AUTHORITY},
           official_sees=("email",)),
    Attack("api-queries-resource-links-csv", "/api/queries/resource-links", {"resource": BASE + "id/country/XAA"},
           headers={"Accept": "text/csv"}, official_sees=("review",)),
    Attack("api-queries-statistics", "/api/queries/dataset-statistics", check=statistics_query),
    Attack("api-stats", "/api/stats", check=stats),
    Attack("home-page", "/", headers={"Accept": "text/html"}),
    # -- dataset and dumps -------------------------------------------------------------------------
    Attack("dataset-description", "/dataset", headers={"Accept": "text/turtle"}, check=dataset_description),
    Attack("dataset-page", "/dataset", headers={"Accept": "text/html", "Accept-Language": "en"}, check=dataset_page),
    Attack("dataset-dump", "/dataset/dump.nq.gz", official_sees=("email", "phone", "answer", "review", "answer-b",
                                                                   "review-b")),
]


def send(server: Server, attack: Attack, role: str) -> tuple[httpx.Response, str]:
    """The response to ``attack`` as ``role``, and the request's own text (what it may echo)."""
    params = attack.params
    if isinstance(params, dict):
        params = {k: fill(v, server) for k, v in params.items()}
    elif params:
        params = [(k, fill(v, server)) for k, v in params]
    content = fill(attack.content, server) if attack.content else None
    if content and attack.headers.get("Content-Type") == "application/x-www-form-urlencoded" \
            and not content.startswith("update="):
        content = httpx.QueryParams({"query": content}).__str__()
    response = server.client.request(attack.method, attack.path, params=params, content=content,
                                      headers={**attack.headers, **server.bearer[role]})
    sent = unquote_plus(str(response.request.url)) + "\n" + unquote_plus(content or "")
    return response, sent


def text_of(response: httpx.Response) -> str:
    body = response.content
    if body[:2] == b"\x1f\x8b":
        body = gzip.GzipFile(fileobj=io.BytesIO(body)).read()
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
    return headers + "\n" + body.decode("utf-8", errors="replace")


def leaked(secrets: set[str], response: httpx.Response, sent: str) -> list[str]:
    text = text_of(response)
    echoed = {s for s in secrets if s in sent or (s.startswith(BASE) and s[len(BASE):] in sent)}
    return sorted(s for s in secrets - echoed if s in text or html.escape(s) in text or json.dumps(s)[1:-1] in text)


IDS = [a.id for a in ATTACKS]


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_the_public_sees_no_restricted_value(server: Server, attack: Attack) -> None:
    response, sent = send(server, attack, "public")
    assert response.status_code == attack.status, response.text[:500]
    assert not leaked(server.secrets.values, response, sent), attack.id
    if attack.check is not None:
        attack.check(server, response, "public")


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_an_official_sees_what_the_route_shows(server: Server, attack: Attack) -> None:
    response, _ = send(server, attack, "official")
    expected = attack.official_status or 200
    assert response.status_code == expected, response.text[:500]
    text = text_of(response)
    missing = [key for key in attack.official_sees if server.secrets.known[key] not in text
               and html.escape(server.secrets.known[key]) not in text]
    assert not missing, (attack.id, missing)
    if attack.check is not None:
        attack.check(server, response, "official")


# The home page once counted the whole store for everyone: the triples of the restricted graphs and
# the unpublished review response (2 reviews instead of 1).
def test_the_home_page_counts_only_public_graphs_for_the_public(server: Server) -> None:
    home_page(server, server.client.get("/"), "public")


def test_the_home_page_counts_restricted_graphs_for_an_official(server: Server) -> None:
    home_page(server, server.client.get("/", headers=server.bearer["official"]), "official")


def test_the_unpublished_review_iri_is_a_secret(server: Server) -> None:
    """The collected secrets hold what the brief lists: contact details and the unpublished answer."""
    known = server.secrets.known
    assert {known["email"], known["phone"], known["person"], known["answer"]} <= server.secrets.values
    assert server.secrets.unpublished in server.secrets.values


def test_service_to_our_own_endpoint_carries_no_token(server: Server) -> None:
    """An admin may federate; the inner request goes without a token, so it sees only public data."""
    query = PREFIXES + f"SELECT ?s ?o WHERE {{ SERVICE <{server.url}/sparql> {{ GRAPH ?g {{ ?s ?p ?o }} "\
        f"FILTER(STRSTARTS(STR(?s), \"{AUTHORITY}\")) }} }}"
    response = server.client.get("/sparql", params={"query": query}, headers=server.bearer["admin"])
    assert response.status_code == 200, response.text[:500]
    assert response.json()["results"]["bindings"], "the federated query read nothing at all"
    assert not leaked(server.secrets.values, response, query)


def test_an_admin_reads_the_restricted_graph_through_the_graph_store(server: Server) -> None:
    for role, status in (("public", 401), ("official", 403)):
        response = server.client.get("/rdf-graph-store", params={"graph": G + "authorities-restricted"},
                                     headers=server.bearer[role])
        assert response.status_code == status
        assert not leaked(server.secrets.values, response, "")
    response = server.client.get("/rdf-graph-store", params={"graph": G + "authorities-restricted"},
                                 headers={**server.bearer["admin"], "Accept": "application/n-triples"})
    assert response.status_code == 200 and server.secrets.known["email"] in response.text


# -- an official of one State (issue 7: "unpublished review answers of their own State") ---------

XAA_ANSWER = "/id/review/XAA-review-tip-art-5"
XAB_ANSWER = "/id/review/XAB-review-leak-untoc-art-6"


@dataclass
class Scoped:
    """A request as an official of Aurelia (XAA), an official of no State and the public. Aurelia's
    official never gets a value held only in Borealis's graphs, and gets Aurelia's unpublished
    answer where ``aurelia_sees``; the official of no State gets every answer in ``all_see``."""
    id: str
    path: str
    params: dict[str, str] | list[tuple[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    aurelia_sees: bool = True
    aurelia_status: int = 200
    all_see: tuple[str, ...] = ("answer", "answer-b")
    all_status: int = 200
    public_status: int = 200

    def attack(self) -> Attack:
        return Attack(self.id, self.path, self.params, headers=self.headers)


def scoped_sparql(id: str, query: str, extra: list[tuple[str, str]] | None = None, **kwargs) -> Scoped:
    return Scoped(id, "/sparql", [("query", PREFIXES + query)] + (extra or []), **kwargs)


SCOPED = [
    scoped_sparql("sparql-graph-variable", "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                  "FILTER(STRSTARTS(STR(?s), \"$Bid/review/\")) }"),
    scoped_sparql("sparql-union-default", "SELECT ?s ?o WHERE { ?s sherloc:practices ?o }"),
    scoped_sparql("sparql-from-named-both", "SELECT ?g ?s ?p ?o FROM NAMED <$Greview-restricted/XAA> "
                  "FROM NAMED <$Greview-restricted/XAB> FROM NAMED <$Gprovenance-restricted/XAB> "
                  "WHERE { GRAPH ?g { ?s ?p ?o } }"),
    scoped_sparql("sparql-from-named-borealis", "SELECT ?g ?s ?p ?o FROM NAMED <$Greview-restricted/XAB> "
                  "FROM NAMED <$Gprovenance-restricted/XAB> FROM NAMED <$Gprovenance-restricted> "
                  "WHERE { GRAPH ?g { ?s ?p ?o } }", aurelia_sees=False, all_see=("answer-b",)),
    scoped_sparql("sparql-from-borealis", "SELECT ?s ?p ?o FROM <$Greview-restricted/XAB> WHERE { ?s ?p ?o }",
                  aurelia_sees=False, all_see=("answer-b",)),
    scoped_sparql("sparql-graph-iri-borealis", "SELECT ?s ?p ?o WHERE { GRAPH <$Greview-restricted/XAB> { ?s ?p ?o } }",
                  aurelia_sees=False, all_see=("answer-b",)),
    scoped_sparql("sparql-named-graph-uri", "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                  extra=[("named-graph-uri", "$Greview-restricted/XAA"), ("named-graph-uri", "$Greview-restricted/XAB")]),
    scoped_sparql("sparql-describe-reviews", "DESCRIBE ?r WHERE { ?r a sherloc:ReviewResponse }",
                  headers={"Accept": "application/n-quads"}),
    scoped_sparql("sparql-csv-reviews", "SELECT ?r ?o WHERE { ?r a sherloc:ReviewResponse ; sherloc:practices ?o }",
                  extra=[("format", "csv")]),
    Scoped("ld-aurelia-answer", XAA_ANSWER + ".ttl", all_see=("answer",), public_status=404),
    Scoped("ld-borealis-answer-html", XAB_ANSWER, headers={"Accept": "text/html"}, aurelia_sees=False,
           aurelia_status=404, all_see=("answer-b",), public_status=404),
    Scoped("ld-borealis-answer-ttl", XAB_ANSWER + ".ttl", aurelia_sees=False, aurelia_status=404,
           all_see=("answer-b",), public_status=404),
    Scoped("ld-borealis-country", "/id/country/XAB", headers={"Accept": "text/html"}, aurelia_sees=False,
           all_see=("review-b",)),
    Scoped("ld-provision-incoming", "/id/instrument/untoc/art/6.nt", aurelia_sees=False, all_see=("review-b",)),
    Scoped("api-resource-borealis", "/api/resource" + XAB_ANSWER, aurelia_sees=False, aurelia_status=404,
           all_see=("answer-b",), public_status=404),
    Scoped("api-resource-aurelia", "/api/resource" + XAA_ANSWER, all_see=("answer",), public_status=404),
    Scoped("api-review-listing", "/api/review/submissions"),
    Scoped("api-review-listing-borealis", "/api/review/submissions", {"country": "XAB"}, aurelia_sees=False,
           all_see=("answer-b",)),
    Scoped("api-review-borealis", "/api/review/submissions/XAB-review-leak-untoc-art-6", aurelia_sees=False,
           aurelia_status=404, all_see=("answer-b",), public_status=404),
    Scoped("api-links-csv", "/api/queries/resource-links", {"resource": BASE + "id/country/XAB"},
           headers={"Accept": "text/csv"}, aurelia_sees=False, all_see=("review-b",)),
    Scoped("api-stats", "/api/stats", aurelia_sees=False, all_see=()),
    Scoped("dataset-description", "/dataset", headers={"Accept": "text/turtle"}, aurelia_sees=False, all_see=()),
    Scoped("dataset-dump", "/dataset/dump.nq.gz", all_see=("answer", "review", "answer-b", "review-b")),
]
SCOPED_IDS = [s.id for s in SCOPED]


@pytest.mark.parametrize("case", SCOPED, ids=SCOPED_IDS)
def test_an_official_of_a_state_sees_its_own_answers_only(server: Server, case: Scoped) -> None:
    response, sent = send(server, case.attack(), "official-XAA")
    assert response.status_code == case.aurelia_status, response.text[:500]
    assert not leaked(server.secrets.borealis, response, sent), case.id
    if case.aurelia_sees:
        assert server.secrets.known["answer"] in text_of(response), case.id


@pytest.mark.parametrize("case", SCOPED, ids=SCOPED_IDS)
def test_an_official_of_no_state_sees_every_states_answers(server: Server, case: Scoped) -> None:
    response, _ = send(server, case.attack(), "official")
    assert response.status_code == case.all_status, response.text[:500]
    text = text_of(response)
    assert not [k for k in case.all_see if server.secrets.known[k] not in text], case.id


@pytest.mark.parametrize("case", SCOPED, ids=SCOPED_IDS)
def test_the_public_sees_no_states_answers(server: Server, case: Scoped) -> None:
    response, sent = send(server, case.attack(), "public")
    assert response.status_code == case.public_status, response.text[:500]
    assert not leaked(server.secrets.values, response, sent), case.id


def test_each_official_reads_its_own_states_graphs(server: Server) -> None:
    """What the server decides, as the dataset description and the statistics say it: Aurelia's
    official counts Aurelia's restricted graphs and not Borealis's, and the other way round."""
    for state, other in (("XAA", "XAB"), ("XAB", "XAA")):
        headers = server.bearer[f"official-{state}"]
        graphs = set(server.client.get("/api/stats", headers=headers).json()["graphs"])
        assert {"authorities-restricted", f"review-restricted/{state}"} <= graphs, graphs
        assert f"review-restricted/{other}" not in graphs and "provenance-restricted" not in graphs
        description = server.client.get("/dataset", headers=headers | {"Accept": "text/turtle"}).text
        assert f"{G}review-restricted/{state}" in description and f"{G}review-restricted/{other}" not in description
        mine = "answer-b" if state == "XAB" else "answer"
        theirs = "answer" if state == "XAB" else "answer-b"
        dump = text_of(server.client.get("/dataset/dump.nq.gz", headers=headers))
        assert server.secrets.known[mine] in dump and server.secrets.known[theirs] not in dump
        own = server.client.get(f"/graph/review-restricted/{state}.ttl", headers=headers)
        assert own.status_code == 200 and "triples" in own.text, own.text
        assert f"Those of State {state}" in own.text
        assert server.client.get(f"/graph/review-restricted/{other}.ttl", headers=headers).status_code == 404
        assert server.client.get(f"/graph/review-restricted/{state}.ttl").status_code == 404  # the public
        ask = PREFIXES + f"ASK {{ ?r sherloc:published false ; sherloc:country <{BASE}id/country/{other}> }}"
        assert server.client.get("/sparql", params={"query": ask}, headers=headers).json()["boolean"] is False
        ask = PREFIXES + f"ASK {{ ?r sherloc:published false ; sherloc:country <{BASE}id/country/{state}> }}"
        assert server.client.get("/sparql", params={"query": ask}, headers=headers).json()["boolean"] is True
