"""``sherloc-kg migrate``: embedded store → a real ``oxigraph serve`` → embedded store, streamed in
pieces, with the count check; and the end-to-end pipeline on a remote store."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.reference import BUNDLED
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.remote import RemoteStore

from .backends import empty, oxigraph_settings, virtuoso_settings  # noqa: F401  (fixtures)
from .conftest import NQUADS, snapshot

EXE = str(Path(sys.executable).parent / "sherloc-kg")


def sherloc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=600, env=env)


def test_migrate_embedded_to_oxigraph_server_and_back(tmp_path: Path, loaded_store: EmbeddedStore,
                                                      oxigraph_settings: Settings) -> None:
    with RemoteStore(oxigraph_settings) as remote:
        empty(remote)
        source = EmbeddedStore(tmp_path / "source")
        buffer = io.BytesIO()
        loaded_store.dump(buffer, media_type=NQUADS)
        source.restore(io.BytesIO(buffer.getvalue()), media_type=NQUADS)
        expected = snapshot(source)
        source.close()

        there = sherloc("migrate", "--from", str(tmp_path / "source"), "--to", oxigraph_settings.store,
                        "--chunk-size", "1000")
        assert there.returncode == 0, there.stderr
        assert "counts checked" in there.stdout
        assert snapshot(remote) == expected

        again = sherloc("migrate", "--from", str(tmp_path / "source"), "--to", oxigraph_settings.store)
        assert again.returncode == 2 and "--replace" in again.stderr

        back = sherloc("migrate", "--from", oxigraph_settings.store, "--to", str(tmp_path / "back"), "--chunk-size", "777")
        assert back.returncode == 0, back.stderr
        copy = EmbeddedStore(tmp_path / "back")
        try:
            assert snapshot(copy) == expected
        finally:
            copy.close()


def test_migrate_from_a_server_that_is_down_names_it(tmp_path: Path) -> None:
    from .servers import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    done = sherloc("migrate", "--from", url, "--to", str(tmp_path / "x"))
    assert done.returncode == 1
    assert f"cannot reach the SPARQL server at {url}" in done.stderr


@pytest.mark.parametrize("server", ["oxigraph", "virtuoso"])
def test_the_pipeline_writes_the_same_quads_on_a_server(server: str, request: pytest.FixtureRequest,
                                                       reference_dump: bytes, settings: Settings) -> None:
    """Ingest(remote).load('cases', ...) leaves the same N-Quads as on the embedded store (the
    provenance graph aside: it names the load's own time and id)."""
    with RemoteStore(request.getfixturevalue(f"{server}_settings")) as remote:
        empty(remote)
        local = EmbeddedStore(None)
        for store in (local, remote):
            store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
        cases = [settings.data_dir / relative for kind, relative in BUNDLED if kind == "cases"]
        for store in (local, remote):
            report = Ingest(store, settings).load("cases", cases)
            assert report.written
            Ingest(store, settings).load("cases", cases)  # idempotent reload
        # not the provenance graph nor the change feed's version logs: both carry the time of each load
        graphs = [g for g in local.graphs() if not g.endswith("/provenance") and not Iris(settings.base).logged_graph(g)]
        def quads(store):
            out = io.BytesIO()
            store.dump(out, media_type=NQUADS, graphs=graphs)
            return set(out.getvalue().decode().splitlines())
        if server == "oxigraph":
            assert quads(remote) == quads(local)
        else:  # Virtuoso normalises literals (language tags, decimals...): compare graph by graph sizes
            assert {g: remote.count(g) for g in graphs} == {g: local.count(g) for g in graphs}
