"""The reader's experience, checked in a real browser: accessibility (axe-core), layout at every width,
keyboard and touch use of the citation previews, the site without JavaScript and under a strict CSP, and
valid HTML (the Nu HTML Checker)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import ROOT
from counterpoint.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def need(path: Path, what: str) -> None:
    """Skip locally when a tool is missing (CI must have it: .ci/run installs it)."""
    if path.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing: .ci/run installs it with npm ci")
    pytest.skip(f"{what} is not installed here (run: npm ci); CI installs it and runs this test")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reader") / "output"
    assert main(["--site", str(ROOT), "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def open_page(browser: Browser, path: Path, **options: object) -> Page:
    page = browser.new_page(**options)  # type: ignore[arg-type]
    page.goto(path.as_uri())
    return page


def axe_violations(browser: Browser, site: Path, pages: list[Path], **options: object) -> dict[str, list[str]]:
    """Return, by page, what axe-core finds wrong on each of `pages` of the built `site`."""
    need(AXE, "axe-core")
    script = AXE.read_text(encoding="utf-8")
    page = browser.new_page(**options)  # type: ignore[arg-type]
    found = {}
    for path in pages:
        page.goto(path.as_uri())
        page.add_script_tag(content=script)
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
        )
        if violations:
            found[path.relative_to(site).as_posix()] = violations
    page.close()
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_any_page(browser: Browser, site: Path, pages: list[Path], scheme: str) -> None:
    assert axe_violations(browser, site, pages, color_scheme=scheme) == {}


@pytest.mark.parametrize("width", [320, 375, 768, 1280])
def test_nothing_scrolls_sideways(browser: Browser, site: Path, pages: list[Path], width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    wide = []
    for path in pages:
        page.goto(path.as_uri())
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            wide.append(path.relative_to(site).as_posix())
    page.close()
    assert wide == []


def _png(width: int, height: int) -> str:
    """Return a grey PNG of this size as a data: address (markdown-it allows those for images)."""
    import base64
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(data).decode()


def test_a_wide_table_or_image_in_commentary_fits_a_phone(browser: Browser, tmp_path: Path) -> None:
    """Images were never scaled down, and a table of many columns ran off the screen."""
    site = tmp_path / "site"
    assert main(["new", str(site)]) == 0
    columns = 9
    table = "| " + " | ".join(f"Column {n}" for n in range(columns)) + " |\n" + "|---" * columns + "|\n"
    table += "| " + " | ".join("a cell of several words" for _ in range(columns)) + " |\n"
    about = site / "content" / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n{table}\n![A wide picture]({_png(1400, 20)})\n")
    assert main(["--site", str(site), "-q", "--no-search"]) == 0
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto((site / "output" / "about" / "index.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("document.querySelector('table').scrollWidth > document.querySelector('table').clientWidth")
    assert page.evaluate("document.querySelector('main img').getBoundingClientRect().width") <= 375
    page.close()


def test_every_page_has_one_h1_a_title_a_description_and_landmarks(browser: Browser, pages: list[Path]) -> None:
    page = browser.new_page()
    titles = set()
    for path in pages:
        page.goto(path.as_uri())
        facts = page.evaluate(
            """() => [document.querySelectorAll('h1').length, document.title,
            document.querySelector('meta[name=description]').content.length > 0,
            ['header', 'main', 'footer'].every(tag => document.querySelector(tag)),
            !!document.querySelector('a.skip-link[href="#main"]'), document.documentElement.lang,
            !!document.querySelector('link[rel=icon]'), !!document.querySelector('meta[property="og:title"]')]"""
        )
        assert facts[0] == 1 and facts[2:] == [True, True, True, "en", True, True], (path, facts)
        titles.add(facts[1])
    page.close()
    assert len(titles) == len(pages), "every page has its own title"


def focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate(f"document.activeElement.matches({selector!r})"))


def tab_until(page: Page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    pytest.fail(f"no {selector} reached in {limit} presses of Tab")


def test_keyboard_only_marker_preview_source_and_back(browser: Browser, site: Path) -> None:
    topic = site / "topics" / "talent" / "index.html"
    page = open_page(browser, topic)
    tab_until(page, 'a[role="doc-noteref"]')
    marker = page.evaluate("document.activeElement.id")
    preview = page.locator(".preview")
    assert preview.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == f"preview-{marker}"
    page.keyboard.press("Escape")
    assert preview.count() == 0
    assert page.evaluate("document.activeElement.id") == marker
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert preview.is_visible(), "the preview shows again when the marker gets focus again"
    tab_until(page, ".preview-go", limit=5)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sources/**")
    paragraph = page.evaluate("location.hash")
    assert paragraph.startswith("#p")
    highlighted = page.evaluate(f"getComputedStyle(document.querySelector('{paragraph}')).backgroundColor")
    assert highlighted not in ("rgba(0, 0, 0, 0)", "transparent"), "the cited paragraph is highlighted"
    tab_until(page, f'a[role="doc-backlink"][href$="topics/talent/index.html#{marker}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/topics/talent/index.html#{marker}")
    page.close()


def test_the_cards_close_button_and_escape_inside_it_close_it(browser: Browser, site: Path) -> None:
    """Closing gave focus back to the marker, whose focus opened the card again: Close never closed it, and
    Escape only did with focus on the marker."""
    page = open_page(browser, site / "topics" / "talent" / "index.html")
    tab_until(page, 'a[role="doc-noteref"]')
    marker = page.evaluate("document.activeElement.id")
    preview = page.locator(".preview")
    tab_until(page, ".preview-go", limit=3)  # the source's link in the card's head is no second tab stop
    page.keyboard.press("Escape")
    assert preview.count() == 0, "Escape inside the card closes it"
    assert page.evaluate("document.activeElement.id") == marker
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    tab_until(page, ".preview-close", limit=3)
    page.keyboard.press("Enter")
    assert preview.count() == 0, "Close closes it"
    assert page.evaluate("document.activeElement.id") == marker, "and gives focus back to the marker"
    page.locator(f"#{marker}").hover()
    preview.wait_for(state="visible")
    page.locator(".preview-close").click()
    assert preview.count() == 0, "Close, clicked, closes it"
    page.close()


def test_coming_back_from_the_source_focuses_the_marker_again(browser: Browser, site: Path) -> None:
    """After the way back, focus was on the page's body: a keyboard reader started again from the top."""
    page = open_page(browser, site / "topics" / "talent" / "index.html")
    tab_until(page, 'a[role="doc-noteref"]')
    marker = page.evaluate("document.activeElement.id")
    tab_until(page, ".preview-go", limit=3)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sources/**")
    page.go_back()
    page.wait_for_url("**/topics/talent/index.html*")
    page.wait_for_function(f"document.activeElement && document.activeElement.id === {marker!r}", timeout=3000)
    assert page.locator(".preview").count() == 0, "the marker is focused, without opening its card"
    page.close()


