"""Hostile and careless input: every case ends in a built site or `file:line` messages, in time, losing nothing."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from conftest import Build, edit, problems
from counterpoint import citations
from counterpoint.cli import main
from counterpoint.errors import BuildFailed
from counterpoint.markdown import make_parser, number_blocks, parse_body
from counterpoint.quotes import Passage, locate
from counterpoint.schema import load_yaml


def uses_of(markdown: str) -> list[str | None]:
    env = {"cite": {"line_offset": 0, "uses": []}}
    make_parser(citations=True).parse(markdown, env)
    return [use.error for use in env["cite"]["uses"]]


@pytest.mark.parametrize(
    ("markdown", "brackets"),
    [
        ("[@src x] " * 4000, 4000),
        ("[@ ]" * 4000, 4000),
        ('[@src "' + "]" * 32000, 1),
        ('[@src "' + '"]' * 16000, 1),
        ("[@a ¶1] and [@b " + "]" * 5000, 2),
    ],
)
def test_the_bracket_reader_reads_each_bracket_at_most_twice(
    markdown: str, brackets: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = citations.parse_citations
    monkeypatch.setattr(citations, "parse_citations", lambda text: calls.append(len(text)) or real(text))
    errors = uses_of(markdown)
    assert len(errors) == brackets
    assert len(calls) <= 2 * brackets, "a bracket was read again at every later ']'"


def test_a_quote_may_hold_a_closing_bracket() -> None:
    assert uses_of('[@a "x ] y"] and [@a "x ] y"; @b ¶2]') == [None, None]


def test_a_paragraph_number_of_thousands_of_digits_is_a_message_not_a_crash() -> None:
    [error] = uses_of("[@src ¶" + "1" * 4301 + "]")
    assert error is not None and "is no paragraph number" in error


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("order: " + "1" * 4301 + "\n", "x.md:2: invalid YAML: a number of 4301 digits is too long to read"),
        ("title: " + "[" * 1000 + "\n", "x.md:2: invalid YAML: its lists or mappings are nested too deeply"),
        (
            'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
            + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)),
            "x.md:2: YAML aliases (*name) are not allowed",
        ),
    ],
)
def test_hostile_yaml_is_a_located_problem(yaml_text: str, message: str) -> None:
    assert str(load_yaml(yaml_text, "x.md", 1)).startswith(message)


def test_a_citation_in_an_image_description_is_an_error_not_a_crash() -> None:
    for markdown in ("![chart [@src ¶2]](chart.png)\n", "![[@]]()\n"):
        [error] = uses_of(markdown)
        assert error is not None


def test_an_image_citation_is_reported_by_the_build(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/shops.md", "## Context\n", "## Context\n\n![map [@green-gazette ¶2]](m.png)\n")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert any("inside an image's description would not be shown" in line for line in problems(err))


def test_text_nested_past_markdowns_limit_is_reported_not_dropped() -> None:
    deep_list = "".join("  " * level + "- item\n" for level in range(22)) + "\nAfter.\n"
    found: list[object] = []
    number_blocks(make_parser(citations=False), deep_list, 3, found, "a.md")  # type: ignore[arg-type]
    assert [str(p).split(": ", 1)[1] for p in found] == [
        "lists or block quotes are nested more than 20 deep here, and Markdown would drop this text; "
        "nest them less deeply"
    ]
    body, topic_problems = parse_body(make_parser(citations=True), "t.md", ">" * 21 + " q [@x ¶1]\n", 4, None, ())
    assert body is None
    assert [p.line for p in topic_problems] == [5]


def test_commentary_keeps_what_the_author_typed_but_smart_quotes_and_dashes() -> None:
    body, _ = parse_body(
        make_parser(citations=True), "t.md", 'As "option (c)" (r) (tm) +- a -- b --- c ... d\n', 0, None, ()
    )
    assert body is not None
    assert body.sections[0].html == "<p>As “option (c)” (r) (tm) +- a – b — c ... d</p>\n"


def test_base_url_with_a_newline_is_refused(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "base_url: https://example.org/car-free/", 'base_url: "https://example.org/\\nx"')
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        "site.yaml:6: base_url must be the site's web address, like https://example.org/explainer/ (no ? or #)"
    ]


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_a_quote_matches_whatever_the_unicode_form_of_either_side(form: str) -> None:
    text = unicodedata.normalize(form, "Le café de la gare, déjà vu.")
    for quote_form in ("NFC", "NFD"):
        [match] = locate(unicodedata.normalize(quote_form, "café de la gare, déjà"), [Passage(1, text)])
        start, end = match.spans[0]
        assert unicodedata.normalize("NFC", text[start:end]) == "café de la gare, déjà"


def test_line_numbers_count_newlines_only(golden_copy: Path, build_site: Build) -> None:
    # (U+0085, NEL, was here too: a control character, now an error of its own; see below)
    edit(golden_copy / "content/topics/air.md", "summary: What", "summary: What\u2028 each\u2029 side")
    edit(golden_copy / "content/topics/air.md", "[@green-gazette ¶2]", "[@green-gazette ¶99]")
    _, _, err = build_site(golden_copy)
    assert [line.split(": ")[0] for line in problems(err)] == ["content/topics/air.md:11"]


def test_an_outlet_named_the_something_is_not_doubled(golden_copy: Path, build_site: Build) -> None:
    # shops.md declares the Green Gazette's side silent, so its column says that piece does not address this.
    edit(golden_copy / "content/articles/green-gazette.md", "outlet: Green Gazette", "outlet: The Green Gazette")
    status, _, err = build_site(golden_copy)
    assert status == 0, err
    page = (golden_copy / "output/topics/shops/index.html").read_text(encoding="utf-8")
    assert "The piece from The Green Gazette does not address this." in page
    assert "The The" not in page


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing", "{site}: there is no such folder; pass --site with the folder holding site.yaml"),
        ("site.yaml", "{site}: --site takes the folder holding site.yaml, not the file; pass --site {parent}"),
    ],
)
def test_a_wrong_site_path_says_what_is_wrong_with_it(
    golden_copy: Path, capsys: pytest.CaptureFixture[str], where: str, message: str
) -> None:
    site = golden_copy / "nowhere" if where == "missing" else golden_copy / "site.yaml"
    assert main(["--site", str(site)]) == 1
    assert capsys.readouterr().err == message.format(site=site, parent=golden_copy) + "\n"


def test_a_missing_templates_folder_says_so(golden_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = golden_copy / "no-templates"
    assert main(["--site", str(golden_copy), "--templates", str(missing)]) == 1
    assert (
        capsys.readouterr().err == f"{missing}: --templates takes a folder of templates, and this is no such folder\n"
    )


def test_file_names_hidden_files_and_readmes(golden_copy: Path, build_site: Build) -> None:
    topics = golden_copy / "content/topics"
    (topics / "._air.md").write_bytes(b"\x00\x05\x16\x07 AppleDouble junk")
    (topics / ".#air.md").write_text("root@host.1234:1700000000", encoding="utf-8")
    (golden_copy / "content/articles/README.md").write_text("# Notes for editors\n", encoding="utf-8")
    (topics / "fréquence.md").write_text((topics / "air.md").read_text(encoding="utf-8"), encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        "content/topics/fréquence.md: 'fréquence.md' is not a usable slug: use lowercase letters, digits and "
        "hyphens, e.g. 'frequence.md'"
    ]


def test_long_input_is_clipped_in_messages(golden_copy: Path, build_site: Build) -> None:
    quote = "words " * 2000
    edit(golden_copy / "content/topics/air.md", "[@green-gazette ¶2]", f'[@green-gazette ¶2 "{quote}"]')
    _, _, err = build_site(golden_copy)
    [line] = [line for line in problems(err) if "is not in" in line]
    assert len(line) < 400


def warnings_of(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": warning" in line]


def test_an_empty_perspective_section_is_a_warning(golden_copy: Path, build_site: Build) -> None:
    text = (golden_copy / "content/topics/air.md").read_text(encoding="utf-8")
    start, end = text.index("## Perspective: keep\n"), text.index("## Common ground")
    (golden_copy / "content/topics/air.md").write_text(
        text[:start] + "## Perspective: keep\n\n" + text[end:], encoding="utf-8"
    )
    status, _, err = build_site(golden_copy)
    assert status == 0
    assert [w for w in warnings_of(err) if "is empty" in w] == [
        "content/topics/air.md:15: warning: the section '## Perspective: keep' is empty, so its column would be; "
        "write what this side says, or declare it silent in the front matter"
    ]
    assert build_site(golden_copy, "--strict")[0] == 1


def test_a_topic_citing_nothing_is_a_warning(golden_copy: Path, build_site: Build) -> None:
    (golden_copy / "content/topics/bare.md").write_text(
        "---\ntitle: Bare\nquestion: Q?\nsummary: S.\norder: 3\n---\n\n## Perspective: ban\n\nA claim.\n\n"
        "## Perspective: keep\n\nAnother.\n",
        encoding="utf-8",
    )
    edit(golden_copy / "site.yaml", "  - shops\n", "  - shops\n  - bare\n")
    status, _, err = build_site(golden_copy)
    assert status == 0
    assert "content/topics/bare.md: warning: this topic cites no source" in err


def test_two_topics_with_one_title_is_a_warning(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/shops.md", "title: ", "title: Air quality\nold_title: ")
    edit(golden_copy / "content/topics/shops.md", "old_title: ", "# ")
    _, _, err = build_site(golden_copy)
    assert (
        "content/topics/shops.md: warning: content/topics/air.md has the title 'Air quality' too; "
        "readers could not tell the two apart"
    ) in err


@pytest.mark.parametrize(
    "markdown", ["[The Review [@src ¶3]](https://e.org/)", "[The [@src ¶3] Review](https://e.org/)"]
)
def test_a_citation_in_a_links_text_is_an_error(markdown: str) -> None:
    [error] = uses_of(markdown)
    assert error is not None and "inside a link's text breaks the link" in error


@pytest.mark.parametrize(
    ("quote", "hint"),
    [
        (
            "the air is already cleaner than it was ten years ago,",
            "(the quote has ',' where the source has '.')",
        ),
        ("ten years ago. Traders fear", "it runs across ¶2 and ¶3"),
        ("ten years ago … the air is already cleaner", "its parts are all in ¶2, but not in that order"),
    ],
)
def test_the_hint_points_at_what_differs(golden_copy: Path, build_site: Build, quote: str, hint: str) -> None:
    edit(golden_copy / "content/topics/air.md", '[@motor-monthly ¶2 "already cleaner"]', f'[@motor-monthly "{quote}"]')
    _, _, err = build_site(golden_copy)
    [line] = [line for line in problems(err) if "is not in @motor-monthly" in line]
    assert hint in line


def test_links_that_loop_back_do_not_hang_the_build(golden_copy: Path, build_site: Build) -> None:
    (golden_copy / "content/topics/up").symlink_to("..", target_is_directory=True)
    (golden_copy / "content/topics/up-again").symlink_to("..", target_is_directory=True)
    (golden_copy / "templates/loop").symlink_to("..", target_is_directory=True)
    status, _, err = build_site(golden_copy)
    assert status == 0, err
    found = warnings_of(err)
    assert [w for w in found if w.startswith("content/")] == [
        f"content/topics/{name}: warning: a folder inside content/'s folders is not read (nor a link to one); "
        "move its Markdown files up a level"
        for name in ("up", "up-again")
    ]
    assert "templates/loop/templates: warning: a link back to a folder being read: not followed" in found


def test_a_named_pipe_among_the_inputs_does_not_block_a_rebuild(golden_copy: Path) -> None:
    from counterpoint.pipeline import Builder

    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    os.mkfifo(golden_copy / "content/pages/pipe.md")
    # a full look at the inputs, then told it changed, as the preview's watcher would say: an error, not a wait
    for changed in (None, ["content/pages/pipe.md"]):
        with pytest.raises(BuildFailed) as failed:
            builder.build(changed)
        assert [p.path for p in failed.value.problems] == ["content/pages/pipe.md"]


def test_a_sources_link_definitions_are_kept_as_its_text(golden_copy: Path, build_site: Build) -> None:
    lines = '[1]: https://example.org/the-footnote\n\n[Reuters]: https://reuters.example/ "Reported on Monday"\n'
    article = golden_copy / "content/articles/green-gazette.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n" + lines, encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 0, err
    page = (golden_copy / "output/sources/green-gazette/index.html").read_text(encoding="utf-8")
    assert "[1]: https://example.org/the-footnote" in page
    assert "[Reuters]: https://reuters.example/ &quot;Reported on Monday&quot;" in page


def test_the_closest_passage_compares_few_runs_however_long_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    import difflib

    from counterpoint import quotes

    compared = []

    class Counting(difflib.SequenceMatcher):  # type: ignore[type-arg]
        def __init__(self, *args: object, **kwargs: object) -> None:
            compared.append(1)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(quotes.difflib, "SequenceMatcher", Counting)
    words = [f"word{i % 97}" for i in range(3000)]
    passages = [Passage(n, " ".join(words)) for n in range(1, 6)]
    found = quotes.closest(" ".join(words[100:121]) + " nowhere", passages)
    assert found is not None
    assert len(compared) <= 3 * 24


def test_an_input_that_is_there_but_cannot_be_read_fails_the_build(
    golden_copy: Path, build_site: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page without read permission, a link to nothing or in a loop, a pipe, an unreadable folder of content
    or template: each is an error naming it, and the site built before is kept (it was once skipped in silence,
    and the next build deleted the page)."""
    assert build_site(golden_copy)[0] == 0
    before = sorted(p.relative_to(golden_copy).as_posix() for p in (golden_copy / "output").rglob("*"))
    pages = golden_copy / "content" / "pages"
    (pages / "gone.md").symlink_to("/nonexistent/x.md")
    (pages / "loop.md").symlink_to("loop.md")
    os.mkfifo(pages / "pipe.md")
    (pages / "notes.txt").symlink_to("notes.txt")  # no Markdown: not an input, broken or not
    from counterpoint import inputs

    real_read, real_scandir, real_read_bytes = inputs._read, os.scandir, Path.read_bytes
    denied = PermissionError(13, "Permission denied")

    def read(path: str, size: int) -> bytes:  # tests run as root, whom no permission stops
        if path.endswith("about.md"):
            raise denied
        return real_read(path, size)

    def scandir(path: str) -> object:
        if str(path).endswith("content/topics"):
            raise denied
        return real_scandir(path)

    def read_bytes(path: Path) -> bytes:
        if path.name == "topic.html" and "templates" in path.parts:
            raise denied
        return real_read_bytes(path)

    monkeypatch.setattr(inputs, "_read", read)
    monkeypatch.setattr(inputs.os, "scandir", scandir)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    status, _, err = build_site(golden_copy)
    assert status == 1
    found = problems(err)
    reason = "it cannot be read (permission denied); make it readable, or move it out of the site"
    for expected in (
        f"content/pages/about.md: {reason}",
        f"content/topics: {reason}",
        f"templates/topic.html: {reason}",
        "content/pages/gone.md: it is a link to /nonexistent/x.md, which is not there (or a link in a loop); fix or "
        "remove it",
        "content/pages/loop.md: it is a link to loop.md, which is not there (or a link in a loop); fix or remove it",
        "content/pages/pipe.md: it is not a file (but a folder, a pipe or a device); put the text in a file of that "
        "name",
    ):
        assert expected in found, found
    assert not any("notes.txt" in line for line in found)
    assert sorted(p.relative_to(golden_copy).as_posix() for p in (golden_copy / "output").rglob("*")) == before


