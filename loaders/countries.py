"""Countries and the international and regional bodies that SHERLOC treats as jurisdictions.

Countries come from pycountry (ISO 3166-1: alpha-3, alpha-2, the UN M49 numeric code, which
ISO 3166-1 numeric shares for countries).

Names. A UN Member State is named as the UN writes it, in the six UN languages, from
``data/un-member-state-names-6-languages.csv`` (a byte-for-byte copy of the countrycode project's
``dictionary/data_un_names.csv``; see data/PROVENANCE-un-names.md): ``skos:prefLabel`` @en, @fr, @es,
@ru, @zh, @ar ("Bolivia (Plurinational State of)", "Türkiye"). Each of its 193 rows is matched to an
ISO 3166-1 code by an exact name (its ``country`` column, else its English name), through the same
resolver as the UN Treaty Collection's participant names (``data/un-participant-names.csv``, then
pycountry's names): no fuzzy guessing; a row that does not resolve, or two rows resolving to one
code, is an error naming the row. The non-member participants in the Convention (Holy See, State of
Palestine, Cook Islands, Niue) take the English name the UN Treaty Collection gives them, from
``data/un-non-member-participants.csv`` (named by hand). pycountry's ISO names (and its
translations, from the Debian iso-codes catalogues) that differ become ``skos:altLabel``, so that a
State has exactly one ``skos:prefLabel`` per language. Other countries and territories keep
pycountry's names as their ``skos:prefLabel``. The bodies come from ``data/international-bodies.csv``.
Regional economic integration organizations (UNTOC art. 2 (j); the European Union), which may be
parties to the Convention but are not States, come from ``data/regional-organizations.csv`` beside
it (``code,name,un_names,note``): ``id/jurisdiction/{code}`` ``a
sherloc:RegionalEconomicIntegrationOrganization``, never ``sherloc:Country`` and never under
``id/country/``.

Each real country gets the UN M49 areas that contain it (``sherloc:inRegion``, one value per level:
region, sub-region, and intermediate region where M49 has one; e.g. France Europe ``150`` and
Western Europe ``155``; Mexico Americas ``019``, Latin America and the Caribbean ``419``, Central
America ``013``). Each area is a resource, ``{base}vocab/m49/{code}`` (``a skos:Concept`` in the
scheme ``{base}vocab/m49``, ``skos:notation`` its three-digit code, ``skos:prefLabel`` its English
name, ``skos:broader`` the area above it): M49's custodian publishes no IRI per area, so they are
ours (sherloc_kg/links_out.py). Which area a country belongs to comes from the ``country_converter``
package (its ``UNregion`` classification, by ISO 3166-1 alpha-3 code); :data:`M49_AREAS` holds only
the M49 hierarchy of areas (code, name, parent), which turns that name into its code and the codes of
the areas above it. A country in no M49 area (Antarctica) gets none.

Links out (docs/model.md "Links out"): every country with a real ISO 3166-1 code ``skos:exactMatch``
its entry in the EU country authority table, whose code is the alpha-3 code (a rule, not a
source's statement); a fictional State has none.

Fictional States (``data/fictional-states.csv``: XAA, XAB, XAC, ISO 3166-1 user-assigned codes that
no real State will ever have) exist only for the illustrative examples in ``data/examples/``. They
are added to the countries graph only when ``fictional_csv`` is given, which ``sherloc-kg init
--with-examples`` does and nothing else: a store of real data never shows them.
"""

from __future__ import annotations

import csv
import gettext
from pathlib import Path

import pycountry
from rdflib import Graph, Literal

from sherloc_kg.iris import M49_SCHEME, Iris
from sherloc_kg.links_out import M49_PAGE, USER_ASSIGNED, eu_country
from sherloc_kg.namespaces import DCTERMS, RDF, RDFS, SHERLOC, SKOS

#: The UN's official languages other than English, as pycountry's locale folders name them.
UN_LANGUAGES = {"ar": "ar", "zh": "zh_CN", "fr": "fr", "ru": "ru", "es": "es"}


