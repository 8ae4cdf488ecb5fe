"""The content model: what a site is made of, as frozen, typed, hashable data.

The `*Meta` and `SiteConfig` classes double as the schemas of `site.yaml` and
of each kind of front matter (see `schema.convert`): their fields are the keys
a file may hold, and a field without a default is required.

Parsed Markdown is kept as rendered HTML in which each citation stands as a
placeholder (see `citations.placeholder`), never as markdown-it tokens: the
model is frozen for real, hashable, cheap to send to another process, and
rendering a page only fills the placeholders in.
"""

from __future__ import annotations

import datetime
import enum
import functools
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from counterpoint import urls

V = TypeVar("V")


class FrozenMap(Mapping[str, V], Generic[V]):
    """A mapping that cannot change, and so can be hashed: YAML mappings in frozen data."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, V]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"


# -- site.yaml -----------------------------------------------------------------


@dataclass(frozen=True)
class Perspective:
    """One side of the question."""

    id: str
    """Short name used in front matter and topic headings (`originator`)."""
    label: str
    """How readers see it named (`Originator`)."""
    summary: str
    """One paragraph stating the perspective in its own best terms."""


@dataclass(frozen=True)
class BuildOptions:
    """Options of the build itself."""

    directory_urls: bool = False
    """Link to `topics/x/` instead of `topics/x/index.html`; the latter also works from disk."""


@dataclass(frozen=True)
class SiteConfig:
    """The contents of `site.yaml`."""

    title: str
    """The explainer's title, shown on every page."""
    question: str
    """The question the explainer answers."""
    description: str
    """One or two sentences for the index and for link previews."""
    perspectives: tuple[Perspective, ...]
    """The perspectives, at least two, in the order they are shown."""
    language: str = "en"
    """The language of the content, as a BCP 47 tag (`en`, `en-GB`)."""
    base_url: str | None = None
    """The address the site will be published at; optional."""
    topics: tuple[str, ...] = ()
    """Topic slugs in reading order; when empty, topics sort by their `order`, then title."""
    updated: datetime.date | None = None
    """When the explainer was last revised: the date of its Atom feed (else the newest source's date)."""
    strings: FrozenMap[str | FrozenMap[str]] = field(default_factory=lambda: FrozenMap({}))
    """The site's own wording of interface messages, replacing the catalogue's (`i18n`): a text, or a text
    per plural category."""
    build: BuildOptions = field(default_factory=BuildOptions)
    """Options of the build."""


# -- front matter ----------------------------------------------------------------


@dataclass(frozen=True)
class ArticleMeta:
    """Front matter of `content/articles/<slug>.md`."""

    title: str
    """The article's headline, as published."""
    outlet: str
    """Who published it (`China Daily`)."""
    perspective: str
    """The id of the perspective it argues, as declared in site.yaml."""
    excerpt: bool
    """True when the text is part of a longer article."""
    subtitle: str | None = None
    """The deck or subtitle, if it has one."""
    author: str | None = None
    """The byline; leave it out when the text names none."""
    published: datetime.date | None = None
    """Publication date; leave it out when it is not known."""
    url: str | None = None
    """The article's own web address, where it was published (where the text was captured from goes in notes)."""
    archive_url: str | None = None
    """Another copy of the text (an archive or a mirror)."""
    notes: tuple[str, ...] = ()
    """What is known, and what is not known, about the source; one fact each."""
    voices: FrozenMap[str | int] = field(default_factory=lambda: FrozenMap({}))
    """The people the article quotes, each with the paragraphs that are their words (`"8-9, 12"`); a paragraph
    not listed is the outlet's own voice. Read into `Article.voices`."""


@dataclass(frozen=True)
class TopicMeta:
    """Front matter of `content/topics/<slug>.md`."""

    title: str
    """The topic's short title."""
    question: str
    """The question this topic answers."""
    summary: str
    """One line saying what the topic covers."""
    order: int | None = None
    """Position among topics, when site.yaml does not list them."""
    silent: FrozenMap[str] = field(default_factory=lambda: FrozenMap({}))
    """Perspectives whose sources do not address this topic, each with the reason."""


@dataclass(frozen=True)
class PageMeta:
    """Front matter of `content/pages/<slug>.md`."""

    title: str
    """The page's title."""
    description: str | None = None
    """One sentence for link previews."""
    order: int = 0
    """Position in the site's navigation."""


# -- sources ---------------------------------------------------------------------------


