"""Ingest throughput of every loader, in one run: the full pipeline (loader → SHACL gate against
the store → one transaction, with provenance and the inference rules) side by side with a raw
``pyoxigraph.Store.bulk_load`` of the very triples the pipeline wrote (no checks at all), and, for
the cases, the naive path (rdflib parses the same triples, pyshacl validates the whole graph).

Data, per loader and format (written to a temporary folder, never to data/):

* cases (JSON Lines): the bundled real SHERLOC cases, repeated with fictional ids up to ``--records``;
* judgments: the real Akoma Ntoso judgment (South Africa) and the real ECLI record (Hoge Raad) of
  ``shared/fixtures/real/`` (their copies in tests/fixtures/shared/), copied ``--files`` times each under fictional identifiers;
* legislation: the real Akoma Ntoso acts (Luxembourg, UK) copied ``--files`` times each under
  fictional FRBR URIs; our JSON Lines: the example law replicated;
* participation: a UN Treaty Collection table and our CSV with one row per ISO 3166 country
  (synthetic dates), as the real partial table has only 18 rows;
* bibliography: BibTeX, RIS and CSL-JSON entries synthesised (accents, LaTeX escapes, several
  authors), and our JSON Lines: the example publication replicated;
* treaties, strategies, authorities, guide, review: the examples of ``data/examples/`` replicated
  with fictional ids (they refer to the example laws and the Convention, loaded first).

Each measurement starts from the same store: reference graphs, the fictional States and the
examples.

Then the trusted restore (``sherloc-kg restore FILE --trusted``): a dump of everything the run
wrote (the base store plus every loader's triples, N-Quads) restored into an empty store, against
``pyoxigraph.Store.bulk_load`` of the same file into an empty bare store; in memory and on disk,
each the best of three. The store the command opens keeps a public mirror (every graph but the
restricted ones, see sherloc_kg/store/embedded.py), so it is measured with and without it.

Usage: ``python benchmarks/ingest.py [--records 1000] [--small 300] [--files 50]
[--out benchmarks/results/ingest.json]`` (the report is rendered beside it, ingest.md)
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pycountry
import pyoxigraph as ox
from pyshacl import validate
from rdflib import Dataset as RdfDataset
from rdflib import Graph

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.render import publish, read  # noqa: E402
from sherloc_kg.config import PROJECT_ROOT, Settings  # noqa: E402
from sherloc_kg.ingest import Ingest, restore_trusted  # noqa: E402
from sherloc_kg.access import restricted_graphs  # noqa: E402
from sherloc_kg.iris import Iris  # noqa: E402
from sherloc_kg.loaders import loader_for  # noqa: E402
from sherloc_kg.reference import install_reference, load_examples, read_turtle  # noqa: E402
from sherloc_kg.store import Dataset, open_store  # noqa: E402
from sherloc_kg.store.embedded import EmbeddedStore  # noqa: E402

BUNDLED = PROJECT_ROOT / "data/cases/sherloc-cases-tip-2026-08.jsonl"
EXAMPLES = PROJECT_ROOT / "data/examples"
# The shared real fixtures as the repository carries them (tests/fixtures/shared/PROVENANCE.md).
REAL = PROJECT_ROOT / "tests/fixtures/shared/fixtures/real"
NQUADS = "application/n-quads"
#: The pipeline is measured with each SHACL engine of the gate (SHERLOC_SHACL_ENGINE) installed.
TURBO = importlib.util.find_spec("pyshacl_turbo") is not None


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def write_jsonl(path: Path, records: list[dict]) -> list[Path]:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return [path]


def replicate(source: list[dict], count: int, tag: str) -> list[dict]:
    """``count`` copies of the records of ``source`` in turn, each with a fresh id."""
    return [dict(source[n % len(source)], id=f"{source[n % len(source)]['id']}-{tag}{n:05d}") for n in range(count)]


# -- the sources ---------------------------------------------------------------------------------

def cases(folder: Path, count: int) -> list[Path]:
    records = jsonl(BUNDLED)
    return write_jsonl(folder / "cases.jsonl", [dict(records[n % len(records)], id=f"BENCH{n:07d}") for n in range(count)])


def copies(folder: Path, source: Path, count: int, rename: Callable[[str, int], str], suffix: str = ".xml") -> list[Path]:
    text = source.read_text(encoding="utf-8")
    paths = []
    for n in range(count):
        path = folder / f"{source.stem}-{n:05d}{suffix}"
        path.write_text(rename(text, n), encoding="utf-8")
        paths.append(path)
    return paths


def akn_judgments(folder: Path, count: int) -> list[Path]:
    return copies(folder, REAL / "akn-oasis-examples/za_Judgement_2008-11-26.xml", count,
                  lambda text, n: text.replace("/akn/za/judgement/2008-11-26/653-07", f"/akn/za/judgement/2008-11-26/b{n}"))


def ecli_judgments(folder: Path, count: int) -> list[Path]:
    return copies(folder, REAL / "ecli-nl/ECLI.NL.HR.1984.AC8252.xml", count,
                  lambda text, n: text.replace("ECLI:NL:HR:1984:AC8252", f"ECLI:NL:HR:1984:B{n:05d}"))


def akn_acts(folder: Path, count: int) -> list[Path]:
    half = count // 2
    lux = copies(folder, REAL / "akn-lu-loi-1999-05-31-n6/fr.xml", half,
                 lambda text, n: text.replace("/1999/05/31/n6/jo", f"/1999/05/31/b{n}/jo"))
    uk = copies(folder, REAL / "akn-oasis-examples/uk_pga-2014-27-enacted-data.xml", count - half,
                lambda text, n: re.sub(r"/ukpga/2014/27(?=[/\"])", f"/ukpga/2014/b{n}", text))
    return lux + uk


def countries() -> list[pycountry.db.Country]:
    return sorted(pycountry.countries, key=lambda c: c.alpha_3)


def untc_table(folder: Path, _count: int) -> list[Path]:
    path = folder / "untc-status-untoc-bench.csv"
    rows = ['Participant,Signature,"Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)"']
    for n, country in enumerate(countries()):
        name = country.name.replace('"', '""')
        signature, consent = ("12 Dec 2000", f"{1 + n % 28} Sep 2003") if n % 3 else ("", f"{1 + n % 28} Jun 2004 a")
        rows.append(f'"{name}",{signature},{consent}' + ("1" if n % 7 == 0 else ""))  # some footnote marks
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return [path]


def participation_csv(folder: Path, _count: int) -> list[Path]:
    path = folder / "participation.csv"
    rows = ["instrument,country,signature_date,consent_date,consent_type,declarations"]
    for n, country in enumerate(countries()):
        rows.append(f"tip,{country.alpha_3},2000-12-12,2004-{1 + n % 12:02d}-10,ratification,")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return [path]


AUTHORS = [("Gallagher", "Anne T."), ("M{\\\"u}ller", "J{\\\"o}rg"), ("Dupont", "Ren{\\'e}"), ("Petrovi{\\'c}", "Ana"),
           ("Diallo", "Fatou")]
PLAIN = [("Gallagher", "Anne T."), ("Müller", "Jörg"), ("Dupont", "René"), ("Petrović", "Ana"), ("Diallo", "Fatou")]


def bibtex(folder: Path, count: int) -> list[Path]:
    entries = []
    for n in range(count):
        authors = " and ".join(f"{f}, {g}" for f, g in AUTHORS[n % 5:] + AUTHORS[: n % 5][:2])
        entries.append(f"@article{{bench{n:05d},\n  author = {{{authors}}},\n  title = {{Trafficking in persons "
                       f"and {{UN}} Protocols: {{\\'E}}tude {n}}},\n  journal = {{Human Rights Quarterly}},\n"
                       f"  year = {{{2000 + n % 24}}},\n  doi = {{10.1353/hrq.{n}}},\n  language = {{English}},\n"
                       f"  keywords = {{trafficking; smuggling}},\n}}\n")
    path = folder / "refs.bib"
    path.write_text("\n".join(entries), encoding="utf-8")
    return [path]


def ris(folder: Path, count: int) -> list[Path]:
    entries = []
    for n in range(count):
        authors = "".join(f"AU  - {f}, {g}\n" for f, g in PLAIN[n % 5:] + PLAIN[: n % 5][:2])
        entries.append(f"TY  - JOUR\nID  - ris{n:05d}\n{authors}TI  - Smuggling of migrants {n}\n"
                       f"T2  - Journal of Migration Studies\nPY  - {2000 + n % 24}///\nDO  - 10.1000/ris{n}\n"
                       f"KW  - smuggling\nLA  - en\nAB  - An abstract.\nER  - \n")
    path = folder / "refs.ris"
    path.write_text("\n".join(entries), encoding="utf-8")
    return [path]


def csl(folder: Path, count: int) -> list[Path]:
    items = [{"id": f"csl{n:05d}", "type": "chapter", "title": f"Organized crime in West Africa {n}",
              "author": [{"family": f, "given": g} for f, g in PLAIN[n % 5:] + PLAIN[: n % 5][:2]],
              "issued": {"date-parts": [[2000 + n % 24, 5]]}, "container-title": "Handbook of Transnational Crime",
              "publisher": "Routledge", "DOI": f"10.4324/{n}", "keyword": "organized crime, Africa"} for n in range(count)]
    path = folder / "refs.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return [path]


def examples(kind: str) -> Callable[[Path, int], list[Path]]:
    def make(folder: Path, count: int) -> list[Path]:
        return write_jsonl(folder / f"{kind}.jsonl", replicate(jsonl(EXAMPLES / f"{kind}.jsonl"), count, "bench"))
    return make


@dataclass
class Source:
    label: str
    kind: str
    make: Callable[[Path, int], list[Path]]
    size: str  # which command-line count applies: records, small or files


SOURCES = [
    Source("cases: JSON Lines (real SHERLOC cases, repeated)", "cases", cases, "records"),
    Source("cases: Akoma Ntoso judgment (real, copied)", "cases", akn_judgments, "files"),
    Source("cases: ECLI open data XML (real, copied)", "cases", ecli_judgments, "files"),
    Source("legislation: Akoma Ntoso acts (real LU + UK, copied)", "legislation", akn_acts, "files"),
    Source("legislation: JSON Lines (example, replicated)", "legislation", examples("legislation"), "small"),
    Source("participation: UNTC status table (synthesised)", "participation", untc_table, "small"),
    Source("participation: our CSV (synthesised)", "participation", participation_csv, "small"),
    Source("bibliography: BibTeX (synthesised)", "bibliography", bibtex, "small"),
    Source("bibliography: RIS (synthesised)", "bibliography", ris, "small"),
    Source("bibliography: CSL-JSON (synthesised)", "bibliography", csl, "small"),
    Source("bibliography: JSON Lines (example, replicated)", "bibliography", examples("bibliography"), "small"),
    Source("treaties: JSON Lines (example, replicated)", "treaties", examples("treaties"), "small"),
    Source("strategies: JSON Lines (example, replicated)", "strategies", examples("strategies"), "small"),
    Source("authorities: JSON Lines (example, replicated)", "authorities", examples("authorities"), "small"),
    Source("guide: JSON Lines (example, replicated)", "guide", examples("guide"), "small"),
    Source("review: JSON Lines (example, replicated)", "review", examples("review"), "small"),
]


# -- measuring -----------------------------------------------------------------------------------

def engine_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def memory_gib() -> float:
    """Total memory of the machine, from /proc/meminfo (0 where there is none)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def timed(action) -> float:
    # The garbage of the previous measurement is collected first, not during this one (a full
    # collection after a pyshacl run had made a 0.06 s turbo load of 50 ECLI records read 0.3 s).
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def dump(store: EmbeddedStore, graphs: list[str]) -> set[bytes]:
    """The quads of ``graphs`` and of the graphs below them (a review load writes unpublished
    answers to ``review-restricted/{ISO3}``)."""
    below = [g for g in store.graphs() if g not in graphs and any(g.startswith(r + "/") for r in graphs)]
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS, graphs=graphs + below)
    return set(buffer.getvalue().splitlines())


