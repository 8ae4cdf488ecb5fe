"""Read an article's `voices`: who speaks in which paragraphs. Pure.

    voices:
      Liang: "1-2"
      Zhang Xu: "10-12, 14"

A paragraph not listed is the outlet's own voice. Each problem names the key and says what would be right.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from counterpoint.model import Paragraphs, Voice

_ITEM = re.compile(r"\s*¶?\s*(\d{1,6})(?:\s*[-–]\s*¶?\s*(\d{1,6}))?\s*")
_EXAMPLE = 'as in "8-9, 12"'


def read_voices(declared: Mapping[str, str | int], count: int) -> tuple[tuple[Voice, ...], list[tuple[str, str]]]:
    """Return the voices of an article of `count` paragraphs, and the problems found, each as (name, message)."""
    voices: list[Voice] = []
    problems: list[tuple[str, str]] = []
    owner: dict[int, str] = {}
    for name, spec in declared.items():
        key = f"voices.{name}"
        if not any(char.isalnum() for char in name):
            message = f"'{key}' has no name; write the person's name, as in Zhang Xu: \"10-14\""
            problems.append((name, message))
            continue
        spans, message = _spans(str(spec), count)
        if message:
            problems.append((name, f"'{key}': {message}"))
            continue
        for span in spans:
            for number in span.numbers:
                other = owner.setdefault(number, name)
                if other != name:
                    problems.append((name, f"'{key}': ¶{number} is {other}'s too; a paragraph has one voice"))
                    break
        voices.append(Voice(name.strip(), spans))
    return tuple(voices), problems


def _spans(spec: str, count: int) -> tuple[tuple[Paragraphs, ...], str]:
    """Parse `"8-9, 12"` into ranges of paragraphs 1..count; or return why it cannot be."""
    spans: list[Paragraphs] = []
    for item in spec.split(","):
        match = _ITEM.fullmatch(item)
        if not match:
            return (), f"'{spec}' is not a list of paragraphs; write numbers and ranges separated by commas, {_EXAMPLE}"
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if first == 0:
            return (), "paragraphs are numbered from 1, not 0"
        if last < first:
            return (), f"the range {first}-{last} runs backwards; write {last}-{first}"
        if last > count:
            return (), f"¶{last} is out of range: the article has paragraphs ¶1 to ¶{count}"
        spans.append(Paragraphs(first, last))
    numbers = [n for span in spans for n in span.numbers]
    if len(numbers) != len(set(numbers)):
        twice = next(n for n in numbers if numbers.count(n) > 1)
        return (), f"¶{twice} is listed twice; list each paragraph once"
    return tuple(spans), ""
