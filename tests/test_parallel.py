"""A build spread over several processes gives exactly what a build in one process gives."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ROOT, TEMPLATES
from counterpoint.pipeline import Builder

sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import make_site


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_and_serial_builds_are_byte_identical(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=60)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    one = Builder(site, TEMPLATES, strict=True, workers=1).build_into(serial)
    two = Builder(site, TEMPLATES, strict=True, workers=3).build_into(parallel)
    written = files_under(serial)
    assert len(written) == len(one.paths) + 1 > 60  # and the marker file
    assert written == files_under(parallel)
    assert one.citations == two.citations > 500
    assert (one.processes, two.processes) == (1, 3)


def test_parallel_and_serial_builds_in_memory_are_byte_identical(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=40)
    serial = Builder(site, TEMPLATES, workers=1).build()
    parallel = Builder(site, TEMPLATES, workers=2).build()
    assert serial.files == parallel.files
    assert len(serial.files) > 40
    assert (serial.processes, parallel.processes) == (1, 2)


def test_a_parallel_build_reports_every_problem_as_a_serial_one_does(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=40)
    topic = sorted((site / "content" / "topics").glob("*.md"))[3]
    topic.write_text(topic.read_text(encoding="utf-8") + "\nA bad one [@nowhere ¶1].\n", encoding="utf-8")
    article = sorted((site / "content" / "articles").glob("*.md"))[1]
    article.write_text(article.read_text(encoding="utf-8").replace("excerpt:", "exerpt:", 1), encoding="utf-8")
    failures = []
    for workers in (1, 2):
        try:
            Builder(site, TEMPLATES, workers=workers).build_into(tmp_path / f"out{workers}")
        except Exception as error:
            failures.append(str(error))
    assert len(failures) == 2
    assert failures[0] == failures[1]
    assert "unknown source '@nowhere'" in failures[0]
    assert "unknown key 'exerpt'" in failures[0]
    assert not (tmp_path / "out1").exists()
