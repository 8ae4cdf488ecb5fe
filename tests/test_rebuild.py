"""Rebuilds after an edit render only what the edit can change, and give exactly what a full build gives."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, edit
from counterpoint.errors import BuildFailed
from counterpoint.inputs import read_folder
from counterpoint.pipeline import Builder
from counterpoint.render import Theme, make_environment, reads_source_texts

EDITS: dict[str, Callable[[Path], None]] = {
    "topic body": lambda s: edit(s / "content/topics/air.md", "Both agree the air matters", "Both say the air matters"),
    "topic citation": lambda s: edit(s / "content/topics/shops.md", "[@green-gazette ¶7]", "[@green-gazette ¶2]"),
    "topic title": lambda s: edit(s / "content/topics/air.md", "title: Air quality", "title: The air"),
    "topic question": lambda s: edit(s / "content/topics/shops.md", "Would trade suffer?", "Would shops suffer?"),
    "article text": lambda s: edit(s / "content/articles/green-gazette.md", "most visitors", "many visitors"),
    "article outlet": lambda s: edit(s / "content/articles/motor-monthly.md", "Motor Monthly", "Motor Weekly"),
    # The newest source's date is the feed's `updated`: the plan's entry for feed.xml carries it.
    "article date": lambda s: edit(s / "content/articles/green-gazette.md", "2024-05-01", "2025-12-31"),
    "page body": lambda s: edit(s / "content/pages/about.md", "This site is invented", "This site is made up"),
    "page title": lambda s: edit(s / "content/pages/about.md", "title: About", "title: About this site"),
    "page cites another source": lambda s: edit(s / "content/pages/about.md", "[@green-gazette]", "[@motor-monthly]"),
    "new topic": lambda s: (
        (s / "content/topics/new.md").write_text(
            "---\ntitle: New\nquestion: Q?\nsummary: S.\n---\n\n## Perspective: ban\n\nA [@green-gazette ¶2].\n\n"
            "## Perspective: keep\n\nB [@motor-monthly ¶1].\n",
            encoding="utf-8",
        ),
        edit(s / "site.yaml", "  - shops\n", "  - shops\n  - new\n"),
    ),
    "removed topic": lambda s: ((s / "content/topics/shops.md").unlink(), edit(s / "site.yaml", "  - shops\n", "")),
    "new article": lambda s: (s / "content/articles/bus-bulletin.md").write_text(
        "---\ntitle: Buses\noutlet: Bus Bulletin\nperspective: keep\nexcerpt: false\n---\n\nBuses run late.\n",
        encoding="utf-8",
    ),
    "new page": lambda s: (s / "content/pages/method.md").write_text(
        "---\ntitle: Method\norder: 2\n---\n\nHow it was made [@motor-monthly ¶1].\n", encoding="utf-8"
    ),
    "removed page": lambda s: (s / "content/pages/about.md").unlink(),
    "template": lambda s: edit(s / "templates/base.html", "{{ t('skip_to_content') }}", "Skip to the content"),
    "asset": lambda s: (s / "templates/assets/style.css").write_text("body { color: red; }\n", encoding="utf-8"),
    "site.yaml": lambda s: edit(s / "site.yaml", "label: Keep them", "label: Keep cars"),
    "wording": lambda s: edit(
        s / "site.yaml",
        "language: en-GB\n",
        "language: en-GB\nstrings:\n  references: Notes\n  quoting: '{outlet} quotes {speakers}'\n",
    ),
    "language": lambda s: edit(s / "site.yaml", "language: en-GB\n", "language: ar\n"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_rebuild_equals_a_full_build(golden_copy: Path, name: str) -> None:
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    EDITS[name](golden_copy)
    rebuilt = builder.build()
    fresh = Builder(golden_copy, golden_copy / "templates").build()
    assert sorted(rebuilt.files) == sorted(fresh.files)
    assert [n for n in fresh.files if rebuilt.files[n] != fresh.files[n]] == []


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_rebuild_told_what_changed_equals_a_full_build(golden_copy: Path, name: str) -> None:
    """The preview passes the paths its file watcher saw, and the build reads only those again."""
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    before = snapshot(golden_copy)
    EDITS[name](golden_copy)
    after = snapshot(golden_copy)
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert changed
    rebuilt = builder.build(changed)
    fresh = Builder(golden_copy, golden_copy / "templates").build()
    assert rebuilt.files == fresh.files


def _static_image(site: Path) -> None:
    (site / "static" / "images").mkdir(parents=True, exist_ok=True)
    (site / "static" / "images" / "map.png").write_bytes(b"\x89PNG one")
    air = site / "content/topics/air.md"
    air.write_text(air.read_text(encoding="utf-8") + "\n![A map](../../images/map.png)\n", encoding="utf-8")


SERIES: list[tuple[str, Callable[[Path], None]]] = [
    ("topic body", EDITS["topic body"]),
    ("a citation broken", lambda s: edit(s / "content/topics/air.md", "[@green-gazette ¶2]", "[@green-gazette ¶99]")),
    ("another topic edited meanwhile", EDITS["topic citation"]),
    ("the citation mended", lambda s: edit(s / "content/topics/air.md", "[@green-gazette ¶99]", "[@green-gazette ¶2]")),
    ("article text", EDITS["article text"]),
    ("unknown source", lambda s: edit(s / "content/topics/air.md", "the air matters", "[@nowhere] it")),
    ("topic title", EDITS["topic title"]),
    ("source forgotten", lambda s: edit(s / "content/topics/air.md", "[@nowhere] it", "it")),
    ("page cites another source", EDITS["page cites another source"]),
    ("new article, cited by nothing", EDITS["new article"]),
    ("topic question", EDITS["topic question"]),
    ("new topic", EDITS["new topic"]),
    ("a topic citing nothing", lambda s: edit(s / "content/topics/new.md", "A [@green-gazette ¶2]", "A")),
    ("and nothing again", lambda s: edit(s / "content/topics/new.md", "B [@motor-monthly ¶1]", "B")),
    ("that topic cites again", lambda s: edit(s / "content/topics/new.md", "\n\nA.", "\n\nA [@green-gazette ¶2].")),
    ("article outlet", EDITS["article outlet"]),
    ("removed page", EDITS["removed page"]),
    ("wording", EDITS["wording"]),
    ("topic body again", lambda s: edit(s / "content/topics/new.md", "A [@green-gazette ¶2].", "A, [@bus-bulletin].")),
    ("a static image, shown on a page", _static_image),
    ("the image changed", lambda s: (s / "static/images/map.png").write_bytes(b"\x89PNG two")),
    ("a static file where the site writes", lambda s: (s / "static/index.html").write_text("mine")),
    ("that file gone", lambda s: (s / "static/index.html").unlink()),
    ("the image gone", lambda s: (s / "static/images/map.png").unlink()),
]


def test_one_builder_through_a_series_of_edits_and_failures_builds_what_a_fresh_build_does(golden_copy: Path) -> None:
    """What a rebuild keeps from the builds before it (each file loaded, each document resolved, the plan) holds
    through edits of every kind one after another, builds that fail included."""
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    for name, step in SERIES:
        before = snapshot(golden_copy)
        step(golden_copy)
        after = snapshot(golden_copy)
        changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
        fresh_builder = Builder(golden_copy, golden_copy / "templates")
        try:
            fresh = fresh_builder.build()
        except BuildFailed as failed:
            with pytest.raises(BuildFailed) as rebuilt_failed:
                builder.build(changed)
            assert rebuilt_failed.value.problems == failed.problems, name
            continue
        rebuilt = builder.build(changed)
        assert rebuilt.files == fresh.files, name
        assert (rebuilt.citations, rebuilt.warnings) == (fresh.citations, fresh.warnings), name


def test_a_link_to_a_file_that_goes_breaks_in_a_rebuild_as_in_a_fresh_build(golden_copy: Path) -> None:
    """A page links to a topic's annotations, which go when the topic stops citing: the page, not rendered
    again, now has a broken link."""
    notes = "See [the notes](../topics/air/annotations.jsonld). This site"
    edit(golden_copy / "content/pages/about.md", "This site", notes)
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    air = golden_copy / "content/topics/air.md"
    cited = air.read_text(encoding="utf-8")
    head = cited[: cited.index("Both articles")]
    air.write_text(head + "## Perspective: ban\n\nClean air.\n\n## Perspective: keep\n\nShops.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as fresh:
        Builder(golden_copy, golden_copy / "templates").build()
    with pytest.raises(BuildFailed) as rebuilt:
        builder.build(["content/topics/air.md"])
    assert rebuilt.value.problems == fresh.value.problems
    assert "annotations.jsonld" in str(fresh.value.problems[0])
    air.write_text(cited, encoding="utf-8")
    rebuilt_again = builder.build(["content/topics/air.md"])
    assert rebuilt_again.files == Builder(golden_copy, golden_copy / "templates").build().files


def test_a_file_in_a_new_folder_inside_a_content_folder_is_warned_about_when_reported_alone(golden_copy: Path) -> None:
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    (golden_copy / "content/topics/drafts").mkdir()
    (golden_copy / "content/topics/drafts/x.md").write_text("---\ntitle: X\n---\n\nText.\n", encoding="utf-8")
    rebuilt = builder.build(["content/topics/drafts/x.md"])
    fresh = Builder(golden_copy, golden_copy / "templates").build()
    assert rebuilt.warnings == fresh.warnings
    assert [w.path for w in fresh.warnings] == ["content/topics/drafts"]


def test_a_topic_moved_by_its_order_moves_its_back_links(golden_copy: Path) -> None:
    """Without a topics list in site.yaml, the topics' `order` orders the documents, and so each source's
    back-links, though no citation changed."""
    edit(golden_copy / "site.yaml", "topics:\n  - air\n  - shops\n", "")
    EDITS["topic citation"](golden_copy)  # both topics cite ¶2 of the Green Gazette
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    edit(
        golden_copy / "content/topics/shops.md", "title: Shops and visitors\n", "title: Shops and visitors\norder: 1\n"
    )
    rebuilt = builder.build()
    assert rebuilt.files == Builder(golden_copy, golden_copy / "templates").build().files


def test_a_topic_edit_renders_only_that_topic(golden_copy: Path) -> None:
    builder = Builder(golden_copy, golden_copy / "templates")
    first = builder.build()
    assert first.rendered == first.paths
    EDITS["topic body"](golden_copy)
    assert builder.build().rendered == (
        "explainer.json",  # it holds every topic's sections
        "topics/air/annotations.jsonld",
        "topics/air/index.html",
    )


def test_a_new_citation_renders_the_topic_the_index_and_the_sources_it_cites(golden_copy: Path) -> None:
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    edit(golden_copy / "content/topics/air.md", "Both agree the air matters", "Both agree [@motor-monthly ¶1] it")
    assert builder.build().rendered == (
        "explainer.json",  # every citation and back-link
        "index.html",  # its balance of citations changed
        "sources/green-gazette/index.html",  # its back-links' numbers changed
        "sources/motor-monthly/index.html",
        "topics/air/annotations.jsonld",  # its citations as Web Annotations
        "topics/air/index.html",
    )


def test_an_article_edit_renders_the_article_and_the_topics_quoting_it(golden_copy: Path) -> None:
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    edit(golden_copy / "content/articles/motor-monthly.md", "from the villages", "from the hills")
    assert set(builder.build().rendered) == {
        "explainer.json",  # every source's text
        "sources/index.html",  # it counts each source's paragraphs
        "sources/motor-monthly/index.html",
        "topics/air/annotations.jsonld",  # their annotations quote the source's words, and number them
        "topics/air/index.html",
        "topics/shops/annotations.jsonld",
        "topics/shops/index.html",
    }


def test_a_failed_rebuild_keeps_the_last_good_state(golden_copy: Path) -> None:
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    edit(golden_copy / "content/topics/air.md", "[@green-gazette ¶2]", "[@green-gazette ¶99]")
    with pytest.raises(BuildFailed):
        builder.build()
    edit(golden_copy / "content/topics/air.md", "[@green-gazette ¶99]", "[@green-gazette ¶2]")
    rebuilt = builder.build()
    assert rebuilt.files == Builder(golden_copy, golden_copy / "templates").build().files


def test_explainer_json_read_after_the_next_build_is_still_that_of_its_own(golden_copy: Path, tmp_path: Path) -> None:
    # The preview makes explainer.json only when it is read, which may be after the next build.
    builder = Builder(golden_copy, golden_copy / "templates")
    first = builder.build()
    before = tmp_path / "before"
    shutil.copytree(golden_copy, before)
    edit(golden_copy / "content/topics/shops.md", "[@green-gazette ¶7]", "[@green-gazette ¶2]")
    second = builder.build()
    assert (
        second.files["explainer.json"]
        == Builder(golden_copy, golden_copy / "templates").build().files["explainer.json"]
    )
    assert first.files["explainer.json"] == Builder(before, before / "templates").build().files["explainer.json"]
    assert first.files["explainer.json"] != second.files["explainer.json"]


def test_a_file_replaced_by_a_folder_of_its_name_and_back_is_seen_as_a_full_build_sees_it(golden_copy: Path) -> None:
    """The watcher reports `content/pages/about.md` whether it is a file or, by mistake, a folder."""
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    page = golden_copy / "content/pages/about.md"
    text = page.read_text(encoding="utf-8")
    page.unlink()
    page.mkdir()
    (page / "notes.md").write_text("x", encoding="utf-8")
    rebuilt = builder.build(["content/pages/about.md"])
    fresh = Builder(golden_copy, golden_copy / "templates").build()
    assert [str(w) for w in rebuilt.warnings] == [str(w) for w in fresh.warnings]
    assert any("a folder inside content/'s folders is not read" in str(w) for w in rebuilt.warnings)
    assert rebuilt.files == fresh.files
    shutil.rmtree(page)
    page.write_text(text, encoding="utf-8")
    rebuilt = builder.build(["content/pages/about.md"])
    fresh = Builder(golden_copy, golden_copy / "templates").build()
    assert [str(w) for w in rebuilt.warnings] == [str(w) for w in fresh.warnings] == []
    assert rebuilt.files == fresh.files


def test_a_theme_of_ones_own_showing_a_source_text_on_every_page_is_rendered_again_on_its_edit(
    golden_copy: Path,
) -> None:
    """The plan knows where the built-in theme shows a source's text; a template of the site's own may show it
    anywhere (here a footer counting each source's paragraphs), and then an edit of it renders every page."""
    base = (ROOT / "counterpoint/theme/base.html").read_text(encoding="utf-8")
    footer = "<p>{% for p in site.perspectives %}{% for a in sources_of(p) %}{{ a.blocks|length }} {% endfor %}"
    (golden_copy / "templates").mkdir(exist_ok=True)
    (golden_copy / "templates/base.html").write_text(base.replace("</body>", footer + "{% endfor %}</p></body>"))
    builder = Builder(golden_copy, golden_copy / "templates")
    builder.build()
    article = golden_copy / "content/articles/motor-monthly.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new last paragraph.\n", encoding="utf-8")
    rebuilt = builder.build(["content/articles/motor-monthly.md"])
    fresh = Builder(golden_copy, golden_copy / "templates").build()
    assert [name for name in fresh.files if rebuilt.files[name] != fresh.files[name]] == []
    assert "index.html" in rebuilt.rendered


