"""Load a site's inputs into a `Site`: decode, validate, parse. Pure: the files come in as bytes.

Each content file is loaded on its own (`load_file`), so a build can cache the
result by the file's bytes and load many files in parallel; `assemble` then
puts the site together. Every phase returns its problems: one build reports
every problem in every file.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from counterpoint import cldr, i18n
from counterpoint.errors import Problem, clip
from counterpoint.inputs import Inputs
from counterpoint.markdown import make_parser, number_blocks, parse_body
from counterpoint.model import (
    Article,
    ArticleMeta,
    Body,
    Commentary,
    Document,
    Page,
    PageMeta,
    Site,
    SiteConfig,
    Topic,
    TopicMeta,
)
from counterpoint.schema import YamlDoc, convert, load_yaml
from counterpoint.voices import read_voices

T = TypeVar("T")

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A BCP 47 language tag, as far as a lang attribute needs: `en`, `en-GB`, `zh-Hans-CN`."""
RESERVED = {"topics", "sources", "assets", "404", "index", "pagefind"}
EXTENSIONS = (".md", ".markdown")
FOLDERS = ("articles", "topics", "pages")
"""The folders of content/, each holding one kind of file."""

Loaded = Article | Commentary


@dataclass(frozen=True)
class ContentFile:
    """A Markdown file of content/ that names a valid slug."""

    folder: str
    """`articles`, `topics` or `pages`."""
    slug: str
    """Its name without the extension."""
    path: str
    """Its path relative to the site folder."""


@dataclass(frozen=True)
class Config:
    """site.yaml, read, with where each of its values stands (for messages about them)."""

    config: SiteConfig
    """The configuration."""
    doc: YamlDoc
    """The YAML it came from."""


class Parsers:
    """The Markdown parsers of one build (or one worker process): sources are never altered, commentary is."""

    def __init__(self) -> None:
        self.plain = make_parser(citations=False)
        self.commentary = make_parser(citations=True)


def load_config(inputs: Inputs, where: str = "the site folder") -> tuple[Config | None, list[Problem]]:
    """Read and check site.yaml; return it, or None, with the problems found."""
    problems: list[Problem] = []
    loaded = _load_config(inputs, where, problems)
    return (Config(*loaded) if loaded else None), problems


def load_file(
    file: ContentFile, data: bytes, config: SiteConfig, parsers: Parsers
) -> tuple[Loaded | None, list[Problem]]:
    """Check and parse one content file; return it, or None, with the problems found."""
    problems: list[Problem] = []
    inputs = {file.path: data}
    loaded: Loaded | None
    if file.folder == "articles":
        loaded = _load_article(inputs, file, config, parsers.plain, problems)
    else:
        loaded = _load_document(inputs, file, config, parsers.commentary, problems)
    return loaded, problems


def load_site(inputs: Inputs, where: str = "the site folder") -> tuple[Site | None, dict[str, Body], list[Problem]]:
    """Check and parse a site's input files in one go; return the site (None without site.yaml), the body of
    each document by its path, and the problems."""
    loaded_config, problems = load_config(inputs, where)
    if loaded_config is None:
        return None, {}, problems
    parsers = Parsers()
    files, found = content_files(inputs)
    problems += found
    loaded: list[Loaded] = []
    for file in files:
        item, found = load_file(file, inputs[file.path], loaded_config.config, parsers)
        problems += found
        if item is not None:
            loaded.append(item)
    articles = [a for a in loaded if isinstance(a, Article)]
    documents = [c.document for c in loaded if isinstance(c, Commentary)]
    site, found = assemble(loaded_config, articles, documents, files)
    bodies = {c.document.path: c.body for c in loaded if isinstance(c, Commentary)}
    return site, bodies, problems + found


