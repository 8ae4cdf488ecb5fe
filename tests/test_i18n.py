"""Every language: the message catalogues, their plural forms, dates and numbers, a site's own wording, and the
shipped explainer built in Chinese and in Arabic with no English interface string left (axe on the Arabic)."""

from __future__ import annotations

import datetime
import html.parser
import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from test_reader import axe_violations

from conftest import ROOT, edit, problems
from counterpoint import cldr, i18n
from counterpoint.cli import main
from counterpoint.i18n import BUILT_IN, FALLBACK, Plural, built_in, catalogue, placeholders
from counterpoint.model import FrozenMap

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ENGLISH = built_in(FALLBACK)
NAMES = {"JavaScript"}
"""Names the interface may write in any language."""


# -- the catalogues ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", BUILT_IN)
def test_each_catalogue_has_every_message_with_only_its_placeholders(language: str) -> None:
    messages = built_in(language)
    assert sorted(messages) == sorted(ENGLISH)
    for key, english in ENGLISH.items():
        ours = messages[key]
        assert isinstance(ours, Plural) == isinstance(english, Plural), key
        given = set().union(*(placeholders(t) for t in _forms(english)))
        for text in _forms(ours):  # every value but the count, which a form may spell out ("two")
            assert given - {"count"} <= placeholders(text) <= given, (key, text)
        if isinstance(ours, Plural):  # exactly the language's plural categories: none missing, none foreign
            assert sorted(ours.forms) == sorted(cldr.categories(language)), key


def _forms(message: i18n.Message) -> tuple[str, ...]:
    return tuple(message.forms.values()) if isinstance(message, Plural) else (message,)


@pytest.mark.parametrize("language", [lang for lang in BUILT_IN if lang != FALLBACK])
def test_a_translated_catalogue_translates(language: str) -> None:
    messages = built_in(language)
    wording = {k: re.sub(r"\{\w+\}", "", v) for k, v in ENGLISH.items() if isinstance(v, str)}
    same = [k for k, v in wording.items() if re.search(r"[A-Za-z]{3}", v) and messages[k] == ENGLISH[k]]
    assert same in ([], [i18n.DATE_FORMAT])  # a pattern may well be the same


def test_plural_forms_follow_the_language() -> None:
    arabic = i18n.Words(catalogue("ar", {}))
    said = {n: arabic.text("strip_cited", count=n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102)}
    assert said[1] == "استُشهد بها مرة واحدة" and said[2] == "استُشهد بها مرتين"
    assert said[3] == "استُشهد بها 3 مرات" and said[10] == "استُشهد بها 10 مرات"  # few: 3 to 10
    assert said[11] == "استُشهد بها 11 مرة" and said[99] == "استُشهد بها 99 مرة"  # many: 11 to 99
    assert said[100] == "استُشهد بها 100 مرة" and said[0] == "لم يُستشهد بها"
    english = i18n.Words(catalogue("en-GB", {}))
    assert [english.text("strip_cited", count=n) for n in (1, 2, 1234)] == [
        "cited once",
        "cited 2 times",
        "cited 1,234 times",
    ]
    chinese = i18n.Words(catalogue("zh-Hans", {}))
    assert chinese.text("strip_cited", count=1) == "被引用 1 次"


def test_dates_and_lists_are_written_as_the_language_writes_them() -> None:
    day = datetime.date(2025, 2, 24)
    assert i18n.Words(catalogue("en", {})).date(day) == "24 February 2025"
    assert i18n.Words(catalogue("zh-Hans", {})).date(day) == "2025年2月24日"
    assert i18n.Words(catalogue("ar", {})).date(day) == "24 فبراير 2025"
    assert i18n.Words(catalogue("en", {})).join(["Liang", "Wang", "Zhang Xu"]) == "Liang, Wang, and Zhang Xu"
    assert i18n.Words(catalogue("ar", {})).dir == "rtl"
    assert i18n.Words(catalogue("zh-Hans", {})).dir == "ltr"


