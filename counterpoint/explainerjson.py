"""The whole explainer as one JSON document, `explainer.json`, for researchers and other front ends. Pure.

It holds the question and the perspectives; each source with its metadata, its voices, its numbered paragraphs
verbatim and the markers citing each of them (its back-links); each topic and page with its sections as its page
shows them, and every citation: where it stands (the document, the marker, the commentary's sentence) and what it
cites (the source, the paragraphs, the quoted words as the source has them). `explainer.schema.json`, published
beside it, is its JSON Schema.

The document is made in parts, one per source, topic or page, each serialized on its own, and joined in the
site's order (`join`): a build in several processes makes each part where its data is, and the file is the same
bytes whichever process made which part. Addresses of the site's pages are relative to the site's root (where
the file is), or absolute when site.yaml gives `base_url`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import orjson

from counterpoint import urls
from counterpoint.i18n import Words, words_for
from counterpoint.model import (
    Article,
    Backlink,
    Common,
    Context,
    Document,
    Intro,
    Paragraphs,
    Resolution,
    Section,
    SectionKey,
    Side,
    SiteConfig,
    Target,
    Topic,
)

FILE = "explainer.json"
SCHEMA_FILE = "explainer.schema.json"
SCHEMA = Path(__file__).resolve().parent / SCHEMA_FILE
"""The JSON Schema, shipped inside the package and published beside every explainer.json."""
VERSION = 1
"""The format's version: raised when a change would break a reader of the previous one."""
Data = dict[str, object]
P = TypeVar("P")


def linker(config: SiteConfig) -> urls.Linker:
    """Return how explainer.json writes the address of a site path: absolute with base_url, else relative to the
    site's root, where the file is."""
    if config.base_url:
        return urls.absolute_linker(config.base_url)
    return urls.relative_linker(urls.INDEX, directory_urls=False)


def encode(data: Data | Sequence[object]) -> bytes:
    """Return data as compact JSON, in UTF-8: the bytes of `json.dumps(data, ensure_ascii=False,
    separators=(",", ":")).encode()`, made ten times faster by orjson (a part of a large explainer.json is
    megabytes). The same for what the parts hold (text, string keys, whole numbers under 2**63, no floats,
    which the two write differently: 1e-07 and 1e-7)."""
    return orjson.dumps(data)


def head(config: SiteConfig) -> Data:
    """Return what the document says before its sources: the format, the site and its perspectives."""
    link = linker(config)
    return {
        "$schema": link(SCHEMA_FILE),
        "version": VERSION,
        "site": {
            "title": config.title,
            "question": config.question,
            "description": config.description,
            "language": config.language,
            "base_url": config.base_url,
            "updated": config.updated.isoformat() if config.updated else None,
            "page": link(urls.INDEX),
        },
        "perspectives": [{"id": p.id, "label": p.label, "summary": p.summary} for p in config.perspectives],
    }


def join(head: Data, sources: Sequence[P], topics: Sequence[P], pages: Sequence[P]) -> Iterator[bytes | P]:
    """Yield the whole document: the head, then each list of parts (the `encode`d parts, or what stands for them),
    one part a line, and a closing newline."""
    opening = encode(head)
    yield opening[:-1]  # the head's closing brace: the lists follow
    for name, parts in (("sources", sources), ("topics", topics), ("pages", pages)):
        yield f',\n"{name}":['.encode()
        for index, part in enumerate(parts):
            yield b"\n" if index == 0 else b",\n"
            yield part
        yield b"\n]" if parts else b"]"
    yield b"}\n"


