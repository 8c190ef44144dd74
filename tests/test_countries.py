from rdflib import Literal

from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.loaders.countries import countries_graph
from sherloc_kg.namespaces import RDF, SHERLOC, SKOS


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
    intermediate region, each as its three-digit M49 code (as a strategy's sherloc:region holds it)."""
    iris = Iris()
    fictional = tmp_path / "fictional-states.csv"
    fictional.write_text("code,name,note\nXAA,Aurelia (fictional State),\n", encoding="utf-8")
    graph = countries_graph(iris, settings.data_dir / "international-bodies.csv", fictional)

    def areas(code: str) -> set[str]:
        return {str(v) for v in graph.objects(iris.country(code), SHERLOC.inRegion)}

    assert areas("FRA") == {"150", "155"}  # Europe, Western Europe
    assert areas("RUS") == {"150", "151"}  # Europe, Eastern Europe
    assert areas("MEX") == {"019", "419", "013"}  # Americas, Latin America and the Caribbean, Central America
    assert areas("NGA") == {"002", "202", "011"}  # Africa, Sub-Saharan Africa, Western Africa
    assert areas("JPN") == {"142", "030"}  # Asia, Eastern Asia
    assert areas("ATA") == set()  # Antarctica: in no M49 area
    assert areas("XAA") == set()  # a fictional State: none
    assert graph.value(iris.country("FRA"), SHERLOC.inRegion, any=True).datatype is None  # a plain string
    countries = set(graph.subjects(RDF.type, SHERLOC.Country))
    without = {str(c).rsplit("/", 1)[-1] for c in countries if not areas(str(c).rsplit("/", 1)[-1])}
    assert without == {"ATA", "XAA"}


def test_the_region_of_a_country_is_in_the_store_after_init(settings: Settings) -> None:
    from sherloc_kg.reference import install_reference
    from sherloc_kg.store import open_store

    store = open_store(settings)  # in memory, as the tests' settings have it
    install_reference(store, settings)
    rows = store.select("SELECT ?area WHERE { <%s> <%s> ?area }" % (Iris().country("FRA"), SHERLOC.inRegion)).rows
    assert sorted(str(r["area"]) for r in rows) == ["150", "155"]