def content_files(inputs: Iterable[str]) -> tuple[list[ContentFile], list[Problem]]:
    """List the Markdown files of each folder of content/ with a usable slug, sorted by folder and name."""
    problems: list[Problem] = []
    files: list[ContentFile] = []
    paths = sorted(inputs)
    for folder in FOLDERS:
        files += (ContentFile(folder, slug, path) for slug, path in _content_files(paths, folder, problems))
    return files, problems


def assemble(
    config: Config, articles: Iterable[Article], documents: Sequence[Document], files: Sequence[ContentFile]
) -> tuple[Site, list[Problem]]:
    """Put the loaded files together into a site: order, and check what spans files.

    The site is made even when there are problems, so that the build can go on to find the rest.
    """
    problems: list[Problem] = []
    ids = [p.id for p in config.config.perspectives]
    ordered = sorted(articles, key=lambda a: (ids.index(a.meta.perspective), a.slug))
    for perspective in config.config.perspectives:
        if ordered and not any(a.meta.perspective == perspective.id for a in ordered):
            message = f"perspective '{perspective.id}' has no source in content/articles/; its columns will be empty"
            problems.append(Problem("site.yaml", None, message, warning=True))
    if not ordered:
        problems.append(
            Problem("content/articles", None, "no articles found; add at least one Markdown file per perspective")
        )
    pages = [p for p in documents if isinstance(p, Page)]
    for page in pages:
        if page.slug in RESERVED:
            message = f"the page slug '{page.slug}' is reserved for the site's own pages; rename the file"
            problems.append(Problem(page.path, None, message))
    topic_files = {f.slug for f in files if f.folder == "topics"}
    topics = [t for t in documents if isinstance(t, Topic)]
    titled: dict[str, Topic] = {}
    for topic in sorted(topics, key=lambda t: t.path):
        twin = titled.setdefault(topic.title.casefold(), topic)
        if twin is not topic:
            message = f"{twin.path} has the title '{topic.title}' too; readers could not tell the two apart"
            problems.append(Problem(topic.path, None, message, warning=True))
    ordered_topics = _order_topics(topics, topic_files, config.config, config.doc, problems)
    ordered_pages = tuple(sorted(pages, key=lambda p: (p.meta.order, p.title)))
    return Site(config.config, tuple(ordered), ordered_topics, ordered_pages), problems


# -- site.yaml ---------------------------------------------------------------------


def _load_config(inputs: Inputs, where: str, problems: list[Problem]) -> tuple[SiteConfig, YamlDoc] | None:
    if "site.yaml" not in inputs:
        problems.append(
            Problem("site.yaml", None, f"no site.yaml in {where}; run from the explainer's folder, or pass --site DIR")
        )
        return None
    text = _decode(inputs, "site.yaml", problems)
    doc = _yaml(text, "site.yaml", 0, problems) if text is not None else None
    if doc is None:
        return None
    config, found = convert(SiteConfig, doc, "site.yaml")
    problems += found + citations_in_yaml(doc) + controls_in_yaml(doc)
    if config is None:
        return None
    problems += _check_config(config, doc)
    return config, doc


def _check_config(config: SiteConfig, doc: YamlDoc) -> list[Problem]:
    """Check what types alone cannot: enough perspectives, well-formed unique ids."""
    problems = []
    if len(config.perspectives) < 2:
        problems.append(
            Problem(doc.path, doc.line(("perspectives",)), "an explainer needs at least two perspectives; add another")
        )
    seen: set[str] = set()
    for index, perspective in enumerate(config.perspectives):
        line = doc.line(("perspectives", index, "id"))
        if not SLUG.fullmatch(perspective.id):
            problems.append(
                Problem(
                    doc.path, line, f"perspective id '{perspective.id}' must be lowercase letters, digits and hyphens"
                )
            )
        if perspective.id in seen:
            problems.append(Problem(doc.path, line, f"perspective id '{perspective.id}' is declared twice"))
        seen.add(perspective.id)
    listed: set[str] = set()
    for index, slug in enumerate(config.topics):
        if slug in listed:
            problems.append(Problem(doc.path, doc.line(("topics", index)), f"topic '{slug}' is listed twice"))
        listed.add(slug)
    if config.base_url is not None and not _web_address(config.base_url, folder=True):
        message = "base_url must be the site's web address, like https://example.org/explainer/ (no ? or #)"
        problems.append(Problem(doc.path, doc.line(("base_url",)), message))
    if not LANGUAGE.fullmatch(config.language):
        message = f"language '{config.language}' is not a language tag; write one like en, en-GB or zh-Hans"
        problems.append(Problem(doc.path, doc.line(("language",)), message))
    else:
        problems += _check_language(config, doc)
    return problems


