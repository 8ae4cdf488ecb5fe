"""Render one output file of the build plan to bytes. Pure: templates come in as bytes, nothing is written.

Commentary was rendered to HTML when it was parsed, with a placeholder for
each citation; rendering a page fills the placeholders in with the markers and
pull quotes its resolution gives, then puts the page through its template.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from html import escape
from pathlib import Path
from types import FunctionType, MethodType

import jinja2
import jinja2.compiler
import jinja2.nodes
import jinja2.runtime
from markupsafe import Markup

from counterpoint import cldr, explainerjson, structured, urls, webannotations
from counterpoint.citations import PLACEHOLDER
from counterpoint.errors import Problem
from counterpoint.escaping import as_html
from counterpoint.i18n import Words, words_for
from counterpoint.model import (
    Article,
    Backlink,
    Block,
    Body,
    Common,
    Context,
    Document,
    Intro,
    Marker,
    Paragraphs,
    Perspective,
    Reference,
    Resolution,
    SectionKey,
    Side,
    Site,
    Target,
    Topic,
    TopicMeta,
)
from counterpoint.plan import (
    Annotations,
    Asset,
    Explainer,
    ExplainerSchema,
    Feed,
    IndexPage,
    NotFoundPage,
    OtherPage,
    Output,
    Robots,
    Sitemap,
    SourcePage,
    SourcesPage,
    TopicPage,
)
from counterpoint.xref import Mention, backlinks, mentions


@dataclass(frozen=True)
class Column:
    """One perspective's part of a topic page."""

    perspective: Perspective
    """The perspective."""
    html: str
    """Its commentary, rendered; empty when silent."""
    silent: bool
    """True when it says nothing on the topic (the template says so, naming its `sources`)."""
    sources: tuple[Article, ...]
    """The perspective's sources."""
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

    @functools.cached_property
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


@dataclass(frozen=True)
class Theme:
    """The templates and assets a site is rendered with, as read: the built-in theme, overridden file by file by
    the site's own templates folder."""

    files: Mapping[str, bytes]
    """Every template and asset, by relative path: the site's own where it has one, else the built-in one."""
    folder: str
    """How to name the site's own templates folder in messages (`templates`)."""
    own: frozenset[str] = frozenset()
    """The files that come from the site's own folder."""

    def where(self, name: str) -> str:
        """Return how messages name a theme file: `templates/x.html`, or `built-in theme/x.html`."""
        return f"{self.folder if name in self.own else BUILT_IN_NAME}/{name}"

    def stamp(self) -> str:
        """Return a fingerprint of every template and asset."""
        digest = hashlib.sha256()
        for name, data in sorted(self.files.items()):
            digest.update(name.encode() + b"\0" + data + b"\0")
        return digest.hexdigest()


BUILT_IN = Path(__file__).resolve().parent / "theme"
"""The built-in theme: templates and assets shipped with the engine."""
BUILT_IN_NAME = "built-in theme"


def template_problem(error: BaseException, template: str, theme: Theme) -> Problem:
    """Turn a template error into `templates/x.html:LINE: message`, the line read from Jinja's traceback."""
    if isinstance(error, jinja2.TemplateNotFound):
        where = f"{theme.folder}/ or the built-in theme"
        return Problem(theme.where(template), None, f"the template '{error.name}' is missing from {where}")
    if isinstance(error, UnicodeDecodeError):
        return Problem(theme.where(template), None, "the template is not UTF-8 text; save it as UTF-8")
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
    return Problem(theme.where(name), line, f"template error: {error}")


def make_environment(theme: Theme) -> jinja2.Environment:
    """Return the Jinja environment for a theme: autoescaped, strict about undefined names.

    Templates load from the bytes already read, so rendering reads no file; compiled templates are cached
    on disk by their source's checksum (as Python caches bytecode), since compiling them is most of the
    time a small site takes to build.
    """
    sources = {name: data for name, data in theme.files.items() if not name.startswith("assets/")}

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        if name not in sources:
            return None
        return sources[name].decode("utf-8"), name, lambda: True

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # a theme's templates never change under a build: a new theme gets a new environment
        bytecode_cache=_bytecode_cache(),
    )
    environment.context_class = _Context
    environment.code_generator_class = _CodeGenerator
    environment.globals["range"] = _range
    return environment


