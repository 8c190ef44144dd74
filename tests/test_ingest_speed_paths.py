"""The fast paths of issue 9, by behaviour only (never timings): the SHACL gate built once per
process gives the same answers batch after batch, and ``restore --trusted`` makes a store exactly
the dump it is given, or refuses and leaves the store as it was."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sherloc_kg.cli import cli
from sherloc_kg.config import Settings
from sherloc_kg.errors import SourceError, UsageError, ValidationFailed
from sherloc_kg.ingest import Ingest, restore_trusted
from sherloc_kg.access import is_restricted_graph, restricted_graphs
from sherloc_kg.iris import Iris
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import RESTORE_MARK, STALE_MARK, EmbeddedStore
from sherloc_kg.validation import Gate

from .conftest import REPO, snapshot

NQUADS = "application/n-quads"
IRIS = Iris()
EXAMPLE_STRATEGY = json.loads(next(line for line in (REPO / "data/examples/strategies.jsonl").read_text(
    encoding="utf-8").splitlines() if line.startswith("{")))


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example_dump(settings: Settings) -> bytes:
    """Reference graphs with the fictional States and every example, loaded through the pipeline."""
    from sherloc_kg.reference import install_reference, load_examples

    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)  # with review answers and contacts: restricted graphs
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return buffer.getvalue()


@pytest.fixture
def examples_store(example_dump: bytes) -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(example_dump), media_type=NQUADS)
    return store


# -- the gate ------------------------------------------------------------------------------------

def test_the_gate_is_built_once_and_rebuilt_when_its_shapes_change(settings: Settings, tmp_path: Path) -> None:
    ontology = settings.ontology_dir / "sherloc.ttl"
    first = Gate.for_kind("strategies", settings.shapes_dir, ontology, IRIS)
    assert Gate.for_kind("strategies", settings.shapes_dir, ontology, IRIS) is first
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    copy = shapes / "strategies.ttl"
    shutil.copy(settings.shapes_dir / "strategies.ttl", copy)
    copied = Gate.for_kind("strategies", shapes, ontology, IRIS)
    assert copied is not first
    copy.write_text(copy.read_text(encoding="utf-8").replace(
        "A strategy needs exactly one `id`, as text.", "An edited message."), encoding="utf-8")
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 10**9))
    edited = Gate.for_kind("strategies", shapes, ontology, IRIS)
    assert edited is not copied
    assert "An edited message." in edited.shapes.serialize(format="turtle")


def test_a_sparql_constraint_answers_for_every_record_of_every_batch(examples_store: EmbeddedStore,
                                                                      settings: Settings, tmp_path: Path) -> None:
    """The period check is a SPARQL constraint, parsed once and run for each strategy: records
    in several batches, some with the period backwards, each named with its own line and field."""
    records = []
    for n in range(260):  # more than one batch
        record = dict(EXAMPLE_STRATEGY, id=f"speed-{n:03d}")
        if n in (3, 255):
            record.update(period_start="2030", period_end="2020")
        records.append(record)
    path = write_jsonl(tmp_path / "strategies.jsonl", records)
    before = snapshot(examples_store)
    with pytest.raises(ValidationFailed) as refused:
        Ingest(examples_store, settings).load("strategies", [path])
    violations = [i for i in refused.value.issues if i.severity == "Violation"]
    assert sorted((i.location.line, i.location.record, i.location.field) for i in violations) == [
        (4, "speed-003", "period_end"), (256, "speed-255", "period_end")]
    assert all(i.location.file == str(path) for i in violations)
    assert snapshot(examples_store) == before  # a refused load writes nothing
    # The same gate, the next load: a clean file passes.
    clean = write_jsonl(tmp_path / "clean.jsonl", [dict(EXAMPLE_STRATEGY, id="speed-clean")])
    report = Ingest(examples_store, settings).load("strategies", [clean])
    assert report.written and not report.violations


# -- restore --trusted ---------------------------------------------------------------------------

@pytest.fixture
def exported(tmp_path: Path, example_dump: bytes, settings: Settings) -> tuple[Path, set[str]]:
    """An on-disk store with the examples and the bundled cases, exported with `sherloc-kg export`."""
    source = tmp_path / "source"
    store = EmbeddedStore(source, private_graphs=restricted_graphs(IRIS))
    store.restore(io.BytesIO(example_dump), media_type=NQUADS)
    Ingest(store, settings).load("cases", [settings.data_dir / "cases/sherloc-cases-tip-2026-08.jsonl"])
    expected = snapshot(store)
    store.close()
    dump = tmp_path / "dump.nq"
    done = CliRunner().invoke(cli, ["--store", str(source), "export", "--format", "nq", "-o", str(dump)])
    assert done.exit_code == 0, done.output
    return dump, expected


def run(store: Path, *args: str):
    return CliRunner().invoke(cli, ["--store", str(store), "restore", *args])


def test_export_then_trusted_restore_gives_the_same_store(exported: tuple[Path, set[str]], tmp_path: Path) -> None:
    dump, expected = exported
    target = tmp_path / "target"
    done = run(target, str(dump), "--trusted")
    assert done.exit_code == 0, done.output
    assert f"{len(expected)} triples" in done.output
    store = EmbeddedStore(target, private_graphs=restricted_graphs(IRIS))
    try:
        assert snapshot(store) == expected
        # The public mirror was rebuilt: a public query (every public graph) sees every public triple.
        # review-restricted/XAA too; the change feed's version logs are in no query's dataset (versions.py)
        logs = set(IRIS.version_logs(store.graphs()))
        public = [g for g in store.graphs() if not is_restricted_graph(IRIS, g) and g not in logs]
        assert set(public) != set(store.graphs())  # the dump has restricted graphs: a real test
        row = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                           dataset=Dataset(default=public, named=public)).rows[0]
        assert int(row["n"]) == sum(store.count(g) for g in public)
    finally:
        store.close()


def test_trig_dump_restores_too(examples_store: EmbeddedStore, tmp_path: Path) -> None:
    dump = tmp_path / "dump.trig"
    with dump.open("wb") as handle:
        examples_store.dump(handle, media_type="application/trig")
    fresh = EmbeddedStore(None)
    restore_trusted(fresh, dump, media_type="application/trig", trusted=True)
    assert snapshot(fresh) == snapshot(examples_store)


def test_restore_is_refused_without_trusted(exported: tuple[Path, set[str]], tmp_path: Path) -> None:
    dump, _expected = exported
    target = tmp_path / "target"
    done = run(target, str(dump))
    assert isinstance(done.exception, UsageError) and "--trusted" in str(done.exception)
    store = EmbeddedStore(target)
    try:
        assert store.count() == 0
    finally:
        store.close()


def test_restore_into_a_store_that_is_not_empty_needs_replace(exported: tuple[Path, set[str]],
                                                             examples_store: EmbeddedStore) -> None:
    dump, expected = exported
    before = snapshot(examples_store)
    with pytest.raises(UsageError, match="--replace"):
        restore_trusted(examples_store, dump, media_type=NQUADS, trusted=True)
    assert snapshot(examples_store) == before
    restore_trusted(examples_store, dump, media_type=NQUADS, trusted=True, replace=True)
    assert snapshot(examples_store) == expected  # exactly the dump: nothing of the old content left


def broken_copy(dump: Path, tmp_path: Path) -> Path:
    lines = dump.read_text(encoding="utf-8").splitlines()
    lines[41] = lines[41][: len(lines[41]) // 2]  # line 42 cut in the middle
    broken = tmp_path / "broken.nq"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return broken


def test_a_broken_dump_names_the_file_and_writes_nothing(exported: tuple[Path, set[str]], tmp_path: Path,
                                                        examples_store: EmbeddedStore) -> None:
    dump, _expected = exported
    broken = broken_copy(dump, tmp_path)
    empty = EmbeddedStore(None, private_graphs=restricted_graphs(IRIS))
    with pytest.raises(SourceError) as error:
        restore_trusted(empty, broken, media_type=NQUADS, trusted=True)
    assert error.value.location.file == str(broken) and error.value.location.line == 42
    assert str(broken) in str(error.value)
    assert empty.count() == 0
    # Replacing: the old content stays when the dump is broken.
    before = snapshot(examples_store)
    with pytest.raises(SourceError) as error:
        restore_trusted(examples_store, broken, media_type=NQUADS, trusted=True, replace=True)
    assert error.value.location.line == 42
    assert snapshot(examples_store) == before


def test_the_dump_syntax_comes_from_the_name_or_format(tmp_path: Path) -> None:
    turtle = tmp_path / "graph.ttl"
    turtle.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    done = run(tmp_path / "target", str(turtle), "--trusted")
    assert isinstance(done.exception, UsageError) and "--format" in str(done.exception)
    done = run(tmp_path / "target", str(turtle), "--trusted", "--format", "nq")
    assert done.exit_code == 0, done.output


def test_a_dump_broken_near_its_end_leaves_an_on_disk_store_empty(exported: tuple[Path, set[str]],
                                                                  tmp_path: Path) -> None:
    """On disk, into an empty store, the dump goes in through the bulk loader (not one transaction):
    most of it is in the store when the broken line is met, and all of it must go again."""
    dump, expected = exported
    lines = dump.read_text(encoding="utf-8").splitlines()
    lines[-2] = lines[-2][: len(lines[-2]) // 2]
    broken = tmp_path / "broken.nq"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "target"
    store = EmbeddedStore(target, private_graphs=restricted_graphs(IRIS))
    try:
        with pytest.raises(SourceError) as error:
            restore_trusted(store, broken, media_type=NQUADS, trusted=True)
        assert error.value.location.line == len(lines) - 1
        assert store.count() == 0 and store._mirror is not None and len(store._mirror) == 0
        assert not (target / RESTORE_MARK).exists() and not (target / STALE_MARK).exists()
        restore_trusted(store, dump, media_type=NQUADS, trusted=True)  # and the store takes the good dump
        assert snapshot(store) == expected
        assert not (target / RESTORE_MARK).exists() and not (target / STALE_MARK).exists()
    finally:
        store.close()
