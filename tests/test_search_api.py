"""/api/search/{kind} and /api/resource on the real app, served on loopback, over real stores: the
bundled cases (counts checked against the source file) and the illustrative examples of every kind
(fictional States)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
import httpx
from rdflib import URIRef

from sherloc_kg.access import Role, Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.reference import BUNDLED, install_reference, load_examples
from sherloc_kg.store import open_store
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving

BASE = "https://w3id.org/sherloc/"


def examples_store(settings: Settings) -> EmbeddedStore:
    """A fresh store with the reference graphs (fictional States included) and every example."""
    store = open_store(settings)  # in memory, with the public mirror, as `serve` has it
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    return store


@pytest.fixture(scope="module")
def source(settings: Settings) -> list[dict]:
    path = settings.data_dir / dict(BUNDLED)["cases"]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def client(loaded_store, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    tokens = tmp_path_factory.mktemp("search") / "tokens.json"
    with serving(create_app(settings.with_(tokens=tokens), store=loaded_store)) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def example_store(settings: Settings) -> EmbeddedStore:
    """The store the examples are served from (tests/test_api_remote.py swaps in a remote one)."""
    return examples_store(settings)


@pytest.fixture(scope="module")
def search_examples(settings: Settings, example_store: EmbeddedStore,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, dict, EmbeddedStore]]:
    """A client on the examples, the headers of an admin token, and the store."""
    tokens = tmp_path_factory.mktemp("search-examples") / "tokens.json"
    admin = Tokens(tokens).create(Role.ADMIN, name="test")
    store = example_store
    with serving(create_app(settings.with_(tokens=tokens), store=store)) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        yield http, {"Authorization": f"Bearer {admin}"}, store


def where(case: dict) -> str:
    return case.get("country") or case["jurisdiction"]


def facet(body: dict, name: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in body["facets"][name]}


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


# -- counts against the source file ---------------------------------------------------------------
def test_country_and_year_facets_count_the_source(client: httpx.Client, source: list[dict]) -> None:
    body = ok(client.get("/api/search/cases"))
    assert body["total"] == len(source) == 1164
    assert facet(body, "country") == Counter(where(c) for c in source)
    assert facet(body, "year") == {str(y): n for y, n in Counter(c["year"] for c in source).items()}
    assert facet(body, "crime_type") == Counter(t for c in source for t in c["crime_types"])
    labels = {v["value"]: v["label"] for v in body["facets"]["country"]}
    assert labels["ALB"] == "Albania" and labels["IRB"] != "IRB"
    assert set(body["facets"]) == {"country", "provision", "crime_type", "issue", "year"}


def test_a_country_filter_gives_its_cases(client: httpx.Client, source: list[dict]) -> None:
    body = ok(client.get("/api/search/cases", params={"country": "ALB", "size": 100}))
    expected = {c["id"] for c in source if where(c) == "ALB"}
    assert body["total"] == len(expected) and {i["id"] for i in body["items"]} == expected
    assert all(item["country"] == ["ALB"] for item in body["items"])
    either = ok(client.get("/api/search/cases", params=[("country", "ALB"), ("country", "BRA")]))
    assert either["total"] == sum(1 for c in source if where(c) in ("ALB", "BRA"))
    international = ok(client.get("/api/search/cases", params={"country": "IRB"}))
    assert international["total"] == sum(1 for c in source if c.get("jurisdiction") == "IRB") > 0


def test_year_range_and_its_facet(client: httpx.Client, source: list[dict]) -> None:
    body = ok(client.get("/api/search/cases", params={"year_from": 2008, "year_to": 2010}))
    in_range = [c for c in source if 2008 <= c["year"] <= 2010]
    assert body["total"] == len(in_range)
    # the year facet leaves its own filter out: every year is still offered, with its full count
    assert facet(body, "year") == {str(y): n for y, n in Counter(c["year"] for c in source).items()}
    # the other facets count within the range
    assert facet(body, "country") == Counter(where(c) for c in in_range)
    only_from = ok(client.get("/api/search/cases", params={"year_from": 2015}))
    assert only_from["total"] == sum(1 for c in source if c["year"] >= 2015)


def test_text_query_is_case_insensitive_and_needs_every_word(client: httpx.Client, source: list[dict]) -> None:
    # words in titles (other texts of the record count too: test_words_match_what_a_reader_sees_on_a_case)
    for q in ("decision", "DECISION no", "v. state"):
        words = q.lower().split()
        titled = {c["id"] for c in source if all(w in c["title"].lower() for w in words)}
        body = ok(client.get("/api/search/cases", params={"q": q, "size": 100}))
        assert body["total"] >= len(titled) > 0, q
        if body["total"] <= 100:
            assert {i["id"] for i in body["items"]} >= titled
        assert ok(client.get("/api/search/cases", params={"q": q.swapcase()}))["total"] == body["total"]
    # "decision" is in titles only: exactly the titled cases
    titled = {c["id"] for c in source if "decision" in c["title"].lower()}
    assert ok(client.get("/api/search/cases", params={"q": "Decision"}))["total"] == len(titled)


CASE_PREFIXES = ("PREFIX sherloc: <https://w3id.org/sherloc/ontology#>\n"
                 "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n")


def case_ids(store, pattern: str) -> set[str]:
    """The identifiers of the cases matching ``pattern`` (about ?r), read from the store itself."""
    query = f"{CASE_PREFIXES}SELECT DISTINCT ?id WHERE {{ ?r a sherloc:CourtCase ; dcterms:identifier ?id . {pattern} }}"
    return {str(row["id"]) for row in store.select(query).rows}


def titled(words: list[str]) -> str:
    """?r's title holds every word (lower case)."""
    return " ".join(f'FILTER EXISTS {{ ?r dcterms:title ?_t{n} FILTER(CONTAINS(LCASE(STR(?_t{n})), "{w}")) }}'
                    for n, w in enumerate(words))


