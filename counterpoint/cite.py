"""`build.py cite "some words"`: find words in the sources with the build's own matching, and give the citation.

Pure but for `run`, which reads the site and prints. The citation given quotes the source's own words (its
quotes and dashes), so it passes the build's check as it is pasted.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from counterpoint.errors import Problem, clip
from counterpoint.inputs import InputReader
from counterpoint.loading import Parsers, content_files, load_config, load_file
from counterpoint.model import Article
from counterpoint.quotes import closest, locate
from counterpoint.xref import difference


@dataclass(frozen=True)
class Found:
    """The words stand in one paragraph of one source, or in each of several."""

    citations: tuple[str, ...]
    """A citation to paste for each paragraph holding the words, in site order."""
    speakers: tuple[str | None, ...]
    """Who speaks in each of those paragraphs (`voices`), or None for the outlet's own voice."""


@dataclass(frozen=True)
class Near:
    """The words stand nowhere; this passage comes closest."""

    slug: str
    number: int
    passage: str
    difference: str
    """The first difference, as the build says it (`the quote has 'x' where the source has 'y'`), or empty."""


@dataclass(frozen=True)
class Nowhere:
    """Nothing comes close."""


Search = Found | Near | Nowhere


def find(words: str, articles: Sequence[Article]) -> Search:
    """Find `words` in the sources as the build matches quotes: typography forgiven, an ellipsis for a gap."""
    citations: list[str] = []
    speakers: list[str | None] = []
    for article in articles:
        for match in locate(words, article.blocks):
            text = article.blocks[match.number - 1].text
            quoted = " … ".join(text[start:end] for start, end in match.spans)
            citations.append(f'[@{article.slug} ¶{match.number} "{quoted}"]')
            speakers.append(article.speaker(match.number))
    if citations:
        return Found(tuple(citations), tuple(speakers))
    best: tuple[float, Near] | None = None
    for article in articles:
        near = closest(words, article.blocks)
        if near is None:
            continue
        number, passage = near
        score = _likeness(words, passage)
        if best is None or score > best[0]:
            best = (score, Near(article.slug, number, passage, difference(words, passage)))
    return best[1] if best else Nowhere()


def _likeness(words: str, passage: str) -> float:
    return difflib.SequenceMatcher(None, words.lower(), passage.lower(), autojunk=False).ratio()


def describe(words: str, search: Search) -> tuple[list[str], int]:
    """Return the lines to print for a search, and the exit status: 0 when the words were found."""
    if isinstance(search, Found):
        lines = []
        if len(search.citations) > 1:
            lines.append(f"The words are in {len(search.citations)} paragraphs; cite the one you mean:")
        indent = "  " if len(search.citations) > 1 else ""
        for citation, speaker in zip(search.citations, search.speakers, strict=True):
            lines.append(indent + citation)
            if speaker:
                words_of = f"{speaker}'s words as the piece reports them"
                lines.append(f"{indent}  ({words_of}: name {speaker} in your sentence)")
        return lines, 0
    if isinstance(search, Near):
        hint = f" ({search.difference})" if search.difference else ""
        return [
            f'"{clip(words)}" is in no source. The closest passage is @{search.slug} ¶{search.number}: '
            f'"{search.passage}"{hint}'
        ], 1
    return [f'"{clip(words)}" is in no source, and no passage comes close; check the wording against the source'], 1


def load_articles(site: Path) -> tuple[list[Article], list[Problem]]:
    """Read and load the site's source articles alone."""
    inputs = InputReader(site).read()
    config, problems = load_config(inputs, str(site))
    if config is None:
        return [], problems
    parsers = Parsers()
    files, found = content_files(inputs)
    problems += found
    articles: list[Article] = []
    for file in (f for f in files if f.folder == "articles"):
        article, found = load_file(file, inputs[file.path], config.config, parsers)
        problems += found
        if isinstance(article, Article):
            articles.append(article)
    ids = [p.id for p in config.config.perspectives]
    articles.sort(key=lambda a: (ids.index(a.meta.perspective), a.slug))
    return articles, problems


def run(words: str, site: Path) -> int:
    """Print the citation for `words` (or why there is none); return the exit status."""
    if not words.strip(" .…"):
        print('cite: give the words to find, as in: build.py cite "charting a new path"', file=sys.stderr)
        return 1
    articles, problems = load_articles(site)
    errors = [p for p in problems if not p.warning]
    _print(errors, sys.stderr)
    if errors or not articles:
        if not errors:
            print(f"{site}: no source articles in content/articles/ to search", file=sys.stderr)
        return 1
    lines, status = describe(words, find(words, articles))
    _print(lines, sys.stdout if status == 0 else sys.stderr)
    return status


def _print(lines: Iterable[object], stream: TextIO) -> None:
    for line in lines:
        print(line, file=stream)
