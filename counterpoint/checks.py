"""Check a rendered site before it is written: every internal link and anchor resolves."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from counterpoint.errors import Problem


class _LinkCollector(HTMLParser):
    """Collect the ids and the links (href, src) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif name in ("href", "src"):
                self.links.append(value)


def page_links(html: str) -> tuple[set[str], list[str]]:
    """Return the ids and the link targets of an HTML page."""
    collector = _LinkCollector()
    collector.feed(html)
    return collector.ids, collector.links


def check_links(files: Mapping[str, bytes]) -> list[Problem]:
    """Return a problem for each relative link or anchor in `files` that leads nowhere."""
    return LinkChecker().check(files)


class LinkChecker:
    """Checks links, remembering each page's parse so a rebuild re-reads only the pages that changed."""

    def __init__(self) -> None:
        self._parsed: dict[str, tuple[bytes, tuple[set[str], list[str]]]] = {}

    def check(self, files: Mapping[str, bytes]) -> list[Problem]:
        """Return a problem for each relative link or anchor in `files` that leads nowhere."""
        pages = {name: self._parse(name, data) for name, data in files.items() if name.endswith(".html")}
        self._parsed = {name: self._parsed[name] for name in pages}
        problems = []
        for name, (_, links) in sorted(pages.items()):
            for link in links:
                problem = _check(name, link, files, pages)
                if problem:
                    problems.append(Problem(f"output/{name}", None, problem))
        return problems

    def _parse(self, name: str, data: bytes) -> tuple[set[str], list[str]]:
        cached = self._parsed.get(name)
        if cached is None or cached[0] != data:
            cached = (data, page_links(data.decode("utf-8")))
            self._parsed[name] = cached
        return cached[1]


def _check(
    name: str, link: str, files: Mapping[str, bytes], pages: Mapping[str, tuple[set[str], list[str]]]
) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith("/"):
        return None if parts.scheme or parts.netloc else f"link '{link}' is absolute; links must be relative"
    fragment = unquote(parts.fragment.split(":~:", 1)[0])
    target = name
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
        if parts.path.endswith("/") or target in (".", ""):
            target = posixpath.join("" if target == "." else target, "index.html")
    if target.startswith("../") or target not in files:
        return f"link '{link}' leads to a page that is not in the site"
    if fragment and fragment not in pages.get(target, (set(), []))[0]:
        return f"link '{link}' names an anchor '#{fragment}' that {target} does not have"
    return None
