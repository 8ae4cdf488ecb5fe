"""Builds: read, load, resolve, plan, render, check, write; and rebuilds that redo only what an edit changes.

Every phase returns its problems, and this module alone decides what is fatal.
What a build computes is kept, keyed by what it was computed from (a file's
bytes, the sources a document cites, the fingerprints of a page's inputs), so
the next build of the same `Builder` loads, resolves and renders again only
what an edit touched. A large build spreads loading, resolving and rendering
over every core (see `parallel`), and writes its pages straight into the
staging folder instead of holding them all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import posixpath
import re
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Generic, TypeVar

import jinja2
from markupsafe import Markup

from counterpoint import cldr, explainerjson
from counterpoint import search as searching
from counterpoint.checks import (
    Link,
    LinkIndex,
    PageLinks,
    broken_packed_links,
    check_links,
    pack_page,
    plain_attributes,
    read_page,
)
from counterpoint.errors import BuildFailed, Problem
from counterpoint.i18n import Words, words_for
from counterpoint.inputs import InputReader, read_folder
from counterpoint.loading import Config, ContentFile, Loaded, Parsers, assemble, content_files, load_config, load_file
from counterpoint.model import Article, Body, Commentary, Document, Page, Resolution, Site, SiteConfig, Topic, TopicMeta
from counterpoint.parallel import Team, map_in_order, run_team, worker_count
from counterpoint.plan import (
    SHAPE,
    Annotations,
    Asset,
    Explainer,
    IndexPage,
    OtherPage,
    Output,
    SourcePage,
    TopicPage,
    article_input,
    balance_input,
    citations_input,
    document_input,
    make_plan,
    resolution_input,
    shape,
)
from counterpoint.render import (
    BUILT_IN,
    BUILT_IN_NAME,
    KeptPart,
    Renderer,
    Theme,
    hashed_assets,
    make_environment,
    reads_source_texts,
)
from counterpoint.static import StaticReader, clashes
from counterpoint.structured import feed_date
from counterpoint.write import Piece, Spool, Staging, check_writable
from counterpoint.xref import Mention, mentions, resolve_document, uncited

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BuildResult:
    """What a successful build made."""

    files: Mapping[str, bytes]
    """Every file of the site by its path in the output, for a build held in memory; empty when written."""
    paths: tuple[str, ...]
    """The path of every file of the site, sorted."""
    rendered: tuple[str, ...]
    """The files rendered by this build (all of them, unless it was a rebuild)."""
    citations: int
    """Citation markers resolved."""
    warnings: tuple[Problem, ...]
    """Warnings reported (none under `--strict`, which makes them errors)."""
    seconds: float
    """Wall time of the build."""
    notes: tuple[str, ...] = ()
    """Things worth knowing about the output that are not problems."""
    processes: int = 1
    """The most processes a phase of the build ran in."""

    @property
    def pages(self) -> int:
        """Return the number of HTML pages in the site."""
        return sum(1 for name in self.paths if name.endswith(".html"))


NO_BASE_URL = (
    "note: site.yaml has no base_url, so the site has no sitemap.xml, robots.txt, canonical links or absolute "
    "Open Graph addresses, and 404.html's links work only at the top of the site; add base_url to have them"
)


_NOTHING = object()
"""Stands for an input the last build did not have."""


@dataclass(frozen=True)
class _Loaded:
    """A content file as last loaded, with what it was loaded from."""

    data: bytes
    config: SiteConfig
    result: Loaded | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _Resolved:
    """A document's citations as last resolved, with what they were resolved against."""

    document: Document
    body: Body
    cites: frozenset[str]
    """The slug of each source the document names."""
    sources: int
    """Fingerprint of the list of every source's slug, which "did you mean" hints read."""
    resolution: Resolution
    problems: tuple[Problem, ...]
    citations: int

    @functools.cached_property
    def fingerprint(self) -> int:
        """Return a value that changes whenever the resolution does (read by rebuilds only)."""
        return hash(self.resolution)

    @functools.cached_property
    def by_source(self) -> dict[str, int]:
        """Return, by the input key of each source cited, a value that changes whenever what is cited of it
        does (which its page's back-links show)."""
        path = self.document.path
        return {citations_input(path, slug): hash(found) for slug, found in self.mentions.items()}

    @functools.cached_property
    def mentions(self) -> dict[str, tuple[Mention, ...]]:
        """Return the markers citing each source, as the source's page shows them."""
        return mentions(self.resolution)

    @functools.cached_property
    def balance(self) -> int:
        """Return a value that changes whenever the balance of citations does."""
        return hash(self.resolution.balance)


@dataclass(frozen=True)
class _Last:
    """The plan of the last successful build held in memory, and what it made."""

    plan: tuple[Output, ...]
    readers: dict[str, list[int]]
    """The outputs reading each input key, by their place in the plan."""
    paths: tuple[str, ...]
    """The path of each output, sorted."""
    listed: frozenset[str]
    """The same, as a set."""
    files: dict[str, bytes | Joined]
    """Each file's contents, in the order of `paths`."""


@dataclass(frozen=True)
class _Content:
    """The content files as a build loaded them, with what they were loaded from."""

    files: tuple[ContentFile, ...]
    config: SiteConfig
    inputs: Mapping[str, bytes]
    entries: Mapping[str, _Loaded]
    """Each file as loaded, by its path."""
    articles: tuple[Article, ...]
    """The sources loaded, in the order of `files`."""
    documents: tuple[Document, ...]
    """The topics and pages loaded, in the order of `files`."""
    bodies: Mapping[str, Body]
    """The body of each document, by its path."""
    unloaded: frozenset[str]
    """The slug of each source that failed to load."""
    problems: tuple[Problem, ...]

    @classmethod
    def of(
        cls,
        files: tuple[ContentFile, ...],
        config: SiteConfig,
        inputs: Mapping[str, bytes],
        entries: Mapping[str, _Loaded],
    ) -> _Content:
        """Gather the files loaded, `entries` (by path, in the order of `files`)."""
        loaded = [entry.result for entry in entries.values() if entry.result is not None]
        return cls(
            files,
            config,
            inputs,
            entries,
            tuple(item for item in loaded if isinstance(item, Article)),
            tuple(c.document for c in loaded if isinstance(c, Commentary)),
            {c.document.path: c.body for c in loaded if isinstance(c, Commentary)},
            frozenset(f.slug for f in files if f.folder == "articles" and entries[f.path].result is None),
            tuple(p for entry in entries.values() for p in entry.problems),
        )

    def edited(self, inputs: Mapping[str, bytes], fresh: Mapping[str, _Loaded]) -> _Content:
        """Return these files with those loaded again, `fresh`, each leaving the site as it was (`_same_site`):
        new text, and problems maybe."""
        entries = {**self.entries, **fresh}
        bodies = {
            **self.bodies,
            **{path: e.result.body for path, e in fresh.items() if isinstance(e.result, Commentary)},
        }
        problems = self.problems
        if any(e.problems or self.entries[path].problems for path, e in fresh.items()):
            problems = tuple(p for entry in entries.values() for p in entry.problems)
        return dataclasses.replace(self, inputs=inputs, entries=entries, bodies=bodies, problems=problems)


