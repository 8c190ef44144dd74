"""The embedded backend: pyoxigraph's RocksDB store on disk, or in memory for tests.

Every write is one SPARQL Update request, which Oxigraph applies as one transaction: either all of
it is visible afterwards or none of it (a ``kill -9`` in the middle leaves the previous state).

The public mirror
-----------------
Oxigraph answers a query over the union of all graphs several times faster than over an explicit
list of graphs (measured at 100k triples: 10-20x; ``benchmarks/results/mirror.md``). A public
caller may not see the private (restricted) graphs, so its queries would always take the slow
list. Given ``private_graphs`` (which ones, sherloc_kg/access.py says: ``mirror_private_graphs``),
the store keeps a second Oxigraph store beside the first (on disk: the ``public/`` folder inside
the store's directory) holding every graph except those and the graphs below them
(``{private}/...``: the per-State restricted graphs, ``review-restricted/XAA``, are private because
``review-restricted`` is), and a query
whose dataset names no private graph and covers every graph the mirror holds runs there, over the
union. Every write is repeated on the mirror in the same form, followed in the same update request
by dropping the private graphs (those named, and every graph below one that the main store holds
or the update names), so a private triple is never visible in it even for an instant;
a SPARQL Update from outside (which might read a private graph to write a public one) and a
restore rebuild the mirror from the main store instead. While the mirror is behind (a write in
progress, a rebuild, a crash in between), the file ``public.stale`` in the store's directory says
so: readers then use the main store, and opening the store rebuilds the mirror.
"""

from __future__ import annotations

import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyoxigraph as ox

from ..errors import QueryError, StoreError, UsageError
from .contract import Dataset, RdfDocument, RecordWrite, SelectResult, TermValue, check_write
from .bindings import with_bindings
from .terms import select_result
from .writes import graph_operations, hoist_prologues, parse_document, record_operations


def _graph_node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


#: Words only an update that reads data contains (see EmbeddedStore.update).
_READS = re.compile(r"\b(?:WHERE|USING|COPY|MOVE|ADD|LOAD)\b", re.IGNORECASE)

#: Inside an on-disk store's directory: the public mirror, and the mark that it is behind.
MIRROR_FOLDER = "public"
STALE_MARK = "public.stale"
#: Present while a dump is bulk-loaded into an empty store (see :meth:`EmbeddedStore.restore`).
RESTORE_MARK = "restore.incomplete"
_LOG = logging.getLogger(__name__)


def _covers(store: ox.Store, dataset: Dataset) -> bool:
    """Whether ``dataset`` reaches every graph of ``store`` that holds data, as both the default
    graph and the named graphs: then it is the same as the union default graph. The store's own
    default graph must be empty, since the union includes it."""
    if dataset.default is None and dataset.named is None:
        return True
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return False
    present = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    return all(graphs is None or present <= set(graphs) for graphs in (dataset.default, dataset.named))


