"""The SPARQL Update operations both backends write with, in one place: the embedded store sends
them as one request, the remote one as one request or staged (``remote.py``), but the operations
that replace a record, load a graph or run the inference rules are these."""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from ..errors import Location, QueryError, UsageError
from .contract import RdfDocument, RecordWrite, UnparsableDocument
from .terms import sparql_term

#: Delete the current version of the records bound by ``VALUES ?r`` in one graph: first the
#: resources below a record that it links to (defendants, provisions...), then the records' own
#: triples. Two flat patterns on purpose: SPARQL evaluates nested groups bottom-up, so a BIND or
#: FILTER on ?r inside a sub-group would not see the VALUES and would match the whole graph.
DELETE_PARTS = """DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }}
WHERE {{ VALUES ?r {{ {records} }} GRAPH {graph} {{ ?r ?link ?s . ?s ?p ?o }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?r), "/"))) }}"""
DELETE_RECORDS = """DELETE {{ GRAPH {graph} {{ ?r ?p ?o }} }}
WHERE {{ VALUES ?r {{ {records} }} GRAPH {graph} {{ ?r ?p ?o }} }}"""

#: Triples per INSERT DATA operation where a write is chunked: large requests stay within every
#: server's statement limits.
INSERT_CHUNK = 5_000


def record_operations(writes: Sequence[RecordWrite], replace_graphs: Iterable[str],
                      rename: Mapping[str, str] | None = None, *, values_limit: int | None = None,
                      insert_chunk: int | None = INSERT_CHUNK) -> list[str]:
    """The update operations of ``Store.write`` (without its rules): the clears of
    ``replace_graphs``, then for each write the deletion of its records and the insertion of its
    triples, with graph IRIs renamed through ``rename`` (staging). The records a write replaces are
    deleted ``values_limit`` at a time (a server's limit on a ``VALUES`` block) and its triples
    inserted ``insert_chunk`` at a time; ``None``: all at once."""
    name = (lambda g: rename.get(g, g)) if rename else (lambda g: g)
    operations = [f"DROP SILENT GRAPH <{name(g)}>" for g in replace_graphs]
    for write in writes:
        graph = f"<{name(write.graph)}>"
        size = values_limit or len(write.records) or 1
        for first in range(0, len(write.records), size):
            records = " ".join(f"<{r}>" for r in write.records[first:first + size])
            operations.append(DELETE_PARTS.format(graph=graph, records=records))
            operations.append(DELETE_RECORDS.format(graph=graph, records=records))
        chunk = insert_chunk or len(write.triples) or 1
        for start in range(0, len(write.triples), chunk):
            body = "\n".join(f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ."
                             for s, p, o in write.triples[start:start + chunk])
            operations.append(f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}")
    return operations


def graph_operations(graph: str | None, triples: Sequence[ox.Triple], *, replace: bool) -> list[str]:
    """The update operations of ``Store.load_graph`` in one request: the clear of ``graph``
    (``None``: the default graph) if ``replace``, then one INSERT DATA of ``triples``."""
    target = "DEFAULT" if graph is None else f"GRAPH <{graph}>"
    operations = [f"DROP SILENT {target}"] if replace else []
    if triples:
        body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
        operations.append(f"INSERT DATA {{\n{body}\n}}" if graph is None
                          else f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
    return operations


_PROLOGUE_LINE = re.compile(r"^\s*(?:#.*|PREFIX\s+[^\s:]*:\s*<[^>]*>\s*|)$", re.IGNORECASE)


def hoist_prologues(requests: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split the leading PREFIX declarations (and comments) off each update request.

    SPARQL 1.1 allows a prologue before every operation of a request, but Oxigraph accepts one only
    at the very start; the declarations are therefore collected and written once, first. The same
    prefix bound to two namespaces would change meaning, so that is refused."""
    prefixes: dict[str, str] = {}
    bodies = []
    for text in requests:
        lines = text.splitlines()
        start = 0
        while start < len(lines) and _PROLOGUE_LINE.match(lines[start]):
            declaration = re.match(r"^\s*PREFIX\s+([^\s:]*):\s*<([^>]*)>", lines[start], re.IGNORECASE)
            if declaration:
                name, namespace = declaration.groups()
                if prefixes.setdefault(name, namespace) != namespace:
                    raise QueryError(f"prefix '{name}:' is bound to two namespaces in one write")
            start += 1
        bodies.append("\n".join(lines[start:]))
    return [f"PREFIX {name}: <{namespace}>" for name, namespace in prefixes.items()], bodies


_PARSER_POSITION = re.compile(r"^Parser error (?:at|between) line \d+ (?:column \d+|between columns \d+ and \d+)"
                              r"(?: and line \d+ column \d+)?: ")


def _xml_error_line(data: bytes) -> int | None:
    """The line of the first well-formedness error of an XML document, or None: the RDF/XML parser
    reports what is wrong but not where. Expat never fetches external entities."""
    probe = xml.parsers.expat.ParserCreate()
    try:
        probe.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        return error.lineno
    return None


def parse_document(document: RdfDocument) -> list[ox.Triple]:
    """The triples of one RDF document that ``Store.load_graph`` writes, parsed by the engine.
    Raises UnparsableDocument (with the line when the parser knows it) or UsageError (unknown
    syntax, or a document naming graphs)."""
    fmt = ox.RdfFormat.from_media_type(document.media_type)
    if fmt is None:
        raise UsageError(f"{document.name}: no RDF parser for {document.media_type}")
    try:
        quads = list(ox.parse(document.data, fmt, base_iri=document.base_iri))
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        if line is None and fmt == ox.RdfFormat.RDF_XML:
            line = _xml_error_line(document.data)
        detail = _PARSER_POSITION.sub("", error.msg if isinstance(error, SyntaxError) else str(error))
        column = getattr(error, "offset", None)
        where = f" (line {line}, column {column})" if line and column else (f" (line {line})" if line else "")
        raise UnparsableDocument(f"does not parse as {fmt.name}: {detail}{where}",
                                 Location(document.name, line)) from error
    named = next((q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)), None)
    if named is not None:
        raise UsageError(f"{document.name}: the {fmt.name} document puts triples in graph {named}; a graph "
                         "write takes the triples of one graph (send them in the document's default graph)")
    return [q.triple for q in quads]
