"""How deep and how large an XML document from outside is, measured as its bytes arrive, before any
loader or parser of ours builds a tree from it.

The Akoma Ntoso / ECLI loaders and the store's RDF/XML parser walk a document recursively: an
upload nesting elements thousands deep ended in a RecursionError (a 500), and one of 300,000
articles (26.7 MB, well under the 64 MiB body limit) held the load lock for most of an hour at
2.6 GB (issue 24). A law or a judgment nests a few dozen levels and has tens of thousands of
elements, so each upload is held to :data:`MAX_XML_DEPTH` levels and :data:`MAX_XML_ELEMENTS`
elements, and refused past either with a 422 naming the file, the element and the line.

expat reads the document as a stream, without recursion and without building anything; a
document that is not well-formed is left to the loader, whose error says where.
"""

from __future__ import annotations

from xml.parsers import expat

from .errors import XmlTooComplex

#: Deepest element nesting an uploaded XML document may have.
MAX_XML_DEPTH = 256
#: Most elements an uploaded XML document may have (about ten per article of a large code).
MAX_XML_ELEMENTS = 250_000


class _Past(Exception):
    pass


class XmlShape:
    """Feed an XML document in chunks (:meth:`feed`, then :meth:`close`); XmlTooComplex at the
    first element past a bound."""

    def __init__(self, name: str, *, max_depth: int = MAX_XML_DEPTH, max_elements: int = MAX_XML_ELEMENTS) -> None:
        self.name, self.max_depth, self.max_elements = name, max_depth, max_elements
        self.depth = self.deepest = self.elements = 0
        self._parser = expat.ParserCreate()
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._malformed = False
        self._refusal: XmlTooComplex | None = None

    def _start(self, element: str, _attributes: dict) -> None:
        self.depth += 1
        self.elements += 1
        self.deepest = max(self.deepest, self.depth)
        line = self._parser.CurrentLineNumber
        if self.depth > self.max_depth:
            self._refusal = XmlTooComplex(
                f"{self.name}: element <{element}> at line {line} is nested {self.depth} levels deep; an uploaded "
                f"XML document may nest at most {self.max_depth}")
            raise _Past
        if self.elements > self.max_elements:
            self._refusal = XmlTooComplex(
                f"{self.name}: element <{element}> at line {line} is element number {self.elements}; an uploaded "
                f"XML document may have at most {self.max_elements}: split it into several files")
            raise _Past

    def _end(self, _element: str) -> None:
        self.depth -= 1

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self._malformed:
            return
        try:
            self._parser.Parse(chunk, final)
        except _Past:
            assert self._refusal is not None
            raise self._refusal from None
        except expat.ExpatError:
            self._malformed = True  # the loader reads it again and says what is wrong, and where

    def close(self) -> None:
        self.feed(b"", final=True)


def check_xml_shape(data: bytes, name: str) -> None:
    """Refuse ``data`` (a whole XML document) past the depth or element bound."""
    shape = XmlShape(name)
    shape.feed(data, final=True)
