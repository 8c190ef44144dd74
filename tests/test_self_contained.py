"""A bare clone runs its tests (issue 21): nothing the tests read lies outside the repository.

The files the tests need from the project's shared folder are copied into tests/fixtures/shared/
(with their provenance note); the copies that data/ ships are checked against the digests of the
shared originals recorded there.
"""

from __future__ import annotations

import re

from .conftest import REPO, SHARED, sha256, shared_sha256

#: Ways a path to the shared folder beside the repository gets written: relative to the parent of
#: the repository (``..``, ``REPO.parent``, ``parents[2]``), or absolute under /work. (The pattern
#: uses character classes so that this module does not name the folder either.)
NAMES_THE_SHARED_FOLDER = re.compile(
    r"\.\.[/]shared|parents?(?:\[\d+\])?\s*/\s*[\"'][s]hared|/work/[s]hared|[\"'][s]hared/(?:fixtures|conformance|formats|seed)")

#: The code the test suite runs: its own modules, and the benchmarks its smoke test runs.
CODE = [*sorted((REPO / "tests").rglob("*.py")), *sorted((REPO / "benchmarks").rglob("*.py")), REPO / "Makefile"]


def test_no_test_module_names_the_shared_folder() -> None:
    found = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
             for path in CODE if "__pycache__" not in path.parts
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if NAMES_THE_SHARED_FOLDER.search(line)]
    assert found == []


def test_the_pattern_finds_each_way_of_naming_the_shared_folder() -> None:
    # {s} stands for the folder's name, so that these lines do not name it in this module.
    for line in ['REAL = REPO.parent / "{s}" / "fixtures"', "Path(__file__).resolve().parents[2] / '{s}'",
                 'path = "../{s}/fixtures/real/x.xml"', 'ROOT = Path("/work/{s}")',
                 'REAL = PROJECT_ROOT.parent / "{s}/fixtures/real"']:
        assert NAMES_THE_SHARED_FOLDER.search(line.format(s="shared")), line
    assert not NAMES_THE_SHARED_FOLDER.search('SHARED = REPO / "tests" / "fixtures" / "shared"')


def test_every_copy_has_its_provenance() -> None:
    """Each copied file is named in tests/fixtures/shared/PROVENANCE.md, by its path, its folder or
    its folder's ``*.ext``."""
    note = (SHARED / "PROVENANCE.md").read_text(encoding="utf-8")
    copies = [p.relative_to(SHARED) for p in SHARED.rglob("*") if p.is_file()]
    assert len(copies) > 10
    for relative in copies:
        if relative.name in {"PROVENANCE.md", "SHA256SUMS"}:
            continue
        names = {f"`{relative}`", f"`{relative.parent}/*{relative.suffix}`",
                 *(f"`{folder}/`" for folder in relative.parents if str(folder) != ".")}
        assert any(name in note for name in names), f"{relative} is not in tests/fixtures/shared/PROVENANCE.md"


def test_the_bundled_cases_are_the_shared_file_byte_for_byte() -> None:
    cases = "fixtures/real/sherloc-cases-tip-2026-08.jsonl"
    assert sha256(REPO / "data" / "cases" / "sherloc-cases-tip-2026-08.jsonl") == shared_sha256()[cases]
