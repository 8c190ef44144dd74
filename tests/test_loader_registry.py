"""The loaders as one typed registry (issue 23, item 6): every kind the command line offers has a
:class:`Loader` whose record class the statistics count, whose graphs are the store's, and whose
formats table names what it detects and what the API takes; the Akoma Ntoso readers share their
parts through public names only."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib.namespace import RDF

from sherloc_kg.api.records import FORMAT_SUFFIXES, MEDIA_TYPES
from sherloc_kg.errors import UsageError
from sherloc_kg.iris import GRAPHS, Iris
from sherloc_kg.loaders import KINDS, Loader, loader_for, loaders
from sherloc_kg.statistics import collect, record_classes
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO

EXE = str(Path(sys.executable).with_name("sherloc-kg"))
IRIS = Iris()

#: A file of each kind as shipped: the examples, and what ``init`` loads for the others.
SAMPLES = {
    **{kind: REPO / "data/examples" / f"{kind}.jsonl"
       for kind in ("cases", "legislation", "treaties", "strategies", "authorities", "guide", "review", "bibliography")},
    "participation": REPO / "data/examples/participation.csv",
    "mechanism": REPO / "data/review-mechanism.jsonl",
    "editorial": REPO / "data/editorial/cases-international.jsonl",
}
#: The one kind whose records are of several classes (sessions, resolutions, cycles, clusters, ...):
#: the statistics count it by one of them.
SEVERAL_CLASSES = {"mechanism"}


def offered_kinds(tmp_path: Path) -> list[str]:
    """The kinds ``sherloc-kg load`` offers, as it lists them to someone who names another."""
    sample = tmp_path / "x.jsonl"
    sample.write_text("{}\n", encoding="utf-8")
    done = subprocess.run([EXE, "--store", str(tmp_path / "store"), "load", "no-such-kind", str(sample)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "400"})
    assert done.returncode == 2, done.stderr
    listed = re.search(r"known kinds: ([a-z, -]+)", done.stderr)
    assert listed, done.stderr
    return listed[1].strip().split(", ")


def test_every_kind_the_cli_offers_has_a_loader_that_the_statistics_count(tmp_path: Path) -> None:
    offered = offered_kinds(tmp_path)
    assert sorted(offered) == sorted(KINDS)
    counted = record_classes()
    store = EmbeddedStore(None)
    for kind in offered:
        loader = loader_for(kind)
        assert isinstance(loader, Loader) and loader.kind == kind
        assert counted[kind] == loader.record_class
        store.update(f"INSERT DATA {{ GRAPH <{IRIS.graph(loader.graphs[0])}> "
                     f"{{ <urn:example:{kind}> <{RDF.type}> <{loader.record_class}> }} }}")
    records = collect(store, IRIS)["records"]
    assert {kind: records[kind] for kind in offered} == {kind: 1 for kind in offered}


def test_an_unknown_kind_is_a_usage_error_listing_the_kinds() -> None:
    with pytest.raises(UsageError, match="unknown kind 'nope'; known kinds: authorities, bibliography, cases"):
        loader_for("nope")


@pytest.mark.parametrize("kind", KINDS)
def test_the_loader_writes_its_graphs_and_its_records_have_its_class(kind: str) -> None:
    loader = loader_for(kind)
    assert loader.graphs and set(loader.graphs) <= set(GRAPHS)
    path = SAMPLES[kind]
    assert loader.detect_format(path) in loader.format_names
    if loader.read_many is not None:
        records = list(loader.read_many([path], IRIS, None))
    else:
        records = list(loader.read(path, IRIS, loader.detect_format(path)))
    assert records and all(r.error is None for r in records), [r.error for r in records if r.error]
    # a graph kept one per State (review-restricted/XAA) is of its family's name
    assert {graph.partition("/")[0] for r in records for graph in r.triples} <= set(loader.graphs)
    typed = [r for r in records if any((r.iri, RDF.type, loader.record_class) in triples
                                       for triples in r.triples.values())]
    assert typed == records or (kind in SEVERAL_CLASSES and typed)


def test_a_format_name_means_one_format_whichever_kind_reads_it() -> None:
    suffixes: dict[str, set[str]] = {}
    for loader in loaders():
        assert loader.formats and len(set(loader.format_names)) == len(loader.format_names), loader.kind
        for fmt in loader.formats:
            assert fmt.suffix.startswith(".") and fmt.reads
            for name in fmt.names:
                suffixes.setdefault(name, set()).add(fmt.suffix)
    assert {name: len(found) for name, found in suffixes.items()} == {name: 1 for name in suffixes}
    # The API spools an upload under its format's suffix, and takes each format some loader reads.
    assert FORMAT_SUFFIXES == {name: found.pop() for name, found in suffixes.items()}
    assert {fmt for fmt, _suffix in MEDIA_TYPES.values() if fmt is not None} <= set(FORMAT_SUFFIXES)


def test_loaders_import_no_private_name_of_another_module() -> None:
    """judgments.py read five private helpers of legislation.py; the Akoma Ntoso parts both use are
    public names of loaders/akoma_ntoso.py now, and no loader reaches into another's privates."""
    found = []
    for path in sorted((REPO / "loaders").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        siblings = {alias.asname or alias.name for node in ast.walk(tree)  # from . import judgments
                    if isinstance(node, ast.ImportFrom) and node.level and node.module is None for alias in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("sherloc_kg.")):
                found += [f"{path.name}: from {'.' * node.level}{node.module or ''} import {alias.name}"
                          for alias in node.names if alias.name.startswith("_") and alias.name != "__future__"]
            elif (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                  and isinstance(node.value, ast.Name) and node.value.id in siblings):
                found.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert found == []
