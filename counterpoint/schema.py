"""Read YAML into frozen dataclasses, reporting every problem with its line.

The dataclass is the schema: its fields, their types and defaults say what a
file may hold. Unknown keys are errors, with a "did you mean" when one is close.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml

from counterpoint.errors import Problem
from counterpoint.model import FrozenMap

T = TypeVar("T")
Key = str | int


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML document that remembers where each value stands."""

    path: str
    """File the YAML came from, relative to the site folder."""
    data: object
    """The plain Python value (dicts, lists, strings, dates, ...)."""
    node: yaml.Node | None
    """The composed node tree, for line numbers; None for an empty document."""
    line_offset: int
    """Lines before the YAML in its file (front matter starts after `---`)."""

    def line(self, keys: tuple[Key, ...] = ()) -> int:
        """Return the 1-based file line of the value at `keys`, or the nearest parent's."""
        node = self.node
        line = node.start_mark.line if node is not None else 0
        for key in keys:
            child = _child(node, key)
            if child is None:
                break
            node, line = child
        return line + 1 + self.line_offset


def _child(node: yaml.Node | None, key: Key) -> tuple[yaml.Node, int] | None:
    """Return the node under `key` and the line its key stands on."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node, key_node.start_mark.line
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        item = node.value[key]
        return item, item.start_mark.line
    return None


class _Loader(yaml.SafeLoader):  # not libyaml's CSafeLoader: its messages say less ("did not find expected ',' or ']'")
    """SafeLoader that reports an impossible date (2025-13-01) as a YAML error with its line."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> object:  # type: ignore[override]
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(self, node)  # type: ignore[arg-type]
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a real date ({error})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """libyaml's loader, several times faster, for files that load; a file that does not is read again by
    `_Loader`, whose messages say more."""

    construct_yaml_timestamp = _Loader.construct_yaml_timestamp


_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _FastLoader.construct_yaml_timestamp)


def load_yaml(text: str, path: str, line_offset: int = 0) -> YamlDoc | Problem:
    """Parse `text` as YAML, or return the first problem with its line."""
    loader = _FastLoader(text)
    try:  # compose once (for line numbers), then construct the values from the same nodes
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError, RecursionError):
        return _load_slowly(text, path, line_offset)
    finally:
        loader.dispose()
    return _checked(YamlDoc(path, data, node, line_offset))


_LONG_NUMBER = re.compile(r"\d{4000,}")


def _load_slowly(text: str, path: str, line_offset: int) -> YamlDoc | Problem:
    """Parse `text` with the pure-Python loader, whose errors name what is wrong more precisely."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # checks the characters already
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.constructor.ConstructorError as error:
        line = _line(error.problem_mark, line_offset)
        if "not a real date" in str(error.problem):  # valid YAML, impossible value
            return Problem(path, line, f"{error.problem}; write dates as YYYY-MM-DD")
        return Problem(path, line, f"invalid YAML: {error.problem}")
    except yaml.MarkedYAMLError as error:
        # An unclosed quote or bracket is found only at the end: point at where it opened.
        opened = error.context_mark and "end of stream" in str(error.problem)
        mark = error.context_mark if opened else (error.problem_mark or error.context_mark)
        what = f"{error.problem} {error.context}" if opened else (error.problem or "not valid")
        hint = (
            "close it where the value ends"
            if opened
            else "check the indentation, and quote values that contain ': ' or start with a symbol"
        )
        return Problem(path, _line(mark, line_offset), f"invalid YAML: {what}; {hint}")
    except RecursionError:
        message = "invalid YAML: its lists or mappings are nested too deeply to read; flatten them"
        return Problem(path, 1 + line_offset, message)
    except ValueError:  # Python refuses to turn a number of thousands of digits into an int
        long = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, long.start()) + 1 + line_offset if long else None
        digits = f"of {len(long.group())} digits " if long else ""
        message = f"invalid YAML: a number {digits}is too long to read; shorten it, or quote it to make it text"
        return Problem(path, line, message)
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1 + line_offset
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return Problem(path, line, f"invalid YAML: the character U+{code:04X} is not allowed in YAML text; remove it")
    finally:
        if loader is not None:
            loader.dispose()
    return _checked(YamlDoc(path, data, node, line_offset))


def _checked(doc: YamlDoc) -> YamlDoc | Problem:
    """Return `doc`, or the problem of an alias in it, or of a key it gives twice in one mapping."""
    alias = _alias(doc.node, set())
    if alias is not None:
        message = (
            "YAML aliases (*name) are not allowed in a site's files: a few lines of them can stand for billions "
            "of values; write the value out"
        )
        return Problem(doc.path, alias + 1 + doc.line_offset, message)
    duplicate = _duplicate_key(doc.node)
    if duplicate is not None:
        key, first, again = duplicate
        offset = doc.line_offset
        message = f"the key '{key}' appears twice (lines {first + 1 + offset} and {again + 1 + offset}); keep one"
        return Problem(doc.path, again + 1 + offset, message)
    return doc


def _line(mark: yaml.Mark | None, offset: int) -> int | None:
    return mark.line + 1 + offset if mark else None


def _alias(node: yaml.Node | None, seen: set[int]) -> int | None:
    """Return the line of a node met a second time (what an alias composes to), or None; each node is
    visited once, so an alias bomb costs no more than its text."""
    if node is None:
        return None
    if id(node) in seen:
        return int(node.start_mark.line)
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        return None
    for child in children:
        found = _alias(child, seen)
        if found is not None:
            return found
    return None


def _duplicate_key(node: yaml.Node | None) -> tuple[str, int, int] | None:
    """Return (key, first line, repeated line) of the first key given twice in one mapping, if any."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                return key, seen[key], key_node.start_mark.line
            seen[key] = key_node.start_mark.line
            found = _duplicate_key(value_node)
            if found:
                return found
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found:
                return found
    return None


