"""What every loader yields, and the readers for the two flat input formats.

A loader maps source records to :class:`Record` objects. It never validates against the graph and
never writes: the ingest pipeline does both. Problems a loader can see on its own (a malformed
line, a misspelt or missing required field, a value of the wrong shape) become a
:class:`~sherloc_kg.errors.SourceError` carried by the record, so that the pipeline can report
every problem of a file at once instead of stopping at the first.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import typing
from datetime import date
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.errors import Location, SourceError, UsageError
from sherloc_kg.store import RecordWrite

Triple = tuple[Any, URIRef, Any]
# An http(s) address with none of the characters an IRI may not hold.
#: A BCP 47 language tag as RDF accepts it (``en``, ``pt-BR``).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


@dataclass
class Record:
    """One source record mapped to RDF: its IRI and, per named graph, its triples."""

    iri: URIRef | None
    location: Location
    triples: dict[str, list[Triple]] = field(default_factory=dict)
    error: SourceError | None = None

    def add(self, graph: str, triple: Triple) -> None:
        self.triples.setdefault(graph, []).append(triple)


@dataclass(frozen=True)
class RawRecord:
    """A source record as read: its fields, and where it stands in the file."""

    fields: dict[str, Any]
    location: Location


def text_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 text file (a leading byte-order mark dropped), line endings kept.

    Bytes that are not UTF-8 stop the read with a :class:`SourceError` naming the line and column,
    instead of a ``UnicodeDecodeError`` that names neither. The file is decoded line by line, so the
    lines before the bad one have been seen; the pipeline writes nothing from a file that fails."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise SourceError(
                    f"not UTF-8 text: byte 0x{raw[error.start]:02x} at column {error.start + 1} "
                    "(save the file as UTF-8)", Location(str(path), number)) from None


def read_json_lines(path: Path) -> Iterator[RawRecord | SourceError]:
    """JSON Lines: one object per line; blank lines and lines starting with ``#`` are skipped."""
    for number, line in enumerate(text_lines(path), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        where = Location(str(path), number)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield SourceError(f"malformed JSON ({error.msg} at column {error.colno})", where)
            continue
        if not isinstance(value, dict):
            yield SourceError("a record must be a JSON object", where)
            continue
        record_id = value.get("id")
        yield RawRecord(value, Location(where.file, number, str(record_id) if record_id else None))


def read_csv(path: Path, multi_valued: frozenset[str]) -> Iterator[RawRecord | SourceError]:
    """CSV with a header row; cells of ``multi_valued`` columns are split on ``;``; empty cells are absent."""
    reader = csv.DictReader(text_lines(path))
    for row in reader:
        number = reader.line_num
        where = Location(str(path), number, row.get("id") or None)
        if None in row:
            yield SourceError("more cells than header columns", where)
            continue
        fields: dict[str, Any] = {}
        for name, cell in row.items():
            cell = (cell or "").strip()
            if not cell:
                continue
            if name in multi_valued:
                fields[name] = [part.strip() for part in cell.split(";") if part.strip()]
            else:
                fields[name] = cell
        yield RawRecord(fields, where)


def map_records(path: Path, source_format: str | None, multi_valued: frozenset[str],
                mapper: Callable[[RawRecord, Any], Record], iris: Any) -> Iterator[Record]:
    """Read a flat source and map each raw record; a record that cannot be read or mapped is
    yielded with its error, so that one load reports every bad record of a file at once."""
    for item in read_source(path, source_format, multi_valued):
        if isinstance(item, SourceError):
            yield Record(None, item.location, error=item)
            continue
        try:
            yield mapper(item, iris)
        except SourceError as error:
            yield Record(None, item.location, error=error)


SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}


def detect_format(path: Path) -> str:
    """The format of a flat source, told by its file name: ``jsonl`` or ``csv``."""
    chosen = SUFFIX_FORMATS.get(path.suffix.lower())
    if chosen is None:
        raise UsageError(f"{path}: cannot tell the format from the name; pass --format")
    return chosen


def read_source(path: Path, source_format: str | None, multi_valued: frozenset[str]) -> Iterator[RawRecord | SourceError]:
    """Read a flat source by its ``source_format`` (``jsonl``/``csv``) or, if None, its suffix."""
    chosen = source_format or SUFFIX_FORMATS.get(path.suffix.lower())
    if chosen == "jsonl":
        return read_json_lines(path)
    if chosen == "csv":
        return read_csv(path, multi_valued)
    raise UsageError(f"{path}: cannot tell the format from the name; pass --format jsonl or --format csv")