class BlockKind(enum.StrEnum):
    """What a numbered block of a source is; templates use the value as a CSS class."""

    PARAGRAPH = "paragraph"
    HEADING = "heading"
    ITEM = "item"
    BLOCKQUOTE = "blockquote"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Block:
    """One numbered block of a source article: a paragraph, heading, list item or quote."""

    number: int
    """¶N, counted from 1 in reading order."""
    kind: BlockKind
    """What kind of block it is."""
    html: str
    """The block rendered, verbatim."""
    text: str
    """The block's plain text, which quotes are matched against."""
    folded: str
    """`text` with its typography folded (`quotes.fold`), computed once, for quote lookups."""
    line: int
    """Line of the block in its file."""


@dataclass(frozen=True)
class Article:
    """A source article with numbered blocks."""

    slug: str
    """File name without `.md`; its page is `sources/<slug>/`."""
    path: str
    """File path relative to the site folder."""
    meta: ArticleMeta
    """Its front matter."""
    blocks: tuple[Block, ...]
    """Its text, block by block."""
    voices: tuple[Voice, ...] = ()
    """Who speaks where, from the front matter's `voices`, checked against the blocks."""

    @property
    def url(self) -> str:
        """Return the site path of the source's page."""
        return urls.source(self.slug)

    def span(self, first: int, last: int) -> tuple[Block, ...]:
        """Return the blocks ¶first to ¶last."""
        return self.blocks[first - 1 : last]

    @functools.cached_property
    def page_text(self) -> str:
        """Return the source page's text as a browser searches it for a text fragment's words: lower case, white
        space single, its title, deck, outlet, author, notes and paragraphs apart (less the site's navigation and
        the titles of the topics citing it, which rarely hold a quote's words). Made when first asked for, by the
        citations that quote the source."""
        meta = self.meta
        shown = [meta.title, meta.subtitle or "", meta.outlet, meta.author or "", *meta.notes]  # above the text
        lines = [*shown, *(block.text for block in self.blocks)]
        return "\n".join(" ".join(line.split()) for line in lines if line).lower()

    def speaker(self, number: int) -> str | None:
        """Return who speaks in ¶number, or None when it is the outlet's own voice."""
        return next((v.name for v in self.voices if number in v), None)

    def credit(self, paragraphs: range) -> Credit:
        """Return whose words the paragraphs are (0 alone: the whole article, the outlet's)."""
        if not self.voices:
            return Credit(self.meta.outlet, (), False)
        speakers = [self.speaker(n) for n in paragraphs if n]
        names = tuple(dict.fromkeys(s for s in speakers if s))
        return Credit(self.meta.outlet, names, bool(names) and all(speakers))


