"""The command line: `python build.py [build] [options]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from counterpoint.errors import BuildFailed, in_order
from counterpoint.pipeline import build, check


@dataclass(frozen=True)
class Options:
    """The options of a command, with their defaults filled in."""

    command: str
    """`build`, `serve`, `check` or `cite`."""
    words: str
    """The words `cite` looks for."""
    folder: Path | None
    """The folder `new` writes to."""
    prog: str
    """How the command is called (`build.py`, `counterpoint`), for the hints it prints."""
    imported: tuple[str, str, str, bool, bool] | None
    """`import`'s FILE, --slug, --perspective, --excerpt and --force."""
    site: Path
    """Folder holding site.yaml, content/ and templates/."""
    out: Path
    """Folder the site is written to."""
    templates: Path
    """Folder of templates and assets overriding the built-in theme's (it need not exist)."""
    strict: bool
    """Treat warnings as errors."""
    quiet: bool
    """Print nothing but problems."""
    search: bool
    """Index the site for search (with Pagefind), and give its pages the search box."""
    jobs: int | None
    """How many processes a build may use; None: one per core this process may use."""
    host: str
    """Address the preview server listens on."""
    port: int
    """Port the preview server listens on."""
    open: bool
    """Open the preview in a browser."""
    allow_hosts: tuple[str, ...]
    """Other names the preview answers to, besides the address it listens on and localhost."""


