"""The remote backend's writes: record writes, updates, graph loads and restores, each committed
whole or not at all on a server that applies a request as one transaction, else staged in graphs
no reader sees and swapped into place. The update operations sent (record deletions, insertions,
graph loads) come from :mod:`.writes`, as the embedded store's do; the requests go through
:class:`.remote_client.RemoteClient`.

Guarantees (the contract's "each write commits whole or not at all"), per server:

- **Oxigraph server** applies an update request, and a Graph Store request, as one transaction.
  ``write`` sends every operation of a load (graph clears, record deletions, insertions, the
  inference rules) as ONE update request, exactly like the embedded store; ``load_graph`` is one
  Graph Store ``PUT``/``POST``; ``restore`` one Graph Store ``POST`` of the whole dump. A failure,
  or the server or the connection going down mid-request, leaves the previous state. Its server
  reads no update over 128 MiB (a load of about 700,000 triples): a larger write first sends its
  new triples to staging graphs by Graph Store ``POST`` (no size limit there), then the one
  update request that clears, deletes, ``ADD``\\ s each staging graph onto its graph, runs the
  rules and drops the staging graphs. The write is still one transaction for every SHERLOC graph;
  a failure drops the staging graphs.
- **Virtuoso 7** applies each *operation* whole or not at all, but not a request: an operation
  failing at run time leaves the earlier ones of the same request applied. Writes are therefore
  staged. (1) Requests that write only staging graphs (``urn:sherloc:staging:{uuid}:{graph}``)
  build the new version of every graph the write touches, one operation per request: the
  ``COPY`` of each current graph, the write's ``before`` operations over the copies, its record
  deletions (at most ``values_limit`` records each:
  Virtuoso's compiler refuses a ``VALUES`` block of more than 4094 terms), the new triples (Graph
  Store ``POST``), then each inference rule with the touched graphs renamed to their staging
  copies. Sending these as separate requests costs no atomicity: no reader sees a staging graph
  (it is in no dataset this backend sets, and hidden from ``graphs()`` and ``count()``), so
  nothing of (1) is visible until (2); and it spares Virtuoso a pathological plan (a ``DELETE``
  after a ``COPY`` in one request ran forty times slower). If one fails, the staging graphs are
  dropped and the real graphs were never touched. (2) One ``MOVE`` request per graph puts each staging graph
  onto its graph. What can be seen if (2) fails part-way (the server dies between two ``MOVE``\\ s):
  the graphs moved so far hold the new version, the others the old one, and staging graphs are
  left behind (hidden from ``graphs()``, ``count()`` and every dataset this backend sets).
  Re-running the load is idempotent and repairs it. While (2) runs, a reader may see one graph new
  and another old. Staging copies whole graphs, so a write costs time in proportion to the graphs
  it touches. A request of (1) or (2) that Virtuoso rolls back for a passing reason (a deadlock,
  ``40001``, or a lock wait that timed out, ``SR171``) is sent again after a pause, up to five
  times: each is idempotent, and each ``MOVE`` goes alone because a ``MOVE`` from a staging graph
  already moved would empty its graph.
- **Other servers** are treated like Virtuoso (staged), since the Protocol does not promise that a
  request is atomic.

Writes from several processes at once are not isolated from each other on a staged server (the
later swap wins); run one loader at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from .. import sparql_text
from ..errors import QueryError, SherlocError, StoreError, UsageError
from .contract import STAGING_PREFIX, RdfDocument, RecordWrite, check_write
from .remote_client import RemoteClient
from .terms import to_oxigraph
from .writes import graph_operations, hoist_prologues, parse_document, record_operations

#: What a form-encoded body carries as is (``urllib.parse.quote_plus``; a space becomes ``+``).
_FORM_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~ "


def written_graphs(update: str) -> set[str]:
    """The graph IRIs an update writes (GRAPH in an INSERT/DELETE template, DROP/CLEAR/CREATE
    GRAPH, WITH, INTO, TO). Graphs written as prefixed names are not seen: write them in full."""
    found: set[str] = set()
    items = sparql_text.tokens(update)
    in_pattern = False
    for index, token in enumerate(items):
        previous = items[index - 1] if index else None
        if token.depth == 0 and token.kind == "punct" and token.text == ";":
            in_pattern = False
        elif token.depth == 0 and token.is_word("WHERE", "USING") and not (previous and previous.is_word("DELETE")):
            in_pattern = True
        elif token.kind == "iri" and not in_pattern and previous is not None \
                and previous.is_word("GRAPH", "WITH", "INTO", "TO"):
            found.add(token.text[1:-1])
    return found


#: The words after which an IRI names a graph: ``GRAPH <g>``, ``WITH <g>``, ``USING [NAMED] <g>``,
#: ``INTO <g>``, ``TO <g>``, ``COPY|MOVE|ADD [SILENT] <g>``, ``FROM [NAMED] <g>``.
_BEFORE_GRAPH_NAME = ("GRAPH", "WITH", "USING", "NAMED", "INTO", "TO", "COPY", "MOVE", "ADD", "SILENT", "FROM")


def rename_graphs(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every IRI that is a key of ``names`` replaced by its value where it names a
    graph (after ``GRAPH``, ``WITH``, ``INTO``...). The same IRI as a subject or an object is a
    resource and stays: the inferred graph's version triple (``<graph/inferred> owl:versionInfo``,
    sherloc_kg/inference.py) renamed to its staging graph was never found again on Virtuoso, and
    one such triple more was left in the provenance graph by every load."""
    pieces, position = [], 0
    items = sparql_text.tokens(text)
    for index, token in enumerate(items):
        if token.kind == "iri" and token.text[1:-1] in names and index \
                and items[index - 1].is_word(*_BEFORE_GRAPH_NAME):
            pieces.append(text[position:token.start])
            pieces.append(f"<{names[token.text[1:-1]]}>")
            position = token.end
    pieces.append(text[position:])
    return "".join(pieces)


