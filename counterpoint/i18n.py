"""The interface's words in the site's language: a message catalogue per language, each message with its
plural forms, and dates, numbers and lists written as the language writes them (`cldr`).

The built-in catalogues are `messages/<language>.yaml`; `language:` in site.yaml picks one (`en-GB` takes
`en`, `zh-Hans-CN` takes `zh-Hans`), and `strings:` in site.yaml replaces any message. Templates call the
site's `Words` as `t('references')` or `t('strip_cited', count=3)`.
"""

from __future__ import annotations

import datetime
import functools
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import Markup, escape

from counterpoint import cldr
from counterpoint.errors import Problem
from counterpoint.escaping import as_html
from counterpoint.model import Credit, FrozenMap

MESSAGES = Path(__file__).resolve().parent / "messages"
"""The built-in catalogues."""
BUILT_IN = ("en", "zh-Hans", "ar")
"""The languages with a built-in catalogue."""
FALLBACK = "en"
"""The catalogue of a language that has none of its own (its site translates it under `strings:`)."""
DATE_FORMAT = "date_format"

"""The key of the catalogue's date format, a CLDR pattern or a named format, not a message."""


@dataclass(frozen=True)
class Plural:
    """A message that counts: one text per CLDR plural category (`one`, `few`, `other`...)."""

    forms: FrozenMap[str]
    """Text by category; `other` is always there."""


Message = str | Plural
LineOf = Callable[[tuple[str | int, ...]], int]
"""The line of a key path in a YAML file (`schema.YamlDoc.line`)."""


@dataclass(frozen=True)
class Catalogue:
    """Every message of the interface in one language."""

    language: str
    """The site's language tag, which dates, numbers and plural categories follow."""
    messages: FrozenMap[Message]
    """The messages by key, the site's own replacing the built-in ones."""


def base_for(language: str) -> str | None:
    """Return the built-in catalogue for a language tag, or None when there is none for it."""
    parts = language.split("-")
    while parts:
        tag = "-".join(parts)
        found = next((b for b in BUILT_IN if b.lower() == tag.lower()), None)
        if found:
            return found
        parts.pop()
    return "zh-Hans" if language.lower() in ("zh", "zh-cn", "zh-sg") else None


@functools.cache
def built_in(name: str) -> FrozenMap[Message]:
    """Return a built-in catalogue's messages."""
    data = yaml.load((MESSAGES / f"{name}.yaml").read_text(encoding="utf-8"), Loader=_LOADER)
    return FrozenMap({key: _message(value) for key, value in data.items()})


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _message(value: object) -> Message:
    if isinstance(value, Mapping):
        return Plural(FrozenMap({str(k): str(v) for k, v in value.items()}))
    return str(value)


def catalogue(language: str, strings: Mapping[str, str | Mapping[str, str]]) -> Catalogue:
    """Return the catalogue of a site: the built-in one for its language, with its own `strings:` over it
    (checked by `check_strings`)."""
    base = base_for(language) or FALLBACK
    messages = dict(built_in(base))
    for key, value in strings.items():
        messages[key] = _message(value)
    return Catalogue(language, FrozenMap(messages))