@dataclass(frozen=True)
class _Resolutions:
    """Every document's citations as a build resolved them, with what they were resolved against."""

    site: Site
    bodies: Mapping[str, Body]
    unloaded: frozenset[str]
    words: Words
    sources: int
    """Fingerprint of every source's slug (which "did you mean" hints read), those unloaded and the words."""
    articles: Mapping[str, Article]
    """Every source, by its slug."""
    entries: Mapping[str, _Resolved]
    """Each document's resolution, by its path, in site order."""
    cited: tuple[frozenset[str], ...]
    """The slug of each source each document cites, in site order."""
    balances: Mapping[str, tuple[int, ...]]
    """The citations of each perspective's sources, by document path (see `Resolution.balance`)."""
    citations: int
    """Citation markers, in all."""
    problems: tuple[Problem, ...]
    uncited: tuple[Problem, ...]
    """A warning for each source that nothing cites."""

    @classmethod
    def of(
        cls,
        site: Site,
        bodies: Mapping[str, Body],
        unloaded: frozenset[str],
        words: Words,
        sources: int,
        articles: Mapping[str, Article],
        entries: Mapping[str, _Resolved],
    ) -> _Resolutions:
        """Gather the resolutions of the site's documents, `entries`."""
        cited = tuple(entries[d.path].resolution.cited for d in site.documents)
        return cls(
            site,
            bodies,
            unloaded,
            words,
            sources,
            articles,
            entries,
            cited,
            {path: entry.resolution.balance for path, entry in entries.items()},
            sum(entry.citations for entry in entries.values()),
            tuple(p for entry in entries.values() for p in entry.problems),
            tuple(uncited(site.articles, {slug for slugs in cited for slug in slugs})),
        )

    def edited(self, bodies: Mapping[str, Body], made: Mapping[str, _Resolved]) -> _Resolutions:
        """Return these resolutions with the documents resolved again, `made`, the rest of the site unchanged."""
        entries = {**self.entries, **made}
        if any(entry.resolution.cited != self.entries[path].resolution.cited for path, entry in made.items()):
            # A document cites other sources: count what each source is cited by again.
            return _Resolutions.of(self.site, bodies, self.unloaded, self.words, self.sources, self.articles, entries)
        old = [self.entries[path] for path in made]
        problems = self.problems
        if any(entry.problems for entry in (*old, *made.values())):
            problems = tuple(p for entry in entries.values() for p in entry.problems)
        return dataclasses.replace(
            self,
            bodies=bodies,
            entries=entries,
            balances={**self.balances, **{path: entry.resolution.balance for path, entry in made.items()}},
            citations=self.citations + sum(e.citations for e in made.values()) - sum(e.citations for e in old),
            problems=problems,
        )


@dataclass(frozen=True)
class _Made:
    """What the input values of a build were made from (see `Builder._values`)."""

    resolved: Mapping[str, _Resolved]
    """Each document's resolution, by its path, in site order."""
    inputs: Mapping[str, bytes]
    """Every input file's bytes, by its path."""
    articles: Mapping[str, str]
    """The slug of each source, by its path, in site order."""


@dataclass(frozen=True)
class _Planned:
    """The last build's plan, with what it was made from."""

    site: Site
    assets: tuple[str, ...]
    cited: tuple[frozenset[str], ...]
    """The sources each document cites, in site order."""
    key: object
    """All that the plan itself is made from (a new site may have the same)."""
    plan: tuple[Output, ...]
    citing: dict[str, tuple[Document, ...]]
    """The documents citing each source, in site order: the site's very objects."""


@dataclass(frozen=True)
class _Rendered:
    """An output file as last rendered, with the plan's entry it was rendered from."""

    output: Output
    data: bytes | Joined
    links: PageLinks | None


class Joined:
    """A file held in parts, made the first time it is read (explainer.json: most previews never ask for it, and
    making its parts costs a rebuild as much as rendering the page edited) and joined then."""

    __slots__ = ("_lock", "_make", "_parts", "_whole")

    def __init__(self, make: Callable[[], tuple[bytes, ...]]) -> None:
        self._make: Callable[[], tuple[bytes, ...]] | None = make
        self._parts: tuple[bytes, ...] | None = None
        self._whole: bytes | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        """Whether the file's bytes are at hand (reading it will not make it)."""
        return self._whole is not None

    @property
    def parts(self) -> tuple[bytes, ...]:
        """Return the file's parts, made now if they were not yet."""
        with self._lock:
            if self._parts is None:
                assert self._make is not None
                self._parts, self._make = self._make(), None
            return self._parts

    def whole(self) -> bytes:
        """Return the file's bytes."""
        if self._whole is None:
            self._whole = b"".join(self.parts)
        return self._whole


class Files(Mapping[str, bytes]):
    """The files of a build held in memory, by path: a file held in parts is made and joined when it is read,
    and two builds' files compare part by part (the parts an edit left alone are the very same objects)."""

    def __init__(self, files: Mapping[str, bytes | Joined]) -> None:
        self._files = dict(files)

    def __getitem__(self, path: str) -> bytes:
        data = self._files[path]
        return data.whole() if isinstance(data, Joined) else data

    def made(self, path: str) -> bool:
        """Whether the file at `path` (which must be one) is at hand, or is made only as it is read."""
        data = self._files[path]
        return data.made if isinstance(data, Joined) else True

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Files):
            return super().__eq__(other)
        if self._files.keys() != other._files.keys():
            return False
        return all(_same(data, other._files[path]) for path, data in self._files.items())

    __hash__ = None  # type: ignore[assignment]

    def same_made(self, other: Mapping[str, bytes]) -> bool:
        """Return True if `other` holds the same files, leaving aside those made only when read (explainer.json,
        which no page shows: nothing for a browser to reload), without making them."""
        if not isinstance(other, Files) or self._files.keys() != other._files.keys():
            return False
        return all(isinstance(data, Joined) or _same(data, other._files[path]) for path, data in self._files.items())


def _same(one: bytes | Joined, other: bytes | Joined) -> bool:
    if isinstance(one, Joined) and isinstance(other, Joined):
        return one is other or one.parts == other.parts
    whole = (data.whole() if isinstance(data, Joined) else data for data in (one, other))
    return next(whole) == next(whole)


@dataclass(frozen=True)
class _Setup:
    """What a build reads before it loads the content."""

    inputs: Mapping[str, bytes]
    theme: Theme
    env: jinja2.Environment
    config: Config
    files: list[ContentFile]
    problems: list[Problem]
    """The problems found so far (files that cannot be read as content, links not followed)."""
    plain: bool
    """Whether the theme spells every id and link attribute as ` name="value"` (see `checks.read_page`)."""
    search: bool
    """Whether the site is indexed for search (the pages show the search box)."""
    schema: bytes
    """explainer.schema.json, as the package holds it."""
    built_in: Mapping[str, bytes]
    """The built-in theme's files, as read (the site's own may override them)."""
    assets: Mapping[str, tuple[bytes, str]]
    """The files published as they are read: the theme's assets under their hashed names, and the site's
    static files (`static.py`) under their own, each with its plain name."""
    static: tuple[str, ...]
    """The paths of the site's static files."""
    theme_assets: frozenset[str]
    """The hashed names of the theme's assets."""


