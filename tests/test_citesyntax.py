"""The citation syntax: every form, and the errors a person sees for a malformed one."""

import pytest

from counterpoint.citesyntax import CiteSyntaxError, parse_citations
from counterpoint.model import CiteRef, Paragraphs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@src", [CiteRef("src")]),
        ("@src ¶4", [CiteRef("src", Paragraphs(4, 4))]),
        ("@src p4", [CiteRef("src", Paragraphs(4, 4))]),
        ("@src, ¶4", [CiteRef("src", Paragraphs(4, 4))]),
        ("@src ¶4-6", [CiteRef("src", Paragraphs(4, 6))]),
        ("@src ¶4–6", [CiteRef("src", Paragraphs(4, 6))]),
        ('@src "some words"', [CiteRef("src", quote="some words")]),
        ("@src “curly words”", [CiteRef("src", quote="curly words")]),
        ('@src ¶2 "words"', [CiteRef("src", Paragraphs(2, 2), "words")]),
        ('@a ¶1; @b "x"', [CiteRef("a", Paragraphs(1, 1)), CiteRef("b", quote="x")]),
        ('@a "from being a "follower" in"', [CiteRef("a", quote='from being a "follower" in')]),
        ('@a "spread\n  over lines"', [CiteRef("a", quote="spread over lines")]),
    ],
)
def test_parses_each_form(text: str, expected: list[CiteRef]) -> None:
    assert list(parse_citations(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("src ¶4", "expected '@' and a source slug at 'src ¶4', as in `[@slug ¶4]`"),
        ("@src ¶6-4", "paragraph range ¶6-4 runs backwards; write ¶4-6"),
        ("@src ¶0", "paragraphs are numbered from ¶1, not ¶0"),
        ("@src ¶3-0", "paragraphs are numbered from ¶1, not ¶0"),  # not "write ¶0-3"
        (
            '@src ¶2 "footfall rose" extra',
            "unexpected 'extra' after the quote \"footfall rose\"; a citation ends with its quote "
            '(`[@slug ¶4 "words"]`), and another follows a `;` with its own @slug',
        ),
        ('@src "open', 'the quote "open has no closing quote mark'),
        ('@src ""', "the quote is empty; put the source's words between the quote marks"),
        (
            "@src page 4",
            "unexpected 'page 4' in citation; write `[@slug]`, `[@slug ¶4]`, `[@slug ¶4-6]` or "
            '`[@slug "quoted words"]`, separated by `;`',
        ),
    ],
)
def test_rejects_malformed_citations_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(CiteSyntaxError) as caught:
        parse_citations(text)
    assert str(caught.value) == message
