"""The ``sherloc-kg`` commands that put data in the store through the pipeline, or make it: ``init``,
``load``, ``validate`` and ``generate``. A load stops cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .cli_context import CommandContext, compact, err, out, print_issues, progress_bar
from .errors import UsageError
from .ingest import Ingest, LoadReport, LoadStopped, StoppedAfterCommit, request_stop

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


def summary(report: LoadReport) -> str:
    verb = "written" if report.written else "not written"
    return (f"{report.kind}: {report.records_read} record(s) read, {report.records_written} {verb} "
            f"({report.triples_written} triples); {len(report.violations)} violation(s), "
            f"{len(report.warnings)} warning(s)")


@click.command()
@click.option("--no-data", is_flag=True, help="Only the ontology, vocabularies, instruments and countries.")
@click.option("--with-examples", is_flag=True,
              help="Also the fictional States (XAA, XAB, XAC) and the invented, illustrative records of data/examples/.")
@click.pass_obj
def init(ctx: CommandContext, no_data: bool, with_examples: bool) -> None:
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
                out.print(summary(report))
            if with_examples:
                step = "the examples"
                for report in load_examples(ctx.store, ctx.settings, progress=update):
                    out.print("example " + summary(report))
                done.append(step)
    except StoppedAfterCommit as stopped:
        raise InitStopped(stopped, done + [step], None) from None
    except LoadStopped as stopped:
        raise InitStopped(stopped, done, step) from None
    compact(ctx.store)


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


@click.command()
@click.argument("kind")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "source_format", default=None, metavar="FORMAT",
              help="Source format (jsonl, csv, or one the kind's loader reads, e.g. untc, akn); by default guessed from the file.")
@click.option("--on-invalid", type=click.Choice(["refuse", "skip"]), default="refuse", show_default=True,
              help="refuse: any invalid record refuses the whole load. skip: write the valid records, report the rest.")
@click.pass_obj
def load(ctx: CommandContext, kind: str, files: tuple[Path, ...], source_format: str | None, on_invalid: str) -> None:
    """Validate and load FILES of KIND (e.g. cases) in one transaction."""
    _ingest(ctx, kind, files, source_format, on_invalid=on_invalid, write=True)


def _ingest(ctx: CommandContext, kind: str, files: tuple[Path, ...], source_format: str | None, *,
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
    print_issues(report.issues)
    out.print(summary(report))
    if report.written:
        compact(ctx.store, report.triples_written)
    if report.violations:
        sys.exit(1)


@click.command()
@click.argument("kind")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "source_format", default=None, metavar="FORMAT", help="As for load.")
@click.pass_obj
def validate(ctx: CommandContext, kind: str, files: tuple[Path, ...], source_format: str | None) -> None:
    """Check FILES of KIND against the shapes and the store; write nothing."""
    _ingest(ctx, kind, files, source_format, write=False)


@click.command()
@click.option("--triples", "-n", required=True, type=click.IntRange(min=1), metavar="N",
              help="Target size: triples the records put in their graphs (provenance and inferred come on top).")
@click.option("--seed", "-s", default=0, show_default=True, type=int, help="Random seed: the same seed gives the same bytes.")
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Directory to write into.")
@click.option("--kinds", default=None, metavar="KIND,...", help="Only these kinds (comma-separated); default: every kind.")
@click.option("--states", default=110, show_default=True, type=click.IntRange(min=2, max=650), help="How many fictional States.")
@click.option("--register", is_flag=True, help="Also add the generated fictional States to the store's countries graph "
              "(after `init --with-examples`; `init` drops them again).")
@click.pass_obj
def generate(ctx: CommandContext, triples: int, seed: int, out_dir: Path, kinds: str | None, states: int, register: bool) -> None:
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


