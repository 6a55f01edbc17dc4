"""The v1 app-session wire shapes (``pkg/rpc/types.go``) as typed values, and their readers.

Readers take upstream's JSON wire shape (dicts as ``json.loads`` gives them) and check
what the node checks before it hashes: uint8 weights and quorum, a uint64 decimal
nonce, 0x-addresses, a 0x-hash session id, intents 0..3, shopspring amounts.
Fields are kept in the node's canonical form (addresses lowercase) so two clients that
typed the same definition differently still agree on its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, NamedTuple

from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1.decimals import GoDecimal, parse_decimal
from nitro_desktop.protocol.v1.values import (
    ADDRESS_RE,
    UINT8_MAX,
    UINT64_MAX,
    normalize_address,
    normalize_hash,
    parse_json_uint,
    parse_str,
    parse_uint,
)

# Bounds on what a reader accepts; nitronode's own defaults are lower (max participants
# and session data size are config), these only keep hostile input from costing memory.
MAX_PARTICIPANTS = 256
MAX_ALLOCATIONS = 4096
MAX_SESSION_DATA = 1 << 20
MAX_APPLICATION_ID = 1024
MAX_ASSET = 256


class Intent(IntEnum):
    """``app.AppStateUpdateIntent``."""

    OPERATE = 0
    DEPOSIT = 1
    WITHDRAW = 2
    CLOSE = 3


INTENT_NAMES = {
    Intent.OPERATE: "operate",
    Intent.DEPOSIT: "deposit",
    Intent.WITHDRAW: "withdraw",
    Intent.CLOSE: "close",
}


class Participant(NamedTuple):
    wallet_address: str
    signature_weight: int

    def to_wire(self) -> dict[str, Any]:
        return {"wallet_address": self.wallet_address, "signature_weight": self.signature_weight}


class Definition(NamedTuple):
    """``rpc.AppDefinitionV1``; ``nonce`` is a uint64 (a decimal string on the wire)."""

    application_id: str
    participants: tuple[Participant, ...]
    quorum: int
    nonce: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "application_id": self.application_id,
            "participants": [p.to_wire() for p in self.participants],
            "quorum": self.quorum,
            "nonce": str(self.nonce),
        }

    @property
    def total_weight(self) -> int:
        return sum(p.signature_weight for p in self.participants)


class Allocation(NamedTuple):
    participant: str
    asset: str
    amount: GoDecimal

    def to_wire(self) -> dict[str, Any]:
        return {"participant": self.participant, "asset": self.asset, "amount": self.amount.string()}


class StateUpdate(NamedTuple):
    """``rpc.AppStateUpdateV1``; ``version`` is a uint64 (a decimal string on the wire)."""

    app_session_id: str
    intent: Intent
    version: int
    allocations: tuple[Allocation, ...]
    session_data: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "app_session_id": self.app_session_id,
            "intent": int(self.intent),
            "version": str(self.version),
            "allocations": [a.to_wire() for a in self.allocations],
            "session_data": self.session_data,
        }


# Key sets already seen to be plain lowercase ASCII (nothing for Go to fold); bounded.
_PLAIN_KEYS: set[frozenset[Any]] = set()
_PLAIN_KEYS_MAX = 256


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    """An object's fields as Go's decoder matches them to a struct.

    encoding/json accepts a key in any letter case and the last matching key wins; a
    JSON null leaves the field's zero value, so null fields are dropped here.
    """
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{what} must be a JSON object, got {type(value).__name__}")
    keys = frozenset(value)
    if keys in _PLAIN_KEYS or all(type(k) is str and k.isascii() and k == k.lower() for k in keys):
        if len(_PLAIN_KEYS) < _PLAIN_KEYS_MAX:
            _PLAIN_KEYS.add(keys)
        if None in value.values():
            return {k: v for k, v in value.items() if v is not None}
        return value  # the usual case: nothing to fold or drop
    return {k.lower().upper().lower(): v for k, v in value.items() if isinstance(k, str) and v is not None}


def _list(value: Any, what: str, limit: int) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ProtocolError(f"{what} must be a JSON array, got {type(value).__name__}")
    if len(value) > limit:
        raise ProtocolError(f"{what} has {len(value)} entries; at most {limit} are accepted")
    return list(value)


# NamedTuple's generated __new__ is a Python call; the C constructor is ~4x cheaper per item.
_new_tuple: Any = tuple.__new__
_DEFINITION_KEYS = frozenset({"application_id", "participants", "quorum", "nonce"})
_PARTICIPANT_KEYS = frozenset({"wallet_address", "signature_weight"})


# Validated participant lists by their raw (wallet, weight, ...) values: a client creates
# session after session among the same few people, and only the nonce changes. Bounded so
# a peer sending fresh participants cannot grow it.
_PARTICIPANTS: dict[tuple[Any, ...], tuple[Participant, ...]] = {}
_PARTICIPANTS_MAX = 1024


def _fast_participants(entries: list[Any]) -> tuple[Participant, ...] | None:
    key: list[Any] = []
    for entry in entries:
        if type(entry) is not dict or entry.keys() != _PARTICIPANT_KEYS:
            return None
        wallet, weight = entry["wallet_address"], entry["signature_weight"]
        if type(wallet) is not str or type(weight) is not int:
            return None
        key.append(wallet)
        key.append(weight)
    frozen = tuple(key)
    cached = _PARTICIPANTS.get(frozen)
    if cached is not None:
        return cached
    parsed = []
    for wallet, weight in zip(frozen[::2], frozen[1::2], strict=True):
        if not 0 <= weight <= UINT8_MAX:
            return None
        if len(wallet) != 42 or not wallet.isascii() or not ADDRESS_RE.fullmatch(wallet):
            return None
        parsed.append(_new_tuple(Participant, (wallet.lower(), weight)))
    participants = tuple(parsed)
    if len(_PARTICIPANTS) >= _PARTICIPANTS_MAX:
        _PARTICIPANTS.clear()
    _PARTICIPANTS[frozen] = participants
    return participants


def fast_definition(value: Any) -> Definition | None:
    """The common case (a plain dict exactly in wire shape, all valid) without building error texts.

    Anything unusual returns None and takes the general path, which says what is wrong.
    """
    if type(value) is not dict or value.keys() != _DEFINITION_KEYS:
        return None
    application_id, participants = value["application_id"], value["participants"]
    quorum, nonce = value["quorum"], value["nonce"]
    if (
        type(application_id) is not str
        or len(application_id) > MAX_APPLICATION_ID
        or type(participants) is not list
        or len(participants) > MAX_PARTICIPANTS
        or type(quorum) is not int
        or not 0 <= quorum <= UINT8_MAX
    ):
        return None
    if type(nonce) is str and len(nonce) <= 20 and nonce.isascii() and nonce.isdigit():
        nonce = int(nonce)
    if type(nonce) is not int or not 0 <= nonce <= UINT64_MAX:
        return None
    parsed = _fast_participants(participants)
    if parsed is None:
        return None
    definition: Definition = _new_tuple(Definition, (application_id, parsed, quorum, nonce))
    return definition


def parse_definition(value: Any) -> Definition:
    """Read a definition in wire shape; a ``Definition`` passes through."""
    if type(value) is Definition:
        return value
    fast = fast_definition(value)
    if fast is not None:
        return fast
    data = _mapping(value, "definition")
    participants = []
    for i, raw in enumerate(_list(data.get("participants"), "participants", MAX_PARTICIPANTS)):
        entry = _mapping(raw, f"participants[{i}]")
        participants.append(
            Participant(
                wallet_address=normalize_address(
                    entry.get("wallet_address"), f"participants[{i}].wallet_address"
                ),
                signature_weight=parse_json_uint(
                    entry.get("signature_weight", 0), f"participants[{i}].signature_weight", bits=8
                ),
            )
        )
    application_id = parse_str(data.get("application_id", ""), "application_id", max_len=MAX_APPLICATION_ID)
    return Definition(
        application_id=application_id,
        participants=tuple(participants),
        quorum=parse_json_uint(data.get("quorum", 0), "quorum", bits=8),
        nonce=parse_uint(data.get("nonce"), "nonce"),
    )


def parse_intent(value: Any) -> Intent:
    number = parse_json_uint(value, "intent", bits=8)
    try:
        return Intent(number)
    except ValueError:
        raise ProtocolError(
            f"intent must be 0 operate, 1 deposit, 2 withdraw or 3 close, got {number}"
        ) from None


def parse_allocation(value: Any, where: str) -> Allocation:
    entry = _mapping(value, where)
    return Allocation(
        participant=normalize_address(entry.get("participant"), f"{where}.participant"),
        asset=parse_str(entry.get("asset", ""), f"{where}.asset", max_len=MAX_ASSET),
        amount=parse_decimal(entry.get("amount"), f"{where}.amount"),
    )


def parse_state_update(value: Any) -> StateUpdate:
    """Read an app state update in wire shape; a ``StateUpdate`` passes through."""
    if isinstance(value, StateUpdate):
        return value
    data = _mapping(value, "app_state_update")
    allocations = tuple(
        parse_allocation(raw, f"allocations[{i}]")
        for i, raw in enumerate(_list(data.get("allocations"), "allocations", MAX_ALLOCATIONS))
    )
    return StateUpdate(
        app_session_id=normalize_hash(data.get("app_session_id"), "app_session_id"),
        intent=parse_intent(data.get("intent", 0)),
        version=parse_uint(data.get("version"), "version"),
        allocations=allocations,
        session_data=parse_session_data(data.get("session_data", "")),
    )


def parse_session_data(value: Any) -> str:
    if value is None:  # Go's zero value for a null string
        return ""
    return parse_str(value, "session_data", max_len=MAX_SESSION_DATA)
