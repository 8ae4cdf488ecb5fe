"""Deploy anywhere: portable links, base_url extras, hashed assets, atomic and reproducible builds,
and the output crawled by a real link checker over HTTP under a sub-path, and by Chromium from disk."""

from __future__ import annotations

import functools
import hashlib
import http.server
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser

Build = Callable[..., tuple[int, str, str]]


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def without_base_url(site: Path) -> Path:
    yaml = site / "site.yaml"
    yaml.write_text(re.sub(r"base_url: .*\n", "", yaml.read_text(encoding="utf-8")), encoding="utf-8")
    return site


def test_without_base_url_it_says_so_once_and_emits_nothing_absolute(golden_copy: Path, build_site: Build) -> None:
    status, out, err = build_site(without_base_url(golden_copy))
    assert status == 0
    assert len(out.splitlines()) == 1, "one summary line"
    assert err.splitlines() == [
        "note: site.yaml has no base_url, so the site has no sitemap.xml, robots.txt, canonical links or absolute "
        "Open Graph addresses, and 404.html's links work only at the top of the site; add base_url to have them"
    ]
    built = files_under(golden_copy / "output")
    assert "sitemap.xml" not in built and "robots.txt" not in built
    assert not any(
        b"canonical" in data or b"og:url" in data or b"example.org/car-free" in data for data in built.values()
    )


def test_with_base_url_pages_have_canonical_and_open_graph_addresses(golden_copy: Path, build_site: Build) -> None:
    status, out, _ = build_site(golden_copy)
    assert status == 0
    assert "note:" not in out
    built = files_under(golden_copy / "output")
    base = "https://example.org/car-free/"
    for name, data in built.items():
        if not name.endswith(".html") or name == "404.html":
            continue
        address = base + name.removesuffix("index.html")
        assert f'<link rel="canonical" href="{address}">'.encode() in data, name
        assert f'<meta property="og:url" content="{address}">'.encode() in data, name
    pages = sorted(n.removesuffix("index.html") for n in built if n.endswith(".html") and n != "404.html")
    assert re.findall(r"<loc>(.*?)</loc>", built["sitemap.xml"].decode()) == sorted(base + p for p in pages)
    assert built["robots.txt"] == f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode()
    not_found = built["404.html"].decode()
    assert "canonical" not in not_found
    assert not re.findall(r'href="(?!https://|#)', not_found), "404.html links must be absolute with base_url"


def test_assets_carry_a_content_hash_and_every_page_links_the_right_one(golden_copy: Path, build_site: Build) -> None:
    build_site(golden_copy)
    built = files_under(golden_copy / "output")
    assets = sorted(name for name in built if name.startswith("assets/"))
    assert [re.sub(r"\.[0-9a-f]{10}\.", ".", name) for name in assets] == [
        "assets/counterpoint.js",
        "assets/favicon.svg",
        "assets/search.js",
        "assets/style.css",
    ]
    for name in assets:
        assert hashlib.sha256(built[name]).hexdigest()[:10] in name, name
    for name, data in built.items():
        if name.endswith(".html") and name != "404.html":
            depth = "../" * name.count("/")
            for asset in assets:
                assert f'"{depth}{asset}"'.encode() in data, (name, asset)


def test_two_builds_are_byte_identical_whatever_order_files_are_listed_in(
    golden_copy: Path, build_site: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build_site(golden_copy, "--out", str(golden_copy / "one"))[0] == 0
    listed = Path.iterdir
    monkeypatch.setattr(Path, "iterdir", lambda self: iter(sorted(listed(self), reverse=True)))
    assert build_site(golden_copy, "--out", str(golden_copy / "two"))[0] == 0
    assert files_under(golden_copy / "one") == files_under(golden_copy / "two")


def test_a_removed_topic_disappears_from_the_output(golden_copy: Path, build_site: Build) -> None:
    build_site(golden_copy)
    assert (golden_copy / "output/topics/shops/index.html").is_file()
    (golden_copy / "content/topics/shops.md").unlink()
    yaml = golden_copy / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("  - shops\n", ""), encoding="utf-8")
    assert build_site(golden_copy)[0] == 0
    assert not (golden_copy / "output/topics/shops").exists()


def test_out_onto_the_site_folder_itself_is_refused(golden_copy: Path, build_site: Build) -> None:
    before = files_under(golden_copy)
    status, _, err = build_site(golden_copy, "--out", str(golden_copy))
    assert status == 1
    assert "refusing to replace this folder: it is not empty and was not made by Counterpoint" in err
    assert files_under(golden_copy) == before


