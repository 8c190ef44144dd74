"""National and regional strategies and action plans against organized crime: JSON Lines or CSV
in the strategies format of ``shared/formats/README.md``, mapped as docs/model.md "strategies" says.

A strategy covers one State (``country``, ISO3) or one region (``region``, UN M49 code), never
both. Strategies are how States carry out the prevention duties of UNTOC art. 31 and TIP
Protocol art. 9.

A region is written as the M49 area's concept, ``{base}vocab/m49/{code}``: the IRI the countries
graph gives the area (loaders/countries.py, ``sherloc:inRegion``), so a query joins a regional
strategy to the States of its region. The input keeps the three-digit code (a JSON number ``2`` or a
CSV cell that lost its zeros means ``002``); a code that is no area of :data:`M49_AREAS` is an error
naming the file, the record and the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, FOAF, RDF, SHERLOC

from .countries import M49_AREAS
from .records import Fields, RawRecord, Record, map_records
from .registry import FLAT, Loader

FIELDS = frozenset({"id", "title", "country", "region", "issuing_body", "date_adopted", "period_start",
                    "period_end", "crime_types", "cross_cutting_issues", "provisions", "url", "summary"})
MULTI_VALUED = frozenset({"crime_types", "cross_cutting_issues", "provisions"})


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    yield from map_records(path, source_format, MULTI_VALUED, map_strategy, iris)


LOADER = Loader(kind="strategies", graphs=("strategies",), record_class=SHERLOC.Strategy,
                formats=FLAT, read=read)


def map_strategy(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    strategy_id = f.text("id", required=True)
    strategy = iris.strategy(strategy_id)
    record = Record(strategy, raw.location)

    def add(p: URIRef, o: Any) -> None:
        record.add("strategies", (strategy, p, o))

    add(RDF.type, SHERLOC.Strategy)
    add(DCTERMS.identifier, Literal(strategy_id))
    for title in f.title("title"):
        add(DCTERMS.title, title)

    country, region = f.text("country"), f.text("region")
    if country and region:
        raise f.error("region", "give either 'country' (a State, ISO3) or 'region' (a UN M49 area code), not both")
    if country:
        add(SHERLOC.country, iris.country(country))
    if region:
        add(SHERLOC.region, region_area(f, region, iris))
    # neither given: the shape says what to add (country or region), with the record named.

    body = f.text("issuing_body")
    if body:
        add(SHERLOC.issuingBody, Literal(body))
    for name, predicate in (("date_adopted", DCTERMS.issued), ("period_start", SHERLOC.periodStart),
                            ("period_end", SHERLOC.periodEnd)):
        when = f.date(name)  # full date or bare year (xsd:gYear); date_adopted must be a full date
        if when is not None:
            add(predicate, when)
    for notation in f.texts("crime_types"):
        add(SHERLOC.crimeType, iris.concept("crime-type", notation))
    for notation in f.texts("cross_cutting_issues"):
        add(SHERLOC.crossCuttingIssue, iris.concept("cross-cutting-issue", notation))
    for reference in f.texts("provisions"):
        try:
            add(SHERLOC.addressesProvision, iris.provision(reference))
        except UsageError as error:
            raise f.error("provisions", str(error)) from error
    url = f.url("url")
    if url is not None:
        add(FOAF.page, url)
    for text in f.language_map("summary"):  # rdf:langString: a plain string is taken as English
        add(DCTERMS.abstract, text)
    return record


def region_area(f: Fields, region: str, iris: Iris) -> URIRef:
    """The concept of the UN M49 area ``region`` names (three digits; ``2`` is ``002``)."""
    code = region.zfill(3) if region.isdigit() else region
    if code not in M49_AREAS:
        known = ", ".join(f"{c} {name}" for c, (name, parent) in M49_AREAS.items() if parent is None)
        raise f.error("region", f"{region!r} is not a UN M49 region, sub-region or intermediate region: give its "
                                f"three-digit code, e.g. {known}")
    return iris.m49_area(code)
