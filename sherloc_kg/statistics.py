"""What the store holds: triples per named graph, records per kind, last load."""

from __future__ import annotations

from .iris import GRAPHS, Iris
from .namespaces import BIBO, SHERLOC
from .store import Store

#: kind → the class its records have.
RECORD_CLASSES = {
    "instruments": SHERLOC.InternationalInstrument,
    "provisions": SHERLOC.ConventionProvision,
    "countries": SHERLOC.Country,
    "cases": SHERLOC.CourtCase,
    "legislation": SHERLOC.NationalLegislation,
    "participation": SHERLOC.TreatyParticipation,
    "treaties": SHERLOC.CooperationTreaty,
    "strategies": SHERLOC.Strategy,
    "bibliography": BIBO.Document,
    "authorities": SHERLOC.CompetentNationalAuthority,
    "guide": SHERLOC.GuideSection,
    "review": SHERLOC.ReviewResponse,
}


def collect(store: Store, iris: Iris) -> dict:
    result = store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    by_graph = {str(row["g"]): int(row["n"]) for row in result.rows}
    graphs = {name: by_graph.get(str(iris.graph(name)), 0) for name in GRAPHS}
    types = store.select(
        "SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type")
    by_type = {str(row["type"]): int(row["n"]) for row in types.rows}
    records = {kind: by_type.get(str(cls), 0) for kind, cls in RECORD_CLASSES.items()}
    return {"triples": store.count(), "graphs": graphs, "records": records}
