"""Render the resolved site to files: `{path in output: bytes}`; nothing is written.

The only I/O here is reading the templates and their assets. Every link is made
relative to the page it is on, so the output works at a domain's root, under
any sub-path, and from disk.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from html import escape
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from counterpoint.citations import Marker, PullQuote, new_env
from counterpoint.errors import BuildFailed, Problem
from counterpoint.markdown import make_parser
from counterpoint.model import Article, Block, Document, Perspective, Site
from counterpoint.xref import Backlink, DocumentLinks, Links, Reference, Target, marker_letters


@dataclass(frozen=True)
class Column:
    """One perspective's part of a topic page."""

    perspective: Perspective
    """The perspective."""
    html: str
    """Its commentary, rendered; empty when silent."""
    silence: str
    """Why it says nothing, when it is silent: a plain sentence, then the reason."""
    reason: str
    """The reason given in the front matter, when silent."""
    citations: int
    """How many citations of its sources the topic makes."""


@dataclass(frozen=True)
class BacklinkGroup:
    """The back-links of one paragraph that come from one document."""

    document: Document
    """The citing document."""
    links: tuple[Backlink, ...]
    """Its markers citing the paragraph."""


@dataclass(frozen=True)
class Paragraph:
    """A numbered block of a source page, with what cites it."""

    block: Block
    """The block."""
    groups: tuple[BacklinkGroup, ...]
    """Back-links, by citing document."""

    @property
    def cited(self) -> int:
        """Return how many markers cite this paragraph."""
        return sum(len(g.links) for g in self.groups)

    @property
    def heat(self) -> int:
        """Return the coverage strip's shade: 0 uncited, 1 for 1-2 markers, 2 for 3-5, 3 for 6 or more."""
        return next(shade for shade, floor in ((3, 6), (2, 3), (1, 1), (0, 0)) if self.cited >= floor)


@dataclass(frozen=True)
class Coverage:
    """How much of a source the commentary cites."""

    cited: int
    """Text paragraphs (not headings) cited at least once."""
    total: int
    """Text paragraphs in all."""
    by_document: tuple[tuple[Document, int], ...]
    """Citing documents with how many of the paragraphs each cites."""
    uncited: tuple[int, ...]
    """Numbers of the text paragraphs nothing cites."""


def template_problem(error: BaseException, template: str, folder: str) -> Problem:
    """Turn a template error into `templates/x.html:LINE: message`, the line read from Jinja's traceback."""
    if isinstance(error, jinja2.TemplateNotFound):
        return Problem(f"{folder}/{template}", None, f"the template '{error.name}' is missing from {folder}/")
    if isinstance(error, UnicodeDecodeError):
        return Problem(f"{folder}/{template}", None, "the template is not UTF-8 text; save it as UTF-8")
    name, line = template, getattr(error, "lineno", None)
    if isinstance(error, jinja2.TemplateSyntaxError) and error.name:
        name = error.name
    else:
        frame = error.__traceback__
        while frame is not None:  # Jinja rewrites tracebacks: a template's frames carry its file and line
            filename = frame.tb_frame.f_code.co_filename
            if filename.endswith((".html", ".xml", ".txt")) and not filename.endswith(".py"):
                name, line = Path(filename).name, frame.tb_lineno
            frame = frame.tb_next
    return Problem(f"{folder}/{name}", line, f"template error: {error}")


