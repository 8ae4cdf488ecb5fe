"""The golden site: built and compared with its expected output, file by file.

After an intended change to the output, regenerate the expected files with

    python build.py --site tests/sites/golden --out tests/sites/golden/expected

and review the diff (`git diff tests/sites/golden/expected`) before committing it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from conftest import GOLDEN, TEMPLATES, run_cli

REGENERATE = "python build.py --site tests/sites/golden --out tests/sites/golden/expected"


def files_under(folder: Path) -> dict[str, bytes]:
    """Return every file below `folder` by its relative path, but the search index (pagefind/, binary files
    that tests/test_search.py checks, and that git ignores in expected/)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")
    }


def test_golden_site_matches_expected_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    status, _, err = run_cli(
        ["--site", str(GOLDEN), "--templates", str(TEMPLATES), "--out", str(out), "--strict"], capsys
    )
    assert status == 0, err
    built, expected = files_under(out), files_under(GOLDEN / "expected")
    assert sorted(built) == sorted(expected), f"the set of files changed; if intended, run: {REGENERATE}"
    for name in expected:
        if built[name] != expected[name]:
            diff = difflib.unified_diff(
                expected[name].decode().splitlines(),
                built[name].decode().splitlines(),
                "expected",
                "built",
                lineterm="",
            )
            pytest.fail(f"{name} differs; if intended, run: {REGENERATE}\n" + "\n".join(list(diff)[:40]))