def _check_language(config: SiteConfig, doc: YamlDoc) -> list[Problem]:
    """Check that the interface can speak the site's language, and the site's own `strings:`."""
    language, line = config.language, doc.line(("language",))
    problems = i18n.check_strings(language, config.strings, doc.line, doc.path)
    if i18n.base_for(language) is None:
        missing = sorted(set(i18n.built_in(i18n.FALLBACK)) - set(config.strings) - {i18n.DATE_FORMAT})
        if missing:
            message = (
                f"there is no built-in catalogue for '{language}' ({', '.join(i18n.BUILT_IN)} are built in), so "
                f"{len(missing)} interface messages stay in English, such as '{missing[0]}'; translate them under "
                f"strings: (their keys are in counterpoint/{i18n.MESSAGES.name}/en.yaml)"
            )
            problems.append(Problem(doc.path, line, message, warning=True))
    if not cldr.known(language):
        message = f"the CLDR has no data for '{language}', so dates, numbers and plural forms follow English"
        problems.append(Problem(doc.path, line, message, warning=True))
    return problems


# -- front matter ------------------------------------------------------------------------


def _web_address(address: str, folder: bool = False) -> bool:
    """Return True for an http(s) address with a host (and, for a folder, no query or fragment)."""
    if any(char.isspace() or not char.isprintable() for char in address):
        return False  # a newline in base_url would end up in robots.txt and the sitemap
    parts = urlsplit(address)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not (folder and (parts.query or parts.fragment))


def split_front_matter(text: str, path: str) -> tuple[str, str, int] | Problem:
    """Split `---` YAML front matter from the body; return (yaml, body, body's line offset)."""
    # Lines end at \n alone, as YAML and Markdown count them (splitlines would also split at U+2028 or NEL).
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if not lines or lines[0].strip() != "---":
        if "\r" in text and "\n" not in text:
            message = "its lines end with a carriage return alone (old Mac files); save it with LF or CRLF line ends"
            return Problem(path, 1, message)
        first = next((number for number, line in enumerate(lines, 1) if line.strip()), None)
        if first is not None and lines[first - 1].strip() == "---":
            blank = "line 1 is blank" if first == 2 else f"lines 1 to {first - 1} are blank"
            return Problem(path, 1, f"{blank}: front matter's '---' must be the very first line")
        return Problem(path, 1, "the file must start with front matter: a line '---', YAML keys, then '---'")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    return Problem(path, 1, "the front matter is not closed; end it with a line '---'")


def _decode(inputs: Inputs, path: str, problems: list[Problem]) -> str | None:
    """Return a file's text, or None (and a problem) when it is not UTF-8, or holds a control character."""
    try:
        text = inputs[path].decode("utf-8").removeprefix("\ufeff")  # a byte-order mark is no content
    except UnicodeDecodeError as error:
        data = inputs[path]
        line = data.count(b"\n", 0, error.start) + 1
        message = f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8"
        problems.append(Problem(path, line, message))
        return None
    found = _CONTROL.search(text)
    if found:
        problems.append(Problem(path, text.count("\n", 0, found.start()) + 1, _control(found.group())))
        return None
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
"""Control characters, but tab, line feed, form feed and carriage return: no text holds them, a page cannot
show them (Markdown makes a NUL U+FFFD), and XML (feed.xml) does not allow them."""


