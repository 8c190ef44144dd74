"""ELI as the ELI ontology (1.5) defines it (issue 19, item 2), after a load of the bundled data and
the examples: every provision and national subdivision asserted ``eli:LegalResourceSubdivision``
in its own graph; ``eli:is_part_of`` its direct parent (an Akoma Ntoso section its chapter); every
language version an ``eli:LegalExpression`` with its language from the EU table; ``eli:in_force``,
``eli:passed_by`` and ``eli:date_document`` only on works; implementation as
``eli:ensures_implementation_of`` and ``eli:applies`` nowhere (docs/model.md "ELI")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from sherloc_kg.config import Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import ELI, IN_FORCE, NOT_IN_FORCE, SHERLOC
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import copy_of

REPO = Path(__file__).resolve().parents[1]
IRIS = Iris()
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
PREFIXES = """PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

#: An Akoma Ntoso act that nests: a part holding a chapter holding sections, a section directly
#: in the body, a crossheading (no unit) around a section, subsections and a paragraph.
NESTED_ACT = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><act name="act"><meta>
<identification source="#x"><FRBRWork><FRBRthis value="/akn/mx/act/2021-01-01/7/!main"/>
<FRBRuri value="/akn/mx/act/2021-01-01/7"/><FRBRdate date="2021-01-01" name="Generation"/><FRBRauthor href="#p"/>
<FRBRcountry value="mx"/></FRBRWork><FRBRExpression><FRBRthis value="/akn/mx/act/2021-01-01/7/spa@/!main"/>
<FRBRuri value="/akn/mx/act/2021-01-01/7/spa@"/><FRBRdate date="2021-01-01" name="Generation"/><FRBRauthor href="#p"/>
<FRBRlanguage language="spa"/></FRBRExpression><FRBRManifestation><FRBRthis value="/akn/mx/act/2021-01-01/7/spa@/!main.xml"/>
<FRBRuri value="/akn/mx/act/2021-01-01/7/spa@.xml"/><FRBRdate date="2021-01-01" name="Generation"/><FRBRauthor href="#p"/>
</FRBRManifestation></identification></meta>
<preface><p><shortTitle>Ley de prueba anidada</shortTitle></p></preface>
<body>
<part eId="part_1"><num>Título I</num><heading>Disposiciones generales</heading>
  <chapter eId="part_1__chp_1"><num>Capítulo I</num><heading>Trata de personas</heading>
    <section eId="sec_1"><num>1</num><heading>Definición</heading>
      <subsection eId="sec_1__subsec_1"><num>(1)</num><content><p>Comete el delito quien capte a una persona.</p></content></subsection>
      <subsection eId="sec_1__subsec_2"><num>(2)</num>
        <paragraph eId="sec_1__subsec_2__para_a"><num>(a)</num><content><p>con fines de explotación.</p></content></paragraph>
      </subsection>
    </section>
    <section eId="sec_2"><num>2</num><content><p>Pena.</p></content></section>
  </chapter>
</part>
<hcontainer name="crossheading" eId="crossheading-final"><heading>Disposiciones finales</heading>
  <section eId="sec_3"><num>3</num><content><p>Entrada en vigor.</p></content></section>
</hcontainer>
</body></act></akomaNtoso>
"""
NESTED_ID = "akn-mx-act-2021-01-01-7"


@pytest.fixture(scope="module")
def eli_store(settings: Settings, explorer_store: EmbeddedStore,
              tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The bundled data and the examples (a copy of the session's ``explorer_store``, loaded through
    the pipeline: tests/conftest.py), and one nested Akoma Ntoso act loaded through the pipeline."""
    store = copy_of(explorer_store)
    ingest = Ingest(store, settings)
    act = tmp_path_factory.mktemp("akn") / "nested.xml"
    act.write_text(NESTED_ACT, encoding="utf-8")
    report = ingest.load("legislation", [act])
    assert report.written and not report.violations
    return store


def rows(store: EmbeddedStore, query: str, **bindings) -> list[dict]:
    return store.select(PREFIXES + query, bindings=bindings or None).rows


