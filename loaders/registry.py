"""The loaders as objects: one :class:`Loader` per kind, what the CLI, the statistics and the API read.

A kind (as the command line names it: ``sherloc-kg load cases FILE``) has one loader, declared by
its module as ``LOADER``: the kind, the named graphs its records go to, the class its records have
(what the statistics count), the input formats it reads (:class:`Format`) and how it reads them
(``read``, and ``detect_format``, ``read_many``, ``accepts`` where it differs from the flat kinds).

:data:`MODULES` registers each kind's module; a module is imported when its kind is first asked for
(:func:`loader_for`), so that naming one kind does not import every parser. The registry is fixed
here, not changed at run time: a new kind is a new module and a line in :data:`MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris

from .records import Record
from .records import detect_format as flat_format

#: Reads one file as records (``source_format`` None: told from the file, as ``detect_format`` says).
Reader = Callable[[Path, Iris, str | None], Iterator[Record]]
#: Reads every file of one load together (a record may come from several files).
ManyReader = Callable[[list[Path], Iris, str | None], Iterator[Record]]

#: The suffixes of the files a loader reads from a folder unless it says otherwise (``accepts``).
SOURCE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".xml")


def any_source(path: Path) -> bool:
    """Whether a file met in a folder given to ``sherloc-kg load`` is one to read: by its suffix."""
    return path.suffix.lower() in SOURCE_SUFFIXES


@dataclass(frozen=True)
class Format:
    """One input format a loader reads: the name ``--format`` (and the API's ``?format=``) takes,
    its other spellings, the suffix a file of it has (an upload is stored under it) and what it is."""

    name: str
    suffix: str
    reads: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


#: The two flat formats of shared/formats/README.md, which every kind but authorities reads.
JSONL = Format("jsonl", ".jsonl", "JSON Lines in our format, one record a line")
CSV = Format("csv", ".csv", "CSV in our format, a header row, several values of a cell separated by ';'")
FLAT = (JSONL, CSV)


@dataclass(frozen=True)
class Loader:
    """A kind's loader: what it writes and what it reads. It maps only (records as RDF); the ingest
    pipeline validates and writes them (sherloc_kg/ingest.py)."""

    kind: str
    #: The named graphs its records go to (sherloc_kg/iris.py GRAPHS); a load replaces its
    #: records in each of them.
    graphs: tuple[str, ...]
    #: The class of the kind's records (of a kind with several, the one it is counted by):
    #: ``sherloc-kg stats`` counts the kind by it.
    record_class: URIRef
    #: The formats it reads, the first its own.
    formats: tuple[Format, ...]
    read: Reader
    #: The format a file is read as when none is given (``sherloc-kg load`` says it).
    detect_format: Callable[[Path], str] = flat_format
    #: Given, the pipeline hands it every file of a load at once instead of each to ``read``.
    read_many: ManyReader | None = None
    #: Which files of a folder given to ``sherloc-kg load`` it reads.
    accepts: Callable[[Path], bool] = any_source

    @property
    def format_names(self) -> tuple[str, ...]:
        """Every name ``--format`` takes for this kind, other spellings included."""
        return tuple(n for f in self.formats for n in f.names)


#: kind → the module (in this package) whose ``LOADER`` it is, in the order the kinds are listed
#: (``sherloc-kg stats`` follows it).
MODULES: dict[str, str] = {
    "cases": "cases",
    "legislation": "legislation",
    "participation": "participation",
    "treaties": "treaties",
    "strategies": "strategies",
    "bibliography": "bibliography",
    "authorities": "authorities",
    "guide": "guide",
    "review": "review",
    "mechanism": "mechanism",
    "editorial": "editorial",
}
#: The kinds ``sherloc-kg load`` and ``POST /api/records/{kind}`` take.
KINDS: tuple[str, ...] = tuple(MODULES)


def loader_for(kind: str) -> Loader:
    """The loader of ``kind``; an unknown kind is a UsageError listing the known ones."""
    if kind not in MODULES:
        raise UsageError(f"unknown kind '{kind}'; known kinds: {', '.join(sorted(MODULES))}")
    loader = importlib.import_module(f"{__package__}.{MODULES[kind]}").LOADER
    if not isinstance(loader, Loader) or loader.kind != kind:
        raise TypeError(f"{__package__}.{MODULES[kind]}.LOADER is not the Loader of '{kind}'")
    return loader


def loaders() -> tuple[Loader, ...]:
    """Every loader, in the order of :data:`KINDS`."""
    return tuple(loader_for(kind) for kind in KINDS)