def _translations() -> dict[str, gettext.NullTranslations]:
    found: dict[str, gettext.NullTranslations] = {}
    for tag, locale in UN_LANGUAGES.items():
        try:
            found[tag] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        except FileNotFoundError:
            continue  # a pycountry build without that catalogue: English names still load
    return found


#: The geographical areas of UN M49 (the regions, sub-regions and intermediate regions of the
#: Standard Country or Area Codes for Statistical Use): code → (English name, code of the area it is
#: part of). Only the hierarchy of areas; which countries they hold comes from country_converter.
M49_AREAS: dict[str, tuple[str, str | None]] = {
    "002": ("Africa", None),
    "015": ("Northern Africa", "002"),
    "202": ("Sub-Saharan Africa", "002"),
    "014": ("Eastern Africa", "202"),
    "017": ("Middle Africa", "202"),
    "018": ("Southern Africa", "202"),
    "011": ("Western Africa", "202"),
    "019": ("Americas", None),
    "419": ("Latin America and the Caribbean", "019"),
    "029": ("Caribbean", "419"),
    "013": ("Central America", "419"),
    "005": ("South America", "419"),
    "021": ("Northern America", "019"),
    "142": ("Asia", None),
    "143": ("Central Asia", "142"),
    "030": ("Eastern Asia", "142"),
    "035": ("South-eastern Asia", "142"),
    "034": ("Southern Asia", "142"),
    "145": ("Western Asia", "142"),
    "150": ("Europe", None),
    "151": ("Eastern Europe", "150"),
    "154": ("Northern Europe", "150"),
    "039": ("Southern Europe", "150"),
    "155": ("Western Europe", "150"),
    "009": ("Oceania", None),
    "053": ("Australia and New Zealand", "009"),
    "054": ("Melanesia", "009"),
    "057": ("Micronesia", "009"),
    "061": ("Polynesia", "009"),
}


def m49_areas(alpha_3_codes: list[str]) -> dict[str, list[str]]:
    """ISO 3166-1 alpha-3 code → the M49 codes of the areas that contain the country, the region
    first (``FRA`` → ``["150", "155"]``); none for a code country_converter places in no M49 area."""
    import country_converter  # imports pandas: only when countries are installed

    by_name = {name: code for code, (name, _) in M49_AREAS.items()}
    names = country_converter.CountryConverter().convert(names=list(alpha_3_codes), src="ISO3", to="UNregion",
                                                         not_found=None)
    if isinstance(names, str):
        names = [names]
    found = {}
    for alpha_3, name in zip(alpha_3_codes, names):
        chain: list[str] = []
        code = by_name.get(name) if isinstance(name, str) else None
        while code is not None:
            chain.insert(0, code)
            code = M49_AREAS[code][1]
        found[alpha_3] = chain
    return found


#: How a fictional State is marked: a skos:scopeNote in every graph that shows its label.
FICTIONAL_NOTE = "Fictional State, used only by the illustrative examples (data/examples/); it does not exist."


#: The UN's names of its Member States in its six languages, and the non-member participants'
#: English names, beside international-bodies.csv in data/.
UN_NAMES_CSV = "un-member-state-names-6-languages.csv"
NON_MEMBERS_CSV = "un-non-member-participants.csv"
#: The columns of UN_NAMES_CSV: language tag → column.
UN_NAME_COLUMNS = {tag: f"un.name.{tag}" for tag in ("en", "fr", "es", "ru", "zh", "ar")}


def un_member_names(path: Path) -> dict[str, dict[str, str]]:
    """ISO3 → {language tag: the UN's name}, for each of the 193 Member States of ``path``. Every
    row must resolve by an exact name; ValueError naming the file, line and name otherwise."""
    from .participation import resolve_country

    found: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (*UN_NAME_COLUMNS.values(), "country") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: the header lacks the column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            names = {tag: (row[column] or "").strip() for tag, column in UN_NAME_COLUMNS.items()}
            matching = (row["country"] or "").strip()
            iso3 = resolve_country(matching) or resolve_country(names["en"])
            if iso3 is None:
                raise ValueError(f"{path}, line {line}: the Member State {matching or names['en']!r} does not resolve to "
                                 "an ISO 3166-1 code by an exact name; add the name to data/un-participant-names.csv")
            if iso3 in found:
                raise ValueError(f"{path}, line {line}: {matching!r} resolves to {iso3}, as line {lines[iso3]} does")
            empty = [tag for tag, name in names.items() if not name]
            if empty:
                raise ValueError(f"{path}, line {line}: {matching!r} has no name in {', '.join(empty)}")
            found[iso3], lines[iso3] = names, line
    return found