def make_environment(templates: Path) -> jinja2.Environment:
    """Return the Jinja environment for a folder of templates: autoescaped, strict about undefined names."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Renderer:
    """Renders one resolved site with one set of templates."""

    def __init__(
        self, site: Site, links: Links, env: jinja2.Environment, assets: dict[str, tuple[bytes, str]], templates: str
    ) -> None:
        self.site = site
        self.templates = templates
        """How to name the templates folder in messages (`templates`)."""
        self.links = links
        self.md: MarkdownIt = make_parser(citations=True)
        self.env = env
        self.assets = assets
        self.assets_by_name = {plain: hashed for hashed, (_, plain) in assets.items()}

    def render_all(self) -> dict[str, bytes]:
        """Return every file of the site by its path in the output."""
        files = {name: data for name, (data, _) in self.assets.items()}
        files.update({path: render() for path, render in self.pages().items()})
        return files

    def pages(self) -> dict[str, Callable[[], bytes]]:
        """Return a function rendering each page, by the page's path in the output."""
        site = self.site
        pages: dict[str, Callable[[], bytes]] = {
            "index.html": lambda: self._page("index.html", "index.html", rows=self._topic_rows()),
            "sources/index.html": lambda: self._page("sources.html", "sources/index.html"),
            "404.html": lambda: self._page("404.html", "404.html"),
        }
        for index, topic in enumerate(site.topics):
            pages[_file(topic.url)] = partial(self._topic_page, index)
        for page in site.pages:
            pages[_file(page.url)] = partial(self._plain_page, page)
        for article in site.articles.values():
            pages[source_path(article.slug)] = partial(self._source_page, article)
        base = site.config.base_url
        if base:
            listed = sorted(name for name in pages if name != "404.html")
            pages["sitemap.xml"] = lambda: _sitemap(base, listed)
            pages["robots.txt"] = lambda: (
                f"User-agent: *\nAllow: /\nSitemap: {absolute_url(base, 'sitemap.xml')}\n".encode()
            )
        return pages

    def _topic_page(self, index: int) -> bytes:
        topics = self.site.topics
        topic = topics[index]
        previous = topics[index - 1] if index > 0 else None
        following = topics[index + 1] if index + 1 < len(topics) else None
        context = self.document_context(topic)
        return self._page("topic.html", _file(topic.url), topic=topic, prev=previous, next=following, **context)

    def _plain_page(self, page: Document) -> bytes:
        return self._page("page.html", _file(page.url), doc=page, **self.document_context(page))

    def _source_page(self, article: Article) -> bytes:
        return self._page("source.html", source_path(article.slug), **self._source(article))

    # -- helpers given to templates ------------------------------------------------

    def _page(self, template: str, path: str, **context: object) -> bytes:
        # 404.html is served at any address, where relative links break: make them absolute when we can.
        base = self.site.config.base_url
        link = self._absolute_linker() if path == "404.html" and base else self._linker(path)
        try:
            return self._fill(template, path, link, base, **context)
        except (jinja2.TemplateError, UnicodeDecodeError) as error:
            raise BuildFailed([template_problem(error, template, self.templates)]) from None

    def _asset(self, link: Callable[[str], str], name: str) -> str:
        if name not in self.assets_by_name:
            known = ", ".join(sorted(self.assets_by_name)) or "nothing"
            raise jinja2.TemplateRuntimeError(f"no asset '{name}' in assets/ (it holds {known})")
        return link(self.assets_by_name[name])

    def _fill(self, template: str, path: str, link: Callable[[str], str], base: str | None, **context: object) -> bytes:
        html = self.env.get_template(template).render(
            site=self.site.config,
            path=path,
            canonical=absolute_url(base, path) if base and path != "404.html" else "",
            link=link,
            asset=partial(self._asset, link),
            topics=self.site.topics,
            pages=self.site.pages,
            articles=self.site.articles,
            sources_of=self._sources_of,
            perspective_label=self._perspective_label,
            links=self.links,
            **context,
        )
        return html.encode("utf-8")

    def _absolute_linker(self) -> Callable[[str], str]:
        base = self.site.config.base_url or ""

        def link(target: str) -> str:
            path, _, fragment = target.partition("#")
            return absolute_url(base, _file(path)) + (f"#{fragment}" if fragment else "")

        return link

    def _linker(self, from_path: str) -> Callable[[str], str]:
        """Return a function that makes site paths relative to the page at `from_path`."""
        directory_urls = self.site.config.build.directory_urls
        here = posixpath.dirname(from_path)

        def link(target: str) -> str:
            path, _, fragment = target.partition("#")
            if not path:
                return f"#{fragment}"
            path = _file(path)
            if directory_urls and (path == "index.html" or path.endswith("/index.html")):
                path = path[: -len("index.html")]
            relative = posixpath.relpath(path or ".", here or ".")
            if path.endswith("/") and relative != ".":
                relative += "/"
            if relative == ".":
                relative = "./"
            return relative + (f"#{fragment}" if fragment else "")

        return link

    def _perspective_label(self, perspective_id: str) -> str:
        return next(p.label for p in self.site.config.perspectives if p.id == perspective_id)

    def _sources_of(self, perspective: Perspective) -> list[Article]:
        return [a for a in self.site.articles.values() if a.meta.perspective == perspective.id]

    # -- page contents ------------------------------------------------------------------

    def _topic_rows(self) -> list[tuple[Document, dict[str, int]]]:
        return [(t, self.links.documents[t.path].balance) for t in self.site.topics]

    def document_context(self, document: Document) -> dict[str, object]:
        """Render a document's sections with its markers and pull quotes; return the context."""
        resolved = self.links.documents[document.path]
        env = new_env()
        env["cite"]["markers"] = resolved.markers  # type: ignore[index]
        link = self._linker(_file(document.url))
        env["cite"]["pullquotes"] = {  # type: ignore[index]
            use: self._pullquote(target, marker, link) for use, (target, marker) in resolved.pullquotes.items()
        }
        html = {s.key: self.md.renderer.render(list(s.tokens), self.md.options, env) for s in document.sections}
        columns = [self._column(document, p, html, resolved) for p in self.site.config.perspectives]
        return {
            "intro": html.get("intro", ""),
            "columns": columns,
            "common": html.get("common", ""),
            "context": html.get("context", ""),
            "references": resolved.references,
            "target_article": lambda ref: self.site.articles[ref.target.article],
            "passage": self._passage,
            "letters": marker_letters,
        }

    def _passage(self, reference: Reference) -> Markup:
        """Return the cited paragraphs as plain-text HTML, the quoted words marked."""
        target = reference.target
        if target.first is None or target.last is None:
            return Markup("")
        article = self.site.articles[target.article]
        paragraphs = []
        for block in article.blocks[target.first - 1 : target.last]:
            text, parts, pos = block.text, [], 0
            for start, end in target.spans:
                parts += [escape(text[pos:start]), f"<mark>{escape(text[start:end])}</mark>"]
                pos = end
            paragraphs.append(f"<p>{''.join(parts)}{escape(text[pos:])}</p>")
        return Markup("".join(paragraphs))

    def _column(
        self, document: Document, perspective: Perspective, html: dict[str, str], resolved: DocumentLinks
    ) -> Column:
        key = f"perspective:{perspective.id}"
        reason = document.topic.silent.get(perspective.id, "") if document.topic else ""
        silence = self._silence(perspective) if key not in html else ""
        return Column(perspective, html.get(key, ""), silence, reason, resolved.balance[perspective.id])

    def _silence(self, perspective: Perspective) -> str:
        sources = self._sources_of(perspective)
        if len(sources) == 1:
            return f"The {sources[0].meta.outlet} piece does not address this."
        if not sources:
            return f"No source of the {perspective.label} perspective addresses this."
        return f"None of the {perspective.label} sources addresses this."

    def _pullquote(self, target: Target, marker: Marker, link: Callable[[str], str]) -> PullQuote:
        article = self.site.articles[target.article]
        if target.words:
            html = "<p>" + " … ".join(escape(w) for w in target.words) + "</p>"
        else:
            assert target.first is not None and target.last is not None
            html = "".join(b.html for b in article.blocks[target.first - 1 : target.last])
        href = link(f"sources/{article.slug}/index.html#{target.anchor}")
        attribution = f"{article.meta.outlet}, “{article.meta.title}”"
        return PullQuote(html, attribution, href, target.locator, marker)

    def _source(self, article: Article) -> dict[str, object]:
        paragraphs = [Paragraph(b, self._groups(article.slug, b.number)) for b in article.blocks]
        return {
            "article": article,
            "paragraphs": paragraphs,
            "whole": self._groups(article.slug, 0),
            "coverage": _coverage(paragraphs),
        }

    def _groups(self, slug: str, number: int) -> tuple[BacklinkGroup, ...]:
        grouped: dict[str, list[Backlink]] = defaultdict(list)
        documents: dict[str, Document] = {}
        for backlink in self.links.backlinks.get((slug, number), ()):
            grouped[backlink.document.path].append(backlink)
            documents[backlink.document.path] = backlink.document
        return tuple(BacklinkGroup(documents[p], tuple(links)) for p, links in grouped.items())


