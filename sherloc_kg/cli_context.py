"""What every ``sherloc-kg`` command shares: the context (the settings, the store opened on first
use), the consoles (results on standard output, progress and problems on standard error), the
progress bar, and the compaction of an on-disk store after a batch write."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .config import Settings
from .errors import Issue
from .iris import Iris
from .store import Store, local_store, open_store

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class CommandContext:
    """What a command is handed (``ctx.obj``): the settings, their IRIs, and the store, opened on first use."""

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


def print_issues(issues: list[Issue], limit: int = 20) -> None:
    for issue in issues[:limit]:
        colour = "red" if issue.severity == "Violation" else "yellow"
        err.print(f"[{colour}]{issue}[/{colour}]", soft_wrap=True)
    if len(issues) > limit:
        err.print(f"... and {len(issues) - limit} more")


#: A load compacts the on-disk store afterwards when it wrote at least this share of the triples
#: the store then holds (a batch load); a smaller one leaves it to RocksDB's own background
#: compaction, since compacting costs time in proportion to the whole store (about 4 s at 1M).
COMPACT_SHARE = 0.1
#: Below this many triples a load never compacts, and the store is not counted (a full scan:
#: 0.3 s at 1M triples) to weigh it.
COMPACT_MIN = 10_000


def compact(store: Store, written: int | None = None) -> None:
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


