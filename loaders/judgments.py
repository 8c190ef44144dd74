"""Judgments published as XML, loaded as court cases (``sherloc:CourtCase``, graph ``cases``) as
docs/model.md "cases" says. Reached through the cases loader: ``load cases FILE.xml`` (the format
guessed from the ``.xml`` suffix) or ``--format akn`` / ``--format ecli``. Which of the two readers
applies is decided by the root element, not by the format given: ``<akomaNtoso>`` in the Akoma
Ntoso 3.0 namespace (or one of its drafts) holding a ``<judgment>``, or ``<open-rechtspraak>``
(the open data of the Dutch judiciary). Other XML is refused naming its root element; an Akoma
Ntoso document of another kind (an act, a bill, ...) is refused saying what it is. One file is one
case.

**Case id** (``dcterms:identifier``; the IRI is ``id/case/{id}``). A judgment from these sources
is not a SHERLOC case and has no UNODC number, so its id is derived from its own identifier:

* an ECLI: its colons become hyphens, ``ECLI:NL:HR:1984:AC8252`` → ``ECLI-NL-HR-1984-AC8252``
  (an ECLI is unique and stable, and its segments are letters, digits and dots);
* Akoma Ntoso: the work's ``FRBRuri`` (or ``FRBRthis`` without ``/!main``), its segments joined by
  ``-`` as for acts (``loaders.akoma_ntoso.law_id_from_uri``):
  ``/akn/za/judgement/2008-11-26/653-07`` → ``akn-za-judgement-2008-11-26-653-07``. The neutral
  citation is not used for the id: its spelling varies between reports (``[2008] ZASCA 134``), the
  FRBR work URI is the document's own identifier.

**Crime types.** Neither source says which offence of the Convention or its Protocols a judgment
concerns, and the loader does not guess: no ``sherloc:crimeType`` is stated. Every imported case
instead carries ``dcterms:type <http://publications.europa.eu/resource/authority/resource-type/JUDG>``
(the EU Publications Office resource type "judgment"), which no hand-written case record states.
shapes/cases.ttl reads that marker: for such a case a missing crime type is a *Warning* (the
editor must classify it), while for every other case it stays a Violation.

**Akoma Ntoso judgments** (``<judgment>``):

* **country**: ``FRBRcountry`` (alpha-2 such as ``za``, alpha-3, ...), to ISO3 with pycountry;
* **decision date**: the header's ``docDate/@date`` (the date of delivery), else the work's
  ``FRBRdate`` (which in some documents is the hearing date, so it comes second); a document with
  neither is refused naming ``docDate``;
* **court**: the header's ``courtType`` or ``docCourt``, else ``docProponent``, else the
  ``showAs`` of the organisation the work's ``FRBRauthor`` points to;
* **title**: the ``docTitle``, else the ``party`` elements as ``X v Y``, else ``FRBRname``,
  tagged with the expression's ``FRBRlanguage``;
* **neutral citation**: ``neutralCitation``, else ``docNumber``, as ``dcterms:bibliographicCitation``
  (the shape is open: it checks the properties it names and allows others);
* **keywords**: the ``showAs`` (or ``value``) of the ``classification/keyword`` elements.

**Open-rechtspraak** (``<open-rechtspraak>``, Dutch judiciary): from the ``rdf:Description`` whose
``dcterms:identifier`` is the ECLI: ``dcterms:creator`` is the court, ``dcterms:date`` the decision
date (refused naming ``dcterms:date`` when missing), ``dcterms:coverage`` the country (else the
ECLI's country segment), ``dcterms:subject`` and ``psi:procedure`` keywords, the ECLI and the
``dcterms:hasVersion`` report citations (``NJ 1984, 479``; the ``Rechtspraak.nl`` entry left out)
``dcterms:bibliographicCitation``. The ``dcterms:title`` of the HTML description is the title
(else ``{court} {date} {ECLI}``), its ``rdf:about`` deeplink the ``dcterms:source``; the
``inhoudsindicatie`` is the summary (``dcterms:abstract``) in its ``lang``.

**Court level** is set only where the name leaves no doubt: ``Hoge Raad`` and ``Supreme Court``
(without "appeal") → ``supreme``; ``Gerechtshof`` and ``Court of Appeal`` (without "supreme") →
``appeal``. South Africa's *Supreme Court of Appeal* is an appellate court below the
Constitutional Court: its name is ambiguous, so no level is stated.

**References to legislation** (Akoma Ntoso): every ``ref`` whose ``href`` names an act
(``/akn/za/act/1998-03-31/7``, with or without expression, manifestation and fragment) gives
``dcterms:references`` → that act, its IRI minted from the URI as the legislation loader mints an
Akoma Ntoso act's (``id/legislation/ZAF/akn-za-act-1998-03-31-7``); a ``ref`` with a fragment
(``.../eng@/!main.xml#sec27``) also gives ``sherloc:appliesNationalProvision`` → the provision of
that eId as written (``.../akn-za-act-1998-03-31-7/art/sec27``), nothing normalised. The act is
usually not loaded: for an imported judgment the shapes then warn instead of refusing. Refs to
other judgments, to books (``/akn/za/law/...``) or within the judgment are not legislation and
are left out. Convention provisions, defendants and TIP elements are left for an editor.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.errors import Location, SourceError, UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, RDF, SHERLOC, SKOS

from . import akoma_ntoso as akn
from .records import Record
from .registry import Format
from .xml_source import parse_xml, split_tag

#: The formats the cases loader reads through this module: whichever is named, the root element
#: decides which reader applies.
FORMAT_TABLE = (
    Format("akn", ".xml", "an Akoma Ntoso 3.0 judgment (or one of its drafts)"),
    Format("ecli", ".xml", "open-rechtspraak XML, the open data of the Dutch judiciary (ECLI)"),
    Format("xml", ".xml", "a judgment in either, told by its root element"),
)
FORMATS = tuple(f.name for f in FORMAT_TABLE)
#: What marks a case as an imported judgment (see the module docstring and shapes/cases.ttl).
JUDGMENT_TYPE = URIRef("http://publications.europa.eu/resource/authority/resource-type/JUDG")

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC_NS = "http://purl.org/dc/terms/"
PSI_NS = "http://psi.rechtspraak.nl/"
RS_NS = "http://www.rechtspraak.nl/schema/rechtspraak-1.0"


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    if source_format not in (None, *FORMATS):
        raise UsageError(f"judgments cannot be read as {source_format!r}; formats: akn, ecli")
    try:
        yield _read(path, iris)
    except SourceError as error:
        yield Record(None, error.location, error=error)
    except (OSError, UnicodeDecodeError) as error:
        where = Location(str(path))
        yield Record(None, where, error=SourceError(f"cannot read the file: {error}", where))


def _read(path: Path, iris: Iris) -> Record:
    file = str(path)
    root = parse_xml(path)
    namespace, local = split_tag(root.tag)
    if local == "akomaNtoso" and akn.NAMESPACE.match(namespace):
        return _akn(root, namespace, file, iris)
    if local == "open-rechtspraak":
        return _rechtspraak(root, file, iris)
    described = f"{{{namespace}}}{local}" if namespace else local
    raise SourceError(f"not a judgment this loader reads: the root element is <{described}>, expected "
                      "<akomaNtoso> (Akoma Ntoso 3.0 judgment) or <open-rechtspraak> (ECLI, Dutch judiciary)",
                      Location(file, 1))


# ---------------------------------------------------------------------------------------------
# What both readers state
# ---------------------------------------------------------------------------------------------

def _case(iris: Iris, case_id: str, where: Location, *, title: Literal, country: str, decided: str,
          court: str | None, citations: list[str], keywords: list[str]) -> Record:
    case = iris.case(case_id)
    record = Record(case, where)

    def add(p: URIRef, o: Any) -> None:
        record.add("cases", (case, p, o))

    add(RDF.type, SHERLOC.CourtCase)
    add(DCTERMS.identifier, Literal(case_id))
    add(DCTERMS.type, JUDGMENT_TYPE)
    add(DCTERMS.title, title)
    seat = iris.country(country)
    add(SHERLOC.jurisdiction, seat)
    add(SHERLOC.decisionDate, Literal(decided, datatype=XSD.date))
    add(SHERLOC.decisionYear, Literal(int(decided[:4]), datatype=XSD.integer))
    if court:
        court_iri = iris.court(country, court)
        add(SHERLOC.decidedBy, court_iri)
        record.add("cases", (court_iri, RDF.type, SHERLOC.Court))
        record.add("cases", (court_iri, SKOS.prefLabel, Literal(court)))
        record.add("cases", (court_iri, SHERLOC.jurisdiction, seat))
        level = court_level(court)
        if level:
            add(SHERLOC.courtLevel, iris.concept("court-level", level))
    for citation in dict.fromkeys(citations):
        add(DCTERMS.bibliographicCitation, Literal(citation))
    for keyword in dict.fromkeys(keywords):
        add(SHERLOC.keyword, Literal(keyword))
    return record


def court_level(name: str) -> str | None:
    """Only where the name is unambiguous (see the module docstring)."""
    lowered = " ".join(name.lower().split())
    if lowered.startswith("hoge raad"):
        return "supreme"
    if lowered.startswith("gerechtshof"):
        return "appeal"
    supreme, appeal = "supreme court" in lowered, "appeal" in lowered
    if supreme and not appeal:
        return "supreme"
    if "court of appeal" in lowered and not supreme:
        return "appeal"
    return None


def _full_date(value: str) -> str | None:
    value = value.strip()[:10]
    try:
        return value if len(value) == 10 and date.fromisoformat(value) else None
    except ValueError:
        return None


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


# ---------------------------------------------------------------------------------------------
# Akoma Ntoso 3.0 judgments
# ---------------------------------------------------------------------------------------------

def _akn(root: ET.Element, namespace: str, file: str, iris: Iris) -> Record:
    ns = f"{{{namespace}}}"
    document = akn.document(root, namespace, file, "judgment")

    def at(*steps: str) -> ET.Element | None:
        return document.find("/".join(ns + s for s in steps))

    def first(name: str, within: ET.Element | None = None) -> ET.Element | None:
        return next((within if within is not None else document).iter(ns + name), None)

    def value(parent: ET.Element | None, name: str, attribute: str = "value") -> str:
        element = parent.find(ns + name) if parent is not None else None
        return (element.get(attribute) or "").strip() if element is not None else ""

    work = at("meta", "identification", "FRBRWork")
    if work is None:
        raise SourceError("no FRBRWork in meta/identification: the judgment cannot be identified",
                          Location(file, None, None, "FRBRWork"))
    work_uri = (value(work, "FRBRuri") or re.sub(r"/!?main$", "", value(work, "FRBRthis").rstrip("/"))).rstrip("/")
    if not work_uri:
        raise SourceError("FRBRWork has neither an FRBRuri nor an FRBRthis value",
                          Location(file, None, None, "FRBRWork"))
    case_id = akn.law_id_from_uri(work_uri)
    country = akn.country_code(value(work, "FRBRcountry"), Location(file, None, case_id, "FRBRcountry"))
    language = akn.language_code(value(at("meta", "identification", "FRBRExpression"), "FRBRlanguage", "language"))

    header = at("header")
    doc_date = first("docDate", header) if header is not None else None
    decided = _full_date(doc_date.get("date") or "") if doc_date is not None else None
    decided = decided or _full_date(value(work, "FRBRdate", "date"))
    if not decided:
        raise SourceError("the judgment has no decision date (docDate/@date in the header, or FRBRdate of the work)",
                          Location(file, None, case_id, "docDate"))

    court = ""
    for name in ("courtType", "docCourt", "docProponent"):
        element = first(name, header) if header is not None else None
        court = akn.text(element, namespace) if element is not None else ""
        if court:
            break
    if not court:
        authored = work.find(ns + "FRBRauthor")
        author = (authored.get("href") or "").lstrip("#") if authored is not None else ""
        for organisation in document.iter(ns + "TLCOrganization"):
            if author and organisation.get("eId") == author:
                court = _words(organisation.get("showAs"))

    title_element = first("docTitle", header) if header is not None else None
    title = akn.text(title_element, namespace) if title_element is not None else ""
    if not title and header is not None:
        parties = [akn.text(p, namespace) for p in header.iter(ns + "party")]
        title = " v ".join(p for p in parties if p)
    title = title or value(work, "FRBRname")
    if not title:
        raise SourceError("the judgment has no title (docTitle, parties or FRBRname)",
                          Location(file, None, case_id, "docTitle"))

    citations = []
    for name in ("neutralCitation", "docNumber"):
        element = first(name, header) if header is not None else None
        if element is not None and akn.text(element, namespace):
            citations.append(akn.text(element, namespace))
            break
    keywords = [_words(k.get("showAs") or k.get("value")) for k in document.iter(ns + "keyword")]
    record = _case(iris, case_id, Location(file, None, case_id), title=Literal(title, lang=language),
                   country=country, decided=decided, court=court or None, citations=citations,
                   keywords=[k for k in keywords if k])
    for predicate, target in _legislation_refs(document, ns, work_uri, country, iris):
        record.add("cases", (record.iri, predicate, target))
    return record


def _legislation_refs(document: ET.Element, ns: str, work_uri: str, country: str,
                      iris: Iris) -> list[tuple[URIRef, URIRef]]:
    """(predicate, object) for each act a ``ref`` names, and each provision of it (see the module docstring)."""
    links: dict[tuple[URIRef, URIRef], None] = {}
    for ref in document.iter(ns + "ref"):
        href = (ref.get("href") or "").strip()
        act = akn.other_act(href, work_uri, country)
        if act is None:
            continue
        links[(DCTERMS.references, iris.legislation(*act))] = None
        eid = href.partition("#")[2].strip()
        if eid and re.fullmatch(r"[A-Za-z0-9._~-]+", eid):
            links[(SHERLOC.appliesNationalProvision, iris.national_provision(act[0], act[1], eid))] = None
    return list(links)


# ---------------------------------------------------------------------------------------------
# Open data of the Dutch judiciary (open-rechtspraak, ECLI)
# ---------------------------------------------------------------------------------------------

def _rechtspraak(root: ET.Element, file: str, iris: Iris) -> Record:
    rdf, dc = f"{{{RDF_NS}}}", f"{{{DC_NS}}}"
    descriptions = list(root.iter(rdf + "Description"))
    ecli, meta = "", None
    for description in descriptions:
        identifier = _words(description.findtext(dc + "identifier"))
        if identifier.upper().startswith("ECLI:"):
            ecli, meta = identifier, description
            break
    if meta is None or not re.fullmatch(r"ECLI:[A-Z]{2}:[A-Z0-9.]{1,7}:\d{4}:[A-Z0-9.]{1,25}", ecli):
        raise SourceError("no ECLI in the metadata (an rdf:Description whose dcterms:identifier is an ECLI, "
                          "e.g. ECLI:NL:HR:1984:AC8252)", Location(file, None, None, "dcterms:identifier"))
    case_id = ecli.replace(":", "-")

    def field(name: str) -> str:
        return _words(meta.findtext(name))

    decided = _full_date(field(dc + "date"))
    if not decided:
        raise SourceError("the judgment has no decision date (dcterms:date, YYYY-MM-DD)",
                          Location(file, None, case_id, "dcterms:date"))
    country = akn.country_code(field(dc + "coverage") or ecli.split(":")[1],
                       Location(file, None, case_id, "dcterms:coverage"))
    court = field(dc + "creator")
    language = akn.language_code(field(dc + "language") or "nl")

    title, source = "", None
    for description in descriptions:
        if description is meta:
            continue
        title = title or _words(description.findtext(dc + "title"))
        about = description.get(rdf + "about") or ""
        if source is None and re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", about):
            source = URIRef(about)
    title = title or " ".join(filter(None, [court, decided, ecli]))

    citations = [ecli] + [_words(li.text) for li in meta.iter(rdf + "li")
                          if _words(li.text) and _words(li.text).lower() != "rechtspraak.nl"]
    keywords = [field(dc + "subject"), field(f"{{{PSI_NS}}}procedure")]
    record = _case(iris, case_id, Location(file, None, case_id), title=Literal(title, lang=language),
                   country=country, decided=decided, court=court or None, citations=citations,
                   keywords=[k for k in keywords if k])
    assert record.iri is not None
    summary = root.find(f"{{{RS_NS}}}inhoudsindicatie")
    text = _words(" ".join(summary.itertext())) if summary is not None else ""
    if summary is not None and text:
        lang = summary.get("lang") or language or "nl"
        record.add("cases", (record.iri, DCTERMS.abstract, Literal(text, lang=lang)))
    if source is not None:
        record.add("cases", (record.iri, DCTERMS.source, source))
    return record
