"""The SHACL gate: records are checked against ``shapes/{kind}.ttl`` before anything is written.

The data graph pyshacl sees is the batch itself, plus the context it links to (the ``rdf:type``
and ``skos:inScheme`` of every IRI the batch references, looked up in the store or in the same
load) plus the ontology's class hierarchy, so ``sh:class`` answers "does this provision, country,
concept or case exist?" without loading the whole store into memory.

Speed (issue 9; measured in ``benchmarks/results/ingest.md``). The results are those of
``pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
allow_warnings=True)``; what changed is only the work done to get them:

* a gate is built once per process for each shapes file (keyed by path, size and modification
  time), and with it pyshacl's harvest of the shapes, which is reused by every batch;
* the data graph is validated in place (it is a throw-away graph of this batch): no copy;
* SHACL-AF ("advanced") is switched on only for a shapes file that uses it (``sh:target``,
  ``sh:rule``, ``sh:expression``, SHACL functions): for the others it changes nothing but costs;
* pyshacl hands rdflib the text of each SPARQL constraint once per focus node, and rdflib parses
  it each time (with pyparsing: 0.1 s a parse, the whole cost of the strategies' period check).
  The data graph parses each distinct text once and reuses the prepared query;
* pyshacl looks every predicate of every shape up in a *list* of the constraint parameters
  (rdflib's ``__eq__`` called millions of times on a large batch); the list it caches is given a
  set beside it for membership, same order, same contents.

The engine (``SHERLOC_SHACL_ENGINE``, Settings.shacl_engine): ``turbo`` (the default),
pyshacl-turbo, a Rust engine with pySHACL's API, which compiles the shapes once per gate and
validates each batch with ``CompiledShapes.validate(data, allow_warnings=True)`` (inference none;
SHACL-AF, which our ``sh:target [a sh:SPARQLTarget]`` need); or ``pyshacl``, the reference. The batch reaches pyshacl-turbo as an rdflib graph, not as the pyoxigraph Store its documentation
offers as the faster input: from a Store, pyshacl-turbo 0.6.5 reads a plain literal as typed
``xsd:string`` and an ``sh:in`` of plain strings then rejects it (our instruments' identifiers). Their
reports are turned into Issues by the same code, and tests/test_shacl_engines.py holds them to the
same results on every shape example. They differ on ``sh:lessThan``/``sh:lessThanOrEquals``
between values that cannot be compared (an ill-typed date: a result for pyshacl-turbo, as SHACL
says, none for pyshacl), which our shapes therefore do not use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl.shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.graph_abstraction import DataGraph
from pyshacl.monkey import apply_patches
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator, assign_baked_in
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql.processor import prepareQuery
from rdflib.plugins.stores.memory import SimpleMemory

from .config import SETTINGS, SHACL_ENGINES
from .errors import Issue, Location, UsageError
from .iris import Iris
from .namespaces import RDF, RDFS, SH
from .reference import read_turtle

Locate = Callable[[URIRef], Location]

#: Predicates that make a shapes file need pyshacl's SHACL-AF ("advanced") mode.
_ADVANCED = {SH.target, SH.rule, SH.expression, SH.SPARQLFunction, SH.SPARQLTargetType, SH.TargetType,
             SH.SPARQLTarget, SH.JSTarget, SH.JSFunction}


class _ParameterList(list):
    """pyshacl's list of constraint parameters, with a set for ``in`` (same items, same order)."""

    def __init__(self, items: Iterable) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> "_ParameterList":
        return _ParameterList(self)

    def append(self, item) -> None:
        super().append(item)
        self._members = self._members | {item}


def _patch_pyshacl() -> None:
    """Pre-fill pyshacl.shape's cache of the constraint parameters (it fills it on first use with
    exactly these two objects) with the set-backed list. Does nothing if pyshacl changed."""
    if getattr(pyshacl.shape, "module", None) is not pyshacl.shape:
        return
    current = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None)
    if current is None or (current[0] == ALL_CONSTRAINT_PARAMETERS and not isinstance(current[0], _ParameterList)):
        pyshacl.shape.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


_patch_pyshacl()
apply_patches()  # what pyshacl.validate does first, every time (idempotent)
assign_baked_in()

#: SPARQL text and prefixes → rdflib's prepared query; used under ``_VALIDATING`` only.
_PREPARED: dict[tuple, object] = {}


