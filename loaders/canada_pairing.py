"""Canadian federal legislation: the English and French files of each Act, paired into one law.

Canada's Acts are enacted in English and French, both equally authoritative; Justice Canada
publishes each language as its own file (``justice_canada.py`` reads one). This module

* pairs the files of a load by the Act they identify (the consolidated number, ``I-2.5``, or the
  annual statute's year and chapter, ``2005-c43``): each Act needs exactly one English and one
  French file, anything else is an error naming the file and its identification;
* aligns the two texts unit by unit. The ``lims:id``s differ between the languages, so units are
  matched by kind and label (``Section 117``, ``Subsection 1``...). Every section must be in both
  files, in the same order (a section in one language only is an error). Below a section the two
  versions are co-drafted, not translated, and their structure can differ: P-24.501 s. 9.91 has
  paragraphs (a) and (b) in English and one sentence in French. Such a unit is kept, with the
  text of the language that has it;
* maps the pair to one record per Act (docs/model.md, "legislation"): every unit a
  ``sherloc:NationalProvision`` and ``eli:LegalResourceSubdivision`` ``eli:is_part_of`` its parent,
  with its English and French words, marginal note, heading and in-force start date, and its
  English and French versions (``eli:LegalExpression``, loaders/eli.py);
* gives the Criminal Code (R.S.C. 1985, c. C-46, not published here) the sections the annual
  statutes of the load enact in it: see :func:`_criminal_code`.

The law record also ``sherloc:containsProvision`` every unit below it (at any depth), and
``sherloc:containsExpression`` every language version of those units: replacing a record deletes
what it links to directly, so this is what lets a re-loaded Act drop a unit that is no longer in
its text, and the words of a version that changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.errors import Location, SourceError
from sherloc_kg.iris import Iris
from sherloc_kg.links_out import language_values
from sherloc_kg.namespaces import DCTERMS, ELI, FOAF, RDF, SHERLOC

from .eli import expressions_of, in_force, language_versions
from .justice_canada import Document, Unit, read_document
from .records import Record

COUNTRY = "CAN"
GRAPH = "legislation"
#: The Criminal Code, as the annual statutes cite it ("R.S., c. C-46") and by its short title (s. 1).
CRIMINAL_CODE = ("C-46", "R.S.C. 1985, c. C-46", {"en": "Criminal Code", "fr": "Code criminel"})
#: An amending section that inserts whole sections of the Act it amends (English instruction):
#: "The Act is amended by adding the following after section 279:", "Section 467.1 of the Act is
#: replaced by the following:". Others replace a portion of a section ("Subsection 423(1) ...",
#: "The portion of section 632 ...") and give no whole provision: their words stay in the text of
#: the amending section only.
WHOLE_SECTIONS = re.compile(r"^(?:The Act|The Criminal Code|Section [\d.]+ of the (?:Act|Criminal Code)) is "
                            r"(?:amended by adding the following after section [\d.]+|replaced by the following) ?:$")
#: "Section 7 of the Criminal Code is amended by adding the following after subsection (4.1):"
ADDED_SUBSECTIONS = re.compile(r"^Section ([\d.]+) of the (?:Act|Criminal Code) is amended by adding the "
                               r"following after subsection \([\d.]+\) ?:$")


@dataclass
class Enactment:
    """Criminal Code provisions inserted by an annual statute: a whole section, or (``stub``) a
    section given only for the subsections added to it."""

    order: tuple[int, ...]  # the statute's (year, chapter): later statutes replace earlier text
    statute: URIRef
    file: Path  # the statute's English file
    pair: "Pair"
    stub: bool = False


@dataclass
class Pair:
    """One unit in both languages (one side is None for a unit of one version only)."""

    en: Unit | None
    fr: Unit | None
    children: list["Pair"] = field(default_factory=list)

    @property
    def number(self) -> str:
        return (self.en or self.fr).number  # type: ignore[union-attr]


def read_pairs(paths: Iterable[Path], iris: Iris) -> Iterator[Record]:
    """One record per Act of ``paths`` (English and French files), then one per Criminal Code
    section the annual statutes enact. Problems are yielded as records with their error."""
    documents: list[Document] = []
    failed = False
    for path in paths:
        try:
            documents.append(read_document(path))
        except SourceError as error:
            failed = True
            yield Record(None, error.location, error=error)
        except OSError as error:
            failed = True
            where = Location(str(path))
            yield Record(None, where, error=SourceError(f"cannot read the file: {error}", where))
    acts: dict[str, dict[str, Document]] = {}
    for document in documents:
        versions = acts.setdefault(document.law_id, {})
        if document.language in versions:
            other = versions[document.language]
            yield _error(f"a second {_NAMES[document.language]} file of {document.identification} (the first "
                         f"is {other.path})", document, "Identification/Chapter")
            continue
        versions[document.language] = document
    enactments: list[Enactment] = []
    for versions in acts.values():
        if len(versions) != 2:
            if not failed:  # a partner that failed to read has already been reported
                yield _lonely(next(iter(versions.values())), acts)
            continue
        try:
            record, enacted = _law(versions["en"], versions["fr"], iris)
        except SourceError as error:
            yield Record(None, error.location, error=error)
            continue
        yield record
        enactments += enacted
    yield from _criminal_code(enactments, iris)


_NAMES = {"en": "English", "fr": "French"}


def _error(message: str, document: Document, element: str) -> Record:
    where = Location(str(document.path), None, document.law_id, element)
    return Record(None, where, error=SourceError(message, where))


def _lonely(document: Document, acts: dict[str, dict[str, Document]]) -> Record:
    """The error for an Act given in one language only, naming what the other files are of."""
    missing = "fr" if document.language == "en" else "en"
    others = [f"{d.path} is of {d.identification}" for v in acts.values() for d in v.values()
              if d.language == missing]
    hint = f" ({'; '.join(others)})" if others else ""
    return _error(f"no {_NAMES[missing]} file of {document.identification} in this load{hint}: an Act is loaded "
                  "from its English and French files together", document,
                  "Identification/Chapter/" + ("ConsolidatedNumber" if document.root == "Statute" else "AnnualStatuteId"))


def _align(en: list[Unit], fr: list[Unit], fr_file: Path, law_id: str, *, strict: bool) -> list[Pair]:
    """Pair the units of two versions by kind and label, in the English order. ``strict``
    (sections): every unit in both, in the same order; else a unit of one version is kept alone."""
    key = lambda u: (u.tag, u.number)  # noqa: E731
    by_key = {key(u): u for u in fr}
    if strict:
        for position, (a, b) in enumerate(zip(en, fr)):
            if key(a) != key(b):
                unit = a if key(a) not in by_key else b
                side = "English" if unit is a else "French"
                raise SourceError(f"{unit.tag} {unit.number} is in the {side} version only (the {position + 1}th "
                                  f"{unit.tag.lower()} is {a.tag} {a.number} in English, {b.tag} {b.number} in "
                                  "French): the two files are not the same text of one Act",
                                  Location(str(fr_file), None, law_id, unit.where))
        if len(en) != len(fr):
            extra, side = (en[len(fr)], "English") if len(en) > len(fr) else (fr[len(en)], "French")
            raise SourceError(f"{extra.tag} {extra.number} is in the {side} version only",
                              Location(str(fr_file), None, law_id, extra.where))
    pairs = []
    used = set()
    for unit in en:
        other = by_key.get(key(unit))
        used.add(key(unit))
        pairs.append(Pair(unit, other, _align(unit.children, other.children if other else [], fr_file, law_id,
                                              strict=False)))
    for position, unit in enumerate(fr):
        if key(unit) not in used:  # a unit of the French version only: after its French predecessor
            before = {key(u) for u in fr[:position]}
            at = max((i + 1 for i, p in enumerate(pairs) if key(p.en or p.fr) in before), default=0)
            pairs.insert(at, Pair(None, unit, _align([], unit.children, fr_file, law_id, strict=False)))
    return pairs


def _law(en: Document, fr: Document, iris: Iris) -> tuple[Record, list[Enactment]]:
    law = iris.legislation(COUNTRY, en.law_id)
    record = Record(law, Location(str(en.path), None, en.law_id))

    def add(s: URIRef, p: URIRef, o) -> None:
        record.add(GRAPH, (s, p, o))

    add(law, RDF.type, ELI.LegalResource)
    add(law, RDF.type, SHERLOC.NationalLegislation)
    add(law, DCTERMS.identifier, Literal(en.law_id))
    add(law, SHERLOC.country, iris.country(COUNTRY))
    add(law, ELI.id_local, Literal(en.identification))
    add(law, ELI.type_document, iris.concept("legislation-type", "act"))
    titles = [Literal(document.title, lang=document.language) for document in (en, fr)]
    for document, title in zip((en, fr), titles):
        add(law, DCTERMS.title, title)
        for term in language_values(document.language):
            add(law, DCTERMS.language, term)
    for triple in language_versions(law, titles):  # the English and the French version (loaders/eli.py)
        add(*triple)
    if en.assented:
        add(law, ELI.date_document, Literal(en.assented, datatype=XSD.date))
    if en.in_force is not None:
        add(law, ELI.in_force, in_force(en.in_force))
    if en.root == "Statute":  # the consolidated Act's pages on Justice Laws
        add(law, FOAF.page, URIRef(f"https://laws-lois.justice.gc.ca/eng/acts/{en.law_id}/"))
        add(law, FOAF.page, URIRef(f"https://laws-lois.justice.gc.ca/fra/lois/{en.law_id}/"))
    sections = _align(en.sections, fr.sections, fr.path, en.law_id, strict=True)
    for position, pair in enumerate(sections, start=1):
        _provision(record, iris, en.law_id, law, law, (), pair, position)
    enacted: list[Enactment] = []
    order = tuple(int(n) for n in re.findall(r"\d+", en.law_id)[:2])
    for pair in sections:
        if pair.en is None or pair.en.amends != CRIMINAL_CODE[0]:
            continue
        add(law, ELI.amends, iris.legislation(COUNTRY, CRIMINAL_CODE[0]))
        assert pair.fr is not None
        inserted = _align(pair.en.inserts, pair.fr.inserts, fr.path, en.law_id, strict=True)
        added = ADDED_SUBSECTIONS.match(pair.en.instruction)
        if WHOLE_SECTIONS.match(pair.en.instruction):
            enacted += [Enactment(order, law, en.path, p) for p in inserted if (p.en or p.fr).tag == "Section"]  # type: ignore[union-attr]
        elif added and all((p.en or p.fr).tag == "Subsection" for p in inserted):  # type: ignore[union-attr]
            stub = Pair(Unit("Section", added[1], pair.en.where, None), Unit("Section", added[1], pair.fr.where, None),
                        inserted)
            enacted.append(Enactment(order, law, en.path, stub, stub=True))
    return record, enacted


def _provision(record: Record, iris: Iris, law_id: str, law: URIRef, parent: URIRef, path: tuple[str, ...],
               pair: Pair, position: int | None, *, container: URIRef | None = None) -> URIRef:
    """The triples of one unit and of every unit below it; ``container`` (the record: the law
    when None) gets a ``sherloc:containsProvision`` link to each unit below it."""
    path = (*path, pair.number)
    iri = iris.law_subdivision(COUNTRY, law_id, *path)
    container = container or law

    def add(p: URIRef, o) -> None:
        record.add(GRAPH, (iri, p, o))

    record.add(GRAPH, (parent, ELI.has_part, iri))
    if iri != container:
        record.add(GRAPH, (container, SHERLOC.containsProvision, iri))
    add(RDF.type, SHERLOC.NationalProvision)
    add(RDF.type, ELI.LegalResourceSubdivision)
    add(ELI.is_part_of, parent)
    add(ELI.number, Literal(pair.number))
    if position is not None:
        add(SHERLOC.position, Literal(position, datatype=XSD.integer))
    dates = []
    titles: list[Literal] = []
    texts: list[Literal] = []
    for unit, language in ((pair.en, "en"), (pair.fr, "fr")):
        if unit is None:
            continue
        if unit.text:
            texts.append(Literal(unit.text, lang=language))
            add(SHERLOC.text, texts[-1])
        if unit.note:
            titles.append(Literal(unit.note, lang=language))
            add(DCTERMS.title, titles[-1])
        if unit.heading:
            add(SHERLOC.heading, Literal(unit.heading, lang=language))
        if unit.in_force:
            dates.append(unit.in_force)
    if dates:
        # A version of one language can be amended alone ("the French version ... is replaced"):
        # the text recorded here, in both languages, has been in force since the later date.
        add(SHERLOC.inForceStartDate, Literal(max(dates), datatype=XSD.date))
    # its English and French versions (loaders/eli.py), each linked from the record too (like the
    # unit itself), so that replacing the record replaces them
    versions = language_versions(iri, titles, texts)
    for triple in versions:
        record.add(GRAPH, triple)
    for expression in expressions_of(versions) if iri != container else ():
        record.add(GRAPH, (container, SHERLOC.containsExpression, expression))
    for child_position, child in enumerate(pair.children, start=1):
        _provision(record, iris, law_id, law, iri, path, child, child_position, container=container)
    return iri


def _criminal_code(enactments: list[Enactment], iris: Iris) -> Iterator[Record]:
    """The Criminal Code sections the annual statutes of this load enact, one record each
    (``{base}id/legislation/CAN/C-46/sec/279.01``), ``eli:changed_by`` every statute of the load
    that enacted or replaced it. Where several did, the text is the latest statute's (2012, c. 15
    replaced s. 279.04 as enacted in 2005, c. 43). A statute that adds subsections to a section
    (2012, c. 15: s. 7 (4.11)) gives that section with only those subsections (and no words of its own).

    Each section is a record of its own, not part of one Criminal Code record: the statutes can
    be loaded separately, and loading one must not erase the sections another enacted. The
    Criminal Code's own triples (type, title...) come with each section and are the same each time."""
    code_id, identification, titles = CRIMINAL_CODE
    code = iris.legislation(COUNTRY, code_id)
    sections: dict[str, tuple[Pair, list[URIRef], Path]] = {}
    for enactment in sorted(enactments, key=lambda e: e.order):
        pair = enactment.pair
        previous = sections.get(pair.number)
        statutes = (previous[1] if previous else []) + [enactment.statute]
        if enactment.stub and previous:
            merged = {c.number: c for c in previous[0].children}
            merged.update({c.number: c for c in pair.children})
            pair = Pair(previous[0].en, previous[0].fr, list(merged.values()))
        sections[pair.number] = (pair, statutes, enactment.file)
    for number, (pair, statutes, file) in sections.items():
        section = iris.law_subdivision(COUNTRY, code_id, number)
        record = Record(section, Location(str(file), None, f"{code_id} s. {number}"))
        code_titles = [Literal(t, lang=lang) for lang, t in titles.items()]
        for p, o in ((RDF.type, ELI.LegalResource), (RDF.type, SHERLOC.NationalLegislation),
                     (DCTERMS.identifier, Literal(code_id)), (SHERLOC.country, iris.country(COUNTRY)),
                     (ELI.id_local, Literal(identification)),
                     (ELI.type_document, iris.concept("legislation-type", "code")),
                     *((DCTERMS.title, title) for title in code_titles)):
            record.add(GRAPH, (code, p, o))
        for triple in language_versions(code, code_titles):  # the same with every section, like its title
            record.add(GRAPH, triple)
        # No position among the Code's sections: only some of them are known here.
        _provision(record, iris, code_id, code, code, (), pair, None, container=section)
        for statute in dict.fromkeys(statutes):
            record.add(GRAPH, (section, ELI.changed_by, statute))
        yield record