def test_preview_stays_while_hovered_and_goes_when_left(browser: Browser, site: Path) -> None:
    page = open_page(browser, site / "topics" / "funding" / "index.html")
    quoting = page.evaluate(
        "[...document.querySelectorAll('a[role=doc-noteref]')]"
        ".findIndex(m => document.getElementById(m.getAttribute('href').slice(1)).querySelector('mark'))"
    )
    assert quoting >= 0, "the page has a citation of quoted words"
    marker = page.locator('a[role="doc-noteref"]').nth(quoting)
    marker.hover()
    card = page.locator(".preview")
    card.wait_for(state="visible")
    assert card.locator(".preview-passage mark").count() >= 1, "it shows the cited passage, the quoted words marked"
    card.hover()
    page.wait_for_timeout(600)
    assert card.is_visible(), "the card stays while the pointer is over it"
    page.mouse.move(5, 5)
    card.wait_for(state="detached", timeout=2000)
    page.close()


def test_touch_first_tap_previews_and_the_card_link_goes_on(browser: Browser, site: Path) -> None:
    page = browser.new_page(has_touch=True, viewport={"width": 375, "height": 800})
    page.goto((site / "topics" / "funding" / "index.html").as_uri())
    address = page.url
    page.locator('a[role="doc-noteref"]').first.tap()
    page.locator(".preview").wait_for(state="visible")
    assert page.url == address, "the first tap previews instead of jumping"
    page.locator(".preview-go").tap()
    page.wait_for_url("**/sources/**")
    page.close()


def test_without_javascript_every_citation_still_works(browser: Browser, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "topics" / "funding" / "index.html").as_uri())
    markers = page.locator('a[role="doc-noteref"]')
    assert markers.count() > 5
    first = markers.first.get_attribute("href")
    markers.first.click()
    assert page.url.endswith(str(first)), "a marker is a plain link to its reference"
    assert page.locator(".references details.ref-passage blockquote").count() > 5, "the passages are on the page"
    page.locator(".ref-link").first.click()
    page.wait_for_url("**/sources/**")
    context.close()


class CspHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", "default-src 'self'")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def csp_server(site: Path, tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    shutil.copytree(site, root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CspHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_runs_under_a_strict_content_security_policy(browser: Browser, csp_server: str) -> None:
    page = browser.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    for path in ("index.html", "topics/funding/index.html", "sources/china-daily/index.html", "about/index.html"):
        page.goto(csp_server + path)
    page.goto(csp_server + "topics/funding/index.html")
    page.locator('a[role="doc-noteref"]').first.focus()
    page.locator(".preview").wait_for(state="visible")
    page.close()
    assert refused == []


def test_the_nu_html_checker_finds_no_errors(site: Path) -> None:
    need(VNU, "The Nu HTML Checker (vnu.jar)")
    if shutil.which("java") is None:
        need(Path("/nonexistent"), "Java")
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--skip-non-html", "--also-check-css", "--errors-only", str(site)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