def graph_of(store: EmbeddedStore, name: str) -> Graph:
    """One named graph as an rdflib graph."""
    graph = Graph()
    for row in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", dataset=Dataset(default=[str(IRIS.graph(name))])).rows:
        graph.add((row["s"], row["p"], row["o"]))
    return graph


# -- subdivisions -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind, graph", [("ConventionProvision", "instruments"), ("NationalProvision", "legislation")])
def test_every_subdivision_is_typed_eli_in_its_own_graph(eli_store: EmbeddedStore, kind: str, graph: str) -> None:
    name = str(IRIS.graph(graph))
    units = rows(eli_store, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ GRAPH <{name}> {{ ?p a sherloc:{kind} }} }}")
    assert int(units[0]["n"]) > (600 if graph == "instruments" else 100)
    untyped = rows(eli_store, f"""SELECT ?p WHERE {{ GRAPH <{name}> {{ ?p a sherloc:{kind} }}
        FILTER NOT EXISTS {{ GRAPH <{name}> {{ ?p a eli:LegalResourceSubdivision }} }} }} LIMIT 5""")
    assert untyped == []
    # and every eli:LegalResourceSubdivision is one of ours, with its parent in the same graph
    stray = rows(eli_store, f"""SELECT ?p WHERE {{ GRAPH <{name}> {{ ?p a eli:LegalResourceSubdivision }}
        FILTER NOT EXISTS {{ GRAPH <{name}> {{ ?p a sherloc:{kind} ; eli:is_part_of ?parent . ?parent eli:has_part ?p }} }} }} LIMIT 5""")
    assert stray == []


def test_every_subdivision_has_one_parent_and_is_its_part(eli_store: EmbeddedStore) -> None:
    many = rows(eli_store, """SELECT ?p (COUNT(DISTINCT ?parent) AS ?n) WHERE { ?p a eli:LegalResourceSubdivision ;
        eli:is_part_of ?parent } GROUP BY ?p HAVING (COUNT(DISTINCT ?parent) != 1) LIMIT 5""")
    assert many == []
    one_way = rows(eli_store, """SELECT ?p ?parent WHERE { ?p a eli:LegalResourceSubdivision ; eli:is_part_of ?parent
        FILTER NOT EXISTS { ?parent eli:has_part ?p } } LIMIT 5""")
    assert one_way == []


def test_convention_provisions_are_part_of_their_direct_parent(eli_store: EmbeddedStore) -> None:
    found = rows(eli_store, "SELECT ?p ?parent WHERE { ?p a sherloc:ConventionProvision ; eli:is_part_of ?parent }")
    for row in found:
        reference = IRIS.provision_reference(str(row["p"]))
        assert reference is not None
        above = reference.rsplit("/", 1)[0]
        expected = IRIS.instrument(above.split("/")[0]) if above.endswith("/art") else IRIS.provision(above)
        assert row["parent"] == expected, reference


def test_canadian_units_are_part_of_the_unit_above(eli_store: EmbeddedStore) -> None:
    law = IRIS.legislation("CAN", "I-2.5")
    parent = {str(r["p"]): r["parent"] for r in rows(eli_store, "SELECT ?p ?parent WHERE { ?law sherloc:containsProvision ?p . "
                                                                  "?p eli:is_part_of ?parent }", law=law)}
    assert parent[str(IRIS.law_subdivision("CAN", "I-2.5", "117"))] == law
    assert parent[str(IRIS.law_subdivision("CAN", "I-2.5", "117", "1"))] == IRIS.law_subdivision("CAN", "I-2.5", "117")
    for unit, above in parent.items():
        assert unit.rsplit("/", 1)[0] in (str(above), str(above) + "/sec"), unit


