"""`build.py import FILE`: a source article from a saved web page, a text file, or standard input.

A web page's article is extracted with trafilatura (chosen over readability-lxml: on 38 real saved pages of
trafilatura's own test cache it missed 171 of 896 blocks of the pages' article containers, readability-lxml
207, and every block of one page). Extractors drop paragraphs without a word, so the import checks itself: it
reads the blocks of the page's article container and names each one it did not keep. The front matter comes
from what the page states about itself (its meta tags, JSON-LD, canonical link, headline), never from a
guess: a field the page does not give is left out and reported.

Pure but for `run`: `from_html` and `from_text` turn text into an `Imported`, `markdown` writes it.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from counterpoint.errors import clip
from counterpoint.inputs import InputReader
from counterpoint.loading import SLUG, load_config
from counterpoint.model import ArticleMeta


class Kind(enum.Enum):
    """What a block of the article is."""

    PARAGRAPH = "paragraph"
    HEADING = "heading"
    ITEM = "item"
    QUOTE = "quote"


@dataclass(frozen=True)
class Piece:
    """One block of the imported article, its text verbatim (white space runs made single)."""

    kind: Kind
    text: str
    number: int | None = None
    """An item's number in a numbered list (`<ol>`), which the page shows; None for any other block."""


@dataclass(frozen=True)
class Meta:
    """What the page says about itself; None where it says nothing."""

    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    published: datetime.date | None = None
    outlet: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Imported:
    """An article as imported, with the import's account of itself."""

    pieces: tuple[Piece, ...]
    meta: Meta
    dropped: tuple[str, ...] = ()
    """Blocks of the page's article container that the extraction did not keep."""
    chrome: dict[str, int] = field(default_factory=dict)
    """What the page held besides the article, by kind, as counted: `{"advertisement": 2}`."""
    how: str = ""
    """Where the text came from, for the front matter's notes."""


FIELDS = ("title", "subtitle", "author", "published", "outlet", "url")

# -- text files ---------------------------------------------------------------------------------


def from_text(text: str, name: str) -> Imported:
    """Read a text file of one paragraph per line; every non-empty line is kept, as it is."""
    pieces = tuple(Piece(Kind.PARAGRAPH, " ".join(line.split())) for line in text.splitlines() if line.strip())
    return Imported(pieces, Meta(), how=f"Imported from the text file {name}, one paragraph per line.")


# -- web pages ----------------------------------------------------------------------------------

_BLOCKS = ("p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dd", "dt")
_CHECKED = (*_BLOCKS, "aside", "figcaption")
"""What the check reads as blocks of the article container: a box or a caption inside the article (a footnote,
a fact box) may be its text, which the extractor tends to drop."""
_SEPARATE = (*_CHECKED, "br", "div", "section", "figure", "ul", "ol", "dl", "table", "tr", "td", "th")
"""Elements a browser shows apart from the text after them."""
_CHROME_TAGS = {"nav": "navigation", "aside": "aside", "footer": "footer", "form": "form"}
_CHROME_WORDS = (
    ("cookie|consent|gdpr", "cookie banner"),
    (r"\bads?\b|advert|sponsor|promo|dfp|banner-ad", "advertisement"),
    ("related|more-stories|recommend|read-next|also-read", "related links"),
    ("share|social|sharing", "share bar"),
    ("comment|disqus|respond|reply", "comments"),
    ("most-?read|most-?popular|popular|trending", "most-read list"),
    ("newsletter|subscribe|signup|sign-up", "newsletter box"),
    ("breadcrumb", "breadcrumbs"),
    (r"\bnav\b|navbar|menu|masthead", "navigation"),
    ("footer", "footer"),
    ("sidebar|widget", "sidebar"),
    (r"byline|dateline|\bauthor\b|\bauthors\b|article-meta|timestamp", "byline"),
)
_STANDFIRST = re.compile(r"standfirst|\bdek\b|\bdeck\b|sub-?title|sub-?head|strapline|\blede\b|article-summary", re.I)


