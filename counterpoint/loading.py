"""Load a site's inputs into a `Site`: decode, validate, parse. Pure: the files come in as bytes.

Every problem in every file is collected before anything fails, so one build
reports them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from counterpoint.errors import Problem, raise_if_errors
from counterpoint.inputs import Inputs
from counterpoint.markdown import make_parser, number_blocks, parse_document
from counterpoint.model import Article, ArticleMeta, Document, PageMeta, Site, SiteConfig, TopicMeta
from counterpoint.schema import YamlDoc, convert, load_yaml

T = TypeVar("T")

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A BCP 47 language tag, as far as a lang attribute needs: `en`, `en-GB`, `zh-Hans-CN`."""
RESERVED = {"topics", "sources", "assets", "404", "index"}
EXTENSIONS = (".md", ".markdown")


def load_site(inputs: Inputs, where: str = "the site folder") -> tuple[Site, list[Problem]]:
    """Check and parse a site's input files; raise BuildFailed with every error found."""
    problems: list[Problem] = []
    loaded = _load_config(inputs, where, problems)
    raise_if_errors(problems)
    assert loaded is not None  # raise_if_errors returned, so it converted
    config, config_doc = loaded
    plain_md, commentary_md = make_parser(citations=False), make_parser(citations=True)
    articles = _load_articles(inputs, config, plain_md, problems)
    topics = _load_documents(inputs, "topics", TopicMeta, config, commentary_md, problems)
    topic_files = {slug for slug, _ in _content_files(inputs, "topics", [])}
    pages = _load_documents(inputs, "pages", PageMeta, config, commentary_md, problems)
    for page in pages:
        if page.slug in RESERVED:
            problems.append(
                Problem(
                    page.path,
                    None,
                    f"the page slug '{page.slug}' is reserved for the site's own pages; rename the file",
                )
            )
    ordered_topics = _order_topics(topics, topic_files, config, config_doc, problems)
    raise_if_errors(problems)
    ordered_pages = tuple(sorted(pages, key=lambda p: (p.page.order if p.page else 0, p.title)))
    site = Site(config, articles, ordered_topics, ordered_pages)
    return site, [p for p in problems if p.warning]


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
    problems += found
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
    for index, slug in enumerate(config.topics):
        if config.topics.index(slug) != index:
            problems.append(Problem(doc.path, doc.line(("topics", index)), f"topic '{slug}' is listed twice"))
    if config.base_url is not None and not _web_address(config.base_url, folder=True):
        message = "base_url must be the site's web address, like https://example.org/explainer/ (no ? or #)"
        problems.append(Problem(doc.path, doc.line(("base_url",)), message))
    if not LANGUAGE.fullmatch(config.language):
        message = f"language '{config.language}' is not a language tag; write one like en, en-GB or zh-Hans"
        problems.append(Problem(doc.path, doc.line(("language",)), message))
    return problems


# -- front matter ------------------------------------------------------------------------


def _web_address(address: str, folder: bool = False) -> bool:
    """Return True for an http(s) address with a host (and, for a folder, no query or fragment)."""
    parts = urlsplit(address)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not (folder and (parts.query or parts.fragment))


def split_front_matter(text: str, path: str) -> tuple[str, str, int] | Problem:
    """Split `---` YAML front matter from the body; return (yaml, body, body's line offset)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return Problem(path, 1, "the file must start with front matter: a line '---', YAML keys, then '---'")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    return Problem(path, 1, "the front matter is not closed; end it with a line '---'")


def _decode(inputs: Inputs, path: str, problems: list[Problem]) -> str | None:
    """Return a file's text, or None (and a problem) when it is not UTF-8."""
    try:
        return inputs[path].decode("utf-8").removeprefix("\ufeff")  # a byte-order mark is no content
    except UnicodeDecodeError as error:
        data = inputs[path]
        line = data.count(b"\n", 0, error.start) + 1
        message = f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8"
        problems.append(Problem(path, line, message))
        return None


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
    problems += found
    if meta is None:
        return None
    return meta, doc, body, offset


def _yaml(text: str, path: str, offset: int, problems: list[Problem]) -> YamlDoc | None:
    doc = load_yaml(text, path, offset)
    if isinstance(doc, Problem):
        problems.append(doc)
        return None
    return doc


