"""App-session ids and the hashes participants sign (``pkg/app/app_session_v1.go``, ``session_key_v1.go``).

Every hash is keccak256 of an ABI encoding; ids and hashes are lowercase ``0x`` hex, as
go-ethereum's ``Hash.Hex()`` prints them and as the node compares them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nitro_desktop.protocol.crypto import keccak256
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1 import abi
from nitro_desktop.protocol.v1.models import (
    Definition,
    StateUpdate,
    parse_definition,
    parse_session_data,
    parse_state_update,
)
from nitro_desktop.protocol.v1.values import address_bytes, normalize_address, parse_str, parse_uint

_PARTICIPANT = abi.tuple_of(abi.ADDRESS, abi.UINT8)
_ALLOCATION = abi.tuple_of(abi.ADDRESS, abi.STRING, abi.STRING)
_ID_TYPES = (abi.STRING, abi.array(_PARTICIPANT), abi.UINT8, abi.UINT64)
_CREATE_TYPES = (*_ID_TYPES, abi.STRING)
_UPDATE_TYPES = (abi.BYTES32, abi.UINT8, abi.UINT64, abi.array(_ALLOCATION), abi.STRING)
_KEY_STATE_TYPES = (
    abi.ADDRESS,
    abi.ADDRESS,
    abi.UINT64,
    abi.array(abi.BYTES32),
    abi.array(abi.BYTES32),
    abi.UINT64,
)
_KEY_ID_TYPES = (abi.ADDRESS, abi.ADDRESS, abi.UINT64)
MAX_KEY_SCOPE = 1024


def _definition_values(definition: Definition) -> list[Any]:
    participants = [
        (bytes.fromhex(p.wallet_address[2:]), p.signature_weight) for p in definition.participants
    ]
    return [definition.application_id, participants, definition.quorum, definition.nonce]


def _hex(digest: bytes) -> str:
    return "0x" + digest.hex()


def app_session_id(definition: Mapping[str, Any] | Definition) -> str:
    """``app.GenerateAppSessionIDV1``: keccak256(abi.encode(application, participants, quorum, nonce))."""
    parsed = parse_definition(definition)
    return _hex(keccak256(abi.encode(_ID_TYPES, _definition_values(parsed))))


def create_session_hash_bytes(definition: Mapping[str, Any] | Definition, session_data: str | None) -> bytes:
    parsed = parse_definition(definition)
    values = [*_definition_values(parsed), parse_session_data(session_data)]
    return keccak256(abi.encode(_CREATE_TYPES, values))


def create_session_hash(definition: Mapping[str, Any] | Definition, session_data: str | None = "") -> str:
    """``app.PackCreateAppSessionRequestV1``: what each quorum signature signs to create a session."""
    return _hex(create_session_hash_bytes(definition, session_data))


def app_state_update_hash_bytes(update: Mapping[str, Any] | StateUpdate) -> bytes:
    parsed = parse_state_update(update)
    allocations = [(bytes.fromhex(a.participant[2:]), a.asset, a.amount.string()) for a in parsed.allocations]
    values = [
        bytes.fromhex(parsed.app_session_id[2:]),
        int(parsed.intent),
        parsed.version,
        allocations,
        parsed.session_data,
    ]
    return keccak256(abi.encode(_UPDATE_TYPES, values))


def app_state_update_hash(update: Mapping[str, Any] | StateUpdate) -> str:
    """``app.PackAppStateUpdateV1``: what quorum signatures sign for submit_app_state / deposit / close."""
    return _hex(app_state_update_hash_bytes(update))


def _id_list(value: Any, field: str) -> list[bytes]:
    if value is None:
        return []
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise ProtocolError(f"{field} must be a JSON array of strings")
    if len(value) > MAX_KEY_SCOPE:
        raise ProtocolError(f"{field} has {len(value)} entries; at most {MAX_KEY_SCOPE} are accepted")
    # Upstream hashes each id's text (not its hex bytes), so any string is accepted.
    texts = [parse_str(item, f"{field}[{i}]", max_len=1024) for i, item in enumerate(value)]
    return [keccak256(text.encode("utf-8")) for text in texts]


def session_key_state_hash(state: Mapping[str, Any]) -> str:
    """``app.PackAppSessionKeyStateV1``: what ``user_sig`` and ``session_key_sig`` sign (EIP-191)."""
    expires_at = state.get("expires_at")
    negative = (
        expires_at.startswith("-")
        if isinstance(expires_at, str)
        else type(expires_at) is int and expires_at < 0
    )
    if negative:
        raise ProtocolError("expires_at must not be negative")
    values = [
        address_bytes(state.get("user_address"), "user_address"),
        address_bytes(state.get("session_key"), "session_key"),
        parse_uint(state.get("version"), "version"),
        _id_list(state.get("application_ids"), "application_ids"),
        _id_list(state.get("app_session_ids"), "app_session_ids"),
        parse_uint(expires_at, "expires_at", bits=63),  # strconv.ParseInt(s, 10, 64), never negative
    ]
    return _hex(keccak256(abi.encode(_KEY_STATE_TYPES, values)))


def session_key_state_id(user_address: str, session_key: str, version: int | str) -> str:
    """``app.GenerateSessionKeyStateIDV1``."""
    values = [
        address_bytes(normalize_address(user_address, "user_address")),
        address_bytes(normalize_address(session_key, "session_key")),
        parse_uint(version, "version"),
    ]
    return _hex(keccak256(abi.encode(_KEY_ID_TYPES, values)))
