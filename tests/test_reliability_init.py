"""Issue 20, item 5: ``init`` without ``--with-examples`` takes out the example records an earlier
``init --with-examples`` loaded. They are invented records about the fictional States XAA, XAB
and XAC; ``init`` drops those States from the countries graph, so records left behind would name
States that are no longer known (dangling, and invalid under the shapes)."""

from __future__ import annotations

from pathlib import Path

from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .test_cli import sherloc

FICTIONAL = ("XAA", "XAB", "XAC")


def _mentions(store: Path, settings: Settings) -> dict[str, int]:
    """Per graph, how many triples name a fictional State or an example record (IRIs under a
    fictional State's segment)."""
    iris = Iris(settings.base)
    states = " ".join(f"<{iris.country(code)}>" for code in FICTIONAL)
    opened = EmbeddedStore(store)
    try:
        rows = opened.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?state {{ {states} }} "
                             "GRAPH ?g { ?s ?p ?state } } GROUP BY ?g", dataset=Dataset(default=None)).rows
    finally:
        opened.close()
    return {str(r["g"]): int(r["n"]) for r in rows}


def test_init_without_examples_removes_those_an_earlier_init_loaded(tmp_path: Path, settings: Settings) -> None:
    store = tmp_path / "store"
    sherloc(store, "init", "--no-data", "--with-examples")
    before = _mentions(store, settings)
    assert sum(before.values()) >= 15, before  # the examples are there, in several graphs
    assert len(before) > 3, before
    done = sherloc(store, "init", "--no-data")
    assert "removed the" in done.stdout and "example records" in done.stdout, done.stdout
    assert _mentions(store, settings) == {}
    # Nothing is left to remove the next time, and it is said only when something was removed.
    again = sherloc(store, "init", "--no-data")
    assert "example records" not in again.stdout
    # The examples load again as before.
    sherloc(store, "init", "--no-data", "--with-examples")
    assert _mentions(store, settings) == before
