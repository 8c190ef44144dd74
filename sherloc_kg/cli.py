"""``sherloc-kg``: the command line. Exit codes: 0 ok, 1 invalid data (or a failed store or
query), 2 usage error. Every error is one red line on standard error, never a traceback; errors
are mapped to exit codes here and nowhere else."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .access import PUBLIC, Role, Tokens, is_restricted
from .config import SETTINGS, Settings
from .errors import Issue, SherlocError, UsageError, ValidationFailed
from .ingest import Ingest, LoadReport, LoadStopped, StoppedAfterCommit, request_stop
from .iris import GRAPHS, Iris
from .namespaces import SHERLOC
from .queries import QueryLibrary
from .store import Store, local_store, open_store

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

EXPORT_FORMATS = {"nq": "application/n-quads", "trig": "application/trig", "ttl": "text/turtle"}
QUERY_FORMATS = {"json": "application/sparql-results+json", "csv": "text/csv"}


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.iris = Iris(settings.base)
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The installed distribution's version (importlib.metadata), so a wheel and a checkout say which they are.
@click.version_option(package_name="sherloc-kg", prog_name="sherloc-kg", message="%(prog)s %(version)s")
@click.option("--store", default=None, metavar="DIR|memory|URL", help=SETTINGS["store"][2] + " [env SHERLOC_STORE; default var/store]")
@click.option("--base", default=None, metavar="IRI", help=SETTINGS["base"][2] + " [env SHERLOC_BASE]")
@click.pass_context
def cli(ctx: click.Context, store: str | None, base: str | None) -> None:
    """SHERLOC-KG: UNTOC, its Protocols, and the law and case law that implement them, as a knowledge graph."""
    context = Context(Settings.from_env(store=store, base=base))
    ctx.obj = context
    ctx.call_on_close(context.close)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator:
    """A rich progress bar on standard error, one task per pipeline stage."""
    if not enabled:
        yield None
        return
    if not err.is_terminal:
        # Logs and scripts get one line as each stage starts (a supervisor can see a load writing).
        started: set[str] = set()

        def announce(stage: str, _done: int, total: int) -> None:
            if stage not in started:
                started.add(stage)
                err.print(f"{stage}: started" + (f" ({total} records)" if total else ""))

        yield announce
        return
    columns = (TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)  # type: ignore[arg-type]

        yield update


#: The signals that stop a load: a supervisor's (SIGTERM) and Ctrl-C (SIGINT).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stoppable(what: str) -> Iterator[None]:
    """Within: SIGTERM and SIGINT stop the load cleanly (sherloc_kg.ingest.request_stop): it
    unwinds from wherever it is reading or validating, its transaction is never committed, the
    store is closed as usual, and the command exits 128 + the signal's number with one line. (A
    26.7 MB file took most of an hour to validate; a supervisor's stop must not have to wait for
    it or kill it.) Only in the main thread, where Python runs signal handlers."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        request_stop(LoadStopped(f"{what} was stopped by {name}", 128 + signum))

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _print_issues(issues: list[Issue], limit: int = 20) -> None:
    for issue in issues[:limit]:
        colour = "red" if issue.severity == "Violation" else "yellow"
        err.print(f"[{colour}]{issue}[/{colour}]", soft_wrap=True)
    if len(issues) > limit:
        err.print(f"... and {len(issues) - limit} more")


def _summary(report: LoadReport) -> str:
    verb = "written" if report.written else "not written"
    return (f"{report.kind}: {report.records_read} record(s) read, {report.records_written} {verb} "
            f"({report.triples_written} triples); {len(report.violations)} violation(s), "
            f"{len(report.warnings)} warning(s)")


#: A load compacts the on-disk store afterwards when it wrote at least this share of the triples
#: the store then holds (a batch load); a smaller one leaves it to RocksDB's own background
#: compaction, since compacting costs time in proportion to the whole store (about 4 s at 1M).
COMPACT_SHARE = 0.1
#: Below this many triples a load never compacts, and the store is not counted (a full scan:
#: 0.3 s at 1M triples) to weigh it.
COMPACT_MIN = 10_000


