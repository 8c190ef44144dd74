"""What the store holds: triples per named graph, records per kind, last load."""

from __future__ import annotations

from rdflib import URIRef

from .iris import GRAPHS, Iris
from .loaders import loaders
from .namespaces import SHERLOC
from .queries import internal
from .store import Dataset, Store

#: The reference kinds, which ``sherloc-kg init`` writes (sherloc_kg/reference.py), no loader →
#: the class their records have. Every loaded kind is counted by its loader's ``record_class``.
REFERENCE_CLASSES = {
    "instruments": SHERLOC.InternationalInstrument,
    "provisions": SHERLOC.ConventionProvision,
    "countries": SHERLOC.Country,
}


def record_classes() -> dict[str, URIRef]:
    """kind → the class its records have: the reference kinds, then each loader's, as registered."""
    return {**REFERENCE_CLASSES, **{loader.kind: loader.record_class for loader in loaders()}}


def judgments(store: Store, dataset: Dataset | None = None) -> int:
    """How many judgments the court cases are (each judgment once, however often recorded: a case
    record our editors say is the same judgment as one whose IRI sorts first is left out)."""
    return int(store.select(internal("statistics-judgments").text, dataset=dataset).rows[0]["n"])


def collect(store: Store, iris: Iris, dataset: Dataset | None = None) -> dict:
    """Triples per named graph and records per kind, over the whole store, or over ``dataset``
    only (a caller's dataset: its graphs are the only ones listed and counted)."""
    result = store.select(internal("statistics-triples-per-graph").text, dataset=dataset)
    by_graph = {str(row["g"]): int(row["n"]) for row in result.rows}
    visible = None if dataset is None or dataset.named is None else set(dataset.named)
    graphs = {name: by_graph.get(str(iris.graph(name)), 0) for name in GRAPHS
              if visible is None or str(iris.graph(name)) in visible}
    # The graphs kept one per State (review-restricted/XAA: sherloc_kg/iris.py, STATE_GRAPHS).
    graphs.update({name: by_graph[g] for g in iris.state_graphs(by_graph) if (name := iris.graph_name(g))})
    types = store.select(internal("statistics-resources-per-class").text, dataset=dataset)
    by_type = {str(row["type"]): int(row["n"]) for row in types.rows}
    records = {kind: by_type.get(str(cls), 0) for kind, cls in record_classes().items()}
    records["judgments"] = judgments(store, dataset)
    triples = store.count() if dataset is None else sum(by_graph.values())
    return {"triples": triples, "graphs": graphs, "records": records}
