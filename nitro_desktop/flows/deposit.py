"""A deposit into a session created empty (dialect 1): what the user typed, and what is wrong with it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from nitro_desktop.protocol import ProtocolError, check_precision, format_amount, parse_amount


def deposit_problem(
    amount: str, asset: str, assets: Mapping[str, int], held: Mapping[str, Decimal]
) -> str | None:
    """Why ``amount`` of ``asset`` cannot be deposited from a home channel holding ``held`` (None: it can)."""
    if asset not in assets:
        return f"Choose an asset this ClearNode knows ({', '.join(assets) or 'none'})."
    if not amount.strip():
        return "Enter the amount to put in."
    try:
        value = parse_amount(amount.strip(), what="the amount")
        check_precision(value, assets[asset], what="the amount")
    except ProtocolError as exc:
        return str(exc)
    if value <= 0:
        return "The amount must be more than 0."
    have = held.get(asset, Decimal(0))
    if value > have:
        return (
            f"Your home channel holds {format_amount(have)} {asset}: you cannot put in more. "
            "A participant without funds can still sign, update and close."
        )
    return None
