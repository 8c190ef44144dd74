"""The ``sherloc-kg`` commands that read, copy and look after a store: ``query`` and ``queries``,
``export``, ``restore``, ``migrate``, ``optimize``, ``stats`` and ``check-ontology``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click
from rich.table import Table

from .access import PUBLIC, is_restricted
from .cli_context import CommandContext, compact, err, out, progress_bar
from .errors import UsageError
from .iris import GRAPHS
from .queries import QueryLibrary
from .store import Store, local_store, open_store

EXPORT_FORMATS = {"nq": "application/n-quads", "trig": "application/trig", "ttl": "text/turtle"}
QUERY_FORMATS = {"json": "application/sparql-results+json", "csv": "text/csv"}


@click.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_obj
def query(ctx: CommandContext, name: str, params: tuple[str, ...], output_format: str) -> None:
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


@click.command("queries")
@click.pass_obj
def list_queries(ctx: CommandContext) -> None:
    """List the named queries with their parameters."""
    for named in QueryLibrary(ctx.settings.queries_dir).all():
        out.print(f"[bold]{named.name}[/bold]: {named.title}")
        for p in named.parameters:
            out.print(f"    {p.name} ({p.type}, {'required' if p.required else 'optional'}): {p.help}")


@click.command()
@click.option("--format", "export_format", type=click.Choice(sorted(EXPORT_FORMATS)), default="nq", show_default=True)
@click.option("--graph", "graphs", multiple=True, type=click.Choice(GRAPHS), help="Only these graphs (repeatable).")
@click.option("--public", is_flag=True, help="Leave out the restricted graphs.")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help="File to write (default: standard output).")
@click.pass_obj
def export(ctx: CommandContext, export_format: str, graphs: tuple[str, ...], public: bool, output: Path | None) -> None:
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


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--trusted", is_flag=True,
              help="Required: the dump is written as it is, without the SHACL gate (a dump made by `export` that you trust).")
@click.option("--replace", is_flag=True, help="Replace the whole content of a store that is not empty (else refused).")
@click.option("--format", "dump_format_name", type=click.Choice(["nq", "trig"]), default=None,
              help="Syntax of the dump (default: from the file name, .nq or .trig).")
@click.pass_obj
def restore(ctx: CommandContext, file: Path, trusted: bool, replace: bool, dump_format_name: str | None) -> None:
    """Make the store exactly FILE, a dump made by `export` (N-Quads or TriG), at bulk-load speed:
    no validation, no inference (the dump holds the inferred and provenance graphs already)."""
    from .ingest import dump_format, restore_trusted

    media_type = dump_format(file, dump_format_name)
    total = restore_trusted(ctx.store, file, media_type=media_type, trusted=trusted, replace=replace)
    out.print(f"restored {file}: the store now holds {total} triples")
    # Compacted although the bulk loader's files are sorted: at 1M triples it makes them a third
    # larger on disk (553 to 723 MB) but the entity pages 1.4-1.7x faster (benchmarks/lookups.py).
    compact(ctx.store)


@click.command()
@click.pass_obj
def optimize(ctx: CommandContext) -> None:
    """Compact the on-disk store (and its public mirror): smaller on disk, faster to query. `init`,
    `restore` and a load that writes a tenth of the store or more do it themselves; run it after
    many small loads. A SPARQL server manages its own storage."""
    if local_store(ctx.store) is None:
        raise UsageError(f"nothing to compact: {ctx.store.location} is not an on-disk embedded store")
    compact(ctx.store)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def stats(ctx: CommandContext, as_json: bool) -> None:
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


@click.command()
@click.option("--from", "source", required=True, metavar="STORE", help="The store to copy: a directory, or an http(s) SPARQL endpoint URL.")
@click.option("--to", "target", required=True, metavar="STORE", help="The store to copy into (same forms).")
@click.option("--replace", is_flag=True, help="Drop the target's copies of the graphs first (else a graph already there is refused).")
@click.option("--chunk-size", default=50_000, show_default=True, type=click.IntRange(min=1), help="Quads per piece.")
@click.pass_obj
def migrate(ctx: CommandContext, source: str, target: str, replace: bool, chunk_size: int) -> None:
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
            compact(destination)
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


@click.command("check-ontology")
@click.pass_obj
def check_ontology(ctx: CommandContext) -> None:
    """Run HermiT over the ontology; exit 1 if it is inconsistent or has unsatisfiable classes."""
    from .ontology_check import check_ontology as run_check

    report = run_check(ctx.settings.ontology_dir)
    if not report.consistent or report.unsatisfiable:
        err.print(f"[red]{report.message}[/red]")
        sys.exit(1)
    out.print(report.message)


