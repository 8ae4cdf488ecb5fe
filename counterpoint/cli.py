"""The command line: `python build.py [build|serve|check] [options]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from counterpoint.errors import BuildFailed
from counterpoint.pipeline import build


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser, which documents every command and option."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build a two-perspectives explainer from site.yaml, content/ and templates/ into a static site.",
        epilog="With no command, 'build' runs. Errors are reported as FILE:LINE: message; the exit status is 1.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build_cmd = commands.add_parser("build", help="build the site into the output folder (the default)")
    for command in (parser, build_cmd):
        _add_build_options(command)
    return parser


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="folder holding site.yaml, content/ and templates/ (default: the current folder)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder to write the site to (default: output/ in the site folder)",
    )
    parser.add_argument("--strict", action="store_true", default=argparse.SUPPRESS, help="treat warnings as errors")
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print nothing but problems"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = make_parser().parse_args(argv)
    site: Path = args.site
    out: Path = args.out if args.out is not None else site / "output"
    strict = getattr(args, "strict", False)
    quiet = getattr(args, "quiet", False)
    try:
        result = build(site, out, strict=strict)
    except BuildFailed as failure:
        for problem in failure.problems:
            print(f"{problem}", file=sys.stderr)
        count = len(failure.problems)
        print(
            f"Build failed: {count} {'error' if count == 1 else 'errors'}; {out} was left as it was.",
            file=sys.stderr,
        )
        return 1
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if not quiet:
        warnings = len(result.warnings)
        print(
            f"Built {result.pages} pages ({result.files} files), {result.citations} citations resolved, "
            f"{warnings} {'warning' if warnings == 1 else 'warnings'}, in {result.seconds:.2f} s -> {out}"
        )
    return 0
