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
    out = out.absolute()
    _recover(out)
    check_writable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    # mkdtemp makes the folder private (0700); a web server must be able to read it.
    staging.chmod(0o777 & ~_umask())
    try:
        for name in sorted(files):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[name])
        (staging / MARKER).write_text("Built by Counterpoint; the next build replaces this folder.\n")
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


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
            shutil.rmtree(folder)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` in place of `out`; the old folder goes only once the new one is in."""
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
    shutil.rmtree(retired)
