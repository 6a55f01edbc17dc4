"""How upstream's Go decoding sees an incoming frame: ids, signatures, params as stored.

Pieces of ``RPCNode``'s frame handling that the router needs but that are about
Go's ``encoding/json`` rather than routing.
"""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode import params as P
from nitro_desktop.protocol import ProtocolError, go_json
from nitro_desktop.protocol.canonical import _go_escapes, raw_values

# go-ethereum's ``hexutil.Decode``, which v0.3+ servers apply to every ``sig`` entry while
# decoding the frame: 0x-prefixed, even length, any number of bytes (65 is checked later).
_GO_HEX = re.compile(r"0[xX](?:[0-9a-fA-F]{2})*")


def go_hex(signature: str) -> bool:
    return _GO_HEX.fullmatch(signature) is not None


def request_id_of(text: str) -> int:
    """The frame's request id when its ``req`` is read as far as the id, else 0.

    As upstream's decoder: ``req`` must be a 4-element array whose first element is a
    uint64; later elements may be bad (the id was read before they failed).
    """
    try:
        values = json.loads(text)
    except (ValueError, RecursionError):
        return 0
    req = values.get("req") if isinstance(values, dict) else None
    first = req[0] if isinstance(req, list) and len(req) == 4 else None
    if isinstance(first, int) and not isinstance(first, bool) and 0 < first < 1 << 64:
        return first
    return 0


def undecodable_sig(text: str) -> bool:
    try:
        sigs = raw_values(text, decimals=True).get("sig", (None, ""))[0]
    except (ProtocolError, RecursionError):
        return False
    return isinstance(sigs, list) and any(isinstance(s, str) and not go_hex(s) for s in sigs)


def _not_plain(value: Any) -> Any:
    raise TypeError(type(value).__name__)


# Keys sorted by the C encoder (code point order is UTF-8 byte order, as Go sorts map keys);
# anything but str, int, bool, None, lists and dicts (a Decimal) takes the walk below.
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_C_SORTED: Any = (
    _c_make_encoder(None, _not_plain, json.encoder.encode_basestring, None, ":", ",", True, False, False)
    if _c_make_encoder is not None
    else None
)


def go_marshal(params: Any) -> str:
    """``json.Marshal`` of params decoded into Go ``any``: map keys sorted, numbers as float64 text.

    Params come from a bounded parse with every number made an int or a Decimal (``go_numbers``):
    no floats, no deep nesting, string keys.
    """
    if _C_SORTED is not None:
        try:
            return _go_escapes("".join(_C_SORTED(params, 0)))
        except (TypeError, ValueError, RecursionError):
            pass  # a Decimal (or anything unusual): the exact walk below
    decimals = False  # noticed in the same walk as the sorting

    def sort(value: Any) -> Any:
        nonlocal decimals
        if isinstance(value, dict):
            return {k: sort(value[k]) for k in sorted(value)}
        if isinstance(value, list):
            return [sort(v) for v in value]
        if isinstance(value, Decimal):
            decimals = True
        return value

    ordered = sort(params)
    if not decimals:
        return go_json(ordered)
    # A fresh marker each time: no string a peer sent can pose as a number.
    tag = secrets.token_hex(8)
    encoded = go_json(_mark_decimals(ordered, "\x00" + tag))
    return re.sub(r'"\\u0000' + tag + r'([^"]*)"', lambda m: m.group(1), encoded)


def _mark_decimals(value: Any, marker: str) -> Any:
    if isinstance(value, Decimal):
        return marker + P.go_float_text(value)
    if isinstance(value, list):
        return [_mark_decimals(v, marker) for v in value]
    if isinstance(value, dict):
        return {k: _mark_decimals(v, marker) for k, v in value.items()}
    return value
