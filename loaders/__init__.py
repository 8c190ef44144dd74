"""The loaders: one module per source, each a pure mapping from a source file to RDF records.

The registry maps a kind (as the CLI names it: ``sherloc-kg load cases FILE``) to its module,
imported only when used. A loader module defines ``KIND``, ``GRAPHS`` (the named graphs its
records go to), ``RECORD_CLASS`` and ``read(path, iris, source_format) -> Iterator[Record]``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from sherloc_kg.errors import UsageError

LOADERS: dict[str, str] = {
    "cases": "sherloc_kg.loaders.cases",
    "legislation": "sherloc_kg.loaders.legislation",
    "participation": "sherloc_kg.loaders.participation",
    "treaties": "sherloc_kg.loaders.treaties",
    "strategies": "sherloc_kg.loaders.strategies",
    "authorities": "sherloc_kg.loaders.authorities",
    "guide": "sherloc_kg.loaders.guide",
    "review": "sherloc_kg.loaders.review",
    "mechanism": "sherloc_kg.loaders.mechanism",
    "bibliography": "sherloc_kg.loaders.bibliography",
    "editorial": "sherloc_kg.loaders.editorial",
}


def loader_for(kind: str) -> ModuleType:
    if kind not in LOADERS:
        raise UsageError(f"unknown kind '{kind}'; known kinds: {', '.join(sorted(LOADERS))}")
    return importlib.import_module(LOADERS[kind])


def detect_format(kind: str, path: Path) -> str:
    """The format ``sherloc-kg load KIND FILE`` reads FILE as when ``--format`` is not given: the
    loader's own ``detect_format`` where it has one, else ``jsonl``/``csv`` by the file name."""
    from .records import detect_format as by_name

    return getattr(loader_for(kind), "detect_format", by_name)(path)