def test_akoma_ntoso_nesting_is_kept(eli_store: EmbeddedStore) -> None:
    """A section is part of its chapter, the chapter of its part, the part of the act; a section
    under a crossheading (no unit) is part of the act; the act contains every unit."""
    law = IRIS.legislation("MEX", NESTED_ID)

    def unit(eid: str) -> URIRef:
        return IRIS.national_provision("MEX", NESTED_ID, eid)

    parent = {r["p"]: r["parent"] for r in rows(eli_store, "SELECT ?p ?parent WHERE { ?p eli:is_part_of ?parent . "
                                                             "?parent eli:is_part_of* ?law }", law=law)}
    assert parent == {unit("part_1"): law, unit("part_1__chp_1"): unit("part_1"), unit("sec_1"): unit("part_1__chp_1"),
                      unit("sec_1__subsec_1"): unit("sec_1"), unit("sec_1__subsec_2"): unit("sec_1"),
                      unit("sec_1__subsec_2__para_a"): unit("sec_1__subsec_2"), unit("sec_2"): unit("part_1__chp_1"),
                      unit("sec_3"): law}
    direct = {r["p"] for r in rows(eli_store, "SELECT ?p WHERE { ?law eli:has_part ?p }", law=law)}
    assert direct == {unit("part_1"), unit("sec_3")}
    contained = {r["p"] for r in rows(eli_store, "SELECT ?p WHERE { ?law sherloc:containsProvision ?p }", law=law)}
    assert contained == set(parent)
    # a chapter has its number and heading, not its sections' words again
    chapter = graph_of(eli_store, "legislation")
    assert chapter.value(unit("part_1__chp_1"), ELI.number) == Literal("Capítulo I")
    assert chapter.value(unit("part_1__chp_1"), SHERLOC.text) is None
    assert str(chapter.value(unit("sec_1"), SHERLOC.text)).startswith("(1) Comete el delito")


def test_an_akoma_ntoso_sections_parent_in_a_real_act(eli_store: EmbeddedStore, settings: Settings,
                                                      shared_dir: Path) -> None:
    """The UK act of the shared fixtures (sections in crossheadings, subsections, paragraphs)."""
    from sherloc_kg.loaders.akoma_ntoso_acts import read_akn

    record = read_akn(shared_dir / "fixtures/real/akn-oasis-examples/uk_pga-2014-27-enacted-data.xml", IRIS)
    graph = Graph()
    for triple in record.triples["legislation"]:
        graph.add(triple)
    law = record.iri
    uk = "id-ukpga-2014-27-enacted"
    assert graph.value(IRIS.national_provision("GBR", uk, "sec_1__subsec_2__para_a"), ELI.is_part_of) == \
        IRIS.national_provision("GBR", uk, "sec_1__subsec_2")
    assert graph.value(IRIS.national_provision("GBR", uk, "sec_1__subsec_2"), ELI.is_part_of) == \
        IRIS.national_provision("GBR", uk, "sec_1")
    assert graph.value(IRIS.national_provision("GBR", uk, "sec_1"), ELI.is_part_of) == law
    assert len(set(graph.objects(law, ELI.has_part))) == 8  # the sections; the rest below them
    assert len(set(graph.objects(law, SHERLOC.containsProvision))) == 88
    assert graph.value(law, ELI.in_force) == NOT_IN_FORCE  # repealed 2016-12-31 (its lifecycle)


# -- language versions ------------------------------------------------------------------------

def test_every_expression_realizes_one_work_in_an_eu_language(eli_store: EmbeddedStore) -> None:
    expressions = rows(eli_store, """SELECT ?e (COUNT(DISTINCT ?work) AS ?works) (COUNT(DISTINCT ?language) AS ?languages)
        (SAMPLE(?language) AS ?one) WHERE { ?e a eli:LegalExpression OPTIONAL { ?e eli:realizes ?work }
        OPTIONAL { ?e eli:language ?language } } GROUP BY ?e""")
    assert len(expressions) > 4000
    for row in expressions:
        assert int(row["works"]) == 1 and int(row["languages"]) == 1, row["e"]
        assert str(row["one"]).startswith(EU_LANGUAGE) and len(str(row["one"])) == len(EU_LANGUAGE) + 3
    one_way = rows(eli_store, """SELECT ?e WHERE { ?e a eli:LegalExpression ; eli:realizes ?work
        FILTER NOT EXISTS { ?work eli:is_realized_by ?e } } LIMIT 5""")
    assert one_way == []
    # the expression's IRI is its work's, with the language tag of its texts last
    misnamed = rows(eli_store, """SELECT ?e WHERE { ?e eli:realizes ?work
        FILTER(!STRSTARTS(STR(?e), CONCAT(STR(?work), "/"))) } LIMIT 5""")
    assert misnamed == []


