"""Byte-exact JSON text, as the two ends of the wire write it.

``js_json`` reproduces JavaScript's ``JSON.stringify`` (what the official SDK
signs): compact, keys in insertion order, non-ASCII raw, lone surrogates
escaped. ``go_json`` reproduces Go's ``encoding/json`` (what the ClearNode
hashes for app session ids and signs in its responses): the same, except that
``<``, ``>``, ``&``, U+2028 and U+2029 are escaped. Floats are refused by both,
because an amount that passed through binary floating point is already wrong.
``raw_values`` recovers the exact text of each top-level value of a frame,
since signatures cover those bytes and not any re-serialisation of them.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from nitro_desktop.protocol.errors import FrameFormatError, ProtocolError
from nitro_desktop.protocol.nesting import nesting_within

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_GO_SPECIAL = re.compile("[<>&\u2028\u2029]")


def _check(value: Any) -> Any:
    """Reject what JSON.stringify would write differently from us (floats, odd keys)."""
    if isinstance(value, float):
        raise ProtocolError(
            f"floats are not allowed on the wire (got {value!r}); use an integer or a decimal string"
        )
    if isinstance(value, Decimal):
        raise ProtocolError("decimal amounts must be sent as strings; format them first")
    raise ProtocolError(f"cannot encode {type(value).__name__} as JSON")


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return _check(o)

    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        # The C encoder writes floats without calling default(); walk once to refuse them.
        if _refuse_floats(o):
            o = _js_key_order(o)
        return super().iterencode(o, _one_shot)


def _is_array_index(key: Any) -> bool:
    return (
        type(key) is str
        and key.isdigit()
        and key.isascii()
        and (key == "0" or key[0] != "0")
        and int(key) < 0xFFFFFFFF
    )


def _js_key_order(value: Any) -> Any:
    """Copy with every object's keys in JavaScript's order: array indices ascending, then the rest."""
    if isinstance(value, dict):
        index_keys = sorted((k for k in value if _is_array_index(k)), key=int)
        others = [k for k in value if not _is_array_index(k)]
        return {k: _js_key_order(value[k]) for k in index_keys + others}
    if isinstance(value, list | tuple):
        return [_js_key_order(v) for v in value]
    return value


def _refuse_floats(value: Any) -> bool:
    """Raise on floats; return True when some object has an integer-like key.

    JavaScript puts such keys first, so the caller must reorder before encoding.
    """
    # Hot path of every request: exact type tests first, isinstance only for subclasses.
    stack = [value]
    pop, extend = stack.pop, stack.extend
    reorder = False
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or kind is int or item is None or kind is bool:
            continue
        if kind is dict or isinstance(item, dict):
            if not reorder:
                reorder = any(k[:1].isdigit() for k in item if type(k) is str)
            extend(item.values())
        elif kind is list or kind is tuple or isinstance(item, list | tuple):
            extend(item)
        elif isinstance(item, float):
            _check(item)
    return reorder


class _GoEncoder(_Encoder):
    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        # Go keeps struct field order and sorts map keys itself; no JavaScript reordering.
        _refuse_floats(o)
        return json.JSONEncoder.iterencode(self, o, _one_shot)


_JS = _Encoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_GO = _GoEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _escape_surrogates(text: str) -> str:
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# The fast path of js_json, for the values we build ourselves: made only of
# str, int, bool, None, lists, tuples and dicts whose keys are strings that do
# not start with a digit. For those, the C encoder's compact output is already
# JSON.stringify's, so the float walk, the key reordering and the per-call
# encoder set-up of JSONEncoder.encode are skipped. Anything else (floats,
# Decimals, subclasses, digit keys, deep nesting) takes the general path.
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_c_js: Any = (
    _c_make_encoder(None, _check, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    if _c_make_encoder is not None
    else None
)
_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})
# Key tuples already checked; requests use a handful of shapes, the bound is for anything else.
_PLAIN_KEYS: set[tuple[Any, ...]] = set()
_PLAIN_KEYS_MAX = 512


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        keys = tuple(value)
        if keys not in _PLAIN_KEYS:
            if not all(type(k) is str and not k[:1].isdigit() for k in keys):
                return False
            if len(_PLAIN_KEYS) < _PLAIN_KEYS_MAX:
                _PLAIN_KEYS.add(keys)
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind in _PLAIN_SCALARS
    # One C-level pass over the item types; recurse only into the containers.
    if _PLAIN_SCALARS.issuperset(map(type, items)):
        return True
    for item in items:
        if type(item) not in _PLAIN_SCALARS and not _plain(item):
            return False
    return True


def _fast_js_json(value: Any) -> str | None:
    try:
        if not _plain(value):
            return None
    except RecursionError:
        return None
    return "".join(_c_js(value, 0))


def _general_js_json(value: Any) -> str:
    """js_json for any value: floats refused, keys in JavaScript's order (tests compare against it)."""
    return _js_surrogates(_JS.encode(value))


