"""The bibliographic database: publications on organized crime, mapped as docs/model.md "bibliography" says.

Four source formats, all brought to the fields of the bibliography format of
``shared/formats/README.md`` and then mapped by one function, so that every format is checked alike:

- ``jsonl`` / ``csv``: our own format (``id``, ``title``, ``authors``, ``year``, ``type``, ...);
- ``bibtex`` (``.bib``), read with bibtexparser 2, LaTeX escapes decoded by its
  ``LatexDecodingMiddleware`` (pylatexenc): ``{\\'e}`` → é; the record id is the citation key;
- ``ris`` (``.ris``), read with rispy; the record id is the ``ID`` tag;
- ``csl`` (CSL-JSON: a ``.json`` file holding a top-level array, or ``--format csl``); the id is ``id``.

Crime types, countries and research methods exist only in our own format: the exchange formats have
no field for them (their keywords stay keywords).

Authors are an ordered list, in the order of the source (BibTeX ``author`` split on ``and``, RIS
``A1``/``AU`` tags in file order, CSL ``author`` array, our ``authors`` list or ``;``-separated
cell). Each author is stated twice: a ``dcterms:creator`` literal (for simple queries), and an
authorship node ``{publication}/author/{n}`` (``sherloc:authorship``; ``a sherloc:Authorship``;
``sherloc:position n``; ``foaf:name``) that keeps the order queryable in SPARQL without an RDF
list of blank nodes (``bibo:authorList``), which the store refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import bibtexparser
import pycountry
import rispy
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.errors import Location, SourceError, UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.links_out import language_values
from sherloc_kg.namespaces import BIBO, DCTERMS, FOAF, RDF, SHERLOC

from .records import LANGUAGE_TAG, Fields, RawRecord, Record, map_records, text_lines
from .registry import CSV, JSONL, Format, Loader

FIELDS = frozenset({
    "id", "title", "authors", "year", "type", "publisher", "container", "doi", "url", "language",
    "countries", "crime_types", "research_methods", "keywords", "abstract",
})
MULTI_VALUED = frozenset({"authors", "countries", "crime_types", "research_methods", "keywords"})

#: Our ``type`` → the bibo subclass (every publication is also a bibo:Document).
TYPES: dict[str, URIRef | None] = {
    "article": BIBO.AcademicArticle, "book": BIBO.Book, "chapter": BIBO.Chapter,
    "report": BIBO.Report, "thesis": BIBO.Thesis, "other": None,
}
BIBTEX_TYPES = {
    "article": "article", "book": "book", "booklet": "book", "proceedings": "book",
    "incollection": "chapter", "inbook": "chapter", "inproceedings": "chapter", "conference": "chapter",
    "techreport": "report", "report": "report",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
}
RIS_TYPES = {
    "JOUR": "article", "JFULL": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "chapter", "ECHAP": "chapter", "CPAPER": "chapter",
    "RPRT": "report", "GOVDOC": "report",
    "THES": "thesis",
}
CSL_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "article", "book": "book", "chapter": "chapter", "paper-conference": "chapter",
    "report": "report", "thesis": "thesis",
}
FORMAT_TABLE = (
    JSONL,
    CSV,
    Format("bibtex", ".bib", "BibTeX (bibtexparser), LaTeX decoded", ("bib",)),
    Format("ris", ".ris", "RIS (rispy)"),
    Format("csl", ".json", "CSL-JSON, one array of items (a .json file holding an array)", ("csl-json", "csljson")),
)
#: Every name --format takes → the format it names.
FORMATS = {name: f.name for f in FORMAT_TABLE for name in f.names}
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".bib": "bibtex", ".bibtex": "bibtex",
            ".ris": "ris"}

_YEAR = re.compile(r"^\s*(\d{4})")
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    chosen = _format(path, source_format)
    if chosen in ("jsonl", "csv"):
        yield from map_records(path, chosen, MULTI_VALUED, map_publication, iris)
        return
    try:
        text = "".join(text_lines(path))
    except SourceError as error:
        yield Record(None, error.location, error=error)
        return
    reader = {"bibtex": _read_bibtex, "ris": _read_ris, "csl": _read_csl}[chosen]
    for item in reader(path, text):
        if isinstance(item, SourceError):
            yield Record(None, item.location, error=item)
            continue
        try:
            yield map_publication(item, iris)
        except SourceError as error:
            yield Record(None, item.location, error=error)


def detect_format(path: Path) -> str:
    """``jsonl``, ``csv``, ``bibtex``, ``ris`` or ``csl``, told from the name (and, for .json, the content)."""
    return _format(path, None)


LOADER = Loader(kind="bibliography", graphs=("bibliography",), record_class=BIBO.Document,
                formats=FORMAT_TABLE, read=read, detect_format=detect_format)


def _format(path: Path, source_format: str | None) -> str:
    if source_format is not None:
        if source_format.lower() not in FORMATS:
            raise UsageError(f"unknown bibliography format '{source_format}'; known: {', '.join(sorted(FORMATS))}")
        return FORMATS[source_format.lower()]
    suffix = path.suffix.lower()
    if suffix == ".json":  # CSL-JSON is one array; our JSON Lines has one object per line
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            start = handle.read(4096).lstrip()
        return "csl" if start.startswith("[") else "jsonl"
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise UsageError(f"{path}: cannot tell the format from the name; pass --format "
                     "jsonl, csv, bibtex, ris or csl")


# -- our format, and the one mapping every format goes through ---------------------------------

def map_publication(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    publication_id = f.text("id", required=True)
    publication = iris.publication(publication_id)
    record = Record(publication, raw.location)

    def add(p: URIRef, o: Any) -> None:
        record.add("bibliography", (publication, p, o))

    add(RDF.type, BIBO.Document)
    kind = f.text("type") or "other"
    if kind not in TYPES:
        raise f.error("type", f"unknown type {kind!r}; known: {', '.join(TYPES)}")
    if TYPES[kind] is not None:
        add(RDF.type, TYPES[kind])
    add(DCTERMS.identifier, Literal(publication_id))
    for title in f.title("title"):
        add(DCTERMS.title, title)
    for position, author in enumerate(f.texts("authors"), start=1):  # in source order
        add(DCTERMS.creator, Literal(author))
        authorship = Iris.part(publication, "author", position)
        add(SHERLOC.authorship, authorship)
        record.add("bibliography", (authorship, RDF.type, SHERLOC.Authorship))
        record.add("bibliography", (authorship, SHERLOC.position, Literal(position, datatype=XSD.integer)))
        record.add("bibliography", (authorship, FOAF.name, Literal(author)))
    year = f.integer("year")
    if year is not None:
        add(SHERLOC.publicationYear, Literal(year, datatype=XSD.integer))
    for name, predicate in (("publisher", DCTERMS.publisher), ("container", SHERLOC.container),
                            ("doi", BIBO.doi)):
        value = f.text(name)
        if value:
            add(predicate, Literal(value))
    url = f.url("url")
    if url is not None:
        add(FOAF.page, url)
    language = f.text("language")
    if language:
        for term in language_values(language):
            add(DCTERMS.language, term)
    for country in f.texts("countries"):
        add(SHERLOC.concernsCountry, iris.country(country))
    for notation in f.texts("crime_types"):
        add(SHERLOC.crimeType, iris.concept("crime-type", notation))
    for method in f.texts("research_methods"):
        add(SHERLOC.researchMethod, Literal(method))
    for keyword in f.texts("keywords"):
        add(SHERLOC.keyword, Literal(keyword))
    for text in f.language_map("abstract"):
        add(DCTERMS.abstract, text)
    return record


def _common(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise what exchange formats write differently from ours: a year inside a date
    (``2015///``), a DOI with its resolver prefix, a language name (``English`` → ``en``), an
    abstract in the publication's language. Empty values are dropped."""
    out = {k: v for k, v in fields.items() if v not in (None, "", [])}
    year = out.get("year")
    if isinstance(year, str) and _YEAR.match(year):
        out["year"] = _YEAR.match(year).group(1)  # type: ignore[union-attr]
    if isinstance(out.get("doi"), str):
        out["doi"] = _DOI_PREFIX.sub("", out["doi"]).strip()
    if isinstance(out.get("language"), str):
        out["language"] = _language_code(out["language"])
    language = out.get("language")
    if isinstance(out.get("abstract"), str) and isinstance(language, str) and LANGUAGE_TAG.match(language):
        out["abstract"] = {language: out["abstract"]}
    return out


