"""Scalars as upstream's Go reads them: uint strings, addresses, hashes, hex.

Each reader mirrors one Go function (``strconv.ParseUint``, ``core.NormalizeHexAddress``,
``common.HexToHash``...) so a value we accept packs to the bytes the node packs; what
the node would refuse, or what no honest client sends, ends in a ``ProtocolError``.
"""

from __future__ import annotations

import re
from typing import Any

from nitro_desktop.protocol.errors import AddressError, ProtocolError

UINT8_MAX = 0xFF
UINT32_MAX = 0xFFFF_FFFF
UINT64_MAX = 0xFFFF_FFFF_FFFF_FFFF
UINT256_MAX = (1 << 256) - 1
INT256_MAX = (1 << 255) - 1
INT256_MIN = -(1 << 255)

ADDRESS_RE = re.compile(r"0[xX][0-9a-fA-F]{40}")
_HASH = re.compile(r"0[xX][0-9a-fA-F]{64}")
# app.ApplicationIDRegex: the node's VARCHAR(66) column and its allowed characters.
APPLICATION_ID = re.compile(r"[a-z0-9_-]{1,66}")
APPLICATION_ID_PATTERN = "^[a-z0-9_-]{1,66}$"
# A hex string we are asked to read leniently is never longer than this (a bitmap is 66 chars).
_MAX_LENIENT_HEX = 130


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_uint(value: Any, field: str, *, bits: int = 64) -> int:
    """An unsigned integer: a Python int, or a decimal string as ``strconv.ParseUint(s, 10, bits)``.

    Go's ParseUint takes ASCII digits only (leading zeros allowed, no sign, no spaces).
    """
    limit = (1 << bits) - 1
    if type(value) is int:
        number = value
    elif isinstance(value, str):
        # str.isdigit() alone would take other scripts' digits; ASCII first makes it exactly 0-9.
        if len(value) > 40 or not (value.isascii() and value.isdigit()):
            raise ProtocolError(f"{field} must be a decimal string of digits, got {_show(value)}")
        number = int(value)
    else:
        raise ProtocolError(f"{field} must be an unsigned integer or a decimal string, got {_show(value)}")
    if not 0 <= number <= limit:
        raise ProtocolError(f"{field} must be between 0 and {limit}, got {number}")
    return number


def parse_json_uint(value: Any, field: str, *, bits: int) -> int:
    """A JSON number read into a Go ``uintN`` field: an integer in range, never a string or bool."""
    limit = (1 << bits) - 1
    if type(value) is not int and (not isinstance(value, int) or isinstance(value, bool)):
        raise ProtocolError(f"{field} must be an integer from 0 to {limit}, got {_show(value)}")
    if not 0 <= value <= limit:
        raise ProtocolError(f"{field} must be from 0 to {limit}, got {value}")
    return int(value)


def parse_str(value: Any, field: str, *, max_len: int | None = None) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"{field} must be a string, got {_show(value)}")
    if max_len is not None and len(value) > max_len:
        raise ProtocolError(f"{field} is longer than {max_len} characters")
    return value


def normalize_address(value: Any, field: str = "address") -> str:
    """``core.NormalizeHexAddress``: 0x and 40 hex digits, any case (it lowercases first, so "0X" too)."""
    if type(value) is str and len(value) == 42 and value.isascii() and ADDRESS_RE.fullmatch(value):
        return value.lower()
    raise AddressError(f"{field} must be 0x and 40 hex digits, got {_show(value)}")


def address_bytes(value: Any, field: str = "address") -> bytes:
    return bytes.fromhex(normalize_address(value, field)[2:])


def normalize_hash(value: Any, field: str = "hash") -> str:
    """``core.IsValidHash(s, false)``: 0x and 64 hex digits, any case; returned lowercase."""
    if not isinstance(value, str) or not _HASH.fullmatch(value) or value[1] != "x":
        raise ProtocolError(f"{field} must be 0x and 64 hex digits, got {_show(value)}")
    return value.lower()


def hash_bytes(value: Any, field: str = "hash") -> bytes:
    return bytes.fromhex(normalize_hash(value, field)[2:])


def go_hex_bytes(value: str, field: str) -> bytes:
    """``common.FromHex``: optional 0x, an odd length gets a leading 0, decoding stops at a non-hex pair.

    Upstream feeds free-form ids (``"tx2"``) through this, so it is mirrored exactly.
    """
    if not isinstance(value, str):
        raise ProtocolError(f"{field} must be a string, got {_show(value)}")
    if len(value) > _MAX_LENIENT_HEX:
        raise ProtocolError(f"{field} is longer than {_MAX_LENIENT_HEX} characters")
    text = value[2:] if len(value) >= 2 and value[0] == "0" and value[1] in "xX" else value
    if len(text) % 2:
        text = "0" + text
    out = bytearray()
    for i in range(0, len(text), 2):
        pair = text[i : i + 2]
        if not all(c in "0123456789abcdefABCDEF" for c in pair):
            break
        out.append(int(pair, 16))
    return bytes(out)


def go_hex_to_hash(value: str, field: str) -> bytes:
    """``common.HexToHash``: the last 32 bytes of ``FromHex``, right-aligned."""
    raw = go_hex_bytes(value, field)[-32:]
    return raw.rjust(32, b"\0")


def go_hex_to_address(value: str, field: str) -> bytes:
    """``common.HexToAddress``: the last 20 bytes of ``FromHex``, right-aligned."""
    raw = go_hex_bytes(value, field)[-20:]
    return raw.rjust(20, b"\0")


def is_go_hex_address(value: str) -> bool:
    """``common.IsHexAddress``: optional 0x, then exactly 40 hex digits."""
    text = value[2:] if len(value) >= 2 and value[0] == "0" and value[1] in "xX" else value
    return len(text) == 40 and all(c in "0123456789abcdefABCDEF" for c in text)


def go_hex_big(value: str, field: str) -> int:
    """``core.hexToBigInt``: ``big.Int.SetString(strings.TrimPrefix(s, "0x"), 16)``, 0 when it fails."""
    if not isinstance(value, str):
        raise ProtocolError(f"{field} must be a hex string, got {_show(value)}")
    if len(value) > _MAX_LENIENT_HEX:
        raise ProtocolError(f"{field} is longer than {_MAX_LENIENT_HEX} characters")
    text = value.removeprefix("0x")
    # big.Int.SetString with base 16 takes an optional sign, hex digits and "_" only between digits
    # for base 0; with base 16 underscores are refused. Anything else leaves 0 (the error is dropped).
    match = re.fullmatch(r"([+-]?)([0-9a-fA-F]+)", text)
    if not match:
        return 0
    number = int(match.group(2), 16)
    return -number if match.group(1) == "-" else number


def check_application_id(value: Any) -> str:
    text = parse_str(value, "application_id")
    if not APPLICATION_ID.fullmatch(text):
        raise ProtocolError(f"invalid application id: must match {APPLICATION_ID_PATTERN}")
    return text