@dataclass
class Row:
    label: str
    records: int
    triples: int
    pipeline_s: float
    raw_s: float
    nquads: bytes
    turbo_s: float | None = None  # the same pipeline with the gate on pyshacl-turbo


def measure(source: Source, base: bytes, settings: Settings, iris: Iris, folder: Path, count: int) -> Row:
    paths = source.make(folder, count)
    graphs = [str(iris.graph(name)) for name in loader_for(source.kind).graphs]

    def pipeline(engine: str) -> tuple[float, bytes, int]:
        """The whole load into a fresh copy of the base store, with the gate on ``engine``."""
        store = EmbeddedStore(None)
        store.restore(io.BytesIO(base), media_type=NQUADS)
        before = dump(store, graphs)
        report = None

        def run() -> None:
            nonlocal report
            report = Ingest(store, settings.with_(shacl_engine=engine)).load(source.kind, paths)

        seconds = timed(run)
        assert report is not None and report.written and not report.violations, (source.label, engine, report.violations[:3])
        return seconds, b"\n".join(sorted(dump(store, graphs) - before)) + b"\n", report.records_written

    pipeline_s, written, records = pipeline("pyshacl")
    turbo_s = None
    if TURBO:
        turbo_s, turbo_written, _records = pipeline("turbo")
        assert turbo_written == written, f"{source.label}: the two engines let different triples through"
    # The raw load takes milliseconds, so one timing is mostly noise: the best of five.
    raw_s = best_of(5, ox.Store, lambda raw: raw.bulk_load(io.BytesIO(written), ox.RdfFormat.N_QUADS))
    triples = len(set(written.splitlines()) - {b""})
    return Row(source.label, records, triples, pipeline_s, raw_s, written, turbo_s)


