"""National legislation (SHERLOC's legislation database): one record per law, with its provisions,
mapped as docs/model.md "legislation" says. Three sources:

**JSON Lines** in the legislation format of ``shared/formats/README.md``: one law per line, its
provisions nested as a list of objects.

**CSV**: a flat row cannot hold a list of provisions, so a CSV file has *one row per provision*,
the law's fields repeated on each row (or left empty after the law's first row)::

    id,country,title,type,date_adopted,in_force,url,language,amends,repeals,
    provision_number,provision_heading,provision_text,provision_implements,
    provision_crime_types,provision_cross_cutting_issues

Rows are grouped by ``id`` (they need not be adjacent); a law's record is located at its first row.
A law field given twice with different values is an error naming the later row and the field.
``amends``, ``repeals`` and the ``provision_implements`` / ``_crime_types`` /
``_cross_cutting_issues`` cells hold several values separated by ``;``. A row with no
``provision_number`` only carries law fields. Errors about a provision name the field as in JSON
(``provisions.implements``) so that messages and shapes agree across both spellings.

A plain-string ``title``, ``heading`` or ``text`` is tagged with the law's ``language`` when it is
given, and left untagged otherwise (a law's title is in its own language, not English).

**Akoma Ntoso 3.0** acts (``--format akn``, or any ``.xml`` file whose root is ``akomaNtoso``), with
the companion ``LAW.implements.csv`` mapping their provisions to the Convention's: read by
:func:`.akoma_ntoso_acts.read_akn`, whose module says how they map.

**Justice Canada XML** (``--format justice-canada``, or any ``.xml`` file whose root is ``Statute`` or
``Bill``): an Act's English and French files make one law, so such files are read together, by
:func:`read_many` (the pipeline gives it every file of a load; a folder stands for the files below
it, :func:`accepts`), in ``loaders/justice_canada.py`` and ``loaders/canada_pairing.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from sherloc_kg.errors import Location, SourceError, UsageError
from sherloc_kg.iris import Iris, is_iso3
from sherloc_kg.links_out import language_values
from sherloc_kg.namespaces import DCTERMS, ELI, FOAF, RDF, SHERLOC

from .akoma_ntoso_acts import read_akn
from .eli import in_force as in_force_value
from .eli import expressions_of, language_versions
from .records import detect_format as detect_format_by_name
from .records import Fields, RawRecord, Record, read_source
from .registry import JSONL, Format, Loader

FIELDS = frozenset({
    "id", "country", "title", "type", "date_adopted", "in_force", "url", "language", "amends",
    "repeals", "provisions",
})
PROVISION_FIELDS = frozenset({"number", "heading", "text", "implements", "crime_types", "cross_cutting_issues"})
#: CSV: one row per provision; these columns carry the provision, the others the law.
CSV_PROVISION_COLUMNS = {f"provision_{name}": name for name in PROVISION_FIELDS}
CSV_FIELDS = (FIELDS - {"provisions"}) | frozenset(CSV_PROVISION_COLUMNS)
MULTI_VALUED = frozenset({"amends", "repeals", "provision_implements", "provision_crime_types",
                          "provision_cross_cutting_issues"})

#: Justice Canada XML (loaders/justice_canada.py, paired by loaders/canada_pairing.py).
JUSTICE_CANADA = "justice-canada"
#: What the legislation loader reads (see the module docstring), the first our own.
FORMAT_TABLE = (
    JSONL,
    Format("csv", ".csv", "CSV in our format, one row per provision, the law's fields repeated"),
    Format("akn", ".xml", "an Akoma Ntoso 3.0 act (or one of its drafts), with its LAW.implements.csv", ("xml",)),
    Format(JUSTICE_CANADA, ".xml", "Justice Canada XML (Statute, Bill), an Act's English and French files together"),
)
FORMATS = tuple(name for f in FORMAT_TABLE for name in f.names)
SUFFIXES = (".xml", ".csv", ".jsonl", ".ndjson", ".json")


def detect_format(path: Path) -> str:
    """For an XML file, by its root element: ``justice-canada`` (``Statute``/``Bill``) or ``akn``;
    else ``jsonl`` or ``csv`` by the name."""
    from .justice_canada import sniff

    if path.suffix.lower() == ".xml":
        return JUSTICE_CANADA if sniff(path) else "akn"
    return detect_format_by_name(path)


def accepts(path: Path) -> bool:
    """Whether a file met in a folder given to ``sherloc-kg load legislation`` is one to read: a
    source by its suffix, but not an Akoma Ntoso act's companion mapping (``LAW.implements.csv``)."""
    return path.suffix.lower() in SUFFIXES and not path.name.lower().endswith(".implements.csv")