def _compact(store: Store, written: int | None = None) -> None:
    """Compact an on-disk embedded store after a batch write (``init``, ``restore``, ``migrate``
    into it, a large ``load``): see ``EmbeddedStore.optimize``. ``written``: the triples the write
    added, to weigh a load against the store's size; None: always."""
    local = local_store(store)
    if local is None:
        return
    if written is not None and (written < COMPACT_MIN or written < COMPACT_SHARE * store.count()):
        return
    started = time.perf_counter()
    local.optimize()
    err.print(f"compacted the store in {time.perf_counter() - started:.1f} s")


@cli.command()
@click.option("--no-data", is_flag=True, help="Only the ontology, vocabularies, instruments and countries.")
@click.option("--with-examples", is_flag=True,
              help="Also the fictional States (XAA, XAB, XAC) and the invented, illustrative records of data/examples/.")
@click.pass_obj
def init(ctx: Context, no_data: bool, with_examples: bool) -> None:
    """Load the ontology, vocabularies, instruments and countries, then the bundled data.

    With --with-examples, also the illustrative examples: invented records about fictional States,
    never loaded otherwise."""
    from .reference import BUNDLED, install_reference, load_examples, remove_examples

    done: list[str] = []
    step = "the reference graphs"
    try:
        with progress_bar() as update, stoppable("init"):
            sizes = install_reference(ctx.store, ctx.settings, with_examples=with_examples)
            done.append(step)
            for name, size in sizes.items():
                out.print(f"{name}: {size} triples")
            if not with_examples:  # an earlier --with-examples: its records name States no longer known
                step = "the removal of earlier examples"
                removed = remove_examples(ctx.store, ctx.settings)
                done.append(step)
                if removed:
                    out.print(f"removed the {removed} example records an earlier `init --with-examples` loaded")
            ingest = Ingest(ctx.store, ctx.settings, progress=update)
            for kind, relative in [] if no_data else BUNDLED:
                step = relative
                report = ingest.load(kind, [ctx.settings.data_dir / relative])
                done.append(step)
                out.print(_summary(report))
            if with_examples:
                step = "the examples"
                for report in load_examples(ctx.store, ctx.settings, progress=update):
                    out.print("example " + _summary(report))
                done.append(step)
    except StoppedAfterCommit as stopped:
        raise InitStopped(stopped, done + [step], None) from None
    except LoadStopped as stopped:
        raise InitStopped(stopped, done, step) from None
    _compact(ctx.store)


class InitStopped(LoadStopped):
    """``init`` stopped by a signal: it is several transactions (the reference graphs, each bundled
    source), so what it says is which of them are in the store and which one was not written."""

    def __init__(self, stopped: LoadStopped, done: list[str], cut: str | None) -> None:
        super().__init__(stopped.reason, stopped.exit_code)
        self.done, self.cut = done, cut

    def __str__(self) -> str:
        held = ", ".join(self.done) if self.done else "nothing of it"
        cut = f"{self.cut} was not written; " if self.cut else ""
        return (f"{self.reason}: {cut}the store holds {held}; "
                "`sherloc-kg init` again finishes it (each step replaces what it loads)")


@cli.command()
@click.argument("kind")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "source_format", default=None, metavar="FORMAT",
              help="Source format (jsonl, csv, or one the kind's loader reads, e.g. untc, akn); by default guessed from the file.")
@click.option("--on-invalid", type=click.Choice(["refuse", "skip"]), default="refuse", show_default=True,
              help="refuse: any invalid record refuses the whole load. skip: write the valid records, report the rest.")
@click.pass_obj
def load(ctx: Context, kind: str, files: tuple[Path, ...], source_format: str | None, on_invalid: str) -> None:
    """Validate and load FILES of KIND (e.g. cases) in one transaction."""
    _ingest(ctx, kind, files, source_format, on_invalid=on_invalid, write=True)


