"""The remote store's fallback for a named query its server answers wrongly (``Server.distrusts``:
the query's header says so): the query is never sent; the graphs the caller may read are copied
into an in-memory embedded store, whose engine answers it as the embedded backend does. At most
``SHERLOC_LOCAL_COPY_LIMIT`` quads are copied; over it, the query is refused saying why."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from ..errors import NotOnThisStore
from .contract import Dataset
from .embedded import EmbeddedStore
from .servers import Server

N_QUADS = "application/n-quads"


class CopySource(Protocol):
    """What the copy is made from: the remote store (:class:`.remote.RemoteStore`)."""

    server: Server
    #: Most quads copied into this process (SHERLOC_LOCAL_COPY_LIMIT).
    local_copy_limit: int

    def graph_sizes(self) -> dict[str, int]: ...

    def dump_chunks(self, graphs: Sequence[str], *, chunk_size: int = 10_000) -> Iterator[bytes]: ...


@contextmanager
def local_copy(source: CopySource, sparql: str, dataset: Dataset | None) -> Iterator[EmbeddedStore | None]:
    """For a named query the server is not trusted with (``Server.distrusts``): an in-memory
    embedded store holding a copy of the graphs the query may read, which answers it as the
    embedded store does; else None. Over ``local_copy_limit`` quads it is refused, saying why."""
    why = source.server.distrusts(sparql)
    if why is None:
        yield None
        return
    counts = source.graph_sizes()
    if dataset is None or dataset.default is None or dataset.named is None:
        graphs = sorted(counts)
    else:
        graphs = sorted({*dataset.default, *dataset.named} & counts.keys())
    size = sum(counts[g] for g in graphs)
    if size > source.local_copy_limit:
        raise NotOnThisStore(f"{why}; answering it here instead would copy {size:,} quads, over the "
                             f"{source.local_copy_limit:,} this process copies (SHERLOC_LOCAL_COPY_LIMIT)")
    local = EmbeddedStore(None)
    try:
        local.restore(io.BytesIO(b"".join(source.dump_chunks(graphs))), media_type=N_QUADS)
        yield local
    finally:
        local.close()