def _content_files(inputs: Inputs, folder: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """List (slug, path) of the Markdown files directly in `content/<folder>`, sorted by name."""
    prefix = f"content/{folder}/"
    found: dict[str, str] = {}
    for rel in sorted(inputs):
        name = rel[len(prefix) :]
        if not rel.startswith(prefix) or "/" in name:
            continue
        stem, dot, suffix = name.rpartition(".")
        if not dot or f".{suffix}" not in EXTENSIONS:
            continue
        if not SLUG.fullmatch(stem):
            suggestion = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "name"
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


# -- articles -------------------------------------------------------------------------------


def _load_articles(inputs: Inputs, config: SiteConfig, md: MarkdownIt, problems: list[Problem]) -> dict[str, Article]:
    ids = [p.id for p in config.perspectives]
    articles: list[Article] = []
    for slug, path in _content_files(inputs, "articles", problems):
        read = _read(inputs, path, ArticleMeta, "the article's front matter", problems)
        if read is None:
            continue
        meta, doc, body, offset = read
        for key in ("url", "archive_url"):
            address = getattr(meta, key)
            if address is not None and not _web_address(address):
                message = f"{key} must be a web address starting with https:// or http://, not '{address}'"
                problems.append(Problem(doc.path, doc.line((key,)), message))
        if meta.perspective not in ids:
            problems.append(
                Problem(
                    doc.path,
                    doc.line(("perspective",)),
                    _unknown("perspective", meta.perspective, ids, "site.yaml declares"),
                )
            )
            continue
        blocks = number_blocks(md, body, offset)
        if not blocks:
            problems.append(Problem(doc.path, offset + 1, "the article has no text after its front matter"))
            continue
        articles.append(Article(slug, doc.path, meta, blocks))
    articles.sort(key=lambda a: (ids.index(a.meta.perspective), a.slug))
    for perspective in config.perspectives:
        if articles and not any(a.meta.perspective == perspective.id for a in articles):
            message = f"perspective '{perspective.id}' has no source in content/articles/; its columns will be empty"
            problems.append(Problem("site.yaml", None, message, warning=True))
    if not articles:
        problems.append(
            Problem("content/articles", None, "no articles found; add at least one Markdown file per perspective")
        )
    return {a.slug: a for a in articles}


# -- topics and pages --------------------------------------------------------------------------


def _load_documents(
    inputs: Inputs,
    folder: str,
    cls: type[TopicMeta] | type[PageMeta],
    config: SiteConfig,
    md: MarkdownIt,
    problems: list[Problem],
) -> list[Document]:
    kind = "topic" if folder == "topics" else "page"
    ids = [p.id for p in config.perspectives]
    documents = []
    for slug, path in _content_files(inputs, folder, problems):
        read = _read(inputs, path, cls, f"the {kind}'s front matter", problems)
        if read is None:
            continue
        meta, doc, body, offset = read
        if isinstance(meta, TopicMeta):
            bad = [k for k in meta.silent if k not in ids]
            for key in bad:
                problems.append(
                    Problem(
                        doc.path, doc.line(("silent", key)), _unknown("perspective", key, ids, "site.yaml declares")
                    )
                )
            if bad:
                continue
        document, found = parse_document(md, kind, slug, doc.path, meta, body, offset, config.perspectives)
        problems += found
        if document is not None:
            documents.append(document)
    return documents


def _order_topics(
    topics: Sequence[Document], files: set[str], config: SiteConfig, doc: YamlDoc, problems: list[Problem]
) -> tuple[Document, ...]:
    """Order topics as site.yaml lists them, or by their `order` and title."""
    if not config.topics:
        return tuple(sorted(topics, key=lambda t: (_order(t), t.title)))
    by_slug = {t.slug: t for t in topics}
    for index, slug in enumerate(config.topics):
        if slug not in files:
            problems.append(
                Problem(
                    doc.path, doc.line(("topics", index)), _unknown("topic", slug, sorted(files), "content/topics/ has")
                )
            )
    for topic in topics:
        if topic.slug not in config.topics:
            problems.append(
                Problem(
                    topic.path,
                    None,
                    f"topic '{topic.slug}' is missing from the 'topics' list in site.yaml; add it where it belongs",
                )
            )
    return tuple(by_slug[s] for s in config.topics if s in by_slug)


def _order(topic: Document) -> int:
    order = topic.topic.order if topic.topic else None
    return order if order is not None else 1_000_000


def _unknown(what: str, name: str, known: Sequence[str], source: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"{source}: {', '.join(known) or 'none'}"
    return f"unknown {what} '{name}'; {hint}"
