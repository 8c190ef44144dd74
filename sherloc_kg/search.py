"""Faceted search over the record kinds, independent of HTTP so that the JSON API and the explorer
share one implementation. What can be searched is in sherloc_kg/search_kinds.py, how a request is
read in sherloc_kg/search_request.py, how the words of ``q`` match in sherloc_kg/search_words.py;
this module builds the queries and runs them. (A record as JSON is api/resource_json.py's, over
sherloc_kg/resource.py.)

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

Every query runs in the store (Oxigraph), over the dataset the caller may see. User values never
reach the query text raw: each is validated and then written as an RDF term (``sparql_term``).
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
from .search_words import word_filter, word_pattern
from .store import Dataset, Store
from .store.terms import sparql_term

__all__ = ["CONCEPT_PARAMETERS", "DEFAULT_SIZE", "FACET_PARAMETERS", "KINDS", "MAX_Q_LENGTH", "MAX_SIZE",
           "MAX_VALUES", "PARAMETERS", "REPEATABLE", "SORTS", "TIP_FACETS", "Facet", "Kind", "SearchRequest",
           "describe", "export", "kind_of", "parse", "search", "word_pattern"]

_PROLOGUE = "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())

# -- building the queries ---------------------------------------------------------------------
#: A term no record has: added to a VALUES block of one term. Virtuoso 7.2.5 answers a transitive
#: path from a variable a one-row VALUES binds (``VALUES ?r { <law> } ?r eli:has_part+/eli:applies
#: ?v``) as if the variable were free: every law's provisions, not this law's (measured; two rows,
#: or two columns, are answered right). Every VALUES here joins with triples of its own, which the
#: extra term never has, so it changes no answer.
_NO_RECORD = URIRef("urn:sherloc:no-record")


def _values(var: str, terms: Sequence[URIRef | Literal]) -> str:
    listed = [*terms, _NO_RECORD] if len(terms) == 1 else list(terms)
    return f"VALUES {var} {{ {' '.join(sparql_term(t) for t in listed)} }}"


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
        if not values or facet.name == leave_out:
            continue
        # the path walked from the bound ?r to a free end, compared with the values (validated terms):
        # one row per value reached, which the searches count and group by ?r. Not one EXISTS per
        # value with the value at the path's end: Virtuoso 7.2 took over two minutes over the facet
        # counts of a search by one country (EXISTS in every branch of their UNION), and it loses
        # paths ending at a constant once other patterns are joined (README, "Remote store").
        # (compared as strings: Virtuoso 7.2 turns an IRI compared with one IRI into an equivalence
        # its SPARQL compiler then fails on, SP031 "equiv replaces filter but under deprecation")
        terms = ", ".join(sparql_term(Literal(str(term))) for term in _facet_terms(facet, values, iris))
        clauses.append(f"?r {facet.full_path} ?_f{number} . FILTER(STR(?_f{number}) IN ({terms}))")
    if kind.year and leave_out != "year" and (request.year_from is not None or request.year_to is not None):
        tests = []
        if request.year_from is not None:
            tests.append(f"{kind.year_expr('?_yv')} >= {request.year_from}")
        if request.year_to is not None:
            tests.append(f"{kind.year_expr('?_yv')} <= {request.year_to}")
        clauses.append(f"FILTER EXISTS {{ ?r {kind.year} ?_yv FILTER({' && '.join(tests)}) }}")
    if request.words and request.matched is not None:
        clauses.append(_values("?r", [URIRef(record) for record in request.matched]))
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
    subqueries = " ".join(word_filter(request.kind, word) for word in request.words)
    query = (f"{_PROLOGUE}SELECT DISTINCT ?r WHERE {{ ?r a {request.kind.cls} . {subqueries} }} "
             f"LIMIT {MAX_LISTED_MATCHES + 1}")
    records = sorted(str(row["r"]) for row in store.select(query, dataset=dataset).rows)
    return request if len(records) > MAX_LISTED_MATCHES else replace(request, matched=records)




def _body(request: SearchRequest, iris: Iris, *, leave_out: str | None = None, extra: str = "") -> str:
    return "\n  ".join([f"?r a {request.kind.cls} .", extra, *_filters(request, iris, leave_out=leave_out)])


def _where(request: SearchRequest, iris: Iris, *, leave_out: str | None = None, extra: str = "") -> str:
    return f"WHERE {{\n  {_body(request, iris, leave_out=leave_out, extra=extra)}\n}}"


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
    total_rows = store.select(f"{_PROLOGUE}SELECT (COUNT(DISTINCT ?r) AS ?n) {_where(request, iris)}",
                              dataset=dataset).rows
    total = int(total_rows[0]["n"]) if total_rows else 0
    records = _page(store, iris, request, dataset)
    items = _items(store, iris, kind, records, dataset, extra_facets=extra_facets)
    facets = _all_counts(store, iris, request, counted, dataset)
    return {"kind": kind.name, "total": total, "page": request.page, "size": request.size, "sort": request.sort,
            "items": items, "facets": facets}


def export(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset, *, limit: int) -> tuple[int, list[dict]]:
    """Every record a search matches, in its order, up to ``limit`` (the page and size of the
    request are ignored): (how many match, the items, with the extra facets' values). No facet
    counts. For downloads (the explorer's CSV)."""
    _check_known(store, request, iris, dataset)
    request = _resolve_words(store, request, dataset)
    if request.matched == []:
        return 0, []
    total_rows = store.select(f"{_PROLOGUE}SELECT (COUNT(DISTINCT ?r) AS ?n) {_where(request, iris)}",
                              dataset=dataset).rows
    total = int(total_rows[0]["n"]) if total_rows else 0
    records = _page(store, iris, replace(request, page=1, size=limit), dataset)
    items: list[dict] = []
    for start in range(0, len(records), 500):
        items += _items(store, iris, request.kind, records[start:start + 500], dataset, extra_facets=True)
    return total, items


def _page(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset) -> list[str]:
    kind = request.kind
    optional = ["OPTIONAL { ?r dcterms:identifier ?_id }"]
    keys = ["(MIN(STR(?_id)) AS ?id)"]
    if kind.year:
        optional.append(f"OPTIONAL {{ ?r {kind.year} ?_y }}")
        keys.append(f"(MAX({kind.year_expr('?_y')}) AS ?year)")
    if request.sort == "title":
        optional.append(f"OPTIONAL {{ ?r {'|'.join(kind.titles)} ?_title }}")
        keys.append("(MIN(LCASE(STR(?_title))) AS ?title)")
    order = {
        "year_desc": "IF(BOUND(?year), 0, 1) DESC(?year) ?id STR(?r)",
        "year_asc": "IF(BOUND(?year), 0, 1) ?year ?id STR(?r)",
        "title": "IF(BOUND(?title), 0, 1) ?title ?id STR(?r)",
        "id": "?id STR(?r)",
    }[request.sort]
    # The keys are computed in a subquery and sorted outside it: Virtuoso 7.2 refuses an ORDER BY
    # naming an aggregate's alias in the query that groups (SP031 "Variable ?year is used in the
    # result set outside aggregate").
    query = (f"{_PROLOGUE}SELECT ?r ?id WHERE {{ {{\n"
             f"SELECT ?r {' '.join(keys)} {_where(request, iris, extra=' '.join(optional))}\nGROUP BY ?r\n}} }}\n"
             f"ORDER BY {order} LIMIT {request.size} OFFSET {(request.page - 1) * request.size}")
    return [str(row["r"]) for row in store.select(query, dataset=dataset).rows]


def _facet_extra(request: SearchRequest, iris: Iris, facet: Facet) -> str:
    """The pattern giving ``?v``, the facet's values of ``?r``."""
    n = len(request.kind.all_facets) + 1
    restrict = ""
    if facet.kind == "concept":
        restrict = f"?v skos:inScheme {sparql_term(iris.scheme(facet.scheme))} ."  # type: ignore[arg-type]
    return facet.pattern("?r", "?v", n) + " " + restrict


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
    branches = [f"{{\n  {_body(request, iris, leave_out=facet.name, extra=_facet_extra(request, iris, facet))}\n"
                f"  BIND({sparql_term(Literal(facet.name))} AS ?_facet)\n}}" for facet in counted]
    if kind.year:
        extra = f"?r {kind.year} ?_yv . BIND({kind.year_expr('?_yv')} AS ?v)"
        branches.append(f"{{\n  {_body(request, iris, leave_out='year', extra=extra)}\n"
                        f"  BIND(\"year\" AS ?_facet)\n}}")
    if not branches:
        return {}
    query = (f"{_PROLOGUE}SELECT ?_facet ?v (COUNT(DISTINCT ?r) AS ?n) WHERE {{\n"
             + "\nUNION\n".join(branches) + "\n}\nGROUP BY ?_facet ?v")
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
    query = (f"{_PROLOGUE}SELECT ?v (COUNT(DISTINCT ?r) AS ?n) "
             f"{_where(request, iris, leave_out=facet.name, extra=_facet_extra(request, iris, facet))}\n"
             "GROUP BY ?v")
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
    kind = request.kind
    extra = f"?r {kind.year} ?_yv . BIND({kind.year_expr('?_yv')} AS ?year)"
    query = (f"{_PROLOGUE}SELECT ?year (COUNT(DISTINCT ?r) AS ?n) "
             f"{_where(request, iris, leave_out='year', extra=extra)}\nGROUP BY ?year")
    rows = [row for row in store.select(query, dataset=dataset).rows if "year" in row]
    years = sorted(((int(row["year"]), int(row["n"])) for row in rows), reverse=True)
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
    terms = [URIRef(r) for r in records]
    branches = [f"{{ {_values('?r', terms)} ?r {'|'.join(kind.titles)} ?value BIND('title' AS ?field) }}",
                f"{{ {_values('?r', terms)} ?r dcterms:identifier ?value BIND('id' AS ?field) }}"]
    if kind.summaries:
        branches.append(f"{{ {_values('?r', terms)} ?r {'|'.join(kind.summaries)} ?value BIND('summary' AS ?field) }}")
    if kind.year:
        branches.append(f"{{ {_values('?r', terms)} ?r {kind.year} ?_y BIND({kind.year_expr('?_y')} AS ?value) "
                        "BIND('year' AS ?field) }")
    shown = kind.all_facets if extra_facets else kind.facets
    for facet in shown:
        # the directly linked values (a provision's parents are in the facet, not on the item)
        branches.append(f"{{ {_values('?r', terms)} ?r {facet.path} ?value BIND('{facet.name}' AS ?field) }}")
    query = f"{_PROLOGUE}SELECT ?r ?field ?value WHERE {{\n  {' UNION '.join(branches)}\n}}"
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