def _js_surrogates(text: str) -> str:
    # Python passes lone surrogates through raw; JSON.stringify (ES2019+) escapes them.
    if not text.isascii() and _LONE_SURROGATE.search(text):
        return _escape_surrogates(text)
    return text


#: JSON text of a str as JSON.stringify writes it, except lone surrogates (``js_finish`` escapes
#: those); the C function when there is one. For the builders' hand-written request texts.
js_quote: Any = json.encoder.encode_basestring


def js_finish(text: str) -> str:
    """Escape lone surrogates in text made with ``js_quote``, as JSON.stringify (ES2019+) does."""
    return _js_surrogates(text)


def js_json(value: Any) -> str:
    """Serialise like JavaScript's ``JSON.stringify(value)``."""
    text = _fast_js_json(value) if _c_js is not None else None
    if text is None:
        return _general_js_json(value)
    return _js_surrogates(text)


def _general_go_json(value: Any) -> str:
    """The encoder half of go_json for any value (tests compare the fast path against it)."""
    text: str = _GO.encode(value)
    return text


def go_json(value: Any) -> str:
    """Serialise like Go's ``json.Marshal`` of the same values, in the given key order."""
    # The js fast path serves Go too: for plain values (no floats, no digit keys) the compact C
    # encoder's text is the same; Go's own escapes are applied after either way.
    text = _fast_js_json(value) if _c_js is not None else None
    return _go_escapes(_general_go_json(value) if text is None else text)


def _go_escapes(text: str) -> str:
    if text.isascii():
        # No surrogate and no U+2028/U+2029 in ASCII text: only <, > and & may need escaping,
        # and three substring scans cost less than a character-class search.
        if "<" in text or ">" in text or "&" in text:
            return _GO_SPECIAL.sub(lambda m: _GO_ESCAPES[m.group()], text)
        return text
    return _go_escapes_general(text)