def source(article: Article, found: Mapping[int, Sequence[Backlink]], link: urls.Linker) -> Data:
    """Return a source: its front matter, its voices, its paragraphs verbatim with the markers citing each, and
    the markers citing it whole (`found`: the back-links by paragraph, 0 for the whole article)."""
    meta = article.meta
    return {
        "slug": article.slug,
        "path": article.path,
        "page": link(article.url),
        "perspective": meta.perspective,
        "title": meta.title,
        "subtitle": meta.subtitle,
        "outlet": meta.outlet,
        "author": meta.author,
        "published": meta.published.isoformat() if meta.published else None,
        "url": meta.url,
        "archive_url": meta.archive_url,
        "excerpt": meta.excerpt,
        "notes": list(meta.notes),
        "voices": {v.name: [n for p in v.paragraphs for n in p.numbers] for v in article.voices},
        "cited_by": _cited_by(found.get(0, ())),
        "paragraphs": [
            {
                "number": block.number,
                "kind": block.kind.value,
                "text": block.text,
                "speaker": article.speaker(block.number) if article.voices else None,
                "cited_by": _cited_by(found.get(block.number, ())),
            }
            for block in article.blocks
        ],
    }


def _cited_by(found: Sequence[Backlink]) -> list[Data]:
    return [{"document": b.document.path, "marker": b.marker.id} for b in found]


def document(
    config: SiteConfig,
    document: Document,
    sections: Sequence[Section],
    html: Mapping[SectionKey, str],
    resolution: Resolution,
    link: urls.Linker,
) -> Data:
    """Return a topic or page: its front matter, its sections (`html`: each as its page shows it, markers and pull
    quotes in place) and every citation it makes, in the order the page shows them."""
    data: Data = {"slug": document.slug, "path": document.path, "page": link(document.url), "title": document.title}
    if isinstance(document, Topic):
        meta = document.meta
        data["question"] = meta.question
        data["summary"] = meta.summary
        data["silent"] = dict(meta.silent)
        data["balance"] = {p.id: n for p, n in zip(config.perspectives, resolution.balance, strict=True)}
    else:
        data["description"] = document.meta.description
    labels = {p.id: p.label for p in config.perspectives}
    words = words_for(config.language, config.strings)
    data["sections"] = [_section(s.key, html[s.key], labels, words) for s in sections]
    data["citations"] = citations(sections, resolution)
    return data


_HEADINGS: dict[SectionKey, tuple[str, str | None]] = {
    Intro(): ("intro", None),
    Common(): ("common-ground", "common_ground"),
    Context(): ("context", "context"),
}
"""Each section's kind, and the message its heading is (in the site's language)."""


def _section(key: SectionKey, html: str, labels: Mapping[str, str], words: Words) -> Data:
    if isinstance(key, Side):
        return {"kind": "perspective", "perspective": key.perspective, "heading": labels[key.perspective], "html": html}
    kind, message = _HEADINGS[key]
    return {"kind": kind, "heading": words.text(message) if message else None, "html": html}


def citations(sections: Sequence[Section], resolution: Resolution) -> list[Data]:
    """Return every marker of a document as a citation: where it stands, and what it cites."""
    section_of = {use: index for index, section in enumerate(sections) for use in section.uses}
    cites = {m.id: (r.number, r.target) for r in resolution.references for m in r.markers}
    pulls = {use for use, _, _ in resolution.pullquotes}
    sentences = resolution.sentences
    found = []
    for use, markers in resolution.markers:
        for marker in markers:
            number, target = cites[marker.id]
            found.append(
                {
                    "marker": marker.id,
                    "reference": number,
                    "section": section_of.get(use),
                    "pull": use in pulls,
                    "sentence": sentences[use] if use < len(sentences) else "",
                    "target": _target(target),
                }
            )
    return found


def _target(target: Target) -> Data:
    """Return what a citation cites: the source, the paragraphs (or the whole article), the quoted words."""
    locator = target.locator
    where: Data = (
        {"kind": "paragraphs", "first": locator.first, "last": locator.last}
        if isinstance(locator, Paragraphs)
        else {"kind": "whole-article"}
    )
    data: Data = {"source": target.article, "locator": where}
    if target.quote is not None:
        data["quote"] = {"written": target.quote, "words": list(target.words), "spans": [list(s) for s in target.spans]}
    return data
