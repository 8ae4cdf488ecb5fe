"""Generate a synthetic explainer of any size, and the same pages as plain Markdown, for benchmarks.

    from synthetic import make_plain, make_site
    site = make_site(Path("/tmp/site"), pages=1000)
    make_plain(Path("/tmp/plain"), site)

The shape follows the explainer measured in the scale issue: for N pages, (N - 4) // 3 sources, twice as many
topics, an about page, and the index, sources index and 404 pages. The text is pseudo-English drawn from a fixed
word list with a seeded random generator, so the same arguments always give the same bytes. Every citation form
of the README is used, and every quotation is copied from its source, so the site builds with `--strict`.
"""

from __future__ import annotations

import datetime
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from counterpoint.hedges import hedges_for


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    """Return the words of a word list written as one string."""
    return tuple(text.split(separator))


PERSPECTIVES = (
    ("optimist", "Optimist", "The change is working and its critics overstate the costs."),
    ("sceptic", "Sceptic", "The change costs more than it returns and its gains are overstated."),
)

_NOUNS = _words(
    "council budget market harbour railway village school hospital river bridge tax policy region farmer worker "
    "report survey museum library factory station street garden border treaty minister committee office province "
    "network archive pension tariff grant loan subsidy program clinic court ferry tunnel airport district county "
    "union charter census harvest forest coast valley canal mill engine cargo ledger record statute reform plan "
    "debate measure level price wage rent cost yield supply demand output income saving credit audit inquiry "
    "study trial method model sample figure estimate forecast trend pattern decade season winter summer journey "
    "citizen voter tenant owner trader builder teacher nurse doctor engineer clerk planner reader writer critic"
)
_ADJECTIVES = _words(
    "local regional national modest steady rapid careful broad narrow early late recent older newer public private "
    "rural urban northern southern eastern western formal informal direct indirect annual monthly shared separate "
    "common rare costly cheap heavy light clear uncertain visible hidden gradual sudden stable fragile open closed "
    "official independent previous following central outer quiet busy"
)
_VERBS = _words(
    "shapes follows raises lowers supports weakens measures records describes explains questions changes extends "
    "limits protects replaces improves delays funds reviews shows suggests reflects affects reduces increases "
    "restores divides connects tests reports covers favours ignores"
)
_HEDGES = hedges_for("en")
"""The qualifiers a quote may not start just after, nor an ellipsis cut out (the build warns of both)."""
_ADVERBS = _words("slowly quickly rarely often quietly openly partly largely mostly barely steadily sharply")
_PREPOSITIONS = _words("of in across near under beyond within along after before during against between")
_DETERMINERS = _words("the the the a each every another this that its their one")
_OUTLETS = _words(
    "Harbour Review,Valley Courier,Northern Ledger,County Gazette,Civic Monthly,Coastal Herald,Plain Dealer Weekly,"
    "Market Observer,Railway Times,Border Post,Provincial Record,Evening Standard Digest",
    ",",
)
_GIVEN = _words(
    "Ada Basil Clara Dev Elena Farid Greta Hugo Iris Jonas Kira Luca Mina Noor Omar Petra Rosa Sami Tara Uma"
)
_FAMILY = _words("Adler Brandt Castro Dunn Ekman Flores Grant Haddad Ito Jansen Kowal Lind Moreau Nagy Okafor Perez")


@dataclass(frozen=True)
class SyntheticSite:
    """Where a synthetic explainer was written, how big it is, and which files a rebuild benchmark edits."""

    folder: Path
    """The site folder: site.yaml and content/."""
    pages: int
    """HTML pages the build writes: index, sources index, 404, about, one per source and one per topic."""
    sources: int
    topics: int
    citations: int
    """Citation references in the topics (a bracket with two references counts two)."""
    words: int
    """Words in the topics and sources, citations included."""
    edit_topic: Path
    """A topic to edit; its last section is `## Context`, so text appended to the file lands there."""
    edit_article: Path
    """An article to edit; appending a paragraph to it changes no quoted paragraph."""
    edit_citation: str
    """A valid reference for an appended sentence, e.g. `@source-0001 ¶2`."""
    seed: int


@dataclass(frozen=True)
class _Ref:
    """One reference inside a citation bracket."""

    slug: str
    first: int | None = None
    last: int | None = None
    quote: str | None = None
    number: int | None = None
    """The paragraph holding `quote` (for the plain copy's link) when `first` is not given."""


