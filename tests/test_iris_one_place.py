"""sherloc_kg/iris.py owns both directions (issue 23, item 1): no other module of the package or
the API cuts a base off an IRI, checks an ISO 3166-1 alpha-3 code, parses a provision reference
with a pattern of its own, or writes out an ontology term's IRI beside the closed SHERLOC
namespace. Read from the sources (ast), so a new copy fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris, ProvisionReference, is_iso3, parse_provision

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "sherloc_kg").rglob("*.py"), *(ROOT / "api").rglob("*.py")])
IRIS = ROOT / "sherloc_kg" / "iris.py"


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _base_bound(tree: ast.AST) -> set[str]:
    """Names assigned an expression built from a base (``prefix = iris.base + "graph/"``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and re.search(r"\bbase\b|\.graph\(", _text(node.value)):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def base_cuts(source: str) -> list[int]:
    """Lines that cut a base off an IRI: ``iri[len(<base...>):]`` or ``.removeprefix(<base...>)``,
    directly or through a name bound to the base."""
    tree = ast.parse(source)
    bound = _base_bound(tree)

    def from_base(node: ast.AST) -> bool:
        text = _text(node)
        return bool(re.search(r"\bbase\b|\.graph\(|href|_local\(", text)) or (
            isinstance(node, ast.Name) and node.id in bound)

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            lower = node.slice.lower
            if (isinstance(lower, ast.BinOp) or isinstance(lower, ast.Call)) and "len(" in _text(lower):
                calls = [c for c in ast.walk(lower) if isinstance(c, ast.Call) and _text(c.func) == "len"]
                if any(from_base(c.args[0]) for c in calls if c.args):
                    lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "removeprefix":
            if from_base(node.func.value) or any(from_base(a) for a in node.args):
                lines.append(node.lineno)
    return lines


def test_the_check_finds_the_cuts_it_is_for() -> None:
    assert base_cuts('name = g[len(iris.base) + len("graph/"):]\n') == [1]
    assert base_cuts('prefix = iris.base + "graph/"\nx = g[len(prefix):]\n') == [2]
    assert base_cuts('prefix = str(self.iris.graph(family)) + "/"\nx = g[len(prefix):]\n') == [2]
    assert base_cuts('x = _local(ctx, row["case"]).removeprefix("/id/")\n') == [1]
    assert base_cuts('x = token[len(self.PREFIX):]\n') == []


def test_no_module_but_iris_cuts_a_base_off_an_iri() -> None:
    found = {str(p.relative_to(ROOT)): lines for p in SOURCES if p != IRIS
             if (lines := base_cuts(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_iso3_check_is_written_once() -> None:
    copy = re.compile(r"\[A-Z\]\{3\}|isalpha\(\) and [\w.]+\.isupper\(\)")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in [*SOURCES, *sorted((ROOT / "loaders").rglob("*.py"))]
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if copy.search(line)]
    assert found == ["sherloc_kg/iris.py:" + str(next(
        n for n, line in enumerate(IRIS.read_text(encoding="utf-8").splitlines(), 1) if copy.search(line)))]


def test_the_provision_pattern_is_written_once() -> None:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"/art/\(|art/\(\\d", node.value):
                found.append(str(path.relative_to(ROOT)))
    assert found == ["sherloc_kg/iris.py"]


def test_no_ontology_term_iri_is_written_out_beside_the_closed_namespace() -> None:
    term = re.compile(r"w3id\.org/sherloc/ontology#\w")
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    term.search(node.value) or node.value.strip() == "https://w3id.org/sherloc/ontology#"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize("code, ok", [("BRA", True), ("XAA", True), ("bra", False), ("BR", False),
                                      ("BRAZ", False), ("ÄBC", False), ("BRA\n", False), ("B1A", False)])
def test_is_iso3(code: str, ok: bool) -> None:
    assert is_iso3(code) is ok


def test_a_provision_reference_is_read_whole() -> None:
    assert parse_provision("untoc/art/5/1/a") == ProvisionReference("untoc", "5", ("1", "a"))
    assert parse_provision("tip") == ProvisionReference("tip", None, ())
    for bad in ("untoc/art/5\n", "untoc/art/5/", "xyz/art/1", "untoc/art/<b>", "untoc/art/5/1/A"):
        assert parse_provision(bad) is None, bad
    iris = Iris("https://example.org/")
    with pytest.raises(UsageError, match="is not a Convention provision reference"):
        iris.provision("untoc/art/5\n")
    with pytest.raises(UsageError, match="is not a Convention provision reference"):
        iris.provision("untoc")
    assert iris.provision_reference("https://example.org/id/instrument/untoc/art/5/1") == "untoc/art/5/1"
    assert iris.provision_reference("https://example.org/id/instrument/untoc") is None


def test_reading_back_keeps_escapes() -> None:
    iris = Iris("https://example.org/")
    assert iris.below(str(iris.case("ALB 9#1")), "id/case/") == "ALB%209%231"
    assert iris.graph_name(str(iris.state_graph("review-restricted", "XAA"))) == "review-restricted/XAA"
    assert iris.graph_name("https://other.org/graph/review") is None
    assert iris.below("https://example.org/vocab/x", "id/") is None


@pytest.mark.parametrize("case_id", ["ALB 9#1", "a/b", "Ñandú", "x@y", "plain"])
def test_a_path_names_the_iri_its_link_was_made_from(case_id: str) -> None:
    iris = Iris("https://example.org/")
    iri = iris.case(case_id)
    href = iris.href(str(iri))
    assert href is not None and iris.at(href) == iri
    assert iris.at("/id/case/x%40y") == iris.at("id/case/x@y") == iris.case("x@y")