_MOST = 100_000
"""The longest range a template may count through (Jinja's sandbox has the same bound)."""


def _range(*bounds: int) -> range:
    """Jinja's `range`, but one a mistake (`range(10**12)`) cannot make loop for hours: it fails the build."""
    made = range(*bounds)
    if len(made) > _MOST:
        raise OverflowError(f"range() of {len(made):,} numbers: a template never needs more than {_MOST:,}")
    return made


TEXT_ATTRIBUTES = frozenset({"blocks", "voices", "speaker", "credit", "span"})
"""What of a source (`Article`) holds or reads its text rather than its front matter."""


def reads_source_texts(theme: Theme, environment: jinja2.Environment, built_in: Mapping[str, bytes]) -> bool:
    """Return True if a template of the site's own may show a source's text where the built-in theme does not.

    The build plan knows where the built-in theme shows a source's text (an attribute in TEXT_ATTRIBUTES):
    its page, the list of sources, the pages citing it. A template of the site's own that differs from the
    built-in one (`built_in`, by name) and reads a source's text, or includes, imports or extends a template
    that does, may show it on any page: an edit of a source's text must then render every page again. Read
    from the templates' syntax; a template that cannot be parsed, or names another by an expression, counts
    as reading it (an error is reported when it is rendered)."""
    changed = [name for name in theme.own if theme.files[name] != built_in.get(name)]
    if not changed:  # the built-in theme, or copies of it: the plan knows where they show what
        return False
    names = sorted(name for name in theme.files if not name.startswith("assets/"))  # what Jinja may load
    direct: dict[str, bool] = {}
    uses: dict[str, set[str]] = {}
    for name in names:
        try:
            tree = environment.parse(theme.files[name].decode("utf-8", "replace"), name)
        except jinja2.TemplateSyntaxError:
            direct[name], uses[name] = True, set()
            continue
        nodes = tree.find_all((jinja2.nodes.Getattr, jinja2.nodes.Getitem, jinja2.nodes.Const))
        named = [node.template for node in tree.find_all(_USING)]  # type: ignore[attr-defined]
        direct[name] = any(_reads_text(node) for node in nodes) or not all(
            isinstance(n, jinja2.nodes.Const) for n in named
        )
        uses[name] = {n.value for n in named if isinstance(n, jinja2.nodes.Const)}
    reading = {name for name in names if direct[name]}
    grown = True
    while grown:  # what uses a template that reads, reads
        more = {name for name in names if name not in reading and uses[name] & reading}
        reading |= more
        grown = bool(more)
    return any(name in reading for name in changed)


_USING = (jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport, jinja2.nodes.Extends)
"""The tags that bring in another template."""


