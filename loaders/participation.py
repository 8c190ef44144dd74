"""Treaty participation: who signed, ratified or acceded to UNTOC and its Protocols, and when.

Two source formats, mapped as docs/model.md "participation" says:

* ``csv``: the participation CSV of ``shared/formats/README.md``
  (``instrument,country,signature_date,consent_date,consent_type,declarations``, ISO dates,
  ``country`` an ISO 3166-1 alpha-3 code).
* ``untc``: the status table of the UN Treaty Collection, in its own layout
  (``Participant,Signature,"Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)"``),
  dates like ``24 Sep 2003``, the consent column's suffix giving how the State became bound.

With ``source_format`` None the format is told from the header row.

The UNTC table does not say which instrument it is the status of. The caller says it, in this
order: a comment line ``# instrument: untoc`` in the file, or the file name holding exactly one of
the codes ``untoc``, ``tip``, ``som``, ``fp`` as a word (``untc-status-untoc-2024-05-04.csv``).
Neither, or the two disagreeing, is a SourceError: never a default.

What a UNTC table records, and as at which date. Each participation read from one carries
``dcterms:source`` (the UN Treaty Collection status page of its instrument, :data:`UNTC_STATUS_PAGES`)
and ``sherloc:statusAsAt`` (xsd:date): the date at which the table gave that status, from a comment
line ``# status as at: 2024-05-04`` or else the one ISO date in the file name
(``untc-status-untoc-2024-05-04-partial.csv``). A table that says no date records none (pages then
say the date is not recorded): it is never guessed. The file itself is in the ``provenance`` graph
(``prov:wasDerivedFrom`` → the file's sha256 entity, ``dcterms:title`` its name). A table may be
partial: a participant it does not list is not recorded, never "not party" (docs/model.md).

Participants are named as the UN names them; a name resolves to an ISO3 code by an exact match in
``data/un-participant-names.csv``, else an exact match of a pycountry name, official name or common
name. No fuzzy matching: a name that does not resolve is a SourceError naming the row.

Footnote marks. The UNTC table puts footnote references after names and dates (superscript digits,
rendered as digits, ``*`` or Unicode superscripts once copied). They are stripped as follows, and
nothing else is:

* from a name: trailing digits, Unicode superscript characters, ``*``, ``†``, commas and
  bracketed digits (``[3]``, ``(3)``). A trailing plain letter is never stripped from a name
  (names end in letters); a name carrying one does not resolve and is reported.
* from a date cell: after ``D Mon YYYY``, every digit, Unicode superscript character, ``*``,
  ``†`` and comma is a footnote mark; what letters remain must form exactly one word, and that word
  must be one of the consent suffixes the header declares (case-sensitive: ``a`` accession, ``A``
  acceptance, ``AA`` approval, ``d`` succession, ``c`` formal confirmation). Any other letter is an
  error, not a guessed footnote. The signature column takes no suffix.

Regional economic integration organizations. The European Union is a party to UNTOC (approval,
``AA``) but not a State. Its names (``European Union``, and ``European Community`` as older tables
give it) and its code (``EU``, also accepted in the ``country`` column of our CSV) resolve through
``data/regional-organizations.csv`` to ``id/jurisdiction/EU``, ``a
sherloc:RegionalEconomicIntegrationOrganization`` (never a ``sherloc:Country``); the participation
is ``id/participation/{instrument}/EU``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path

import pycountry
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.config import BUNDLED_HOME
from sherloc_kg.errors import Location, SourceError, UsageError
from sherloc_kg.iris import INSTRUMENTS, Iris
from sherloc_kg.links_out import UNTC_NUMBERS, USER_ASSIGNED, untc_record
from sherloc_kg.namespaces import DCTERMS, RDF, SHERLOC

from .records import Fields, RawRecord, Record, text_lines
from .registry import Format, Loader

FIELDS = frozenset({"instrument", "country", "signature_date", "consent_date", "consent_type", "declarations"})
CONSENT_TYPES = ("ratification", "accession", "acceptance", "approval", "succession", "formal-confirmation")
#: Our CSV, or a UN Treaty Collection status table: told from the header row when not named.
FORMAT_TABLE = (
    Format("csv", ".csv", "CSV in our format: instrument,country,signature_date,consent_date,consent_type,declarations"),
    Format("untc", ".csv", "a UN Treaty Collection status table as copied (Participant, Signature, ...)"),
)
FORMATS = tuple(f.name for f in FORMAT_TABLE)

NAMES_CSV = BUNDLED_HOME / "data" / "un-participant-names.csv"

#: The consent suffixes of the UNTC status tables, used where the header declares none.
DEFAULT_LEGEND = {"A": "acceptance", "AA": "approval", "a": "accession", "d": "succession", "c": "formal-confirmation"}
#: How the header's legend names each consent type: ``Acceptance(A)`` → acceptance.
LEGEND_NAMES = {"acceptance": "acceptance", "approval": "approval", "accession": "accession",
                "succession": "succession", "formal confirmation": "formal-confirmation"}
ORGANIZATIONS_CSV = BUNDLED_HOME / "data" / "regional-organizations.csv"

MONTHS = {m.lower(): n for n, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
MONTHS.update({m.lower(): n for n, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), start=1)})

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"
_NAME_MARKS = re.compile(r"(?:[\s,*†" + SUPERSCRIPTS + r"]|\d|\[\d+\]|\(\d+\))+$")
_DATE = re.compile(r"^(\d{1,2})[\s\u00a0]+([A-Za-z]+)\.?[\s\u00a0]+(\d{4})(.*)$", re.S)
_DATE_MARKS = re.compile(r"[\d*†," + SUPERSCRIPTS + r"]")
_LEGEND = re.compile(r"([A-Za-z][A-Za-z ]*?)\s*\(([A-Za-z]+)\)")
_INSTRUMENT_COMMENT = re.compile(r"^#\s*instrument\s*:\s*(\S+)\s*$", re.I)
_AS_AT_COMMENT = re.compile(r"^#\s*(?:status\s+)?as\s+at\s*:\s*(.+?)\s*$", re.I)
_ISO_DATE = re.compile(r"(?<![0-9])(\d{4})-(\d{2})-(\d{2})(?![0-9])")

#: The status page of each instrument in the UN Treaty Collection (Chapter XVIII: Penal Matters,
#: 12 the Convention, 12-a to 12-c its Protocols): the source of a UNTC status table's rows.
#: The same page is each instrument's rdfs:seeAlso in the instruments graph (sherloc_kg/links_out.py).
UNTC_STATUS_PAGES = {code: str(untc_record(code)) for code in UNTC_NUMBERS}


# -- reading the file --------------------------------------------------------------------------

def detect_format(path: Path) -> str:
    """``csv`` or ``untc``, told from the header row."""
    rows = list(_rows(path, []))
    chosen = _guess(rows[0][1]) if rows else None
    if chosen is None:
        raise UsageError(f"{path}: cannot tell the format from the header; pass --format csv or --format untc")
    return chosen


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    if source_format not in (None, *FORMATS):
        raise UsageError(f"participation: unknown format {source_format!r}; known: {', '.join(FORMATS)}")
    comments: list[tuple[int, str]] = []
    rows = list(_rows(path, comments))
    if not rows:
        yield Record(None, Location(str(path), 1), error=SourceError("no header row", Location(str(path), 1)))
        return
    (header_line, header), body = rows[0], rows[1:]
    chosen = source_format or _guess(header)
    if chosen is None:
        where = Location(str(path), header_line)
        yield Record(None, where, error=SourceError(
            "cannot tell the format from the header: expected our participation CSV "
            "(instrument,country,signature_date,...) or a UN Treaty Collection status table "
            "(Participant,Signature,...); pass --format csv or --format untc", where))
        return
    if chosen == "csv":
        yield from _read_csv(path, iris, header_line, header, body)
    else:
        yield from _read_untc(path, iris, comments, header_line, header, body)


LOADER = Loader(kind="participation", graphs=("participation",), record_class=SHERLOC.TreatyParticipation,
                formats=FORMAT_TABLE, read=read, detect_format=detect_format)


def _rows(path: Path, comments: list[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """Non-empty CSV rows with the line they end on; ``#`` lines are collected into ``comments``."""
    def lines() -> Iterator[str]:
        for number, line in enumerate(text_lines(path), start=1):
            if line.lstrip().startswith("#"):
                comments.append((number, line.strip()))
                yield "\n"  # keeps csv's line count in step
            else:
                yield line

    reader = csv.reader(lines())
    for row in reader:
        if any(cell.strip() for cell in row):
            yield reader.line_num, row