def naive_cases(row: Row, store: EmbeddedStore, settings: Settings, iris: Iris) -> float:
    """rdflib parse + pyshacl over the whole cases graph, with the context the gate sees."""
    shapes = read_turtle([settings.shapes_dir / "cases.ttl"], iris)
    context = Graph()
    for name in ("vocabularies", "countries", "instruments", "legislation"):
        rows = store.select("SELECT ?s ?p ?o WHERE { VALUES ?p { <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                            "<http://www.w3.org/2004/02/skos/core#inScheme> } ?s ?p ?o }",
                            dataset=Dataset(default=[str(iris.graph(name))]))
        for r in rows.rows:
            context.add((r["s"], r["p"], r["o"]))
    context += read_turtle([settings.ontology_dir / "sherloc.ttl"], iris)

    def naive() -> None:
        dataset = RdfDataset()
        dataset.parse(data=row.nquads, format="nquads")
        data = Graph()
        for s, p, o, _g in dataset.quads():
            data.add((s, p, o))
        data += context
        validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)

    return timed(naive)


@dataclass
class RestoreRow:
    label: str
    quads: int
    restore_s: float
    raw_s: float


def best_of(runs: int, setup: Callable[[], object], action: Callable[[object], None],
            teardown: Callable[[object], None] = lambda _target: None) -> float:
    """The shortest of ``runs`` timings of ``action`` on a fresh ``setup()``."""
    times = []
    for _ in range(runs):
        target = setup()
        times.append(timed(partial(action, target)))
        teardown(target)
    return min(times)


