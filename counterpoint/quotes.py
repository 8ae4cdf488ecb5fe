"""Find quoted words in a source, forgiving typography and nothing else.

Forgiven: curly versus straight quotes, dash variants, full-width versus half-width punctuation (Chinese,
Japanese and Korean text), runs of white space,
and the case of the first letter of the quote (and of each part after an
ellipsis). An ellipsis (`…` or `...`) splits a quote into parts that must
appear in order within one paragraph.

A paragraph's text is folded once, when its source is loaded (`Block.folded`);
a quote is folded when it is read, and matched with `str.find`. Where a match
stands in the original text is worked out only for the matches found.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote as percent_encode

_SINGLE = "'‘’‚‛′"
_DOUBLE = '"“”„‟″'
_DASHES = "-‐‑‒–—―−"
_FULL_WIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if not chr(code - 0xFEE0).isalnum()}
"""Full-width punctuation (`，` `：` `（`), as Chinese, Japanese and Korean text sets it, and its ASCII form."""
_HALF_WIDTH = {"｡": "。", "､": "、", "｢": "「", "｣": "」", "･": "・"}
"""Half-width CJK punctuation and its usual (full-width) form."""
_TABLE = str.maketrans(
    {
        **_FULL_WIDTH,
        **_HALF_WIDTH,
        **dict.fromkeys(_SINGLE, "'"),
        **dict.fromkeys(_DOUBLE, '"'),
        **dict.fromkeys(_DASHES, "-"),
    }
)
"""Each character a quote may have in place of another: one for one, so folded text keeps its length."""
_SPACE = re.compile(r"\s+")
"""White space as `str.isspace` knows it: `\\s` in a str pattern is the same set."""
_DASH_RUN = re.compile(r"-{2,}")
_RUNS = re.compile(r"\s{2,}|-{2,}")
"""Runs that fold to one character; a single white space folds to a single space, in the same place."""
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


def fold(text: str) -> str:
    """Compose accents (NFC), fold quotes and dashes to ASCII, and runs of white space (or dashes) to one.

    Text pasted from a PDF or a Mac often spells "é" as "e" and a combining accent (NFD); it must match the
    same words typed composed.
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_TABLE)
    # Every white space but " " is "Other" or "Separator" to Unicode, so printable text with no double space
    # has nothing to fold: the check is far quicker than the substitution finding nothing.
    if "  " in text or not text.isprintable():
        text = _SPACE.sub(" ", text)
    return _DASH_RUN.sub("-", text) if "--" in text else text


@dataclass(frozen=True)
class Normalized:
    """Text with typography folded, and where each character came from."""

    text: str
    """The folded text."""
    origin: tuple[int, ...]
    """For each character of `text`, its index in the original."""


def normalize(text: str) -> Normalized:
    """Fold `text` and map each folded character back to the original (for tests and messages)."""
    folded = fold(text)
    origin = _Origin(text)
    return Normalized(folded, tuple(origin.index(i) for i in range(len(folded))))


class _Origin:
    """Maps an index in `fold(text)` back to `text`: a run folded to one character stands at the run's start,
    a composed character at the start of the characters it was composed from."""

    def __init__(self, text: str) -> None:
        self.composed: list[tuple[int, int]] | None = None
        """For text that was not NFC: where each character of its NFC form came from (start, end)."""
        if not unicodedata.is_normalized("NFC", text):
            text, self.composed = _compose(text)
        self.starts: list[int] = []
        self.removed: list[int] = []
        removed = 0
        translated = text.translate(_TABLE)
        if "  " not in translated and "--" not in translated and translated.isprintable():
            return  # nothing folds to fewer characters (see `fold`)
        for run in _RUNS.finditer(translated):
            length = run.end() - run.start()
            if length > 1:
                self.starts.append(run.start() - removed)
                removed += length - 1
                self.removed.append(removed)

    def index(self, folded: int) -> int:
        """Return the original index of the folded character at `folded`."""
        runs = bisect.bisect_left(self.starts, folded)
        index = folded + (self.removed[runs - 1] if runs else 0)
        return self.composed[index][0] if self.composed else index

    def end(self, folded: int) -> int:
        """Return the original index just past the folded character at `folded`."""
        if not self.composed:
            return self.index(folded) + 1
        runs = bisect.bisect_left(self.starts, folded)
        return self.composed[folded + (self.removed[runs - 1] if runs else 0)][1]


