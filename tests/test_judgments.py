"""Published judgments loaded as court cases (loaders/judgments.py through the cases loader): a
South African Supreme Court of Appeal judgment in Akoma Ntoso 3.0 and a Dutch Hoge Raad judgment
from the open data of the Dutch judiciary (ECLI), on the real store; the crime type they cannot
give is a warning, not a violation; refused inputs leave the store as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.config import Settings
from sherloc_kg.errors import ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, SHERLOC, SKOS
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import snapshot

IRIS = Iris()
GRAPH = str(IRIS.graph("cases"))
ZA_ID = "akn-za-judgement-2008-11-26-653-07"
NL_ID = "ECLI-NL-HR-1984-AC8252"
CRIME_TYPE_WARNING = "https://w3id.org/sherloc/shapes/cases#CourtCase-crime_types-expected"


@pytest.fixture(scope="module")
def za_xml(shared_dir: Path) -> Path:
    return shared_dir / "fixtures/real/akn-oasis-examples/za_Judgement_2008-11-26.xml"


@pytest.fixture(scope="module")
def nl_xml(shared_dir: Path) -> Path:
    return shared_dir / "fixtures/real/ecli-nl/ECLI.NL.HR.1984.AC8252.xml"


def values(store: EmbeddedStore, subject: URIRef, predicate: URIRef) -> list:
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", bindings={"s": subject, "p": predicate},
                        dataset=Dataset(default=[GRAPH])).rows
    return sorted((r["o"] for r in rows), key=str)


def refused(store: EmbeddedStore, settings: Settings, path: Path, source_format: str | None = None) -> list:
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("cases", [path], source_format=source_format)
    assert snapshot(store) == before, "a refused load must leave the store exactly as it was"
    return [i for i in caught.value.issues if i.severity == "Violation"]


def assert_crime_type_left_to_an_editor(report, case_id: str) -> None:
    assert report.written and not report.violations, report.violations
    [warning] = [w for w in report.warnings if w.shape == CRIME_TYPE_WARNING]
    assert warning.location.field == "crime_types" and str(IRIS.case(case_id)) == warning.focus
    assert "`crime_types`" in warning.message


@pytest.mark.parametrize("source_format", ["akn", None])
def test_akoma_ntoso_judgment(store: EmbeddedStore, settings: Settings, za_xml: Path,
                              source_format: str | None) -> None:
    report = Ingest(store, settings).load("cases", [za_xml], source_format=source_format)
    assert_crime_type_left_to_an_editor(report, ZA_ID)
    case = IRIS.case(ZA_ID)
    assert values(store, case, DCTERMS.identifier) == [Literal(ZA_ID)]
    assert values(store, case, DCTERMS.title) == [Literal("Fourway Haulage v SA National Roads Agency (653/07)", lang="en")]
    assert values(store, case, SHERLOC.jurisdiction) == [IRIS.country("ZAF")]
    # the date of delivery (docDate), not the hearing date the work's FRBRdate gives
    assert values(store, case, SHERLOC.decisionDate) == [Literal("2008-11-26", datatype=XSD.date)]
    assert values(store, case, SHERLOC.decisionYear) == [Literal(2008, datatype=XSD.integer)]
    [court] = values(store, case, SHERLOC.decidedBy)
    assert values(store, court, SKOS.prefLabel) == [Literal("SUPREME COURT OF APPEAL REPUBLIC OF SOUTH AFRICA")]
    assert values(store, case, SHERLOC.courtLevel) == []  # "Supreme Court of Appeal": ambiguous, not guessed
    assert values(store, case, DCTERMS.bibliographicCitation) == [Literal("[2008] ZASCA 134")]
    assert Literal("pure economic loss") in values(store, case, SHERLOC.keyword)
    assert values(store, case, SHERLOC.crimeType) == []
    # the one ref to an act (the National Roads Agency Act 7 of 1998, s 27): the act and its section
    act = IRIS.legislation("ZAF", "akn-za-act-1998-03-31-7")
    assert values(store, case, DCTERMS.references) == [act]
    assert values(store, case, SHERLOC.appliesNationalProvision) == [IRIS.national_provision("ZAF", act_id := "akn-za-act-1998-03-31-7", "sec27")]
    # the act is not loaded: a warning for each link, not a refusal
    warned = {(w.shape.rsplit("#", 1)[-1], str(w.value)) for w in report.warnings if w.focus == str(case)}
    assert ("CourtCase-references-expected", str(act)) in warned
    assert ("CourtCase-legislation-expected", str(IRIS.national_provision("ZAF", act_id, "sec27"))) in warned


@pytest.mark.parametrize("source_format", ["ecli", None])
def test_dutch_ecli_judgment(store: EmbeddedStore, settings: Settings, nl_xml: Path,
                             source_format: str | None) -> None:
    report = Ingest(store, settings).load("cases", [nl_xml], source_format=source_format)
    assert_crime_type_left_to_an_editor(report, NL_ID)
    case = IRIS.case(NL_ID)
    assert values(store, case, DCTERMS.identifier) == [Literal(NL_ID)]
    assert values(store, case, DCTERMS.title) == [Literal("ECLI:NL:HR:1984:AC8252 Hoge Raad , 17-01-1984 / 76.275", lang="nl")]
    assert values(store, case, SHERLOC.jurisdiction) == [IRIS.country("NLD")]
    assert values(store, case, SHERLOC.decisionDate) == [Literal("1984-01-17", datatype=XSD.date)]
    assert values(store, case, SHERLOC.decisionYear) == [Literal(1984, datatype=XSD.integer)]
    assert values(store, case, SHERLOC.decidedBy) == [IRIS.court("NLD", "Hoge Raad")]
    assert values(store, case, SHERLOC.courtLevel) == [IRIS.concept("court-level", "supreme")]
    assert values(store, case, DCTERMS.bibliographicCitation) == [Literal("ECLI:NL:HR:1984:AC8252"), Literal("NJ 1984, 479")]
    assert values(store, case, DCTERMS.source) == [URIRef("http://deeplink.rechtspraak.nl/uitspraak?id=ECLI:NL:HR:1984:AC8252")]
    [summary] = values(store, case, DCTERMS.abstract)
    assert summary.language == "nl" and summary.startswith("Aanslag op Turkse consul te Rotterdam")
    assert values(store, case, SHERLOC.crimeType) == []


def test_reload_is_idempotent(store: EmbeddedStore, settings: Settings, za_xml: Path, nl_xml: Path) -> None:
    ingest = Ingest(store, settings)
    ingest.load("cases", [za_xml, nl_xml])
    cases_only = lambda: {q for q in snapshot(store) if GRAPH in q}  # noqa: E731 (provenance records each load)
    first = cases_only()
    report = ingest.load("cases", [za_xml, nl_xml])
    assert report.written and not report.violations
    assert cases_only() == first


def test_an_akoma_ntoso_act_is_not_a_judgment(store: EmbeddedStore, settings: Settings, shared_dir: Path) -> None:
    act = shared_dir / "fixtures/real/akn-oasis-examples/uk_pga-2014-27-enacted-data.xml"
    for source_format in ("akn", None):
        [issue] = refused(store, settings, act, source_format)
        assert "is an act, not a judgment" in issue.message and "legislation" in issue.message
        assert issue.location.file == str(act)


def test_broken_xml_is_refused_with_its_line(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                             nl_xml: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(nl_xml.read_text(encoding="utf-8").replace("</dcterms:date>", "</dcterms:datum>", 1),
                      encoding="utf-8")
    line = next(n for n, text in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1) if "dcterms:datum" in text)
    [issue] = refused(store, settings, broken)
    assert issue.message.startswith("malformed XML") and issue.location.line == line == 14


def test_other_xml_is_refused_naming_its_root(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n', encoding="utf-8")
    [issue] = refused(store, settings, other, "ecli")
    assert "<rss>" in issue.message


@pytest.mark.parametrize("which", ["akn", "ecli"])
def test_missing_date_is_refused_naming_the_field(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                                  za_xml: Path, nl_xml: Path, which: str) -> None:
    path = tmp_path / f"{which}.xml"
    if which == "akn":
        text = za_xml.read_text(encoding="utf-8")
        text = text.replace('date="2008-11-26">', ">").replace('<FRBRdate date="2008-11-05" name="Hearing"/>', "")
        field = "docDate"
    else:
        text = nl_xml.read_text(encoding="utf-8")
        text = text.replace('<dcterms:date rdfs:label="Uitspraakdatum">1984-01-17</dcterms:date>', "")
        field = "dcterms:date"
    path.write_text(text, encoding="utf-8")
    [issue] = refused(store, settings, path)
    assert issue.location.file == str(path) and issue.location.field == field
    assert "decision date" in issue.message


def test_jsonl_cases_still_read_as_before(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    """The cases loader hands only XML to the judgment reader; a JSON Lines case without crime
    types is still refused (a Violation), since it is no imported judgment."""
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "TST001", "title": "Test", "country": "MEX", "year": 2010}\n', encoding="utf-8")
    [issue] = refused(store, settings, path)
    assert issue.location.field == "crime_types"


def test_copied_judgment_is_read_by_content_not_name(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                                    nl_xml: Path) -> None:
    copy = tmp_path / "judgment.akn"
    shutil.copy(nl_xml, copy)
    report = Ingest(store, settings).load("cases", [copy], source_format="akn")
    assert report.written and values(store, IRIS.case(NL_ID), DCTERMS.identifier) == [Literal(NL_ID)]


def test_the_cited_act_once_loaded_resolves_the_judgments_references(store: EmbeddedStore, settings: Settings,
                                                                    za_xml: Path, tmp_path: Path) -> None:
    """A hand-made Akoma Ntoso act (not real data: the real act is not among the fixtures) with the
    work URI and the section eId that the real judgment's ref names: loaded first, the judgment's
    links then lead to it and no reference warning remains."""
    act = tmp_path / "za-act-1998-7.xml"
    act.write_text(
        '<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><act name="act"><meta><identification source="#x">'
        '<FRBRWork><FRBRthis value="/akn/za/act/1998-03-31/7/!main"/><FRBRuri value="/akn/za/act/1998-03-31/7"/>'
        '<FRBRdate date="1998-03-31" name="Generation"/><FRBRauthor href="#p"/><FRBRcountry value="za"/></FRBRWork>'
        '<FRBRExpression><FRBRthis value="/akn/za/act/1998-03-31/7/eng@/!main"/><FRBRuri value="/akn/za/act/1998-03-31/7/eng@"/>'
        '<FRBRdate date="1998-03-31" name="Generation"/><FRBRauthor href="#p"/><FRBRlanguage language="eng"/></FRBRExpression>'
        '</identification></meta><preface><p><shortTitle>Test act (hand-made)</shortTitle></p></preface>'
        '<body><section eId="sec27"><num>27</num><content><p>Text.</p></content></section></body></act></akomaNtoso>',
        encoding="utf-8")
    ingest = Ingest(store, settings)
    assert not ingest.load("legislation", [act]).violations
    report = ingest.load("cases", [za_xml])
    assert report.written and not report.violations
    assert not [w for w in report.warnings if w.shape.endswith(("references-expected", "legislation-expected"))]
