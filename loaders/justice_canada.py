"""Canadian federal legislation in Justice Canada's XML: one file (one language of one Act) read
into a tree of numbered units. ``canada_pairing.py`` pairs the English and French files of an Act
and maps the pair to a law record.

The format (``shared/fixtures/real/canada-justice-laws/README.md``): root ``Statute`` (a
consolidated Act, with ``lims:`` point-in-time attributes in the namespace ``http://justice.gc.ca/lims``)
or ``Bill`` (an annual statute as enacted, no ``lims:`` attributes), each with ``Identification``
(titles, chapter) and ``Body`` (``Heading``s and ``Section``s). A section nests ``Subsection``,
``Paragraph``, ``Subparagraph``, ``Clause`` (and ``Subclause``), each with its ``Label``, its
``MarginalNote`` (the note printed in the margin: the unit's title) and its ``Text``.

Every element the reader meets is in one of the tables below and does what the table says; any
other element is an error naming the file, the unit it is in and its ``lims:id``: a unit of law
is never dropped unseen. What is deliberately not read, and why:

* ``Introduction`` (the summary of a bill, written by its drafters, and the enacting formula),
  ``RecentAmendments`` (a list kept by the publisher) and ``Schedule``: the schedules of these
  files are "Related provisions" and "Amendments not in force" (sections of *other* Acts, numbered
  in those Acts) and annexed lists and excerpts; none is a numbered provision of this Act.
* ``HistoricalNote`` (the chapters that enacted or amended a unit), ``Footnote`` and
  ``FootnoteRef`` (the publisher's editorial notes on commencement): notes about the law, not
  its words.

Defined terms, cross-references and formatting inside a text are flattened to their words.
A ``Definition`` (in a definitions section) is no numbered unit: its words, with the lettered
paragraphs of the definition, belong to the text of the unit that holds it, and so does the
continuation text after a list (``ContinuedSectionSubsection``...) and the text an amending
section inserts into another Act (``AmendedText``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from sherloc_kg.errors import Location, SourceError

from .xml_source import parse_xml  # the shared reader: entities refused, syntax errors located

LIMS = "http://justice.gc.ca/lims"
_LIMS = "{" + LIMS + "}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The numbered units of an Act, outermost first: each becomes a provision of its parent.
UNITS = ("Section", "Subsection", "Paragraph", "Subparagraph", "Clause", "Subclause")
#: Inside a text: kept as their words.
INLINE = frozenset({"Emphasis", "DefinedTermEn", "DefinedTermFr", "DefinitionRef", "DefinitionEnOnly",
                    "XRefExternal", "XRefInternal", "Sup", "Sub", "Language", "Repealed", "Label",
                    "TitleText", "MarginalNote", "Text"})
#: Notes about the law, not its words: left out wherever they are.
NOTES = frozenset({"HistoricalNote", "HistoricalNoteSubItem", "Footnote", "FootnoteRef"})
#: Blocks of words that are no numbered unit of their own: part of the text of the unit holding them.
OWN_TEXT = frozenset({"Text", "Definition", "ContinuedSectionSubsection", "ContinuedParagraph",
                      "ContinuedSubparagraph", "ContinuedClause", "ContinuedDefinition", "AmendedText"})
#: What may stand inside a block of OWN_TEXT (a definition's paragraphs, the provisions of another
#: Act an amending section inserts): flattened to words, labels and notes in the margin included.
FLATTENED = INLINE | OWN_TEXT | frozenset(UNITS) | {"SectionPiece", "Heading", "Provision"}
#: Children of the root, and what becomes of them (see the module docstring).
ROOT_PARTS = {"Identification": "read", "Body": "read", "Introduction": "not law",
              "RecentAmendments": "not law", "Schedule": "not this Act's provisions"}
#: The two roots: a consolidated Act or an annual statute.
ROOTS = ("Statute", "Bill")


@dataclass
class Unit:
    """A numbered unit (section, subsection, ...) as one language file gives it."""

    tag: str
    number: str
    where: str  # the unit's place, for error messages: "Section 117 / Subsection (1) (lims:id 123)"
    lims_id: str | None
    text: str = ""
    note: str = ""  # the marginal note
    heading: str = ""  # the heading the section falls under (sections only)
    in_force: str | None = None  # lims:inforce-start-date, as given (YYYY-MM-DD)
    children: list["Unit"] = field(default_factory=list)
    #: An amending section: the act its Heading names (``C-46``), its instruction (its own Text) and
    #: the units of that act it inserts (the numbered units inside its AmendedText).
    amends: str | None = None
    instruction: str = ""
    inserts: list["Unit"] = field(default_factory=list)


@dataclass
class Document:
    """One language file of one Act."""

    path: Path
    root: str  # Statute or Bill
    language: str  # en or fr
    law_id: str  # I-2.5, or 2005-c43 for an annual statute
    identification: str  # what identified it, for error messages
    title: str
    long_title: str
    assented: str | None
    in_force: bool | None
    sections: list[Unit]


def sniff(path: Path) -> bool:
    """Whether ``path`` looks like Justice Canada XML: its root element is ``Statute`` or ``Bill``
    (no namespace) within the first few kilobytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    match = re.search(r"<(?!\?|!)([A-Za-z_][\w.-]*)", head)
    return match is not None and match[1] in ROOTS


