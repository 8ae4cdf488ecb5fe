"""Read a site's inputs from disk: the one place content, template and asset files are read."""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

Inputs = Mapping[str, bytes]
"""The bytes of site.yaml and of every Markdown file under content/, by path relative to the site folder."""

CONTENT = ("articles", "topics", "pages")
MARKDOWN = (".md", ".markdown")


class InputReader:
    """Reads a site's inputs, again only the files whose size, time or inode changed since the last read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: dict[str, tuple[Stamp, bytes]] = {}
        self.folders: list[str] = []
        """Folders (or links to folders) found inside content/'s folders at the last full read: not read."""
        self.unreadable: dict[str, str] = {}
        """Inputs that are there but cannot be read (a file without permission, a link leading nowhere, a
        pipe), each with why: the build fails on them rather than build a site without them."""

    def read(self, changed: Collection[str] | None = None) -> dict[str, bytes]:
        """Return the bytes of site.yaml and of the Markdown files of content/'s folders, in sorted order.

        `changed` names the only paths (relative to the site) that may have changed since the last read, as a
        file watcher reports them; by default every file is looked at.
        """
        if changed is not None and self._seen and not any(self._needs_full_read(rel) for rel in changed):
            return self._read_changed(changed)
        seen: dict[str, tuple[Stamp, bytes]] = {}
        self.folders, self.unreadable = [], {}
        for rel, path in self._paths():
            try:
                status = os.stat(path)
                if not stat.S_ISREG(status.st_mode):
                    self.unreadable[rel] = NOT_A_FILE
                    continue
                seen[rel] = read_unless_seen(path, status, self._seen.get(rel))
            except OSError as error:
                self.unreadable[rel] = why_unreadable(path, error)
        self._seen = seen
        return {rel: data for rel, (_, data) in seen.items()}

    def _needs_full_read(self, rel: str) -> bool:
        """Return True for a change under content/ that only a full read sees whole: a folder made, moved or
        removed, one named like a Markdown file (`x.md/`) included, or a file in a folder not known yet (a
        watcher may report the file alone)."""
        if _is_folder_event(rel) or rel in self.folders:
            return True
        parts = rel.split("/")
        if len(parts) > 3 and parts[0] == "content" and parts[1] in CONTENT:  # a file inside such a folder
            return "/".join(parts[:3]) not in self.folders  # a folder not known yet, to be warned about
        return _is_input(rel) and rel != "site.yaml" and os.path.isdir(os.path.join(self.root, rel))

    def _read_changed(self, changed: Collection[str]) -> dict[str, bytes]:
        """Read again the `changed` paths that are inputs (added, edited or removed), keeping the rest."""
        seen = dict(self._seen)
        for rel in changed:
            if not _is_input(rel):
                continue
            path = os.path.join(self.root, rel)
            self.unreadable.pop(rel, None)
            try:
                status = os.stat(path)
                if not stat.S_ISREG(status.st_mode):
                    seen.pop(rel, None)  # a pipe: no input (opening a pipe would wait for ever)
                    self.unreadable[rel] = NOT_A_FILE
                    continue
                seen[rel] = ((status.st_mtime_ns, status.st_size, status.st_ino), _read(path, status.st_size))
            except OSError as error:
                seen.pop(rel, None)
                if os.path.lexists(path):  # there, but not to be read
                    self.unreadable[rel] = why_unreadable(path, error)
        # A file edited keeps its place; one added goes to the end, out of order.
        self._seen = seen if seen.keys() <= self._seen.keys() else {rel: seen[rel] for rel in sorted(seen)}
        return {rel: data for rel, (_, data) in self._seen.items()}

    def _paths(self) -> Iterator[tuple[str, str]]:
        root = str(self.root)
        site_yaml = os.path.join(root, "site.yaml")
        if os.path.lexists(site_yaml):
            yield "site.yaml", site_yaml
        for folder in CONTENT:
            directory = os.path.join(root, "content", folder)
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except FileNotFoundError:
                continue  # a site without pages, say
            except OSError as error:
                self.unreadable[f"content/{folder}"] = why_unreadable(directory, error)
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                rel = f"content/{folder}/{entry.name}"
                try:
                    if entry.is_dir():
                        self.folders.append(rel)
                    elif entry.name.endswith(MARKDOWN):
                        yield rel, entry.path  # a file, or not: `read` tells
                except OSError as error:  # a link in a loop
                    if entry.name.endswith(MARKDOWN):
                        self.unreadable[rel] = why_unreadable(entry.path, error)


