import re

from rdflib import Literal, URIRef

from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.loaders.countries import M49_AREAS, countries_graph
from sherloc_kg.namespaces import OWL, RDF, SHERLOC, SKOS


def test_every_iso_country_with_codes_and_un_language_names(settings: Settings) -> None:
    iris = Iris()
    graph = countries_graph(iris, settings.data_dir / "international-bodies.csv")
    countries = set(graph.subjects(RDF.type, SHERLOC.Country))
    assert len(countries) == 249
    mexico = iris.country("MEX")
    assert graph.value(mexico, SHERLOC.m49) == Literal("484")
    assert graph.value(mexico, SHERLOC.iso3166Alpha2) == Literal("MX")
    labels = {label.language: str(label) for label in graph.objects(mexico, SKOS.prefLabel)}
    assert labels["en"] == "Mexico" and labels["es"] == "México" and labels["fr"] == "Mexique"
    assert {"ar", "zh", "ru"} <= set(labels)
    assert all(len(list(graph.objects(c, SHERLOC.iso3166Alpha3))) == 1 for c in countries)


def test_international_bodies_used_as_jurisdictions(settings: Settings) -> None:
    iris = Iris()
    graph = countries_graph(iris, settings.data_dir / "international-bodies.csv")
    bodies = set(graph.subjects(RDF.type, SHERLOC.InternationalJurisdiction))
    assert iris.jurisdiction("IRB") in bodies and iris.jurisdiction("ECHR") in bodies
    assert not bodies & set(graph.subjects(RDF.type, SHERLOC.Country))


def test_every_real_state_has_its_un_m49_region_and_sub_region(settings: Settings, tmp_path) -> None:
    """From country_converter at install time: the region, the sub-region and, where M49 has one, the
    intermediate region, each the concept of its three-digit M49 code (the one a regional strategy's
    sherloc:region names)."""
    iris = Iris()
    fictional = tmp_path / "fictional-states.csv"
    fictional.write_text("code,name,note\nXAA,Aurelia (fictional State),\n", encoding="utf-8")
    graph = countries_graph(iris, settings.data_dir / "international-bodies.csv", fictional)

    def areas(code: str) -> set[str]:
        return {str(graph.value(v, SKOS.notation)) for v in graph.objects(iris.country(code), SHERLOC.inRegion)}

    assert areas("FRA") == {"150", "155"}  # Europe, Western Europe
    assert areas("RUS") == {"150", "151"}  # Europe, Eastern Europe
    assert areas("MEX") == {"019", "419", "013"}  # Americas, Latin America and the Caribbean, Central America
    assert areas("NGA") == {"002", "202", "011"}  # Africa, Sub-Saharan Africa, Western Africa
    assert areas("JPN") == {"142", "030"}  # Asia, Eastern Asia
    assert areas("ATA") == set()  # Antarctica: in no M49 area
    assert areas("XAA") == set()  # a fictional State: none
    # each area is an IRI of our M49 scheme, its code a plain string notation
    assert set(graph.objects(iris.country("FRA"), SHERLOC.inRegion)) == {iris.concept("m49", "150"), iris.concept("m49", "155")}
    assert graph.value(iris.concept("m49", "155"), SKOS.notation).datatype is None
    countries = set(graph.subjects(RDF.type, SHERLOC.Country))
    without = {str(c).rsplit("/", 1)[-1] for c in countries if not areas(str(c).rsplit("/", 1)[-1])}
    assert without == {"ATA", "XAA"}


def test_the_region_of_a_country_is_in_the_store_after_init(settings: Settings) -> None:
    from sherloc_kg.reference import install_reference
    from sherloc_kg.store import open_store

    store = open_store(settings)  # in memory, as the tests' settings have it
    install_reference(store, settings)
    rows = store.select("SELECT ?area WHERE { <%s> <%s>/<%s> ?area }"
                        % (Iris().country("FRA"), SHERLOC.inRegion, SKOS.notation)).rows
    assert sorted(str(r["area"]) for r in rows) == ["150", "155"]


def test_every_region_is_a_concept_of_the_m49_scheme_with_its_code_as_notation(settings: Settings) -> None:
    """Regions are IRIs (issue 19, item 7): ``{base}vocab/m49/{code}``, a skos:Concept of the scheme
    ``vocab/m49`` (M49 publishes no IRI per area), its code as skos:notation, its English name, the
    area above as skos:broader; every sherloc:inRegion value is one of them."""
    iris = Iris()
    graph = countries_graph(iris, settings.data_dir / "international-bodies.csv")
    scheme = iris.scheme("m49")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    used = set(graph.objects(None, SHERLOC.inRegion))
    assert used and all(isinstance(area, URIRef) for area in used)
    areas = set(graph.subjects(SKOS.inScheme, scheme))
    assert used <= areas
    for area in areas:
        notation = graph.value(area, SKOS.notation)
        assert (area, RDF.type, SKOS.Concept) in graph
        assert area == iris.concept("m49", str(notation)) and re.fullmatch("[0-9]{3}", str(notation))
        assert str(notation) in M49_AREAS and graph.value(area, SKOS.prefLabel) == Literal(M49_AREAS[str(notation)][0], lang="en")
        parent = M49_AREAS[str(notation)][1]
        assert graph.value(area, SKOS.broader) == (iris.concept("m49", parent) if parent else None)
    assert set(graph.objects(scheme, SKOS.hasTopConcept)) == {iris.concept("m49", c) for c in ("002", "019", "142", "150", "009")}
    assert graph.value(iris.concept("m49", "155"), SKOS.broader) == iris.concept("m49", "150")


def test_every_country_with_an_iso_code_matches_the_eu_country_authority(settings: Settings, tmp_path) -> None:
    """Links out (issue 19, item 7): every country with an ISO 3166-1 alpha-3 code is
    skos:exactMatch its entry in the EU country authority table, whose code is that alpha-3 code; a
    fictional State (a user-assigned code) and the bodies have none."""
    iris = Iris()
    fictional = tmp_path / "fictional-states.csv"
    fictional.write_text("code,name,note\nXAA,Aurelia (fictional State),\n", encoding="utf-8")
    graph = countries_graph(iris, settings.data_dir / "international-bodies.csv", fictional)
    table = "http://publications.europa.eu/resource/authority/country/"
    for country in graph.subjects(RDF.type, SHERLOC.Country):
        code = str(graph.value(country, SHERLOC.iso3166Alpha3))
        matches = set(graph.objects(country, SKOS.exactMatch))
        assert matches == (set() if code == "XAA" else {URIRef(table + code)}), code
        assert (country, OWL.sameAs, None) not in graph
    assert graph.value(iris.country("MEX"), SKOS.exactMatch) == URIRef(table + "MEX")
    assert len(set(graph.subject_objects(SKOS.exactMatch))) == 249
    assert not set(graph.objects(iris.jurisdiction("EU"), SKOS.exactMatch))