@dataclass(frozen=True)
class _Cite:
    """A citation marker: one bracket of references, or a pull quote on its own line."""

    refs: tuple[_Ref, ...]
    pull: bool = False


@dataclass
class _Source:
    """One generated article: its front matter and its numbered blocks."""

    slug: str
    title: str
    outlet: str
    perspective: str
    excerpt: bool
    published: datetime.date
    author: str
    blocks: list[tuple[str, str]] = field(default_factory=list)
    """(kind, plain text) per block, ¶1 first; kind is p, h, li or q."""

    def paragraphs(self) -> list[int]:
        """Return the numbers of the plain paragraph blocks."""
        return [number for number, (kind, _) in enumerate(self.blocks, 1) if kind == "p"]

    def text(self, number: int) -> str:
        """Return the plain text of ¶number."""
        return self.blocks[number - 1][1]


# A topic is a list of (heading or None, blocks); a block is a list of segments, strings and citations.
_Block = list[str | _Cite]
_Section = tuple[str | None, list[_Block]]


@dataclass
class _Topic:
    slug: str
    title: str
    question: str
    summary: str
    sections: list[_Section]


@dataclass(frozen=True)
class _Model:
    title: str
    sources: list[_Source]
    topics: list[_Topic]


def make_site(folder: Path, pages: int, seed: int = 0) -> SyntheticSite:
    """Write a synthetic explainer of about `pages` HTML pages into `folder` and describe it."""
    model = _generate(pages, seed)
    content = folder / "content"
    for sub in ("articles", "topics", "pages"):
        (content / sub).mkdir(parents=True, exist_ok=True)
    (folder / "site.yaml").write_text(_site_yaml(model), encoding="utf-8")
    for source in model.sources:
        (content / "articles" / f"{source.slug}.md").write_text(_article_md(source), encoding="utf-8")
    for topic in model.topics:
        (content / "topics" / f"{topic.slug}.md").write_text(_topic_md(topic), encoding="utf-8")
    first = model.sources[0]
    (content / "pages" / "about.md").write_text(
        "---\ntitle: About this explainer\ndescription: How this synthetic explainer was made.\n---\n\n"
        f"This explainer is generated for benchmarks; its first source is the {first.outlet} piece [@{first.slug}].\n",
        encoding="utf-8",
    )
    edit_topic = model.topics[len(model.topics) // 2]
    cited = _cited_slugs(edit_topic)[0]
    citations = sum(len(c.refs) for t in model.topics for c in _citations(t))
    words = sum(len(_topic_md(t).split()) for t in model.topics) + sum(
        len(text.split()) for s in model.sources for _, text in s.blocks
    )
    return SyntheticSite(
        folder=folder,
        pages=3 * len(model.sources) + 4,
        sources=len(model.sources),
        topics=len(model.topics),
        citations=citations,
        words=words,
        edit_topic=content / "topics" / f"{edit_topic.slug}.md",
        edit_article=content / "articles" / f"{model.sources[len(model.sources) // 2].slug}.md",
        edit_citation=f"@{cited} ¶2",
        seed=seed,
    )


def make_plain(folder: Path, site: SyntheticSite) -> int:
    """Write the same topics and sources as plain Markdown (title-only front matter) and return the file count."""
    # Regenerated from the seed rather than carried in SyntheticSite, which stays small and printable.
    model = _generate(site.pages, site.seed)
    outlets = {source.slug: source for source in model.sources}
    (folder / "topics").mkdir(parents=True, exist_ok=True)
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    for source in model.sources:
        body = _blocks_md(source.blocks)
        (folder / "sources" / f"{source.slug}.md").write_text(_title_only(source.title) + body, encoding="utf-8")
    for topic in model.topics:
        counter = [0]
        lines = [_title_only(topic.title)]
        for heading, blocks in topic.sections:
            if heading:
                lines.append(f"## {heading}\n\n")
            lines.extend(_render_block(block, counter, outlets) + "\n\n" for block in blocks)
        (folder / "topics" / f"{topic.slug}.md").write_text("".join(lines).rstrip() + "\n", encoding="utf-8")
    return len(model.sources) + len(model.topics)


def _generate(pages: int, seed: int) -> _Model:
    """Build the whole explainer in memory, deterministically from `pages` and `seed`."""
    count = (pages - 4) // 3
    if count < 2:
        raise ValueError(f"a synthetic site needs at least 10 pages (two sources, one per perspective), not {pages}")
    rng = random.Random(seed)
    sources = [_make_source(rng, index) for index in range(count)]
    by_side: dict[str, list[_Source]] = {pid: [] for pid, _, _ in PERSPECTIVES}
    for source in sources:
        by_side[source.perspective].append(source)
    topics = [_make_topic(rng, index, sources, by_side) for index in range(2 * count)]
    return _Model(title="Does the reform work? A synthetic explainer", sources=sources, topics=topics)


def _sentence(rng: random.Random) -> str:
    """Return one sentence of plausible pseudo-English, capitalised and ending with a full stop."""
    noun, adj, verb = rng.choice, rng.choice, rng.choice
    pattern = rng.randrange(5)
    if pattern == 0:
        words = f"{rng.choice(_DETERMINERS)} {adj(_ADJECTIVES)} {noun(_NOUNS)} {verb(_VERBS)} the {noun(_NOUNS)} "
        words += f"{rng.choice(_PREPOSITIONS)} {rng.choice(_DETERMINERS)} {adj(_ADJECTIVES)} {noun(_NOUNS)}"
    elif pattern == 1:
        words = f"{rng.choice(_DETERMINERS)} {noun(_NOUNS)} {rng.choice(_ADVERBS)} {verb(_VERBS)} the "
        words += f"{adj(_ADJECTIVES)} {noun(_NOUNS)}, and the {noun(_NOUNS)} {verb(_VERBS)} its {noun(_NOUNS)}"
    elif pattern == 2:
        words = f"{rng.choice(_PREPOSITIONS)} the {adj(_ADJECTIVES)} {noun(_NOUNS)}, {rng.choice(_DETERMINERS)} "
        words += f"{noun(_NOUNS)} {verb(_VERBS)} {rng.choice(_DETERMINERS)} {noun(_NOUNS)} {rng.choice(_ADVERBS)}"
    elif pattern == 3:
        words = f"the {noun(_NOUNS)} {verb(_VERBS)} {rng.choice(_DETERMINERS)} {adj(_ADJECTIVES)} {noun(_NOUNS)} "
        words += f"{rng.choice(_PREPOSITIONS)} the {noun(_NOUNS)} {rng.choice(_PREPOSITIONS)} {noun(_NOUNS)}"
    else:
        words = f"{rng.choice(_DETERMINERS)} {adj(_ADJECTIVES)} {noun(_NOUNS)} of {noun(_NOUNS)} "
        words += f"{rng.choice(_ADVERBS)} {verb(_VERBS)} the {noun(_NOUNS)} and the {adj(_ADJECTIVES)} {noun(_NOUNS)}"
    # "a" before a vowel reads as a typo, and the text should look like prose to a reader skimming it.
    words = re.sub(r"\ba (?=[aeiou])", "an ", words)
    return words[0].upper() + words[1:] + "."


def _paragraph(rng: random.Random, low: int, high: int) -> str:
    """Return sentences adding up to between `low` and `high` words (roughly: whole sentences are kept)."""
    target = rng.randint(low, high)
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < target:
        sentences.append(_sentence(rng))
    return " ".join(sentences)


def _phrase(rng: random.Random, words: int) -> str:
    """Return a short capitalised phrase without a full stop, for titles and headings."""
    adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
    if words >= 4:
        text = f"{adjective} {noun} {rng.choice(_PREPOSITIONS)} the {rng.choice(_NOUNS)}"
    elif words == 3:
        text = f"the {adjective} {noun}"
    else:
        text = f"{adjective} {noun}"
    return text[0].upper() + text[1:]


def _make_source(rng: random.Random, index: int) -> _Source:
    """Return article `index`: about 30 blocks, mostly paragraphs, two headings, a short list and a block quote."""
    side = PERSPECTIVES[index % 2][0]
    source = _Source(
        slug=f"source-{index + 1:04d}",
        title=f"{_phrase(rng, 5)}: {rng.choice(_NOUNS)} and {rng.choice(_NOUNS)}",
        outlet=rng.choice(_OUTLETS),
        perspective=side,
        excerpt=rng.random() < 0.3,
        published=datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(2000)),
        author=f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
    )
    total = rng.randint(28, 32)
    items = rng.randint(3, 4)
    paragraphs = total - 2 - items - 1
    # Where the non-paragraph blocks go, as counts of paragraphs before each.
    first, second, third = paragraphs // 4, paragraphs // 2, (3 * paragraphs) // 4
    kinds: list[str] = []
    for number in range(paragraphs):
        if number == first:
            kinds.append("h")
        if number == second:
            kinds.extend(["li"] * items)
        if number == third:
            kinds.extend(["q", "h"])
        kinds.append("p")
    for kind in kinds:
        if kind == "p":
            source.blocks.append(("p", _paragraph(rng, 40, 90)))
        elif kind == "h":
            source.blocks.append(("h", _phrase(rng, rng.randint(3, 5))))
        elif kind == "li":
            source.blocks.append(("li", _phrase(rng, rng.randint(3, 5)) + f" {rng.choice(_ADVERBS)}"))
        else:
            source.blocks.append(("q", _sentence(rng) + " " + _sentence(rng)))
    return source