class Fields:
    """Typed access to a raw record's fields; every problem is a SourceError naming the field."""

    def __init__(self, raw: RawRecord, known: frozenset[str]) -> None:
        self.values = raw.fields
        self.location = raw.location
        for name in self.values:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.error(name, f"unknown field{hint}; known fields: {', '.join(sorted(known))}")

    def error(self, name: str, message: str, value: Any = None) -> SourceError:
        """A problem at field ``name``; ``value``: what was written there, which a report quotes."""
        loc = self.location
        return SourceError(message, Location(loc.file, loc.line, loc.record, name),
                           None if value is None else str(value))

    def collect(self, problems: list[SourceError], read: Callable[[], Any]) -> Any:
        """``read()``, or None with its SourceError added to ``problems``: for a loader that reads
        every field of a record before it gives up, so that one reading says every problem."""
        try:
            return read()
        except SourceError as error:
            problems.append(error)
            return None

    def has(self, name: str) -> bool:
        return name in self.values and self.values[name] not in (None, "", [])

    @typing.overload
    def text(self, name: str, *, required: typing.Literal[True]) -> str: ...
    @typing.overload
    def text(self, name: str, *, required: bool = False) -> str | None: ...

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise self.error(name, "required field is missing")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {type(value).__name__}")
        return value.strip()

    def texts(self, name: str, *, required: bool = False) -> list[str]:
        value = self.values.get(name)
        if value in (None, "", []):
            if required:
                raise self.error(name, "required field is missing (give at least one value)")
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(name, "expected a list of non-empty strings")
        return [v.strip() for v in value]

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("-").isdigit())):
            raise self.error(name, f"expected a whole number, got {value!r}", value)
        return int(value)

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.lower() in ("true", "yes", "1")
        raise self.error(name, f"expected true or false, got {value!r}", value)

    def date(self, name: str) -> Literal | None:
        """An ISO 8601 date (``2024-03-05``) or a bare year (``2024``, typed xsd:gYear)."""
        value = self.text(name)
        if value is None:
            return None
        if len(value) == 4 and value.isdigit():
            return Literal(value, datatype=XSD.gYear)
        try:
            valid = len(value) == 10 and date.fromisoformat(value) is not None
        except ValueError:
            valid = False
        if not valid:  # checked here: rdflib would log a traceback for an impossible date
            raise self.error(name, f"expected an ISO 8601 date like 2024-03-05 (or a year), got {value!r}", value)
        return Literal(value, datatype=XSD.date)

    def language_map(self, name: str, *, required: bool = False) -> list[Literal]:
        """A string (taken as English) or an object keyed by language: ``{"en": "...", "fr": "..."}``."""
        value = self.values.get(name)
        if value is None or value == "" or value == {}:
            if required:
                raise self.error(name, "required field is missing")
            return []
        if isinstance(value, str):
            return [Literal(value.strip(), lang="en")]
        if isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return [Literal(v.strip(), lang=self.language_tag(name, k)) for k, v in value.items() if v.strip()]
        raise self.error(name, "expected a string or an object keyed by language code")

    def language_tag(self, name: str, tag: str | None) -> str | None:
        """``tag`` if it is a BCP 47 language tag (``en``, ``pt-BR``); a SourceError naming ``name`` if not."""
        if tag is not None and not LANGUAGE_TAG.match(tag):
            raise self.error(name, f"{tag!r} is not a language code (use ISO 639-1, e.g. en, fr, pt-BR)")
        return tag

    def title(self, name: str) -> list[Literal]:
        """A plain string as given, or an object keyed by language (``{"en": ..., "fr": ...}``)."""
        if isinstance(self.values.get(name), str):
            return [Literal(self.text(name))]
        return self.language_map(name, required=True)

    def url(self, name: str) -> URIRef | None:
        """An http(s) address, refused if it holds characters an IRI may not."""
        url = self.text(name)
        if url is None:
            return None
        if not _URL.match(url):
            raise self.error(name, f"expected a full http(s) web address, got {url!r}")
        return URIRef(url)

    def object(self, name: str) -> Mapping[str, Any] | None:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.error(name, "expected an object")
        return value

    def objects(self, name: str) -> list[Mapping[str, Any]]:
        value = self.values.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(name, "expected a list of objects")
        return value


def as_writes(records: list[Record], graphs: tuple[str, ...], graph_iri) -> list[RecordWrite]:
    """The writes that replace ``records`` in each of the kind's ``graphs`` (``graph_iri`` names them)."""
    writes = []
    for name in graphs:
        write = RecordWrite(str(graph_iri(name)), [str(r.iri) for r in records if r.iri is not None])
        for record in records:
            write.triples.extend(record.triples.get(name, ()))
        writes.append(write)
    return writes