def _guess(header: list[str]) -> str | None:
    first = header[0].strip().lower() if header else ""
    if first == "instrument" or "instrument" in [h.strip().lower() for h in header] and "country" in [
            h.strip().lower() for h in header]:
        return "csv"
    if first.startswith("participant"):
        return "untc"
    return None


# -- our CSV -----------------------------------------------------------------------------------

def _read_csv(path: Path, iris: Iris, header_line: int, header: list[str],
              body: list[tuple[int, list[str]]]) -> Iterator[Record]:
    names = [h.strip() for h in header]
    for line, cells in body:
        where = Location(str(path), line)
        if len(cells) > len(names):
            yield Record(None, where, error=SourceError("more cells than header columns", where))
            continue
        fields = {n: c.strip() for n, c in zip(names, cells) if n and c.strip()}
        raw = RawRecord(fields, where)
        try:
            f = Fields(raw, FIELDS)
            yield _map_csv(f, iris)
        except SourceError as error:
            yield Record(None, where, error=error)


def _map_csv(f: Fields, iris: Iris) -> Record:
    instrument = f.text("instrument", required=True) or ""
    if instrument not in INSTRUMENTS:
        raise f.error("instrument", f"unknown instrument {instrument!r}; known: {', '.join(INSTRUMENTS)}")
    given = f.text("country", required=True) or ""
    iso3 = resolve_country(given) or resolve_organization(given)
    if iso3 is None:
        raise _unresolved(f.location, "country", given)
    record_id = f"{instrument}/{iso3}"
    loc = Location(f.location.file, f.location.line, record_id)
    f.location = loc

    signature = _iso_date(f, "signature_date")
    consent = _iso_date(f, "consent_date")
    consent_type = f.text("consent_type")
    if consent_type is not None and consent_type not in CONSENT_TYPES:
        raise f.error("consent_type", f"unknown consent type {consent_type!r}; known: {', '.join(CONSENT_TYPES)}")
    record = _record(iris, loc, instrument, iso3, signature, consent, consent_type)
    declarations = f.text("declarations")
    if declarations:
        record.add("participation", (record.iri, SHERLOC.declarations, Literal(declarations)))
    return record


