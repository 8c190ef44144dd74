"""pyoxigraph's query solutions may be dropped only on the thread that made them (a pyo3
"unsendable" class). A query whose rows fail while they are read (here a SERVICE call to a loopback
port nobody listens on) leaves its frames in the error's traceback; had they kept the solutions,
the garbage collector would free them later on another thread, where the engine raises an error
that nobody catches (seen in the serial test run: pytest reports it against whatever test is
running then). The failure is a StoreError, and nothing of the engine's outlives it."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from sherloc_kg.errors import StoreError
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import free_port


def test_a_query_failing_while_its_rows_are_read_leaves_nothing_to_another_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = EmbeddedStore(None)
    kept: list[BaseException] = []

    def ask() -> None:
        try:
            store.select(f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?x ?p ?o }} }}")
        except BaseException as error:  # noqa: BLE001  (kept, traceback and all, for the main thread)
            kept.append(error)

    worker = threading.Thread(target=ask)
    worker.start()
    worker.join()
    assert len(kept) == 1 and isinstance(kept[0], StoreError), kept
    assert "failed while reading the query's rows" in str(kept[0])
    unraisable: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda seen: unraisable.append(repr(seen.exc_value)))
    kept.clear()  # the error, its traceback and their frames are freed here, on the main thread
    gc.collect()
    assert unraisable == []
    store.close()