def measure_restore(dump: Path, folder: Path, settings: Settings, quads: int) -> list[RestoreRow]:
    counter = iter(range(10**6))

    def fresh_dir() -> str:
        return str(folder / f"store-{next(counter)}")

    def close(store) -> None:
        store.close()

    def raw_memory() -> float:
        return best_of(3, ox.Store, lambda store: store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS))

    def raw_disk() -> float:
        return best_of(3, lambda: ox.Store(fresh_dir()),
                       lambda store: store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS), lambda store: store.flush())

    def restore(opener: Callable[[], object]) -> float:
        return best_of(3, opener, lambda store: restore_trusted(store, dump, media_type=NQUADS, trusted=True), close)

    private = restricted_graphs(Iris(settings.base))
    memory_raw, disk_raw = raw_memory(), raw_disk()
    return [
        RestoreRow("in memory, as `restore` opens it (with the public mirror)", quads,
                   restore(lambda: open_store(settings.with_(store="memory"))), memory_raw),
        RestoreRow("in memory, store without a public mirror", quads, restore(lambda: EmbeddedStore(None)), memory_raw),
        RestoreRow("on disk, as `restore` opens it (with the public mirror)", quads,
                   restore(lambda: EmbeddedStore(fresh_dir(), private_graphs=private)), disk_raw),
        RestoreRow("on disk, store without a public mirror", quads, restore(lambda: EmbeddedStore(fresh_dir())), disk_raw),
    ]


