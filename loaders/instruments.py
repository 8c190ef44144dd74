"""The Convention and its Protocols (graph ``instruments``): the official texts in
``data/convention-texts/`` mapped to provisions as docs/model.md "Instruments" says, with the
instruments' own facts (adoption, entry into force, participation counts) from ``data/instruments.csv``.

Each text holds the English version, then the Dutch translation, as the Dutch treaty database
exports them (see ``data/convention-texts/PROVENANCE.md``). The English version gives the structure;
the Dutch words are attached to an article's subdivisions only where that article has exactly the same
subdivisions in Dutch, so a translation is never attached to the wrong provision by guesswork.

Every non-blank line is placed: in an article, or classified as one of the passages outside the
articles (title, preamble, chapter heading, closing formula). A line that fits nowhere is reported in
:attr:`ParsedInstrument.unplaced`, and :func:`instruments_graph` refuses such a text: nothing is
dropped silently.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import instrument_translations
from .eli import language_versions
from sherloc_kg import obligations
from sherloc_kg.errors import Location, SourceError, UsageError
from sherloc_kg.iris import INSTRUMENTS, Iris
from sherloc_kg.links_out import ga_resolution, untc_record
from sherloc_kg.namespaces import DCTERMS, ELI, RDF, RDFS, SHERLOC, SKOS

#: The export's parts, in file order: the English version, then the Dutch translation.
LANGUAGES = ("en", "nl")
HEADING_WORD = {"en": "Article", "nl": "Artikel"}
CLASSES = {"article": SHERLOC.Article, "paragraph": SHERLOC.Paragraph,
           "subparagraph": SHERLOC.Subparagraph, "item": SHERLOC.Item}
COLUMNS = ("code", "title_en", "short_title", "adopted", "adopted_by", "entry_into_force",
           "signatories", "parties", "counts_as_at", "supplements")

ARTICLE = re.compile(r"^###\s*(Article|Artikel)\s+(\d+)$")
CHAPTER = re.compile(r"^###\s*([IVX]+)\b\s*(.*)$")  # "###I General provisions", "### IV SLOTBEPALINGEN"
TITLE = re.compile(r"^####\s*(.*)$")
DATABASE_TITLE = re.compile(r"^##(?!#)\s*(.*)$")  # the database's own (Dutch) name of the treaty
PREAMBLE = re.compile(r"^preambu?le\s*", re.IGNORECASE)  # "Preamble The", "PreambuleThe", "PREAMBULEDe"
TESTIMONIUM = re.compile(r"^(IN WITNESS WHEREOF|TEN BLIJKE WAARVAN)\b")
# "1.", "a)", "(a)", "(i)", "a.", "i." and, in places, no space before the words ("(i)The", "c.het").
MARKER = re.compile(r"^(?:(?P<number>\d{1,3})\.|\((?P<paren>[a-z]{1,5})\)|(?P<bare>[a-z]{1,5})[.)])\s*")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
ROMAN = {numeral: value for value, numeral in enumerate(
    "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split(), start=1)}


@dataclass
class Provision:
    """An article, paragraph, subparagraph or item, with its own words in each language."""

    kind: str  # "article" | "paragraph" | "subparagraph" | "item"
    number: str  # eli:number: "5", "1", "a", "ii"
    reference: str  # skos:notation: "untoc/art/5/1/a"
    line: int  # where it starts in the English version
    title: dict[str, str] = field(default_factory=dict)  # articles only
    text: dict[str, str] = field(default_factory=dict)  # absent where the unit is only a heading for its parts
    parts: list[Provision] = field(default_factory=list)

    def walk(self) -> Iterator[Provision]:
        yield self
        for part in self.parts:
            yield from part.walk()


@dataclass(frozen=True)
class Passage:
    """A line outside the articles, classified rather than dropped. Not in the graph: docs/model.md
    has no term for a preamble, a chapter or the closing formula."""

    kind: str  # "html-meta" | "database-title" | "title" | "preamble" | "chapter" | "testimonium" | "closing"
    language: str | None
    line: int
    text: str


@dataclass
class ParsedInstrument:
    """One text file read: the English articles (Dutch words attached), everything else classified."""

    code: str
    path: Path
    title: dict[str, str] = field(default_factory=dict)
    #: The preamble in each language that has one (the Protocols'; the database's UNTOC has none).
    preamble: dict[str, str] = field(default_factory=dict)
    articles: list[Provision] = field(default_factory=list)
    outside: list[Passage] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    #: Articles whose translation could not be attached below the title, and why.
    differences: list[str] = field(default_factory=list)
    #: Known defects of the fr/es/de/it sources met (loaders/instrument_translations.py KNOWN_DEFECTS).
    defects: list[str] = field(default_factory=list)

    def provisions(self) -> Iterator[Provision]:
        for article in self.articles:
            yield from article.walk()


def clean(text: str) -> str:
    """The words of a line as the reader sees them: Markdown links reduced to their text (the targets
    are the database's own file paths), the export's TeX-style opening quote ``  and the straight
    quote that closes it restored to “…” („…” in Dutch), runs of spaces collapsed."""
    text = LINK.sub(lambda m: m.group(1), text).replace("``", "“")
    out, quoting = [], False
    for char in text:
        if char in "“„":
            quoting = True
        elif char == "”" or (char == '"' and quoting):
            char, quoting = "”", False
        out.append(char)
    return " ".join("".join(out).split())


def _series(token: str) -> list[tuple[str, int]]:
    """What a marker can count in: "i" is the ninth letter or the first roman numeral."""
    if token.isdigit():
        return [("number", int(token))]
    found = [("letter", ord(token) - ord("a") + 1)] if len(token) == 1 else []
    return found + ([("roman", ROMAN[token])] if token in ROMAN else [])


# Which list may open below which: numbered paragraphs and lettered subparagraphs below the article,
# subparagraphs below a paragraph, items (i), (ii) below a subparagraph, sub-items a., b. below an item.
_OPENS = {("article", "number"): "paragraph", ("article", "letter"): "subparagraph",
          ("paragraph", "letter"): "subparagraph", ("subparagraph", "roman"): "item", ("item", "letter"): "item"}


class _Reader:
    """Reads the export line by line; one reader per file, one language part after the other."""

    def __init__(self, parsed: ParsedInstrument) -> None:
        self.parsed = parsed
        self.articles: dict[str, list[Provision]] = {}  # language -> articles in file order
        self.language: str | None = None
        self.section = "front"  # "front" | "preamble" | "articles" | "closing"
        self.article: Provision | None = None
        self.open: list[tuple[str, int, Provision]] = []  # the open lists: (series, last value, unit)
        self.expect: str | None = None  # a "####" line right after a heading is that heading's title

    def read(self, n: int, line: str) -> None:
        expect, self.expect = self.expect, None
        if n == 1 and line.startswith("<meta"):  # the HTML encoding declaration the export starts with
            self.passage("html-meta", n, line)
        elif match := ARTICLE.match(line):
            self.start_article(n, match.group(1), match.group(2), line)
        elif match := CHAPTER.match(line):
            self.article, self.section = None, "articles"
            self.passage("chapter", n, clean(match.group(0)[3:]))
            self.expect = None if match.group(2) else "chapter-title"
        elif match := TITLE.match(line):
            if expect == "article-title" and self.article and self.language:
                self.article.title[self.language] = clean(match.group(1))
            elif expect == "chapter-title":  # "###I" then "####General provisions": one heading
                heading = self.parsed.outside.pop()
                self.parsed.outside.append(replace(heading, text=f"{heading.text} {clean(match.group(1))}"))
            elif self.language is None or self.section == "closing":
                self.start_part(n, match.group(1), line)
            else:  # a translation starts only after the closing formula of the version before it
                self.parsed.unplaced.append((n, line))
        elif match := DATABASE_TITLE.match(line):
            self.passage("database-title", n, clean(match.group(1)))
        elif line.startswith("#"):
            self.parsed.unplaced.append((n, line))
        elif TESTIMONIUM.match(line):  # "IN WITNESS WHEREOF ...": the articles are over
            self.article, self.section = None, "closing"
            self.passage("testimonium", n, clean(line))
        elif self.section == "closing":  # signatures, should an export carry them
            self.passage("closing", n, clean(line))
        elif self.article is not None:
            self.read_article_line(n, line)
        elif self.language and (self.section == "preamble" or (self.section == "front" and PREAMBLE.match(line))):
            self.section = "preamble"
            self.passage("preamble", n, clean(PREAMBLE.sub("", line)))
        else:
            self.parsed.unplaced.append((n, line))

    def passage(self, kind: str, n: int, text: str) -> None:
        self.parsed.outside.append(Passage(kind, self.language, n, text))

    def start_part(self, n: int, title: str, line: str) -> None:
        """A title line that follows no heading opens the next language part."""
        if len(self.articles) == len(LANGUAGES):
            self.parsed.unplaced.append((n, line))
            return
        self.language = LANGUAGES[len(self.articles)]
        self.articles[self.language] = []
        self.section = "front"
        # The Dutch SOM heading ends in a full stop that no other title has.
        self.parsed.title[self.language] = clean(title).rstrip(".")
        self.passage("title", n, clean(title))

    def start_article(self, n: int, word: str, number: str, line: str) -> None:
        self.article, self.open, self.section = None, [], "articles"
        if self.language is None or HEADING_WORD[self.language] != word:
            self.parsed.unplaced.append((n, line))  # "Artikel" among the English articles, or no title before
            return
        articles = self.articles[self.language]
        if any(a.number == number for a in articles):
            self.parsed.unplaced.append((n, line))
            return
        self.article = Provision("article", number, f"{self.parsed.code}/art/{number}", n)
        articles.append(self.article)
        self.expect = "article-title"

    def read_article_line(self, n: int, line: str) -> None:
        assert self.article is not None and self.language is not None
        match = MARKER.match(line)
        if match is None:
            if self.article.parts:  # words after a list (closing words): the official texts have none
                self.parsed.unplaced.append((n, line))
            else:  # the article's introductory words, or its whole text
                words = clean(line)
                joined = self.article.text.get(self.language, "") + "\n" + words
                self.article.text[self.language] = joined.strip()
            return
        unit = self.place(match.group("number") or match.group("paren") or match.group("bare"), n)
        if unit is None:
            self.parsed.unplaced.append((n, line))
        elif words := clean(line[match.end():]):
            unit.text[self.language] = words  # an empty "a) " is only the heading of its items

    def place(self, token: str, n: int) -> Provision | None:
        """Put a marker where it continues an open list (innermost first), else open a list below the
        last unit. The order of the markers decides, not their typography: the English "a." is a
        sub-item and the Dutch "a." a subparagraph; "i" after "h" is a letter."""
        assert self.article is not None
        candidates = _series(token)
        for depth in range(len(self.open) - 1, -1, -1):
            series, last, _ = self.open[depth]
            if any(s == series and v == last + 1 for s, v in candidates):
                parent = self.open[depth - 1][2] if depth else self.article
                del self.open[depth:]
                return self.add(parent, series, token, n)
        parent = self.open[-1][2] if self.open else self.article
        for series, value in candidates:
            if value == 1 and (parent.kind, series) in _OPENS:
                return self.add(parent, series, token, n)
        return None

    def add(self, parent: Provision, series: str, token: str, n: int) -> Provision:
        kind = _OPENS[(parent.kind, series)]
        unit = Provision(kind, token, f"{parent.reference}/{token}", n)
        parent.parts.append(unit)
        self.open.append((series, dict(_series(token))[series], unit))
        return unit


def parse_instrument(path: Path, code: str) -> ParsedInstrument:
    """Read one export (English, then Dutch) into its articles, the passages outside them, and the
    lines that fit nowhere. Never raises for the content: see ``unplaced`` and ``differences``."""
    if code not in INSTRUMENTS:
        raise UsageError(f"unknown instrument '{code}'; known: {', '.join(INSTRUMENTS)}")
    parsed = ParsedInstrument(code, path)
    reader = _Reader(parsed)
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip():
            reader.read(n, raw.strip())
    parsed.articles = reader.articles.get("en", [])
    for language in LANGUAGES[1:]:
        _attach_translation(parsed, reader.articles.get(language, []), language)
    for passage in parsed.outside:  # "Preamble The States Parties …": one line per language
        if passage.kind == "preamble" and passage.language and passage.text:
            joined = parsed.preamble.get(passage.language, "") + "\n" + passage.text
            parsed.preamble[passage.language] = joined.strip()
    return parsed


def translate(parsed: ParsedInstrument, translations_dir: Path) -> None:
    """Attach the French, Spanish, German and Italian texts (``translations_dir/{lang}/{code}.md``,
    loaders/instrument_translations.py) to the English provisions; SourceError if one can't be placed."""
    for language in instrument_translations.LANGUAGES:
        path = translations_dir / language / f"{parsed.code}.md"
        if not path.is_file():
            raise SourceError(f"no {language} text for '{parsed.code}': {path} does not exist", Location(str(path)))
        translated = instrument_translations.read_translation(path, language)
        parsed.defects.extend(instrument_translations.align(parsed, translated))


def _attach_translation(parsed: ParsedInstrument, translated: list[Provision], language: str) -> None:
    """Match by article number, then by the whole list of subdivisions, or attach nothing below the title."""
    english = {article.number: article for article in parsed.articles}
    for article in translated:
        target = english.pop(article.number, None)
        if target is None:
            parsed.differences.append(f"art. {article.number}: in {language} only")
            continue
        target.title.update(article.title)
        ours, theirs = list(target.walk()), list(article.walk())
        if [p.reference for p in ours] != [p.reference for p in theirs]:
            parsed.differences.append(f"art. {article.number}: {language} subdivisions differ from the English")
            continue
        for mine, other in zip(ours, theirs):
            mine.text.update(other.text)
    parsed.differences.extend(f"art. {number}: no {language} text" for number in english)


def instruments_graph(iris: Iris, texts_dir: Path, metadata_csv: Path, translations_dir: Path | None = None) -> Graph:
    """Every instrument of ``metadata_csv`` with every provision of ``texts_dir/{code}.md``, and the
    translations of ``translations_dir`` (default ``texts_dir/translations``).
    Raises SourceError on a malformed metadata row, a missing text, or a line that fits nowhere."""
    translations_dir = texts_dir / "translations" if translations_dir is None else translations_dir
    graph = Graph()
    for row, where in _metadata(metadata_csv):
        path = texts_dir / f"{row['code']}.md"
        if not path.is_file():
            raise SourceError(f"no text for '{row['code']}': {path} does not exist", where)
        try:
            parsed = parse_instrument(path, row["code"])
        except UnicodeDecodeError as error:
            raise SourceError(f"not UTF-8 text ({error.reason})", Location(str(path))) from None
        if parsed.unplaced:
            shown = "; ".join(f"line {n}: {text[:60]!r}" for n, text in parsed.unplaced[:3])
            raise SourceError(f"{len(parsed.unplaced)} line(s) fit no article, preamble, chapter heading "
                              f"or closing formula: {shown}", Location(str(path), parsed.unplaced[0][0]))
        if parsed.title.get("en") != row["title_en"]:
            raise SourceError(f"title_en differs from the text's heading {parsed.title.get('en')!r}",
                              replace(where, field="title_en"))
        translate(parsed, translations_dir)
        _add_instrument(graph, iris, row, where, parsed)
    return graph


def _metadata(path: Path) -> Iterator[tuple[dict[str, str], Location]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(f"missing column(s): {', '.join(missing)}", Location(str(path), 1))
        for raw in reader:
            where = Location(str(path), reader.line_num)
            if None in raw:
                raise SourceError("more values than columns", where)
            row = {k: (v or "").strip() for k, v in raw.items()}
            where = replace(where, record=row["code"])
            if row["code"] not in INSTRUMENTS:
                raise SourceError(f"unknown instrument code; known: {', '.join(INSTRUMENTS)}", replace(where, field="code"))
            yield row, where


def _literal(row: dict[str, str], name: str, where: Location, datatype: URIRef | None = None) -> Literal | None:
    """A metadata value as a typed literal, None when empty; a value of the wrong shape is a SourceError."""
    value = row[name]
    if not value:
        return None
    try:
        if datatype == XSD.date:
            return Literal(date.fromisoformat(value).isoformat(), datatype=XSD.date)
        if datatype == XSD.integer:
            return Literal(int(value))
    except ValueError:
        expected = "a date (YYYY-MM-DD)" if datatype == XSD.date else "a whole number"
        raise SourceError(f"'{value}' is not {expected}", replace(where, field=name)) from None
    return Literal(value)


def _add_instrument(graph: Graph, iris: Iris, row: dict[str, str], where: Location, parsed: ParsedInstrument) -> None:
    node = iris.instrument(parsed.code)
    graph.add((node, RDF.type, ELI.LegalResource))
    graph.add((node, RDF.type, SHERLOC.InternationalInstrument))
    graph.add((node, DCTERMS.identifier, Literal(parsed.code)))
    titles = [Literal(title, lang=language) for language, title in {**parsed.title, "en": row["title_en"]}.items()]
    for title in titles:
        graph.add((node, DCTERMS.title, title))
        graph.add((node, SKOS.prefLabel, title))
    # its language versions (eli:LegalExpression, loaders/eli.py): a title each
    for triple in language_versions(node, titles):
        graph.add(triple)
    for language, preamble in parsed.preamble.items():
        graph.add((node, SHERLOC.preamble, Literal(preamble, lang=language)))
    facts = ((ELI.date_document, "adopted", XSD.date), (ELI.first_date_entry_in_force, "entry_into_force", XSD.date),
             (SHERLOC.adoptedBy, "adopted_by", None), (SHERLOC.signatoryCount, "signatories", XSD.integer),
             (SHERLOC.partyCount, "parties", XSD.integer), (SHERLOC.countsAsAt, "counts_as_at", XSD.date))
    for predicate, name, datatype in facts:
        value = _literal(row, name, where, datatype)
        if value is None and name in ("adopted", "adopted_by", "entry_into_force"):
            raise SourceError("required field is missing", replace(where, field=name))
        if value is not None:
            graph.add((node, predicate, value))
    # Links out (sherloc_kg/links_out.py): the depositary's record in the UN Treaty Collection, and
    # the resolution adopted_by names, as a UN document; a resolution named otherwise is an error.
    graph.add((node, RDFS.seeAlso, untc_record(parsed.code)))
    resolution = ga_resolution(row["adopted_by"])
    if resolution is None:
        raise SourceError("not a General Assembly resolution written as 'General Assembly resolution 55/25'",
                          replace(where, field="adopted_by"))
    graph.add((node, SHERLOC.adoptedByResolution, resolution))
    if (row["signatories"] or row["parties"]) and not row["counts_as_at"]:
        raise SourceError("counts need the date they were taken at", replace(where, field="counts_as_at"))
    if row["supplements"]:  # a Protocol is read together with the Convention (each Protocol's art. 1)
        if row["supplements"] not in INSTRUMENTS:
            raise SourceError("unknown instrument code", replace(where, field="supplements"))
        graph.add((node, SHERLOC.supplements, iris.instrument(row["supplements"])))
    for position, article in enumerate(parsed.articles, start=1):
        _add_provision(graph, iris, node, node, article, position)
        # the kind of obligation each unit lays on a State Party (sherloc_kg/obligations.py)
        for reference, kind in obligations.assign(article).items():
            graph.add((iris.provision(reference), SHERLOC.obligationType, iris.concept(obligations.SCHEME, kind)))


def _add_provision(graph: Graph, iris: Iris, instrument: URIRef, parent: URIRef, provision: Provision,
                   position: int) -> None:
    node = iris.provision(provision.reference)
    graph.add((parent, ELI.has_part, node))
    titles = [Literal(t, lang=lang) for lang, t in provision.title.items()]
    texts = [Literal(t, lang=lang) for lang, t in provision.text.items()]
    # The specific class, ConventionProvision and ELI's subdivision, all asserted, so that queries
    # (and a harvester reading the data without a reasoner) need no inference.
    for predicate, value in ((RDF.type, CLASSES[provision.kind]), (RDF.type, SHERLOC.ConventionProvision),
                             (RDF.type, ELI.LegalResourceSubdivision),
                             (ELI.is_part_of, parent), (ELI.number, Literal(provision.number)),
                             (SHERLOC.position, Literal(position)), (SHERLOC.instrument, instrument),
                             (SKOS.notation, Literal(provision.reference)),
                             *((DCTERMS.title, title) for title in titles),
                             *((SHERLOC.text, text) for text in texts)):
        graph.add((node, predicate, value))
    # one language version per language of its title or words (loaders/eli.py)
    for triple in language_versions(node, titles, texts):
        graph.add(triple)
    for child_position, part in enumerate(provision.parts, start=1):
        _add_provision(graph, iris, instrument, node, part, child_position)