@dataclass(frozen=True)
class _Prepared:
    """Everything a build knows before it renders."""

    site: Site
    plan: tuple[Output, ...]
    renderer: Renderer
    inputs: Mapping[str, bytes]
    plain: bool
    """Whether the theme spells every id and link attribute as ` name="value"` (see `checks.read_page`)."""
    citations: int
    warnings: tuple[Problem, ...]


class Builder:
    """Builds one site; built again, it redoes only what its edits can change."""

    def __init__(
        self,
        root: Path,
        templates: Path,
        strict: bool = False,
        workers: int | None = None,
        search: bool = True,
        jobs: int | None = None,
    ) -> None:
        self.root = root
        self.templates = templates
        self.strict = strict
        self.workers = workers
        """Processes to use whatever the site's size (tests compare 1 with several); None for the default."""
        self.jobs = jobs
        """Processes to use for a site large enough to gain from them (--jobs); None for one per core."""
        self.search = search
        """Whether to index the site for search (`--no-search` says not to)."""
        self.pagefind = searching.find_binary() if search else None
        """The Pagefind binary that indexes the site for search; None for a site without search."""
        self._reader = InputReader(root)
        self._static = StaticReader(root)
        self._parsers = Parsers()
        self._config: tuple[bytes, Config | None, tuple[Problem, ...]] | None = None
        self._theme_stamp = ""
        self._env: jinja2.Environment | None = None
        self._rendered: dict[str, _Rendered] = {}
        self._built_from: dict[str, object] = {}
        """The input values of the last successful build held in memory."""
        self._made_from = _Made({}, {}, {})
        """What the values of each document and source came from at that build: the resolutions and the bytes,
        the very objects, which stay the same while a file is not edited."""
        self._last: _Last | None = None
        """The plan of the last successful build held in memory, and what it made."""
        self._links = LinkIndex()
        self._last_plan: _Planned | None = None
        self._fronts: dict[str, tuple[object, int]] = {}
        """Each file's front matter with its hash, by path, from the last build (see `_shape_key`)."""
        self._saved = False
        """Whether a build of this builder saved what Babel said (see `_build`)."""
        self._texts: bool | None = None
        """Whether the site's own templates may show a source's text on any page (`reads_source_texts`); None
        until a rebuild asks (a build written to disk never does)."""
        self._listing: tuple[tuple[str, ...], list[ContentFile], tuple[Problem, ...]] | None = None
        self._fragments: tuple[Config | None, dict[str, tuple[TopicMeta | None, tuple[int, ...], Markup]]] = (
            None,
            {},
        )
        """Parts of pages kept between builds, valid for one configuration (and one theme)."""
        self._parts: tuple[Config | None, dict[str, KeptPart]] = (None, {})
        """Parts of explainer.json kept between builds, valid for one configuration."""
        self._keys: dict[str, tuple[str, ...]] = {}
        """The input keys of each file, made once."""
        self._processes = 1
        self._assembled: tuple[Config, object, Site, tuple[Problem, ...]] | None = None
        """The site assembled by the last build, with what it was assembled from."""
        self._shaped: tuple[Site, bool, int] | None = None
        """The last site's shape key, with the site and whether its sources counted whole."""
        self._content: _Content | None = None
        """The content files as the last build loaded them."""
        self._resolutions: _Resolutions | None = None
        """The citations as the last build resolved them."""
        self._hashed: tuple[str, dict[str, tuple[bytes, str]], frozenset[str]] = ("", {}, frozenset())
        """The theme's assets under their hashed names, with the stamp of the theme."""
        self._plain = ("", False)
        """Whether the theme of a stamp spells its attributes plainly (`checks.plain_attributes`)."""
        self._known: dict[str, dict[str, Link | None]] = {}
        """By page, what each link it had leads to (see `checks.read_page`), for the pages rebuilds render."""
        self._schema = b""
        """explainer.schema.json, read once."""

    def build(self, changed: Collection[str] | None = None) -> BuildResult:
        """Build the site in memory; raise BuildFailed (keeping the last good state) on any error.

        `changed` names the only input paths (relative to the site folder) edited, added or removed since
        the last build, as the preview's file watcher reports them; by default every input is looked at.
        """
        start = time.perf_counter()
        with _collector_paused():
            return self._build(changed, start)

    def _build(self, changed: Collection[str] | None, start: float) -> BuildResult:
        prepared = self._prepare(changed)
        values, made_from, edited = self._values(prepared.site, prepared.inputs, prepared.renderer.shape)
        wanted = self._wanted(prepared.plan, edited)
        # explainer.json is made when it is first read, from parts kept from build to build, and joined then:
        # making it anew (57 MB at 4,000 pages) on every rebuild would cost more than rendering the page edited.
        whole = [o for o in wanted if isinstance(o.spec, Explainer)]
        wanted = [o for o in wanted if not isinstance(o.spec, Explainer)]
        outcomes: list[str | bytes | Joined | Problem] = list(self._map(prepared.renderer.render, wanted))
        problems = [o for o in outcomes if isinstance(o, Problem)]
        if problems:
            raise BuildFailed(problems)
        wanted += whole
        outcomes += [Joined(prepared.renderer.explainer_parts) for _ in whole]
        fresh: dict[str, _Rendered] = {}
        for output, made in zip(wanted, outcomes, strict=True):
            assert not isinstance(made, Problem)
            page = None
            if isinstance(made, str) and _is_page(output):
                # Remembered for the pages a rebuild renders, not for every page of the first build.
                known = self._known.setdefault(output.path, {}) if self._last is not None else None
                page = read_page(output.path, made, prepared.plain, known)
            fresh[output.path] = _Rendered(output, made.encode("utf-8") if isinstance(made, str) else made, page)
        last = self._last
        if last is not None and last.plan is prepared.plan:  # the same files as the last build: a few are new
            rendered, paths, listed = self._rendered | fresh, last.paths, last.listed
            contents = last.files | {path: entry.data for path, entry in fresh.items()}
        else:
            kept = {o.path: self._rendered[o.path] for o in prepared.plan if o.path not in fresh}
            rendered = kept | fresh
            paths = tuple(sorted(rendered))
            listed = frozenset(paths)
            contents = {path: rendered[path].data for path in paths}
        changed = rendered if not self._links.pages else fresh  # a new index must learn every page
        broken = self._links.update({p: e.links for p, e in changed.items() if e.links}, listed)
        if broken:
            self._links = LinkIndex()  # it has taken in pages that this failed build does not keep
            raise BuildFailed(_blame(broken, prepared.plan, self.root, prepared.renderer.theme))
        self._rendered, self._built_from, self._made_from = rendered, values, made_from
        if last is None or last.plan is not prepared.plan:
            readers: dict[str, list[int]] = {}
            for place, output in enumerate(prepared.plan):
                for key in output.inputs:
                    readers.setdefault(key, []).append(place)
            last = _Last(prepared.plan, readers, paths, listed, contents)
        self._last = dataclasses.replace(last, files=contents)
        files = Files(contents)
        if not self._saved:
            # What Babel said of the language, for the next process. Once: saving rewrites the whole cache
            # (tens of ms), and a rebuild learns a new number now and then; the preview saves again as it stops.
            cldr.save()
            self._saved = True
        return self._result(prepared, files, paths, tuple(sorted(fresh)), start)

    def build_into(self, out: Path, tidy_later: bool = False, index: bool = True) -> BuildResult:
        """Build the whole site into `out`, atomically, pages streaming to disk; raise BuildFailed on any error.

        `tidy_later` leaves removing the site it replaces to a background process. `index`: index the pages
        for search (when Pagefind is installed), into the staging folder, before the site is swapped in.
        """
        start = time.perf_counter()
        check_writable(out)
        with _collector_paused(kept=False):
            return self._build_into(out, start, tidy_later, index)

    def _build_into(self, out: Path, start: float, tidy_later: bool, index: bool) -> BuildResult:
        setup = self._setup()
        # Written to disk, this build is not kept to rebuild from: let the workers inherit no more than they need.
        self._reader, self._content, self._resolutions, self._assembled = InputReader(self.root), None, None, None
        staging = Staging(out, tidy_later)
        try:
            size = worker_count(len(setup.files), self.workers, self.jobs)
            build = _ColdBuild(setup, self._parsers, staging, self.strict, self.root)
            del setup  # the build holds the inputs, and lets them go once loaded
            done = run_team(size, build.run, queues=2, expected=(BuildFailed,))
            if index and self.pagefind is not None:
                keep = not done.directory_urls  # results link to pages as the site's own links do
                try:
                    problems = searching.index(staging.folder, keep, self.pagefind, staging.out)
                except OSError as error:  # a full disk, a page unreadable: say so, keep the old site
                    problems = [staging.problem(error)]
                if problems:
                    raise BuildFailed(problems)
            staging.commit()
        finally:
            staging.discard()
        notes = (() if done.base_url else (NO_BASE_URL,)) + (
            () if self.pagefind or not self.search else (searching.missing(),)
        )
        seconds = time.perf_counter() - start
        return BuildResult({}, done.paths, done.paths, done.citations, done.warnings, seconds, notes, size)

    def _result(
        self,
        prepared: _Prepared,
        files: Mapping[str, bytes],
        paths: tuple[str, ...],
        rendered: tuple[str, ...],
        start: float,
    ) -> BuildResult:
        notes = () if prepared.site.config.base_url else (NO_BASE_URL,)
        seconds = time.perf_counter() - start
        processes, self._processes = self._processes, 1
        return BuildResult(files, paths, rendered, prepared.citations, prepared.warnings, seconds, notes, processes)

    def _map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Apply `function` to each item, over several processes when there are enough items to gain."""
        count = worker_count(len(items), self.workers, self.jobs)
        self._processes = max(self._processes, count)
        return map_in_order(function, items, count)

    def _wanted(self, plan: tuple[Output, ...], edited: set[str]) -> list[Output]:
        """Return the outputs to render: new, made differently, or made from an input that changed."""
        if self._last is None or self._last.plan is not plan:
            return [o for o in plan if self._stale(o, edited)]
        # Every output of the plan was rendered by the last successful build, as it is now: only those
        # reading an edited input are stale.
        readers = self._last.readers
        return [plan[place] for place in sorted({place for key in edited for place in readers.get(key, ())})]

    def _stale(self, output: Output, changed: set[str]) -> bool:
        """Return True if `output` is new, made differently, or made from an input that changed."""
        entry = self._rendered.get(output.path)
        return (
            entry is None
            or (entry.output is not output and entry.output != output)
            or not changed.isdisjoint(output.inputs)
        )

    # -- before rendering --------------------------------------------------------------

    def _setup(self, changed: Collection[str] | None = None) -> _Setup:
        """Read the inputs, the theme and site.yaml, and list the content files; raise BuildFailed when there is
        no going on."""
        inputs = self._reader.read(changed)
        unreadable = [Problem(rel, None, why) for rel, why in self._reader.unreadable.items()]
        loops: list[Path] = []
        closed: dict[Path, str] = {}
        own = read_folder(self.templates, loops, closed) if self.templates.is_dir() else {}
        unreadable += [Problem(_display(path, self.root), None, why) for path, why in closed.items()]
        built_in = read_folder(BUILT_IN)
        theme = Theme({**built_in, **own}, _display(self.templates, self.root), frozenset(own))
        static, static_stamp, unread = self._static.read()
        unreadable += unread
        stamp = f"{theme.stamp()}+{static_stamp}"  # a static file changed: the pages are rendered anew, as for a theme
        if self._env is None or stamp != self._theme_stamp:
            self._env, self._theme_stamp = make_environment(theme), stamp
            self._texts = None
            self._rendered, self._built_from, self._links = {}, {}, LinkIndex()
            self._made_from, self._last = _Made({}, {}, {}), None
            self._fragments = (None, {})
        config = self._load_config(inputs)
        if config is None:
            assert self._config is not None
            said = [p for p in self._config[2] if p.path != "site.yaml" or "site.yaml" not in self._reader.unreadable]
            raise BuildFailed(unreadable + said)  # not "no site.yaml" for one that cannot be read
        files, problems = self._content_files(inputs)
        problems += unreadable
        problems += self._config[2] if self._config else ()  # site.yaml's warnings (its errors stopped us above)
        problems += [
            Problem(
                f"{theme.folder}/{loop.relative_to(self.templates).as_posix()}",
                None,
                "a link back to a folder being read: not followed",
                warning=True,
            )
            for loop in loops
        ]
        problems += [
            Problem(
                folder,
                None,
                "a folder inside content/'s folders is not read (nor a link to one); "
                "move its Markdown files up a level",
                warning=True,
            )
            for folder in self._reader.folders
        ]
        if self._plain[0] != stamp:
            pages = (data.decode("utf-8", "replace") for name, data in theme.files.items() if name.endswith(".html"))
            self._plain = (stamp, plain_attributes(pages))
        if not self._schema:
            self._schema = explainerjson.SCHEMA.read_bytes()
        search = self.pagefind is not None
        assets = self._assets(theme, static)
        return _Setup(
            inputs,
            theme,
            self._env,
            config,
            files,
            problems,
            self._plain[1],
            search,
            self._schema,
            built_in,
            assets,
            tuple(static),
            self._hashed[2],
        )

    def _prepare(self, changed: Collection[str] | None = None) -> _Prepared:
        """Read, load, resolve and plan; raise BuildFailed with every problem found."""
        setup = self._setup(changed)
        config, files, problems = setup.config, setup.files, list(setup.problems)
        content = self._load(files, setup.inputs, config.config)
        problems += content.problems
        site, found = self._assemble(config, content)
        problems += found
        resolutions = self._resolve(site, content)
        problems += resolutions.problems + resolutions.uncited
        _judge(problems, self.strict)
        assets = setup.assets
        plan, citing = self._plan(site, resolutions, tuple(assets))
        _refuse_clashes(plan, setup.static, setup.theme_assets)
        if self._fragments[0] is not config:
            self._fragments = (config, {})
        if self._parts[0] is not config:
            self._parts = (config, {})
        # This build's resolutions, not the builder's latest: explainer.json is made when first read, maybe after
        # the next build.
        resolved = resolutions.entries
        renderer = Renderer(
            site,
            setup.env,
            setup.theme,
            _Derived(resolved, lambda _, e: (e.body, e.resolution)),
            _Derived(citing, lambda slug, citing: [(d, resolved[d.path].mentions[slug]) for d in citing]),
            resolutions.balances,
            self._fragments[1],
            self._shape_key(site, setup),
            setup.search,
            self._parts[1],
            setup.schema,
            assets,
        )
        warnings = () if self.strict else tuple(p for p in problems if p.warning)
        return _Prepared(site, plan, renderer, setup.inputs, setup.plain, resolutions.citations, warnings)

    def _content_files(self, inputs: Mapping[str, bytes]) -> tuple[list[ContentFile], list[Problem]]:
        """List the content files, again only when a file was added or removed."""
        paths = tuple(inputs)
        if self._listing is None or self._listing[0] != paths:
            files, problems = content_files(paths)
            self._listing = (paths, files, tuple(problems))
        return list(self._listing[1]), list(self._listing[2])

    def _load_config(self, inputs: Mapping[str, bytes]) -> Config | None:
        data = inputs.get("site.yaml", b"")
        if self._config is None or self._config[0] != data or "site.yaml" not in inputs:
            config, problems = load_config(inputs, str(self.root))
            self._config = (data, config, tuple(problems))
        if any(not p.warning for p in self._config[2]):
            return None
        return self._config[1]

    def _load(self, files: Sequence[ContentFile], inputs: Mapping[str, bytes], config: SiteConfig) -> _Content:
        """Load every content file, from the last build's when its bytes and the configuration are unchanged."""
        previous = self._content
        cache = previous.entries if previous is not None else {}
        same = previous is not None and previous.config is config and previous.files == tuple(files)
        if previous is not None and same:  # the same files: only those whose bytes are new objects can have changed
            candidates = [f for f in files if previous.inputs[f.path] is not inputs[f.path]]
        else:
            candidates = list(files)
        misses = [f for f in candidates if not _fresh_load(cache.get(f.path), inputs[f.path], config)]
        parsers = self._parsers

        def load(file: ContentFile) -> tuple[Loaded | None, list[Problem]]:
            return load_file(file, inputs[file.path], config, parsers)

        fresh: dict[str, _Loaded] = {}
        for file, (result, problems) in zip(misses, self._map(load, misses), strict=True):
            before = cache.get(file.path)
            kept = _same_head(before.result if before is not None else None, result)
            fresh[file.path] = _Loaded(inputs[file.path], config, kept, tuple(problems))
        if previous is not None and same and all(_same_site(cache[path], entry) for path, entry in fresh.items()):
            self._content = previous.edited(inputs, fresh)
        else:
            entries = {f.path: fresh.get(f.path) or cache[f.path] for f in files}
            self._content = _Content.of(tuple(files), config, inputs, entries)
        return self._content

    def _assemble(self, config: Config, content: _Content) -> tuple[Site, list[Problem]]:
        """Assemble the site, again only when a file was added or removed, or a source or front matter changed
        (`_same_head` keeps the very objects of the last build when they are equal, so comparing is quick)."""
        key = (content.articles, content.documents, content.files)
        if self._assembled is None or self._assembled[0] is not config or self._assembled[1] != key:
            site, problems = assemble(config, content.articles, content.documents, content.files)
            self._assembled = (config, key, site, tuple(problems))
        return self._assembled[2], list(self._assembled[3])

    def _resolve(self, site: Site, content: _Content) -> _Resolutions:
        """Resolve every document's citations, again only where the document or a source it names changed."""
        bodies, unloaded = content.bodies, content.unloaded
        words = words_for(site.config.language, site.config.strings)
        previous = self._resolutions
        cache = previous.entries if previous is not None else {}
        last = previous
        if last is not None and last.site is site and last.unloaded == unloaded and last.words is words:
            # The same documents against the same sources: only a document whose text changed resolves anew.
            misses = [d for d in site.documents if last.bodies[d.path] is not bodies[d.path]]
            articles, sources = last.articles, last.sources
        else:
            articles = site.by_slug
            sources = hash((tuple(articles), unloaded, words.catalogue))
            before = previous.articles if previous is not None else {}
            edited = {slug for slug, article in articles.items() if before.get(slug) is not article} | (
                before.keys() - articles.keys()
            )
            misses = [
                d
                for d in site.documents
                if not _fresh_resolution(cache.get(d.path), d, bodies[d.path], edited, sources)
            ]
            last = None
        perspectives = site.config.perspectives

        def resolve(document: Document) -> tuple[Resolution, list[Problem]]:
            return resolve_document(document, bodies[document.path], articles, perspectives, unloaded, words)

        made: dict[str, _Resolved] = {}  # not into the last entries: the last build's renderer may still read them
        for document, (resolution, problems) in zip(misses, self._map(resolve, misses), strict=True):
            body = bodies[document.path]
            cites = frozenset(ref.source for use in body.uses for ref in use.refs)
            count = sum(len(r.markers) for r in resolution.references)
            made[document.path] = _Resolved(document, body, cites, sources, resolution, tuple(problems), count)
        if last is not None:
            resolutions = last.edited(bodies, made)
        else:
            entries = {d.path: made.get(d.path) or cache[d.path] for d in site.documents}
            resolutions = _Resolutions.of(site, bodies, unloaded, words, sources, articles, entries)
        self._resolutions = resolutions
        return resolutions

    def _shape_key(self, site: Site, setup: _Setup) -> int:
        """Return a fingerprint of the site's shape (`plan.shape`), hashing only the front matter that is new: a
        frozen dataclass computes its hash anew on every call (80,000 calls at 4,000 pages).

        When the site's own templates may show a source's text anywhere, a source counts whole, text and all:
        an edit of its text then renders every page again."""
        if self._texts is None:
            self._texts = reads_source_texts(setup.theme, setup.env, setup.built_in)
        if self._shaped is not None and self._shaped[0] is site and self._shaped[1] == self._texts:
            return self._shaped[2]
        known = self._fronts
        fresh: dict[str, tuple[object, int]] = {}
        texts = self._texts

        def front(item: Document | Article) -> int:
            shown = item if texts and isinstance(item, Article) else item.meta
            entry = known.get(item.path)
            value = entry[1] if entry is not None and entry[0] is shown else hash(shown)
            fresh[item.path] = (shown, value)
            return value

        key = hash(shape(site, front))
        self._fronts = fresh
        self._shaped = (site, texts, key)
        return key

    def _values(
        self, site: Site, inputs: Mapping[str, bytes], shape_key: object
    ) -> tuple[dict[str, object], _Made, set[str]]:
        """Return a value for each input of the plan that changes whenever the input does, what they were made
        from, and the keys whose value differs from the last successful build's.

        A file whose resolution and bytes are the very objects of that build keeps its values: they are
        computed again only for the files an edit touched.
        """
        previous, before = self._built_from, self._made_from
        assert self._resolutions is not None
        resolved = self._resolutions.entries  # a new mapping each build, by the path of each document of the site
        made = _Made(resolved, inputs, {a.path: a.slug for a in site.articles})
        documents: Iterable[str] = resolved
        articles: Iterable[str] = made.articles
        values: dict[str, object] = {}
        if previous and before.articles == made.articles and before.resolved.keys() == resolved.keys():
            # The same files as the last build: start from its values and redo those of the files edited.
            values = dict(previous)
            was, had = before.resolved, before.inputs
            documents = [p for p, now in resolved.items() if was[p] is not now or had[p] is not inputs[p]]
            articles = [path for path in made.articles if had[path] is not inputs[path]]
        fresh: dict[str, object] = {SHAPE: shape_key}
        keys = self._keys
        for path in documents:
            now, data = resolved[path], inputs[path]
            if path not in keys:
                keys[path] = (document_input(path), resolution_input(path), balance_input(path))
            text, resolution, balance = keys[path]
            old = before.resolved.get(path)
            if old is not None:
                for key in old.by_source:  # the sources it cited: it may cite others now
                    values.pop(key, None)
                if old is now and before.inputs[path] is data:  # unchanged (met when walking every file)
                    values[text], values[resolution], values[balance] = (
                        previous[text],
                        previous[resolution],
                        previous[balance],
                    )
                    values.update(now.by_source)
                    continue
            fresh[text] = hash(data)
            fresh[resolution] = now.fingerprint
            fresh[balance] = now.balance
            fresh.update(now.by_source)
        for path in articles:
            if path not in keys:
                keys[path] = (article_input(made.articles[path]),)
            key = keys[path][0]
            if before.inputs.get(path) is inputs[path] and key in previous:
                values[key] = previous[key]
                continue
            fresh[key] = hash(inputs[path])
        edited: set[str] = set()
        for key, value in fresh.items():
            values[key] = value
            if previous.get(key, _NOTHING) != value:
                edited.add(key)
        return values, made, edited

    def _plan(
        self, site: Site, resolutions: _Resolutions, assets: tuple[str, ...]
    ) -> tuple[tuple[Output, ...], dict[str, tuple[Document, ...]]]:
        """Return the build plan and the documents citing each source, again when nothing they come from changed."""
        cited = resolutions.cited
        last = self._last_plan
        if last is not None and last.site is site and last.assets == assets and last.cited == cited:
            return last.plan, last.citing
        key = (
            site.config,
            assets,
            tuple(d.path for d in site.documents),
            tuple(a.path for a in site.articles),
            cited,
            feed_date(site.config, site.articles),  # the feed's entry in the plan carries its date
        )
        if last is None or last.key != key:
            plan = make_plan(site, {d.path: c for d, c in zip(site.documents, cited, strict=True)}, assets)
            self._last_plan = _Planned(site, assets, cited, key, plan, _citing(site, cited))
        else:  # the same documents cite the same sources, but a document's front matter may be new: keep it current
            documents = site.by_path
            citing = {slug: tuple(documents[d.path] for d in cited) for slug, cited in last.citing.items()}
            self._last_plan = _Planned(site, assets, cited, key, last.plan, citing)
        return self._last_plan.plan, self._last_plan.citing

    def _assets(self, theme: Theme, static: Mapping[str, bytes]) -> dict[str, tuple[bytes, str]]:
        """Return the theme's assets under their hashed names (`render.hashed_assets`), hashed once per theme,
        and the site's static files under their own (`_refuse_clashes` refuses one at a theme asset's)."""
        if self._hashed[0] != self._theme_stamp:  # the stamp of this build's theme and static files (`_setup`)
            hashed = hashed_assets(theme.files)
            published = {path: (data, path) for path, data in static.items()}
            self._hashed = (self._theme_stamp, {**hashed, **published}, frozenset(hashed))
        return self._hashed[1]


