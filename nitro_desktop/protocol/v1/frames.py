"""v1 frames: bare JSON arrays ``[type, request_id, method, payload, ts]`` (``pkg/rpc/message.go``).

Type 1 request, 2 response, 3 event, 4 error (payload ``{"error": text}``). No signatures,
no auth. Encoding is Go's ``json.Marshal`` of ``rpc.Message``: compact, HTML characters
escaped, the payload a ``map[string]json.RawMessage`` (so its top-level keys are sorted
while nested objects keep the order they were built in, as Go structs do).
Decoding follows ``Message.UnmarshalJSON`` and adds bounds, since every peer is hostile.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Any

from nitro_desktop.protocol.canonical import go_json
from nitro_desktop.protocol.errors import FrameFormatError, ProtocolError
from nitro_desktop.protocol.nesting import nesting_within
from nitro_desktop.protocol.v1.payload_text import frame_text, go_escapes, payload_text
from nitro_desktop.protocol.v1.values import UINT64_MAX

# nitronode's default inbound cap (NITRONODE_WS_MAX_MESSAGE_SIZE); what our sandbox enforces.
SERVER_MAX_MESSAGE_SIZE = 131072
# What a client accepts from a server: list answers can be long, but never this long.
MAX_FRAME_CHARS = 4 << 20
MAX_DEPTH = 32
MAX_ARRAY_LENGTH = 10_000
MAX_OBJECT_KEYS = 1_000
MAX_INTEGER_DIGITS = 40
MAX_NUMBER_CHARS = 100
MAX_METHOD_CHARS = 128

# The error text nitronode answers any frame it cannot read with (pkg/rpc/node.go).
INVALID_MESSAGE_FORMAT = "invalid message format"


class FrameKind(IntEnum):
    REQUEST = 1
    RESPONSE = 2
    EVENT = 3
    ERROR = 4


_KIND_NAMES = {"req": 1, "request": 1, "resp": 2, "response": 2, "event": 3, "error": 4, "err": 4}


class V1FrameError(FrameFormatError):
    """A frame that ``Message.UnmarshalJSON`` (or our bounds) refuse.

    ``request_id`` is what Go had read before failing (0 when nothing): nitronode answers
    ``[4, request_id, "", {"error": "invalid message format"}, ts]`` with it.
    """

    def __init__(self, message: str, request_id: int = 0) -> None:
        super().__init__(message)
        self.request_id = request_id


@dataclass(frozen=True, slots=True)
class Frame:
    kind: int
    request_id: int
    method: str
    payload: dict[str, Any] = field(default_factory=dict)
    timestamp: int = 0

    @property
    def is_error(self) -> bool:
        return self.kind == FrameKind.ERROR

    @property
    def error(self) -> str | None:
        """The error text of a type-4 frame (``Message.Error``), else None."""
        if self.kind != FrameKind.ERROR:
            return None
        text = self.payload.get("error")
        return text if isinstance(text, str) else None

    def encode(self) -> str:
        return encode_frame(self.kind, self.request_id, self.method, self.payload, self.timestamp)


def _kind(kind: Any) -> int:
    if type(kind) is int and 1 <= kind <= 4:
        return kind
    if isinstance(kind, str):
        number = _KIND_NAMES.get(kind.lower())
        if number is None:
            raise ProtocolError(f"frame kind must be 1-4 or req/resp/event/error, got {kind!r:.40}")
        return number
    if type(kind) is not int and not isinstance(kind, IntEnum):
        raise ProtocolError(f"frame kind must be an integer 1-4, got {type(kind).__name__}")
    if int(kind) not in (1, 2, 3, 4):
        raise ProtocolError(f"frame kind must be 1 request, 2 response, 3 event or 4 error, got {int(kind)}")
    return int(kind)


def _uint64(value: Any, what: str) -> int:
    if type(value) is not int or not 0 <= value <= UINT64_MAX:
        raise ProtocolError(f"{what} must be an integer from 0 to 2^64-1, got {value!r:.40}")
    return value


_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_c_encode_basestring: Any = getattr(json.encoder, "c_encode_basestring", None)


def _refuse(value: Any) -> Any:
    raise ProtocolError(f"cannot encode {type(value).__name__} as JSON")


# Python's C encoder writes what Go's encoding/json writes for str, int, bool, None, lists
# and string-keyed objects (same short escapes \b \f \n \r \t, lowercase \u00XX, other
# text raw) except for the characters Go also escapes, which are patched afterwards.
_C_GO: Any = (
    _c_make_encoder(None, _refuse, _c_encode_basestring, None, ":", ",", False, False, False)
    if _c_make_encoder is not None and _c_encode_basestring is not None
    else None
)
_CONTAINER_OR_FLOAT = (dict, list, tuple, float)
_TOO_DEEP, _PLAIN, _HAS_FLOAT = -1, 0, 1


def _walk(value: Any, budget: int = MAX_DEPTH - 2) -> int:
    """``_TOO_DEEP`` past MAX_DEPTH levels of containers (one that holds itself never ends),
    else ``_HAS_FLOAT`` when a float is inside, else ``_PLAIN``.

    The C encoder recurses as deep as ``sys.getrecursionlimit()`` allows, which may be far
    more than the C stack holds. This walk recurses at most ``budget`` levels (the frame's
    own array is the last level decode_frame allows); a scalar costs one isinstance.
    """
    found = _PLAIN
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, _CONTAINER_OR_FLOAT):
            if isinstance(item, float):
                found = _HAS_FLOAT
            elif budget == 0:
                return _TOO_DEEP
            else:
                inner = _walk(item, budget - 1)
                if inner == _TOO_DEEP:
                    return _TOO_DEEP
                found |= inner
    return found


def _go_json(value: Any) -> str:
    shape = _walk(value)
    if shape == _TOO_DEEP:
        raise ProtocolError(f"frame payload is nested deeper than {MAX_DEPTH} levels (or contains itself)")
    # Floats take the exact path below (Go writes them differently, or refuses them).
    if _C_GO is not None and shape == _PLAIN:
        try:
            return go_escapes("".join(_C_GO(value, 0)))
        except (ProtocolError, TypeError, ValueError, RecursionError):
            pass  # the general path below says what is wrong
    try:
        return go_json(value)  # refuses floats and odd types with clear errors
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"frame payload cannot be written as JSON: {exc}") from None


_STR_TYPE = frozenset({str})


def encode_payload(payload: Mapping[str, Any] | None) -> str:
    """``json.Marshal(rpc.Payload)``: keys sorted (a Go map), values compact and in the given order."""
    if payload is None:
        return "{}"  # rpc.NewMessage turns a nil payload into Payload{}
    if type(payload) is dict:
        text = payload_text(payload)
        if text is not None:
            return text
    return encode_payload_generic(payload)


def encode_payload_generic(payload: Mapping[str, Any]) -> str:
    """``encode_payload`` without the shortcut for create/submit payloads (tests hold them equal)."""
    if type(payload) is not dict and not isinstance(payload, Mapping):
        raise ProtocolError(f"frame payload must be a JSON object, got {type(payload).__name__}")
    if not _STR_TYPE.issuperset(map(type, payload)):
        bad = next(key for key in payload if type(key) is not str)
        raise ProtocolError(f"frame payload keys must be strings, got {bad!r:.40}")
    keys = sorted(payload)
    if type(payload) is not dict or keys != list(payload):
        payload = {key: payload[key] for key in keys}
    return _go_json(payload)


# Method names are a few dozen constants; bounded so a caller inventing names cannot grow it.
_METHOD_JSON: dict[str, str] = {}
_METHOD_JSON_MAX = 256


def encode_frame(
    kind: int | str,
    request_id: int,
    method: str,
    payload: Mapping[str, Any] | None,
    timestamp: int,
) -> str:
    """``json.Marshal(rpc.Message{...})``: ``[kind,request_id,"method",{payload},ts]``, no spaces."""
    if type(method) is not str:
        raise ProtocolError(f"frame method must be a string, got {type(method).__name__}")
    try:
        method_json = _METHOD_JSON[method]  # an exact str: hashing it runs no caller code
    except KeyError:
        method_json = go_escapes(_c_encode_basestring(method)) if _C_GO is not None else go_json(method)
        if len(_METHOD_JSON) < _METHOD_JSON_MAX and len(method) <= MAX_METHOD_CHARS:
            _METHOD_JSON[method] = method_json
    if type(kind) is not int or not 1 <= kind <= 4:
        kind = _kind(kind)
    if type(request_id) is not int or not 0 <= request_id <= UINT64_MAX:
        _uint64(request_id, "request_id")
    if type(timestamp) is not int or not 0 <= timestamp <= UINT64_MAX:
        _uint64(timestamp, "timestamp")
    if type(payload) is dict:  # the frames we send most, written whole (encode_payload's text)
        frame = frame_text(kind, request_id, method_json, payload, timestamp)
        if frame is not None:
            return frame
        text = encode_payload_generic(payload)
    else:
        text = encode_payload(payload)
    return f"[{kind},{request_id},{method_json},{text},{timestamp}]"


def error_frame(request_id: int, method: str, message: str, timestamp: int) -> str:
    """``rpc.NewErrorResponse``: a type-4 frame carrying ``{"error": message}``."""
    return encode_frame(FrameKind.ERROR, request_id, method, {"error": message}, timestamp)


class _NegativeZero(int):
    """``-0``: equal to 0 in a payload, but not an unsigned integer to Go's ``ParseUint``."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise V1FrameError(f"an integer in the frame has more than {MAX_INTEGER_DIGITS} digits")
    if text == "-0":
        return _NegativeZero(0)
    return int(text)