class EmbeddedStore:
    """A :class:`~.contract.LocalStore`: ``location`` is its directory, or ``memory``."""

    def __init__(self, path: str | Path | None, *, private_graphs: Iterable[str] = ()) -> None:
        try:
            if path is not None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as error:
            hint = " (is another sherloc-kg process, e.g. the server, using it?)" if "lock" in str(error).lower() else ""
            raise StoreError(f"cannot open the store at {path}: {error}{hint}") from error
        self._attach(store, str(path) if path is not None else "memory", frozenset(private_graphs))
        self._undo_interrupted_restore()
        if self.private_graphs:
            self._open_mirror(path)

    def _attach(self, store: ox.Store, location: str, private_graphs: frozenset[str],
                mirror: ox.Store | None = None, mirror_current: bool = False) -> None:
        """Set what every verb reads: the engine's store, where it is, the private graphs, and the
        public mirror (``None``: none, or not opened yet) with whether it is current."""
        self._store = store
        self.location = location
        self.private_graphs = private_graphs
        self._mirror = mirror
        self._mirror_current = mirror_current

    @property
    def on_disk(self) -> bool:
        return self.location != "memory"

    #: Oxigraph groups a UNION as SPARQL says.
    groups_unions = True

    def refusal(self, sparql: str) -> str | None:
        """Oxigraph answers every named query (tests/test_backend_answers.py)."""
        return None

    # -- the public mirror (see the module docstring) -------------------------------------------
    def _open_mirror(self, path: str | Path | None) -> None:
        if path is None:
            self._mirror, self._mirror_current = ox.Store(), True
            if len(self._store):
                self._rebuild_mirror()
            return
        folder = Path(path) / MIRROR_FOLDER
        new = not folder.exists()
        try:
            self._mirror = ox.Store(str(folder))
        except OSError as error:
            raise StoreError(f"cannot open the public mirror at {folder}: {error}") from error
        if new or (Path(path) / STALE_MARK).exists():
            self._rebuild_mirror()
        else:
            self._mirror_current = True

    def _stale_mark(self) -> Path | None:
        return None if self.location == "memory" else Path(self.location) / STALE_MARK

    def _mark_stale(self) -> None:
        self._mirror_current = False
        mark = self._stale_mark()
        if mark is not None:
            mark.touch()

    def _mark_current(self) -> None:
        mark = self._stale_mark()
        if mark is not None:
            assert self._mirror is not None  # marked only where there is a mirror
            self._mirror.flush()
            mark.unlink(missing_ok=True)
        self._mirror_current = True

    def is_private(self, graph: str) -> bool:
        """Whether ``graph`` is private: one of ``private_graphs``, or a graph below one
        (``{base}graph/review-restricted/XAA`` below ``{base}graph/review-restricted``)."""
        return graph in self.private_graphs or any(graph.startswith(p + "/") for p in self.private_graphs)

    def _private_present(self, update: str = "") -> list[str]:
        """Every private graph to drop from the mirror after ``update``: those named, those below
        them that the main store holds, and those below them that ``update`` names."""
        present = {g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}
        if update:  # a graph the update creates below a private one, whatever the main store says
            below = "|".join(re.escape(p + "/") for p in sorted(self.private_graphs))
            present |= set(re.findall(f"<((?:{below})[^<>\\s]*)>", update))
        return sorted(self.private_graphs | {g for g in present if self.is_private(g)})

    def _rebuild_mirror(self) -> None:
        """Make the mirror a copy of every graph of the main store except the private ones."""
        assert self._mirror is not None
        self._mark_stale()
        private = {ox.NamedNode(g) for g in self._private_present()}
        # Marked stale, no reader uses the mirror meanwhile, so the bulk loader (faster, and
        # compact on disk, but not one transaction) is safe here.
        self._mirror.clear()
        self._mirror.bulk_extend(q for q in self._store if q.graph_name not in private)
        self._mark_current()

    def _uses_mirror(self, dataset: Dataset | None) -> bool:
        """Whether a query over ``dataset`` may run on the mirror: the dataset names graphs (both
        lists) and none of them is private."""
        return (self._mirror is not None and self._mirror_current and dataset is not None
                and dataset.default is not None and dataset.named is not None
                and not any(self.is_private(g) for g in dataset.default)
                and not any(self.is_private(g) for g in dataset.named))

    def _written(self, update: str) -> None:
        """Apply ``update`` to the main store and then, with the private graphs dropped in the same
        request, to the mirror. Only for updates that read nothing outside the graphs they write
        and the public ones (the pipeline's writes and rules, Graph Store loads)."""
        if self._mirror is None:
            self._update(self._store, update)
            return
        self._mark_stale()
        try:
            self._update(self._store, update)
        except BaseException:
            self._mark_current()  # refused whole: neither store changed
            raise
        drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in self._private_present(update))
        try:
            self._update(self._mirror, f"{update} ;\n{drops}")
        except (QueryError, StoreError):  # the write itself succeeded: make the mirror whole again
            self._rebuild_mirror()
            return
        self._mark_current()

    # -- reading ------------------------------------------------------------------------------
    def _run(self, sparql: str, bindings: Mapping[str, TermValue] | None, dataset: Dataset | None):
        # Bound as terms written into the text, not as pyoxigraph substitutions, which the planner
        # does not see (store/bindings.py).
        sparql = with_bindings(sparql, bindings)
        if dataset is not None:
            # The union shortcut is decided before the query takes its snapshot; a graph the
            # dataset does not cover could appear in between. Checked again once the snapshot is
            # taken: if one did, the query runs again over the explicit graph lists.
            mirror = self._mirror if self._uses_mirror(dataset) else None
            for store in ([mirror] if mirror is not None else []) + [self._store]:
                if _covers(store, dataset):
                    results = self._query(sparql, store=store, use_default_graph_as_union=True)
                    if _covers(store, dataset):
                        return results
        options: dict[str, Any] = {}  # pyoxigraph's Store.query keyword arguments
        if dataset is None or dataset.default is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = [ox.NamedNode(g) for g in dataset.default]
        if dataset is not None and dataset.named is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
        return self._query(sparql, **options)

    def _query(self, sparql: str, store: ox.Store | None = None, **options: Any):
        try:
            return (store or self._store).query(sparql, **options)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from error
        except (OSError, RuntimeError) as error:  # the engine's storage errors (pyoxigraph: OSError, RuntimeError)
            raise StoreError(f"the store failed to run the query: {error}") from error

    def _covers_store(self, dataset: Dataset) -> bool:
        """Whether ``dataset`` is the same as the union of the main store (measured: the union is
        several times faster than the list, e.g. 29 ms against 175 ms on the bundled data on disk)."""
        return _covers(self._store, dataset)

    def select(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
               dataset: Dataset | None = None) -> SelectResult:
        return select_result(self._run(sparql, bindings, dataset))

    def ask(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
            dataset: Dataset | None = None) -> bool:
        results = self._run(sparql, bindings, dataset)
        if not isinstance(results, ox.QueryBoolean):
            raise UsageError("expected an ASK query")
        return bool(results)

    def query_serialized(self, sparql: str, output: BinaryIO, *, media_type: str,
                         bindings: Mapping[str, TermValue] | None = None,
                         dataset: Dataset | None = None) -> None:
        results = self._run(sparql, bindings, dataset)
        fmt: ox.RdfFormat | ox.QueryResultsFormat | None
        if isinstance(results, ox.QueryTriples):
            fmt = ox.RdfFormat.from_media_type(media_type)
        else:
            fmt = ox.QueryResultsFormat.from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no serialiser for {media_type} for this kind of query")
        results.serialize(output, fmt)

    # -- writing ------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        """Any SPARQL Update. One that may read (``WHERE``, ``USING``, ``COPY``, ``MOVE``, ``ADD``,
        ``LOAD`` anywhere in its text, even inside a literal: the check errs towards rebuilding)
        might read a private graph to write a public one, so the mirror is rebuilt from the main
        store afterwards; any other (``INSERT DATA``, ``DELETE DATA``, ``DROP``, ``CLEAR``,
        ``CREATE``) is replayed on it as the pipeline's writes are."""
        if self._mirror is None:
            self._update(self._store, sparql)
            return
        if not _READS.search(sparql):
            self._written(sparql)
            return
        self._mark_stale()
        try:
            self._update(self._store, sparql)
        except BaseException:
            self._mark_current()  # refused whole: neither store changed
            raise
        self._rebuild_mirror()

    @staticmethod
    def _update(store: ox.Store, sparql: str) -> None:
        try:
            store.update(sparql)
        except SyntaxError as error:
            raise QueryError(f"SPARQL update syntax error: {error}") from error
        except OSError as error:
            raise StoreError(f"the store refused the update: {error}") from error

    def write(self, writes: Sequence[RecordWrite], *, replace_graphs: Iterable[str] = (),
              before: Sequence[str] = (), then: Sequence[str] = ()) -> None:
        replace_graphs = list(replace_graphs)
        check_write(before, replace_graphs)
        operations = [*before, *record_operations(writes, replace_graphs, insert_chunk=None)]
        prologue, rules = hoist_prologues(then)
        operations.extend(rules)
        if operations:
            self._written("\n".join(prologue) + "\n" + " ;\n".join(operations))

    def restore(self, source: BinaryIO, *, media_type: str) -> None:
        """Add a dump (N-Quads or TriG) to the store, all of it or nothing.

        Into an empty store, from a source that can be read twice, the dump goes in through
        Oxigraph's bulk loader (on disk 3-4x faster than its transactional ``load``, which every
        other case uses): into the main store, then once more into the public mirror, whose private
        graphs are then dropped (instead of copying the main store quad by quad through Python).
        The bulk loader is not one transaction, so the file ``restore.incomplete`` in the store's
        directory marks the load: a dump that does not parse, or an error, empties the store again
        at once, and a crash leaves the mark, so that the next open empties it (the state before
        the restore) instead of serving part of a dump.

        Into a store that holds quads already (``migrate`` restores a store piece by piece), the
        dump goes into the main store in one transaction, then, read once more, into the mirror
        without its private quads: the cost of the piece, not of the whole store
        (benchmarks/restore_pieces.py). A source that cannot be read twice has the mirror rebuilt."""
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no RDF parser for {media_type}")
        if source.seekable() and next(iter(self._store), None) is None:
            self._bulk_restore(source, fmt)
            return
        if self._mirror is None:
            self._load(source, fmt)
            return
        self._mark_stale()
        start = source.tell() if source.seekable() else None
        try:
            self._load(source, fmt)
        except BaseException:
            self._mark_current()  # refused whole: neither store changed
            raise
        if start is None:  # read once only: copy the store again
            self._rebuild_mirror()
            return
        # The same dump, read once more, into the mirror without its private graphs: the cost of
        # the dump, not of the whole store (``migrate`` restores a store piece by piece).
        source.seek(start)
        try:
            self._mirror.extend(q for q in ox.parse(source, fmt) if not self._private_quad(q))
        except BaseException:
            self._rebuild_mirror()
            raise
        self._mark_current()

    def _load(self, source: BinaryIO, fmt: ox.RdfFormat) -> None:
        """The dump into the main store, in one transaction."""
        try:
            self._store.load(source, fmt)
        except SyntaxError as error:
            raise QueryError(f"the dump does not parse: {error}") from error

    def _private_quad(self, quad: ox.Quad) -> bool:
        return isinstance(quad.graph_name, ox.NamedNode) and self.is_private(quad.graph_name.value)

    def _restore_mark(self) -> Path | None:
        return None if self.location == "memory" else Path(self.location) / RESTORE_MARK

    def _undo_interrupted_restore(self) -> None:
        mark = self._restore_mark()
        if mark is None or not mark.exists():
            return
        _LOG.warning("%s: a restore into this empty store was interrupted; emptying it again", self.location)
        self._store.clear()
        self._store.flush()
        (Path(self.location) / STALE_MARK).touch()  # the mirror is rebuilt (emptied) as the store opens
        mark.unlink()

    def _bulk_restore(self, source: BinaryIO, fmt: ox.RdfFormat) -> None:
        """:meth:`restore` into an empty store (see there)."""
        mark = self._restore_mark()
        if mark is not None:
            mark.touch()
        if self._mirror is not None:
            self._mark_stale()
        start = source.tell()
        try:
            if self._mirror is None:
                self._store.bulk_load(source, fmt)
            else:
                self._mirror.clear()
                self._bulk_load_both(source, start, fmt)
                drops = self._private_present()
                if drops:
                    self._mirror.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in drops))
            if mark is not None:
                self._store.flush()
        except BaseException as error:
            self._store.clear()
            if self._mirror is not None:
                self._mirror.clear()
                self._mark_current()
            if mark is not None:
                self._store.flush()
                mark.unlink(missing_ok=True)
            if isinstance(error, SyntaxError):
                raise QueryError(f"the dump does not parse: {error}") from error
            raise
        if mark is not None:
            mark.unlink()
        if self._mirror is not None:
            self._mark_current()

    def _bulk_load_both(self, source: BinaryIO, start: int, fmt: ox.RdfFormat) -> None:
        """The dump into the main store and the mirror: at once, each from its own reading of the
        file, when ``source`` is a whole file on disk (the bulk loader lets go of the GIL: 1.4x
        faster on two cores than one after the other); else one after the other."""
        assert self._mirror is not None
        name = getattr(source, "name", None)
        if not (isinstance(name, str) and start == 0 and Path(name).is_file()):
            self._store.bulk_load(source, fmt)
            source.seek(start)
            self._mirror.bulk_load(source, fmt)
            return
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bulk-restore") as pool:
            done = [pool.submit(store.bulk_load, path=name, format=fmt) for store in (self._store, self._mirror)]
            for future in done:
                future.result()

    def dump(self, output: BinaryIO, *, media_type: str, graphs: Sequence[str] | None = None) -> None:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no RDF serialiser for {media_type}")
        if not fmt.supports_datasets:
            if graphs is None or len(graphs) != 1:
                raise UsageError(f"{fmt.name} holds one graph: name exactly one graph, or use TriG or N-Quads")
            self._store.dump(output, fmt, from_graph=ox.NamedNode(graphs[0]))
            return
        if graphs is None:
            self._store.dump(output, fmt)
            return
        wanted = {ox.NamedNode(g) for g in graphs}
        quads = (q for q in self._store if q.graph_name in wanted)
        ox.serialize(quads, output, fmt)

    def dump_chunks(self, graphs: Sequence[str], *, chunk_size: int = 10_000) -> Iterator[bytes]:
        """N-Quads of ``graphs`` in pieces; one iterator over the store, hence one snapshot."""
        wanted = {ox.NamedNode(g) for g in graphs}
        if not wanted:
            return
        quads = (q for q in self._store if q.graph_name in wanted) if len(wanted) > 1 else \
            self._store.quads_for_pattern(None, None, None, next(iter(wanted)))
        while True:
            chunk = list(islice(quads, chunk_size))
            if not chunk:
                return
            data = ox.serialize(chunk, format=ox.RdfFormat.N_QUADS)
            assert data is not None  # bytes when no output is given (the stub's type is bytes | None)
            yield data

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        row = self.select(query, dataset=Dataset(default=[graph], named=[])).rows[0]
        return int(row["n"])

    def graph_exists(self, graph: str | None) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, _graph_node(graph))), None) is not None

    def read_graph(self, graph: str | None, output: BinaryIO, *, media_type: str) -> None:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no RDF serialiser for {media_type}")
        self._store.dump(output, fmt, from_graph=_graph_node(graph))

    def load_graph(self, graph: str | None, documents: Sequence[RdfDocument], *,
                   replace: bool = False) -> int:
        # Parse everything first, then write with one update request: one transaction, so a reader
        # sees the graph before or after, never half-replaced, and a bad document writes nothing.
        triples = [t for document in documents for t in parse_document(document)]
        _graph_node(graph)  # refuses a graph name that is not an IRI before anything is written
        operations = graph_operations(graph, triples, replace=replace)
        if operations:
            self._written(" ;\n".join(operations))
        return len(triples)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def optimize(self) -> None:
        """Compact the on-disk store and its public mirror (RocksDB's full compaction, which
        pyoxigraph advises after a batch load). Measured on 1M triples loaded through the pipeline
        (``sherloc-kg load``): 2.8 s for each of the two, a third less disk, and the headline
        queries 1.2-1.36 times faster afterwards. Nothing to do in memory."""
        try:
            self._store.optimize()
            if self._mirror is not None:
                self._mirror.optimize()
        except OSError as error:
            raise StoreError(f"the store failed to compact: {error}") from error

    def close(self) -> None:
        self._store.flush()
        del self._store
        if self._mirror is not None:
            self._mirror.flush()
            self._mirror = None


