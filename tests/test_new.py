"""`build.py new DIR`: a ready-to-build explainer, strict from the start, with the built-in theme."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli


def test_new_writes_an_explainer_that_builds_strictly_without_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "explainer"
    status, out, _ = run_cli(["new", str(folder)], capsys)
    assert status == 0
    assert out.startswith(f"Wrote a sample explainer to {folder}: ")
    assert not (folder / "templates").exists()
    status, out, err = run_cli(["--site", str(folder), "--strict"], capsys)
    assert status == 0, err
    assert out.startswith("Built 7 pages (15 files), 14 citations resolved, 0 warnings")
    topic = (folder / "output" / "topics" / "trade" / "index.html").read_text(encoding="utf-8")
    assert "<figcaption>Dana Reyes, as quoted in Square Weekly" in topic, "the pull quote credits the speaker"
    written = (folder / "content" / "topics" / "trade.md").read_text(encoding="utf-8")
    for form in (
        "[@square-weekly; @traders-letter]",
        "¶2]",
        "¶2-3]",
        '¶3 "',
        '[@traders-letter "',
        " … ",
        "; @",
        "![@",
        '"sold out',
    ):
        assert form in written, f"the sample topic shows the citation form {form!r}"


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    status, _, err = run_cli(["new", str(tmp_path)], capsys)
    assert status == 1
    assert err == f"{tmp_path}: the folder is not empty; give a new or empty folder, so that nothing is overwritten\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_new_refuses_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "site.yaml"
    target.write_text("title: x\n", encoding="utf-8")
    status, _, err = run_cli(["new", str(target)], capsys)
    assert status == 1
    assert "this is a file" in err
