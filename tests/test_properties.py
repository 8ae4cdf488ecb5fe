"""Properties that must hold for any input, tried on generated input (Hypothesis; bounded to stay quick)."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import GOLDEN, TEMPLATES
from counterpoint import checks, citations
from counterpoint.errors import BuildFailed
from counterpoint.markdown import make_parser
from counterpoint.pipeline import Builder
from counterpoint.quotes import Passage, fold, locate, normalize

SYNTAX = st.sampled_from([*"[]@¶\"“”'‘’;,-–—…. \n*_`!()#>0123456789", "[@", "[@src", " ¶2", "\n\n", "..."])
WORDS = st.sampled_from(["the", "air", "Green", "Gazette", "café", "déjà", "“new”", "it’s", "—", "–", "-", "..."])
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@QUICK
@given(st.lists(SYNTAX | WORDS, max_size=200).map("".join))
def test_the_citation_parser_never_raises_and_reads_each_bracket_at_most_twice(text: str) -> None:
    calls = 0
    real = citations.parse_citations

    def counted(inside: str) -> object:
        nonlocal calls
        calls += 1
        return real(inside)

    citations.parse_citations = counted  # type: ignore[assignment]
    try:
        env = {"cite": {"line_offset": 0, "uses": []}}
        make_parser(citations=True).parse(text, env)
    finally:
        citations.parse_citations = real
    assert calls <= 2 * text.count("[@")


SPACES = [chr(c) for c in range(0x3100) if chr(c).isspace()]
FOLDABLE = st.lists(st.sampled_from([*SPACES, *"ab-‐—“”‘'\u0301e.", "--", "  "]) | WORDS, max_size=30).map("".join)


def folded_by_definition(text: str) -> str:
    """Fold as the definition says, with no shortcut: NFC, quotes and dashes to ASCII, then runs to one."""
    text = unicodedata.normalize("NFC", text)
    for kind, plain in (("'‘’‚‛′", "'"), ('"“”„‟″', '"'), ("-‐‑‒–—―−", "-")):
        text = re.sub(f"[{re.escape(kind)}]", plain, text)
    return re.sub(r"-{2,}", "-", re.sub(r"\s+", " ", text))


@QUICK
@given(FOLDABLE)
@example("\u2000café\u0301")  # found by Hypothesis: an accent that composes with nothing after an é
def test_folding_skips_only_text_with_nothing_to_fold(text: str) -> None:
    assert fold(text) == folded_by_definition(text)
    mapped = normalize(text)  # every folded character maps back to where it came from
    assert len(mapped.origin) == len(mapped.text)
    for index, origin in enumerate(mapped.origin):
        if index and unicodedata.combining(mapped.text[index]) and mapped.origin[index - 1] == origin:
            continue  # a mark that composes with nothing stays with its letter: both map to where the letter is
        original = unicodedata.normalize("NFC", text[origin:])[:1]
        assert fold(original) == mapped.text[index] or original.isspace() or original == "-"


@QUICK
@given(st.lists(WORDS, min_size=1, max_size=40), st.data())
def test_a_verbatim_run_of_words_from_a_paragraph_is_always_found(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    quote = " ".join(words[start:end])
    if not any(c.isalnum() for c in quote) or quote.strip(" .…") != quote.strip():
        return  # an ellipsis in the quote means "words left out", and a quote of punctuation alone is refused
    matches = locate(quote, [Passage(1, text)])
    assert [m.number for m in matches] == [1]


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("mutated") / "site"
    shutil.copytree(GOLDEN, site, ignore=shutil.ignore_patterns("expected"))
    return site


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_mutated_topic_builds_or_fails_with_located_messages(golden_site: Path, data: st.DataObject) -> None:
    topic = golden_site / "content/topics/air.md"
    original = (GOLDEN / "content/topics/air.md").read_text(encoding="utf-8")
    position = data.draw(st.integers(0, len(original)))
    inserted = data.draw(st.lists(SYNTAX | WORDS, max_size=12).map("".join))
    cut = data.draw(st.integers(0, 8))
    topic.write_text(original[:position] + inserted + original[position + cut :], encoding="utf-8")
    try:
        Builder(golden_site, TEMPLATES).build()
    except BuildFailed as failure:
        assert failure.problems
        for problem in failure.problems:
            assert problem.path and problem.message
    finally:
        topic.write_text(original, encoding="utf-8")


LINK_PARTS = st.sampled_from(["..", ".", "", "sources", "x", "index.html", "a b", "%20", "q?x=1", "c:d", "#p1", "#"])


@QUICK
@given(st.lists(LINK_PARTS, max_size=8).map("/".join), st.sampled_from(["", "#p2", "#p1:~:text=a", "#%C3%A9"]))
def test_the_link_checker_reads_links_from_the_top_as_it_reads_any_link(path: str, fragment: str) -> None:
    link = "../../" + path + fragment
    quick = checks._from_top("../../", link)
    assert quick is None or quick == checks._link("topics/a", link)
    at_the_top = checks._from_top("", path + fragment)  # a page at the site's top: nothing to climb
    assert at_the_top is None or at_the_top == checks._link("", path + fragment)