def test_an_article_has_a_version_in_each_language_of_its_text(eli_store: EmbeddedStore) -> None:
    article = IRIS.provision("untoc/art/5")
    found = {r["language"]: r for r in rows(eli_store, """SELECT ?e ?language ?title WHERE {
        ?article eli:is_realized_by ?e . ?e eli:language ?language ; eli:title ?title }""", article=article)}
    assert set(found) == {URIRef(EU_LANGUAGE + code) for code in ("ENG", "NLD", "FRA", "SPA", "DEU", "ITA")}
    english = found[URIRef(EU_LANGUAGE + "ENG")]
    assert english["e"] == IRIS.expression(article, "en")
    assert str(english["title"]) == "Criminalization of participation in an organized criminal group"


def test_every_tagged_text_is_also_its_language_versions(eli_store: EmbeddedStore) -> None:
    """A work's words and title in a language are those of its expression in that language."""
    missing = rows(eli_store, """SELECT ?work ?text WHERE { ?work a eli:LegalResource ; sherloc:text ?text
        FILTER(lang(?text) != "") FILTER NOT EXISTS { ?work eli:is_realized_by ?e . ?e sherloc:text ?text } } LIMIT 5""")
    assert rows(eli_store, "SELECT ?e WHERE { ?e a eli:LegalExpression ; sherloc:text ?t } LIMIT 1")
    assert missing == []
    missing_titles = rows(eli_store, """SELECT ?work ?title WHERE { ?work a eli:LegalResource ; <http://purl.org/dc/terms/title> ?title
        FILTER(lang(?title) != "") FILTER NOT EXISTS { ?work eli:is_realized_by ?e . ?e eli:title ?title } } LIMIT 5""")
    assert missing_titles == []
    languages = rows(eli_store, """SELECT ?e WHERE { ?e a eli:LegalExpression ; ?p ?text
        FILTER(?p IN (sherloc:text, eli:title)) FILTER(!STRENDS(STR(?e), CONCAT("/", lang(?text)))) } LIMIT 5""")
    assert languages == []


def test_a_canadian_unit_has_its_english_and_french_versions(eli_store: EmbeddedStore) -> None:
    unit = IRIS.law_subdivision("CAN", "I-2.5", "117", "1")
    versions = {r["language"]: r["e"] for r in rows(eli_store, "SELECT ?e ?language WHERE { ?u eli:is_realized_by ?e . "
                                                              "?e eli:language ?language }", u=unit)}
    assert versions == {URIRef(EU_LANGUAGE + "ENG"): IRIS.expression(unit, "en"),
                        URIRef(EU_LANGUAGE + "FRA"): IRIS.expression(unit, "fr")}
    # linked from the record too, so that re-loading the Act replaces them
    law = IRIS.legislation("CAN", "I-2.5")
    assert eli_store.ask(f"ASK {{ <{law}> <{SHERLOC.containsExpression}> <{IRIS.expression(unit, 'fr')}> }}")