@dataclass(frozen=True)
class _Built:
    """What rank 0 of a cold build reports."""

    paths: tuple[str, ...]
    citations: int
    warnings: tuple[Problem, ...]
    base_url: str | None
    directory_urls: bool


@dataclass(frozen=True)
class _Summary:
    """What the other processes of a cold build need of one resolved document."""

    path: str
    cited: frozenset[str]
    balance: tuple[int, ...]
    mentions: dict[str, tuple[Mention, ...]]
    problems: tuple[Problem, ...]
    citations: int


class _ColdBuild:
    """A whole build written to disk, by a team of processes (`parallel.run_team`), each owning its share.

    Each process loads content files from a shared queue, and the processes swap the sources (which every
    page may quote) and the documents' front matter, never their bodies. Each resolves and renders its own
    documents, and they swap what the other pages need of them: the sources each cites, with the markers
    (the sources' back-links) and the balance (the index). The other pages are taken from a shared queue.
    Every process decides alike from what they swapped, so a build that fails fails in all of them.
    """

    def __init__(self, setup: _Setup, parsers: Parsers, staging: Staging, strict: bool, root: Path) -> None:
        self.setup = setup
        self.root = root
        self.parsers = parsers
        self.staging = staging
        self.strict = strict

    def run(self, team: Team) -> _Built:
        """Build this process's share; in rank 0, check the whole site and report it."""
        site, bodies, heads_problems, unloaded = self._load(team)
        self.setup = dataclasses.replace(self.setup, inputs={})  # the files' bytes: their memory serves the pages
        resolved, ordered = self._resolve(team, site, bodies, unloaded)
        del bodies  # `resolved` holds them, and lets each go once its page is written
        problems = heads_problems + [p for s in ordered for p in s.problems]
        problems += uncited(site.articles, {slug for s in ordered for slug in s.cited})
        _judge(problems, self.strict)
        plan = make_plan(site, {s.path: s.cited for s in ordered}, tuple(self.setup.assets))
        _refuse_clashes(plan, self.setup.static, self.setup.theme_assets)
        reports = team.gather(self._render_share(team, site, plan, resolved, ordered))
        cldr.save()  # what Babel said of the language, for the next build
        if team.rank:
            return _Built((), 0, (), None, False)
        failed = [p for _, found, _ in reports for p in found]
        if failed:
            raise BuildFailed(sorted(failed, key=lambda p: p.path))
        self._join_explainer(site, {path: piece for _, _, pieces in reports for path, piece in pieces.items()})
        paths = tuple(sorted(o.path for o in plan))
        broken = broken_packed_links([packed for packed, _, _ in reports if packed], set(paths))
        if broken:
            raise BuildFailed(_blame(broken, plan, self.root, self.setup.theme))
        warnings = () if self.strict else tuple(p for p in problems if p.warning)
        config = site.config
        return _Built(paths, sum(s.citations for s in ordered), warnings, config.base_url, config.build.directory_urls)

    def _load(self, team: Team) -> tuple[Site, dict[str, Body], list[Problem], set[str]]:
        """Load this process's share of the files, swap the sources and front matter, and assemble the site;
        return it with the bodies loaded here, the problems so far, and the sources that failed to load."""
        setup = self.setup
        config, files, inputs = setup.config, setup.files, setup.inputs
        # The largest first, from a queue all share: whoever is quicker loads more, and resolves and renders
        # what it loaded, so the processes stay even to the end.
        order = sorted(files, key=lambda f: (-len(inputs[f.path]), f.path))
        taken = team.share(lambda f: load_file(f, inputs[f.path], config.config, self.parsers), order)
        loaded = {order[index].path: result for index, result in taken}
        bodies = {path: c.body for path, (c, _) in loaded.items() if isinstance(c, Commentary)}
        shared = {path: (_head(item), tuple(problems)) for path, (item, problems) in loaded.items()}
        everything = {path: value for part in team.all_gather(shared) for path, value in part.items()}
        problems = list(setup.problems)
        problems += (p for f in files for p in everything[f.path][1])
        heads = [everything[f.path][0] for f in files]
        articles = [a for a in heads if isinstance(a, Article)]
        site, found = assemble(config, articles, [d for d in heads if isinstance(d, Topic | Page)], files)
        unloaded = {f.slug for f in files if f.folder == "articles" and everything[f.path][0] is None}
        return site, bodies, problems + found, unloaded

    def _resolve(
        self, team: Team, site: Site, bodies: Mapping[str, Body], unloaded: set[str]
    ) -> tuple[dict[str, tuple[Body, Resolution]], list[_Summary]]:
        """Resolve the documents loaded here, and swap their summaries; return the resolutions made here and
        every document's summary, in site order."""
        by_slug = {a.slug: a for a in site.articles}
        resolved: dict[str, tuple[Body, Resolution]] = {}
        summaries: list[_Summary] = []
        for document in site.documents:
            body = bodies.get(document.path)
            if body is None:
                continue
            config = site.config
            words = words_for(config.language, config.strings)
            resolution, found = resolve_document(document, body, by_slug, config.perspectives, unloaded, words)
            # Rendering reads the sections alone: the citations as written (and their sentences) can go.
            resolved[document.path] = (dataclasses.replace(body, uses=(), quotes=(), labels=()), resolution)
            count = sum(len(r.markers) for r in resolution.references)
            cited, balance = resolution.cited, resolution.balance
            summaries.append(_Summary(document.path, cited, balance, mentions(resolution), tuple(found), count))
        summary = {s.path: s for part in team.all_gather(summaries) for s in part}
        return resolved, [summary[d.path] for d in site.documents]

    def _render_share(
        self,
        team: Team,
        site: Site,
        plan: Sequence[Output],
        resolved: dict[str, tuple[Body, Resolution]],
        ordered: Sequence[_Summary],
    ) -> tuple[list[str], list[Problem], dict[str, Piece]]:
        """Render this process's documents, then outputs from the shared queue; return each page's links,
        packed, the problems met, and where this process spooled its parts of explainer.json, by the path of the
        content file each is made from."""
        citing: dict[str, list[tuple[Document, Sequence[Mention]]]] = {a.slug: [] for a in site.articles}
        for document, summary in zip(site.documents, ordered, strict=True):
            for slug, found in summary.mentions.items():
                citing[slug].append((document, found))
        balances = {s.path: s.balance for s in ordered}
        renderer = Renderer(
            site,
            self.setup.env,
            self.setup.theme,
            resolved,
            citing,
            balances,
            search=self.setup.search,
            schema=self.setup.schema,
            assets=self.setup.assets,
        )
        spool = self.staging.spool(team.rank)
        pieces: dict[str, Piece] = {}
        outcomes: list[str | Problem] = []
        mine = [(index, o) for index, o in enumerate(plan) if isinstance(o.spec, _OWN) and o.source in resolved]
        last = {output.source: index for index, output in mine}
        for index, output in mine:
            outcomes.append(self._render(renderer, output))
            if last[output.source] == index and output.source is not None:
                make = partial(renderer.explainer_document, output.source)
                outcomes.append(self._spool(spool, pieces, output.source, make))
                del resolved[output.source]  # its files are written: let its body and citations go
        rest = sorted((o for o in plan if not isinstance(o.spec, (*_OWN, Explainer))), key=_lighter)
        shared = partial(self._render_shared, renderer, spool, pieces)
        outcomes += (outcome for _, outcome in team.share(shared, rest))
        spool.close()
        packed = [o for o in outcomes if isinstance(o, str) and o]
        return packed, [o for o in outcomes if isinstance(o, Problem)], pieces

    def _render_shared(
        self, renderer: Renderer, spool: Spool, pieces: dict[str, Piece], output: Output
    ) -> str | Problem:
        """Render an output of the shared queue; spool a source's part of explainer.json after its page, which
        has just found the source's back-links."""
        made = self._render(renderer, output)
        if isinstance(made, Problem) or not isinstance(output.spec, SourcePage) or output.source is None:
            return made
        spooled = self._spool(spool, pieces, output.source, partial(renderer.explainer_source, output.spec.slug))
        return spooled or made

    def _render(self, renderer: Renderer, output: Output) -> str | Problem:
        """Render one output and write it to the staging folder; return what the link check needs of it,
        packed (empty for a file that is not a page)."""
        made = renderer.render(output)
        if isinstance(made, Problem):
            return made
        try:
            self.staging.write(output.path, made.encode("utf-8") if isinstance(made, str) else made)
        except OSError as error:  # a full disk, a read-only folder: say so, keep the old site
            return self.staging.problem(error)
        if not isinstance(made, str) or not _is_page(output):
            return ""
        return pack_page(output.path, read_page(output.path, made, self.setup.plain))

    def _spool(self, spool: Spool, pieces: dict[str, Piece], path: str, make: Callable[[], bytes]) -> str | Problem:
        """Spool the part of explainer.json made from the content file at `path`; return "" or what went wrong."""
        try:
            pieces[path] = spool.add(make())
        except OSError as error:  # a full disk: say so, keep the old site
            return self.staging.problem(error)
        return ""

    def _join_explainer(self, site: Site, pieces: Mapping[str, Piece]) -> None:
        """Write explainer.json from the parts every process spooled, in the site's order."""
        sources = [pieces[a.path] for a in site.articles]
        topics = [pieces[t.path] for t in site.topics]
        pages = [pieces[p.path] for p in site.pages]
        try:
            self.staging.join(
                explainerjson.FILE, explainerjson.join(explainerjson.head(site.config), sources, topics, pages)
            )
        except OSError as error:
            raise BuildFailed([self.staging.problem(error)]) from None