def non_member_names(path: Path) -> dict[str, str]:
    """ISO3 → the English name the UN Treaty Collection gives a non-member participant."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    found = {}
    for row in rows:
        iso3 = (row.get("iso3") or "").strip()
        if pycountry.countries.get(alpha_3=iso3) is None or not (row.get("un_name") or "").strip():
            raise ValueError(f"{path}: {iso3!r} is not an ISO 3166-1 alpha-3 code with a name")
        found[iso3] = row["un_name"].strip()
    return found


def countries_graph(iris: Iris, bodies_csv: Path, fictional_csv: Path | None = None) -> Graph:
    """Countries and bodies; with ``fictional_csv``, also the fictional States of the examples."""
    graph = Graph()
    translations = _translations()
    areas = m49_areas([country.alpha_3 for country in pycountry.countries])
    un_names = un_member_names(bodies_csv.parent / UN_NAMES_CSV)
    for iso3, english in non_member_names(bodies_csv.parent / NON_MEMBERS_CSV).items():
        if iso3 in un_names:
            raise ValueError(f"{bodies_csv.parent / NON_MEMBERS_CSV}: {iso3} is a Member State, named in {UN_NAMES_CSV}")
        un_names[iso3] = {"en": english}
    for country in pycountry.countries:
        node = iris.country(country.alpha_3)
        graph.add((node, RDF.type, SHERLOC.Country))
        graph.add((node, SHERLOC.iso3166Alpha3, Literal(country.alpha_3)))
        graph.add((node, SHERLOC.iso3166Alpha2, Literal(country.alpha_2)))
        graph.add((node, SHERLOC.m49, Literal(country.numeric)))
        for area in areas[country.alpha_3]:
            graph.add((node, SHERLOC.inRegion, iris.m49_area(area)))
        graph.add((node, SKOS.notation, Literal(country.alpha_3)))
        authority = eu_country(country.alpha_3)
        if authority is not None:
            graph.add((node, SKOS.exactMatch, authority))
        # the UN's names first (one prefLabel per language); pycountry's become altLabels where they differ
        preferred = dict(un_names.get(country.alpha_3, {}))
        iso_names: list[tuple[str, str]] = [("en", country.name)]
        official = getattr(country, "official_name", None)
        if official:
            iso_names.append(("en", official))
        for tag, catalogue in translations.items():
            name = catalogue.gettext(country.name)
            # gettext answers the English name when a catalogue lacks it: keep that answer only
            # where the language writes names in Latin script and may share the English spelling.
            if name != country.name or tag in ("fr", "es"):
                iso_names.append((tag, name))
        for tag, name in iso_names:
            preferred.setdefault(tag, name)
        for tag, name in preferred.items():
            graph.add((node, SKOS.prefLabel, Literal(name, lang=tag)))
        for tag, name in iso_names:
            if name != preferred[tag]:
                graph.add((node, SKOS.altLabel, Literal(name, lang=tag)))
    with bodies_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            node = iris.jurisdiction(row["code"])
            graph.add((node, RDF.type, SHERLOC.InternationalJurisdiction))
            graph.add((node, SKOS.notation, Literal(row["code"])))
            graph.add((node, SKOS.prefLabel, Literal(row["name"], lang="en")))
            if row.get("note"):
                graph.add((node, RDFS.comment, Literal(row["note"], lang="en")))
    for row in regional_organizations(bodies_csv.parent / ORGANIZATIONS_CSV):
        node = iris.jurisdiction(row["code"])
        graph.add((node, RDF.type, SHERLOC.RegionalEconomicIntegrationOrganization))
        graph.add((node, SKOS.notation, Literal(row["code"])))
        graph.add((node, SKOS.prefLabel, Literal(row["name"], lang="en")))
        for name in row["un_names"]:
            if name != row["name"]:
                graph.add((node, SKOS.altLabel, Literal(name, lang="en")))
        if row.get("note"):
            graph.add((node, RDFS.comment, Literal(row["note"], lang="en")))
    add_m49_areas(graph, iris, {area for chain in areas.values() for area in chain})
    if fictional_csv is not None:
        add_fictional_states(graph, iris, fictional_csv)
    return graph


def add_m49_areas(graph: Graph, iris: Iris, codes: set[str]) -> Graph:
    """The M49 areas ``codes`` (and the areas above them) as SKOS concepts of the scheme
    ``vocab/m49``: notation, English name, the area above (``skos:broader``) or, for a region, the
    scheme's top. Their hierarchy and names are :data:`M49_AREAS`."""
    scheme = iris.scheme(M49_SCHEME)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal("UN M49 geographic regions", lang="en")))
    graph.add((scheme, SKOS.definition, Literal(
        "The regions, sub-regions and intermediate regions of the Standard Country or Area Codes for Statistical "
        "Use (M49) of the United Nations Statistics Division, as far as they contain a country. M49 publishes no "
        "IRI per area: these are SHERLOC-KG's, each named by its three-digit M49 code.", lang="en")))
    graph.add((scheme, DCTERMS.source, M49_PAGE))
    wanted = set(codes)
    for code in codes:
        parent = M49_AREAS[code][1]
        while parent is not None:
            wanted.add(parent)
            parent = M49_AREAS[parent][1]
    for code in sorted(wanted):
        name, parent = M49_AREAS[code]
        area = iris.m49_area(code)
        graph.add((area, RDF.type, SKOS.Concept))
        graph.add((area, SKOS.inScheme, scheme))
        graph.add((area, SKOS.notation, Literal(code)))
        graph.add((area, SKOS.prefLabel, Literal(name, lang="en")))
        if parent is None:
            graph.add((area, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, area))
        else:
            graph.add((area, SKOS.broader, iris.m49_area(parent)))
    return graph


