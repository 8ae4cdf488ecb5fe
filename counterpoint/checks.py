"""Check a rendered site before it is written: every internal link and anchor resolves.

Each page is read once, as it is rendered, for its ids and links (`read_page`);
the check itself is then set lookups over the whole site (`check_links`).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from counterpoint.errors import Problem

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ATTRIBUTE = re.compile(r"""\s(id|href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
"""An id or link attribute. Read over the whole page, not tag by tag: in text, a `"` is always escaped
(markdown-it and Jinja both do it), so `href="` can only stand inside a tag."""
_PLAIN_ID = re.compile(r' id="([^"]*)"')
_PLAIN_LINK = re.compile(r' (?:href|src)="([^"]*)"')
"""The same, written as markdown-it and Counterpoint always write it: four times faster to find."""
_OTHER_SPELLING = re.compile(r"""\s(?:id|href|src)\s*=\s*[^"\s]|[^ ](?:id|href|src)\s*=\s*"|\s(?:id|href|src)\s+=""")


_JINJA_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def plain_attributes(templates: Iterable[str]) -> bool:
    """Return True if the templates write every id, href and src as ` name="value"`, as the rest of a page does."""
    return not any(_OTHER_SPELLING.search(_JINJA_TAG.sub("", text)) for text in templates)


class Link(NamedTuple):
    """A relative link of a page."""

    written: str
    """The link as written."""
    target: str
    """The output path it leads to; empty when it is wrong whatever the site holds."""
    fragment: str
    """The anchor it names, or empty."""
    problem: str = ""
    """Why it is wrong whatever the site holds (an absolute path, or one leading out of the site)."""


@dataclass(frozen=True)
class PageLinks:
    """What the link check needs of one HTML page."""

    ids: frozenset[str]
    """The ids of its elements."""
    links: tuple[Link, ...]
    """Each distinct link to another page, and each wrong link (an anchor missing on this very page, too),
    in page order."""


def read_page(name: str, html: str, plain: bool = False, known: dict[str, Link | None] | None = None) -> PageLinks:
    """Return the ids and the relative links of the page at output path `name`.

    `plain` says every attribute is spelled ` name="value"` (see `plain_attributes`), which reads faster.
    `known` holds what each link of an earlier version of the page leads to, and takes in the new ones: a page
    rendered again mostly links where it did (the index, to thousands of topics).
    """
    if "<!--" in html:
        html = _COMMENT.sub("", html)
    if plain:
        ids = set(_PLAIN_ID.findall(html))
        written = dict.fromkeys(_PLAIN_LINK.findall(html))
        if "&" in html:
            ids = {unescape(value) if "&" in value else value for value in ids}
            written = {unescape(value) if "&" in value else value: None for value in written}
    else:
        ids, written = set(), {}
        for attribute, double, single, bare in _ATTRIBUTE.findall(html):
            value = double or single or bare
            if "&" in value:
                value = unescape(value)
            if attribute == "id":
                ids.add(value)
            else:
                written[value] = None
    folder = posixpath.dirname(name)
    up = "../" * (folder.count("/") + 1) if folder else ""
    links = []
    for written_link in written:
        local = written_link.startswith("#") and "%" not in written_link and ":~:" not in written_link
        if local and (written_link[1:] in ids or written_link == "#"):  # the common case: a note on this page
            continue
        if known is not None and written_link in known:
            link = known[written_link]
        else:
            link = _from_top(up, written_link) if written_link.startswith(up) else None  # at the top, `up` is ""
            if link is None:
                link = _link(folder, written_link)
            if known is not None:
                known[written_link] = link
        if link is None:
            continue
        if link.target or link.problem:
            links.append(link)
        elif link.fragment and link.fragment not in ids:  # an anchor on this page: checked here and now
            message = f"link '{link.written}' names an anchor '#{link.fragment}' that {name} does not have"
            links.append(Link(link.written, "", "", message))
    return PageLinks(frozenset(ids), tuple(links))


def pack_page(name: str, page: PageLinks) -> str:
    """Return a page's links as one string, for a trip between processes: strings travel far faster than
    many small objects. NUL separates the values: no attribute holds one (HTML parsers make it U+FFFD)."""
    parts = [name, str(len(page.ids)), *page.ids]
    for link in page.links:
        parts += link
    return "\0".join(parts)


def _unpack_ids(packed: str) -> tuple[str, frozenset[str]]:
    """Return the name and the ids of a page `pack_page` packed."""
    values = packed.split("\0")
    return values[0], frozenset(values[2 : 2 + int(values[1])])


def unpack_page(packed: str) -> tuple[str, PageLinks]:
    """Return the name and the links of a page `pack_page` packed."""
    values = packed.split("\0")
    start = 2 + int(values[1])
    fields = values[start:]
    return values[0], PageLinks(
        frozenset(values[2:start]), tuple(map(Link._make, zip(*[iter(fields)] * 4, strict=True)))
    )


def broken_packed_links(packed: Iterable[Sequence[str]], files: Collection[str]) -> list[Problem]:
    """Return the broken links of packed pages (as `broken_links` does), in lists of pages packed one by one
    (`pack_page`), reading them twice rather than holding them: the ids of every page first, then each
    page's links, checked and let go."""
    parts = list(packed)
    ids = dict(_unpack_ids(page) for part in parts for page in part)
    problems = []
    for part in parts:
        for page in part:
            name, links = unpack_page(page)
            problems += broken_links_among({name: links}, _Ids(ids), files)
    return sorted(problems, key=lambda problem: problem.path)


class _Ids(Mapping[str, PageLinks]):
    """Pages known by their ids alone, which is all `broken_links_among` reads of the pages linked to."""

    def __init__(self, ids: Mapping[str, frozenset[str]]) -> None:
        self.ids = ids

    def __getitem__(self, name: str) -> PageLinks:
        return PageLinks(self.ids[name], ())

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, name: object) -> bool:
        return name in self.ids