@pytest.mark.parametrize(
    ("own", "reads"),
    [
        ({"page.html": "{{ a.meta.title }}"}, False),
        ({"page.html": "{{ a.blocks|length }}"}, True),
        ({"page.html": "{% if a['voices'] %}{% endif %}"}, True),
        ({"page.html": "{{ (a|attr('credit'))(range(1, 2)) }}"}, True),
        ({"base.html": "{{ articles.values()|map(attribute='blocks')|map('length')|sum }}"}, True),
        ({"base.html": "{{ articles.values()|selectattr('voices')|list|length }}"}, True),
        ({"base.html": "{{ a[name] }}"}, True),  # which attribute, only rendering tells
        ({"base.html": "{% include 'foot.txt' %}", "foot.txt": "{{ a.blocks }}"}, True),  # not named .html
        ({"page.html": "{{ a.speaker(3) }}"}, True),
        ({"page.html": "{% for %}"}, True),  # cannot be parsed: counted as reading (its error is reported later)
        ({"index.html": "{% include '_source_card.html' %}"}, True),  # a built-in reader, somewhere new
        ({"index.html": "{% include '_mine.html' %}", "_mine.html": "{{ a.voices }}"}, True),
        ({"index.html": "{% include name %}"}, True),  # which one, only rendering tells
        ({"base.html": "<footer>{{ site.title }}</footer>"}, False),  # a footer of one's own
        ({"source.html": None, "_source_card.html": None}, False),  # copied from the built-in theme, unchanged
    ],
)
def test_which_templates_of_ones_own_read_a_source_text(own: dict[str, str | None], reads: bool) -> None:
    built_in = read_folder(ROOT / "counterpoint/theme")
    mine = {name: built_in[name] if text is None else text.encode() for name, text in own.items()}
    theme = Theme({**built_in, **mine}, "templates", frozenset(mine))
    assert reads_source_texts(theme, make_environment(theme), built_in) is reads
    alone = Theme(built_in, "templates")
    assert reads_source_texts(alone, make_environment(alone), built_in) is False
