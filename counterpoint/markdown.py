"""Markdown for sources and commentary: parsers, numbered blocks, topic sections."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from counterpoint.citations import citation_plugin, new_env
from counterpoint.errors import Problem
from counterpoint.model import Block, Document, PageMeta, Perspective, Section, TopicMeta


def make_parser(citations: bool) -> MarkdownIt:
    """Return a fresh CommonMark parser (with tables) for sources, or for commentary when `citations`.

    Commentary also gets typographic quotes and dashes; a source's text is never altered.
    """
    if not citations:
        return MarkdownIt("commonmark", {"html": False}).enable("table")
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    return md.enable(["table", "replacements", "smartquotes"]).use(citation_plugin)


def plain_text(tokens: Sequence[Token], code: bool = True) -> str:
    """Return the visible text of tokens: line breaks and block boundaries as spaces; inline code if `code`."""
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.append(" " + plain_text(token.children or [], code) + " ")
        elif token.type == "text" or (code and token.type == "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split()) if any(t.type == "inline" for t in tokens) else "".join(parts)


# -- source articles ---------------------------------------------------------------

_KINDS = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "blockquote_open": "blockquote",
    "list_item_open": "item",
}


def number_blocks(md: MarkdownIt, body: str, line_offset: int) -> tuple[Block, ...]:
    """Split an article's Markdown into numbered blocks, each rendered verbatim."""
    tokens = md.parse(body, {})
    _demote_headings(tokens, top=3)
    blocks: list[Block] = []
    for start, end, wrapper in _block_spans(tokens):
        opening = tokens[start]
        if opening.type == "hr":
            continue
        html = md.renderer.render(tokens[start:end], md.options, {})
        if wrapper:
            html = f"{wrapper[0]}\n{html}{wrapper[1]}\n"
        line = line_offset + (opening.map[0] if opening.map else 0) + 1
        kind = _KINDS.get(opening.type, "other")
        blocks.append(Block(len(blocks) + 1, kind, html, plain_text(tokens[start:end]).strip(), line))
    return tuple(blocks)


def _demote_headings(tokens: Sequence[Token], top: int) -> None:
    """Shift heading levels so the article's highest heading renders as `<h{top}>`."""
    levels = [int(t.tag[1]) for t in tokens if t.type in ("heading_open", "heading_close")]
    if not levels:
        return
    shift = top - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


def _block_spans(tokens: Sequence[Token]) -> list[tuple[int, int, tuple[str, str] | None]]:
    """Return (start, end, list wrapper) of each top-level block; list items count singly."""
    spans: list[tuple[int, int, tuple[str, str] | None]] = []
    index = 0
    while index < len(tokens):
        end = _close(tokens, index)
        opening = tokens[index]
        if opening.type in ("bullet_list_open", "ordered_list_open"):
            tag = opening.tag
            item = index + 1
            while item < end - 1:
                item_end = _close(tokens, item)
                start_attr = ""
                if tag == "ol":
                    start_attr = f' start="{tokens[item].info or 1}"'
                spans.append((item, item_end, (f"<{tag}{start_attr}>", f"</{tag}>")))
                item = item_end
        else:
            spans.append((index, end, None))
        index = end
    return spans


def _close(tokens: Sequence[Token], index: int) -> int:
    """Return the index just past the block that opens at `index`."""
    if tokens[index].nesting != 1:
        return index + 1
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position + 1
    return len(tokens)


# -- commentary --------------------------------------------------------------------

_PERSPECTIVE = re.compile(r"perspective\s*:\s*(?P<id>\S+)$", re.IGNORECASE)
_NAMED = {"common ground": "common", "context": "context"}


