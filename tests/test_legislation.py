"""The legislation loader on the real store: our JSON Lines and CSV, Akoma Ntoso 3.0 acts (a
Luxembourg law in the CSD13 draft namespace, a UK act), the companion implementation mapping,
the case → Convention provision inference through a national provision, and refused inputs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from sherloc_kg.config import Settings
from sherloc_kg.errors import ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, ELI, IN_FORCE, NOT_IN_FORCE, SHERLOC
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import snapshot

IRIS = Iris()
GRAPH = str(IRIS.graph("legislation"))
LUX_ID = "eli-etat-leg-loi-1999-05-31-n6-jo"
UK_ID = "id-ukpga-2014-27-enacted"


@pytest.fixture(scope="module")
def lux_xml(shared_dir: Path) -> Path:
    return shared_dir / "fixtures/real/akn-lu-loi-1999-05-31-n6/fr.xml"


@pytest.fixture(scope="module")
def uk_xml(shared_dir: Path) -> Path:
    return shared_dir / "fixtures/real/akn-oasis-examples/uk_pga-2014-27-enacted-data.xml"


def law(law_id: str = "BRA-test-law-1", **fields: object) -> dict:
    record: dict = {
        "id": law_id, "country": "BRA", "title": {"pt": "Lei fictícia de teste", "en": "Fictional test law"},
        "type": "act", "date_adopted": "2016-10-06", "in_force": True, "url": "https://example.org/law",
        "language": "pt",
        "provisions": [
            {"number": "1", "heading": "Tráfico", "text": "Texto fictício.", "implements": ["untoc/art/5/1/a", "tip/art/5"],
             "crime_types": ["trafficking-in-persons"]},
            {"number": "2", "text": "Outro texto.", "implements": ["tip/art/5"]},
        ],
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def values(store: EmbeddedStore, subject: URIRef, predicate: URIRef) -> list:
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", bindings={"s": subject, "p": predicate},
                        dataset=Dataset(default=[GRAPH])).rows
    return sorted((r["o"] for r in rows), key=str)


def parts(store: EmbeddedStore, law_iri: URIRef) -> list[str]:
    return [str(p) for p in values(store, law_iri, ELI.has_part)]


def refused(store: EmbeddedStore, settings: Settings, path: Path, source_format: str | None = None,
            kind: str = "legislation") -> list:
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load(kind, [path], source_format=source_format)
    assert snapshot(store) == before, "a refused load must leave the store exactly as it was"
    return [i for i in caught.value.issues if i.severity == "Violation"]


# -- our format ---------------------------------------------------------------------------------

def test_jsonl_law_with_provisions(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    report = Ingest(store, settings).load("legislation", [write_jsonl(tmp_path / "laws.jsonl", [law()])])
    assert report.written and not report.violations
    iri = IRIS.legislation("BRA", "BRA-test-law-1")
    assert values(store, iri, DCTERMS.title) == [Literal("Fictional test law", lang="en"),
                                                  Literal("Lei fictícia de teste", lang="pt")]
    assert values(store, iri, SHERLOC.country) == [IRIS.country("BRA")]
    assert values(store, iri, ELI.in_force) == [IN_FORCE]  # ELI's in-force table
    # the language as the record gives it, and its entry in the EU language authority table (links out)
    assert set(values(store, iri, DCTERMS.language)) == {
        Literal("pt"), URIRef("http://publications.europa.eu/resource/authority/language/POR")}
    assert parts(store, iri) == [str(IRIS.national_provision("BRA", "BRA-test-law-1", n)) for n in ("1", "2")]
    first = IRIS.national_provision("BRA", "BRA-test-law-1", "1")
    assert values(store, first, ELI.ensures_implementation_of) == [IRIS.provision("tip/art/5"), IRIS.provision("untoc/art/5/1/a")]
    assert values(store, first, ELI.is_part_of) == [iri]
    assert values(store, first, SHERLOC.text) == [Literal("Texto fictício.", lang="pt")]


def test_csv_one_row_per_provision(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "laws.csv"
    path.write_text(
        "id,country,title,language,provision_number,provision_heading,provision_text,provision_implements\n"
        "BRA-test-law-1,BRA,Lei fictícia,pt,1,Tráfico,Texto.,untoc/art/5/1/a;tip/art/5\n"
        "BRA-test-law-2,BRA,Outra lei,pt,7,,Texto sete.,tip/art/5\n"
        "BRA-test-law-1,,,,2,,Outro texto.,tip/art/5\n", encoding="utf-8")
    report = Ingest(store, settings).load("legislation", [path])
    assert report.records_written == 2 and not report.violations
    one = IRIS.legislation("BRA", "BRA-test-law-1")
    assert values(store, one, DCTERMS.title) == [Literal("Lei fictícia", lang="pt")]
    assert len(parts(store, one)) == 2
    assert values(store, IRIS.national_provision("BRA", "BRA-test-law-1", "1"), ELI.ensures_implementation_of) == [
        IRIS.provision("tip/art/5"), IRIS.provision("untoc/art/5/1/a")]


def test_csv_disagreeing_law_fields_are_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "laws.csv"
    path.write_text("id,country,title,provision_number\nBRA-x,BRA,One title,1\nBRA-x,BRA,Another title,2\n",
                    encoding="utf-8")
    [issue] = refused(store, settings, path)
    assert (issue.location.file, issue.location.line, issue.location.field) == (str(path), 3, "title")


def test_implements_unknown_convention_provision(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    bad = law(provisions=[{"number": "1", "implements": ["untoc/art/99"]}])
    path = write_jsonl(tmp_path / "laws.jsonl", [bad])
    issues = refused(store, settings, path)
    assert [i.location.field for i in issues] == ["provisions.implements"]
    assert issues[0].location.file == str(path)


def test_reload_is_idempotent(store: EmbeddedStore, settings: Settings, tmp_path: Path, lux_xml: Path) -> None:
    ingest = Ingest(store, settings)
    path = write_jsonl(tmp_path / "laws.jsonl", [law()])
    ingest.load("legislation", [path])
    ingest.load("legislation", [lux_xml])
    first = {q for q in snapshot(store) if str(IRIS.graph("provenance")) not in q}
    ingest.load("legislation", [path])
    ingest.load("legislation", [lux_xml])
    assert {q for q in snapshot(store) if str(IRIS.graph("provenance")) not in q} == first


def test_replacing_a_law_drops_its_removed_provisions(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    ingest.load("legislation", [write_jsonl(tmp_path / "a.jsonl", [law()])])
    smaller = law(provisions=[{"number": "1", "implements": ["tip/art/5"]}])
    ingest.load("legislation", [write_jsonl(tmp_path / "b.jsonl", [smaller])])
    gone = IRIS.national_provision("BRA", "BRA-test-law-1", "2")
    assert values(store, gone, ELI.number) == []
    assert len(parts(store, IRIS.legislation("BRA", "BRA-test-law-1"))) == 1


# -- Akoma Ntoso -------------------------------------------------------------------------------

def test_luxembourg_law(store: EmbeddedStore, settings: Settings, lux_xml: Path) -> None:
    report = Ingest(store, settings).load("legislation", [lux_xml])
    assert report.written and not report.violations
    iri = IRIS.legislation("LUX", LUX_ID)
    [title] = values(store, iri, DCTERMS.title)
    assert title.language == "fr" and "traite des êtres humains" in str(title)
    assert set(values(store, iri, DCTERMS.language)) == {
        Literal("fr"), URIRef("http://publications.europa.eu/resource/authority/language/FRA")}
    assert values(store, iri, ELI.date_document)[0].toPython().isoformat() == "1999-05-31"
    assert values(store, iri, URIRef("http://www.w3.org/2002/07/owl#sameAs")) == [
        URIRef("http://data.legilux.public.lu/eli/etat/leg/loi/1999/05/31/n6/jo")]
    # the law's own articles carry an id; those quoted from the Code pénal (embeddedStructure) do not
    source = lux_xml.read_text(encoding="utf-8")
    own = re.findall(r'<article id="([^"]+)"', source)
    assert len(own) == 13
    assert sorted(parts(store, iri)) == sorted(str(IRIS.national_provision("LUX", LUX_ID, a)) for a in own)
    first = IRIS.national_provision("LUX", LUX_ID, "art_1er")
    assert values(store, first, ELI.number) == [Literal("Art. 1er.")]
    [text] = values(store, first, SHERLOC.text)
    assert text.language == "fr"
    assert str(text).startswith("L'intitulé du chapitre VI du titre VII du livre II du code pénal est modifié")
    assert "JOLUX" not in str(text) and "data.legilux" not in str(text)


def test_uk_act(store: EmbeddedStore, settings: Settings, uk_xml: Path) -> None:
    report = Ingest(store, settings).load("legislation", [uk_xml])
    assert report.written and not report.violations
    iri = IRIS.legislation("GBR", UK_ID)
    assert values(store, iri, DCTERMS.title) == [Literal("Data Retention and Investigatory Powers Act 2014", lang="en")]
    assert values(store, iri, ELI.date_document)[0].toPython().isoformat() == "2014-07-17"
    assert values(store, iri, ELI.in_force) == [NOT_IN_FORCE]  # lifecycle: repealed 2016-12-31
    # the act's parts are its sections (the crossheadings around them are no units); every unit below
    # is part of the one holding it, and the act contains them all
    sections = parts(store, iri)
    assert len(sections) == 8 and all(re.search(r"/art/sec_\d+$", p) for p in sections)
    all_parts = [str(p) for p in values(store, iri, SHERLOC.containsProvision)]
    # subsections, paragraphs and subparagraphs are provisions too, but not those quoted from other acts
    paragraph = IRIS.national_provision("GBR", UK_ID, "sec_1__subsec_2__para_a")
    assert str(paragraph) in all_parts
    assert values(store, paragraph, ELI.is_part_of) == [IRIS.national_provision("GBR", UK_ID, "sec_1__subsec_2")]
    assert len(all_parts) == 88
    sub = IRIS.national_provision("GBR", UK_ID, "sec_1__subsec_1")
    assert values(store, sub, ELI.is_part_of) == [IRIS.national_provision("GBR", UK_ID, "sec_1")]
    assert values(store, sub, ELI.number) == [Literal("1")]
    [text] = values(store, sub, SHERLOC.text)
    assert str(text).startswith("The Secretary of State may by notice (a “retention notice”) require a public "
                                "telecommunications operator")
    section = IRIS.national_provision("GBR", UK_ID, "sec_1")
    assert values(store, section, DCTERMS.title) == [
        Literal("Powers for retention of relevant communications data subject to safeguards", lang="en")]


def test_mapping_csv_adds_applies_and_the_case_inference(store: EmbeddedStore, settings: Settings,
                                                         tmp_path: Path, lux_xml: Path) -> None:
    xml = tmp_path / "lux.xml"
    shutil.copyfile(lux_xml, xml)
    (tmp_path / "lux.implements.csv").write_text(
        "national_provision,convention_provision\n"
        "art_1er,tip/art/5\n"
        f"{LUX_ID}#art_2,untoc/art/5/1/a;tip/art/5\n", encoding="utf-8")
    ingest = Ingest(store, settings)
    report = ingest.load("legislation", [xml])
    assert not report.violations
    assert values(store, IRIS.national_provision("LUX", LUX_ID, "art_1er"), ELI.ensures_implementation_of) == [IRIS.provision("tip/art/5")]
    assert values(store, IRIS.national_provision("LUX", LUX_ID, "art_2"), ELI.ensures_implementation_of) == [
        IRIS.provision("tip/art/5"), IRIS.provision("untoc/art/5/1/a")]

    case = {"id": "LUXtest001", "title": "Fictional test case", "country": "LUX", "year": 2015,
            "crime_types": ["trafficking-in-persons"], "legislation": [f"{LUX_ID}#art_1er"],
            "tip_elements": {"acts": ["recruitment"], "means": ["deception"], "purposes": ["sexual-exploitation"]}}
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(case) + "\n", encoding="utf-8")
    report = ingest.load("cases", [cases])
    assert not report.violations
    rows = store.select("SELECT ?c ?p WHERE { GRAPH <" + str(IRIS.graph("inferred")) + "> { ?c "
                        "<https://w3id.org/sherloc/ontology#concernsProvision> ?p } }",
                        bindings={"c": IRIS.case("LUXtest001")}).rows
    # tip/art/5 from the law the case applies (and from its crime type, with art. 5 (1)); art. 3 (a)
    # and art. 3 from the TIP elements it records (sparql/rules/)
    assert {r["p"] for r in rows} == {IRIS.provision(p) for p in ("tip/art/5", "tip/art/5/1", "tip/art/3/a", "tip/art/3")}
    via_law = store.select("SELECT ?p WHERE { ?c <https://w3id.org/sherloc/ontology#appliesNationalProvision> ?n . "
                           "?n <http://data.europa.eu/eli/ontology#ensures_implementation_of> ?p }",
                           bindings={"c": IRIS.case("LUXtest001")}).rows
    assert [r["p"] for r in via_law] == [IRIS.provision("tip/art/5")]


def test_mapping_with_unknown_eid(store: EmbeddedStore, settings: Settings, tmp_path: Path, lux_xml: Path) -> None:
    xml = tmp_path / "lux.xml"
    shutil.copyfile(lux_xml, xml)
    mapping = tmp_path / "lux.xml.implements.csv"
    mapping.write_text("national_provision,convention_provision\nart_1er,tip/art/5\nart_99,tip/art/5\n",
                       encoding="utf-8")
    [issue] = refused(store, settings, xml)
    assert (issue.location.file, issue.location.line, issue.location.field) == (str(mapping), 3, "national_provision")
    assert "art_99" in issue.message


# -- refused inputs ----------------------------------------------------------------------------

def test_broken_xml(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text('<?xml version="1.0"?>\n<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">\n'
                    "<act>\n</akomaNtoso>\n", encoding="utf-8")
    [issue] = refused(store, settings, path)
    assert issue.location.file == str(path) and issue.location.line == 4
    assert "malformed XML" in issue.message


def test_judgment_is_refused(store: EmbeddedStore, settings: Settings, shared_dir: Path) -> None:
    path = shared_dir / "fixtures/real/akn-oasis-examples/za_Judgement_2008-11-26.xml"
    [issue] = refused(store, settings, path)
    assert issue.location.file == str(path)
    assert "judgment, not an act" in issue.message


def test_ecli_xml_is_refused(store: EmbeddedStore, settings: Settings, shared_dir: Path) -> None:
    [path] = sorted((shared_dir / "fixtures/real/ecli-nl").glob("*.xml"))
    [issue] = refused(store, settings, path)
    assert issue.location.file == str(path)
    assert "not an Akoma Ntoso document" in issue.message and "<open-rechtspraak>" in issue.message


def test_unknown_akn_namespace_is_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_text('<akomaNtoso xmlns="http://www.akomantoso.org/2.0"><act/></akomaNtoso>', encoding="utf-8")
    [issue] = refused(store, settings, path, source_format="akn")
    assert "http://www.akomantoso.org/2.0" in issue.message


def test_akn_without_frbr_work(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "anonymous.xml"
    path.write_text(
        '<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><act name="x">'
        '<meta><identification source="#x"></identification></meta>'
        '<body><section eId="sec_1"><num>1</num><content><p>Text.</p></content></section></body>'
        "</act></akomaNtoso>", encoding="utf-8")
    [issue] = refused(store, settings, path)
    assert issue.location.file == str(path) and issue.location.field == "FRBRWork"


def test_amends_a_loaded_law(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    ingest.load("legislation", [write_jsonl(tmp_path / "a.jsonl", [law()])])
    later = law("BRA-test-law-2", amends=["BRA-test-law-1"], repeals=["BRA:BRA-test-law-1"])
    report = ingest.load("legislation", [write_jsonl(tmp_path / "b.jsonl", [later])])
    assert not report.violations
    two = IRIS.legislation("BRA", "BRA-test-law-2")
    assert values(store, two, ELI.amends) == values(store, two, ELI.repeals) == [IRIS.legislation("BRA", "BRA-test-law-1")]
    unknown = law("BRA-test-law-3", amends=["BRA-no-such-law"])
    issues = refused(store, settings, write_jsonl(tmp_path / "c.jsonl", [unknown]))
    assert [i.location.field for i in issues] == ["amends"]


# -- amendment links in Akoma Ntoso ------------------------------------------------------------

def test_luxembourg_law_is_amended_by_the_acts_its_passive_modifications_name(
        store: EmbeddedStore, settings: Settings, lux_xml: Path) -> None:
    """The real Luxembourg file lists 15 textual modifications (passiveModifications) made by two
    later acts (2001 and 2017): the law and each modified article are eli:amended_by them."""
    report = Ingest(store, settings).load("legislation", [lux_xml])
    assert report.written and not report.violations
    iri = IRIS.legislation("LUX", LUX_ID)
    euro = IRIS.legislation("LUX", "eli-etat-leg-loi-2001-08-01-n16-jo")
    procedure = IRIS.legislation("LUX", "eli-etat-leg-loi-2017-03-08-a346-jo")
    assert values(store, iri, ELI.amended_by) == sorted([euro, procedure], key=str)
    assert values(store, IRIS.national_provision("LUX", LUX_ID, "art_2"), ELI.amended_by) == [euro]
    assert values(store, IRIS.national_provision("LUX", LUX_ID, "art_13"), ELI.amended_by) == [procedure]
    assert values(store, IRIS.national_provision("LUX", LUX_ID, "art_1er"), ELI.amended_by) == []
    # neither amending act is loaded: the links are warnings, never a refusal
    warned = {(w.focus, str(w.value)) for w in report.warnings if w.shape.endswith("#amended_by")}
    assert (str(iri), str(euro)) in warned


def test_uk_act_amends_the_act_its_active_modifications_name(store: EmbeddedStore, settings: Settings,
                                                             uk_xml: Path) -> None:
    """DRIPA 2014 (real file) inserts and substitutes subsections of the Regulation of Investigatory
    Powers Act 2000 (``/akn/uk/act/2000-07-28/chapter23/main#sec_...``)."""
    report = Ingest(store, settings).load("legislation", [uk_xml])
    assert report.written and not report.violations
    ripa = IRIS.legislation("GBR", "akn-uk-act-2000-07-28-chapter23")
    assert values(store, IRIS.legislation("GBR", UK_ID), ELI.amends) == [ripa]
    assert [w for w in report.warnings if w.shape.endswith("NationalLegislation-amends-expected")]


HAND_MADE = """<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><act name="act"><meta>
<identification source="#x"><FRBRWork><FRBRthis value="/akn/mx/act/2020-01-01/{n}/!main"/>
<FRBRuri value="/akn/mx/act/2020-01-01/{n}"/><FRBRdate date="2020-01-01" name="Generation"/><FRBRauthor href="#p"/>
<FRBRcountry value="mx"/></FRBRWork></identification>
<analysis source="#x">{analysis}</analysis>
<references source="#x">{references}</references></meta>
<preface><p><shortTitle>Ley de prueba {n} (hand-made)</shortTitle></p></preface>
<body><article eId="art_1"><num>1</num><content><p>Texto.</p></content></article>
<article eId="art_2"><num>2</num><content><p>Texto.</p></content></article></body></act></akomaNtoso>"""


def test_hand_made_akn_amendments_repeals_and_references(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    """Not real data: small hand-made AKN acts exercising what the real fixtures do not carry: an
    active repeal of a whole act, a passive repeal of one article, sources named through a
    ``references`` element (``#rp1``), activeRef/passiveRef. The other acts are loaded first, so
    every link leads to a law and there is no warning."""
    first = tmp_path / "one.xml"
    first.write_text(HAND_MADE.format(n=1, analysis="", references=""), encoding="utf-8")
    second = tmp_path / "two.xml"
    second.write_text(HAND_MADE.format(n=2, analysis="", references=""), encoding="utf-8")
    third = tmp_path / "three.xml"
    third.write_text(HAND_MADE.format(n=3, analysis=(
        '<activeModifications><textualMod eId="am1" type="repeal"><source href="#art_1"/>'
        '<destination href="/akn/mx/act/2020-01-01/1"/></textualMod>'
        '<textualMod eId="am2" type="substitution"><source href="#art_1"/>'
        '<destination href="/akn/mx/act/2020-01-01/2/spa@/!main#art_1"/></textualMod></activeModifications>'
        '<passiveModifications><textualMod eId="pm1" type="repeal"><source href="#rp1"/>'
        '<destination href="#art_2"/></textualMod></passiveModifications>'), references=(
        '<passiveRef eId="rp1" href="/akn/mx/act/2020-01-01/4" showAs="Ley 4"/>'
        '<activeRef eId="ar1" href="/akn/mx/act/2020-01-01/2" showAs="Ley 2"/>'
        '<passiveRef eId="self" href="/akn/mx/act/2020-01-01/3" showAs="itself"/>'
        '<TLCPerson eId="p" href="/ontology/person/x" showAs="X"/>')), encoding="utf-8")
    fourth = tmp_path / "four.xml"
    fourth.write_text(HAND_MADE.format(n=4, analysis="", references=""), encoding="utf-8")
    ingest = Ingest(store, settings)
    assert not ingest.load("legislation", [first, second, fourth]).violations
    report = ingest.load("legislation", [third])
    assert report.written and not report.violations
    links = ("amends-expected", "repeals-expected", "#amended_by", "#repealed_by")
    assert not [w for w in report.warnings if w.shape.endswith(links)], report.warnings
    law = {n: IRIS.legislation("MEX", f"akn-mx-act-2020-01-01-{n}") for n in (1, 2, 3, 4)}
    assert values(store, law[3], ELI.repeals) == [law[1]]
    assert values(store, law[3], ELI.amends) == [law[2]]  # a substitution, and the activeRef
    assert values(store, law[3], ELI.amended_by) == [law[4]]  # not itself
    article = IRIS.national_provision("MEX", "akn-mx-act-2020-01-01-3", "art_2")
    assert values(store, article, ELI.repealed_by) == [law[4]]
    assert values(store, article, ELI.amended_by) == []