def _unique_quote(rng: random.Random, source: _Source, number: int, low: int = 3, high: int = 8) -> str | None:
    """Return whole words from ¶number, within one sentence, that occur in no other block of the source."""
    sentences = [s.split() for s in source.text(number).split(". ")]
    others = [text.lower() for n, (_, text) in enumerate(source.blocks, 1) if n != number]
    for _ in range(20):
        words = rng.choice(sentences)
        size = rng.randint(low, min(high, len(words)))
        start = rng.randrange(len(words) - size + 1)
        quote = " ".join(words[start : start + size]).rstrip(".,")
        # A quote must be found in exactly one block; in its own once is enough, the matcher picks the paragraph.
        # Nor may it start just after a qualifier ("rarely"): the build would warn that it drops the hedge.
        hedged = start > 0 and words[start - 1].lower() in _HEDGES.qualifiers
        if len(quote.split()) >= low and not hedged and not any(quote.lower() in other for other in others):
            return quote
    return None


def _quote(rng: random.Random, source: _Source) -> tuple[int, str]:
    """Return a paragraph number and words occurring only in that paragraph of the source."""
    while True:
        number = rng.choice(source.paragraphs())
        quote = _unique_quote(rng, source, number)
        if quote:
            return number, quote


def _gapped_quote(rng: random.Random, source: _Source) -> tuple[int, str]:
    """Return a paragraph number and two runs of its words, in order, joined by an ellipsis."""
    while True:
        number = rng.choice(source.paragraphs())
        words = source.text(number).split()
        size = rng.randint(2, 4)
        start = rng.randrange(0, len(words) // 2 - size)
        later = rng.randrange(start + size + 2, len(words) - size)
        first = " ".join(words[start : start + size]).rstrip(".,")
        second = " ".join(words[later : later + size]).rstrip(".,")
        # Runs crossing a sentence's end are valid but read oddly; a gap cutting out a negation, or a quote
        # starting just after a qualifier, is warned of; draw again.
        cut = {w.strip(".,").lower() for w in words[start + size : later]} & _HEDGES.negations
        hedged = start > 0 and words[start - 1].lower() in _HEDGES.qualifiers
        if "." not in first + second and not cut and not hedged:
            return number, f"{first} … {second}"


def _make_topic(rng: random.Random, index: int, sources: list[_Source], by_side: dict[str, list[_Source]]) -> _Topic:
    """Return topic `index`: four sections, about 640 words, 15 to 25 citations in every form of the README."""
    own = sources[index % len(sources)]
    # Every source is some topic's own source (there are twice as many topics), and each side has at least two.
    sides: dict[str, list[_Source]] = {}
    for pid, _, _ in PERSPECTIVES:
        pool = [s for s in by_side[pid] if s is not own]
        picked = rng.sample(pool, min(2, len(pool))) if pool else []
        sides[pid] = ([own] if own.perspective == pid else []) + picked
        sides[pid] = sides[pid] or [own]
    side_a, side_b = (sides[pid] for pid, _, _ in PERSPECTIVES)

    def para(source: _Source) -> _Ref:
        return _Ref(source.slug, rng.choice(source.paragraphs()))

    def ranged(source: _Source) -> _Ref:
        first = rng.randrange(1, len(source.blocks) - 3)
        return _Ref(source.slug, first, first + rng.randint(1, 3))

    def quoted(source: _Source) -> _Ref:
        number, words = _quote(rng, source)
        return _Ref(source.slug, quote=words, number=number)

    def prose(source: _Source) -> list[str | _Cite]:
        number, words = _quote(rng, source)
        return [f'{source.outlet} puts it as "{words}" ', _Cite((_Ref(source.slug, number),)), "."]

    def fillers(pool: list[_Source], count: int) -> list[list[str | _Cite]]:
        out: list[list[str | _Cite]] = []
        for _ in range(count):
            source = rng.choice(pool)
            kind = rng.randrange(3)
            if kind == 0:
                out.append([_Cite((para(source),))])
            elif kind == 1:
                out.append([_Cite((quoted(source),))])
            else:
                out.append(prose(source))
        return out

    extra = rng.randint(0, 8)
    gap_number, gap_words = _gapped_quote(rng, side_a[0])
    a0 = side_a[0]
    cites_a: list[list[str | _Cite]] = [
        prose(a0),
        [_Cite((quoted(rng.choice(side_a)),))],
        [_Cite((_Ref(a0.slug, gap_number, quote=gap_words),))],
        *fillers(side_a, extra // 2),
    ]
    b0 = side_b[0]
    cites_b: list[list[str | _Cite]] = [
        [_Cite((para(b0),))],
        [_Cite((ranged(rng.choice(side_b)),))],
        prose(rng.choice(side_b)),
        *fillers(side_b, extra - extra // 2),
    ]
    pull_number = rng.choice(a0.paragraphs())
    pull_quote = quoted(rng.choice(side_b))
    sections: list[_Section] = [
        (None, [_prose_block(rng, 40, [[_Cite((_Ref(a0.slug), _Ref(b0.slug)))]])]),
        (
            f"Perspective: {PERSPECTIVES[0][0]}",
            [
                *_spread(rng, 165, cites_a),
                [_Cite((_Ref(a0.slug, pull_number),), pull=True)],
            ],
        ),
        (
            f"Perspective: {PERSPECTIVES[1][0]}",
            [
                *_spread(rng, 165, cites_b),
                [_Cite((pull_quote,), pull=True)],
            ],
        ),
        ("Common ground", [_prose_block(rng, 80, [[_Cite((para(rng.choice(side_a)), para(rng.choice(side_b))))]])]),
        (
            "Context",
            _spread(
                rng,
                100,
                [
                    [_Cite((ranged(rng.choice(side_a + side_b)),))],
                    [_Cite((_Ref(rng.choice(side_b).slug),))],
                    [_Cite((para(rng.choice(side_a)),))],
                ],
            ),
        ),
    ]
    subject = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    return _Topic(
        slug=f"topic-{index + 1:04d}",
        title=f"The {subject} and the {rng.choice(_NOUNS)} ({index + 1})",  # numbered: two titles alike are warned of
        question=f"Does the reform change the {subject}?",
        summary=f"What each side says about the {subject}, and where they agree.",
        sections=sections,
    )


def _spread(rng: random.Random, words: int, cites: list[list[str | _Cite]]) -> list[_Block]:
    """Return paragraphs of about `words` words in all carrying `cites`, two or three per paragraph."""
    rng.shuffle(cites)
    groups: list[list[list[str | _Cite]]] = []
    while cites:
        take = rng.randint(2, 3)
        groups.append(cites[:take])
        cites = cites[take:]
    return [_prose_block(rng, words // len(groups), group) for group in groups]


def _prose_block(rng: random.Random, words: int, cites: list[list[str | _Cite]]) -> _Block:
    """Return one paragraph of about `words` words, each citation closing a sentence of its own."""
    block: _Block = []
    share = max(8, words // max(1, len(cites)))
    for cite in cites:
        text = _paragraph(rng, share - 8, share)
        if cite and isinstance(cite[0], _Cite):
            # A bare marker goes before the sentence's full stop, as an author would put it.
            block.extend([text[:-1] + " ", *cite, ". "])
        else:
            block.extend([text + " ", *cite, " "])
    return block


def _citations(topic: _Topic) -> list[_Cite]:
    """Return every citation of the topic, in order."""
    return [s for _, blocks in topic.sections for block in blocks for s in block if isinstance(s, _Cite)]


def _cited_slugs(topic: _Topic) -> list[str]:
    """Return the slugs the topic cites, first cited first."""
    return list(dict.fromkeys(ref.slug for cite in _citations(topic) for ref in cite.refs))


def _ref_md(ref: _Ref) -> str:
    """Return one reference in Counterpoint's syntax, without the brackets."""
    text = f"@{ref.slug}"
    if ref.first is not None:
        text += f" ¶{ref.first}" + (f"-{ref.last}" if ref.last is not None else "")
    if ref.quote is not None:
        text += f' "{ref.quote}"'
    return text


def _render_block(block: _Block, counter: list[int] | None = None, sources: dict[str, _Source] | None = None) -> str:
    """Return a block as Counterpoint Markdown, or as plain Markdown with links when `counter` is given."""
    out: list[str] = []
    for segment in block:
        if isinstance(segment, str):
            out.append(segment)
        elif counter is None:
            out.append(("!" if segment.pull else "") + "[" + "; ".join(_ref_md(r) for r in segment.refs) + "]")
        elif segment.pull and sources is not None:
            ref = segment.refs[0]
            number = ref.first or ref.number or 1
            text = ref.quote or sources[ref.slug].text(number)
            out.append(f"> {text}\n>\n> — [{sources[ref.slug].outlet}](/sources/{ref.slug}/#p{number})")
        else:
            links = []
            for ref in segment.refs:
                counter[0] += 1
                target = ref.first or ref.number
                links.append(f"[{counter[0]}](/sources/{ref.slug}/{f'#p{target}' if target else ''})")
            out.append(" ".join(links))
    return "".join(out).strip()


def _topic_md(topic: _Topic) -> str:
    """Return the topic file: front matter, then its sections, the Context section last."""
    lines = [
        "---\n",
        f"title: {json.dumps(topic.title)}\n",
        f"question: {json.dumps(topic.question)}\n",
        f"summary: {json.dumps(topic.summary)}\n",
        "---\n\n",
    ]
    for heading, blocks in topic.sections:
        if heading:
            lines.append(f"## {heading}\n\n")
        lines.extend(_render_block(block) + "\n\n" for block in blocks)
    return "".join(lines).rstrip() + "\n"


def _article_md(source: _Source) -> str:
    """Return the article file: front matter, then one Markdown block per numbered block."""
    front = [
        "---\n",
        f"title: {json.dumps(source.title)}\n",
        f"outlet: {json.dumps(source.outlet)}\n",
        f"perspective: {source.perspective}\n",
        f"excerpt: {'true' if source.excerpt else 'false'}\n",
        f"published: {source.published.isoformat()}\n",
        f"author: {json.dumps(source.author)}\n",
        f"url: https://example.org/{source.slug}\n",
        "---\n\n",
    ]
    return "".join(front) + _blocks_md(source.blocks)


def _blocks_md(blocks: list[tuple[str, str]]) -> str:
    """Return an article's blocks as Markdown; consecutive list items make one tight list."""
    out: list[str] = []
    for number, (kind, text) in enumerate(blocks):
        if kind == "li":
            # A blank line after the last item only: otherwise the next paragraph would continue the item.
            last = number + 1 == len(blocks) or blocks[number + 1][0] != "li"
            out.append(f"- {text}\n" + ("\n" if last else ""))
        elif kind == "h":
            out.append(f"## {text}\n\n")
        elif kind == "q":
            out.append(f"> {text}\n\n")
        else:
            out.append(f"{text}\n\n")
    return "".join(out).rstrip() + "\n"


def _title_only(title: str) -> str:
    """Return front matter holding only a title."""
    return f"---\ntitle: {json.dumps(title)}\n---\n\n"


def _site_yaml(model: _Model) -> str:
    """Return site.yaml: the question, both perspectives and every topic in order."""
    lines = [
        f"title: {json.dumps(model.title)}\n",
        'question: "Does the reform work?"\n',
        "description: A synthetic explainer generated for benchmarks.\n",
        "language: en\n",
        # Set, as for a site about to be deployed, so the build also writes sitemap.xml and robots.txt.
        "base_url: https://example.org/synthetic/\n",
        "perspectives:\n",
    ]
    for pid, label, summary in PERSPECTIVES:
        lines.append(f"  - id: {pid}\n    label: {label}\n    summary: {json.dumps(summary)}\n")
    lines.append("topics:\n")
    lines.extend(f"  - {topic.slug}\n" for topic in model.topics)
    return "".join(lines)