def test_a_control_character_is_an_error_with_its_line(golden_copy: Path, build_site: Build) -> None:
    """A NUL in a source became U+FFFD without a word (the source no longer verbatim), and an ESC written as a
    YAML escape reached feed.xml, which was then no XML."""
    article = golden_copy / "content/articles/green-gazette.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA last line with a NUL \x00 in it.\n", encoding="utf-8")
    line = article.read_text(encoding="utf-8").count("\n")
    edit(golden_copy / "content/topics/air.md", "title: ", 'title: "Air\\x1b quality" # was: ')
    said = "is no part of any text (a page cannot show it, and feed.xml would not be XML); remove it"
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        f"content/articles/green-gazette.md:{line}: the control character U+0000 {said}",
        f"content/topics/air.md:2: 'title': the control character U+001B {said}",
    ]
    edit(golden_copy / "site.yaml", "title: ", 'title: "The\\u0085 square" # was: ')
    status, _, err = build_site(golden_copy)
    assert problems(err) == [f"site.yaml:2: 'title': the control character U+0085 {said}"]


def test_citations_markdown_would_drop_or_leave_as_text_are_said(golden_copy: Path, build_site: Build) -> None:
    """`[@a ¶4]: text` at the start of a line is a link definition to Markdown: the line went, citation and
    all. `[ @a ¶2 ]` and `[see @a ¶2]` were published as they stand, citing nothing, without a word."""
    page = golden_copy / "content/pages/about.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n[@motor-monthly ¶2]: traders\n", encoding="utf-8")
    line = text.count("\n") + 2
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        f"content/pages/about.md:{line}: Markdown reads a line starting `[@motor-monthly ¶2]:` as a link "
        "definition and drops it from the page, citation and all; put words before the citation, or leave out "
        "the colon"
    ]
    page.write_text(text + "\nSee [ @motor-monthly ¶2 ] and [see @motor-monthly ¶2], or write to me@example.org.\n")
    status, _, err = build_site(golden_copy)
    assert status == 0, err
    hint = "citing nothing: a citation starts `[@` with no space, words before it go outside the brackets"
    found = [w for w in err.splitlines() if "looks like a citation" in w]
    assert [w.split("`")[1] for w in found] == ["[ @motor-monthly ¶2 ]", "[see @motor-monthly ¶2]"]
    assert all(w.startswith(f"content/pages/about.md:{line}: warning: ") and hint in w for w in found)


