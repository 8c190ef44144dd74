"""Countries and the international and regional bodies that SHERLOC treats as jurisdictions.

Countries come from pycountry (ISO 3166-1: alpha-3, alpha-2, the UN M49 numeric code, which
ISO 3166-1 numeric shares for countries), with names in the six UN languages from the Debian
iso-codes translations that pycountry ships. The bodies come from ``data/international-bodies.csv``.
"""

from __future__ import annotations

import csv
import gettext
from pathlib import Path

import pycountry
from rdflib import Graph, Literal

from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import RDF, RDFS, SHERLOC, SKOS

#: The UN's official languages other than English, as pycountry's locale folders name them.
UN_LANGUAGES = {"ar": "ar", "zh": "zh_CN", "fr": "fr", "ru": "ru", "es": "es"}


def _translations() -> dict[str, gettext.NullTranslations]:
    found = {}
    for tag, locale in UN_LANGUAGES.items():
        try:
            found[tag] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        except FileNotFoundError:
            continue  # a pycountry build without that catalogue: English names still load
    return found


def countries_graph(iris: Iris, bodies_csv: Path) -> Graph:
    graph = Graph()
    translations = _translations()
    for country in pycountry.countries:
        node = iris.country(country.alpha_3)
        graph.add((node, RDF.type, SHERLOC.Country))
        graph.add((node, SHERLOC.iso3166Alpha3, Literal(country.alpha_3)))
        graph.add((node, SHERLOC.iso3166Alpha2, Literal(country.alpha_2)))
        graph.add((node, SHERLOC.m49, Literal(country.numeric)))
        graph.add((node, SKOS.notation, Literal(country.alpha_3)))
        graph.add((node, SKOS.prefLabel, Literal(country.name, lang="en")))
        official = getattr(country, "official_name", None)
        if official and official != country.name:
            graph.add((node, SKOS.altLabel, Literal(official, lang="en")))
        for tag, catalogue in translations.items():
            name = catalogue.gettext(country.name)
            # gettext answers the English name when a catalogue lacks it: keep that answer only
            # where the language writes names in Latin script and may share the English spelling.
            if name != country.name or tag in ("fr", "es"):
                graph.add((node, SKOS.prefLabel, Literal(name, lang=tag)))
    with bodies_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            node = iris.jurisdiction(row["code"])
            graph.add((node, RDF.type, SHERLOC.InternationalJurisdiction))
            graph.add((node, SKOS.notation, Literal(row["code"])))
            graph.add((node, SKOS.prefLabel, Literal(row["name"], lang="en")))
            if row.get("note"):
                graph.add((node, RDFS.comment, Literal(row["note"], lang="en")))
    return graph
