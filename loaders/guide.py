"""Sections of UNODC's legislative guides for implementing the Convention and its Protocols: JSON
Lines or CSV in the guide format of ``shared/formats/README.md``, mapped as docs/model.md "guide" says.

A section belongs to the guide of one instrument but may explain provisions of another: the
Convention applies to the Protocols mutatis mutandis (e.g. TIP Protocol art. 1 (2)).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, RDF, SHERLOC

from .records import Fields, RawRecord, Record, map_records
from .registry import FLAT, Loader

FIELDS = frozenset({"id", "instrument", "chapter", "section", "title", "provisions", "text"})
MULTI_VALUED = frozenset({"provisions"})


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    yield from map_records(path, source_format, MULTI_VALUED, map_section, iris)


LOADER = Loader(kind="guide", graphs=("guide",), record_class=SHERLOC.GuideSection,
                formats=FLAT, read=read)


def map_section(raw: RawRecord, iris: Iris) -> Record:
    f = Fields(raw, FIELDS)
    section_id = f.text("id", required=True)
    section = iris.guide(section_id)
    record = Record(section, raw.location)

    def add(p: URIRef, o: Any) -> None:
        record.add("guide", (section, p, o))

    add(RDF.type, SHERLOC.GuideSection)
    add(DCTERMS.identifier, Literal(section_id))
    try:
        add(SHERLOC.instrument, iris.instrument(f.text("instrument", required=True) or ""))
    except UsageError as error:
        raise f.error("instrument", str(error)) from error
    for name, predicate in (("chapter", SHERLOC.chapter), ("section", SHERLOC.section)):
        value = f.text(name)  # chapter "II", section "B.2": kept as text, a number becomes its digits
        if value:
            add(predicate, Literal(value))
    for title in f.title("title"):
        add(DCTERMS.title, title)
    for reference in f.texts("provisions"):
        try:
            add(SHERLOC.explainsProvision, iris.provision(reference))
        except UsageError as error:
            raise f.error("provisions", str(error)) from error
    if f.has("text"):
        for text in f.title("text"):
            add(SHERLOC.text, text)
    return record
