"""The part of CBOR (RFC 8949) that Pagefind's index files use: unsigned integers, text and arrays. Pure.

Pagefind writes its filter indexes in an order that changes from run to run; `search` reads them, puts
them in order and writes them again, with this.
"""

from __future__ import annotations

import struct

Value = int | str | list["Value"]
"""What the files hold: an unsigned integer, a text string, or an array of values."""

_UNSIGNED, _TEXT, _ARRAY = 0, 3, 4
"""Major types."""


class CBORError(ValueError):
    """The bytes are not the CBOR subset read here."""


def encode(value: Value) -> bytes:
    """Return the shortest CBOR encoding of `value`, arrays of definite length."""
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _encode(value: Value, out: bytearray) -> None:
    if isinstance(value, bool) or (isinstance(value, int) and value < 0):
        raise CBORError(f"cannot encode {value!r}")
    if isinstance(value, int):
        _head(_UNSIGNED, value, out)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(_TEXT, len(data), out)
        out += data
    else:
        _head(_ARRAY, len(value), out)
        for item in value:
            _encode(item, out)


def _head(major: int, number: int, out: bytearray) -> None:
    if number < 24:
        out.append(major << 5 | number)
    elif number < 1 << 8:
        out += bytes((major << 5 | 24, number))
    elif number < 1 << 16:
        out += bytes((major << 5 | 25,)) + struct.pack(">H", number)
    elif number < 1 << 32:
        out += bytes((major << 5 | 26,)) + struct.pack(">I", number)
    else:
        out += bytes((major << 5 | 27,)) + struct.pack(">Q", number)


def decode(data: bytes) -> Value:
    """Return the one value `data` encodes; raise CBORError for anything else."""
    value, end = _decode(data, 0)
    if end != len(data):
        raise CBORError(f"{len(data) - end} bytes left after the value")
    return value


def _decode(data: bytes, at: int) -> tuple[Value, int]:
    if at >= len(data):
        raise CBORError("the data ends inside a value")
    major, extra = data[at] >> 5, data[at] & 31
    at += 1
    if extra < 24:
        number = extra
    elif extra <= 27:
        size = 1 << (extra - 24)
        if at + size > len(data):
            raise CBORError("the data ends inside a number")
        number = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise CBORError(f"unsupported additional information {extra} (indefinite length?)")
    if major == _UNSIGNED:
        return number, at
    if major == _TEXT:
        if at + number > len(data):
            raise CBORError("the data ends inside a text string")
        try:
            return data[at : at + number].decode("utf-8"), at + number
        except UnicodeDecodeError as error:
            raise CBORError(f"a text string is not UTF-8: {error}") from None
    if major == _ARRAY:
        items: list[Value] = []
        for _ in range(number):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise CBORError(f"unsupported major type {major}")
