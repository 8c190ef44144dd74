"""The named query library answers what the bundled data says (expected figures are computed
here from the source file, independently of the store)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal

from sherloc_kg.config import Settings
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.access import public_graphs
from sherloc_kg.iris import Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO

IRIS = Iris()


@pytest.fixture(scope="module")
def library(settings: Settings) -> QueryLibrary:
    return QueryLibrary(settings.queries_dir)


@pytest.fixture(scope="module")
def cases(settings: Settings) -> list[dict]:
    text = (settings.data_dir / "cases/sherloc-cases-tip-2026-08.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def counted_once(cases: list[dict]) -> list[dict]:
    """The case records counts count: a record our editors say is the same judgment as one with a
    lower id (data/editorial/cases-international.jsonl, claim same-judgment) is left out."""
    text = (REPO / "data/editorial/cases-international.jsonl").read_text(encoding="utf-8")
    claims = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    later = {max(c["case"], other) for c in claims if c["claim"] == "same-judgment" for other in c["same_as"]}
    return [c for c in cases if c["id"] not in later]


def run(store: EmbeddedStore, library: QueryLibrary, name: str, **params: str) -> list[dict]:
    named = library.get(name)
    public = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))
    return store.select(named.text, bindings=named.bindings(params, IRIS), dataset=public).rows


def value(term: object) -> object:
    return term.toPython() if isinstance(term, Literal) else str(term)


def test_every_query_has_a_header_and_runs(loaded_store: EmbeddedStore, library: QueryLibrary) -> None:
    """Over the real bundled cases alone (no laws, authorities or participation yet), every query
    runs; those about the cases and the instruments answer. tests/test_query_library.py checks
    every query's answers over the examples too."""
    samples = {"instrument": "untoc", "provision": "untoc/art/32", "country": "BRA", "area": "BRA",
               "concept:crime-type": "trafficking-in-persons", "resource": "country/BRA",
               "iri": str(IRIS.country("BRA")), "case": "ALB001"}
    answering = {"instrument-articles", "provision", "cases-by-country", "cases-by-year-and-crime-type",
                 "cases-by-tip-element", "cases-of-country", "crime-type-trend", "dataset-statistics"}
    names = library.names()
    assert answering <= set(names)
    for named in library.all():
        assert named.title and named.description, named.name
        params = {p.name: samples[p.type] for p in named.parameters if p.required}
        rows = run(loaded_store, library, named.name, **params)
        assert rows or named.name not in answering, f"{named.name} returned nothing"


def test_cases_by_country_counts_every_case_once(loaded_store: EmbeddedStore, library: QueryLibrary, cases: list[dict]) -> None:
    expected = Counter(c.get("country") or c["jurisdiction"] for c in counted_once(cases))
    rows = run(loaded_store, library, "cases-by-country")
    assert {value(r["code"]): value(r["cases"]) for r in rows} == dict(expected)
    assert value(rows[0]["code"]) == expected.most_common(1)[0][0]
    assert value(next(r for r in rows if value(r["code"]) == "BRA")["name"]) == "Brazil"


def test_cases_by_year_and_crime_type_for_one_country(loaded_store: EmbeddedStore, library: QueryLibrary, cases: list[dict]) -> None:
    expected = Counter((c["year"], t) for c in cases if c.get("country") == "BRA" for t in c["crime_types"])
    rows = run(loaded_store, library, "cases-by-year-and-crime-type", country="BRA")
    got = {(value(r["year"]), value(r["crimeType"]).rsplit("/", 1)[1]): value(r["cases"]) for r in rows}
    assert got == dict(expected)
    assert all(r["country"] == IRIS.country("BRA") for r in rows)


def test_cases_by_tip_element(loaded_store: EmbeddedStore, library: QueryLibrary, cases: list[dict]) -> None:
    expected: Counter = Counter()
    for c in counted_once(cases):
        for group, name in (("acts", "act"), ("means", "means"), ("purposes", "purpose")):
            for notation in set(c.get("tip_elements", {}).get(group, [])):
                expected[(name, notation)] += 1
    rows = run(loaded_store, library, "cases-by-tip-element")
    assert {(value(r["group"]), value(r["notation"])): value(r["cases"]) for r in rows} == dict(expected)


def test_crime_type_trend(loaded_store: EmbeddedStore, library: QueryLibrary, cases: list[dict]) -> None:
    expected = Counter(c["year"] for c in cases if "smuggling-of-migrants" in c["crime_types"])
    rows = run(loaded_store, library, "crime-type-trend", crimeType="smuggling-of-migrants")
    assert {value(r["year"]): value(r["cases"]) for r in rows} == dict(expected)