#: How many times a read-only view is opened, or opened afresh and read again, when the store's
#: files changed under it: see :func:`retry_vanished`.
READ_ATTEMPTS = 5
#: The files of a RocksDB directory that the writer deletes once it no longer needs them (merged
#: tables, old logs and manifests). CURRENT is never deleted: without it there is no store.
_DELETED_FILE = re.compile(r"\b(?:\d+\.(?:sst|log|blob)|MANIFEST-\d+|OPTIONS-\d+)\b")

Result = TypeVar("Result")


def vanished_file(error: BaseException) -> bool:
    """Whether ``error`` (or one it was raised from) is the engine saying that a file of the store
    it had to read is gone (``Corruption: IO error: No such file or directory: ... 000240.sst``,
    as pyoxigraph's OSError or RuntimeError, or the StoreError that wraps one). A read-only view
    sees the files of the moment it was opened, and the writer beside it (the server) deletes
    the files its background compaction merged, so a view, or an open in the middle of one, can
    miss a file: never the caller's fault, and a fresh view sees the files that replaced it."""
    seen: BaseException | None = error
    while seen is not None:
        text = str(seen)
        if isinstance(seen, (OSError, RuntimeError, StoreError)) and "No such file or directory" in text \
                and _DELETED_FILE.search(text):
            return True
        seen = seen.__cause__
    return False


