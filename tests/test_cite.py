"""`build.py cite "words"`: the citation to paste, found with the build's own matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GOLDEN, run_cli


def cite(words: str, capsys: pytest.CaptureFixture[str], site: Path = GOLDEN) -> tuple[int, str, str]:
    return run_cli(["cite", words, "--site", str(site)], capsys)


def test_words_in_one_paragraph_give_the_citation_with_the_sources_own_quotes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = cite('"the air was measurably cleaner" within', capsys)
    assert status == 0
    assert out == '[@green-gazette ¶3 "“the air was measurably cleaner” within"]\n'


def test_words_in_several_paragraphs_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cite("the air", capsys)
    assert status == 0
    assert out.splitlines() == [
        "The words are in 3 paragraphs; cite the one you mean:",
        '  [@green-gazette ¶3 "the air"]',
        '  [@motor-monthly ¶2 "the air"]',
        '  [@motor-monthly ¶3 "the air"]',
    ]


def test_the_speaker_of_a_voiced_paragraph_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cite("takings are up", capsys)
    assert status == 0
    assert out.splitlines() == [
        '[@green-gazette ¶8 "takings are up"]',
        "  (Ana Ruiz's words as the piece reports them: name Ana Ruiz in your sentence)",
    ]


def test_missing_words_show_the_closest_passage(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = cite("the air was much cleaner", capsys)
    assert status == 1
    assert out == ""
    assert err == (
        '"the air was much cleaner" is in no source. The closest passage is @green-gazette ¶3: '
        "\"“the air was measurably cleaner”\" (the quote has 'much' where the source has 'measurably')\n"
    )


def test_words_nothing_comes_near_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = cite("quantum chromodynamics", capsys)
    assert status == 1
    assert "is in no source, and no passage comes close" in err


def test_a_site_with_errors_says_so_instead(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "site.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    status, out, err = cite("anything", capsys, tmp_path)
    assert status == 1
    assert out == ""
    assert err.startswith("site.yaml:2: invalid YAML")
