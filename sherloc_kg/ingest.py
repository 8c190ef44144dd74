"""The ingest pipeline: loader → records → SHACL gate → one transaction, with provenance.

Policy for a file holding both valid and invalid records (``on_invalid``):

* ``refuse`` (the default): any violation, in any record of any file of the load, refuses the
  whole load; nothing is written and every problem is reported.
* ``skip``: invalid records are reported and left out; the valid ones are written, together, in
  one transaction.

Warnings never block a load. Re-loading the same records is idempotent; a record that changed
replaces its previous version completely (all in the same transaction as the rest of the load).

Provenance (sherloc_kg/provenance.py): the load is a ``prov:Activity`` associated with its agent (the
operator for the command line, the token's holder for the API; never an account of the machine),
named by what it writes, that ``prov:used`` each source file; each record ``prov:wasDerivedFrom`` its
file and ``prov:wasGeneratedBy`` the activity. A load that would leave the store as it is (the same
records, files and agent as the store holds) writes nothing at all: ``LoadReport.unchanged``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as Choice
from urllib.parse import unquote

from rdflib import Literal, URIRef

from . import versions
from .access import is_restricted
from .config import Settings
from .errors import Issue, Location, QueryError, SourceError, UsageError, ValidationFailed
from .inference import Inference
from .iris import STATE_GRAPHS, Iris
from .loaders import Loader, loader_for
from .loaders.records import Record, as_writes
from .namespaces import DCTERMS, PROV, RDF
from .queries import internal
from .provenance import Agent, Ignored, activity, digest, holds, operator, source_header, stamp, unchanged
from .store import Dataset, RecordWrite, Store
from .validation import Gate

Progress = Callable[[str, int, int], None]
Policy = Choice["refuse", "skip"]
BATCH_SIZE = 250


# -- stopping a load (SIGTERM, SIGINT: the command line's handlers, sherloc_kg/cli.py) ----------
class LoadStopped(BaseException):
    """A load stopped on request (a signal) before its transaction: nothing was written. A
    BaseException, like KeyboardInterrupt, so that no loader's ``except Exception`` (which turns a
    parser's failure into a record's error) can take it for bad data."""

    def __init__(self, reason: str, exit_code: int) -> None:
        super().__init__(reason)
        self.reason, self.exit_code = reason, exit_code

    def __str__(self) -> str:
        return f"{self.reason}: nothing was written, the store holds what it held before"


class _Commit(threading.local):
    running = False
    stop: LoadStopped | None = None


_COMMIT = _Commit()


def request_stop(stopped: LoadStopped) -> None:
    """Stop the load running on this thread: raise ``stopped`` here (a signal handler runs between
    two bytecodes of the main thread, so the load unwinds from wherever it was reading or
    validating, and nothing is written); or, while its one transaction is committing, let the
    commit end and raise it then. A transaction cut in the middle is rolled back by the store
    anyway, but Oxigraph's commit does not return to Python until it is done, so the stop could
    only land after it, and say "nothing written" of a load that was."""
    if _COMMIT.running:
        _COMMIT.stop = stopped
        return
    raise stopped


class StoppedAfterCommit(LoadStopped):
    """A stop requested while the load's transaction committed: the load is in the store."""

    def __str__(self) -> str:
        return f"{self.reason} while its transaction committed: the load is in the store, whole"


@contextmanager
def _committing() -> Iterator[None]:
    _COMMIT.running, _COMMIT.stop = True, None
    try:
        yield
    finally:
        _COMMIT.running = False
    stop, _COMMIT.stop = _COMMIT.stop, None
    if stop is not None:
        raise StoppedAfterCommit(stop.reason, stop.exit_code)


@dataclass
class LoadReport:
    kind: str
    files: list[str]
    records_read: int = 0
    records_written: int = 0
    triples_written: int = 0
    issues: list[Issue] = field(default_factory=list)
    written: bool = False
    #: The store held these records, from these files and this agent, already: nothing was written.
    unchanged: bool = False

    @property
    def violations(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "Violation"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "Warning"]


