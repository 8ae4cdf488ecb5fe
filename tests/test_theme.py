"""The built-in theme: a site needs no templates folder, and its own templates/ overrides the theme file by
file (as MkDocs' custom_dir does)."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import jinja2.runtime
import markupsafe
from markupsafe import Markup

from conftest import GOLDEN, TEMPLATES, Build, problems
from counterpoint.i18n import english
from counterpoint.render import Theme, _escape, make_environment


def test_a_site_without_templates_builds_with_the_built_in_theme(tmp_path: Path, build_site: Build) -> None:
    site = tmp_path / "site"
    shutil.copytree(GOLDEN, site, ignore=shutil.ignore_patterns("expected"))
    status, _, err = build_site(site, "--strict")
    assert status == 0, err
    expected = GOLDEN / "expected"
    for page in ("index.html", "topics/air/index.html", "sources/green-gazette/index.html"):
        assert (site / "output" / page).read_bytes() == (expected / page).read_bytes(), page


def test_one_template_of_the_sites_own_overrides_the_theme(tmp_path: Path, build_site: Build) -> None:
    site = tmp_path / "site"
    shutil.copytree(GOLDEN, site, ignore=shutil.ignore_patterns("expected"))
    (site / "templates").mkdir()
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    (site / "templates" / "base.html").write_text(base.replace("{{ t('skip_to_content') }}", "Skip to the text"))
    (site / "templates" / "assets").mkdir()
    (site / "templates" / "assets" / "extra.css").write_text("main { max-width: 40rem; }\n", encoding="utf-8")
    status, _, err = build_site(site, "--strict")
    assert status == 0, err
    page = (site / "output" / "topics" / "air" / "index.html").read_text(encoding="utf-8")
    assert "Skip to the text" in page, "the site's base.html is used"
    assert '<h2 id="references-heading">References</h2>' in page, "the built-in _references.html still is"
    assert list((site / "output" / "assets").glob("extra.*.css")), "the site's own asset is published"
    assert list((site / "output" / "assets").glob("style.*.css")), "and the built-in ones"


def test_an_error_in_an_overriding_template_names_the_sites_file(tmp_path: Path, build_site: Build) -> None:
    site = tmp_path / "site"
    shutil.copytree(GOLDEN, site, ignore=shutil.ignore_patterns("expected"))
    (site / "templates").mkdir()
    topic = (TEMPLATES / "topic.html").read_text(encoding="utf-8")
    (site / "templates" / "topic.html").write_text(topic.replace("{{ topic.title }}</h1>", "{{ topic.titel }}</h1>"))
    status, _, err = build_site(site)
    assert status == 1
    assert problems(err)[0].startswith("templates/topic.html:8: template error: ")


def _environment(templates: dict[str, str]) -> jinja2.Environment:
    """Return the build's Jinja environment (its compiler and context) over the given templates."""
    theme = Theme({name: text.encode() for name, text in templates.items()}, "templates")
    return make_environment(theme)


def test_templates_render_as_jinja_renders_them_with_output_joined_per_run() -> None:
    templates = {
        "base.html": "<h1>{{ title }}</h1>{% block main %}{% endblock %}<p>{{ 1 + 1 }} {{ '<' }}</p>\n",
        "page.html": (
            "{% extends 'base.html' %}{% block main %}{% for n in numbers %}<li id=\"n{{ n }}\">{{ n }}{{ loop.index }}"
            "{% if loop.last %}.{% endif %}</li>{% endfor %}{% set kept %}<b>{{ title }}</b>{% endset %}"
            "{{ kept }}{% endblock %}"
        ),
    }
    ours = _environment(templates).get_template("page.html")
    loader = jinja2.DictLoader(templates)
    plain = jinja2.Environment(loader=loader, autoescape=True, keep_trailing_newline=True).get_template("page.html")
    context = {"title": "A & B", "numbers": [3, 1, 2]}
    assert ours.render(context) == plain.render(context)
    # One string per run of text and expressions: a loop's body comes out whole, not piece by piece.
    chunks = list(ours.generate(context))
    assert '<li id="n3">31' in chunks, chunks


def test_helpers_are_called_directly_and_context_functions_still_get_their_context() -> None:
    @jinja2.pass_context
    def whose(context: jinja2.runtime.Context) -> str:
        return str(context["title"])

    def plain(word: str, **values: object) -> str:
        return word + ",".join(sorted(values))

    template = _environment(
        {"t.html": "{% for n in [1] %}{{ plain('x', a=n) }} {{ whose() }} {{ words('close') }}{% endfor %}"}
    ).get_template("t.html")
    # Inside a loop Jinja passes its loop variables along: a plain helper must not receive them.
    assert template.render(title="T", whose=whose, plain=plain, words=english()) == "xa T Close"


def test_values_a_template_puts_out_are_escaped_as_markupsafe_escapes_them() -> None:
    class Html:
        def __html__(self) -> str:
            return "<i>made</i>"

    class Text(str):
        pass

    values: list[object] = ["a & b <c> \"d\" 'e'", Markup("<b>kept</b> &amp;"), 3, 2.5, None, Html(), Text("<x>"), ""]
    for value in values:
        assert _escape(value) == str(markupsafe.escape(value)), value


def test_a_helper_raising_stop_iteration_gives_an_undefined_value_as_in_jinja() -> None:
    def first(items: list[str]) -> str:
        return next(iter(items))

    source = "{% for n in [1] %}{% set v = first([]) %}{{ 'none' if v is undefined else v }}{% endfor %}"
    assert _environment({"t.html": source}).get_template("t.html").render(first=first) == "none"


def test_a_range_too_long_for_any_page_fails_the_build_rather_than_hang(golden_copy: Path, build_site: Build) -> None:
    template = golden_copy / "templates" / "page.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "{% block main %}",
            "{% block main %}{% for i in range(3) %}{% endfor %}{% for i in range(10**12) %}{% endfor %}",
        ),
        encoding="utf-8",
    )
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert "range() of 1,000,000,000,000 numbers: a template never needs more than 100,000" in err