def _control(char: str) -> str:
    return (
        f"the control character U+{ord(char):04X} is no part of any text (a page cannot show it, and feed.xml "
        "would not be XML); remove it"
    )


def controls_in_yaml(doc: YamlDoc) -> list[Problem]:
    """Refuse control characters written as escapes in YAML text (`"\\x1b"`), as `_decode` does raw ones."""
    return [
        Problem(doc.path, doc.line(keys), f"'{_where(keys)}': " + _control(found.group()))
        for keys, text in _strings(doc.data, ())
        if (found := _CONTROL.search(text))
    ]


def _where(keys: tuple[str | int, ...]) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")


def _read(
    inputs: Inputs, rel: str, cls: type[T], what: str, problems: list[Problem]
) -> tuple[T, YamlDoc, str, int] | None:
    """Read a content file's front matter into `cls`; return it with the body."""
    text = _decode(inputs, rel, problems)
    if text is None:
        return None
    split = split_front_matter(text, rel)
    if isinstance(split, Problem):
        problems.append(split)
        return None
    yaml_text, body, offset = split
    doc = _yaml(yaml_text, rel, 1, problems)
    if doc is None:
        return None
    meta, found = convert(cls, doc, what)
    problems += found + citations_in_yaml(doc) + controls_in_yaml(doc)
    if meta is None:
        return None
    return meta, doc, body, offset


_CITATION = re.compile(r"!?\[@[^\]]*\]?")


def citations_in_yaml(doc: YamlDoc) -> list[Problem]:
    """Refuse citation syntax in YAML text (a summary, a reason for silence): it would be published as it
    stands, a citation that checks nothing and links nowhere."""
    problems: list[Problem] = []
    for keys, text in _strings(doc.data, ()):
        found = _CITATION.search(text)
        if found:
            message = (
                f"'{_where(keys)}' holds the citation `{clip(found.group(), 40)}`, which would be published as it "
                "stands: text here is plain, not Markdown; cite in the body of a topic or page instead, "
                "or say the source in words"
            )
            problems.append(Problem(doc.path, doc.line(keys), message))
    return problems