def _ingest(ctx: Context, kind: str, files: tuple[Path, ...], source_format: str | None, *,
            on_invalid: str = "refuse", write: bool) -> None:
    """Run the pipeline, list its problems, print the summary; exit 1 if any record was invalid."""
    if source_format is None:
        from .loaders import loader_for

        for path in files:
            if path.is_file():
                err.print(f"{path}: read as {loader_for(kind).detect_format(path)} (guessed from the file; --format to choose)")
    with progress_bar() as update, stoppable("the load" if write else "the check"):
        report = Ingest(ctx.store, ctx.settings, progress=update).load(
            kind, list(files), source_format=source_format, on_invalid=on_invalid, write=write)  # type: ignore[arg-type]
    _print_issues(report.issues)
    out.print(_summary(report))
    if report.written:
        _compact(ctx.store, report.triples_written)
    if report.violations:
        sys.exit(1)


@cli.command()
@click.argument("kind")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "source_format", default=None, metavar="FORMAT", help="As for load.")
@click.pass_obj
def validate(ctx: Context, kind: str, files: tuple[Path, ...], source_format: str | None) -> None:
    """Check FILES of KIND against the shapes and the store; write nothing."""
    _ingest(ctx, kind, files, source_format, write=False)


@cli.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_obj
def query(ctx: Context, name: str, params: tuple[str, ...], output_format: str) -> None:
    """Run a named query from sparql/ (or a .rq file) over the public graphs."""
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes NAME=VALUE, got '{item}'")
        values[key] = value
    named = QueryLibrary(ctx.settings.queries_dir).get(name)
    bindings = named.bindings(values, ctx.iris)
    dataset = PUBLIC.dataset(ctx.iris)
    named.check_known(values, ctx.store, ctx.iris, dataset)
    if output_format in QUERY_FORMATS:
        buffer = io.BytesIO()
        ctx.store.query_serialized(named.text, buffer, media_type=QUERY_FORMATS[output_format],
                                   bindings=bindings, dataset=dataset)
        sys.stdout.buffer.write(buffer.getvalue())
        return
    result = ctx.store.select(named.text, bindings=bindings, dataset=dataset)
    table = Table(title=named.title)
    for variable in result.variables:
        table.add_column(variable, overflow="fold")
    for row in result.rows:
        table.add_row(*(str(row.get(v, "")) for v in result.variables))
    out.print(table)
    out.print(f"{len(result.rows)} row(s)")


@cli.command("queries")
@click.pass_obj
def list_queries(ctx: Context) -> None:
    """List the named queries with their parameters."""
    for named in QueryLibrary(ctx.settings.queries_dir).all():
        out.print(f"[bold]{named.name}[/bold]: {named.title}")
        for p in named.parameters:
            out.print(f"    {p.name} ({p.type}, {'required' if p.required else 'optional'}): {p.help}")


@cli.command()
@click.option("--format", "export_format", type=click.Choice(sorted(EXPORT_FORMATS)), default="nq", show_default=True)
@click.option("--graph", "graphs", multiple=True, type=click.Choice(GRAPHS), help="Only these graphs (repeatable).")
@click.option("--public", is_flag=True, help="Leave out the restricted graphs.")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help="File to write (default: standard output).")
@click.pass_obj
def export(ctx: Context, export_format: str, graphs: tuple[str, ...], public: bool, output: Path | None) -> None:
    """Dump the store (N-Quads or TriG), or one graph as Turtle."""
    names = list(graphs) or None
    if public:
        names = [g for g in (names or GRAPHS) if not is_restricted(g)]
    iris = [str(ctx.iris.graph(n)) for n in names] if names else None
    if output is None:
        buffer = io.BytesIO()
        ctx.store.dump(buffer, media_type=EXPORT_FORMATS[export_format], graphs=iris)
        sys.stdout.buffer.write(buffer.getvalue())
    else:
        with output.open("wb") as handle:
            ctx.store.dump(handle, media_type=EXPORT_FORMATS[export_format], graphs=iris)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--trusted", is_flag=True,
              help="Required: the dump is written as it is, without the SHACL gate (a dump made by `export` that you trust).")
