"""The preview server, `python build.py serve`: rebuild on save, reload the browser, show build errors.

The site is served from memory, as last built successfully; `output/` is never
touched. Pages get one extra script tag, injected as they are served, which
listens for changes (Server-Sent Events) and draws an overlay listing build
errors. Nothing of it ever reaches a normal build.

Why not the `livereload` package: it drops any reload within 3 s of the last
one, injects an inline script (blocked by a strict Content-Security-Policy),
keeps its state in class attributes, and polls. Tornado, which it is built
on, serves; watchfiles watches.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import json
import mimetypes
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import watchfiles
from tornado import httpserver, ioloop, locks, web
from tornado.iostream import StreamClosedError

from counterpoint import cldr, search
from counterpoint.errors import BuildFailed, Problem
from counterpoint.pipeline import Builder, BuildResult, Files
from counterpoint.render import BUILT_IN

QUIET_SECONDS = 0.3
"""Rebuild once no file has changed for this long, so a burst of saves makes one rebuild."""
LIVE = "/__counterpoint/"
_CLIENT = Path(__file__).parent / "live"
_TEMPORARY = re.compile(r"^\.|~$|\.sw.$|\.tmp$|^#.*#$|\.kate-swp$|___jb_\w+___$|^\d+$|^sed[A-Za-z0-9]{6}$")
"""Editors' temporary and atomic-save files: hidden, backups, swap files, vim's `4913` and sed's `sedAbC123`.
A folder's name (often without a dot) is no such file: moving or making one must rebuild."""
_HEAD_END = b"</head>"
_NO_SITE_YET = (
    b'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>The build failed</title>\n</head>\n'
    b"<body>\n<main>\n<h1>The build failed</h1>\n<p>There is no good build to show yet. The errors are listed here; "
    b"save a fix and this page reloads by itself.</p>\n</main>\n</body>\n</html>\n"
)
"""Served while no build has succeeded yet: a page the live script can draw the errors over."""


