"""`build.py import`: a saved web page, a text file or standard input made a source article, verbatim, with
the page's chrome dropped, its own metadata in the front matter, and every block it dropped named."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from counterpoint.cite import load_articles
from counterpoint.importer import escape

PAGES = ROOT / "tests" / "pages"
NEWS_TEXT = [
    "The council voted by seven votes to four on Tuesday to close the market square to cars for six months, "
    "starting in May.",
    "“We want to see whether the square works better for people on foot,” said Councillor Ana Ruiz, who proposed "
    "the trial.",
    "What traders say",
    "Several shopkeepers told the Courier they had learned of the vote from the newspaper, not from the council.",
    "Parking on Mill Street will be free during the trial.",
    "Deliveries will be allowed before 10 a.m.",
    "“A square is for people first,” reads the banner the campaigners hung on the town hall.",
    "The council will publish footfall counts every month & review the trial in November; costs of 5 * £1,000 "
    "are budgeted.",
]
CHROME = [
    "cookies",
    "Sport",
    "Advertisement",
    "Share on",
    "Related stories",
    "Bus routes",
    "Jim from Eastgate",
    "Most read",
    "All rights reserved",
]


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "explainer"
    assert run_cli(["new", str(folder)], capsys)[0] == 0
    return folder


def import_(
    site: Path, capsys: pytest.CaptureFixture[str], source: str, slug: str, *extra: str
) -> tuple[int, str, str]:
    return run_cli(["import", source, "--site", str(site), "--slug", slug, "--perspective", "keep", *extra], capsys)


def blocks(site: Path, slug: str) -> list[str]:
    """Return the text of each block of an imported article as the build numbers it, once the fields the page
    did not give (left out by the import) are filled in, as its user would."""
    path = site / "content" / "articles" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    head = text.split("---")[1]
    added = "".join(f"{key}: Given by hand\n" for key in ("title", "outlet") if f"\n{key}:" not in head)
    path.write_text(text.replace("---\n", "---\n" + added, 1), encoding="utf-8")
    articles, problems = load_articles(site)
    found = [a for a in articles if a.slug == slug]
    assert found, [str(p) for p in problems]
    article = found[0]
    return [block.text for block in article.blocks]


def test_a_news_page_keeps_every_block_verbatim_and_drops_the_chrome(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = import_(site, capsys, str(PAGES / "news.html"), "courier")
    assert status == 0, err
    assert out.splitlines()[1:] == [
        "8 blocks kept; 0 of the article's blocks dropped; chrome dropped: 2 advertisements, comments, "
        "cookie banner, footer, most-read list, navigation, related links, share bar",
        "From the page: title, subtitle, author, published, outlet, url.",
    ]
    assert blocks(site, "courier") == NEWS_TEXT
    written = (site / "content" / "articles" / "courier.md").read_text(encoding="utf-8")
    for chrome in CHROME:
        assert chrome not in written, f"the page's chrome ({chrome!r}) was kept"
    head = written.split("---")[1]
    assert "title: Council votes to close the square to cars\n" in head, "the headline moves to the front matter"
    assert "subtitle: A six-month trial begins in May; traders say they were not consulted.\n" in head
    assert "author: Jo Marsh\noutlet: The Riverside Courier\n" in head
    assert "published: 2026-03-14\nurl: https://courier.example.org/news/2026/03/square-closure\n" in head
    assert "Extracted from the saved web page news.html" in head, "notes say where the text came from"
    assert "## What traders say\n\n" in written and "\n- Parking" in written and "\n> “A square" in written


def test_what_a_page_does_not_give_is_left_out_and_said(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = import_(site, capsys, str(PAGES / "no-date.html"), "letter")
    assert status == 0
    assert out.splitlines()[2:] == [
        "From the page: title.",
        "Not given by the page, and the build needs it: outlet; add it before you build.",
        "Not given by the page, left out (add what you know): subtitle, author, published, url.",
    ]
    head = (site / "content" / "articles" / "letter.md").read_text(encoding="utf-8").split("---")[1]
    for key in ("published:", "author:", "outlet:", "url:", "subtitle:"):
        assert key not in head, f"{key} was guessed"
    assert blocks(site, "letter")[2:] == [
        "Keep the square open on market days.",
        "Run a bus from the villages before any trial.",
        "We are not against change; we are against change without asking us first.",
    ]


def test_a_block_the_extractor_missed_is_named(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = import_(site, capsys, str(PAGES / "missed.html"), "footfall")
    assert status == 0
    assert "3 blocks kept; 1 of the article's blocks dropped" in out
    assert err == (
        "warning: the article's block \"Sensors at each of the four entrances count people every hour; the "
        'council adds the counts up each week." was not kept by the extractor; add it by hand, verbatim, '
        "where it belongs\n"
    )


def test_line_breaks_nested_lists_and_boxes_in_the_article(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Text split by two `<br>` is paragraphs, a single `<br>` keeps the words apart, a list in a list gives each
    item once, and a caption or a box inside the article that the extractor dropped is named, not taken for
    chrome; a byline is chrome, an invisible soft hyphen is no difference, and no-break spaces are kept."""
    status, out, err = import_(site, capsys, str(PAGES / "breaks.html"), "bridge")
    assert status == 0, err
    assert out.splitlines()[1] == (
        "13 blocks kept; 2 of the article's blocks dropped; chrome dropped: byline, footer, navigation, 2 related links"
    )
    assert blocks(site, "bridge") == [
        "The old bridge closes to lorries from Monday while its bearings are replaced.",
        "“We have waited four years for this work,” said Dana Whitfield, who chairs the residents’ group.",
        "Cars may still cross at twenty miles an hour.",
        "The works office opens at eight and closes at six on weekdays, said Dana Whitfield.",
        "Diversions run through three villages:",
        "Ashby, by the church",
        "the lane past the school is closed",
        "Brook End",
        "Lorries over 7.5 tonnes | from Monday",
        "The order of the works:",
        "bearings",
        "deck",
        "The resurfacing follows in spring, the council says.",
    ]
    written = (site / "content" / "articles" / "bridge.md").read_text(encoding="utf-8")
    assert "opens at\u00a0eight" in written and "Dana\u202fWhitfield" in written, "no-break spaces are kept"
    assert "\n\n1. bearings\n\n2. deck\n\n" in written, "a numbered list keeps its numbers"
    assert err.splitlines() == [
        f'warning: the article\'s block "{text}" was not kept by the extractor; add it by hand, verbatim, where it '
        "belongs"
        for text in (
            "The bridge from the east bank in January, before the scaffolding went up.",
            "The council’s cost estimate of £2.1m excludes the diversion signs, which the county pays for.",
        )
    ]


