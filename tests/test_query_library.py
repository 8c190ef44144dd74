"""Every question of the named query library (sparql/*.rq), answered over a real store holding the
reference graphs, the bundled real cases and the illustrative examples, each answer checked against
what the input files say (expected values are computed here from data/, not from the store).
Parameters are checked and bound as RDF terms: hostile values are refused, or change nothing."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from sherloc_kg.config import Settings
from sherloc_kg.errors import QueryError, UsageError
from sherloc_kg.ingest import Ingest
from sherloc_kg.access import public_graphs
from sherloc_kg.iris import Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.reference import BUNDLED, install_reference, load_examples
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO
from .test_queries import counted_once

IRIS = Iris()
PUBLIC = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))
EVERYTHING = Dataset(default=IRIS.all_graphs(), named=IRIS.all_graphs())
EXAMPLES = REPO / "data/examples"


# -- the store and the input files --------------------------------------------------------------

@pytest.fixture(scope="module")
def store(explorer_store: EmbeddedStore) -> EmbeddedStore:
    """Reference graphs (with the fictional States), the bundled real cases, then the examples, all
    through the normal pipeline: the session's ``explorer_store`` (tests/conftest.py). Read only."""
    return explorer_store


@pytest.fixture(scope="module")
def library(settings: Settings) -> QueryLibrary:
    return QueryLibrary(settings.queries_dir)