def read_document(path: Path) -> Document:
    """Parse one file. SourceError naming the file and the element for anything unexpected."""
    file = str(path)
    root = parse_xml(path)
    if root.tag not in ROOTS:
        raise SourceError(f"not Justice Canada XML: the root element is <{root.tag}>, expected <Statute> "
                          "(a consolidated Act) or <Bill> (an annual statute)", Location(file, 1))
    language = (root.get(_XML_LANG) or "").lower()
    if language not in ("en", "fr"):
        raise SourceError(f"the root element says xml:lang={language or '(none)'!r}; expected en or fr",
                          Location(file, 1, None, f"{root.tag}/@xml:lang"))
    for child in root:
        if child.tag not in ROOT_PARTS:
            raise SourceError(f"unknown element <{child.tag}> in <{root.tag}>; known: {', '.join(ROOT_PARTS)}",
                              Location(file, None, None, _describe(child)))
    ident = root.find("Identification")
    body = root.find("Body")
    if ident is None or body is None:
        missing = "Identification" if ident is None else "Body"
        raise SourceError(f"no <{missing}>: the file is incomplete", Location(file, None, None, missing))
    law_id, identification = _law_id(ident, file)
    short = ident.find("ShortTitle")
    long_title = _words(ident.find("LongTitle"), file, law_id)
    # An annual statute's short title is "unofficial" (a catalogue form: "Criminal Code (...), An
    # Act to amend the"): its long title is the one it is cited by.
    title = _words(short, file, law_id) if short is not None and short.get("status") != "unofficial" else ""
    title = title or long_title
    if not title:
        raise SourceError("the Act has no ShortTitle or LongTitle", Location(file, None, law_id, "Identification"))
    assented = None
    for stage in ident.iter("Stages"):
        if stage.get("stage") == "assented-to":
            assented = _date(stage.find("Date"))
    in_force = {"yes": True, "no": False}.get(root.get("in-force") or "")
    document = Document(path, root.tag, language, law_id, identification, title, long_title, assented, in_force, [])
    document.sections = _body(body, document, _initial_act(root))
    if not document.sections:
        raise SourceError("the Body holds no Section", Location(file, None, law_id, "Body"))
    return document


def _law_id(ident: ET.Element, file: str) -> tuple[str, str]:
    """``I-2.5`` from ``Chapter/ConsolidatedNumber``; else ``2005-c43`` from the annual statute's
    year and chapter number (``Chapter/AnnualStatuteId``)."""
    number = ident.findtext("Chapter/ConsolidatedNumber")
    if number and number.strip():
        return number.strip(), number.strip()
    annual = ident.find("Chapter/AnnualStatuteId")
    year = (annual.findtext("YYYY") if annual is not None else None) or ""
    chapter_number = annual.find("AnnualStatuteNumber") if annual is not None else None
    chapter = "".join(chapter_number.itertext()) if chapter_number is not None else ""
    if not re.fullmatch(r"\d{4}", year.strip()) or not chapter.strip():
        raise SourceError("the Act cannot be identified: no Chapter/ConsolidatedNumber and no "
                          "Chapter/AnnualStatuteId with its YYYY and AnnualStatuteNumber",
                          Location(file, None, None, "Identification/Chapter"))
    return f"{year.strip()}-c{chapter.strip()}", f"S.C. {year.strip()}, c. {chapter.strip()}"