@click.option("--replace", is_flag=True, help="Replace the whole content of a store that is not empty (else refused).")
@click.option("--format", "dump_format_name", type=click.Choice(["nq", "trig"]), default=None,
              help="Syntax of the dump (default: from the file name, .nq or .trig).")
@click.pass_obj
def restore(ctx: Context, file: Path, trusted: bool, replace: bool, dump_format_name: str | None) -> None:
    """Make the store exactly FILE, a dump made by `export` (N-Quads or TriG), at bulk-load speed:
    no validation, no inference (the dump holds the inferred and provenance graphs already)."""
    from .ingest import dump_format, restore_trusted

    media_type = dump_format(file, dump_format_name)
    total = restore_trusted(ctx.store, file, media_type=media_type, trusted=trusted, replace=replace)
    out.print(f"restored {file}: the store now holds {total} triples")
    # Compacted although the bulk loader's files are sorted: at 1M triples it makes them a third
    # larger on disk (553 to 723 MB) but the entity pages 1.4-1.7x faster (benchmarks/lookups.py).
    _compact(ctx.store)


@cli.command()
@click.pass_obj
def optimize(ctx: Context) -> None:
    """Compact the on-disk store (and its public mirror): smaller on disk, faster to query. `init`,
    `restore` and a load that writes a tenth of the store or more do it themselves; run it after
    many small loads. A SPARQL server manages its own storage."""
    if local_store(ctx.store) is None:
        raise UsageError(f"nothing to compact: {ctx.store.location} is not an on-disk embedded store")
    _compact(ctx.store)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def stats(ctx: Context, as_json: bool) -> None:
    """Triples per named graph and records per kind."""
    from .statistics import collect

    figures = collect(ctx.store, ctx.iris)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    table = Table(title=f"SHERLOC-KG store: {ctx.settings.store}")
    table.add_column("graph")
    table.add_column("triples", justify="right")
    for name, count in figures["graphs"].items():
        table.add_row(name, str(count))
    out.print(table)
    for kind, count in figures["records"].items():
        out.print(f"{kind}: {count}")
    out.print(f"total: {figures['triples']} triples")


@cli.command()
@click.option("--from", "source", required=True, metavar="STORE", help="The store to copy: a directory, or an http(s) SPARQL endpoint URL.")
@click.option("--to", "target", required=True, metavar="STORE", help="The store to copy into (same forms).")
@click.option("--replace", is_flag=True, help="Drop the target's copies of the graphs first (else a graph already there is refused).")
@click.option("--chunk-size", default=50_000, show_default=True, type=click.IntRange(min=1), help="Quads per piece.")
@click.pass_obj
def migrate(ctx: Context, source: str, target: str, replace: bool, chunk_size: int) -> None:
    """Copy every named graph from one store to another, streamed in pieces, then check that the
    triple counts per graph are equal (exit 1 with the differences if not).

    Credentials for a server come from SHERLOC_STORE_USER / SHERLOC_STORE_PASSWORD (and its URLs
    from SHERLOC_STORE_UPDATE / SHERLOC_STORE_GSP); they apply to whichever side is remote."""
    if source == target:
        raise UsageError("--from and --to name the same store")
    origin = open_store(ctx.settings.with_(store=source))
    try:
        destination = open_store(ctx.settings.with_(store=target))
        try:
            _migrate(origin, destination, replace=replace, chunk_size=chunk_size)
            _compact(destination)
        finally:
            destination.close()
    finally:
        origin.close()


