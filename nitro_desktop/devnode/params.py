"""Go-style decoding of request params into typed values.

Anything that Go's ``json.Unmarshal`` into the server's structs would refuse
raises ``ParamsError``; handlers answer it with their "failed to parse …" text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from nitro_desktop.devnode.amounts import check_parsed, check_text
from nitro_desktop.protocol import AppDefinition, definition_from_dict
from nitro_desktop.protocol.errors import ProtocolError

_MAX_UINT32 = (1 << 32) - 1
_MAX_UINT64 = (1 << 64) - 1
# shopspring/decimal's NewFromString: optional sign, digits with one dot, optional exponent.
_GO_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class ParamsError(ValueError):
    """The params do not decode into the handler's struct."""


def decimal_value(value: Any) -> Decimal:
    """A shopspring ``decimal.Decimal`` from a JSON string or number, within the ledger's range.

    Text that does not parse is a ``ParamsError`` (Go's unmarshal error); a number the
    ledger cannot hold exactly is an ``AmountRangeError`` with a short text. Both are
    decided on the text length, digits and exponent, before any arithmetic or formatting.
    """
    if isinstance(value, bool) or value is None:
        raise ParamsError("amount")
    if isinstance(value, str):
        check_text(value)
        if not _GO_DECIMAL.fullmatch(value):
            raise ParamsError("amount")
        try:
            number = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid text
            raise ParamsError("amount") from exc
    elif isinstance(value, int | Decimal):
        number = Decimal(value)  # a JSON integer has at most 4,300 digits (Python's own limit)
    else:
        raise ParamsError("amount")
    if not number.is_finite():
        raise ParamsError("amount")
    return check_parsed(number)


def text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ParamsError(key)
    return value


def optional_text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParamsError(key)
    return value


def uint(obj: dict[str, Any], key: str, maximum: int = _MAX_UINT64) -> int:
    value = obj.get(key)
    if value is None:
        return 0
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ParamsError(key)
    return value


@dataclass(frozen=True, slots=True)
class ListOptions:
    offset: int
    limit: int
    desc: bool


def list_options(obj: dict[str, Any], default_desc: bool = True) -> ListOptions:
    """``ListOptions`` with Go's defaults: limit 10 (0 -> 10), at most 100."""
    offset = uint(obj, "offset", _MAX_UINT32)
    limit = uint(obj, "limit", _MAX_UINT32)
    sort = optional_text(obj, "sort")
    if limit == 0:
        limit = 10
    limit = min(limit, 100)
    desc = default_desc if sort is None else sort.lower() != "asc"
    return ListOptions(offset, limit, desc)


@dataclass(frozen=True, slots=True)
class AllocationIn:
    participant: str
    asset: str
    amount: Decimal


def allocations(obj: dict[str, Any], key: str = "allocations") -> list[AllocationIn]:
    raw = obj.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ParamsError(key)
    out = []
    for item in raw:
        if item is None:
            item = {}
        if not isinstance(item, dict):
            raise ParamsError(key)
        amount = item.get("amount")
        out.append(
            AllocationIn(
                text(item, "participant"),
                text(item, "asset"),
                Decimal(0) if amount is None else decimal_value(amount),
            )
        )
    return out


def definition(obj: dict[str, Any]) -> AppDefinition:
    raw = obj.get("definition")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParamsError("definition")
    try:
        return definition_from_dict(raw)
    except ProtocolError as exc:
        raise ParamsError("definition") from exc
