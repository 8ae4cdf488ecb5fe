"""The quote matcher: typography forgiven, wording not."""

import pytest

from counterpoint.quotes import Passage, closest, find_in, locate, normalize, split_quote, text_fragment

SOURCE = "Chinese firms are not merely playing catch-up — they are forging their own paths."
PASSAGES = [
    Passage(1, "China’s AI landscape is its significant dependence on returning expatriates."),
    Passage(2, SOURCE),
    Passage(3, 'Zhang argued that China must transform from being a "follower" in innovation to an "originator".'),
    Passage(4, "The drive for rapid deployment. The drive for rapid deployment again."),
    Passage(5, "A second paragraph about the drive for rapid deployment."),
]


def test_normalize_folds_quotes_dashes_and_space_and_keeps_origins() -> None:
    folded = normalize("it’s  “new”\u00a0— yes")
    assert folded.text == 'it\'s "new" - yes'
    assert folded.origin[folded.text.index("-")] == "it’s  “new”\u00a0— yes".index("—")


@pytest.mark.parametrize(
    "quote",
    [
        "not merely playing catch-up — they",
        "not merely playing catch-up - they",
        "not merely playing catch-up -- they",
        "not merely playing catch–up – they",
        "not   merely\nplaying catch-up — they",
        "Not merely playing catch-up — they",
    ],
)
def test_forgives_typography(quote: str) -> None:
    assert [m.number for m in locate(quote, PASSAGES)] == [2]


def test_forgives_curly_for_straight_quotes_both_ways() -> None:
    assert [m.number for m in locate("from being a “follower” in innovation", PASSAGES)] == [3]
    assert [m.number for m in locate("China's AI landscape", PASSAGES)] == [1]


@pytest.mark.parametrize(
    "quote",
    [
        "not merely playing catchup",  # a letter differs
        "not merely playing catch-up, they",  # punctuation differs
        "NOT merely playing",  # case beyond the first letter
        "not merely PLAYING",
        "hinese firms",  # a quote may not start inside a word
        "are not merely play",  # nor end inside one
    ],
)
def test_does_not_forgive_wording(quote: str) -> None:
    assert locate(quote, PASSAGES) == []


def test_ellipsis_parts_must_appear_in_order_in_one_paragraph() -> None:
    assert [m.number for m in locate("Chinese firms … forging their own paths", PASSAGES)] == [2]
    assert [m.number for m in locate("Chinese firms ... forging their own paths", PASSAGES)] == [2]
    assert [m.number for m in locate("…playing catch-up…", PASSAGES)] == [2]
    assert locate("forging their own paths … Chinese firms", PASSAGES) == []
    assert locate("Chinese firms … returning expatriates", PASSAGES) == []


def test_split_quote_drops_empty_parts() -> None:
    assert split_quote("… a — b ... c …") == ("a - b", "c")


def test_match_spans_point_at_the_original_text() -> None:
    [match] = locate("firms are … forging", PASSAGES)
    assert [SOURCE[a:b] for a, b in match.spans] == ["firms are", "forging"]


def test_repeated_quote_is_found_in_every_paragraph_holding_it() -> None:
    assert [m.number for m in locate("the drive for rapid deployment", PASSAGES)] == [4, 5]


def test_find_in_returns_none_when_a_later_part_is_missing() -> None:
    assert find_in(SOURCE, ("Chinese firms", "nowhere")) is None


def test_closest_names_the_nearest_passage() -> None:
    assert closest("Chinese firms are merely playing ketchup", PASSAGES) == (2, "Chinese firms are not merely playing")
    assert closest("zzz qqq", PASSAGES) is None


def test_text_fragment_encodes_syntax_characters() -> None:
    [match] = locate("catch-up — they", PASSAGES)
    assert text_fragment(SOURCE, match.spans) == ":~:text=catch%2Dup%20%E2%80%94%20they"


def test_text_fragment_uses_start_and_end_for_long_or_split_quotes() -> None:
    [match] = locate("Chinese firms are not merely playing catch-up — they are forging", PASSAGES)
    assert text_fragment(SOURCE, match.spans) == ":~:text=Chinese%20firms%20are%20not,%E2%80%94%20they%20are%20forging"
    [match] = locate("Chinese firms … own paths", PASSAGES)
    assert text_fragment(SOURCE, match.spans) == ":~:text=Chinese%20firms,own%20paths"


CJK = Passage(1, "报道说，中国的科技公司“正在走自己的路”：这是一个新的阶段｡")


@pytest.mark.parametrize(
    "quote",
    [
        "中国的科技公司",  # inside a run of characters: Chinese puts no spaces between words
        "报道说,中国",  # a half-width comma for the source's full-width one
        "“正在走自己的路”:这是",  # a half-width colon
        "一个新的阶段。",  # the usual full stop for the source's half-width one
        '"正在走自己的路"',  # straight quotes for curly
    ],
)
def test_forgives_full_width_against_half_width_punctuation(quote: str) -> None:
    assert locate(quote, [CJK]), quote


def test_does_not_forgive_other_characters_in_cjk_text() -> None:
    assert not locate("中国的技术公司", [CJK])
    assert closest("中国的技术公司", [CJK]) is not None


def test_the_closest_passage_of_cjk_text_is_found_by_characters() -> None:
    assert closest("中国的技术公司", [CJK]) == (1, "中国的科技公司")