def _iso_date(f: Fields, name: str) -> Literal | None:
    value = f.date(name)
    if value is not None and value.datatype != XSD.date:
        raise f.error(name, f"expected a full date like 2003-09-24, got {str(value)!r}")
    return value


# -- the UN Treaty Collection status table -----------------------------------------------------

def _read_untc(path: Path, iris: Iris, comments: list[tuple[int, str]], header_line: int,
               header: list[str], body: list[tuple[int, list[str]]]) -> Iterator[Record]:
    file = str(path)
    try:
        instrument = untc_instrument(path, comments)
        as_at = untc_as_at(path, comments)
        columns, legend = _untc_header(file, header_line, header)
    except SourceError as error:
        yield Record(None, error.location, error=error)
        return
    name_col, signature_col, consent_col = columns
    for line, cells in body:
        where = Location(file, line)
        try:
            if len(cells) > len(header):
                raise SourceError("more cells than header columns", where)
            cells = cells + [""] * (len(header) - len(cells))
            record = _map_untc(where, iris, instrument, legend, header, cells, name_col, signature_col, consent_col)
            # what the table is and when it said so: every row carries it, so a query can tell
            # which participants the source covers (docs/model.md "participation")
            record.add("participation", (record.iri, DCTERMS.source, URIRef(UNTC_STATUS_PAGES[instrument])))
            if as_at is not None:
                record.add("participation", (record.iri, SHERLOC.statusAsAt, as_at))
            yield record
        except SourceError as error:
            yield Record(None, error.location, error=error)


def untc_instrument(path: Path, comments: list[tuple[int, str]]) -> str:
    """The instrument a UNTC table is the status of: from ``# instrument: X``, else the file name."""
    declared: tuple[int, str] | None = None
    for line, text in comments:
        match = _INSTRUMENT_COMMENT.match(text)
        if not match:
            continue
        code = match[1].lower()
        where = Location(str(path), line, field="instrument")
        if code not in INSTRUMENTS:
            raise SourceError(f"unknown instrument {match[1]!r} in comment; known: {', '.join(INSTRUMENTS)}", where)
        if declared and declared[1] != code:
            raise SourceError(f"instrument given twice, as {declared[1]!r} (line {declared[0]}) and {code!r}", where)
        declared = (line, code)
    words = set(re.split(r"[^a-z0-9]+", path.stem.lower()))
    named = sorted(words & set(INSTRUMENTS))
    if declared:
        if named and named != [declared[1]]:
            raise SourceError(
                f"the comment says instrument {declared[1]!r} but the file name says {', '.join(named)}: "
                "fix one of them", Location(str(path), declared[0], field="instrument"))
        return declared[1]
    where = Location(str(path), 1, field="instrument")
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise SourceError(f"the file name names several instruments ({', '.join(named)}); "
                          "say which with a first line '# instrument: untoc' (or tip, som, fp)", where)
    raise SourceError("a UN Treaty Collection status table does not say which instrument it is the status of: "
                      "add a first line '# instrument: untoc' (or tip, som, fp), or put the code in the file name "
                      "(e.g. untc-status-untoc-2024-05-04.csv)", where)


