"""Problems found in a site's input, reported as `path:line: message`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    """File the problem is in, relative to the site folder (`content/topics/x.md`)."""
    line: int | None
    """1-based line in that file, or None when the whole file is at fault."""
    message: str
    """What is wrong, and what would be right."""
    warning: bool = False
    """True for a warning: reported, and fatal only under `--strict`."""
    strict: bool = False
    """True for a warning that `--strict` made an error."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        kind = "warning: " if self.warning else "warning (an error under --strict): " if self.strict else ""
        return f"{where}: {kind}{self.message}"

    def as_error(self) -> Problem:
        """Return this problem as an error (for `--strict`), still saying it is a warning."""
        return Problem(self.path, self.line, self.message, strict=self.warning or self.strict)


class BuildFailed(Exception):
    """The input has errors; nothing was written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(dict.fromkeys(problems), key=_sort_key))  # one mistake in a template: once
        super().__init__("\n".join(str(p) for p in self.problems))


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """Return problems by file, then line: the order a person fixes them in."""
    return sorted(problems, key=_sort_key)


def _sort_key(problem: Problem) -> tuple[str, int]:
    return (problem.path, problem.line or 0)


def clip(text: str, limit: int = 80) -> str:
    """Return `text` short enough to quote in a message: its start and end, with the middle left out."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]} … {text[-half:]}"
