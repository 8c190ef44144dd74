"""sherloc_kg/parameters.py: the kinds of parameter value, and the one batched check that the
provisions and concepts of a request name something (issue 23, item 5)."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from sherloc_kg.access import public_graphs
from sherloc_kg.errors import QueryError, UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.parameters import Kind, Parameter, Unknown, check_known, unknown
from sherloc_kg.queries import internal
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

IRIS = Iris()
PUBLIC = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))


class CountingStore:
    """A store that counts the queries it is asked."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store, self.selects = store, 0

    def select(self, sparql: str, **kwargs):  # type: ignore[no-untyped-def]
        self.selects += 1
        return self.store.select(sparql, **kwargs)


def test_kinds_are_parsed_and_written_back() -> None:
    assert Kind.parse("concept:crime-type") == Kind("concept", "crime-type")
    assert str(Kind.parse("concept:crime-type")) == "concept:crime-type" and str(Kind.parse("country")) == "country"
    for bad in ("concept", "colour", "nothing"):
        with pytest.raises(UsageError, match="unknown parameter kind"):
            Kind.parse(bad)
    assert Kind("integer").term("+7", IRIS) == Literal(7)
    assert Kind("area").term("150", IRIS) == URIRef("https://w3id.org/sherloc/vocab/m49/150") == IRIS.m49_area("150")
    assert Kind("area").term("150", Iris("https://example.org/kg/")) == URIRef("https://example.org/kg/vocab/m49/150")
    with pytest.raises(UsageError, match="is not a date"):
        Kind("date").term("2024-02-30", IRIS)


def test_a_parameter_names_itself_in_its_refusals() -> None:
    with pytest.raises(UsageError, match="^parameter 'crimeType': 'A' is not a vocabulary notation"):
        Parameter("crimeType", "concept:crime-type", False, "").term("A", IRIS)
    with pytest.raises(UsageError, match="^parameter 'p': .* holds a space"):
        Parameter("p", "provision", False, "").term("untoc/art/5 ", IRIS)


def test_every_unknown_value_is_found_in_one_query(loaded_store: EmbeddedStore) -> None:
    store = CountingStore(loaded_store)
    given = {"provision": ("provision", ["untoc/art/5", "untoc/art/99", "tip/art/98"]),
             "crime_type": ("concept:crime-type", ["trafficking-in-persons", "trafficking-in-person"]),
             "issue": (Kind("concept", "cross-cutting-issue"), "trafficking-in-persons"),  # a concept of another scheme
             "country": ("country", "XZZ"), "text": ("string", "anything")}
    found = unknown(store, IRIS, PUBLIC, given)  # type: ignore[arg-type]
    assert store.selects == 1
    assert found == [Unknown("provision", "untoc/art/99", Kind("provision")),
                     Unknown("provision", "tip/art/98", Kind("provision")),
                     Unknown("crime_type", "trafficking-in-person", Kind("concept", "crime-type")),
                     Unknown("issue", "trafficking-in-persons", Kind("concept", "cross-cutting-issue"))]
    assert str(found[0]) == "parameter 'provision': no such Convention provision: untoc/art/99"
    with pytest.raises(UsageError) as refused:
        check_known(store, IRIS, PUBLIC, given)  # type: ignore[arg-type]
    assert str(refused.value) == (
        "parameter 'provision': no such Convention provision: untoc/art/99, tip/art/98; "
        "parameter 'crime_type': no such concept in the crime-type vocabulary: trafficking-in-person; "
        "parameter 'issue': no such concept in the cross-cutting-issue vocabulary: trafficking-in-persons")


def test_nothing_to_check_asks_nothing_and_known_values_pass(loaded_store: EmbeddedStore) -> None:
    store = CountingStore(loaded_store)
    assert unknown(store, IRIS, PUBLIC, {"country": ("country", "BRA")}) == []  # type: ignore[arg-type]
    assert store.selects == 0
    check_known(store, IRIS, PUBLIC, {"provision": ("provision", "untoc/art/5/1/a")})  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="^parameter 'p': .* not a Convention provision reference"):
        unknown(store, IRIS, PUBLIC, {"p": ("provision", "untoc/5")})  # type: ignore[arg-type]


def test_a_restricted_dataset_is_asked() -> None:
    """Known means known in the caller's dataset: over no graph, nothing is."""
    store = EmbeddedStore(None)
    nothing = Dataset(default=[], named=[])
    assert [u.value for u in unknown(store, IRIS, nothing, {"p": ("provision", "untoc/art/5")})] == ["untoc/art/5"]


def test_rows_fill_only_the_empty_values_blocks_named() -> None:
    named = internal("parameters-known")
    text = named.with_rows({"provision": [URIRef("https://example.org/a")],
                            ("concept", "scheme"): [(URIRef("https://example.org/c"), URIRef("https://example.org/s"))]})
    assert "VALUES ?provision { <https://example.org/a> }" in text
    assert "VALUES (?concept ?scheme) { (<https://example.org/c> <https://example.org/s>) }" in text
    with pytest.raises(QueryError, match="no empty block VALUES"):
        named.with_rows({"concept": [URIRef("https://example.org/c")]})
    with pytest.raises(QueryError, match="has not 2 terms"):
        named.with_rows({("concept", "scheme"): [(URIRef("https://example.org/c"),)]})
