"""Conversions between rdflib terms (the contract's) and pyoxigraph terms (the engine's)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from .contract import TermValue

_XSD_STRING = str(XSD.string)
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_oxigraph(term: TermValue) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def from_oxigraph(term: object) -> TermValue:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def sparql_term(term: TermValue) -> str:
    """A term written in SPARQL/N-Triples syntax. Used only to serialise data (INSERT DATA, VALUES),
    never to paste user text into a query: rdflib escapes quotes, backslashes and newlines."""
    if isinstance(term, BNode):
        raise ValueError("blank nodes cannot be written as record data; mint an IRI below the record")
    return term.n3()
