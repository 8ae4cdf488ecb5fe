"""Every citation of a document as a W3C Web Annotation: one `AnnotationCollection` per topic or page. Pure.

Each annotation's body is the commentary's sentence and the marker's place on the page; its target is the
source, twice: the original article (its `url`, when known) and the site's own copy of it. Both carry a
`TextQuoteSelector` (`exact` verbatim from the source, with `prefix` and `suffix`) and a
`TextPositionSelector`; the site's copy names the paragraph (`FragmentSelector`, `#p4`), and carries the quote
and position too when the original's address is not known. Positions count
characters in the article's text as its numbered blocks give it, joined by blank lines (`\\n\\n`): the text an
annotation client sees of the site's copy, and, save for the original page's chrome, of the original.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Mapping

from counterpoint import urls
from counterpoint.i18n import words_for
from counterpoint.model import Article, Document, Paragraphs, Resolution, SiteConfig, Target

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
FILE = "annotations.jsonld"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
_AROUND = 32
"""Characters of `prefix` and `suffix`."""
Data = dict[str, object]


def path_of(document: Document) -> str:
    """Return the output path of a document's annotations: beside its page."""
    return posixpath.join(posixpath.dirname(urls.file(document.url)), FILE)


def collection(config: SiteConfig, document: Document, resolution: Resolution, articles: Mapping[str, Article]) -> Data:
    """Return the document's citations as an `AnnotationCollection` of one page of annotations."""
    page = urls.file(document.url)
    here = path_of(document)

    def address(path: str, fragment: str = "") -> str:
        """An address of the site: absolute with base_url, else relative to the annotations file."""
        base = config.base_url
        where = urls.absolute(base, path) if base else _relative(path, posixpath.dirname(here))
        return f"{where}#{fragment}" if fragment else where

    use_of = {marker.id: use for use, markers in resolution.markers for marker in markers}
    texts: dict[str, tuple[str, list[int]]] = {}  # each source's text, joined once per collection
    items = []
    for reference in resolution.references:
        article = articles[reference.target.article]
        if article.slug not in texts:
            texts[article.slug] = text_of(article)
        selectors = selectors_of(article, reference.target, texts[article.slug])
        for marker in reference.markers:
            use = use_of.get(marker.id)
            sentence = resolution.sentences[use] if use is not None and use < len(resolution.sentences) else ""
            body: list[Data] = [{"id": address(page, marker.id), "type": "Text", "format": "text/html"}]
            if sentence:
                body.insert(
                    0, {"type": "TextualBody", "value": sentence, "format": "text/plain", "language": config.language}
                )
            items.append(
                {
                    "id": address(here, marker.id),
                    "type": "Annotation",
                    "motivation": "commenting",
                    "body": body,
                    "target": _targets(article, reference.target, selectors, address),
                }
            )
    words = words_for(config.language, config.strings)
    return {
        "@context": CONTEXT,
        "id": address(here),
        "type": "AnnotationCollection",
        "label": words.text("annotations_label", title=words.text("quoted_title", title=document.title)),
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }


@functools.lru_cache(maxsize=4096)
def _relative(path: str, folder: str) -> str:
    """Return `path` relative to `folder` (both site paths): `posixpath.relpath`, remembered, since a page's
    annotations name the same few pages over and over and relpath makes both absolute each time."""
    return posixpath.relpath(path, folder)


def _targets(article: Article, target: Target, selectors: list[Data], address: Callable[[str], str]) -> list[Data]:
    """Return where the citation points: the original article, when its address is known, with the quote and
    position selectors; and the site's copy, with the paragraph's fragment (and the selectors too, when it is
    the only target: each file would otherwise repeat the cited passage twice)."""
    ours: Data = {"source": address(urls.file(article.url)), "type": "Text"}
    original = article.meta.url or article.meta.archive_url
    if selectors:
        fragment = {"type": "FragmentSelector", "value": urls.paragraph(target.first or 1)}
        ours["selector"] = [fragment] if original else [fragment, *selectors]
    if not original:
        return [ours]
    theirs: Data = {"source": original, "type": "Text"}
    if selectors:
        theirs["selector"] = selectors
    return [theirs, ours]


def text_of(article: Article) -> tuple[str, list[int]]:
    """Return the article's text (its blocks joined by blank lines) and where each block starts in it."""
    starts, at = [], 0
    for block in article.blocks:
        starts.append(at)
        at += len(block.text) + 2
    return "\n\n".join(block.text for block in article.blocks), starts


def selectors_of(article: Article, target: Target, text_and_starts: tuple[str, list[int]]) -> list[Data]:
    """Return the quote and position selectors of a citation of paragraphs or quoted words (given the article's
    `text_of`); none for a whole article."""
    if not isinstance(target.locator, Paragraphs):
        return []
    text, starts = text_and_starts
    first, last = target.locator.first, target.locator.last
    if target.spans:  # quoted words: from the first part's start to the last part's end, gap included
        start = starts[first - 1] + target.spans[0][0]
        end = starts[first - 1] + target.spans[-1][1]
    else:
        start = starts[first - 1]
        end = starts[last - 1] + len(article.blocks[last - 1].text)
    return [
        {
            "type": "TextQuoteSelector",
            "exact": text[start:end],
            "prefix": text[max(0, start - _AROUND) : start],
            "suffix": text[end : end + _AROUND],
        },
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]
