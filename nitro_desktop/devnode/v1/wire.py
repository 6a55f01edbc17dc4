"""v1 frames and payloads read the way nitronode's Go decoder reads them.

A frame is ``[type, request_id, method, payload, ts]`` (``rpc.Message``); a payload is
decoded into a Go struct (``Payload.Translate``): keys match field names exactly or
case-insensitively, unknown keys are ignored, ``null`` leaves the zero value, and a
value of the wrong JSON type (or an integer out of range) fails the whole decode.
Everything is bounded before it is looked at: text size, nesting depth, number length.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from nitro_desktop.protocol import v1
from nitro_desktop.protocol.nesting import nesting_within

MAX_DEPTH = 64  # Go allows 10000; no v1 payload nests deeper than 5
MAX_NUMBER_TEXT = 80
MAX_DECIMAL_TEXT = 100
MAX_DECIMAL_EXPONENT = 100

T = TypeVar("T")


class FrameError(Exception):
    """The frame is not a v1 message (``invalid message format``); ``request_id`` as far as read."""

    def __init__(self, request_id: int = 0) -> None:
        super().__init__("invalid message format")
        self.request_id = request_id


class PayloadError(Exception):
    """The payload does not decode into the method's request struct."""


class GoNumber(str):
    """A JSON number kept as its literal text, so integer ranges are checked as Go does."""


def _number(text: str) -> GoNumber:
    if len(text) > MAX_NUMBER_TEXT:
        raise ValueError("number too long")
    return GoNumber(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth_ok(v, depth + 1) for v in value)
    return True


def loads(text: str) -> Any:
    if not nesting_within(text, MAX_DEPTH):
        raise ValueError("nested too deeply")
    value = json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_no_constant)
    if not _depth_ok(value):
        raise ValueError("nested too deeply")
    return value


def go_uint(value: Any, bits: int) -> int:
    """A JSON value into a Go unsigned integer field (``null`` is 0)."""
    if value is None:
        return 0
    if not isinstance(value, GoNumber) or not value.isdigit():
        raise PayloadError("not an unsigned integer")
    number = int(value)
    if number >= 1 << bits:
        raise PayloadError("out of range")
    return number


@dataclass(frozen=True, slots=True)
class Request:
    kind: int
    request_id: int
    method: str
    payload: dict[str, Any] | None
    timestamp: int


def parse_frame(text: str) -> Request:
    """``Message.UnmarshalJSON``; elements decoded before a bad one keep their values."""
    try:
        raw = loads(text)
    except (ValueError, RecursionError):
        raise FrameError() from None
    if not isinstance(raw, list) or len(raw) != 5:
        raise FrameError()
    request_id = 0
    try:
        kind = go_uint(raw[0], 8)
        request_id = go_uint(raw[1], 64)
        method = raw[2]
        if method is None:
            method = ""
        if not isinstance(method, str) or isinstance(method, GoNumber):
            raise PayloadError("method")
        payload = raw[3]
        if payload is not None and not isinstance(payload, dict):
            raise PayloadError("payload")
        timestamp = go_uint(raw[4], 64)
    except PayloadError:
        raise FrameError(request_id) from None
    return Request(kind, request_id, method, payload, timestamp)


def encode(kind: int, request_id: int, method: str, payload: Any, timestamp: int | None = None) -> str:
    """``json.Marshal(rpc.Message)`` through protocol.v1: payload keys sorted, Go's escapes."""
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    return v1.encode_frame(kind, request_id, method, payload, ts)


# ---- struct decoding (Payload.Translate) --------------------------------------------------
class Struct:
    """A JSON object seen as a Go struct: ``get(name)`` finds the field's value or ``None``."""

    def __init__(self, value: Any) -> None:
        if value is not None and not isinstance(value, dict):
            raise PayloadError("not an object")
        self._items: list[tuple[str, Any]] = list((value or {}).items())

    def get(self, name: str) -> Any:
        found: Any = None
        folded = name.casefold()
        exact = [v for k, v in self._items if k == name]
        if exact:
            return exact[-1]
        for key, value in self._items:
            if key.casefold() == folded:
                found = value
        return found

    def has(self, name: str) -> bool:
        folded = name.casefold()
        return any(k.casefold() == folded for k, _ in self._items)

    def string(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            return ""
        if not isinstance(value, str) or isinstance(value, GoNumber):
            raise PayloadError(f"{name}: not a string")
        return value

    def opt_string(self, name: str) -> str | None:
        return None if self.get(name) is None else self.string(name)

    def uint(self, name: str, bits: int) -> int:
        return go_uint(self.get(name), bits)

    def opt_uint(self, name: str, bits: int) -> int | None:
        return None if self.get(name) is None else self.uint(name, bits)

    def boolean(self, name: str) -> bool:
        value = self.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise PayloadError(f"{name}: not a bool")
        return value

    def struct(self, name: str) -> Struct:
        return Struct(self.get(name))

    def opt_struct(self, name: str) -> Struct | None:
        return None if self.get(name) is None else Struct(self.get(name))

    def items(self, name: str, read: Callable[[Any], T]) -> list[T]:
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise PayloadError(f"{name}: not an array")
        return [read(item) for item in value]


def string_item(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or isinstance(value, GoNumber):
        raise PayloadError("not a string")
    return value


# ---- values -------------------------------------------------------------------------------
_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """``strconv.Quote``, for the texts of ``strconv`` errors."""
    out = ['"']
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[c])
        elif "\ud800" <= c <= "\udfff":  # Go's JSON decoder has already made it U+FFFD
            out.append("\ufffd")
        elif c.isprintable():
            out.append(c)
        elif ord(c) < 0x80:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return "".join(out) + '"'


def parse_decimal(text: str) -> Decimal:
    """shopspring ``NewFromString`` on bounded text; ``ValueError`` when it would fail."""
    if not text or len(text) > MAX_DECIMAL_TEXT or text.strip() != text:
        raise ValueError("not a decimal")
    body = text.lower()
    mantissa, _, exponent = body.partition("e")
    digits = mantissa.lstrip("+-")
    if mantissa[:1] in "+-" and len(mantissa) - len(digits) > 1:
        raise ValueError("sign")
    if not digits or digits.count(".") > 1 or not digits.replace(".", "").isdigit() or digits == ".":
        raise ValueError("digits")
    if exponent or body.endswith("e"):
        sign_less = exponent.lstrip("+-")
        if not sign_less.isdigit() or len(exponent) - len(sign_less) > 1:
            raise ValueError("exponent")
        if int(sign_less) > MAX_DECIMAL_EXPONENT:
            raise ValueError("exponent too large")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("not a decimal") from None


def parse_go_uint(text: str, bits: int = 64) -> int:
    """``strconv.ParseUint(text, 10, bits)``."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 20:
        raise ValueError("not an unsigned integer")
    number = int(text)
    if number >= 1 << bits:
        raise ValueError("out of range")
    return number


def decimal_exponent(value: Decimal) -> int:
    """shopspring's exponent of a value parsed from text (``1.50`` keeps ``-2``)."""
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0
