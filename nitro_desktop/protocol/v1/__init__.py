"""Dialect "1": the protocol nitronode v1.4.x speaks (nitrolite ``pkg/rpc``, ``pkg/app``, ``pkg/core``).

Public API (the acceptance checks call these; inputs in upstream's JSON wire shape):
``encode_frame``, ``decode_frame``, ``app_session_id``, ``create_session_hash``,
``app_state_update_hash``, ``quorum_signature``, ``recover_quorum_signer``,
``home_channel_id``, ``pack_state``. Byte-exact with upstream at v1.4.1; the vectors in
``tests/protocol/v1/vectors`` say where each expectation comes from.
"""

from __future__ import annotations

from nitro_desktop.protocol.v1.app_session import (
    app_session_id,
    app_state_update_hash,
    app_state_update_hash_bytes,
    create_session_hash,
    create_session_hash_bytes,
    session_key_state_hash,
    session_key_state_id,
)
from nitro_desktop.protocol.v1.channel import (
    CHANNEL_HUB_VERSION,
    TRANSITION_INTENTS,
    channel_metadata,
    escrow_channel_id,
    home_channel_id,
    pack_challenge_state,
    pack_state,
    state_id,
    transition_hash,
)
from nitro_desktop.protocol.v1.decimals import GoDecimal, decimal_string, parse_decimal
from nitro_desktop.protocol.v1.frames import (
    INVALID_MESSAGE_FORMAT,
    SERVER_MAX_MESSAGE_SIZE,
    Frame,
    FrameKind,
    V1FrameError,
    decode_frame,
    encode_frame,
    encode_payload,
    error_frame,
)
from nitro_desktop.protocol.v1.methods import EVENTS, METHODS, Method
from nitro_desktop.protocol.v1.models import (
    INTENT_NAMES,
    Allocation,
    Definition,
    Intent,
    Participant,
    StateUpdate,
    parse_definition,
    parse_state_update,
)
from nitro_desktop.protocol.v1.payloads import (
    CreatedSession,
    PageMetadata,
    SessionInfo,
    create_app_session_payload,
    get_app_definition_payload,
    get_app_sessions_payload,
    pagination,
    parse_app_definition,
    parse_app_sessions,
    parse_created_session,
    parse_session_info,
    submit_app_state_payload,
    submit_deposit_state_payload,
)
from nitro_desktop.protocol.v1.quorum import (
    KIND_BYTES,
    as_signer,
    decode_quorum_signature,
    eip191_digest,
    quorum_signature,
    recover_quorum,
    recover_quorum_signer,
)
from nitro_desktop.protocol.v1.values import APPLICATION_ID_PATTERN, check_application_id, normalize_address

DIALECT = "1"

__all__ = [
    "APPLICATION_ID_PATTERN",
    "CHANNEL_HUB_VERSION",
    "DIALECT",
    "EVENTS",
    "INTENT_NAMES",
    "INVALID_MESSAGE_FORMAT",
    "KIND_BYTES",
    "METHODS",
    "SERVER_MAX_MESSAGE_SIZE",
    "TRANSITION_INTENTS",
    "Allocation",
    "CreatedSession",
    "Definition",
    "Frame",
    "FrameKind",
    "GoDecimal",
    "Intent",
    "Method",
    "PageMetadata",
    "Participant",
    "SessionInfo",
    "StateUpdate",
    "V1FrameError",
    "app_session_id",
    "app_state_update_hash",
    "app_state_update_hash_bytes",
    "as_signer",
    "channel_metadata",
    "check_application_id",
    "create_app_session_payload",
    "create_session_hash",
    "create_session_hash_bytes",
    "decimal_string",
    "decode_frame",
    "decode_quorum_signature",
    "eip191_digest",
    "encode_frame",
    "encode_payload",
    "error_frame",
    "escrow_channel_id",
    "get_app_definition_payload",
    "get_app_sessions_payload",
    "home_channel_id",
    "normalize_address",
    "pack_challenge_state",
    "pack_state",
    "pagination",
    "parse_app_definition",
    "parse_app_sessions",
    "parse_created_session",
    "parse_decimal",
    "parse_definition",
    "parse_session_info",
    "parse_state_update",
    "quorum_signature",
    "recover_quorum",
    "recover_quorum_signer",
    "session_key_state_hash",
    "session_key_state_id",
    "state_id",
    "submit_app_state_payload",
    "submit_deposit_state_payload",
    "transition_hash",
]
