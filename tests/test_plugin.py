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
from counterpoint.markdown import make_parser, number_blocks, parse_body
from counterpoint.model import Article, ArticleMeta, Page, PageMeta, Perspective, Site, SiteConfig
from counterpoint.plan import OtherPage, Output
from counterpoint.render import Renderer, Theme, make_environment
from counterpoint.xref import mentions, resolve_document

FIXTURES = Path(__file__).parent / "fixtures" / "citations.md"

SOURCE = """## A heading

The first paragraph says “quoted words” — with a dash.

The second paragraph repeats quoted words and ends here.

The third paragraph.

Fish & chips cost < 5 pounds, said <b>.
"""

PERSPECTIVES = (Perspective("yes", "Yes", "Yes."), Perspective("no", "No", "No."))


def render_case(markdown: str) -> str:
    """Render `markdown` as a page citing @src; return its HTML or its problems."""
    config = SiteConfig("T", "Q?", "D.", PERSPECTIVES)
    blocks = number_blocks(make_parser(citations=False), SOURCE, 0)
    article = Article("src", "content/articles/src.md", ArticleMeta("Src", "Outlet", "yes", False), blocks)
    meta = PageMeta("Case")
    body, problems = parse_body(make_parser(citations=True), "case.md", markdown, 0, None, PERSPECTIVES)
    assert body is not None, problems
    page = Page("case", "case.md", meta)
    site = Site(config, (article,), (), (page,))
    resolution, problems = resolve_document(page, body, {"src": article}, PERSPECTIVES)
    if any(not p.warning for p in problems):
        return "".join(f"{p}\n" for p in problems if not p.warning)
    theme = Theme(read_folder(TEMPLATES), "templates")
    citing = {"src": [(page, mentions(resolution).get("src", ()))]}
    documents = {page.path: (body, resolution)}
    renderer = Renderer(site, make_environment(theme), theme, documents, citing, {page.path: resolution.balance})
    html = renderer.render(Output("case/index.html", OtherPage(0), ()))
    assert isinstance(html, str), html
    text = html
    start = text.index('<div class="prose">\n') + len('<div class="prose">\n')
    return text[start : text.index("\n  </div>\n", start)]


@pytest.mark.parametrize(
    ("line", "title", "markdown", "expected"),
    read_fixture_file(FIXTURES),
    ids=[f"{case[0]}-{case[1]}" for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, markdown: str, expected: str) -> None:
    assert render_case(markdown) == expected
