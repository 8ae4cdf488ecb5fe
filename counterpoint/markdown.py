"""Markdown for sources and commentary: parsers, numbered blocks, topic sections.

Tokens live only inside this module: a source leaves it as numbered blocks, a
commentary file as sections of HTML with citation placeholders.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from counterpoint.citations import PLACEHOLDER, citation_plugin, cite_state, new_env
from counterpoint.errors import Problem, clip
from counterpoint.model import (
    Block,
    BlockKind,
    Body,
    Common,
    Context,
    Intro,
    Label,
    Perspective,
    ProseQuote,
    Section,
    SectionKey,
    Side,
    TopicMeta,
)
from counterpoint.quotes import fold

NESTING = 20
"""How deep lists and quotes may nest (markdown-it's own limit): deeper text is reported, never dropped."""


def make_parser(citations: bool) -> MarkdownIt:
    """Return a fresh CommonMark parser (with tables) for sources, or for commentary when `citations`.

    Commentary also gets typographic quotes and dashes, and nothing else: markdown-it's other replacements
    change what the author wrote ("option (c)" into "option ©", "+-" into "±"). A source's text is never
    altered.
    """
    if not citations:
        # A source keeps every line: `[1]: https://...` is text of the article, not a link definition to drop.
        md = MarkdownIt("commonmark", {"html": False, "maxNesting": NESTING}).enable("table").disable("reference")
    else:
        md = MarkdownIt("commonmark", {"html": False, "typographer": True, "maxNesting": NESTING})
        md.enable(["table", "smartquotes"]).use(citation_plugin)
        md.core.ruler.before("smartquotes", "dashes", _dashes)
    _report_nesting(md)
    return md


_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", flags=re.MULTILINE)
_EN_DASH = re.compile(r"(^|\s)--(?=\s|$)", flags=re.MULTILINE)
_EN_DASH_BETWEEN = re.compile(r"(^|[^-\s])--(?=[^-\s]|$)", flags=re.MULTILINE)


def _dashes(state: StateCore) -> None:
    """Turn `---` into an em dash and `--` into an en dash in text (not in code, not in autolinks)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children or "--" not in token.content:
            continue
        autolink = 0
        for child in token.children:
            if child.type == "text" and not autolink and "--" in child.content:
                text = _EM_DASH.sub("\\1\u2014", child.content)
                child.content = _EN_DASH_BETWEEN.sub("\\1\u2013", _EN_DASH.sub("\\1\u2013", text))
            elif child.type == "link_open" and child.info == "auto":
                autolink += 1
            elif child.type == "link_close" and child.info == "auto":
                autolink -= 1


def _report_nesting(md: MarkdownIt) -> None:
    """Make the block parser note, in `env["too_deep"]`, the first line of text nested past its limit.

    markdown-it skips such text without a word ("not an ordinary situation"); a source must keep every
    word, and commentary must not lose a citation, so the build reports it instead.
    """
    tokenize = md.block.tokenize

    def checked(state: StateBlock, start_line: int, end_line: int) -> None:
        if state.level >= NESTING:
            line = state.skipEmptyLines(start_line)
            if line < end_line:
                state.env.setdefault("too_deep", []).append(line)
        tokenize(state, start_line, end_line)

    md.block.tokenize = checked  # type: ignore[method-assign,assignment]


def too_deep(env: dict[str, object], path: str, line_offset: int) -> list[Problem]:
    """Return a problem for the text the parse of `env` found nested too deeply."""
    lines = env.get("too_deep")
    if not isinstance(lines, list) or not lines:
        return []
    message = (
        f"lists or block quotes are nested more than {NESTING} deep here, and Markdown would drop this text; "
        "nest them less deeply"
    )
    return [Problem(path, line_offset + min(lines) + 1, message)]


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
    "paragraph_open": BlockKind.PARAGRAPH,
    "heading_open": BlockKind.HEADING,
    "blockquote_open": BlockKind.BLOCKQUOTE,
    "list_item_open": BlockKind.ITEM,
}


def number_blocks(
    md: MarkdownIt, body: str, line_offset: int, problems: list[Problem] | None = None, path: str = ""
) -> tuple[Block, ...]:
    """Split an article's Markdown into numbered blocks, each rendered verbatim; text that Markdown would
    drop is added to `problems`."""
    env: dict[str, object] = {}
    tokens = md.parse(body, env)
    if problems is not None:
        problems += too_deep(env, path, line_offset)
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
        kind = _KINDS.get(opening.type, BlockKind.OTHER)
        text = plain_text(tokens[start:end]).strip()
        folded = fold(text)
        folded = text if folded == text else folded  # most text has nothing to fold: keep one copy
        blocks.append(Block(len(blocks) + 1, kind, html, text, folded, line))
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
_NAMED: dict[str, SectionKey] = {"common ground": Common(), "context": Context()}
_PROSE_QUOTE = re.compile(
    r'(?:“|(?<![0-9])")([^“”"]{2,}?)[”"]'  # English, and straight quotes (after a digit, an inch mark)
    r"|«\s*([^«»]{2,}?)\s*»"  # French (with spaces inside), Arabic, Russian, Spanish, Italian ...
    r'|„([^„“”"]{2,}?)[“”]'  # German, Polish, Czech ...
    r"|»([^«»]{2,}?)«"  # German and Danish, reversed guillemets
    r"|「([^「」]{2,}?)」|『([^『』]{2,}?)』"  # Chinese and Japanese
)
"""Words in double quotation marks, as the languages write them (each the words of one group)."""


def parse_body(
    md: MarkdownIt,
    path: str,
    body: str,
    line_offset: int,
    topic: TopicMeta | None,
    perspectives: Sequence[Perspective],
) -> tuple[Body | None, list[Problem]]:
    """Parse a page, or a topic (given its `topic` front matter) split into its sections, in page order."""
    env = new_env(line_offset)
    tokens = md.parse(body, env)
    uses = tuple(cite_state(env)["uses"])
    quotes = tuple(_prose_quotes(tokens, line_offset))
    labels = tuple(_labels(tokens, line_offset))
    problems = _second_titles(tokens, path, line_offset) + too_deep(env, path, line_offset)
    problems += _citations_taken_for_definitions(env, path, line_offset)
    if topic is None:
        intro = (_section(md, Intro(), tokens, line_offset + 1),) if tokens else ()
        return (
            (None, problems)
            if problems
            else (Body(intro, uses, quotes, labels), _lookalikes(tokens, path, line_offset))
        )
    spans, found = _split_sections(tokens, path, line_offset, perspectives)
    problems += found
    problems += _check_perspectives(spans, topic, path, line_offset, perspectives)
    if problems:
        return None, problems
    order: list[SectionKey] = [Intro(), *(Side(p.id) for p in perspectives), Common(), Context()]
    ordered = sorted(spans.items(), key=lambda item: order.index(item[0]))
    sections = tuple(_section(md, key, part, line) for key, (part, line) in ordered)
    warnings = [
        Problem(
            path,
            section.line,
            f"the section '## Perspective: {section.key.perspective}' is empty, so its column would be; "
            "write what this side says, or declare it silent in the front matter",
            warning=True,
        )
        for section in sections
        if isinstance(section.key, Side) and not section.html.strip()
    ]
    return Body(sections, uses, quotes, labels), warnings + _lookalikes(tokens, path, line_offset)


def _citations_taken_for_definitions(env: dict[str, Any], path: str, line_offset: int) -> list[Problem]:
    """Refuse a line that Markdown took for a link definition whose label is a citation (`[@a ¶4]: text`): the
    line, citation and all, would be dropped from the page."""
    return [
        Problem(
            path,
            line_offset + found["map"][0] + 1,
            f"Markdown reads a line starting `[{label.lower()}]:` as a link definition and drops it from the "
            "page, citation and all; put words before the citation, or leave out the colon",
        )
        for label, found in env.get("references", {}).items()
        if label.startswith("@")
    ]


_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]:?")
"""A footnote's marker or note, as Pandoc writes them: `[^1]`, `[^1]: text`."""
_LOOKALIKE = re.compile(r"\[(?:[^\[\]]*\s)?@\s*[a-z0-9][a-z0-9-]*[^\[\]]*\]")
"""Brackets holding `@slug` that are no citation: `[ @a ¶2 ]`, `[see @a ¶2]`."""
_MAYBE_LOOKALIKE = re.compile(r"\[[^\[\]@]*\s@")
"""What the Markdown of such brackets holds (a citation, `[@`, has no space before its `@`)."""


_UNCLOSED = re.compile(r'(?<![0-9])"|[“”«»„「」『』]')
"""A double quotation mark left once the quotations are taken out: one without its other half (a straight one
after a digit is an inch)."""


def _unclosed(children: Sequence[Token], path: str, line: int) -> list[Problem]:
    """Warn of a quotation mark without its other half before the next citation (where `_prose_quotes` looks
    for a quotation), once per paragraph."""
    segment: list[Token] = []
    for child in [*children, None]:
        if child is not None and child.type != "citation":
            segment.append(child)
            continue
        text = plain_text(segment, code=False)
        segment = []
        quoted = [match.span() for match in _PROSE_QUOTE.finditer(text)]
        marks = (m for m in _UNCLOSED.finditer(text) if not any(a <= m.start() < b for a, b in quoted))
        mark = next(marks, None)
        if mark:
            after = clip(text[mark.start() :].strip(), 40)
            message = (
                f"the quotation mark {mark.group()} has no other half before the next citation ({after}), so the "
                "words it opens are not checked against the source; close the quotation before the citation, or "
                "use single quotes for words that quote no one"
            )
            return [Problem(path, line, message, warning=True)]
    return []


def _lookalikes(tokens: Sequence[Token], path: str, line_offset: int) -> list[Problem]:
    """Warn of text that looks like a citation but is none, and would be published as it is, citing nothing, and
    of a quotation mark without its other half, whose words would not be checked as a quotation."""
    warnings = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = line_offset + (token.map or [0])[0] + 1
        if _UNCLOSED.search(token.content):
            warnings += _unclosed(token.children, path, line)
        text = ""  # the paragraph's text, made when a warning may be due (most paragraphs need none)
        if "[^" in token.content:
            text = plain_text([c for c in token.children if c.type != "citation"], code=False)
            note = _FOOTNOTE.search(text)
            if note:
                message = (
                    f"`{clip(note.group(), 40)}` is a footnote in Pandoc's Markdown, which this Markdown has not: it "
                    "would be published as it stands; say it in the text instead"
                )
                warnings.append(Problem(path, line, message, warning=True))
        if not _MAYBE_LOOKALIKE.search(token.content):
            continue
        text = text or plain_text([c for c in token.children if c.type != "citation"], code=False)
        for found in _LOOKALIKE.finditer(text):
            warnings.append(
                Problem(
                    path,
                    line,
                    f"`{clip(found.group(), 60)}` looks like a citation but is none, and would be published as it "
                    "stands, citing nothing: a citation starts `[@` with no space, words before it go outside the "
                    "brackets (`see [@slug ¶2]`)",
                    warning=True,
                )
            )
    return warnings


def _section(md: MarkdownIt, key: SectionKey, tokens: Sequence[Token], line: int) -> Section:
    """Render a section's tokens to HTML with citation placeholders."""
    html = md.renderer.render(list(tokens), md.options, {})
    uses = tuple(int(use) for use in PLACEHOLDER.findall(html))
    return Section(key, html, uses, line)


def _prose_quotes(tokens: Sequence[Token], line_offset: int) -> list[ProseQuote]:
    """Find the double-quoted words of each paragraph, with the citation that follows them, if any. In a table,
    words quoted in one cell may be cited in a later cell of the same row (a claims table: the quote, then its
    source)."""
    quotes: list[ProseQuote] = []
    row: list[ProseQuote] = []  # the quotes of the table row so far that no citation followed yet
    for index, token in enumerate(tokens):
        if token.type == "tr_close":
            quotes += row
            row = []
        if token.type != "inline" or not token.children:
            continue
        line = line_offset + (token.map or [0])[0] + 1
        pending = ""
        for child in token.children:
            if child.type != "citation":
                pending += plain_text([child], code=False)  # `"..."` in code is syntax, not a quotation
                continue
            use = child.meta["use"]
            quotes += [dataclasses.replace(quote, use=use) for quote in row] + _quoted(pending, use, line)
            row, pending = [], ""
        in_a_cell = index > 0 and tokens[index - 1].type in ("td_open", "th_open")
        if in_a_cell:
            row += _quoted(pending, None, line)
        else:
            quotes += _quoted(pending, None, line)
    return quotes + row


def _quoted(text: str, use: int | None, line: int) -> list[ProseQuote]:
    """Return the double-quoted words of `text`, each with the word before it."""
    return [
        ProseQuote(
            next(words for words in match.groups() if words is not None), use, line, _last_word(text[: match.start()])
        )
        for match in _PROSE_QUOTE.finditer(text)
    ]


def _last_word(text: str) -> str:
    words = text.split()
    return words[-1].strip("(—–-,;:") if words else ""


_LABEL = re.compile(r"‘((?:[^‘’]|’(?=\w))+?)’(?!\w)")
"""Words in single quotation marks (after typographic quotes are applied); `’` before a letter is an
apostrophe (`China’s`), not the closing mark."""


def _labels(tokens: Sequence[Token], line_offset: int) -> list[Label]:
    """Find words of three or more in single quotation marks, with the citation that follows them, if any."""
    labels: list[Label] = []
    for token in tokens:
        if token.type != "inline" or not token.children or ("‘" not in token.content and "'" not in token.content):
            continue
        line = line_offset + (token.map or [0])[0] + 1
        pending: list[str] = []
        for child in [*token.children, None]:
            if child is not None and child.type != "citation":
                pending.append(plain_text([child], code=False))
                continue
            use = None if child is None else child.meta["use"]
            for match in _LABEL.finditer("".join(pending)):
                if len(match[1].split()) >= 3:
                    labels.append(Label(match[1], use, line))
            pending = []
    return labels


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
) -> tuple[dict[SectionKey, tuple[Sequence[Token], int]], list[Problem]]:
    """Return each section's tokens and heading line, by section."""
    problems: list[Problem] = []
    sections: dict[SectionKey, tuple[Sequence[Token], int]] = {}
    key: SectionKey | None = Intro()
    start, line = 0, line_offset + 1
    index = 0
    while index <= len(tokens):
        at_end = index == len(tokens)
        token = tokens[index] if not at_end else None
        if at_end or (token is not None and token.type == "heading_open" and token.tag == "h2" and token.level == 0):
            content = tokens[start:index]
            if key is not None and (key != Intro() or content):
                sections[key] = (content, line)
            if at_end:
                break
            heading = tokens[index + 1].content.strip()
            line = line_offset + (tokens[index].map or [0])[0] + 1
            new_key, problem = _section_key(heading, perspectives)
            if problem:
                problems.append(Problem(path, line, problem))
            elif new_key in sections:
                problems.append(Problem(path, line, f"the section '## {clip(heading)}' appears twice; merge them"))
            key, start = new_key, index + 3
            index += 3
            continue
        index += 1
    return sections, problems


