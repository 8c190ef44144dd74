"""Fixtures: real stores (embedded Oxigraph), the real reference data, the real bundled cases."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from sherloc_kg.access import Tokens
from sherloc_kg.config import DEFAULT_BASE, Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.reference import BUNDLED, install_reference
from sherloc_kg.store import open_store
from sherloc_kg.store.embedded import EmbeddedStore

from .browser import browser, browser_page, explorer_url  # noqa: F401  (once for the session: tests/browser.py)

REPO = Path(__file__).resolve().parents[1]
NQUADS = "application/n-quads"


#: The files the tests need from the project's shared fixtures, copied into the repository (so that
#: a bare clone runs its tests); their provenance and licences in its PROVENANCE.md.
SHARED = REPO / "tests" / "fixtures" / "shared"


def shared_sha256() -> dict[str, str]:
    """The SHA-256 digest of each shared original that ``data/`` ships a copy of, by its path in
    the shared folder (``fixtures/real/canada-justice-laws/...``): the copy is checked against it."""
    lines = (SHARED / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {path: digest for digest, path in (line.split(maxsplit=1) for line in lines if line)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The copies of the shared fixtures (:data:`SHARED`)."""
    return SHARED


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


def copy_of(store) -> EmbeddedStore:
    """A fresh in-memory store holding every quad of ``store`` (a session store's copy to write to)."""
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    fresh = EmbeddedStore(None)
    fresh.restore(io.BytesIO(buffer.getvalue()), media_type=NQUADS)
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


@pytest.fixture(scope="module")
def token_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A token file of the module's own, for the applications it serves with ``tokens``."""
    return tmp_path_factory.mktemp("tokens") / "tokens.json"


@pytest.fixture(scope="module")
def admin_token(token_file: Path) -> str:
    """An admin token in the module's ``token_file``."""
    return Tokens(token_file).create("admin", name="tests")
