"""The Directory of Competent National Authorities (CNA Directory): JSON Lines in the authorities
format of ``shared/formats/README.md``, mapped as docs/model.md "authorities" says.

The Convention and its Protocols make States designate authorities and notify them to the
Secretary-General: the central authority for mutual legal assistance (UNTOC art. 18 (13)), the
authority for requests about vessels smuggling migrants by sea (SOM Protocol art. 8 (6)), the
national body or point of contact of the Firearms Protocol (art. 13 (2)). A designation therefore
names the provision it is made under.

Contact details are restricted: they are written ONLY to ``authorities-restricted``; no contact
triple is ever added to the public ``authorities`` graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, ORG, RDF, SHERLOC, SKOS, VCARD

from .records import Fields, RawRecord, Record, map_records
from .registry import JSONL, Loader

PUBLIC, RESTRICTED = "authorities", "authorities-restricted"

FIELDS = frozenset({"id", "country", "name", "designations", "languages_accepted", "channels",
                    "untoc_legal_basis", "contact"})
MULTI_VALUED = frozenset({"languages_accepted", "channels"})
DESIGNATION_FIELDS = frozenset({"designations.under", "designations.matter", "designations.date"})
CONTACT_FIELDS = frozenset({"contact.address", "contact.phone", "contact.fax", "contact.email",
                            "contact.hours", "contact.person"})
# Characters an e-mail address may not hold here: whitespace, a second @, and what an IRI forbids.
_EMAIL = re.compile(r"^[^@\s<>\"{}|\\^`]+@[^@\s<>\"{}|\\^`]+\.[^@\s<>\"{}|\\^`]+$")


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    # A CSV row cannot carry the nested `designations` the Directory requires (each authority is
    # listed *because* it was designated), nor the contact object: refuse it rather than load
    # authorities that can never be valid.
    if (source_format or path.suffix.lower().lstrip(".")) == "csv":
        raise UsageError(f"{path}: authorities cannot be loaded from CSV (designations and contact are nested "
                         "objects); write them as JSON Lines, one authority per line")
    yield from map_records(path, source_format, MULTI_VALUED, map_authority, iris)


LOADER = Loader(kind="authorities", graphs=(PUBLIC, RESTRICTED), record_class=SHERLOC.CompetentNationalAuthority,
                formats=(JSONL,), read=read)


def map_authority(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    authority_id = f.text("id", required=True)
    authority = iris.authority(authority_id)
    record = Record(authority, raw.location)

    def add(p: URIRef, o: Any) -> None:
        record.add(PUBLIC, (authority, p, o))

    add(RDF.type, ORG.Organization)
    add(RDF.type, SHERLOC.CompetentNationalAuthority)
    add(DCTERMS.identifier, Literal(authority_id))
    add(SKOS.prefLabel, Literal(f.text("name", required=True)))
    add(SHERLOC.country, iris.country(f.text("country", required=True) or ""))
    # Art. 18 (14): the State notifies the languages acceptable for requests.
    for language in f.texts("languages_accepted"):
        add(SHERLOC.languageAccepted, Literal(language))
    # Art. 18 (13): through the central authority, or diplomatic channels / INTERPOL where required.
    for channel in f.texts("channels"):
        add(SHERLOC.channel, Literal(channel))
    # Art. 16 (4)-(5): the Convention as legal basis for extradition where a treaty is required.
    legal_basis = f.boolean("untoc_legal_basis")
    if legal_basis is not None:
        add(SHERLOC.acceptsConventionAsLegalBasis, Literal(legal_basis))

    if not f.has("designations"):
        raise f.error("designations", "required field is missing: give at least one designation, e.g. "
                                      '[{"under": "untoc/art/18/13", "matter": "mutual-legal-assistance"}]')
    for number, data in enumerate(f.objects("designations"), start=1):
        _map_designation(record, iris, number, _nested(raw, "designations", data, DESIGNATION_FIELDS))
    contact = f.object("contact")
    if contact:
        _map_contact(record, _nested(raw, "contact", contact, CONTACT_FIELDS))
    return record


def _nested(raw: RawRecord, prefix: str, data: Mapping[str, Any], known: frozenset[str]) -> Fields:
    """Fields over a nested object, its keys spelt ``prefix.key`` so errors name e.g. 'designations.under'."""
    return Fields(RawRecord({f"{prefix}.{k}": v for k, v in data.items()}, raw.location), known)


def _map_designation(record: Record, iris: Iris, number: int, d: Fields) -> None:
    assert record.iri is not None
    designation = Iris.part(record.iri, "designation", number)
    record.add(PUBLIC, (record.iri, SHERLOC.designation, designation))
    record.add(PUBLIC, (designation, RDF.type, SHERLOC.CNADesignation))
    under = d.text("designations.under", required=True) or ""
    try:
        record.add(PUBLIC, (designation, SHERLOC.designatedUnder, iris.provision(under)))
    except UsageError as error:
        raise d.error("designations.under", str(error)) from error
    matter = d.text("designations.matter")
    if matter:
        record.add(PUBLIC, (designation, SHERLOC.designationMatter, iris.concept("designation-matter", matter)))
    when = d.date("designations.date")  # date of the notification to the Secretary-General
    if when is not None:
        record.add(PUBLIC, (designation, DCTERMS.date, when))


def _map_contact(record: Record, c: Fields) -> None:
    """vCard contact details, into the restricted graph only."""
    authority = record.iri
    assert authority is not None

    def add(p: URIRef, o: Any) -> None:
        record.add(RESTRICTED, (authority, p, o))

    address = c.text("contact.address")
    if address:
        place = Iris.part(authority, "contact")  # linked from the authority in the restricted graph
        add(VCARD.hasAddress, place)
        record.add(RESTRICTED, (place, RDF.type, VCARD.Address))
        record.add(RESTRICTED, (place, VCARD["street-address"], Literal(address)))
    for phone in c.texts("contact.phone"):
        add(VCARD.hasTelephone, Literal(phone))
    for email in c.texts("contact.email"):
        email = email.removeprefix("mailto:")
        if not _EMAIL.match(email):
            raise c.error("contact.email", f"not an e-mail address: {email!r}")
        add(VCARD.hasEmail, URIRef("mailto:" + email))
    for fax in c.texts("contact.fax"):
        add(SHERLOC.fax, Literal(fax))
    hours, person = c.text("contact.hours"), c.text("contact.person")
    if hours:
        add(SHERLOC.officeHours, Literal(hours))
    if person:
        add(SHERLOC.contactPerson, Literal(person))