class SearchIndex:
    """The preview's search index, made again in a thread of its own after each rebuild, Pagefind at a low
    priority: a rebuild never waits for it (at 4,000 pages it takes seconds, a rebuild a tenth of one).

    The pages are mirrored into a folder (only those that changed are written again), and each index goes
    into a new folder; the newest is served, and the one before it too, for pages that loaded it.
    """

    def __init__(self, binary: Path, say: Callable[[str], None], done: Callable[[], None]) -> None:
        self.binary = binary
        self.say = say
        self.done = done
        """Called (in the indexing thread) each time a new index is served."""
        self.folder = Path(tempfile.mkdtemp(prefix="counterpoint-search-")).resolve()  # `find` compares resolved paths
        self.generation = 0
        """Bumped each time a new index is served; the pages' search script then loads it."""
        self.bundles: list[Path] = []
        """The folders of the newest index and of the one before it."""
        self._lock = threading.Lock()
        self._pending: Mapping[str, bytes] | None = None
        self._running = False
        self._mirrored: dict[str, bytes] = {}
        self._process: subprocess.Popen[str] | None = None
        self._closed = False

    def update(self, files: Mapping[str, bytes]) -> None:
        """Index `files` (a built site) in the background; a newer site asked for meanwhile replaces it."""
        with self._lock:
            self._pending = files
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._work, name="search index", daemon=True).start()

    def find(self, name: str) -> Path | None:
        """Return the file `pagefind/<name>` of the newest index holding it, or None."""
        for bundle in reversed(self.bundles):
            path = bundle / name
            if path.is_file() and bundle in path.resolve().parents:
                return path
        return None

    def close(self) -> None:
        """Stop indexing (Pagefind hangs if its folder goes from under it) and remove the folder."""
        with self._lock:
            self._closed, process = True, self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _started(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._process = process
            closed = self._closed
        if closed:
            process.kill()

    def _work(self) -> None:
        try:
            self._index_while_asked()
        except OSError as error:  # a full disk, or the folder removed as the preview stops: index no more
            if not self._closed:
                self.say(f"Search indexing stopped: {error}")
        finally:
            with self._lock:
                self._running = False

    def _index_while_asked(self) -> None:
        while True:
            with self._lock:
                files, self._pending = self._pending, None
                if files is None or self._closed:
                    self._running = False
                    return
            start = time.perf_counter()
            site = self.folder / "site"
            self._mirror(files, site)
            bundle = self.folder / f"index-{self.generation + 1}"
            problems = search.run(self.binary, site, True, bundle, nice=True, started=self._started)
            if self._closed:
                return
            if problems:
                for problem in problems:
                    self.say(f"  {problem}")
                shutil.rmtree(bundle, ignore_errors=True)
                continue
            self.bundles = [*self.bundles[-1:], bundle]
            for old in self.folder.glob("index-*"):
                if old not in self.bundles:
                    shutil.rmtree(old, ignore_errors=True)
            self.generation += 1
            self.say(f"Indexed for search in {time.perf_counter() - start:.1f} s")
            self.done()

    def _mirror(self, files: Mapping[str, bytes], site: Path) -> None:
        """Make `site` hold the pages of `files`, writing only those that changed."""
        pages = {name: files[name] for name in files if name.endswith(".html")}  # not the JSON: it is joined on demand
        for name in self._mirrored.keys() - pages.keys():
            (site / name).unlink(missing_ok=True)
        for name, data in pages.items():
            before = self._mirrored.get(name)
            if before is data or before == data:
                continue
            target = site / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self._mirrored = pages


class Preview:
    """The site as last built, and the state the browser is told about."""

    def __init__(self, builder: Builder, say: Callable[[str], None], search: SearchIndex | None = None) -> None:
        self.builder = builder
        self.say = say
        self.search = search
        """Indexes each site served for search, when Pagefind is installed."""
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="build")
        """Builds run here, one at a time, so the server answers requests while a build runs."""
        self.files: Mapping[str, bytes] = {}
        self.generation = 0
        """Bumped each time the served site changes; a page showing an older one reloads."""
        self.errors: tuple[Problem, ...] = ()
        self.builds = 0
        self.building = False
        """True while a rebuild runs in the build thread (the site served meanwhile is the last one)."""
        self.changed = locks.Condition()

    def rebuild(self, changed: list[str] | None = None) -> None:
        """Build the site now, in this thread (the first build, before serving starts)."""
        self.apply(*self._build(changed), changed)

    async def rebuild_off_loop(self, changed: list[str]) -> None:
        """Build the site in the build thread, then serve the result (called on the IOLoop)."""
        loop = asyncio.get_running_loop()
        self.building = True
        try:
            outcome = await loop.run_in_executor(self.executor, self._build, changed)
        finally:
            self.building = False
        self.apply(*outcome, changed)

    def _build(self, changed: list[str] | None) -> tuple[BuildResult | BuildFailed, float]:
        """Build; return the result or the failure, and how long it took (in the build thread)."""
        start = time.perf_counter()
        try:
            outcome: BuildResult | BuildFailed = self.builder.build(changed)
        except BuildFailed as failure:
            outcome = failure
        return outcome, (time.perf_counter() - start) * 1000

    def apply(self, outcome: BuildResult | BuildFailed, took: float, changed: list[str] | None) -> None:
        """Serve a build's result, or keep the last good site and show the failure's errors."""
        self.builds += 1
        reason = ", ".join(changed or ())
        if isinstance(outcome, BuildFailed):
            failure = outcome
            noun = "error" if len(failure.problems) == 1 else "errors"
            self.errors = failure.problems
            for problem in failure.problems:
                self.say(f"  {problem}")
            if self.files:
                self.say(f"Build failed ({len(failure.problems)} {noun}); still serving the last good site.")
            else:
                self.say(
                    f"Build failed ({len(failure.problems)} {noun}); the browser lists them until a save fixes them."
                )
        else:
            result = outcome
            # Compared leaving aside explainer.json, made only when read (and no page to reload if it alone changed).
            same = isinstance(result.files, Files) and result.files.same_made(self.files)
            self.files = result.files  # the newest, whose explainer.json is this build's
            if not same:
                self.generation += 1
                if self.search is not None:
                    self.search.update(result.files)
            self.errors = ()
            if reason:
                pages = sum(1 for path in result.rendered if path.endswith(".html"))
                self.say(f"Rebuilt {pages} of {result.pages} pages in {took:.0f} ms after {reason}")
            else:
                self.say(f"Built {result.pages} pages in {took:.0f} ms")
        self.changed.notify_all()

    def state(self) -> str:
        """Return what the browser needs to know, as JSON."""
        errors = [{"path": p.path, "line": p.line, "message": p.message} for p in self.errors]
        state = {
            "generation": self.generation,
            "errors": errors,
            "builds": self.builds,
            "building": self.building,
            "search": self.search.generation if self.search is not None else None,
        }
        return json.dumps(state)