def _compose(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Return the NFC form of `text`, and for each of its characters the span of `text` it comes from."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index < len(text) and unicodedata.combining(text[index]):
            continue  # a combining mark belongs with the character before it
        piece = unicodedata.normalize("NFC", text[start:index])
        pieces.append(piece)
        spans += [(start, index)] * len(piece)
        start = index
    return "".join(pieces), spans


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote was found: a paragraph and the spans of its parts."""

    number: int
    """¶N of the paragraph holding every part."""
    spans: tuple[tuple[int, int], ...]
    """Start and end of each part in the paragraph's original text."""


class Searchable(Protocol):
    """A numbered paragraph as quotes are matched against it (a source's `Block`, or a `Passage`)."""

    @property
    def number(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def folded(self) -> str: ...


@dataclass(frozen=True)
class Passage:
    """A numbered paragraph's plain text, as quotes are matched against."""

    number: int
    """¶N."""
    text: str
    """The paragraph's plain text."""
    folded: str = field(init=False, repr=False, compare=False)
    """`text` folded."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", fold(self.text))  # derived once, at construction


def split_quote(quote: str) -> tuple[str, ...]:
    """Split a quote at its ellipses into the parts that must each be found, folded."""
    parts = (part.strip() for part in _ELLIPSIS.split(quote))
    return tuple(fold(part) for part in parts if part)


def find_in(text: str, parts: Sequence[str], folded: str | None = None) -> tuple[tuple[int, int], ...] | None:
    """Return the original spans of `parts` found in order in `text` (folded as `folded`), or None."""
    hits = _find_folded(fold(text) if folded is None else folded, parts)
    if hits is None:
        return None
    origin = _Origin(text)
    return tuple((origin.index(start), origin.end(end - 1)) for start, end in hits)


Spans = tuple[tuple[int, int], ...]
"""Where the parts of a quote stand in a text: (start, end) of each."""


def folded_spans(passage: Searchable, parts: Sequence[str]) -> Spans | None:
    """Return where every part stands, in order, in the passage's folded text; None if they do not."""
    found = _find_folded(passage.folded, parts)
    return tuple(found) if found is not None else None


def holds(passage: Searchable, parts: Sequence[str]) -> bool:
    """Return True if every part stands in `passage`, in order."""
    return _find_folded(passage.folded, parts) is not None


def _find_folded(folded: str, parts: Sequence[str], pos: int = 0) -> list[tuple[int, int]] | None:
    """Return the spans of `parts` found in order in the folded text (from `pos`), or None."""
    spans: list[tuple[int, int]] = []
    for part in parts:
        found = _find_part(folded, part, pos)
        if found < 0:
            return None
        pos = found + len(part)
        spans.append((found, pos))
    return spans


def _find_part(text: str, part: str, start: int) -> int:
    """Find `part` in `text` from `start`, as whole words, forgiving the case of its first letter."""
    other = part[:1].swapcase() + part[1:]
    while True:
        found = text.find(part, start)
        if other != part:
            again = text.find(other, start)
            if again >= 0 and (found < 0 or again < found):
                found = again
        if found < 0:
            return -1
        if _whole_words(text, found, found + len(part)):
            return found
        start = found + 1


def found_twice(folded: str, quote: str) -> bool:
    """Return True if the folded text holds all of `quote`, in order, twice: from a place past the start of
    where it is first found, too."""
    parts = split_quote(quote)
    first = _find_folded(folded, parts) if parts else None
    return first is not None and _find_folded(folded, parts, first[0][0] + 1) is not None


def _whole_words(text: str, start: int, end: int) -> bool:
    """Return True unless the match cuts a word at either end ("hinese" in "Chinese"). Chinese and Japanese
    run words together without spaces, so a match may start or end at any of their characters."""
    cuts_start = start > 0 and _in_word(text[start]) and _in_word(text[start - 1])
    cuts_end = end < len(text) and _in_word(text[end - 1]) and _in_word(text[end])
    return not (cuts_start or cuts_end)


def _in_word(char: str) -> bool:
    """Return True for a letter or digit of a script that separates words by spaces."""
    return char.isalnum() and unicodedata.east_asian_width(char) not in ("W", "F")


def locate(quote: str, passages: Sequence[Searchable]) -> list[QuoteMatch]:
    """Return every passage that holds all parts of `quote`, in order."""
    parts = split_quote(quote)
    matches = []
    for passage in passages:
        if _find_folded(passage.folded, parts) is not None:
            spans = find_in(passage.text, parts, passage.folded)
            assert spans is not None  # found in the folded text just now
            matches.append(QuoteMatch(passage.number, spans))
    return matches


def closest(quote: str, passages: Sequence[Searchable]) -> tuple[int, str] | None:
    """Return the paragraph number and the run of words most like `quote`.

    Only the most promising runs are compared closely (those sharing the most words with the quote, in the
    paragraphs sharing the most): comparing every run of every paragraph took seconds per quote on a long source.
    """
    if quote.strip() and not any(char.isspace() for char in quote.strip()) and any(_wide(c) for c in quote):
        return _closest_characters(quote, passages)  # Chinese or Japanese: no spaces to find words by
    target = fold(quote).lower()
    quoted = target.split()[:_WIDEST]
    target = " ".join(quoted)
    width = max(1, len(quoted))
    wanted = set(quoted)
    ranked = sorted(passages, key=lambda p: -len(wanted & set(p.folded.lower().split())))[:_PARAGRAPHS]
    best: tuple[float, int, str] | None = None
    for passage in ranked:
        words = passage.text.split()
        for start in _promising_starts(words, wanted, width):
            window = " ".join(words[start : start + width])
            matcher = difflib.SequenceMatcher(None, target, fold(window).lower())
            if matcher.real_quick_ratio() <= (best[0] if best else 0.0):
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, passage.number, window)
    if best is None or best[0] < 0.4:
        return None
    return best[1], best[2]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _closest_characters(quote: str, passages: Sequence[Searchable]) -> tuple[int, str] | None:
    """Return the paragraph number and the run of characters most like `quote`, for text without spaces."""
    target = fold(quote)
    width = len(target)
    best: tuple[float, int, str] | None = None
    for passage in passages:
        text = passage.text
        for start in range(max(1, len(text) - width + 1)):
            window = text[start : start + width]
            matcher = difflib.SequenceMatcher(None, target, fold(window), autojunk=False)
            if matcher.real_quick_ratio() <= (best[0] if best else 0.0):
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, passage.number, window)
    return (best[1], best[2]) if best is not None and best[0] >= 0.4 else None


