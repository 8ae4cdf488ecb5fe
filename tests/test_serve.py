"""The preview server, run for real: `python build.py serve` in a subprocess on a free port."""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import make_site

from counterpoint.pipeline import Builder

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@dataclass
class Server:
    """A running preview server and the site it serves."""

    site: Path
    url: str
    process: subprocess.Popen[str]

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            body: bytes = response.read()
        return body.decode("utf-8")

    def state(self) -> dict[str, object]:
        loaded: dict[str, object] = json.loads(self.get("__counterpoint/state"))
        return loaded


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(site: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> None:
    """Stop a server whatever it does with Ctrl-C: SIGINT, then SIGTERM, then kill; close its pipes."""
    for send in (lambda: process.send_signal(signal.SIGINT), process.terminate, process.kill):
        if process.poll() is not None:
            break
        send()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


@pytest.fixture
def server(golden_copy: Path) -> Iterator[Server]:
    port = free_port()
    process = start(golden_copy, port)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(2)]
    assert lines[1] == f"Serving {golden_copy.resolve()} on http://127.0.0.1:{port}/ (Ctrl-C to stop)\n", lines
    yield Server(golden_copy, f"http://127.0.0.1:{port}/", process)
    stop(process)


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait until `condition()` holds, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {seconds} s")
        time.sleep(0.05)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_serves_the_site_with_the_live_script(server: Server) -> None:
    page = server.get("topics/air/index.html")
    assert '<script src="/__counterpoint/live.js" data-generation="1" defer></script></head>' in page
    assert server.get("topics/air/") == page
    assert "Car-free centres" in server.get("")
    with pytest.raises(urllib.error.HTTPError) as missing:
        server.get("no/such/page")
    assert missing.value.code == 404
    missing.value.close()


def test_an_edit_changes_the_served_page(server: Server) -> None:
    replace(server.site / "content/topics/air.md", "Both agree the air matters", "Both say the air matters a lot")
    wait_for(lambda: "the air matters a lot" in server.get("topics/air/index.html"))
    assert server.state()["generation"] == 2


def test_a_burst_of_saves_makes_one_rebuild_with_all_of_them(server: Server) -> None:
    before = server.state()["builds"]
    replace(server.site / "content/topics/air.md", "Both agree the air matters", "First save")
    time.sleep(0.2)
    replace(
        server.site / "content/topics/shops.md", "Motor Monthly says shops", "Second save: Motor Monthly says shops"
    )
    wait_for(lambda: "Second save" in server.get("topics/shops/index.html"))
    time.sleep(0.6)
    assert server.state()["builds"] == before + 1
    assert "First save" in server.get("topics/air/index.html")


def test_editor_temporary_files_do_not_trigger_a_rebuild(server: Server) -> None:
    before = server.state()["builds"]
    topics = server.site / "content/topics"
    for name in (".air.md.swp", "air.md~", ".#air.md", "4913", "air.md.tmp"):
        (topics / name).write_text("temporary", encoding="utf-8")
    time.sleep(1.0)
    assert server.state()["builds"] == before


def test_a_bad_citation_is_reported_and_the_last_good_site_kept(server: Server) -> None:
    good = server.get("topics/air/index.html")
    replace(server.site / "content/topics/air.md", "[@green-gazette ¶2]", "[@green-gazette ¶99]")
    wait_for(lambda: bool(server.state()["errors"]))
    assert server.state()["errors"] == [
        {
            "path": "content/topics/air.md",
            "line": 11,
            "message": "¶99 is out of range in `[@green-gazette ¶99]`: "
            "content/articles/green-gazette.md has paragraphs ¶1 to ¶8",
        }
    ]
    assert server.get("topics/air/index.html") == good
    replace(server.site / "content/topics/air.md", "[@green-gazette ¶99]", "[@green-gazette ¶2]")
    wait_for(lambda: not server.state()["errors"])
    assert server.process.poll() is None


def test_ctrl_c_stops_it_cleanly_within_a_second(server: Server) -> None:
    server.process.send_signal(signal.SIGINT)
    started = time.monotonic()
    status = server.process.wait(timeout=5)
    assert time.monotonic() - started < 1.0
    assert status == 0
    assert server.process.stderr is not None and server.process.stdout is not None
    assert "Traceback" not in server.process.stderr.read()
    assert server.process.stdout.read().endswith("Stopped.\n")