def _migrate(origin: Store, destination: Store, *, replace: bool, chunk_size: int) -> None:
    graphs = origin.graphs()
    expected = {g: origin.count(g) for g in graphs}
    present = [g for g in graphs if destination.graph_exists(g)]
    if present and not replace:
        raise UsageError(f"the target already holds {len(present)} of the graphs (e.g. {present[0]}): "
                         "use --replace to overwrite them")
    if present:
        destination.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in present))
    total = sum(expected.values())
    copied = 0
    with progress_bar() as update:
        for graph in graphs:
            for chunk in origin.dump_chunks([graph], chunk_size=chunk_size):
                destination.restore(io.BytesIO(chunk), media_type="application/n-quads")
                copied += chunk.count(b"\n")
                if update:
                    update("migrate", copied, total)
            out.print(f"{graph}: {expected[graph]} triples")
    differences = {g: (n, destination.count(g)) for g, n in expected.items() if destination.count(g) != n}
    if differences:
        for graph, (want, got) in differences.items():
            err.print(f"[red]{graph}: {want} triples in the source, {got} in the target[/red]")
        err.print(f"[red]error: the counts differ in {len(differences)} graph(s)[/red]")
        sys.exit(1)
    out.print(f"migrated {len(graphs)} graph(s), {total} triples; counts checked")


@cli.command("check-ontology")
@click.pass_obj
def check_ontology(ctx: Context) -> None:
    """Run HermiT over the ontology; exit 1 if it is inconsistent or has unsatisfiable classes."""
    from .ontology_check import check_ontology as run_check

    report = run_check(ctx.settings.ontology_dir)
    if not report.consistent or report.unsatisfiable:
        err.print(f"[red]{report.message}[/red]")
        sys.exit(1)
    out.print(report.message)


@cli.group()
def tokens() -> None:
    """API tokens: create, list, revoke. Only their hashes are kept (SHERLOC_TOKENS)."""


@tokens.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r is not Role.PUBLIC]))
@click.option("--country", default=None, metavar="ISO3", help="The State a submitter or official acts for.")
@click.option("--name", default=None, help="Who holds the token (shown by tokens list).")
@click.pass_obj
def tokens_create(ctx: Context, role: str, country: str | None, name: str | None) -> None:
    """Make a token; it is printed once, alone on the last line, and never stored."""
    states, source = _known_states(ctx) if country is not None else (None, "")
    token = Tokens(ctx.settings.tokens).create(role, country=country, name=name, states=states, states_from=source)
    err.print(f"created a {role} token; keep it now, it cannot be shown again")
    click.echo(token)


def _known_states(ctx: Context) -> tuple[set[str], str]:
    """The codes of the States a token may be for, and where they come from: the store's
    countries graph when the store can be read and holds one (the fictional States of the
    examples or of ``generate --register`` included), else ISO 3166-1 (pycountry) and the
    examples' fictional States (the store may be held by the running server, or not initialised)."""
    where = ctx.settings.store
    readable = where != "memory" and ("://" in where or Path(where).exists())  # never create a store here
    try:
        if not readable:
            raise UsageError("no store to read")
        graph = ctx.iris.graph("countries")
        rows = ctx.store.select(f"SELECT ?code WHERE {{ GRAPH <{graph}> {{ ?c a <{SHERLOC.Country}> ; "
                                f"<{SHERLOC.iso3166Alpha3}> ?code }} }}").rows
    except SherlocError:
        rows = []
    if rows:
        return {str(r["code"]) for r in rows}, "the store's countries graph"
    import pycountry

    from .reference import fictional_codes

    return ({c.alpha_3 for c in pycountry.countries} | set(fictional_codes(ctx.settings)),
            "ISO 3166-1 or the examples' fictional States")


@tokens.command("list")
@click.pass_obj
def tokens_list(ctx: Context) -> None:
    """The tokens: id, role, country, name, created, revoked."""
    table = Table("id", "role", "country", "name", "created", "revoked")
    for entry in Tokens(ctx.settings.tokens).list():
        table.add_row(entry.id, entry.role, entry.country or "", entry.name or "", entry.created, entry.revoked or "")
    out.print(table)


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_obj
def tokens_revoke(ctx: Context, token_id: str) -> None:
    """Revoke the token with this id (from tokens list); it stops working at once."""
    Tokens(ctx.settings.tokens).revoke(token_id)
    out.print(f"revoked {token_id}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Web server processes sharing the port. More than one needs a remote store "
                   "(SHERLOC_STORE=URL): the embedded store belongs to one process.")