def parse_document(
    md: MarkdownIt,
    kind: str,
    slug: str,
    path: str,
    meta: TopicMeta | PageMeta,
    body: str,
    line_offset: int,
    perspectives: Sequence[Perspective],
) -> tuple[Document | None, list[Problem]]:
    """Parse a topic or page; a topic is split into its sections, in page order."""
    env = new_env(line_offset)
    tokens = md.parse(body, env)
    uses = tuple(env["cite"]["uses"])  # type: ignore[index]
    problems = _second_titles(tokens, path, line_offset)
    if isinstance(meta, PageMeta):
        section = Section("intro", tuple(tokens), line_offset + 1)
        document = Document(kind, slug, path, meta.title, (section,), uses, line_offset, page=meta)
        return (None, problems) if problems else (document, [])
    sections, found = _split_sections(tokens, path, line_offset, perspectives)
    problems += found
    problems += _check_perspectives(sections, meta, path, line_offset, perspectives)
    if problems:
        return None, problems
    order = ["intro", *(f"perspective:{p.id}" for p in perspectives), "common", "context"]
    ordered = tuple(sorted(sections.values(), key=lambda s: order.index(s.key)))
    return Document(kind, slug, path, meta.title, ordered, uses, line_offset, topic=meta), []


def _second_titles(tokens: Sequence[Token], path: str, line_offset: int) -> list[Problem]:
    """Refuse `# headings`: the page's one h1 is its title, from the front matter."""
    return [
        Problem(
            path,
            line_offset + (token.map or [0])[0] + 1,
            "a '# heading' would be a second title (the title comes from the front matter); use '##' or deeper",
        )
        for token in tokens
        if token.type == "heading_open" and token.tag == "h1"
    ]


def _split_sections(
    tokens: Sequence[Token], path: str, line_offset: int, perspectives: Sequence[Perspective]
) -> tuple[dict[str, Section], list[Problem]]:
    problems: list[Problem] = []
    sections: dict[str, Section] = {}
    key, start, line = "intro", 0, line_offset + 1
    index = 0
    while index <= len(tokens):
        at_end = index == len(tokens)
        token = tokens[index] if not at_end else None
        if at_end or (token is not None and token.type == "heading_open" and token.tag == "h2" and token.level == 0):
            content = tuple(tokens[start:index])
            if key != "intro" or content:
                sections[key] = Section(key, content, line)
            if at_end:
                break
            heading = tokens[index + 1].content.strip()
            line = line_offset + (tokens[index].map or [0])[0] + 1
            new_key, problem = _section_key(heading, perspectives)
            if problem:
                problems.append(Problem(path, line, problem))
            elif new_key in sections:
                problems.append(Problem(path, line, f"the section '## {heading}' appears twice; merge them"))
            key, start = new_key, index + 3
            index += 3
            continue
        index += 1
    return sections, problems


def _section_key(heading: str, perspectives: Sequence[Perspective]) -> tuple[str, str | None]:
    """Return the section key a `## heading` names, or why it names none."""
    ids = [p.id for p in perspectives]
    match = _PERSPECTIVE.match(heading)
    if match:
        if match["id"] in ids:
            return f"perspective:{match['id']}", None
        close = difflib.get_close_matches(match["id"], ids, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"site.yaml declares: {', '.join(ids)}"
        return "", f"unknown perspective '{match['id']}' in '## {heading}'; {hint}"
    if heading.lower() in _NAMED:
        return _NAMED[heading.lower()], None
    allowed = ", ".join([f"'## Perspective: {i}'" for i in ids] + ["'## Common ground'", "'## Context'"])
    return "", f"unknown section '## {heading}'; a topic's sections are {allowed} (use ### inside them)"


def _check_perspectives(
    sections: dict[str, Section],
    meta: TopicMeta,
    path: str,
    line_offset: int,
    perspectives: Sequence[Perspective],
) -> list[Problem]:
    """Require each perspective to have a section or a declared silence, not both."""
    problems = []
    ids = [p.id for p in perspectives]
    for pid in ids:
        section = sections.get(f"perspective:{pid}")
        if section and pid in meta.silent:
            problems.append(
                Problem(path, section.line, f"perspective '{pid}' has a section but is also declared silent; keep one")
            )
        elif not section and pid not in meta.silent:
            problems.append(
                Problem(
                    path,
                    line_offset + 1,
                    f"no section for perspective '{pid}'; add '## Perspective: {pid}', "
                    f"or declare it silent in the front matter: silent: {{{pid}: the reason}}",
                )
            )
    return problems
