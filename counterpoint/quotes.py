"""Find quoted words in a source, forgiving typography and nothing else.

Forgiven: curly versus straight quotes, dash variants, runs of white space,
and the case of the first letter of the quote (and of each part after an
ellipsis). An ellipsis (`…` or `...`) splits a quote into parts that must
appear in order within one paragraph.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote as percent_encode

_SINGLE = "'‘’‚‛′"
_DOUBLE = '"“”„‟″'
_DASHES = "-‐‑‒–—―−"
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


@dataclass(frozen=True)
class Normalized:
    """Text with typography folded, and where each character came from."""

    text: str
    """The folded text."""
    origin: tuple[int, ...]
    """For each character of `text`, its index in the original."""


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote was found: a paragraph and the spans of its parts."""

    number: int
    """¶N of the paragraph holding every part."""
    spans: tuple[tuple[int, int], ...]
    """Start and end of each part in the paragraph's original text."""


@dataclass(frozen=True)
class Passage:
    """A numbered paragraph's plain text, as quotes are matched against."""

    number: int
    """¶N."""
    text: str
    """The paragraph's plain text."""


@functools.lru_cache(maxsize=4096)
def normalize(text: str) -> Normalized:
    """Fold quotes and dashes to ASCII and white space to single spaces."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            char = " "
        elif char in _SINGLE:
            char = "'"
        elif char in _DOUBLE:
            char = '"'
        elif char in _DASHES:
            char = "-"
        if char in " -" and out and out[-1] == char:
            continue
        out.append(char)
        origin.append(index)
    return Normalized("".join(out), tuple(origin))


def split_quote(quote: str) -> tuple[str, ...]:
    """Split a quote at its ellipses into the parts that must each be found."""
    parts = (part.strip() for part in _ELLIPSIS.split(quote))
    return tuple(normalize(part).text for part in parts if part)


def find_in(text: str, parts: Sequence[str]) -> tuple[tuple[int, int], ...] | None:
    """Return the original spans of `parts` found in order in `text`, or None."""
    folded = normalize(text)
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in parts:
        found = _find_part(folded.text, part, pos)
        if found < 0:
            return None
        end = found + len(part)
        spans.append((folded.origin[found], folded.origin[end - 1] + 1))
        pos = end
    return tuple(spans)


def _find_part(text: str, part: str, start: int) -> int:
    """Find `part` in `text` from `start`, as whole words, forgiving the case of its first letter."""
    variants = {part, part[:1].swapcase() + part[1:]}
    while True:
        hits = [i for i in (text.find(v, start) for v in variants) if i >= 0]
        if not hits:
            return -1
        found = min(hits)
        if _whole_words(text, found, found + len(part)):
            return found
        start = found + 1


def _whole_words(text: str, start: int, end: int) -> bool:
    """Return True unless the match cuts a word at either end ("hinese" in "Chinese")."""
    cuts_start = start > 0 and text[start].isalnum() and text[start - 1].isalnum()
    cuts_end = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return not (cuts_start or cuts_end)


def locate(quote: str, passages: Sequence[Passage]) -> list[QuoteMatch]:
    """Return every passage that holds all parts of `quote`, in order."""
    parts = split_quote(quote)
    matches = []
    for passage in passages:
        spans = find_in(passage.text, parts)
        if spans is not None:
            matches.append(QuoteMatch(passage.number, spans))
    return matches


def closest(quote: str, passages: Sequence[Passage]) -> tuple[int, str] | None:
    """Return the paragraph number and the run of words most like `quote`."""
    target = normalize(quote).text.lower()
    width = max(1, len(target.split()))
    best: tuple[float, int, str] | None = None
    for passage in passages:
        words = passage.text.split()
        for start in range(max(1, len(words) - width + 1)):
            window = " ".join(words[start : start + width])
            matcher = difflib.SequenceMatcher(None, target, normalize(window).text.lower())
            if matcher.real_quick_ratio() <= (best[0] if best else 0.0):
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, passage.number, window)
    if best is None or best[0] < 0.4:
        return None
    return best[1], best[2]


def text_fragment(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Return a `:~:text=` directive that highlights the matched spans in `text`."""
    first = text[spans[0][0] : spans[0][1]]
    last = text[spans[-1][0] : spans[-1][1]]
    if len(spans) == 1:
        words = first.split()
        if len(words) <= 8:
            return ":~:text=" + _encode(first)
        first, last = " ".join(words[:4]), " ".join(words[-4:])
    return ":~:text=" + _encode(first) + "," + _encode(last)


def _encode(text: str) -> str:
    """Percent-encode for a text fragment, where `-`, `,` and `&` are syntax."""
    return percent_encode(" ".join(text.split()), safe="").replace("-", "%2D")