def test_a_language_tag_finds_its_catalogue() -> None:
    assert [i18n.base_for(t) for t in ("en-GB", "zh-Hans-CN", "zh", "ar-EG", "fr", "ZH-hans")] == [
        "en",
        "zh-Hans",
        "zh-Hans",
        "ar",
        None,
        "zh-Hans",
    ]


def test_values_are_escaped_and_html_made_by_the_template_is_not() -> None:
    from markupsafe import Markup

    words = i18n.Words(catalogue("en", FrozenMap({"not_found_lede": "<b>No page</b> here: {topics} {sources}"})))
    said = words("not_found_lede", topics=Markup('<a href="/">topics</a>'), sources="<script>")
    assert said == '&lt;b&gt;No page&lt;/b&gt; here: <a href="/">topics</a> &lt;script&gt;'
    # the same text, once as HTML and once as text to escape, is said differently (and remembered apart)
    assert words("not_found_lede", topics="<i>", sources="x") == "&lt;b&gt;No page&lt;/b&gt; here: &lt;i&gt; x"
    assert words("not_found_lede", topics=Markup("<i>"), sources="x") == "&lt;b&gt;No page&lt;/b&gt; here: <i> x"
    assert words("not_found_lede", topics="<i>", sources="x") == "&lt;b&gt;No page&lt;/b&gt; here: &lt;i&gt; x"


def test_right_to_left_values_are_isolated_each_in_its_own_direction() -> None:
    """In Arabic a title (any script) is set apart by its first strong letter, but a message filled into
    another (the title in «», a whole reference) is Arabic text: set apart right to left. As a first-strong
    isolate, «title» has no strong letter of its own and would run left to right, reversing the reference."""
    from markupsafe import Markup

    words = i18n.Words(catalogue("ar", FrozenMap({})))
    title = words("quoted_title", title="Phones in schools")
    assert title == "«\u2068Phones in schools\u2069»"
    where = Markup('<a href="#p8">¶8</a>')
    reference = words("reference_source", source=Markup("<cite>الغد</cite>"), title=title, where=where)
    source, link = "\u2068<cite>الغد</cite>\u2069", '\u2068<a href="#p8">¶8</a>\u2069'
    assert reference == f"{source}، \u2067«\u2068Phones in schools\u2069»\u2069، {link}"
    assert words("with_quote", reference=reference, quote="كلمات").startswith("\u2067\u2068<cite>")
    english = i18n.Words(catalogue("en", FrozenMap({})))
    assert english("quoted_title", title="Phones") == "“Phones”", "left to right, nothing is set apart"


def test_the_answers_are_remembered_so_a_build_need_not_load_babel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cldr, "_answers", None)
    assert cldr.plural("ar", 11) == "many"
    cldr.save()
    stored = json.loads((tmp_path / "counterpoint" / "cldr.json").read_text(encoding="utf-8"))
    assert stored["answers"]["plural|ar|11"] == "many"
    monkeypatch.setattr(cldr, "_answers", None)
    monkeypatch.setattr(cldr, "_locale", lambda language: pytest.fail("asked Babel again"))
    assert cldr.plural("ar", 11) == "many"
    # what another process saved meanwhile is kept when this one saves
    monkeypatch.setattr(cldr, "_answers", {"plural|en|7": "other"})
    monkeypatch.setattr(cldr, "_new", True)
    cldr.save()
    saved = json.loads((tmp_path / "counterpoint" / "cldr.json").read_text(encoding="utf-8"))["answers"]
    assert saved["plural|ar|11"] == "many" and saved["plural|en|7"] == "other"
    stored = json.loads((tmp_path / "counterpoint" / "cldr.json").read_text(encoding="utf-8"))
    stored["babel"] = "another Babel"  # answers of another Babel are not trusted
    (tmp_path / "counterpoint" / "cldr.json").write_text(json.dumps(stored), encoding="utf-8")
    monkeypatch.setattr(cldr, "_answers", None)
    with pytest.raises(pytest.fail.Exception):
        cldr.plural("ar", 11)


