"""`build.py new DIR`: a ready-to-build explainer to start from (the files of `starter/`)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

STARTER = Path(__file__).resolve().parent / "starter"
"""A commented site.yaml, a sample article per perspective, a topic using every citation form, an about page."""


def new(folder: Path, command: str) -> int:
    """Write the starter explainer into `folder` (new or empty); return the exit status."""
    if folder.exists() and not folder.is_dir():
        print(f"{folder}: this is a file; give a new or empty folder for the explainer", file=sys.stderr)
        return 1
    if folder.is_dir() and any(folder.iterdir()):
        message = "the folder is not empty; give a new or empty folder, so that nothing is overwritten"
        print(f"{folder}: {message}", file=sys.stderr)
        return 1
    try:
        shutil.copytree(STARTER, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    except OSError as error:
        print(f"{folder}: could not write the explainer ({error.strerror or error})", file=sys.stderr)
        return 1
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    print(f"Wrote a sample explainer to {folder}: {', '.join(files)}")
    print("Next:")
    print(f"  {command} serve --site {folder}     preview it, reloading on every save")
    print(f'  {command} cite "some words" --site {folder}   the citation for words of a source')
    print(f"  {command} --site {folder}           build it into {folder / 'output'}")
    print("Replace the sample articles in content/articles/ with your sources, verbatim, and write your topics.")
    return 0