@pytest.mark.parametrize("q, linked", [
    ("money laundering", '?r sherloc:crimeType ?c . ?c skos:notation "money-laundering" .'),
    ("sexual exploitation", '?r sherloc:tipPurpose ?c . ?c skos:notation "sexual-exploitation" .'),
    ("Brazil", '?r sherloc:jurisdiction ?c . ?c sherloc:iso3166Alpha3 "BRA" .'),
    ("Brésil", '?r sherloc:jurisdiction ?c . ?c sherloc:iso3166Alpha3 "BRA" .'),  # the French name
    ("bresil", '?r sherloc:jurisdiction ?c . ?c sherloc:iso3166Alpha3 "BRA" .'),  # without its accent
])
def test_words_match_what_a_reader_sees_on_a_case(client: httpx.Client, loaded_store, q: str, linked: str) -> None:
    # the cases the store links to the concept or country the words name, and those titled with them
    expected = case_ids(loaded_store, linked)
    words = [w for w in q.lower().split() if w.isascii()]
    expected |= case_ids(loaded_store, titled(words)) if len(words) == len(q.split()) else set()
    assert expected
    body = ok(client.get("/api/search/cases", params={"q": q, "size": 100}))
    assert body["total"] == len(expected), q
    if len(expected) <= 100:
        assert {i["id"] for i in body["items"]} == expected
    # the facets count within the words: every match of a crime type's words has that crime type
    if q == "money laundering":
        assert facet(body, "crime_type")["money-laundering"] == len(expected)
    # the same search narrowed by a filter finds the matches that have it, listed or not
    narrowed = ok(client.get("/api/search/cases", params={"q": q, "year_from": 2010}))
    assert narrowed["total"] == len(expected & case_ids(loaded_store, "?r sherloc:decisionYear ?y FILTER(?y >= 2010)"))


def test_every_word_must_match_somewhere(client: httpx.Client, loaded_store) -> None:
    brazilian = case_ids(loaded_store, '?r sherloc:jurisdiction ?c . ?c sherloc:iso3166Alpha3 "BRA" .')
    laundering = case_ids(loaded_store, '?r sherloc:crimeType ?c . ?c skos:notation "money-laundering" .')
    body = ok(client.get("/api/search/cases", params={"q": "brazil LAUNDERING", "size": 100}))
    assert {i["id"] for i in body["items"]} == brazilian & laundering
    nothing = ok(client.get("/api/search/cases", params={"q": "brazil zzqqxx"}))
    assert nothing["total"] == 0 and nothing["items"] == []
    assert all(values == [] for values in nothing["facets"].values())


