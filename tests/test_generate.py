"""The synthetic dataset generator (``sherloc-kg generate``): deterministic by seed, fictional States
only, every kind loadable through the real pipeline with zero violations, sized by the target."""

from __future__ import annotations

import collections
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pycountry
import pytest

from sherloc_kg.config import Settings
from sherloc_kg.generate import (FILES, KINDS, LOAD_ORDER, MANIFEST_FILE, STATES_FILE, Generator,
                                 convention_provisions, generate, register_states)
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.loaders import loader_for
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.synthetic_distributions import CASE_YEARS, CASES_ZIPF_EXPONENT, zipf_fit
from sherloc_kg.synthetic_records import INDEX_CAP

from .conftest import NQUADS, REPO

EXE = str(Path(sys.executable).with_name("sherloc-kg"))
REAL_CASES = REPO / "data/cases/sherloc-cases-tip-2026-08.jsonl"
USER_ASSIGNED = ("AA", "QM", "QN", "QO", "QP", "QQ", "QR", "QS", "QT", "QU", "QV", "QW", "QX", "QY", "QZ", "X", "ZZ")


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def provisions(settings: Settings) -> list[str]:
    return convention_provisions(settings)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    """A 25,000-triple set of every kind."""
    out = tmp_path_factory.mktemp("synthetic")
    generate(out, triples=25_000, seed=3, settings=settings)
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, settings: Settings) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(first, triples=8_000, seed=11, settings=settings)
    generate(second, triples=8_000, seed=11, settings=settings)
    generate(other, triples=8_000, seed=12, settings=settings)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert set(FILES.values()) | {STATES_FILE, MANIFEST_FILE} == set(names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "cases.jsonl").read_bytes() != (other / "cases.jsonl").read_bytes()


def triples_in(store: EmbeddedStore, iris: Iris, names: tuple[str, ...]) -> int:
    """Triples in the named graphs and the graphs below them (``review-restricted/XAA``)."""
    roots = [str(iris.graph(name)) for name in names]
    return sum(store.count(g) for g in store.graphs() if any(g == r or g.startswith(r + "/") for r in roots))


def test_every_kind_loads_with_zero_violations_and_the_count_is_on_target(dataset: Path, reference_dump: bytes,
                                                                          settings: Settings) -> None:
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    register_states(store, settings, dataset / STATES_FILE)
    manifest = json.loads((dataset / MANIFEST_FILE).read_text())
    iris = Iris(settings.base)
    ingest = Ingest(store, settings)
    actual = {}
    for kind in LOAD_ORDER:
        # what the kind's graphs held before (the review graph holds the Mechanism's reference data)
        before = triples_in(store, iris, loader_for(kind).graphs)
        report = ingest.load(kind, [dataset / FILES[kind]])  # refuses (raises) on any violation
        assert report.violations == [], (kind, report.violations[:3])
        assert report.records_written == manifest["records"][kind] > 0
        actual[kind] = triples_in(store, iris, loader_for(kind).graphs) - before
    # the per-record count mirrors the loaders: each kind within 2 %, the whole within 10 % of the target
    for kind, count in actual.items():
        assert abs(count - manifest["triples"][kind]) <= 0.02 * count, (kind, count, manifest["triples"][kind])
    assert abs(sum(actual.values()) - 25_000) <= 2_500, actual


def test_fictional_states_only(dataset: Path) -> None:
    with (dataset / STATES_FILE).open(encoding="utf-8", newline="") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    assert len(codes) == 110
    for code in codes:
        assert code.startswith(USER_ASSIGNED) and pycountry.countries.get(alpha_3=code) is None
    assert not codes & {"XAA", "XAB", "XAC"}  # the examples' States stay theirs
    used = set()
    for kind in ("cases", "legislation", "authorities", "strategies", "review"):
        for record in jsonl(dataset / FILES[kind]):
            used.update(c for c in [record.get("country")] if c)
            used.update(record.get("involved_countries", []))
            used.update(d["nationality"] for d in record.get("defendants", []))
    for record in jsonl(dataset / "treaties.jsonl"):
        used.update(record["parties"])
    for record in jsonl(dataset / "bibliography.jsonl"):
        used.update(record["countries"])
    with (dataset / "participation.csv").open(encoding="utf-8", newline="") as handle:
        used.update(row["country"] for row in csv.DictReader(handle))
    assert used and used <= codes


