"""Invalid sites: each mistake gives the exact message and line a person would see, and writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, Build, edit, problems


def test_bad_yaml_in_site_yaml(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "language: en-GB", "language: [en-GB")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        "site.yaml:6: invalid YAML: expected ',' or ']', but got ':'; "
        "check the indentation, and quote values that contain ': ' or start with a symbol"
    ]


def test_unknown_key_in_site_yaml_suggests_the_right_one(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "language: en-GB", "langauge: en-GB")
    _, _, err = build_site(golden_copy)
    assert problems(err) == ["site.yaml:5: unknown key 'langauge' in site.yaml; did you mean 'language'?"]


def test_every_site_yaml_problem_is_reported_at_once(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "    label: Keep them\n", "")
    edit(golden_copy / "site.yaml", 'title: "Car-free centres, two ways"\n', "colour: blue\n")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "site.yaml:2: unknown key 'colour' in site.yaml; the keys allowed are: "
        "base_url, build, description, language, perspectives, question, strings, title, topics, updated",
        "site.yaml:2: site.yaml is missing the required key 'title'",
        "site.yaml:11: 'perspectives[1]' is missing the required key 'label'",
    ]


def test_unknown_front_matter_key(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/articles/motor-monthly.md", "excerpt: true", "excerpt: true\npublised: 2024-01-01")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/articles/motor-monthly.md:6: unknown key 'publised' in the article's front matter; "
        "did you mean 'published'?"
    ]


def test_wrong_type_in_front_matter(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/articles/green-gazette.md", "published: 2024-05-01", "published: May 2024")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/articles/green-gazette.md:7: 'published' must be a date written like 2025-02-24, not 'May 2024'"
    ]


def test_unknown_perspective(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/articles/motor-monthly.md", "perspective: keep", "perspective: keeep")
    _, _, err = build_site(golden_copy)
    assert problems(err) == ["content/articles/motor-monthly.md:4: unknown perspective 'keeep'; did you mean 'keep'?"]


def test_unknown_perspective_section_in_a_topic(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/air.md", "## Perspective: keep", "## Perspective: kep")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/topics/air.md:6: no section for perspective 'keep'; add '## Perspective: keep', "
        "or declare it silent in the front matter: silent: {keep: the reason}",
        "content/topics/air.md:15: unknown perspective 'kep' in '## Perspective: kep'; did you mean 'keep'?",
    ]


def test_unknown_source(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/shops.md", "[@green-gazette ¶7]", "[@green-gazete ¶7]")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/topics/shops.md:17: unknown source '@green-gazete' in `[@green-gazete ¶7]`; "
        "did you mean '@green-gazette'?"
    ]


def test_paragraph_out_of_range(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/shops.md", "[@motor-monthly ¶3]", "[@motor-monthly ¶4]")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/topics/shops.md:11: ¶4 is out of range in `[@motor-monthly ¶4]`: "
        "content/articles/motor-monthly.md has paragraphs ¶1 to ¶3"
    ]


def test_quote_not_in_the_source(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/air.md", '"air was measurably cleaner"]', '"air was much cleaner"]')
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        'content/topics/air.md:11: quote "air was much cleaner" is not in @green-gazette; '
        'the closest passage is ¶3: "air was measurably cleaner”" '
        "(the quote has 'much' where the source has 'measurably')"
    ]


def test_ambiguous_quote(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/air.md", '[@motor-monthly ¶2 "already cleaner"]', '[@motor-monthly "the air"]')
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        'content/topics/air.md:17: quote "the air" is ambiguous: it is in ¶2, ¶3 of @motor-monthly; '
        'name the paragraph, as in [@motor-monthly ¶2 "the air"]'
    ]


def test_prose_quotation_must_be_in_the_cited_paragraph(golden_copy: Path, build_site: Build) -> None:
    edit(
        golden_copy / "content/topics/shops.md",
        '"depend on customers who drive in" [@motor-monthly ¶1]',
        '"depend on customers who drive in" [@motor-monthly ¶2]',
    )
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        'content/topics/shops.md:11: the quotation "depend on customers who drive in" is not in the passage '
        "that `[@motor-monthly ¶2]` cites; it is in ¶1 of @motor-monthly; cite that paragraph"
    ]


def test_duplicate_slug(golden_copy: Path, build_site: Build) -> None:
    topics = golden_copy / "content/topics"
    (topics / "air.markdown").write_text((topics / "air.md").read_text(encoding="utf-8"), encoding="utf-8")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/topics/air.md: duplicate slug 'air': content/topics/air.markdown has it too; rename one of them"
    ]


@pytest.mark.parametrize("slug", ["sources", "pagefind"])
def test_page_slug_reserved_for_the_site(golden_copy: Path, build_site: Build, slug: str) -> None:
    (golden_copy / "content/pages/about.md").rename(golden_copy / f"content/pages/{slug}.md")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        f"content/pages/{slug}.md: the page slug '{slug}' is reserved for the site's own pages; rename the file"
    ]


def test_topic_missing_from_site_yaml_order(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "  - shops\n", "")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/topics/shops.md: topic 'shops' is missing from the 'topics' list in site.yaml; add it where it belongs"
    ]


def test_missing_front_matter(golden_copy: Path, build_site: Build) -> None:
    (golden_copy / "content/pages/about.md").write_text("Just text.\n", encoding="utf-8")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/pages/about.md:1: the file must start with front matter: a line '---', YAML keys, then '---'"
    ]


def test_front_matter_after_blank_lines_or_with_lines_ended_by_cr_alone(golden_copy: Path, build_site: Build) -> None:
    about = golden_copy / "content/pages/about.md"
    text = about.read_text(encoding="utf-8")
    about.write_text("\n\n" + text, encoding="utf-8")
    air = golden_copy / "content/topics/air.md"
    air.write_bytes(air.read_bytes().replace(b"\n", b"\r"))
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/pages/about.md:1: lines 1 to 2 are blank: front matter's '---' must be the very first line",
        "content/topics/air.md:1: its lines end with a carriage return alone (old Mac files); save it with LF or "
        "CRLF line ends",
    ]


def test_a_number_where_text_belongs_is_told_to_be_quoted(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/pages/about.md", "title: ", "title: 2024\nold: ")
    edit(golden_copy / "content/pages/about.md", "old: ", "# ")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/pages/about.md:2: 'title' must be text, not '2024'; put it in quotes to make it text"
    ]


def test_failed_build_leaves_the_last_good_output_byte_for_byte(golden_copy: Path, build_site: Build) -> None:
    assert build_site(golden_copy)[0] == 0
    out = golden_copy / "output"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(golden_copy / "content/topics/air.md", "[@green-gazette ¶2]", "[@green-gazette ¶99]")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert err.splitlines()[-1] == f"Build failed: 1 error; {out} was left as it was."
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in golden_copy.iterdir()) == sorted(["content", "output", "site.yaml", "templates"])


def test_refuses_to_replace_a_folder_it_did_not_make(golden_copy: Path, build_site: Build) -> None:
    out = golden_copy / "output"
    out.mkdir()
    (out / "precious.txt").write_text("keep me", encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        f"{out}: refusing to replace this folder: it is not empty and was not made by Counterpoint; "
        "pass --out with a new or empty folder"
    ]
    assert (out / "precious.txt").read_text(encoding="utf-8") == "keep me"


def test_command_line_reports_without_a_traceback(golden_copy: Path) -> None:
    edit(golden_copy / "content/topics/air.md", "[@green-gazette ¶2]", "[@green-gazette ¶99]")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--site", str(golden_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("content/topics/air.md:11: ¶99 is out of range")
    assert not (golden_copy / "output").exists()


def test_a_file_that_is_not_utf8_is_named(golden_copy: Path, build_site: Build) -> None:
    (golden_copy / "content/pages/about.md").write_bytes("---\ntitle: Caf\u00e9\n---\n".encode("latin-1"))
    _, _, err = build_site(golden_copy)
    assert problems(err) == ["content/pages/about.md:2: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"]


@pytest.mark.parametrize(
    ("template", "old", "new", "message"),
    [
        (
            "topic.html",
            "{{ topic.title }}</h1>",
            "{{ topic.titel }}</h1>",
            "templates/topic.html:8: template error: 'counterpoint.model.Topic object' has no attribute 'titel'",
        ),
        (
            "topic.html",
            "{% endif %}",
            "{% endiff %}",
            "templates/topic.html:15: template error: Encountered unknown tag 'endiff'. Jinja was looking for the "
            "following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
        ),
        (
            "base.html",
            "asset('favicon.svg')",
            "asset('favicon.png')",
            "templates/base.html:27: template error: no asset 'favicon.png' in assets/ "
            "(it holds counterpoint.js, favicon.svg, search.js, style.css)",
        ),
        (
            "topic.html",
            "{{ topic.title }}</h1>",
            "{{ number + topic.title }}</h1>",
            "templates/topic.html:8: template error: unsupported operand type(s) for +: 'int' and 'str'",
        ),
        (
            "_topic_row.html",
            "{{ topic.title }}</a>",
            "{{ 1 // 0 }}</a>",
            "templates/_topic_row.html:4: template error: integer division or modulo by zero",
        ),
    ],
    ids=["undefined name", "syntax", "unknown asset", "python error", "python error in a kept part"],
)
def test_template_mistakes_are_located_not_tracebacks(
    golden_copy: Path, build_site: Build, template: str, old: str, new: str, message: str
) -> None:
    edit(golden_copy / "templates" / template, old, new)
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [message]


def test_a_missing_template_is_named(golden_copy: Path, build_site: Build) -> None:
    page = golden_copy / "templates/404.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("{% block main %}", '{% include "_gone.html" %}{% block main %}')
    )
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "templates/404.html: the template '_gone.html' is missing from templates/ or the built-in theme"
    ]


def test_base_url_and_language_are_validated(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "base_url: https://example.org/car-free/", "base_url: https://example.org/x?y=1")
    edit(golden_copy / "site.yaml", "language: en-GB", 'language: "English (UK)"')
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "site.yaml:5: language 'English (UK)' is not a language tag; write one like en, en-GB or zh-Hans",
        "site.yaml:6: base_url must be the site's web address, like https://example.org/explainer/ (no ? or #)",
    ]


def test_an_article_address_must_be_a_web_address(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/articles/green-gazette.md", "url: https://", "url: javascript:alert(1)//")
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        "content/articles/green-gazette.md:9: url must be a web address starting with https:// or http://, "
        "not 'javascript:alert(1)//example.org/green-gazette/streets'",
    ]


def test_a_byte_order_mark_is_not_content(golden_copy: Path, build_site: Build) -> None:
    page = golden_copy / "content/pages/about.md"
    page.write_bytes(b"\xef\xbb\xbf" + page.read_bytes())
    assert build_site(golden_copy)[0] == 0


def test_a_broken_link_in_content_names_the_file_to_edit(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/topics/shops.md", "## Context\n", "## Context\n\nSee [the map](../map/).\n")
    text = (golden_copy / "content/topics/shops.md").read_text(encoding="utf-8")
    line = text[: text.index("See [the map]")].count("\n") + 1
    _, _, err = build_site(golden_copy)
    assert problems(err) == [
        f"content/topics/shops.md:{line}: link '../map/' leads to a page that is not in the site "
        "(on topics/shops/index.html)"
    ]


def test_a_broken_link_a_template_writes_is_blamed_on_the_templates_once(golden_copy: Path, build_site: Build) -> None:
    """It was reported on each page, against each page's content file, though no content file writes it."""
    edit(golden_copy / "templates/base.html", "</footer>", "<a href=\"{{ link('map.html') }}\">Map</a></footer>")
    _, _, err = build_site(golden_copy)
    [problem] = problems(err)
    said = "templates: a template links to 'map.html', which is not in the site (on about/index.html, "
    assert problem.startswith(said)
    assert problem.endswith(" more)")


def test_a_perspective_without_a_source_is_a_warning(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content/articles/motor-monthly.md", "perspective: keep", "perspective: ban")
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 1
    assert (
        "site.yaml: warning (an error under --strict): perspective 'keep' has no source in content/articles/; " in err
    )


def test_the_same_missing_image_in_two_files_is_blamed_on_each(golden_copy: Path, build_site: Build) -> None:
    """Grouped by what it leads to, it was taken for a template's link, though each file writes it."""
    edit(golden_copy / "content/topics/shops.md", "## Context\n", "## Context\n\n![A map](../../images/map.png)\n")
    edit(golden_copy / "content/topics/air.md", "## Context\n", "## Context\n\n![A café](../../images/café.png)\n")
    edit(golden_copy / "content/pages/about.md", "This site", "![A map](../images/map.png) This site")
    _, _, err = build_site(golden_copy)
    assert [p.split(":")[0] for p in problems(err)] == [
        "content/pages/about.md",
        "content/topics/air.md",
        "content/topics/shops.md",
    ]
    assert all(p.split(":")[1].isdigit() for p in problems(err)), "each at its line"
