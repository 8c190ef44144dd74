"""A read-only view of the embedded store (sherloc_kg/store/embedded.py) that loses a file to the
writer's compaction is opened afresh and read again, a bounded number of times (issue 20, item 1);
any other error, a missing store among them, is raised at once."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from sherloc_kg.errors import QueryError, StoreError
from sherloc_kg.store.contract import RecordWrite
from sherloc_kg.store.embedded import READ_ATTEMPTS, EmbeddedStore, ReadOnlyStore, retry_vanished, vanished_file

#: What RocksDB says when a file the view had to read was deleted (issue 20's log, paths shortened).
VANISHED = ("Corruption: Corruption: IO error: No such file or directory: While open a file for random read: "
            "/s/store/public/000240.sst: No such file or directory  The file /s/store/public/MANIFEST-000216 "
            "may be corrupted.")


def test_only_a_deleted_table_log_or_manifest_is_a_vanished_file() -> None:
    assert vanished_file(RuntimeError(VANISHED))
    assert vanished_file(FileNotFoundError("IO error: No such file or directory: While opening a file for "
                                           "sequentially reading: /s/store/MANIFEST-000012: No such file or directory"))
    wrapped = StoreError("the store failed to run the query")
    wrapped.__cause__ = RuntimeError(VANISHED)
    assert vanished_file(wrapped)
    # No store at all (CURRENT is never deleted), another engine error, the caller's query quoting one.
    assert not vanished_file(FileNotFoundError("IO error: No such file or directory: While opening a file for "
                                               "sequentially reading: /s/nowhere/CURRENT: No such file or directory"))
    assert not vanished_file(RuntimeError("Corruption: block checksum mismatch in 000240.sst"))
    assert not vanished_file(QueryError(VANISHED))


def test_a_vanished_file_is_retried_within_a_bound_and_nothing_else_is() -> None:
    calls: list[int] = []
    reopened: list[int] = []

    def lose_files(times: int):
        def attempt() -> str:
            calls.append(1)
            if len(calls) <= times:
                raise RuntimeError(VANISHED)
            return "answer"
        return attempt

    assert retry_vanished(lose_files(READ_ATTEMPTS - 1), lambda: reopened.append(1)) == "answer"
    assert (len(calls), len(reopened)) == (READ_ATTEMPTS, READ_ATTEMPTS - 1)
    calls.clear()
    with pytest.raises(RuntimeError, match="No such file"):
        retry_vanished(lose_files(READ_ATTEMPTS))
    assert len(calls) == READ_ATTEMPTS
    calls.clear()

    def refused() -> str:
        calls.append(1)
        raise QueryError("SPARQL syntax error")

    with pytest.raises(QueryError):
        retry_vanished(refused)
    assert len(calls) == 1


def _written_store(location: Path) -> None:
    writer = EmbeddedStore(location, private_graphs=["urn:private"])
    writer.write([RecordWrite("urn:public", ["urn:a"], [(URIRef("urn:a"), URIRef("urn:p"), Literal("x"))])])
    writer.close()


def test_a_read_only_open_that_loses_a_file_opens_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _written_store(tmp_path / "store")
    opens: list[str] = []
    real = ox.Store.read_only

    def losing_the_mirror_once(path: str) -> ox.Store:
        opens.append(path)
        if path.endswith("public") and opens.count(path) == 1:
            raise RuntimeError(VANISHED)
        return real(path)

    monkeypatch.setattr(ox.Store, "read_only", losing_the_mirror_once)
    reader = ReadOnlyStore(str(tmp_path / "store"), frozenset({"urn:private"}))
    assert len(opens) == 4  # the store and its mirror, twice
    assert reader.count("urn:public") == 1


def test_a_read_that_loses_a_file_runs_again_on_fresh_views(tmp_path: Path) -> None:
    _written_store(tmp_path / "store")
    reader = ReadOnlyStore(str(tmp_path / "store"), frozenset({"urn:private"}))
    first = reader._store
    views: list[ox.Store] = []

    def reading(view: ReadOnlyStore) -> int:
        views.append(view._store)
        if len(views) == 1:
            raise StoreError(f"the store failed to run the query: {VANISHED}")
        return view.count("urn:public")

    assert reader.afresh(reading) == 1
    assert views[0] is first and views[1] is not first and reader._store is views[1]


def test_a_missing_store_is_refused_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opens: list[str] = []
    real = ox.Store.read_only
    monkeypatch.setattr(ox.Store, "read_only", lambda path: opens.append(path) or real(path))
    with pytest.raises(StoreError, match="to read"):
        ReadOnlyStore(str(tmp_path / "missing"))
    assert len(opens) == 1
