"""A markdown-it plugin for citations: `[@slug ¶4 "words"]` inline, `![@slug ¶4]` as a pull quote.

Parsing records every citation in `env["cite"]["uses"]`, with its line.
Rendering writes each citation as a placeholder naming its use (see
`placeholder`); once the build has resolved the citations against the sources
(see `xref`), rendering a page fills the placeholders in (see `render`). So the
plugin never needs the sources, and a document is parsed and rendered to HTML
once, whatever its citations turn out to point at.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from counterpoint.citesyntax import CiteSyntaxError, parse_citations
from counterpoint.model import CitationUse, CiteRef, WholeArticle

if TYPE_CHECKING:
    from markdown_it.renderer import RendererProtocol
    from markdown_it.utils import EnvType, OptionsDict


PLACEHOLDER = re.compile("\x00(\\d+)\x00")
"""A citation in rendered commentary: NUL, the use's index, NUL. markdown-it turns any NUL of the input into
U+FFFD, so no text of the author's can look like one."""


def placeholder(use: int) -> str:
    """Return the placeholder of citation use number `use`."""
    return f"\x00{use}\x00"


class CiteEnv(TypedDict):
    """Per-document state of the plugin, kept in markdown-it's `env`."""

    line_offset: int
    """Lines of the file before the Markdown body (front matter)."""
    uses: list[CitationUse]
    """Every citation in the document, in source order; tokens index it by `meta["use"]`."""


def new_env(line_offset: int = 0) -> dict[str, object]:
    """Return a fresh markdown-it env for one document."""
    state: CiteEnv = {"line_offset": line_offset, "uses": []}
    return {"cite": state}


def cite_state(env: EnvType) -> CiteEnv:
    """Return the plugin's state in `env`."""
    state: CiteEnv = env["cite"]
    return state


def citation_plugin(md: MarkdownIt) -> None:
    """Register the citation rules and renderers on `md`."""
    md.inline.ruler.before("link", "citation", citation_inline)
    md.block.ruler.before("paragraph", "pullquote", pullquote_block, {"alt": ["paragraph"]})
    md.core.ruler.after("inline", "citation_uses", collect_uses)
    md.add_render_rule("citation", render_citation)
    md.add_render_rule("pullquote", render_pullquote)


# -- rules ---------------------------------------------------------------------


def citation_inline(state: StateInline, silent: bool) -> bool:
    """Turn `[@...]` into a `citation` token (an error token if it is malformed)."""
    start = state.pos
    if not state.src.startswith("[@", start):
        return False
    refs, error, end = _read_bracket(state.src, start + 1, state.posMax)
    if start > 0 and state.src[start - 1] == "!" and error is None:
        error = "a pull quote `![@…]` stands alone on its own line, with a blank line before and after it"
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"refs": refs, "error": error, "pos": start}
        token.content = state.src[start:end]
    state.pos = end
    return True


def _read_bracket(src: str, start: int, stop: int) -> tuple[tuple[CiteRef, ...], str | None, int]:
    """Read from after `[` to the `]` that ends the citation, or report why there is none.

    The bracket ends at its first `]`, unless that `]` stands inside a quotation (`[@a "x ] y"]`): then it
    ends at the first `]` after the next closing quote mark. So at most two readings, whatever the input:
    the time taken grows with the text, not with its square.
    """
    close = src.find("]", start, stop)
    if close < 0:
        return (), "citation has no closing ']'; write it as `[@slug ¶4]`", stop
    try:
        return parse_citations(src[start:close]), None, close + 1
    except CiteSyntaxError as error:
        if not error.unclosed_quote:
            return (), str(error), close + 1
        first_error = str(error)
    quote_end = _CLOSING_QUOTE.search(src, close, stop)
    later = src.find("]", quote_end.end(), stop) if quote_end else -1
    if later >= 0:
        try:
            return parse_citations(src[start:later]), None, later + 1
        except CiteSyntaxError:
            pass
    return (), first_error, close + 1


_CLOSING_QUOTE = re.compile('["”]')


def pullquote_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Turn a line holding only `![@slug ...]` into a `pullquote` token."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[begin : state.eMarks[start_line]].rstrip()
    if not line.startswith("![@"):
        return False
    if silent:
        return True
    refs, error, end = _read_bracket(line, 2, len(line))
    if error is None and end != len(line):
        error = "a pull quote stands alone on its line: `![@slug ¶4]`"
    if error is None and len(refs) != 1:
        error = 'a pull quote quotes one source: `![@slug ¶4]` or `![@slug "words"]`'
    if error is None and isinstance(refs[0].locator, WholeArticle) and refs[0].quote is None:
        error = 'a pull quote needs a paragraph or a quote: `![@slug ¶4]` or `![@slug "words"]`'
    token = state.push("pullquote", "figure", 0)
    token.map = [start_line, start_line + 1]
    token.meta = {"refs": refs, "error": error, "pos": 0}
    token.content = line
    token.block = True
    state.line = start_line + 1
    return True


