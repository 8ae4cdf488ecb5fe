"""explainer.json: the whole explainer as JSON, valid against its schema, every quoted word verbatim from the
source, and every citation a back-link of the paragraphs it cites."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import GOLDEN, ROOT, TEMPLATES
from counterpoint.cli import main
from counterpoint.explainerjson import SCHEMA, encode
from counterpoint.pipeline import Builder

sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import make_site

Explainer = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "out"
    assert main(["--site", str(ROOT), "--out", str(out), "-q"]) == 0
    return out


def load(folder: Path) -> Explainer:
    data: Explainer = json.loads((folder / "explainer.json").read_text(encoding="utf-8"))
    return data


def errors(validator: jsonschema.Draft202012Validator, data: Explainer) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_the_shipped_and_golden_explainers_are_valid(validator: jsonschema.Draft202012Validator, shipped: Path) -> None:
    for folder in (shipped, GOLDEN / "expected"):
        data = load(folder)
        assert errors(validator, data) == []
        assert (folder / "explainer.schema.json").read_bytes() == SCHEMA.read_bytes(), "the schema, published"
    data = load(shipped)
    assert data["$schema"] == "explainer.schema.json", "without base_url: beside it"
    assert load(GOLDEN / "expected")["$schema"] == "https://example.org/car-free/explainer.schema.json"
    assert [s["slug"] for s in data["sources"]] == ["china-daily", "top-china-news"]
    assert len(data["topics"]) == 8 and [p["slug"] for p in data["pages"]] == ["about"]


def test_the_schema_rejects_what_the_format_does_not_hold(validator: jsonschema.Draft202012Validator) -> None:
    data = load(GOLDEN / "expected")
    extra = copy.deepcopy(data)
    extra["topics"][0]["colour"] = "red"
    whole = copy.deepcopy(data)
    target = next(
        c["target"] for c in whole["topics"][0]["citations"] if c["target"]["locator"]["kind"] == "whole-article"
    )
    target["locator"]["first"] = 1
    voices = copy.deepcopy(data)
    voices["sources"][0]["voices"]["Ana Ruiz"] = "8"
    section = copy.deepcopy(data)
    del section["topics"][0]["sections"][1]["perspective"]
    for broken in (extra, whole, voices, section):
        assert errors(validator, broken), "each is invalid"


def paragraph(data: Explainer, slug: str, number: int) -> dict[str, Any]:
    source = next(s for s in data["sources"] if s["slug"] == slug)
    found: dict[str, Any] = source["paragraphs"][number - 1]
    assert found["number"] == number
    return found


def documents(data: Explainer) -> list[dict[str, Any]]:
    return [*data["topics"], *data["pages"]]


def verbatim_quotes(data: Explainer) -> int:
    """Check that each quoted word of every citation is the source's text where its span says; return how many
    citations quote."""
    quotes = 0
    for document in documents(data):
        for citation in document["citations"]:
            target = citation["target"]
            if "quote" not in target:
                continue
            locator, quote = target["locator"], target["quote"]
            assert locator["kind"] == "paragraphs" and locator["first"] == locator["last"], (
                "a quote is in one paragraph"
            )
            text = paragraph(data, target["source"], locator["first"])["text"]
            assert len(quote["words"]) == len(quote["spans"]) >= 1
            for words, (start, end) in zip(quote["words"], quote["spans"], strict=True):
                assert text[start:end] == words, f"{document['path']} {citation['marker']}: {words!r}"
            quotes += 1
    return quotes


@pytest.mark.parametrize("where", ["shipped", "golden"])
def test_every_quoted_word_is_verbatim_where_the_citation_says(where: str, shipped: Path) -> None:
    assert verbatim_quotes(load(shipped if where == "shipped" else GOLDEN / "expected")) >= 3


def cited(data: Explainer) -> set[tuple[str, str, str, int]]:
    """Return (document, marker, source, paragraph) for each paragraph each citation cites; 0 for a whole one."""
    found = set()
    for document in documents(data):
        for citation in document["citations"]:
            target = citation["target"]
            locator = target["locator"]
            numbers = range(locator["first"], locator["last"] + 1) if locator["kind"] == "paragraphs" else [0]
            found |= {(document["path"], citation["marker"], target["source"], n) for n in numbers}
    return found


def backlinked(data: Explainer) -> set[tuple[str, str, str, int]]:
    found = set()
    for source in data["sources"]:
        found |= {(b["document"], b["marker"], source["slug"], 0) for b in source["cited_by"]}
        for p in source["paragraphs"]:
            found |= {(b["document"], b["marker"], source["slug"], p["number"]) for b in p["cited_by"]}
    return found


def test_citations_and_back_links_agree_both_ways(shipped: Path) -> None:
    data = load(shipped)
    assert cited(data) == backlinked(data)
    markers = [(d["path"], c["marker"]) for d in documents(data) for c in d["citations"]]
    assert len(markers) == len(set(markers)) == 196, "every marker of the site, once"
    for document in documents(data):
        page = (shipped / document["page"]).read_text(encoding="utf-8")
        assert [c["marker"] for c in document["citations"]] == re.findall(r' id="(cite-\d+-\d+)"', page), (
            "in the order the page shows them"
        )
        html = "".join(s["html"] for s in document["sections"])
        assert re.findall(r' id="(cite-\d+-\d+)"', html) == [c["marker"] for c in document["citations"]]
        for citation in document["citations"]:
            assert f' id="{citation["marker"]}"' in document["sections"][citation["section"]]["html"]


def test_a_citation_carries_its_sentence_and_a_pull_quote_says_so() -> None:
    data = load(GOLDEN / "expected")
    shops = next(t for t in data["topics"] if t["slug"] == "shops")
    first = shops["citations"][0]
    assert first["sentence"].startswith("Motor Monthly says shops")
    assert first["target"]["locator"] == {"kind": "paragraphs", "first": 1, "last": 1}
    pulls = [c for c in shops["citations"] if c["pull"]]
    assert len(pulls) == 1 and pulls[0]["sentence"] == ""
    assert shops["silent"] == {"ban": "It does not discuss how a ban would affect shops."}
    assert [s["kind"] for s in shops["sections"]] == ["perspective", "context"]


def test_what_the_back_links_miss_fails_the_agreement(shipped: Path) -> None:
    """The agreement test can fail: a back-link dropped from a paragraph is seen."""
    data = load(shipped)
    source = data["sources"][0]
    paragraph = next(p for p in source["paragraphs"] if p["cited_by"])
    paragraph["cited_by"].pop()
    assert cited(data) != backlinked(data)


def test_a_synthetic_site_using_every_citation_form_is_valid_and_agrees(
    validator: jsonschema.Draft202012Validator, tmp_path: Path
) -> None:
    make_site(tmp_path / "site", pages=40)
    built = Builder(tmp_path / "site", TEMPLATES, strict=True, workers=1).build()
    data = json.loads(built.files["explainer.json"])
    assert errors(validator, data) == []
    assert verbatim_quotes(data) > 50
    assert cited(data) == backlinked(data)
    kinds = {c["target"]["locator"]["kind"] for d in documents(data) for c in d["citations"]}
    assert kinds == {"paragraphs", "whole-article"}
    assert any(c["pull"] for d in documents(data) for c in d["citations"])
    assert sum(len(d["citations"]) for d in documents(data)) == built.citations


def test_encode_writes_what_the_standard_library_writes() -> None:
    """orjson writes the parts; they must be the bytes `json.dumps` would write, whatever the text holds."""
    from markupsafe import Markup

    every_character = "".join(map(chr, range(0x80))) + "\u00e9\u2028\u2029\ufeff\u4e2d\u0627\U0001f600"
    data = {
        "text": every_character,
        "html": Markup("<p>“quoted” &amp; safe</p>"),
        "nested": [{"a": (1, 2, None, True, False)}, [], {}],
        "numbers": [0, -7, 2**62],  # floats are written differently (1e-07, 1e-7): the parts hold none
        "order": {"z": 1, "a": 2},
    }
    assert encode(data) == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
