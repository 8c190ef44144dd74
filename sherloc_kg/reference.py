"""The reference graphs every store starts with: the ontology, the vocabularies, the instruments
and the countries. ``sherloc-kg init`` writes them, each replacing its graph whole."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from .config import Settings
from .iris import Iris
from .store import RecordWrite, Store


def read_turtle(paths: list[Path], iris: Iris) -> Graph:
    """Parse Turtle files written under the default base and move their IRIs under ``iris.base``."""
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    if iris.base == Iris().base:
        return graph
    rebased = Graph()
    for triple in graph:
        rebased.add(tuple(URIRef(iris.rebase(t)) if isinstance(t, URIRef) else t for t in triple))  # type: ignore[arg-type]
    return rebased


def ontology_graph(settings: Settings, iris: Iris) -> Graph:
    return read_turtle([settings.ontology_dir / "sherloc.ttl"], iris)


def vocabularies_graph(settings: Settings, iris: Iris) -> Graph:
    return read_turtle(sorted((settings.ontology_dir / "vocabularies").glob("*.ttl")), iris)


def reference_graphs(settings: Settings, iris: Iris) -> dict[str, Graph]:
    """Graph name → content, for every reference graph."""
    from .loaders.countries import countries_graph
    from .loaders.instruments import instruments_graph

    data = settings.data_dir
    return {
        "ontology": ontology_graph(settings, iris),
        "vocabularies": vocabularies_graph(settings, iris),
        "instruments": instruments_graph(iris, data / "convention-texts", data / "instruments.csv"),
        "countries": countries_graph(iris, data / "international-bodies.csv"),
    }


#: The data ``sherloc-kg init`` loads unless told ``--no-data``: (kind, path under data/).
BUNDLED = (("cases", "cases/sherloc-cases-tip-2026-08.jsonl"),)


def install_reference(store: Store, settings: Settings) -> dict[str, int]:
    """Write every reference graph, each replaced whole, all in one transaction. Returns sizes."""
    iris = Iris(settings.base)
    graphs = reference_graphs(settings, iris)
    check_instruments(graphs["instruments"], settings, iris)
    writes = [RecordWrite(str(iris.graph(name)), [], list(graph)) for name, graph in graphs.items()]
    store.write(writes, replace_graphs=[w.graph for w in writes])
    return {name: len(graph) for name, graph in graphs.items()}


def check_instruments(instruments: Graph, settings: Settings, iris: Iris) -> None:
    """The instruments graph passes ``shapes/instruments.ttl`` before it is written, like any record."""
    from .errors import Location, ValidationFailed
    from .validation import Gate

    gate = Gate.for_kind("instruments", settings.shapes_dir, settings.ontology_dir / "sherloc.ttl", iris)
    texts = settings.data_dir / "convention-texts"
    issues = gate.check(instruments, [], lambda focus: Location(str(texts), record=iris.provision_reference(focus) or str(focus)))
    if any(issue.severity == "Violation" for issue in issues):
        raise ValidationFailed(issues)
