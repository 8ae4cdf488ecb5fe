"""The shipped explainer: it builds strictly, its citations and back-links agree both ways, its links resolve,
and its source texts are the captured articles, word for word.

The HTML is read here with the standard library's parser, independently of the generator's own link check.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT, run_cli
from counterpoint.cli import main
from counterpoint.inputs import read_inputs
from counterpoint.loading import load_site
from counterpoint.model import Common, Context, Locator, Paragraphs, WholeArticle

CHROME = {
    "chinas-ai-revolution-innovation-or-imitation.txt": [
        "Monday, October 20, 2025",
        "HomeTechnology & InnovationChina’s AI Revolution: Pioneering Innovation or Echoing Imitation?",
        "China’s AI Revolution: Pioneering Innovation or Echoing Imitation?",
        "RELATED ARTICLES",
        "LEAVE A REPLY",
        "Please enter your comment!",
        "Please enter your name here",
        "Most Popular",
    ],
    "innovation-reshapes-chinas-digital-landscape.txt": [
        "Innovation reshapes China's digital landscape",
        "Nation defining global tech surge on own terms; now 'originator', not just mere 'follower'",
    ],
}
ARTICLE_OF = {
    "chinas-ai-revolution-innovation-or-imitation.txt": "top-china-news",
    "innovation-reshapes-chinas-digital-landscape.txt": "china-daily",
}


@dataclass
class Page:
    """What the tests need from one built HTML page."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    markers: dict[str, str] = field(default_factory=dict)  # marker id -> href of its reference entry
    references: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # entry id -> (source href, backrefs)
    backlinks: list[tuple[int, str]] = field(default_factory=list)  # (paragraph or 0, href) on source pages


