"""Search: the Pagefind index each build writes, byte for byte the same every time, and the search box in
Chromium: results at the level of topic sections and source paragraphs over HTTP under a sub-path, the
filters, and what the box says without JavaScript and from disk."""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import ROOT, Build
from counterpoint import cbor, search
from counterpoint.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_build_indexes_topics_sources_and_pages(golden_copy: Path, build_site: Build) -> None:
    assert build_site(golden_copy)[0] == 0
    bundle = golden_copy / "output" / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    entry = (bundle / "pagefind-entry.json").read_text(encoding="utf-8")
    assert '"page_count":5' in entry, entry  # 2 topics, 2 sources, the about page; not the lists nor 404
    page = (golden_copy / "output" / "topics/air/index.html").read_text(encoding="utf-8")
    assert '<search class="site-search" data-bundle="../../pagefind/pagefind.js"' in page
    assert '<input class="search-input" id="search-input" type="search"' in page and " disabled " in page
    assert "Search needs JavaScript." in page


def test_two_builds_are_byte_identical_index_included(golden_copy: Path, build_site: Build) -> None:
    assert build_site(golden_copy, "--out", str(golden_copy / "one"))[0] == 0
    assert build_site(golden_copy, "--out", str(golden_copy / "two"))[0] == 0
    one, two = files_under(golden_copy / "one"), files_under(golden_copy / "two")
    assert any(name.startswith("pagefind/filter/") for name in one)
    assert one == two


def test_filter_indexes_in_any_order_are_rewritten_alike(golden_copy: Path, build_site: Build) -> None:
    """Pagefind lists filter values in a random order; `settle` must give one order, whatever it found."""
    assert build_site(golden_copy)[0] == 0
    bundle = golden_copy / "output" / "pagefind"
    settled = files_under(bundle)
    for path in (bundle / "filter").iterdir():
        data = gzip.decompress(path.read_bytes())
        name, values = cbor.decode(data[12:])  # type: ignore[misc]
        assert isinstance(values, list) and len(values) >= 2, "a filter with one value shows no order"
        random.Random(7).shuffle(values)
        values.reverse()
        path.write_bytes(gzip.compress(data[:12] + cbor.encode([name, values])))
    assert files_under(bundle) != settled
    search.settle(bundle)
    assert files_under(bundle) == settled


def test_an_unchanged_site_takes_over_the_index_and_an_edit_makes_a_new_one(
    golden_copy: Path, build_site: Build
) -> None:
    assert build_site(golden_copy)[0] == 0
    first = golden_copy / "output" / "pagefind" / "pagefind.js"
    inode = first.stat().st_ino
    assert build_site(golden_copy)[0] == 0
    assert first.stat().st_ino == inode, "an unchanged site links the index it had"
    assert build_site(golden_copy, "--out", str(golden_copy / "fresh"))[0] == 0
    assert files_under(golden_copy / "output") == files_under(golden_copy / "fresh")
    topic = golden_copy / "content/topics/air.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("Both agree", "Both say"), encoding="utf-8")
    before = (golden_copy / "output" / "pagefind" / search.STAMP).read_text(encoding="utf-8")
    assert build_site(golden_copy)[0] == 0
    assert (golden_copy / "output" / "pagefind" / search.STAMP).read_text(encoding="utf-8") != before


def test_without_pagefind_the_site_is_built_without_search_and_says_so(
    golden_copy: Path, build_site: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(golden_copy / "no-such-binary"))
    status, _, err = build_site(golden_copy)
    assert status == 0
    assert search.missing() in err.splitlines()
    assert f"PAGEFIND_BINARY_PATH names {golden_copy / 'no-such-binary'}, which is no file" in err
    out = golden_copy / "output"
    assert not (out / "pagefind").exists()
    assert not any(b"<search" in data for name, data in files_under(out).items() if name.endswith(".html"))