def from_html(page: str, name: str) -> Imported:
    """Extract the article of a saved web page, with what the page says about itself, and check the result
    against the page's article container."""
    import trafilatura  # only `import` needs it, and it is slow to import
    from lxml import html as lxml_html  # type: ignore[import-untyped]

    document = lxml_html.document_fromstring(page)
    meta = _meta(document)
    _split_at_double_breaks(document)  # the extractor reads the page as a browser shows it
    page, stood_in = _for_extractor(document)
    for element in document.iter(*_SEPARATE):  # `text_content()` would join the words either side of them
        element.text, element.tail = " " + (element.text or ""), " " + (element.tail or "")
    extracted = trafilatura.extract(
        page, output_format="xml", favor_recall=True, include_comments=False, include_tables=True
    )
    pieces = list(_pieces(extracted or ""))
    if stood_in:  # the page's own spaces, back from their stand-ins
        pieces = [dataclasses.replace(piece, text=piece.text.translate(_RESTORE)) for piece in pieces]
    if meta.title and pieces and _same(pieces[0].text, meta.title):
        pieces.pop(0)  # the headline is the title, in the front matter
    subtitle = _standfirst(document)
    if subtitle and pieces and _same(pieces[0].text, subtitle):
        pieces.pop(0)
    meta = Meta(meta.title, subtitle, meta.author, meta.published, meta.outlet, meta.url)
    kept = _norm(" ".join(p.text for p in pieces))
    container = _container(document)
    front = {_norm(t) for t in (meta.title, subtitle) if t}
    dropped = tuple(text for text in _texts(container) if _norm(text) not in kept and _norm(text) not in front)
    version = getattr(trafilatura, "__version__", "")
    how = f"Extracted from the saved web page {name} by Counterpoint's import command (trafilatura {version})."
    return Imported(tuple(pieces), meta, dropped, _chrome(document, container), how)


def _pieces(xml: str) -> Iterator[Piece]:
    """Turn trafilatura's XML (`<p>`, `<head>`, `<list><item>`, `<quote>`, `<table>`) into pieces."""
    if not xml:
        return
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    for element in main if main is not None else ():
        tag = element.tag
        if tag == "head":
            yield Piece(Kind.HEADING, _text(element))
        elif tag == "list":  # a list in a list: each item once, after the item holding it
            for item in element.iter("item"):
                text = _text(item, lists=False)
                if text:
                    yield Piece(Kind.ITEM, text, _number(item))
        elif tag == "quote":
            yield Piece(Kind.QUOTE, _text(element))
        elif tag == "table":
            for row in element.iter("row"):
                cells = [_text(cell) for cell in row.iter("cell")]
                if any(cells):
                    yield Piece(Kind.PARAGRAPH, " | ".join(cells))
        elif _text(element):
            yield Piece(Kind.PARAGRAPH, _text(element))


_SPACES = "\u00a0\u2007\u2009\u200a\u202f"
"""Spaces that are the text's own (no-break, figure, thin, hair, narrow no-break: `« mot »`, `10 000`), which the
extractor, like `str.split`, would make plain spaces."""
_STAND_INS = "\u2420\u2421\u2422\u2424\u2425"
"""Characters standing in for them on the way through the extractor: symbols for control characters (␠, ␡),
which articles hardly ever hold, and which the extractor keeps (it drops the private use area's)."""
_STAND_IN, _RESTORE = str.maketrans(_SPACES, _STAND_INS), str.maketrans(_STAND_INS, _SPACES)


def _for_extractor(document: Any) -> tuple[str, bool]:
    """Return the page to give the extractor, `document` written out, and whether its own spaces are kept by
    stand-ins in it (not where the page holds the stand-ins itself, which are then its text, kept as they are,
    while the extractor makes its spaces plain)."""
    import copy

    from lxml import html as lxml_html

    if any(char in document.text_content() for char in _STAND_INS):
        return str(lxml_html.tostring(document, encoding="unicode")), False
    page = copy.deepcopy(document)
    for element in page.iter():
        if element.text:
            element.text = element.text.translate(_STAND_IN)
        if element.tail:
            element.tail = element.tail.translate(_STAND_IN)
    return str(lxml_html.tostring(page, encoding="unicode")), True


