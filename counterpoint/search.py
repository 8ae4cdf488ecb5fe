"""Search: the Pagefind index of a built site, written into the folder the site is written to.

Pagefind (the PyPI package `pagefind`, whose `extended` binary also segments Chinese and Japanese) reads the
built pages, where the theme marks what to index (`data-pagefind-body`), what to leave out
(`data-pagefind-ignore`) and the filters (`data-pagefind-filter`: perspective, source, topic), and writes
`pagefind/` beside them: the index in content-hashed files and the script that searches it in the browser.
The binary is found as the `pagefind` package finds it; a site is built without search, and says so, where
there is none. Its command line indexes the pages on every core; its service, which the Python API drives,
indexes one file at a time and was twice as slow (7.1 s against 3.7 s for 1,000 pages).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from counterpoint import cbor
from counterpoint.errors import Problem

if TYPE_CHECKING:
    import subprocess

BUNDLE = "pagefind"
"""The folder of the index, inside the site (the search script finds it at `pagefind/pagefind.js`)."""
STAMP = ".counterpoint-index"
"""A file in the index's folder: the fingerprint of the pages it was made from, so an unchanged site's next
build can take the index over instead of making it again."""
VERSION = "1.5.2"
"""The Pagefind release requirements.txt pins; part of the fingerprint, as another release indexes otherwise."""
_PACKAGES = (("pagefind_bin_extended", "pagefind_extended"), ("pagefind_bin", "pagefind"))
"""The packages shipping the binary, as `pagefind[extended]` and `pagefind[bin]` install them, best first."""

NO_PAGEFIND = (
    "note: Pagefind is not installed, so the site has no search; install it with "
    "`.venv/bin/pip install -r requirements.txt`"
)


def missing() -> str:
    """Return the note for a build without search because no Pagefind binary was found."""
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named:
        return (
            f"note: PAGEFIND_BINARY_PATH names {named}, which is no file, so the site has no search; point it at "
            "the Pagefind binary, or unset it to use the one requirements.txt installs"
        )
    return NO_PAGEFIND


def find_binary() -> Path | None:
    """Return the Pagefind binary to run, as the `pagefind` package would find it, or None when there is none.

    PAGEFIND_BINARY_PATH names one; else the binary of `pagefind-bin-extended` or `pagefind-bin`; else one on
    the PATH. The packages are located without being imported, which would cost every build a few ms.
    """
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named:  # naming no file, it is reported by `missing`
        return Path(named) if Path(named).is_file() else None
    for package, name in _PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            binary = Path(spec.origin).parent / name
            if binary.is_file():
                return binary
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def pages(folder: Path) -> list[Path]:
    """Return the site's pages below `folder` (not the index's own files), sorted."""
    found: list[Path] = []
    for root, folders, files in os.walk(folder):
        if root == str(folder) and BUNDLE in folders:
            folders.remove(BUNDLE)
        found += (Path(root, name) for name in files if name.endswith(".html"))
    return sorted(found)


def fingerprint(site: Path, paths: Iterable[Path], keep_index_url: bool, binary: Path | None = None) -> str:
    """Return what the index of these pages depends on, as one hash: their names and bytes, the options, and
    the binary that indexes them (the extended one splits Chinese words, the other does not)."""
    made_by = ""
    if binary is not None:
        status = binary.stat()
        made_by = f"{binary}|{status.st_size}|{status.st_mtime_ns}"
    digest = hashlib.sha256(f"pagefind {VERSION} {made_by} keep_index_url={keep_index_url}\n".encode())
    for path in paths:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(site).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def index(folder: Path, keep_index_url: bool, binary: Path, previous: Path | None = None) -> list[Problem]:
    """Index the site in `folder` into `folder/pagefind`; return the problems (none when it worked).

    `previous` is a site built before (the output this build replaces): when its index was made from the
    very same pages, its files are linked into the new site instead of indexing again, which gives the
    same bytes (Pagefind's output depends on its input alone).
    """
    stamp = fingerprint(folder, pages(folder), keep_index_url, binary)
    if previous is not None and _take_over(previous / BUNDLE, folder / BUNDLE, stamp):
        return []
    problems = run(binary, folder, keep_index_url)
    if not problems:
        (folder / BUNDLE / STAMP).write_text(stamp + "\n", encoding="utf-8")
    return problems


def run(
    binary: Path,
    folder: Path,
    keep_index_url: bool,
    output: Path | None = None,
    nice: bool = False,
    started: Callable[[subprocess.Popen[str]], None] | None = None,
) -> list[Problem]:
    """Run Pagefind on the pages in `folder`, writing the index into `output` (default: `folder/pagefind`).

    `nice`: at a low priority, so that it gives way to the preview's rebuilds. `started` is given the
    process, which the preview stops when it stops.
    """
    import subprocess  # only a build that indexes needs it

    command = [str(binary), "--site", ".", "--silent"]
    if nice and shutil.which("nice"):
        command = ["nice", "-n", "10", *command]
    command += ["--output-path", str(output.absolute())] if output else ["--output-subdir", BUNDLE]
    if keep_index_url:
        command.append("--keep-index-url")
    # Its settings come from PAGEFIND_* variables and pagefind.yml in the folder it runs in, too: neither
    # may change what a build writes.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
    pipe = subprocess.PIPE
    try:
        with subprocess.Popen(
            command,
            cwd=folder,
            env=environment,
            stdout=pipe,
            stderr=pipe,
            text=True,
            errors="replace",
            preexec_fn=_dying_with_this_process(),  # only where no other thread runs
        ) as process:
            if started is not None:
                started(process)
            said, complaint = process.communicate()
    except OSError as error:
        return [Problem(str(binary), None, f"could not run Pagefind to index the site: {error.strerror or error}")]
    if process.returncode != 0:
        said = " ".join((complaint + said).split())[-600:] or f"exit status {process.returncode}"
        return [Problem(f"output/{BUNDLE}", None, f"Pagefind could not index the site: {said}")]
    try:
        settle(output or folder / BUNDLE)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [Problem(f"output/{BUNDLE}", None, f"could not put Pagefind's filter index in order: {error}")]
    return []


def _dying_with_this_process() -> Callable[[], None] | None:
    """Return what makes Pagefind, once forked, die with this process (Linux's PR_SET_PDEATHSIG), or None.

    A build killed (kill -9, an out-of-memory kill) while Pagefind indexes its staging folder would leave it
    running, writing into a folder that the next build removes. Code run between fork and exec is unsafe in a
    process running other threads, as the preview does (its index is made in a folder of its own): only a
    build on its own gets this."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return None
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the build died before the line above: do not index for no one
            os._exit(1)

    return die_with_parent


_PR_SET_PDEATHSIG = 1
"""prctl's option that sends the process a signal when its parent dies (linux/prctl.h)."""


def settle(bundle: Path) -> None:
    """Rewrite Pagefind's filter indexes in a fixed order, so that the same pages always give the same bytes.

    Pagefind 1.5.2 lists a filter's values, and the filters in the index's metadata, in the order of a hash
    map seeded at random on each run (its own source says so: "Change filter indexes to BTree to give them a
    stable hash"); the file names are hashes of the contents, so they changed too. Each filter file is
    written again with its values sorted, under the hash of its new contents, and the metadata file that
    names them likewise, as Pagefind names them (the start of the SHA-1, after the language).
    """
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for language, described in sorted(entry["languages"].items()):
        meta_file = bundle / f"pagefind.{described['hash']}.pf_meta"
        meta = _read(meta_file)
        if not isinstance(meta, list) or len(meta) != 6:
            raise ValueError(f"{meta_file.name} is not the metadata of Pagefind {VERSION}")
        filters: list[cbor.Value] = []
        taken: set[str] = set()
        for _, listed in sorted(_named(meta[3], meta_file.name)):
            old = listed[1]
            values = _read(bundle / "filter" / f"{old}.pf_filter")
            if not isinstance(values, list) or len(values) != 2:
                raise ValueError(f"filter/{old}.pf_filter is not a filter index of Pagefind {VERSION}")
            ordered: list[cbor.Value] = []
            for _, (value, pages, *_) in sorted(_named(values[1], f"filter/{old}.pf_filter")):
                if not isinstance(pages, list):
                    raise ValueError(f"filter/{old}.pf_filter lists no pages for {value!r}")
                ordered.append([value, sorted(pages, key=_number)])
            values[1] = ordered
            new = _write(bundle / "filter", "{}.pf_filter", values, language, taken=taken)
            if new != old:
                (bundle / "filter" / f"{old}.pf_filter").unlink()
            taken.add(new)
            filters.append([listed[0], new])
        meta[3] = filters
        meta[4] = [item for _, item in sorted(_named(meta[4], meta_file.name))]  # sort orders: hash map order too
        new = _write(bundle, "pagefind.{}.pf_meta", meta, language, length=len(language) + 8)
        if new != described["hash"]:
            meta_file.unlink()
        described["hash"] = new
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


_SIGNATURE = b"pagefind_dcd"
"""What every compressed file of the index starts with, once decompressed."""


def _read(path: Path) -> cbor.Value:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{path.name} lacks Pagefind's signature")
    return cbor.decode(data[len(_SIGNATURE) :])


def _write(
    folder: Path, pattern: str, value: cbor.Value, language: str, length: int = 7, taken: set[str] | None = None
) -> str:
    """Write `value` as Pagefind does, under a name made from the hash of its contents; return that hash."""
    data = cbor.encode(value)
    full = f"{language}_{_sha1(data)}"
    size = len(language) + 1 + length
    while full[:size] in (taken or set()) and size < len(full):  # Pagefind's way with a clash: a longer name
        size += 1
    name = full[:size]
    (folder / pattern.format(name)).write_bytes(gzip.compress(_SIGNATURE + data, compresslevel=9, mtime=0))
    return name


def _sha1(data: bytes) -> str:
    """Return the SHA-1 of `data` in hexadecimal as Pagefind spells it: each byte without a leading zero."""
    return "".join(f"{byte:x}" for byte in hashlib.sha1(data).digest())


def _named(value: cbor.Value, where: str) -> list[tuple[bytes, list[cbor.Value]]]:
    """Return the `[name, ...]` entries of a list, each with its name's UTF-8 bytes (the order Rust sorts
    strings in) to sort by; raise ValueError when `value` is not such a list."""
    if not isinstance(value, list):
        raise ValueError(f"{where} is not the index of Pagefind {VERSION}")
    named = []
    for item in value:
        if not isinstance(item, list) or len(item) < 2 or not isinstance(item[0], str):
            raise ValueError(f"{where} is not the index of Pagefind {VERSION}")
        named.append((item[0].encode("utf-8"), item))
    return named


def _number(value: cbor.Value) -> int:
    if not isinstance(value, int):
        raise ValueError(f"{value!r} is not a page number")
    return value


def _take_over(old: Path, new: Path, stamp: str) -> bool:
    """Link the files of the index `old` into `new` if it was made from pages of fingerprint `stamp`."""
    try:
        if (old / STAMP).read_text(encoding="utf-8").strip() != stamp:
            return False
        shutil.copytree(old, new, copy_function=_link)
    except OSError:
        shutil.rmtree(new, ignore_errors=True)
        return False
    return True


def _link(source: str, target: str) -> None:
    """Hard-link a file (a new name, no copy; the index's files are never written in place), else copy it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
