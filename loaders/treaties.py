"""Bilateral and multilateral cooperation treaties (extradition, mutual legal assistance,
transfer of sentenced persons, ...): JSON Lines or CSV in the treaties format of
``shared/formats/README.md``, mapped as docs/model.md "treaties" says.

The Convention encourages States to conclude such treaties (UNTOC arts. 16 (17), 17, 18 (30),
27 (2)); SHERLOC's treaties database lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, ELI, FOAF, RDF, SHERLOC

from .records import Fields, RawRecord, Record, map_records
from .registry import FLAT, Loader

FIELDS = frozenset({"id", "title", "type", "subjects", "parties", "signature_date", "entry_into_force", "url"})
MULTI_VALUED = frozenset({"subjects", "parties"})


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    yield from map_records(path, source_format, MULTI_VALUED, map_treaty, iris)


LOADER = Loader(kind="treaties", graphs=("treaties",), record_class=SHERLOC.CooperationTreaty,
                formats=FLAT, read=read)


def map_treaty(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    treaty_id = f.text("id", required=True)
    treaty = iris.treaty(treaty_id)
    record = Record(treaty, raw.location)

    def add(p: URIRef, o: Any) -> None:
        record.add("treaties", (treaty, p, o))

    add(RDF.type, SHERLOC.CooperationTreaty)
    add(DCTERMS.identifier, Literal(treaty_id))
    for title in f.title("title"):
        add(DCTERMS.title, title)
    kind = f.text("type")  # bilateral / multilateral / regional
    if kind:
        add(SHERLOC.treatyType, iris.concept("treaty-type", kind))
    for subject in f.texts("subjects"):
        add(SHERLOC.treatySubject, iris.concept("treaty-subject", subject))
    for party in f.texts("parties"):
        add(SHERLOC.party, iris.country(party))
    for name, predicate in (("signature_date", SHERLOC.signatureDate),
                            ("entry_into_force", ELI.first_date_entry_in_force)):
        when = f.date(name)  # a bare year becomes xsd:gYear, which the shape refuses with its message
        if when is not None:
            add(predicate, when)
    url = f.url("url")
    if url is not None:
        add(FOAF.page, url)
    return record