def _from_top(up: str, link: str) -> Link | None:
    """Read a link that climbs to the top of the site (`up`) and names a plain site path from there, as the
    theme's `link()` writes them all; None for any other, which `_link` reads."""
    path, _, fragment = link[len(up) :].partition("#")
    if not path or "%" in link or "?" in path or "//" in path or "/." in path or ":" in path or path[0] in "./":
        return None
    if path.endswith("/"):
        path += "index.html"
    return Link(link, path, fragment.split(":~:", 1)[0])


def _external(link: str) -> bool:
    """Return True for a link with a scheme or a host (`https:`, `mailto:`, `//host`), which is not checked."""
    head = link.split("/", 1)[0]
    return link.startswith("//") or (":" in head and bool(urlsplit(link).scheme))


@functools.lru_cache(maxsize=4096)
def _resolve(folder: str, path: str) -> str:
    """Return the output path a link's path leads to from a page in `folder`."""
    path = unquote(path)
    parts, rest = folder.split("/") if folder else [], path
    while rest.startswith("../") and parts:  # the common case, `../../sources/x/`, without normpath
        parts.pop()
        rest = rest[3:]
    if rest and not rest.startswith(("./", "../")) and "/." not in rest and "//" not in rest and rest != "..":
        target = "/".join([*parts, rest])
    else:
        target = posixpath.normpath(posixpath.join(folder, path))
    if path.endswith("/") or target in (".", ""):
        target = posixpath.join("" if target == "." else target.rstrip("/"), "index.html")
    return target


