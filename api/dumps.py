"""The public dumps as files, made once per state of the store (issue 19, items 4 and 6).

A harvester is told each dump's size and SHA-256 in the dataset description (api/dcat.py) before it
downloads it, and is then sent exactly those bytes, with ``Content-Length`` and the SHA-256 as a
strong ETag. So the dumps of the public graphs are written to files the first time a state of the
store is asked for (the description or a dump), and served from them until the store changes:

- ``{name}.nq``: one public graph as N-Quads; ``{name}.ttl``: the same graph as Turtle (the
  engine's serialisers, read through ``Store.read_graph``, never held in memory whole);
- ``dump.nq.gz``: every public graph, gzip-compressed N-Quads: the graphs' N-Quads one after the
  other in the order of their IRIs (the gzip header carries no time, so the same data give the same
  bytes).

The state is the public store's last change and the number of changes recorded (api/caching.py,
``StoreState.key``): a load, a reference install, a review version made or published. While it is unknown (after a write that runs
no inference rule), the files are made again for every request rather than trusted. Each process
keeps its files in a temporary folder of its own, removed when it exits; a new state's files replace
the previous ones, and the state before that is removed (a download that opened a file keeps reading
it).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import uuid
import weakref
import zlib
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from sherloc_kg.access import PUBLIC
from sherloc_kg.iris import Iris
from sherloc_kg.store import Store

#: Bytes read at a time when a graph's N-Triples become N-Quads, and when a file is sent.
BLOCK = 1 << 20
NQUADS, TURTLE, NTRIPLES, GZIP = "application/n-quads", "text/turtle", "application/n-triples", "application/gzip"
#: The file of every public graph, gzip-compressed N-Quads.
WHOLE = "dump.nq.gz"


@dataclass(frozen=True)
class DumpFile:
    """One dump: its name (``cases.nq``, ``dump.nq.gz``), the graph it holds (None: every public
    graph), its syntax, where it is, its size in bytes and the SHA-256 of its bytes (hex)."""

    name: str
    graph: str | None
    media_type: str
    path: Path
    size: int
    sha256: str

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'


class _Hashing:
    """A file being written, counting and hashing what goes in."""

    def __init__(self, path: Path) -> None:
        self.path, self.handle = path, path.open("wb")
        self.hash, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()

    def close(self, name: str, graph: str | None, media_type: str) -> DumpFile:
        self.handle.close()
        return DumpFile(name, graph, media_type, self.path, self.size, self.hash.hexdigest())


def public_graphs_held(store: Store, iris: Iris) -> list[str]:
    """The public graphs the store holds, in the order of their IRIs."""
    return sorted(PUBLIC.graphs_among(iris, sorted(store.graphs())))


def make(store: Store, iris: Iris, folder: Path) -> dict[str, DumpFile]:
    """Write every dump of the public graphs into ``folder`` (see the module docstring)."""
    files: dict[str, DumpFile] = {}
    whole = _Hashing(folder / WHOLE)
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: a gzip member, its header without a time
    for graph in public_graphs_held(store, iris):
        name = iris.graph_name(graph) or "graph"
        triples = folder / f"{name}.nt"
        with triples.open("wb") as output:
            store.read_graph(graph, output, media_type=NTRIPLES)
        quads = _Hashing(folder / f"{name}.nq")
        suffix = f" <{graph}> .\n".encode()
        with triples.open("rb") as source:
            for block in _lines(source):
                data = _as_quads(block, suffix, graph)
                quads.write(data)
                whole.write(compressor.compress(data))
        triples.unlink()
        files[f"{name}.nq"] = quads.close(f"{name}.nq", graph, NQUADS)
        turtle = _Hashing(folder / f"{name}.ttl")
        store.read_graph(graph, turtle, media_type=TURTLE)  # type: ignore[arg-type]
        files[f"{name}.ttl"] = turtle.close(f"{name}.ttl", graph, TURTLE)
    whole.write(compressor.flush())
    files[WHOLE] = whole.close(WHOLE, None, GZIP)
    return files


def _as_quads(block: bytes, suffix: bytes, graph: str) -> bytes:
    """Lines of N-Triples as N-Quads in ``graph``. The engine ends each line " .\\n" (a line break
    inside a literal is written \\n), so the graph goes before that end; lines written otherwise (a
    remote server's own N-Triples) are parsed and written again."""
    if block.count(b"\n") == block.count(b" .\n"):
        return block.replace(b" .\n", suffix)
    name = ox.NamedNode(graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in ox.parse(block, ox.RdfFormat.N_TRIPLES)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _lines(source: BinaryIO) -> Iterator[bytes]:
    """``source`` in blocks of whole lines."""
    rest = b""
    while block := source.read(BLOCK):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        rest = block[cut:]
        if cut:
            yield block[:cut]
    if rest:
        yield rest


def chunks(path: Path) -> Iterator[bytes]:
    """A dump file in pieces, opened when the first piece is asked for (a HEAD, or a 304, may ask
    for none) and closed at the end or when the response stops reading."""
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            yield block


class Dumps:
    """The dumps of one application (see the module docstring)."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="sherloc-dumps-"))
        # removed when the application goes (or the process exits), without a ResourceWarning
        weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        self._lock = threading.Lock()
        self._current: tuple[Hashable, dict[str, DumpFile]] | None = None
        self._made: list[Path] = []

    def files(self, store: Store, iris: Iris, state: Hashable | None) -> dict[str, DumpFile]:
        """The dumps of the public graphs as the store holds them in ``state`` (``StoreState.key``;
        None: unknown, made again)."""
        with self._lock:
            if state is not None and self._current is not None and self._current[0] == state:
                return self._current[1]
            folder = self._folder / uuid.uuid4().hex
            folder.mkdir()
            try:
                files = make(store, iris, folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._made.append(folder)
            while len(self._made) > 2:  # this state's and the previous one's, which a download may be reading
                shutil.rmtree(self._made.pop(0), ignore_errors=True)
            self._current = (state, files) if state is not None else None
            return files


_CREATING = threading.Lock()


def dumps_of(state: object) -> Dumps:
    """The :class:`Dumps` of an application (its ``app.state``), made at first use."""
    with _CREATING:
        found = getattr(state, "sherloc_dumps", None)
        if found is None:
            found = Dumps()
            state.sherloc_dumps = found  # type: ignore[attr-defined]
        return found


__all__ = ["DumpFile", "Dumps", "GZIP", "NQUADS", "TURTLE", "WHOLE", "chunks", "dumps_of", "make", "public_graphs_held"]
