"""The built-in theme: a site needs no templates folder, and its own templates/ overrides the theme file by
file (as MkDocs' custom_dir does)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import GOLDEN, TEMPLATES, Build, problems


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