@pytest.mark.parametrize(
    ("sentence", "mark"),
    [
        ('Traders say "trade fell [@motor-monthly ¶2].', '"'),
        ('Traders say "trade fell [@motor-monthly ¶2]. One was 5\'11" tall.', "“"),  # closed past the citation
        ("Traders say « trade fell [@motor-monthly ¶2].", "«"),
        ("They say « the elderly » lose and « trade fell [@motor-monthly ¶2].", "«"),  # the open one is named
    ],
)
def test_a_quotation_mark_without_its_other_half_is_a_warning(
    golden_copy: Path, build_site: Build, sentence: str, mark: str
) -> None:
    """An unclosed quotation was published unchecked: its words are checked only between two marks."""
    page = golden_copy / "content/pages/about.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 0, err
    [warning] = [line for line in err.splitlines() if "has no other half" in line]
    assert f"warning: the quotation mark {mark} has no other half before the next citation" in warning
    assert re.search(rf"\({re.escape(mark)} ?trade fell\)", warning), "the words after the mark are quoted"
    assert build_site(golden_copy, "--strict")[0] == 1


def test_a_quote_a_paragraph_holds_twice_is_a_warning(golden_copy: Path, build_site: Build) -> None:
    """The first was marked, though the commentary may mean the second (the critics' words, not the paper's)."""
    gazette = golden_copy / "content/articles/green-gazette.md"
    twice = "Critics say a wall merely delays the inevitable, but every defence delays the inevitable for a while."
    gazette.write_text(gazette.read_text(encoding="utf-8") + f"\n{twice}\n", encoding="utf-8")
    about = golden_copy / "content/pages/about.md"
    about.write_text(about.read_text(encoding="utf-8") + '\nA defence [@green-gazette "delays the inevitable"].\n')
    _, _, err = build_site(golden_copy)
    assert re.search(
        r'warning: quote "delays the inevitable" is in ¶\d+ of @green-gazette more than once, and the citation '
        "marks the first; quote enough words to tell which is meant",
        err,
    ), err


def test_a_pandoc_footnote_is_a_warning_not_published_unsaid(golden_copy: Path, build_site: Build) -> None:
    page = golden_copy / "content/pages/about.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\nA claim with a note[^1].\n\n[^1]: The note.\n", encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 0, err
    line = text.count("\n") + 2
    said = "is a footnote in Pandoc's Markdown, which this Markdown has not: it would be published as it stands"
    assert [w for w in err.splitlines() if "footnote" in w] == [
        f"content/pages/about.md:{line}: warning: `[^1]` {said}; say it in the text instead",
        f"content/pages/about.md:{line + 2}: warning: `[^1]:` {said}; say it in the text instead",
    ]