def test_check_passes_without_touching_output(golden_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from counterpoint.cli import main

    assert main(["check", "--site", str(golden_copy)]) == 0
    assert capsys.readouterr().out.startswith("Check passed: 8 pages (20 files), 16 citations resolved, 0 warnings")
    assert not (golden_copy / "output").exists()


def test_check_fails_on_errors_and_on_warnings(golden_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from counterpoint.cli import main

    page = golden_copy / "content/pages/about.md"
    page.write_text(page.read_text(encoding="utf-8").replace("[@green-gazette]", ""), encoding="utf-8")
    topic = golden_copy / "content/topics/shops.md"
    text = topic.read_text(encoding="utf-8").replace("[@green-gazette ¶7]", "")
    topic.write_text(text[: text.index(" Ana Ruiz")] + "\n", encoding="utf-8")
    topic = golden_copy / "content/topics/air.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("@green-gazette", "@motor-monthly"), encoding="utf-8")
    assert main(["check", "--site", str(golden_copy)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "Check failed: 6 errors."
    assert (
        "content/articles/green-gazette.md: warning (an error under --strict): no topic or page cites this source"
        in err
    )


# -- crawled for real -------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """Serve folders over HTTP on 127.0.0.1 under a sub-path; return a function giving the site's address."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(site: Path) -> str:
        root = tmp_path / "www"
        shutil.copytree(site, root / "deep" / "sub path")
        handler = functools.partial(QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/deep/sub%20path/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def linkcheck(url: str, tmp_path: Path) -> tuple[int, str]:
    """Crawl `url` with LinkChecker, anchors included; return its status and report."""
    config = tmp_path / "linkcheckerrc"
    config.write_text(
        "[checking]\nmaxrequestspersecond=1000\n[filtering]\ncheckextern=0\n[AnchorCheck]\n", encoding="utf-8"
    )
    command = [str(Path(sys.executable).parent / "linkchecker"), "--config", str(config), "--no-status", url]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("directory_urls", [False, True], ids=["index.html links", "directory links"])
def test_a_real_link_checker_finds_nothing_broken_under_a_sub_path(
    golden_copy: Path, build_site: Build, served: Callable[[Path], str], tmp_path: Path, directory_urls: bool
) -> None:
    yaml = golden_copy / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + f"build:\n  directory_urls: {str(directory_urls).lower()}\n")
    assert build_site(golden_copy)[0] == 0
    status, report = linkcheck(served(golden_copy / "output"), tmp_path)
    summary = re.search(r"(\d+) links? in (\d+) URLs? checked\. (\d+) warnings? found\. (\d+) errors? found", report)
    assert summary, report
    urls, warnings, errors = int(summary[2]), int(summary[3]), int(summary[4])
    assert errors == 0, report
    assert urls >= 40, report
    # Its AnchorCheck reads a text fragment (#p3:~:text=...) as an element id; those ids are checked by our own
    # checker and in Chromium. Any other warning fails the test.
    anchors = re.findall(r"Anchor\s+`([^']*)'", report)
    assert len(anchors) == warnings, report
    assert all("%3A~%3Atext=" in anchor for anchor in anchors), anchors
    assert status == (1 if warnings else 0), report


def test_every_page_works_from_disk_in_chromium(tmp_path: Path, browser: Browser) -> None:
    from counterpoint.cli import main

    out = tmp_path / "output"
    assert main(["--site", str(ROOT), "--out", str(out), "-q"]) == 0
    page = browser.new_page()
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    for html in sorted(out.rglob("*.html")):
        page.goto(html.as_uri())
        stylesheet_applied = "getComputedStyle(document.querySelector('.skip-link')).position === 'absolute'"
        assert page.evaluate(stylesheet_applied), f"{html}: the stylesheet did not load"
        ids[html.as_uri()] = set(page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
        for href in page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)"):
            if href.startswith("file:"):
                links.append((html.as_uri(), href))
    page.close()
    assert len(links) > 200
    for source, href in links:
        address, _, fragment = href.partition("#")
        assert address in ids, f"{source}: {href} leads to no page"
        element = fragment.split(":~:")[0]
        assert not element or element in ids[address], f"{source}: {href} names a missing anchor"