def _number(item: Any) -> int | None:
    """Return an item's number in its list, as the page shows it, for a numbered list (`<list rend="ol">`)."""
    parent = item.getparent()
    if parent is None or parent.get("rend") != "ol":
        return None
    return [child for child in parent if child.tag == "item"].index(item) + 1


def _text(element: object, lists: bool = True) -> str:
    """Return the text of an element of the extractor's XML, white space runs made single. A line break
    (`<lb/>`) is a space, and so is the edge of a block inside it (a cell's `<p>`); a list inside it is left
    out when `lists` is False (an item's sub-items, which are items of their own)."""
    return " ".join("".join(_own_text(element, lists)).split())


def _own_text(element: Any, lists: bool) -> Iterator[str]:
    yield element.text or ""
    for child in element:
        if child.tag in _IN_A_LINE:
            yield from _own_text(child, lists)
        elif child.tag == "lb":
            yield " "
        elif lists or child.tag != "list":
            yield " "
            yield from _own_text(child, lists)
            yield " "
        yield child.tail or ""


_IN_A_LINE = ("hi", "ref", "del", "code", "sub", "sup")
"""The extractor's elements inside a line of text (emphasis, links): every other one stands apart."""


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
"""Soft hyphens, zero-width spaces, word joiners: the extractor drops them, so the check leaves them out too."""


def _norm(text: str) -> str:
    return " ".join(text.translate(_INVISIBLE).split()).casefold()


_DIVIDED = ("p", "div", "section", "article", "main", "blockquote", "body")
"""Where two `<br>` divide paragraphs (in a list item, a heading or a table cell they stay one block)."""


def _split_at_double_breaks(document: Any) -> None:
    """Make paragraphs of text a page separates with two or more `<br>` and no `<p>`, as a browser shows it
    and as Readability does (the extractor would make one paragraph of them).

    A `<p>` so divided becomes as many `<p>`; any other element (a `<div>`) gets a `<p>` for each part."""
    from lxml import html as lxml_html

    for parent in {br.getparent() for br in document.iter("br")}:
        if parent is None or parent.tag not in _DIVIDED:
            continue
        parts = _parts(parent)
        if len(parts) < 2:
            continue
        paragraphs = []
        kept = {k: v for k, v in parent.attrib.items() if k != "id"} if parent.tag == "p" else {}
        for part in parts:
            paragraph = lxml_html.Element("p", kept)
            for item in part:
                if isinstance(item, str):
                    if len(paragraph):
                        paragraph[-1].tail = (paragraph[-1].tail or "") + item
                    else:
                        paragraph.text = (paragraph.text or "") + item
                else:
                    paragraph.append(item)
            paragraphs.append(paragraph)
        if parent.tag == "p" and parent.getparent() is not None:
            holder, tail = parent.getparent(), parent.tail
            at = holder.index(parent)
            holder.remove(parent)
            for offset, paragraph in enumerate(paragraphs):
                holder.insert(at + offset, paragraph)
            paragraphs[-1].tail = tail
        else:
            parent.text = None
            for child in list(parent):
                parent.remove(child)
            parent.extend(paragraphs)


def _parts(parent: Any) -> list[list[Any]]:
    """Return the content of `parent` (its text, children and their tails, in order) cut wherever two or more
    `<br>` follow each other with nothing but white space between; the `<br>` themselves are left out. Nothing
    is cut (one part) where no such run is."""
    content: list[Any] = [parent.text] if parent.text else []
    for child in parent:
        content.append(child)
        if child.tail:
            content.append(child.tail)
    parts: list[list[Any]] = [[]]
    run: list[Any] = []  # line breaks and white space, not yet known to cut
    for item in content:
        if (not isinstance(item, str) and item.tag == "br") or (isinstance(item, str) and not item.strip()):
            run.append(item)
            continue
        if sum(1 for r in run if not isinstance(r, str)) >= 2:
            parts.append([])
        else:
            parts[-1] += run
        run = []
        parts[-1].append(item)
    parts[-1] += run
    if len(parts) < 2:
        return parts
    for part in parts:  # the elements move to new paragraphs: their tails are in `part` already
        for item in part:
            if not isinstance(item, str):
                item.tail = None
    return [part for part in parts if any(not isinstance(i, str) or i.strip() for i in part)]


