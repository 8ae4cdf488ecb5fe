"""Builds: load, resolve, render, check, write; and rebuilds that redo only what an edit can change."""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from counterpoint.checks import LinkChecker, check_links
from counterpoint.errors import BuildFailed, Problem
from counterpoint.inputs import read_folder, read_inputs
from counterpoint.loading import load_site
from counterpoint.model import Document, Site
from counterpoint.render import Renderer, hashed_assets, make_environment, source_path
from counterpoint.write import check_writable, write_site
from counterpoint.xref import Links, resolve


@dataclass(frozen=True)
class BuildResult:
    """What a successful build made."""

    files: dict[str, bytes]
    """Every file of the site, by its path in the output."""
    rendered: tuple[str, ...]
    """The pages rendered by this build (all of them, unless it was a rebuild)."""
    citations: int
    """Citation markers resolved."""
    warnings: tuple[Problem, ...]
    """Warnings reported (none under `--strict`, which makes them errors)."""
    seconds: float
    """Wall time of the build."""
    notes: tuple[str, ...] = ()
    """Things worth knowing about the output that are not problems."""

    @property
    def pages(self) -> int:
        """Return the number of HTML pages in the site."""
        return sum(1 for name in self.files if name.endswith(".html"))


NO_BASE_URL = (
    "note: site.yaml has no base_url, so the site has no sitemap.xml, robots.txt, canonical links or absolute "
    "Open Graph addresses, and 404.html's links work only at the top of the site; add base_url to have them"
)


@dataclass(frozen=True)
class _Previous:
    """What the last successful build was made from."""

    inputs: dict[str, bytes]
    site: Site
    links: Links
    files: dict[str, bytes]


class Builder:
    """Builds one site; built again, it re-renders only the pages its edits can change."""

    def __init__(self, root: Path, templates: Path, strict: bool = False) -> None:
        self.root = root
        self.templates = templates
        self.strict = strict
        self._env: jinja2.Environment | None = None
        self._templates_stamp: str | None = None
        self._checker = LinkChecker()
        self._previous: _Previous | None = None

    def build(self) -> BuildResult:
        """Build the site in memory; raise BuildFailed (keeping the last good state) on any error."""
        start = time.perf_counter()
        inputs = read_inputs(self.root)
        if not self.templates.is_dir():
            message = "there is no templates folder here; create templates/ or pass --templates DIR"
            raise BuildFailed([Problem(str(self.templates), None, message)])
        template_files = read_folder(self.templates)
        stamp = _stamp(template_files)
        if self._env is None or stamp != self._templates_stamp:
            self._env, self._templates_stamp, self._previous = make_environment(self.templates), stamp, None
        site, warnings = load_site(inputs, str(self.root))
        links, problems = resolve(site)
        warnings += [p for p in problems if p.warning]
        errors = [p for p in problems if not p.warning]
        if self.strict:
            errors += [w.as_error() for w in warnings]
        if errors or links is None:
            raise BuildFailed(errors)
        assets = hashed_assets(template_files)
        renderer = Renderer(site, links, self._env, assets, _display(self.templates, self.root))
        pages = renderer.pages()
        wanted = self._pages_to_render(inputs, site, links, set(pages))
        files = {name: data for name, (data, _) in assets.items()}
        if self._previous is not None:
            files.update({name: data for name, data in self._previous.files.items() if name in pages})
        files.update({name: pages[name]() for name in sorted(wanted)})
        broken = self._checker.check(files)
        if broken:
            raise BuildFailed(_blame_sources(broken, site))
        self._previous = _Previous(inputs, site, links, files)
        seconds = time.perf_counter() - start
        notes = () if site.config.base_url else (NO_BASE_URL,)
        return BuildResult(files, tuple(sorted(wanted)), links.count, tuple(warnings), seconds, notes)

    def _pages_to_render(self, inputs: dict[str, bytes], site: Site, links: Links, pages: set[str]) -> set[str]:
        """Return the pages an edit since the last build can have changed: all of them when unsure."""
        previous = self._previous
        if previous is None or _shape(previous.site) != _shape(site):
            return pages
        changed = {
            path for path in inputs.keys() | previous.inputs.keys() if inputs.get(path) != previous.inputs.get(path)
        }
        documents = {d.path: d for d in (*site.topics, *site.pages)}
        articles = {a.path: a.slug for a in site.articles.values()}
        if not changed <= documents.keys() | articles.keys():
            return pages
        changed_articles = {articles[path] for path in changed if path in articles}
        touched = {path for path in changed if path in documents}
        for old_or_new in (previous.links, links):
            for (slug, _), backlinks in old_or_new.backlinks.items():
                if slug in changed_articles:
                    touched.update(b.document.path for b in backlinks)
        wanted = {"index.html", *(_page_path(documents[path]) for path in touched)}
        if changed_articles:
            wanted.add("sources/index.html")
        cited = set(changed_articles)
        for old_or_new in (previous.links, links):
            for (slug, _), backlinks in old_or_new.backlinks.items():
                if any(b.document.path in touched for b in backlinks):
                    cited.add(slug)
        wanted.update(source_path(slug) for slug in cited)
        return wanted & pages


def _blame_sources(problems: list[Problem], site: Site) -> list[Problem]:
    """Report a broken link on a page made from a content file against that file, which is what to edit."""
    made_from = {f"output/{_page_path(d)}": d.path for d in (*site.topics, *site.pages)}
    made_from.update({f"output/{source_path(a.slug)}": a.path for a in site.articles.values()})
    return [
        Problem(made_from[p.path], None, f"{p.message} (on {p.path.removeprefix('output/')})")
        if p.path in made_from
        else p
        for p in problems
    ]


def _shape(site: Site) -> object:
    """Return what every page shows of the site: a change to it re-renders every page."""
    return (
        site.config,
        [(t.slug, t.title) for t in site.topics],
        [(p.slug, p.title, p.page) for p in site.pages],
        [(a.slug, a.meta) for a in site.articles.values()],
    )


def _page_path(document: Document) -> str:
    return document.url + "index.html"


def _display(folder: Path, root: Path) -> str:
    """Name `folder` as messages should: relative to the site when it is inside it."""
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(folder)


def _stamp(files: dict[str, bytes]) -> str:
    """Return a fingerprint of the templates and assets; a change means compiling templates afresh."""
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def build(root: Path, out: Path, templates: Path | None = None, strict: bool = False) -> BuildResult:
    """Build the site in `root` into `out`; raise BuildFailed, leaving `out` as it was, on any error."""
    start = time.perf_counter()
    check_writable(out)
    result = Builder(root, templates or root / "templates", strict).build()
    write_site(result.files, out)
    seconds = time.perf_counter() - start
    return BuildResult(result.files, result.rendered, result.citations, result.warnings, seconds, result.notes)


def check(root: Path, templates: Path) -> BuildResult:
    """Build strictly into a temporary folder and check what was written, leaving `output/` alone."""
    start = time.perf_counter()
    result = Builder(root, templates, strict=True).build()
    with tempfile.TemporaryDirectory(prefix="counterpoint-check-") as folder:
        out = Path(folder) / "site"
        write_site(result.files, out)
        written = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    missing = sorted(set(result.files) - set(written))
    problems = [Problem(f"output/{name}", None, "was not written") for name in missing]
    problems += check_links(written)
    if problems:
        raise BuildFailed(problems)
    seconds = time.perf_counter() - start
    return BuildResult(result.files, result.rendered, result.citations, result.warnings, seconds, result.notes)
