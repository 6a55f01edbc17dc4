"""Input rules as data: addresses, decimal amounts, weights and quorum."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from nitro_desktop.protocol.crypto import to_checksum_address
from nitro_desktop.protocol.errors import AmountError, ProtocolError

# Plain decimal notation only: exponents hide typos like 1e18 vs 1e-18.
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# The ledger stores decimals of up to 78 characters.
MAX_AMOUNT_CHARS = 78
MAX_UINT64 = (1 << 64) - 1


def parse_amount(value: Any, *, allow_negative: bool = False, what: str = "amount") -> Decimal:
    """Decimal amount in asset units from a string, int or Decimal; floats are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise AmountError(f"{what} must be a decimal string, not {type(value).__name__} {value!r}")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            raise AmountError(f"{what} is not a plain decimal number: {value!r:.60}")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid text
            raise AmountError(f"{what} is not a decimal number: {value!r:.60}") from exc
    else:
        raise AmountError(f"{what} must be a decimal string, got {type(value).__name__}")
    if not number.is_finite():
        raise AmountError(f"{what} must be finite, got {value!r}")
    if number < 0 and not allow_negative:
        raise AmountError(f"{what} cannot be negative: {format_amount(number)}")
    if len(format_amount(number)) > MAX_AMOUNT_CHARS:
        raise AmountError(f"{what} has more than {MAX_AMOUNT_CHARS} characters")
    return number


def format_amount(value: Decimal) -> str:
    """Plain decimal text without exponent; trailing zeros kept as given."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def check_precision(amount: Decimal, decimals: int, *, what: str = "amount") -> None:
    """Refuse more fractional digits than the asset has."""
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        raise AmountError(f"{what} {format_amount(amount)} has more than {decimals} decimal places")


def parse_address(value: Any, *, what: str = "address") -> str:
    """EIP-55 address; a bad checksum is an error, lower/upper case is checksummed."""
    if not isinstance(value, str):
        raise ProtocolError(f"{what} must be a string, got {type(value).__name__}")
    try:
        return to_checksum_address(value.strip())
    except ProtocolError as exc:
        raise type(exc)(f"{what}: {exc}") from None


def parse_uint(value: Any, *, what: str, maximum: int = MAX_UINT64) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{what} must be a whole number, got {value!r:.40}")
    if not 0 <= value <= maximum:
        raise ProtocolError(f"{what} must be between 0 and {maximum}, got {value}")
    return value


def reachable_quorum(weights: list[int] | tuple[int, ...], quorum: int) -> bool:
    """True when all signers together reach the quorum (else the session can never close)."""
    return sum(w for w in weights if w > 0) >= quorum
