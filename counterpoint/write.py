"""Write a rendered site atomically: all of it, or nothing changes.

The site is written to a temporary folder beside the output, then swapped in.
A folder that Counterpoint did not create is never replaced unless it is empty.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from counterpoint.errors import BuildFailed, Problem

MARKER = ".counterpoint-output"
"""A file in every output folder, so a later build knows it may replace the folder."""


def check_writable(out: Path) -> None:
    """Refuse an output folder that holds files Counterpoint did not write."""
    if out.exists() and not out.is_dir():
        raise BuildFailed([Problem(str(out), None, "the output path is a file, not a folder; pick another --out")])
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
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
    """A folder beside the output that a build writes into, then swaps in for the output in one step."""

    def __init__(self, out: Path, tidy_later: bool = False) -> None:
        self.out = out.absolute()
        self.tidy_later = tidy_later
        """Leave removing the replaced site to a process of its own, so this one can finish at once."""
        _recover(self.out)
        check_writable(self.out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
        # mkdtemp makes the folder private (0700); a web server must be able to read it.
        self.folder.chmod(0o777 & ~_umask())

    def write(self, name: str, data: bytes) -> None:
        """Write one file of the site (any process may: workers write their pages here)."""
        target = os.path.join(self.folder, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as file:
            file.write(data)

    def commit(self) -> None:
        """Put the staged site in place of the output."""
        (self.folder / MARKER).write_text("Built by Counterpoint; the next build replaces this folder.\n")
        _swap(self.folder, self.out, self.tidy_later)

    def discard(self) -> None:
        """Remove what is left of the staging folder (nothing, after a commit)."""
        if self.folder.exists():
            shutil.rmtree(self.folder)


def _recover(out: Path) -> None:
    """Tidy up after a build that was killed while writing: restore the site, drop half-written copies."""
    if not out.parent.is_dir():
        return
    leftovers = sorted(out.parent.glob(f".{out.name}.old-*")) + sorted(out.parent.glob(f".{out.name}.new-*"))
    for folder in leftovers:
        if not (folder / MARKER).is_file() and any(folder.iterdir()):
            continue  # not ours: leave it alone
        if folder.name.startswith(f".{out.name}.old-") and not out.exists():
            os.rename(folder, out)  # killed between the two renames of a swap: the old site is the good one
        else:
            shutil.rmtree(folder, ignore_errors=True)  # a replaced site may be being removed in the background


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _swap(staging: Path, out: Path, later: bool = False) -> None:
    """Put `staging` in place of `out`; the old folder goes only once the new one is in (`later`: in the
    background, since removing thousands of files takes as long as writing them)."""
    if not out.exists():
        os.rename(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    os.rename(out, retired)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(retired, out)
        raise
    if later and shutil.which("rm"):
        # A process of its own, not waited for; if it dies, the next build's _recover removes what is left.
        os.posix_spawnp("rm", ["rm", "-rf", "--", str(retired)], dict(os.environ), setsid=True)
    else:
        shutil.rmtree(retired)