def _strings(value: object, keys: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield every string in YAML data, with the keys leading to it. (Not a nested function: one calling itself
    is a reference cycle, which would keep the document alive while the build holds the cycle collector.)"""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*keys, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*keys, index))
    elif isinstance(value, str):
        yield keys, value


def _yaml(text: str, path: str, offset: int, problems: list[Problem]) -> YamlDoc | None:
    doc = load_yaml(text, path, offset)
    if isinstance(doc, Problem):
        problems.append(doc)
        return None
    return doc


def _content_files(paths: Sequence[str], folder: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """List (slug, path) of the Markdown files directly in `content/<folder>`, sorted by name."""
    prefix = f"content/{folder}/"
    found: dict[str, str] = {}
    for rel in paths:
        name = rel[len(prefix) :]
        if not rel.startswith(prefix) or "/" in name:
            continue
        stem, dot, suffix = name.rpartition(".")
        if not dot or f".{suffix}" not in EXTENSIONS or ignored(name):
            continue
        if not SLUG.fullmatch(stem):
            suggestion = _slug_for(stem)
            problems.append(
                Problem(
                    rel,
                    None,
                    f"'{name}' is not a usable slug: use lowercase letters, digits and hyphens, "
                    f"e.g. '{suggestion}.{suffix}'",
                )
            )
            continue
        if stem in found:
            problems.append(
                Problem(rel, None, f"duplicate slug '{stem}': {found[stem]} has it too; rename one of them")
            )
            continue
        found[stem] = rel
    return sorted(found.items())


def ignored(name: str) -> bool:
    """Return True for a file of content/ that is no content: hidden (editors' and macOS's `._x.md`,
    `.#x.md`) or a folder's README."""
    return name.startswith(".") or name.lower().startswith("readme.")


def _slug_for(stem: str) -> str:
    """Suggest a slug for a file name: `fréquence` -> `frequence`, `My Topic` -> `my-topic`."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "name"


# -- articles -------------------------------------------------------------------------------


def _load_article(
    inputs: Inputs, file: ContentFile, config: SiteConfig, md: MarkdownIt, problems: list[Problem]
) -> Article | None:
    ids = [p.id for p in config.perspectives]
    read = _read(inputs, file.path, ArticleMeta, "the article's front matter", problems)
    if read is None:
        return None
    meta, doc, body, offset = read
    for key in ("url", "archive_url"):
        address = getattr(meta, key)
        if address is not None and not _web_address(address):
            message = f"{key} must be a web address starting with https:// or http://, not '{address}'"
            problems.append(Problem(doc.path, doc.line((key,)), message))
    if meta.perspective not in ids:
        message = _unknown("perspective", meta.perspective, ids, "site.yaml declares")
        problems.append(Problem(doc.path, doc.line(("perspective",)), message))
        return None
    blocks = number_blocks(md, body, offset, problems, doc.path)
    if not blocks:
        problems.append(Problem(doc.path, offset + 1, "the article has no text after its front matter"))
        return None
    voices, found = read_voices(meta.voices, len(blocks))
    problems += (Problem(doc.path, doc.line(("voices", name)), message) for name, message in found)
    return Article(file.slug, doc.path, meta, blocks, voices) if not found else None


# -- topics and pages --------------------------------------------------------------------------


def _load_document(
    inputs: Inputs, file: ContentFile, config: SiteConfig, md: MarkdownIt, problems: list[Problem]
) -> Commentary | None:
    is_topic = file.folder == "topics"
    cls: type[TopicMeta] | type[PageMeta] = TopicMeta if is_topic else PageMeta
    read = _read(inputs, file.path, cls, f"the {'topic' if is_topic else 'page'}'s front matter", problems)
    if read is None:
        return None
    meta, doc, body, offset = read
    ids = [p.id for p in config.perspectives]
    if isinstance(meta, TopicMeta):
        bad = [key for key in meta.silent if key not in ids]
        for key in bad:
            message = _unknown("perspective", key, ids, "site.yaml declares")
            problems.append(Problem(doc.path, doc.line(("silent", key)), message))
        if bad:
            return None
    parsed, found = parse_body(
        md, doc.path, body, offset, meta if isinstance(meta, TopicMeta) else None, config.perspectives
    )
    problems += found  # errors, or warnings about a body that parsed
    if parsed is None:
        return None
    if isinstance(meta, TopicMeta):
        return Commentary(Topic(file.slug, doc.path, meta), parsed)
    return Commentary(Page(file.slug, doc.path, meta), parsed)


def _order_topics(
    topics: Sequence[Topic], files: set[str], config: SiteConfig, doc: YamlDoc, problems: list[Problem]
) -> tuple[Topic, ...]:
    """Order topics as site.yaml lists them, or by their `order` and title."""
    if not config.topics:
        return tuple(sorted(topics, key=lambda t: (_order(t), t.title)))
    by_slug = {t.slug: t for t in topics}
    for index, slug in enumerate(config.topics):
        if slug not in files:
            message = _unknown("topic", slug, sorted(files), "content/topics/ has")
            problems.append(Problem(doc.path, doc.line(("topics", index)), message))
    listed = set(config.topics)
    for topic in topics:
        if topic.slug not in listed:
            problems.append(
                Problem(
                    topic.path,
                    None,
                    f"topic '{topic.slug}' is missing from the 'topics' list in site.yaml; add it where it belongs",
                )
            )
    return tuple(by_slug[s] for s in config.topics if s in by_slug)


def _order(topic: Topic) -> int:
    return topic.meta.order if topic.meta.order is not None else 1_000_000


def _unknown(what: str, name: str, known: Sequence[str], source: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"{source}: {', '.join(known) or 'none'}"
    return f"unknown {what} '{name}'; {hint}"
