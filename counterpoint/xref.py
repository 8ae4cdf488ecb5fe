"""Resolve citations against the sources, and build the back-links that mirror them.

Pure: takes the loaded `Site`, returns `Links` or the problems found. Markers
are numbered in the order a reader meets them on the page, which for a topic
is the section order (perspectives side by side, then common ground, context),
not the order they were written in the file.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from string import ascii_lowercase

from markdown_it.token import Token

from counterpoint.citations import Marker
from counterpoint.errors import Problem
from counterpoint.markdown import plain_text
from counterpoint.model import Article, CitationUse, CiteRef, Document, Site
from counterpoint.quotes import Passage, closest, find_in, locate, split_quote, text_fragment


@dataclass(frozen=True)
class Target:
    """What a citation points at, checked against the source."""

    article: str
    """Slug of the cited article."""
    first: int | None
    """First paragraph, or None for the whole article."""
    last: int | None
    """Last paragraph of a range."""
    quote: str | None
    """The quote as written in the commentary."""
    words: tuple[str, ...]
    """The source's own words for each part of the quote, verbatim."""
    fragment: str
    """A `:~:text=` directive highlighting the quote, or empty."""
    spans: tuple[tuple[int, int], ...] = ()
    """Where the quote's parts stand in the paragraph's plain text."""

    @property
    def anchor(self) -> str:
        """Return the fragment of the cited paragraph on its source page, with the text directive."""
        return f"p{self.first}{self.fragment}" if self.first else ""

    @property
    def locator(self) -> str:
        """Return the paragraphs as `¶4` or `¶4–6`, or empty for the whole article."""
        if self.first is None:
            return ""
        return f"¶{self.first}" if self.first == self.last else f"¶{self.first}–{self.last}"


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Backlink:
    """A link from a source paragraph back to a marker that cites it."""

    document: Document
    """The document holding the marker."""
    marker: Marker
    """The marker."""
    letter: str
    """Its letter among the entry's markers (`a`, `b`), or empty when it is alone."""


@dataclass(frozen=True)
class DocumentLinks:
    """The resolved citations of one document."""

    markers: dict[int, tuple[Marker, ...]]
    """Markers of each citation use, by use index."""
    pullquotes: dict[int, tuple[Target, Marker]]
    """What each pull quote transcludes, by use index."""
    references: tuple[Reference, ...]
    """The reference list, in order."""
    balance: dict[str, int]
    """Citations of each perspective's sources, by perspective id."""


@dataclass(frozen=True)
class Links:
    """Every citation of the site, resolved both ways."""

    documents: dict[str, DocumentLinks]
    """Per document, by its path."""
    backlinks: dict[tuple[str, int], tuple[Backlink, ...]]
    """Back-links by (article slug, paragraph); paragraph 0 is the whole article."""
    count: int
    """How many citations were resolved."""


def resolve(site: Site) -> tuple[Links | None, list[Problem]]:
    """Resolve every citation of the site; return the links, or the problems."""
    problems: list[Problem] = []
    documents: dict[str, DocumentLinks] = {}
    backlinks: dict[tuple[str, int], list[Backlink]] = defaultdict(list)
    count = 0
    for document in (*site.topics, *site.pages):
        links, found = _resolve_document(document, site)
        problems += found
        documents[document.path] = links
        for reference in links.references:
            count += len(reference.markers)
            for letter, marker in zip(marker_letters(reference), reference.markers, strict=True):
                for paragraph in _paragraphs(reference.target):
                    backlinks[(reference.target.article, paragraph)].append(Backlink(document, marker, letter))
    problems += _uncited(site, backlinks)
    if any(not p.warning for p in problems):
        return None, problems
    return Links(documents, {k: tuple(v) for k, v in backlinks.items()}, count), problems


def marker_letters(reference: Reference) -> list[str]:
    """Return each marker's letter (a, b, ...), or one empty string for a lone marker."""
    if len(reference.markers) == 1:
        return [""]
    return [_letter(i) for i in range(len(reference.markers))]