Stamp = tuple[int, int, int]
"""A file's modification time, size and inode: a file whose stamp is the same is taken to be unchanged."""


def read_unless_seen(path: str, status: os.stat_result, seen: tuple[Stamp, bytes] | None) -> tuple[Stamp, bytes]:
    """Return a regular file's stamp and bytes: those `seen` at the last read if its stamp is the same, else read
    again. Raise OSError."""
    stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
    if seen is not None and seen[0] == stamp:
        return seen
    return stamp, _read(path, status.st_size)


NOT_A_FILE = "it is not a file (but a folder, a pipe or a device); put the text in a file of that name"


def why_unreadable(path: str, error: OSError) -> str:
    """Say why an input that is there cannot be read, and what to do."""
    if os.path.islink(path) and not os.path.exists(path):
        return f"it is a link to {os.readlink(path)}, which is not there (or a link in a loop); fix or remove it"
    reason = error.strerror or str(error)
    return f"it cannot be read ({reason[:1].lower()}{reason[1:]}); make it readable, or move it out of the site"


def _read(path: str, size: int) -> bytes:
    """Return a file's bytes, expected to be about `size`, with as few calls to the kernel as can be (open()
    would ask for the file's size and whether it is a terminal again): it counts for thousands of files."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(descriptor, size + 1)
        if len(data) <= size:  # a regular file read short has ended
            return data
        chunks = [data]
        while chunks[-1]:  # the file grew since it was listed
            chunks.append(os.read(descriptor, max(size, 65536)))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _is_input(rel: str) -> bool:
    """Return True for the relative paths `InputReader` reads: site.yaml and content/<folder>/<name>.md."""
    if rel == "site.yaml":
        return True
    parts = rel.split("/")
    return (
        len(parts) == 3
        and parts[0] == "content"
        and parts[1] in CONTENT
        and parts[2].endswith(MARKDOWN)
        and not parts[2].startswith(".")  # editors' and macOS's hidden files: `.#x.md`, `._x.md`
    )


def _is_folder_event(rel: str) -> bool:
    """Return True for a change under content/ that is no input file: a folder made, moved or removed."""
    return rel.startswith("content") and not _is_input(rel) and not rel.endswith(MARKDOWN)


def read_inputs(root: Path) -> dict[str, bytes]:
    """Return the bytes of site.yaml and of the Markdown files of content/'s folders, in sorted order."""
    return InputReader(root).read()


def read_folder(
    folder: Path, loops: list[Path] | None = None, unreadable: dict[Path, str] | None = None
) -> dict[str, bytes]:
    """Return the bytes of every file below `folder` (templates and assets), by relative path, sorted.

    A link back to a folder being read is not followed, and is added to `loops`; a file that cannot be read is
    added to `unreadable`, with why (without it, the error is raised).
    """
    files = {}
    for path in _files_below(folder, frozenset(), loops):
        try:
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
        except OSError as error:
            if unreadable is None:
                raise
            unreadable[path] = why_unreadable(str(path), error)
    return files


def _files_below(folder: Path, seen: frozenset[str], loops: list[Path] | None) -> Iterator[Path]:
    """Yield the files below `folder`, sorted by name at every level, whatever order the disk lists them in."""
    real = os.path.realpath(folder)
    if not folder.is_dir():
        return
    if real in seen:
        if loops is not None:
            loops.append(folder)
        return
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.is_dir():
            yield from _files_below(path, seen | {real}, loops)
        elif path.is_file():
            yield path