_OWN = (TopicPage, OtherPage, Annotations)
"""What a document's own process renders: its page, and its annotations."""


def _is_page(output: Output) -> bool:
    return output.path.endswith(".html")


def _head(item: Loaded | None) -> Article | Document | None:
    """Return what every process needs of a loaded file: a source whole, a document without its body."""
    return item.document if isinstance(item, Commentary) else item


V = TypeVar("V")


class _Derived(Mapping[str, R], Generic[V, R]):
    """A mapping whose values are made from another's as they are looked up: a rebuild renders few pages, and
    making the values of a whole large site (every source's citing documents with their mentions) took a fifth
    of its time."""

    def __init__(self, base: Mapping[str, V], make: Callable[[str, V], R]) -> None:
        self._base = base
        self._make = make

    def __getitem__(self, key: str) -> R:
        return self._make(key, self._base[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)


def _refuse_clashes(plan: Sequence[Output], static: Sequence[str], theme_assets: frozenset[str]) -> None:
    """Fail the build on a static file at a path the site writes itself (a theme's asset too)."""
    if static:
        generated = {output.path for output in plan if not isinstance(output.spec, Asset)} | theme_assets
        clashing = clashes(list(static), generated)
        if clashing:
            raise BuildFailed(clashing)


def _lighter(output: Output) -> int:
    """Order outputs heaviest first: a source page lists every back-link, the index every topic."""
    return 0 if isinstance(output.spec, SourcePage | IndexPage) else 1


@contextlib.contextmanager
def _collector_paused(kept: bool = True) -> Iterator[None]:
    """Keep Python's cycle collector out of a build, then freeze what the build keeps.

    A build makes millions of objects and few cycles: collecting as it goes walks the growing heap again
    and again (unpickling the workers' results ran eight times slower with it). What survives the build
    lives on, so it is frozen out of later collections too (the next rebuild's). A build that is `kept` (the
    preview's, rebuilt for hours) first collects the cycles it made (Jinja's), all still in the youngest
    generation: frozen, they would never go.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if kept:
            gc.collect(0)
        gc.freeze()
        if enabled:
            gc.enable()


def _same_head(before: Loaded | None, loaded: Loaded | None) -> Loaded | None:
    """Return `loaded`, holding the very source or front matter loaded `before` when they are equal: an edit of
    a topic's text alone then leaves the site as it was, object for object, which later phases see at a glance."""
    if isinstance(before, Commentary) and isinstance(loaded, Commentary) and before.document == loaded.document:
        return dataclasses.replace(loaded, document=before.document)
    if isinstance(before, Article) and isinstance(loaded, Article) and before == loaded:
        return before
    return loaded


def _same_site(before: _Loaded, loaded: _Loaded) -> bool:
    """Return True if a file loaded again leaves the site as it was: the same source or front matter, the very
    object (`_same_head`), or a file that fails to load as before."""
    if isinstance(before.result, Commentary) and isinstance(loaded.result, Commentary):
        return before.result.document is loaded.result.document
    return before.result is loaded.result


def _fresh_load(entry: _Loaded | None, data: bytes, config: SiteConfig) -> bool:
    return (
        entry is not None
        and (entry.data is data or entry.data == data)
        and (entry.config is config or entry.config == config)
    )


def _fresh_resolution(entry: _Resolved | None, document: Document, body: Body, edited: set[str], sources: int) -> bool:
    """Return True if `entry` resolved this very document against the sources as they are."""
    return (
        entry is not None
        and entry.document is document
        and entry.body is body
        and entry.sources == sources
        and entry.cites.isdisjoint(edited)
    )


def _citing(site: Site, cited: Sequence[frozenset[str]]) -> dict[str, tuple[Document, ...]]:
    """Return the documents citing each source, in site order, given the sources each document cites."""
    citing: dict[str, list[Document]] = {a.slug: [] for a in site.articles}
    for document, slugs in zip(site.documents, cited, strict=True):
        for slug in slugs:
            citing[slug].append(document)
    return {slug: tuple(documents) for slug, documents in citing.items()}


def _judge(problems: Sequence[Problem], strict: bool) -> None:
    """Raise BuildFailed with the problems that fail the build: the errors, and under `--strict` the warnings."""
    errors = [p.as_error() if strict else p for p in problems if strict or not p.warning]
    if errors:
        raise BuildFailed(errors)


def _blame(problems: list[Problem], plan: Sequence[Output], root: Path, theme: Theme) -> list[Problem]:
    """Report a broken link against what to edit: the content file a page is made from, at the line the link is
    written on; or, for a link no content file writes (on a page made from none, or not found in the page's
    file), the templates, once for all the pages it is on."""
    made_from = {f"output/{o.path}": o.source for o in plan if o.source}
    by_template: dict[str, list[str]] = {}  # a template's broken link (its target): the pages it is on
    blamed: list[Problem] = []
    for problem in problems:
        page = problem.path.removeprefix("output/")
        source = made_from.get(problem.path)
        written = _LINK_WRITTEN.match(problem.message)
        if written is None:  # wrong whatever the site holds (an absolute path): where it stands
            blamed.append(Problem(source, None, f"{problem.message} (on {page})") if source else problem)
            continue
        line = _line_of(root / source, written[1]) if source else None
        if source and line is not None:
            blamed.append(Problem(source, line, f"{problem.message} (on {page})"))
            continue
        link = written[1]
        target = link if link.startswith("#") else posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
        kind = "which is not in the site" if written[2] == "leads" else "an anchor that page does not have"
        by_template.setdefault(f"a template links to '{target}', {kind}", []).append(page)
    where = theme.folder if theme.own else BUILT_IN_NAME
    for message, pages in by_template.items():
        listed = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
        blamed.append(Problem(where, None, f"{message} (on {listed})"))
    return blamed


_LINK_WRITTEN = re.compile(r"link '(.*?)' (leads|names)")
"""The link a broken-link message names, as the page writes it, and how it is broken."""


def _line_of(path: Path, link: str) -> int | None:
    """Return the line of a content file where `link` is written (a broken build reads the file again), or None
    where the file does not write it. Markdown writes a link's spaces and other letters percent-encoded
    (`[x](<a b.html>)` is `a%20b.html`, `café` is `caf%C3%A9`): the link is looked for as written, and decoded."""
    from urllib.parse import unquote

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for form in dict.fromkeys((link, unquote(link))):
        at = text.find(f"]({form}")
        at = text.find(form) if at < 0 else at
        if at < 0:
            at = text.find(f"](<{form}")
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return None


def _display(folder: Path, root: Path) -> str:
    """Name `folder` as messages should: relative to the site when it is inside it."""
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(folder)


def build(
    root: Path,
    out: Path,
    templates: Path | None = None,
    strict: bool = False,
    workers: int | None = None,
    tidy_later: bool = False,
    search: bool = True,
    jobs: int | None = None,
) -> BuildResult:
    """Build the site in `root` into `out`; raise BuildFailed, leaving `out` as it was, on any error.

    `search` indexes it for search (when Pagefind is installed); `jobs` is how many processes a large site is
    built in (default: one per core)."""
    builder = Builder(root, templates or root / "templates", strict, workers, search=search, jobs=jobs)
    return builder.build_into(out, tidy_later)


def check(root: Path, templates: Path, jobs: int | None = None) -> BuildResult:
    """Build strictly into a temporary folder and check what was written, leaving `output/` alone."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="counterpoint-check-") as folder:
        out = Path(folder) / "site"
        result = Builder(root, templates, strict=True, jobs=jobs).build_into(out, index=False)  # no index
        written = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    missing = sorted(set(result.paths) - set(written))
    problems = [Problem(f"output/{name}", None, "was not written") for name in missing]
    problems += check_links(written)
    if problems:
        raise BuildFailed(problems)
    seconds = time.perf_counter() - start
    return BuildResult(
        {}, result.paths, result.rendered, result.citations, result.warnings, seconds, result.notes, result.processes
    )