def test_instrument_articles_in_order_with_their_titles(loaded_store: EmbeddedStore, library: QueryLibrary, shared_dir: Path) -> None:
    with (shared_dir / "fixtures/reference/untoc_articles.csv").open(encoding="utf-8") as handle:
        titles = {int(r["article"]): r["title"] for r in csv.DictReader(handle) if r["instrument"] == "UNTOC"}
    rows = run(loaded_store, library, "instrument-articles", instrument="untoc")
    assert [int(value(r["number"])) for r in rows] == list(range(1, 42))
    assert {int(value(r["number"])): value(r["title"]) for r in rows} == titles
    assert value(next(r for r in rows if value(r["number"]) == "32")["parts"]) == 5


def test_provision_with_parent_and_parts(loaded_store: EmbeddedStore, library: QueryLibrary) -> None:
    rows = run(loaded_store, library, "provision", provision="untoc/art/32/3")
    relations = [(value(r["relation"]), value(r["relatedNotation"])) for r in rows]
    assert relations[0] == ("parent", "untoc/art/32")
    assert [n for rel, n in relations if rel == "part"] == [f"untoc/art/32/3/{x}" for x in "abcde"]
    assert "mechanisms" in value(rows[0]["text"])


def test_parameters_are_checked_and_bound_as_terms(loaded_store: EmbeddedStore, library: QueryLibrary) -> None:
    with pytest.raises(UsageError, match="three capital letters"):
        run(loaded_store, library, "cases-of-country", country='BRA" } ; DROP ALL #')
    with pytest.raises(UsageError, match="no parameter 'year'"):
        run(loaded_store, library, "cases-by-country", year="2010")
    with pytest.raises(UsageError, match="needs parameter"):
        run(loaded_store, library, "cases-of-country")
    with pytest.raises(NotFound, match="no named query"):
        library.get("../../etc/passwd")
    with pytest.raises(UsageError, match="parameter 'crimeType': .* is not a vocabulary notation"):
        run(loaded_store, library, "crime-type-trend", crimeType='x" } #')
    assert run(loaded_store, library, "crime-type-trend", crimeType="no-such-crime") == []  # well formed: bound as a term


def test_a_query_is_put_together_from_files_its_values_as_terms(tmp_path: Path) -> None:
    """NamedQuery.filled and .pattern (the faceted search's queries, sherloc_kg/search.py): terms
    into an empty IN () list and VALUES block and in place of bound variables, a path of the code's
    own written in place of its variable, a variable renamed, fragments at the '# NAME' lines."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from sherloc_kg.errors import QueryError

    (tmp_path / "outer.rq").write_text("# title: Outer\n# description: a query with a place for parts\n"
                                       "# param: class iri required -- the class\n"
                                       "SELECT ?r WHERE {\n  ?r a ?class .\n  # filters\n}\n", encoding="utf-8")
    (tmp_path / "part.rq").write_text("# title: Part\n# description: a fragment\n"
                                      "SELECT ?r WHERE {\n  ?r ?path ?_f .\n  FILTER(STR(?_f) IN ())\n"
                                      "  VALUES ?r { }\n}\n", encoding="utf-8")
    library = QueryLibrary(tmp_path)
    part = library.get("part").pattern(lists={"_f": [Literal('a" } .'), Literal("c")]},
                                       written={"path": "<https://e.org/p>/<https://e.org/q>*", "_f": "?_f2"},
                                       rows={"r": [URIRef("https://e.org/1"), URIRef("https://e.org/2")]})
    assert part == ('?r <https://e.org/p>/<https://e.org/q>* ?_f2 .\n  FILTER(STR(?_f2) IN ("a\\" } .", "c"))\n'
                    "  VALUES ?r { <https://e.org/1> <https://e.org/2> }")
    text = library.get("outer").filled({"class": URIRef("https://e.org/C")}, parts={"filters": [part, "?r ?p ?o"]})
    assert text == f"SELECT ?r WHERE {{\n  ?r a <https://e.org/C> .\n  {part}\n  ?r ?p ?o\n}}"
    ox.Store().query(text)  # parses
    assert library.get("outer").filled(parts={"filters": []}).endswith("  # filters\n}")  # no parts: the comment
    with pytest.raises(QueryError, match="no line '# nowhere'"):
        library.get("outer").filled(parts={"nowhere": ["?r ?p ?o"]})
    with pytest.raises(QueryError, match="no empty list"):
        library.get("part").pattern(lists={"other": [Literal("x")]})
