"""Reading what the user typed: whole numbers, addresses and amounts, or None when they are not one."""

from __future__ import annotations

from decimal import Decimal

from nitro_desktop.protocol import ProtocolError, parse_address, parse_amount

MAX_UINT64 = (1 << 64) - 1


def uint_or_none(text: str) -> int | None:
    """A whole number 0 … 2^64 - 1 written in ASCII digits (no sign, no spaces inside)."""
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        return None
    value = int(text)
    return value if value <= MAX_UINT64 else None


def int_or_none(text: str) -> int | None:
    """A whole number, possibly negative (so a weight of -1 is named as negative, not as text)."""
    text = text.strip()
    body = text[1:] if text[:1] == "-" else text
    if not body.isdigit() or not body.isascii():
        return None
    return int(text)


def address_or_none(text: str) -> str | None:
    try:
        return parse_address(text)
    except ProtocolError:
        return None


def amount_or_zero(text: str) -> Decimal:
    try:
        return parse_amount(text)
    except ProtocolError:
        return Decimal(0)


def session_data_or_none(text: str) -> str | None:
    """The session_data that goes on the wire: blank text means the field is left out."""
    return text if text.strip() else None
