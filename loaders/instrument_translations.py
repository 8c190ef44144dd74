"""The Convention and its Protocols in French, Spanish, German and Italian, aligned with the English
provision tree that ``loaders/instruments.py`` builds.

French and Spanish are two of the six equally authentic texts (the Convention's art. 41, each
Protocol's last article); German and Italian are the official Swiss translations. The files are in
``data/convention-texts/translations/{fr,es,de,it}/`` as their sources exported them, with the
defects ``data/convention-texts/PROVENANCE.md`` lists; each layout has its own reader here:

- ``fedlex`` (fr, it): ``**Art. 2** Art. 2 Terminologie`` headings; numbered paragraphs ``1.`` or
  ``(1)``, sometimes run together on one line; lettered subparagraphs and roman items always run
  together (``…Convention:a) l'expression …;b) l'expression …``); no preambles.
- ``fedlex-de`` (de): ``##### **Art. N** Title`` (a long title wraps onto the next line),
  ``<sup>(1)</sup>``/``(1)`` paragraphs, ``- a)`` list lines, chapters, preamble, footnotes.
- ``infoleg`` (es): ``##### Artículo N`` then the title on its own line(s), ``1.`` ``a)`` ``i)`` lines,
  chapters and the preamble as plain lines, and (for the Firearms Protocol) the Argentine law that
  approved it before the treaty's own title.

Alignment is by the Convention's own numbering, which every language keeps: each article by its
number, and inside it the units in the English order, each translated unit carrying the same marker
as the English one at that place. Run-together units are split only where the next expected marker
(``b)`` after ``a)``, ``ii)`` after ``i)``) stands at a unit boundary; a marker in the words (``l'al.
a)``) is not one. An English unit not found, a marker out of order, or a translated unit with no
English counterpart is a SourceError naming the file and line: a text is attached whole or refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sherloc_kg.errors import Location, SourceError

if TYPE_CHECKING:  # instruments.py imports this module: no import cycle at run time
    from .instruments import ParsedInstrument, Provision

#: The translations, in the order they are read; layout of each language's files.
LANGUAGES = ("fr", "es", "de", "it")
LAYOUT = {"fr": "fedlex", "it": "fedlex", "de": "fedlex-de", "es": "infoleg"}
#: Opening words of the closing formula ("In witness whereof") in each language.
TESTIMONIUM = {"fr": re.compile(r"^En foi de quoi\b", re.I), "it": re.compile(r"^In fede di ci", re.I),
               "de": re.compile(r"^Zu Urkund dessen\b"), "es": re.compile(r"^EN FE DE LO CUAL\b")}

FEDLEX_ARTICLE = re.compile(r"^\*\*Art\.\s*(\d+)\*\*\s*(?:Art\.\s*\d+\s*)?(.*)$")
DE_ARTICLE = re.compile(r"^#####\s*Art\.\s*(\d+)\s*(.*)$")  # matched with the emphasis removed
ES_ARTICLE = re.compile(r"^#####\s*Art[íi]culo\s+(\d+)\s*$", re.I)
ES_CHAPTER = re.compile(r"^([IVX]+)\.\s+\S")
# A marker at the start of a line: "<sup>(1)</sup>", "(1)", "1." (Spanish also "1 " once), "- a)",
# "a)", "i)", "a.". Which unit it opens is decided by the English order, not by its typography.
LINE_MARKER = re.compile(r"^(?:-\s+)?(?:<sup>\((?P<sup>\d{1,3})\)</sup>|\((?P<paren>\d{1,3})\)|(?P<number>\d{1,3})(?:\.|\s(?=[A-ZÁÉÍÓÚ]))|"
                         r"(?P<letter>[a-z]{1,5})[.)])\s*")
FOOTNOTE_REF = re.compile(r"\[\^\d+\]")
# The Fedlex (fr, it) extraction runs the Swiss edition's footnotes into the sentence: "de la Convention
# de 1951 RS 0.142.30 et du Protocole de 1967 RS 0.142.301": the number of the treaty cited in the Swiss
# Classified Compilation, not treaty text.
SWISS_FOOTNOTE = re.compile(r"\s+RS\s+0(?:\.\d+)+\b")
# The Argentine text (es) keeps one page header of the Official Gazette at the end of a line:
# "…municiones; y Martes 5 de setiembre de 2006".
GAZETTE_HEADER = re.compile(r"\s+(?:Lunes|Martes|Miércoles|Jueves|Viernes) \d{1,2} de [a-z]+ de \d{4}$")
EMPHASIS = re.compile(r"\*+")
# Words a Spanish title line cannot end with: the title goes on on the next line.
ES_OPEN_END = re.compile(r"\b(?:de|del|la|las|los|el|y|o|con|contra|en|a|al|para|por|sobre)$", re.I)
# Conjunctions the Fedlex extraction glues to the next marker: "etb)", "oud)", "ec)", "od)".
# Also after a stop and a space: "; o b)".
GLUED_CONJUNCTION = re.compile(r"(?:(?:^|[\s;:,])(?:et|ou|e|o|ed|od|oppure)|[;:,]\s*(?:et|ou|e|o|ed|od|oppure)\s+)$")
#: Defects of a source, found by this loader, that stop one article from being aligned (docs in
#: data/convention-texts/PROVENANCE.md). Such an article keeps its title; its units get no words in that
#: language, and the defect is reported in the coverage table, never mended by a guessed placement. Should
#: the article align after all (a corrected source), the load stops: the note would be wrong.
KNOWN_DEFECTS = {
    ("es", "fp", "8"): "the number 1. of paragraph 1 is missing (the article's words start with its "
                       "introduction and a), then 2. follows)",
}
ROMAN = "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split()


@dataclass
class Piece:
    """Words of the source with the line they are on."""

    line: int
    text: str


@dataclass
class Segment:
    """One unit as a line-based layout (de, es) writes it: its marker (None for words without one)."""

    token: str | None
    text: str
    line: int
    inline: bool = False  # split off the line of the marker before it ("a) i) …")


@dataclass
class TranslatedArticle:
    number: str
    line: int
    title: str
    body: list[Piece] = field(default_factory=list)


@dataclass
class TranslatedText:
    """One translation file read: its title, preamble, articles, and every other line classified."""

    language: str
    path: Path
    title: str | None = None
    preamble: list[Piece] = field(default_factory=list)
    articles: list[TranslatedArticle] = field(default_factory=list)
    outside: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, line, text)
    unplaced: list[tuple[int, str]] = field(default_factory=list)


def clean(text: str) -> str:
    """The words as a reader sees them: the Swiss edition's footnotes (calls ``[^1]`` in German, the
    notes' own "RS 0.142.30" run into the French and Italian sentence) and the Argentine gazette's
    page header removed, Markdown emphasis removed, runs of spaces collapsed."""
    text = GAZETTE_HEADER.sub("", SWISS_FOOTNOTE.sub("", FOOTNOTE_REF.sub("", text)))
    return " ".join(EMPHASIS.sub("", text).split())


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"not UTF-8 text ({error.reason})", Location(str(path))) from None
    return [(n, line.rstrip()) for n, line in enumerate(raw.splitlines(), start=1)]


def _front_matter(lines: list[tuple[int, str]], text: TranslatedText) -> int:
    """Classify the source comment and the YAML front matter; return the index of the next line.
    A Fedlex front matter's ``title:`` (folded over indented lines) is the instrument's title."""
    i = 0
    if lines and lines[0][1].startswith("<!--"):
        text.outside.append(("source", lines[0][0], lines[0][1]))
        i = 1
    if i < len(lines) and lines[i][1] == "---":
        start, i = i, i + 1
        while i < len(lines) and lines[i][1] != "---":
            i += 1
        block = lines[start:i + 1]
        for n, line in block:
            text.outside.append(("metadata", n, line))
        i += 1
        if LAYOUT[text.language] == "fedlex":
            for k, (_, line) in enumerate(block):
                if line.startswith("title:"):
                    folded = [line[len("title:"):]]
                    for _, more in block[k + 1:]:
                        if not more.startswith("  "):
                            break
                        folded.append(more)
                    text.title = clean(" ".join(folded))
    return i


def read_translation(path: Path, language: str) -> TranslatedText:
    """Read one translation file into its articles and classified passages (never raises for the
    content: lines that fit nowhere are in ``unplaced``)."""
    text = TranslatedText(language, path)
    lines = _lines(path)
    start = _front_matter(lines, text)
    {"fedlex": _read_fedlex, "fedlex-de": _read_german, "infoleg": _read_spanish}[LAYOUT[language]](
        lines[start:], text)
    return text


def _closing(text: TranslatedText, n: int, line: str, section: str) -> str | None:
    """The closing formula and what follows it (the signatures' placeholder) close the articles."""
    if TESTIMONIUM[text.language].match(clean(line)):
        text.outside.append(("testimonium", n, clean(line)))
        return "closing"
    if section == "closing":
        text.outside.append(("closing", n, clean(line)))
        return "closing"
    return None


def _read_fedlex(lines: list[tuple[int, str]], text: TranslatedText) -> None:
    section, article = "front", None
    for n, line in lines:
        if not line.strip():
            continue
        if closing := _closing(text, n, line, section):
            section, article = closing, None
        elif match := FEDLEX_ARTICLE.match(line):
            article = TranslatedArticle(match.group(1), n, clean(match.group(2)))
            text.articles.append(article)
            section = "articles"
        elif article is not None:
            article.body.append(Piece(n, line.strip()))
        else:  # the Fedlex extraction has no preamble: anything here is unexpected
            text.unplaced.append((n, line))


def _read_german(lines: list[tuple[int, str]], text: TranslatedText) -> None:
    section, article, previous = "front", None, ""
    for n, line in lines:
        after_heading, previous = previous, line
        if not line.strip():
            continue
        if section == "footnotes":  # "[^1]: [SR 0.311.54](…)": the Swiss edition's notes
            text.outside.append(("footnote", n, line))
        elif closing := _closing(text, n, line, section):
            section, article = closing, None
        elif line.startswith("###### "):
            heading = clean(line[7:])
            section = "footnotes" if heading == "Fussnoten" else ("articles" if section != "closing" else section)
            article = None
            text.outside.append(("footnotes" if section == "footnotes" else "chapter", n, heading))
        elif match := DE_ARTICLE.match(EMPHASIS.sub("", line)):  # "##### **Art. ****17** …" once
            article = TranslatedArticle(match.group(1), n, clean(match.group(2)))
            text.articles.append(article)
            section = "articles"
        elif article is not None and not article.body and after_heading.startswith("#####"):
            article.title = f"{article.title} {clean(line)}"  # a long heading wraps onto the next line
        elif article is not None:
            article.body.append(Piece(n, line.strip()))
        elif line.startswith("# ") and text.title is None:
            text.title = clean(line[2:])
        else:
            section = _before_the_articles(text, n, line, section, "Präambel")


def _before_the_articles(text: TranslatedText, n: int, line: str, section: str, heading: str) -> str:
    """A line outside any article: the preamble's heading (``heading``, in the text's language), a
    line of the preamble, or a line the reader could not place. The section it leaves the reader in."""
    if clean(line) == heading:
        text.outside.append(("preamble-heading", n, clean(line)))
        return "preamble"
    if section == "preamble":
        text.preamble.append(Piece(n, clean(line)))
    else:
        text.unplaced.append((n, line))
    return section


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _read_spanish(lines: list[tuple[int, str]], text: TranslatedText) -> None:
    content = [(n, line.strip()) for n, line in lines if line.strip()]
    first = next((k for k, (_, line) in enumerate(content)
                  if ES_ARTICLE.match(line) or clean(line) == "Preámbulo" or ES_CHAPTER.match(line)), len(content))
    # The treaty's own title: the run of capitals just before its preamble (or first article); what
    # comes before it is the Argentine law that approved the treaty (Ley 26.138 for the Firearms Protocol).
    title_start = first
    while title_start > 0 and _is_upper(content[title_start - 1][1]) and not content[title_start - 1][1].startswith("#"):
        title_start -= 1
    for n, line in content[:title_start]:
        text.outside.append(("approving-law", n, line))
    if title_start < first:
        text.title = clean(" ".join(line for _, line in content[title_start:first]))
        text.outside.extend(("title", n, line) for n, line in content[title_start:first])
    section, article, k = "front", None, first
    while k < len(content):
        n, line = content[k]
        k += 1
        if closing := _closing(text, n, line, section):
            section, article = closing, None
        elif match := ES_ARTICLE.match(line):
            article = TranslatedArticle(match.group(1), n, "")
            text.articles.append(article)
            section = "articles"
            title: list[str] = []
            while k < len(content) and _continues_title(title, content[k][1]):
                title.append(clean(content[k][1]))
                k += 1
            article.title = " ".join(title)
        elif ES_CHAPTER.match(line):
            article, section = None, "articles"
            text.outside.append(("chapter", n, clean(line)))
        elif article is not None:
            article.body.append(Piece(n, line))
        else:
            section = _before_the_articles(text, n, line, section, "Preámbulo")


def _continues_title(title: list[str], line: str) -> bool:
    """Whether a line after ``##### Artículo N`` is (more of) the article's title. The title is the
    first line; it wraps onto the next while that line starts in lower case, the line before ends in
    a word no title ends with ("de", "y"), or it is a short line without a sentence's final stop."""
    if LINE_MARKER.match(line) or ES_ARTICLE.match(line) or ES_CHAPTER.match(line):
        return False
    if not title:
        return True
    return (line[:1].islower() or bool(ES_OPEN_END.search(title[-1]))
            or (len(line) <= 50 and not line.endswith((".", ":", ";"))))


# ---------------------------------------------------------------------------------------------
# Alignment with the English tree
# ---------------------------------------------------------------------------------------------

def _descendants(article: Provision) -> list[Provision]:
    return [unit for unit in article.walk() if unit is not article]


def _error(path: Path, line: int, message: str) -> SourceError:
    return SourceError(message, Location(str(path), line))


def _marker(token: str, kind: str) -> str:
    return f"{token}." if kind == "paragraph" else f"{token})"


def align(parsed: ParsedInstrument, translated: TranslatedText) -> list[str]:
    """Attach the translation's title, preamble, article titles and words to ``parsed``'s English
    provisions, or raise a SourceError naming the file and line of the first unit that cannot be
    placed. Nothing is attached before the whole text has been placed. Returns the known defects
    (KNOWN_DEFECTS) met, each as "file:line: art. N: what"."""
    language, path = translated.language, translated.path
    if translated.unplaced:
        n, line = translated.unplaced[0]
        raise _error(path, n, f"{len(translated.unplaced)} line(s) fit no article, preamble, chapter heading "
                              f"or closing formula: {line[:60]!r}")
    english = {article.number: article for article in parsed.articles}
    seen: set[str] = set()
    found: list[tuple[Provision, str, dict[str, str]]] = []
    defects: list[str] = []
    for article in translated.articles:
        target = english.get(article.number)
        if target is None:
            raise _error(path, article.line, f"art. {article.number} has no English counterpart in {parsed.code}")
        if article.number in seen:
            raise _error(path, article.line, f"art. {article.number} appears twice")
        seen.add(article.number)
        if not article.title:
            raise _error(path, article.line, f"art. {article.number} has no title")
        defect = KNOWN_DEFECTS.get((language, parsed.code, article.number))
        try:
            if LAYOUT[language] == "fedlex":
                words = _split_run_together(path, article, target)
            else:
                words = _match_lines(path, article, target, language)
        except SourceError as error:
            if defect is None:
                raise
            defects.append(f"{language}/{path.name}:{error.location.line}: art. {article.number}: {defect}")
            words = {}
        else:
            if defect is not None:
                raise _error(path, article.line, f"art. {article.number} aligns, but KNOWN_DEFECTS says: {defect}")
        found.append((target, article.title, words))
    missing = [number for number in english if number not in seen]
    if missing:
        raise _error(path, 1, f"no article {', '.join(missing)} of {parsed.code} in this text")
    for target, title, words in found:
        target.title[language] = title
        for unit in target.walk():
            if words.get(unit.reference):
                unit.text[language] = words[unit.reference]
    if translated.title:
        parsed.title[language] = translated.title
    if translated.preamble:
        parsed.preamble[language] = "\n".join(piece.text for piece in translated.preamble)
    return defects


# --- line-based layouts (de, es) --------------------------------------------------------------

def _segments(article: TranslatedArticle) -> list[Segment]:
    """Each body line as (marker, words); "a) i) words" as two segments."""
    out: list[Segment] = []
    for piece in article.body:
        rest, inline = piece.text, False
        match = LINE_MARKER.match(rest)
        if match is None:
            words = clean(rest[2:] if rest.startswith("- ") else rest)  # "- " a bullet with no marker
            out.append(Segment(None, words, piece.line))
            continue
        while match is not None:
            token = next(g for g in match.groupdict().values() if g)
            rest = rest[match.end():]
            following = LINE_MARKER.match(rest)
            # "a) i) …": a marker straight after a marker; only a roman item can follow that way.
            if following and (following.group("letter") or "") in ROMAN:
                out.append(Segment(token, "", piece.line, inline))
                match, inline = following, True
                continue
            out.append(Segment(token, clean(rest), piece.line, inline))
            match = None
    return out


def _reorder_post_order(segments: list[Segment]) -> list[Segment]:
    """The German extraction writes a unit whose words introduce a list of its own in post-order:
    its words unmarked, its list, then its marker alone (``eine der … Handlungen:`` / ``- i) …`` /
    ``- ii) …`` / ``- a)``). Each such lone marker belongs to the latest unmarked words that open a
    list (followed by an ``i)`` or ``a.``) and are not yet claimed; it is moved there."""
    out = list(segments)
    pending: list[int] = []
    marked = False
    for k, segment in enumerate(out):
        if segment.token is not None and segment.token.isdigit():
            pending, marked = [], True
        elif segment.token is None:
            following = out[k + 1] if k + 1 < len(out) else None
            if marked and following is not None and following.token in ("i", "a"):
                pending.append(k)
        elif not segment.text and not segment.inline and pending:
            opener = pending.pop()
            out[opener] = Segment(segment.token, out[opener].text, out[opener].line)
            out[k] = Segment(None, "", segment.line)  # the lone marker, moved
        else:
            marked = True
    return [s for s in out if s.token is not None or s.text]


def _match_lines(path: Path, article: TranslatedArticle, target: Provision, language: str) -> dict[str, str]:
    segments = _segments(article)
    if language == "de":
        segments = _reorder_post_order(segments)
    expected = _descendants(target)
    words: dict[str, list[str]] = {target.reference: []}
    current, k = target, 0
    for segment in segments:
        if segment.token is not None:
            if k >= len(expected):
                raise _error(path, segment.line, f"art. {article.number}: '{segment.token}' follows the last unit "
                                                 f"of the English text ({expected[-1].reference if expected else target.reference}): "
                                                 "no English counterpart")
            unit = expected[k]
            if unit.number != segment.token:
                raise _error(path, segment.line, f"art. {article.number}: found '{segment.token}' where the English "
                                                 f"has {_marker(unit.number, unit.kind)} ({unit.reference})")
            current, k = unit, k + 1
            words[current.reference] = []
        if segment.text:
            words[current.reference].append(segment.text)
    if k < len(expected):
        raise _error(path, article.line, f"art. {article.number}: {expected[k].reference} "
                                         f"({_marker(expected[k].number, expected[k].kind)}) not found")
    return {unit: " ".join(parts) for unit, parts in words.items()}


# --- run-together layout (fr, it) ------------------------------------------------------------

def _boundary(text: str, at: int, parent_marker: str | None) -> bool:
    """Whether a marker found at ``text[at]`` starts a unit: at the start, glued to the stop before
    (":a)", ";b)", ",ii)", ".(2)"), to a conjunction ("etb)", "oud)"), after "; " or ": ", or right
    after its parent's own marker ("a) i)"). "l'al. a)" and "aux al. a), b)" are references."""
    before = text[:at]
    if not before.strip():
        return True
    if before[-1] in ":;,.)»" or re.search(r"[:;]\s+$", before):
        return True
    if GLUED_CONJUNCTION.search(before):
        return True
    return parent_marker is not None and before.rstrip().endswith(parent_marker)


def _find(pieces: list[Piece], start: tuple[int, int], unit: Provision, parent_marker: str | None,
          sub_item: bool = False) -> tuple[int, int, int] | None:
    """The first boundary occurrence of ``unit``'s marker from ``start``: (piece, at, end)."""
    if unit.kind == "paragraph":
        pattern = re.compile(rf"\({unit.number}\)\s*|(?<!\d){unit.number}\.\s+")
    else:
        # sub-items below an item are written "a." as in English
        pattern = re.compile(rf"{unit.number}[.)]\s*" if sub_item else rf"{unit.number}\)\s*")
    index, position = start
    while index < len(pieces):
        text = pieces[index].text
        for match in pattern.finditer(text, position):
            if unit.kind == "paragraph" and match.group(0)[0] != "(" and match.start() != 0 \
                    and text[match.start() - 1] not in ".;:":
                continue  # "2." counts at the start of a line or glued to a full stop ("amendement.5.")
            if _boundary(text, match.start(), parent_marker):
                return index, match.start(), match.end()
        index, position = index + 1, 0
    return None


def _successor(unit: Provision) -> str | None:
    if unit.kind == "paragraph":
        return str(int(unit.number) + 1)
    if unit.number in ROMAN and unit.kind == "item" and ROMAN.index(unit.number) + 1 < len(ROMAN):
        return ROMAN[ROMAN.index(unit.number) + 1]
    return chr(ord(unit.number) + 1) if len(unit.number) == 1 else None


def _split_run_together(path: Path, article: TranslatedArticle, target: Provision) -> dict[str, str]:
    """Cut the article's words at each English unit's marker, in the English order; the words
    between two markers are the first unit's."""
    pieces = [Piece(p.line, clean(p.text)) for p in article.body]
    if not pieces:
        raise _error(path, article.line, f"art. {article.number} has no words")
    parents = {id(part): unit for unit in target.walk() for part in unit.parts}
    starts: list[tuple[Provision, int, int]] = [(target, 0, 0)]  # unit, piece, where its words start
    marks: list[tuple[int, int]] = []  # piece, where each later unit's marker starts
    position = (0, 0)
    for unit in _descendants(target):
        parent = parents[id(unit)]
        parent_marker = _marker(parent.number, parent.kind) if parent is not target else None
        found = _find(pieces, position, unit, parent_marker, parent.kind == "item")
        if found is None:
            raise _error(path, pieces[position[0]].line,
                         f"art. {article.number}: {_marker(unit.number, unit.kind)} ({unit.reference}) "
                         "not found after the units before it")
        index, at, end = found
        marks.append((index, at))
        starts.append((unit, index, end))
        position = (index, end)
    # Each line of the source starts a unit: a line that does not (a note or reservation of the Swiss
    # edition after an article, say) would otherwise run into the last unit's words.
    for index, piece in enumerate(pieces[1:], start=1):
        if (index, 0) not in marks:
            raise _error(path, piece.line, f"art. {article.number}: a line that starts no unit of the English "
                                           f"text: {piece.text[:60]!r}")
    marks.append((len(pieces) - 1, len(pieces[-1].text)))
    words: dict[str, str] = {}
    for (unit, first, start), (last, stop) in zip(starts, marks):
        parts = [pieces[index].text[start if index == first else 0: stop if index == last else None]
                 for index in range(first, last + 1)]
        words[unit.reference] = " ".join(" ".join(parts).split())
        successor = _successor(unit) if unit is not target else None
        if successor and _extra_unit(words[unit.reference], unit, successor):
            raise _error(path, pieces[first].line, f"art. {article.number}: {unit.reference} is followed by "
                                                   f"{_marker(successor, unit.kind)}, which the English text does not have")
    return words


def _extra_unit(text: str, unit: Provision, successor: str) -> bool:
    """A unit's words holding, at a unit boundary, the marker that would come next in its list."""
    if any(part.number == successor for part in unit.parts):
        return False
    marker = rf"\({successor}\)" if unit.kind == "paragraph" else rf"{successor}\)"
    for match in re.finditer(marker, text):
        before = text[:match.start()]
        if before and (before[-1] in ":;" or GLUED_CONJUNCTION.search(before)):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Coverage
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """How much of one instrument a language covers: units with words of their own (those that have
    English words), and article titles."""

    language: str
    code: str
    with_text: int
    total: int
    titles: int
    articles: int
    preamble: bool


def coverage(parsed: ParsedInstrument, languages: tuple[str, ...]) -> Iterator[Coverage]:
    worded = [unit for unit in parsed.provisions() if "en" in unit.text]
    for language in languages:
        yield Coverage(language, parsed.code, sum(1 for unit in worded if language in unit.text), len(worded),
                       sum(1 for article in parsed.articles if language in article.title), len(parsed.articles),
                       language in parsed.preamble)


def coverage_table(instruments: list[ParsedInstrument], languages: tuple[str, ...]) -> str:
    """The coverage table of data/convention-texts/PROVENANCE.md, as Markdown (a test keeps the
    note's copy equal to this)."""
    rows = ["| language | instrument | provisions with text | article titles | preamble |",
            "|---|---|---|---|---|"]
    for language in languages:
        for parsed in instruments:
            for row in coverage(parsed, (language,)):
                preamble = "yes" if row.preamble else ("not in this text" if any(
                    parsed.preamble.values()) else "none in these texts")
                rows.append(f"| {language} | {row.code} | {row.with_text} / {row.total} | "
                            f"{row.titles} / {row.articles} | {preamble} |")
    return "\n".join(rows)
