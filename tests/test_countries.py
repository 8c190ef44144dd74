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
