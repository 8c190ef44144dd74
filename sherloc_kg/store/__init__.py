"""The store contract and its backends.

``open_store(settings)`` is the one way to get a store: a directory means the embedded on-disk
Oxigraph, ``memory`` an embedded in-memory one, an http(s) URL the remote SPARQL 1.1 backend.
"""

from __future__ import annotations

from ..config import Settings
from ..errors import UsageError
from .contract import Dataset, RecordWrite, SelectResult, Store, TermValue

__all__ = ["Dataset", "RecordWrite", "SelectResult", "Store", "TermValue", "open_store"]


def open_store(settings: Settings) -> Store:
    location = settings.store
    if location.startswith(("http://", "https://")):
        raise UsageError(
            f"--store {location}: the remote SPARQL 1.1 backend is not part of this version; "
            "use a directory or 'memory'"
        )
    from .embedded import EmbeddedStore

    return EmbeddedStore(None if location == "memory" else location)
