"""Write a rendered site atomically: all of it, or nothing changes.

The site is written to a staging folder beside the output, then swapped in:
in one step where Linux can exchange two folders (renameat2), else in two
renames that a later build recovers from if it is killed in between. A folder
that Counterpoint did not create is never replaced unless it is empty. One
build at a time writes into a folder (the others wait), and a build cleans up
what an earlier build of its own left, and only that.

An output that is a symbolic link is written through: the folder it points at
is replaced. An output that is a mount point (a Docker volume) cannot be
renamed, so its contents are swapped instead, from a staging folder inside it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from counterpoint.errors import BuildFailed, Problem

MARKER = ".counterpoint-output"
"""A file in every output folder, so a later build knows it may replace the folder."""
STAGING = ".counterpoint-staging"
"""A file in every staging folder, so a later build knows a folder left behind is its own to remove."""
SPOOL = ".counterpoint-spool-"
"""The name of a process's spool in the staging folder, before its rank."""


def check_writable(out: Path) -> None:
    """Refuse an output folder that holds files Counterpoint did not write."""
    if out.exists() and not out.is_dir():
        raise BuildFailed([Problem(str(out), None, "the output path is a file, not a folder; pick another --out")])
    if out.is_dir() and not (out / MARKER).is_file() and any(_entries(out)):
        raise BuildFailed(
            [
                Problem(
                    str(out),
                    None,
                    "refusing to replace this folder: it is not empty and was not made by Counterpoint; "
                    "pass --out with a new or empty folder",
                )
            ]
        )


def write_site(files: Mapping[str, bytes], out: Path) -> None:
    """Replace `out` with exactly `files`, atomically."""
    staging = Staging(out)
    try:
        for name in sorted(files):
            staging.write(name, files[name])
        staging.commit()
    finally:
        staging.discard()