def convert(cls: type[T], doc: YamlDoc, what: str) -> tuple[T | None, list[Problem]]:
    """Build a `cls` from `doc`, collecting every problem instead of stopping at the first."""
    problems: list[Problem] = []
    value = _convert(cls, doc.data, (), doc, problems, what)
    return (value if not problems else None), problems


def _convert(tp: Any, value: object, keys: tuple[Key, ...], doc: YamlDoc, problems: list[Problem], what: str) -> Any:
    name = _name(keys, what)
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if value is None:
            return None
        chosen = next((o for o in options if o in (int, bool) and type(value) is o), None) or next(
            (o for o in options if typing.get_origin(o) is FrozenMap and isinstance(value, dict)), options[0]
        )
        return _convert(chosen, value, keys, doc, problems, what)
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, value, keys, doc, problems, what)
    if origin is tuple:
        (item_type, _) = typing.get_args(tp)
        if not isinstance(value, list):
            problems.append(_wrong(doc, keys, f"{name} must be a list", value))
            return ()
        return tuple(_convert(item_type, item, (*keys, index), doc, problems, what) for index, item in enumerate(value))
    if origin is FrozenMap:
        (item_type,) = typing.get_args(tp)
        if not isinstance(value, dict):
            problems.append(_wrong(doc, keys, f"{name} must be a mapping of names to values", value))
            return FrozenMap({})
        return FrozenMap({str(k): _convert(item_type, v, (*keys, k), doc, problems, what) for k, v in value.items()})
    return _convert_scalar(tp, value, keys, doc, problems, name)


def _convert_scalar(
    tp: Any, value: object, keys: tuple[Key, ...], doc: YamlDoc, problems: list[Problem], name: str
) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
        problems.append(_wrong(doc, keys, f"{name} must be true or false", value))
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        problems.append(_wrong(doc, keys, f"{name} must be a whole number", value))
    elif tp is datetime.date:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        problems.append(_wrong(doc, keys, f"{name} must be a date written like 2025-02-24", value))
    elif tp is str:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, str):
            problems.append(Problem(doc.path, doc.line(keys), f"{name} must not be empty"))
        else:
            wrong = _wrong(doc, keys, f"{name} must be text", value)
            if isinstance(value, (int, float, bool, datetime.date)):  # YAML read `2024`, `yes` or a date
                wrong = dataclasses.replace(wrong, message=f"{wrong.message}; put it in quotes to make it text")
            problems.append(wrong)
    else:  # pragma: no cover - a schema bug, not an input problem
        raise TypeError(f"unsupported schema type {tp!r}")
    return None


def _convert_dataclass(
    cls: Any, value: object, keys: tuple[Key, ...], doc: YamlDoc, problems: list[Problem], what: str
) -> Any:
    if value is None and not keys:
        value = {}
    if not isinstance(value, dict):
        problems.append(_wrong(doc, keys, f"{_name(keys, what)} must be a mapping of keys to values", value))
        return None
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    known = sorted(fields)
    for key in value:
        if key not in fields:
            problems.append(Problem(doc.path, doc.line((*keys, key)), _unknown_key(key, known, keys, what)))
    kwargs: dict[str, Any] = {}
    for field_name, field in fields.items():
        if field_name in value:
            kwargs[field_name] = _convert(
                hints[field_name], value[field_name], (*keys, field_name), doc, problems, what
            )
        elif _required(field):
            problems.append(
                Problem(
                    doc.path,
                    doc.line(keys),
                    f"{_name(keys, what)} is missing the required key '{field_name}'",
                )
            )
    if any(v is None and _required(fields[k]) for k, v in kwargs.items()):
        return None
    try:
        return cls(**kwargs)
    except TypeError:
        return None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """Return the field types of a schema class (evaluating annotations is slow: once per class)."""
    return typing.get_type_hints(cls)


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _unknown_key(key: object, known: list[str], keys: tuple[Key, ...], what: str) -> str:
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    where = _name(keys, what)
    hint = f"did you mean '{close[0]}'?" if close else f"the keys allowed are: {', '.join(known)}"
    return f"unknown key '{key}' in {where}; {hint}"


def _wrong(doc: YamlDoc, keys: tuple[Key, ...], message: str, value: object) -> Problem:
    return Problem(doc.path, doc.line(keys), f"{message}, not {_describe(value)}")


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return repr(text if len(text) < 40 else text[:37] + "...")


def _name(keys: tuple[Key, ...], what: str) -> str:
    if not keys:
        return what
    parts: Iterator[str] = (f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys)
    return "'" + "".join(parts).lstrip(".") + "'"
