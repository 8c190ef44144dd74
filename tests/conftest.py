"""Fixtures: real stores (embedded Oxigraph), the real reference data, the real bundled cases."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sherloc_kg.config import DEFAULT_BASE, Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.reference import BUNDLED, install_reference
from sherloc_kg.store import open_store
from sherloc_kg.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
NQUADS = "application/n-quads"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``shared/`` beside the repository, as the developers and CI have it."""
    path = REPO.parent / "shared"
    assert (path / "fixtures").is_dir(), f"shared/ not found beside the repository at {path}"
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(store="memory", base=DEFAULT_BASE, home=REPO)


@pytest.fixture(scope="session")
def reference_dump(settings: Settings) -> bytes:
    """The reference graphs (ontology, vocabularies, instruments, countries), built once."""
    store = EmbeddedStore(None)
    install_reference(store, settings)
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return buffer.getvalue()


@pytest.fixture
def store(reference_dump: bytes) -> EmbeddedStore:
    """A fresh in-memory store holding the reference graphs and no records."""
    fresh = EmbeddedStore(None)
    fresh.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    return fresh


@pytest.fixture(scope="session")
def loaded_store(reference_dump: bytes, settings: Settings) -> EmbeddedStore:
    """Reference graphs plus the bundled cases, loaded once through the pipeline. Read only."""
    fresh = EmbeddedStore(None)
    fresh.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    ingest = Ingest(fresh, settings)
    for kind, relative in BUNDLED:
        ingest.load(kind, [settings.data_dir / relative])
    return fresh


def snapshot(store: EmbeddedStore) -> set[str]:
    """Every quad of the store as a line of N-Quads: two equal snapshots mean equal stores."""
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return set(buffer.getvalue().decode().splitlines())


@pytest.fixture(scope="session")
def explorer_store(settings: Settings) -> EmbeddedStore:
    """Everything the explorer shows: the reference graphs with the fictional States, the bundled
    cases and every illustrative example (laws, authorities with restricted contacts, guide sections,
    review answers, participation). Read only."""
    fresh = open_store(settings)  # in memory, with the public mirror, as `serve` has it
    fill_explorer_store(fresh, settings)
    return fresh


def fill_explorer_store(store, settings: Settings) -> None:
    """Load what :func:`explorer_store` holds into ``store`` (any backend)."""
    from sherloc_kg.reference import load_examples

    install_reference(store, settings, with_examples=True)
    ingest = Ingest(store, settings)
    for kind, relative in BUNDLED:
        ingest.load(kind, [settings.data_dir / relative])
    load_examples(store, settings)


@pytest.fixture(scope="session")
def explorer(settings: Settings, explorer_store: EmbeddedStore):
    """The application over :func:`explorer_store`, served by uvicorn on a free loopback port: its URL."""
    from sherloc_kg.api.app import create_app

    from .servers import serving

    with serving(create_app(settings, store=explorer_store)) as url:
        yield url
