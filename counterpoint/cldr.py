"""What the Unicode CLDR says of a language: its plural categories, how it writes dates, numbers and lists,
and which way it runs. Babel answers; the answers are remembered across builds.

Loading Babel and its data for one language takes about 50 ms, a quarter of the whole build of a small site,
while the answers a site needs are few (a date per source, the plural category of some small numbers). So
they are kept in the user's cache folder, as compiled templates are (`render.make_environment`), under the
installed Babel's version: a build that asks nothing new does not load Babel, and another Babel starts afresh.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import importlib.util
import json
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import Any

NAMED_FORMATS = ("short", "medium", "long", "full")
"""The date formats every CLDR language has; any other date format is a CLDR pattern (`d MMMM y`)."""

_FORMAT = 1
"""The form of the answers kept: raised when this module asks or answers differently, so old answers go."""
_lock = threading.Lock()
_answers: dict[str, Any] | None = None
_new = False


def plural(language: str, number: int) -> str:
    """Return the CLDR plural category of `number` in `language`: zero, one, two, few, many or other."""
    return str(_ask(f"plural|{language}|{number}", lambda: _locale(language).plural_form(number)))


def categories(language: str) -> tuple[str, ...]:
    """Return the plural categories `language` uses (`one`, `other` for English; `other` alone for Chinese)."""
    return tuple(_ask(f"categories|{language}", lambda: sorted(_locale(language).plural_form.tags | {"other"})))


def date(language: str, day: datetime.date, pattern: str) -> str:
    """Return `day` written in `language`, in one of the `NAMED_FORMATS` or a CLDR pattern."""

    def answer() -> str:
        from babel.dates import format_date

        return str(format_date(day, pattern, locale=_locale(language)))

    return str(_ask(f"date|{language}|{day.isoformat()}|{pattern}", answer))


def number(language: str, value: int) -> str:
    """Return a whole number written in `language` (`1,234` in English)."""

    def answer() -> str:
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=_locale(language)))

    return str(_ask(f"number|{language}|{value}", answer))


def join(language: str, items: Sequence[str]) -> str:
    """Return `items` as a list in running text (`A, B, and C` in English)."""

    def answer() -> str:
        from babel.lists import format_list

        return str(format_list(list(items), locale=_locale(language)))

    if len(items) < 2:
        return "".join(items)
    return str(_ask(f"join|{language}|{json.dumps(list(items), ensure_ascii=False)}", answer))


def direction(language: str) -> str:
    """Return `rtl` for a language written right to left, else `ltr`."""
    return str(_ask(f"direction|{language}", lambda: _locale(language).text_direction))


def known(language: str) -> bool:
    """Return True when the CLDR has data for `language` (a BCP 47 tag such as `zh-Hans` or `ar-EG`)."""

    def answer() -> bool:
        from babel.core import Locale, UnknownLocaleError

        try:
            Locale.parse(language, sep="-")
        except (UnknownLocaleError, ValueError):
            return False
        return True

    return bool(_ask(f"known|{language}", answer))


def format_check(language: str, pattern: str) -> str | None:
    """Return why `pattern` is not a date format Babel can use, or None when it is."""

    def answer() -> str:
        from babel.dates import format_date

        try:
            format_date(datetime.date(2025, 2, 24), pattern, locale=_locale(language))
        except (ValueError, KeyError, AttributeError) as error:
            return str(error) or type(error).__name__
        return ""

    return str(_ask(f"format|{language}|{pattern}", answer)) or None


def save() -> None:
    """Write the answers learned since the last save to the cache folder (if there is one to write to)."""
    global _new
    with _lock:
        if not _new or _answers is None:
            return
        path = _cache_path()
        if path is None:
            return
        # What other processes (a team build's workers, another build) saved meanwhile is kept too.
        stored = {**_read(), **_answers}
        _new = False
    name = None
    try:
        with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(path), delete=False, encoding="utf-8") as file:
            name = file.name
            json.dump({"babel": _stamp(), "answers": stored}, file, ensure_ascii=False, sort_keys=True)
        os.replace(name, path)
    except OSError:  # a full disk or a read-only cache: the next build asks Babel again
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _ask(key: str, answer: Callable[[], Any]) -> Any:
    global _answers, _new
    with _lock:
        if _answers is None:
            _answers = _read()
        if key in _answers:
            return _answers[key]
    value = answer()
    with _lock:
        _answers[key] = value
        _new = True
    return value


def _locale(language: str) -> Any:
    """Return Babel's Locale for a BCP 47 tag (`zh-Hans` is `zh_Hans` to Babel); English for one it lacks."""
    from babel.core import Locale, UnknownLocaleError

    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _read() -> dict[str, Any]:
    path = _cache_path()
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as file:
            stored = json.load(file)
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("babel") != _stamp() or not isinstance(stored.get("answers"), dict):
        return {}
    return dict(stored["answers"])


def cache_folder(*parts: str) -> str | None:
    """Return a folder of Counterpoint's in the user's cache folder (XDG_CACHE_HOME, or ~/.cache), made if need
    be, or None where there is none to write to (the caller then does without)."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(home, "counterpoint", *parts)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _cache_path() -> str | None:
    folder = cache_folder()
    return os.path.join(folder, "cldr.json") if folder else None


def _stamp() -> str:
    """Return which Babel is installed, without importing it: a fingerprint of its `__init__.py`, which names
    its version. Every environment with the same Babel (a virtual environment per project, say) shares the
    answers, where one stamped with Babel's location would throw away the other's on every switch."""
    spec = importlib.util.find_spec("babel")
    if spec is None or spec.origin is None:
        return "none"
    try:
        with open(spec.origin, "rb") as file:
            digest = hashlib.sha256(file.read()).hexdigest()[:16]
    except OSError:
        return "unreadable"
    return f"{_FORMAT}|{digest}"
