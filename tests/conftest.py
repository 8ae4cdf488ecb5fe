"""Shared test helpers: the repository's paths and a way to run the command line in-process."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from counterpoint.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "counterpoint" / "theme"
GOLDEN = ROOT / "tests" / "sites" / "golden"


Build = Callable[..., tuple[int, str, str]]


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) by `new` in the file at `path`."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(err: str) -> list[str]:
    """Return the problem lines of stderr, without the closing summary."""
    return [line for line in err.splitlines() if not line.startswith("Build failed:")]


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


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Return headless Chromium (Debian's package), driven by Playwright; CI must have it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package for the browser tests")
        pytest.skip("Chromium is not installed here (apt-get install chromium); CI installs it and runs this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()