_WIDEST = 40
"""Words of a quote compared when looking for the closest passage."""
_PARAGRAPHS = 3
"""Paragraphs compared closely."""
_CANDIDATES = 24
"""Runs of words per paragraph compared closely."""


def _promising_starts(words: Sequence[str], wanted: set[str], width: int) -> list[int]:
    """Return where the runs of `width` words sharing the most words with the quote start (a sliding count)."""
    hits = [fold(word).lower() in wanted for word in words]
    count = sum(hits[:width])
    scores = [(count, 0)]
    for start in range(1, max(1, len(words) - width + 1)):
        count += hits[start + width - 1] - hits[start - 1]
        scores.append((count, start))
    return [start for _, start in sorted(scores, key=lambda s: (-s[0], s[1]))[:_CANDIDATES]]


def text_fragment(text: str, spans: Sequence[tuple[int, int]], page: str = "") -> str:
    """Return a `:~:text=` directive that highlights the matched spans in `text`, or "" where none would.

    A browser looks for a fragment's words on the whole page, and highlights from the first place its start
    matches: where `page` (the source page's text, lower case, white space single) has the start elsewhere, the
    words before it are added as context (`text=prefix-,words`), or more of the quote's own words; for a quote
    that is one run of words, the words after it will do too (`text=words,-suffix`). Where nothing makes it the
    only match (a paragraph repeated whole), there is no directive: the paragraph's anchor alone is right."""
    words = text[spans[0][0] : spans[0][1]].split()
    if len(spans) == 1 and len(words) <= 8:
        shortest, end, starts = len(words), "", words
    elif len(spans) == 1:
        shortest, end, starts = 4, " ".join(words[-4:]), words[:-4]
    else:  # the start may run on past the first part: the highlight runs from the start to the end anyway
        shortest, end = len(words), " ".join(text[spans[-1][0] : spans[-1][1]].split())
        starts = text[spans[0][0] : spans[-1][0]].split()
    before = text[: spans[0][0]].split()
    for size in range(shortest, max(shortest, len(starts)) + 1):
        start = " ".join(starts[:size] if size <= len(starts) else words)
        for context in range(min(_CONTEXT, len(before)) + 1):
            prefix = " ".join(before[len(before) - context :]) if context else ""
            if not page or page.count(f"{prefix} {start}".strip().lower()) == 1:
                found = ":~:text=" + (f"{_encode(prefix)}-," if prefix else "") + _encode(start)
                return found + (f",{_encode(end)}" if end else "")
    if len(spans) == 1:
        after = text[spans[0][1] :].split()
        whole = " ".join(words)
        for context in range(1, min(_CONTEXT, len(after)) + 1):
            suffix = " ".join(after[:context])
            if page.count(f"{whole} {suffix}".lower()) == 1:
                return f":~:text={_encode(whole)},-{_encode(suffix)}"
    return ""


_CONTEXT = 5
"""The most words of context a text fragment gets."""


def _encode(text: str) -> str:
    """Percent-encode for a text fragment, where `-`, `,` and `&` are syntax."""
    return percent_encode(" ".join(text.split()), safe="").replace("-", "%2D")
