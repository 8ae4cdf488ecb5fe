"""Resolve citations against the sources, and build the back-links that mirror them.

Pure. Each document is resolved on its own (`resolve_document`), so a rebuild
resolves again only the documents an edit touches; `backlinks` then gathers the
site-wide view. Markers are numbered in the order a reader meets them on the
page, which for a topic is the section order (perspectives side by side, then
common ground, context), not the order they were written in the file.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import NamedTuple

from counterpoint.attribution import dropped_hedges, labels_in, misquoted_labels, near_quote, unnamed_speakers
from counterpoint.errors import Problem, clip
from counterpoint.hedges import Hedges, hedges_for
from counterpoint.i18n import Words, english
from counterpoint.model import (
    Article,
    Backlink,
    Block,
    Body,
    CitationUse,
    CiteRef,
    Document,
    Marker,
    Paragraphs,
    Perspective,
    ProseQuote,
    Reference,
    Resolution,
    Target,
    Topic,
    WholeArticle,
)
from counterpoint.quotes import (
    Passage,
    Spans,
    closest,
    fold,
    folded_spans,
    found_twice,
    holds,
    locate,
    split_quote,
    text_fragment,
)


def resolve_document(
    document: Document,
    body: Body,
    articles: Mapping[str, Article],
    perspectives: Sequence[Perspective],
    unloaded: Collection[str] = (),
    words: Words | None = None,
) -> tuple[Resolution, list[Problem]]:
    """Resolve one document's citations against the sources; return them, with the problems found.

    Citations of the sources in `unloaded`, which have problems of their own, are left out without a word.
    Beyond the words, each citation is checked for who speaks and what a quote leaves out (`attribution`),
    with the qualifiers of the site's language; `words` (English by default) says whose words each marker cites.
    """
    words = words or english()
    hedges = hedges_for(words.language)
    problems: list[Problem] = []
    numbers: dict[Target, int] = {}
    markers_of: dict[int, list[Marker]] = defaultdict(list)
    markers: list[tuple[int, tuple[Marker, ...]]] = []
    pullquotes: list[tuple[int, Target, Marker]] = []
    targets_of: dict[int, list[Target]] = {}
    ids = [p.id for p in perspectives]
    balance = [0] * len(ids)
    path, uses = document.path, body.uses
    for use in uses:  # in error, a citation may not show on the page at all (in an image's description)
        if use.error:
            problems.append(Problem(path, use.line, f"malformed citation `{clip(use.text)}`: {use.error}"))
    for use_index in body.page_order():
        use = uses[use_index]
        if use.error:
            continue
        found: list[Marker] = []
        resolved: list[Target] = []
        for ref in use.refs:
            if ref.source in unloaded:
                continue
            target = _resolve_ref(ref, use, path, articles, problems)
            if target is None:
                continue
            article = articles[target.article]
            problems += unnamed_speakers(path, use, target, article)
            if target.words:
                text = article.blocks[target.paragraphs[0] - 1].text
                problems += dropped_hedges(path, use.line, target.quote or "", text, target.spans, hedges, use.sentence)
            resolved.append(target)
            number = numbers.setdefault(target, len(numbers) + 1)
            occurrence = len(markers_of[number]) + 1
            marker = _marker(number, occurrence, words.credit(article.credit(target.paragraphs)), target.locator, words)
            markers_of[number].append(marker)
            found.append(marker)
            balance[ids.index(articles[target.article].meta.perspective)] += 1
            if use.pull:
                pullquotes.append((use_index, target, marker))
        markers.append((use_index, tuple(found)))
        if len(resolved) == len(use.refs):  # a citation in error is reported already; its quotes are not checked
            targets_of[use_index] = resolved
    references = tuple(Reference(n, t, tuple(markers_of[n])) for t, n in numbers.items())
    if isinstance(document, Topic) and not uses:
        message = "this topic cites no source: every claim should rest on a cited paragraph, as in [@slug ¶4]"
        problems.append(Problem(path, None, message, warning=True))
    problems += _check_prose_quotes(path, body, articles, targets_of, hedges)
    cited = list(dict.fromkeys(t.article for t in numbers))
    problems += misquoted_labels(path, body.labels, articles, targets_of, cited)
    problems += _front_matter_labels(document, articles, cited)
    sentences = tuple(use.sentence for use in uses)
    return Resolution(tuple(markers), tuple(pullquotes), references, tuple(balance), sentences), problems


class Mention(NamedTuple):
    """A marker citing a source, as the source's back-links need it: a few plain values, which the processes
    of a build send each other for every citation of the site."""

    paragraphs: range
    """The paragraphs it cites; 0 alone for the whole article."""
    number: int
    """The number of its reference."""
    occurrence: int
    """Which of the reference's markers it is, from 1."""
    letter: str
    """Its letter among its reference's markers, or empty when it is alone."""