def test_filters_combine_and_facets_leave_out_their_own_filter(client: httpx.Client, source: list[dict]) -> None:
    params = {"country": "USA", "year_from": 2005, "crime_type": "participation-in-an-organized-criminal-group"}
    body = ok(client.get("/api/search/cases", params=params))

    def matching(case: dict, *, but: str | None = None) -> bool:
        return ((but == "country" or where(case) == "USA") and (but == "year" or case["year"] >= 2005)
                and (but == "crime_type" or params["crime_type"] in case["crime_types"]))

    assert body["total"] == sum(1 for c in source if matching(c)) > 0
    assert facet(body, "country") == Counter(where(c) for c in source if matching(c, but="country"))
    assert facet(body, "crime_type") == Counter(t for c in source if matching(c, but="crime_type")
                                                for t in c["crime_types"])
    assert facet(body, "year") == {str(y): n for y, n in
                                   Counter(c["year"] for c in source if matching(c, but="year")).items()}


def test_paging_covers_every_record_once_in_a_stable_order(client: httpx.Client, source: list[dict]) -> None:
    expected = [c["id"] for c in sorted(source, key=lambda c: (-c["year"], c["id"]))]
    seen = []
    page = 1
    while True:
        body = ok(client.get("/api/search/cases", params={"page": page, "size": 100}))
        assert body["page"] == page and body["size"] == 100 and body["total"] == len(source)
        if not body["items"]:
            break
        seen += [item["id"] for item in body["items"]]
        page += 1
    assert seen == expected
    by_id = ok(client.get("/api/search/cases", params={"sort": "id", "size": 5, "page": 2}))
    assert [i["id"] for i in by_id["items"]] == sorted(c["id"] for c in source)[5:10]
    oldest = ok(client.get("/api/search/cases", params={"sort": "year_asc", "size": 3}))
    assert [i["id"] for i in oldest["items"]] == [c["id"] for c in sorted(source, key=lambda c: (c["year"], c["id"]))][:3]
    again = ok(client.get("/api/search/cases", params={"page": 3, "size": 7}))
    assert [i["id"] for i in again["items"]] == expected[14:21]


@pytest.mark.parametrize("params, named", [
    ({"country": "albania"}, "country"),
    ({"country": "AL"}, "country"),
    ({"provision": "article 5"}, "provision"),
    ({"provision": "untoc/art/99"}, "provision"),
    ({"crime_type": "Trafficking in persons"}, "crime_type"),
    ({"crime_type": "no-such-crime"}, "crime_type"),
    ({"issue": "no-such-issue"}, "issue"),
    ({"year_from": "last year"}, "year_from"),
    ({"year_to": "2010.5"}, "year_to"),
    ({"year_from": 2012, "year_to": 2010}, "year_from"),
    ({"size": 101}, "size"),
    ({"size": 0}, "size"),
    ({"page": 0}, "page"),
    ({"page": "two"}, "page"),
    ({"sort": "colour"}, "sort"),
    ({"contry": "ALB"}, "contry"),
    ({"q": "x" * 201}, "q"),
])
def test_bad_parameters_are_refused_naming_the_parameter(client: httpx.Client, params: dict, named: str) -> None:
    response = client.get("/api/search/cases", params=params)
    assert response.status_code == 400, response.text
    assert f"'{named}'" in response.json()["message"]


def test_every_value_that_names_nothing_is_refused_at_once(client: httpx.Client) -> None:
    """Provisions and concepts are checked against the data in one go (sherloc_kg/parameters.py):
    the 400 lists every unknown value with its parameter, the known ones not."""
    response = client.get("/api/search/cases", params={"provision": ["untoc/art/5", "untoc/art/98", "untoc/art/99"],
                                                       "crime_type": "trafficking-in-person", "issue": "no-such-issue"})
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert "parameter 'provision': no such Convention provision: untoc/art/98, untoc/art/99" in message
    assert "trafficking-in-person" in message and "'crime_type'" in message and "'issue'" in message
    assert "untoc/art/5," not in message


def test_a_facet_the_kind_lacks_is_refused(client: httpx.Client) -> None:
    for kind, params, named in (("treaties", {"crime_type": "corruption"}, "crime_type"),
                                ("publications", {"provision": "untoc/art/5"}, "provision"),
                                ("authorities", {"year_from": 2000}, "year_from"),
                                ("authorities", {"sort": "year_desc"}, "sort"),
                                ("treaties", {"issue": "jurisdiction"}, "issue")):
        response = client.get(f"/api/search/{kind}", params=params)
        assert response.status_code == 400, (kind, response.text)
        assert f"'{named}'" in response.json()["message"]
    assert client.get("/api/search/reviews").status_code == 404


