"""What a stored session's definition and allocations say, in the terms people read them.

Pure Python (no Qt) so the details pane only lays it out. Reads both shapes a
definition is stored in: 0.2/0.5 (``participants`` + ``weights`` lists) and v1
(``participants`` as ``{wallet_address, signature_weight}`` objects). The JSON
came from a server at some point, so everything is bounded and anything
unreadable yields nothing rather than an error.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

# The list and the details pane import it from here.
from nitro_desktop.ui.checksum import eip55 as eip55

MAX_PARTICIPANTS = 256
MAX_ALLOCATIONS = 1024
MAX_JSON = 1_000_000
MAX_AMOUNT_CHARS = 100


class Participant(NamedTuple):
    address: str  # EIP-55 when it is an address, else the text as stored
    weight: int | None


class Quorum(NamedTuple):
    participants: list[Participant]
    quorum: int | None


def short_address(address: str) -> str:
    """0x61a1…406b: enough to tell addresses apart in a sentence."""
    return address if len(address) <= 13 else f"{address[:6]}…{address[-4:]}"


def _load(text: str | None) -> Any:
    if not text or len(text) > MAX_JSON:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) <= 30:
        return int(value)
    return None


def read_definition(definition_json: str | None) -> Quorum:
    """Participants with their weights and the quorum; empty when the definition is unreadable."""
    definition = _load(definition_json)
    if not isinstance(definition, dict):
        return Quorum([], None)
    raw = definition.get("participants")
    raw = raw[:MAX_PARTICIPANTS] if isinstance(raw, list) else []
    weights = definition.get("weights")
    weights = weights if isinstance(weights, list) else []
    people: list[Participant] = []
    for i, p in enumerate(raw):
        if isinstance(p, dict):  # v1
            people.append(Participant(eip55(p.get("wallet_address", "")), _int(p.get("signature_weight"))))
        else:
            people.append(Participant(eip55(p), _int(weights[i]) if i < len(weights) else None))
    return Quorum(people, _int(definition.get("quorum")))


def quorum_words(q: Quorum) -> str:
    """The quorum as a sentence: who can sign on their own, or how many must."""
    weights = [p.weight for p in q.participants]
    if q.quorum is None or not weights or any(w is None for w in weights):
        return "Unknown (the definition does not state it)"
    ws = [w for w in weights if w is not None]
    total, need, n = sum(ws), q.quorum, len(ws)
    head = f"Needs {need} of {total} weight: "
    if need > total:
        return head + "it can never be reached"
    if need <= 0:
        return head + "no signature is needed"
    alone = [p.address for p in q.participants if p.weight is not None and p.weight >= need]
    if len(set(ws)) == 1:
        k = -(-need // ws[0])
        if n == 1:
            return head + f"{short_address(alone[0])} alone can sign"
        if k == 1:
            return head + f"any one of {n} can sign"
        if k == n:
            return head + f"all {n} must sign"
        return head + f"any {k} of {n}"
    if len(alone) == 1:
        return head + f"{short_address(alone[0])} alone can sign"
    if alone:
        return head + "any one of " + ", ".join(short_address(a) for a in alone) + " can sign alone"
    return head + "no one can sign alone"


class AssetAllocations(NamedTuple):
    asset: str
    rows: list[tuple[str, str]]  # (EIP-55 participant, amount as stored)
    total: str


def read_allocations(allocations_json: str | None) -> list[AssetAllocations]:
    """Allocations grouped by asset (in order of first appearance), each with its Decimal total."""
    data = _load(allocations_json)
    if not isinstance(data, list):
        return []
    groups: dict[str, tuple[list[tuple[str, str]], list[Decimal]]] = {}
    for a in data[:MAX_ALLOCATIONS]:
        if not isinstance(a, dict):
            continue
        asset = str(a.get("asset", ""))[:40]
        amount = str(a.get("amount", ""))[:MAX_AMOUNT_CHARS]
        rows, sums = groups.setdefault(asset, ([], []))
        rows.append((eip55(a.get("participant", "")), amount))
        try:
            value = Decimal(amount)
        except InvalidOperation:
            continue
        # A hostile "1e999999999" would print a million digits; such a total is not shown.
        if value.is_finite() and abs(int(value.as_tuple().exponent)) <= 80:
            sums.append(value)
    result = []
    for asset, (rows, sums) in groups.items():
        total = sum(sums, Decimal(0))
        result.append(AssetAllocations(asset, rows, format(total.normalize(), "f") if total else "0"))
    return result