def previous_ratios(path: Path) -> dict[str, float]:
    """Loader label → pipeline/raw ratio, from the result of an earlier run (for the comparison)."""
    if not path.exists():
        return {}
    return {row["label"]: row["pipeline_per_raw"] for row in read(path)["tables"]["loaders"]["rows"]}


#: The loaders table: a row per source (benchmarks/render.py says how a column is written).
LOADER_UNITS = {"records": "records", "triples": "triples", "pipeline_s": "s", "pipeline_records_per_s": "records/s",
                "raw_s": "s", "raw_records_per_s": "records/s", "pipeline_per_raw": "ratio",
                "previous_pipeline_per_raw": "ratio", "turbo_s": "s", "turbo_records_per_s": "records/s",
                "turbo_per_raw": "ratio"}
LOADER_COLUMNS = [
    {"label": "loader: format (data)", "cell": "{label}"},
    {"label": "records", "cell": "{records:,}", "align": "right"},
    {"label": "triples", "cell": "{triples:,}", "align": "right"},
    {"label": "pipeline s", "cell": "{pipeline_s:.2f}", "align": "right"},
    {"label": "pipeline records/s", "cell": "{pipeline_records_per_s:,.0f}", "align": "right"},
    {"label": "raw bulk s", "cell": "{raw_s:.3f}", "align": "right"},
    {"label": "raw records/s", "cell": "{raw_records_per_s:,.0f}", "align": "right"},
    {"label": "pipeline / raw", "cell": "{pipeline_per_raw:,.0f}x", "align": "right", "chart": "pipeline_per_raw",
     "goal": 5.0},
    {"label": "previous run", "cell": ["{previous_pipeline_per_raw:,.0f}x", "-"], "align": "right"},
    {"label": "pipeline (turbo) s", "cell": ["{turbo_s:.2f}", "-"], "align": "right"},
    {"label": "turbo records/s", "cell": ["{turbo_records_per_s:,.0f}", "-"], "align": "right"},
    {"label": "pipeline (turbo) / raw", "cell": ["{turbo_per_raw:,.0f}x", "-"], "align": "right",
     "chart": "turbo_per_raw", "goal": 5.0},
]
RESTORE_UNITS = {"quads": "quads", "restore_s": "s", "raw_s": "s", "restore_per_raw": "ratio"}
RESTORE_COLUMNS = [
    {"label": "store", "cell": "{label}"},
    {"label": "quads", "cell": "{quads:,}", "align": "right"},
    {"label": "restore s", "cell": "{restore_s:.3f}", "align": "right"},
    {"label": "raw bulk s", "cell": "{raw_s:.3f}", "align": "right"},
    {"label": "restore / raw", "cell": "{restore_per_raw:.2f}x", "align": "right", "chart": "restore_per_raw",
     "goal": 1.5},
]
BODY = [
    "Command: `{command}` (whole run: {whole_run_s:.0f} s)  \nMachine: {machine}  \n"
    "Store: in memory, each measurement starting from the same {base_triples} triples (reference graphs, the "
    "fictional States and the examples).  \n"
    "Pipeline: loader → SHACL gate (against the store) → one transaction with provenance and the inference "
    "rules (one run), with the gate on pyshacl (the reference engine, SHERLOC_SHACL_ENGINE=pyshacl) and, in the "
    "turbo columns, on pyshacl-turbo (the default engine; both wrote the same triples). Raw: "
    "`pyoxigraph.Store.bulk_load` of exactly the triples the pipeline wrote to the kind's graphs, into an empty "
    "store, no checks (best of five). Previous run: the ratio in the file this run replaced. The data: see the "
    "docstring of benchmarks/ingest.py.",
    {"table": "loaders"},
    "Naive path for the JSON Lines cases (rdflib parses the {naive_triples:,} triples, pyshacl validates the whole "
    "graph at once): {naive_s:.2f} s, {naive_per_pipeline:.2f}x the pipeline's time.",
    {"heading": "Trusted restore"},
    "`sherloc-kg restore dump.nq --trusted` of a dump of everything this run wrote ({restore_quads:,} quads), into "
    "an empty store, against `pyoxigraph.Store.bulk_load` of the same file into an empty bare store (best of three "
    "each; no validation, no inference in either).",
    {"table": "restore"},
]


