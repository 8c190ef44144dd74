"""The ingest pipeline on the real store: the bundled cases, bad input, policies, idempotence,
record replacement and provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal

from sherloc_kg.config import Settings
from sherloc_kg.errors import ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, SHERLOC
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import snapshot

IRIS = Iris()
CASES_GRAPH = str(IRIS.graph("cases"))
BUNDLED = "data/cases/sherloc-cases-tip-2026-08.jsonl"


def bundled_records(settings: Settings) -> list[dict]:
    lines = (settings.home / BUNDLED).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def write_jsonl(path: Path, records: list[dict | str]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def case(case_id: str, **fields: object) -> dict:
    record: dict = {"id": case_id, "title": f"Case {case_id}", "country": "BRA", "year": 2015,
                    "crime_types": ["trafficking-in-persons"],
                    "tip_elements": {"acts": ["recruitment"], "means": ["deception"], "purposes": ["sexual-exploitation"]}}
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def count_cases(store: EmbeddedStore) -> int:
    rows = store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/sherloc/ontology#CourtCase> }").rows
    return int(rows[0]["n"])


def test_the_bundled_cases_load_whole(loaded_store: EmbeddedStore, settings: Settings) -> None:
    records = bundled_records(settings)
    assert len(records) == 1164
    assert count_cases(loaded_store) == 1164
    sample = records[0]
    rows = loaded_store.select(
        "SELECT ?c ?t ?y WHERE { ?c <http://purl.org/dc/terms/title> ?t ; "
        "<https://w3id.org/sherloc/ontology#decisionYear> ?y }", bindings={"c": IRIS.case(sample["id"])}).rows
    assert [(r["t"].toPython(), r["y"].toPython()) for r in rows] == [(sample["title"], sample["year"])]
    international = [r for r in records if "jurisdiction" in r]
    assert international, "the bundled data has cases of international bodies"
    rows = loaded_store.select("SELECT ?c ?j WHERE { ?c <https://w3id.org/sherloc/ontology#jurisdiction> ?j }",
                               bindings={"c": IRIS.case(international[0]["id"])}).rows
    assert [r["j"] for r in rows] == [IRIS.jurisdiction(international[0]["jurisdiction"])]


def test_every_case_records_where_it_came_from(loaded_store: EmbeddedStore, settings: Settings) -> None:
    import hashlib

    digest = hashlib.sha256((settings.home / BUNDLED).read_bytes()).hexdigest()
    rows = loaded_store.select(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?src . "
        "?src <http://purl.org/dc/terms/identifier> \"sha256:" + digest + "\" ; <http://purl.org/dc/terms/title> ?name . "
        "?activity <http://www.w3.org/ns/prov#used> ?src ; <http://www.w3.org/ns/prov#endedAtTime> ?t }",
        dataset=Dataset(default=[str(IRIS.graph("provenance"))])).rows
    assert int(rows[0]["n"]) == 1164
    assert loaded_store.ask('ASK { ?src <http://purl.org/dc/terms/identifier> "sha256:' + digest + '" }')


def test_reloading_the_same_file_changes_no_data(store: EmbeddedStore, settings: Settings) -> None:
    ingest = Ingest(store, settings)
    path = settings.home / BUNDLED
    ingest.load("cases", [path])
    first = {q for q in snapshot(store) if str(IRIS.graph("provenance")) not in q}
    report = ingest.load("cases", [path])
    assert report.records_written == 1164
    assert {q for q in snapshot(store) if str(IRIS.graph("provenance")) not in q} == first
    # each case derived from its file once (the reference graphs have provenance of their own)
    derived = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?s ; a "
                           "<https://w3id.org/sherloc/ontology#CourtCase> }").rows
    assert int(derived[0]["n"]) == 1164


def test_a_changed_record_replaces_its_old_version_completely(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    rich = case("TST001", court="Tribunal Regional Federal", court_level="appeal", keywords=["debt bondage"],
                provisions=["tip/art/3/a"],
                defendants=[{"type": "person", "sex": "male", "nationality": "PRY", "outcome": "convicted", "sentence": "8 years"},
                            {"type": "person", "sex": "female"}])
    ingest.load("cases", [write_jsonl(tmp_path / "v1.jsonl", [rich, case("TST002")])])
    before = len(snapshot(store))
    plain = case("TST001", title="Renamed", tip_elements=None)
    ingest.load("cases", [write_jsonl(tmp_path / "v2.jsonl", [plain])])
    case_iri = IRIS.case("TST001")
    rows = store.select("SELECT ?c ?p ?o WHERE { ?c ?p ?o }", bindings={"c": case_iri},
                        dataset=Dataset(default=[CASES_GRAPH])).rows
    predicates = {r["p"] for r in rows}
    assert SHERLOC.defendant not in predicates and SHERLOC.tipAct not in predicates
    assert SHERLOC.keyword not in predicates and SHERLOC.refersToProvision not in predicates
    assert {r["o"] for r in rows if r["p"] == DCTERMS.title} == {Literal("Renamed")}
    stale = store.select("SELECT ?s ?prefix WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?prefix)) }",
                         bindings={"prefix": Literal(str(case_iri) + "/")}).rows
    assert stale == [], "defendants of the old version must be gone"
    assert store.ask("ASK { <" + str(IRIS.case("TST002")) + "> ?p ?o }"), "records not in the new file stay"
    assert len(snapshot(store)) < before
    inferred = store.select("SELECT ?p WHERE { GRAPH <" + str(IRIS.graph("inferred")) + "> { <"
                            + str(case_iri) + "> ?x ?p } }").rows
    # the inferences from the dropped provision reference and TIP elements are gone; what the crime
    # type (trafficking in persons, criminalized under TIP art. 5 (1)) gives stays
    assert {r["p"] for r in inferred} == {IRIS.provision("tip/art/5/1"), IRIS.provision("tip/art/5")}


def test_cases_referring_to_a_provision_are_linked_to_it_and_its_article(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    # no TIP elements, and a crime type no provision obliges States to criminalize: only the citation links it
    Ingest(store, settings).load("cases", [write_jsonl(tmp_path / "c.jsonl", [case(
        "TST010", provisions=["untoc/art/5/1/a"], crime_types=["drug-offences"], tip_elements=None)])])
    concerned = {str(r["p"]) for r in store.select(
        "SELECT ?p WHERE { GRAPH <" + str(IRIS.graph("inferred")) + "> { <" + str(IRIS.case("TST010"))
        + "> <https://w3id.org/sherloc/ontology#concernsProvision> ?p } }").rows}
    assert concerned == {str(IRIS.provision(p)) for p in ("untoc/art/5/1/a", "untoc/art/5/1", "untoc/art/5")}


def refused(store: EmbeddedStore, settings: Settings, path: Path) -> ValidationFailed:
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("cases", [path])
    assert snapshot(store) == before, "a refused load must leave the store exactly as it was"
    return caught.value


def violations(error: ValidationFailed) -> list:
    return [i for i in error.issues if i.severity == "Violation"]


def test_a_malformed_json_line_names_the_file_and_line(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [case("TST001"), '{"id": "TST002", "title": ', case("TST003")])
    [issue] = violations(refused(store, settings, path))
    assert issue.location.file == str(path) and issue.location.line == 2
    assert "malformed JSON" in issue.message
    assert f"{path}:2" in str(issue)


def test_a_missing_required_field_names_record_and_field(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [case("TST001"), case("TST002", title=None)])
    [issue] = violations(refused(store, settings, path))
    assert (issue.location.line, issue.location.record, issue.location.field) == (2, "TST002", "title")
    assert "required" in issue.message


def test_a_misspelt_field_is_refused_with_a_suggestion(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    bad = case("TST001")
    bad["crime_type"] = bad.pop("crime_types")
    [issue] = violations(refused(store, settings, write_jsonl(tmp_path / "bad.jsonl", [bad])))
    assert issue.location.field == "crime_type" and "did you mean 'crime_types'" in issue.message


def test_an_unknown_crime_type_is_a_violation_of_the_shape(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [case("TST001"), case("TST002", crime_types=["trafficking-in-person"])])
    [issue] = violations(refused(store, settings, path))
    assert (issue.location.file, issue.location.line, issue.location.record, issue.location.field) == (
        str(path), 2, "TST002", "crime_types")
    assert issue.value and issue.value.endswith("/vocab/crime-type/trafficking-in-person")
    assert issue.message and issue.shape


def test_a_reference_to_a_provision_that_does_not_exist_is_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [case("TST001", provisions=["untoc/art/99"])])
    [issue] = violations(refused(store, settings, path))
    assert (issue.location.record, issue.location.field) == ("TST001", "provisions")
    assert issue.value and issue.value.endswith("/id/instrument/untoc/art/99")


def test_a_malformed_provision_reference_is_refused_before_validation(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    [issue] = violations(refused(store, settings, write_jsonl(tmp_path / "b.jsonl", [case("TST001", provisions=["article 5"])])))
    assert issue.location.field == "provisions" and "untoc/art/5/1/a" in issue.message


def test_an_unknown_country_and_a_missing_appeal_target_are_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [case("TST001", country="XXX"), case("TST002", appeal_of="NOPE01")])
    fields = {(i.location.record, i.location.field) for i in violations(refused(store, settings, path))}
    assert fields == {("TST001", "country"), ("TST002", "appeal_of")}


def test_an_appeal_of_a_case_in_the_same_file_is_accepted(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    report = Ingest(store, settings).load("cases", [write_jsonl(tmp_path / "ok.jsonl", [
        case("TST002", appeal_of="TST001", court_level="appeal"), case("TST001")])])
    assert report.records_written == 2 and not report.violations


def test_duplicate_ids_are_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    [issue] = violations(refused(store, settings, write_jsonl(tmp_path / "d.jsonl", [case("TST001"), case("TST001")])))
    assert issue.location.line == 2 and issue.location.field == "id" and ":1" in issue.message


def test_skip_policy_writes_the_valid_records_only(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mixed.jsonl", [case("TST001"), case("TST002", crime_types=["nonsense"]), "{oops", case("TST004")])
    report = Ingest(store, settings).load("cases", [path], on_invalid="skip")
    assert report.records_written == 2 and len(report.violations) == 2
    assert {str(r["c"]) for r in store.select("SELECT ?c WHERE { ?c a <https://w3id.org/sherloc/ontology#CourtCase> }").rows} == {
        str(IRIS.case("TST001")), str(IRIS.case("TST004"))}


def test_validate_only_writes_nothing(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    before = snapshot(store)
    report = Ingest(store, settings).load("cases", [write_jsonl(tmp_path / "x.jsonl", [case("TST001", country="XXX")])], write=False)
    assert len(report.violations) == 1 and not report.written
    assert snapshot(store) == before


def test_csv_and_json_lines_give_the_same_triples(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(
        "id,title,country,year,crime_types,tip_elements.acts,tip_elements.means,tip_elements.purposes,provisions\n"
        'TST001,"Case TST001",BRA,2015,trafficking-in-persons,recruitment,deception,sexual-exploitation,tip/art/3/a;tip/art/5\n',
        encoding="utf-8")
    ingest = Ingest(store, settings)
    ingest.load("cases", [csv_path])
    from_csv = {q for q in snapshot(store) if CASES_GRAPH in q}
    ingest.load("cases", [write_jsonl(tmp_path / "c.jsonl", [case("TST001", provisions=["tip/art/3/a", "tip/art/5"])])])
    assert {q for q in snapshot(store) if CASES_GRAPH in q} == from_csv


def test_warnings_do_not_block(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    report = Ingest(store, settings).load("cases", [write_jsonl(tmp_path / "w.jsonl", [case("TST001", tip_elements=None)])])
    assert report.written and not report.violations
    assert any(w.location.record == "TST001" for w in report.warnings)


def test_an_impossible_date_names_the_field(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    [issue] = violations(refused(store, settings, write_jsonl(tmp_path / "d.jsonl", [case("TST001", decision_date="2015-13-45")])))
    assert issue.location.field == "decision_date" and "2024-03-05" in issue.message