def _coverage(paragraphs: Sequence[Paragraph]) -> Coverage:
    text = [p for p in paragraphs if p.block.kind != "heading"]
    counts: dict[str, int] = defaultdict(int)
    documents: dict[str, Document] = {}
    for paragraph in text:
        for group in paragraph.groups:
            counts[group.document.path] += 1
            documents[group.document.path] = group.document
    return Coverage(
        sum(1 for p in text if p.cited),
        len(text),
        tuple((documents[path], count) for path, count in counts.items()),
        tuple(p.block.number for p in text if not p.cited),
    )


def _file(path: str) -> str:
    """Return the file a site path is served from: `topics/x/` is `topics/x/index.html`."""
    return path + "index.html" if path.endswith("/") or not path else path


def absolute_url(base: str, path: str) -> str:
    """Return the public address of an output file: `topics/x/index.html` is served as `BASE/topics/x/`."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base.rstrip("/") + "/" + path


def _sitemap(base: str, pages: Sequence[str]) -> bytes:
    """Return a sitemap.xml listing `pages` (no dates: the output must not depend on when it was built)."""
    addresses = sorted(absolute_url(base, page) for page in pages)
    entries = "".join(f"  <url><loc>{escape(address)}</loc></url>\n" for address in addresses)
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    return xml.encode()


def source_path(slug: str) -> str:
    """Return the output path of a source's page."""
    return f"sources/{slug}/index.html"


def hashed_assets(templates: Mapping[str, bytes]) -> dict[str, tuple[bytes, str]]:
    """Return {`assets/name.HASH.ext`: (bytes, plain name)} for each file under `assets/` in `templates`."""
    assets: dict[str, tuple[bytes, str]] = {}
    for name, data in sorted(templates.items()):
        if not name.startswith("assets/"):
            continue
        plain = name.removeprefix("assets/")
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = plain.rpartition(".")
        hashed = f"{stem}.{digest}.{ext}" if dot else f"{plain}.{digest}"
        assets[f"assets/{hashed}"] = (data, plain)
    return assets
