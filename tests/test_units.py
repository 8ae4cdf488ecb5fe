"""Unit tests of the writer, the link checker, the schema and the command line."""

from __future__ import annotations

import datetime
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT
from counterpoint.checks import Link, LinkIndex, check_links, read_page
from counterpoint.cli import make_parser, parse_options
from counterpoint.errors import BuildFailed
from counterpoint.markdown import make_parser as markdown_parser
from counterpoint.markdown import parse_body
from counterpoint.model import FrozenMap, Perspective, Side, TopicMeta
from counterpoint.schema import YamlDoc, convert, load_yaml
from counterpoint.write import MARKER, write_site


def test_write_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"index.html": b"one", "topics/old/index.html": b"old"}, out)
    write_site({"index.html": b"two"}, out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [MARKER, "index.html"]
    assert (out / "index.html").read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging folder is left behind"


def test_written_site_is_readable_by_a_web_server(tmp_path: Path) -> None:
    write_site({"a/index.html": b"x"}, tmp_path / "out")
    assert (tmp_path / "out").stat().st_mode & stat.S_IROTH
    assert (tmp_path / "out").stat().st_mode & stat.S_IXOTH


def test_write_into_an_empty_folder_is_allowed_and_a_foreign_one_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_site({"index.html": b"x"}, tmp_path / "empty")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("mine")
    with pytest.raises(BuildFailed, match="refusing to replace this folder"):
        write_site({"index.html": b"x"}, tmp_path / "home")
    assert (tmp_path / "home" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("name", [".home.notes", ".counterpoint-notes.txt", ".home.new-mine"])
def test_a_folder_holding_only_a_file_named_like_ours_is_refused(tmp_path: Path, name: str) -> None:
    """Only the output's marker and a build's own staging folder (holding its marker) are ours."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / name).write_text("mine")
    with pytest.raises(BuildFailed, match="refusing to replace this folder"):
        write_site({"index.html": b"x"}, tmp_path / "home")
    assert (tmp_path / "home" / name).read_text() == "mine"


def test_link_checker_finds_missing_pages_and_anchors() -> None:
    files = {
        "index.html": b'<a href="topics/a/index.html#ok">.</a><a href="topics/b/">.</a><a href="#nope">.</a>',
        "topics/a/index.html": b'<p id="ok"></p><a href="../../index.html">.</a><a href="/abs">.</a>'
        b'<a href="https://example.org/">.</a><a href="../../sources/x/index.html#p1:~:text=a">.</a>',
    }
    assert [str(p) for p in check_links(files)] == [
        "output/index.html: link 'topics/b/' leads to a page that is not in the site",
        "output/index.html: link '#nope' names an anchor '#nope' that index.html does not have",
        "output/topics/a/index.html: link '/abs' is absolute; links must be relative",
        "output/topics/a/index.html: link '../../sources/x/index.html#p1:~:text=a' leads to a page "
        "that is not in the site",
    ]


def test_the_link_index_follows_pages_as_they_change_come_and_go() -> None:
    """A rebuild hands the link check only the pages it rendered; anchors and pages that go break the links
    of pages it did not render."""
    a = read_page("a.html", '<a href="b.html#x">.</a>')
    b, b_without_x = read_page("b.html", '<p id="x"></p>'), read_page("b.html", "<p></p>")
    index = LinkIndex()
    both = frozenset({"a.html", "b.html"})
    assert index.update({"a.html": a, "b.html": b}, both) == []
    broken = ["output/a.html: link 'b.html#x' names an anchor '#x' that b.html does not have"]
    assert [str(p) for p in index.update({"b.html": b_without_x}, both)] == broken
    assert index.update({"b.html": b}, both) == []
    gone = ["output/a.html: link 'b.html#x' leads to a page that is not in the site"]
    assert [str(p) for p in index.update({}, frozenset({"a.html"}))] == gone
    assert index.update({"b.html": b}, frozenset(both)) == []
    assert index.incoming == {"b.html": {"a.html"}}


def test_a_page_read_again_with_what_its_links_led_to_reads_as_it_would_fresh() -> None:
    known: dict[str, Link | None] = {}
    first = '<p id="n"></p><a href="../x/index.html#p1">.</a><a href="#n">.</a><a href="https://e.org/">.</a>'
    assert read_page("t/a/index.html", first, True, known) == read_page("t/a/index.html", first, True)
    assert set(known) == {"../x/index.html#p1", "https://e.org/"}
    second = first.replace('<p id="n"></p>', "") + '<a href="../../y/">.</a>'
    assert read_page("t/a/index.html", second, True, known) == read_page("t/a/index.html", second, True)
    assert "../../y/" in known


@dataclass(frozen=True)
class Inner:
    """A nested schema."""

    name: str
    """A name."""


@dataclass(frozen=True)
class Outer:
    """A schema exercising every supported type."""

    title: str
    """Text."""
    count: int
    """A whole number."""
    flag: bool
    """True or false."""
    day: datetime.date
    """A date."""
    items: tuple[Inner, ...]
    """A list of mappings."""
    extra: FrozenMap[str]
    """A mapping."""
    maybe: str | None = None
    """Optional text."""


def doc(text: str) -> YamlDoc:
    loaded = load_yaml(text, "x.yaml")
    assert isinstance(loaded, YamlDoc)
    return loaded


def test_schema_converts_every_type() -> None:
    value, problems = convert(
        Outer, doc("title: T\ncount: 3\nflag: true\nday: 2025-02-24\nitems: [{name: a}]\nextra: {k: v}\n"), "x"
    )
    assert problems == []
    assert value == Outer("T", 3, True, datetime.date(2025, 2, 24), (Inner("a"),), FrozenMap({"k": "v"}))


def test_schema_reports_every_problem_with_its_line() -> None:
    text = "title: ''\ncount: three\nflag: yes please\nday: 24 Feb\nitems:\n  - nme: a\nextra: [1]\n"
    value, problems = convert(Outer, doc(text), "x.yaml")
    assert value is None
    assert [str(p) for p in problems] == [
        "x.yaml:1: 'title' must not be empty",
        "x.yaml:2: 'count' must be a whole number, not 'three'",
        "x.yaml:3: 'flag' must be true or false, not 'yes please'",
        "x.yaml:4: 'day' must be a date written like 2025-02-24, not '24 Feb'",
        "x.yaml:6: unknown key 'nme' in 'items[0]'; did you mean 'name'?",
        "x.yaml:6: 'items[0]' is missing the required key 'name'",
        "x.yaml:7: 'extra' must be a mapping of names to values, not a list",
    ]


def test_impossible_date_is_a_located_problem_not_a_crash() -> None:
    assert str(load_yaml("a: 1\nday: 2025-13-01\n", "x.yaml")) == (
        "x.yaml:2: '2025-13-01' is not a real date (month must be in 1..12); write dates as YYYY-MM-DD"
    )


def test_help_documents_every_option() -> None:
    text = make_parser().format_help()
    for option in ("--site", "--out", "--templates", "--strict", "--quiet", "build"):
        assert option in text


def test_each_command_offers_only_the_options_it_honours() -> None:
    commands = make_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    options = {name: {o for a in p._actions for o in a.option_strings} for name, p in commands.items()}
    assert options["build"] == {
        "-h",
        "--help",
        "--site",
        "--out",
        "--templates",
        "--strict",
        "-q",
        "--quiet",
        "--no-search",
        "-j",
        "--jobs",
    }
    assert options["serve"] == {
        "-h",
        "--help",
        "--site",
        "--templates",
        "--strict",
        "--host",
        "--port",
        "--open",
        "--allow-host",
    }
    assert options["check"] == {"-h", "--help", "--site", "--templates", "-j", "--jobs"}


def test_options_given_before_the_command_are_kept() -> None:
    options = parse_options(["--out", "elsewhere", "build", "--strict"])
    assert (options.command, options.out, options.strict) == ("build", Path("elsewhere"), True)
    assert parse_options([]).out == Path("output")


def test_a_plain_build_imports_nothing_of_the_preview_server(tmp_path: Path) -> None:
    code = (
        "import sys; from counterpoint.cli import main; "
        f"status = main(['--site', {str(ROOT)!r}, '--out', {str(tmp_path / 'o')!r}, '-q']); "
        "print(status, sorted(m for m in ('tornado', 'watchfiles', 'livereload') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout == "0 []\n"
    built = [p.read_bytes() for p in (tmp_path / "o").rglob("*") if p.is_file()]
    assert built
    assert not any(b"__counterpoint" in data for data in built), "the preview's live script leaked into a build"


def test_only_top_level_headings_start_a_topic_section() -> None:
    perspectives = (Perspective("a", "A", "A."), Perspective("b", "B", "B."))
    body = "## Perspective: a\n\n> ## Context\n>\n> quoted\n\n## Perspective: b\n\nText.\n"
    parsed, problems = parse_body(
        markdown_parser(citations=True), "t.md", body, 0, TopicMeta("T", "Q?", "S."), perspectives
    )
    assert problems == []
    assert parsed is not None
    assert [s.key for s in parsed.sections] == [Side("a"), Side("b")]


def test_a_first_level_heading_in_commentary_is_refused() -> None:
    parsed, problems = parse_body(markdown_parser(citations=True), "p.md", "Intro.\n\n# Another title\n", 4, None, ())
    assert parsed is None
    assert [str(p) for p in problems] == [
        "p.md:7: a '# heading' would be a second title (the title comes from the front matter); use '##' or deeper"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'a: 1\nb: "open\nc: 2\n',
            "x.yaml:2: invalid YAML: found unexpected end of stream while scanning a quoted "
            "scalar; close it where the value ends",
        ),
        ("a: 1\na: 2\n", "x.yaml:2: the key 'a' appears twice (lines 1 and 2); keep one"),
        ("a: 1\nb: x\x00y\n", "x.yaml:2: invalid YAML: the character U+0000 is not allowed in YAML text; remove it"),
        (
            "a: !!python/name:os.system x\n",
            "x.yaml:1: invalid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/name:os.system'",
        ),
    ],
    ids=["unclosed quote", "duplicate key", "NUL byte", "python tag"],
)
def test_yaml_problems_say_where_and_what(text: str, message: str) -> None:
    assert str(load_yaml(text, "x.yaml")) == message


def test_a_build_killed_mid_swap_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"index.html": b"good"}, out)
    out.rename(tmp_path / ".out.old-abc")  # killed after moving the old site aside
    (tmp_path / ".out.new-def").mkdir()  # and before the new one was complete
    write_site({"index.html": b"next"}, out)
    assert (out / "index.html").read_bytes() == b"next"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_port_must_be_a_port() -> None:
    with pytest.raises(SystemExit):
        parse_options(["serve", "--port", "99999"])


def copy_of_build_py(tmp_path: Path) -> Path:
    """Return a folder holding build.py and the engine, and no .venv."""
    shutil.copy(ROOT / "build.py", tmp_path / "build.py")
    shutil.copytree(ROOT / "counterpoint", tmp_path / "counterpoint")
    return tmp_path


def test_build_py_without_its_dependencies_says_how_to_install(tmp_path: Path) -> None:
    folder = copy_of_build_py(tmp_path)
    # -S: no site-packages, as for a Python on which nothing was installed.
    result = subprocess.run([sys.executable, "-S", str(folder / "build.py")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # Named with the project's folder, so the command works from wherever build.py was run.
    assert (
        f"cd {folder.resolve()} && python3 -m venv .venv && .venv/bin/pip install -r requirements.txt" in result.stderr
    )


def test_build_py_uses_the_projects_venv_when_there_is_one(tmp_path: Path) -> None:
    folder = copy_of_build_py(tmp_path)
    (folder / ".venv" / "bin").mkdir(parents=True)
    python = folder / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # a Python that has the dependencies
    python.chmod(0o755)
    result = subprocess.run([sys.executable, "-S", str(folder / "build.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: build.py")


def test_build_py_leaves_the_replaced_site_to_a_background_removal(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "tests" / "sites" / "golden", site, ignore=shutil.ignore_patterns("expected"))
    out = tmp_path / "out"
    theme = ROOT / "counterpoint" / "theme"
    command = [sys.executable, str(ROOT / "build.py"), "--site", str(site), "--templates", str(theme)]
    for _ in range(2):
        subprocess.run([*command, "--out", str(out), "-q"], check=True, capture_output=True)
        assert (out / "index.html").is_file() and (out / MARKER).is_file()
    deadline = time.monotonic() + 10
    while sorted(p.name for p in tmp_path.iterdir()) != ["out", "site"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"], "the replaced site was removed"


@pytest.mark.parametrize(
    ("quote", "passage", "said"),
    [
        ("it had, then", "it had. then", "the quote has ',' where the source has '.'"),
        # a letter more or less is shown in its word, not as nothing against a letter
        (
            "the coridors got quieter",
            "the corridors got quieter",
            "the quote has 'coridors' where the source has 'corridors'",
        ),
        ("a fi", "a fix", "the quote has 'fi' where the source has 'fix'"),
        # the source's words before the quote starts are no difference; the first real one is named
        (
            "not, on its own, a fix",
            "is not, by itself, a fix,”",
            "the quote has 'on its own,' where the source has 'by itself,'",
        ),
        ("the third paragrph", "The third paragraph.", "the quote has 'paragrph' where the source has 'paragraph'"),
        ("the words", "The words", ""),
        # a character no one sees is named, not shown as nothing
        ("zero width", "zero\u200b width", "the source has a character no one sees in 'zero': U+200B zero width space"),
    ],
)
def test_the_difference_named_is_the_one_that_matters(quote: str, passage: str, said: str) -> None:
    from counterpoint.xref import difference

    assert difference(quote, passage) == said


def test_ctrl_c_says_the_site_was_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from counterpoint import cli

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build", interrupted)
    out = tmp_path / "out"
    assert cli.main(["--site", str(ROOT), "--out", str(out)]) == 130
    assert capsys.readouterr().err == f"Interrupted; {out} was left as it was.\n"


def test_a_text_fragment_gets_the_words_that_make_it_the_only_match_on_the_page() -> None:
    """A browser looks for a fragment's words on the whole source page: "marsh in front", cited in ¶5, was
    highlighted in ¶1, which has the words too."""
    from counterpoint.quotes import text_fragment

    text = "Behind a short wall with a marsh in front, the homes stay dry."
    start = text.index("marsh in front")
    spans = ((start, start + len("marsh in front")),)
    page = "the marsh in front of the town floods.\n" + " ".join(text.split()).lower()
    assert text_fragment(text, spans) == ":~:text=marsh%20in%20front"
    assert text_fragment(text, spans, page) == ":~:text=a-,marsh%20in%20front"
    opening = ((0, len("Behind a short wall")),)  # no words before: the words after tell it apart
    page = "behind a short wall nobody lives.\n" + " ".join(text.split()).lower()
    assert text_fragment(text, opening, page) == ":~:text=Behind%20a%20short%20wall,-with"
    alone = " ".join(text.split()).lower()
    assert text_fragment(text, spans, alone) == ":~:text=marsh%20in%20front", "no context where none is needed"
    # A quote with an ellipsis whose first part opens two paragraphs: Chromium highlighted everything from the
    # first to the cited one. More of its own words tell it apart; where none can, there is no directive.
    cited = "The market stayed open later, and in the end, said one trader, it paid."
    parts = ((0, 10), (cited.index("said one trader"), cited.index("said one trader") + 15))
    page = "the market stayed open all day.\n" + cited.lower()
    assert text_fragment(cited, parts, page) == ":~:text=The%20market%20stayed%20open%20later%2C,said%20one%20trader"
    twice = "the market stayed open later, and in the end, said one trader, it paid.\n" + cited.lower()
    assert text_fragment(cited, parts, twice) == "", "the paragraph's anchor alone, not a wrong highlight"
    single = ((0, len("The market stayed open later")),)
    assert text_fragment(cited, single, page) == ":~:text=The%20market%20stayed%20open%20later"


def test_a_citation_alone_in_a_table_cell_stands_in_its_rows_sentence() -> None:
    """Its sentence (in explainer.json, in its Web Annotation, for the attribution check) was empty."""
    env = {"cite": {"line_offset": 0, "uses": []}}
    table = "| Claim | Source |\n|---|---|\n| Footfall fell by a *third* | [@src ¶2] |\n\nAlone: [@src ¶3].\n"
    markdown_parser(citations=True).parse(table, env)
    assert [use.sentence for use in env["cite"]["uses"]] == ["Footfall fell by a third", "Alone:."]