def test_the_same_babel_installed_elsewhere_shares_the_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each project's virtual environment has Babel of its own: answers stamped by one serve the others."""
    import importlib.util

    spec = importlib.util.find_spec("babel")
    assert spec is not None and spec.origin is not None
    stamp = cldr._stamp()
    copy = tmp_path / "elsewhere" / "babel" / "__init__.py"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(Path(spec.origin).read_bytes())
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: type(spec)(name, None, origin=str(copy)))
    assert cldr._stamp() == stamp
    copy.write_bytes(copy.read_bytes().replace(b"__version__ = '", b"__version__ = '9"))
    assert cldr._stamp() != stamp


# -- a site's own wording -------------------------------------------------------------------------


def test_site_yaml_may_reword_any_message(golden_copy: Path, build_site) -> None:  # type: ignore[no-untyped-def]
    edit(
        golden_copy / "site.yaml",
        "language: en-GB\n",
        'language: en-GB\nstrings:\n  common_ground: "Where they meet"\n  date_format: "d MMM y"\n'
        '  strip_cited:\n    one: "one citation"\n    other: "{count} citations"\n',
    )
    code, _, err = build_site(golden_copy, "--strict")
    assert code == 0, err
    topic = (golden_copy / "output" / "topics" / "air" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="common-heading">Where they meet</h2>' in topic and "Common ground" not in topic
    source = next((golden_copy / "output" / "sources").glob("*/index.html")).read_text(encoding="utf-8")
    assert re.search(r"citations?</span>", source) and "cited once" not in source


def test_wrong_wording_is_reported_with_its_line(golden_copy: Path, build_site) -> None:  # type: ignore[no-untyped-def]
    edit(
        golden_copy / "site.yaml",
        "language: en-GB\n",
        "language: en-GB\nstrings:\n  comon_ground: Where they meet\n  references: 'Sources of {topic}'\n"
        "  strip_cited:\n    few: some\n  context: {one: a, other: b}\n  date_format: 'qqqqqq'\n  footer: 'a {'\n"
        "  not_found_lede: Lost.\n  marker_description: '{source} {where:>9}'\n  close: '{where!r}'\n  cited_in:\n"
        "  paragraph: Para\n  strip_heading: (head)\n",
    )
    code, _, err = build_site(golden_copy)
    assert code == 1
    found = problems(err)
    line = next(i for i, t in enumerate((golden_copy / "site.yaml").read_text().splitlines(), 1) if "comon" in t)
    assert f"site.yaml:{line}: strings: there is no message 'comon_ground'; did you mean 'common_ground'?" in found
    assert any("'references' has {topic}, which the message does not give; it gives none" in p for p in found)
    assert any("'few' is not a plural category of en-GB; its categories are one, other" in p for p in found)
    assert any("'strip_cited' needs an 'other' form" in p for p in found)
    assert any("'context' does not count anything" in p for p in found)
    assert any("date_format 'qqqqqq' is not a date format" in p for p in found)
    assert any("'footer' has a stray brace" in p for p in found)
    assert any("'not_found_lede' leaves out {sources}, which the page needs" in p for p in found)
    assert any("'marker_description' has {where:>9}; write a placeholder as a name alone" in p for p in found)
    assert any("'close' has {where!r}; write a placeholder as a name alone" in p for p in found)
    assert any("strings: 'cited_in' is empty" in p for p in found)
    # Messages renamed or given a placeholder since: what the site's old wording needs now.
    assert any("no message 'paragraph'; it is now 'paragraph_number', written whole" in p for p in found)
    assert any("'strip_heading' leaves out {paragraph}, which the page needs" in p for p in found)
    assert "Traceback" not in err
    assert not (golden_copy / "output").exists()


def test_a_language_without_a_catalogue_is_a_warning_until_its_site_translates_it(
    golden_copy: Path,
    build_site,  # type: ignore[no-untyped-def]
) -> None:
    edit(golden_copy / "site.yaml", "language: en-GB\n", "language: fr\n")
    code, _, err = build_site(golden_copy)
    assert code == 0
    assert "there is no built-in catalogue for 'fr'" in err and "stay in English" in err
    code, _, err = build_site(golden_copy, "--strict")
    assert code == 1
    french = "".join(  # every message replaced (by its English: what matters here is that none is left out)
        f"  {key}: {json.dumps(m.forms['other'] if isinstance(m, Plural) else m)}\n"
        for key, m in ENGLISH.items()
        if key != i18n.DATE_FORMAT
    )
    edit(golden_copy / "site.yaml", "language: fr\n", f"language: fr\nstrings:\n  date_format: long\n{french}")
    code, _, err = build_site(golden_copy, "--strict")
    assert code == 0, err
    source = next((golden_copy / "output" / "sources").glob("*/index.html")).read_text(encoding="utf-8")
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\d\">\d+ \w+ \d{4}</time>", source)  # French long dates


