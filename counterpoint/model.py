"""The content model: what a site is made of, as frozen, typed data.

The `*Meta` and `SiteConfig` classes double as the schemas of `site.yaml` and
of each kind of front matter (see `schema.convert`): their fields are the keys
a file may hold, and a field without a default is required.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from markdown_it.token import Token

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
    """Where the text was captured from."""
    archive_url: str | None = None
    """Another copy of the text (an archive or a mirror)."""
    notes: tuple[str, ...] = ()
    """What is known, and what is not known, about the source; one fact each."""


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
    silent: dict[str, str] = field(default_factory=dict)
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


# -- parsed content ------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One numbered block of a source article: a paragraph, heading, list item or quote."""

    number: int
    """¶N, counted from 1 in reading order."""
    kind: str
    """`paragraph`, `heading`, `item`, `blockquote` or `other`."""
    html: str
    """The block rendered, verbatim."""
    text: str
    """The block's plain text, which quotes are matched against."""
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


@dataclass(frozen=True)
class CiteRef:
    """One citation as written: a source, optionally paragraphs, optionally a quote."""

    source: str
    """Slug of the cited article."""
    first: int | None = None
    """First cited paragraph; None cites the whole article (or locates the quote)."""
    last: int | None = None
    """Last cited paragraph of a range; equal to `first` for one paragraph."""
    quote: str | None = None
    """Words quoted from the source, checked at build time."""


@dataclass(frozen=True)
class CitationUse:
    """A place in a document where citations are written: `[@a ¶1; @b]` or a pull quote."""

    refs: tuple[CiteRef, ...]
    """What the bracket cites, in order."""
    line: int
    """Line in the document's file."""
    block: bool
    """True for a pull quote (`![@a ¶1]` on its own line)."""
    text: str
    """The citation as written, for messages."""
    error: str | None = None
    """Why the text could not be read as a citation, if it could not."""


@dataclass(frozen=True)
class Section:
    """A part of a commentary document: the intro, a perspective, common ground or context."""

    key: str
    """`intro`, `perspective:<id>`, `common` or `context`."""
    tokens: tuple[Token, ...]
    """Its parsed Markdown, without the heading."""
    line: int
    """Line of its heading (or of the document start for the intro)."""


@dataclass(frozen=True)
class Document:
    """A parsed commentary file: a topic or a page."""

    kind: str
    """`topic` or `page`."""
    slug: str
    """File name without `.md`."""
    path: str
    """File path relative to the site folder."""
    title: str
    """Title from front matter."""
    sections: tuple[Section, ...]
    """Sections in the order the page shows them."""
    uses: tuple[CitationUse, ...]
    """Every citation in the file, indexed by the `use` of its token."""
    offset: int
    """Lines of the file before the Markdown body, to turn token lines into file lines."""
    topic: TopicMeta | None = None
    """Front matter of a topic."""
    page: PageMeta | None = None
    """Front matter of a page."""

    @property
    def url(self) -> str:
        """Return the site path of this document's page."""
        return f"topics/{self.slug}/" if self.kind == "topic" else f"{self.slug}/"


@dataclass(frozen=True)
class Site:
    """Everything loaded from a site folder, checked and parsed."""

    config: SiteConfig
    """site.yaml."""
    articles: dict[str, Article]
    """Source articles by slug, in perspective order, then by slug."""
    topics: tuple[Document, ...]
    """Topics in reading order."""
    pages: tuple[Document, ...]
    """Other pages, in navigation order."""
