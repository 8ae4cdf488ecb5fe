"""Shared test helpers: the repository's paths and a way to run the command line in-process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
GOLDEN = ROOT / "tests" / "sites" / "golden"


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `build.py` with `args` in-process; return (status, stdout, stderr)."""
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def golden_copy(tmp_path: Path) -> Path:
    """Return a fresh copy of the golden site's sources (not its expected output)."""
    site = tmp_path / "site"
    shutil.copytree(GOLDEN, site, ignore=shutil.ignore_patterns("expected"))
    shutil.copytree(TEMPLATES, site / "templates")
    return site


@pytest.fixture
def build_site(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Return a function that builds a site folder and returns (status, stdout, stderr)."""

    def build(site: Path, *extra: str) -> tuple[int, str, str]:
        return run_cli(["--site", str(site), "--out", str(site / "output"), *extra], capsys)

    return build
