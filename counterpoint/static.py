"""A site's own static files: `static/` published as it is, at the same paths (`static/images/map.png` at
`images/map.png`), as Hugo's and Zola's `static/` and Eleventy's passthrough copy are.

Images for the commentary go here: unlike the theme's assets, their names carry no hash, so Markdown can name
them. Files are read again only when their size, time or inode changed, so that a preview rebuild after a
topic edit does not read a folder of images. Hidden files are published too (`.nojekyll`, `.well-known/`),
but for what version control, file managers and editors leave about (`.git`, `.DS_Store`, `x.md~`).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from counterpoint.errors import Problem
from counterpoint.inputs import NOT_A_FILE, Stamp, read_unless_seen, why_unreadable

FOLDER = "static"
"""The folder of the site holding its static files."""


class StaticReader:
    """Reads a site's `static/` folder, again only the files that changed since the last read."""

    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER
        self._seen: dict[str, tuple[Stamp, bytes]] = {}

    def read(self) -> tuple[dict[str, bytes], str, list[Problem]]:
        """Return the files by their path in the site (sorted), a fingerprint of them, and what could not be
        read (each an error: a file left out would be a broken site)."""
        seen: dict[str, tuple[Stamp, bytes]] = {}
        problems: list[Problem] = []
        for rel, path in _walk(str(self.folder), "", frozenset(), problems):
            try:
                status = os.stat(path)
                if not stat.S_ISREG(status.st_mode):
                    problems.append(Problem(f"{FOLDER}/{rel}", None, NOT_A_FILE))
                    continue
                seen[rel] = read_unless_seen(path, status, self._seen.get(rel))
            except OSError as error:
                problems.append(Problem(f"{FOLDER}/{rel}", None, why_unreadable(path, error)))
        self._seen = seen
        digest = hashlib.sha256()
        for rel, (stamp, data) in seen.items():
            digest.update(f"{rel}\0{stamp}\0{len(data)}\0".encode(errors="surrogateescape"))
        return {rel: data for rel, (_, data) in seen.items()}, digest.hexdigest() if seen else "", problems


_LEFT_OUT = frozenset({".git", ".hg", ".svn", ".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"})
"""What version control and file managers leave in a folder: never published."""
_TEMPORARY = re.compile(r"~$|\.sw.$|^\.#|^#.*#$|\.tmp$")
"""Editors' backup, swap and lock files."""


def _walk(folder: str, prefix: str, visited: frozenset[str], problems: list[Problem]) -> list[tuple[str, str]]:
    """Return (path in the site, path on disk) of each file below `folder`, sorted by name at every level; a
    link back to a folder being walked is not followed."""
    real = os.path.realpath(folder)
    if real in visited:
        return []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except FileNotFoundError:
        return []
    except OSError as error:
        problems.append(Problem(f"{FOLDER}/{prefix}".rstrip("/"), None, why_unreadable(folder, error)))
        return []
    found: list[tuple[str, str]] = []
    for entry in entries:
        if entry.name in _LEFT_OUT or _TEMPORARY.search(entry.name):
            continue
        rel = f"{prefix}{entry.name}"
        try:
            if entry.is_dir():
                found += _walk(entry.path, f"{rel}/", visited | {real}, problems)
            else:
                found.append((rel, entry.path))
        except OSError as error:  # a link in a loop
            problems.append(Problem(f"{FOLDER}/{rel}", None, why_unreadable(entry.path, error)))
    return found


def clashes(static: list[str], generated: set[str]) -> list[Problem]:
    """Refuse static files at paths the build writes itself (`index.html`, a topic's page, a theme's asset,
    `pagefind/`), where it needs a folder (`about` against `about/index.html`), or under a file of its own."""
    folders = {"pagefind"} | {parent for path in generated for parent in _parents(path)}
    said = "the site writes a file or folder of this name itself; rename yours, or move it to another folder"
    return [
        Problem(f"{FOLDER}/{path}", None, said)
        for path in static
        if path in generated
        or path in folders
        or path.split("/", 1)[0] == "pagefind"
        or path.startswith(".counterpoint")  # the output's marker, and a build's folders
        or any(parent in generated for parent in _parents(path))
    ]


def _parents(path: str) -> list[str]:
    """Return the folders a path is in: `topics/x/index.html` is in `topics` and `topics/x`."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