def placeholders(text: str) -> set[str]:
    """Return the names of the {placeholders} in a message."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _forms(message: Message) -> tuple[str, ...]:
    return tuple(message.forms.values()) if isinstance(message, Plural) else (message,)


def check_strings(language: str, strings: Mapping[str, object], line: LineOf, path: str) -> list[Problem]:
    """Check a site's `strings:`: each key a message of the catalogue, each text with no placeholder the
    message does not have, each plural form a category of the language; return the problems."""
    problems: list[Problem] = []
    english = built_in(FALLBACK)
    known = sorted(english)
    for key, value in strings.items():
        where = line(("strings", key))
        if key not in english:
            hint = _hint(key, known)
            problems.append(Problem(path, where, f"strings: there is no message '{key}'; {hint}"))
            continue
        if key == DATE_FORMAT:
            why = cldr.format_check(language, str(value)) if isinstance(value, str) else "it is not text"
            if why:
                named = ", ".join(cldr.NAMED_FORMATS)
                message = f"strings: {key} '{value}' is not a date format ({why}); write {named} or a CLDR pattern"
                problems.append(Problem(path, where, message))
            continue
        original = english[key]
        if not isinstance(value, str | Mapping):
            message = f"strings: '{key}' is empty; give its text, or leave the key out to keep the catalogue's"
            problems.append(Problem(path, where, message))
            continue
        if isinstance(value, Mapping):
            if not isinstance(original, Plural):
                message = f"strings: '{key}' does not count anything, so it has one text, not plural forms"
                problems.append(Problem(path, where, message))
                continue
            allowed = cldr.categories(language)
            for category in value:
                if category not in allowed:
                    message = (
                        f"strings: '{category}' is not a plural category of {language}; "
                        f"its categories are {', '.join(allowed)}"
                    )
                    problems.append(Problem(path, line(("strings", key, category)), message))
            if "other" not in value:
                problems.append(Problem(path, where, f"strings: '{key}' needs an 'other' form, for any number"))
        allowed_names = set().union(*(placeholders(text) for text in _forms(original)))
        for text in _forms(_message(value)):
            try:
                fields = list(string.Formatter().parse(text))
            except ValueError as error:
                message = f"strings: '{key}' has a stray brace ({error}); write {{{{ and }}}} for a brace itself"
                problems.append(Problem(path, where, message))
                continue
            odd = [
                (n, spec, conv)
                for _, n, spec, conv in fields
                if n is not None and (spec or conv or not n.isidentifier())
            ]
            if odd:
                name, spec, conversion = odd[0]
                written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
                message = f"strings: '{key}' has {written}; write a placeholder as a name alone, like {{count}}"
                problems.append(Problem(path, where, message))
                continue
            names = {name for _, name, _, _ in fields if name is not None}
            unknown = sorted(names - allowed_names)
            offered = ", ".join(f"{{{n}}}" for n in sorted(allowed_names)) or "none"
            if unknown:
                message = f"strings: '{key}' has {{{unknown[0]}}}, which the message does not give; it gives {offered}"
                problems.append(Problem(path, where, message))
            missing = sorted(allowed_names - names - {"count"})  # a form may spell its number out ("two")
            if missing:
                message = (
                    f"strings: '{key}' leaves out {{{missing[0]}}}, which the page needs (it may be a link or a "
                    f"citation); write every one of {offered}"
                )
                problems.append(Problem(path, where, message))
    return problems


_MISSING = object()
"""A value a message was not given."""
_REMEMBERED = 4096
"""How many filled messages `Words` keeps of each kind (a few MB at most); it forgets them all when it has more."""


@functools.lru_cache(maxsize=4096)
def _compiled(text: str, html: bool) -> tuple[tuple[str, str | None], ...]:
    """Return a message as (its literal text, escaped for `html`; the placeholder after it, or None) pairs: a
    page fills hundreds of messages, and parsing each anew (as `str.format` does) would cost a tenth of a large
    build. (`check_strings` allows no format spec or conversion: a placeholder is a name.)"""
    parsed = string.Formatter().parse(text)
    return tuple((str(escape(literal)) if html else literal, name) for literal, name, _, _ in parsed)


@functools.lru_cache(maxsize=8)
def words_for(language: str, strings: FrozenMap[str | FrozenMap[str]]) -> Words:
    """Return the words of a site, from its site.yaml `language` and `strings` (one object while they stay)."""
    return Words(catalogue(language, strings))


@functools.cache
def english() -> Words:
    """Return the built-in English words (for code that renders no site)."""
    return Words(catalogue(FALLBACK, {}))


class Said(Markup):
    """A message of the catalogue, filled in: safe HTML in the site's own language."""

    __slots__ = ()


