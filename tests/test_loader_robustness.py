"""Property-based: every loader of our formats, fed malformed variants of a valid record, either
loads or refuses with one of our errors (never another exception), and a refusal leaves the store
exactly as it was. Also the export → restore round trip of every kind."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from sherloc_kg.config import Settings
from sherloc_kg.errors import SherlocError
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import NQUADS, snapshot
from .test_ingest import case
from .test_legislation import law
from .test_loaders_directory import GUIDE, STRATEGY, TREATY, authority, response

VALID = {
    "cases": case("TST-P-1", provisions=["tip/art/3/a"], defendants=[{"type": "person", "sex": "female"}]),
    "legislation": law(),
    "authorities": authority(),
    "treaties": TREATY,
    "strategies": STRATEGY,
    "guide": GUIDE,
    "review": response(measures=None),
}

#: CI runs a fixed, reproducible set of examples; SHERLOC_FUZZ=N explores N fresh random ones per kind.
EXAMPLES = int(os.environ.get("SHERLOC_FUZZ", "15"))
DERANDOMIZE = "SHERLOC_FUZZ" not in os.environ

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


@st.composite
def malformed(draw: st.DrawFn, kind: str) -> str:
    """One JSON line: the valid record with a field dropped, retyped, renamed or garbled."""
    record = json.loads(json.dumps(VALID[kind]))
    field = draw(st.sampled_from(sorted(record)))
    change = draw(st.sampled_from(["drop", "retype", "rename", "text", "line"]))
    if change == "drop":
        del record[field]
    elif change == "retype":
        record[field] = draw(json_values)
    elif change == "rename":
        record[field + draw(st.sampled_from(["s", "_", "X"]))] = record.pop(field)
    elif change == "text":
        record[field] = draw(st.text(max_size=40))
    else:
        line = json.dumps(record)
        cut = draw(st.integers(0, len(line)))
        return line[:cut] + draw(st.text(max_size=5))
    return json.dumps(record)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_the_valid_base_record_loads(kind: str, store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.jsonl"
    path.write_text(json.dumps(VALID[kind]) + "\n", encoding="utf-8")
    report = Ingest(store, settings).load(kind, [path])
    assert report.records_written == 1 and not report.violations


@pytest.mark.parametrize("kind", sorted(VALID))
def test_malformed_records_get_a_clear_error_and_change_nothing(kind: str, reference_dump: bytes, settings: Settings,
                                                                tmp_path: Path) -> None:
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    path = tmp_path / f"{kind}.jsonl"

    @hypothesis_settings(max_examples=EXAMPLES, derandomize=DERANDOMIZE, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(line=malformed(kind))
    def check(line: str) -> None:
        path.write_text(line + "\n", encoding="utf-8")
        before = snapshot(store)
        try:
            report = Ingest(store, settings).load(kind, [path])
        except SherlocError as error:
            assert str(error).strip()
            assert snapshot(store) == before
            if hasattr(error, "issues"):
                assert all(issue.location.file for issue in error.issues)
            return
        assert report.written and not report.violations

    check()


def test_export_then_restore_gives_the_same_graphs(loaded_store: EmbeddedStore) -> None:
    for media_type in ("application/n-quads", "application/trig"):
        dump = io.BytesIO()
        loaded_store.dump(dump, media_type=media_type)
        copy = EmbeddedStore(None)
        copy.restore(io.BytesIO(dump.getvalue()), media_type=media_type)
        assert snapshot(copy) == snapshot(loaded_store)
    iris = Iris()
    cases = str(iris.graph("cases"))
    turtle = io.BytesIO()
    loaded_store.dump(turtle, media_type="text/turtle", graphs=[cases])
    assert b"CourtCase" in turtle.getvalue()


# -- text that is not UTF-8 -------------------------------------------------------------------------
NOT_UTF8 = {  # kind → (file name, a valid first line, the second line with Latin-1 bytes in it)
    **{kind: (f"{kind}.jsonl", json.dumps(VALID[kind]), b'{"id": "caf\xe9"}') for kind in sorted(VALID)},
    "cases-csv": ("cases.csv", "id,title", b"TST-1,Proc\xe8s"),
    "participation": ("participation.csv", "instrument,country,signature_date",
                      b"untoc,FRA,2000-12-12\xa0"),
    "bibliography": ("bibliography.ris", "TY  - BOOK", b"TI  - Trait\xe9"),
}


@pytest.mark.parametrize("name", sorted(NOT_UTF8))
def test_a_file_that_is_not_utf8_is_refused_naming_its_line_and_changes_nothing(
        name: str, reference_dump: bytes, settings: Settings, tmp_path: Path) -> None:
    file_name, first, second = NOT_UTF8[name]
    kind = name.removesuffix("-csv")
    path = tmp_path / file_name
    path.write_bytes(first.encode("utf-8") + b"\n" + second + b"\n")
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    before = snapshot(store)
    with pytest.raises(SherlocError) as raised:
        Ingest(store, settings).load(kind, [path])
    message = str(raised.value) + "".join(str(i.location) + i.message for i in getattr(raised.value, "issues", []))
    assert f"{path}:2" in message and "not UTF-8" in message
    assert snapshot(store) == before
