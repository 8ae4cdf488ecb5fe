"""The build plan: every output file as a value, with the inputs it depends on.

One plan serves the full build, the rebuild after an edit (a file is rendered
again exactly when the fingerprint of one of its inputs changed), and the blame
of a broken link on the content file to edit.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from counterpoint import explainerjson, urls
from counterpoint.model import Article, Document, Site
from counterpoint.structured import FEED, feed_date
from counterpoint.webannotations import path_of as annotations_path


@dataclass(frozen=True)
class IndexPage:
    """The index: the question, the perspectives, the topics with their balance."""


@dataclass(frozen=True)
class SourcesPage:
    """The list of sources."""


@dataclass(frozen=True)
class NotFoundPage:
    """404.html."""


@dataclass(frozen=True)
class TopicPage:
    """A topic's page."""

    index: int
    """The topic's position in `Site.topics`."""


@dataclass(frozen=True)
class OtherPage:
    """Another page (about, method)."""

    index: int
    """The page's position in `Site.pages`."""


@dataclass(frozen=True)
class SourcePage:
    """A source's full text with its back-links."""

    slug: str
    """The article's slug."""


@dataclass(frozen=True)
class Sitemap:
    """sitemap.xml, when the site has a base_url."""

    listed: tuple[str, ...]
    """The output paths it lists."""


@dataclass(frozen=True)
class Robots:
    """robots.txt, when the site has a base_url."""


@dataclass(frozen=True)
class Annotations:
    """A topic's or page's citations as W3C Web Annotations, beside its page, when it cites anything."""

    document: str
    """The document's path."""


@dataclass(frozen=True)
class Feed:
    """feed.xml, an Atom feed of the topics, when the site has a base_url and a date to give it."""

    updated: datetime.date
    """Its date (`structured.feed_date`)."""


@dataclass(frozen=True)
class Explainer:
    """explainer.json: the whole explainer as JSON (see `explainerjson`)."""


@dataclass(frozen=True)
class ExplainerSchema:
    """explainer.schema.json: the JSON Schema of explainer.json, published beside it."""


@dataclass(frozen=True)
class Asset:
    """A file of the theme's assets/, under its hashed name."""

    name: str
    """Its output path (`assets/style.0123456789.css`)."""


Spec = (
    IndexPage
    | SourcesPage
    | NotFoundPage
    | TopicPage
    | OtherPage
    | SourcePage
    | Annotations
    | Sitemap
    | Robots
    | Feed
    | Explainer
    | ExplainerSchema
    | Asset
)
"""What an output file is, and so how it is rendered."""


SHAPE = "shape"
"""The input every page shows: site.yaml, and the front matter of every topic, page and source. A source's
text is an input of its own page, of the list of sources (which counts its paragraphs), and of the pages
citing it."""


def document_input(path: str) -> str:
    """Return the input key of a commentary file's parsed text."""
    return f"doc:{path}"


def resolution_input(path: str) -> str:
    """Return the input key of a commentary file's resolved citations."""
    return f"res:{path}"


def balance_input(path: str) -> str:
    """Return the input key of how many citations a topic makes of each perspective's sources."""
    return f"balance:{path}"


def citations_input(path: str, slug: str) -> str:
    """Return the input key of what a commentary file cites of one source (its back-links there)."""
    return f"cites:{path}>{slug}"


def article_input(slug: str) -> str:
    """Return the input key of a source's text."""
    return f"article:{slug}"


@dataclass(frozen=True)
class Output:
    """One file of the built site."""

    path: str
    """Its path in the output folder."""
    spec: Spec
    """What it is."""
    inputs: tuple[str, ...]
    """The keys of the inputs it is made from, sorted."""
    source: str | None = None
    """The content file it is made from, which a problem on it is blamed on."""


def make_plan(site: Site, cited: Mapping[str, frozenset[str]], assets: tuple[str, ...]) -> tuple[Output, ...]:
    """Return every output file of the site, in a stable order, given the sources each document cites (by
    the document's path)."""
    outputs: list[Output] = [Output(name, Asset(name), ()) for name in assets]
    topic_inputs = [balance_input(t.path) for t in site.topics]
    outputs += [
        Output(urls.INDEX, IndexPage(), _inputs(SHAPE, *topic_inputs)),
        Output(urls.SOURCES, SourcesPage(), _inputs(SHAPE, *(article_input(a.slug) for a in site.articles))),
        Output(urls.NOT_FOUND, NotFoundPage(), (SHAPE,)),
    ]
    for index, topic in enumerate(site.topics):
        outputs += _document_outputs(topic, TopicPage(index), cited)
    for index, page in enumerate(site.pages):
        outputs += _document_outputs(page, OtherPage(index), cited)
    citing: dict[str, list[str]] = {a.slug: [] for a in site.articles}
    for document in site.documents:
        for slug in cited[document.path]:
            citing[slug].append(citations_input(document.path, slug))
    for article in site.articles:
        inputs = _inputs(SHAPE, article_input(article.slug), *citing[article.slug])
        outputs.append(Output(urls.file(article.url), SourcePage(article.slug), inputs, article.path))
    everything = (
        SHAPE,
        *(key for d in site.documents for key in (document_input(d.path), resolution_input(d.path))),
        *(article_input(a.slug) for a in site.articles),
    )
    outputs += [
        Output(explainerjson.FILE, Explainer(), _inputs(*everything)),
        Output(explainerjson.SCHEMA_FILE, ExplainerSchema(), ()),
    ]
    if site.config.base_url:
        listed = tuple(sorted(o.path for o in outputs if o.path.endswith(".html") and o.path != urls.NOT_FOUND))
        outputs += [Output("sitemap.xml", Sitemap(listed), (SHAPE,)), Output("robots.txt", Robots(), (SHAPE,))]
        updated = feed_date(site.config, site.articles)
        if updated is not None:
            outputs.append(Output(FEED, Feed(updated), (SHAPE,)))  # topics' front matter, sources' dates
    return tuple(outputs)


def _document_outputs(
    document: Document, spec: TopicPage | OtherPage, cited: Mapping[str, frozenset[str]]
) -> list[Output]:
    """Return a document's page and, when it cites anything, its Web Annotations."""
    sources = (article_input(slug) for slug in cited[document.path])
    inputs = _inputs(SHAPE, document_input(document.path), resolution_input(document.path), *sources)
    page = Output(urls.file(document.url), spec, inputs, document.path)
    if not cited[document.path]:
        return [page]
    return [page, Output(annotations_path(document), Annotations(document.path), inputs, document.path)]


def _inputs(*keys: str) -> tuple[str, ...]:
    return tuple(sorted(set(keys)))


def shape(site: Site, front: Callable[[Document | Article], object] = lambda item: item.meta) -> object:
    """Return what every page shows of the site, as a hashable value: a change to it re-renders every page.

    `front` gives what stands for a file's front matter (its meta, or a fingerprint of it)."""
    return (
        site.config,
        tuple((t.slug, front(t)) for t in site.topics),
        tuple((p.slug, front(p)) for p in site.pages),
        tuple((a.slug, front(a)) for a in site.articles),
    )