def retry_vanished(attempt: Callable[[], Result], reopen: Callable[[], None] | None = None) -> Result:
    """``attempt()``; while it fails because a file vanished (:func:`vanished_file`), ``reopen()``
    (if given: fresh read-only views) and ``attempt()`` again, a little later each time, up to
    READ_ATTEMPTS attempts in all (measured, issue 20: 28 of 300 write/read cycles on a fresh
    store lost a file once; none lost one twice). A reopen that loses a file counts as an attempt.
    Any other error, and the last one, is raised as it came."""
    for tried in range(1, READ_ATTEMPTS + 1):
        try:
            if tried > 1 and reopen is not None:
                reopen()
            return attempt()
        except Exception as error:  # noqa: BLE001 - only a vanished file is retried; the rest re-raised
            if tried == READ_ATTEMPTS or not vanished_file(error):
                raise
        time.sleep(0.01 * tried)
    raise AssertionError("unreachable")


class ReadOnlyStore(EmbeddedStore):
    """The embedded store's reading verbs over a read-only open of an on-disk store's directory
    (the query workers', sherloc_kg/query_worker.py): it takes no lock, so it opens beside the
    server's own read-write store, and sees the data as of when it was opened. Nothing is written,
    not even to undo an interrupted restore or rebuild the mirror: the public mirror is used only
    if it was current both before and after it was opened (each open is a snapshot of that
    moment). An open that loses a file to the writer's compaction is tried again
    (:func:`retry_vanished`), and :meth:`afresh` does the same for a read."""

    def __init__(self, location: str, private_graphs: frozenset[str] = frozenset()) -> None:
        self.location, self.private_graphs = location, private_graphs
        retry_vanished(self._reopen)

    def _reopen(self) -> None:
        """Open fresh read-only views of the store and of its mirror (once: see retry_vanished)."""
        location, private_graphs = self.location, self.private_graphs
        try:
            store = ox.Store.read_only(location)
            mirror, current = None, False
            folder, stale = Path(location) / MIRROR_FOLDER, Path(location) / STALE_MARK
            if private_graphs and folder.is_dir() and not stale.exists():
                mirror = ox.Store.read_only(str(folder))
                current = not stale.exists()
        except (OSError, RuntimeError) as error:  # pyoxigraph's storage errors are both
            raise StoreError(f"cannot open the store at {location} to read: {error}") from error
        self._attach(store, location, private_graphs, mirror, current)

    def afresh(self, reading: Callable[[ReadOnlyStore], Result]) -> Result:
        """``reading(self)``, run again on fresh views while it fails because a file vanished under
        these (:func:`retry_vanished`); afterwards this store holds the views it succeeded on.
        ``reading`` must start over each time (answer into a buffer of its own, not a stream)."""
        return retry_vanished(lambda: reading(self), self._reopen)