def records(name: str) -> list[dict]:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def bundled_cases() -> list[dict]:
    text = (REPO / "data" / BUNDLED[0][1]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def participation() -> list[dict]:
    with (EXAMPLES / "participation.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def bundled_participation() -> list[dict]:
    """The rows of the bundled UN Treaty Collection tables (data/participation/), in the shape of
    participation(): ``24 Sep 2003`` → 2003-09-24, a suffix ``a`` → accession, none → ratification."""
    from datetime import datetime

    from sherloc_kg.loaders.participation import resolve_country

    def iso(cell: str) -> str:
        words = cell.split()
        return datetime.strptime(" ".join(words[:3]), "%d %b %Y").date().isoformat() if words else ""

    found = []
    for kind, relative in BUNDLED:
        if kind != "participation":
            continue
        path = REPO / "data" / relative
        instrument = next(code for code in ("untoc", "tip", "som", "fp") if f"-{code}-" in path.name)
        with path.open(encoding="utf-8", newline="") as handle:
            for row in list(csv.reader(line for line in handle if not line.startswith("#")))[1:]:
                suffix = row[2].split()[3:]
                found.append({"instrument": instrument, "country": resolve_country(row[0]), "signature_date": iso(row[1]),
                              "consent_date": iso(row[2]),
                              "consent_type": {"a": "accession", "A": "acceptance", "AA": "approval",
                                               "d": "succession"}[suffix[0]] if suffix else "ratification"})
    return found


def containing(reference: str) -> list[str]:
    """The provisions containing a provision, from its reference: untoc/art/5/1/a → untoc/art/5/1, untoc/art/5."""
    parts = reference.split("/")
    return ["/".join(parts[:n]) for n in range(len(parts) - 1, 2, -1)]


def implementations() -> list[tuple[str, str, str, str]]:
    """(country, law id, provision number, Convention provision) for every recorded implementation."""
    return [(law["country"], law["id"], p["number"], ref)
            for law in records("legislation.jsonl") for p in law["provisions"] for ref in p.get("implements", [])]


def run(store: EmbeddedStore, library: QueryLibrary, name: str, dataset: Dataset = PUBLIC, **params: str) -> list[dict]:
    named = library.get(name)
    return store.select(named.text, bindings=named.bindings(params, IRIS), dataset=dataset).rows


def v(term: object) -> object:
    """A cell as Python: literals to their value, IRIs to text."""
    return term.toPython() if isinstance(term, Literal) else (str(term) if term is not None else None)


def text(term: object) -> str:
    """A cell as the text the input file would hold ("" for an unbound cell)."""
    return "" if term is None else str(term)


def ref(iri: object) -> str:
    """An IRI under the base, as its path below id/ (or vocab/)."""
    text = str(iri)
    for prefix in (IRIS.base + "id/instrument/", IRIS.base + "id/", IRIS.base + "vocab/"):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


#: A value of each parameter type that the data holds (the examples' Aurelia, XAA, and its chain).
SAMPLES = {"instrument": "untoc", "provision": "untoc/art/5", "country": "XAA", "area": "XAA",
           "concept:crime-type": "trafficking-in-persons", "resource": "case/XAA-EX-001",
           "iri": str(IRIS.case("XAA-EX-001")), "case": "XAA-EX-001"}


# -- the library as a whole ---------------------------------------------------------------------

def test_the_library_answers_at_least_fifteen_questions(library: QueryLibrary) -> None:
    names = set(library.names())
    assert len(names) >= 15
    assert {"provision", "implementing-legislation", "cases-applying-provision", "cases-by-country",
            "cases-by-year-and-crime-type", "cases-by-tip-element", "participation-of-state",
            "parties-to-instrument", "parties-without-implementing-legislation", "authorities-designated-under",
            "strategies-and-publications", "dataset-statistics", "why-inferred"} <= names


def test_every_query_has_a_header_and_projects_its_parameters(library: QueryLibrary) -> None:
    for named in library.all():
        assert named.title and len(named.description) > 40, named.name
        select = re.search(r"SELECT(.*?)WHERE", named.text, re.S | re.I)
        assert select, named.name
        for parameter in named.parameters:
            # Oxigraph binds only projected variables: a parameter left out would silently match anything
            assert re.search(rf"\?{parameter.name}\b", select[1]), (named.name, parameter.name)
            assert parameter.help, (named.name, parameter.name)


def test_every_query_runs_and_answers_over_the_examples(store: EmbeddedStore, library: QueryLibrary) -> None:
    for named in library.all():
        params = {p.name: SAMPLES[p.type] for p in named.parameters if p.required}
        if named.name == "authorities-designated-under":
            params["provision"] = "untoc/art/18"
        assert run(store, library, named.name, **params), f"{named.name} {params} returned nothing"


# -- provisions and their implementation --------------------------------------------------------

def test_provision_and_its_parts(store: EmbeddedStore, library: QueryLibrary) -> None:
    rows = run(store, library, "provision", provision="untoc/art/5/1")
    relations = [(v(r["relation"]), v(r["relatedNotation"])) for r in rows]
    assert relations == [("parent", "untoc/art/5"), ("part", "untoc/art/5/1/a"), ("part", "untoc/art/5/1/b")]


def test_implementing_legislation_asserted_and_inferred(store: EmbeddedStore, library: QueryLibrary) -> None:
    for country, law, number, provision in implementations():
        national = str(IRIS.national_provision(country, law, number))
        rows = run(store, library, "implementing-legislation", provision=provision)
        # what the legislation records cite (the bundled editorial mappings of Canada and Luxembourg
        # are rows too, claim "editorial")
        rows = [r for r in rows if v(r["claim"]) == "cited"]
        assert {(v(r["national"]), ref(r["implements"]), v(r["link"])) for r in rows} == {(national, provision, "asserted")}
        assert all(v(r["country"]) == str(IRIS.country(country)) for r in rows)
        for whole in containing(provision):
            rows = run(store, library, "implementing-legislation", provision=whole)
            found = {(v(r["national"]), ref(r["implements"]), v(r["link"])) for r in rows}
            assert (national, provision, "inferred") in found, whole
    # untoc/art/5/1/a is implemented by art. 150 of the Penal Code of Aurelia: it counts for article 5
    [row] = run(store, library, "implementing-legislation", provision="untoc/art/5", country="XAA")
    assert (v(row["number"]), v(row["link"])) == ("150", "inferred")
    assert v(row["lawTitle"]).startswith("[Illustrative] Penal Code of Aurelia")
    assert run(store, library, "implementing-legislation", provision="untoc/art/5", country="XAB") == []
    assert run(store, library, "implementing-legislation", provision="untoc/art/6") == []


def test_cases_applying_legislation_that_implements_a_provision(store: EmbeddedStore, library: QueryLibrary) -> None:
    laws = {(law["id"], p["number"]): (law["country"], p.get("implements", []))
            for law in records("legislation.jsonl") for p in law["provisions"]}
    expected: set[tuple[str, str, str, str]] = set()
    for case in records("cases.jsonl"):
        for reference in case.get("legislation", []):
            law, number = reference.split("#")
            country, provisions = laws[(law, number)]
            for provision in provisions:
                expected.add((provision, case["id"], number, "direct"))
                expected |= {(whole, case["id"], number, "inferred") for whole in containing(provision)}
    assert expected  # the examples do exercise the chain
    for provision in {e[0] for e in expected}:
        rows = run(store, library, "cases-applying-provision", provision=provision)
        got = {(provision, v(r["id"]), ref(r["national"]).rsplit("/", 1)[1], v(r["link"])) for r in rows}
        assert got == {e for e in expected if e[0] == provision}
    [row] = run(store, library, "cases-applying-provision", provision="untoc/art/5")
    assert (v(row["id"]), v(row["year"]), ref(row["implements"]), v(row["link"])) == ("XAA-EX-001", 2021, "untoc/art/5/1/a", "inferred")
    assert run(store, library, "cases-applying-provision", provision="untoc/art/5", country="BRA") == []
    assert run(store, library, "cases-applying-provision", provision="untoc/art/6") == []


def test_cases_concerning_a_provision(store: EmbeddedStore, library: QueryLibrary) -> None:
    [case] = records("cases.jsonl")
    [cited] = case["provisions"]                       # tip/art/3/a, cited by the decision itself
    # (the bundled cases of real States concern tip/art/3 (a) too, by inference: tests/test_case_inference.py)
    rows = run(store, library, "cases-concerning-provision", provision=cited, country=case["country"])
    assert [(v(r["id"]), v(r["cited"])) for r in rows] == [(case["id"], True)]
    rows = run(store, library, "cases-concerning-provision", provision="tip/art/3", country=case["country"])
    assert [(v(r["id"]), v(r["cited"])) for r in rows] == [(case["id"], False)]
    rows = run(store, library, "cases-concerning-provision", provision="untoc/art/5", country=case["country"])
    assert [v(r["id"]) for r in rows] == [case["id"]]


# -- cases ---------------------------------------------------------------------------------------

def test_case_statistics_count_the_examples_with_the_real_cases(store: EmbeddedStore, library: QueryLibrary) -> None:
    cases = counted_once(bundled_cases()) + records("cases.jsonl")
    by_country = Counter(c.get("country") or c["jurisdiction"] for c in cases)
    assert {v(r["code"]): v(r["cases"]) for r in run(store, library, "cases-by-country")} == dict(by_country)

    [example] = records("cases.jsonl")
    year = int(example["decision_date"][:4])
    rows = run(store, library, "cases-by-year-and-crime-type", country="XAA")
    assert {(v(r["year"]), ref(r["crimeType"])) : v(r["cases"]) for r in rows} == \
        {(year, f"crime-type/{t}"): 1 for t in example["crime_types"]}

    rows = run(store, library, "cases-of-country", country="XAA")
    assert [(v(r["id"]), v(r["year"]), set(v(r["crimeTypes"]).split(";"))) for r in rows] == \
        [(example["id"], year, set(example["crime_types"]))]

    expected: Counter = Counter()
    for c in cases:
        for group, name in (("acts", "act"), ("means", "means"), ("purposes", "purpose")):
            for notation in set(c.get("tip_elements", {}).get(group, [])):
                expected[(name, notation)] += 1
    rows = run(store, library, "cases-by-tip-element")
    assert {(v(r["group"]), v(r["notation"])): v(r["cases"]) for r in rows} == dict(expected)

    trend = Counter(c["year"] if "year" in c else int(c["decision_date"][:4])
                    for c in cases if "trafficking-in-persons" in c["crime_types"])
    rows = run(store, library, "crime-type-trend", crimeType="trafficking-in-persons")
    assert {v(r["year"]): v(r["cases"]) for r in rows} == dict(trend)


# -- participation -------------------------------------------------------------------------------

def test_participation_of_each_state(store: EmbeddedStore, library: QueryLibrary) -> None:
    rows_in_file = participation()
    for country in sorted({r["country"] for r in rows_in_file}):
        rows = run(store, library, "participation-of-state", country=country)
        assert [v(r["code"]) for r in rows] == ["untoc", "tip", "som", "fp"]
        got = {v(r["code"]): (v(r["status"]), v(r.get("action")), text(r.get("consentDate")),
                              text(r.get("signatureDate"))) for r in rows}
        expected = {r["instrument"]: ("party", r["consent_type"], r["consent_date"], r["signature_date"])
                    for r in rows_in_file if r["country"] == country}
        for code in ("untoc", "tip", "som", "fp"):
            assert got[code] == expected.get(code, ("none recorded", None, "", "")), (country, code)


def test_parties_to_an_instrument_since_when(store: EmbeddedStore, library: QueryLibrary) -> None:
    for instrument in ("untoc", "tip"):
        expected = sorted(((r["consent_date"], r["country"], r["consent_type"])
                           for r in participation() + bundled_participation() if r["instrument"] == instrument))
        rows = run(store, library, "parties-to-instrument", instrument=instrument)
        got = [(str(v(r["consentDate"])), v(r["code"]), v(r["action"])) for r in rows]
        assert sorted(got) == expected and [g[0] for g in got] == sorted(g[0] for g in got)  # in the order they joined
        assert {v(r["status"]) for r in rows} == {"party"}
    assert run(store, library, "parties-to-instrument", instrument="fp") == []


def test_parties_without_implementing_legislation(store: EmbeddedStore, library: QueryLibrary) -> None:
    implemented: dict[str, set[str]] = {}
    for country, _law, _number, provision in implementations():
        for p in [provision, *containing(provision)]:
            implemented.setdefault(p, set()).add(country)
    recorded = Counter(country for country, *_ in implementations())
    for provision in ("untoc/art/5", "untoc/art/5/1", "untoc/art/5/1/a", "untoc/art/6", "tip/art/5", "tip/art/3"):
        instrument = provision.split("/")[0]
        parties = {r["country"] for r in participation() + bundled_participation()
                   if r["instrument"] == instrument and r["consent_date"]}
        rows = run(store, library, "parties-without-implementing-legislation", provision=provision)
        assert {v(r["code"]) for r in rows} == parties - implemented.get(provision, set()), provision
        assert all(v(r["implementingProvisionsRecorded"]) == recorded.get(v(r["code"]), 0) for r in rows)
    # Aurelia implements untoc/art/5/1/a only: for article 5 it counts, for article 6 it does not
    assert "XAA" not in {v(r["code"]) for r in run(store, library, "parties-without-implementing-legislation", provision="untoc/art/5")}
    assert "XAA" in {v(r["code"]) for r in run(store, library, "parties-without-implementing-legislation", provision="untoc/art/6")}


# -- authorities, strategies, publications -------------------------------------------------------

def test_authorities_designated_under_a_provision_public_part_only(store: EmbeddedStore, library: QueryLibrary) -> None:
    [authority] = records("authorities.jsonl")
    [designation] = authority["designations"]
    under = designation["under"]                                   # untoc/art/18/13
    for provision in (under, containing(under)[-1]):               # the paragraph, and article 18
        rows = run(store, library, "authorities-designated-under", provision=provision)
        assert [(ref(r["authority"]), ref(r["designatedUnder"]), v(r["matter"]), str(v(r["date"])),
                 v(r["conventionAsLegalBasis"]), set(v(r["languages"]).split(";"))) for r in rows] == \
            [(f"authority/{authority['id']}", under, designation["matter"], designation["date"],
              authority["untoc_legal_basis"], set(authority["languages_accepted"]))]
        assert v(rows[0]["name"]) == authority["name"]
        # nothing of the contact, and the same answer whether or not the restricted graphs are visible
        contact = [str(x) for x in authority["contact"].values()]
        assert not any(c in str(value) for r in rows for value in r.values() for c in contact)
        assert run(store, library, "authorities-designated-under", dataset=EVERYTHING, provision=provision) == rows
    assert run(store, library, "authorities-designated-under", provision="untoc/art/18/14") == []
    assert run(store, library, "authorities-designated-under", provision=under, country="XAB") == []


def test_strategies_and_publications_by_crime_type_and_area(store: EmbeddedStore, library: QueryLibrary) -> None:
    expected = set()
    for s in records("strategies.jsonl"):
        area = s.get("country") or s.get("region")
        expected |= {("strategy", f"strategy/{s['id']}", t, area) for t in s["crime_types"]}
    for p in records("bibliography.jsonl"):
        expected |= {("publication", f"publication/{p['id']}", t, c) for t in p["crime_types"] for c in p["countries"]}

    def got(rows: list[dict]) -> set:
        return {(v(r["kind"]), ref(r["item"]), ref(r["crimeType"]).split("/")[1],
                 ref(r["area"]).split("/")[-1]) for r in rows}

    assert got(run(store, library, "strategies-and-publications")) == expected
    assert got(run(store, library, "strategies-and-publications", crimeType="trafficking-in-persons")) == \
        {e for e in expected if e[2] == "trafficking-in-persons"}
    for area in ("XAA", "XAB"):
        assert got(run(store, library, "strategies-and-publications", area=area)) == {e for e in expected if e[3] == area}
    assert run(store, library, "strategies-and-publications", area="150") == []
    assert run(store, library, "strategies-and-publications", crimeType="smuggling-of-migrants", area="XAA") == []
    [strategy] = [r for r in run(store, library, "strategies-and-publications", area="XAA") if v(r["kind"]) == "strategy"]
    assert v(strategy["year"]) == int(records("strategies.jsonl")[0]["date_adopted"][:4])


def test_strategies_for_a_region(settings: Settings, library: QueryLibrary, tmp_path: Path) -> None:
    """A regional strategy (UN M49 area) is found by its region code, bound as the area's concept, the
    one it names and the countries graph's States are in: the answer gives the area and its name."""
    fresh = EmbeddedStore(None)
    install_reference(fresh, settings, with_examples=True)
    [strategy] = records("strategies.jsonl")
    del strategy["country"]
    strategy.update(id="XAA-regional-strategy", region="150")
    path = tmp_path / "regional.jsonl"
    path.write_text(json.dumps(strategy) + "\n", encoding="utf-8")
    Ingest(fresh, settings).load("strategies", [path])
    rows = run(fresh, library, "strategies-and-publications", area="150")
    assert [(ref(r["item"]), ref(r["area"]), v(r["areaName"])) for r in rows] == \
        [("strategy/XAA-regional-strategy", "m49/150", "Europe")]
    assert rows[0]["area"] == IRIS.m49_area("150")
    assert run(fresh, library, "strategies-and-publications", area="XAA") == []
    assert run(fresh, library, "strategies-and-publications", area="155") == []  # Western Europe: a region in it


# -- the dataset ---------------------------------------------------------------------------------

def test_dataset_statistics(store: EmbeddedStore, library: QueryLibrary) -> None:
    rows = run(store, library, "dataset-statistics")
    triples = {v(r["graph"]): v(r["triples"]) for r in rows}
    assert triples == {g: store.count(g) for g in public_graphs(IRIS) if store.count(g)}
    assert not set(triples) & {str(IRIS.graph(g)) for g in ("authorities-restricted", "review-restricted")}
    counts = {(ref(v(r["graph"])).split("/")[-1], v(r["kind"])): v(r["records"]) for r in rows if "kind" in r}
    assert counts[("cases", "cases")] == len(bundled_cases()) + len(records("cases.jsonl"))
    # the example law, and the bundled laws: 6 consolidated Acts, 3 annual statutes and the Criminal Code
    # sections they enacted (data/legislation/CAN), Luxembourg's 1999 law (data/legislation/LUX)
    assert counts[("legislation", "legislation")] == len(records("legislation.jsonl")) + 11
    # every national provision typed in the legislation graph, listed one by one (no aggregate): the
    # example law's two and the bundled laws' sections, subsections and paragraphs
    listed = store.select(f"SELECT DISTINCT ?p WHERE {{ GRAPH <{IRIS.graph('legislation')}> "
                          "{ ?p a <https://w3id.org/sherloc/ontology#NationalProvision> } }").rows
    examples = sum(len(law["provisions"]) for law in records("legislation.jsonl"))
    assert len(listed) > examples
    assert counts[("legislation", "national provisions")] == len(listed)
    assert counts[("participation", "participation")] == len(participation()) + len(bundled_participation())
    assert counts[("instruments", "instruments")] == 4
    assert counts[("review", "review")] == sum(1 for r in records("review.jsonl") if r.get("published"))


# -- parameters ------------------------------------------------------------------------------------

PAYLOADS = [
    'x" } ; DROP ALL ; #', "x' } #", 'x\\u0022 } #', "x\u0022 }", "x\n} #", "x\n", "# comment", "> . ?s ?p ?o <",
    "XAA\n", "XAA }", "untoc/art/5\n", "untoc/art/5 } UNION { ?s ?p ?o", 'untoc/art/5" .',
    "https://x.example/a> . ?s ?p ?o . <b", "case/X\"} UNION {?s ?p ?o}", "case/../../graph/cases", "",
    "%22%7D", "150 } #", "1 } #", "2024-01-01\n", "trafficking-in-persons> . ?s ?p ?o <", "untoc\n",
    "XAA-EX-001> ?p ?o } #",
]

#: A value of each type that is well-formed and matches nothing.
NON_MATCHING = {"instrument": None, "provision": "untoc/art/99", "country": "XZZ", "area": "XZZ",
                "concept:crime-type": "no-such-crime-type", "resource": "case/no-such-case",
                "iri": "https://example.org/nothing", "case": "no-such-case", "string": "no such value",
                "integer": "-99999", "date": "1111-11-11"}


def without(rows: list[dict], name: str) -> list[dict]:
    return [{k: x for k, x in r.items() if k != name} for r in rows]


@pytest.fixture(scope="module")
def examples_store(settings: Settings) -> EmbeddedStore:
    """The reference graphs and the examples, without the bundled real data: what a bound value does
    to a query does not depend on how much data it runs over, and every query (the gap matrix and
    the profiles too) answers in a fraction of the time over this. Read only."""
    fresh = EmbeddedStore(None)
    install_reference(fresh, settings, with_examples=True)
    assert all(r.written and not r.violations for r in load_examples(fresh, settings))
    return fresh


def test_hostile_values_are_refused_or_bound_as_inert_terms(examples_store: EmbeddedStore, library: QueryLibrary) -> None:
    store = examples_store
    before = store.count()
    checked = 0
    for named in library.all():
        base = {p.name: SAMPLES[p.type] for p in named.parameters if p.required}
        for parameter in named.parameters:
            plain = NON_MATCHING[parameter.type]
            reference = None if plain is None else without(run(store, library, named.name, **{**base, parameter.name: plain}), parameter.name)
            for payload in PAYLOADS:
                try:
                    rows = run(store, library, named.name, **{**base, parameter.name: payload})
                except (UsageError, QueryError) as error:
                    assert f"parameter '{parameter.name}'" in str(error), (named.name, payload, error)
                    continue
                checked += 1
                assert reference is not None, (named.name, parameter.name, payload)
                # bound as a term: the answer is the answer for a value that matches nothing
                assert without(rows, parameter.name) == reference, (named.name, parameter.name, payload)
    assert checked  # some payloads were accepted (as literals or percent-encoded IRIs) and changed nothing
    assert store.count() == before


@pytest.mark.parametrize("kind", ["iri", "resource", "instrument", "provision", "country", "area", "case",
                                  "concept:crime-type", "string", "integer", "date"])
def test_every_parameter_type_binds_a_term_or_refuses(store: EmbeddedStore, tmp_path: Path, kind: str) -> None:
    """A probe query with one parameter of the type: a payload either is refused naming the parameter
    or becomes one RDF term (an IRI without syntax characters, or a literal holding the payload)."""
    probe = tmp_path / "probe.rq"
    probe.write_text(f"# title: probe\n# description: probe\n# param: value {kind} optional -- the value\n"
                     "SELECT ?value ?s WHERE { ?s ?p ?value }\n", encoding="utf-8")
    named = QueryLibrary(tmp_path).get(str(probe))
    assert store.select(named.text, bindings=named.bindings({"value": NON_MATCHING[kind] or "untoc"}, IRIS),
                        dataset=PUBLIC).rows == ([] if NON_MATCHING[kind] else
                                                 store.select(named.text, bindings={"value": IRIS.instrument("untoc")}, dataset=PUBLIC).rows)
    for payload in PAYLOADS:
        try:
            bindings = named.bindings({"value": payload}, IRIS)
        except UsageError as error:
            assert "parameter 'value'" in str(error)
            continue
        term = bindings["value"]
        if isinstance(term, URIRef):
            assert not re.search(r'[\s<>"{}|\\^`]', str(term)), (kind, payload, term)
        else:
            assert isinstance(term, Literal)
            assert str(term) in (payload, payload.strip()) or kind == "integer"
        rows = store.select(named.text, bindings=bindings, dataset=PUBLIC).rows
        assert all(r["value"] == term for r in rows)   # never a row the payload did not name exactly


def test_new_parameter_types(store: EmbeddedStore) -> None:
    from sherloc_kg.queries import Parameter

    resource = Parameter("subject", "resource", True, "")
    assert resource.term("case/XAA-EX-001", IRIS) == IRIS.case("XAA-EX-001")
    assert resource.term("legislation/XAA/XAA-penal-code/art/150", IRIS) == IRIS.national_provision("XAA", "XAA-penal-code", "150")
    assert resource.term(str(IRIS.case("X")), IRIS) == IRIS.case("X")
    assert resource.term("case/a%20b", IRIS) == IRIS.case("a b")
    assert resource.term("case/A%20B", Iris("https://example.org/kg/")) == URIRef("https://example.org/kg/id/case/A%20B")
    for bad in ("case/A B", "case/../graph/cases", "case", "case/", "case/x\n", 'case/x"', "CASE/x"):
        with pytest.raises(UsageError, match="parameter 'subject'"):
            resource.term(bad, IRIS)
    area = Parameter("area", "area", False, "")
    assert area.term("XAA", IRIS) == IRIS.country("XAA")
    assert area.term("150", IRIS) == IRIS.m49_area("150")
    for bad in ("15", "xaa", "1500", "XAA\n", "150\n"):
        with pytest.raises(UsageError, match="parameter 'area'"):
            area.term(bad, IRIS)
    with pytest.raises(UsageError, match="parameter 'when'"):
        Parameter("when", "date", False, "").term("2024-01-01\n", IRIS)
    with pytest.raises(UsageError, match="parameter 'link'"):
        Parameter("link", "iri", False, "").term("https://example.org/x\n", IRIS)


# -- from the command line ------------------------------------------------------------------------

def test_the_questions_from_the_command_line(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("sherloc-kg"))
    path = tmp_path / "store"

    def sherloc(*args: str) -> str:
        done = subprocess.run([exe, "--store", str(path), *args], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "COLUMNS": "200"})
        assert done.returncode == 0, done.stderr
        return done.stdout

    sherloc("init", "--no-data", "--with-examples")
    rows = list(csv.DictReader(sherloc("query", "why-inferred", "-p", "subject=case/XAA-EX-001",
                                       "-p", "provision=untoc/art/5", "--format", "csv").splitlines()))
    facts = {(ref(r["factSubject"]), ref(r["factProperty"]).split("#")[-1], ref(r["factObject"])) for r in rows
             if r["rule"] == "case-concerns-provision"}  # (the crime type is another line of reasoning)
    assert facts == {("case/XAA-EX-001", "appliesNationalProvision", "legislation/XAA/XAA-penal-code/art/150"),
                     ("legislation/XAA/XAA-penal-code/art/150", "ensures_implementation_of", "untoc/art/5/1/a"),
                     ("untoc/art/5/1/a", "is_part_of", "untoc/art/5/1"), ("untoc/art/5/1", "is_part_of", "untoc/art/5")}
    rows = list(csv.DictReader(sherloc("query", "participation-of-state", "-p", "country=XAB", "--format", "csv").splitlines()))
    assert [(r["code"], r["action"], r["consentDate"]) for r in rows][:2] == [("untoc", "ratification", "2006-09-15"),
                                                                             ("tip", "accession", "2008-02-20")]