# -- every kind, on the examples ------------------------------------------------------------------
def test_provisions_match_their_parts_and_inferred_links(search_examples) -> None:
    client, _, _ = search_examples
    case = "XAA-EX-001"  # refers to tip/art/3/a; applies national provisions implementing untoc/art/5/1/a, tip/art/5
    for provision in ("tip/art/3/a", "tip/art/3", "untoc/art/5", "untoc/art/5/1/a", "tip/art/5"):
        body = ok(client.get("/api/search/cases", params={"provision": provision}))
        assert [i["id"] for i in body["items"]] == [case], provision
    assert ok(client.get("/api/search/cases", params={"provision": "tip/art/3/b"}))["total"] == 0
    assert ok(client.get("/api/search/cases", params={"provision": "untoc/art/18"}))["total"] == 0
    body = ok(client.get("/api/search/cases", params={"provision": "untoc/art/18"}))
    assert facet(body, "provision")["untoc/art/5"] == 1  # its own filter left out


@pytest.mark.parametrize("kind, params, expected", [
    ("legislation", {"country": "XAA", "provision": "untoc/art/5", "crime_type": "trafficking-in-persons"},
     "XAA-penal-code"),
    ("legislation", {"year_from": 2004, "year_to": 2004, "q": "penal code"}, "XAA-penal-code"),
    ("strategies", {"provision": "tip/art/9", "country": "XAA", "year_from": 2022}, "XAA-strategy-tip-2022"),
    ("strategies", {"q": "VICTIMS"}, "XAA-strategy-tip-2022"),  # in the summary
    ("publications", {"country": "XAB", "crime_type": "trafficking-in-persons", "year_to": 2023},
     "XAA-example-publication-tip-2023"),
    ("authorities", {"country": "XAA", "provision": "untoc/art/18"}, "XAA-central-authority-mla"),
    ("treaties", {"country": "XAB", "year_from": 2010, "year_to": 2010}, "XAA-XAB-mla-2010"),
])
def test_every_kind_is_searchable(search_examples, kind: str, params: dict, expected: str) -> None:
    client, _, _ = search_examples
    body = ok(client.get(f"/api/search/{kind}", params=params))
    assert [i["id"] for i in body["items"]] == [expected] and body["total"] == 1
    item = body["items"][0]
    assert item["iri"].startswith(BASE + "id/") and item["title"].startswith("[Illustrative]")
    misses = {**params, "country": "XAC"}
    assert ok(client.get(f"/api/search/{kind}", params=misses))["total"] == 0


def test_facets_and_item_keys_follow_the_kind(search_examples) -> None:
    client, _, _ = search_examples
    keys = {"cases": {"country", "provision", "crime_type", "issue", "year"},
            "legislation": {"country", "provision", "crime_type", "issue", "year"},
            "strategies": {"country", "provision", "crime_type", "issue", "year"},
            "treaties": {"country", "year"},
            "publications": {"country", "crime_type", "year"},
            "authorities": {"country", "provision"}}
    for kind, names in keys.items():
        body = ok(client.get(f"/api/search/{kind}"))
        assert set(body["facets"]) == names, kind
        item = body["items"][0]
        assert {"id", "iri", "title", "country"} <= set(item)
        assert ("year" in item) == ("year" in names)
        assert ("crime_types" in item) == ("crime_type" in names)
    treaty = ok(client.get("/api/search/treaties"))["items"][0]
    assert treaty["country"] == ["XAA", "XAB"] and treaty["year"] == 2010
    authority = ok(client.get("/api/search/authorities"))
    assert authority["items"][0]["provisions"] == ["untoc/art/18/13"]
    assert facet(authority, "provision") == {"untoc/art/18": 1, "untoc/art/18/13": 1}


