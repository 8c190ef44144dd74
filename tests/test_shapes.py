"""The SHACL shapes in ``shapes/``: every rule is shown to accept good data and to refuse bad data.

Examples live in ``tests/shape_examples/{kind}/``: ``conforming.ttl`` must produce no result at
all; each ``violating-*.ttl`` holds several records, each breaking one rule, followed by the
results it must produce, written as ``sh:ValidationResult`` nodes (focus node, source shape,
severity, and the path where it is a plain property). The test takes those nodes out of the data,
validates, and compares. ``context.ttl`` is what the pipeline adds to a batch before validating
it (types and schemes of the referenced IRIs, the ontology's subclass axioms) and nothing more.

Validation is called exactly as the ingest pipeline calls it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from sherloc_kg.iris import Iris

from .conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
EXAMPLES = Path(__file__).resolve().parent / "shape_examples"
FORMATS = SHARED / "formats" / "README.md"

#: rdflib warns when pyshacl compares an ill-typed literal (a date such as 2010-13-45, a year in
#: quotes) in sh:minInclusive or sh:lessThanOrEquals; the examples do that on purpose, and the
#: validator still reports the value. The ingest pipeline will meet the same warning.
ILL_TYPED_COMPARISON = pytest.mark.filterwarnings(
    "ignore:NotImplemented should not be used in a boolean context:DeprecationWarning")

#: One shape file per record kind (the kinds of the formats README), plus the check of our own
#: instruments loader, whose input is the Convention text rather than a format of the README.
KINDS = ("cases", "legislation", "participation", "treaties", "strategies", "bibliography",
         "authorities", "guide", "review")
ALL_FILES = KINDS + ("instruments",)


# -- helpers ------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def shapes(*names: str) -> Graph:
    """The shapes graph of the given files (all of them when none are named)."""
    graph = Graph()
    for name in names or ALL_FILES:
        graph.parse(SHAPES_DIR / f"{name}.ttl", format="turtle")
    return graph


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def context() -> Graph:
    return parse(EXAMPLES / "context.ttl")


def closure(graph: Graph, node: Node) -> set[tuple[Node, Node, Node]]:
    """The triples about ``node`` and, recursively, about the blank nodes it leads to."""
    triples: set[tuple[Node, Node, Node]] = set()
    todo = [node]
    while todo:
        subject = todo.pop()
        for triple in graph.triples((subject, None, None)):
            if triple not in triples:
                triples.add(triple)
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])
    return triples


def split_expected(example: Graph) -> tuple[Graph, list[dict[str, Node]]]:
    """Separate the expected ``sh:ValidationResult`` nodes from the example data."""
    data = Graph()
    for triple in example:
        data.add(triple)
    expected = []
    for node in set(example.subjects(RDF.type, SH.ValidationResult)):
        fields = {"focus": example.value(node, SH.focusNode), "shape": example.value(node, SH.sourceShape),
                  "severity": example.value(node, SH.resultSeverity), "path": example.value(node, SH.resultPath),
                  "value": example.value(node, SH.value)}
        expected.append(fields)
        for triple in closure(example, node):
            data.remove(triple)
    return data, expected


def validate(data: Graph, shapes_graph: Graph) -> list[dict[str, object]]:
    """The top-level results of the report (nested sh:detail results are not the editor's)."""
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none",
                                           advanced=True, allow_warnings=True)
    results = []
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for node in report.objects(report_node, SH.result):
            results.append({
                "focus": report.value(node, SH.focusNode),
                "shape": report.value(node, SH.sourceShape),
                "severity": report.value(node, SH.resultSeverity),
                "path": report.value(node, SH.resultPath),
                "value": report.value(node, SH.value),
                "messages": set(report.objects(node, SH.resultMessage)),
            })
    return results


def key(result: dict[str, object]) -> tuple[object, object, object]:
    return (result["focus"], result["shape"], result["severity"])


def with_context(example: Graph) -> Graph:
    data = context()
    for triple in example:
        data.add(triple)
    return data


def violating_examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*/violating-*.ttl"))


def property_shapes(graph: Graph) -> set[Node]:
    return set(graph.subjects(SH.path, None))


def record_property_shapes(graph: Graph) -> set[Node]:
    """Property shapes of the NodeShapes that have a target (the rules on records themselves)."""
    targeted = {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
                for s in graph.subjects(p, None)}
    return {ps for shape in targeted for ps in graph.objects(shape, SH.property)}


def helper_shapes(graph: Graph) -> set[Node]:
    """NodeShapes used through sh:node (value shapes: vocabulary concepts, free text)."""
    return set(graph.objects(None, SH.node))


