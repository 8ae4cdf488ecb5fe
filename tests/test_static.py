"""The site's own static files: `static/` published as it is, for the images of the commentary."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import Build, problems
from counterpoint.render import hashed_assets


def test_static_files_are_published_as_they_are_and_may_be_linked(golden_copy: Path, build_site: Build) -> None:
    static = golden_copy / "static"
    (static / "images").mkdir(parents=True)
    picture = bytes(range(256)) * 4  # any bytes, not text
    (static / "images" / "map.png").write_bytes(picture)
    (static / "CNAME").write_text("explainer.example.org\n", encoding="utf-8")
    (static / ".DS_Store").write_bytes(b"a file manager's")
    (static / "map.png~").write_bytes(b"an editor's backup")
    (static / ".nojekyll").write_bytes(b"")
    (static / ".well-known").mkdir()
    (static / ".well-known" / "security.txt").write_text("Contact: mailto:desk@example.org\n", encoding="utf-8")
    (static / "notes.html").write_text('<a href="nowhere.html">not checked: not a page of ours</a>')
    air = golden_copy / "content/topics/air.md"
    air.write_text(air.read_text(encoding="utf-8") + "\n![The square](../../images/map.png)\n", encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 0, err
    out = golden_copy / "output"
    assert (out / "images" / "map.png").read_bytes() == picture
    assert (out / "CNAME").read_text(encoding="utf-8") == "explainer.example.org\n"
    assert not (out / ".DS_Store").exists() and not (out / "map.png~").exists(), "what systems leave is left out"
    assert (out / ".nojekyll").exists() and (out / ".well-known" / "security.txt").is_file(), "hidden files are in"
    assert '<img src="../../images/map.png" alt="The square" />' in (out / "topics/air/index.html").read_text()


def test_a_static_file_where_the_site_writes_its_own_is_an_error(golden_copy: Path, build_site: Build) -> None:
    static = golden_copy / "static"
    (static / "topics" / "air").mkdir(parents=True)
    (static / "topics" / "air" / "index.html").write_text("mine", encoding="utf-8")
    (static / "pagefind").mkdir()
    (static / "pagefind" / "pagefind.js").write_text("mine", encoding="utf-8")
    (static / "about").write_text("a file where the site has a folder", encoding="utf-8")
    (static / "index.html").mkdir()  # a folder where the site has a file
    (static / "index.html" / "x.txt").write_text("mine", encoding="utf-8")
    css = golden_copy / "templates" / "assets" / "style.css"
    [hashed] = hashed_assets({"assets/style.css": css.read_bytes()})  # the theme's stylesheet, as published
    (static / "assets").mkdir()
    (static / hashed).write_text("mine, at the theme's asset", encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 1
    said = "the site writes a file or folder of this name itself; rename yours, or move it to another folder"
    assert problems(err) == [
        f"static/about: {said}",
        f"static/{hashed}: {said}",
        f"static/index.html/x.txt: {said}",
        f"static/pagefind/pagefind.js: {said}",
        f"static/topics/air/index.html: {said}",
    ]


def test_a_pipe_in_static_is_an_error(golden_copy: Path, build_site: Build) -> None:
    (golden_copy / "static").mkdir()
    os.mkfifo(golden_copy / "static" / "feed")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err) == [
        "static/feed: it is not a file (but a folder, a pipe or a device); put the text in a file of that name"
    ]


def test_a_link_to_a_static_file_that_is_not_there_is_a_broken_link(golden_copy: Path, build_site: Build) -> None:
    air = golden_copy / "content/topics/air.md"
    air.write_text(air.read_text(encoding="utf-8") + "\n![The square](../../images/map.png)\n", encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert "link '../../images/map.png' leads to a page that is not in the site" in err


def test_a_static_file_named_like_the_outputs_marker_is_an_error(golden_copy: Path, build_site: Build) -> None:
    (golden_copy / "static").mkdir()
    (golden_copy / "static" / ".counterpoint-output").write_text("mine", encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert problems(err)[0].startswith("static/.counterpoint-output: the site writes a file or folder of this name")
