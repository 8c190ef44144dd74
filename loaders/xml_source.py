"""Reading an XML source file: the one parser every XML loader goes through (Akoma Ntoso acts and
judgments, ECLI judgments, Justice Canada XML), so that each refuses entity declarations and
locates syntax errors the same way."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from sherloc_kg.errors import Location, SourceError
from sherloc_kg.xml_entities import declared_entities


def split_tag(tag: str) -> tuple[str, str]:
    """An ElementTree tag as (namespace, local name): ``{ns}act`` → ``("ns", "act")``."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def refuse_entities(data: bytes, file: str) -> None:
    """Refuse an XML document that declares entities, before anything reads it: an external entity
    (``<!ENTITY x SYSTEM "file:///etc/passwd">``) would copy a local file into the records, and
    entities built of entities (the "billion laughs") expand a few kilobytes into gigabytes. Akoma
    Ntoso and ECLI documents never need one. The check does not depend on the expat version's own
    protections, and nothing is expanded: the first declaration stops the scan."""
    for entity in declared_entities(data, stop_at_first=True):
        what = f"{'parameter ' if entity.is_parameter else ''}entity '{entity.name}'"
        if entity.external:
            what += f" (external: {entity.external})"
        raise SourceError(f"the XML document declares the {what}: entity declarations are refused (an external "
                          "entity could read a local file, nested ones expand into an entity bomb); remove the "
                          "DOCTYPE's entity declarations", Location(file, entity.line))


def parse_xml(path: Path) -> ET.Element:
    """The root element of an XML file; malformed XML is a SourceError with its line and column,
    and a document declaring entities is refused (:func:`refuse_entities`)."""
    try:
        data = Path(path).read_bytes()
        refuse_entities(data, str(path))
        return ET.fromstring(data)
    except ET.ParseError as error:
        line, column = error.position
        raise SourceError(f"malformed XML ({error.msg.split(':')[0]} at column {column + 1})",
                          Location(str(path), line)) from error
