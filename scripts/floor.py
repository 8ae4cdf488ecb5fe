"""The bare-Python floor of a static site build: Markdown files in, one Jinja layout, HTML files out.

    python scripts/floor.py PLAIN_DIR OUT_DIR

For each PLAIN_DIR/**/*.md: split off the YAML front matter, render the body with markdown-it-py's CommonMark
parser, put it in one Jinja template, and write OUT_DIR/<path>/index.html. Nothing else (no citations, no
checks, no links between pages), so it measures what any Python generator pays for reading, parsing, templating
and writing. scripts/benchmark.py runs it as a fresh process, like a build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
</head>
<body>
<main>
<h1>{{ title }}</h1>
{{ body | safe }}
</main>
</body>
</html>
"""


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Return the YAML front matter of a Markdown file and its body."""
    if text.startswith("---\n"):
        header, _, body = text[4:].partition("\n---\n")
        return yaml.safe_load(header) or {}, body
    return {}, text


def main(plain: Path, out: Path) -> int:
    """Render every Markdown file under `plain` into `out` and return how many pages were written."""
    markdown = MarkdownIt("commonmark")
    template = jinja2.Environment(autoescape=True).from_string(LAYOUT)
    count = 0
    for path in sorted(plain.rglob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        html = template.render(title=meta.get("title", path.stem), body=markdown.render(body))
        target = out / path.relative_to(plain).with_suffix("") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