def make_parser(prog: str = "build.py") -> argparse.ArgumentParser:
    """Return the argument parser, which documents every command and option."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build a two-perspectives explainer from site.yaml, content/ and templates/ into a static site.",
        epilog="With no command, 'build' runs. Problems are reported as FILE:LINE: message, and the exit status is 1.",
    )
    _add_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_options(commands.add_parser("build", help="build the site into the output folder (the default command)"))
    serve = commands.add_parser(
        "serve",
        help="preview the site, rebuilding and reloading the browser on every save",
        description="Build the site, serve it from memory (output/ is not touched), and rebuild and reload "
        "the browser whenever site.yaml, content/ or templates/ change. Build errors show in the browser.",
    )
    _add_options(serve, writes=False, jobs=False)
    check = commands.add_parser(
        "check",
        help="build into a temporary folder and run every check, leaving output/ alone (for CI or a pre-commit hook)",
        description="Build the site strictly (warnings are errors) into a temporary folder, check every citation, "
        "quotation, link and anchor, and exit 1 on any problem. output/ is not touched.",
    )
    _add_options(check, writes=False, strict=False)
    new = commands.add_parser(
        "new",
        help="write a sample explainer to start from into a new or empty folder",
        description="Write a ready-to-build explainer into DIR: a commented site.yaml with two perspectives, a "
        "sample article for each, a topic using every citation form, and an about page. It builds with --strict "
        "as it is, with the built-in theme. DIR must be new or empty.",
    )
    new.add_argument("folder", type=Path, metavar="DIR", help="the folder to create")
    imports = commands.add_parser(
        "import",
        help="turn a saved web page (.html), a text file (.txt) or standard input (-) into a source article",
        description="Write content/articles/SLUG.md from FILE: a saved web page (its article extracted, every "
        "paragraph, heading, list item and block quote verbatim, the page's chrome dropped, the front matter "
        "filled from what the page says about itself), a text file of one paragraph per line, or - for standard "
        "input. The import checks itself against the page's article container and names every block it dropped.",
    )
    imports.add_argument("file", metavar="FILE", help="the saved page or text file, or - for standard input")
    imports.add_argument(
        "--site", type=Path, default=argparse.SUPPRESS, metavar="DIR", help="the site folder (default: here)"
    )
    imports.add_argument("--slug", required=True, help="the article's slug: its file name and how it is cited")
    imports.add_argument("--perspective", required=True, metavar="ID", help="the perspective it argues")
    imports.add_argument("--excerpt", action="store_true", help="the text is part of a longer article")
    imports.add_argument("--force", action="store_true", help="replace an existing article of that slug")
    cite = commands.add_parser(
        "cite",
        help='find words in the sources and print the citation to paste, e.g. cite "charting a new path"',
        description="Find the words in the sources as the build matches quotes (curly or straight quotes, dashes "
        "and spacing forgiven; an ellipsis for a gap) and print the citation to paste. Words in several "
        "paragraphs are listed; words in none are shown against the closest passage (exit status 1).",
    )
    cite.add_argument("words", nargs="+", help="the words to find (quote them in the shell)")
    cite.add_argument(
        "--site", type=Path, default=argparse.SUPPRESS, metavar="DIR", help="the site folder (default: here)"
    )
    serve.add_argument("--host", default=argparse.SUPPRESS, help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=argparse.SUPPRESS, help="port to listen on (default: 8000)")
    serve.add_argument("--open", action="store_true", default=argparse.SUPPRESS, help="open the site in a browser")
    serve.add_argument(
        "--allow-host",
        action="append",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help="also answer requests addressed to NAME (the preview answers only to the address it listens on and "
        "to localhost, so that other web pages cannot read it); repeat for several",
    )
    return parser


def _add_options(parser: argparse.ArgumentParser, writes: bool = True, strict: bool = True, jobs: bool = True) -> None:
    """Add the options shared by the commands: `writes` for those writing output/, `strict` for those with a
    choice, `jobs` for those building in several processes."""
    # SUPPRESS, so an option given before the command is not reset by the command's parser.
    add = parser.add_argument
    add(
        "--site",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="folder holding site.yaml, content/ and templates/ (default: the current folder)",
    )
    if writes:
        add(
            "--out",
            type=Path,
            default=argparse.SUPPRESS,
            metavar="DIR",
            help="folder to write the site to (default: output/ in the site folder)",
        )
    add(
        "--templates",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="folder of Jinja templates and assets/ that replace the built-in theme's, file by file "
        "(default: templates/ in the site folder, if there is one)",
    )
    if strict:
        add("--strict", action="store_true", default=argparse.SUPPRESS, help="treat warnings as errors")
    if jobs:
        add(
            "-j",
            "--jobs",
            type=_jobs,
            default=argparse.SUPPRESS,
            metavar="N",
            help="build in at most N processes (default: one per core this process may use, within a "
            "container's CPU quota); large sites only, a small one builds in one",
        )
    if writes:
        add("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print nothing but problems")
        add(
            "--no-search",
            action="store_true",
            default=argparse.SUPPRESS,
            help="build without the search index and the search box (search is on whenever Pagefind is installed)",
        )


def _jobs(text: str) -> int:
    """Read a number of processes, 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes; give 1 or more, e.g. -j 2")
    return int(text)