class RemoteWrites(RemoteClient):
    """The writing half of the remote store (:class:`.remote.RemoteStore`)."""

    def update(self, sparql: str) -> None:
        """One update request: one transaction on a server that applies requests atomically (see
        the module's docstring for the others)."""
        self._update(sparql)

    def write(self, writes: Sequence[RecordWrite], *, replace_graphs: Iterable[str] = (),
              before: Sequence[str] = (), then: Sequence[str] = ()) -> None:
        replace_graphs = list(replace_graphs)
        check_write(before, replace_graphs)
        prologue, rules = hoist_prologues(then)
        header = "\n".join(prologue) + "\n"
        if self.server.atomic_requests:
            operations = [*before, *record_operations(writes, replace_graphs, values_limit=self.server.values_limit),
                          *rules]
            if not operations:
                return
            text = header + " ;\n".join(operations)
            if self._fits(text) or self.gsp_url is None:
                self._update(text)
            else:
                self._write_through_staging(writes, replace_graphs, header, before, rules)
            return
        targets = {w.graph for w in writes} | set(replace_graphs)
        for rule in [*before, *rules]:
            targets |= written_graphs(rule)
        if not targets and not rules:
            return
        staging = {g: f"{STAGING_PREFIX}{uuid.uuid4().hex}:{g}" for g in sorted(targets)}
        # (1) copies of the touched graphs, less the records being replaced; (2) the new triples,
        # over the Graph Store Protocol (Virtuoso's SPARQL compiler runs out of memory on large
        # INSERT DATA); (3) the rules over the copies. Only staging graphs are written so far, so
        # each operation goes in a request of its own (each idempotent: a COPY replaces its whole
        # staging graph, a deletion deletes nothing the second time): Virtuoso 7.2 takes forty
        # times longer over a DELETE that follows a COPY in the same request (66 s instead of
        # 1.5 s for 1000 records of 3000 triples), and a request of its own is retried alone.
        # ``before`` runs on the copies before the deletions (it sees the records as they were).
        try:
            kept = [graph for graph in staging if graph not in replace_graphs]  # the others start empty
            for graph in kept:
                self._update(f"COPY SILENT GRAPH <{graph}> TO GRAPH <{staging[graph]}>", idempotent=True)
            for operation in before:
                self._update(header + rename_graphs(operation, staging), idempotent=True)
            for graph in kept:
                for operation in record_operations([RecordWrite(w.graph, w.records) for w in writes if w.graph == graph],
                                                   [], staging, values_limit=self.server.values_limit):
                    self._update(operation, idempotent=True)
            for write in writes:
                self._write_triples(staging[write.graph], [
                    ox.Triple(*(to_oxigraph(term) for term in triple)) for triple in write.triples])  # type: ignore[arg-type]
        except SherlocError:
            self._drop_quietly(staging.values())
            raise
        self._staged([header + rename_graphs(rule, staging) for rule in rules], staging, "MOVE")

    def _fits(self, update: str) -> bool:
        """Whether ``update`` is within the largest request body the server reads."""
        limit = self.server.max_request_bytes
        if limit is None:
            return True
        body = update.encode("utf-8")
        if not self.server.direct_updates:  # form-encoded: each byte not always safe becomes %XX
            unsafe = len(body.translate(None, _FORM_SAFE))
            return len(b"update=") + len(body) + 2 * unsafe <= limit
        return len(body) <= limit

    def _write_through_staging(self, writes: Sequence[RecordWrite], replace_graphs: Sequence[str],
                               header: str, before: Sequence[str], rules: Sequence[str]) -> None:
        """A write too large for one update request, on a server that applies a request as one
        transaction: the new triples of each write go first to a staging graph of their own by
        the Graph Store Protocol (any size), then ONE update request does everything else: the
        graph clears, the record deletions, an ``ADD`` of each staging graph onto its graph, the
        rules, the drops of the staging graphs. Every SHERLOC graph still changes in one
        transaction; between the two requests the staged triples are visible only to a query over
        the union of all graphs, never to a dataset this backend sets from graph names."""
        staging = [f"{STAGING_PREFIX}{uuid.uuid4().hex}:{w.graph}" if w.triples else None for w in writes]
        operations = [*before, *(f"DROP SILENT GRAPH <{g}>" for g in replace_graphs)]
        for write, stage in zip(writes, staging):
            operations += record_operations([RecordWrite(write.graph, write.records)], [],
                                            values_limit=self.server.values_limit)
            if stage is not None:
                operations.append(f"ADD SILENT GRAPH <{stage}> TO GRAPH <{write.graph}>")
        operations += rules
        operations += [f"DROP SILENT GRAPH <{stage}>" for stage in staging if stage is not None]
        try:
            for write, stage in zip(writes, staging):
                if stage is not None:
                    self._write_triples(stage, [ox.Triple(*(to_oxigraph(term) for term in triple))  # type: ignore[arg-type]
                                                for triple in write.triples])
            self._update(header + " ;\n".join(operations))
        except SherlocError:
            self._drop_quietly(s for s in staging if s is not None)
            raise

    def _staged(self, build: Sequence[str], staging: Mapping[str, str], verb: str) -> None:
        """Run the ``build`` requests in turn (they fill the staging graphs), then put each staging
        graph onto its graph with ``verb`` (MOVE: replace; ADD: add), one request per graph so
        that a request rolled back for a passing reason can be sent again alone (a MOVE from a
        staging graph already moved would empty its graph); clean up on failure."""
        try:
            for request in build:
                self._update(request, idempotent=True)
        except SherlocError:
            self._drop_quietly(staging.values())
            raise
        try:
            for graph, stage in staging.items():
                swap = f"{verb} SILENT GRAPH <{stage}> TO GRAPH <{graph}>"
                self._update(swap if verb == "MOVE" else f"{swap} ;\nDROP SILENT GRAPH <{stage}>", idempotent=True)
        except SherlocError as error:
            self._drop_quietly(staging.values())
            raise StoreError(f"the write failed while moving its staged graphs into place; some graphs may "
                             f"hold the new version and others the old one: load again to repair ({error})") from error

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        graphs = list(graphs)
        if not graphs:
            return
        try:
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        except SherlocError:
            pass  # staging graphs are hidden; the next failure report names the cause

    def restore(self, source: BinaryIO, *, media_type: str) -> None:
        """Add a dump (N-Quads or TriG): one Graph Store request on a server that applies it as one
        transaction, else staged graph by graph and added graph by graph."""
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None or not fmt.supports_datasets:
            raise UsageError(f"no RDF dataset parser for {media_type}")
        if self.server.atomic_requests and self.gsp_url is not None:
            try:
                self._gsp_dataset(source, fmt)
            except QueryError as error:
                raise QueryError(f"the dump does not parse: {error}") from error
            return
        try:
            quads = list(ox.parse(source, fmt))
        except SyntaxError as error:
            raise QueryError(f"the dump does not parse: {error}") from error
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                raise UsageError(f"{self.server.name} has no default graph of its own: the dump puts triples in it")
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        self._stage_and_swap(by_graph, "ADD")

    def _stage_and_swap(self, by_graph: Mapping[str, list[ox.Triple]], verb: str) -> None:
        staging = {g: f"{STAGING_PREFIX}{uuid.uuid4().hex}:{g}" for g in by_graph}
        try:
            for graph, triples in by_graph.items():
                self._write_triples(staging[graph], triples)
        except SherlocError:
            self._drop_quietly(staging.values())
            raise
        self._staged([], staging, verb)

    def _write_triples(self, graph: str, triples: list[ox.Triple]) -> None:
        """Add triples to a graph: Graph Store POST where there is one, else INSERT DATA."""
        if not triples:
            return
        if self.gsp_url is not None:
            self._gsp("POST", graph, *self.server.graph_document(_n_triples(triples)))
            return
        size = self.server.insert_chunk
        for start in range(0, len(triples), size):
            body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples[start:start + size])
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")

    def load_graph(self, graph: str | None, documents: Sequence[RdfDocument], *,
                   replace: bool = False) -> int:
        triples = [t for document in documents for t in parse_document(document)]
        if graph is None and not self.server.has_default_graph:
            raise UsageError(f"{self.server.name} has no default graph of its own: name a graph")
        if self.server.atomic_requests and self.gsp_url is not None:
            if triples or replace:
                self._gsp("PUT" if replace else "POST", graph,
                          *self.server.graph_document(_n_triples(triples)))
            return len(triples)
        if self.server.atomic_requests:
            operations = graph_operations(graph, triples, replace=replace)
            if operations:
                self._update(" ;\n".join(operations))
            return len(triples)
        assert graph is not None
        if triples or replace:
            self._stage_and_swap({graph: triples}, "MOVE" if replace else "ADD")
        return len(triples)


def _n_triples(triples: Sequence[ox.Triple]) -> bytes:
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert body is not None  # no output given: the engine returns the bytes
    return body