class Staging:
    """A folder that a build writes into, then swaps in for the output in one step."""

    def __init__(self, out: Path, tidy_later: bool = False) -> None:
        self.given = out
        self.out = _through_links(out.absolute())
        self.tidy_later = tidy_later
        """Leave removing the replaced site to a process of its own, so this one can finish at once."""
        self.mounted = self.out.is_dir() and os.path.ismount(self.out)
        self._folders: set[str] = set()
        """The folders of the staging folder this process made or found, so each is made once."""
        where = self.out if self.mounted else self.out.parent
        try:
            where.mkdir(parents=True, exist_ok=True)
            self._lock = _lock(where, self.out)
        except OSError as error:
            raise BuildFailed([_failed(out, error, "make the folder for")]) from None
        try:
            _recover(self.out, self.mounted)
            check_writable(self.out)
            self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=where))
            # mkdtemp makes the folder private (0700); a web server must be able to read it.
            self.folder.chmod(0o777 & ~_umask())
            (self.folder / STAGING).write_text(f"{os.getpid()}\n")
        except OSError as error:
            self._unlock()
            raise BuildFailed([_failed(out, error, "write beside")]) from None
        except BuildFailed:
            self._unlock()
            raise

    def write(self, name: str, data: bytes) -> None:
        """Write one file of the site (any process may: workers write their pages here); raise OSError."""
        target = os.path.join(self.folder, name)
        folder = os.path.dirname(target)
        if folder not in self._folders:  # a topic's annotations go beside its page: ask the kernel once a folder
            try:  # most pages are alone in a folder of their own, whose parent is there already
                os.mkdir(folder)
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        # os.open and os.write, not open(): a buffered file asks three more things of the kernel, which counts
        # when a site has thousands of pages.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            _write_all(descriptor, data)
        finally:
            os.close(descriptor)

    def spool(self, rank: int) -> Spool:
        """Return the spool of the process of this rank, for pieces of a file that `join` puts together."""
        return Spool(self._spooled(rank), rank)

    def _spooled(self, rank: int) -> str:
        return os.path.join(self.folder, f"{SPOOL}{rank}")

    def join(self, name: str, pieces: Iterable[bytes | Piece]) -> None:
        """Write one file of the site from pieces in order: bytes, or pieces spooled by the team's processes (any
        process's, once they are all written); then remove the spools. Raise OSError."""
        spools: dict[int, int] = {}
        target = os.open(os.path.join(self.folder, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            for piece in pieces:
                if isinstance(piece, bytes):
                    _write_all(target, piece)
                    continue
                spool = spools.get(piece.rank)
                if spool is None:
                    spool = spools[piece.rank] = os.open(self._spooled(piece.rank), os.O_RDONLY | os.O_CLOEXEC)
                _write_all(target, _read_all(spool, piece.start, piece.size))
        finally:
            os.close(target)
            for rank, spool in spools.items():
                os.close(spool)
                os.unlink(self._spooled(rank))

    def problem(self, error: OSError) -> Problem:
        """Return what to say when writing the site failed with `error`."""
        return _failed(self.given, error, "write")

    def commit(self) -> None:
        """Put the staged site in place of the output, keeping the entries of the output that no build wrote
        (a `.git` folder, a `CNAME` file): they are the user's."""
        try:
            yours = _yours(self.out) if self.out.is_dir() else []
            clash = sorted(entry.name for entry in yours if os.path.lexists(self.folder / entry.name))
            if clash:
                raise BuildFailed([_clash(self.given, name) for name in clash])
            # The marker first: a build killed in between leaves a folder that the next one knows as its own.
            # It names what the build wrote, so the next build knows what else is the user's.
            written = sorted(entry.name for entry in _entries(self.folder) if entry.name != STAGING)
            (self.folder / MARKER).write_bytes(_WRITTEN.encode() + _names(written))
            (self.folder / STAGING).unlink()
            if self.mounted:
                _swap_contents(self.folder, self.out, {entry.name for entry in yours})
            else:
                for entry in yours:  # a build killed from here on leaves them to `_recover`, which puts them back
                    os.rename(entry, self.folder / entry.name)
                _swap(self.folder, self.out, self.tidy_later)
        except OSError as error:
            raise BuildFailed([self.problem(error)]) from None

    def discard(self) -> None:
        """Remove what is left of the staging folder (nothing, after a commit), and let the next build in. The
        user's entries that a failed or interrupted commit carried into it go back to the output first."""
        try:
            if self.folder.exists():
                with contextlib.suppress(OSError):
                    _put_back(self.folder, self.out)
                shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None


@dataclass(frozen=True, slots=True)
class Piece:
    """Where a piece of a file stands in the spool of the process that made it."""

    rank: int
    """The rank of that process."""
    start: int
    """Its offset in the spool."""
    size: int
    """Its length in bytes."""


class Spool:
    """Pieces of a file that several processes make, each appended by its process to a spool of its own in the
    staging folder, for one process to put together in order (`Staging.join`) without holding them all."""

    def __init__(self, path: str, rank: int) -> None:
        self.path = path
        self.rank = rank
        self._descriptor: int | None = None
        self._size = 0

    def add(self, data: bytes) -> Piece:
        """Append one piece; return where it stands. Raise OSError."""
        if self._descriptor is None:
            self._descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        _write_all(self._descriptor, data)
        piece = Piece(self.rank, self._size, len(data))
        self._size += len(data)
        return piece

    def close(self) -> None:
        """Close the spool's file; its pieces stay for `Staging.join`."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _read_all(descriptor: int, start: int, size: int) -> bytes:
    data = os.pread(descriptor, size, start)
    while len(data) < size:
        more = os.pread(descriptor, size - len(data), start + len(data))
        if not more:
            raise OSError(f"a spool of the build ended early ({len(data)} of {size} bytes at {start})")
        data += more
    return data


_WRITTEN = "Built by Counterpoint. The next build replaces what it wrote (named below, NUL-ended), keeps the rest.\n"
"""The first line of the marker of a site, followed by the names the build wrote at the top of the folder. A
marker with another first line (an older build's) lists nothing: its folder's hidden entries are the user's."""


def _written(folder: Path) -> frozenset[str] | None:
    """Return the names the build that made `folder` wrote at its top, or None for a folder whose marker does
    not say (one made before markers said, or a replaced site's)."""
    try:
        data = (folder / MARKER).read_bytes()
    except OSError:
        return None
    head = _WRITTEN.encode()
    return frozenset(_read_names(data[len(head) :])) if data.startswith(head) else None


def _names(names: Iterable[str]) -> bytes:
    """Return file names as bytes, each ended by NUL, which no name holds (a new line may be in one, and a name
    need not be UTF-8)."""
    return b"".join(os.fsencode(name) + b"\0" for name in names)


def _read_names(data: bytes) -> list[str]:
    return [os.fsdecode(name) for name in data.split(b"\0")[:-1]]


def _put_back(folder: Path, out: Path) -> None:
    """Move the user's entries that a build carried into `folder` (a staging folder, or the site it replaced)
    back into `out`, where they were: the build did not get as far as putting its site in place."""
    if _written(folder) is None or not out.is_dir():
        return
    for entry in _yours(folder):
        if not os.path.lexists(out / entry.name):
            os.rename(entry, out / entry.name)


def _yours(folder: Path) -> list[Path]:
    """Return the entries at the top of a site's folder that no build wrote, the user's own (a `.git` folder, a
    `CNAME` file). Where the marker does not list what was written, the hidden ones are taken for the user's."""
    written = _written(folder)
    if written is None:
        return [entry for entry in _entries(folder) if entry.name.startswith(".")]
    return [entry for entry in _entries(folder) if entry.name not in written]


def _clash(out: Path, name: str) -> Problem:
    return Problem(
        str(out / name),
        None,
        "no build wrote this, so it is kept as yours, but the site now has a file or folder of this name; "
        "move yours elsewhere",
    )


def _failed(out: Path, error: OSError, doing: str) -> Problem:
    reason = error.strerror or str(error)  # the same for every page that failed, so said once
    return Problem(str(out), None, f"could not {doing} the site: {reason}; the site that was there is left as it was")


def _through_links(out: Path) -> Path:
    """Return the folder `out` names, following a symbolic link (the link itself stays)."""
    if not out.is_symlink():
        return out
    try:
        return out.resolve(strict=False)
    except (OSError, RuntimeError):  # a link in a loop (RuntimeError before Python 3.13)
        problem = Problem(str(out), None, "the output is a link in a loop; remove the link, or pass another --out")
        raise BuildFailed([problem]) from None


def _lock(folder: Path, out: Path) -> int | None:
    """Take the lock on `folder` that one build at a time holds while it writes there; wait for it if need be.

    The lock is on the folder the output is swapped in (its parent, or itself when it is a mount point), so
    builds into folders side by side take turns too: the message says so, since the other build may be
    writing into a sibling of `out`."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        where = str(out) if folder == out else f"{folder} (into {out.name} or a folder beside it)"
        print(f"Another build is writing in {where}; waiting for it to finish...", file=sys.stderr, flush=True)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def _entries(folder: Path) -> list[Path]:
    """Return what a folder holds, but its marker and a build's staging or retired folder inside it (when it
    is a mount point): nothing else counts as ours, whatever its name (`.h.notes` in `h/` is a user's)."""
    return [path for path in folder.iterdir() if not _ours(path, folder)]


def _ours(path: Path, folder: Path) -> bool:
    """Return True for `folder`'s marker, or a folder of a build's own inside it (see `_recover`)."""
    if path.name == MARKER:
        return True
    if not path.name.startswith((f".{folder.name}.new-", f".{folder.name}.old-")) or path.is_symlink():
        return False
    return path.is_dir() and ((path / MARKER).is_file() or (path / STAGING).is_file() or not any(path.iterdir()))


def _recover(out: Path, mounted: bool) -> None:
    """Tidy up after a build that was killed while writing: restore the site, drop half-written copies.

    Only the folders a build of ours made are touched: a staging folder holds STAGING, a replaced site MARKER.
    Holding the lock, no other build is writing, so every such folder is a leftover.
    """
    where = out if mounted else out.parent
    if not where.is_dir():
        return
    prefix = f".{out.name}."
    leftovers = sorted(p for p in where.iterdir() if p.name.startswith((f"{prefix}old-", f"{prefix}new-")))
    ours = [f for f in leftovers if (f / MARKER).is_file() or (f / STAGING).is_file() or not any(f.iterdir())]
    for folder in ours:  # (a folder not ours is left alone)
        if folder.name.startswith(f"{prefix}old-") and not out.exists():
            os.rename(folder, out)  # killed between the two renames of a swap: the old site is the good one
    for folder in ours:
        if not folder.exists():
            continue
        if mounted and ((folder / MOVING_OUT).exists() or (folder / MOVING_IN).exists()):
            _roll_back(folder, out)  # killed while swapping the contents of a mount point
        else:
            _put_back(folder, out)  # the user's entries, on their way to the new site
        shutil.rmtree(folder, ignore_errors=True)  # a replaced site may be being removed in the background


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2); return False where that cannot be done."""
    import ctypes  # here: only a build replacing a site needs it, and it takes a few milliseconds to load

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd = -100
    result = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # the file system cannot: fall back to two renames
    raise OSError(code, os.strerror(code), str(second))


def _swap(staging: Path, out: Path, later: bool = False) -> None:
    """Put `staging` in place of `out`; the old folder goes only once the new one is in (`later`: in the
    background, since removing thousands of files takes as long as writing them)."""
    if not out.exists():
        os.rename(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    if _exchange(staging, out):
        os.rename(staging, retired)  # the old site, now under the staging name
    else:
        os.rename(out, retired)
        try:
            os.rename(staging, out)
        except OSError:
            os.rename(retired, out)
            raise
    _remove(retired, later)


MOVING_OUT = ".counterpoint-moving-out"
MOVING_IN = ".counterpoint-moving-in"
"""Which half of a swap of contents was under way, so a killed swap can be rolled back to the old site."""
KEPT = ".counterpoint-kept"
"""In a replaced site's folder inside a mount point: the names of the user's entries, which stayed put."""
OLD_MARKER = ".counterpoint-old-marker"
"""In a replaced site's folder inside a mount point: the old site's marker, which a rollback puts back."""


def _swap_contents(staging: Path, out: Path, kept: Collection[str] = ()) -> None:
    """Put the contents of `staging` (a folder inside `out`) in place of the rest of `out`'s contents, but for
    the entries named `kept` (the user's), which stay where they are.

    Not one step, but each move is noted, and `_recover` rolls a killed swap back to the old site.
    """
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out))
    (retired / MARKER).write_text("Replaced by a build; the next build removes this folder.\n")
    (retired / KEPT).write_bytes(_names(sorted(kept)))
    (retired / MOVING_OUT).touch()
    if (out / MARKER).is_file():  # the old site's marker: a rollback puts it back with the site it describes
        os.rename(out / MARKER, retired / OLD_MARKER)
    for entry in _entries(out):
        if entry.name not in kept:
            os.rename(entry, retired / entry.name)
    (retired / MOVING_IN).touch()
    (retired / MOVING_OUT).unlink()
    # The marker last: until the very end, what is left of the staging folder is known as ours.
    for entry in sorted(staging.iterdir(), key=lambda entry: entry.name == MARKER):
        os.rename(entry, out / entry.name)
    (retired / MOVING_IN).unlink()
    staging.rmdir()
    _remove(retired, later=False)


def _roll_back(retired: Path, out: Path) -> None:
    """Undo a swap of contents that was killed: put the old site's entries back where they were."""
    try:
        kept = set(_read_names((retired / KEPT).read_bytes()))
    except OSError:
        kept = set()
    if (retired / MOVING_IN).exists():  # the old site is all out: what stands in `out` is part of the new one
        for entry in _entries(out):
            if entry.name not in kept:
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for entry in retired.iterdir():
        if entry.name == OLD_MARKER:
            os.replace(entry, out / MARKER)
        elif entry.name not in (MARKER, MOVING_IN, MOVING_OUT, KEPT):
            os.rename(entry, out / entry.name)


def _remove(folder: Path, later: bool) -> None:
    if later and shutil.which("rm"):
        # A process of its own, not waited for; if it dies, the next build's _recover removes what is left.
        with contextlib.suppress(OSError):
            os.posix_spawnp("rm", ["rm", "-rf", "--", str(folder)], dict(os.environ), setsid=True)
            return
    shutil.rmtree(folder, ignore_errors=True)
