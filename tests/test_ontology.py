"""The ontology (ontology/sherloc.ttl) and the SKOS vocabularies (ontology/vocabularies/).

HermiT really runs here (Java, a second or so per run): on the ontology as shipped, and on copies
made inconsistent or given an unsatisfiable class on purpose, so the check is shown to catch both.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from sherloc_kg.iris import Iris
from sherloc_kg.loaders.instruments import instruments_graph
from sherloc_kg.namespaces import ONTOLOGY_IRI, SHERLOC
from sherloc_kg.ontology_check import check_ontology

from .conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = REPO / "ontology"
VOCAB_DIR = ONTOLOGY_DIR / "vocabularies"
# The bundled copy of the shared cases (byte for byte: tests/test_self_contained.py).
CASES = REPO / "data" / "cases" / "sherloc-cases-tip-2026-08.jsonl"
CRIME_TYPES = SHARED / "fixtures" / "reference" / "sherloc_crime_types.csv"

NS = str(SHERLOC._NS)
ONTOLOGY = URIRef(ONTOLOGY_IRI)
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
#: The scheme names are a contract (docs/model.md, "Vocabularies"): one file each.
SCHEMES = {
    "crime-type", "cross-cutting-issue", "tip-act", "tip-means", "tip-purpose", "court-level",
    "consent-type", "designation-matter", "review-status", "legislation-type", "treaty-type",
    "treaty-subject", "defendant-type", "publication-type", "assistance-need", "obligation-type",
}
IRIS = Iris()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "sherloc.ttl", format="turtle")


@pytest.fixture(scope="module")
def vocabularies() -> dict[str, Graph]:
    return {path.stem: Graph().parse(path, format="turtle") for path in sorted(VOCAB_DIR.glob("*.ttl"))}


def contract_terms() -> set[str]:
    """Every term the closed namespace declares (its annotated attributes)."""
    return {NS + name for name in SHERLOC.__annotations__ if not name.startswith("_")}


def declared_terms(graph: Graph) -> set[str]:
    return {str(s) for kind in DECLARATIONS for s in graph.subjects(RDF.type, kind) if str(s).startswith(NS)}


def english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == "en" and str(o).strip()]


# -- HermiT ------------------------------------------------------------------------------------

def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class() -> None:
    report = check_ontology(ONTOLOGY_DIR)
    assert report.consistent, report.message
    assert report.unsatisfiable == [], report.message
    assert "consistent" in report.message


def test_an_individual_of_two_disjoint_classes_is_reported_inconsistent(tmp_path: Path) -> None:
    text = (ONTOLOGY_DIR / "sherloc.ttl").read_text(encoding="utf-8")
    text += "\n<https://example.org/x> a sherloc:CourtCase , sherloc:Court .\n"
    (tmp_path / "sherloc.ttl").write_text(text, encoding="utf-8")
    report = check_ontology(tmp_path)
    assert not report.consistent
    assert "inconsistent" in report.message


def test_an_unsatisfiable_class_is_reported(tmp_path: Path) -> None:
    text = (ONTOLOGY_DIR / "sherloc.ttl").read_text(encoding="utf-8")
    text += ("\n<https://example.org/ArticleItem> a owl:Class ;"
             " rdfs:subClassOf sherloc:Article , sherloc:Item .\n")
    (tmp_path / "sherloc.ttl").write_text(text, encoding="utf-8")
    report = check_ontology(tmp_path)
    assert report.consistent
    assert report.unsatisfiable == ["https://example.org/ArticleItem"]
    assert "https://example.org/ArticleItem" in report.message


# -- the ontology and the closed namespace ------------------------------------------------------

def test_the_ontology_declares_every_term_of_the_namespace_and_nothing_else(ontology: Graph) -> None:
    declared = declared_terms(ontology)
    contract = contract_terms()
    assert contract - declared == set(), "in namespaces.SHERLOC but not declared in sherloc.ttl"
    assert declared - contract == set(), "declared in sherloc.ttl but not in namespaces.SHERLOC"
    used = {str(t) for triple in ontology for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
    assert used <= contract, f"used in sherloc.ttl but not declared: {sorted(used - contract)}"


def test_the_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert english(ontology, ONTOLOGY, URIRef("http://purl.org/dc/terms/title"))
    assert english(ontology, ONTOLOGY, URIRef("http://purl.org/dc/terms/description"))
    assert ontology.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert ontology.value(ONTOLOGY, OWL.versionInfo) is not None
    assert str(ontology.value(ONTOLOGY, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"))) == "sherloc"


def test_every_term_has_one_english_label_a_definition_and_is_defined_by_the_ontology(ontology: Graph) -> None:
    for term in sorted(contract_terms()):
        iri = URIRef(term)
        assert len(english(ontology, iri, RDFS.label)) == 1, f"{term}: one rdfs:label @en"
        assert len(english(ontology, iri, SKOS.definition)) == 1, f"{term}: one skos:definition @en"
        assert (iri, RDFS.isDefinedBy, ONTOLOGY) in ontology, f"{term}: rdfs:isDefinedBy"


def test_every_term_has_exactly_one_owl_kind_and_no_iri_is_punned(ontology: Graph) -> None:
    """OWL 2 DL: a property is object, datatype or annotation property, never two of them."""
    subjects = {s for kind in DECLARATIONS for s in ontology.subjects(RDF.type, kind)}
    for subject in subjects:
        kinds = [k for k in DECLARATIONS if (subject, RDF.type, k) in ontology]
        assert len(kinds) == 1, f"{subject} is declared as {kinds}"


def test_no_blank_node_anywhere(ontology: Graph, vocabularies: dict[str, Graph]) -> None:
    """The store writes no blank node (store/terms.py), and the reference graphs go through it."""
    for name, graph in {"sherloc.ttl": ontology, **vocabularies}.items():
        blank = [t for t in graph if any(isinstance(x, BNode) for x in t)]
        assert blank == [], f"{name}: {blank[:3]}"


def test_provisions_named_in_see_also_exist(ontology: Graph, vocabularies: dict[str, Graph]) -> None:
    """A grounding link must reach a real provision of the bundled Convention texts."""
    instruments = instruments_graph(IRIS, REPO / "data" / "convention-texts", REPO / "data" / "instruments.csv")
    known = set(instruments.subjects(RDF.type, None))
    prefix = IRIS.base + "id/instrument/"
    graphs = [ontology, *vocabularies.values()]
    linked = {o for g in graphs for o in g.objects(None, RDFS.seeAlso) if str(o).startswith(prefix)}
    assert linked, "no provision is linked at all"
    assert sorted(str(o) for o in linked - known) == []


def test_the_classes_named_in_the_model_sit_under_the_standard_classes(ontology: Graph) -> None:
    eli = "http://data.europa.eu/eli/ontology#"
    expected = {
        SHERLOC.ConventionProvision: URIRef(eli + "LegalResourceSubdivision"),
        SHERLOC.NationalProvision: URIRef(eli + "LegalResourceSubdivision"),
        SHERLOC.InternationalInstrument: URIRef(eli + "LegalResource"),
        SHERLOC.NationalLegislation: URIRef(eli + "LegalResource"),
        SHERLOC.CompetentNationalAuthority: URIRef("http://www.w3.org/ns/org#Organization"),
        SHERLOC.Country: SHERLOC.Jurisdiction,
        SHERLOC.InternationalJurisdiction: SHERLOC.Jurisdiction,
        SHERLOC.Article: SHERLOC.ConventionProvision,
        SHERLOC.Paragraph: SHERLOC.ConventionProvision,
        SHERLOC.Subparagraph: SHERLOC.ConventionProvision,
        SHERLOC.Item: SHERLOC.ConventionProvision,
    }
    for cls, parent in expected.items():
        assert (cls, RDFS.subClassOf, parent) in ontology, f"{cls} ⊑ {parent}"


# -- the vocabularies ---------------------------------------------------------------------------

def test_one_file_per_scheme_with_the_contract_names(vocabularies: dict[str, Graph]) -> None:
    assert set(vocabularies) == SCHEMES
    for name, graph in vocabularies.items():
        schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
        assert schemes == {IRIS.scheme(name)}, f"{name}.ttl must hold exactly its own scheme"
        assert english(graph, IRIS.scheme(name), SKOS.prefLabel)


def test_every_concept_is_well_formed(vocabularies: dict[str, Graph]) -> None:
    for name, graph in vocabularies.items():
        scheme = IRIS.scheme(name)
        concepts = set(graph.subjects(RDF.type, SKOS.Concept))
        assert concepts, f"{name} has no concept"
        notations: list[str] = []
        for concept in concepts:
            where = f"{name}: {concept}"
            assert list(graph.objects(concept, SKOS.inScheme)) == [scheme], f"{where}: exactly one scheme"
            values = list(graph.objects(concept, SKOS.notation))
            assert len(values) == 1, f"{where}: one notation"
            notation = str(values[0])
            notations.append(notation)
            assert concept == IRIS.concept(name, notation), f"{where}: IRI must be scheme/notation"
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", notation), f"{where}: notation is a slug"
            assert len(english(graph, concept, SKOS.prefLabel)) == 1, f"{where}: one prefLabel @en"
            labels = [o for o in graph.objects(concept, SKOS.prefLabel) if isinstance(o, Literal)]
            # SKOS S14: at most one prefLabel per language, each tagged (the TIP art. 3 (a) concepts
            # carry the French and Spanish words of art. 3 (a) besides the English)
            languages = [label.language for label in labels]
            assert None not in languages and len(languages) == len(set(languages)), f"{where}: one prefLabel per language"
            top = (concept, SKOS.topConceptOf, scheme) in graph
            broader = list(graph.objects(concept, SKOS.broader))
            assert top != bool(broader), f"{where}: either a top concept or has a broader concept"
            assert top == ((scheme, SKOS.hasTopConcept, concept) in graph), f"{where}: hasTopConcept"
            assert all(b in concepts for b in broader), f"{where}: broader concept in the same scheme"
        assert len(notations) == len(set(notations)), f"{name}: notations must be unique"


def test_the_notations_the_bundled_cases_use_exist_in_their_schemes(vocabularies: dict[str, Graph]) -> None:
    used: dict[str, set[str]] = {"crime-type": set(), "tip-act": set(), "tip-means": set(), "tip-purpose": set()}
    with CASES.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            record = json.loads(line)
            used["crime-type"].update(record.get("crime_types", []))
            elements = record.get("tip_elements") or {}
            used["tip-act"].update(elements.get("acts", []))
            used["tip-means"].update(elements.get("means", []))
            used["tip-purpose"].update(elements.get("purposes", []))
    for scheme, notations in used.items():
        assert notations, f"the fixture uses no {scheme} notation: has its format changed?"
        known = {str(n) for n in vocabularies[scheme].objects(None, SKOS.notation)}
        assert notations - known == set(), f"{scheme}: missing {sorted(notations - known)}"


def test_every_sherloc_crime_type_is_present_with_its_labels(vocabularies: dict[str, Graph]) -> None:
    graph = vocabularies["crime-type"]
    with CRIME_TYPES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 16
    for row in rows:
        notation = re.sub(r"[^a-z0-9]+", "-", row["crime_type"].lower())
        concept = IRIS.concept("crime-type", notation)
        assert (concept, RDF.type, SKOS.Concept) in graph, f"crime type '{row['crime_type']}' missing"
        if row["facet_label_seen"]:
            assert Literal(row["facet_label_seen"], lang="en") in set(graph.objects(concept, SKOS.prefLabel))
        if row["case_url_slug_seen"]:
            slugs = {str(o) for p in (SKOS.hiddenLabel, SKOS.altLabel) for o in graph.objects(concept, p)}
            assert row["case_url_slug_seen"] in slugs
    assert len(set(graph.subjects(RDF.type, SKOS.Concept))) == len(rows)


def test_the_tip_schemes_follow_article_3_a_of_the_protocol(vocabularies: dict[str, Graph]) -> None:
    article_3_a = IRIS.provision("tip/art/3/a")
    expected = {
        "tip-act": {"recruitment", "transportation", "transfer", "harbouring", "receipt"},
        "tip-means": {"threat-or-use-of-force-or-coercion", "abduction", "fraud", "deception",
                      "abuse-of-power-or-position-of-vulnerability", "giving-or-receiving-payments-or-benefits"},
        "tip-purpose": {"sexual-exploitation", "forced-labour-or-services", "slavery-or-practices-similar-to-slavery",
                        "servitude", "removal-of-organs", "other-exploitation"},
    }
    for scheme, notations in expected.items():
        graph = vocabularies[scheme]
        assert {str(n) for n in graph.objects(None, SKOS.notation)} == notations
        for notation in notations:
            assert (IRIS.concept(scheme, notation), RDFS.seeAlso, article_3_a) in graph


def test_the_cross_cutting_issue_scheme_says_it_is_partial_and_how_to_extend_it(vocabularies: dict[str, Graph]) -> None:
    graph = vocabularies["cross-cutting-issue"]
    notes = " ".join(str(n) for n in graph.objects(IRIS.scheme("cross-cutting-issue"), SKOS.scopeNote))
    assert "partial" in notes and "To add a value" in notes
    assert any(True for _ in graph.subject_objects(SKOS.broader)), "the scheme is hierarchical"
