"""Words that qualify a claim, one list per language, in one place.

A quote that starts just after one of them ("may", "often") drops the source's hedge; an ellipsis that cuts a
negation out ("not", "never") turns the source's words around. To add a language, add its lists here, keyed
by its primary language subtag (`en` for `en-GB`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hedges:
    """The qualifying words of one language."""

    qualifiers: frozenset[str]
    """Words a quote must not start just after: hedges, quantifiers and negations, in lower case."""
    negations: frozenset[str]
    """Words an ellipsis must not cut out, in lower case."""
    before_numbers: frozenset[str] = frozenset()
    """Words a quote must not start just after when it starts with a number ("about 900", "only 12"): elsewhere
    they are common words ("a report about the decline")."""
    numbers: frozenset[str] = frozenset()
    """Numbers written as words, in lower case (a quote starting with a digit starts with a number too)."""


_NEGATIONS_EN = frozenset({"not", "never", "no", "nor", "cannot", "hardly", "rarely", "seldom"})

_BY_LANGUAGE = {
    "en": Hedges(
        qualifiers=frozenset(
            {
                "often",
                "frequently",
                "usually",
                "sometimes",
                "may",
                "might",
                "can",
                "could",
                "would",
                "many",
                "some",
                "most",
                "several",
                "heavily",
                "largely",
                "mostly",
                "partly",
                "reportedly",
                "allegedly",
                "arguably",
                "apparently",
                "possibly",
                "probably",
                "likely",
                "perhaps",
                "few",
                "almost",
                "nearly",
                "roughly",
                "approximately",
                "merely",
                "generally",
                "typically",
                "potentially",
                "seemingly",
                "supposedly",
                *_NEGATIONS_EN,
            }
        ),
        negations=_NEGATIONS_EN,
        # a number made approximate, or smaller than it reads: "about 900", "only 12", "at least 40"
        before_numbers=frozenset({"about", "around", "estimated", "only", "just", "least", "some", "over", "under"}),
        numbers=frozenset(
            {
                *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
                *("eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "half"),
                *("hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "billions"),
                *("dozen", "dozens"),
            }
        ),
    ),
}

NONE = Hedges(frozenset(), frozenset())
"""For a language with no lists yet: nothing is checked."""


def hedges_for(language: str) -> Hedges:
    """Return the lists of a language tag (`en`, `en-GB`), or empty lists when there are none for it."""
    return _BY_LANGUAGE.get(language.split("-")[0].lower(), NONE)
