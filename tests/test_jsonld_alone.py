"""JSON-LD documents that parse alone (issue 19, item 1): every JSON-LD document of the Linked Data
routes and /dataset carries the published context inline, so the body saved as a string parses in
rdflib with no base URL and no network, into the graph the Turtle of the same IRI holds; the
``profile`` parameter of Accept is honoured (expanded: no context; compacted: the default) and the
Content-Type answered names it. On the real app served on loopback, over the bundled data."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from sherloc_kg.api.app import create_app
from sherloc_kg.api.jsonld_context import COMPACTED, EXPANDED, context_definition
from sherloc_kg.api.negotiation import jsonld_profile
from sherloc_kg.config import Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving

#: A case, a law, a provision of the Convention, one of a law, a country, a concept and its scheme, a
#: named graph's description, the ontology, the shapes, the dataset and the SPARQL service description
#: (tests/test_linked_data.py dereferences one resource of every other kind, on the examples).
PATHS = ("/id/case/BRA001",
         "/id/legislation/LUX/eli-etat-leg-loi-1999-05-31-n6-jo",
         "/id/instrument/untoc/art/5/1/a",
         "/id/legislation/LUX/eli-etat-leg-loi-1999-05-31-n6-jo/art/art_10",
         "/id/country/BRA",
         "/vocab/tip-means/fraud",
         "/vocab/tip-means",
         "/graph/cases",
         "/ontology",
         "/shapes/cases",
         "/dataset",
         "/sparql")
JSONLD = "application/ld+json"


@pytest.fixture(scope="module")
def server(settings: Settings, loaded_store: EmbeddedStore) -> Iterator[str]:
    with serving(create_app(settings, store=loaded_store)) as url:
        yield url


def alone(text: str) -> Graph:
    """A JSON-LD document parsed from its text only: no base, no URL to fetch anything from."""
    graph = Graph()
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=text, format="json-ld")
    return graph


def turtle(server: str, path: str) -> Graph:
    response = httpx.get(server + path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle"), path
    graph = Graph().parse(data=response.text, format="turtle")
    assert len(graph) > 5, path
    return graph


def get(server: str, path: str, accept: str) -> httpx.Response:
    response = httpx.get(server + path, headers={"Accept": accept})
    assert response.status_code == 200, (path, response.text[:300])
    return response


@pytest.mark.parametrize("path", PATHS)
def test_compacted_json_ld_carries_its_context_and_is_the_turtle(server: str, path: str) -> None:
    response = get(server, path, JSONLD)
    assert response.headers["content-type"] == f'{JSONLD}; profile="{COMPACTED}"; charset=utf-8'
    document = response.json()
    assert next(iter(document)) == "@context" and document["@context"] == context_definition()
    assert document["@context"] == httpx.get(server + "/context.jsonld").json()["@context"]
    assert "/context.jsonld" not in response.text
    assert isomorphic(alone(response.text), turtle(server, path)), path


@pytest.mark.parametrize("path", PATHS)
def test_expanded_profile_has_no_context_and_is_the_turtle(server: str, path: str) -> None:
    response = get(server, path, f'{JSONLD}; profile="{EXPANDED}"')
    assert response.headers["content-type"] == f'{JSONLD}; profile="{EXPANDED}"; charset=utf-8'
    document = response.json()
    assert isinstance(document, list) and document
    assert "@context" not in response.text
    # expanded form: every key an absolute IRI or a keyword, every value an array
    for node in document:
        for key, values in node.items():
            assert key.startswith(("@", "http://", "https://")), key
            if key != "@id":
                assert isinstance(values, list), key
    assert isomorphic(alone(response.text), turtle(server, path)), path


def test_the_compacted_profile_asked_by_name_is_the_default(server: str) -> None:
    path = "/id/case/BRA001"
    named = get(server, path, f'{JSONLD};profile="{COMPACTED}"')
    assert named.headers["content-type"] == f'{JSONLD}; profile="{COMPACTED}"; charset=utf-8'
    assert named.content == get(server, path, JSONLD).content


def test_the_suffix_document_honours_the_profile_too(server: str) -> None:
    response = get(server, "/id/country/BRA.jsonld", f'{JSONLD}; profile="{EXPANDED}"')
    assert f'profile="{EXPANDED}"' in response.headers["content-type"]
    assert "Accept" in response.headers["vary"].split(", ")   # a cache keeps the two forms apart
    assert isinstance(response.json(), list)
    plain = get(server, "/id/country/BRA.jsonld", "*/*")
    assert f'profile="{COMPACTED}"' in plain.headers["content-type"]
    assert isomorphic(alone(response.text), alone(plain.text))


@pytest.mark.parametrize("accept, profile", [
    (None, COMPACTED),
    ("application/ld+json", COMPACTED),
    (f'application/ld+json; profile="{EXPANDED}"', EXPANDED),
    (f'application/ld+json; profile={EXPANDED}', EXPANDED),
    # a profile list: the first one known
    (f'application/ld+json; profile="http://example.org/other {EXPANDED} {COMPACTED}"', EXPANDED),
    ('application/ld+json; profile="http://example.org/other"', COMPACTED),
    # the most wanted range that names a profile decides
    (f'application/ld+json; profile="{EXPANDED}"; q=0.5, application/ld+json; profile="{COMPACTED}"', COMPACTED),
    (f'application/ld+json; profile="{COMPACTED}"; q=0.5, application/ld+json; profile="{EXPANDED}"', EXPANDED),
    (f'application/ld+json; profile="{EXPANDED}"; q=0', COMPACTED),
    # a profile on another media type is not a JSON-LD profile
    (f'text/turtle; profile="{EXPANDED}", application/ld+json', COMPACTED),
])
def test_the_profile_an_accept_header_asks_for(accept: str | None, profile: str) -> None:
    assert jsonld_profile(accept) == profile


def test_turtle_is_unchanged_by_a_profile(server: str) -> None:
    response = get(server, "/id/country/BRA", f'text/turtle, {JSONLD}; profile="{EXPANDED}"; q=0.5')
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