class Words:
    """A site's catalogue, ready for templates: `t('key', count=n, name=value)` returns the message as safe
    HTML, its text escaped and each value escaped unless it is HTML already (a link the template made)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.language = catalogue.language
        self.dir = cldr.direction(catalogue.language)
        """`rtl` for a language written right to left, else `ltr`."""
        self._numbers: dict[int, str] = {}
        self._html: dict[tuple[object, ...], Markup] = {}
        self._plain: dict[tuple[object, ...], str] = {}

    def __call__(self, key: str, count: int | None = None, **values: object) -> Markup:
        # Pages say the same things over and over ("back to note 3", a source's title in quotes): remember them,
        # by the values' types too (text to escape equals the same text as HTML, and hashes alike). A message
        # filled with HTML (a link, a citation) is rarely said twice: it is not kept.
        if values:
            for value in values.values():
                if isinstance(value, Markup):
                    return self._fill(key, count, values)
            memo: tuple[object, ...] = (key, count, *values.items(), *map(type, values.values()))
        else:
            memo = (key, count)
        said = self._html.get(memo)
        if said is None:
            if len(self._html) > _REMEMBERED:
                self._html.clear()
            said = self._html[memo] = self._fill(key, count, values)
        return said

    def _fill(self, key: str, count: int | None, values: Mapping[str, object]) -> Markup:
        parts = _compiled(self._text(key, count), True)
        if len(parts) == 1 and parts[0][1] is None:  # most messages: no placeholder
            return Said(parts[0][0])
        # In right-to-left text a value in another script (a Latin title, a number) keeps its own direction:
        # it is set apart (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE), which works in attributes too,
        # where an element such as <bdi> cannot go. A value that is itself a message of the catalogue (a title
        # in the language's quotation marks, a reference) is in the page's own direction, which it is set
        # apart in (RIGHT-TO-LEFT ISOLATE): its strong letters may all sit in isolates of their own, and a
        # first-strong isolate would then take it for left to right, reversing its parts.
        rtl = self.dir == "rtl"
        out = []
        for literal, name in parts:
            out.append(literal)
            if name is None:
                continue
            value = values.get(name, count if name == "count" and count is not None else _MISSING)
            if value is _MISSING:
                raise _not_given(key, name)
            if type(value) is int:
                value = self.number(value)
            if not rtl:
                out.append(as_html(value))
            else:
                out += ("\u2067" if type(value) is Said else "\u2068", as_html(value), "\u2069")
        return Said("".join(out))

    def text(self, key: str, count: int | None = None, **values: object) -> str:
        """Return a message as plain text (for a marker's description, or JSON)."""
        memo = (key, count, *values.items()) if values else (key, count)
        said = self._plain.get(memo)
        if said is None:
            if len(self._plain) > _REMEMBERED:
                self._plain.clear()
            filled = self._values(count, values)
            parts = _compiled(self._text(key, count), False)
            _check_given(key, parts, filled)
            said = self._plain[memo] = "".join(lit + (str(filled[name]) if name else "") for lit, name in parts)
        return said

    def date(self, day: datetime.date) -> str:
        """Return a date in the catalogue's date format."""
        pattern = self.catalogue.messages.get(DATE_FORMAT, "long")
        assert isinstance(pattern, str)
        return cldr.date(self.language, day, pattern)

    def number(self, value: int) -> str:
        """Return a whole number as the language writes it."""
        written = self._numbers.get(value)
        if written is None:
            written = self._numbers[value] = cldr.number(self.language, value)
        return written

    def join(self, items: Sequence[str]) -> str:
        """Return names as a list in running text (`A and B`)."""
        return cldr.join(self.language, items)

    def credit(self, credit: Credit) -> str:
        """Return whose words a passage is, as plain text: the outlet, or the people it quotes."""
        if not credit.speakers:
            return credit.outlet
        speakers = self.join(credit.speakers)
        return self.text("quoted_in" if credit.only else "quoting", speakers=speakers, outlet=credit.outlet)

    def strings(self, *keys: str) -> dict[str, str]:
        """Return some messages as they are written, placeholders and all (for the browser script)."""
        return {key: self._text(key, None) for key in keys}

    def forms(self, key: str) -> dict[str, str]:
        """Return a message's text for each plural category it has (`other` alone for one that does not count),
        placeholders and all (for the browser script, which picks the form)."""
        message = self.catalogue.messages[key]
        return dict(message.forms) if isinstance(message, Plural) else {"other": message}

    def _text(self, key: str, count: int | None) -> str:
        message = self.catalogue.messages.get(key)
        if message is None:  # a theme's template asks for a message there is not
            raise LookupError(f"there is no message '{key}'; {_hint(key, list(self.catalogue.messages))}")
        if isinstance(message, Plural):
            category = cldr.plural(self.language, count if count is not None else 0)
            return message.forms.get(category) or message.forms["other"]
        return message

    def _values(self, count: int | None, values: Mapping[str, object]) -> dict[str, object]:
        out = {name: self.number(v) if type(v) is int else v for name, v in values.items()}
        if count is not None:
            out.setdefault("count", self.number(count))
        return out


def _close(key: str, known: list[str]) -> list[str]:
    """Return the known key most like `key`, if any is (for "did you mean"): only a mistake needs difflib."""
    import difflib

    return difflib.get_close_matches(key, known, n=1, cutoff=0.6)


RENAMED = {"paragraph": "paragraph_number"}
"""Messages renamed, by their old key: a site's `strings:` or a theme may still use it."""


def _hint(key: str, known: list[str]) -> str:
    """Return what to say of a message key there is not: its new name, or the key most like it."""
    if key in RENAMED:
        new = RENAMED[key]
        return f"it is now '{new}', written whole with its placeholders ({new}: {built_in(FALLBACK)[new]!r})"
    close = _close(key, known)
    return f"did you mean '{close[0]}'?" if close else f"the messages are those of {MESSAGES.name}/en.yaml"


def _check_given(key: str, parts: tuple[tuple[str, str | None], ...], filled: Mapping[str, object]) -> None:
    """Raise LookupError, naming what to pass, if a template gave a message fewer values than it has."""
    for _, name in parts:
        if name is not None and name not in filled:
            raise _not_given(key, name)


def _not_given(key: str, name: str) -> LookupError:
    """Return the error for a message given no value for its placeholder `name`."""
    return LookupError(f"the message '{key}' needs a value for {{{name}}}: call it as t('{key}', {name}=...)")