def test_no_search_builds_without_the_index_or_the_box_and_says_nothing_of_pagefind(
    golden_copy: Path, build_site: Build
) -> None:
    status, _, err = build_site(golden_copy, "--no-search")
    assert status == 0, err
    assert search.NO_PAGEFIND not in err.splitlines()
    out = golden_copy / "output"
    assert not (out / "pagefind").exists()
    assert not any(b"<search" in data for name, data in files_under(out).items() if name.endswith(".html"))
    assert build_site(golden_copy)[0] == 0  # and the next build indexes again
    assert (out / "pagefind" / "pagefind.js").is_file()


def test_a_failing_index_fails_the_build_and_leaves_the_output_as_it_was(
    golden_copy: Path, build_site: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build_site(golden_copy)[0] == 0
    before = files_under(golden_copy / "output")
    broken = golden_copy / "broken-pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: the disk is on fire' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    topic = golden_copy / "content/topics/air.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("Both agree", "Both say"), encoding="utf-8")
    status, _, err = build_site(golden_copy)
    assert status == 1
    assert "output/pagefind: Pagefind could not index the site: Error: the disk is on fire" in err
    assert "Traceback" not in err
    assert files_under(golden_copy / "output") == before
    assert [p.name for p in golden_copy.iterdir() if p.name.startswith(".output.")] == []


def test_cbor_round_trips_what_pagefind_writes() -> None:
    value: cbor.Value = ["en", [["Ne Zha 2 – animation", [0, 23, 24, 255, 256, 65535, 65536, 2**32]]], []]
    assert cbor.decode(cbor.encode(value)) == value
    assert cbor.encode(23) == b"\x17" and cbor.encode(24) == b"\x18\x18" and cbor.encode("é") == b"\x62\xc3\xa9"
    with pytest.raises(cbor.CBORError):
        cbor.decode(b"\x9f\xff")  # an indefinite-length array: not what Pagefind writes


# -- in Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "output"
    assert main(["--site", str(ROOT), "--out", str(out), "-q"]) == 0
    return out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def under_sub_path(shipped: Path, tmp_path: Path) -> Iterator[str]:
    """Serve the shipped explainer over HTTP at /sub/path/; return its address."""
    root = tmp_path / "www"
    shutil.copytree(shipped, root / "sub" / "path")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sub/path/"
    server.shutdown()
    server.server_close()


def result_links(page: object) -> list[str]:
    links: list[str] = page.eval_on_selector_all(  # type: ignore[attr-defined]
        ".search-sections a", "links => links.map(a => a.getAttribute('href'))"
    )
    return links


def test_search_finds_topic_sections_and_source_paragraphs_under_a_sub_path(
    browser: Browser, under_sub_path: str
) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(under_sub_path + "topics/funding/index.html")
    assert page.inner_text("#search-status") == ""
    page.fill("#search-input", "DeepSeek")
    page.wait_for_selector(".search-hit")
    assert page.inner_text("#search-status").startswith("Found on ")
    links = result_links(page)
    assert "/sub/path/topics/deepseek/index.html#side-originator" in links, links
    assert "/sub/path/sources/china-daily/index.html#p2" in links, links
    assert all(link.startswith("/sub/path/") for link in links), links
    paragraph = page.locator('.search-sections a[href$="china-daily/index.html#p2"]')
    assert paragraph.inner_text().startswith("¶2 ")
    assert paragraph.locator("mark").first.inner_text() == "DeepSeek"

    # A perspective narrows: the other side's sources go, and of topics only that perspective's column stays.
    page.select_option('select[data-filter="perspective"]', "Imitator")
    # Wait for the narrowed results themselves: while the search runs again the list is empty, which has no
    # china-daily link either.
    page.wait_for_function(
        "(() => { const links = [...document.querySelectorAll('.search-sections a')];"
        " return links.length > 0 && !links.some(a => a.href.includes('china-daily')); })()"
    )
    narrowed = result_links(page)
    assert narrowed and len(narrowed) < len(links), narrowed
    assert all("#side-imitator" in link or "/sources/top-china-news/" in link for link in narrowed), narrowed
    # A source narrows to its own paragraphs.
    page.select_option('select[data-filter="perspective"]', "")
    page.select_option(
        'select[data-filter="source"]', label="China Daily, “Innovation reshapes China's digital landscape”"
    )
    page.wait_for_function(
        "(() => { const links = [...document.querySelectorAll('.search-sections a')];"
        " return links.length > 0 && !links.some(a => a.href.includes('topics/')); })()"
    )
    assert {link.split("#")[0] for link in result_links(page)} == {"/sub/path/sources/china-daily/index.html"}

    paragraph = page.locator(".search-sections a").first
    target = paragraph.get_attribute("href")
    assert target is not None
    paragraph.click()
    page.wait_for_url("**" + target)
    assert page.evaluate("document.querySelector(':target').classList.contains('para')")
    assert errors == []
    page.close()


