"""Canadian federal legislation in Justice Canada XML (loaders/justice_canada.py, canada_pairing.py),
on the real files bundled under data/legislation/CAN: every Act in English and French together,
the Criminal Code sections the annual statutes enact, and bad input refused with nothing written."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.config import Settings
from sherloc_kg.errors import UsageError, ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, ELI, SHERLOC
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import NQUADS, copy_of, sha256, shared_sha256, snapshot

IRIS = Iris()
GRAPH = str(IRIS.graph("legislation"))
CAN = Path(__file__).resolve().parents[1] / "data" / "legislation" / "CAN"
EN, FR = CAN / "consolidated" / "eng", CAN / "consolidated" / "fra"
PREFIXES = ("PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
            "PREFIX sherloc: <https://w3id.org/sherloc/ontology#>\n")

#: Per Act: the number of units at each depth below the law (1: sections; 2: their subsections,
#: or their paragraphs where a section has no subsections; ...), read from the files.
DEPTHS = {
    "C-45.2": {1: 11, 2: 11, 3: 15, 4: 2},
    "F-11.6": {1: 169, 2: 336, 3: 277, 4: 58, 5: 2},
    "I-2.5": {1: 324, 2: 702, 3: 538, 4: 59, 5: 8},
    "M-13.6": {1: 66, 2: 143, 3: 93, 4: 9},
    "P-24.501": {1: 243, 2: 543, 3: 506, 4: 102, 5: 8},
    "W-11.2": {1: 36, 2: 77, 3: 41, 4: 9},
    "2001-c32": {1: 84, 2: 85, 3: 4},
    "2005-c43": {1: 9, 2: 9, 3: 4, 4: 2},
    "2012-c15": {1: 2},
    "C-46": {1: 25, 2: 68, 3: 73, 4: 3},
}


@pytest.fixture(scope="module")
def canada(reference_dump: bytes, settings: Settings) -> EmbeddedStore:
    """The reference graphs and every Canadian file, loaded once by giving the folder. Read only."""
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    report = Ingest(store, settings).load("legislation", [CAN])
    assert report.written and not report.violations
    assert report.records_read == 9 + 25  # nine Acts, and the 25 Criminal Code sections they enact
    return store


def values(store: EmbeddedStore, subject: URIRef, predicate: URIRef) -> list:
    rows = store.select("SELECT ?o WHERE { ?s ?p ?o }", bindings={"s": subject, "p": predicate},
                        dataset=Dataset(default=[GRAPH])).rows
    return sorted((r["o"] for r in rows), key=str)


def sec(law: str, *parts: str) -> URIRef:
    return IRIS.law_subdivision("CAN", law, *parts)


# -- every Act, English and French together -----------------------------------------------------

def test_every_act_has_its_units_at_every_depth(canada: EmbeddedStore) -> None:
    rows = canada.select(PREFIXES + """
        SELECT ?law ?p (COUNT(DISTINCT ?mid) AS ?depth) WHERE {
            ?law a sherloc:NationalLegislation . ?p eli:is_part_of+ ?mid . ?mid eli:is_part_of* ?law .
        } GROUP BY ?law ?p""", dataset=Dataset(default=[GRAPH])).rows
    found: dict[str, Counter] = {}
    for row in rows:
        found.setdefault(str(row["law"]).rsplit("/", 1)[-1], Counter())[int(str(row["depth"]))] += 1
    assert {law: dict(depths) for law, depths in found.items()} == DEPTHS


def test_each_unit_is_part_of_its_parent_and_the_law_contains_it(canada: EmbeddedStore) -> None:
    law = IRIS.legislation("CAN", "I-2.5")
    clause = canada.select(PREFIXES + "SELECT ?p WHERE { ?law sherloc:containsProvision ?p . "
                           "?p eli:is_part_of/eli:is_part_of/eli:is_part_of/eli:is_part_of/eli:is_part_of ?law } LIMIT 1",
                           bindings={"law": law}, dataset=Dataset(default=[GRAPH])).rows
    assert clause, "no unit five levels down"
    contained = canada.select(PREFIXES + "SELECT (COUNT(?p) AS ?n) WHERE { ?law sherloc:containsProvision ?p }",
                              bindings={"law": law}, dataset=Dataset(default=[GRAPH])).rows[0]["n"]
    below = canada.select(PREFIXES + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p eli:is_part_of+ ?law }",
                          bindings={"law": law}, dataset=Dataset(default=[GRAPH])).rows[0]["n"]
    assert int(str(contained)) == int(str(below)) == sum(DEPTHS["I-2.5"].values())
    subsection = sec("I-2.5", "117", "1")
    assert values(canada, subsection, ELI.is_part_of) == [sec("I-2.5", "117")]
    assert values(canada, sec("I-2.5", "117"), ELI.is_part_of) == [law]
    assert subsection in values(canada, sec("I-2.5", "117"), ELI.has_part)
    assert sec("I-2.5", "117") in values(canada, law, ELI.has_part)
    assert subsection not in values(canada, law, ELI.has_part), "not flattened: only sections are parts of the law"
    assert values(canada, sec("I-2.5", "121", "b"), ELI.is_part_of) == [sec("I-2.5", "121")]  # no subsections


def test_the_act_in_both_languages(canada: EmbeddedStore) -> None:
    law = IRIS.legislation("CAN", "I-2.5")
    assert values(canada, law, DCTERMS.title) == [Literal("Immigration and Refugee Protection Act", lang="en"),
                                                  Literal("Loi sur l’immigration et la protection des réfugiés", lang="fr")]
    assert values(canada, law, DCTERMS.identifier) == [Literal("I-2.5")]
    assert values(canada, law, SHERLOC.country) == [IRIS.country("CAN")]
    assert values(canada, law, ELI.date_document) == [Literal("2001-11-01", datatype=XSD.date)]
    eu = "http://publications.europa.eu/resource/authority/language/"  # links out: the EU language table
    assert set(values(canada, law, DCTERMS.language)) == {Literal("en"), Literal("fr"), URIRef(eu + "ENG"), URIRef(eu + "FRA")}
    section = sec("I-2.5", "117")
    assert values(canada, section, ELI.number) == [Literal("117")]
    assert values(canada, section, DCTERMS.title) == [Literal("Entrée illégale", lang="fr"),
                                                      Literal("Organizing entry into Canada", lang="en")]
    assert values(canada, section, SHERLOC.heading) == [Literal("Human Smuggling and Trafficking", lang="en"),
                                                        Literal("Organisation d’entrée illégale au Canada", lang="fr")]
    assert values(canada, section, SHERLOC.inForceStartDate) == [Literal("2012-12-15", datatype=XSD.date)]
    english, french = sorted(values(canada, sec("I-2.5", "117", "1"), SHERLOC.text), key=lambda t: t.language)
    assert english.language == "en" and english.startswith(
        "No person shall organize, induce, aid or abet the coming into Canada of one or more persons knowing that")
    assert french.language == "fr" and french.startswith("Il est interdit à quiconque d’organiser l’entrée au Canada")


def test_a_unit_of_one_version_only_keeps_that_version(canada: EmbeddedStore) -> None:
    """The versions are co-drafted: P-24.501 s. 9.91 has paragraphs in English, one sentence in French."""
    section = sec("P-24.501", "9.91")
    assert sorted(t.language for t in values(canada, section, SHERLOC.text)) == ["en", "fr"]
    paragraph = sec("P-24.501", "9.91", "a")
    assert [t.language for t in values(canada, paragraph, SHERLOC.text)] == ["en"]


def test_labels_written_together_give_one_segment(canada: EmbeddedStore) -> None:
    """Sections repealed together ("8 to 10", "8 à 10") are one unit, the same in both languages."""
    assert values(canada, sec("C-45.2", "8-10"), ELI.number) == [Literal("8-10")]
    assert str(sec("I-2.5", "248,249")).endswith("/I-2.5/sec/248,249")
    assert values(canada, sec("I-2.5", "248,249"), ELI.is_part_of) == [IRIS.legislation("CAN", "I-2.5")]


# -- the Criminal Code from the annual statutes ---------------------------------------------------

def test_criminal_code_sections_enacted_by_the_annual_statutes(canada: EmbeddedStore) -> None:
    code = IRIS.legislation("CAN", "C-46")
    assert values(canada, code, DCTERMS.title) == [Literal("Code criminel", lang="fr"), Literal("Criminal Code", lang="en")]
    trafficking = sec("C-46", "279.01")
    assert values(canada, trafficking, ELI.is_part_of) == [code]
    assert values(canada, trafficking, ELI.changed_by) == [IRIS.legislation("CAN", "2005-c43")]
    assert values(canada, trafficking, DCTERMS.title) == [Literal("Trafficking in persons", lang="en"),
                                                         Literal("Traite des personnes", lang="fr")]
    [english] = [t for t in values(canada, sec("C-46", "279.01", "1"), SHERLOC.text) if t.language == "en"]
    assert english.startswith("Every person who recruits, transports, transfers, receives, holds, conceals or "
                              "harbours a person, or exercises control, direction or influence over the movements")
    # 2012, c. 15 replaced s. 279.04 as enacted in 2005: the text is the later one (it adds the factors of (2))
    assert values(canada, sec("C-46", "279.04"), ELI.changed_by) == [IRIS.legislation("CAN", "2005-c43"),
                                                                     IRIS.legislation("CAN", "2012-c15")]
    assert Literal("Factors", lang="en") in values(canada, sec("C-46", "279.04", "2"), DCTERMS.title)
    # 2012, c. 15 added subsection 7 (4.11): s. 7 is given with that subsection only
    assert values(canada, sec("C-46", "7"), ELI.has_part) == [sec("C-46", "7", "4.11")]
    assert values(canada, sec("C-46", "7"), SHERLOC.text) == []
    for number in ("467.1", "467.11", "467.12", "467.13"):
        assert values(canada, sec("C-46", number), ELI.changed_by) == [IRIS.legislation("CAN", "2001-c32")]
    # a portion of a section replaced ("The portion of section 632 ... before paragraph (a)") is no
    # whole provision: its words stay in the amending section's text only
    assert values(canada, sec("C-46", "632"), ELI.number) == []
    [amending] = [t for t in values(canada, sec("2001-c32", "39"), SHERLOC.text) if t.language == "en"]
    assert amending.startswith("The portion of section 632 of the Act before paragraph (a) is replaced")
    assert values(canada, IRIS.legislation("CAN", "2005-c43"), ELI.amends) == [code]


# -- bad input: refused, nothing written ------------------------------------------------------------

def refused(store: EmbeddedStore, settings: Settings, *paths: Path) -> list[str]:
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("legislation", list(paths))
    assert snapshot(store) == before, "a refused load must leave the store exactly as it was"
    return [str(i) for i in caught.value.issues if i.severity == "Violation"]


def test_french_file_of_another_act(store: EmbeddedStore, settings: Settings) -> None:
    problems = refused(store, settings, EN / "I-2.5.xml", FR / "F-11.6.xml")
    assert any(str(EN / "I-2.5.xml") in p and "no French file of I-2.5" in p and "F-11.6" in p for p in problems), problems
    assert any(str(FR / "F-11.6.xml") in p and "no English file of F-11.6" in p for p in problems), problems


def test_one_language_alone(store: EmbeddedStore, settings: Settings) -> None:
    [problem] = refused(store, settings, EN / "C-45.2.xml")
    assert "no French file of C-45.2" in problem and "ConsolidatedNumber" in problem


def test_truncated_file(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    truncated = tmp_path / "C-45.2.xml"
    data = (EN / "C-45.2.xml").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    problems = refused(store, settings, truncated, FR / "C-45.2.xml")
    assert any(str(truncated) in p and "malformed XML" in p for p in problems), problems


def test_unknown_element(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    text = (EN / "C-45.2.xml").read_text(encoding="utf-8")
    marked = tmp_path / "C-45.2.xml"
    # an element the reader has never met, inside section 3 (1): it might hold words, so refused
    marked.write_text(text.replace('<Label>(1)</Label><Text>', '<Label>(1)</Label><Formula>x</Formula><Text>', 1),
                      encoding="utf-8")
    [problem] = refused(store, settings, marked, FR / "C-45.2.xml")
    assert str(marked) in problem and "unknown element <Formula>" in problem and "Section 3" in problem
    assert "lims:id 112319" in problem


def test_section_in_one_language_only(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    text = (FR / "C-45.2.xml").read_text(encoding="utf-8")
    french = tmp_path / "fra" / "C-45.2.xml"
    french.parent.mkdir()
    french.write_text(_without_section(text, "109295"), encoding="utf-8")
    [problem] = refused(store, settings, EN / "C-45.2.xml", french)
    assert str(french) in problem and "Section 3 is in the English version only" in problem


def _without_section(text: str, lims_id: str) -> str:
    smaller, count = re.subn(r'<Section [^>]*lims:id="' + lims_id + r'">.*?</Section>', "", text, count=1, flags=re.S)
    assert count == 1
    return smaller


def test_empty_folder(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "PROVENANCE.md").write_text("not a source\n", encoding="utf-8")
    with pytest.raises(UsageError, match="holds no file to load"):
        Ingest(store, settings).load("legislation", [tmp_path])


# -- re-loading ------------------------------------------------------------------------------

def test_reloading_an_act_without_a_section_leaves_no_trace_of_it(store: EmbeddedStore, settings: Settings,
                                                                  tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    ingest.load("legislation", [EN / "C-45.2.xml", FR / "C-45.2.xml"])
    gone = sec("C-45.2", "3")
    assert values(store, sec("C-45.2", "3", "1", "a"), ELI.number) == [Literal("a")]
    smaller = tmp_path / "smaller"
    for folder, lims_id in (("eng", "112317"), ("fra", "109295")):
        (smaller / folder).mkdir(parents=True)
        (smaller / folder / "C-45.2.xml").write_text(
            _without_section((CAN / "consolidated" / folder / "C-45.2.xml").read_text(encoding="utf-8"), lims_id),
            encoding="utf-8")
    report = ingest.load("legislation", [smaller])
    assert report.written and not report.violations
    left = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?prefix) || "
                        "(isIRI(?o) && STRSTARTS(STR(?o), ?prefix))) }",
                        bindings={"prefix": Literal(str(gone) + "/")}, dataset=Dataset(default=None)).rows
    assert left == [], "the subsections and paragraphs of the removed section are gone too"
    assert store.select("SELECT ?p ?o WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }", bindings={"s": gone},
                        dataset=Dataset(default=None)).rows == []
    assert values(store, sec("C-45.2", "4"), ELI.number) == [Literal("4")]


def test_reloading_is_idempotent(store: EmbeddedStore, settings: Settings) -> None:
    ingest = Ingest(store, settings)
    annual = CAN / "annual"
    ingest.load("legislation", [annual])
    first = {q for q in snapshot(store) if str(IRIS.graph("provenance")) not in q}
    ingest.load("legislation", [annual])
    assert {q for q in snapshot(store) if str(IRIS.graph("provenance")) not in q} == first


def test_copies_are_the_shared_files() -> None:
    originals = shared_sha256()  # the shared originals' digests (tests/fixtures/shared/SHA256SUMS)
    for path in sorted(CAN.rglob("*")):
        if path.is_file() and path.name != "PROVENANCE.md":
            assert sha256(path) == originals[f"fixtures/real/canada-justice-laws/{path.relative_to(CAN)}"], path


def test_one_annual_statute_alone_keeps_the_sections_the_others_enacted(store: EmbeddedStore,
                                                                        settings: Settings) -> None:
    """Each Criminal Code section is a record of its own: re-loading S.C. 2005, c. 43 alone does
    not erase the sections S.C. 2001, c. 32 enacted."""
    ingest = Ingest(store, settings)
    ingest.load("legislation", [CAN / "annual"])
    ingest.load("legislation", [CAN / "annual" / "en" / "2005-c43_E.XML", CAN / "annual" / "fr" / "2005-c43_F.XML"])
    assert values(store, sec("C-46", "467.11"), ELI.changed_by) == [IRIS.legislation("CAN", "2001-c32")]
    assert values(store, sec("C-46", "279.01"), ELI.changed_by) == [IRIS.legislation("CAN", "2005-c43")]


# -- the editorial mappings ---------------------------------------------------------------------

def test_the_bundled_mappings_name_loaded_provisions(canada: EmbeddedStore, settings: Settings) -> None:
    """Every claim of data/editorial/implementation-{CAN,LUX}.jsonl names a provision the bundled
    legislation has, and goes to the editorial graph, not to the legislation graph."""
    data = CAN.parent.parent
    store = copy_of(canada)  # the Canadian files loaded (the module's store, read only)
    ingest = Ingest(store, settings)
    ingest.load("legislation", [data / "legislation" / "LUX"])
    for country, count in (("CAN", 29), ("LUX", 7)):
        report = ingest.load("editorial", [data / "editorial" / f"implementation-{country}.jsonl"])
        assert report.written and not report.violations and report.records_written == count
    editorial = str(IRIS.graph("editorial"))
    applies = store.select("SELECT ?p WHERE { ?n ?applies ?p }",
                           bindings={"n": sec("I-2.5", "117", "1"), "applies": ELI.ensures_implementation_of},
                           dataset=Dataset(default=[editorial])).rows
    assert [r["p"] for r in applies] == [IRIS.provision("som/art/6/1/a")]
    assert values(store, sec("I-2.5", "117", "1"), ELI.ensures_implementation_of) == []  # never in the legislation graph
