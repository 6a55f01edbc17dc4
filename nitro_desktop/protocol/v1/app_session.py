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
from nitro_desktop.protocol.v1.known import known_create_hash
from nitro_desktop.protocol.v1.models import (
    MAX_SESSION_DATA,
    Definition,
    StateUpdate,
    parse_definition,
    parse_session_data,
    parse_state_update,
)
from nitro_desktop.protocol.v1.values import (
    address_bytes,
    normalize_address,
    parse_str,
    parse_uint,
)

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


# Hand-laid ABI encodings of the three hashes every create and update computes. They are
# the generic ``abi.encode`` of the types above (a test holds them equal), unrolled
# because signing a session is otherwise dominated by the generic encoder's recursion.
def _word(number: int) -> bytes:
    return number.to_bytes(32, "big")


_string_tail = abi.string_tail
_STRING_TAILS = abi.STRING_TAILS  # cleared in place, never rebound


_WORDS = tuple(n.to_bytes(32, "big") for n in range(256))  # uint8 quorums and weights
_ADDRESS_PAD = b"\0" * 12
# Participants repeat from one create to the next (only the nonce changes), and their ABI
# tail is the biggest part of the encoding; the bound keeps fresh peers from growing it.
_PARTICIPANTS_TAILS: dict[tuple[Any, ...], bytes] = {}
_MAX_CACHED_TAILS = 1024


def _participants_tail(definition: Definition) -> bytes:
    participants = definition.participants
    cacheable = type(participants) is tuple
    tail = _PARTICIPANTS_TAILS.get(participants) if cacheable else None
    if tail is not None:
        return tail
    parts = [len(participants).to_bytes(32, "big")]
    for p in participants:
        parts.append(_ADDRESS_PAD + bytes.fromhex(p.wallet_address[2:]))
        parts.append(p.signature_weight.to_bytes(32, "big"))
    tail = b"".join(parts)
    if cacheable:
        if len(_PARTICIPANTS_TAILS) >= _MAX_CACHED_TAILS:
            _PARTICIPANTS_TAILS.clear()
        _PARTICIPANTS_TAILS[participants] = tail
    return tail


def _definition_encoding(definition: Definition, session_data: str | None) -> bytes:
    app_tail = _string_tail(definition.application_id)
    parts_tail = _participants_tail(definition)
    head_size = 128 if session_data is None else 160
    words = (
        _WORDS[head_size],
        (head_size + len(app_tail)).to_bytes(32, "big"),
        _WORDS[definition.quorum],
        definition.nonce.to_bytes(32, "big"),
    )
    if session_data is None:
        return b"".join((*words, app_tail, parts_tail))
    offset = (head_size + len(app_tail) + len(parts_tail)).to_bytes(32, "big")
    return b"".join((*words, offset, app_tail, parts_tail, _string_tail(session_data)))


def _update_encoding(update: StateUpdate) -> bytes:
    tuples = []
    for a in update.allocations:
        asset_tail = _string_tail(a.asset)
        tuples.append(
            b"".join(
                (
                    _ADDRESS_PAD + bytes.fromhex(a.participant[2:]),
                    _word(96),
                    _word(96 + len(asset_tail)),
                    asset_tail,
                    _string_tail(a.amount.string()),
                )
            )
        )
    offsets = []
    offset = 32 * len(tuples)
    for body in tuples:
        offsets.append(_word(offset))
        offset += len(body)
    allocations_tail = b"".join((_word(len(tuples)), *offsets, *tuples))
    return b"".join(
        (
            bytes.fromhex(update.app_session_id[2:]),
            _word(int(update.intent)),
            _word(update.version),
            _word(160),
            _word(160 + len(allocations_tail)),
            allocations_tail,
            _string_tail(update.session_data),
        )
    )


def app_session_id(definition: Mapping[str, Any] | Definition) -> str:
    """``app.GenerateAppSessionIDV1``: keccak256(abi.encode(application, participants, quorum, nonce))."""
    return _hex(keccak256(_definition_encoding(parse_definition(definition), None)))


def create_session_hash_bytes(definition: Mapping[str, Any] | Definition, session_data: str | None) -> bytes:
    encoded = _definition_encoding(parse_definition(definition), parse_session_data(session_data))
    return keccak256(encoded)


def create_session_hash(definition: Mapping[str, Any] | Definition, session_data: str | None = "") -> str:
    """``app.PackCreateAppSessionRequestV1``: what each quorum signature signs to create a session."""
    if type(definition) is dict and type(session_data) is str and len(session_data) <= MAX_SESSION_DATA:
        text = known_create_hash(definition, session_data)  # the usual call: seen before, but the nonce
        if text is not None:
            return text
    return _hex(create_session_hash_bytes(definition, session_data))


def app_state_update_hash_bytes(update: Mapping[str, Any] | StateUpdate) -> bytes:
    return keccak256(_update_encoding(parse_state_update(update)))


def app_state_update_hash(update: Mapping[str, Any] | StateUpdate) -> str:
    """``app.PackAppStateUpdateV1``: what quorum signatures sign for submit_app_state / deposit / close."""
    return _hex(app_state_update_hash_bytes(update))


def generic_encodings(
    definition: Mapping[str, Any] | Definition, session_data: str, update: Mapping[str, Any] | StateUpdate
) -> tuple[bytes, bytes, bytes]:
    """The same three encodings through the generic ABI encoder (tests hold the fast ones to these)."""
    parsed = parse_definition(definition)
    values = _definition_values(parsed)
    upd = parse_state_update(update)
    allocations = [(bytes.fromhex(a.participant[2:]), a.asset, a.amount.string()) for a in upd.allocations]
    update_values = [
        bytes.fromhex(upd.app_session_id[2:]),
        int(upd.intent),
        upd.version,
        allocations,
        upd.session_data,
    ]
    return (
        abi.encode(_ID_TYPES, values),
        abi.encode(_CREATE_TYPES, [*values, session_data]),
        abi.encode(_UPDATE_TYPES, update_values),
    )


def fast_encodings(
    definition: Mapping[str, Any] | Definition, session_data: str, update: Mapping[str, Any] | StateUpdate
) -> tuple[bytes, bytes, bytes]:
    parsed = parse_definition(definition)
    return (
        _definition_encoding(parsed, None),
        _definition_encoding(parsed, session_data),
        _update_encoding(parse_state_update(update)),
    )


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