def mentions(resolution: Resolution) -> dict[str, tuple[Mention, ...]]:
    """Return the markers of a resolved document, by the slug of the source each cites, in reference order."""
    found: dict[str, list[Mention]] = defaultdict(list)
    for reference in resolution.references:
        target = reference.target
        for occurrence, letter in enumerate(reference.letters, start=1):
            found[target.article].append(Mention(target.paragraphs, reference.number, occurrence, letter))
    return {slug: tuple(found_) for slug, found_ in found.items()}


def backlinks(
    article: Article, documents: Iterable[tuple[Document, Sequence[Mention]]], words: Words
) -> dict[int, list[Backlink]]:
    """Return the back-links to each paragraph of `article` (0: the whole article) from the `documents` citing
    it, each with its mentions of the article, in that order."""
    found: dict[int, list[Backlink]] = defaultdict(list)
    credits: dict[range, str] = {}
    for document, cited in documents:
        for m in cited:
            whole = m.paragraphs == _WHOLE
            locator = WholeArticle() if whole else Paragraphs(m.paragraphs.start, m.paragraphs.stop - 1)
            credit = credits.get(m.paragraphs) or credits.setdefault(
                m.paragraphs, words.credit(article.credit(m.paragraphs))
            )
            backlink = Backlink(document, _marker(m.number, m.occurrence, credit, locator, words), m.letter)
            for paragraph in m.paragraphs:
                found[paragraph].append(backlink)
    return found


_WHOLE = range(0, 1)


def _marker(number: int, occurrence: int, credit: str, locator: WholeArticle | Paragraphs, words: Words) -> Marker:
    """Return the marker of the `occurrence`th citation of reference `number`, which cites `locator` of a
    source whose words there are `credit`'s (the outlet, or a person it quotes)."""
    return Marker(_id(number, occurrence), _label(number), _href(number), _description(credit, locator, words))


@functools.lru_cache(maxsize=4096)
def _description(credit: str, locator: WholeArticle | Paragraphs, words: Words) -> str:
    """Return what a marker says of its source to a screen reader (`Zhang Xu, as quoted in China Daily, ¶10`),
    one string for every marker that says the same."""
    if isinstance(locator, Paragraphs):
        return sys.intern(words.text("marker_description", source=credit, where=str(locator)))
    return sys.intern(words.text("marker_description_whole", source=credit))


# Every document numbers its markers from 1: the same few strings serve them all (a site of 50,000 citations
# would otherwise hold each many times over).
@functools.lru_cache(maxsize=4096)
def _id(number: int, occurrence: int) -> str:
    return f"cite-{number}-{occurrence}"


@functools.lru_cache(maxsize=1024)
def _label(number: int) -> str:
    return str(number)


@functools.lru_cache(maxsize=1024)
def _href(number: int) -> str:
    return f"#ref-{number}"


def uncited(articles: Iterable[Article], cited: set[str]) -> list[Problem]:
    """Warn about sources that nothing cites: a reader cannot reach them from the commentary."""
    return [
        Problem(article.path, None, "no topic or page cites this source", warning=True)
        for article in articles
        if article.slug not in cited
    ]


def _resolve_ref(
    ref: CiteRef, use: CitationUse, path: str, articles: Mapping[str, Article], problems: list[Problem]
) -> Target | None:
    """Check one citation against its source; on failure add a problem and return None."""
    article = articles.get(ref.source)
    if article is None:
        close = difflib.get_close_matches(ref.source, list(articles), n=1)
        hint = (
            f"did you mean '@{close[0]}'?"
            if close
            else "sources are: " + ", ".join(f"@{s}" for s in articles)
            if articles
            else "there are no sources yet: put each article in content/articles/<slug>.md"
        )
        problems.append(Problem(path, use.line, f"unknown source '@{ref.source}' in `{clip(use.text)}`; {hint}"))
        return None
    count = len(article.blocks)
    locator = ref.locator
    if isinstance(locator, Paragraphs) and locator.last > count:
        bad = locator.first if locator.first > count else locator.last
        message = f"¶{bad} is out of range in `{clip(use.text)}`: {article.path} has paragraphs ¶1 to ¶{count}"
        problems.append(Problem(path, use.line, message))
        return None
    if ref.quote is None:
        return Target(article.slug, locator)
    return _resolve_quote(ref, ref.quote, use, path, article, problems)