def collect_uses(state: StateCore) -> None:
    """Number every citation token and record it, with its line and its sentence, in the env."""
    cite = cite_state(state.env)
    rows = _rows(state.tokens) if any(token.type == "tr_open" for token in state.tokens) else {}
    for token in state.tokens:
        if token.type == "pullquote":
            _record(cite, token, token.map[0] if token.map else 0, block=True)
        elif token.type == "inline" and token.children:
            base = token.map[0] if token.map else 0
            in_link = 0
            sentences = _sentences(token.children)
            for index, child in enumerate(token.children):
                in_link += 1 if child.type == "link_open" else -1 if child.type == "link_close" else 0
                if child.type == "citation":
                    if in_link or _breaks_a_link(token.children, index):
                        child.meta["error"] = child.meta["error"] or _IN_LINK
                    _attach(token.children, index)
                    lines_before = token.content[: child.meta["pos"]].count("\n")
                    sentence = sentences[index] or rows.get(id(token), "")  # alone in a table's cell: its row
                    _record(cite, child, base + lines_before, block=False, sentence=sentence)
                elif child.type == "image":
                    for hidden in _citations_in(child.children or []):
                        hidden.meta["error"] = hidden.meta["error"] or _IN_IMAGE
                        _record(cite, hidden, base, block=False)


_IN_LINK = (
    "a citation inside a link's text breaks the link (a marker is a link itself); "
    "put it after the link, as in [the review](https://example.org/) [@slug ¶4]"
)


def _breaks_a_link(children: Sequence[Token], index: int) -> bool:
    """Return True if the citation at `index` stands where a link's text was (`[words [@x] more](url)`):
    markdown-it then makes no link, and the brackets and address would show as text."""
    after = children[index + 1] if index + 1 < len(children) else None
    if after is None or after.type != "text" or not _LINK_END.match(after.content):
        return False
    before = "".join(c.content for c in children[:index] if c.type == "text")
    return before.count("[") > before.count("]")


_LINK_END = re.compile(r"[^\[\]]*\]\(")


_IN_IMAGE = (
    "a citation inside an image's description would not be shown (the description is plain text); "
    "put it after the image, as in ![chart](chart.png) [@slug ¶4]"
)


def _citations_in(tokens: Sequence[Token]) -> list[Token]:
    """Return the citation tokens among `tokens` and their children, in order."""
    found: list[Token] = []
    for token in tokens:
        if token.type == "citation":
            found.append(token)
        found += _citations_in(token.children or [])
    return found


def _attach(children: list[Token], index: int) -> None:
    """Drop the space before a marker, so it sits against its word as in print: `words.[1]`."""
    before = children[index - 1] if index else None
    if before is not None and before.type == "text":
        before.content = before.content.rstrip(" ")


def _record(cite: CiteEnv, token: Token, line: int, block: bool, sentence: str = "") -> None:
    token.meta["use"] = len(cite["uses"])
    line_number = cite["line_offset"] + line + 1
    use = CitationUse(token.meta["refs"], line_number, block, token.content, token.meta["error"], sentence)
    cite["uses"].append(use)


_SENTENCE_END = re.compile(r"[.!?](?<!\b[A-Z].)[\"'”’)\]]*(?=\s+[^\sa-z]|\s*$)|[。！？]")
"""The end of a sentence: `.`, `!` or `?` (and closing quotes) before white space and a word that does not
start in lower case (not `e.g. this`, nor the initial of `A. Writer`), or CJK full stops. Not an ellipsis:
in commentary it stands inside quotations ("… breakthroughs — remains a challenge")."""


_ENDED = re.compile(r"[.!?。！？][\"'”’)\]]*$")


def _rows(tokens: Sequence[Token]) -> dict[int, str]:
    """Return the text of each table row (its cells' text, `a | b`), by the identity of each of its cells'
    inline tokens: a citation alone in a cell stands for what the row says."""
    rows: dict[int, str] = {}
    cells: list[Token] = []
    for token in tokens:
        if token.type == "tr_open":
            cells = []
        elif token.type == "inline" and token.children is not None:
            cells.append(token)
        elif token.type == "tr_close":
            text = " | ".join(t for t in (_plain(cell.children or []) for cell in cells) if t)
            rows.update((id(cell), text) for cell in cells)
    return rows


def _plain(children: Sequence[Token]) -> str:
    """Return the words of inline tokens, citations left out."""
    return "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()


def _sentences(children: Sequence[Token]) -> dict[int, str]:
    """Return the plain text of the sentence each citation among `children` stands in, by its index.

    A citation right after a sentence's end (`... said. [@a ¶1]`) belongs to that sentence."""
    text = ""
    at: dict[int, int] = {}
    for index, child in enumerate(children):
        if child.type == "citation":
            text = text.rstrip(" ")  # as the marker will stand: against its word (`_attach`)
            at[index] = len(text)
        elif child.type in ("text", "code_inline"):
            text += child.content
        elif child.type in ("softbreak", "hardbreak"):
            text += " "
    found: dict[int, str] = {}
    if not at:
        return found
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]  # once: a paragraph may hold many citations
    for index, pos in at.items():
        head = text[:pos].rstrip()
        if _ENDED.search(head, max(0, len(head) - 8)):  # right after a sentence's end: that sentence
            before = bisect.bisect_left(ends, len(head))
            found[index] = text[ends[before - 1] if before else 0 : len(head)].strip()
            continue
        after = bisect.bisect_right(ends, pos)
        start = ends[after - 1] if after else 0
        end = ends[after] if after < len(ends) else len(text)
        found[index] = text[start:end].strip()
    return found


# -- rendering -------------------------------------------------------------------


def render_citation(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render a citation bracket as the placeholder its markers will fill."""
    return placeholder(tokens[idx].meta["use"])


def render_pullquote(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render a pull quote as the placeholder its figure will fill."""
    return placeholder(tokens[idx].meta["use"])
