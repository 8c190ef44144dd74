"""National and regional strategies and action plans against organized crime: JSON Lines or CSV
in the strategies format of ``shared/formats/README.md``, mapped as docs/model.md "strategies" says.

A strategy covers one State (``country``, ISO3) or one region (``region``, UN M49 code), never
both. Strategies are how States carry out the prevention duties of UNTOC art. 31 and TIP
Protocol art. 9.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, ELI, FOAF, RDF, SHERLOC

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
        # M49 codes are three digits: a JSON number 2 or a CSV cell that lost its zeros means "002".
        add(SHERLOC.region, Literal(region.zfill(3) if region.isdigit() else region))
    # neither given: the shape says what to add (country or region), with the record named.

    body = f.text("issuing_body")
    if body:
        add(SHERLOC.issuingBody, Literal(body))
    for name, predicate in (("date_adopted", ELI.date_document), ("period_start", SHERLOC.periodStart),
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