def read_many(paths: list[Path], iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    """Every file of one load. Justice Canada files are read together, as an Act's English and
    French files make one law (loaders/canada_pairing.py); every other file on its own (``read``).
    A file that gives no record is an error (a Justice Canada file always belongs to a pair)."""
    from .canada_pairing import read_pairs

    if source_format is not None and source_format not in FORMATS:
        raise UsageError(f"legislation cannot be read as {source_format!r}; formats: {', '.join(FORMATS)}")
    canadian = []
    for path in paths:
        chosen = source_format or (detect_format(path) if path.suffix.lower() == ".xml" else None)
        if chosen == JUSTICE_CANADA:
            canadian.append(path)
            continue
        count = 0
        for record in read(path, iris, source_format):
            count += 1
            yield record
        if not count:
            where = Location(str(path))
            yield Record(None, where, error=SourceError("no records: the file is empty or holds only comments", where))
    if canadian:
        yield from read_pairs(canadian, iris)


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    if source_format not in (None, *FORMATS):
        raise UsageError(f"legislation cannot be read as {source_format!r}; formats: {', '.join(FORMATS)}")
    if source_format is None and path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"{path}: cannot tell the format from the name; pass --format jsonl, csv, akn or justice-canada")
    chosen = source_format or (detect_format(path) if path.suffix.lower() == ".xml" else None)
    if chosen == JUSTICE_CANADA:  # one file alone: refused, naming the missing language
        from .canada_pairing import read_pairs

        yield from read_pairs([path], iris)
        return
    if chosen in ("akn", "xml"):
        yield read_akn(path, iris)
        return
    if chosen == "csv" or (chosen is None and path.suffix.lower() == ".csv"):
        yield from _read_csv(path, iris)
        return
    for item in read_source(path, source_format, frozenset()):
        if isinstance(item, SourceError):
            yield Record(None, item.location, error=item)
            continue
        try:
            yield map_law(item, iris)
        except SourceError as error:
            yield Record(None, item.location, error=error)


LOADER = Loader(kind="legislation", graphs=("legislation",), record_class=SHERLOC.NationalLegislation,
                formats=FORMAT_TABLE, read=read, detect_format=detect_format, read_many=read_many, accepts=accepts)


# ---------------------------------------------------------------------------------------------
# Our format: JSON Lines and CSV
# ---------------------------------------------------------------------------------------------