def test_replacing_a_law_replaces_its_language_versions(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    """The law links to its provisions' versions (sherloc:containsExpression), so a re-loaded law
    leaves neither an old text nor the version of a provision it dropped."""
    law = {"id": "BRA-eli-1", "country": "BRA", "title": {"pt": "Lei de teste"}, "language": "pt",
           "provisions": [{"number": "1", "heading": "Tráfico", "text": "Texto antigo.", "implements": ["tip/art/5"]},
                          {"number": "2", "text": "Outro.", "implements": ["tip/art/5"]}]}
    path = tmp_path / "laws.jsonl"
    path.write_text(json.dumps(law) + "\n", encoding="utf-8")
    ingest = Ingest(store, settings)
    ingest.load("legislation", [path])
    law["provisions"] = [{"number": "1", "heading": "Tráfico", "text": "Texto novo.", "implements": ["tip/art/5"]}]
    path.write_text(json.dumps(law) + "\n", encoding="utf-8")
    ingest.load("legislation", [path])
    first = IRIS.national_provision("BRA", "BRA-eli-1", "1")
    texts = rows(store, "SELECT ?t WHERE { ?e sherloc:text ?t }", e=IRIS.expression(first, "pt"))
    assert [str(r["t"]) for r in texts] == ["Texto novo."]
    gone = IRIS.expression(IRIS.national_provision("BRA", "BRA-eli-1", "2"), "pt")
    assert rows(store, "SELECT ?p ?o WHERE { ?e ?p ?o }", e=gone) == []


# -- work-level facts, implementation -----------------------------------------------------------

def test_in_force_passed_by_and_date_document_only_on_works(eli_store: EmbeddedStore) -> None:
    wrong = rows(eli_store, """SELECT ?s ?p WHERE { VALUES ?p { eli:in_force eli:passed_by eli:date_document }
        GRAPH ?g { ?s ?p ?o } FILTER(NOT EXISTS { ?s a eli:LegalResource } || EXISTS { ?s a eli:LegalResourceSubdivision }
        || EXISTS { ?s a eli:LegalExpression }) } LIMIT 5""")
    assert wrong == []
    assert rows(eli_store, "SELECT ?s WHERE { GRAPH ?g { ?s <https://w3id.org/sherloc/ontology#inForce> ?o } } LIMIT 1") == []
    statuses = {r["o"] for r in rows(eli_store, "SELECT DISTINCT ?o WHERE { ?s eli:in_force ?o }")}
    assert statuses and statuses <= {IN_FORCE, NOT_IN_FORCE}
    # the examples' law is in force; a consolidated Canadian Act too
    assert eli_store.ask(f"ASK {{ <{IRIS.legislation('XAA', 'XAA-penal-code')}> <{ELI.in_force}> <{IN_FORCE}> }}")
    assert eli_store.ask(f"ASK {{ <{IRIS.legislation('CAN', 'I-2.5')}> <{ELI.in_force}> <{IN_FORCE}> }}")


def test_implementation_is_ensures_implementation_of_and_applies_is_nowhere(eli_store: EmbeddedStore) -> None:
    graphs = {str(r["g"]).rsplit("/", 1)[1] for r in rows(
        eli_store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s eli:ensures_implementation_of ?o } }")}
    assert {"legislation", "editorial", "inferred"} <= graphs
    assert rows(eli_store, "SELECT ?g ?s WHERE { GRAPH ?g { ?s eli:applies ?o } } LIMIT 5") == []
    assert rows(eli_store, "SELECT ?st WHERE { ?st sherloc:claimProperty eli:applies } LIMIT 5") == []
    art150 = IRIS.national_provision("XAA", "XAA-penal-code", "150")
    assert eli_store.ask(f"ASK {{ <{art150}> <{ELI.ensures_implementation_of}> <{IRIS.provision('untoc/art/5/1/a')}> }}")


def test_every_eli_term_in_the_data_is_one_the_ontology_declares(eli_store: EmbeddedStore) -> None:
    """No misspelt ELI term: the ontology (ontology/sherloc.ttl, from the ELI ontology 1.5) declares
    each class, property and in-force value the data uses."""
    ontology = Graph().parse(REPO / "ontology" / "sherloc.ttl", format="turtle")
    declared = {str(s) for s in ontology.subjects() if str(s).startswith(str(ELI))}
    used = {str(r["t"]) for r in rows(eli_store, """SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t }
        UNION { ?s eli:in_force ?t } FILTER(STRSTARTS(STR(?t), STR(eli:))) }""")}
    assert used and used <= declared, sorted(used - declared)


def test_the_jsonld_context_names_the_eli_terms() -> None:
    from sherloc_kg.api.jsonld_context import context_definition

    context = context_definition()
    assert context["ensuresImplementationOf"] == {"@id": "eli:ensures_implementation_of", "@type": "@id"}
    assert context["isRealizedBy"] == {"@id": "eli:is_realized_by", "@type": "@id"}
    assert context["inForce"] == {"@id": "eli:in_force", "@type": "@id"}
    assert "applies" not in context
