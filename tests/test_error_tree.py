"""Every error class SHERLOC-KG raises on purpose is in the tree ``sherloc_kg/errors.py`` documents,
under its parent, with the HTTP status it has (issue 23, item 7: the tree listed 11 classes of 19)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import sherloc_kg
from sherloc_kg import errors
from sherloc_kg.errors import SherlocError


def _every_class() -> list[type[SherlocError]]:
    # the API and the loaders are subpackages kept in folders of their own (pyproject's package-dir)
    for package in (sherloc_kg, importlib.import_module("sherloc_kg.api"), importlib.import_module("sherloc_kg.loaders")):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    found, todo = [], [SherlocError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _documented() -> dict[str, tuple[int, str]]:
    """Each class name in the docstring's tree: (its depth, its line)."""
    tree: dict[str, tuple[int, str]] = {}
    for line in (errors.__doc__ or "").splitlines():
        match = re.search(r"[├└]── (\w+)", line)
        if match:
            tree[match.group(1)] = (match.start() // 4, line)  # the tree's lines are indented by 4
    return tree


def test_every_error_class_is_in_the_documented_tree_under_its_parent() -> None:
    tree = _documented()
    classes = _every_class()
    assert len(classes) >= 20
    for cls in classes:
        assert cls.__name__ in tree, f"{cls.__module__}.{cls.__name__} is not in errors.py's tree"
        depth, line = tree[cls.__name__]
        parent = cls.__mro__[1]
        if parent is SherlocError:
            assert depth == 1, line
        else:
            assert tree[parent.__name__][0] == depth - 1, (line, parent.__name__)
        if cls.http_status not in (500, 499) and "HTTP" in line:
            assert f"HTTP {cls.http_status}" in line, (cls.__name__, cls.http_status, line)
    assert set(tree) == {c.__name__ for c in classes}, "the tree names a class that does not exist"