#: Regional economic integration organizations, beside international-bodies.csv in data/.
ORGANIZATIONS_CSV = "regional-organizations.csv"


def regional_organizations(path: Path) -> list[dict]:
    """The rows of ``path`` (code,name,un_names,note), ``un_names`` split on ``;``; none if absent."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [dict(row) for row in csv.DictReader(handle)]
    for row in rows:
        row["code"] = row["code"].strip()
        row["name"] = row["name"].strip()
        row["un_names"] = [n.strip() for n in (row.get("un_names") or "").split(";") if n.strip()]
        if pycountry.countries.get(alpha_3=row["code"]) or pycountry.countries.get(alpha_2=row["code"]):
            raise ValueError(f"{path}: {row['code']!r} is a country code; an organization must not pass for a country")
    return rows


def fictional_states(fictional_csv: Path) -> list[dict[str, str]]:
    """The rows of ``fictional_csv`` (code,name,note), each code checked to be user-assigned."""
    with fictional_csv.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle)]
    for row in rows:
        code = (row.get("code") or "").strip()
        if not USER_ASSIGNED.match(code) or pycountry.countries.get(alpha_3=code) is not None:
            raise ValueError(f"{fictional_csv}: {code!r} is not an ISO 3166-1 user-assigned alpha-3 code "
                             "(AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ); a fictional State must never take a real code")
    return rows


def add_fictional_states(graph: Graph, iris: Iris, fictional_csv: Path) -> Graph:
    """Add each fictional State as a ``sherloc:Country`` whose label and notes say it is fictional."""
    for row in fictional_states(fictional_csv):
        code = row["code"].strip()
        node = iris.country(code)
        graph.add((node, RDF.type, SHERLOC.Country))
        graph.add((node, SHERLOC.iso3166Alpha3, Literal(code)))
        graph.add((node, SKOS.notation, Literal(code)))
        graph.add((node, SKOS.prefLabel, Literal(row["name"].strip(), lang="en")))
        graph.add((node, SKOS.scopeNote, Literal(FICTIONAL_NOTE, lang="en")))
        if row.get("note"):
            graph.add((node, RDFS.comment, Literal(row["note"].strip(), lang="en")))
    return graph