def _same(one: str, other: str) -> bool:
    return _norm(one) == _norm(other)


def _container(document: object) -> object:
    """Return the page's article container: its `articleBody`, `<article>`, `<main>`, or else its body."""
    for path in ('//*[@itemprop="articleBody"]', "//article", "//main", '//*[@role="main"]'):
        found = document.xpath(path)  # type: ignore[attr-defined]
        if found:
            return max(found, key=lambda element: len(element.text_content()))
    body = document.find("body")  # type: ignore[attr-defined]
    return body if body is not None else document


def _texts(container: object) -> Iterator[str]:
    """Yield the text of each block of the article container, outside the chrome it holds (a share bar)."""
    for element in container.iter(*_CHECKED):  # type: ignore[attr-defined]
        if any(ancestor.tag in _CHECKED for ancestor in element.iterancestors()):
            continue
        if _chrome_kind(element, container) is not None:
            continue
        text = " ".join(element.text_content().split())
        if text:
            yield text


def _chrome_kind(element: object, top: object) -> str | None:
    """Return what kind of chrome `element` is, or stands in, below `top`; None for article text."""
    while element is not None and element is not top:
        kind = _kind(element, in_article=True)
        if kind:
            return kind
        element = element.getparent()  # type: ignore[attr-defined]
    return None


def _kind(element: object, in_article: bool = False) -> str | None:
    """Return what kind of chrome an element is, by what the page calls it, else by its tag; None for text.
    Inside the article container an `<aside>` called nothing in particular is taken for text (a footnote)."""
    tag = getattr(element, "tag", "")
    if not isinstance(tag, str):
        return None
    names = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('role') or ''}"  # type: ignore[attr-defined]
    for pattern, kind in _CHROME_WORDS:  # what the page calls it first: an <aside> may be a most-read list
        if re.search(pattern, names, re.I):
            return kind
    return None if in_article and tag == "aside" else _CHROME_TAGS.get(tag)


def _chrome(document: object, container: object) -> dict[str, int]:
    """Count the page's chrome: the outermost elements of each kind, outside the article's own blocks."""
    counts: Counter[str] = Counter()
    body = document.find("body")  # type: ignore[attr-defined]
    if body is None:
        return {}
    inside = set(container.iterancestors()) | {container}  # type: ignore[attr-defined]
    within = set(container.iter())  # type: ignore[attr-defined]
    for element in body.iter():
        if element in inside or not isinstance(element.tag, str):
            continue
        kind = _kind(element, in_article=element in within)
        if kind and not any(_kind(a, in_article=a in within) for a in element.iterancestors() if a not in inside):
            counts[kind] += 1
    return dict(counts)


def _standfirst(document: object) -> str | None:
    """Return the standfirst (deck) the page marks as such, near its headline, if it marks one."""
    for element in document.iter("p", "div", "h2", "span"):  # type: ignore[attr-defined]
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if _STANDFIRST.search(names):
            text = " ".join(element.text_content().split())
            if 0 < len(text) <= 400:
                return text
    return None


def _meta(document: object) -> Meta:
    """Read what the page states about itself, from its own markup only."""

    def meta(*names: str) -> str | None:
        for key in names:
            for attribute in ("property", "name", "itemprop"):
                found = document.xpath(f'//meta[@{attribute}="{key}"]/@content')  # type: ignore[attr-defined]
                text = " ".join(found[0].split()) if found else ""
                if text:
                    return text
        return None

    linked = _json_ld(document)
    headline = document.xpath("//article//h1 | //main//h1") or document.xpath("//h1")  # type: ignore[attr-defined]
    title = " ".join(headline[0].text_content().split()) if headline else None
    title = title or meta("og:title", "twitter:title") or _str(linked.get("headline"))
    author = meta("author", "article:author", "parsely-author", "sailthru.author")
    if author and author.startswith(("http://", "https://")):
        author = None  # a profile's address is not a name
    author = author or _name(linked.get("author"))
    published = _date(meta("article:published_time", "datePublished", "date", "parsely-pub-date"))
    published = published or _date(_str(linked.get("datePublished")))
    outlet = meta("og:site_name", "application-name") or _name(linked.get("publisher"))
    canonical = document.xpath('//link[@rel="canonical"]/@href')  # type: ignore[attr-defined]
    url = canonical[0].strip() if canonical and canonical[0].startswith("http") else meta("og:url")
    return Meta(title, None, author, published, outlet, url if url and url.startswith("http") else None)


