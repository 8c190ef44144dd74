"""The entities an XML document's DOCTYPE declares, read without expanding any of them.

Both places that take XML from outside (the Akoma Ntoso / ECLI loaders and the Graph Store's
RDF/XML bodies) decide on entities before a parser expands them: an external entity could read a
local file, nested ones expand a few kilobytes into gigabytes. This module only reports what is
declared; each caller applies its own policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat


@dataclass(frozen=True)
class EntityDeclaration:
    name: str
    is_parameter: bool
    value: str | None  # None for an external entity
    external: str | None  # its system or public id
    line: int


class _EndOfDoctype(Exception):
    pass


def declared_entities(data: bytes, *, stop_at_first: bool = False) -> list[EntityDeclaration]:
    """The entity declarations of ``data``'s DOCTYPE, in order (only the first with
    ``stop_at_first``). The scan ends with the DOCTYPE; a malformed document yields what was read
    before the error (the caller's parser says where it is malformed)."""
    scanner = expat.ParserCreate()
    found: list[EntityDeclaration] = []

    def declared(name: str, is_parameter: int, value: str | None, _base: str | None, system_id: str | None,
                 public_id: str | None, _notation: str | None = None) -> None:
        found.append(EntityDeclaration(name, bool(is_parameter), value, system_id or public_id,
                                       scanner.CurrentLineNumber))
        if stop_at_first:
            raise _EndOfDoctype

    def end_of_doctype() -> None:
        raise _EndOfDoctype  # every declaration is in the DOCTYPE: the rest needs no scan

    scanner.EntityDeclHandler = declared
    scanner.UnparsedEntityDeclHandler = lambda name, base, system_id, public_id, notation: declared(
        name, 0, None, base, system_id, public_id, notation)
    scanner.EndDoctypeDeclHandler = end_of_doctype
    try:
        scanner.Parse(data, True)
    except (_EndOfDoctype, expat.ExpatError):
        pass
    return found