def test_a_text_file_keeps_each_line_as_a_paragraph(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = ROOT / "tests" / "sources" / "innovation-reshapes-chinas-digital-landscape.txt"
    status, out, _ = import_(site, capsys, str(source), "china-daily")
    assert status == 0
    lines = [" ".join(line.split()) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert blocks(site, "china-daily") == lines
    assert "Not given by the page, and the build needs it: title, outlet; add it before you build." in out
    assert "Not given by the page, left out (add what you know): subtitle, author, published, url." in out


def test_standard_input_and_markdown_syntax_in_the_text(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "1. Not a list, but a sentence.\n# Not a heading\n> Not a quote [link](x) *stars* & <tags> `code`\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    status, _, err = import_(site, capsys, "-", "pasted")
    assert status == 0, err
    assert blocks(site, "pasted") == [line for line in text.splitlines()]


def test_escape_leaves_plain_text_alone() -> None:
    assert escape("Plain words, with commas; and ‘quotes’.") == "Plain words, with commas; and ‘quotes’."
    assert escape("2025. A year") == "2025\\. A year"


def test_refusals(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert import_(site, capsys, str(PAGES / "news.html"), "courier")[0] == 0
    status, _, err = import_(site, capsys, str(PAGES / "news.html"), "courier")
    assert status == 1
    assert err == f"{site / 'content' / 'articles' / 'courier.md'} exists already; pass --force to replace it\n"
    assert import_(site, capsys, str(PAGES / "news.html"), "courier", "--force")[0] == 0
    status, _, err = run_cli(
        ["import", str(PAGES / "news.html"), "--site", str(site), "--slug", "x", "--perspective", "maybe"], capsys
    )
    assert status == 1
    assert err == "--perspective 'maybe' is not declared in site.yaml; it declares: close, keep\n"
    status, _, err = import_(site, capsys, str(PAGES / "nowhere.html"), "y")
    assert status == 1
    assert "there is no such file" in err


def test_a_page_in_the_character_set_it_declares_is_read_in_it(
    site: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "latin.html"
    html = (
        (PAGES / "no-date.html")
        .read_text(encoding="utf-8")
        .replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    )
    page.write_bytes(html.replace("villages", "villages près du café").encode("windows-1252"))
    status, _, err = import_(site, capsys, str(page), "latin")
    assert status == 0, err
    assert "près du café" in (site / "content" / "articles" / "latin.md").read_text(encoding="utf-8")


def test_text_that_does_not_decode_is_refused_not_replaced(
    site: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = tmp_path / "broken.txt"
    text.write_bytes("First line.\nSecond line, café.\n".encode("latin-1"))
    status, _, err = import_(site, capsys, str(text), "broken")
    assert status == 1
    assert err == f"{text}: line 2: byte 0xe9 is not utf-8 text; save it as UTF-8\n"
    assert not (site / "content" / "articles" / "broken.md").exists()


def test_a_page_holding_the_stand_in_symbols_keeps_them(
    site: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The import passes no-break spaces through the extractor as ␠-like symbols; a page holding those itself
    had them turned into spaces, and the paragraph named as dropped."""
    page = tmp_path / "symbols.html"
    body = "<p>Intro words here for the article body, long enough to keep.</p><p>Symbols ␠ and ␡ stay.</p>"
    page.write_text(f"<html><head><title>T</title></head><body><article>{body}</article></body></html>")
    status, out, err = import_(site, capsys, str(page), "symbols")
    assert status == 0, err
    assert "0 of the article's blocks dropped" in out and err == ""
    assert "Symbols ␠ and ␡ stay." in (site / "content" / "articles" / "symbols.md").read_text(encoding="utf-8")