# -- restricted data ------------------------------------------------------------------------------
def restricted_values(store: EmbeddedStore) -> set[str]:
    """Every value the restricted authorities graph holds (contact details), vocabulary IRIs aside."""
    rows = store.select("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                        bindings={"g": URIRef(BASE + "graph/authorities-restricted")}).rows
    return {str(r["o"]) for r in rows if not str(r["o"]).startswith("http://www.w3.org/")}


def test_the_public_never_sees_restricted_contact_details(search_examples) -> None:
    client, admin, store = search_examples
    secrets = restricted_values(store)
    assert "+000 555 0100" in secrets
    authority = BASE + "id/authority/XAA-central-authority-mla"
    for url, params in (("/api/resource", {"iri": authority}),
                        ("/api/resource/id/authority/XAA-central-authority-mla", {}),
                        ("/api/search/authorities", {}), ("/api/search/authorities", {"q": "central"})):
        text = client.get(url, params=params).text
        assert not any(secret in text for secret in secrets), url
    public = ok(client.get("/api/resource", params={"iri": authority}))
    assert "hasTelephone" not in public["fields"] and "authorities-restricted" not in public["graphs"]
    assert public["fields"]["country"] == [{"iri": BASE + "id/country/XAA", "label": "Aurelia (fictional State)"}]
    designation = public["fields"]["designation"][0]["fields"]
    assert designation["designatedUnder"][0]["iri"] == BASE + "id/instrument/untoc/art/18/13"
    assert client.get("/api/resource", params={"iri": authority + "/contact"}).status_code == 404
    # the unpublished review response leaves no public trace (its provenance is restricted too)
    assert client.get("/api/resource/id/review/XAA-review-tip-art-5").status_code == 404
    # an admin sees it all
    full = ok(client.get("/api/resource", params={"iri": authority}, headers=admin))
    assert full["fields"]["hasTelephone"][0]["value"] == "+000 555 0100"
    assert "authorities-restricted" in full["graphs"]
    assert full["fields"]["hasAddress"][0]["fields"]["street-address"][0]["value"].startswith("[Illustrative] 1 Example")
    assert ok(client.get("/api/resource/id/review/XAA-review-tip-art-5", headers=admin))["fields"]["published"]


# -- records as JSON ------------------------------------------------------------------------------
def test_a_case_as_json(client: httpx.Client, source: list[dict]) -> None:
    first = source[0]
    body = ok(client.get(f"/api/resource/id/case/{first['id']}"))
    assert body["iri"] == BASE + f"id/case/{first['id']}" and body["label"] == first["title"]
    assert body["fields"]["title"] == [{"value": first["title"]}]
    assert body["fields"]["jurisdiction"] == [{"iri": BASE + f"id/country/{first['country']}", "label": "Albania"}]
    assert body["fields"]["decisionYear"][0]["value"] == str(first["year"])
    assert body["fields"]["decisionYear"][0]["datatype"] == "xsd:integer"
    assert body["properties"]["jurisdiction"] == "https://w3id.org/sherloc/ontology#jurisdiction"
    assert {"cases", "provenance"} <= set(body["graphs"])
    same = ok(client.get("/api/resource", params={"iri": body["iri"]}))
    assert same == body


def test_incoming_links_are_summarised(client: httpx.Client, source: list[dict]) -> None:
    body = ok(client.get("/api/resource/id/country/ALB"))
    links = {link["property"]: link for link in body["incoming"]}
    albanian = sorted(c["id"] for c in source if where(c) == "ALB")
    assert links["jurisdiction"]["count"] == len(albanian)
    assert len(links["jurisdiction"]["items"]) == min(len(albanian), 20)
    assert links["jurisdiction"]["items"][0]["iri"] == BASE + f"id/case/{albanian[0]}"


def test_unknown_resources_are_404_and_bad_iris_400(client: httpx.Client) -> None:
    assert client.get("/api/resource/id/case/NO-SUCH-CASE").status_code == 404
    assert client.get("/api/resource", params={"iri": "https://example.org/nothing"}).status_code == 404
    bad = client.get("/api/resource", params={"iri": "not an iri> { ?s ?p ?o }"})
    assert bad.status_code == 400 and "'iri'" in bad.json()["message"]
    assert client.get("/api/search/cases", params={"q": '") } DROP ALL #'}).json()["total"] == 0


def test_openapi_documents_the_keys(client: httpx.Client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    response = schemas["SearchResponse"]["properties"]
    assert {"kind", "total", "page", "size", "sort", "items", "facets"} <= set(response)
    assert all(prop.get("description") for prop in response.values())
    assert {"id", "iri", "title", "country", "year"} <= set(schemas["SearchItem"]["properties"])
    assert {"value", "label", "count"} == set(schemas["FacetValue"]["properties"])
    assert {"iri", "label", "graphs", "fields", "properties", "incoming"} == set(schemas["ResourceView"]["properties"])