@dataclass(frozen=True, slots=True)
class Voice:
    """A person an article quotes, and the paragraphs that are their words as the article reports them."""

    name: str
    """Their name as the front matter gives it (`Zhang Xu`)."""
    paragraphs: tuple[Paragraphs, ...]
    """The paragraphs, as ranges."""

    def __contains__(self, number: object) -> bool:
        return any(isinstance(number, int) and p.first <= number <= p.last for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Credit:
    """Whose words a passage of a source is: the outlet's own, or people it quotes."""

    outlet: str
    """The outlet that published the source."""
    speakers: tuple[str, ...]
    """The people quoted in the passage, in order; empty when it is the outlet's own voice."""
    only: bool
    """True when every paragraph of the passage is some speaker's words (none is the outlet's own)."""


# -- citations as written ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WholeArticle:
    """A citation of a whole article, with no paragraph."""


@dataclass(frozen=True, slots=True)
class Paragraphs:
    """A citation of paragraphs ¶first to ¶last (equal for one paragraph)."""

    first: int
    """First cited paragraph."""
    last: int
    """Last cited paragraph."""

    @property
    def numbers(self) -> range:
        """Return the cited paragraph numbers."""
        return range(self.first, self.last + 1)

    def __str__(self) -> str:
        return f"¶{self.first}" if self.first == self.last else f"¶{self.first}–{self.last}"


Locator = WholeArticle | Paragraphs
"""Where in a source a citation points."""


@dataclass(frozen=True, slots=True)
class CiteRef:
    """One citation as written: a source, optionally paragraphs, optionally a quote."""

    source: str
    """Slug of the cited article."""
    locator: Locator = WholeArticle()
    """The paragraphs cited, or the whole article (which a quote then locates)."""
    quote: str | None = None
    """Words quoted from the source, checked at build time."""


@dataclass(frozen=True, slots=True)
class CitationUse:
    """A place in a document where citations are written: `[@a ¶1; @b]` or a pull quote."""

    refs: tuple[CiteRef, ...]
    """What the bracket cites, in order."""
    line: int
    """Line in the document's file."""
    pull: bool
    """True for a pull quote (`![@a ¶1]` on its own line)."""
    text: str
    """The citation as written, for messages."""
    error: str | None = None
    """Why the text could not be read as a citation, if it could not."""
    sentence: str = ""
    """The plain text of the sentence the citation stands in (empty for a pull quote), for the attribution
    check."""


@dataclass(frozen=True, slots=True)
class ProseQuote:
    """Words in double quotes in the commentary's prose, which must be in the passage cited after them."""

    words: str
    """The quoted words."""
    use: int | None
    """Index of the citation after them in the same paragraph, or None when there is none."""
    line: int
    """Line of the paragraph in the document's file."""
    before: str = ""
    """The word just before the opening quote mark, if any (`often` in `often "marketed as …"`)."""


@dataclass(frozen=True, slots=True)
class Label:
    """Words of three or more in single quotation marks in the commentary: a label, or a paraphrase that must
    not pass for a quotation."""

    words: str
    """The words between the marks."""
    use: int | None
    """Index of the citation after them in the same paragraph, or None when there is none."""
    line: int
    """Line of the paragraph in the document's file."""


# -- commentary ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Intro:
    """The part of a document before its first `##` section."""


@dataclass(frozen=True, slots=True)
class Side:
    """A topic's `## Perspective: <id>` section."""

    perspective: str
    """The perspective's id."""


@dataclass(frozen=True, slots=True)
class Common:
    """A topic's `## Common ground` section."""


@dataclass(frozen=True, slots=True)
class Context:
    """A topic's `## Context` section."""


SectionKey = Intro | Side | Common | Context
"""Which part of a page a section is."""


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a commentary document, rendered, with its citations as placeholders."""

    key: SectionKey
    """Which part of the page it is."""
    html: str
    """Its Markdown rendered to HTML, without the heading; citations are placeholders."""
    uses: tuple[int, ...]
    """Indexes of the citation uses it holds, in reading order."""
    line: int
    """Line of its heading (or of the document start for the intro)."""


@dataclass(frozen=True)
class Body:
    """A commentary file's Markdown, parsed."""

    sections: tuple[Section, ...]
    """Sections in the order the page shows them."""
    uses: tuple[CitationUse, ...]
    """Every citation in the file, in the order written; placeholders name them by index."""
    quotes: tuple[ProseQuote, ...]
    """Double-quoted words in the prose, to check against the passages cited."""
    labels: tuple[Label, ...] = ()
    """Words of three or more in single quotation marks, to check that they do not misquote a source."""

    def page_order(self) -> tuple[int, ...]:
        """Return the index of every citation use in the order the page shows them."""
        return tuple(use for section in self.sections for use in section.uses)


@dataclass(frozen=True)
class Topic:
    """A topic: the perspectives side by side, common ground and context."""

    slug: str
    """File name without `.md`."""
    path: str
    """File path relative to the site folder."""
    meta: TopicMeta
    """Its front matter."""

    @property
    def title(self) -> str:
        """Return the topic's title."""
        return self.meta.title

    @property
    def url(self) -> str:
        """Return the site path of the topic's page."""
        return urls.topic(self.slug)


@dataclass(frozen=True)
class Page:
    """Another page: about, method."""

    slug: str
    """File name without `.md`."""
    path: str
    """File path relative to the site folder."""
    meta: PageMeta
    """Its front matter."""

    @property
    def title(self) -> str:
        """Return the page's title."""
        return self.meta.title

    @property
    def url(self) -> str:
        """Return the site path of the page."""
        return urls.page(self.slug)


Document = Topic | Page
"""A commentary file: a topic or a page. Its parsed Markdown is apart (`Commentary`): what every page of
the site shows of a document (its title, its address) is small, while its body is read by its own page
alone, and a build on several processes keeps each body in the process that renders it."""


@dataclass(frozen=True)
class Commentary:
    """A commentary file, loaded: the document and its parsed Markdown."""

    document: Document
    """The topic or page."""
    body: Body
    """Its parsed Markdown."""


@dataclass(frozen=True)
class Site:
    """Everything loaded from a site folder, checked and parsed."""

    config: SiteConfig
    """site.yaml."""
    articles: tuple[Article, ...]
    """Source articles, in perspective order, then by slug."""
    topics: tuple[Topic, ...]
    """Topics in reading order."""
    pages: tuple[Page, ...]
    """Other pages, in navigation order."""

    @functools.cached_property
    def documents(self) -> tuple[Document, ...]:
        """The topics, then the pages."""
        return (*self.topics, *self.pages)

    @functools.cached_property
    def by_slug(self) -> Mapping[str, Article]:
        """The sources, by slug (read-only)."""
        return types.MappingProxyType({a.slug: a for a in self.articles})

    @functools.cached_property
    def by_path(self) -> Mapping[str, Document]:
        """The topics and pages, by path (read-only)."""
        return types.MappingProxyType({d.path: d for d in self.documents})

    @functools.cached_property
    def of_perspective(self) -> Mapping[str, tuple[Article, ...]]:
        """The sources of each perspective, in site order, by its id (read-only)."""
        sources: dict[str, list[Article]] = {p.id: [] for p in self.config.perspectives}
        for article in self.articles:
            sources.setdefault(article.meta.perspective, []).append(article)
        return types.MappingProxyType({key: tuple(found) for key, found in sources.items()})


# -- citations resolved ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """What a citation points at, checked against the source."""

    article: str
    """Slug of the cited article."""
    locator: Locator
    """The paragraphs cited (a located quote's paragraph), or the whole article."""
    quote: str | None = None
    """The quote as written in the commentary."""
    words: tuple[str, ...] = ()
    """The source's own words for each part of the quote, verbatim."""
    fragment: str = ""
    """A `:~:text=` directive highlighting the quote, or empty."""
    spans: tuple[tuple[int, int], ...] = ()
    """Where the quote's parts stand in the paragraph's plain text."""

    @property
    def first(self) -> int | None:
        """Return the first cited paragraph, or None for the whole article."""
        return self.locator.first if isinstance(self.locator, Paragraphs) else None

    @property
    def anchor(self) -> str:
        """Return the fragment of the cited paragraph on its source page, with the text directive."""
        first = self.first
        return f"{urls.paragraph(first)}{self.fragment}" if first else ""

    @property
    def locator_text(self) -> str:
        """Return the paragraphs as `¶4` or `¶4–6`, or empty for the whole article."""
        return str(self.locator) if isinstance(self.locator, Paragraphs) else ""

    @property
    def paragraphs(self) -> range:
        """Return the cited paragraph numbers; 0 stands for the whole article."""
        return self.locator.numbers if isinstance(self.locator, Paragraphs) else range(0, 1)


@dataclass(frozen=True, slots=True)
class Marker:
    """What one rendered in-text marker shows and where it points."""

    id: str
    """The marker's own id, which back-links point at."""
    label: str
    """Its visible text: the reference number."""
    href: str
    """Its link: the reference entry on the same page."""
    description: str
    """Accessible description: source and paragraph."""


@dataclass(frozen=True, slots=True)
class Reference:
    """An entry of a document's reference list, shared by the markers that cite the same thing."""

    number: int
    """Its number in the list, as markers show it."""
    target: Target
    """What it cites."""
    markers: tuple[Marker, ...]
    """Every marker citing it, in page order."""

    @property
    def id(self) -> str:
        """Return the entry's element id."""
        return f"ref-{self.number}"

    @property
    def letters(self) -> tuple[str, ...]:
        """Return each marker's letter (a, b, ...), or one empty string for a lone marker."""
        if len(self.markers) == 1:
            return ("",)
        return tuple(letter(i) for i in range(len(self.markers)))


def letter(index: int) -> str:
    """Return a, b, ..., z, aa, ab, ... for 0, 1, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return letters


@dataclass(frozen=True)
class Resolution:
    """The resolved citations of one document."""

    markers: tuple[tuple[int, tuple[Marker, ...]], ...]
    """Markers of each citation use, by use index."""
    pullquotes: tuple[tuple[int, Target, Marker], ...]
    """What each pull quote transcludes, by use index."""
    references: tuple[Reference, ...]
    """The reference list, in order."""
    balance: tuple[int, ...]
    """Citations of each perspective's sources, in the order site.yaml declares the perspectives."""
    sentences: tuple[str, ...] = ()
    """The sentence each citation use stands in, by use index (empty for a pull quote): the body of its
    Web Annotation."""

    @functools.cached_property
    def cited(self) -> frozenset[str]:
        """Return the slugs of the articles this document cites."""
        return frozenset(r.target.article for r in self.references)


@dataclass(frozen=True, slots=True)
class Backlink:
    """A link from a source paragraph back to a marker that cites it."""

    document: Document
    """The document holding the marker."""
    marker: Marker
    """The marker."""
    letter: str
    """Its letter among the entry's markers (`a`, `b`), or empty when it is alone."""
