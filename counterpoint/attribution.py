"""Checks that a citation is true to its source beyond the words: who said it, and what a quote leaves out.

Pure; `xref.resolve_document` runs them on each document's verified citations. Every finding is a warning
(an error under `--strict`):

- **Voices.** A sentence citing a paragraph that an article's `voices` gives to a person must name that
  person, so that a quoted view is never passed off as the outlet's own (whole-article citations are exempt).
- **Hedges.** A verified quote must not start just after a qualifier of the source ("may", "often"), unless
  the commentary says the qualifier itself, and an ellipsis must not cut a negation out.
- **Labels.** Three or more words in single quotation marks that nearly match a source passage read as a
  quotation without being one: quote exactly, in double quotation marks, or reword.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence

from counterpoint.errors import Problem, clip
from counterpoint.hedges import Hedges
from counterpoint.model import Article, Block, CitationUse, Label, Paragraphs, Target
from counterpoint.quotes import closest, fold, locate

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_LAST_WORD = re.compile(r"(\w+)\s+$")
_NEAR = 0.8
"""How alike (difflib's ratio, on folded text) single-quoted words and a passage must be to pass for a quote."""
_NEAR_WORDS = 0.75
"""The same, word by word: three words of four the same, a word changed ("its" for "their")."""
_ENDS = "\"'“”‘’.,;:!?()[] "


def unnamed_speakers(path: str, use: CitationUse, target: Target, article: Article) -> list[Problem]:
    """Return a warning for each person whose words `target` cites and whom the citing sentence does not name."""
    if use.pull or not isinstance(target.locator, Paragraphs) or not article.voices:
        return []
    problems = []
    for voice in article.voices:
        numbers = [n for n in target.locator.numbers if n in voice]
        if not numbers or names(use.sentence, voice.name):
            continue
        where = f"¶{numbers[0]}" if len(numbers) == 1 else f"¶{numbers[0]}–{numbers[-1]}"
        name, outlet = voice.name, article.meta.outlet
        message = (
            f"{where} of @{article.slug} is {name}'s words as the piece reports them; name {name} in this "
            f'sentence (e.g. "{name}, quoted by {outlet}, says …")'
        )
        problems.append(Problem(path, use.line, message, warning=True))
    return problems


def names(sentence: str, name: str) -> bool:
    """Return True if `sentence` names the person: their whole name, or one word of it, as a word (not a short
    lower-case word such as "the" in "the company")."""
    for word in _WORD.findall(name):
        if len(word) <= 3 and word.islower() and word != name:
            continue
        for match in re.finditer(re.escape(word), sentence):
            start, end = match.start(), match.end()
            if not word.isascii():  # a name in a script without spaces between words stands anywhere
                return True
            before = sentence[start - 1] if start else " "
            after = sentence[end] if end < len(sentence) else " "
            if not (before.isalnum() or after.isalnum()):
                return True
    return False


def dropped_hedges(
    path: str, line: int, quote: str, text: str, spans: Sequence[tuple[int, int]], hedges: Hedges, said: str = ""
) -> list[Problem]:
    """Warn if a verified quote, found at `spans` of a paragraph's `text` (as written, or folded), starts just
    after a qualifier (one the commentary's `said` does not say itself), or if an ellipsis in it cuts out a
    negation."""
    problems = []
    start, end = spans[0]
    lead_start = max(0, start - 80)  # the word before the quote is near it: search no further back
    before = _LAST_WORD.search(text, lead_start, start)
    if before and _qualifies(before[1].lower(), text, start, hedges) and not _says(said, before[1]):
        word = before[1]
        lead = re.split(r"[.!?;:]\s", text[: before.start()])[-1].split()[-6:]  # the clause, up to 6 words
        context = clip(" ".join([*lead, text[before.start() : end]]), 90)
        message = (
            f'the quote "{clip(quote, 50)}" starts just after "{word}" in the source ("{context}"); '
            f'include "{word}", or say it in your own words'
        )
        problems.append(Problem(path, line, message, warning=True))
    for (_, gap_start), (gap_end, _) in itertools.pairwise(spans):
        cut = [w for w in _WORD.findall(text[gap_start:gap_end]) if _negates(w, hedges)]
        if cut:
            words = [*text[:gap_start].split()[-3:], *text[gap_start:gap_end].split(), *text[gap_end:].split()[:3]]
            context = clip(" ".join(words), 90)
            message = (
                f'the ellipsis in the quote "{clip(quote, 50)}" cuts "{cut[0]}" out of the source ("{context}"); '
                f'quote the words with "{cut[0]}", or say it in your own words'
            )
            problems.append(Problem(path, line, message, warning=True))
    return problems


def _qualifies(word: str, text: str, start: int, hedges: Hedges) -> bool:
    """Return True if `word`, just before a quote starting at `start` of `text`, qualifies what it says."""
    if word in hedges.qualifiers:
        return True
    if word not in hedges.before_numbers:
        return False
    first = _WORD.match(text, start)
    return first is not None and (first[0][:1].isdigit() or first[0].lower() in hedges.numbers)


def _says(text: str, word: str) -> bool:
    return word.lower() in (w.lower() for w in _WORD.findall(text))


def _negates(word: str, hedges: Hedges) -> bool:
    lower = word.lower()
    return lower in hedges.negations or (bool(hedges.negations) and lower.endswith(("n't", "n’t")))


def misquoted_labels(
    path: str,
    labels: Iterable[Label],
    articles: Mapping[str, Article],
    targets_of: Mapping[int, Sequence[Target]],
    cited: Sequence[str],
) -> list[Problem]:
    """Warn of words in single quotation marks that nearly, but not exactly, match a passage of a source: the
    passages the citation after them cites, or else every source the document cites."""
    problems = []
    for label in labels:
        targets = targets_of.get(label.use, ()) if label.use is not None else ()
        if targets:
            passages = [(t.article, _blocks(articles[t.article], t)) for t in targets]
        else:
            passages = [(slug, articles[slug].blocks) for slug in cited if slug in articles]
        problem = near_quote(path, label.line, label.words, passages)
        if problem:
            problems.append(problem)
    return problems


def near_quote(
    path: str, line: int | None, words: str, passages: Sequence[tuple[str, Sequence[Block]]], where: str = ""
) -> Problem | None:
    """Return a warning if `words` (in single quotation marks) nearly match a passage; None if they match one
    exactly (a label quoting the source) or none closely."""
    if any(locate(words, blocks) for _, blocks in passages):
        return None
    wanted = set(fold(words).lower().split())
    enough = max(2, (len(wanted) * 3 + 4) // 5)  # a near match shares most words: three in five, rounded up
    for slug, blocks in passages:
        blocks = [b for b in blocks if len(wanted.intersection(b.folded.lower().split())) >= enough]
        near = closest(words, blocks) if blocks else None
        if near is None:
            continue
        number, window = near
        window = window.strip(_ENDS)
        ours, theirs = fold(words).lower().strip(_ENDS), fold(window).lower()
        by_characters = difflib.SequenceMatcher(None, ours, theirs, autojunk=False).ratio()
        by_words = difflib.SequenceMatcher(None, ours.split(), theirs.split(), autojunk=False).ratio()
        if by_characters >= _NEAR or by_words >= _NEAR_WORDS:
            message = (
                f"{where}‘{clip(words, 50)}’ in single quotation marks reads as a quotation, but @{slug} ¶{number} "
                f'says "{clip(window, 60)}"; quote it exactly, in double quotation marks, or reword it'
            )
            return Problem(path, line, message, warning=True)
    return None


def _blocks(article: Article, target: Target) -> Sequence[Block]:
    locator = target.locator
    return article.span(locator.first, locator.last) if isinstance(locator, Paragraphs) else article.blocks


_PLAIN_LABEL = re.compile(r"(?<!\w)['‘]((?:[^'‘’]|['’](?=\w))+?)['’](?!\w)")


def labels_in(text: str) -> list[str]:
    """Return the runs of three or more words in single quotation marks (straight or curly) of plain text."""
    return [match[1] for match in _PLAIN_LABEL.finditer(text) if len(match[1].split()) >= 3]
