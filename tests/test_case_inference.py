"""The real bundled cases reach the Convention (issue 17): on a plain init (the reference graphs, then
the bundled files through the pipeline, as ``sherloc-kg --store memory init`` does), the cases are
linked by inference to the definition of trafficking in persons (TIP art. 3 (a), from the elements
they record) and to the provision obliging States to criminalize their crime type; each link is
explained by ``why-inferred``; the cases filed under SHERLOC's IRB are attributed to their court by
editorial claims, and the judgment recorded twice counts once."""

from __future__ import annotations

import json
from random import Random

import pytest
from rdflib import URIRef

from sherloc_kg.config import Settings
from sherloc_kg.access import public_graphs
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import SHERLOC
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.statistics import collect
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO

IRIS = Iris()
CASES = REPO / "data/cases/sherloc-cases-tip-2026-08.jsonl"
ELEMENTS = {SHERLOC.tipAct, SHERLOC.tipMeans, SHERLOC.tipPurpose}
RULES = {path.stem for path in (REPO / "sparql/rules").glob("*.ru")}


def bundled() -> list[dict]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.startswith("{")]


def named(store: EmbeddedStore, name: str, **params: str) -> list[dict]:
    query = QueryLibrary(Settings(store="memory", home=REPO).queries_dir).get(name)
    public = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))
    return store.select(query.text, bindings=query.bindings(params, IRIS), dataset=public).rows


def concerned(store: EmbeddedStore, reference: str) -> set[URIRef]:
    rows = store.select(f"SELECT ?case WHERE {{ GRAPH <{IRIS.graph('inferred')}> {{ ?case <{SHERLOC.concernsProvision}> "
                        f"<{IRIS.provision(reference)}> }} }}").rows
    return {r["case"] for r in rows}


def test_the_real_cases_are_linked_to_the_convention(loaded_store: EmbeddedStore) -> None:
    rows = loaded_store.select(f"SELECT (COUNT(DISTINCT ?case) AS ?n) WHERE {{ GRAPH <{IRIS.graph('inferred')}> "
                               f"{{ ?case <{SHERLOC.concernsProvision}> ?p }} ?case a <{SHERLOC.CourtCase}> }}").rows
    assert int(rows[0]["n"]) >= 1_100
    records = bundled()
    with_elements = {IRIS.case(r["id"]) for r in records if any((r.get("tip_elements") or {}).values())}
    assert len(with_elements) >= 900
    # the definition the recorded elements apply, and its article
    assert concerned(loaded_store, "tip/art/3/a") == with_elements
    assert concerned(loaded_store, "tip/art/3") == with_elements
    # trafficking in persons: the criminalization of the conduct of art. 3 (TIP art. 5 (1)) and art. 5
    trafficking = {IRIS.case(r["id"]) for r in records if "trafficking-in-persons" in r["crime_types"]}
    assert trafficking and concerned(loaded_store, "tip/art/5/1") == trafficking == concerned(loaded_store, "tip/art/5")
    # smuggling of migrants: SOM art. 6 (1) and art. 6
    smuggling = {IRIS.case(r["id"]) for r in records if "smuggling-of-migrants" in r["crime_types"]}
    assert smuggling and concerned(loaded_store, "som/art/6/1") == smuggling == concerned(loaded_store, "som/art/6")
    # a crime type that no article obliges States to criminalize reaches nothing by itself
    drugs_only = [r for r in records if "drug-offences" in r["crime_types"]]
    assert drugs_only and not concerned(loaded_store, "untoc/art/3")
    # none of it is passed off as a citation: the inferred links are in the inferred graph only
    assert not loaded_store.ask(f"ASK {{ GRAPH ?g {{ ?s <{SHERLOC.concernsProvision}> ?o }} "
                                f"FILTER(?g != <{IRIS.graph('inferred')}>) }}")


def test_why_explains_a_sample_of_real_links(loaded_store: EmbeddedStore) -> None:
    rows = loaded_store.select(f"SELECT ?case ?p WHERE {{ GRAPH <{IRIS.graph('inferred')}> "
                               f"{{ ?case <{SHERLOC.concernsProvision}> ?p }} }} ORDER BY ?case ?p").rows
    sample = Random(17).sample([(r["case"], r["p"]) for r in rows], 40)
    for case, provision in sample:
        subject = str(case).removeprefix(IRIS.base + "id/")
        reasons = named(loaded_store, "why-inferred", subject=subject, provision=IRIS.provision_reference(str(provision)))
        assert reasons, (subject, provision)
        assert {str(r["rule"]) for r in reasons} <= RULES
        for r in reasons:
            assert (r["subject"], r["provision"]) == (case, provision)
            graph = str(r["factGraph"]).removeprefix(IRIS.base + "graph/")
            assert graph in {"cases", "vocabularies", "instruments", "legislation", "editorial"}, r
            fact = {"s": r["factSubject"], "p": r["factProperty"], "o": r["factObject"], "g": r["factGraph"]}
            assert loaded_store.ask("ASK { GRAPH ?g { ?s ?p ?o } }", bindings=fact), fact


