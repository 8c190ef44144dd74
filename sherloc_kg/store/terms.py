"""Conversions between rdflib terms (the contract's) and pyoxigraph terms (the engine's)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import StoreError, UsageError
from .contract import SelectResult, TermValue

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


def select_result(results: object) -> SelectResult:
    """The rows of pyoxigraph's ``QuerySolutions`` as rdflib terms, read whole.

    pyoxigraph's solutions may be dropped only on the thread that made them (a pyo3 "unsendable"
    class): one left in a frame of a traceback (a query that fails or is stopped while its rows are
    read) is freed by the garbage collector on whatever thread runs it next, where the engine raises
    an error nobody catches. So the references held here are let go before any error leaves."""
    solution = None
    try:
        if not isinstance(results, ox.QuerySolutions):
            raise UsageError("expected a SELECT query")
        variables = [v.value for v in results.variables]
        rows = []
        for solution in results:
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = from_oxigraph(value)
            rows.append(row)
        return SelectResult(variables, rows)
    except (OSError, RuntimeError) as error:  # the engine's, while it evaluates the rows (a SERVICE call)
        raise StoreError(f"the store failed while reading the query's rows: {error}") from error
    finally:
        del results, solution


def sparql_term(term: TermValue) -> str:
    """A term written in SPARQL/N-Triples syntax. Used only to serialise data (INSERT DATA, VALUES),
    never to paste user text into a query: rdflib escapes quotes, backslashes and newlines."""
    if isinstance(term, BNode):
        raise ValueError("blank nodes cannot be written as record data; mint an IRI below the record")
    return term.n3()