def map_law(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    law_id = f.text("id", required=True)
    assert law_id is not None
    country = f.text("country", required=True)
    assert country is not None
    if not is_iso3(country):
        raise f.error("country", f"expected an ISO 3166-1 alpha-3 code such as BRA, got {country!r}")
    law = iris.legislation(country, law_id)
    record = Record(law, raw.location)

    def add(p: URIRef, o: Any) -> None:
        record.add("legislation", (law, p, o))

    language = f.language_tag("language", f.text("language"))
    add(RDF.type, ELI.LegalResource)
    add(RDF.type, SHERLOC.NationalLegislation)
    add(DCTERMS.identifier, Literal(law_id))
    add(SHERLOC.country, iris.country(country))
    titles = _texts(f, "title", f.values.get("title"), language)
    if not titles:
        raise f.error("title", "required field is missing")
    for title in titles:
        add(DCTERMS.title, title)
    for triple in language_versions(law, titles):  # its language versions (loaders/eli.py)
        record.add("legislation", triple)
    kind = f.text("type")
    if kind:
        add(ELI.type_document, iris.concept("legislation-type", kind))
    adopted = f.date("date_adopted")
    if adopted is not None:
        add(ELI.date_document, adopted)
    in_force = f.boolean("in_force")
    if in_force is not None:
        add(ELI.in_force, in_force_value(in_force))
    url = f.text("url")
    if url:
        if not url.startswith(("http://", "https://")):
            raise f.error("url", f"expected an http(s) URL, got {url!r}")
        add(FOAF.page, URIRef(url))
    if language:
        for term in language_values(language):
            add(DCTERMS.language, term)
    for name, predicate in (("amends", ELI.amends), ("repeals", ELI.repeals)):
        for other in f.texts(name):
            code, colon, named = other.partition(":")  # "BRA:law-id": a law of another State
            other_country, other_id = (code, named) if colon and named and is_iso3(code) else ("", other)
            if other_id == law_id and other_country in ("", country):
                raise f.error(name, f"a law cannot {name[:-1]} itself")
            add(predicate, iris.legislation(other_country or country, other_id))

    provisions = f.objects("provisions")
    if not provisions:
        raise f.error("provisions", "required field is missing (give at least one provision)")
    seen: set[str] = set()
    for position, data in enumerate(provisions, start=1):
        _map_provision(f, record, iris, country, law_id, language, position, data, seen)
    return record


def _map_provision(f: Fields, record: Record, iris: Iris, country: str, law_id: str, language: str | None,
                   position: int, data: Mapping[str, Any], seen: set[str]) -> None:
    unknown = set(data) - PROVISION_FIELDS
    if unknown:
        raise f.error(f"provisions.{sorted(unknown)[0]}",
                      f"unknown field in provision {position}; known: {', '.join(sorted(PROVISION_FIELDS))}")
    number = data.get("number")
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.strip():
        raise f.error("provisions.number", f"provision {position} needs its number, as text, e.g. \"149-A\"")
    number = number.strip()
    if number in seen:
        raise f.error("provisions.number", f"provision number {number!r} is given twice")
    seen.add(number)
    assert record.iri is not None
    part = iris.national_provision(country, law_id, number)

    def add(p: URIRef, o: Any) -> None:
        record.add("legislation", (part, p, o))

    record.add("legislation", (record.iri, ELI.has_part, part))
    add(RDF.type, SHERLOC.NationalProvision)
    add(RDF.type, ELI.LegalResourceSubdivision)
    add(ELI.is_part_of, record.iri)
    add(ELI.number, Literal(number))
    headings = _texts(f, "provisions.heading", data.get("heading"), language)
    texts = _texts(f, "provisions.text", data.get("text"), language)
    for text in headings:
        add(DCTERMS.title, text)
    for text in texts:
        add(SHERLOC.text, text)
    # its language versions, each linked from the law too, so that replacing the law replaces them
    versions = language_versions(part, headings, texts)
    for triple in versions:
        record.add("legislation", triple)
    for expression in expressions_of(versions):
        record.add("legislation", (record.iri, SHERLOC.containsExpression, expression))
    for reference in _strings(f, "provisions.implements", data.get("implements")):
        try:
            add(ELI.ensures_implementation_of, iris.provision(reference))
        except UsageError as error:
            raise f.error("provisions.implements", str(error)) from error
    for notation in _strings(f, "provisions.crime_types", data.get("crime_types")):
        add(SHERLOC.crimeType, iris.concept("crime-type", notation))
    for notation in _strings(f, "provisions.cross_cutting_issues", data.get("cross_cutting_issues")):
        add(SHERLOC.crossCuttingIssue, iris.concept("cross-cutting-issue", notation))


def _texts(f: Fields, name: str, value: Any, language: str | None) -> list[Literal]:
    """A string (in the law's ``language``, untagged when unknown) or an object keyed by language."""
    if value is None or value == "" or value == {}:
        return []
    if isinstance(value, str):
        return [Literal(value.strip(), lang=language)] if value.strip() else []
    if isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return [Literal(v.strip(), lang=f.language_tag(name, k)) for k, v in value.items() if v.strip()]
    raise f.error(name, "expected a string or an object keyed by language code")


def _strings(f: Fields, name: str, value: Any) -> list[str]:
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise f.error(name, "expected a list of non-empty strings")
    return [v.strip() for v in value]


def _read_csv(path: Path, iris: Iris) -> Iterator[Record]:
    """One row per provision, grouped by law ``id`` (see the module docstring)."""
    laws: dict[str, RawRecord] = {}
    broken: dict[str, SourceError] = {}
    order: list[str | SourceError] = []
    for item in read_source(path, "csv", MULTI_VALUED):
        if isinstance(item, SourceError):
            order.append(item)
            continue
        row, where = item.fields, item.location
        law_id = row.get("id")
        if not law_id:
            order.append(SourceError("required field is missing", Location(where.file, where.line, None, "id")))
            continue
        unknown = sorted(set(row) - CSV_FIELDS)
        if unknown and law_id not in broken:
            broken[law_id] = SourceError(f"unknown column; known columns: {', '.join(sorted(CSV_FIELDS))}",
                                         Location(where.file, where.line, law_id, unknown[0]))
        if law_id not in laws:
            laws[law_id] = RawRecord({"provisions": []}, where)
            order.append(law_id)
        fields = laws[law_id].fields
        for name, value in row.items():
            if name in CSV_PROVISION_COLUMNS or name not in CSV_FIELDS:
                continue
            if name in fields and fields[name] != value and law_id not in broken:
                broken[law_id] = SourceError(
                    f"disagrees with the value {fields[name]!r} given on an earlier row of this law",
                    Location(where.file, where.line, law_id, name))
            fields[name] = value
        provision = {CSV_PROVISION_COLUMNS[k]: v for k, v in row.items() if k in CSV_PROVISION_COLUMNS}
        if provision:
            if "number" not in provision and law_id not in broken:
                broken[law_id] = SourceError("a row with provision fields needs its provision_number",
                                             Location(where.file, where.line, law_id, "provision_number"))
            fields["provisions"].append(provision)
    for entry in order:
        if isinstance(entry, SourceError):
            yield Record(None, entry.location, error=entry)
            continue
        raw = laws[entry]
        if entry in broken:
            yield Record(None, raw.location, error=broken[entry])
            continue
        try:
            yield map_law(raw, iris)
        except SourceError as error:
            yield Record(None, error.location, error=error)