class Debouncer:
    """Collects changed paths and rebuilds once they stop coming for QUIET_SECONDS."""

    def __init__(self, preview: Preview, loop: ioloop.IOLoop) -> None:
        self.preview = preview
        self.loop = loop
        self.pending: set[str] = set()
        self.timer: object | None = None
        self.building = False

    def changed(self, paths: set[str]) -> None:
        """Note changed paths (called on the IOLoop); restart the quiet period."""
        self.pending |= paths
        if self.timer is not None:
            self.loop.remove_timeout(self.timer)
        self.timer = self.loop.call_later(QUIET_SECONDS, self.fire)

    def fire(self) -> None:
        self.timer = None
        if self.building:  # the changes wait for the build under way; the next build takes them all
            return
        paths, self.pending = sorted(self.pending), set()
        self.building = True
        self.loop.spawn_callback(self._rebuild, paths)

    async def _rebuild(self, paths: list[str]) -> None:
        try:
            await self.preview.rebuild_off_loop(paths)
        finally:
            self.building = False
            if self.pending and self.timer is None:
                self.fire()


def watch(
    roots: list[tuple[Path, bool]], site: Path, notify: Callable[[set[str]], None], stop: threading.Event
) -> None:
    """Watch each (folder, recursive) in a thread, passing relevant changed paths to `notify`.

    A recursive folder of the site's that is not there yet (templates/ made once the preview runs), or that is
    removed and made again, is watched from when it appears: its parent is watched for it, and it is reported
    as changed whole, since what was written into it before its watcher was live is seen by no watcher (the
    rebuild reads it). Returns once every watcher is live, so no edit made after it returns can be missed.
    """
    wanted: dict[Path, bool] = {}  # a folder named twice (--templates . or the built-in theme) is watched once
    for folder, recursive in roots:
        wanted[folder] = wanted.get(folder, False) or recursive
    roots = list(wanted.items())
    folders = {folder for folder, recursive in roots if recursive and folder != BUILT_IN}
    parents = {folder.parent for folder in folders} - {folder for folder, _ in roots}
    watchers: dict[Path, threading.Event] = {}  # each folder's watcher's own stop

    def relevant(_: watchfiles.Change, path: str) -> bool:
        candidate = Path(path)
        if _TEMPORARY.search(candidate.name):
            return False
        if candidate in folders:  # a folder watched whole: made, moved or removed
            return True
        if candidate.parent == site:
            return candidate.name == "site.yaml"
        return candidate.parent not in parents

    def run(folder: Path, recursive: bool, ready: threading.Event, own: threading.Event) -> None:
        # yield_on_timeout: the first (empty) batch tells us the watcher is live.
        for changes in watchfiles.watch(
            folder,
            watch_filter=relevant,
            step=50,
            rust_timeout=100,
            yield_on_timeout=True,
            stop_event=_Either(stop, own),
            recursive=recursive,
            raise_interrupt=False,
        ):
            ready.set()
            if not changes:
                continue
            paths = {Path(path) for _, path in changes}
            made = {Path(path) for change, path in changes if change == watchfiles.Change.added}
            for appeared in sorted(p for p in made & folders if p.is_dir()):  # not one merely touched
                start(appeared, True).wait(timeout=5)
            notify({_relative(path, site) for path in paths})

    def start(folder: Path, recursive: bool) -> threading.Event:
        if folder in watchers:
            watchers[folder].set()  # the folder was removed: its watcher watches nothing now
        ready, own = threading.Event(), threading.Event()
        watchers[folder] = own
        threading.Thread(target=run, args=(folder, recursive, ready, own), name=f"watch {folder}", daemon=True).start()
        return ready

    readiness = [
        start(folder, recursive)
        for folder, recursive in [*roots, *((parent, False) for parent in sorted(parents))]
        if folder.is_dir()
    ]
    for ready in readiness:
        ready.wait(timeout=5)