# -- the shipped explainer in another language ---------------------------------------------------


class _Text(html.parser.HTMLParser):
    """The text a reader meets on a page (or a screen reader announces): text, and labelling attributes."""

    LABELS = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.texts += [v for k, v in attrs if k in self.LABELS and v]
        # what the search box's script will say, commands aside
        said = [v for k, v in attrs if k.startswith("data-msg-") and v]
        self.texts += [re.sub(r"python -m http\.server|python build\.py serve|\{\w+\}", "", v) for v in said]
        if tag == "meta" and dict(attrs).get("name") == "description":
            self.texts.append(dict(attrs).get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _build_in(language: str, root: Path) -> Path:
    site = root / language
    shutil.copytree(ROOT / "content", site / "content")
    text = (ROOT / "site.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: en\n" in text
    (site / "site.yaml").write_text(text.replace("\nlanguage: en\n", f"\nlanguage: {language}\n"), encoding="utf-8")
    assert main(["--site", str(site), "--strict", "-q"]) == 0
    return site


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("languages")
    return {language: _build_in(language, root) for language in ("zh-Hans", "ar")}


def _vocabulary(site: Path) -> set[str]:
    """Every Latin-script word of the site's own text: its site.yaml and content."""
    files = [site / "site.yaml", *sorted((site / "content").rglob("*.md"))]
    return {w for f in files for w in re.findall(r"[A-Za-z]+", f.read_text(encoding="utf-8"))}


def _leaks(site: Path) -> dict[str, set[str]]:
    """Return, by page, the English interface strings on the pages of a site built in another language."""
    ours = _vocabulary(site)
    english_messages = {
        text.strip(" :;.,")
        for message in ENGLISH.values()
        for text in _forms(message)
        if not placeholders(text) and re.search(r"[A-Za-z]", text)
    }
    leaks: dict[str, set[str]] = {}
    for page in sorted((site / "output").rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        parser = _Text()
        parser.feed(text)
        # A word the interface wrote is one the site's own text does not have (names aside) ...
        foreign = {w for t in parser.texts for w in re.findall(r"[A-Za-z]{2,}", t) if w not in ours | NAMES}
        # ... or a whole English message standing alone (one made of words the content uses too).
        foreign |= {t for t in parser.texts if t.strip(" :;.,") in english_messages}
        found = re.search(r'id="counterpoint-words">(.*?)</script>', text, re.S)
        assert found, page
        said = json.loads(found[1]).values()
        foreign |= {v for v in said if re.search(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", v))}
        if foreign:
            leaks[page.relative_to(site).as_posix()] = foreign
    return leaks


@pytest.mark.parametrize("language", ["zh-Hans", "ar"])
def test_no_english_interface_string_remains(translated: dict[str, Path], language: str) -> None:
    site = translated[language]
    pages = sorted((site / "output").rglob("*.html"))
    assert len(pages) == 14
    for page in pages:
        tag = f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">'
        assert tag in page.read_text(encoding="utf-8")
    assert _leaks(site) == {}


def test_the_check_finds_an_english_string_left_behind(tmp_path: Path) -> None:
    site = _build_in("ar", tmp_path)
    topic = site / "output" / "topics" / "deepseek" / "index.html"
    text = topic.read_text(encoding="utf-8")
    left = (("المراجع", "References"), ("أرضية مشتركة", "Common ground"), ("الموضوع التالي", "Next topic"))
    for arabic, english in left:
        topic.write_text(text.replace(arabic, english), encoding="utf-8")
        assert _leaks(site) != {}, english
    # "Context" is a word of the shipped commentary too: the whole-message check finds it alone in a heading
    assert "Context" in _vocabulary(site)
    topic.write_text(text.replace("السياق", "Context"), encoding="utf-8")
    assert _leaks(site) == {"output/topics/deepseek/index.html": {"Context"}}


def test_dates_and_counts_in_chinese_and_arabic(translated: dict[str, Path]) -> None:
    chinese = (translated["zh-Hans"] / "output" / "sources" / "china-daily" / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2025-02-24">2025年2月24日</time>' in chinese
    assert "长文节选，共 14 段" in chinese and '<h2 id="references-heading">' not in chinese
    # A paragraph's number, as a screen reader hears it, in the language's own word order.
    assert '<span class="vh">第3段</span><span aria-hidden="true">¶3</span>' in chinese
    arabic = (translated["ar"] / "output" / "sources" / "china-daily" / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2025-02-24">24 فبراير 2025</time>' in arabic
    assert "مقتطف من مقال أطول، \u206814\u2069 فقرة" in arabic  # 14: the "many" form, the number isolated
    topic = (translated["ar"] / "output" / "topics" / "deepseek" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="references-heading">المراجع</h2>' in topic and "كما ورد في" in topic


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_arabic_pages(
    browser: Browser, translated: dict[str, Path], scheme: str
) -> None:
    site = translated["ar"] / "output"
    assert axe_violations(browser, site, sorted(site.rglob("*.html")), color_scheme=scheme) == {}


def test_the_arabic_layout_mirrors(browser: Browser, translated: dict[str, Path]) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto((translated["ar"] / "output" / "topics" / "deepseek" / "index.html").as_uri())
    first, second = (page.locator(f".sides .side-{n}").bounding_box() for n in (1, 2))
    assert first and second and first["x"] > second["x"]  # the first perspective stands on the right
    title, nav = page.locator(".site-title").bounding_box(), page.locator(".site-nav").bounding_box()
    assert title and nav and title["x"] > nav["x"]
    page.locator(".cite a").first.hover()
    page.wait_for_selector(".preview")
    assert page.locator(".preview-close").inner_text() == "إغلاق"
    page.close()


def test_a_template_asking_for_a_message_there_is_not_is_told_which(golden_copy: Path, build_site) -> None:  # type: ignore[no-untyped-def]
    (golden_copy / "templates").mkdir(exist_ok=True)
    base = (i18n.MESSAGES.parent / "theme" / "base.html").read_text(encoding="utf-8")
    (golden_copy / "templates" / "base.html").write_text(
        base.replace("t('skip_to_content')", "t('skip_to_contnet')"), encoding="utf-8"
    )
    code, _, err = build_site(golden_copy)
    assert code == 1 and "Traceback" not in err
    assert "there is no message 'skip_to_contnet'; did you mean 'skip_to_content'?" in err
    assert "templates/base.html" in err


def test_explainer_json_headings_are_in_the_sites_language(translated: dict[str, Path]) -> None:
    explainer = json.loads((translated["zh-Hans"] / "output" / "explainer.json").read_text(encoding="utf-8"))
    headings = {s["kind"]: s["heading"] for t in explainer["topics"] for s in t["sections"]}
    assert headings["common-ground"] == "共识" and headings["context"] == "背景"


def test_a_template_giving_a_message_too_few_values_is_told_which(golden_copy: Path, build_site) -> None:  # type: ignore[no-untyped-def]
    (golden_copy / "templates").mkdir(exist_ok=True)
    source = (i18n.MESSAGES.parent / "theme" / "source.html").read_text(encoding="utf-8")
    old = "t('paragraph_number', number=n)"
    assert old in source
    (golden_copy / "templates" / "source.html").write_text(
        source.replace(old, "t('paragraph_number')"), encoding="utf-8"
    )
    code, _, err = build_site(golden_copy)
    assert code == 1 and "Traceback" not in err
    assert (
        "the message 'paragraph_number' needs a value for {number}: call it as t('paragraph_number', number=...)" in err
    )
    assert "templates/source.html" in err
