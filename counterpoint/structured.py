"""What the site says about itself to machines: schema.org JSON-LD for each page, and an Atom feed of the topics.

Pure. Each page's JSON-LD names what it is and what it rests on: a topic is an `Article` whose `citation`s are
the passages it cites and which `isBasedOn` the source articles; a source page is a `WebPage` about the original
article; the index is the `WebSite`, about the question. Addresses of the site's own pages are absolute only
when site.yaml gives `base_url` (JSON-LD has no page to resolve a relative one against).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from html import escape  # for XML too: & < > and both quotes (xml.sax.saxutils would import urllib.request)

from counterpoint import urls
from counterpoint.i18n import words_for
from counterpoint.model import Article, Page, Reference, SiteConfig, Topic

SCHEMA = "https://schema.org"
Data = dict[str, object]


def _ours(config: SiteConfig, path: str) -> Data:
    return {"url": urls.absolute(config.base_url, path)} if config.base_url else {}


def website(config: SiteConfig) -> Data:
    """Return the index's JSON-LD: the site, and the question it is about."""
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": config.title,
        "description": config.description,
        "inLanguage": config.language,
        "about": {"@type": "Question", "name": config.question},
        **_ours(config, urls.INDEX),
    }


def original(article: Article) -> Data:
    """Return a source article as published (not the site's copy): headline, publisher, author, date, address."""
    meta = article.meta
    data: Data = {
        "@type": "Article",
        "headline": meta.title,
        "publisher": {"@type": "Organization", "name": meta.outlet},
    }
    if meta.author:
        data["author"] = {"@type": "Person", "name": meta.author}
    if meta.published:
        data["datePublished"] = meta.published.isoformat()
    if meta.url or meta.archive_url:
        data["url"] = meta.url or meta.archive_url
    return data


def topic_article(
    config: SiteConfig, topic: Topic, path: str, references: Sequence[Reference], articles: Mapping[str, Article]
) -> Data:
    """Return a topic page's JSON-LD: an article citing each passage it rests on, based on the sources."""
    cited = list(dict.fromkeys(r.target.article for r in references))
    citations = []
    words = words_for(config.language, config.strings)
    for reference in references:
        article = articles[reference.target.article]
        where = reference.target.locator_text or words.text("whole_article")
        title = words.text("quoted_title", title=article.meta.title)
        name = words.text("reference_source", source=article.meta.outlet, title=title, where=where)
        citation: Data = {"@type": "CreativeWork", "name": name}
        if config.base_url:
            anchor = f"#{reference.target.anchor}" if reference.target.first else ""
            citation["url"] = urls.absolute(config.base_url, urls.file(article.url)) + anchor
        if reference.target.words:
            citation["text"] = words.text("quote_gap").join(reference.target.words)
        citations.append(citation)
    return {
        "@context": SCHEMA,
        "@type": "Article",
        "headline": topic.title,
        "description": topic.meta.summary,
        "about": {"@type": "Question", "name": topic.meta.question},
        "inLanguage": config.language,
        "isPartOf": {"@type": "WebSite", "name": config.title, **_ours(config, urls.INDEX)},
        "isBasedOn": [original(articles[slug]) for slug in cited],
        "citation": citations,
        **_ours(config, path),
    }


def source_page(config: SiteConfig, article: Article, path: str) -> Data:
    """Return a source page's JSON-LD: a page holding the text of the original article."""
    return {
        "@context": SCHEMA,
        "@type": "WebPage",
        "name": article.meta.title,
        "inLanguage": config.language,
        "isPartOf": {"@type": "WebSite", "name": config.title, **_ours(config, urls.INDEX)},
        "mainEntity": original(article),
        **_ours(config, path),
    }


def other_page(config: SiteConfig, page: Page, path: str) -> Data:
    """Return another page's JSON-LD."""
    data: Data = {
        "@context": SCHEMA,
        "@type": "WebPage",
        "name": page.title,
        "inLanguage": config.language,
        "isPartOf": {"@type": "WebSite", "name": config.title, **_ours(config, urls.INDEX)},
        **_ours(config, path),
    }
    if page.meta.description:
        data["description"] = page.meta.description
    return data


def feed_date(config: SiteConfig, articles: Iterable[Article]) -> datetime.date | None:
    """Return the feed's `updated` date: site.yaml's `updated`, else the newest source's date, else None."""
    if config.updated:
        return config.updated
    dates = [a.meta.published for a in articles if a.meta.published]
    return max(dates) if dates else None


def atom(config: SiteConfig, topics: Sequence[Topic], updated: datetime.date) -> str:
    """Return an Atom feed listing the topics (the site must have a `base_url`)."""
    base = config.base_url or ""
    stamp = f"{updated.isoformat()}T00:00:00Z"
    entries = "".join(
        "  <entry>\n"
        f"    <title>{escape(topic.title)}</title>\n"
        f"    <id>{escape(urls.absolute(base, urls.file(topic.url)))}</id>\n"
        f'    <link rel="alternate" type="text/html" href="{escape(urls.absolute(base, urls.file(topic.url)))}"/>\n'
        f"    <updated>{stamp}</updated>\n"
        f"    <summary>{escape(topic.meta.summary)}</summary>\n"
        "  </entry>\n"
        for topic in topics
    )
    home = escape(urls.absolute(base, urls.INDEX))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(config.language)}">\n'
        f"  <title>{escape(config.title)}</title>\n"
        f"  <subtitle>{escape(config.question)}</subtitle>\n"
        f"  <id>{home}</id>\n"
        f'  <link rel="alternate" type="text/html" href="{home}"/>\n'
        f'  <link rel="self" type="application/atom+xml" href="{escape(urls.absolute(base, FEED))}"/>\n'
        f"  <updated>{stamp}</updated>\n"
        f"  <author><name>{escape(config.title)}</name></author>\n"
        f"{entries}</feed>\n"
    )


FEED = "feed.xml"
