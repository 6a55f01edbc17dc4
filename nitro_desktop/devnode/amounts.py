"""What an amount may be on this node, and the arithmetic that never rounds.

Upstream ClearNode keeps ledger amounts in ``DECIMAL(64,18)`` columns: at most
18 fractional digits and 46 before the point. The sandbox stores the same and
no more, and refuses (rather than rounds) anything finer than the asset's
decimals. Arithmetic on amounts runs in ``EXACT``: Python's default context
keeps 28 significant digits, so ``100 - 1e-26`` silently stayed ``100``; here an
inexact result raises instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    localcontext,
)
from typing import Any, TypeVar

from nitro_desktop.devnode.errors import RPCError
from nitro_desktop.protocol.values import decimal_places, integer_digits, quote

STORE_PLACES = 18
STORE_INTEGER_DIGITS = 64 - STORE_PLACES
# Fractional digits a request may carry before the asset's own limit is even looked at.
MAX_PARSED_PLACES = 100
# Accepted text before it is read at all (sign, 46 digits, point, 18 digits, zeros to spare).
MAX_AMOUNT_TEXT = 100
# Bounded amounts add and subtract exactly far below this many digits; anything else traps.
EXACT = Context(
    prec=200,
    Emax=1000,
    Emin=-1000,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded],
)

F = TypeVar("F", bound=Callable[..., Any])


class AmountRangeError(RPCError):
    """An amount the ledger cannot hold exactly; the text is short whatever the input."""


def exact_arithmetic(handler: F) -> F:
    """Run a handler with ``EXACT`` as the decimal context of everything it calls."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        with localcontext(EXACT):
            return handler(*args, **kwargs)

    return run  # type: ignore[return-value]


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = EXACT.add(total, value)
    return total


def check_storable(value: Decimal, what: str = "amount", *, places_too: bool = True) -> Decimal:
    """Refuse what ``DECIMAL(64,18)`` cannot hold; checked on the digits, never by formatting.

    ``places_too=False`` checks the range only: a balance a move has just changed, which has more
    places only if an older version stored them (refusing would lock that wallet for good).
    """
    if not value.is_finite():
        raise AmountRangeError(f"{what} must be a finite number")
    places = decimal_places(value)
    if places_too and places > STORE_PLACES:
        raise AmountRangeError(
            f"{what} exceeds maximum decimal precision: max {STORE_PLACES} decimals allowed, got {places}"
        )
    if integer_digits(value) > STORE_INTEGER_DIGITS:
        raise AmountRangeError(
            f"{what} exceeds the ledger's range: at most {STORE_INTEGER_DIGITS} digits before the"
            " decimal point"
        )
    return Decimal(0) if value.is_zero() else value


def check_parsed(value: Decimal) -> Decimal:
    """The bound applied while reading a request: absurd sizes are refused at once (with the
    ledger's limits in the text); finer-than-the-asset is the handler's, with the asset's decimals."""
    if decimal_places(value) > MAX_PARSED_PLACES:
        return check_storable(value)
    if integer_digits(value) > STORE_INTEGER_DIGITS:
        return check_storable(value)
    return Decimal(0) if value.is_zero() else value


def check_asset_precision(amount: Decimal, decimals: int) -> None:
    """Upstream's ``ValidateDecimalPrecision`` text: nothing finer than the asset's smallest unit."""
    places = decimal_places(amount)
    if places > decimals:
        raise AmountRangeError(
            f"amount exceeds maximum decimal precision: max {decimals} decimals allowed, got {places}"
        )


def asset_decimals(assets: Iterable[Any], symbol: str) -> int:
    """The asset's decimals; an asset the node does not list gets the ledger's 18."""
    for asset in assets:
        if asset.symbol == symbol:
            return min(int(asset.decimals), STORE_PLACES)
    return STORE_PLACES


def check_text(value: str) -> None:
    if len(value) > MAX_AMOUNT_TEXT:
        raise AmountRangeError(f"amount {quote(value, 24)} has more than {MAX_AMOUNT_TEXT} characters")