def _resolve_quote(
    ref: CiteRef, quote: str, use: CitationUse, path: str, article: Article, problems: list[Problem]
) -> Target | None:
    everywhere = article.blocks
    locator = ref.locator
    passages = article.span(locator.first, locator.last) if isinstance(locator, Paragraphs) else everywhere
    matches = locate(quote, passages)
    where = f"@{article.slug} {_written(locator)}".strip()
    if not matches:
        hint = _why_not(quote, passages, everywhere)
        problems.append(Problem(path, use.line, f'quote "{clip(quote)}" is not in {where}; {hint}'))
        return None
    if len(matches) > 1:
        numbers = ", ".join(f"¶{m.number}" for m in matches)
        problems.append(
            Problem(
                path,
                use.line,
                f'quote "{clip(quote)}" is ambiguous: it is in {numbers} of @{article.slug}; '
                f'name the paragraph, as in [@{article.slug} ¶{matches[0].number} "{clip(quote)}"]',
            )
        )
        return None
    match = matches[0]
    block = article.blocks[match.number - 1]
    text = block.text
    words = tuple(text[start:end] for start, end in match.spans)
    if found_twice(block.folded, quote):
        problems.append(
            Problem(
                path,
                use.line,
                f'quote "{clip(quote)}" is in ¶{match.number} of @{article.slug} more than once, and the citation '
                "marks the first; quote enough words to tell which is meant",
                warning=True,
            )
        )
    fragment = text_fragment(text, match.spans, article.page_text)
    return Target(article.slug, Paragraphs(match.number, match.number), quote, words, fragment, match.spans)


def _why_not(quote: str, passages: Sequence[Block], everywhere: Sequence[Block]) -> str:
    """Say why a quote is not in the passages, as precisely as can be told."""
    elsewhere = locate(quote, everywhere) if passages is not everywhere else []
    if elsewhere:
        return f"it is in {', '.join(f'¶{m.number}' for m in elsewhere)}; cite that paragraph"
    blocks = list(passages)
    parts = split_quote(quote)
    for first, second in itertools.pairwise(blocks):
        if second.number == first.number + 1 and holds(Passage(first.number, f"{first.text} {second.text}"), parts):
            return (
                f"it runs across ¶{first.number} and ¶{second.number}; a quote comes from one paragraph: "
                "quote each part with its own citation"
            )
    if len(parts) > 1:
        for block in blocks:
            if all(holds(block, (part,)) for part in parts):
                return f"its parts are all in ¶{block.number}, but not in that order; put them in the source's order"
    near = closest(quote, blocks)
    if near is None:
        return "no passage comes close; check the wording against the source"
    differs = difference(" ".join(parts), near[1])
    return f'the closest passage is ¶{near[0]}: "{clip(near[1])}"' + (f" ({differs})" if differs else "")


def difference(quote: str, passage: str) -> str:
    """Name the first difference between a quote and the passage it comes closest to, word by word, and
    character by character within a word ("`,` where the source has `.`")."""
    quoted, source = fold(quote).split(), fold(passage).split()
    if quoted and source:  # a quote may end (or start) short of the punctuation around it in the source
        if quoted[-1][-1:].isalnum():
            source[-1] = source[-1].rstrip(_PUNCTUATION) or source[-1]
        if quoted[0][:1].isalnum():
            source[0] = source[0].lstrip(_PUNCTUATION) or source[0]
        recased = quoted[0][:1].swapcase() + quoted[0][1:]  # the case of a quote's first letter is forgiven
        if recased in source:
            quoted[0] = recased
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(None, quoted, source, autojunk=False).get_opcodes():
        ours, theirs = " ".join(quoted[i1:i2]), " ".join(source[j1:j2])
        if operation == "replace":
            if i2 - i1 == 1 and j2 - j1 == 1:
                hidden = _invisible(ours, theirs)
                if hidden:
                    return hidden
                ours, theirs = _differing_characters(ours, theirs)
            return f"the quote has '{clip(ours, 30)}' where the source has '{clip(theirs, 30)}'"
        if operation == "delete":
            return f"the quote has '{clip(ours, 30)}', which the source has not"
        if operation == "insert" and 0 < i1 < len(quoted):  # not the words before or after the quote
            return f"the source has '{clip(theirs, 30)}' where the quote has nothing"
    return ""


_PUNCTUATION = "\"'.,;:!?()[]-"


