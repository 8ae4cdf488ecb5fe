"""The site's URL scheme, in one place: where each page lives and how one page links to another.

A site path names a page as the reader sees it (`topics/x/`); the file it is
served from is its output path (`topics/x/index.html`). Every link is made
relative to the page it is on, so the output works at a domain's root, under
any sub-path, and from disk.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

INDEX = "index.html"
SOURCES = "sources/index.html"
NOT_FOUND = "404.html"


def topic(slug: str) -> str:
    """Return the site path of a topic's page."""
    return f"topics/{slug}/"


def page(slug: str) -> str:
    """Return the site path of another page (about, method)."""
    return f"{slug}/"


def source(slug: str) -> str:
    """Return the site path of a source's page."""
    return f"sources/{slug}/"


def paragraph(number: int) -> str:
    """Return the element id of a source's paragraph ¶number."""
    return f"p{number}"


def file(path: str) -> str:
    """Return the file a site path is served from: `topics/x/` is `topics/x/index.html`."""
    return path + INDEX if path.endswith("/") or not path else path


def absolute(base: str, path: str) -> str:
    """Return the public address of an output file: `topics/x/index.html` is served as `BASE/topics/x/`."""
    if path == INDEX or path.endswith("/" + INDEX):
        path = path[: -len(INDEX)]
    return base.rstrip("/") + "/" + path


Linker = Callable[[str], str]
"""Turns a site path, maybe with a `#fragment`, into the href to write on one page."""


def relative_linker(from_path: str, directory_urls: bool) -> Linker:
    """Return a function that makes site paths relative to the page at output path `from_path`."""
    here = [part for part in posixpath.dirname(from_path).split("/") if part]
    made: dict[str, str] = {}

    def link(target: str) -> str:
        found = made.get(target)
        if found is None:
            found = made[target] = _relative(target, here, directory_urls)
        return found

    return link


def _relative(target: str, here: list[str], directory_urls: bool) -> str:
    """Return the href of site path `target` from a page in the folder `here` (its parts)."""
    path, _, fragment = target.partition("#")
    if not path:
        return f"#{fragment}"
    path = file(path)
    if directory_urls and (path == INDEX or path.endswith("/" + INDEX)):
        path = path[: -len(INDEX)]
    if path in ("", "."):
        parts = ["."]
    else:
        parts = (posixpath.normpath(path) if "/." in path or "//" in path or path[0] == "." else path).split("/")
    common = 0
    while common < min(len(here), len(parts)) and here[common] == parts[common]:
        common += 1
    relative = "/".join([".."] * (len(here) - common) + parts[common:]) or "."
    if relative.endswith("/."):
        relative = relative[:-2] or "."
    if path.endswith("/") and relative != ".":
        relative += "/"
    if relative == ".":
        relative = "./"
    return relative + (f"#{fragment}" if fragment else "")


def absolute_linker(base: str) -> Linker:
    """Return a function that makes site paths absolute, for pages served at any address (404.html)."""

    def link(target: str) -> str:
        path, _, fragment = target.partition("#")
        return absolute(base, file(path)) + (f"#{fragment}" if fragment else "")

    return link
