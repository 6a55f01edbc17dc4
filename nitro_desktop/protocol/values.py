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
# The ClearNode decodes params into Go float64: larger integers are rounded on arrival, so a
# session id computed here from the exact value would not be the server's.
MAX_EXACT_INT = (1 << 53) - 1
# How much of a peer's text an error message quotes.
QUOTE_CHARS = 40


def quote(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr`` of a peer's value cut to ``limit`` characters: errors never echo a huge input."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int | Decimal) else None
    if text is None:
        return type(value).__name__
    if len(text) > limit:
        return repr(text[:limit]) + f"… ({len(text)} characters)"
    return repr(text)


def decimal_places(value: Decimal) -> int:
    """Fractional digits without trailing zeros, read from the digits (no context, so no rounding)."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0 or not any(digits):
        return 0
    trailing = 0
    for digit in reversed(digits):
        if digit:
            break
        trailing += 1
    return max(0, -(exponent + trailing))


def integer_digits(value: Decimal) -> int:
    """Digits before the decimal point (0 for a pure fraction), without formatting the number."""
    if not value.is_finite() or value.is_zero():
        return 0
    return max(0, value.adjusted() + 1)


def strip_zeros(value: Decimal) -> Decimal:
    """The same number without trailing fractional zeros; exact, unlike ``normalize()`` (28 digits)."""
    if not value.is_finite():
        return value
    if value.is_zero():
        return Decimal(0)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0 or digits[-1] != 0:
        return value  # nothing to strip (most amounts): no new Decimal
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return Decimal((sign, digits, exponent))


def within_digits(value: Decimal, limit: int) -> bool:
    """True when the plain text of ``value`` cannot pass ``limit`` characters; checked on the digits."""
    if not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    return len(digits) <= limit and -limit <= exponent and value.adjusted() < limit


def parse_amount(value: Any, *, allow_negative: bool = False, what: str = "amount") -> Decimal:
    """Decimal amount in asset units from a string, int or Decimal; floats are refused.

    The size is checked on the text and on the digits and exponent before the number is
    formatted or used in arithmetic: ``1e-1000000`` must not turn into a million characters.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise AmountError(f"{what} must be a decimal string, not {type(value).__name__} {quote(value)}")
    if isinstance(value, int):
        if not -(10**MAX_AMOUNT_CHARS) < value < 10**MAX_AMOUNT_CHARS:
            raise AmountError(f"{what} has more than {MAX_AMOUNT_CHARS} characters")
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 2 * MAX_AMOUNT_CHARS:
            raise AmountError(f"{what} has more than {MAX_AMOUNT_CHARS} characters ({len(text)})")
        if not _DECIMAL.fullmatch(text):
            raise AmountError(f"{what} is not a plain decimal number: {quote(value)}")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid text
            raise AmountError(f"{what} is not a decimal number: {quote(value)}") from exc
    else:
        raise AmountError(f"{what} must be a decimal string, got {type(value).__name__}")
    if not number.is_finite():
        raise AmountError(f"{what} must be finite, got {quote(str(value))}")
    if not within_digits(number, MAX_AMOUNT_CHARS):
        raise AmountError(f"{what} has more than {MAX_AMOUNT_CHARS} characters")
    if number < 0 and not allow_negative:
        raise AmountError(f"{what} cannot be negative: {quote(format_amount(number))}")
    if len(format_amount(number)) > MAX_AMOUNT_CHARS:
        raise AmountError(f"{what} has more than {MAX_AMOUNT_CHARS} characters")
    return number


def format_amount(value: Decimal) -> str:
    """Plain decimal text without exponent; trailing zeros kept as given."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def check_precision(amount: Decimal, decimals: int, *, what: str = "amount") -> None:
    """Refuse more fractional digits than the asset has (trailing zeros do not count)."""
    if decimal_places(amount) > decimals:
        shown = format_amount(amount) if within_digits(amount, MAX_AMOUNT_CHARS) else "(too long to show)"
        raise AmountError(f"{what} {shown} has more than {decimals} decimal places")


def parse_address(value: Any, *, what: str = "address") -> str:
    """EIP-55 address; a bad checksum is an error, lower/upper case is checksummed."""
    if not isinstance(value, str):
        raise ProtocolError(f"{what} must be a string, got {type(value).__name__}")
    try:
        return to_checksum_address(value.strip())
    except ProtocolError as exc:
        raise type(exc)(f"{what}: {exc}") from None


def check_exact_int(value: int, *, what: str) -> int:
    """Refuse a whole number the server would round (it reads every number as a float64)."""
    if value > MAX_EXACT_INT:
        raise ProtocolError(
            f"the {what} {value} is above {MAX_EXACT_INT} (2^53 - 1): the ClearNode reads numbers as "
            f"64-bit floats and would round it, so the session would get a different id than the one "
            f"signed here. Use a {what} of at most {MAX_EXACT_INT}"
        )
    return value


def reachable_quorum(weights: list[int] | tuple[int, ...], quorum: int) -> bool:
    """True when all signers together reach the quorum (else the session can never close)."""
    return sum(w for w in weights if w > 0) >= quorum