def _invisible(ours: str, theirs: str) -> str:
    """Name the characters no one sees (a soft hyphen, a zero-width space) that alone tell two words apart."""
    seen = [(word, "".join(c for c in word if unicodedata.category(c) != "Cf")) for word in (ours, theirs)]
    if seen[0][1] != seen[1][1]:
        return ""
    side, word = ("source", theirs) if len(theirs) > len(seen[1][1]) else ("quote", ours)
    names = ", ".join(
        f"U+{ord(c):04X} {unicodedata.name(c, '').lower()}".rstrip() for c in word if unicodedata.category(c) == "Cf"
    )
    return f"the {side} has a character no one sees in '{seen[0][1]}': {names}"


def _differing_characters(ours: str, theirs: str) -> tuple[str, str]:
    """Narrow two words to where they differ, when it is a character or two (`had,` and `had.`: `,`, `.`)."""
    start = 0
    while start < min(len(ours), len(theirs)) and ours[start] == theirs[start]:
        start += 1
    end = 0
    while end < min(len(ours), len(theirs)) - start and ours[-1 - end] == theirs[-1 - end]:
        end += 1
    narrowed = ours[start : len(ours) - end], theirs[start : len(theirs) - end]
    # A letter more or less is clearer shown in its word ('coridors' where the source has 'corridors').
    return narrowed if all(narrowed) and max(map(len, narrowed)) <= 2 and start else (ours, theirs)


def _written(locator: Paragraphs | WholeArticle) -> str:
    """Return a locator as the author writes it: `¶4` or `¶4-6`."""
    if not isinstance(locator, Paragraphs):
        return ""
    return f"¶{locator.first}" if locator.first == locator.last else f"¶{locator.first}-{locator.last}"


def _check_prose_quotes(
    path: str, body: Body, articles: Mapping[str, Article], targets_of: Mapping[int, list[Target]], hedges: Hedges
) -> list[Problem]:
    """Check that words in double quotes in the commentary are in a passage the next marker cites, and that
    they keep the source's hedges."""
    problems: list[Problem] = []
    uses = body.uses
    for quoted in body.quotes:
        if quoted.use is None:
            message = (
                f'the quotation "{clip(quoted.words)}" has no citation after it in its paragraph; '
                'add one, as in "words" [@slug ¶4], or put words that quote no source in single quotes (‘…’)'
            )
            problems.append(Problem(path, quoted.line, message))
            continue
        targets = targets_of.get(quoted.use)
        if targets is None:
            continue
        found = next((m for t in targets for m in _found(articles[t.article], t, quoted)), None)
        if found is not None:
            folded, spans = found
            problems += dropped_hedges(path, quoted.line, quoted.words, folded, spans, hedges, quoted.before)
        else:
            use = uses[quoted.use]
            problems.append(
                Problem(
                    path,
                    use.line,
                    f'the quotation "{clip(quoted.words)}" is not in the passage that `{clip(use.text)}` cites; '
                    + _where_instead(articles, targets, quoted.words),
                )
            )
    return problems


def _where_instead(articles: Mapping[str, Article], targets: Sequence[Target], quoted: str) -> str:
    """Say where the quoted words are after all, or what they come closest to."""
    for slug in dict.fromkeys(t.article for t in targets):
        passages = articles[slug].blocks
        found = locate(quoted, passages)
        if found:
            return f"it is in {', '.join(f'¶{m.number}' for m in found)} of @{slug}; cite that paragraph"
        near = closest(quoted, passages)
        if near:
            differs = difference(quoted, near[1])
            return f'the closest passage is @{slug} ¶{near[0]}: "{near[1]}"' + (f" ({differs})" if differs else "")
    return "fix the wording, or cite the paragraph it comes from"


def _found(article: Article, target: Target, quoted: ProseQuote) -> Iterable[tuple[str, Spans]]:
    """Yield the folded text of the paragraph of the passage `target` cites that holds the quoted words
    (typography forgiven), with where they stand in it."""
    locator = target.locator
    blocks = article.span(locator.first, locator.last) if isinstance(locator, Paragraphs) else article.blocks
    parts = split_quote(quoted.words)
    for block in blocks:
        spans = folded_spans(block, parts)
        if spans is not None:
            yield block.folded, spans
            return


def _front_matter_labels(document: Document, articles: Mapping[str, Article], cited: Sequence[str]) -> list[Problem]:
    """Check words in single quotation marks in a topic's question, summary and reasons for silence."""
    if not isinstance(document, Topic):
        return []
    meta = document.meta
    texts = [
        ("summary", meta.summary),
        ("question", meta.question),
        *((f"silent.{k}", v) for k, v in meta.silent.items()),
    ]
    passages = [(slug, articles[slug].blocks) for slug in cited if slug in articles]
    problems = []
    for key, text in texts:
        for words in labels_in(text):
            problem = near_quote(document.path, None, words, passages, where=f"'{key}': ")
            if problem:
                problems.append(problem)
    return problems