def _link(folder: str, link: str) -> Link | None:
    """Return what `link`, on a page in `folder`, leads to (an empty target: the page itself), or None when
    it leads off the site."""
    if _external(link):
        return None
    if link.startswith("/"):
        return Link(link, "", "", f"link '{link}' is absolute; links must be relative")
    path, _, fragment = link.partition("#")
    path = path.partition("?")[0]
    fragment = fragment.split(":~:", 1)[0]
    if "%" in fragment:
        fragment = unquote(fragment)
    target = _resolve(folder, path) if path else ""
    if target.startswith("../"):
        return Link(link, "", "", f"link '{link}' leads to a page that is not in the site")
    return Link(link, target, fragment)


def check_links(files: Mapping[str, bytes]) -> list[Problem]:
    """Return a problem for each relative link or anchor in `files` that leads nowhere."""
    pages = {name: read_page(name, data.decode("utf-8")) for name, data in files.items() if name.endswith(".html")}
    return broken_links(pages, files.keys())


def broken_links(pages: Mapping[str, PageLinks], files: Collection[str]) -> list[Problem]:
    """Return a problem for each link of `pages` that leads to no file of `files`, or to a missing anchor."""
    return broken_links_among(pages, pages, files)


def broken_links_among(
    checked: Mapping[str, PageLinks], pages: Mapping[str, PageLinks], files: Collection[str]
) -> list[Problem]:
    """Return the broken links of the pages `checked`, given every page of the site and every file."""
    problems = []
    for name in sorted(checked):
        for link, target, fragment, problem in checked[name].links:
            if problem:
                problems.append(Problem(f"output/{name}", None, problem))
            elif target not in files:
                problems.append(
                    Problem(f"output/{name}", None, f"link '{link}' leads to a page that is not in the site")
                )
            elif fragment and (target not in pages or fragment not in pages[target].ids):
                message = f"link '{link}' names an anchor '#{fragment}' that {target} does not have"
                problems.append(Problem(f"output/{name}", None, message))
    return problems


class LinkIndex:
    """The links of the last build, so a rebuild checks only the pages an edit can have broken or mended."""

    def __init__(self) -> None:
        self.pages: dict[str, PageLinks] = {}
        self.incoming: dict[str, set[str]] = {}
        """Pages linking to each output path."""
        self.problems: dict[str, list[Problem]] = {}
        """The broken links of each page that has any."""
        self._files: tuple[Collection[str], frozenset[str]] = (frozenset(), frozenset())
        """The files of the last update, and its pages among them."""

    def update(self, changed: Mapping[str, PageLinks], files: Collection[str]) -> list[Problem]:
        """Take the pages rendered again, and every file the site now has; return every broken link."""
        gone: list[str] = []  # pages
        removed: Collection[str] = ()  # any file
        if self._files[0] is not files:  # files added or removed: a rebuild of the same files passes the very same
            removed = [name for name in self._files[0] if name not in files]
            html = frozenset(name for name in files if name.endswith(".html"))
            gone = [name for name in self.pages if name not in html]
            self._files = (files, html)
        moved = {name for name, page in changed.items() if name not in self.pages or page.ids != self.pages[name].ids}
        recheck = set(changed)
        for name in (*removed, *gone, *moved):
            recheck |= self.incoming.get(name, set())
        for name in gone:
            self._link(name, None)
            self.problems.pop(name, None)
        for name, page in changed.items():
            self._link(name, page)
        current = {name: self.pages[name] for name in recheck if name in self.pages}
        for name in current:
            self.problems.pop(name, None)
        for problem in broken_links_among(current, self.pages, files):
            self.problems.setdefault(problem.path.removeprefix("output/"), []).append(problem)
        return [problem for name in sorted(self.problems) for problem in self.problems[name]]

    def _link(self, name: str, page: PageLinks | None) -> None:
        """Record `page` as the page at `name` (None: there is none now), and where it links to."""
        old = self.pages.pop(name, None)
        before = {link.target for link in old.links} if old is not None else set()
        after = {link.target for link in page.links} if page is not None else set()
        for target in before - after:
            self.incoming[target].discard(name)
        for target in after - before:
            self.incoming.setdefault(target, set()).add(name)
        if page is not None:
            self.pages[name] = page
