"""Amounts as shopspring/decimal v1.4.0 reads and prints them.

Upstream signs ``decimal.NewFromString(amount).String()`` (app session allocations) and
packs ``amount * 10^decimals`` as uint256/int256 (channel states), so both steps are
mirrored on an exact (coefficient, exponent) pair, never on binary floats or Python's
``Decimal`` (whose printing differs: ``Decimal("1E+3")`` vs Go's ``"1000"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nitro_desktop.protocol.errors import AmountError
from nitro_desktop.protocol.v1.values import INT256_MAX, INT256_MIN, UINT256_MAX

# Bounds on what we parse: enough for any uint256 amount at any precision a token has
# (78 digits, 255 decimals), small enough that "1e999999999" never becomes a billion zeros.
MAX_AMOUNT_CHARS = 200
MAX_EXPONENT = 400


@dataclass(frozen=True, slots=True)
class GoDecimal:
    """``value * 10**exp``, exactly as shopspring keeps it (the exponent is not normalised)."""

    value: int
    exp: int

    def string(self) -> str:
        """``Decimal.String()``: plain notation, trailing fractional zeros trimmed, "-0" is "0"."""
        if self.exp >= 0:
            factor: int = 10**self.exp
            return str(self.value * factor)
        digits = str(abs(self.value))
        scale = -self.exp
        if len(digits) > scale:
            int_part, frac_part = digits[:-scale], digits[-scale:]
        else:
            int_part, frac_part = "0", "0" * (scale - len(digits)) + digits
        frac_part = frac_part.rstrip("0")
        number = int_part + ("." + frac_part if frac_part else "")
        return "-" + number if self.value < 0 else number

    def scaled(self, decimals: int) -> int | None:
        """``amount * 10^decimals`` when that is a whole number, else None."""
        shift = self.exp + decimals
        if shift >= 0:
            factor: int = 10**shift
            return self.value * factor
        divisor: int = 10**-shift
        quotient, remainder = divmod(abs(self.value), divisor)
        if remainder:
            return None
        return -quotient if self.value < 0 else quotient


def _parse_go_int(text: str) -> int | None:
    """``strconv.ParseInt``/``big.Int.SetString(s, 10)``: optional sign, ASCII digits."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    number = int(body)
    return -number if text[:1] == "-" else number


def parse_decimal(value: Any, field: str = "amount") -> GoDecimal:
    """``decimal.NewFromString``; ints are taken as they are. Refuses floats and oversized input."""
    if type(value) is int:
        return GoDecimal(value, 0)
    if not isinstance(value, str):
        raise AmountError(f"{field} must be a decimal string, got {type(value).__name__}")
    if len(value) > MAX_AMOUNT_CHARS:
        raise AmountError(f"{field} is longer than {MAX_AMOUNT_CHARS} characters")
    text = value
    exp = 0
    e_index = min((i for i in (text.find("e"), text.find("E")) if i >= 0), default=-1)
    if e_index >= 0:
        parsed = _parse_go_int(text[e_index + 1 :])
        if parsed is None or not -(2**31) <= parsed < 2**31:
            raise AmountError(f"can't convert {value} to decimal: exponent is not numeric")
        exp = parsed
        text = text[:e_index]
    if text.count(".") > 1:
        raise AmountError(f"can't convert {value} to decimal: too many .s")
    point = text.find(".")
    if point >= 0:
        int_string = text[:point] + text[point + 1 :]
        exp -= len(text) - point - 1
    else:
        int_string = text
    coefficient = _parse_go_int(int_string)
    if coefficient is None:
        raise AmountError(f"can't convert {text} to decimal")  # Go names the part before the exponent
    if not -MAX_EXPONENT <= exp <= MAX_EXPONENT:
        raise AmountError(f"{field} {value} has an exponent beyond ±{MAX_EXPONENT}")
    return GoDecimal(coefficient, exp)


def decimal_string(value: Any, field: str = "amount") -> str:
    """What upstream signs for an allocation amount: ``NewFromString(value).String()``."""
    return parse_decimal(value, field).string()


def to_uint256(amount: GoDecimal, decimals: int, field: str) -> int:
    """``core.DecimalToUint256``, with its error texts."""
    scaled = amount.scaled(decimals)
    if scaled is None:
        raise AmountError(
            f"{field}: amount {amount.string()} exceeds maximum decimal precision: "
            f"max {decimals} decimals allowed"
        )
    if scaled < 0:
        raise AmountError(
            f"{field}: amount {amount.string()} is negative, expected uint256 range [0, 2^256-1]"
        )
    if scaled > UINT256_MAX:
        raise AmountError(f"{field}: amount {amount.string()} exceeds uint256 max (2^256-1)")
    return scaled


def to_int256(amount: GoDecimal, decimals: int, field: str) -> int:
    """``core.DecimalToInt256``, with its error texts."""
    scaled = amount.scaled(decimals)
    if scaled is None:
        raise AmountError(
            f"{field}: amount {amount.string()} exceeds maximum decimal precision: "
            f"max {decimals} decimals allowed"
        )
    if scaled > INT256_MAX:
        raise AmountError(f"{field}: amount {amount.string()} exceeds int256 max (2^255-1)")
    if scaled < INT256_MIN:
        raise AmountError(f"{field}: amount {amount.string()} below int256 min (-2^255)")
    return scaled