def _section_key(heading: str, perspectives: Sequence[Perspective]) -> tuple[SectionKey | None, str | None]:
    """Return the section a `## heading` names, or why it names none."""
    ids = [p.id for p in perspectives]
    match = _PERSPECTIVE.match(heading)
    if match:
        if match["id"] in ids:
            return Side(match["id"]), None
        close = difflib.get_close_matches(match["id"], ids, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"site.yaml declares: {', '.join(ids)}"
        return None, f"unknown perspective '{clip(match['id'], 40)}' in '## {clip(heading)}'; {hint}"
    if heading.lower() in _NAMED:
        return _NAMED[heading.lower()], None
    allowed = ", ".join([f"'## Perspective: {i}'" for i in ids] + ["'## Common ground'", "'## Context'"])
    return None, f"unknown section '## {clip(heading)}'; a topic's sections are {allowed} (use ### inside them)"


def _check_perspectives(
    sections: dict[SectionKey, tuple[Sequence[Token], int]],
    meta: TopicMeta,
    path: str,
    line_offset: int,
    perspectives: Sequence[Perspective],
) -> list[Problem]:
    """Require each perspective to have a section or a declared silence, not both."""
    problems = []
    for perspective in perspectives:
        pid = perspective.id
        section = sections.get(Side(pid))
        silent = pid in meta.silent
        if section and silent:
            message = f"perspective '{pid}' has a section but is also declared silent; keep one"
            problems.append(Problem(path, section[1], message))
        elif not section and not silent:
            problems.append(
                Problem(
                    path,
                    line_offset + 1,
                    f"no section for perspective '{pid}'; add '## Perspective: {pid}', "
                    f"or declare it silent in the front matter: silent: {{{pid}: the reason}}",
                )
            )
    return problems
