"""The preview server, run for real: `python build.py serve` in a subprocess on a free port."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import ROOT

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


def start(site: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def server(golden_copy: Path) -> Iterator[Server]:
    port = free_port()
    process = start(golden_copy, port)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(2)]
    assert lines[1] == f"Serving {golden_copy.resolve()} on http://127.0.0.1:{port}/ (Ctrl-C to stop)\n", lines
    yield Server(golden_copy, f"http://127.0.0.1:{port}/", process)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=5)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


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
            "content/articles/green-gazette.md has paragraphs ¶1 to ¶7",
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
    assert "the browser lists them" in process.stdout.readline()
    assert process.stdout.readline().startswith("Serving ")
    server = Server(golden_copy, f"http://127.0.0.1:{port}/", process)
    try:
        assert '<script src="/__counterpoint/live.js" data-generation="0" defer></script></head>' in server.get("")
        assert server.state()["errors"]
        replace(golden_copy / "content/topics/air.md", "[@green-gazette ¶99]", "[@green-gazette ¶2]")
        wait_for(lambda: "Car-free centres" in server.get(""))
        assert server.state()["errors"] == []
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


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
