"""Case law (SHERLOC's case law database): JSON Lines or CSV in the cases format of
``shared/formats/README.md``, mapped as docs/model.md "cases" says."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, RDF, SHERLOC, SKOS

from . import judgments
from .records import detect_format as detect_format_by_name
from .records import Fields, RawRecord, Record, map_records
from .registry import FLAT, Loader

FIELDS = frozenset({
    "id", "title", "country", "jurisdiction", "year", "decision_date", "court", "court_level",
    "crime_types", "cross_cutting_issues", "keywords", "provisions", "legislation",
    "involved_countries", "appeal_of", "defendants", "tip_elements", "summary", "commentary",
    "source_url",
    # CSV spelling of the nested TIP elements
    "tip_elements.acts", "tip_elements.means", "tip_elements.purposes",
})
MULTI_VALUED = frozenset({
    "crime_types", "cross_cutting_issues", "keywords", "provisions", "legislation",
    "involved_countries", "tip_elements.acts", "tip_elements.means", "tip_elements.purposes",
})
DEFENDANT_FIELDS = frozenset({"type", "sex", "nationality", "outcome", "sentence"})
TIP_ELEMENTS = {"acts": ("tip-act", SHERLOC.tipAct), "means": ("tip-means", SHERLOC.tipMeans),
                "purposes": ("tip-purpose", SHERLOC.tipPurpose)}


def detect_format(path: Path) -> str:
    """``xml`` (a judgment, Akoma Ntoso or ECLI, told apart by its root element), else ``jsonl`` or ``csv``."""
    return "xml" if path.suffix.lower() == ".xml" else detect_format_by_name(path)


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    if source_format in judgments.FORMATS or (source_format is None and path.suffix.lower() == ".xml"):
        yield from judgments.read(path, iris, source_format)  # published judgments (Akoma Ntoso, ECLI)
        return
    yield from map_records(path, source_format, MULTI_VALUED, map_case, iris)


LOADER = Loader(kind="cases", graphs=("cases",), record_class=SHERLOC.CourtCase,
                formats=(*FLAT, *judgments.FORMAT_TABLE), read=read, detect_format=detect_format)


def map_case(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    case_id = f.text("id", required=True)
    case = iris.case(case_id)
    record = Record(case, raw.location)

    def add(p: URIRef, o: Any) -> None:
        record.add("cases", (case, p, o))

    add(RDF.type, SHERLOC.CourtCase)
    add(DCTERMS.identifier, Literal(case_id))
    add(DCTERMS.title, Literal(f.text("title", required=True)))

    country, body = f.text("country"), f.text("jurisdiction")
    if country and body:
        raise f.error("jurisdiction", "give either 'country' (a State) or 'jurisdiction' (an international body), not both")
    if not country and not body:
        raise f.error("country", "required field is missing (or give 'jurisdiction' for an international or regional body)")
    seat = iris.country(country) if country else iris.jurisdiction(body or "")
    add(SHERLOC.jurisdiction, seat)

    decision_date = f.date("decision_date")
    year = f.integer("year")
    if decision_date is not None:
        if decision_date.datatype != XSD.date:
            raise f.error("decision_date", "a decision date must be a full date; put a bare year in 'year'")
        add(SHERLOC.decisionDate, decision_date)
        date_year = int(str(decision_date)[:4])
        if year is not None and year != date_year:
            raise f.error("year", f"year {year} disagrees with decision_date {decision_date}")
        year = date_year
    if year is None:
        raise f.error("year", "required field is missing (give 'year' or 'decision_date')")
    add(SHERLOC.decisionYear, Literal(year, datatype=XSD.integer))

    court_name = f.text("court")
    if court_name:
        court = iris.court(country or body or "", court_name)
        add(SHERLOC.decidedBy, court)
        record.add("cases", (court, RDF.type, SHERLOC.Court))
        record.add("cases", (court, SKOS.prefLabel, Literal(court_name)))
        record.add("cases", (court, SHERLOC.jurisdiction, seat))
    level = f.text("court_level")
    if level:
        add(SHERLOC.courtLevel, iris.concept("court-level", level))

    for notation in f.texts("crime_types", required=True):
        add(SHERLOC.crimeType, iris.concept("crime-type", notation))
    for notation in f.texts("cross_cutting_issues"):
        add(SHERLOC.crossCuttingIssue, iris.concept("cross-cutting-issue", notation))
    for keyword in f.texts("keywords"):
        add(SHERLOC.keyword, Literal(keyword))
    for reference in f.texts("provisions"):
        add(SHERLOC.refersToProvision, _checked(f, "provisions", lambda r=reference: iris.provision(r)))
    for reference in f.texts("legislation"):
        if not country:
            raise f.error("legislation", "national provisions need the case's 'country' (or an ISO3: prefix)")
        add(SHERLOC.appliesNationalProvision,
            _checked(f, "legislation", lambda r=reference: iris.national_provision_ref(r, country)))
    for other in f.texts("involved_countries"):
        add(SHERLOC.involvedCountry, iris.country(other))
    appeal_of = f.text("appeal_of")
    if appeal_of:
        if appeal_of == case_id:
            raise f.error("appeal_of", "a case cannot be an appeal of itself")
        add(SHERLOC.appealOf, iris.case(appeal_of))

    for number, defendant in enumerate(f.objects("defendants"), start=1):
        _map_defendant(f, record, iris, number, defendant)
    _map_tip_elements(f, record, iris)

    for text in f.language_map("summary"):
        add(DCTERMS.abstract, text)
    for text in f.language_map("commentary"):
        add(SHERLOC.commentary, text)
    url = f.url("source_url")
    if url is not None:
        add(DCTERMS.source, url)
    return record


def _checked(f: Fields, name: str, mint) -> URIRef:
    try:
        return mint()
    except UsageError as error:
        raise f.error(name, str(error)) from error


def _map_defendant(f: Fields, record: Record, iris: Iris, number: int, data: Mapping[str, Any]) -> None:
    unknown = set(data) - DEFENDANT_FIELDS
    if unknown:
        raise f.error(f"defendants.{sorted(unknown)[0]}",
                      f"unknown field in defendant {number}; known: {', '.join(sorted(DEFENDANT_FIELDS))}")
    assert record.iri is not None
    person = Iris.part(record.iri, "defendant", number)
    record.add("cases", (record.iri, SHERLOC.defendant, person))
    record.add("cases", (person, RDF.type, SHERLOC.Defendant))
    for key, value in data.items():
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise f.error(f"defendants.{key}", f"defendant {number}: expected a string, got {type(value).__name__}")
        if key == "type":
            record.add("cases", (person, SHERLOC.defendantType, iris.concept("defendant-type", value)))
        elif key == "nationality":
            record.add("cases", (person, SHERLOC.nationality, iris.country(value)))
        else:
            record.add("cases", (person, getattr(SHERLOC, key), Literal(value)))


def _map_tip_elements(f: Fields, record: Record, iris: Iris) -> None:
    """TIP Protocol art. 3 (a): the act, the means and the purpose of exploitation."""
    nested = f.object("tip_elements") or {}
    unknown = set(nested) - set(TIP_ELEMENTS)
    if unknown:
        raise f.error(f"tip_elements.{sorted(unknown)[0]}", "unknown TIP element group; known: acts, means, purposes")
    for group, (scheme, predicate) in TIP_ELEMENTS.items():
        values = nested.get(group, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise f.error(f"tip_elements.{group}", "expected a list of notations")
        values = values + f.texts(f"tip_elements.{group}")
        for notation in values:
            assert record.iri is not None
            record.add("cases", (record.iri, predicate, iris.concept(scheme, notation)))