class _Either:
    """Set when either of two events is (watchfiles takes one event to stop on)."""

    def __init__(self, one: threading.Event, other: threading.Event) -> None:
        self.one, self.other = one, other

    def is_set(self) -> bool:
        return self.one.is_set() or self.other.is_set()


def _relative(path: Path, site: Path) -> str:
    try:
        return path.relative_to(site).as_posix()
    except ValueError:
        return path.as_posix()


# -- HTTP ------------------------------------------------------------------------------


LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


class _LocalHandler(web.RequestHandler):
    """Answers only requests addressed to this server by a name it is known by.

    A page on another site can make a browser send requests to 127.0.0.1 under its own name (DNS
    rebinding), and so read the preview; such requests carry that other name in their Host header.
    """

    def prepare(self) -> None:
        allowed: frozenset[str] = self.settings["allowed_hosts"]
        if self.request.host_name not in allowed:
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            name = self.request.host_name[:80]
            self.finish(
                f"The preview answers only to {', '.join(sorted(allowed))}; to allow '{name}', "
                f"restart it with --allow-host {name}\n"
            )


class ClientHandler(web.StaticFileHandler):
    """Serves the live script and its styles, to requests addressed to this server only (as every handler)."""

    def prepare(self) -> None:
        _LocalHandler.prepare(self)  # type: ignore[arg-type]


class PageHandler(_LocalHandler):
    """Serves the built site from memory, with the live script added to each page."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    async def head(self, path: str) -> None:
        await self.get(path)

    async def get(self, path: str) -> None:
        files = self.preview.files
        self.set_header("Cache-Control", "no-store")
        if not files:
            self._send("index.html", _NO_SITE_YET)
            return
        name = path or "index.html"
        if name.startswith(f"{search.BUNDLE}/"):
            self._send_index(name.removeprefix(f"{search.BUNDLE}/"))
            return
        if name.endswith("/"):
            name += "index.html"
        if name not in files and f"{name}/index.html" in files:
            self.redirect(f"/{name}/")
            return
        if name not in files:
            self.set_status(404)
            name = "404.html"
        if isinstance(files, Files) and name in files and not files.made(name):
            # explainer.json, made as it is first read: in the build thread, so that the server answers meanwhile
            # (at 4,000 pages it takes a second), and one at a time.
            loop = asyncio.get_running_loop()
            body = await loop.run_in_executor(self.preview.executor, files.__getitem__, name)
        else:
            body = files.get(name, b"Not found")
        self._send(name, body)

    def _send_index(self, name: str) -> None:
        """Serve a file of the search index from disk: 404 until the first index is made."""
        index = self.preview.search
        found = index.find(name) if index is not None else None
        try:
            body = found.read_bytes() if found is not None else None
        except OSError:  # an index replaced by a newer one as it was read
            body = None
        if body is None:
            self.set_status(404)
            self.finish(b"Not found")
            return
        self._send(name, body)

    def _send(self, name: str, body: bytes) -> None:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == "text/html":
            tag = f'<script src="{LIVE}live.js" data-generation="{self.preview.generation}" defer></script>'
            body = body.replace(_HEAD_END, tag.encode() + _HEAD_END, 1)
            kind += "; charset=utf-8"
        elif kind.startswith("text/"):
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        self.finish(body)


class EventsHandler(_LocalHandler):
    """Server-Sent Events: the state now, then again each time it changes."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    async def get(self) -> None:
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-store")
        sent = None
        while True:
            state = self.preview.state()
            message = f"data: {state}\n\n" if state != sent else ": still here\n\n"
            try:
                self.write(message)
                await self.flush()
            except StreamClosedError:
                return
            sent = state
            await self.preview.changed.wait(timeout=timedelta(seconds=15))


