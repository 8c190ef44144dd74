"""Obligation typing (issue 8, item 7): the rule set of sherloc_kg/obligations.py on real paragraphs
of the bundled texts, whose expected type was read in the text by hand, and the triples the
instruments loader writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from sherloc_kg import obligations
from sherloc_kg.iris import INSTRUMENTS, Iris
from sherloc_kg.loaders.instruments import Provision, instruments_graph, parse_instrument
from sherloc_kg.namespaces import RDF, SHERLOC

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "data" / "convention-texts"
IRIS = Iris()

#: reference → (expected type, why, as read in the English text)
EXPECTED = {
    "untoc/art/1": ("none", "statement of purpose, no modal"),
    "untoc/art/2/a": ("none", "“Organized criminal group” shall mean ..."),
    "untoc/art/3/1": ("none", "This Convention shall apply ... (scope)"),
    "untoc/art/5/1": ("mandatory", "Each State Party shall adopt such legislative and other measures"),
    "untoc/art/5/1/a": ("mandatory", "completes the chapeau of 5 (1): Either or both of the following"),
    "untoc/art/5/1/a/i": ("mandatory", "an item below the chapeau"),
    "untoc/art/6/1/b": ("mandatory", "Subject to the basic concepts of its legal system: (still under 6 (1))"),
    "untoc/art/6/2/a": ("to-consider", "Each State Party shall seek to apply ..."),
    "untoc/art/7/2": ("to-consider", "States Parties shall consider implementing feasible measures"),
    "untoc/art/7/3": ("to-consider", "States Parties are called upon to use as a guideline"),
    "untoc/art/8/2": ("to-consider", "Each State Party shall consider adopting ..."),
    "untoc/art/10/3": ("none", "Such liability shall be without prejudice to ... (saving clause)"),
    "untoc/art/11/2": ("to-consider", "Each State Party shall endeavour to ensure ..."),
    "untoc/art/11/5": ("mandatory", "Each State Party shall, where appropriate, establish ... (qualified)"),
    "untoc/art/11/6": ("none", "Nothing contained in this Convention shall affect ..."),
    "untoc/art/12/7": ("optional", "States Parties may consider the possibility of requiring ..."),
    "untoc/art/15/2": ("optional", "a State Party may also establish its jurisdiction"),
    "untoc/art/15/2/a": ("optional", "completes the chapeau of 15 (2)"),
    "untoc/art/16/15": ("mandatory", "States Parties may not refuse a request for extradition ... (prohibition)"),
    "untoc/art/17": ("optional", "States Parties may consider entering into ... agreements"),
    "untoc/art/18/8": ("mandatory", "States Parties shall not decline to render mutual legal assistance"),
    "untoc/art/18/13": ("mandatory", "Each State Party shall designate a central authority"),
    "untoc/art/28": ("to-consider", "an article without words of its own: its paragraphs are all 'shall consider'"),
    "untoc/art/29": ("mandatory", "an article without words: 29 (1) 'shall, to the extent necessary, initiate'"),
    "untoc/art/32/2": ("none", "The Secretary-General of the United Nations shall convene ..."),
    "untoc/art/32/5": ("mandatory", "Each State Party shall provide the Conference of the Parties with information"),
    "untoc/art/38/1": ("none", "This Convention shall enter into force ..."),
    "tip/art/3/b": ("none", "listed under 'For the purposes of this Protocol:' (a definition)"),
    "tip/art/5/2/a": ("mandatory", "Subject to the basic concepts of its legal system, attempting ... (under 5 (2))"),
    "tip/art/6/3": ("to-consider", "Each State Party shall consider implementing measures ..."),
    "tip/art/6/3/a": ("to-consider", "Appropriate housing; (completes the chapeau of 6 (3))"),
    "som/art/6/4": ("none", "Nothing in this Protocol shall prevent ..."),
    "fp/art/10/6": ("optional", "States Parties may adopt simplified procedures"),
}


@pytest.fixture(scope="module")
def assigned() -> dict[str, str]:
    result: dict[str, str] = {}
    for code in INSTRUMENTS:
        for article in parse_instrument(TEXTS / f"{code}.md", code).articles:
            result.update(obligations.assign(article))
    return result


@pytest.fixture(scope="module")
def texts() -> dict[str, str | None]:
    return {p.reference: p.text.get("en") for code in INSTRUMENTS
            for p in parse_instrument(TEXTS / f"{code}.md", code).provisions()}


@pytest.mark.parametrize("reference", sorted(EXPECTED))
def test_real_provisions_get_the_type_their_words_give(assigned: dict[str, str], reference: str) -> None:
    expected, why = EXPECTED[reference]
    assert assigned[reference] == expected, f"{reference}: {why}"


def test_every_type_occurs_and_every_provision_has_one(assigned: dict[str, str], texts: dict) -> None:
    assert set(assigned) == set(texts)
    assert set(assigned.values()) == set(obligations.TYPES)
    assert {t for t, _ in EXPECTED.values()} == set(obligations.TYPES)


def test_qualifiers_leave_an_obligation_mandatory_but_are_noted(texts: dict) -> None:
    for reference in ("untoc/art/6/1", "untoc/art/11/5", "untoc/art/12/1"):
        verdict = obligations.classify(texts[reference])
        assert verdict.type == "mandatory" and verdict.qualified, reference
    assert not obligations.classify(texts["untoc/art/5/1"]).qualified


@pytest.mark.parametrize("text, expected, rule", [
    ("A State Party shall not be required to provide assistance under this paragraph.", "optional", "shall not be required"),
    ("Each State Party shall, as appropriate, consider establishing a register.", "to-consider", "shall consider"),
    ("Each State Party shall, subject to the basic concepts of its legal system, adopt such measures.", "mandatory", "shall"),
    ("“Vessel” shall mean any type of water craft.", "none", "definition"),
    ("Nothing in this Convention shall affect the rights of States.", "none", "saving or scope clause"),
    ("The Conference of the Parties shall adopt rules of procedure.", "none", "duty of another body"),
    ("States Parties may not refuse a request on the sole ground of bank secrecy.", "mandatory", "may not"),
    ("Such measures as may be necessary to protect witnesses.", None, "no modal"),
    ("", None, "no words"),
])
def test_the_rules_on_constructed_sentences(text: str, expected: str | None, rule: str) -> None:
    verdict = obligations.classify(text)
    assert (verdict.type, verdict.rule) == (expected, rule)


def test_tree_rules_chapeau_transparent_heading_and_strongest_part() -> None:
    def unit(reference: str, text: str | None, *parts: Provision) -> Provision:
        return Provision("article", reference.rsplit("/", 1)[-1], reference, 1,
                         text={"en": text} if text else {}, parts=list(parts))

    article = unit("x/art/1", None,
                   unit("x/art/1/1", "Each State Party shall adopt measures to establish as offences:",
                        unit("x/art/1/1/a", None, unit("x/art/1/1/a/i", "The conversion of property;"))),
                   unit("x/art/1/2", "States Parties may cooperate."))
    assert obligations.assign(article) == {"x/art/1": "mandatory", "x/art/1/1": "mandatory", "x/art/1/1/a": "mandatory",
                                           "x/art/1/1/a/i": "mandatory", "x/art/1/2": "optional"}
    assert obligations.strongest([]) == "none"
    assert obligations.strongest(["optional", "to-consider"]) == "to-consider"


def test_the_instruments_graph_types_every_provision_once(assigned: dict[str, str]) -> None:
    graph: Graph = instruments_graph(IRIS, TEXTS, REPO / "data" / "instruments.csv")
    provisions = set(graph.subjects(RDF.type, SHERLOC.ConventionProvision))
    assert provisions
    for provision in provisions:
        values = list(graph.objects(provision, SHERLOC.obligationType))
        assert len(values) == 1, provision
        reference = IRIS.provision_reference(str(provision))
        assert values[0] == IRIS.concept("obligation-type", assigned[reference]), reference
    vocabulary = Graph().parse(REPO / "ontology" / "vocabularies" / "obligation-type.ttl", format="turtle")
    concepts = {IRIS.concept("obligation-type", t) for t in obligations.TYPES}
    assert concepts == set(vocabulary.subjects(RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#Concept")))
