"""The store contract and its backends.

``open_store(settings)`` is the one way to get a store: a directory means the embedded on-disk
Oxigraph, ``memory`` an embedded in-memory one, an http(s) URL the remote SPARQL 1.1 backend
(``SHERLOC_STORE_UPDATE``, ``SHERLOC_STORE_GSP``, ``SHERLOC_STORE_USER`` and
``SHERLOC_STORE_PASSWORD`` complete its configuration; see ``remote.py`` and ``servers.py``).

Callers ask a store what it can do (``local_store(store)``: a :class:`LocalStore` on disk, or
None), never its class; the update operations both backends write are in ``writes.py``.
"""

from __future__ import annotations

from ..config import Settings
from ..errors import UsageError
from .contract import Dataset, LocalStore, RecordWrite, SelectResult, Store, TermValue, local_store

__all__ = ["Dataset", "LocalStore", "RecordWrite", "SelectResult", "Store", "TermValue", "local_store", "open_store"]


def open_store(settings: Settings) -> Store:
    location = settings.store
    if location.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore(settings)
    if location.startswith(("ftp://", "sparql://", "file://")):
        raise UsageError(f"--store {location}: give a directory, 'memory' or an http(s) SPARQL endpoint URL")
    from ..access import mirror_private_graphs
    from ..iris import Iris
    from .embedded import EmbeddedStore

    # access.py says which graphs the public mirror leaves out: the public's queries run on it.
    return EmbeddedStore(None if location == "memory" else location,
                         private_graphs=mirror_private_graphs(Iris(settings.base)))