def _letter(index: int) -> str:
    """Return a, b, ..., z, aa, ab, ... for 0, 1, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = ascii_lowercase[rest] + letters
    return letters


def _paragraphs(target: Target) -> range:
    if target.first is None or target.last is None:
        return range(0, 1)
    return range(target.first, target.last + 1)


def _resolve_document(document: Document, site: Site) -> tuple[DocumentLinks, list[Problem]]:
    problems: list[Problem] = []
    numbers: dict[Target, int] = {}
    targets: list[Target] = []
    markers_of: dict[int, list[Marker]] = defaultdict(list)
    markers: dict[int, tuple[Marker, ...]] = {}
    pullquotes: dict[int, tuple[Target, Marker]] = {}
    targets_of: dict[int, list[Target]] = {}
    balance = {p.id: 0 for p in site.config.perspectives}
    for use_index in _page_order(document):
        use = document.uses[use_index]
        if use.error:
            problems.append(Problem(document.path, use.line, f"malformed citation `{use.text}`: {use.error}"))
            continue
        found: list[Marker] = []
        resolved: list[Target] = []
        for ref in use.refs:
            target = _resolve_ref(ref, use, document, site, problems)
            if target is None:
                continue
            resolved.append(target)
            if target not in numbers:
                numbers[target] = len(numbers) + 1
                targets.append(target)
            number = numbers[target]
            occurrence = len(markers_of[number]) + 1
            marker = Marker(f"cite-{number}-{occurrence}", str(number), f"#ref-{number}", _describe(target, site))
            markers_of[number].append(marker)
            found.append(marker)
            balance[site.articles[target.article].meta.perspective] += 1
            if use.block:
                pullquotes[use_index] = (target, marker)
        markers[use_index] = tuple(found)
        if len(resolved) == len(use.refs):  # a citation in error is reported already; its quotes are not checked
            targets_of[use_index] = resolved
    references = tuple(Reference(numbers[t], t, tuple(markers_of[numbers[t]])) for t in targets)
    problems += _check_prose_quotes(document, site, targets_of)
    return DocumentLinks(markers, pullquotes, references, balance), problems


def _page_order(document: Document) -> Iterator[int]:
    """Yield the use index of every citation token, in the order the page shows them."""
    for section in document.sections:
        yield from _uses_in(section.tokens)


def _uses_in(tokens: Sequence[Token]) -> Iterator[int]:
    for token in tokens:
        if token.type in ("citation", "pullquote"):
            yield token.meta["use"]
        if token.children:
            yield from _uses_in(token.children)


def _describe(target: Target, site: Site) -> str:
    article = site.articles[target.article]
    where = f", {target.locator}" if target.locator else ""
    return f"{article.meta.outlet}{where}"


def _resolve_ref(
    ref: CiteRef, use: CitationUse, document: Document, site: Site, problems: list[Problem]
) -> Target | None:
    """Check one citation against its source; on failure add a problem and return None."""

    def fail(message: str) -> None:
        problems.append(Problem(document.path, use.line, message))

    article = site.articles.get(ref.source)
    if article is None:
        close = difflib.get_close_matches(ref.source, list(site.articles), n=1)
        hint = f"did you mean '@{close[0]}'?" if close else "sources are: " + ", ".join(f"@{s}" for s in site.articles)
        fail(f"unknown source '@{ref.source}' in `{use.text}`; {hint}")
        return None
    count = len(article.blocks)
    if ref.first is not None and ref.last is not None and ref.last > count:
        bad = ref.first if ref.first > count else ref.last
        fail(f"¶{bad} is out of range in `{use.text}`: {article.path} has paragraphs ¶1 to ¶{count}")
        return None
    if ref.quote is None:
        return Target(article.slug, ref.first, ref.last, None, (), "")
    return _resolve_quote(ref, use, article, fail)


def _resolve_quote(ref: CiteRef, use: CitationUse, article: Article, fail: Callable[[str], None]) -> Target | None:
    assert ref.quote is not None
    everywhere = [Passage(b.number, b.text) for b in article.blocks]
    passages = everywhere
    if ref.first is not None and ref.last is not None:
        passages = everywhere[ref.first - 1 : ref.last]
    matches = locate(ref.quote, passages)
    where = f"@{article.slug} {_locator(ref)}".strip()
    if not matches:
        elsewhere = locate(ref.quote, everywhere)
        near = closest(ref.quote, passages)
        if elsewhere:
            hint = f"it is in {', '.join(f'¶{m.number}' for m in elsewhere)}; cite that paragraph"
        elif near:
            hint = f'the closest passage is ¶{near[0]}: "{near[1]}"'
        else:
            hint = "no passage comes close; check the wording against the source"
        fail(f'quote "{ref.quote}" is not in {where}; {hint}')
        return None
    if len(matches) > 1:
        numbers = ", ".join(f"¶{m.number}" for m in matches)
        fail(
            f'quote "{ref.quote}" is ambiguous: it is in {numbers} of @{article.slug}; '
            f'name the paragraph, as in [@{article.slug} ¶{matches[0].number} "{ref.quote}"]'
        )
        return None
    match = matches[0]
    text = article.blocks[match.number - 1].text
    words = tuple(text[start:end] for start, end in match.spans)
    fragment = text_fragment(text, match.spans)
    return Target(article.slug, match.number, match.number, ref.quote, words, fragment, match.spans)


def _locator(ref: CiteRef) -> str:
    if ref.first is None:
        return ""
    return f"¶{ref.first}" if ref.first == ref.last else f"¶{ref.first}-{ref.last}"


_PROSE_QUOTE = re.compile(r'[“"]([^“”"]{2,}?)[”"]')


def _check_prose_quotes(document: Document, site: Site, targets_of: dict[int, list[Target]]) -> list[Problem]:
    """Check that words in double quotes in the commentary are in a passage the next marker cites."""
    problems: list[Problem] = []
    for section in document.sections:
        for token in section.tokens:
            if token.type != "inline" or not token.children:
                continue
            pending = ""
            for child in token.children:
                if child.type != "citation":
                    pending += plain_text([child], code=False)  # `"..."` in code is syntax, not a quotation
                    continue
                use = document.uses[child.meta["use"]]
                if child.meta["use"] not in targets_of:
                    pending = ""
                    continue
                targets = targets_of[child.meta["use"]]
                for quoted in _PROSE_QUOTE.findall(pending):
                    if not any(_holds(site, target, quoted) for target in targets):
                        problems.append(
                            Problem(
                                document.path,
                                use.line,
                                f'the quotation "{quoted}" is not in the passage that `{use.text}` cites; '
                                + _where_instead(site, targets, quoted),
                            )
                        )
                pending = ""
            for quoted in _PROSE_QUOTE.findall(pending):
                problems.append(
                    Problem(
                        document.path,
                        document.offset + (token.map or [0])[0] + 1,
                        f'the quotation "{quoted}" has no citation after it in its paragraph; '
                        'add one, as in "words" [@slug ¶4]',
                    )
                )
    return problems


def _where_instead(site: Site, targets: Sequence[Target], quoted: str) -> str:
    """Say where the quoted words are after all, or what they come closest to."""
    for slug in dict.fromkeys(t.article for t in targets):
        passages = [Passage(b.number, b.text) for b in site.articles[slug].blocks]
        found = locate(quoted, passages)
        if found:
            return f"it is in {', '.join(f'¶{m.number}' for m in found)} of @{slug}; cite that paragraph"
        near = closest(quoted, passages)
        if near:
            return f'the closest passage is @{slug} ¶{near[0]}: "{near[1]}"'
    return "fix the wording, or cite the paragraph it comes from"


def _holds(site: Site, target: Target, quoted: str) -> bool:
    """Return True if the passage `target` cites holds `quoted` (typography forgiven)."""
    article = site.articles[target.article]
    blocks = (
        article.blocks
        if target.first is None or target.last is None
        else article.blocks[target.first - 1 : target.last]
    )
    parts = split_quote(quoted)
    return any(find_in(block.text, parts) is not None for block in blocks)


def _uncited(site: Site, backlinks: dict[tuple[str, int], list[Backlink]]) -> list[Problem]:
    """Warn about sources that nothing cites: a reader cannot reach them from the commentary."""
    cited = {slug for slug, _ in backlinks}
    return [
        Problem(article.path, None, "no topic or page cites this source", warning=True)
        for article in site.articles.values()
        if article.slug not in cited
    ]