def _parse_float(text: str) -> Decimal:
    # Go keeps payload numbers as raw text; an exact Decimal is the closest we can hold.
    if len(text) > MAX_NUMBER_CHARS:
        raise V1FrameError(f"a number in the frame has more than {MAX_NUMBER_CHARS} characters")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the JSON scanner only passes numbers
        raise V1FrameError(f"bad number {text[:40]}") from None
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or abs(exponent) > 400:
        raise V1FrameError("a number in the frame has an exponent beyond ±400")
    return number


def _reject_constant(name: str) -> Any:
    raise V1FrameError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_float=_parse_float, parse_constant=_reject_constant)


def _check_nesting(text: str) -> None:
    """Refuse deep nesting before the C parser recurses into it (see protocol.nesting)."""
    if not nesting_within(text, MAX_DEPTH):
        raise V1FrameError(f"frame is nested deeper than {MAX_DEPTH} levels")


def _check_shape(value: Any) -> None:
    """Depth, array and object sizes of a parsed value, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_DEPTH:
                raise V1FrameError(f"frame is nested deeper than {MAX_DEPTH} levels")
            if len(item) > MAX_OBJECT_KEYS:
                raise V1FrameError(f"an object in the frame has more than {MAX_OBJECT_KEYS} keys")
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            if depth > MAX_DEPTH:
                raise V1FrameError(f"frame is nested deeper than {MAX_DEPTH} levels")
            if len(item) > MAX_ARRAY_LENGTH:
                raise V1FrameError(f"an array in the frame has more than {MAX_ARRAY_LENGTH} entries")
            stack.extend((v, depth + 1) for v in item)


def _header_uint(value: Any, what: str, bits: int, request_id: int = 0) -> int:
    if value is None:  # Go leaves the zero value for a JSON null
        return 0
    if type(value) is not int or not 0 <= value < (1 << bits):
        raise V1FrameError(
            f"invalid {what}: expected an unsigned {bits}-bit integer, got {_describe(value)}", request_id
        )
    return value


def _describe(value: Any) -> str:
    if isinstance(value, _NegativeZero):
        return "-0"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return str(value)[:40]


def decode_frame(text: str | bytes, *, max_size: int = MAX_FRAME_CHARS) -> Frame:
    """Read a v1 frame as ``Message.UnmarshalJSON`` does; raise ``V1FrameError`` with the reason."""
    if isinstance(text, bytes | bytearray | memoryview):
        if len(text) > max_size:
            raise V1FrameError(f"frame is larger than {max_size} bytes")
        # Go turns invalid UTF-8 inside strings into U+FFFD; anywhere else it is a syntax error either way.
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        raise V1FrameError(f"a frame is text, got {type(text).__name__}")
    if len(text) > max_size:
        raise V1FrameError(f"frame is larger than {max_size} characters")
    _check_nesting(text)
    try:
        parsed = _DECODER.decode(text)
    except V1FrameError:
        raise
    except (ValueError, RecursionError) as exc:
        raise V1FrameError(f"error reading RPCData as array: {exc}") from None
    if not isinstance(parsed, list):
        raise V1FrameError("error reading RPCData as array: a frame is a JSON array")
    if len(parsed) != 5:
        raise V1FrameError("invalid RPCData: expected 5 elements in array")
    _check_shape(parsed)
    raw_kind, raw_id, raw_method, raw_payload, raw_ts = parsed
    kind = _header_uint(raw_kind, "type", 8)
    request_id = _header_uint(raw_id, "request_id", 64)
    if raw_method is not None and not isinstance(raw_method, str):
        raise V1FrameError(f"invalid method: expected a string, got {_describe(raw_method)}", request_id)
    method = raw_method or ""
    if len(method) > MAX_METHOD_CHARS:
        raise V1FrameError(f"invalid method: longer than {MAX_METHOD_CHARS} characters", request_id)
    if raw_payload is not None and not isinstance(raw_payload, dict):
        raise V1FrameError(f"invalid params: expected an object, got {_describe(raw_payload)}", request_id)
    timestamp = _header_uint(raw_ts, "timestamp", 64, request_id)
    return Frame(kind, request_id, method, raw_payload or {}, timestamp)