class Ingest:
    """``agent``: who the loads are attributed to; by default the operator (SHERLOC_OPERATOR)."""

    def __init__(self, store: Store, settings: Settings, *, progress: Progress | None = None,
                 agent: Agent | None = None) -> None:
        self.store = store
        self.settings = settings
        self.iris = Iris(settings.base)
        self.progress = progress or (lambda stage, done, total: None)
        self.agent = agent or operator(self.iris, settings.operator)

    def load(self, kind: str, paths: Sequence[Path], *, source_format: str | None = None,
             on_invalid: Policy = "refuse", write: bool = True) -> LoadReport:
        """Read, validate and (unless ``write`` is False) commit ``paths`` as records of ``kind``.

        Raises :class:`ValidationFailed` when the policy refuses the load."""
        if on_invalid not in ("refuse", "skip"):
            raise UsageError(f"--on-invalid must be 'refuse' or 'skip', not {on_invalid!r}")
        loader = loader_for(kind)
        paths = source_files(loader, paths)
        report = LoadReport(kind, [str(p) for p in paths])
        records = self._read(loader, paths, source_format, report)
        gate = Gate.for_kind(kind, self.settings.shapes_dir, self.settings.ontology_dir / "sherloc.ttl", self.iris,
                             self.settings.shacl_engine)
        invalid = self._validate(gate, records, report)
        if report.violations and (on_invalid == "refuse" or not write):
            if write:
                raise ValidationFailed(report.issues)
            return report
        good = [r for r in records if r.error is None and r.iri not in invalid]
        if write and good:
            self._commit(loader, good, paths, report)
        return report

    def check(self, kind: str, paths: Sequence[Path], *, source_format: str | None = None
              ) -> tuple[list[Record], LoadReport, Gate]:
        """Read and validate ``paths`` as records of ``kind`` without writing anything: the records
        (each with its ``error``, if it could not be read), the report (every problem, Violations
        and Warnings) and the SHACL gate they were checked with. The caller decides what to write;
        ``load`` is this followed by the policy and the commit."""
        loader = loader_for(kind)
        paths = source_files(loader, paths)
        report = LoadReport(kind, [str(p) for p in paths])
        records = self._read(loader, paths, source_format, report)
        gate = Gate.for_kind(kind, self.settings.shapes_dir, self.settings.ontology_dir / "sherloc.ttl", self.iris,
                             self.settings.shacl_engine)
        self._validate(gate, records, report)
        return records, report, gate

    # -- reading ------------------------------------------------------------------------------
    def _read(self, loader: Loader, paths: Sequence[Path], source_format: str | None, report: LoadReport) -> list[Record]:
        """Every record of ``paths``. A loader with ``read_many(paths, iris, source_format)`` sees
        all the files of the load at once (a record may come from several files: a Canadian Act
        from its English and French files) and says itself which file gave nothing; others read
        each file on its own (``read(path, iris, source_format)``)."""
        records: list[Record] = []
        first_seen: dict[URIRef, Location] = {}
        for path in paths:
            if not path.is_file():
                raise UsageError(f"{path}: no such file")
        batches: list[tuple[Path | None, Iterable[Record]]]
        if loader.read_many is not None:
            batches = [(None, loader.read_many(list(paths), self.iris, source_format))]
        else:
            batches = [(path, loader.read(path, self.iris, source_format or loader.detect_format(path)))
                       for path in paths]
        for source, batch in batches:
            read_before = report.records_read
            for record in batch:
                report.records_read += 1
                if record.error is None and record.iri in first_seen:
                    earlier = first_seen[record.iri]
                    record.error = SourceError(f"duplicate id: already given at {earlier.file}:{earlier.line}",
                                               Location(record.location.file, record.location.line,
                                                        record.location.record, "id"))
                if record.error is not None:
                    report.issues += [Issue("Violation", e.message, e.location, e.value) for e in record.error.each()]
                else:
                    first_seen[record.iri] = record.location
                records.append(record)
                if report.records_read % 100 == 0:
                    self.progress("read", report.records_read, 0)
            if source is not None and report.records_read == read_before:
                report.issues.append(Issue("Violation", "no records: the file is empty or holds only comments",
                                           Location(str(source))))
        return records

    # -- validating ---------------------------------------------------------------------------
    def _validate(self, gate: Gate, records: list[Record], report: LoadReport) -> set[URIRef]:
        # A record read with some of its fields (its loader reads every field before it gives up:
        # loaders/review.py) is checked too, so that its other problems are reported at the same
        # time; it stays refused (``r.error``), and a field it could not read is not said missing too.
        valid = [r for r in records if r.error is None or (r.iri is not None and r.triples)]
        by_iri = {r.iri: r for r in valid}
        local_types = {(s, p, o) for r in valid for triples in r.triples.values() for (s, p, o) in triples if p == RDF.type}
        local_typed = {s for (s, _p, _o) in local_types}

        def owner(focus: str) -> Record | None:
            """The record a focus node belongs to: itself, or the record its IRI lies below."""
            while focus:
                record = by_iri.get(URIRef(focus))
                if record is not None:
                    return record
                focus = focus.rpartition("/")[0]
            return None

        def locate(focus: URIRef) -> Location:
            record = owner(str(focus))
            return record.location if record else Location("?", record=str(focus))

        invalid: set[URIRef] = set()
        done = 0
        for start in range(0, len(valid), BATCH_SIZE):
            batch = valid[start:start + BATCH_SIZE]
            triples = [t for r in batch for triples in r.triples.values() for t in triples]
            objects = {o for (_s, _p, o) in triples if isinstance(o, URIRef)}
            context = list(self._store_context(objects - local_typed))
            context.extend(t for t in local_types if t[0] in objects)
            for issue in gate.check(triples, context, locate):
                record = owner(issue.focus or "")
                if record is not None and record.error is not None and issue.value is None and \
                        issue.location.field in {e.location.field for e in record.error.each()}:
                    continue  # a field missing because it could not be read: said by the loader
                report.issues.append(issue)
                if issue.severity == "Violation" and record is not None:
                    invalid.add(record.iri)
            done += len(batch)
            self.progress("validate", done, len(valid))
        return invalid

    def _store_context(self, iris: Iterable[URIRef]) -> Iterable[tuple]:
        """``rdf:type`` and ``skos:inScheme`` of the given IRIs, from every graph of the store."""
        wanted = sorted(iris)
        query = internal("ingest-stored-context")
        for start in range(0, len(wanted), 500):
            result = self.store.select(query.with_rows({"s": wanted[start:start + 500]}), dataset=Dataset(default=None))
            for row in result.rows:
                yield (row["s"], row["p"], row["o"])

    # -- writing ------------------------------------------------------------------------------
    def _commit(self, loader: Loader, records: list[Record], paths: Sequence[Path], report: LoadReport) -> None:
        graphs = self._graph_names(loader.graphs, records)
        writes = as_writes(records, graphs, self.iris.graph)
        provenance, done = self._provenance(records, paths, loader.kind, writes)
        report.records_written = len(records)
        report.triples_written = sum(len(w.triples) for w in writes)
        writes.extend(provenance)
        inference = Inference(self.settings, self.iris)
        self.progress("write", 0, len(records))
        if self._unchanged(writes, done, inference):
            # The data are there as they would be written; their inferences are recomputed still, as
            # every load of a record does (the rules' fingerprint says which rules computed the
            # inferred graph, not that a triple written there behind a load's back is gone): the
            # rules alone, scoped to the records, with no record, version or end time written, so
            # that over a current inferred graph nothing changes.
            with _committing():
                run = inference.for_write(self.store, writes)
                self.store.write([], before=run.before, then=run.then)
            report.written = report.unchanged = True
            self.progress("write", len(records), len(records))
            return
        with _committing():  # a stop requested now lands once the transaction is done
            run = inference.for_write(self.store, writes)
            # with the change feed's versions of what the load changes, in the same transaction
            # (sherloc_kg/versions.py): each record's member in each graph holds what it states there;
            # the activity's end time last, as the write is sent (provenance.stamp)
            stated = {str(self.iris.graph(name)): {str(r.iri): r.triples.get(name, []) for r in records}
                      for name in graphs}
            versions.write(self.store, self.iris, writes, before=run.before,
                           then=[*run.then, stamp(provenance[-1].graph, done)], stated=stated)
            report.written = True
        self.progress("write", len(records), len(records))

    def _unchanged(self, writes: list[RecordWrite], done: URIRef, inference: Inference) -> bool:
        """Whether the store holds what ``writes`` would write already (sherloc_kg/provenance.py): the
        same activity recorded (the same records, files and agent loaded before), the inferred graph
        computed by the current rules, and every graph the write touches as it would leave it."""
        log = writes[-1].graph
        if not holds(self.store, log, done) or not inference.current(self.store):
            return False
        return unchanged(self.store, writes, ignore=Ignored({done}, self.iris.graph("inferred")))

    def _graph_names(self, graphs: Sequence[str], records: list[Record]) -> tuple[str, ...]:
        """The graphs a load replaces its records in: the loader's, and, for a loader with graphs
        kept one per State (STATE_GRAPHS: ``review-restricted`` → ``review-restricted/XAA``), the
        State graphs its records name and every one the store holds (a record whose State
        changed, or that is published now, leaves no copy behind)."""
        families = [g for g in graphs if g in STATE_GRAPHS]
        if not families:
            return tuple(graphs)
        named = {n for r in records for n in r.triples if n.partition("/")[0] in families}
        for family in families:
            named |= {unquote(name) for g in self.iris.state_graphs(self.store.graphs(), family)
                      if (name := self.iris.graph_name(g))}
        return tuple(graphs) + tuple(sorted(named - set(graphs)))

    def _provenance(self, records: list[Record], paths: Sequence[Path], kind: str,
                    data: Sequence[RecordWrite]) -> tuple[list[RecordWrite], URIRef]:
        """PROV-O: the load as an activity of its agent that used each source file (named by its
        sha256); each record was derived from its file and generated by this activity. The activity
        is named by what the load writes (``data``, the files, the agent: sherloc_kg/provenance.py);
        its end time is written by the store when the write commits (``provenance.stamp``). The log
        (the activity's own triples) comes last. Returns the writes and the activity."""
        digests = {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
        done = activity(self.iris, kind, digest(kind, self.agent, digests.values(), data))
        log = RecordWrite(str(self.iris.graph("provenance")), [str(done)])
        log.triples += [
            (done, RDF.type, PROV.Activity),
            (done, DCTERMS.title, Literal(f"load {kind}")),
            (done, PROV.wasAssociatedWith, self.agent.iri),
            *self.agent.public,
        ]
        private = RecordWrite(str(self.iris.graph("provenance-restricted")), [], list(self.agent.private))
        sources = {}
        for path in paths:
            sha = digests[str(path)]
            source = self.iris.source(sha)
            sources[str(path)] = source
            log.triples += [
                (done, PROV.used, source),
                (source, RDF.type, PROV.Entity),
                (source, DCTERMS.identifier, Literal(f"sha256:{sha}")),
                (source, DCTERMS.title, Literal(path.name)),
                *source_header(source, path),
            ]
        # A record held only in restricted graphs (an unpublished review answer) has its provenance
        # in the restricted provenance graph, and so has the load if all its records are such: the
        # public must not learn from provenance that the record exists. Both graphs drop the
        # records' previous provenance, so a record that is published leaves nothing behind.
        # A record held only in one State's graphs (review-restricted/XAA) has it in that State's
        # provenance graph, provenance-restricted/XAA (STATE_GRAPHS), and every such graph drops
        # the records' previous provenance too.
        every = [str(r.iri) for r in records]
        derived = {False: RecordWrite(str(self.iris.graph("provenance")), every),
                   True: RecordWrite(str(self.iris.graph("provenance-restricted")), list(every))}
        per_state = {g: RecordWrite(g, list(every))  # only kinds kept per State have provenance there
                     for g in (self.iris.state_graphs(self.store.graphs(), "provenance-restricted")
                               if STATE_GRAPHS & set(loader_for(kind).graphs) else [])}
        restricted = {r.iri: bool(r.triples) and all(is_restricted(g) for g in r.triples) for r in records}
        states = {r.iri: _state_of(r) if restricted[r.iri] else None for r in records}
        for record in records:
            state = states[record.iri]
            if state is None:
                target = derived[restricted[record.iri]]
            else:
                graph = str(self.iris.state_graph("provenance-restricted", state))
                target = per_state.setdefault(graph, RecordWrite(graph, list(every)))
            target.triples += [
                (record.iri, PROV.wasDerivedFrom, sources[record.location.file]),
                (record.iri, PROV.wasGeneratedBy, done),
            ]
        if records and all(restricted.values()):
            one = set(states.values())
            log.graph = str(self.iris.graph("provenance-restricted")) if len(one) != 1 or None in one else \
                str(self.iris.state_graph("provenance-restricted", one.pop() or ""))
        return [derived[False], derived[True], *per_state.values(), private, log], done


def source_files(loader: Loader, paths: Sequence[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the files in it and its sub-folders that the loader
    reads (its ``accepts(path)``: by default a .jsonl/.ndjson/.json/.csv/.xml suffix), in name order;
    hidden files and folders are left out. A folder with no such file is a UsageError."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(p for p in path.rglob("*") if p.is_file() and loader.accepts(p)
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not found:
            raise UsageError(f"{path}: the folder holds no file to load as {loader.kind}")
        files.extend(found)
    return files


def _state_of(record: Record) -> str | None:
    """The State whose graphs (STATE_GRAPHS: ``review-restricted/XAA``) hold ``record``, if one."""
    states = {country for family, _, country in (n.partition("/") for n in record.triples)
              if country and family in STATE_GRAPHS}
    return states.pop() if len(states) == 1 else None


# -- trusted restore ------------------------------------------------------------------------------

#: Dump syntaxes `restore` reads (those `export` writes that keep the graph names).
DUMP_FORMATS = {"nq": "application/n-quads", "trig": "application/trig"}
_DUMP_SUFFIXES = {".nq": "nq", ".nquads": "nq", ".trig": "trig"}


def dump_format(path: Path, chosen: str | None = None) -> str:
    """The media type of a dump: ``chosen`` (nq or trig), else guessed from the file's suffix."""
    name = chosen or _DUMP_SUFFIXES.get(path.suffix.lower())
    if name is None:
        raise UsageError(f"{path}: cannot tell the syntax of the dump from its name; give --format nq or "
                         "--format trig (a Turtle export holds one graph without its name and cannot be restored)")
    if name not in DUMP_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(DUMP_FORMATS)}, not {name!r}")
    return DUMP_FORMATS[name]


def _unparsable(path: Path, media_type: str, error: BaseException) -> SourceError:
    import pyoxigraph as ox

    syntax = error if isinstance(error, SyntaxError) else error.__cause__
    line = getattr(syntax, "lineno", None)
    detail = syntax.msg if isinstance(syntax, SyntaxError) else str(error)
    fmt = ox.RdfFormat.from_media_type(media_type)
    return SourceError(f"the dump does not parse as {fmt.name if fmt else media_type}: {detail}; "
                       "nothing was written", Location(str(path), line))


def check_dump(path: Path, media_type: str) -> int:
    """Parse the whole dump (writing nothing); the number of quads. Raises SourceError naming the
    file and the line of the first syntax error."""
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise UsageError(f"no RDF parser for {media_type}")
    count = 0
    try:
        for _quad in ox.parse(path=str(path), format=fmt):
            count += 1
    except (SyntaxError, ValueError) as error:
        raise _unparsable(path, media_type, error) from error
    return count


def restore_trusted(store: Store, path: Path, *, media_type: str, trusted: bool, replace: bool = False) -> int:
    """Make the store exactly the dump at ``path`` (made by ``sherloc-kg export``), with no SHACL
    validation and no inference: the dump already holds the inferred and provenance graphs of the
    store it came from. Refused unless ``trusted``; refused on a non-empty store unless ``replace``.

    The dump goes through the store's own ``restore`` (one transaction on the embedded store, which
    then rebuilds its public mirror). A dump that does not parse writes nothing. With ``replace``
    the dump is parsed once first, so that a broken dump leaves the old content in place; the old
    content is then dropped and the dump loaded (two steps: a crash between them leaves the store
    empty, never half of a dump). Returns the number of triples in the store afterwards."""
    if not trusted:
        raise UsageError(f"{path}: restore writes a dump as it is, without the SHACL gate; it is meant for "
                         "dumps made by `sherloc-kg export` that you trust: pass --trusted to go on (to "
                         "check records, load them with `sherloc-kg load`)")
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    present = store.count()
    if present and not replace:
        raise UsageError(f"the store is not empty ({present} triples): pass --replace to replace its whole "
                         f"content by {path}, or restore into an empty store")
    if present:
        check_dump(path, media_type)
        store.update("DROP ALL")
    try:
        with path.open("rb") as handle:
            store.restore(handle, media_type=media_type)
    except QueryError as error:
        raise _unparsable(path, media_type, error) from error
    return store.count()