def untc_as_at(path: Path, comments: list[tuple[int, str]]) -> Literal | None:
    """The date a UNTC table gives the status as at: ``# status as at: 2024-05-04``, else the one ISO
    date in the file name; None if neither says one. Two dates that disagree are a SourceError."""
    declared: tuple[int, str] | None = None
    for line, text in comments:
        match = _AS_AT_COMMENT.match(text)
        if not match:
            continue
        where = Location(str(path), line, field="as at")
        if not _ISO_DATE.fullmatch(match[1]) or not _valid_date(match[1]):
            raise SourceError(f"the status date must be written YYYY-MM-DD, got {match[1]!r}", where)
        if declared and declared[1] != match[1]:
            raise SourceError(f"status date given twice, as {declared[1]} (line {declared[0]}) and {match[1]}", where)
        declared = (line, match[1])
    named = sorted({m[0] for m in _ISO_DATE.finditer(path.name) if _valid_date(m[0])})
    if declared:
        if named and named != [declared[1]]:
            raise SourceError(f"the comment says the status is as at {declared[1]} but the file name says "
                              f"{', '.join(named)}: fix one of them", Location(str(path), declared[0], field="as at"))
        return Literal(declared[1], datatype=XSD.date)
    if len(named) > 1:
        raise SourceError(f"the file name holds several dates ({', '.join(named)}); say which the status is as at "
                          "with a line '# status as at: YYYY-MM-DD'", Location(str(path), 1, field="as at"))
    return Literal(named[0], datatype=XSD.date) if named else None


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _untc_header(file: str, line: int, header: list[str]) -> tuple[tuple[int, int, int], dict[str, str]]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = cell.strip().lower()
        role = ("participant" if text.startswith("participant") else "signature" if text.startswith("signature")
                else "consent" if text.startswith("ratification") or "accession" in text else None)
        if role is None:
            raise SourceError(f"unexpected column {cell.strip()!r} in a UN Treaty Collection status table "
                              "(expected Participant, Signature, Ratification/Accession...)", Location(file, line, field=cell.strip()))
        if role in found:
            raise SourceError(f"two {role} columns", Location(file, line, field=cell.strip()))
        found[role] = index
    missing = [r for r in ("participant", "signature", "consent") if r not in found]
    if missing:
        raise SourceError(f"the header lacks the {', '.join(missing)} column(s)", Location(file, line))
    legend_text = header[found["consent"]]
    legend: dict[str, str] = {}
    for name, suffix in _LEGEND.findall(legend_text):
        notation = LEGEND_NAMES.get(name.strip().lower().lstrip(", "))
        if notation is None:
            raise SourceError(f"unknown consent type {name.strip()!r} in the header's legend",
                              Location(file, line, field=legend_text.strip()))
        legend[suffix] = notation
    return (found["participant"], found["signature"], found["consent"]), legend or dict(DEFAULT_LEGEND)


def _map_untc(where: Location, iris: Iris, instrument: str, legend: dict[str, str], header: list[str],
              cells: list[str], name_col: int, signature_col: int, consent_col: int) -> Record:
    name_field = header[name_col].strip()
    name = strip_name_marks(cells[name_col])
    if not name:
        raise SourceError("the participant's name is missing", Location(where.file, where.line, field=name_field))
    iso3 = resolve_country(name) or resolve_organization(name)
    if iso3 is None:
        raise _unresolved(where, name_field, name)
    loc = Location(where.file, where.line, f"{instrument}/{iso3}")
    signature, suffix = parse_untc_date(cells[signature_col], Location(loc.file, loc.line, loc.record,
                                                                      header[signature_col].strip()), {})
    if suffix is not None:
        raise SourceError(f"a signature takes no suffix, got {suffix!r}",
                          Location(loc.file, loc.line, loc.record, header[signature_col].strip()))
    consent_field = header[consent_col].strip()
    consent, suffix = parse_untc_date(cells[consent_col], Location(loc.file, loc.line, loc.record, consent_field), legend)
    consent_type = None
    if consent is not None:
        consent_type = legend[suffix] if suffix is not None else "ratification"
    return _record(iris, loc, instrument, iso3, signature, consent, consent_type)


