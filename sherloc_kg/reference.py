"""The reference graphs every store starts with: the ontology, the vocabularies, the instruments
and the countries. ``sherloc-kg init`` writes them, each replacing its graph whole, with their
provenance: the activity that installed them (its agent, the files it read), each reference graph
``prov:wasGeneratedBy`` it and ``prov:wasDerivedFrom`` its files, and what every graph is, under
which licence and from which sources (sherloc_kg/graph_catalogue.py). Installing what the store
holds already writes nothing (sherloc_kg/provenance.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import cast

from rdflib import Graph, Literal, URIRef

from .config import Settings
from .errors import Location
from .graph_catalogue import graph_statements, public_names, restricted_statements
from .inference import Inference
from .iris import Iris
from .queries import internal
from .namespaces import DCTERMS, PROV, RDF
from .provenance import Agent, Ignored, activity, digest, holds, operator, stamp, unchanged
from .store import Dataset, RecordWrite, Store
from . import versions
from .store.contract import Triple


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


def reference_graphs(settings: Settings, iris: Iris, *, with_examples: bool = False) -> dict[str, Graph]:
    """Graph name → content, for every reference graph. ``with_examples`` adds the fictional States
    of ``data/fictional-states.csv`` to the countries graph (never done for real data)."""
    from .loaders.countries import countries_graph
    from .loaders.instruments import instruments_graph

    data = settings.data_dir
    return {
        "ontology": ontology_graph(settings, iris),
        "vocabularies": vocabularies_graph(settings, iris),
        "instruments": instruments_graph(iris, data / "convention-texts", data / "instruments.csv"),
        "countries": countries_graph(iris, data / "international-bodies.csv",
                                     data / FICTIONAL_STATES if with_examples else None),
    }


#: The data ``sherloc-kg init`` loads unless told ``--no-data``: (kind, path under data/).
BUNDLED = (("cases", "cases/sherloc-cases-tip-2026-08.jsonl"),
           ("editorial", "editorial/cases-international.jsonl"),
           ("participation", "participation/untc-status-untoc-2024-05-04-partial.csv"),
           # Canada's Acts (Justice Canada XML, English and French files paired in one load: a folder)
           # and Luxembourg's 1999 trafficking law (Akoma Ntoso), then the editors' implementation
           # mapping of their provisions, which names them (so after them).
           ("legislation", "legislation/CAN"),
           ("legislation", "legislation/LUX"),
           ("editorial", "editorial/implementation-CAN.jsonl"),
           ("editorial", "editorial/implementation-LUX.jsonl"),)


#: The fictional States (ISO 3166-1 user-assigned codes) the examples use, under data/.
FICTIONAL_STATES = "fictional-states.csv"

#: The illustrative examples (``sherloc-kg init --with-examples``): (kind, path under data/), in
#: dependency order: laws before the cases and review responses that cite their provisions.
#: Every record is invented, about fictional States only; see data/examples/README.md.
EXAMPLES = (
    ("legislation", "examples/legislation.jsonl"),
    ("cases", "examples/cases.jsonl"),
    ("authorities", "examples/authorities.jsonl"),
    ("strategies", "examples/strategies.jsonl"),
    ("treaties", "examples/treaties.jsonl"),
    ("guide", "examples/guide.jsonl"),
    ("review", "examples/review.jsonl"),
    ("bibliography", "examples/bibliography.jsonl"),
    ("participation", "examples/participation.csv"),
)


def example_files(settings: Settings) -> list[tuple[str, Path]]:
    """The example files to load, in dependency order."""
    return [(kind, settings.data_dir / relative) for kind, relative in EXAMPLES]


def load_examples(store: Store, settings: Settings, progress=None) -> list:
    """Load every example file through the normal pipeline (each validated, each in its own
    transaction). The store must hold the reference graphs installed ``with_examples``: the
    examples name fictional States that are otherwise unknown. Returns the load reports."""
    from .ingest import Ingest

    ingest = Ingest(store, settings, progress=progress)
    return [ingest.load(kind, [path]) for kind, path in example_files(settings)]


def fictional_codes(settings: Settings) -> list[str]:
    """The codes of the fictional States the examples use (data/fictional-states.csv)."""
    import csv

    with (settings.data_dir / FICTIONAL_STATES).open(encoding="utf-8", newline="") as source:
        return [row["code"] for row in csv.DictReader(source) if row.get("code")]


def remove_examples(store: Store, settings: Settings) -> int:
    """Take the illustrative example records out of the store, if an earlier ``init
    --with-examples`` put them there: ``init`` without it drops the fictional States from the
    countries graph, and records about a State that is no longer known would stay behind,
    dangling and invalid (issue 20). Each example record goes from every graph its kind writes
    (the per-State graphs too) and from the provenance graphs, in one write that runs the rules
    for it, as a load would, recorded as an activity of the operator (a change the store's last
    modification time must show, api/caching.py). Returns how many records were in the store (0:
    nothing written)."""
    from .ingest import Ingest, LoadReport, source_files
    from .loaders import loader_for

    iris = Iris(settings.base)
    ingest = Ingest(store, settings)
    writes: list[RecordWrite] = []
    found = 0
    provenance = [str(iris.graph("provenance")), str(iris.graph("provenance-restricted")),
                  *iris.state_graphs(store.graphs(), "provenance-restricted")]
    for kind, path in example_files(settings):
        loader = loader_for(kind)
        paths = source_files(loader, [path])
        records = [r for r in ingest._read(loader, paths, None, LoadReport(kind, [str(p) for p in paths]))
                   if r.error is None]
        if not records:
            continue
        iris_of = [r.iri for r in records if r.iri is not None]
        present = store.select(internal("reference-examples-present").with_rows({"r": iris_of}),
                               dataset=Dataset(default=None)).rows
        count = int(present[0]["n"]) if present else 0
        if not count:
            continue
        found += count
        names = [str(r.iri) for r in records]
        # What the records link to that names a fictional State and is not below a record (the
        # courts of the example cases, ``id/court/XAA/...``): shared by examples only, so it goes too.
        states = [iris.country(code) for code in fictional_codes(settings)]
        linked = store.select(internal("reference-examples-linked").with_rows({"r": iris_of, "state": states}),
                              dataset=Dataset(default=None)).rows
        names += sorted({str(r["x"]) for r in linked} - set(names))
        writes += [RecordWrite(str(iris.graph(g)), names) for g in ingest._graph_names(loader.graphs, records)]
        writes += [RecordWrite(g, names) for g in provenance]
    if writes:
        agent = operator(iris, settings.operator)
        done = activity(iris, "remove-examples", digest("remove-examples", agent, [], writes))
        log = RecordWrite(str(iris.graph("provenance")), [str(done)],
                          [(done, RDF.type, PROV.Activity), (done, DCTERMS.title, Literal("remove example records")),
                           (done, PROV.wasAssociatedWith, agent.iri), *agent.public])
        writes.append(log)
        inference = Inference(settings, iris)
        run = inference.for_write(store, writes)
        # the change feed's versions of what it deletes, in the same transaction (sherloc_kg/versions.py)
        versions.write(store, iris, writes, before=run.before, then=[*run.then, stamp(log.graph, done)])
    return found


def install_reference(store: Store, settings: Settings, *, with_examples: bool = False,
                      agent: Agent | None = None) -> dict[str, int]:
    """Write every reference graph, each replaced whole, all in one transaction, with their
    provenance (the module docstring); nothing when the store holds all of it already. Returns sizes.
    ``with_examples`` adds the fictional States the examples need (see :func:`load_examples`);
    ``agent``: who installs them (by default the operator, SHERLOC_OPERATOR)."""
    iris = Iris(settings.base)
    graphs = reference_graphs(settings, iris, with_examples=with_examples)
    check_instruments(graphs["instruments"], settings, iris)
    # rdflib types a graph's terms as any Node; a parsed graph holds IRIs, literals and blank nodes only.
    writes = [RecordWrite(str(iris.graph(name)), [], cast("list[Triple]", list(graph))) for name, graph in graphs.items()]
    replaced = [w.graph for w in writes]
    # The Review Mechanism (sessions, resolutions, clusters...) goes to the `review` graph record by
    # record, never replacing the graph: the review responses there stay as they are.
    mechanism = mechanism_write(settings, iris, graphs)
    provenance, done = reference_provenance(settings, iris, agent or operator(iris, settings.operator),
                                            [*writes, mechanism], with_examples=with_examples)
    everything = [*writes, mechanism, *provenance]
    inference = Inference(settings, iris)
    log = provenance[0].graph
    if not (holds(store, log, done) and inference.current(store) and unchanged(
            store, everything, replace_graphs=replaced, ignore=Ignored({done}, iris.graph("inferred")))):
        # The rules walk the instruments graph: they run whole.
        # with the change feed's versions of what changes, in the same transaction (sherloc_kg/versions.py)
        versions.write(store, iris, everything, replace_graphs=replaced, then=[*inference.whole(), stamp(log, done)])
    sizes = {name: len(graph) for name, graph in graphs.items()}
    sizes["review-mechanism"] = len(mechanism.triples)
    return sizes


def reference_sources(settings: Settings, *, with_examples: bool = False) -> dict[str, list[Path]]:
    """The files each reference graph (and the Review Mechanism, in ``review``) is built from."""
    from .loaders.countries import NON_MEMBERS_CSV, ORGANIZATIONS_CSV, UN_NAMES_CSV

    data, texts = settings.data_dir, settings.data_dir / "convention-texts"
    countries = ["international-bodies.csv", UN_NAMES_CSV, "un-participant-names.csv", NON_MEMBERS_CSV,
                 ORGANIZATIONS_CSV, *([FICTIONAL_STATES] if with_examples else [])]
    found = {
        "ontology": [settings.ontology_dir / "sherloc.ttl"],
        "vocabularies": sorted((settings.ontology_dir / "vocabularies").glob("*.ttl")),
        "instruments": [data / "instruments.csv",
                        *sorted(f for f in texts.rglob("*.md") if f.is_file() and f.name != "PROVENANCE.md")],
        "countries": [data / name for name in countries],
        "review": [data / MECHANISM],
    }
    return {name: [f for f in files if f.is_file()] for name, files in found.items()}


def reference_provenance(settings: Settings, iris: Iris, agent: Agent, data: list[RecordWrite], *,
                         with_examples: bool = False) -> tuple[list[RecordWrite], URIRef]:
    """The provenance of an install of the reference graphs (``data``: their writes and the Review
    Mechanism's): the activity (named by what it writes, sherloc_kg/provenance.py), the files it
    used, each reference graph generated by it and derived from its files, each mechanism record
    likewise, and every graph's catalogue entry (public graphs in ``provenance``, restricted ones
    in ``provenance-restricted``), each replaced. Returns the writes (the public log first) and the
    activity."""
    sources = reference_sources(settings, with_examples=with_examples)
    shas = {path: hashlib.sha256(path.read_bytes()).hexdigest() for files in sources.values() for path in files}
    done = activity(iris, "reference", digest("reference", agent, shas.values(), data))
    triples: list[Triple] = [(done, RDF.type, PROV.Activity), (done, DCTERMS.title, Literal("install reference graphs")),
                             (done, PROV.wasAssociatedWith, agent.iri), *agent.public]
    for path, sha in shas.items():
        source = iris.source(sha)
        triples += [(done, PROV.used, source), (source, RDF.type, PROV.Entity),
                    (source, DCTERMS.identifier, Literal(f"sha256:{sha}")), (source, DCTERMS.title, Literal(path.name))]
    mechanism = [w for w in data if w.graph == str(iris.graph("review"))]
    records = [r for w in mechanism for r in w.records]
    for name, files in sources.items():
        if name == "review":
            triples += [t for r in records for f in files
                        for t in ((URIRef(r), PROV.wasDerivedFrom, iris.source(shas[f])), (URIRef(r), PROV.wasGeneratedBy, done))]
            continue
        graph = iris.graph(name)
        triples += [(graph, PROV.wasGeneratedBy, done), *((graph, PROV.wasDerivedFrom, iris.source(shas[f])) for f in files)]
    public = graph_statements(iris, public_names())
    restricted = restricted_statements(iris)
    described = sorted({str(s) for s, _p, _o in public + restricted})
    log = RecordWrite(str(iris.graph("provenance")), [str(done), *described, *records], public + triples)
    private = RecordWrite(str(iris.graph("provenance-restricted")), described, restricted + list(agent.private))
    return [log, private], done


#: The Review Mechanism as data (COP sessions and resolutions, clusters, groups), under data/.
MECHANISM = "review-mechanism.jsonl"


def mechanism_write(settings: Settings, iris: Iris, graphs: dict[str, Graph]) -> RecordWrite:
    """The records of ``data/review-mechanism.jsonl`` (loaders/mechanism.py), checked against
    ``shapes/mechanism.ttl`` with the reference graphs being installed as their context, as one
    write replacing those records in the ``review`` graph. ValidationFailed if they break a rule."""
    from .errors import Issue, ValidationFailed
    from .loaders import mechanism
    from .namespaces import RDF as TYPE_OF
    from .validation import Gate

    path = settings.data_dir / MECHANISM
    records = list(mechanism.read(path, iris, "jsonl")) if path.exists() else []
    issues = [Issue("Violation", e.message, e.location) for r in records if r.error is not None for e in r.error.each()]
    triples = [t for r in records if r.error is None for ts in r.triples.values() for t in ts]
    if triples:
        by_iri = {str(r.iri): r.location for r in records if r.error is None}
        objects = {o for (_s, _p, o) in triples if isinstance(o, URIRef)}
        context = [t for name in ("instruments", "countries") for o in objects
                   for t in graphs[name].triples((o, TYPE_OF.type, None))]
        gate = Gate.for_kind("mechanism", settings.shapes_dir, settings.ontology_dir / "sherloc.ttl", iris,
                             settings.shacl_engine)
        issues += gate.check(triples, context, lambda focus: by_iri.get(str(focus)) or Location(str(path)))
    if any(issue.severity == "Violation" for issue in issues):
        raise ValidationFailed(issues)
    return RecordWrite(str(iris.graph(mechanism.GRAPH)), [str(r.iri) for r in records], triples)


def check_instruments(instruments: Graph, settings: Settings, iris: Iris) -> None:
    """The instruments graph passes ``shapes/instruments.ttl`` before it is written, like any record."""
    from .errors import Location, ValidationFailed
    from .validation import Gate

    gate = Gate.for_kind("instruments", settings.shapes_dir, settings.ontology_dir / "sherloc.ttl", iris,
                         settings.shacl_engine)
    texts = settings.data_dir / "convention-texts"
    issues = gate.check(instruments, [], lambda focus: Location(str(texts), record=iris.provision_reference(focus) or str(focus)))
    if any(issue.severity == "Violation" for issue in issues):
        raise ValidationFailed(issues)
