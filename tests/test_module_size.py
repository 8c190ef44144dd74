"""No module over 600 lines (issue 23, item 10): a module that grows past it holds more than one
concept and is split by concept, into modules whose names say what they hold. Every Python file git
tracks under the application's folders counts (the package, the API and loaders installed as its
subpackages, the benchmarks); the tests are not held to it."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("api", "sherloc_kg", "loaders", "benchmarks")
MAX_LINES = 600


def tracked_modules() -> list[Path]:
    """The .py files git tracks under FOLDERS (those deleted from the working tree left out)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--", *FOLDERS], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode("utf-8").split("\0")
    return sorted(ROOT / name for name in listed if name.endswith(".py") and (ROOT / name).is_file())


def test_the_count_covers_every_folder() -> None:
    modules = tracked_modules()
    assert {path.relative_to(ROOT).parts[0] for path in modules} == set(FOLDERS)
    assert ROOT / "sherloc_kg" / "cli.py" in modules


def test_no_module_is_over_600_lines() -> None:
    over = {}
    for path in tracked_modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            over[str(path.relative_to(ROOT))] = lines
    assert not over, f"over {MAX_LINES} lines (split each by concept): " + \
        ", ".join(f"{name} ({lines} lines)" for name, lines in sorted(over.items()))
