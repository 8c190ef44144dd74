"""The loaders: one module per source, each a pure mapping from a source file to RDF records.

Each kind's module declares its :class:`~.registry.Loader` (kind, graphs, record class, formats,
readers) as ``LOADER``; :mod:`.registry` lists them by kind and imports a module only when its
kind is used. ``loader_for(kind)`` is what the CLI, the ingest pipeline and the API ask.
"""

from __future__ import annotations

from .registry import KINDS, Format, Loader, loader_for, loaders

__all__ = ["KINDS", "Format", "Loader", "loader_for", "loaders"]
