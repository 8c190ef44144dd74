"""Akoma Ntoso 3.0 acts, read as national legislation (``sherloc-kg load legislation``, through
loaders/legislation.py), mapped as docs/model.md "legislation" says; the parts judgments share are
in loaders/akoma_ntoso.py.

An act is read as ``--format akn`` (or ``xml``), or from any ``.xml`` file whose root is ``akomaNtoso``. The
namespace must be ``http://docs.oasis-open.org/legaldocml/ns/akn/3.0`` or one of its drafts
(``.../3.0/CSD13``, any ``CSDnn``/``WDnn``); other XML is refused naming its root element and
namespace, and an Akoma Ntoso document of another kind (a judgment, a bill, ...) is refused saying
what it is. The mapping:

* **law id**: the work's ``FRBRuri`` (or, when empty, its ``FRBRthis`` without a trailing
  ``/main``), without scheme and host, its segments joined by ``-``:
  ``/akn/lu/act/loi/1999-05-31/n6`` → ``akn-lu-act-loi-1999-05-31-n6``;
  ``http://data.legilux.public.lu/eli/etat/leg/loi/1999/05/31/n6/jo`` →
  ``eli-etat-leg-loi-1999-05-31-n6-jo``. A document without ``FRBRWork`` (or without a
  ``FRBRthis``/``FRBRuri`` value in it) is refused naming that field.
* **identifiers**: the work URI as given is kept as ``eli:id_local`` (a literal: AKN URIs such as
  ``/akn/lu/...`` are not absolute IRIs). Where the work URI is an ELI (an http(s) URI with an
  ``/eli/`` path, e.g. Luxembourg's ``data.legilux.public.lu/eli/...``) it is also stated as
  ``owl:sameAs``: an ELI *is* an IRI of the same legal resource, and linking it lets ELI-aware
  consumers join on it.
* **country**: ``FRBRcountry`` read as ISO 3166 alpha-2 (``lu``; ``uk`` means GB), a subdivision
  code (``GB-UKM``), alpha-3, or an EU authority URI ending in alpha-3 (``.../country/LUX``),
  mapped to ISO3 with pycountry.
* **title**: the preface's ``shortTitle`` (the name a law is cited by), else its ``docTitle``,
  else its ``longTitle``, else ``FRBRname``; **date**: the work's ``FRBRdate`` (``eli:date_document``, when a full date);
  **type**: ``act``; **language**: ``FRBRlanguage`` of the expression, as ISO 639-1 (``FRA``,
  ``fra``, ``fre``, ``eng``, ``fr`` → ``fr``/``en``), which also tags every text.
* **in force**: Akoma Ntoso carries no status field; a lifecycle ``eventRef`` that is a repeal
  (its ``@type``, or the ``showAs``/``href`` of the ``TLCEvent`` it refers to, says "repeal")
  dated today or earlier gives ``eli:in_force eli:InForce-notInForce``. Otherwise nothing is said.
* **amendments**: from ``analysis/passiveModifications`` (the act, and the provision a
  modification's ``destination`` names, ``eli:amended_by`` the act in its ``source``; a ``repeal``
  of a provision: ``eli:repealed_by``), ``analysis/activeModifications`` (``eli:amends`` the act
  in the ``destination``; ``eli:repeals`` for a repeal of a whole act) and the ``passiveRef`` /
  ``activeRef`` elements of ``references``; see :func:`_amendments`. The other act's IRI is minted
  from its URI as this act's is, so the link joins when that act is loaded too. Until then the
  shapes warn (the act says so, it is no typo) instead of refusing, as they do for the ``amends``
  field of our format.
* **provisions**: every ``article``, ``section``, ``subsection``, ``paragraph``, ``subparagraph``,
  ``point``, ``clause`` and ``subclause``, and every grouping of them (``book``, ``tome``,
  ``part``, ``subpart``, ``title``, ``subtitle``, ``chapter``, ``subchapter``, ``division``,
  ``subdivision``), with an ``eId`` (or ``id``, as the CSD drafts spell it), except inside
  ``quotedStructure``/``embeddedStructure`` (quoted text of another act), becomes
  ``{law}/art/{eId}`` (``sec_1__subsec_2``, ``chp_1``), a ``sherloc:NationalProvision`` and
  ``eli:LegalResourceSubdivision``. The nesting is kept: a unit ``eli:is_part_of`` the nearest
  unit that holds it (a section its chapter, a subsection its section), or the law when none does,
  and that parent ``eli:has_part`` it; an element that is no unit (an ``hcontainer``
  crossheading, a ``blockList``, content) is looked through. The law also
  ``sherloc:containsProvision`` every unit (at any depth: replacing the record deletes what it links
  to directly). ``eli:number`` is the visible ``num`` (the eId when there is none),
  ``dcterms:title`` the ``heading``, ``sherloc:text`` the whole text of a provision (its sub-units
  included, its own num and heading, notes and foreign-namespace metadata left out),
  whitespace-normalised; a grouping (a chapter) has as text only its own words outside its units,
  if any, not its provisions' again.
* **language versions** (loaders/eli.py): the law and each unit, in the act's language, an
  ``eli:LegalExpression`` ``{iri}/{language}`` with its title and words; the law
  ``sherloc:containsExpression`` each unit's (none when the act gives no language).
* **implementation mapping**: an XML act cannot say which Convention provision it implements, so
  a companion CSV next to it, ``LAW.xml.implements.csv`` or ``LAW.implements.csv`` (the first that
  exists), with the columns ``national_provision`` (an eId, or ``{law id}#{eId}``) and
  ``convention_provision`` (``untoc/art/5/1/a``; several separated by ``;``), adds
  ``eli:ensures_implementation_of``.
  An unknown eId, another law's id or a malformed reference is an error naming the mapping file,
  its line and the column.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, XSD

from sherloc_kg.errors import Location, SourceError, UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.links_out import language_values
from sherloc_kg.namespaces import DCTERMS, ELI, NOT_IN_FORCE, RDF, SHERLOC

from . import akoma_ntoso as akn
from .eli import expressions_of, language_versions
from .records import Record, text_lines
from .xml_source import parse_xml, split_tag

PROVISION_ELEMENTS = frozenset({"article", "section", "subsection", "paragraph", "subparagraph", "point",
                                "clause", "subclause"})
#: Groupings of provisions in Akoma Ntoso's hierarchy: units too, whose text is their own words only.
GROUPING_ELEMENTS = frozenset({"book", "tome", "part", "subpart", "title", "subtitle", "chapter", "subchapter",
                               "division", "subdivision"})
UNIT_ELEMENTS = PROVISION_ELEMENTS | GROUPING_ELEMENTS
QUOTED = frozenset({"quotedStructure", "embeddedStructure"})
MAPPING_COLUMNS = ("national_provision", "convention_provision")


def read_akn(path: Path, iris: Iris) -> Record:
    """The law one Akoma Ntoso file holds; a file that cannot be read or mapped gives a record
    carrying its error (file, line, law id and field where known)."""
    where = Location(str(path))
    try:
        return _map_akn(path, iris)
    except SourceError as error:
        return Record(None, error.location, error=error)
    except (OSError, UnicodeDecodeError) as error:
        return Record(None, where, error=SourceError(f"cannot read the file: {error}", where))


def _map_akn(path: Path, iris: Iris) -> Record:
    file = str(path)
    root = parse_xml(path)
    namespace, local = split_tag(root.tag)
    if local != "akomaNtoso":
        described = f"{{{namespace}}}{local}" if namespace else local
        raise SourceError(f"not an Akoma Ntoso document: the root element is <{described}>, "
                          "expected <akomaNtoso> in the Akoma Ntoso 3.0 namespace", Location(file, 1))
    if not akn.NAMESPACE.match(namespace):
        raise SourceError(f"unsupported Akoma Ntoso namespace {namespace or '(none)'!r}: expected "
                          "http://docs.oasis-open.org/legaldocml/ns/akn/3.0 (or one of its CSD drafts)",
                          Location(file, 1))
    ns = f"{{{namespace}}}"
    document = akn.document(root, namespace, file, "act")

    def at(*steps: str) -> ET.Element | None:
        return document.find("/".join(ns + s for s in steps))

    work = at("meta", "identification", "FRBRWork")
    if work is None:
        raise SourceError("no FRBRWork in meta/identification: the act cannot be identified",
                          Location(file, None, None, "FRBRWork"))

    def value(parent: ET.Element | None, name: str, attribute: str = "value") -> str:
        if parent is None:
            return ""
        element = parent.find(ns + name)
        return (element.get(attribute) or "").strip() if element is not None else ""

    work_uri = value(work, "FRBRuri") or re.sub(r"/main$", "", value(work, "FRBRthis").rstrip("/"))
    work_uri = work_uri.rstrip("/")
    if not work_uri:
        raise SourceError("FRBRWork has neither an FRBRuri nor an FRBRthis value",
                          Location(file, None, None, "FRBRWork"))
    law_id = akn.law_id_from_uri(work_uri)
    where = Location(file, None, law_id)
    country = akn.country_code(value(work, "FRBRcountry"), Location(file, None, law_id, "FRBRcountry"))
    expression = at("meta", "identification", "FRBRExpression")
    language = akn.language_code(value(expression, "FRBRlanguage", "language"))

    law = iris.legislation(country, law_id)
    record = Record(law, where)

    def add(p: URIRef, o: Any) -> None:
        record.add("legislation", (law, p, o))

    add(RDF.type, ELI.LegalResource)
    add(RDF.type, SHERLOC.NationalLegislation)
    add(DCTERMS.identifier, Literal(law_id))
    add(SHERLOC.country, iris.country(country))
    add(ELI.id_local, Literal(work_uri))
    if re.match(r"^https?://[^/]+/(?:.*/)?eli/", work_uri):
        add(OWL.sameAs, URIRef(work_uri))
    add(ELI.type_document, iris.concept("legislation-type", "act"))
    if language:
        for term in language_values(language):
            add(DCTERMS.language, term)

    title = ""
    preface = at("preface")
    for name in ("shortTitle", "docTitle", "longTitle"):
        element = next(preface.iter(ns + name), None) if preface is not None else None
        if element is not None:
            title = akn.text(element, namespace)
            if title:
                break
    title = title or value(work, "FRBRname")
    if not title:
        raise SourceError("the act has no title (shortTitle, docTitle or longTitle in the preface, or FRBRname)",
                          Location(file, None, law_id, "title"))
    add(DCTERMS.title, Literal(title, lang=language))
    for triple in language_versions(law, [Literal(title, lang=language)]):  # loaders/eli.py
        record.add("legislation", triple)

    work_date = value(work, "FRBRdate", "date")[:10]
    if work_date:
        try:
            date.fromisoformat(work_date)
        except ValueError:
            work_date = ""
        if len(work_date) == 10:
            add(ELI.date_document, Literal(work_date, datatype=XSD.date))
    if _repealed(document, ns):
        add(ELI.in_force, NOT_IN_FORCE)

    body = at("body")
    numbers: dict[str, URIRef] = {}
    for element, parent_eid in _units(body, namespace) if body is not None else []:
        eid = (element.get("eId") or element.get("id") or "").strip()
        if eid in numbers:
            raise SourceError(f"the eId {eid!r} is given to two provisions", Location(file, None, law_id, "eId"))
        numbers[eid] = iris.national_provision(country, law_id, eid)
        parent = numbers[parent_eid] if parent_eid is not None else law  # met before its parts: document order
        for triple in _unit(element, namespace, law, parent, numbers[eid], eid, language):
            record.add("legislation", triple)
    if not numbers:
        raise SourceError("the act has no provision with an eId (article, section, paragraph, ...)",
                          Location(file, None, law_id, "provisions"))
    for subject, predicate, other in _amendments(document, ns, work_uri, country, law_id, numbers, iris):
        record.add("legislation", (subject if subject is not None else law, predicate, other))
    for mapping in (path.with_name(path.name + ".implements.csv"), path.with_suffix(".implements.csv")):
        if mapping.is_file():
            _apply_mapping(mapping, record, iris, law_id, numbers)
            break
    return record


#: AKN modification elements (``analysis/activeModifications`` and ``passiveModifications``).
MODIFICATIONS = frozenset({"textualMod", "meaningMod", "scopeMod", "forceMod", "efficacyMod", "legalSystemMod"})


def _amendments(document: ET.Element, ns: str, work_uri: str, country: str, law_id: str,
                numbers: dict[str, URIRef], iris: Iris) -> Iterator[tuple[URIRef | None, URIRef, URIRef]]:
    """(subject, predicate, other law) for the amendment links the act carries; subject None is the act.

    * ``passiveModifications``: each modification's ``source`` is the amending act: the act is
      ``eli:amended_by`` it, and so is the provision its ``destination`` names (``#art_2``) when that
      is one of the act's provisions (``eli:repealed_by`` for a modification of type ``repeal``).
    * ``activeModifications``: each modification's ``destination`` is the act amended: the act
      ``eli:amends`` it (``eli:repeals`` for a ``repeal`` of the whole act, with no fragment).
    * ``references``: a ``passiveRef`` is an act amending this one (``eli:amended_by``), an
      ``activeRef`` an act this one amends (``eli:amends``).

    An ``href`` to a ``TLC*``/``*Ref`` element of ``references`` (``#rp2``) is followed to that
    element's ``href``. The other act's IRI is minted as the legislation loader mints the act's own
    (:func:`.akoma_ntoso.law_id_from_uri`), so that the link joins once that act is loaded too: an AKN URI
    (``/akn/lu/act/...``) gives its country; an ELI path with no host, or on the act's own host, is of
    the act's country. An href that names no other act (a fragment, an unknown country, another
    host's ELI, the act itself) is left out: nothing is guessed."""
    targets = {(e.get("eId") or e.get("id") or ""): (e.get("href") or "").strip()
               for e in document.iter() if (e.get("eId") or e.get("id")) and e.get("href")}

    def follow(href: str) -> str:
        href = href.strip()
        return targets.get(href[1:], href) if href.startswith("#") else href

    def other(href: str) -> URIRef | None:
        found = akn.other_act(follow(href), work_uri, country)
        if found is None or (found[0] == country and found[1] == law_id):
            return None
        return iris.legislation(*found)

    seen: set[tuple] = set()

    def once(link: tuple[URIRef | None, URIRef, URIRef]) -> Iterator[tuple[URIRef | None, URIRef, URIRef]]:
        if link not in seen:
            seen.add(link)
            yield link

    analysis = document.find(f"{ns}meta/{ns}analysis")
    for passive, container in ((True, "passiveModifications"), (False, "activeModifications")):
        block = analysis.find(ns + container) if analysis is not None else None
        for mod in block if block is not None else []:
            if split_tag(mod.tag)[1] not in MODIFICATIONS:
                continue
            repeal = "repeal" in (mod.get("type") or "").lower()
            source, destination = mod.find(ns + "source"), mod.find(ns + "destination")
            source_href = (source.get("href") or "") if source is not None else ""
            destination_href = (destination.get("href") or "") if destination is not None else ""
            if passive:
                act = other(source_href)
                if act is None:
                    continue
                yield from once((None, ELI.amended_by, act))
                eid = follow(destination_href).partition("#")[2] if "#" in destination_href else ""
                if eid in numbers:
                    yield from once((numbers[eid], ELI.repealed_by if repeal else ELI.amended_by, act))
            else:
                act = other(destination_href)
                if act is not None:
                    whole = "#" not in follow(destination_href)
                    yield from once((None, ELI.repeals if repeal and whole else ELI.amends, act))
    references = document.find(f"{ns}meta/{ns}references")
    for element in references if references is not None else []:
        local = split_tag(element.tag)[1]
        if local in ("passiveRef", "activeRef"):
            act = other(element.get("href") or "")
            if act is not None:
                yield from once((None, ELI.amended_by if local == "passiveRef" else ELI.amends, act))


def _repealed(document: ET.Element, ns: str) -> bool:
    events = {e.get("eId") or e.get("id"): e for e in document.iter(ns + "TLCEvent")}
    for ref in document.iter(ns + "eventRef"):
        target = events.get((ref.get("refersTo") or "").lstrip("#"))
        words = " ".join(filter(None, [ref.get("type"), target.get("showAs") if target is not None else None,
                                       target.get("href") if target is not None else None]))
        when = (ref.get("date") or "")[:10]
        if "repeal" in words.lower() and when and when <= date.today().isoformat():
            return True
    return False


def _unit(element: ET.Element, namespace: str, law: URIRef, parent: URIRef, part: URIRef, eid: str,
          language: str | None) -> Iterator[tuple[URIRef, URIRef, Any]]:
    """The triples of one unit (see the module docstring): its place below ``parent`` (and in the
    law, which contains every unit), its number, heading and words, and its language version."""
    ns = f"{{{namespace}}}"
    yield from ((parent, ELI.has_part, part), (law, SHERLOC.containsProvision, part),
                (part, RDF.type, SHERLOC.NationalProvision), (part, RDF.type, ELI.LegalResourceSubdivision),
                (part, ELI.is_part_of, parent))
    num = element.find(ns + "num")
    yield part, ELI.number, Literal((akn.text(num, namespace) if num is not None else "") or eid)
    heading = element.find(ns + "heading")
    titles = [Literal(akn.text(heading, namespace), lang=language)] if heading is not None and \
        akn.text(heading, namespace) else []
    skip = {id(num), id(heading)}
    if split_tag(element.tag)[1] in GROUPING_ELEMENTS:  # a chapter's provisions have their own text
        skip |= {id(e) for e, _holder in _units(element, namespace)}
    text = akn.text(element, namespace, skip=skip)
    texts = [Literal(text, lang=language)] if text else []
    yield from ((part, DCTERMS.title, title) for title in titles)
    yield from ((part, SHERLOC.text, words) for words in texts)
    versions = language_versions(part, titles, texts)  # loaders/eli.py
    yield from versions
    yield from ((law, SHERLOC.containsExpression, expression) for expression in expressions_of(versions))


def _is_unit(element: ET.Element, namespace: str) -> bool:
    element_ns, local = split_tag(element.tag)
    return (element_ns == namespace and local in UNIT_ELEMENTS
            and bool((element.get("eId") or element.get("id") or "").strip()))


def _units(element: ET.Element, namespace: str, parent: str | None = None) -> Iterator[tuple[ET.Element, str | None]]:
    """Every unit below ``element`` in document order, with the eId of the nearest unit holding it
    (None: the law); quoted structures of other acts are not entered."""
    for child in element:
        child_ns, local = split_tag(child.tag)
        if child_ns != namespace or local in QUOTED:
            continue
        if _is_unit(child, namespace):
            yield child, parent
            yield from _units(child, namespace, (child.get("eId") or child.get("id") or "").strip())
        else:
            yield from _units(child, namespace, parent)


def _apply_mapping(mapping: Path, record: Record, iris: Iris, law_id: str, numbers: dict[str, URIRef]) -> None:
    file = str(mapping)
    if not mapping.is_file():
        raise SourceError("cannot read the mapping file: no such file", Location(file))
    reader = csv.DictReader(text_lines(mapping))
    missing = [c for c in MAPPING_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(f"the mapping needs the columns {', '.join(MAPPING_COLUMNS)}",
                          Location(file, 1, law_id, missing[0]))
    for row in reader:
        line = reader.line_num
        national = (row.get("national_provision") or "").strip()
        convention = (row.get("convention_provision") or "").strip()
        if not national and not convention:
            continue
        other, hash_, eid = national.rpartition("#")
        if hash_ and other != law_id:
            raise SourceError(f"{national!r} names another law; this mapping is for {law_id}",
                              Location(file, line, law_id, "national_provision"))
        if eid not in numbers:
            close = sorted(numbers)[:8]
            raise SourceError(f"no provision with the eId {eid!r} in this act (eIds such as {', '.join(close)})",
                              Location(file, line, law_id, "national_provision"))
        references = [r.strip() for r in convention.split(";") if r.strip()]
        if not references:
            raise SourceError("required field is missing", Location(file, line, law_id, "convention_provision"))
        for reference in references:
            try:
                target = iris.provision(reference)
            except UsageError as error:
                raise SourceError(str(error), Location(file, line, law_id, "convention_provision")) from error
            record.add("legislation", (numbers[eid], ELI.ensures_implementation_of, target))
