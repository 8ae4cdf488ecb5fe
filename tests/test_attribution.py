"""Citations checked beyond the words: who speaks in a cited paragraph (`voices`), what a quote leaves out
(hedges, negations cut by an ellipsis), near-quotes in single quotation marks, and citation syntax where it
would be published raw. Then the attribution as readers see it: source pages, references, markers, pull
quotes and the previews."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import Build, edit, problems
from counterpoint.attribution import names
from counterpoint.voices import read_voices

if TYPE_CHECKING:
    from playwright.sync_api import Browser

GAZETTE = "content/articles/green-gazette.md"
SHOPS = "content/topics/shops.md"
AIR = "content/topics/air.md"
NAMED = 'Ana Ruiz, a baker quoted by the Green Gazette, says her "takings are up since the trial" [@green-gazette ¶8].'


# -- voices, as declared -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voices", "message"),
    [
        ("  Ana Ruiz: 9", "'voices.Ana Ruiz': ¶9 is out of range: the article has paragraphs ¶1 to ¶8"),
        ('  Ana Ruiz: "8"\n  A. Writer: "7-8"', "'voices.A. Writer': ¶8 is Ana Ruiz's too; a paragraph has one voice"),
        ('  "": "8"', "'voices.' has no name; write the person's name, as in Zhang Xu: \"10-14\""),
        (
            '  Ana Ruiz: "8-"',
            "'voices.Ana Ruiz': '8-' is not a list of paragraphs; write numbers and ranges separated by commas, "
            'as in "8-9, 12"',
        ),
        ('  Ana Ruiz: "8-7"', "'voices.Ana Ruiz': the range 8-7 runs backwards; write 7-8"),
        ('  Ana Ruiz: "8, 8"', "'voices.Ana Ruiz': ¶8 is listed twice; list each paragraph once"),
        ("  Ana Ruiz: 0", "'voices.Ana Ruiz': paragraphs are numbered from 1, not 0"),
    ],
)
def test_voices_are_validated(golden_copy: Path, build_site: Build, voices: str, message: str) -> None:
    edit(golden_copy / GAZETTE, "voices:\n  Ana Ruiz: 8\n", f"voices:\n{voices}\n")
    status, _, err = build_site(golden_copy)
    assert status == 1
    line = 12 if "A. Writer" in voices else 11
    assert problems(err) == [f"{GAZETTE}:{line}: {message}"]


def test_voices_read_ranges_and_lists() -> None:
    voices, found = read_voices({"Wang": "8-9", "Zhang Xu": "10–12, ¶14", "Liang": 1}, count=14)
    assert found == []
    assert [(v.name, [str(p) for p in v.paragraphs]) for v in voices] == [
        ("Wang", ["¶8–9"]),
        ("Zhang Xu", ["¶10–12", "¶14"]),
        ("Liang", ["¶1"]),
    ]
    assert 13 not in voices[1] and 14 in voices[1]


# -- the attribution check ---------------------------------------------------------------------------


def test_a_sentence_citing_a_voice_must_name_the_speaker(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / SHOPS, NAMED, 'A baker says her "takings are up since the trial" [@green-gazette ¶8].')
    status, _, err = build_site(golden_copy)
    assert status == 0, "a warning, not an error"
    assert problems(err)[0] == (
        f"{SHOPS}:17: warning: ¶8 of @green-gazette is Ana Ruiz's words as the piece reports them; name Ana Ruiz "
        'in this sentence (e.g. "Ana Ruiz, quoted by Green Gazette, says …")'
    )
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 1
    assert "warning (an error under --strict): ¶8 of @green-gazette is Ana Ruiz's words" in err


@pytest.mark.parametrize(
    "sentence",
    [
        "Ruiz says trade is up [@green-gazette ¶8].",  # one word of the name
        "Trade is up, the paper reports [@green-gazette].",  # the whole article is exempt
        "One baker agrees. Ana Ruiz says trade is up.[@green-gazette ¶8]",  # after the full stop: that sentence
        'Ana Ruiz, quoted by the Green Gazette, says "takings are up" [@green-gazette "My takings are up"].',
    ],
)
def test_naming_the_speaker_passes(golden_copy: Path, build_site: Build, sentence: str) -> None:
    edit(golden_copy / SHOPS, NAMED, sentence)
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err


def test_the_sentence_is_the_one_the_citation_stands_in(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / SHOPS, NAMED, "Ana Ruiz runs a bakery. Trade is up, one baker says [@green-gazette ¶8].")
    _, _, err = build_site(golden_copy)
    assert "name Ana Ruiz in this sentence" in err, "a name in the sentence before does not count"


def test_names_match_whole_words_and_scripts_without_spaces() -> None:
    assert names("Zhang, quoted by the paper, says", "Zhang Xu")
    assert not names("Zhangjiang says", "Zhang Xu")
    assert names("张旭说", "张旭")
    assert not names("the paper says", "the company"), "a short word in lower case is no name"
    assert names("The company says", "the company")


# -- what a quote leaves out ---------------------------------------------------------------------


HEDGED = "Traders say the ban may cover only a tenth of the costs, and it is not popular with everyone."


@pytest.fixture
def hedged(golden_copy: Path) -> Path:
    gazette = golden_copy / GAZETTE
    gazette.write_text(gazette.read_text(encoding="utf-8") + f"\n{HEDGED}\n", encoding="utf-8")
    return golden_copy


@pytest.mark.parametrize(
    "citation",
    [
        'The paper says the ban will "cover only a tenth of the costs" [@green-gazette ¶9].',
        'The paper says the ban will cover less [@green-gazette "cover only a tenth of the costs"].',
        '![@green-gazette "cover only a tenth of the costs"]',
    ],
)
def test_a_quote_starting_just_after_a_qualifier_is_flagged(hedged: Path, build_site: Build, citation: str) -> None:
    edit(hedged / SHOPS, NAMED, f"{NAMED}\n\n{citation}")
    _, _, err = build_site(hedged)
    assert (
        'warning: the quote "cover only a tenth of the costs" starts just after "may" in the source '
        '("Traders say the ban may cover only a tenth of the costs"); include "may", or say it in your own words'
    ) in err


@pytest.mark.parametrize("dropped", ["only", "about", "roughly", "estimated", "least"])
def test_a_quote_dropping_what_makes_a_number_approximate_or_small_is_flagged(
    golden_copy: Path, build_site: Build, dropped: str
) -> None:
    """ "900 people" from "about 900 people" passed, though it says more than the source."""
    words = {"least": "at least"}.get(dropped, f"an {dropped}" if dropped == "estimated" else dropped)
    gazette = golden_copy / GAZETTE
    gazette.write_text(gazette.read_text(encoding="utf-8") + f"\nThe trial drew {words} 900 people.\n")
    edit(golden_copy / SHOPS, NAMED, f'{NAMED}\n\nThe paper counts "900 people" [@green-gazette ¶9].')
    _, _, err = build_site(golden_copy)
    assert f'warning: the quote "900 people" starts just after "{dropped}" in the source' in err


def test_about_or_only_before_words_that_are_no_number_is_no_hedge(golden_copy: Path, build_site: Build) -> None:
    gazette = golden_copy / GAZETTE
    text = "The paper ran a report about the decline of local shops, the only report this year."
    gazette.write_text(gazette.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")
    quotes = '"the decline of local shops" [@green-gazette ¶9], "report this year" [@green-gazette ¶9]'
    edit(golden_copy / SHOPS, NAMED, f"{NAMED}\n\nIt covers {quotes}.")
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err


@pytest.mark.parametrize(
    "citation",
    [
        'The paper says the ban "may cover only a tenth of the costs" [@green-gazette ¶9].',
        'The paper says the ban may "cover only a tenth of the costs" [@green-gazette ¶9].',
        'The paper says the ban may cover less [@green-gazette "cover only a tenth of the costs"].',
    ],
)
def test_a_quote_keeping_its_qualifier_passes(hedged: Path, build_site: Build, citation: str) -> None:
    edit(hedged / SHOPS, NAMED, f"{NAMED} {citation}")
    status, _, err = build_site(hedged, "--strict")
    assert status == 0, err


def test_an_ellipsis_that_cuts_out_not_is_flagged(hedged: Path, build_site: Build) -> None:
    edit(hedged / SHOPS, NAMED, f'{NAMED} The paper says "it is … popular with everyone" [@green-gazette ¶9].')
    _, _, err = build_site(hedged)
    assert 'the ellipsis in the quote "it is … popular with everyone" cuts "not" out of the source' in err


def test_a_near_quote_in_single_quotation_marks_is_flagged(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / AIR, "and reports that", "and says ‘the air was much cleaner’ and reports that")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        f"{AIR}:11: warning: ‘the air was much cleaner’ in single quotation marks reads as a quotation, but "
        '@green-gazette ¶3 says "the air was measurably cleaner"; quote it exactly, in double quotation marks, '
        "or reword it"
    ]


def test_exact_words_in_single_quotation_marks_pass(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / AIR, "and reports that", "and calls it ‘the dirtiest in the region’ and reports that")
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err


def test_a_near_quote_in_a_summary_is_flagged(golden_copy: Path, build_site: Build) -> None:
    edit(
        golden_copy / AIR, "summary: What each side", "summary: Whether 'the air was much cleaner', and what each side"
    )
    _, _, err = build_site(golden_copy)
    assert f"{AIR}: warning: 'summary': ‘the air was much cleaner’ in single quotation marks reads as" in err


# -- citation syntax where it would be published raw ------------------------------------------------


def test_citation_syntax_in_front_matter_is_refused(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / SHOPS, "It does not discuss", "It does not discuss [@green-gazette ¶2]")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        f"{SHOPS}:6: 'silent.ban' holds the citation `[@green-gazette ¶2]`, which would be published as it stands: "
        "text here is plain, not Markdown; cite in the body of a topic or page instead, or say the source in words"
    ]


def test_citation_syntax_in_site_yaml_is_refused(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "summary: ", "summary: As [@motor-monthly ¶2] says, ")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        "site.yaml:10: 'perspectives[0].summary' holds the citation `[@motor-monthly ¶2]`, which would be "
        "published as it stands: text here is plain, not Markdown; cite in the body of a topic or page instead, "
        "or say the source in words"
    ]


# -- what the reader sees ----------------------------------------------------------------------------


def test_the_speaker_is_shown_on_the_source_page_references_markers_and_pull_quotes(
    golden_copy: Path, build_site: Build
) -> None:
    edit(golden_copy / SHOPS, NAMED, f"{NAMED}\n\n![@green-gazette ¶8]")
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err
    out = golden_copy / "output"
    source = (out / "sources/green-gazette/index.html").read_text(encoding="utf-8")
    assert '<p class="voice"><span class="vh">Whose words: </span>Ana Ruiz, as quoted</p>' in source
    assert '<dt>Quoted</dt> <dd>Ana Ruiz (<a href="index.html#p8">¶8</a>)</dd>' in source
    assert '<span class="vh"> Green Gazette, ¶7</span>' not in source.split('id="p8"')[1]
    topic = (out / "topics/shops/index.html").read_text(encoding="utf-8")
    assert '<span class="ref-source">Ana Ruiz, as quoted in <cite>Green Gazette</cite>, “Our streets' in topic
    assert '<span class="vh"> Ana Ruiz, as quoted in Green Gazette, ¶8</span>' in topic
    assert "<figcaption>Ana Ruiz, as quoted in Green Gazette, “Our streets, our lungs”" in topic
    assert '<span class="vh"> Green Gazette, ¶7</span>' in topic, "the outlet's own paragraphs name the outlet"


def test_a_passage_mixing_voices_credits_the_outlet_quoting_the_speaker(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / SHOPS, NAMED, "Ana Ruiz and the survey agree [@green-gazette ¶7-8].")
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err
    topic = (golden_copy / "output/topics/shops/index.html").read_text(encoding="utf-8")
    assert '<span class="ref-source"><cite>Green Gazette</cite>, quoting Ana Ruiz, “Our streets' in topic


def test_the_silence_sentence_says_excerpt_for_an_excerpt(golden_copy: Path, build_site: Build) -> None:
    shops = golden_copy / SHOPS
    text = shops.read_text(encoding="utf-8")
    keep = text[text.index("## Perspective: keep") : text.index("## Context")]
    text = text.replace(keep, "## Perspective: ban\n\nThe Green Gazette says little of shops [@green-gazette ¶7].\n\n")
    shops.write_text(text.replace("silent:\n  ban:", "silent:\n  keep:"), encoding="utf-8")
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err
    topic = (golden_copy / "output/topics/shops/index.html").read_text(encoding="utf-8")
    assert '<p class="silence"><strong>The excerpt from Motor Monthly does not address this.</strong>' in topic


def test_the_preview_names_the_speaker(browser: Browser, golden_copy: Path, build_site: Build) -> None:
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err
    page = browser.new_page()
    page.goto((golden_copy / "output/topics/shops/index.html").as_uri())
    page.locator("#cite-4-1").hover()
    card = page.locator(".preview")
    card.wait_for(state="visible")
    assert card.locator(".preview-source").inner_text().startswith("Ana Ruiz, as quoted in Green Gazette")
    page.close()
