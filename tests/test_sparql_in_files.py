"""Domain SPARQL lives in files (issue 23, item 9): the named queries in ``sparql/``, the queries the
code runs itself in ``sparql/internal/``, each with its header and its terms bound, none as a string
in Python. The store's own operations (sherloc_kg/store/: graph copies, clears, counts, record
writes) and the SPARQL lexer (sherloc_kg/sparql_text.py) are not domain SPARQL.

A string literal (an f-string's literal parts, a docstring left out) holding a query form followed
by a group, or an update operation with its WHERE or DATA, is a query written in Python."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from sherloc_kg.queries import QueryLibrary, internal
from sherloc_kg.sparql_text import query_form

from .conftest import REPO

#: A query form and, within the same stretch of text, the group it opens; or an update operation
#: with its WHERE or DATA.
QUERY = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b[^{}]{0,400}\{|\b(INSERT|DELETE)\b[^;]{0,400}\b(WHERE|DATA)\b")
#: Where the code is.
FOLDERS = ("api", "sherloc_kg", "loaders")
#: Not domain SPARQL: the store's own operations, and the lexer's examples.
EXEMPT = ("sherloc_kg/store/", "sherloc_kg/sparql_text.py")
INTERNAL = REPO / "sparql" / "internal"


def modules() -> Iterator[tuple[str, Path]]:
    for folder in FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            name = path.relative_to(REPO).as_posix()
            if not name.startswith(EXEMPT):
                yield name, path


def queries_in(path: Path) -> list[tuple[int, str]]:
    """(line, excerpt) of each string literal of a module that holds SPARQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    skipped |= {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # an f-string: its literal parts, each value a placeholder
            text = "".join(v.value if isinstance(v, ast.Constant) else " X " for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            text = node.value
        else:
            continue
        match = QUERY.search(text)
        if match:
            found.append((node.lineno, text[match.start():match.end() + 40]))
    return found


def test_the_scan_finds_sparql_in_strings_and_f_strings_but_not_in_docstrings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(x):\n    """SELECT ?s WHERE { ?s ?p ?o } in a docstring"""\n'
                      '    a = "SELECT ?s WHERE { ?s ?p ?o }"\n'
                      '    b = f"ASK {{ <{x}> ?p ?o }}"\n'
                      '    c = "DELETE WHERE { ?s ?p ?o }"\n'
                      '    d = ("SELECT", "ASK", "a SELECT form")\n'
                      '    e = f"{x}SELECT ?s WHERE {{ ?s ?p ?o }}"\n', encoding="utf-8")
    assert [line for line, _ in queries_in(sample)] == [3, 4, 5, 7]


def test_no_module_writes_domain_sparql_as_a_string() -> None:
    written = {name: hits for name, path in modules() if (hits := queries_in(path))}
    assert not written, ("SPARQL written in Python (move it to sparql/internal/, bind its terms): "
                         + "; ".join(f"{name}:{line} {text!r}" for name, hits in written.items() for line, text in hits))


# -- the internal queries --------------------------------------------------------------------------

NAMES = sorted(path.stem for path in INTERNAL.glob("*.rq"))


def test_every_internal_query_is_a_file_of_the_internal_library() -> None:
    assert NAMES and NAMES == QueryLibrary(INTERNAL).names()
    assert {path.name for path in INTERNAL.iterdir()} == {f"{name}.rq" for name in NAMES} | {"README.md"}


@pytest.mark.parametrize("name", NAMES)
def test_an_internal_query_has_its_header_and_parses(name: str) -> None:
    """Title, description, well-formed ``# param:`` lines (NamedQuery.from_file refuses others),
    each parameter a variable of the text; and the engine parses the text, its empty VALUES
    blocks left empty and its parameters free (an update is run on an empty store)."""
    named = internal(name)
    assert named.title != name and named.description, f"{name}: give it a '# title:' and a '# description:'"
    for parameter in named.parameters:
        assert re.search(rf"[?$]{parameter.name}\b", named.body), f"{name}: no variable ?{parameter.name}"
    engine = ox.Store()
    if query_form(named.text) is not None:
        engine.query(named.text)
    else:
        engine.update(named.update_text({p.name: URIRef(f"https://example.org/{p.name}") for p in named.parameters}))


@pytest.mark.parametrize("name", NAMES)
def test_every_internal_query_is_run_by_some_module(name: str) -> None:
    """No dead query: its name, quoted, is in some module of the code."""
    users = [module for module, path in modules() if f'"{name}"' in path.read_text(encoding="utf-8")]
    users += [path.relative_to(REPO).as_posix() for path in (REPO / "sherloc_kg" / "store").rglob("*.py")
              if f'"{name}"' in path.read_text(encoding="utf-8")]
    assert users, f"sparql/internal/{name}.rq is run by no module: remove it, or call internal({name!r})"