def _json_ld(document: object) -> dict[str, object]:
    """Return the page's JSON-LD article object (`Article`, `NewsArticle`, ...), or an empty one."""
    for script in document.xpath('//script[@type="application/ld+json"]/text()'):  # type: ignore[attr-defined]
        try:
            data = json.loads(script)
        except ValueError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            kind = item.get("@type") if isinstance(item, dict) else None
            kinds = kind if isinstance(kind, list) else [kind]
            if isinstance(item, dict) and any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                return item
    return {}


def _str(value: object) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _name(value: object) -> str | None:
    """Return the name(s) of a JSON-LD person or organisation, or of a list of them."""
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        return _str(value.get("name"))
    return _str(value)


def _date(value: str | None) -> datetime.date | None:
    """Read the date of an ISO 8601 date or time (`2025-02-24`, `2025-02-24T08:00:00+08:00`)."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# -- writing ------------------------------------------------------------------------------------


_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_START = re.compile(r"^(#|>|[-+=]|\d+(?=[.)]))")


def escape(text: str) -> str:
    """Escape what Markdown would read as syntax, so that the text renders exactly as it is."""
    text = _INLINE.sub(r"\\\1", text)
    match = _LINE_START.match(text)
    if match:
        end = match.end()
        text = f"\\{text}" if not match[1][:1].isdigit() else f"{text[:end]}\\{text[end:]}"
    return text


def markdown(article: Imported, perspective: str, excerpt: bool) -> str:
    """Return the article file: front matter from the page, then its text, one block per paragraph."""
    meta = article.meta
    front: dict[str, object] = {}
    for key in ("title", "subtitle", "author"):
        if getattr(meta, key):
            front[key] = getattr(meta, key)
    if meta.outlet:
        front["outlet"] = meta.outlet
    front["perspective"] = perspective
    front["excerpt"] = excerpt
    if meta.published:
        front["published"] = meta.published
    if meta.url:
        front["url"] = meta.url
    front["notes"] = [article.how]
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    body = []
    for piece in article.pieces:
        text = escape(piece.text)
        if piece.kind is Kind.HEADING:
            body.append(f"## {text}")
        elif piece.kind is Kind.ITEM:
            body.append(f"{piece.number}. {text}" if piece.number else f"- {text}")
        elif piece.kind is Kind.QUOTE:
            body.append(f"> {text}")
        else:
            body.append(text)
    return f"---\n{head}---\n\n" + "\n\n".join(body) + "\n"


def report(article: Imported) -> list[str]:
    """Say what the import kept, dropped and left out."""
    chrome = ", ".join(kind if n == 1 else f"{n} {_plural(kind)}" for kind, n in sorted(article.chrome.items()))
    count = len(article.dropped)
    lines = [
        f"{len(article.pieces)} blocks kept; {count} of the article's blocks dropped"
        + (f"; chrome dropped: {chrome}" if chrome else "")
    ]
    given = [key for key in FIELDS if getattr(article.meta, key)]
    needed = [key for key in FIELDS if not getattr(article.meta, key) and key in _REQUIRED]
    missing = [key for key in FIELDS if not getattr(article.meta, key) and key not in _REQUIRED]
    lines.append(f"From the page: {', '.join(given) or 'nothing'}.")
    if needed:
        lines.append(f"Not given by the page, and the build needs it: {', '.join(needed)}; add it before you build.")
    if missing:
        lines.append(f"Not given by the page, left out (add what you know): {', '.join(missing)}.")
    return lines


_REQUIRED = {f.name for f in dataclasses.fields(ArticleMeta) if f.default is f.default_factory is dataclasses.MISSING}
"""The fields of an article's front matter that the build cannot do without (its title, its outlet)."""


def _plural(kind: str) -> str:
    """Return the plural of a kind of chrome (`share bar`, `newsletter box`; `related links` is one already)."""
    return kind if kind.endswith("s") else f"{kind}es" if kind.endswith("x") else f"{kind}s"