def test_the_search_box_with_results_is_accessible_and_keyboard_usable(browser: Browser, under_sub_path: str) -> None:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is missing: .ci/run installs it with npm ci")
        pytest.skip("axe-core is not installed here (run: npm ci); CI installs it and runs this test")
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.goto(under_sub_path + "sources/top-china-news/index.html")
    page.focus("#search-input")
    page.keyboard.type("imitation")
    page.wait_for_selector(".search-hit")
    assert page.evaluate("document.documentElement.scrollWidth <= 320"), "nothing scrolls sideways at 320 px"
    for _ in range(16):  # past the filters and the results to the first paragraph's
        page.keyboard.press("Tab")
        if page.evaluate("/#p\\d+$/.test(document.activeElement.getAttribute('href') || '')"):
            break
    target = page.evaluate("document.activeElement.getAttribute('href')")
    assert target and "#" in target, target
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
    )
    assert violations == []
    page.keyboard.press("Enter")
    page.wait_for_url("**" + target)
    page.close()


def test_from_disk_the_box_says_search_needs_a_web_server(browser: Browser, shipped: Path) -> None:
    page = browser.new_page()
    page.goto((shipped / "topics" / "funding" / "index.html").as_uri())
    assert page.inner_text("#search-status").startswith("Search needs a web server")
    assert page.is_disabled("#search-input")
    page.close()


def test_without_javascript_the_box_says_search_needs_it(browser: Browser, under_sub_path: str) -> None:
    page = browser.new_page(java_script_enabled=False)
    page.goto(under_sub_path + "index.html")
    assert page.inner_text("#search-status") == "Search needs JavaScript."
    assert page.is_disabled("#search-input")
    page.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pagefind_dies_with_a_build_killed_while_it_indexes(golden_copy: Path, tmp_path: Path) -> None:
    """A build killed (kill -9, out of memory) must not leave Pagefind writing into the folder the next removes."""
    pid_file = tmp_path / "pagefind.pid"
    slow = tmp_path / "slow-pagefind"
    slow.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n", encoding="utf-8")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    environment = {**os.environ, "PAGEFIND_BINARY_PATH": str(slow)}
    command = [sys.executable, str(ROOT / "build.py"), "--site", str(golden_copy), "-q"]
    build = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.is_file() or not pid_file.read_text().strip():
            assert time.monotonic() < deadline and build.poll() is None, "Pagefind was never started"
            time.sleep(0.05)
        indexer = int(pid_file.read_text())
        build.kill()
        build.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _running(indexer):
            assert time.monotonic() < deadline, "Pagefind outlived the build that started it"
            time.sleep(0.05)
    finally:
        build.kill()
        if pid_file.is_file() and pid_file.read_text().strip() and _running(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def _running(pid: int) -> bool:
    """Return True if the process is alive (a zombie, dead and waiting to be reaped, is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status
