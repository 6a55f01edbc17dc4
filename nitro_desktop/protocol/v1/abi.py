"""The subset of Solidity's ABI encoding upstream packs (go-ethereum ``abi.Arguments.Pack``).

Types are small tuples: ``("uint", 8)``, ``("int", 256)``, ``("address",)``,
``("bytes32",)``, ``("string",)``, ``("bytes",)``, ``("array", T)``, ``("tuple", (T, ...))``.
Values are already validated Python ints/bytes/str; range checks live with the callers,
which know the field names to put in the error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

AbiType = tuple[Any, ...]
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

UINT8: AbiType = ("uint", 8)
UINT32: AbiType = ("uint", 32)
UINT64: AbiType = ("uint", 64)
UINT256: AbiType = ("uint", 256)
INT256: AbiType = ("int", 256)
ADDRESS: AbiType = ("address",)
BYTES32: AbiType = ("bytes32",)
STRING: AbiType = ("string",)
BYTES: AbiType = ("bytes",)


def array(elem: AbiType) -> AbiType:
    return ("array", elem)


def tuple_of(*members: AbiType) -> AbiType:
    return ("tuple", members)


def is_dynamic(kind: AbiType) -> bool:
    tag = kind[0]
    if tag in ("string", "bytes", "array"):
        return True
    if tag == "tuple":
        return any(is_dynamic(m) for m in kind[1])
    return False


def _word(number: int) -> bytes:
    return (number % (1 << 256)).to_bytes(32, "big")


def _padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 32)


def _encode_one(kind: AbiType, value: Any) -> bytes:
    tag = kind[0]
    if tag in ("uint", "int"):
        return _word(value)  # two's complement for negative int256, as math.U256Bytes
    if tag == "address":
        return b"\0" * 12 + bytes(value)
    if tag == "bytes32":
        return bytes(value)
    if tag == "string":
        # A lone surrogate cannot reach Go: its JSON decoder turns it into U+FFFD.
        data = _LONE_SURROGATE.sub("\ufffd", value).encode("utf-8")
        return _word(len(data)) + _padded(data)
    if tag == "bytes":
        return _word(len(value)) + _padded(bytes(value))
    if tag == "array":
        return _word(len(value)) + encode([kind[1]] * len(value), value)
    if tag == "tuple":
        return encode(kind[1], value)
    raise ValueError(f"unsupported ABI type {kind!r}")


def encode(kinds: Sequence[AbiType], values: Sequence[Any]) -> bytes:
    """Head/tail encoding of a list of values (an argument list or a tuple's members)."""
    if len(kinds) != len(values):
        raise ValueError("ABI types and values differ in length")
    head_size = sum(32 if is_dynamic(k) else _static_size(k) for k in kinds)
    heads: list[bytes] = []
    tails: list[bytes] = []
    offset = head_size
    for kind, value in zip(kinds, values, strict=True):
        body = _encode_one(kind, value)
        if is_dynamic(kind):
            heads.append(_word(offset))
            tails.append(body)
            offset += len(body)
        else:
            heads.append(body)
    return b"".join(heads) + b"".join(tails)


def _static_size(kind: AbiType) -> int:
    if kind[0] == "tuple":
        return sum(_static_size(m) for m in kind[1])
    return 32


def encode_string_tail(text: str) -> bytes:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: the generic path replaces them as Go would
        return encode([STRING], [text])[32:]
    return len(data).to_bytes(32, "big") + data + b"\0" * (-len(data) % 32)


# Application ids and session data repeat from one signature to the next; short ones keep
# their tails here (bounded in entries and in each text's length).
STRING_TAILS: dict[str, bytes] = {}
MAX_CACHED_STRINGS = 256
MAX_CACHED_STRING_CHARS = 1024


def string_tail(text: str) -> bytes:
    tail = STRING_TAILS.get(text)
    if tail is None:
        tail = encode_string_tail(text)
        if len(text) <= MAX_CACHED_STRING_CHARS:
            if len(STRING_TAILS) >= MAX_CACHED_STRINGS:
                STRING_TAILS.clear()
            STRING_TAILS[text] = tail
    return tail
