"""Read the text inside a citation bracket: `@slug ¶4-6 "quoted words"; @other`.

Grammar, one item or several separated by `;`:

    item     = "@" slug [","] [locator] [quote]
    locator  = ("¶" | "p") number [("-" | "–") number]
    quote    = ("\"" | "“") words ("\"" | "”")

A quote ends at the last quote mark before the next `; @` or the end, so the
quoted words may themselves contain quote marks.
"""

from __future__ import annotations

import re

from counterpoint.model import CiteRef, Locator, Paragraphs, WholeArticle

_HEAD = re.compile(
    r"\s*@(?P<slug>[A-Za-z0-9][A-Za-z0-9_-]*)"
    r"\s*,?\s*(?:(?:¶|p)\s*(?P<first>\d+)(?:\s*[-–]\s*(?P<last>\d+))?)?\s*"
)
_OPENERS = '"“'
_CLOSERS = '"”'
_MOST_DIGITS = 6
"""A paragraph number longer than this is a mistake (and Python refuses to read one of 4,301 digits)."""
_NEXT_ITEM = re.compile(r"\s*(;\s*@|$)")


class CiteSyntaxError(ValueError):
    """The bracket's text is not a citation; the message says what would be."""

    def __init__(self, message: str, unclosed_quote: bool = False) -> None:
        super().__init__(message)
        self.unclosed_quote = unclosed_quote
        """True when the text ends inside a quotation (which may go on past a `]`)."""


def parse_citations(text: str) -> tuple[CiteRef, ...]:
    """Parse the inside of `[...]` (without the brackets) into citations."""
    refs: list[CiteRef] = []
    pos = 0
    while True:
        ref, pos = _parse_item(text, pos)
        refs.append(ref)
        rest = text[pos:].lstrip()
        if not rest:
            return tuple(refs)
        if not rest.startswith(";"):
            raise CiteSyntaxError(
                f"unexpected '{_clip(rest)}' in citation; write `[@slug]`, `[@slug ¶4]`, "
                '`[@slug ¶4-6]` or `[@slug "quoted words"]`, separated by `;`'
            )
        pos = len(text) - len(rest) + 1


def _parse_item(text: str, pos: int) -> tuple[CiteRef, int]:
    match = _HEAD.match(text, pos)
    if not match:
        raise CiteSyntaxError(f"expected '@' and a source slug at '{_clip(text[pos:])}', as in `[@slug ¶4]`")
    for digits in (match["first"], match["last"]):
        if digits and len(digits) > _MOST_DIGITS:
            raise CiteSyntaxError(f"¶{_clip(digits)} is no paragraph number; write the number of a paragraph, as in ¶4")
    first = int(match["first"]) if match["first"] else None
    last = int(match["last"]) if match["last"] else first
    if first == 0 or last == 0:
        raise CiteSyntaxError("paragraphs are numbered from ¶1, not ¶0")
    if first is not None and last is not None and last < first:
        raise CiteSyntaxError(f"paragraph range ¶{first}-{last} runs backwards; write ¶{last}-{first}")
    locator: Locator = WholeArticle() if first is None or last is None else Paragraphs(first, last)
    pos = match.end()
    quote = None
    if pos < len(text) and text[pos] in _OPENERS:
        quote, pos = _parse_quote(text, pos)
    return CiteRef(match["slug"], locator, quote), pos


def _parse_quote(text: str, pos: int) -> tuple[str, int]:
    for end in range(pos + 1, len(text)):
        if text[end] in _CLOSERS and _NEXT_ITEM.match(text, end + 1):
            quote = " ".join(text[pos + 1 : end].split())
            if not quote.strip(" .…"):
                raise CiteSyntaxError("the quote is empty; put the source's words between the quote marks")
            return quote, end + 1
    closer = next((end for end in range(pos + 1, len(text)) if text[end] in _CLOSERS), None)
    if closer is not None:  # closed, but what follows is no next citation (unless the mark was inside the quote)
        quoted, after = _clip(text[pos : closer + 1]), _clip(text[closer + 1 :])
        raise CiteSyntaxError(
            f"unexpected '{after}' after the quote {quoted}; a citation ends with its quote "
            '(`[@slug ¶4 "words"]`), and another follows a `;` with its own @slug',
            unclosed_quote=True,
        )
    raise CiteSyntaxError(f"the quote {_clip(text[pos:])} has no closing quote mark", unclosed_quote=True)


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 30 else text[:27] + "..."
