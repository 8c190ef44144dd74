"""The directory-like loaders on the real store: authorities (with restricted contacts), treaties,
strategies, legislative guide sections and review responses (published or restricted)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.config import Settings
from sherloc_kg.errors import UsageError, ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, ELI, FOAF, ORG, RDF, SHERLOC, VCARD
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import snapshot

IRIS = Iris()


def graph(name: str) -> Dataset:
    return Dataset(default=[str(IRIS.graph(name))])


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def triples(store: EmbeddedStore, subject: URIRef, graph_name: str) -> set[tuple]:
    """(predicate, object) of ``subject`` in one named graph."""
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", bindings={"s": subject}, dataset=graph(graph_name)).rows
    return {(r["p"], r["o"]) for r in rows}


def below(store: EmbeddedStore, subject: URIRef, graph_name: str) -> int:
    """How many triples of a graph have ``subject`` or a resource below it as subject."""
    rows = store.select("SELECT (COUNT(*) AS ?n) ?prefix WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?prefix)) } GROUP BY ?prefix",
                        bindings={"prefix": Literal(str(subject))}, dataset=graph(graph_name)).rows
    return int(rows[0]["n"]) if rows else 0


def violations(error: ValidationFailed) -> list:
    return [i for i in error.issues if i.severity == "Violation"]


# -- authorities ------------------------------------------------------------------------------

def authority(**fields: object) -> dict:
    record: dict = {
        "id": "TST-CA-1", "country": "MEX", "name": "Fictional Central Authority (test)",
        "designations": [{"under": "untoc/art/18/13", "matter": "mutual-legal-assistance", "date": "2004-03-04"},
                         {"under": "untoc/art/16", "matter": "extradition"}],
        "languages_accepted": ["es", "en"], "channels": ["direct", "interpol"], "untoc_legal_basis": True,
        "contact": {"address": "1 Test Street, Nowhere", "phone": "+00 0000 0000", "fax": "+00 0000 0001",
                    "email": "central.authority@example.org", "hours": "Mon-Fri 9-17", "person": "A. Tester"},
    }
    record.update(fields)
    return record


def test_an_authority_loads_with_designations_in_public_and_contact_only_in_restricted(
        store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    Ingest(store, settings).load("authorities", [write_jsonl(tmp_path / "a.jsonl", [authority()])])
    iri = IRIS.authority("TST-CA-1")
    public = triples(store, iri, "authorities")
    assert {(RDF.type, ORG.Organization), (RDF.type, SHERLOC.CompetentNationalAuthority),
            (DCTERMS.identifier, Literal("TST-CA-1")), (SHERLOC.country, IRIS.country("MEX")),
            (SHERLOC.languageAccepted, Literal("es")), (SHERLOC.channel, Literal("interpol")),
            (SHERLOC.acceptsConventionAsLegalBasis, Literal(True))} <= public
    first, second = Iris.part(iri, "designation", 1), Iris.part(iri, "designation", 2)
    assert {(SHERLOC.designation, first), (SHERLOC.designation, second)} <= public
    assert triples(store, first, "authorities") == {
        (RDF.type, SHERLOC.CNADesignation), (SHERLOC.designatedUnder, IRIS.provision("untoc/art/18/13")),
        (SHERLOC.designationMatter, IRIS.concept("designation-matter", "mutual-legal-assistance")),
        (DCTERMS.date, Literal("2004-03-04", datatype=XSD.date))}

    contact = Iris.part(iri, "contact")
    restricted = triples(store, iri, "authorities-restricted")
    assert restricted == {
        (VCARD.hasAddress, contact), (VCARD.hasTelephone, Literal("+00 0000 0000")),
        (VCARD.hasEmail, URIRef("mailto:central.authority@example.org")), (SHERLOC.fax, Literal("+00 0000 0001")),
        (SHERLOC.officeHours, Literal("Mon-Fri 9-17")), (SHERLOC.contactPerson, Literal("A. Tester"))}
    assert triples(store, contact, "authorities-restricted") == {
        (RDF.type, VCARD.Address), (VCARD["street-address"], Literal("1 Test Street, Nowhere"))}
    # Never public: no contact predicate and no contact resource in the public graph.
    assert not {p for p, _o in public} & {VCARD.hasAddress, VCARD.hasTelephone, VCARD.hasEmail, SHERLOC.fax,
                                          SHERLOC.officeHours, SHERLOC.contactPerson}
    assert triples(store, contact, "authorities") == set()
    assert not store.ask("ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?o), 'mailto:') || STR(?o) = '1 Test Street, Nowhere') }",
                         dataset=graph("authorities"))


def test_a_designation_under_a_provision_that_does_not_exist_is_refused(
        store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [authority(designations=[{"under": "untoc/art/99", "matter": "extradition"}])])
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("authorities", [path])
    assert snapshot(store) == before
    fields = {(i.location.record, i.location.field) for i in violations(caught.value)}
    assert ("TST-CA-1", "designations.under") in fields


def test_removing_the_contact_removes_it_from_the_restricted_graph(
        store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    ingest.load("authorities", [write_jsonl(tmp_path / "a.jsonl", [authority()])])
    ingest.load("authorities", [write_jsonl(tmp_path / "b.jsonl", [authority(contact=None)])])
    iri = IRIS.authority("TST-CA-1")
    assert below(store, iri, "authorities-restricted") == 0
    assert below(store, iri, "authorities") > 0


@pytest.mark.parametrize("bad, field", [
    ({"designation": []}, "designation"),
    ({"contact": {"email": "not an address"}}, "contact.email"),
    ({"contact": {"phon": "1"}}, "contact.phon"),
    ({"designations": [{"under": "art 16"}]}, "designations.under"),
])
def test_malformed_authorities_are_refused_naming_the_field(
        store: EmbeddedStore, settings: Settings, tmp_path: Path, bad: dict, field: str) -> None:
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("authorities", [write_jsonl(tmp_path / "a.jsonl", [authority(**bad)])])
    assert snapshot(store) == before
    assert field in {i.location.field for i in violations(caught.value)}


def test_authorities_in_csv_are_refused_with_a_reason(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [{"id": "TST-CA-2", "country": "MEX", "name": "X"}])
    with pytest.raises(UsageError, match="JSON Lines"):
        Ingest(store, settings).load("authorities", [path])


# -- treaties, strategies, guide: one valid record each, in JSON Lines and in CSV ---------------

TREATY = {"id": "TST-T-1", "title": "Fictional treaty on mutual legal assistance (test)", "type": "bilateral",
          "subjects": ["mutual-legal-assistance", "extradition"], "parties": ["ITA", "MEX"],
          "signature_date": "2001-05-02", "entry_into_force": "2003-01-01", "url": "https://example.org/t/1"}
STRATEGY = {"id": "TST-S-1", "title": "Fictional national plan against trafficking (test)", "country": "NGA",
            "issuing_body": "Test Ministry", "date_adopted": "2019-07-30", "period_start": "2019", "period_end": "2023",
            "crime_types": ["trafficking-in-persons"], "provisions": ["tip/art/9/1", "untoc/art/31"],
            "url": "https://example.org/s/1", "summary": "A plan."}
GUIDE = {"id": "TST-G-1", "instrument": "untoc", "chapter": "II", "section": "B.2",
         "title": "Criminalization of participation (test)", "provisions": ["untoc/art/5", "untoc/art/5/1/a"],
         "text": "What article 5 requires."}

EXPECTED = {
    "treaties": (IRIS.treaty("TST-T-1"), {
        (RDF.type, SHERLOC.CooperationTreaty), (DCTERMS.identifier, Literal("TST-T-1")),
        (DCTERMS.title, Literal(TREATY["title"])), (SHERLOC.treatyType, IRIS.concept("treaty-type", "bilateral")),
        (SHERLOC.treatySubject, IRIS.concept("treaty-subject", "mutual-legal-assistance")),
        (SHERLOC.treatySubject, IRIS.concept("treaty-subject", "extradition")),
        (SHERLOC.party, IRIS.country("ITA")), (SHERLOC.party, IRIS.country("MEX")),
        (SHERLOC.signatureDate, Literal("2001-05-02", datatype=XSD.date)),
        (ELI.first_date_entry_in_force, Literal("2003-01-01", datatype=XSD.date)),
        (FOAF.page, URIRef("https://example.org/t/1"))}),
    "strategies": (IRIS.strategy("TST-S-1"), {
        (RDF.type, SHERLOC.Strategy), (DCTERMS.identifier, Literal("TST-S-1")),
        (DCTERMS.title, Literal(STRATEGY["title"])), (SHERLOC.country, IRIS.country("NGA")),
        (SHERLOC.issuingBody, Literal("Test Ministry")), (DCTERMS.issued, Literal("2019-07-30", datatype=XSD.date)),
        (SHERLOC.periodStart, Literal("2019", datatype=XSD.gYear)), (SHERLOC.periodEnd, Literal("2023", datatype=XSD.gYear)),
        (SHERLOC.crimeType, IRIS.concept("crime-type", "trafficking-in-persons")),
        (SHERLOC.addressesProvision, IRIS.provision("tip/art/9/1")),
        (SHERLOC.addressesProvision, IRIS.provision("untoc/art/31")),
        (FOAF.page, URIRef("https://example.org/s/1")), (DCTERMS.abstract, Literal("A plan.", lang="en"))}),
    "guide": (IRIS.guide("TST-G-1"), {
        (RDF.type, SHERLOC.GuideSection), (DCTERMS.identifier, Literal("TST-G-1")),
        (SHERLOC.instrument, IRIS.instrument("untoc")), (SHERLOC.chapter, Literal("II")),
        (SHERLOC.section, Literal("B.2")), (DCTERMS.title, Literal(GUIDE["title"])),
        (SHERLOC.explainsProvision, IRIS.provision("untoc/art/5")),
        (SHERLOC.explainsProvision, IRIS.provision("untoc/art/5/1/a")),
        (SHERLOC.text, Literal("What article 5 requires."))}),
}
RECORDS = {"treaties": TREATY, "strategies": STRATEGY, "guide": GUIDE}


def as_csv_row(record: dict) -> dict:
    return {k: ";".join(v) if isinstance(v, list) else v for k, v in record.items()}


@pytest.mark.parametrize("source", ["jsonl", "csv"])
@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_a_valid_record_loads_as_the_model_says(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                               kind: str, source: str) -> None:
    record = RECORDS[kind]
    path = (write_jsonl(tmp_path / "r.jsonl", [record]) if source == "jsonl"
            else write_csv(tmp_path / "r.csv", [as_csv_row(record)]))
    report = Ingest(store, settings).load(kind, [path])
    assert report.violations == [] and report.records_written == 1
    iri, expected = EXPECTED[kind]
    assert triples(store, iri, kind) == expected


@pytest.mark.parametrize("kind", sorted(RECORDS) + ["authorities", "review"])
def test_reloading_is_idempotent(store: EmbeddedStore, settings: Settings, tmp_path: Path, kind: str) -> None:
    # (the review response cites no measure: no legislation is loaded in this store)
    record = {"authorities": authority(), "review": response(measures=None, status="not-implemented")}.get(kind) \
        or RECORDS[kind]
    ingest = Ingest(store, settings)
    path = write_jsonl(tmp_path / "r.jsonl", [record])
    ingest.load(kind, [path])
    provenance = str(IRIS.graph("provenance"))
    first = {q for q in snapshot(store) if provenance not in q}
    ingest.load(kind, [path])
    assert {q for q in snapshot(store) if provenance not in q} == first


def test_a_strategy_with_both_country_and_region_is_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("strategies", [write_jsonl(tmp_path / "s.jsonl", [dict(STRATEGY, region="002")])])
    assert snapshot(store) == before
    assert [(i.location.record, i.location.field) for i in violations(caught.value)] == [("TST-S-1", "region")]


def test_a_regional_strategy_names_the_m49_area_the_countries_graph_uses(
        store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    """The region is the area's concept ({base}vocab/m49/002), not its code: the very IRI the countries
    graph puts under sherloc:inRegion, so one query joins a regional strategy to its region's States."""
    regional = {k: v for k, v in STRATEGY.items() if k != "country"} | {"region": 2}  # a JSON number: "002"
    Ingest(store, settings).load("strategies", [write_jsonl(tmp_path / "s.jsonl", [regional])])
    found = triples(store, IRIS.strategy("TST-S-1"), "strategies")
    assert (SHERLOC.region, URIRef("https://w3id.org/sherloc/vocab/m49/002")) in found
    assert not any(p == SHERLOC.country for p, _o in found)
    assert not any(p == SHERLOC.region and isinstance(o, Literal) for p, o in found)
    rows = store.select("SELECT ?country ?name WHERE { ?strategy ?region ?area . ?country ?inRegion ?area . "
                        "?area ?label ?name }",
                        bindings={"strategy": IRIS.strategy("TST-S-1"), "region": SHERLOC.region,
                                  "inRegion": SHERLOC.inRegion, "label": URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")}).rows
    countries = {str(r["country"]).rsplit("/", 1)[-1] for r in rows}
    assert {"NGA", "EGY", "ZAF", "KEN"} <= countries and not {"FRA", "BRA", "JPN"} & countries
    assert {str(r["name"]) for r in rows} == {"Africa"}


@pytest.mark.parametrize("source", ["jsonl", "csv"])
@pytest.mark.parametrize("code", ["999", "Africa", "1500", "001"])
def test_a_region_that_is_no_m49_area_is_refused_naming_file_record_and_field(
        store: EmbeddedStore, settings: Settings, tmp_path: Path, code: str, source: str) -> None:
    """001 (the World) is an M49 code, but no region, sub-region or intermediate region."""
    regional = {k: v for k, v in STRATEGY.items() if k != "country"} | {"region": code}
    path = (write_jsonl(tmp_path / "s.jsonl", [regional]) if source == "jsonl"
            else write_csv(tmp_path / "s.csv", [as_csv_row(regional)]))
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("strategies", [path])
    assert snapshot(store) == before
    [issue] = violations(caught.value)
    assert (issue.location.file, issue.location.record, issue.location.field) == (str(path), "TST-S-1", "region")
    assert repr(code) in issue.message and "UN M49" in issue.message and "002 Africa" in issue.message


def test_a_strategy_with_neither_country_nor_region_is_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    nowhere = {k: v for k, v in STRATEGY.items() if k != "country"}
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("strategies", [write_jsonl(tmp_path / "s.jsonl", [nowhere])])
    assert ("TST-S-1", "country") in {(i.location.record, i.location.field) for i in violations(caught.value)}


@pytest.mark.parametrize("kind, bad, field", [
    ("treaties", {"subject": ["extradition"]}, "subject"),
    ("treaties", {"type": "bilaterall"}, "type"),
    ("treaties", {"signature_date": "2001-13-01"}, "signature_date"),
    ("treaties", {"url": "example.org"}, "url"),
    ("strategies", {"provisions": ["untoc/art/999"]}, "provisions"),
    ("guide", {"instrument": "xyz"}, "instrument"),
    ("guide", {"provisions": ["untoc/art/5/9"]}, "provisions"),
])
def test_bad_values_are_refused_naming_the_field(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                                  kind: str, bad: dict, field: str) -> None:
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load(kind, [write_jsonl(tmp_path / "r.jsonl", [RECORDS[kind] | bad])])
    assert snapshot(store) == before
    assert field in {i.location.field for i in violations(caught.value)}


# -- review: restricted unless published ----------------------------------------------------

def response(**fields: object) -> dict:
    record: dict = {"id": "MEX-R-1", "country": "MEX", "cycle": 1, "cluster": 1, "provision": "untoc/art/5",
                    "status": "partially-implemented", "measures": ["TST-cp-1#164"], "practices": "Training.",
                    "difficulties": "Resources.", "assistance_needs": ["training"], "date": "2021-06-30"}
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


@pytest.fixture
def with_law(store: EmbeddedStore) -> EmbeddedStore:
    """The national provision the response cites, as the legislation loader would have written it."""
    store.update("INSERT DATA { GRAPH <" + str(IRIS.graph("legislation")) + "> { <"
                 + str(IRIS.national_provision("MEX", "TST-cp-1", "164")) + "> a <" + str(SHERLOC.NationalProvision) + "> } }")
    return store


def test_an_unpublished_response_is_only_in_the_restricted_graph(with_law: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    Ingest(with_law, settings).load("review", [write_jsonl(tmp_path / "r.jsonl", [response()])])
    iri = IRIS.review("MEX-R-1")
    assert triples(with_law, iri, "review") == set()
    assert triples(with_law, iri, "review-restricted/MEX") == {
        (RDF.type, SHERLOC.ReviewResponse), (DCTERMS.identifier, Literal("MEX-R-1")),
        (SHERLOC.published, Literal(False)), (SHERLOC.country, IRIS.country("MEX")),
        (SHERLOC.reviewCycle, Literal(1)), (SHERLOC.reviewCluster, Literal(1)),
        (SHERLOC.aboutProvision, IRIS.provision("untoc/art/5")),
        (SHERLOC.implementationStatus, IRIS.concept("review-status", "partially-implemented")),
        (SHERLOC.citesMeasure, IRIS.national_provision("MEX", "TST-cp-1", "164")),
        (SHERLOC.practices, Literal("Training.")), (SHERLOC.difficulties, Literal("Resources.")),
        (SHERLOC.assistanceNeed, IRIS.concept("assistance-need", "training")),
        (DCTERMS.date, Literal("2021-06-30", datatype=XSD.date))}


@pytest.mark.parametrize("answer_id", ["R-1", "XAA-R-1", "MEXR-1", "mex-R-1"])
def test_an_answer_outside_its_states_id_range_is_refused(with_law: EmbeddedStore, settings: Settings,
                                                          tmp_path: Path, answer_id: str) -> None:
    """Every State's answers are in its own id range, whoever loads them (issue 24, finding 7)."""
    path = write_jsonl(tmp_path / "r.jsonl", [response(id=answer_id)])
    before = snapshot(with_law)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(with_law, settings).load("review", [path])
    assert snapshot(with_law) == before
    [issue] = violations(caught.value)
    assert (issue.location.file, issue.location.record, issue.location.field) == (str(path), answer_id, "id")
    assert "'MEX-...'" in issue.message


def test_publishing_a_response_moves_it_to_the_public_graph(with_law: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    ingest = Ingest(with_law, settings)
    iri = IRIS.review("MEX-R-1")
    ingest.load("review", [write_jsonl(tmp_path / "r1.jsonl", [response(published=False)])])
    assert triples(with_law, iri, "review-restricted/MEX") and not triples(with_law, iri, "review")
    ingest.load("review", [write_jsonl(tmp_path / "r2.jsonl", [response(published=True)])])
    assert (SHERLOC.published, Literal(True)) in triples(with_law, iri, "review")
    assert triples(with_law, iri, "review-restricted/MEX") == set(), "no copy left in the restricted graph"
    ingest.load("review", [write_csv(tmp_path / "r3.csv", [as_csv_row(response(published="false"))])])
    assert triples(with_law, iri, "review") == set() and triples(with_law, iri, "review-restricted/MEX")
    assert triples(with_law, iri, "review-restricted") == set()  # the State's graph, not the shared one
    # an answer keeps its State: its id is in that State's range, so another State is refused for it
    before = snapshot(with_law)
    with pytest.raises(ValidationFailed, match="'BRA-...'"):
        ingest.load("review", [write_jsonl(tmp_path / "r4.jsonl", [response(country="BRA", measures=None)])])
    assert snapshot(with_law) == before


@pytest.mark.parametrize("bad, field", [
    ({"measures": ["TST-cp-1#999"]}, "measures"),  # not in the legislation database
    ({"measures": ["no hash"]}, "measures"),
    ({"cluster": 5}, "cluster"),
    ({"status": "done"}, "status"),
    ({"date": "2001-01-01"}, "date"),  # before the Convention entered into force
    ({"published": "maybe"}, "published"),
    ({"date": None}, "date"),
])
def test_bad_responses_are_refused_naming_the_field(with_law: EmbeddedStore, settings: Settings, tmp_path: Path,
                                                     bad: dict, field: str) -> None:
    before = snapshot(with_law)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(with_law, settings).load("review", [write_jsonl(tmp_path / "r.jsonl", [response(**bad)])])
    assert snapshot(with_law) == before
    assert field in {i.location.field for i in violations(caught.value)}