def _go_escapes_general(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        # Go strings cannot hold lone surrogates: its decoder already made them U+FFFD.
        text = _LONE_SURROGATE.sub("\ufffd", text)
    if _GO_SPECIAL.search(text):
        text = _GO_SPECIAL.sub(lambda m: _GO_ESCAPES[m.group()], text)
    return text


# A JSON number with a fraction or exponent, read as a Decimal, may have this many characters and
# this large an exponent: enough for any amount, and ``1e-1000000`` never becomes a million digits.
MAX_NUMBER_CHARS = 100
# No 0.2/0.5 frame nests deeper than 6; the bound keeps the C parser off the C stack's edge.
MAX_DEPTH = 64
MAX_NUMBER_EXPONENT = 100


def _reject_float_text(text: str) -> Any:
    shown = text if len(text) <= 40 else text[:40] + "…"
    raise FrameFormatError(f"number {shown} is not an integer; amounts travel as strings")


def _bounded_decimal(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise FrameFormatError(f"a number in the frame has more than {MAX_NUMBER_CHARS} characters")
    number = Decimal(text)
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or not -MAX_NUMBER_EXPONENT <= exponent <= MAX_NUMBER_EXPONENT:
        raise FrameFormatError(f"a number in the frame has an exponent beyond ±{MAX_NUMBER_EXPONENT}")
    return number


_decoder = json.JSONDecoder(parse_float=lambda s: _reject_float_text(s))
# The server side accepts JSON numbers with fractions (shopspring/decimal does), within bounds.
_decimal_decoder = json.JSONDecoder(parse_float=_bounded_decimal)
_WS = re.compile(r"[ \t\n\r]*")


def _refuse_deep(text: str) -> None:
    if not nesting_within(text, MAX_DEPTH):
        raise FrameFormatError(f"frame is nested deeper than {MAX_DEPTH} levels")


def loads(text: str | bytes, *, decimals: bool = False) -> Any:
    """Parse JSON text; big integers stay exact.

    Numbers with a fraction are a format error, or ``Decimal`` when ``decimals`` is set.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameFormatError("frame is not valid UTF-8") from exc
    _refuse_deep(text)
    try:
        return (_decimal_decoder if decimals else _decoder).decode(text)
    except FrameFormatError:
        raise
    except (ValueError, RecursionError) as exc:
        raise FrameFormatError(f"frame is not valid JSON: {exc}") from exc


def raw_values(text: str, *, decimals: bool = False) -> dict[str, tuple[Any, str]]:
    """Parse a JSON object and keep, per top-level key, its value and its exact source text.

    Later duplicates win, as in Go's decoder.
    """
    decoder = _decimal_decoder if decimals else _decoder
    _refuse_deep(text)
    compact = _compact_values(text, decoder)
    if compact is not None:
        return compact
    return _general_values(text, decoder)


def _compact_values(text: str, decoder: json.JSONDecoder) -> dict[str, tuple[Any, str]] | None:
    """``raw_values`` of an object written the way encoders write frames: no whitespace between
    tokens, keys without escapes. None for any other text, valid or not: the general reader then
    reads it and words its errors. Every frame goes through here, so no regex per token."""
    if not text.startswith('{"') or not text.endswith("}"):
        return None
    out: dict[str, tuple[Any, str]] = {}
    last = len(text) - 1
    idx = 1  # at the key's opening quote
    try:
        while True:
            colon = text.find('":', idx + 1)
            if colon < 0:
                return None
            key = text[idx + 1 : colon]
            if "\\" in key or '"' in key or not key.isprintable():
                return None  # escapes, a stray quote or control characters: the general reader decides
            value, end = decoder.raw_decode(text, colon + 2)
            out[key] = (value, text[colon + 2 : end])
            if end == last:
                return out
            if text[end : end + 2] != ',"':
                return None
            idx = end + 1
    except Exception:  # any malformation (or a refused number): the general reader raises its own error
        return None


def _general_values(text: str, decoder: json.JSONDecoder) -> dict[str, tuple[Any, str]]:
    try:
        idx = _WS.match(text, 0).end()  # type: ignore[union-attr]
        if text[idx : idx + 1] != "{":
            raise FrameFormatError("frame is not a JSON object")
        idx = _WS.match(text, idx + 1).end()  # type: ignore[union-attr]
        out: dict[str, tuple[Any, str]] = {}
        if text[idx : idx + 1] == "}":
            idx += 1
        else:
            while True:
                if text[idx : idx + 1] != '"':
                    raise FrameFormatError("frame keys must be strings")
                key, idx = json.decoder.scanstring(text, idx + 1)  # type: ignore[attr-defined]
                idx = _WS.match(text, idx).end()  # type: ignore[union-attr]
                if text[idx : idx + 1] != ":":
                    raise FrameFormatError("expected ':' after a key")
                start = _WS.match(text, idx + 1).end()  # type: ignore[union-attr]
                value, end = decoder.raw_decode(text, start)
                out[key] = (value, text[start:end])
                idx = _WS.match(text, end).end()  # type: ignore[union-attr]
                sep = text[idx : idx + 1]
                idx += 1
                if sep == "}":
                    break
                if sep != ",":
                    raise FrameFormatError("expected ',' or '}' in the frame")
                idx = _WS.match(text, idx).end()  # type: ignore[union-attr]
        if _WS.match(text, idx).end() != len(text):  # type: ignore[union-attr]
            raise FrameFormatError("extra data after the frame")
        return out
    except FrameFormatError:
        raise
    except (ValueError, RecursionError, IndexError) as exc:
        raise FrameFormatError(f"frame is not valid JSON: {exc}") from exc
