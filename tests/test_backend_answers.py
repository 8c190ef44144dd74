"""Every named query answers the same on every supported store: the embedded Oxigraph store, a real
``oxigraph serve`` and a real Virtuoso 7 (tests/backends.py), each holding the same data loaded the
same way through the pipeline: the reference graphs with every example, the bundled data (cases,
participation, Canada's and Luxembourg's legislation, the editors' claims) and a small generated
set about fictional States (every kind, a few thousand triples).

Each query of ``sparql/*.rq`` runs with parameters taken from that data (the provisions most laws
implement and most cases apply, the States with most records, crime types, areas, clusters,
languages, resources with inferred links...) and with each optional parameter left out, over the
dataset the public sees, as ``/api/queries/{name}`` runs it. The answers are compared as multisets
of rows (the order of rows that ORDER BY leaves tied, and of groups, is open in SPARQL), after the
normalisation the README documents for Virtuoso: a number is its value whatever its numeric
datatype (Virtuoso types a COUNT ``xsd:int``), a language tag is lower-cased, a boolean is the
number ``1`` or ``0`` (as Virtuoso answers it); and a load's activity IRI
(``id/activity/{kind}-{hash}``, named by what the load wrote and by whom, sherloc_kg/provenance.py,
so not the same in two stores loaded otherwise) is "an activity". Every failure names the query, its parameters and the server; a query a server
does not answer within :data:`SECONDS` is named as hung rather than waited for. A query whose header
says Virtuoso answers it wrongly (``# not-on: Virtuoso -- NAME: why``, sherloc_kg/store/servers.py)
is never sent there: the remote store answers it with the embedded engine over a copy of the graphs
it may read, and that answer is held to the same comparison.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.access import PUBLIC
from sherloc_kg.config import Settings
from sherloc_kg.errors import QueryTimedOut, StoreError
from sherloc_kg.generate import FILES, LOAD_ORDER, STATES_FILE, generate, register_states
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.remote import RemoteStore

from .backends import oxigraph_server, virtuoso_process
from .conftest import REPO, fill_explorer_store

QUERIES = sorted(p.stem for p in (REPO / "sparql").glob("*.rq"))
#: The longest a server may take over one query before the test names it as hung.
SECONDS = 120
SERVERS = ("oxigraph", "virtuoso")


def load(store, settings: Settings, generated: Path) -> None:
    """What the explorer shows (tests/conftest.py) and the generated set, through the pipeline."""
    fill_explorer_store(store, settings)
    register_states(store, settings, generated / STATES_FILE)
    ingest = Ingest(store, settings)
    for kind in LOAD_ORDER:
        if (generated / FILES[kind]).exists():
            report = ingest.load(kind, [generated / FILES[kind]])
            assert report.written and not report.violations, (kind, report.issues[:3])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(out, triples=4_000, seed=11, settings=Settings(), states=12)
    return out


@pytest.fixture(scope="module")
def embedded(settings: Settings, generated: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(None)
    load(store, settings, generated)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def servers(settings: Settings, generated: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RemoteStore]]:
    """The same data in a real ``oxigraph serve`` and a real Virtuoso 7, each on its own database."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as oxigraph, \
            virtuoso_process(tmp_path_factory.mktemp("virtuoso"), max_seconds=SECONDS) as (virtuoso, session):
        session.close()
        stores = {name: RemoteStore(s.with_(store_timeout=SECONDS, query_timeout=SECONDS))
                  for name, s in (("oxigraph", oxigraph), ("virtuoso", virtuoso))}
        try:
            for store in stores.values():
                load(store, settings, generated)
            yield stores
        finally:
            for store in stores.values():
                store.close()


# -- the parameters, from the data --------------------------------------------------------------
def _paths(store: EmbeddedStore, iris: Iris, sparql: str, limit: int) -> list[str]:
    """The first ``limit`` values of ``?x`` (IRIs below ``{base}id/``) as resource paths."""
    rows = store.select(sparql).rows
    prefix = iris.base + "id/"
    return [str(r["x"])[len(prefix):] for r in rows[:limit] if str(r["x"]).startswith(prefix)]