# -- the command --------------------------------------------------------------------------------


def run(source: str, site: Path, slug: str, perspective: str, excerpt: bool, force: bool) -> int:
    """Import `source` (a path, or `-` for standard input) as `content/articles/<slug>.md` of `site`."""
    problems = _check(site, slug, perspective, force)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    if source == "-":
        data, name = sys.stdin.buffer.read(), "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            message = "there is no such file; give a saved web page (.html), a .txt file, or - for standard input"
            print(f"{source}: {message}", file=sys.stderr)
            return 1
        data, name = path.read_bytes(), path.name
    is_page = name.lower().endswith((".html", ".htm", ".xhtml")) or data.lstrip()[:1] == b"<"
    text = _decode(data, is_page)
    if isinstance(text, _Undecodable):
        print(f"{source if source != '-' else name}: {text.message}", file=sys.stderr)
        return 1
    try:
        article = from_html(text, name) if is_page else from_text(text, name)
    except ImportError:
        print(
            "import: reading a web page needs trafilatura; install it with\n"
            f"  {Path(sys.executable)} -m pip install -r requirements-import.txt",
            file=sys.stderr,
        )
        return 1
    if not article.pieces:
        print(f"{name}: no article text found; nothing was written", file=sys.stderr)
        return 1
    target = site / "content" / "articles" / f"{slug}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(markdown(article, perspective, excerpt), encoding="utf-8")
    print(f"Wrote {target}")
    for line in report(article):
        print(line)
    short = [text for text in article.dropped if len(text.split()) < _SHORT]
    for text in article.dropped:
        if text not in short:
            print(
                f'warning: the article\'s block "{text}" was not kept by the extractor; '
                "add it by hand, verbatim, where it belongs",
                file=sys.stderr,
            )
    if short:
        listed = "; ".join(f'"{clip(text, 40)}"' for text in short[:8]) + ("; …" if len(short) > 8 else "")
        print(
            f"warning: {len(short)} short blocks of the article's container were not kept (bylines, tags or "
            f"labels, perhaps): {listed}; check whether any belongs to the text",
            file=sys.stderr,
        )
    return 0


_SHORT = 4
"""Blocks of fewer words than this are listed together: mostly bylines, tags and labels, not the text."""


@dataclass(frozen=True)
class _Undecodable:
    """Why a file's bytes are not text: nothing is imported rather than characters replaced."""

    message: str


_CHARSET = re.compile(rb"""<meta[^>]*charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode(data: bytes, is_page: bool) -> str | _Undecodable:
    """Return the text of a file: UTF-8 (a byte-order mark allowed), or for a web page the character set it
    declares. A byte that does not decode is an error naming its line, never a replacement character."""
    declared = _CHARSET.search(data[:4096]) if is_page and not data.startswith(b"\xef\xbb\xbf") else None
    encoding = declared[1].decode("ascii").lower() if declared else "utf-8"
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except LookupError:
        return _Undecodable(f"the page declares the character set '{encoding}', which Python does not know")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        hint = "save it as UTF-8" if not declared else f"it declares {encoding}: save it again, or as UTF-8"
        return _Undecodable(f"line {line}: byte 0x{data[error.start]:02x} is not {encoding} text; {hint}")


def _check(site: Path, slug: str, perspective: str, force: bool) -> list[str]:
    """Say what is wrong with the command's arguments, before anything is read or written."""
    problems: list[str] = []
    if not SLUG.fullmatch(slug):
        problems.append(f"--slug '{slug}' is not a usable slug: use lowercase letters, digits and hyphens")
    config, found = load_config(InputReader(site).read(), str(site))
    if config is None:
        return problems + [str(p) for p in found]
    ids: Sequence[str] = [p.id for p in config.config.perspectives]
    if perspective not in ids:
        problems.append(f"--perspective '{perspective}' is not declared in site.yaml; it declares: {', '.join(ids)}")
    target = site / "content" / "articles" / f"{slug}.md"
    if target.exists() and not force:
        problems.append(f"{target} exists already; pass --force to replace it")
    return problems