@click.pass_obj
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the SPARQL endpoint, the JSON API and the pages over HTTP."""
    import uvicorn

    from .api.app import create_app, server_options

    if ctx.settings.store == "memory":
        # No worker process can share a store in memory: its queries run in the server, with the
        # caps and the nesting bound but no timeout, and nothing stops one that runs for ever.
        err.print("[yellow]warning: the in-memory store is for tests and demonstrations: its queries run in the "
                  "server process, without a timeout; a public deployment must use the on-disk store "
                  "(--store DIR) or a remote SPARQL server (--store URL)[/yellow]", soft_wrap=True)
    if workers == 1:
        uvicorn.run(create_app(ctx.settings, store=ctx.store), host=host, port=port, log_level="info",
                    **server_options(ctx.settings))
        return
    if not ctx.settings.store.startswith(("http://", "https://")):
        raise UsageError(f"--workers {workers} needs a remote store (SHERLOC_STORE=URL); the embedded store "
                         f"'{ctx.settings.store}' can be opened by one process only: run one worker, or move "
                         "the data to a SPARQL server with `sherloc-kg migrate`")
    # Each worker process builds its application from the environment: pass on what the command
    # line chose, so every worker serves the same store under the same base.
    os.environ["SHERLOC_STORE"], os.environ["SHERLOC_BASE"] = ctx.settings.store, ctx.settings.base
    uvicorn.run("sherloc_kg.api.app:from_environment", factory=True, workers=workers,
                host=host, port=port, log_level="info", **server_options(ctx.settings))


@cli.command()
@click.option("--triples", "-n", required=True, type=click.IntRange(min=1), metavar="N",
              help="Target size: triples the records put in their graphs (provenance and inferred come on top).")
@click.option("--seed", "-s", default=0, show_default=True, type=int, help="Random seed: the same seed gives the same bytes.")
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Directory to write into.")
@click.option("--kinds", default=None, metavar="KIND,...", help="Only these kinds (comma-separated); default: every kind.")
@click.option("--states", default=110, show_default=True, type=click.IntRange(min=2, max=650), help="How many fictional States.")
@click.option("--register", is_flag=True, help="Also add the generated fictional States to the store's countries graph "
              "(after `init --with-examples`; `init` drops them again).")
@click.pass_obj
def generate(ctx: Context, triples: int, seed: int, out_dir: Path, kinds: str | None, states: int, register: bool) -> None:
    """Write a synthetic dataset (fictional States only, invented records) in our input formats, one
    file per kind, for benchmarks. Load it with `sherloc-kg load KIND DIR/FILE` after --register."""
    from .generate import KINDS, STATES_FILE, generate as run_generate, register_states

    chosen = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else list(KINDS)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise UsageError(f"--kinds: unknown kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")

    def progress(kind: str, records: int, count: int) -> None:
        err.print(f"{kind}: {records} records, {count} triples")

    result = run_generate(out_dir, triples=triples, seed=seed, settings=ctx.settings, states=states,
                          kinds=chosen, progress=progress)
    out.print(f"wrote {sum(result.records.values())} records, about {result.total} triples "
              f"(target {triples}) to {out_dir}")
    if register:
        size = register_states(ctx.store, ctx.settings, out_dir / STATES_FILE)
        out.print(f"countries: {size} triples (with {states} synthetic fictional States)")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except LoadStopped as stopped:
        err.print(f"[red]{stopped}[/red]", soft_wrap=True)
        sys.exit(stopped.exit_code)
    except click.exceptions.Abort:
        err.print("[red]aborted[/red]")
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except ValidationFailed as error:
        _print_issues(error.issues)
        err.print(f"[red]{len([i for i in error.issues if i.severity == 'Violation'])} violation(s): "
                  "nothing was written[/red]")
        sys.exit(error.exit_code)
    except SherlocError as error:
        err.print(f"[red]error: {error}[/red]", soft_wrap=True)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as error:
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