def predicates_of(graph: Graph, path: Node) -> set[Node]:
    """The properties a (simple, inverse or alternative) path walks over."""
    if isinstance(path, URIRef):
        return {path}
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return predicates_of(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return {p for item in Collection(graph, alternatives) for p in predicates_of(graph, item)}
    raise AssertionError(f"path form not handled by this test: {path}")


# -- the shape files ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_FILES)
def test_shape_file_parses_and_has_record_shapes(name: str) -> None:
    graph = shapes(name)
    assert set(graph.subjects(RDF.type, SH.NodeShape)), f"{name}.ttl declares no NodeShape"
    assert record_property_shapes(graph), f"{name}.ttl has no targeted NodeShape with property shapes"


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_property_shape_has_name_message_and_severity(name: str) -> None:
    graph = shapes(name)
    for shape in property_shapes(graph):
        names = list(graph.objects(shape, SH.name))
        assert len(names) == 1 and isinstance(names[0], Literal) and str(names[0]), f"{shape}: one sh:name"
        messages = list(graph.objects(shape, SH.message))
        assert len(messages) == 1, f"{shape}: exactly one sh:message"
        assert isinstance(messages[0], Literal) and messages[0].language == "en", f"{shape}: sh:message @en"
        assert list(graph.objects(shape, SH.severity)) in ([SH.Violation], [SH.Warning]), \
            f"{shape}: sh:severity sh:Violation or sh:Warning, stated"


@pytest.mark.parametrize("name", ALL_FILES)
def test_shape_file_is_self_contained(name: str) -> None:
    """Each file can be loaded alone: every shape it points to is declared in it."""
    graph = shapes(name)
    for predicate in (SH.property, SH.node, SH.prefixes):
        for target in graph.objects(None, predicate):
            assert (target, None, None) in graph, f"{name}.ttl: {target} is used but not declared here"


def formats_fields() -> dict[str, set[str]]:
    """The field names of each kind of the formats README: the rows of its tables (with the
    sub-fields a row writes ``{`a`, `b`: ...}``, as ``field.a``) and the backticked field lists
    that open a paragraph (`id`, `title`, ..., or a CSV header in one pair of backticks)."""
    fields: dict[str, set[str]] = {}
    for section in re.split(r"^## ", FORMATS.read_text(encoding="utf-8"), flags=re.M)[1:]:
        heading, _, body = section.partition("\n")
        names: set[str] = set()
        for block in re.split(r"\n\s*\n", body):
            if block.lstrip().startswith("|"):
                for line in block.strip().splitlines():
                    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
                    if cells[0] == "field" or set(cells[0]) <= set("-: "):
                        continue
                    row = [name.strip() for name in cells[0].split(",")]
                    names.update(row)
                    for braces in re.findall(r"\{([^}]*)\}", without_brackets(cells[-1])):
                        names.update(f"{field}.{sub}" for field in row for sub in re.findall(r"`(\w+)`", braces))
            else:
                # Example values are in brackets; the field list is the run of backticked names
                # the paragraph opens with, up to the first word that is not a separator.
                opening = re.match(r"\s*((?:`[^`]+`\s*(?:,|\bor\b)?\s*)+)", without_brackets(block))
                if opening:
                    for ticked in re.findall(r"`([^`]+)`", opening.group(1)):
                        names.update(name.strip() for name in ticked.split(","))
        fields[heading.split()[0]] = names
    return fields


def without_brackets(text: str) -> str:
    while (shorter := re.sub(r"\([^()]*\)", "", text)) != text:
        text = shorter
    return text


def test_formats_readme_is_read() -> None:
    fields = formats_fields()
    assert set(KINDS) <= set(fields)
    assert {"crime_types", "tip_elements.acts", "defendants.nationality"} <= fields["cases"]
    assert {"provisions.implements", "amends"} <= fields["legislation"]
    assert {"consent_type", "instrument"} <= fields["participation"]
    assert "ratification" not in fields["participation"] and "extradition" not in fields["treaties"]
    assert "mutual-legal-assistance" not in fields["authorities"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_name_is_a_field_of_the_formats(kind: str) -> None:
    graph = shapes(kind)
    allowed = formats_fields()[kind]
    for shape in property_shapes(graph):
        name = str(graph.value(shape, SH.name))
        assert name in allowed, f"{kind}.ttl: sh:name {name!r} of {shape} is not a field of the {kind} format"


@pytest.mark.parametrize("kind", KINDS)
def test_every_message_names_its_field(kind: str) -> None:
    """The editor is told which field to change: the message quotes it as in the format."""
    graph = shapes(kind)
    for shape in record_property_shapes(graph):
        name, message = str(graph.value(shape, SH.name)), str(graph.value(shape, SH.message))
        assert f"`{name}`" in message or f"`{name.split('.')[-1]}`" in message, f"{shape}: {message}"


def test_instrument_names_are_the_model_properties() -> None:
    """The instruments are loaded from the Convention text, not from a format of the README:
    there sh:name is the property of docs/model.md that the shape checks."""
    graph = shapes("instruments")
    for shape in property_shapes(graph):
        locals_ = {re.split(r"[#/]", str(p))[-1] for p in predicates_of(graph, graph.value(shape, SH.path))}
        assert str(graph.value(shape, SH.name)) in locals_, f"{shape}: sh:name is not one of {locals_}"


def test_context_holds_only_what_the_pipeline_adds() -> None:
    """Types, schemes and subclass axioms: a shape that needs more would fail in the pipeline."""
    allowed = {RDF.type, URIRef("http://www.w3.org/2004/02/skos/core#inScheme"),
               URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")}
    assert set(context().predicates()) <= allowed


# -- the examples -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_FILES)
@pytest.mark.parametrize("shape_files", ["all", "own"])
def test_conforming_example_gives_no_result(name: str, shape_files: str) -> None:
    example = parse(EXAMPLES / name / "conforming.ttl")
    graph = shapes() if shape_files == "all" else shapes(name)
    results = validate(with_context(example), graph)
    assert results == [], "\n".join(f"{r['shape']} on {r['focus']}: {r['messages']}" for r in results)


@ILL_TYPED_COMPARISON
@pytest.mark.parametrize("path", violating_examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("shape_files", ["all", "own"])
def test_violating_example_gives_exactly_the_expected_results(path: Path, shape_files: str) -> None:
    data, expected = split_expected(parse(path))
    assert expected, f"{path.name} states no expected result"
    graph = shapes() if shape_files == "all" else shapes(path.parent.name)
    results = validate(with_context(data), graph)

    assert {key(r) for r in results} == {key(e) for e in expected}, _diff(results, expected)
    everything = shapes()
    for result in results:
        shape = result["shape"]
        # The editor sees the shape's own words, not a generic message of the validator. (pyshacl
        # drops the language tag of the message of a SPARQL-based constraint: compare the words.)
        assert {str(m) for m in result["messages"]} == {str(everything.value(shape, SH.message))}, \
            f"{shape}: {result['messages']}"
        shape_path = everything.value(shape, SH.path)
        if isinstance(shape_path, URIRef):
            assert result["path"] == shape_path, f"{shape}: result path {result['path']}"
        else:
            assert isinstance(result["path"], BNode), f"{shape}: the complex path is reported"
    for item in expected:
        matching = [r for r in results if key(r) == key(item)]
        if item["path"] is not None:
            assert all(r["path"] == item["path"] for r in matching), f"{item}: path"
        if item["value"] is not None:
            assert item["value"] in {r["value"] for r in matching}, f"{item}: value"


def _diff(results: list[dict[str, object]], expected: list[dict[str, Node]]) -> str:
    got, want = {key(r) for r in results}, {key(e) for e in expected}
    lines = [f"unexpected: {k}" for k in sorted(got - want, key=str)]
    lines += [f"missing:    {k}" for k in sorted(want - got, key=str)]
    return "\n".join(lines)


def expected_shapes() -> set[Node]:
    shapes_hit: set[Node] = set()
    for path in violating_examples():
        shapes_hit.update(item["shape"] for item in split_expected(parse(path))[1])
    return shapes_hit


def test_every_rule_has_a_violating_example() -> None:
    graph = shapes()
    hit = expected_shapes()
    missing = sorted(str(s) for s in record_property_shapes(graph) - hit)
    assert not missing, "no violating example for:\n" + "\n".join(missing)
    # Value shapes (vocabulary concepts, free text) are shown failing through a rule that uses them.
    used = {helper for s in hit for helper in graph.objects(s, SH.node)}
    missing = sorted(str(s) for s in helper_shapes(graph) - used)
    assert not missing, "no violating example goes through:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_rule_meets_a_value_in_the_conforming_example(name: str) -> None:
    """A rule whose property never occurs in the conforming example proves nothing by passing."""
    graph = shapes(name)
    data = with_context(parse(EXAMPLES / name / "conforming.ttl"))
    for shape in property_shapes(graph):
        predicates = predicates_of(graph, graph.value(shape, SH.path))
        assert any((None, p, None) in data for p in predicates), f"{shape}: no {predicates} in conforming.ttl"


# -- the base is configurable -------------------------------------------------------------------

def rebased(graph: Graph, iris: Iris) -> Graph:
    def move(term: Node) -> Node:
        return URIRef(iris.rebase(str(term))) if isinstance(term, URIRef) else term
    out = Graph()
    for s, p, o in graph:
        out.add((move(s), move(p), move(o)))
    return out


@ILL_TYPED_COMPARISON
def test_shapes_hold_under_another_base() -> None:
    """Shapes are written with the default base and rebased on load like ontology/; no rule may
    hide a base-dependent IRI where rebasing cannot reach it (inside SPARQL text)."""
    iris = Iris(base="http://sherloc.example.org/kg/")
    graph = rebased(shapes(), iris)
    for name in ALL_FILES:
        example = rebased(with_context(parse(EXAMPLES / name / "conforming.ttl")), iris)
        assert validate(example, graph) == [], name
    for path in violating_examples():
        data, expected = split_expected(parse(path))
        results = validate(rebased(with_context(data), iris), graph)
        want = {(iris.rebase(str(e["focus"])), iris.rebase(str(e["shape"])), e["severity"]) for e in expected}
        assert {(str(r["focus"]), str(r["shape"]), r["severity"]) for r in results} == want, path.name
