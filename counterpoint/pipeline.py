"""One build: load, resolve, render, check, write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from counterpoint.checks import check_links
from counterpoint.errors import BuildFailed, Problem
from counterpoint.loading import load_or_fail
from counterpoint.render import render_site
from counterpoint.write import check_writable, write_site
from counterpoint.xref import resolve


@dataclass(frozen=True)
class BuildResult:
    """What a successful build did."""

    pages: int
    """HTML pages written."""
    files: int
    """Files written in all."""
    citations: int
    """Citation markers resolved."""
    warnings: tuple[Problem, ...]
    """Warnings reported (none under `--strict`, which makes them errors)."""
    seconds: float
    """Wall time of the build."""


def render(root: Path, templates: Path, strict: bool = False) -> tuple[dict[str, bytes], int, list[Problem]]:
    """Load and render the site in `root` without writing; return files, citation count, warnings."""
    site, warnings = load_or_fail(root)
    links, problems = resolve(site)
    warnings += [p for p in problems if p.warning]
    errors = [p for p in problems if not p.warning]
    if strict:
        errors += [w.as_error() for w in warnings]
    if errors or links is None:
        raise BuildFailed(errors)
    files = render_site(site, links, templates)
    broken = check_links(files)
    if broken:
        raise BuildFailed(broken)
    return files, links.count, warnings


def build(root: Path, out: Path, templates: Path | None = None, strict: bool = False) -> BuildResult:
    """Build the site in `root` into `out`; raise BuildFailed, leaving `out` as it was, on any error."""
    start = time.perf_counter()
    check_writable(out)
    files, citations, warnings = render(root, templates or root / "templates", strict)
    write_site(files, out)
    pages = sum(1 for name in files if name.endswith(".html"))
    return BuildResult(pages, len(files), citations, tuple(warnings), time.perf_counter() - start)
