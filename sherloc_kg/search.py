"""Faceted search over the record kinds, independent of HTTP so that the JSON API and the explorer
share one implementation. What can be searched is in sherloc_kg/search_kinds.py, how a request is
read in sherloc_kg/search_request.py, how the words of ``q`` match in sherloc_kg/search_words.py;
this module puts the queries together (sparql/internal/search-*.rq) and runs them. (A record as
JSON is api/resource_json.py's, over sherloc_kg/resource.py.)

Search
------
:func:`parse` turns query parameters (name → list of strings) into a :class:`SearchRequest`,
refusing anything malformed with a :class:`UsageError` that names the parameter; :func:`search`
runs it in the store over the caller's dataset and returns a dict::

    {"kind", "total", "page", "size", "sort", "items": [...], "facets": {name: [{"value", "label", "count"}]}}

Semantics (the README repeats them):

- Values of one facet are OR-ed (``country=ALB&country=BRA``: either), facets are AND-ed.
- ``provision`` matches a record linked to that provision or to any of its parts (``untoc/art/5``
  matches a case on ``untoc/art/5/1/a``); for cases both the asserted ``sherloc:refersToProvision``
  and the inferred ``sherloc:concernsProvision`` count. ``issue`` likewise matches narrower issues.
- ``tip_act``, ``tip_means``, ``tip_purpose`` (cases): the elements of the definition of trafficking
  in persons (TIP Protocol, art. 3 (a)) a case records (``sherloc:tipAct``/``tipMeans``/``tipPurpose``,
  notations of the tip-act/tip-means/tip-purpose schemes). They filter in every search; their counts
  are returned only when asked for (``search(..., extra_facets=True)``, as the explorer does), so the
  JSON API's facets stay those it documents.
- ``q``: every word must occur somewhere on the record, case- and accent-insensitively ("bresil"
  finds "Brésil"), as part of a word: in its title, summary, identifier and other texts
  (keywords; a publication's authors; a strategy's issuing body), or in a label, in any language
  the store holds, of what it links to (a case's State or jurisdiction, court, crime types,
  cross-cutting issues and TIP elements; a law's State and the crime types and issues of it or
  its provisions; a strategy's State or UN M49 region; ...): ``Kind.texts`` and ``Kind.labelled``.
- The counts of a facet are computed over the records matching every *other* filter: the facet's
  own filter is left out, so the counts say what choosing another value would give. (A facet's
  value list includes broader provisions/issues, with the count the filter on them would give.)
- Order is stable: the sort key, then the record id, then the IRI; every page of a result is a
  slice of one total order, so paging through covers each record exactly once.

Every query runs in the store, over the dataset the caller may see. The queries are in
``sparql/internal/search-*.rq`` (their headers say how each is filled), and this module puts them
together: a search's filters (``search-filter-*.rq``, ``search-word.rq``) go where the query of the
total, of a page (one file per sort) or of the facet counts has its line ``# filters``, and each
facet's values (``search-values-{country,concept,provision,year}.rq``, by the facet's kind) where
it has ``# values`` (``NamedQuery.filled``, ``parts``). What differs between the record kinds, their
property paths and the year of a date (sherloc_kg/search_kinds.py), is written in place of the
variables the files name for it (``?path``, ``?yearPath``...): no term can stand for a property
path. User values never reach the query text raw: each is validated and then written as an RDF
term (``sparql_term``), bound or listed in a ``VALUES`` block or an ``IN`` list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rdflib import Literal, URIRef

from .iris import Iris
from .labels import best as _best
from .labels import describe
from .namespaces import PREFIXES
from .parameters import check_known
from .search_kinds import (CONCEPT_PARAMETERS, FACET_PARAMETERS, KINDS, PARAMETERS, REPEATABLE, SORTS, TIP_FACETS,
                           Facet, Kind)
from .search_request import DEFAULT_SIZE, MAX_Q_LENGTH, MAX_SIZE, MAX_VALUES, SearchRequest, kind_of, parse
from .queries import Rows, internal
from .search_words import prefixed_iri, word_filter, word_pattern
from .store import Dataset, Store

__all__ = ["CONCEPT_PARAMETERS", "DEFAULT_SIZE", "FACET_PARAMETERS", "KINDS", "MAX_Q_LENGTH", "MAX_SIZE",
           "MAX_VALUES", "PARAMETERS", "REPEATABLE", "SORTS", "TIP_FACETS", "Facet", "Kind", "SearchRequest",
           "count", "describe", "export", "kind_of", "parse", "search", "word_pattern"]

_PROLOGUE = "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())

# -- building the queries ---------------------------------------------------------------------
#: A term no record has: added to a VALUES block of one term. Virtuoso 7.2.5 answers a transitive
#: path from a variable a one-row VALUES binds (``VALUES ?r { <law> } ?r
#: eli:has_part+/eli:ensures_implementation_of ?v``) as if the variable were free: every law's
#: provisions, not this law's (measured; two rows, or two columns, are answered right). Every VALUES here joins with triples of its own, which the
#: extra term never has, so it changes no answer.
_NO_RECORD = URIRef("urn:sherloc:no-record")


#: The query of a page of a search, by its sort (each file its ORDER BY, and the keys it needs).
_PAGES = {"year_desc": "search-page-year-desc", "year_asc": "search-page-year-asc", "title": "search-page-title",
          "id": "search-page-id"}
#: The pattern of a facet's values, by the facet's kind (sherloc_kg/search_kinds.py, Facet).
_VALUES = {"country": "search-values-country", "concept": "search-values-concept",
           "provision": "search-values-provision"}


def _listed(records: Sequence[str]) -> Rows:
    """The rows of a ``VALUES ?r { }`` block listing ``records`` (with :data:`_NO_RECORD` if one)."""
    terms = [URIRef(record) for record in records]
    return {"r": [*terms, _NO_RECORD] if len(terms) == 1 else terms}


def _query(name: str, kind: Kind, written: dict[str, str] | None = None, **parts: Sequence[str]) -> str:
    """The query ``sparql/internal/{name}.rq`` for the records of ``kind`` (its ``?class``), with the
    prefixes the kinds' paths are written with, ``written`` in place of the variables it names, and
    the fragments of ``parts`` at the lines that name them (``# filters``...)."""
    return _PROLOGUE + internal(name).filled({"class": prefixed_iri(kind.cls)}, written=written, parts=parts)


def _union(groups: Sequence[str]) -> str:
    """The patterns of ``groups`` as the branches of one UNION."""
    return "\nUNION\n".join("{\n" + group + "\n}" for group in groups)


def _year(kind: Kind, value: str) -> dict[str, str]:
    """What the search files write for the kind's year: its property (``?yearPath``), and the year,
    an integer, of the value ``value`` of it (``?yearValue``)."""
    return {"yearPath": kind.year, "yearValue": kind.year_expr(value)} if kind.year else {}


def _facet_terms(facet: Facet, values: Sequence[str], iris: Iris) -> list[URIRef]:
    if facet.kind == "country":
        return [t for code in values for t in (iris.country(code), iris.jurisdiction(code))]
    if facet.kind == "concept":
        return [iris.concept(facet.scheme, v) for v in values]  # type: ignore[arg-type]
    return [iris.provision(v) for v in values]


def _filters(request: SearchRequest, iris: Iris, *, leave_out: str | None = None) -> list[str]:
    """The patterns that keep the ?r a search matches: one per active facet (but ``leave_out``), one
    for the years, and for the words of q the records they match (listed, or a subquery per word:
    :func:`_resolve_words`). Flat, at the level of ?r; every value inside is a validated term."""
    kind = request.kind
    clauses = []
    for number, facet in enumerate(kind.all_facets):
        values = request.values(facet.name)
        if values and facet.name != leave_out:
            terms = [Literal(str(term)) for term in _facet_terms(facet, values, iris)]
            clauses.append(internal("search-filter-facet").pattern(
                lists={"_f": terms}, written={"path": facet.full_path, "_f": f"?_f{number}"}))
    bounds = {name: Literal(year) for name, year in (("from", request.year_from), ("to", request.year_to))
              if year is not None}
    if kind.year and leave_out != "year" and bounds:
        year = _year(kind, "?_yv")
        clauses.append(internal("search-filter-years").pattern(
            bounds, written={**year, **{name: year["yearValue"] for name in ("from", "to") if name not in bounds}}))
    if request.words and request.matched is not None:
        clauses.append(internal("search-filter-records").pattern(rows=_listed(request.matched)))
    else:
        clauses += [word_filter(kind, word) for word in request.words]
    return clauses


#: The most records a search's words may match for them to be listed in its queries (``VALUES``)
#: rather than found again by each (:func:`_resolve_words`); within what Virtuoso reads in one
#: VALUES block (store/servers.py: 4,094 terms).
MAX_LISTED_MATCHES = 1000


def _resolve_words(store: Store, request: SearchRequest, dataset: Dataset) -> SearchRequest:
    """The request with the records its words match listed (``matched``), when there are at most
    :data:`MAX_LISTED_MATCHES`: one query finds them, and the search's other queries (the total,
    the page, the count of every facet) start from that list instead of each looking for the
    words again (over the bundled cases, "money laundering" took 330 ms so, 60 ms listed). Words
    match regardless of the other filters, which the facet counts leave out one by one."""
    if not request.words:
        return request
    words = [word_filter(request.kind, word) for word in request.words]
    query = _query("search-matches", request.kind, words=words) + f"\nLIMIT {MAX_LISTED_MATCHES + 1}"
    records = sorted(str(row["r"]) for row in store.select(query, dataset=dataset).rows)
    return request if len(records) > MAX_LISTED_MATCHES else replace(request, matched=records)


def _total(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset) -> int:
    """How many records the search matches."""
    rows = store.select(_query("search-total", request.kind, filters=_filters(request, iris)), dataset=dataset).rows
    return int(rows[0]["n"]) if rows else 0


def _check_known(store: Store, request: SearchRequest, iris: Iris, dataset: Dataset) -> None:
    """A well-formed provision or notation that names nothing is a mistake: say so (400), every
    such value of the request at once (sherloc_kg/parameters.py, one query)."""
    check_known(store, iris, dataset, {"provision": ("provision", request.provisions),
                                       **{name: (f"concept:{scheme}", request.values(name))
                                          for name, scheme in CONCEPT_PARAMETERS.items()}})


# -- running a search -------------------------------------------------------------------------
def search(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset, *, extra_facets: bool = False) -> dict:
    """Run a search over ``dataset``; see the module docstring for the shape of the result. With
    ``extra_facets``, the kind's extra facets (the TIP elements of cases) are counted too, and
    items carry their values (``tip_act``...)."""
    _check_known(store, request, iris, dataset)
    kind = request.kind
    counted = kind.all_facets if extra_facets else kind.facets
    request = _resolve_words(store, request, dataset)
    if request.matched == []:  # the words match nothing: no record, no facet value
        facets: dict[str, list[dict]] = {facet.name: [] for facet in counted}
        if kind.year:
            facets["year"] = []
        return {"kind": kind.name, "total": 0, "page": request.page, "size": request.size, "sort": request.sort,
                "items": [], "facets": facets}
    total = _total(store, iris, request, dataset)
    records = _page(store, iris, request, dataset)
    items = _items(store, iris, kind, records, dataset, extra_facets=extra_facets)
    facets = _all_counts(store, iris, request, counted, dataset)
    return {"kind": kind.name, "total": total, "page": request.page, "size": request.size, "sort": request.sort,
            "items": items, "facets": facets}


def count(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset) -> int:
    """How many records a search matches: the total of :func:`search`, without its page and facets
    (what a link to the search will list; a concept's reader page counts so)."""
    request = _resolve_words(store, request, dataset)
    return 0 if request.matched == [] else _total(store, iris, request, dataset)


def export(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset, *, limit: int) -> tuple[int, list[dict]]:
    """Every record a search matches, in its order, up to ``limit`` (the page and size of the
    request are ignored): (how many match, the items, with the extra facets' values). No facet
    counts. For downloads (the explorer's CSV)."""
    _check_known(store, request, iris, dataset)
    request = _resolve_words(store, request, dataset)
    if request.matched == []:
        return 0, []
    total = _total(store, iris, request, dataset)
    records = _page(store, iris, replace(request, page=1, size=limit), dataset)
    items: list[dict] = []
    for start in range(0, len(records), 500):
        items += _items(store, iris, request.kind, records[start:start + 500], dataset, extra_facets=True)
    return total, items


def _page(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset) -> list[str]:
    """The records of the request's page, in its order (``search-page-{sort}.rq``)."""
    kind = request.kind
    written = {**_year(kind, "?_y"), "titlePath": "|".join(kind.titles)}
    query = (_query(_PAGES[request.sort], kind, written, filters=_filters(request, iris))
             + f"\nLIMIT {request.size} OFFSET {(request.page - 1) * request.size}")
    return [str(row["r"]) for row in store.select(query, dataset=dataset).rows]


def _values(request: SearchRequest, iris: Iris, facet: Facet | None) -> str:
    """The pattern giving ``?v``, the values of ``?r`` for ``facet`` (its kind's
    ``search-values-*.rq``), or its years (``search-values-year.rq``) for None."""
    if facet is None:
        return internal("search-values-year").pattern(written=_year(request.kind, "?_y"))
    scheme = {"scheme": iris.scheme(facet.scheme)} if facet.kind == "concept" else {}  # type: ignore[arg-type]
    return internal(_VALUES[facet.kind]).pattern(scheme, written={"path": facet.full_path})


def _all_counts(store: Store, iris: Iris, request: SearchRequest, counted: Sequence[Facet],
                dataset: Dataset) -> dict[str, list[dict]]:
    """The counts of every facet of ``counted`` (and of the years, if the kind has them) in one
    query: a UNION of one branch per facet, each the search with that facet's own filter left out,
    tagged with the facet's name and grouped by (facet, value); then one :func:`describe` of every
    value. The same counts as :func:`_facet_counts` and :func:`_year_counts` one by one (the
    explorer's search page ran 16 queries for them; tests/test_search_api.py compares the two)."""
    kind = request.kind
    if not store.groups_unions:  # one grouped query per facet (see the store contract)
        counted_one_by_one = {facet.name: _facet_counts(store, iris, request, facet, dataset) for facet in counted}
        if kind.year:
            counted_one_by_one["year"] = _year_counts(store, iris, request, dataset)
        return counted_one_by_one
    branch = internal("search-facets-branch")
    tagged = [(facet.name, facet) for facet in counted] + ([("year", None)] if kind.year else [])
    branches = [branch.pattern({"class": prefixed_iri(kind.cls), "facet": Literal(name)},
                               parts={"values": [_values(request, iris, facet)],
                                      "filters": _filters(request, iris, leave_out=name)})
                for name, facet in tagged]
    if not branches:
        return {}
    query = _query("search-facets", kind, branches=[_union(branches)])
    counts: dict[str, dict[str, int]] = {facet.name: {} for facet in counted}
    years: list[tuple[int, int]] = []
    for row in store.select(query, dataset=dataset).rows:
        if "v" not in row:
            continue
        name = str(row["_facet"])
        if name == "year":
            years.append((int(row["v"]), int(row["n"])))
        else:
            counts[name][str(row["v"])] = int(row["n"])
    described = describe(store, sorted({iri for values in counts.values() for iri in values}), dataset)
    facets = {facet.name: _counted_values(facet, counts[facet.name], described, iris) for facet in counted}
    if kind.year:
        facets["year"] = [{"value": str(year), "label": str(year), "count": count}
                          for year, count in sorted(years, reverse=True)]
    return facets


def _facet_counts(store: Store, iris: Iris, request: SearchRequest, facet: Facet, dataset: Dataset) -> list[dict]:
    """The counts of one facet, by a query of its own (what :func:`_all_counts` does for all at once)."""
    query = _query("search-facet-counts", request.kind, values=[_values(request, iris, facet)],
                   filters=_filters(request, iris, leave_out=facet.name))
    counts = {str(row["v"]): int(row["n"]) for row in store.select(query, dataset=dataset).rows}
    return _counted_values(facet, counts, describe(store, list(counts), dataset), iris)


def _counted_values(facet: Facet, counts: dict[str, int], described: dict[str, dict], iris: Iris) -> list[dict]:
    result: list[dict[str, Any]] = []
    for iri, count in counts.items():
        info = described.get(iri, {})
        value = _code(iri, facet, info, iris)
        if value is None:
            continue
        result.append({"value": value, "label": info.get("label") or value, "count": count})
    result.sort(key=lambda item: (-item["count"], item["value"]))
    return result


def _year_counts(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset) -> list[dict]:
    """The counts of the years, by a query of their own (what :func:`_all_counts` does for all at once)."""
    query = _query("search-facet-counts", request.kind, values=[_values(request, iris, None)],
                   filters=_filters(request, iris, leave_out="year"))
    rows = [row for row in store.select(query, dataset=dataset).rows if "v" in row]
    years = sorted(((int(row["v"]), int(row["n"])) for row in rows), reverse=True)
    return [{"value": str(year), "label": str(year), "count": count} for year, count in years]


def _code(iri: str, facet: Facet, info: dict, iris: Iris) -> str | None:
    """How a facet value is written in the API: ISO3 / jurisdiction code, notation, provision reference."""
    if facet.kind == "provision":
        return iris.provision_reference(iri)
    if facet.kind == "country":
        return info.get("iso3") or info.get("notation") or iri.rsplit("/", 1)[-1]
    return info.get("notation")


def _items(store: Store, iris: Iris, kind: Kind, records: list[str], dataset: Dataset, *,
           extra_facets: bool = False) -> list[dict]:
    if not records:
        return []
    listed, field = _listed(records), internal("search-item-field")
    paths = {"title": "|".join(kind.titles), "id": "dcterms:identifier", "summary": "|".join(kind.summaries)}
    shown = kind.all_facets if extra_facets else kind.facets
    # the facets' directly linked values (a provision's parents are in the facet, not on the item)
    paths |= {facet.name: facet.path for facet in shown}
    branches = [field.pattern({"name": Literal(name)}, listed, written={"path": path})
                for name, path in paths.items() if path]
    if kind.year:
        branches.insert(3 if kind.summaries else 2,
                        internal("search-item-year").pattern(rows=listed, written=_year(kind, "?_y")))
    query = _query("search-items", kind, fields=[_union(branches)])
    found: dict[str, dict[str, list]] = {r: defaultdict(list) for r in records}
    for row in store.select(query, dataset=dataset).rows:
        if "value" in row:
            found[str(row["r"])][str(row["field"])].append(row["value"])
    linked = sorted({str(v) for fields in found.values() for name, values in fields.items()
                     if name in ("country", *CONCEPT_PARAMETERS) for v in values if isinstance(v, URIRef)})
    info = describe(store, linked, dataset)
    country = kind.facet("country")  # every kind has one (KINDS)
    items = []
    for record in records:
        fields = found[record]
        years = [int(v) for v in fields.get("year", []) if str(v).lstrip("-").isdigit()]
        item: dict[str, Any] = {
            "id": _best(fields.get("id", [])) or record.rsplit("/", 1)[-1],
            "iri": record,
            "title": _best(fields.get("title", [])),
            "country": sorted({_code(str(v), country, info.get(str(v), {}), iris) or str(v)
                               for v in fields.get("country", [])}) if country is not None else [],
        }
        if kind.year:
            item["year"] = max(years) if years else None
        if kind.summaries:
            item["summary"] = _best(fields.get("summary", []))
        for name, key in (("provision", "provisions"), ("crime_type", "crime_types"), ("issue", "issues")):
            named = kind.facet(name)
            if named is not None:
                codes = {_code(str(v), named, info.get(str(v), {}), iris) for v in fields.get(name, [])}
                item[key] = sorted(c for c in codes if c)
        for facet in kind.extra_facets if extra_facets else ():
            codes = {_code(str(v), facet, info.get(str(v), {}), iris) for v in fields.get(facet.name, [])}
            item[facet.name] = sorted(c for c in codes if c)
        items.append(item)
    return items


