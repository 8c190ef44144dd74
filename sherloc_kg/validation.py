"""The SHACL gate: records are checked against ``shapes/{kind}.ttl`` before anything is written.

The data graph pyshacl sees is the batch itself, plus the context it links to (the ``rdf:type``
and ``skos:inScheme`` of every IRI the batch references, looked up in the store or in the same
load) plus the ontology's class hierarchy, so ``sh:class`` answers "does this provision, country,
concept or case exist?" without loading the whole store into memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, Literal, URIRef

from .errors import Issue, Location, UsageError
from .iris import Iris
from .namespaces import RDF, RDFS, SH
from .reference import read_turtle

Locate = Callable[[URIRef], Location]


@dataclass(frozen=True)
class Gate:
    shapes: Graph
    hierarchy: Graph

    @classmethod
    def for_kind(cls, kind: str, shapes_dir: Path, ontology_file: Path, iris: Iris) -> "Gate":
        path = shapes_dir / f"{kind}.ttl"
        if not path.exists():
            raise UsageError(f"no shapes for '{kind}': {path} is missing")
        shapes = read_turtle([path], iris)
        ontology = read_turtle([ontology_file], iris)
        hierarchy = Graph()
        for triple in ontology.triples((None, RDFS.subClassOf, None)):
            if isinstance(triple[2], URIRef):
                hierarchy.add(triple)
        return cls(shapes, hierarchy)

    def check(self, triples: Iterable[tuple], context: Iterable[tuple], locate: Locate) -> list[Issue]:
        """Validate ``triples`` (with ``context``); every result becomes an :class:`Issue`."""
        data = Graph()
        for triple in triples:
            data.add(triple)
        for triple in context:
            data.add(triple)
        data += self.hierarchy
        # allow_warnings: a report with warnings only "conforms", yet its warnings are still wanted.
        _conforms, results, _text = validate(
            data, shacl_graph=self.shapes, inference="none", advanced=True, allow_warnings=True
        )
        # Only the report's own results: pyshacl nests the results of sh:node checks in sh:detail,
        # whose focus is the referenced value (a concept), not a record of this load.
        report = results.value(predicate=RDF.type, object=SH.ValidationReport)
        return [self._issue(results, result, locate) for result in results.objects(report, SH.result)]

    def _issue(self, results: Graph, result, locate: Locate) -> Issue:
        focus = results.value(result, SH.focusNode)
        severity = results.value(result, SH.resultSeverity)
        source_shape = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        field = self.shapes.value(source_shape, SH.name) if source_shape is not None else None
        messages = list(results.objects(result, SH.resultMessage))
        english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
        message = str((english or messages or [f"breaks the rule on {path}"])[0])
        where = locate(focus) if isinstance(focus, URIRef) else Location("?")
        if field is not None:
            where = Location(where.file, where.line, where.record, str(field))
        elif path is not None:
            where = Location(where.file, where.line, where.record, str(path))
        return Issue(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            message=message,
            location=where,
            value=str(value) if value is not None else None,
            shape=str(source_shape) if isinstance(source_shape, URIRef) else None,
            focus=str(focus) if focus is not None else None,
        )
