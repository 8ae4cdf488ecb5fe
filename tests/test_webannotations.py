"""Every citation as a W3C Web Annotation: one AnnotationCollection beside each topic or page that cites, each
`exact` verbatim from the source at the position it gives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, Build, edit, run_cli
from counterpoint.cite import load_articles
from counterpoint.webannotations import text_of


def check_collection(collection: dict[str, object], texts: dict[str, str], page: str) -> int:
    """Check a collection against the sources' texts and its page; return how many annotations it holds."""
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    items = collection["first"]["items"]  # type: ignore[index]
    assert collection["total"] == len(items) == len(re.findall(r' id="cite-\d+-\d+"', page))
    for item in items:
        assert item["type"] == "Annotation" and item["motivation"] == "commenting"
        for target in item["target"]:
            slug = next((s for s in texts if f"/sources/{s}/" in target["source"]), None)
            for selector in target.get("selector", []):
                if selector["type"] == "TextQuoteSelector":
                    quote = selector
                elif selector["type"] == "TextPositionSelector":
                    position = selector
            if "selector" not in target or slug is None:
                continue
            text = texts[slug]
            start, end = position["start"], position["end"]
            assert text[start:end] == quote["exact"], "exact is the source's text at the position given"
            assert text[:start].endswith(quote["prefix"]) and text[end:].startswith(quote["suffix"])
    return len(items)


def test_the_shipped_explainers_citations_are_exported_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert run_cli(["--site", str(ROOT), "--out", str(out), "-q"], capsys)[0] == 0
    articles, _ = load_articles(ROOT)
    texts = {a.slug: text_of(a)[0] for a in articles}
    total = 0
    for path in sorted(out.glob("**/annotations.jsonld")):
        page = (path.parent / "index.html").read_text(encoding="utf-8")
        assert '<link rel="alternate" type="application/ld+json" href="annotations.jsonld"' in page
        total += check_collection(json.loads(path.read_text(encoding="utf-8")), texts, page)
    assert total >= 190, "every citation of every topic and page"
    talent = json.loads((out / "topics" / "talent" / "annotations.jsonld").read_text(encoding="utf-8"))
    quoted = [
        item
        for item in talent["first"]["items"]
        if any("reward original thinking" in s.get("exact", "") for t in item["target"] for s in t.get("selector", []))
    ]
    assert quoted, "a quotation's annotation quotes the source's words"
    body = quoted[0]["body"][0]
    assert body["type"] == "TextualBody" and "Zhang" in body["value"], "the body is the commentary's sentence"
    assert quoted[0]["target"][0]["source"] == (
        "http://yuzhongnet.com/a/202502/24/WS67bbb9f4a310c240449d6c13_3.html"
    ), "the original (here its copy, as the card gives it) is a target too"


def test_without_base_url_addresses_are_relative_to_the_collection(golden_copy: Path, build_site: Build) -> None:
    edit(golden_copy / "site.yaml", "base_url: https://example.org/car-free/\n", "")
    assert build_site(golden_copy, "--strict")[0] == 0
    collection = json.loads((golden_copy / "output/topics/shops/annotations.jsonld").read_text(encoding="utf-8"))
    first = collection["first"]["items"][0]
    assert collection["id"] == "annotations.jsonld"
    assert first["id"] == "annotations.jsonld#cite-1-1"
    assert first["body"][-1]["id"] == "index.html#cite-1-1"
    assert first["target"][0]["source"] == "../../sources/motor-monthly/index.html"