def strip_name_marks(cell: str) -> str:
    """``China4`` → ``China``; ``Denmark 5, 6`` → ``Denmark``; ``Iran (Islamic Republic of)`` unchanged."""
    return _NAME_MARKS.sub("", cell.strip()).strip()


def parse_untc_date(cell: str, where: Location, legend: dict[str, str]) -> tuple[Literal | None, str | None]:
    """``24 Sep 2003`` → (2003-09-24, None); ``7 Jun 2004 a`` → (2004-06-07, 'a'); footnote marks dropped."""
    text = cell.strip()
    if not text:
        return None, None
    match = _DATE.match(text)
    if not match:
        raise SourceError(f"expected a date like '24 Sep 2003', got {text!r}", where)
    day, month_name, year, rest = match.groups()
    month = MONTHS.get(month_name.lower())
    if month is None:
        raise SourceError(f"unknown month {month_name!r} in {text!r}", where)
    try:
        value = date(int(year), month, int(day))
    except ValueError:
        raise SourceError(f"no such date: {text!r}", where) from None
    words = _DATE_MARKS.sub(" ", rest).split()
    if len(words) > 1:
        raise SourceError(f"more than one suffix after the date in {text!r}", where)
    suffix = words[0] if words else None
    if suffix is not None and legend and suffix not in legend:
        known = ", ".join(f"{k} ({v})" for k, v in legend.items())
        raise SourceError(f"unknown suffix {suffix!r} after the date in {text!r}; known: {known} "
                          "(footnote marks are digits or '*')", where)
    return Literal(value.isoformat(), datatype=XSD.date), suffix


# -- shared ------------------------------------------------------------------------------------

def _record(iris: Iris, loc: Location, instrument: str, iso3: str, signature: Literal | None,
            consent: Literal | None, consent_type: str | None) -> Record:
    node = iris.participation(instrument, iso3)
    record = Record(node, loc)

    def add(p: URIRef, o: object) -> None:
        record.add("participation", (node, p, o))

    add(RDF.type, SHERLOC.TreatyParticipation)
    add(SHERLOC.participant, iris.jurisdiction(iso3) if iso3 in _organizations().values() else iris.country(iso3))
    add(SHERLOC.instrument, iris.instrument(instrument))
    if signature is not None:
        add(SHERLOC.signatureDate, signature)
    if consent is not None:
        add(SHERLOC.consentDate, consent)
    if consent_type is not None:
        add(SHERLOC.consentType, iris.concept("consent-type", consent_type))
    return record


def _unresolved(where: Location, field_name: str, name: str) -> SourceError:
    at = Location(where.file, where.line, None, field_name)
    return SourceError(f"{name!r} is not a known country: give the ISO 3166-1 alpha-3 code or the exact UN or "
                       f"ISO name, or add the name to {NAMES_CSV.name}", at)


@lru_cache(maxsize=1)
def _organizations() -> dict[str, str]:
    """Name or code → code, for the regional economic integration organizations."""
    from .countries import regional_organizations

    found: dict[str, str] = {}
    for row in regional_organizations(ORGANIZATIONS_CSV):
        for name in (row["code"], row["name"], *row["un_names"]):
            found[name] = row["code"]
    return found


def resolve_organization(name: str) -> str | None:
    """The code (``EU``) of a regional economic integration organization, by exact name or code."""
    return _organizations().get(name.strip())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(value, country.alpha_3)
    with NAMES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            names[row["un_name"].strip()] = row["iso3"].strip()  # the UN's own names win
    return names


#: ISO 3166-1 alpha-3 codes reserved for user assignment (AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ):
#: the fictional States of data/examples use them. Whether such a State exists is the shape's to say.
#: (sherloc_kg/links_out.py: USER_ASSIGNED, imported above.)


def resolve_country(name: str) -> str | None:
    """An ISO3 code for a known alpha-3 code or an exact name; None if it does not resolve."""
    text = name.strip()
    if len(text) == 3 and text.isupper() and (pycountry.countries.get(alpha_3=text) is not None
                                              or USER_ASSIGNED.match(text)):
        return text
    return _names().get(text)