class _BatchGraph(Graph):
    """The data graph of one batch: a plain rdflib graph that parses each SPARQL text once."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            # rdflib's own default: the graph's prefixes when none are given.
            namespaces = initNs or dict(self.namespaces())
            key = (query_object, tuple(sorted((str(k), str(v)) for k, v in namespaces.items())))
            prepared = _PREPARED.get(key)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=namespaces)
                if len(_PREPARED) > 1000:  # shapes files are few; a bound all the same
                    _PREPARED.clear()
                _PREPARED[key] = prepared
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


_LOG = logging.getLogger("sherloc_kg.validation.pyshacl")
_GATES: dict[tuple, "Gate"] = {}
_GATES_LOCK = threading.Lock()
_VALIDATING = threading.RLock()


def _compile_turbo(shapes: Graph, advanced: bool):
    """pyshacl-turbo's compiled form of the shapes (SHERLOC_SHACL_ENGINE=turbo): the results of
    ``pyshacl_turbo.validate(data, shacl_graph=shapes, inference="none", advanced=...,
    allow_warnings=True)``, with the shapes compiled once instead of once a batch."""
    import pyshacl_turbo  # a dependency of sherloc-kg

    return pyshacl_turbo.compile_shapes(shapes, advanced=advanced)


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class Gate:
    shapes: Graph
    hierarchy: Graph
    advanced: bool = True
    #: "pyshacl" or "turbo" (pyshacl-turbo): SETTINGS["shacl_engine"].
    engine: str = SETTINGS["shacl_engine"][1]
    _harvest: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def for_kind(cls, kind: str, shapes_dir: Path, ontology_file: Path, iris: Iris,
                 engine: str | None = None) -> "Gate":
        """The gate of ``shapes/{kind}.ttl``, run by ``engine`` (Settings.shacl_engine; the
        setting's default when None)."""
        engine = engine or SETTINGS["shacl_engine"][1]
        if engine not in SHACL_ENGINES:
            raise UsageError(f"unknown SHACL engine {engine!r}: give one of {', '.join(SHACL_ENGINES)}")
        path = shapes_dir / f"{kind}.ttl"
        if not path.exists():
            raise UsageError(f"no shapes for '{kind}': {path} is missing")
        key = (_stamp(path), _stamp(ontology_file), iris.base, engine)
        gate = _GATES.get(key)
        if gate is None:
            gate = cls._build(path, ontology_file, iris, engine)
            with _GATES_LOCK:
                _GATES[key] = gate
        return gate

    @classmethod
    def _build(cls, path: Path, ontology_file: Path, iris: Iris, engine: str = SETTINGS["shacl_engine"][1]) -> "Gate":
        shapes = read_turtle([path], iris)
        ontology = read_turtle([ontology_file], iris)
        hierarchy = Graph()
        for triple in ontology.triples((None, RDFS.subClassOf, None)):
            if isinstance(triple[2], URIRef):
                hierarchy.add(triple)
        advanced = any(p in _ADVANCED or o in _ADVANCED for _s, p, o in shapes)
        gate = cls(shapes, hierarchy, advanced, engine)
        if engine == "turbo":
            gate._harvest.append(_compile_turbo(shapes, advanced))
        return gate

    def _shapes_graph(self) -> ShapesGraph:
        """pyshacl's view of the shapes, harvested once and shared by every batch (pyshacl keeps
        nothing of a data graph in it). Called under ``_VALIDATING``."""
        if not self._harvest:
            self._harvest.append(ShapesGraph(self.shapes, False, _LOG))
        return self._harvest[0]

    def check(self, triples: Iterable[tuple], context: Iterable[tuple], locate: Locate) -> list[Issue]:
        """Validate ``triples`` (with ``context``); every result becomes an :class:`Issue`."""
        # For pyshacl-turbo, rdflib's SimpleMemory store: it reads the batch graph as triples, and
        # without the contexts' bookkeeping adding a triple costs a quarter less (measured on
        # 137,000 triples). pyshacl wraps the graph in a ConjunctiveGraph, which needs contexts.
        data = _BatchGraph(store=SimpleMemory()) if self.engine == "turbo" else _BatchGraph()
        add = data.add
        for triple in triples:
            add(triple)
        for triple in context:
            add(triple)
        for triple in self.hierarchy:
            add(triple)
        if self.engine == "turbo":
            # The shapes compiled once (in _build). The engine copies the batch into its own dataset
            # and validates it in Rust, releasing the GIL; the compiled shapes are read-only, so no
            # lock is taken (pyshacl-turbo documents its compiled programs as shareable).
            _conforms, results, _text = self._harvest[0].validate(data, allow_warnings=True)
            return self._issues(results, locate)
        # allow_warnings: a report with warnings only "conforms", yet its warnings are still wanted.
        # inplace: the graph is this batch's own, so pyshacl need not copy it (nothing here writes
        # to it: no inference, no sh:rule).
        # One batch at a time in the process: the shapes, pyshacl's harvest of them and the prepared
        # queries are shared by the threads of the server, and pyshacl holds the GIL anyway.
        with _VALIDATING:
            validator = Validator(DataGraph.from_rdflib(data), shacl_graph=self.shapes, options={
                "inference": "none", "advanced": self.advanced, "allow_warnings": True, "inplace": True,
                "logger": _LOG,
            })
            validator.shacl_graph = self._shapes_graph()
            _conforms, results, _text = validator.run()
        return self._issues(results, locate)

    def _issues(self, results: Graph, locate: Locate) -> list[Issue]:
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