def _date(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    try:
        y, m, d = (int(element.findtext(p) or "") for p in ("YYYY", "MM", "DD"))
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _initial_act(root: ET.Element) -> str | None:
    """An annual statute amending one Act only names it in the margin of its enacting formula
    (``R.S., c. C-46``): that Act is what its sections amend until a Heading says otherwise."""
    for provision in root.iterfind("Introduction/Enacts/Provision"):
        act = _act_named(provision.find("MarginalNote"))
        if act:
            return act
    return None


def _act_named(note: ET.Element | None) -> str | None:
    """The consolidated number a marginal note cites (``R.S., c. C-46``, ``L.R., ch. C-46`` → C-46)."""
    if note is None:
        return None
    match = re.search(r"\bc(?:h)?\.\s*([A-Z]-\d+(?:\.\d+)*)\b", "".join(note.itertext()))
    return match[1] if match else None


def _body(body: ET.Element, document: Document, act: str | None) -> list[Unit]:
    headings: dict[int, str] = {}
    sections: list[Unit] = []
    file, law_id = str(document.path), document.law_id
    for child in body:
        if child.tag == "Heading":
            level = int(child.get("level") or 1) if (child.get("level") or "1").isdigit() else 1
            words = " ".join(filter(None, (_words(child.find("Label"), file, law_id),
                                           _words(child.find("TitleText"), file, law_id))))
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = words
            if child.get("type") == "amending":
                # An amending heading names the Act the following sections amend in its margin;
                # a heading without one ("CONSEQUENTIAL AMENDMENTS") leaves it unknown.
                act = _act_named(child.find("MarginalNote"))
            continue
        if child.tag != "Section":
            raise SourceError(f"unknown element <{child.tag}> in the Body; known: Heading, Section",
                              Location(file, None, law_id, _describe(child)))
        section = _unit(child, file, law_id, "", amending=child.get("type") == "amending")
        section.heading = headings[max(headings)] if headings else ""
        if child.get("type") == "amending":
            section.amends = act
        sections.append(section)
    return sections


def _unit(element: ET.Element, file: str, law_id: str, parent: str, *, amending: bool = False) -> Unit:
    label = element.find("Label")
    number = _number(_words(label, file, law_id) if label is not None else "")
    where = f"{parent} / " if parent else ""
    where += f"{element.tag} {number or '(no label)'}"
    if element.get(_LIMS + "id"):
        where += f" (lims:id {element.get(_LIMS + 'id')})"
    if not number:
        raise SourceError("a numbered unit without a Label: it cannot be given an IRI",
                          Location(file, None, law_id, where))
    unit = Unit(element.tag, number, where, element.get(_LIMS + "id"),
                in_force=element.get(_LIMS + "inforce-start-date"))
    texts: list[str] = []
    seen: set[str] = set()
    for child in element:
        tag = child.tag
        if tag == "Label" or tag in NOTES:
            continue
        if tag == "MarginalNote":
            unit.note = _words(child, file, law_id)
        elif tag in UNITS:
            sub = _unit(child, file, law_id, where, amending=amending)
            if sub.number in seen:
                raise SourceError(f"two units labelled {sub.number!r} in the same {element.tag}",
                                  Location(file, None, law_id, sub.where))
            seen.add(sub.number)
            unit.children.append(sub)
        elif tag in OWN_TEXT:
            texts.append(_words(child, file, law_id, where))
            if tag == "Text" and amending and not unit.instruction:
                unit.instruction = texts[-1]
            if tag == "AmendedText":
                unit.inserts += [_unit(c, file, law_id, where + " / AmendedText") for c in child if c.tag in UNITS]
        else:
            raise SourceError(f"unknown element <{tag}> in a {element.tag}; known: Label, MarginalNote, "
                              f"{', '.join(sorted(OWN_TEXT))}, the units {', '.join(UNITS)}, and notes "
                              f"({', '.join(sorted(NOTES))})", Location(file, None, law_id, _describe(child, where)))
    unit.text = " ".join(t for t in texts if t)
    return unit


def _number(label: str) -> str:
    """A label as written, without its typographic wrapping: ``(1)`` → ``1``, ``a)`` → ``a``,
    ``279.01`` → ``279.01``, ``1.`` → ``1`` (an annual statute's section), ``(xlvii.1)`` → ``xlvii.1``."""
    label = label.replace("*", "").replace("(", " ").replace(")", " ")
    # Units repealed together are labelled together: "8 to 10" / "8 à 10" → 8-10, "(4) and (5)" /
    # "(4) et (5)" → 4,5; the same label in both languages, and one IRI segment.
    label = re.sub(r"\s+(?:to|à)\s+", "-", label.strip())
    label = re.sub(r"\s+(?:and|et)\s+", ",", label)
    label = " ".join(label.split())
    return label[:-1] if label.endswith(".") and label[:-1] else label


def _words(element: ET.Element | None, file: str, law_id: str, where: str = "") -> str:
    """The words of ``element``, whitespace-normalised: inline markup flattened, notes left out;
    an element not in FLATTENED is an error (an unknown construct might hold words we would lose)."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag in NOTES or not isinstance(child.tag, str):
                pass
            elif child.tag == "MarginalNote" and node.tag == "Definition":
                pass  # a bill prints the defined term in both languages in the margin: not the words of the law
            elif child.tag in FLATTENED:
                block = child.tag not in INLINE or child.tag in ("Label", "MarginalNote", "Text", "TitleText")
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")
            else:
                raise SourceError(f"unknown element <{child.tag}> in a <{node.tag}>; known there: "
                                  f"{', '.join(sorted(FLATTENED))}", Location(file, None, law_id, _describe(child, where)))
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return " ".join("".join(parts).split())


def _describe(element: ET.Element, where: str = "") -> str:
    lims_id = element.get(_LIMS + "id")
    return (f"{where} / " if where else "") + f"<{element.tag}>" + (f" (lims:id {lims_id})" if lims_id else "")
