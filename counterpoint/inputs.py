"""Read a site's inputs from disk: the one place content, template and asset files are read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

Inputs = Mapping[str, bytes]
"""The bytes of site.yaml and of every file under content/, by path relative to the site folder."""


def read_inputs(root: Path) -> dict[str, bytes]:
    """Return the bytes of site.yaml and of every file under `root/content`, in sorted order."""
    paths = [root / "site.yaml", *_files_below(root / "content")]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def read_folder(folder: Path) -> dict[str, bytes]:
    """Return the bytes of every file below `folder` (templates and assets), by relative path, sorted."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in _files_below(folder)}


def _files_below(folder: Path) -> Iterator[Path]:
    """Yield the files below `folder`, sorted by name at every level, whatever order the disk lists them in."""
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.is_dir():
            yield from _files_below(path)
        elif path.is_file():
            yield path