def _port(text: str) -> int:
    """Read a TCP port number, 1 to 65535."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; give a number from 1 to 65535, e.g. 8001")
    return int(text)


def parse_options(argv: Sequence[str] | None, prog: str = "build.py") -> Options:
    """Parse the command line into Options with every default filled in."""
    args = vars(make_parser(prog).parse_args(argv))
    site = args.get("site", Path("."))
    return Options(
        command=args.get("command") or "build",
        words=" ".join(args.get("words", ())),
        folder=args.get("folder"),
        imported=(args["file"], args["slug"], args["perspective"], args["excerpt"], args["force"])
        if args.get("command") == "import"
        else None,
        prog=prog,
        site=site,
        out=args.get("out", site / "output"),
        templates=args.get("templates", site / "templates"),
        strict=args.get("strict", False),
        quiet=args.get("quiet", False),
        search=not args.get("no_search", False),
        jobs=args.get("jobs"),
        host=args.get("host", "127.0.0.1"),
        port=args.get("port", 8000),
        open=args.get("open", False),
        allow_hosts=tuple(args.get("allow_host", ())),
    )


def _wrong_paths(options: Options, explicit_templates: bool) -> list[str]:
    """Say what is wrong with the folders given, before anything looks inside them."""
    site, templates = options.site, options.templates
    if site.is_file():
        if site.name == "site.yaml":
            return [f"{site}: --site takes the folder holding site.yaml, not the file; pass --site {site.parent}"]
        return [f"{site}: --site takes a folder (the one holding site.yaml), and this is a file"]
    if not site.exists():
        return [f"{site}: there is no such folder; pass --site with the folder holding site.yaml"]
    if explicit_templates and not templates.is_dir():
        what = "a file" if templates.exists() else "no such folder"
        return [f"{templates}: --templates takes a folder of templates, and this is {what}"]
    if options.command == "build":
        try:
            out = options.out.resolve()
        except (OSError, RuntimeError):  # a link in a loop, which writing the site reports
            return []
        for read, name in (
            (site / "content", "content/"),
            (templates, "the templates folder"),
            (site / "static", "static/"),
        ):
            if out.is_relative_to(read.resolve()):
                return [
                    f"{options.out}: --out is inside {name}, which the build reads: the site would be read back "
                    "in as input; pass --out with a folder outside it (by default, output/ in the site folder)"
                ]
    return []


def entry_point() -> None:
    """The `counterpoint` command that `pip install` makes: the same commands as `python build.py`."""
    sys.exit(main(prog="counterpoint"))


def main(argv: Sequence[str] | None = None, tidy_later: bool = False, prog: str = "build.py") -> int:
    """Run the command line; return the exit status.

    `tidy_later`: leave removing a replaced site to a background process (build.py, which exits at once).
    """
    options = parse_options(argv, prog)
    try:
        return _run(options, argv, tidy_later, prog)
    except KeyboardInterrupt:  # Ctrl-C: a build cleans up after itself on the way out, and the old site stays
        where = f"; {options.out} was left as it was" if options.command == "build" else ""
        print(f"Interrupted{where}.", file=sys.stderr)
        return 130


def _run(options: Options, argv: Sequence[str] | None, tidy_later: bool, prog: str) -> int:
    """Run the command `options` name."""
    if options.command == "new" and options.folder is not None:
        from counterpoint.scaffold import new

        return new(options.folder, "python build.py" if prog == "build.py" else prog)
    given = sys.argv[1:] if argv is None else argv
    wrong = _wrong_paths(options, explicit_templates=any(arg.startswith("--templates") for arg in given))
    if wrong:
        for message in wrong:
            print(message, file=sys.stderr)
        return 1
    if options.command == "import" and options.imported is not None:
        from counterpoint.importer import run as run_import

        return run_import(options.imported[0], options.site, *options.imported[1:])
    if options.command == "cite":
        from counterpoint.cite import run

        return run(options.words, options.site)
    if options.command == "serve":
        from counterpoint.serve import serve  # only the preview needs tornado and watchfiles

        return serve(
            options.site,
            options.templates,
            options.host,
            options.port,
            options.open,
            options.strict,
            options.allow_hosts,
        )
    try:
        if options.command == "check":
            result = check(options.site, options.templates, options.jobs)
        else:
            result = build(
                options.site,
                options.out,
                options.templates,
                strict=options.strict,
                jobs=options.jobs,
                tidy_later=tidy_later,
                search=options.search,
            )
    except BuildFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        count = len(failure.problems)
        noun = "error" if count == 1 else "errors"
        if options.command == "check":
            print(f"Check failed: {count} {noun}.", file=sys.stderr)
        else:
            print(f"Build failed: {count} {noun}; {options.out} was left as it was.", file=sys.stderr)
        return 1
    for warning in in_order(result.warnings):
        print(warning, file=sys.stderr)
    if options.quiet:
        return 0
    warnings = len(result.warnings)
    summary = (
        f"{result.pages} pages ({len(result.paths)} files), {result.citations} citations resolved, "
        f"{warnings} {'warning' if warnings == 1 else 'warnings'}, in {result.seconds:.2f} s"
    )
    if options.command == "check":
        print(f"Check passed: {summary}; every citation, quotation, link and anchor is sound")
    else:
        print(f"Built {summary} -> {options.out}")
    for note in result.notes:
        print(note, file=sys.stderr)
    return 0
