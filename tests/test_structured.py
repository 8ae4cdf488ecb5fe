"""What the site tells machines: schema.org JSON-LD on each page, and an Atom feed of the topics."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from conftest import Build, edit

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
ATOM = "{http://www.w3.org/2005/Atom}"


def jsonld(page: Path) -> dict[str, object]:
    (found,) = JSONLD.findall(page.read_text(encoding="utf-8"))
    data: dict[str, object] = json.loads(found)
    return data


def test_a_topic_is_an_article_citing_each_passage_and_based_on_its_sources(
    golden_copy: Path, build_site: Build
) -> None:
    status, _, err = build_site(golden_copy, "--strict")
    assert status == 0, err
    page = golden_copy / "output" / "topics" / "shops" / "index.html"
    data = jsonld(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["headline"] == "Shops and visitors"
    assert data["url"] == "https://example.org/car-free/topics/shops/"
    references = page.read_text(encoding="utf-8").count('<li id="ref-')
    citations = data["citation"]
    assert isinstance(citations, list) and len(citations) == references == 4
    assert citations[3] == {
        "@type": "CreativeWork",
        "name": "Green Gazette, “Our streets, our lungs”, ¶8",
        "url": "https://example.org/car-free/sources/green-gazette/#p8",
    }
    based = data["isBasedOn"]
    assert isinstance(based, list)
    assert [b["publisher"]["name"] for b in based] == ["Motor Monthly", "Green Gazette"]
    assert based[1]["datePublished"] == "2024-05-01" and based[1]["author"] == {"@type": "Person", "name": "A. Writer"}
    air = jsonld(golden_copy / "output" / "topics" / "air" / "index.html")
    quoted = [c for c in air["citation"] if "text" in c]  # type: ignore[union-attr]
    assert quoted and quoted[0]["text"] == "air was measurably cleaner"


def test_the_index_is_the_website_and_a_source_page_holds_the_original(golden_copy: Path, build_site: Build) -> None:
    assert build_site(golden_copy)[0] == 0
    index = jsonld(golden_copy / "output" / "index.html")
    assert index["@type"] == "WebSite" and index["about"] == {
        "@type": "Question",
        "name": "Should cities ban cars from their centres?",
    }
    source = jsonld(golden_copy / "output" / "sources" / "green-gazette" / "index.html")
    assert source["@type"] == "WebPage"
    assert source["mainEntity"]["url"] == "https://example.org/green-gazette/streets"  # type: ignore[index]


def test_without_base_url_no_address_of_our_own_is_guessed_and_there_is_no_feed(
    golden_copy: Path, build_site: Build
) -> None:
    edit(golden_copy / "site.yaml", "base_url: https://example.org/car-free/\n", "")
    assert build_site(golden_copy)[0] == 0
    data = jsonld(golden_copy / "output" / "topics" / "shops" / "index.html")
    assert "url" not in data and all("url" not in c for c in data["citation"])  # type: ignore[union-attr]
    assert not (golden_copy / "output" / "feed.xml").exists()
    assert "application/atom+xml" not in (golden_copy / "output" / "index.html").read_text(encoding="utf-8")


def test_the_feed_lists_the_topics_dated_by_site_yaml_or_the_newest_source(
    golden_copy: Path, build_site: Build
) -> None:
    assert build_site(golden_copy, "--strict")[0] == 0
    feed = ElementTree.parse(golden_copy / "output" / "feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["Air quality", "Shops and visitors"]
    assert feed.findtext(f"{ATOM}updated") == "2024-05-01T00:00:00Z", "the newest source's date"
    index = (golden_copy / "output" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" href="feed.xml"' in index
    edit(golden_copy / "site.yaml", "language:", "updated: 2026-12-01\nlanguage:")
    assert build_site(golden_copy, "--strict")[0] == 0
    feed = ElementTree.parse(golden_copy / "output" / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == "2026-12-01T00:00:00Z"


def test_json_ld_cannot_close_its_script(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "content" / "topics" / "shops.md", "title: Shops and visitors", 'title: "Shops </script><b>x"')
    assert build_site(golden_copy)[0] == 0
    page = (golden_copy / "output" / "topics" / "shops" / "index.html").read_text(encoding="utf-8")
    assert jsonld(golden_copy / "output" / "topics" / "shops" / "index.html")["headline"] == "Shops </script><b>x"
    assert "</script><b>" not in page
