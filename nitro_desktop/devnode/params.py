"""Go-style decoding of request params into typed values.

Anything that Go's ``json.Unmarshal`` into the server's structs would refuse
raises ``ParamsError``; handlers answer it with their "failed to parse …" text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from nitro_desktop.devnode.amounts import check_parsed, check_text
from nitro_desktop.devnode.errors import InternalError
from nitro_desktop.protocol import AppDefinition, definition_from_dict
from nitro_desktop.protocol.errors import ProtocolError

_MAX_UINT32 = (1 << 32) - 1
_MAX_UINT64 = (1 << 64) - 1
# shopspring/decimal's NewFromString: optional sign, digits with one dot, optional exponent.
_GO_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class ParamsError(ValueError):
    """The params do not decode into the handler's struct."""


class NumberRangeError(ValueError):
    """A JSON number beyond float64: upstream's frame decoding fails on it."""


_EXACT_FLOAT = 1 << 53


def go_number(value: int | Decimal) -> int | Decimal:
    """What upstream makes of a JSON number in params: float64, then Go's text, then the field.

    Params are decoded into Go ``any`` (every number a float64) and re-marshalled before the
    handler's struct reads them, so a nonce of 2**53+1 arrives as 9007199254740992. Go prints a
    whole float below 1e21 as digits (an ``int`` here, which integer fields accept) and anything
    else with a point or an exponent (a ``Decimal`` here, which they refuse, as Go's uint64 does);
    ``-0`` stays a ``Decimal`` for the same reason.
    """
    if isinstance(value, int) and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
        return value
    try:
        f = float(value)
    except OverflowError:
        raise NumberRangeError("number out of float64 range") from None
    if math.isinf(f) or math.isnan(f):
        raise NumberRangeError("number out of float64 range")
    if f == 0:
        return Decimal("-0") if math.copysign(1.0, f) < 0 else 0
    shortest = Decimal(repr(f))
    if f.is_integer() and abs(f) < 1e21:
        return int(shortest)
    return shortest


def go_numbers(value: Any) -> Any:
    """``go_number`` applied to every number inside decoded params (depth is the frame's own bound).

    Params with nothing a float64 would change (text, and integers within 2**53: nearly every
    request) come back as the same object, without a copy.
    """
    if _go_unchanged(value):
        return value
    return go_numbers_copy(value)


def _go_unchanged(value: Any) -> bool:
    """True when ``go_numbers_copy`` would return an equal value: only plain JSON types, no Decimal,
    no integer beyond 2**53 (exact types only; anything else takes the copying walk)."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    elif kind is int:
        return bool(-_EXACT_FLOAT <= value <= _EXACT_FLOAT)
    else:
        return kind is str or kind is bool or value is None
    for item in items:
        kind = type(item)
        if kind is str:
            continue
        if kind is int:
            if -_EXACT_FLOAT <= item <= _EXACT_FLOAT:
                continue
            return False
        if not _go_unchanged(item):
            return False
    return True


def go_numbers_copy(value: Any) -> Any:
    """The general walk of ``go_numbers``: a new structure with every number converted."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return go_number(value)
    if isinstance(value, list):
        return [go_numbers_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: go_numbers_copy(v) for k, v in value.items()}
    return value


def go_float_text(value: Decimal) -> str:
    """Go's ``json.Marshal`` text of the float64 a ``go_number`` Decimal came from."""
    f = float(value)
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    text = repr(f)
    if 1e-6 <= abs(f) < 1e21:
        plain = format(Decimal(text), "f")
        return plain[:-2] if plain.endswith(".0") else plain
    mantissa, _, exponent = text.partition("e")
    mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
    sign, digits = exponent[0], exponent[1:].lstrip("0") or "0"
    return f"{mantissa}e{sign}{digits}"


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
    # After ``go_numbers`` a whole number is an int; a Decimal is text Go's uint64 refuses.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ParamsError(key)
    return value


# What ``ORDER BY <column> <WORD>`` accepts after upstream upper-cases the sort word and pastes it
# in (``applySort``, list_options.go): nothing, ASC or DESC, and the NULLS clause SQL allows.
_SQL_SORT = re.compile(
    r"[ \t\n\r\f]*(?:(ASC|DESC)(?:[ \t\n\r\f]+NULLS[ \t\n\r\f]+(?:FIRST|LAST))?)?[ \t\n\r\f]*"
)


@dataclass(frozen=True, slots=True)
class ListOptions:
    offset: int
    limit: int
    desc: bool
    #: the sort word makes upstream's query fail (its handler then answers its fallback text)
    bad_sort: bool = False

    def check_sort(self) -> None:
        if self.bad_sort:
            raise InternalError("near sort word: syntax error")


def list_options(obj: dict[str, Any], default_desc: bool = True) -> ListOptions:
    """``ListOptions`` with Go's defaults: limit 10 (0 -> 10), at most 100."""
    offset = uint(obj, "offset", _MAX_UINT32)
    limit = uint(obj, "limit", _MAX_UINT32)
    sort = optional_text(obj, "sort")
    if limit == 0:
        limit = 10
    limit = min(limit, 100)
    if sort is None:
        return ListOptions(offset, limit, default_desc)
    word = _SQL_SORT.fullmatch(sort.upper()) if len(sort) <= 64 else None
    if word is None:
        return ListOptions(offset, limit, default_desc, bad_sort=True)
    return ListOptions(offset, limit, word.group(1) == "DESC")  # a bare "" is SQL's ascending


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
        d = definition_from_dict(raw)
    except ProtocolError as exc:
        raise ParamsError("definition") from exc
    # Go's field types: uint64 quorum, challenge and nonce, int64 weights.
    if max(d.quorum, d.challenge, d.nonce) > _MAX_UINT64 or any(
        not -(1 << 63) <= w < 1 << 63 for w in d.weights
    ):
        raise ParamsError("definition")
    return d