def test_a_port_in_use_is_a_one_line_error(golden_copy: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start(golden_copy, port)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 1
    assert err == f"cannot serve on 127.0.0.1:{port}: Address already in use; pass --port with another port\n"


def test_the_browser_reloads_by_itself_within_two_seconds(server: Server, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server.url + "topics/air/index.html")
    page.wait_for_function("document.querySelector('h1').textContent === 'Air quality'")
    page.wait_for_timeout(300)  # let the page's event stream connect
    replace(server.site / "content/topics/air.md", "title: Air quality", "title: Breathing easier")
    page.wait_for_function("document.querySelector('h1').textContent === 'Breathing easier'", timeout=2000)
    page.close()


def test_the_browser_shows_build_errors_and_clears_them(server: Server, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server.url + "topics/air/index.html")
    page.wait_for_timeout(300)
    replace(server.site / "content/topics/air.md", "[@green-gazette ¶2]", "[@nosuch ¶2]")
    overlay = page.locator("#counterpoint-errors")
    overlay.wait_for(state="visible", timeout=3000)
    assert "content/topics/air.md:11" in overlay.inner_text()
    assert "unknown source '@nosuch'" in overlay.inner_text()
    assert page.locator("h1").inner_text() == "Air quality"
    replace(server.site / "content/topics/air.md", "[@nosuch ¶2]", "[@green-gazette ¶2]")
    overlay.wait_for(state="detached", timeout=3000)
    page.close()


def test_a_first_build_that_fails_shows_its_errors_and_recovers(golden_copy: Path) -> None:
    replace(golden_copy / "content/topics/air.md", "[@green-gazette ¶2]", "[@green-gazette ¶99]")
    port = free_port()
    process = start(golden_copy, port)
    assert process.stdout is not None
    assert process.stdout.readline().startswith("  content/topics/air.md:11: ¶99 is out of range")
    assert "Build failed (1 error); the browser lists them" in process.stdout.readline()
    assert process.stdout.readline().startswith("Serving ")
    server = Server(golden_copy, f"http://127.0.0.1:{port}/", process)
    try:
        assert '<script src="/__counterpoint/live.js" data-generation="0" defer></script></head>' in server.get("")
        assert server.state()["errors"]
        replace(golden_copy / "content/topics/air.md", "[@green-gazette ¶99]", "[@green-gazette ¶2]")
        wait_for(lambda: "Car-free centres" in server.get(""))
        assert server.state()["errors"] == []
    finally:
        stop(process)


def test_a_template_error_is_reported_like_any_other(server: Server) -> None:
    replace(server.site / "templates/topic.html", "{{ topic.title }}</h1>", "{{ topic.titel }}</h1>")
    wait_for(lambda: bool(server.state()["errors"]))
    assert server.state()["errors"] == [
        {
            "path": "templates/topic.html",
            "line": 8,
            "message": "template error: 'counterpoint.model.Topic object' has no attribute 'titel'",
        }
    ]


def request(server: Server, method: str, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send one request with the given Host header; return the status, headers and body."""
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_head_answers_like_get_without_a_body(server: Server) -> None:
    status, headers, body = request(server, "HEAD", "/topics/air/index.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == b""


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "localhost:9", "LOCALHOST"])
def test_the_names_of_this_machine_are_served(server: Server, host: str) -> None:
    assert request(server, "GET", "/", host)[0] == 200


@pytest.mark.parametrize("path", ["/", "/__counterpoint/state", "/__counterpoint/events", "/__counterpoint/live.js"])
def test_another_host_name_is_refused_against_dns_rebinding(server: Server, path: str) -> None:
    status, _, body = request(server, "GET", path, "attacker.example:8000")
    assert status == 403
    assert b"--allow-host attacker.example" in body


def test_allow_host_lets_another_name_in(golden_copy: Path) -> None:
    port = free_port()
    process = start(golden_copy, port, "--allow-host", "preview.test")
    try:
        assert process.stdout is not None
        [process.stdout.readline() for _ in range(2)]
        server = Server(golden_copy, f"http://127.0.0.1:{port}/", process)
        assert request(server, "GET", "/", "preview.test:80")[0] == 200
        assert request(server, "GET", "/", "other.test")[0] == 403
    finally:
        stop(process)


def test_requests_are_answered_while_a_build_runs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, pages=400)
    shutil.copytree(ROOT / "counterpoint" / "theme", site / "templates")
    port = free_port()
    process = start(site, port)
    try:
        assert process.stdout is not None
        [process.stdout.readline() for _ in range(2)]
        server = Server(site, f"http://127.0.0.1:{port}/", process)
        replace(site / "templates/base.html", "{{ t('skip_to_content') }}", "Skip to the content")  # every page again
        wait_for(lambda: bool(server.state()["building"]), seconds=10)
        assert "Skip to content" in server.get("")  # the last good site, served mid-build
        wait_for(lambda: "Skip to the content" in server.get(""), seconds=60)
        assert server.state()["building"] is False
    finally:
        stop(process)


def test_a_server_ignoring_ctrl_c_is_still_stopped(golden_copy: Path) -> None:
    code = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "up\n"
    stop(process)
    assert process.returncode == -signal.SIGTERM


def test_moving_a_folder_away_rebuilds(server: Server) -> None:
    assert "About" in server.get("")
    (server.site / "content/pages").rename(server.site / "pages-elsewhere")
    wait_for(lambda: "about/index.html" not in server.get(""))
    with pytest.raises(urllib.error.HTTPError) as gone:
        server.get("about/")
    assert gone.value.code == 404
    gone.value.close()


def test_the_preview_indexes_for_search_after_serving_and_again_after_an_edit(server: Server, browser: Browser) -> None:
    wait_for(lambda: server.state()["search"] == 1, seconds=20)
    assert server.get("pagefind/pagefind-entry.json").startswith('{"version":"1.5.2"')
    page = browser.new_page()
    page.goto(server.url + "topics/air/index.html")
    page.fill("#search-input", "takings")
    page.wait_for_selector(".search-hit")
    assert "/sources/green-gazette/index.html#p8" in page.eval_on_selector_all(
        ".search-sections a", "links => links.map(a => a.getAttribute('href'))"
    )
    replace(server.site / "content/topics/air.md", "Both agree the air matters", "Both agree the zeppelin matters")
    wait_for(lambda: "zeppelin" in server.get("topics/air/index.html"))
    wait_for(lambda: server.state()["search"] == 2, seconds=20)
    page.wait_for_function("document.querySelector('.search-input') && !document.querySelector('.search-hit')")
    page.fill("#search-input", "zeppelin")
    page.wait_for_selector(".search-sections a[href$='#common-heading'], .search-sections a[href*='topics/air/']")
    page.close()


def test_explainer_json_is_served_as_the_build_would_write_it_and_follows_edits(server: Server) -> None:
    # The preview makes it when it is first read (in its build thread), from parts kept between builds.
    status, headers, body = request(server, "GET", "/explainer.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body == Builder(server.site, server.site / "templates").build().files["explainer.json"]
    replace(server.site / "content/topics/air.md", "Both agree the air matters", "Both say the air matters a lot")
    wait_for(lambda: "the air matters a lot" in server.get("topics/air/index.html"))
    status, _, body = request(server, "GET", "/explainer.json")
    assert status == 200 and b"Both say the air matters a lot" in body
    assert request(server, "HEAD", "/explainer.json")[0] == 200


def test_a_templates_folder_made_or_made_again_while_serving_is_watched(golden_copy: Path) -> None:
    """`mkdir templates && cp .../base.html templates/`, as the README says, once the preview runs."""
    shutil.rmtree(golden_copy / "templates", ignore_errors=True)
    port = free_port()
    process = start(golden_copy, port)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Built ")
        assert process.stdout.readline().startswith("Serving ")
        server = Server(golden_copy, f"http://127.0.0.1:{port}/", process)
        base = (ROOT / "counterpoint/theme/base.html").read_text(encoding="utf-8")
        for mark in ("FIRST FOOTER", "SECOND FOOTER"):
            (golden_copy / "templates").mkdir()
            (golden_copy / "templates/base.html").write_text(base.replace("</body>", f"<p>{mark}</p></body>"))
            wait_for(lambda mark=mark: mark in server.get(""))
            shutil.rmtree(golden_copy / "templates")  # removed, then made again: watched again
            wait_for(lambda mark=mark: mark not in server.get(""))
    finally:
        stop(process)


def test_a_folder_named_twice_is_watched_once_and_whole(tmp_path: Path) -> None:
    """`serve --templates .` names the site's folder as templates (whole) and as the site (site.yaml alone)."""
    from counterpoint.serve import watch

    site = (tmp_path / "site").resolve()
    (site / "content").mkdir(parents=True)
    (site / "partials").mkdir()  # there before the watcher: a file written into a folder just made may be missed
    seen: list[set[str]] = []
    stop = threading.Event()
    started = time.monotonic()
    watch([(site / "content", True), (site, True), (site, False), (site / "content", True)], site, seen.append, stop)
    try:
        assert time.monotonic() - started < 3, "a watcher stopped before it was live was waited for"
        (site / "partials" / "foot.html").write_text("x", encoding="utf-8")
        wait_for(lambda: any("partials/foot.html" in paths for paths in seen))
    finally:
        stop.set()
