"""Escape values for HTML into plain text, for code that only joins what it escapes.

`markupsafe.escape` wraps every result in a new Markup, and copies a Markup it
is given into another; a page escapes thousands of values only to join them.
"""

from __future__ import annotations

from collections.abc import Callable

import markupsafe
from markupsafe import Markup


def as_html(value: object) -> str:
    """Return the text of `value` as HTML, as `markupsafe.escape` does: HTML already (a Markup, or an object
    with `__html__`) as it is, a Markup not copied; anything else escaped; and nothing wrapped in a new Markup."""
    kind = type(value)
    if kind is Markup:
        return value  # type: ignore[return-value]
    if kind is str:
        return _escape_text(value)  # type: ignore[arg-type]
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_text(str(value))


def _escape_markupsafe(text: str) -> str:
    return str(markupsafe.escape(text))


_escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", _escape_markupsafe)
"""markupsafe's own escaping of a plain string, without the Markup around it (where this markupsafe has it)."""
