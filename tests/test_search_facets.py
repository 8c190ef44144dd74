"""The facet counts of a search come from one query (a UNION of a branch per facet, grouped by
facet and value: sherloc_kg.search._all_counts); they must equal what counting each facet by a
query of its own gives (_facet_counts, _year_counts), for every kind, with and without filters,
on the bundled cases and every illustrative example, for the public and for everything."""

from __future__ import annotations

import pytest

from sherloc_kg import search as core
from sherloc_kg.access import public_graphs
from sherloc_kg.iris import Iris
from sherloc_kg.store import Dataset

IRIS = Iris()
PUBLIC = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))
EVERYTHING = Dataset(default=IRIS.all_graphs(), named=IRIS.all_graphs())

SEARCHES = [
    ("cases", {}),
    ("cases", {"country": ["BRA"]}),
    ("cases", {"country": ["BRA", "ARG"], "crime_type": ["participation-in-an-organized-criminal-group"]}),
    ("cases", {"provision": ["untoc/art/5"], "year_from": ["2000"]}),
    ("cases", {"tip_means": ["deception"], "q": ["trafficking"]}),
    ("cases", {"year_from": ["2010"], "year_to": ["2012"], "issue": ["liability"]}),
    ("cases", {"q": ["no such word anywhere xyzzy"]}),
    ("legislation", {}),
    ("legislation", {"country": ["XAA"], "provision": ["untoc/art/5"]}),
    ("strategies", {}),
    ("publications", {"crime_type": ["trafficking-in-persons"]}),
    ("authorities", {}),
    ("treaties", {"year_from": ["2010"]}),
]


def separately(store, request: core.SearchRequest, dataset: Dataset, facets) -> dict[str, list[dict]]:
    counted = {facet.name: core._facet_counts(store, IRIS, request, facet, dataset) for facet in facets}
    if request.kind.year:
        counted["year"] = core._year_counts(store, IRIS, request, dataset)
    return counted


@pytest.mark.parametrize("kind, params", SEARCHES)
def test_one_query_counts_every_facet_as_separate_queries_do(explorer_store, kind: str, params: dict) -> None:
    try:
        request = core.parse(kind, params)
    except Exception as error:  # a value the examples lack would be a mistake in this list
        pytest.fail(f"{kind} {params}: {error}")
    for dataset in (PUBLIC, EVERYTHING):
        for facets in (request.kind.facets, request.kind.all_facets):
            together = core._all_counts(explorer_store, IRIS, request, facets, dataset)
            assert together == separately(explorer_store, request, dataset, facets), (kind, params)
    # and search() reports them
    result = core.search(explorer_store, IRIS, request, PUBLIC, extra_facets=True)
    assert result["facets"] == separately(explorer_store, request, PUBLIC, request.kind.all_facets)
    if kind == "cases" and not params:
        assert sum(v["count"] for v in result["facets"]["country"]) >= result["total"] > 1000


def test_the_search_page_runs_few_queries(explorer_store) -> None:
    """Counting the facets together: the total, the page, its items and their labels, the facet
    counts and their labels; not one query per facet."""
    calls: list[str] = []

    class Counting:
        def __getattr__(self, name):
            return getattr(explorer_store, name)

        def select(self, sparql, **kwargs):
            calls.append(sparql)
            return explorer_store.select(sparql, **kwargs)

    request = core.parse("cases", {"country": ["BRA"]})
    core.search(Counting(), IRIS, request, PUBLIC, extra_facets=True)  # type: ignore[arg-type]
    assert len(calls) <= 6, len(calls)