class StateHandler(_LocalHandler):
    """The state as plain JSON, for tests and curious people."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.preview.state())


def make_app(preview: Preview, allowed_hosts: frozenset[str] = frozenset(LOOPBACK)) -> web.Application:
    """Return the web application serving `preview` to requests addressed to one of `allowed_hosts`."""
    args = {"preview": preview}
    return web.Application(
        [
            (rf"{LIVE}events", EventsHandler, args),
            (rf"{LIVE}state", StateHandler, args),
            (rf"{LIVE}(live\.(?:js|css))", ClientHandler, {"path": str(_CLIENT)}),
            (r"/(.*)", PageHandler, args),
        ],
        log_function=lambda handler: None,
        allowed_hosts=allowed_hosts,
    )


def serve(
    site: Path,
    templates: Path,
    host: str,
    port: int,
    open_browser: bool,
    strict: bool,
    allow_hosts: Sequence[str] = (),
) -> int:
    """Build, serve and watch until Ctrl-C; return the exit status."""

    def say(line: str) -> None:
        print(line, flush=True)

    asyncio.set_event_loop(asyncio.new_event_loop())
    loop = ioloop.IOLoop.current()
    builder = Builder(site, templates, strict)
    preview = Preview(builder, say)
    allowed = frozenset({*LOOPBACK, host.lower(), *(name.lower() for name in allow_hosts)})
    server = httpserver.HTTPServer(make_app(preview, allowed))
    try:
        server.listen(port, host)
    except OSError as error:
        hint = "pass --port with another port" if error.errno == errno.EADDRINUSE else "check --host"
        print(f"cannot serve on {host}:{port}: {error.strerror}; {hint}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop on SIGTERM as on Ctrl-C
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a person stops it, at any moment
        here = site.resolve()
        roots = [
            (here / "content", True),
            (templates.resolve(), True),
            (BUILT_IN, True),
            (here / "static", True),
            (here, False),
        ]
        watch(roots, here, _on_loop(loop, Debouncer(preview, loop).changed), stop)
        preview.rebuild()
        url = f"http://{host}:{port}/"
        say(f"Serving {here} on {url} (Ctrl-C to stop)")
        if builder.pagefind is not None:  # indexed from now on, after each rebuild, the first build's site now
            notify = preview.changed.notify_all
            preview.search = SearchIndex(builder.pagefind, say, lambda: loop.add_callback(notify))
            if preview.files:
                preview.search.update(preview.files)
        else:
            say(search.missing().removeprefix("note: "))
        if open_browser:
            webbrowser.open(url)
        loop.start()
    stop.set()
    server.stop()
    if preview.search is not None:
        preview.search.close()
    cldr.save()  # what Babel said since the first build, for the next process
    say("Stopped.")
    return 0


def _on_loop(loop: ioloop.IOLoop, function: Callable[[set[str]], None]) -> Callable[[set[str]], None]:
    """Return a thread-safe version of `function` that runs it on the IOLoop."""
    return lambda paths: loop.add_callback(function, paths)