def _language_code(value: str) -> str:
    """``en``/``pt-BR`` as given; a language name or ISO 639-2/3 code as its ISO 639-1 code where
    pycountry knows one; anything else unchanged (the shape then names the field)."""
    value = value.strip()
    if LANGUAGE_TAG.match(value) and len(value.split("-")[0]) == 2:
        return value.split("-")[0].lower() + value[2:]
    try:
        language = pycountry.languages.lookup(value)
    except LookupError:
        return value
    alpha_2: str | None = getattr(language, "alpha_2", None)
    alpha_3: str = getattr(language, "alpha_3", value)
    return alpha_2 or alpha_3


def _keywords(value: str | None) -> list[str]:
    return [k.strip() for k in re.split(r"[;,]", value or "") if k.strip()]


# -- BibTeX ------------------------------------------------------------------------------------

def _read_bibtex(path: Path, text: str) -> Iterator[RawRecord | SourceError]:
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()])
    for block in library.blocks:  # in file order; start_line is 0-based
        line = block.start_line + 1 if block.start_line is not None else None
        if isinstance(block, DuplicateBlockKeyBlock):
            where = Location(str(path), line, block.key, "id")
            yield SourceError(f"duplicate citation key '{block.key}'", where)
        elif isinstance(block, ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", None) or str(block.error) or type(block.error).__name__
            yield SourceError(f"malformed BibTeX entry: {reason}", Location(str(path), line))
        elif isinstance(block, Entry):
            yield RawRecord(_bibtex_fields(block), Location(str(path), line, block.key))


def _bibtex_fields(entry: Entry) -> dict[str, Any]:
    values = {key.lower(): value for key, value in entry.fields_dict.items()}

    def get(*names: str) -> Any:
        for name in names:
            if name in values and values[name].value not in (None, "", []):
                value = values[name].value
                return value.strip() if isinstance(value, str) else value
        return None

    authors = get("author") or get("editor") or []
    if isinstance(authors, str):
        authors = [authors]
    return _common({
        "id": entry.key, "title": get("title"), "authors": [a.strip() for a in authors if a.strip() and a.strip().lower() != "others"],
        "year": get("year") or (get("date") or "")[:4] or None,
        "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "other"),
        "publisher": get("publisher", "institution", "school", "organization"),
        "container": get("journal", "journaltitle", "booktitle"), "doi": get("doi"), "url": get("url"),
        "language": get("language", "langid"), "keywords": _keywords(get("keywords")),
        "abstract": get("abstract"),
    })


# -- RIS ---------------------------------------------------------------------------------------

def _read_ris(path: Path, text: str) -> Iterator[RawRecord | SourceError]:
    try:
        entries = rispy.loads(text)
    except Exception as error:  # noqa: BLE001 (rispy signals malformed files with several types)
        yield SourceError(f"malformed RIS ({error})", Location(str(path)))
        return
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if line.lstrip().startswith("TY  -")]
    if len(starts) != len(entries):
        starts = [None] * len(entries)  # type: ignore[list-item]
    for entry, line in zip(entries, starts):
        record_id = entry.get("id")
        yield RawRecord(_ris_fields(entry), Location(str(path), line, str(record_id) if record_id else None))