class PageReader(HTMLParser):
    """Collect ids, links, markers, reference entries and back-links from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.paragraph = 0
        self.entry: str | None = None
        self.depth: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        if "href" in a:
            self.page.links.append(a["href"])
        if tag == "div" and "para" in a.get("class", "").split():
            self.paragraph = int(a["id"][1:])
        if tag == "li" and a.get("id", "").startswith("ref-"):
            self.entry = a["id"]
            self.page.references[self.entry] = ("", [])
        if tag != "a":
            return
        role = a.get("role")
        if role == "doc-noteref":
            self.page.markers[a["id"]] = a["href"]
        elif role == "doc-backlink" and self.entry:
            self.page.references[self.entry][1].append(a["href"])
        elif role == "doc-backlink":
            self.page.backlinks.append((self.paragraph, a["href"]))
        elif "ref-link" in a.get("class", "") and self.entry:
            self.page.references[self.entry] = (a["href"], self.page.references[self.entry][1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.entry = None
        if tag == "section":
            self.paragraph = 0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the shipped site once, strictly, and return its output folder."""
    out = tmp_path_factory.mktemp("shipped") / "output"
    assert main(["--site", str(ROOT), "--out", str(out), "--strict", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def pages(built: Path) -> dict[str, Page]:
    result = {}
    for path in sorted(built.rglob("*.html")):
        reader = PageReader()
        reader.feed(path.read_text(encoding="utf-8"))
        result[path.relative_to(built).as_posix()] = reader.page
    return result


def resolve(page: str, href: str) -> tuple[str, str]:
    """Return (page path, fragment) that a relative `href` on `page` leads to; text directives dropped."""
    parts = urlsplit(href)
    target = page
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        if parts.path.endswith("/"):
            target += "/index.html"
    return target, unquote(parts.fragment.split(":~:")[0])


def cited_paragraphs(source_href: str, page: str, text: str) -> set[int]:
    """Return the paragraphs a reference entry cites (0 for the whole article)."""
    _, fragment = resolve(page, source_href)
    if not fragment:
        return {0}
    match = re.fullmatch(r"¶(\d+)(?:–(\d+))?", text)
    assert match, text
    return set(range(int(match[1]), int(match[2] or match[1]) + 1))


def test_shipped_site_builds_strictly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(["--site", str(ROOT), "--out", str(tmp_path / "o"), "--strict"], capsys)
    assert status == 0, err
    assert re.fullmatch(
        r"Built \d+ pages \(\d+ files\), \d+ citations resolved, 0 warnings, in \d+\.\d\d s -> .*\n", out
    )
    assert err.startswith("note: site.yaml has no base_url"), "what a site without base_url lacks is said once"
    assert err.count("\n") == 1


def test_every_marker_has_a_backlink_and_every_backlink_a_marker(built: Path, pages: dict[str, Page]) -> None:
    from_markers: set[tuple[str, int, str, str]] = set()
    for name, page in pages.items():
        for marker_id, entry_href in page.markers.items():
            entry = entry_href.lstrip("#")
            source_href, _ = page.references[entry]
            source, _ = resolve(name, source_href)
            text = _link_text(built / name, entry)
            for paragraph in cited_paragraphs(source_href, name, text):
                from_markers.add((source, paragraph, name, marker_id))
    from_backlinks: set[tuple[str, int, str, str]] = set()
    for name, page in pages.items():
        for paragraph, href in page.backlinks:
            target, fragment = resolve(name, href)
            assert fragment in pages[target].markers, f"{name} ¶{paragraph}: back-link {href} is not a marker"
            from_backlinks.add((name, paragraph, target, fragment))
    assert from_markers, "the site has no citations"
    assert from_markers == from_backlinks


def _link_text(path: Path, entry: str) -> str:
    """Return the text of the `ref-link` in reference entry `entry` (`¶4`, `¶4–6`, `whole article`)."""
    html = path.read_text(encoding="utf-8")
    item = re.search(rf'<li id="{entry}">(.*?)</li>', html, re.S)
    assert item
    link = re.search(r'class="ref-link" href="[^"]*">([^<]*)</a>', item[1])
    assert link
    return link[1]


def test_reference_backlinks_point_at_exactly_their_markers(pages: dict[str, Page]) -> None:
    for name, page in pages.items():
        for entry, (_, backrefs) in page.references.items():
            markers = {m for m, href in page.markers.items() if href == f"#{entry}"}
            assert {b.lstrip("#") for b in backrefs} == markers, f"{name} {entry}"


def test_every_relative_link_and_anchor_resolves(built: Path, pages: dict[str, Page]) -> None:
    checked = 0
    for name, page in pages.items():
        for href in page.links:
            if urlsplit(href).scheme:
                continue
            assert not href.startswith("/"), f"{name}: {href} is not relative"
            target, fragment = resolve(name, href)
            assert (built / target).is_file(), f"{name}: {href} leads nowhere"
            if fragment:
                assert fragment in pages[target].ids, f"{name}: {href} names a missing anchor"
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("capture", sorted(CHROME))
def test_article_text_is_the_captured_text_word_for_word(capture: str) -> None:
    site, _, _ = load_site(read_inputs(ROOT))
    assert site is not None
    raw = (ROOT / "tests" / "sources" / capture).read_text(encoding="utf-8").splitlines()
    kept = [line for line in raw if line.strip() and line not in CHROME[capture]]
    blocks = [b.text for b in next(a for a in site.articles if a.slug == ARTICLE_OF[capture]).blocks]
    assert blocks == kept


def test_the_shipped_topics_use_every_feature() -> None:
    site, bodies, _ = load_site(read_inputs(ROOT))
    assert site is not None
    topics = [bodies[topic.path] for topic in site.topics]
    uses = [use for body in topics for use in body.uses]
    refs = [(use, ref) for use in uses for ref in use.refs]
    features = {
        "whole article": any(isinstance(ref.locator, WholeArticle) and ref.quote is None for _, ref in refs),
        "one paragraph": any(_one(ref.locator) and not ref.quote for _, ref in refs),
        "range": any(isinstance(ref.locator, Paragraphs) and not _one(ref.locator) for _, ref in refs),
        "located quote": any(ref.quote and isinstance(ref.locator, WholeArticle) for _, ref in refs),
        "quote in a paragraph": any(ref.quote and isinstance(ref.locator, Paragraphs) for _, ref in refs),
        "ellipsis": any(ref.quote and "…" in ref.quote for _, ref in refs),
        "several in one bracket": any(len(use.refs) > 1 for use in uses),
        "pull quote of a paragraph": any(use.pull and use.refs[0].quote is None for use in uses),
        "pull quote of words": any(use.pull and use.refs[0].quote for use in uses),
        "silence": any(topic.meta.silent for topic in site.topics),
        "common ground": any(s.key == Common() for body in topics for s in body.sections),
        "context": all(any(s.key == Context() for s in body.sections) for body in topics),
    }
    assert [name for name, used in features.items() if not used] == []
    assert len(site.topics) >= 7


def _one(locator: Locator) -> bool:
    return isinstance(locator, Paragraphs) and locator.first == locator.last