def _provision(path: str) -> str:
    return path.removeprefix("instrument/")


@pytest.fixture(scope="module")
def values(embedded: EmbeddedStore, settings: Settings) -> dict[str, list[str]]:
    """Realistic values of each parameter type, read from the embedded store's data."""
    iris = Iris(settings.base)
    pfx = "PREFIX sherloc: <https://w3id.org/sherloc/ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#> "
    implemented = [_provision(p) for p in _paths(embedded, iris, pfx + """SELECT ?x (COUNT(*) AS ?n)
        WHERE { ?national eli:ensures_implementation_of ?x } GROUP BY ?x ORDER BY DESC(?n) ?x""", 3)]
    concerned = [_provision(p) for p in _paths(embedded, iris, pfx + """SELECT ?x (COUNT(*) AS ?n)
        WHERE { ?case sherloc:concernsProvision ?x } GROUP BY ?x ORDER BY DESC(?n) ?x""", 2)]
    provisions = list(dict.fromkeys(["untoc/art/5", "tip/art/5", "untoc/art/5/1/a", "tip/art/3", "untoc/art/18",
                                     *implemented, *concerned]))
    by_cases = [p.removeprefix("country/") for p in _paths(embedded, iris, pfx + """SELECT ?x (COUNT(*) AS ?n)
        WHERE { ?case a sherloc:CourtCase ; sherloc:jurisdiction ?x } GROUP BY ?x ORDER BY DESC(?n) ?x""", 2)]
    by_laws = [p.removeprefix("country/") for p in _paths(embedded, iris, pfx + """SELECT ?x (COUNT(*) AS ?n)
        WHERE { ?law a sherloc:NationalLaw ; sherloc:country ?x } GROUP BY ?x ORDER BY DESC(?n) ?x""", 2)]
    countries = list(dict.fromkeys(["CAN", "LUX", "XAA", *by_cases, *by_laws]))
    inferred_subjects = _paths(embedded, iris, """SELECT DISTINCT ?x WHERE {
        GRAPH <%s> { ?x ?p ?o } } ORDER BY ?x""" % iris.graph("inferred"), 200)
    subjects = list(dict.fromkeys([s for s in inferred_subjects if s.startswith("case/")][:2]
                                  + [s for s in inferred_subjects if s.startswith("legislation/")][:2]))
    answers = _paths(embedded, iris, pfx + "SELECT ?x WHERE { ?x a sherloc:ReviewAnswer } ORDER BY ?x", 2)
    crime_types = list(dict.fromkeys(["trafficking-in-persons", "smuggling-of-migrants", *(
        str(r["n"]) for r in embedded.select(pfx + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?n (COUNT(*) AS ?k) WHERE { ?case sherloc:crimeType ?c . ?c skos:notation ?n }
        GROUP BY ?n ORDER BY DESC(?k) ?n LIMIT 2""").rows)]))
    # Cases by their identifier: the one citing most provisions itself, the one linked to most by
    # the rules (asserted and inferred links of provisions-of-case).
    cases = list(dict.fromkeys(str(r["id"]) for link in ("refersToProvision", "concernsProvision")
                               for r in embedded.select(pfx + """PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?id (COUNT(*) AS ?n) WHERE { ?case a sherloc:CourtCase ; sherloc:%s ?p ; dcterms:identifier ?id }
        GROUP BY ?id ORDER BY DESC(?n) ?id LIMIT 1""" % link).rows))
    assert cases, "no case links a provision in the bundled data"
    return {
        "case": cases,
        "provision": provisions,
        "country": countries,
        "area": ["150", "002", *countries[:4]],
        "instrument": ["untoc", "tip", "som", "fp"],
        "concept:crime-type": crime_types,
        "string:cluster": ["1", "none"],
        "string:region": ["150", "019"],
        "string:language": ["fr", "en"],
        "resource:subject": subjects,
        "resource:answer": answers,
        "iri": [str(iris.country("CAN")), str(iris.provision("untoc/art/5")),
                *(iris.base + "id/" + s for s in subjects[:1])],
    }


def calls(name: str, values: dict[str, list[str]], library: QueryLibrary) -> list[dict[str, str]]:
    """The parameter sets ``name`` runs with: each required parameter with each of its values, the
    optional ones left out and then given one at a time (two values each, with two of the required
    sets: the test runs in CI on a 2-core machine)."""
    named = library.get(name)

    def candidates(parameter) -> list[str]:
        for key in (f"{parameter.type}:{parameter.name}", parameter.type):
            if key in values:
                return values[key]
        raise AssertionError(f"query {name}: no test values for parameter {parameter.name} ({parameter.type})")

    required = [p for p in named.parameters if p.required]
    optional = [p for p in named.parameters if not p.required]
    bases = [dict(zip([p.name for p in required], combination))
             for combination in itertools.product(*(candidates(p) for p in required))] or [{}]
    result = list(bases)
    for parameter in optional:
        for value in candidates(parameter)[:2]:
            result += [{**base, parameter.name: value} for base in bases[:2]]
    return result


# -- the comparison ------------------------------------------------------------------------------
_NUMERIC = {str(XSD[t]) for t in ("integer", "int", "long", "short", "byte", "decimal", "double", "float",
                                    "nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong")}


_ACTIVITY = Iris(Settings().base).base + "id/activity/"


def normal(term) -> object:
    """A term as the comparison sees it (see the module docstring)."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("activity",) if str(term).startswith(_ACTIVITY) else ("iri", str(term))
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else None
        if datatype in _NUMERIC:
            try:
                return ("number", Decimal(str(term)).normalize())
            except InvalidOperation:
                return ("number", str(term))
        if datatype == str(XSD.boolean):  # Virtuoso answers a boolean as the integer 1 or 0
            return ("number", Decimal(1 if str(term) in ("true", "1") else 0))
        if term.language:
            return ("text", str(term), term.language.lower())
        if datatype in (None, str(XSD.string)):
            return ("text", str(term), None)
        return ("typed", str(term), datatype)
    return ("other", str(term))


#: ``GROUP_CONCAT(... ; separator="X") AS ?v``: SPARQL leaves the order of the values it joins open.
_CONCAT = re.compile(r'GROUP_CONCAT\s*\((?:(?!\bAS\b).)*?(?:;\s*separator\s*=\s*"((?:[^"\\]|\\.)*)")?\s*\)'
                     r'\s*AS\s*\?(\w+)', re.S | re.I)


def concatenated(text: str) -> dict[str, str]:
    """The variables a query sets by GROUP_CONCAT, with their separators."""
    return {m[2]: (m[1] if m[1] is not None else " ").encode().decode("unicode_escape") for m in _CONCAT.finditer(text)}


def answer(store, text: str, bindings, dataset) -> Counter:
    result = store.select(text, bindings=bindings, dataset=dataset)
    joined = concatenated(text)

    def cell(row, variable):
        value = normal(row.get(variable))
        if variable in joined and value is not None and value[0] == "text":
            return ("joined", tuple(sorted(value[1].split(joined[variable]))))
        return value

    return Counter(tuple(cell(row, v) for v in result.variables) for row in result.rows)


def _sample(counter: Counter, limit: int = 3) -> list:
    return [row for row, _ in itertools.islice(counter.items(), limit)]


@pytest.mark.parametrize("name", QUERIES)
def test_every_server_answers_what_the_embedded_store_answers(name: str, settings: Settings, embedded: EmbeddedStore,
                                                              servers: dict[str, RemoteStore],
                                                              values: dict[str, list[str]]) -> None:
    library = QueryLibrary(settings.home / "sparql")
    iris = Iris(settings.base)
    named = library.get(name)
    dataset = PUBLIC.dataset(iris)
    problems, rows_seen, hung = [], 0, set()
    # A server not trusted with the query never runs it: the embedded engine answers it over a copy
    # of what the caller may read (sherloc_kg/store/local_copy.py). One call with rows proves the copy
    # holds what the embedded store holds; every further call would hold the embedded engine to
    # itself, at the cost of copying the public graphs again (most of this test's time on Virtuoso).
    copied = {server for server in SERVERS if servers[server].server.distrusts(named.text)}
    proven: set[str] = set()
    for given in calls(name, values, library):
        bindings = named.bindings(given, iris)
        expected = answer(embedded, named.text, bindings, dataset)
        rows_seen += sum(expected.values())
        for server in SERVERS:
            if server in hung:
                continue  # a server that hung once is not given the query again (it may still be busy)
            if server in proven:
                continue
            try:
                got = answer(servers[server], named.text, bindings, dataset)
            except StoreError as error:
                problems.append(f"{name} {given} on {server}: StoreError: {str(error)[:300]}")
                continue
            except QueryTimedOut:
                hung.add(server)
                problems.append(f"{name} {given} on {server}: no answer within {SECONDS} s (hung)")
                continue
            except Exception as error:  # noqa: BLE001  (each failure named with its query and server)
                problems.append(f"{name} {given} on {server}: {type(error).__name__}: {str(error)[:300]}")
                continue
            if server in copied and expected:
                proven.add(server)
            if got != expected:
                problems.append(f"{name} {given} on {server}: {sum(got.values())} rows, embedded "
                                f"{sum(expected.values())}; only on {server}: {_sample(got - expected)}; "
                                f"only embedded: {_sample(expected - got)}")
    assert not problems, "\n".join(problems)
    assert rows_seen, f"{name}: every call answered nothing on the embedded store: the test values miss the data"



#: Searches as /api/search and /explore/search run them: a kind alone, with one filter of each sort,
#: with several combined (the facet counts then leave out each facet's own filter).
SEARCHES = [
    ("cases", {}), ("cases", {"q": ["trafficking"]}), ("cases", {"country": ["CAN"]}),
    ("cases", {"crime_type": ["trafficking-in-persons"]}), ("cases", {"provision": ["tip/art/5"]}),
    ("cases", {"year_from": ["2010"], "sort": ["title"]}),
    ("cases", {"country": ["CAN", "XAA"], "crime_type": ["trafficking-in-persons"], "q": ["court"]}),
    ("cases", {"provision": ["untoc/art/5", "tip/art/3"], "q": ["the"]}),
    ("legislation", {}), ("legislation", {"q": ["code"]}),
    # one law found: its provisions, not every law's (Virtuoso and a one-row VALUES, search._values)
    ("legislation", {"q": ["canada money laundering"]}), ("legislation", {"provision": ["untoc/art/5"]}),
    ("legislation", {"provision": ["untoc/art/5"], "crime_type": ["trafficking-in-persons"]}),
    ("legislation", {"year_from": ["2000"], "year_to": ["2010"], "sort": ["year_asc"]}),
    ("authorities", {"provision": ["untoc/art/18"]}), ("strategies", {"provision": ["tip/art/9"], "country": ["XAA"]}),
    ("treaties", {}), ("strategies", {}), ("publications", {}), ("authorities", {}),
]


def _facet_sets(result: dict) -> dict:
    """A search's answer with each facet's values as a set: the order of equal counts is open."""
    return {**result, "facets": {name: {(v["value"], v["count"], v["label"]) for v in values}
                                 for name, values in result["facets"].items()}}


@pytest.mark.parametrize(("kind", "params"), SEARCHES, ids=[f"{k}-{'-'.join(p) or 'all'}" for k, p in SEARCHES])
def test_every_server_searches_as_the_embedded_store_does(kind: str, params: dict, settings: Settings,
                                                          embedded: EmbeddedStore,
                                                          servers: dict[str, RemoteStore]) -> None:
    from sherloc_kg import search
    iris = Iris(settings.base)
    request = search.parse(kind, params)
    dataset = PUBLIC.dataset(iris)
    expected = _facet_sets(search.search(embedded, iris, request, dataset, extra_facets=True))
    assert expected["total"], f"{kind} {params}: the embedded store finds nothing: the test values miss the data"
    for server in SERVERS:
        got = _facet_sets(search.search(servers[server], iris, request, dataset, extra_facets=True))
        for key in expected:
            assert got[key] == expected[key], f"{kind} {params} on {server}: {key} differs"