def _ris_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    def first(*names: str) -> Any:
        for name in names:
            value = entry.get(name)
            if isinstance(value, list):
                value = value[0] if value else None
            if value not in (None, ""):
                return value.strip() if isinstance(value, str) else value
        return None

    keywords = [k for value in entry.get("keywords", []) for k in _keywords(value)]
    return _common({
        "id": first("id"), "title": first("title", "primary_title", "translated_title"),
        "authors": [*entry.get("first_authors", []), *entry.get("authors", [])],
        "year": first("year", "publication_year", "date"),
        "type": RIS_TYPES.get(str(entry.get("type_of_reference", "")).upper(), "other"),
        "publisher": first("publisher"),
        "container": first("secondary_title", "journal_name", "alternate_title3", "alternate_title1",
                           "alternate_title2"),
        "doi": first("doi"), "url": first("urls"), "language": first("language"), "keywords": keywords,
        "abstract": first("abstract", "notes_abstract"),
    })


# -- CSL-JSON ----------------------------------------------------------------------------------

def _read_csl(path: Path, text: str) -> Iterator[RawRecord | SourceError]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        yield SourceError(f"malformed JSON ({error.msg} at line {error.lineno}, column {error.colno})",
                          Location(str(path), error.lineno))
        return
    if not isinstance(items, list):
        yield SourceError("CSL-JSON must be an array of items", Location(str(path)))
        return
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield SourceError("a CSL item must be a JSON object", Location(str(path), None, f"item {index}"))
            continue
        record_id = item.get("id")
        where = Location(str(path), None, str(record_id) if record_id not in (None, "") else f"item {index}")
        try:
            yield RawRecord(_csl_fields(item), where)
        except ValueError as error:
            yield SourceError(str(error), where)


def _csl_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    authors = []
    for number, name in enumerate(item.get("author") or [], start=1):
        if not isinstance(name, Mapping):
            raise ValueError(f"author {number}: a CSL name must be an object")
        if name.get("literal"):
            authors.append(str(name["literal"]))
        else:
            family = " ".join(str(name[k]) for k in ("non-dropping-particle", "family") if name.get(k))
            given = " ".join(str(name[k]) for k in ("given", "dropping-particle") if name.get(k))
            authors.append(", ".join(p for p in (family, given) if p))
    year = None
    issued = item.get("issued")
    if isinstance(issued, Mapping):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = str(parts[0][0])
        elif issued.get("raw") or issued.get("literal"):
            year = str(issued.get("raw") or issued.get("literal"))
    keywords = item.get("keyword")
    record_id = item.get("id")
    return _common({
        "id": str(record_id) if record_id not in (None, "") else None, "title": item.get("title"),
        "authors": [a for a in authors if a], "year": year,
        "type": CSL_TYPES.get(str(item.get("type", "")), "other"), "publisher": item.get("publisher"),
        "container": item.get("container-title"), "doi": item.get("DOI"), "url": item.get("URL"),
        "language": item.get("language"),
        "keywords": _keywords(keywords) if isinstance(keywords, str) else keywords,
        "abstract": item.get("abstract"),
    })