def document(args: argparse.Namespace, seconds: float, base_triples: int, rows: list[Row], naive_s: float,
             restores: list[RestoreRow], previous: dict[str, float]) -> dict:
    """The run's result document (benchmarks/render.py)."""
    def loader(r: Row) -> dict:
        return {"label": r.label, "records": r.records, "triples": r.triples, "pipeline_s": r.pipeline_s,
                "pipeline_records_per_s": r.records / r.pipeline_s, "raw_s": r.raw_s,
                "raw_records_per_s": r.records / r.raw_s, "pipeline_per_raw": r.pipeline_s / r.raw_s,
                "previous_pipeline_per_raw": previous.get(r.label), "turbo_s": r.turbo_s,
                "turbo_records_per_s": r.records / r.turbo_s if r.turbo_s else None,
                "turbo_per_raw": r.turbo_s / r.raw_s if r.turbo_s else None}

    first = rows[0]
    return {
        "benchmark": "ingest",
        "title": "Ingest throughput, every loader",
        "command": f"python benchmarks/ingest.py --records {args.records} --small {args.small} --files {args.files}",
        "parameters": {"records": args.records, "small": args.small, "files": args.files},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {memory_gib():.0f} GiB, Python "
                   f"{platform.python_version()}, pyoxigraph {ox.__version__}, pyshacl {engine_version('pyshacl')}, "
                   f"pyshacl-turbo {engine_version('pyshacl-turbo')}",
        "notes": {},
        "figures": {"whole_run_s": seconds, "base_triples": base_triples, "naive_triples": first.triples,
                    "naive_s": naive_s, "naive_per_pipeline": naive_s / first.pipeline_s,
                    "restore_quads": restores[0].quads},
        "units": {"whole_run_s": "s", "base_triples": "triples", "naive_triples": "triples", "naive_s": "s",
                  "naive_per_pipeline": "ratio", "restore_quads": "quads"},
        "tables": {
            "loaders": {"units": LOADER_UNITS, "columns": LOADER_COLUMNS, "rows": [loader(r) for r in rows]},
            "restore": {"units": RESTORE_UNITS, "columns": RESTORE_COLUMNS, "rows": [
                {"label": r.label, "quads": r.quads, "restore_s": r.restore_s, "raw_s": r.raw_s,
                 "restore_per_raw": r.restore_s / r.raw_s} for r in restores]},
        },
        "body": BODY,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="JSON Lines cases")
    parser.add_argument("--small", type=int, default=300, help="records of each other flat source")
    parser.add_argument("--files", type=int, default=50, help="copies of each real XML file")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/ingest.json")
    args = parser.parse_args()

    settings = Settings(store="memory", home=PROJECT_ROOT)
    iris = Iris()
    started = time.perf_counter()
    base_store = EmbeddedStore(None)
    install_reference(base_store, settings, with_examples=True)
    load_examples(base_store, settings)
    base_triples = base_store.count()
    buffer = io.BytesIO()
    base_store.dump(buffer, media_type=NQUADS)
    base = buffer.getvalue()

    previous = previous_ratios(args.out)
    rows: list[Row] = []
    naive_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n, source in enumerate(SOURCES):
            folder = Path(tmp) / f"{n:02d}"
            folder.mkdir()
            row = measure(source, base, settings, iris, folder, getattr(args, source.size))
            rows.append(row)
            print(f"{row.label}: {row.records} records, {row.pipeline_s:.2f} s", flush=True)
            if n == 0:
                naive_s = naive_cases(row, base_store, settings, iris)
        everything = set(base.splitlines()) | {line for r in rows for line in r.nquads.splitlines()}
        everything.discard(b"")
        dump = Path(tmp) / "dump.nq"
        dump.write_bytes(b"\n".join(sorted(everything)) + b"\n")
        restores = measure_restore(dump, Path(tmp), settings, len(everything))
        for r in restores:
            print(f"restore {r.label}: {r.restore_s:.3f} s, raw {r.raw_s:.3f} s", flush=True)
    total = time.perf_counter() - started

    publish(document(args, total, base_triples, rows, naive_s, restores, previous), args.out)


if __name__ == "__main__":
    main()