def test_links_between_records_point_to_generated_records(dataset: Path, provisions: list[str]) -> None:
    laws = jsonl(dataset / "legislation.jsonl")
    national = {(law["country"], f"{law['id']}#{p['number']}") for law in laws for p in law["provisions"]}
    assert {ref for law in laws for p in law["provisions"] for ref in p["implements"]} <= set(provisions)
    cases = jsonl(dataset / "cases.jsonl")
    by_id = {case["id"]: case for case in cases}
    appeals = [case for case in cases if "appeal_of" in case]
    assert appeals, "some cases appeal an earlier one"
    seen: set[str] = set()
    for case in cases:
        for ref in case.get("legislation", []):
            assert (case["country"], ref) in national
        if "appeal_of" in case:
            lower = by_id[case["appeal_of"]]
            assert lower["id"] in seen and lower["country"] == case["country"] and lower["year"] < case["year"]
            assert (lower["court_level"], case["court_level"]) in {("first-instance", "appeal"), ("appeal", "supreme")}
        seen.add(case["id"])
    for answer in jsonl(dataset / "review.jsonl"):
        for ref in answer.get("measures", []):
            assert (answer["country"], ref) in national


def test_the_measured_distributions_are_those_of_the_real_cases() -> None:
    real = jsonl(REAL_CASES)
    per_jurisdiction = collections.Counter(c.get("country") or c.get("jurisdiction") for c in real)
    assert zipf_fit(list(per_jurisdiction.values())) == CASES_ZIPF_EXPONENT
    assert collections.Counter(c["year"] for c in real) == CASE_YEARS


def test_generated_cases_follow_the_real_skew(tmp_path: Path, settings: Settings) -> None:
    generate(tmp_path, triples=150_000, seed=5, settings=settings, kinds=["cases"])
    cases = jsonl(tmp_path / "cases.jsonl")
    assert len(cases) > 4_000
    first_instance = [c for c in cases if "appeal_of" not in c]
    counts = collections.Counter(c["country"] for c in first_instance)
    assert abs(zipf_fit(list(counts.values())) - CASES_ZIPF_EXPONENT) <= 0.06
    years = collections.Counter(c["year"] for c in first_instance)
    assert years.most_common(1)[0][0] in range(2008, 2012)  # the real peak is 2010
    assert not (tmp_path / "legislation.jsonl").exists()
    assert all("legislation" not in c for c in cases)  # no laws generated, none cited


def test_memory_stays_bounded_by_the_states(provisions: list[str], tmp_path: Path) -> None:
    generator = Generator(tmp_path, triples=60_000, seed=1, provisions=provisions, kinds=["legislation", "cases"])
    generator.run()
    assert all(len(entries) <= INDEX_CAP for entries in generator.index.values())
    assert all(len(recent) <= recent.maxlen for recent in generator.recent.values())
    # what cases and review answers may cite is only what was written (no law made past the budget)
    written = {law["id"] for law in jsonl(tmp_path / "legislation.jsonl")}
    assert {entry[0] for entries in generator.index.values() for entry in entries} <= written
    assert generator.result.records["legislation"] == len(written)


def test_cli_generate_kinds_and_usage_errors(tmp_path: Path) -> None:
    out = tmp_path / "set"
    done = subprocess.run([EXE, "--store", "memory", "generate", "--triples", "3000", "--seed", "2", "--out", str(out),
                           "--kinds", "legislation,participation"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "legislation:" in done.stderr  # progress on standard error
    assert sorted(p.name for p in out.iterdir()) == sorted(["legislation.jsonl", "participation.csv", STATES_FILE,
                                                            MANIFEST_FILE])
    bad = subprocess.run([EXE, "--store", "memory", "generate", "--triples", "10", "--out", str(tmp_path / "x"),
                          "--kinds", "cases,judgements"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "judgements" in bad.stderr
    assert set(KINDS) == set(FILES)