def _reads_text(node: jinja2.nodes.Node) -> bool:
    """Return True for `x.blocks`, for `x[key]` with a key only rendering tells, and for any string naming a
    source's text, as filters take them: `x['blocks']`, `x|attr('blocks')`, `xs|map(attribute='blocks.0')`."""
    match node:
        case jinja2.nodes.Getattr(attr=attribute):
            return attribute in TEXT_ATTRIBUTES
        case jinja2.nodes.Getitem(arg=key):
            return not isinstance(key, jinja2.nodes.Const)
        case jinja2.nodes.Const(value=str(text)):
            return text.split(".", 1)[0] in TEXT_ATTRIBUTES
    return False


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler, making a template yield one string per run of text and expressions, not one per piece.

    A page is rendered by generators nested three deep (base.html, the page's template, its block), and each
    piece yielded passes through all three: a source page yielded about 1,500 times. Joined first, the same
    output comes in a few hundred yields, a tenth faster to render. Where Jinja already collects output into a
    list (in a macro, a `{% set %}` block, or above a template's `{% extends %}`), it is left alone.
    """

    def visit_Template(self, node: jinja2.nodes.Template, frame: jinja2.compiler.Frame | None = None) -> None:
        super().visit_Template(node, frame)
        # The template's functions look `escape` up when they run: from here on it is the one below.
        self.writeline(f"from {__name__} import _escape as escape")

    def visit_Output(self, node: jinja2.nodes.Output, frame: jinja2.compiler.Frame) -> None:
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        buffer = self.temporary_identifier()
        self.writeline(f"{buffer} = []")
        frame.buffer = buffer
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None
        self.writeline(f"yield concat({buffer})")


class _Context(jinja2.runtime.Context):
    """Jinja's template context, calling the generator's helpers (the site's words, `link`, ...) directly.

    Jinja's own `call` asks each callable whether it wants the context passed in (`jinja2.pass_context`), a few
    microseconds a call; a page makes hundreds, nearly all to helpers that never do. The site's words, and any
    plain function or method not marked for it, are called at once; anything else (a macro, a marked
    function, a class) goes Jinja's way.
    """

    def call(__self, __obj: Callable[..., object], *args: object, **kwargs: object) -> object:
        kind = type(__obj)
        function = __obj.__func__ if kind is MethodType else __obj  # type: ignore[attr-defined]
        if kind is Words or (type(function) is FunctionType and _PASS_ARG not in function.__dict__):
            if kwargs:  # inside a loop or block, Jinja passes its variables, for callables that take the context
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja has it: inside the template's generator it would be a RuntimeError
                return __self.environment.undefined(_STOPPED)
        return jinja2.runtime.Context.call(__self, __obj, *args, **kwargs)


_STOPPED = "value was undefined because a callable raised a StopIteration exception"
"""What Jinja says of a value a callable gave none of (by raising StopIteration)."""
_PASS_ARG = "jinja_pass_arg"
"""The attribute `jinja2.pass_context` and its kin set on a function."""


_escape = as_html
"""How compiled templates escape what they put out (`_CodeGenerator` imports it under this name)."""


_COMPILED = "joined-2"
"""Names how `_CodeGenerator` compiles: a change to it must not meet templates compiled the old way."""


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Return a cache of compiled templates in the user's cache folder, or None where there is none to use."""
    folder = cldr.cache_folder("jinja", _COMPILED)
    return jinja2.FileSystemBytecodeCache(folder) if folder else None


def hashed_assets(theme_files: Mapping[str, bytes]) -> dict[str, tuple[bytes, str]]:
    """Return {`assets/name.HASH.ext`: (bytes, plain name)} for each file under `assets/` of the theme."""
    assets: dict[str, tuple[bytes, str]] = {}
    for name, data in sorted(theme_files.items()):
        if not name.startswith("assets/"):
            continue
        plain = name.removeprefix("assets/")
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = plain.rpartition(".")
        hashed = f"{stem}.{digest}.{ext}" if dot else f"{plain}.{digest}"
        assets[f"assets/{hashed}"] = (data, plain)
    return assets


class Renderer:
    """Renders the output files of one resolved site with one theme."""

    def __init__(
        self,
        site: Site,
        env: jinja2.Environment,
        theme: Theme,
        documents: Mapping[str, tuple[Body, Resolution]],
        citing: Mapping[str, Sequence[tuple[Document, Sequence[Mention]]]],
        balances: Mapping[str, tuple[int, ...]],
        fragments: dict[str, tuple[TopicMeta | None, tuple[int, ...], Markup]] | None = None,
        shape: int | None = None,
        search: bool = False,
        parts: dict[str, KeptPart] | None = None,
        schema: bytes = b"",
        assets: Mapping[str, tuple[bytes, str]] | None = None,
    ) -> None:
        self.site = site
        self.search = search
        """Whether the site is indexed for search, so that pages show the search box (`_search.html`)."""
        self.shape = shape
        """A fingerprint of what every page shows (see `plan.shape`), when the caller keeps `fragments`."""
        self.fragments = {} if fragments is None else fragments
        """Parts of pages kept from one build to the next (the index's rows), for a given env and config."""
        self.parts = {} if parts is None else parts
        """The parts of explainer.json kept from one build to the next, for a given config, by the path of the
        content file each is made from."""
        self.schema = schema
        """The bytes of explainer.schema.json."""
        self.documents = documents
        """The body and resolved citations of each document this renderer renders, by its path."""
        self.citing = citing
        """By source slug, the documents citing it, in site order, each with its mentions of the source."""
        self.balances = balances
        """By document path, the citations of each perspective's sources (see `Resolution.balance`)."""
        self.env = env
        self.theme = theme
        self.assets = hashed_assets(theme.files) if assets is None else assets
        self.assets_by_name = {plain: hashed for hashed, (_, plain) in self.assets.items()}
        self.articles = site.by_slug
        self._by_path = site.by_path
        self._sources = site.of_perspective
        """The sources of each perspective, by its id (every topic's columns ask; looking through every source
        each time made rendering a site's topics grow with the square of its size)."""
        self.feed = bool(site.config.base_url) and structured.feed_date(site.config, site.articles) is not None
        self.words = words_for(site.config.language, site.config.strings)
        self._explainer_link = explainerjson.linker(site.config)
        self._backlinks: tuple[str, dict[int, list[Backlink]]] = ("", {})

    def render(self, output: Output) -> str | bytes | Problem:
        """Return one output file: the text of a page (or of another text file), the bytes of an asset; or the
        template problem that stopped it. A page stays text, so the link check reads it without decoding it."""
        spec = output.spec
        site = self.site
        match spec:
            case Asset(name):
                return self.assets[name][0]
            case Sitemap(listed):
                return _sitemap(site.config.base_url or "", listed)
            case Robots():
                base = site.config.base_url or ""
                return f"User-agent: *\nAllow: /\nSitemap: {urls.absolute(base, 'sitemap.xml')}\n"
            case Annotations(document):
                found = self._by_path[document]
                _, resolution = self.documents[document]
                return explainerjson.encode(webannotations.collection(site.config, found, resolution, self.articles))
            case Feed(updated):
                return structured.atom(site.config, site.topics, updated)
            case Explainer():
                return self._explainer()
            case ExplainerSchema():
                return self.schema
            case IndexPage():
                try:  # the rows, each kept from build to build, joined here: a template loop over thousands is slow
                    rows = self._rows(output.path)
                except Exception as error:  # the theme's mistake, located like any other
                    return template_problem(error, "_topic_row.html", self.theme)
                try:
                    perspectives = self._perspectives(output.path)
                except Exception as error:  # the theme's mistake, located like any other
                    return template_problem(error, "_perspectives.html", self.theme)
                jsonld = structured.website(site.config)
                return self._page("index.html", output.path, rows=rows, perspectives=perspectives, jsonld=jsonld)
            case SourcesPage():
                return self._page("sources.html", output.path)
            case NotFoundPage():
                return self._page("404.html", output.path)
            case TopicPage(index):
                return self._topic_page(output.path, index)
            case OtherPage(index):
                page = site.pages[index]
                jsonld = structured.other_page(site.config, page, output.path)
                context = self._document(page, output.path)
                return self._page("page.html", output.path, doc=page, jsonld=jsonld, **context)
            case SourcePage(slug):
                article = self.articles[slug]
                jsonld = structured.source_page(site.config, article, output.path)
                return self._page("source.html", output.path, jsonld=jsonld, **self._source(article))

    def _topic_page(self, path: str, index: int) -> str | Problem:
        topics = self.site.topics
        topic = topics[index]
        previous = topics[index - 1] if index > 0 else None
        following = topics[index + 1] if index + 1 < len(topics) else None
        context = self._document(topic, path)
        references = context["references"]
        assert isinstance(references, tuple)
        jsonld = structured.topic_article(self.site.config, topic, path, references, self.articles)
        return self._page(
            "topic.html", path, topic=topic, number=index + 1, prev=previous, next=following, jsonld=jsonld, **context
        )

    def _perspectives(self, path: str) -> Markup:
        """Return the index's list of perspectives and their sources, kept while the site's shape is unchanged."""
        kept = self.fragments.get("")
        if kept is not None and self.shape is not None and kept[1] == (self.shape,):
            return kept[2]
        link = urls.relative_linker(path, self.site.config.build.directory_urls)
        html = Markup(
            self.env.get_template("_perspectives.html").render(
                site=self.site.config, link=link, sources_of=self._sources_of, t=self.words
            )
        )
        if self.shape is not None:
            self.fragments[""] = (None, (self.shape,), html)
        return html

    def _rows(self, path: str) -> Markup:
        """Return the index's entry of every topic, each rendered once and kept while the topic and its balance
        are (looked up here, in one loop: there may be thousands)."""
        rows = []
        fragments, balances = self.fragments, self.balances
        for topic in self.site.topics:
            counts = balances[topic.path]
            kept = fragments.get(topic.slug)
            # The same front matter is mostly the very same object, kept from the last build: compare that first.
            if kept is not None and kept[1] == counts and (kept[0] is topic.meta or kept[0] == topic.meta):
                rows.append(kept[2])
            else:
                rows.append(self._topic_row(path, topic, counts))
        return Markup("".join(rows))

    def _topic_row(self, path: str, topic: Topic, counts: tuple[int, ...]) -> Markup:
        """Return a topic's entry on the index, rendered now, and keep it."""
        balance = {p.id: count for p, count in zip(self.site.config.perspectives, counts, strict=True)}
        link = urls.relative_linker(path, self.site.config.build.directory_urls)
        html = self.env.get_template("_topic_row.html").render(
            site=self.site.config, topic=topic, balance=balance, link=link, t=self.words
        )
        row = Markup(html)
        self.fragments[topic.slug] = (topic.meta, counts, row)
        return row

    # -- helpers given to templates ------------------------------------------------

    def _page(self, template: str, path: str, **context: object) -> str | Problem:
        context.setdefault("jsonld", None)  # the pages that say nothing about themselves to machines
        context.setdefault("annotations", "")
        # 404.html is served at any address, where relative links break: make them absolute when we can.
        base = self.site.config.base_url
        if path == urls.NOT_FOUND and base:
            link = urls.absolute_linker(base)
        else:
            link = urls.relative_linker(path, self.site.config.build.directory_urls)
        try:
            html = self.env.get_template(template).render(
                site=self.site.config,
                path=path,
                canonical=urls.absolute(base, path) if base and path != urls.NOT_FOUND else "",
                feed=link(structured.FEED) if self.feed else "",
                link=link,
                asset=partial(self._asset, link),
                topics=self.site.topics,
                pages=self.site.pages,
                articles=self.articles,
                sources_of=self._sources_of,
                perspective_label=self._perspective_label,
                t=self.words,
                browser_words=self._browser_words,
                search=self.search,
                **context,
            )
        except Exception as error:  # in a template, `1 // 0` or `number + title` is the theme's mistake
            return template_problem(error, template, self.theme)
        return html

    @functools.cached_property
    def _browser_words(self) -> dict[str, str]:
        """The messages the browser script writes (citation previews, the way back), as the catalogue has them."""
        return self.words.strings("note", "read_in_source", "read_source", "close", "way_back")

    def _asset(self, link: urls.Linker, name: str) -> str:
        if name not in self.assets_by_name:
            known = ", ".join(sorted(self.assets_by_name)) or "nothing"
            raise jinja2.TemplateRuntimeError(f"no asset '{name}' in assets/ (it holds {known})")
        return link(self.assets_by_name[name])

    def _perspective_label(self, perspective_id: str) -> str:
        return next(p.label for p in self.site.config.perspectives if p.id == perspective_id)

    def _sources_of(self, perspective: Perspective) -> list[Article]:
        return list(self._sources.get(perspective.id, ()))

    # -- page contents ------------------------------------------------------------------

    def _document(self, document: Document, path: str) -> dict[str, object]:
        """Fill a document's sections with its markers and pull quotes; return the template's context."""
        body, resolution = self.documents[document.path]
        link = urls.relative_linker(path, self.site.config.build.directory_urls)
        sections = self._filled(body, resolution, link)
        columns = (
            [self._column(document, p, sections, resolution, i) for i, p in enumerate(self.site.config.perspectives)]
            if isinstance(document, Topic)
            else []
        )
        return {
            "intro": sections.get(Intro(), ""),
            "columns": columns,
            "common": sections.get(Common(), ""),
            "context": sections.get(Context(), ""),
            "references": resolution.references,
            "passage": self._passage,
            "annotations": link(webannotations.path_of(document)) if resolution.references else "",
        }

    def _filled(self, body: Body, resolution: Resolution, link: urls.Linker) -> dict[SectionKey, str]:
        """Return each section's HTML with its markers and pull quotes in place of the placeholders."""
        filled: dict[int, str] = {use: "".join(_marker_html(m) for m in markers) for use, markers in resolution.markers}
        for use, target, marker in resolution.pullquotes:
            filled[use] = self._pullquote(target, marker, link)

        def fill(html: str) -> str:
            return PLACEHOLDER.sub(lambda match: filled.get(int(match[1]), ""), html) if "\0" in html else html

        return {s.key: fill(s.html) for s in body.sections}

    def _passage(self, reference: Reference) -> Markup:
        """Return the cited paragraphs as plain-text HTML, the quoted words marked."""
        target = reference.target
        if not isinstance(target.locator, Paragraphs):
            return Markup("")
        article = self.articles[target.article]
        paragraphs = []
        for block in article.span(target.locator.first, target.locator.last):
            text, parts, pos = block.text, [], 0
            for start, end in target.spans:
                parts += [escape(text[pos:start]), f"<mark>{escape(text[start:end])}</mark>"]
                pos = end
            paragraphs.append(f"<p>{''.join(parts)}{escape(text[pos:])}</p>")
        return Markup("".join(paragraphs))

    def _column(
        self,
        topic: Topic,
        perspective: Perspective,
        sections: Mapping[SectionKey, str],
        resolution: Resolution,
        index: int,
    ) -> Column:
        key = Side(perspective.id)
        reason = topic.meta.silent.get(perspective.id, "")
        sources = tuple(self._sources_of(perspective))
        html = sections.get(key, "")
        return Column(perspective, html, key not in sections, sources, reason, resolution.balance[index])

    def _pullquote(self, target: Target, marker: Marker, link: urls.Linker) -> str:
        article = self.articles[target.article]
        if target.words:
            html = "<p>" + escape(self.words.text("quote_gap")).join(escape(w) for w in target.words) + "</p>"
        else:
            assert isinstance(target.locator, Paragraphs)  # a pull quote names a paragraph or quotes words
            html = "".join(b.html for b in article.span(target.locator.first, target.locator.last))
        href = link(f"{article.url}#{target.anchor}")
        words = self.words
        caption = words(
            "pullquote_caption",
            source=words.credit(article.credit(target.paragraphs)),
            title=words.text("quoted_title", title=article.meta.title),
            where=Markup('<a href="{}">{}</a>{}').format(href, target.locator_text, Markup(_marker_html(marker))),
        )
        return (
            f'<figure class="pullquote">\n<blockquote cite="{escape(href)}">{html}</blockquote>\n'
            f"<figcaption>{caption}</figcaption>\n</figure>\n"
        )

    def _source(self, article: Article) -> dict[str, object]:
        found = self._found(article)
        paragraphs = [Paragraph(b, _groups(found.get(b.number, ()))) for b in article.blocks]
        return {
            "article": article,
            "paragraphs": paragraphs,
            "whole": _groups(found.get(0, ())),
            "coverage": _coverage(paragraphs),
        }

    def _found(self, article: Article) -> dict[int, list[Backlink]]:
        """Return the back-links to each paragraph of a source, kept for the next call (the source's part of
        explainer.json follows its page)."""
        if self._backlinks[0] != article.slug:
            self._backlinks = (article.slug, backlinks(article, self.citing[article.slug], self.words))
        return self._backlinks[1]

    # -- explainer.json ------------------------------------------------------------------

    def explainer_source(self, slug: str) -> bytes:
        """Return a source's part of explainer.json."""
        article = self.articles[slug]
        return explainerjson.encode(explainerjson.source(article, self._found(article), self._explainer_link))

    def explainer_document(self, path: str) -> bytes:
        """Return a topic's or page's part of explainer.json (this renderer must hold its body)."""
        body, resolution = self.documents[path]
        link = self._explainer_link
        html = self._filled(body, resolution, link)
        data = explainerjson.document(self.site.config, self._by_path[path], body.sections, html, resolution, link)
        return explainerjson.encode(data)

    def _explainer(self) -> bytes:
        """Return explainer.json whole (this renderer must hold every document's body)."""
        return b"".join(self.explainer_parts())

    def explainer_parts(self) -> tuple[bytes, ...]:
        """Return explainer.json in parts, to be joined (this renderer must hold every document's body), each
        part made again only when what it is made from is new."""
        site = self.site
        kept = dict(self.parts)
        self.parts.clear()  # the caller's dict: it keeps the parts of this build, and no others
        touched: set[str] = set()  # the sources whose back-links may have changed
        documents = []
        for index, document in enumerate(site.documents):
            body, resolution = self.documents[document.path]
            # Its pull quotes show the sources it cites (an edited source gets it resolved anew too, but say so).
            made_from = (document, body, resolution, *(self.articles[slug] for slug in resolution.cited))
            part = kept.pop(document.path, None)
            if part is None or part.index != index or part.made_from != made_from:  # the very objects, mostly
                found = mentions(resolution)
                before, moved = (part.mentions, part.index != index) if part else ({}, True)
                # A source's back-links list this document's markers, in the documents' order.
                touched.update(s for s in found.keys() | before.keys() if moved or found.get(s) != before.get(s))
                same = part is not None and part.made_from == made_from
                data = part.data if part is not None and same else self.explainer_document(document.path)
                part = KeptPart(made_from, data, found, index)
            self.parts[document.path] = part
            documents.append(part.data)
        for gone in kept.values():  # a removed document's markers (a source's part has none)
            touched.update(gone.mentions)
        sources = []
        for article in site.articles:
            part = kept.get(article.path)
            if part is None or part.made_from[0] is not article or article.slug in touched:
                part = KeptPart((article,), self.explainer_source(article.slug), {}, -1)
            self.parts[article.path] = part
            sources.append(part.data)
        topics, pages = documents[: len(site.topics)], documents[len(site.topics) :]
        return tuple(explainerjson.join(explainerjson.head(site.config), sources, topics, pages))


@dataclass(frozen=True, slots=True)
class KeptPart:
    """A part of explainer.json kept from one build to the next."""

    made_from: tuple[object, ...]
    """What it was made from: the document, its body, its resolution and the sources it cites; or the source
    (the very object). A source's part is made again, besides, when the markers citing it change."""
    data: bytes
    """The part, encoded."""
    mentions: Mapping[str, tuple[Mention, ...]]
    """A document's markers, by the source each cites: what the sources' back-links show of it."""
    index: int
    """A document's position in the site's documents, which orders the back-links; -1 for a source."""


def _groups(found: Sequence[Backlink]) -> tuple[BacklinkGroup, ...]:
    """Group the back-links of one paragraph by the document they come from."""
    grouped: dict[str, list[Backlink]] = defaultdict(list)
    documents: dict[str, Document] = {}
    for backlink in found:
        grouped[backlink.document.path].append(backlink)
        documents[backlink.document.path] = backlink.document
    return tuple(BacklinkGroup(documents[p], tuple(links)) for p, links in grouped.items())


def _marker_html(marker: Marker) -> str:
    # The visible [n] starts the accessible name (WCAG 2.5.3); the source follows, visually hidden. Search
    # leaves it out: it would find the source's name in every sentence citing it.
    return (
        f'<sup class="cite" data-pagefind-ignore><a role="doc-noteref" id="{marker.id}" href="{escape(marker.href)}">'
        f'[{marker.label}]<span class="vh"> {escape(marker.description)}</span></a></sup>'
    )


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


def _sitemap(base: str, pages: Sequence[str]) -> str:
    """Return a sitemap.xml listing `pages` (no dates: the output must not depend on when it was built)."""
    addresses = sorted(urls.absolute(base, page) for page in pages)
    entries = "".join(f"  <url><loc>{escape(address)}</loc></url>\n" for address in addresses)
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    return xml