def test_why_a_real_trafficking_case_concerns_the_protocol(loaded_store: EmbeddedStore) -> None:
    # ALB001 records acts, means and purposes, and the crime type trafficking in persons
    facts = {(str(r["rule"]), str(r["factProperty"]).rsplit("#", 1)[-1], str(r["factGraph"]).rsplit("/", 1)[1])
             for r in named(loaded_store, "why-inferred", subject="case/ALB001")}
    assert facts == {
        ("case-concerns-definition-by-tip-elements", "tipAct", "cases"),
        ("case-concerns-definition-by-tip-elements", "tipMeans", "cases"),
        ("case-concerns-definition-by-tip-elements", "tipPurpose", "cases"),
        ("case-concerns-definition-by-tip-elements", "is_part_of", "instruments"),
        ("case-concerns-provision-by-crime-type", "crimeType", "cases"),
        ("case-concerns-provision-by-crime-type", "criminalizedUnder", "vocabularies"),
        ("case-concerns-provision-by-crime-type", "is_part_of", "instruments"),
    }
    definition = named(loaded_store, "why-inferred", subject="case/ALB001", provision="tip/art/3")
    assert {(r["factSubject"], r["factObject"]) for r in definition if str(r["factProperty"]).endswith("is_part_of")} == {
        (IRIS.provision("tip/art/3/a"), IRIS.provision("tip/art/3"))}
    crime = named(loaded_store, "why-inferred", subject="case/ALB001", provision="tip/art/5/1")
    assert {(r["factSubject"], r["factProperty"], r["factObject"]) for r in crime} == {
        (IRIS.case("ALB001"), SHERLOC.crimeType, IRIS.concept("crime-type", "trafficking-in-persons")),
        (IRIS.concept("crime-type", "trafficking-in-persons"), SHERLOC.criminalizedUnder, IRIS.provision("tip/art/5/1")),
    }


def test_the_tip_article_3_page_lists_real_cases_state_by_state(loaded_store: EmbeddedStore) -> None:
    rows = named(loaded_store, "cases-concerning-provision", provision="tip/art/3")
    assert len({r["case"] for r in rows}) >= 900
    assert all(r["country"] is not None for r in rows)
    assert len({r["country"] for r in rows}) >= 50
    # inferred, never cited: no bundled case refers to a provision itself
    assert {r["cited"].toPython() for r in rows} == {False}
    albania = named(loaded_store, "cases-concerning-provision", provision="tip/art/3", country="ALB")
    assert albania and {r["country"] for r in albania} == {IRIS.country("ALB")}


@pytest.mark.parametrize(("case", "court", "respondents"), [
    ("FRA013", "ECHR", {"FRA"}), ("IRB004", "ECHR", {"FRA"}), ("IRB005", "ECHR", {"CYP", "RUS"}),
    ("IRBx028", "ECHR", {"GRC"}), ("IRBx030", "ECHR", {"HRV"}), ("IRBx031", "ECHR", {"GRC"}),
    ("IRBx039", "ECHR", {"CYP", "RUS"}), ("IRBx040", "IACHR", {"BRA"}), ("IRBx041", "ECHR", {"BGR"}),
])
def test_the_irb_cases_are_attributed_to_their_court(loaded_store: EmbeddedStore, case: str, court: str,
                                                     respondents: set[str]) -> None:
    editorial = IRIS.graph("editorial")
    subject = IRIS.case(case)
    bodies = loaded_store.select(f"SELECT ?b WHERE {{ GRAPH <{editorial}> {{ <{subject}> <{SHERLOC.decidedByBody}> ?b }} }}").rows
    assert [r["b"] for r in bodies] == [IRIS.jurisdiction(court)]
    states = loaded_store.select(f"SELECT ?c WHERE {{ GRAPH <{editorial}> {{ <{subject}> <{SHERLOC.involvedCountry}> ?c }} }}").rows
    assert {r["c"] for r in states} == {IRIS.country(s) for s in respondents}
    # the source's jurisdiction stays what it says, in the cases graph
    assert loaded_store.ask(f"ASK {{ GRAPH <{IRIS.graph('cases')}> {{ <{subject}> <{SHERLOC.jurisdiction}> "
                            f"<{IRIS.jurisdiction('IRB')}> }} }}")
    # who said so, when and why
    why = loaded_store.select(f"""SELECT ?reason ?editor ?date WHERE {{ GRAPH <{editorial}> {{
        ?claim <{SHERLOC.claimStatement}> ?st ; <http://www.w3.org/2004/02/skos/core#editorialNote> ?reason ;
               <http://purl.org/dc/terms/creator> ?editor ; <http://purl.org/dc/terms/date> ?date .
        ?st <{SHERLOC.claimSubject}> <{subject}> ; <{SHERLOC.claimProperty}> <{SHERLOC.decidedByBody}> }} }}""").rows
    assert len(why) == 1 and why[0]["reason"] and why[0]["editor"] and why[0]["date"]


def test_a_judgment_recorded_twice_counts_once(loaded_store: EmbeddedStore) -> None:
    assert len(bundled()) == 1_164
    assert loaded_store.ask(f"ASK {{ GRAPH <{IRIS.graph('editorial')}> {{ <{IRIS.case('IRB005')}> "
                            f"<{SHERLOC.sameJudgmentAs}> <{IRIS.case('IRBx039')}> }} }}")
    figures = collect(loaded_store, IRIS)["records"]
    assert figures["cases"] == 1_164 and figures["judgments"] == 1_163
    statistics = {(str(r["graph"]).rsplit("/", 1)[1], str(r["kind"])): int(r["records"])
                  for r in named(loaded_store, "dataset-statistics") if r.get("kind") is not None}
    assert statistics[("cases", "cases")] == 1_164 and statistics[("cases", "judgments")] == 1_163
    by_country = named(loaded_store, "cases-by-country")
    assert sum(int(r["cases"]) for r in by_country) == 1_163
    irb = [int(r["cases"]) for r in by_country if r["jurisdiction"] == IRIS.jurisdiction("IRB")]
    assert irb == [8]
    assert sum(int(r["cases"]) for r in named(loaded_store, "crime-type-trend", crimeType="trafficking-in-persons")) == 1_163
