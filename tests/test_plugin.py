"""The citation plugin, case by case, in markdown-it's fixture format (tests/fixtures/citations.md).

Each case is rendered as a page citing one small source, through the real
parse, resolve and render; a case that should fail expects its problems.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from conftest import TEMPLATES
from counterpoint.inputs import read_folder
from counterpoint.markdown import make_parser, number_blocks, parse_document
from counterpoint.model import Article, ArticleMeta, PageMeta, Perspective, Site, SiteConfig
from counterpoint.render import Renderer, hashed_assets, make_environment
from counterpoint.xref import resolve

FIXTURES = Path(__file__).parent / "fixtures" / "citations.md"

SOURCE = """## A heading

The first paragraph says “quoted words” — with a dash.

The second paragraph repeats quoted words and ends here.

The third paragraph.
"""

PERSPECTIVES = (Perspective("yes", "Yes", "Yes."), Perspective("no", "No", "No."))


def render_case(markdown: str) -> str:
    """Render `markdown` as a page citing @src; return its HTML or its problems."""
    config = SiteConfig("T", "Q?", "D.", PERSPECTIVES)
    blocks = number_blocks(make_parser(citations=False), SOURCE, 0)
    article = Article("src", "content/articles/src.md", ArticleMeta("Src", "Outlet", "yes", False), blocks)
    meta = PageMeta("Case")
    document, problems = parse_document(
        make_parser(citations=True), "page", "case", "case.md", meta, markdown, 0, PERSPECTIVES
    )
    assert document is not None, problems
    site = Site(config, {"src": article}, (), (document,))
    links, problems = resolve(site)
    if links is None:
        return "".join(f"{p}\n" for p in problems if not p.warning)
    renderer = Renderer(site, links, make_environment(TEMPLATES), hashed_assets(read_folder(TEMPLATES)), "templates")
    html = renderer.document_context(document)["intro"]
    assert isinstance(html, str)
    return html


@pytest.mark.parametrize(
    ("line", "title", "markdown", "expected"),
    read_fixture_file(FIXTURES),
    ids=[f"{case[0]}-{case[1]}" for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, markdown: str, expected: str) -> None:
    assert render_case(markdown) == expected
