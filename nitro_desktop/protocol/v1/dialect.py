"""Dialect "1" on the seam: the bare-array envelope and the ``DialectSpec`` of nitronode v1.4.x.

The envelope writes and reads ``[type, request_id, method, payload, ts]`` with this
package's codec (``frames``); no frame is signed either way, so there is no broker to pin
and no login: a request stands on its own, with quorum signatures inside its payload.
Sessions are created empty and funded later by deposit states.

``decode_payload`` gives the codec's typed readings for the app-session answers, a
``ServerError`` for a type-4 frame, and the payload object itself for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from nitro_desktop.protocol.crypto import HashSigner
from nitro_desktop.protocol.dialect import Dialect, ObjectParamsSpec, register
from nitro_desktop.protocol.errors import FrameFormatError, ProtocolError
from nitro_desktop.protocol.models import AppDefinition, RpcCall, ServerError, UnknownMessage
from nitro_desktop.protocol.v1.app_session import app_session_id
from nitro_desktop.protocol.v1.frames import FrameKind as V1Kind
from nitro_desktop.protocol.v1.frames import decode_frame, encode_frame
from nitro_desktop.protocol.v1.methods import METHODS, Method
from nitro_desktop.protocol.v1.payloads import (
    PageMetadata,
    SessionInfo,
    create_app_session_payload,
    parse_app_definition,
    parse_app_sessions,
    parse_created_session,
)
from nitro_desktop.protocol.wire import Envelope, FrameKind, ServerFrame

# The calls the shared builders know by their 0.x names, and what v1 calls them.
_NAMES: dict[str, str] = {
    "ping": Method.NODE_PING.value,
    "get_config": Method.NODE_GET_CONFIG.value,
    "get_assets": Method.NODE_GET_ASSETS.value,
    "get_app_definition": Method.APP_SESSIONS_GET_APP_DEFINITION.value,
    "get_app_sessions": Method.APP_SESSIONS_GET_APP_SESSIONS.value,
    "create_app_session": Method.APP_SESSIONS_CREATE_APP_SESSION.value,
    "submit_app_state": Method.APP_SESSIONS_SUBMIT_APP_STATE.value,
}

#: The error shape name ``ServerError.shape`` carries for a v1 error frame.
ERROR_SHAPE = "v1"


class SessionPage(NamedTuple):
    """One page of ``app_sessions.v1.get_app_sessions``."""

    sessions: tuple[SessionInfo, ...]
    metadata: PageMetadata


class BareArrayEnvelope(Envelope):
    """``[type, request_id, method, payload, ts]`` both ways; nothing signed on the frame."""

    signs_requests = False
    server_signed = False

    def encode_request(
        self, request_id: int, call: RpcCall, timestamp: int, signers: Sequence[HashSigner]
    ) -> str:
        if signers:
            raise ProtocolError(
                "dialect 1 signs payloads, not frames: quorum signatures go inside the request"
            )
        params = call.params if call.params is not None else {}
        if not isinstance(params, dict):
            raise ProtocolError(f"a v1 payload is a JSON object, got {type(params).__name__}")
        return encode_frame(V1Kind.REQUEST, request_id, call.method, params, timestamp)

    def decode(self, text: str | bytes) -> ServerFrame:
        frame = decode_frame(text)
        if frame.kind not in (V1Kind.RESPONSE, V1Kind.EVENT, V1Kind.ERROR):
            raise FrameFormatError(f"a server frame is a response, event or error, got type {frame.kind}")
        raw = text if isinstance(text, str) else bytes(text).decode("utf-8", "replace")
        return ServerFrame(
            frame.request_id,
            frame.method,
            frame.payload,
            frame.timestamp,
            raw,
            (),
            raw,
            FrameKind(frame.kind),
        )


BARE_ARRAY = BareArrayEnvelope()


def _error_text(payload: Any) -> str:
    text = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        raise ProtocolError('a v1 error frame carries {"error": text}')
    return text


class DialectV1(ObjectParamsSpec):
    dialect = Dialect.V1
    title = "1 (nitronode v1)"
    protocols = ()
    default_protocol = ""
    definition_has_application = True
    server_v_offset = 27
    strict_hex_sigs = True
    envelope = BARE_ARRAY
    auth_scheme = None
    funded_at_create = False
    definition_has_protocol = False
    definition_has_challenge = False
    # Every v1 session is versioned (its definition names no protocol). What a submit carries:
    # deposit goes by submit_deposit_state and close by the close action (intents 1 and 3).
    versioned_protocols = ("",)
    intents = ("operate", "withdraw")
    # nitronode drops a connection past 10 requests/s (burst 20) without an answer: stay
    # below, with room for jitter that bunches frames on the way.
    request_rate = (8.0, 16)
    max_weight = 255  # uint8 on the wire: the node cannot even parse a larger one
    max_quorum = 255
    default_application = "nitro-desktop"
    application_pattern = "[a-z0-9_-]{1,66}"  # app.IsValidApplicationID
    own_session_calls = True

    def method_name(self, method: str) -> str:
        return _NAMES.get(method, method)

    def supports(self, method: str) -> bool:
        return method in _NAMES or method in METHODS

    def decode_payload(self, frame: ServerFrame) -> Any:
        if frame.kind is FrameKind.ERROR:
            return ServerError(_error_text(frame.result), ERROR_SHAPE)
        if frame.kind is FrameKind.EVENT:  # v1.4.1 sends none; kept whole if a later node does
            return UnknownMessage(frame.method, frame.result)
        payload = frame.result
        if frame.method == Method.APP_SESSIONS_CREATE_APP_SESSION:
            return parse_created_session(payload)
        if frame.method == Method.APP_SESSIONS_GET_APP_SESSIONS:
            sessions, metadata = parse_app_sessions(payload)
            return SessionPage(tuple(sessions), metadata)
        if frame.method == Method.APP_SESSIONS_GET_APP_DEFINITION:
            return parse_app_definition(payload)
        if not isinstance(payload, dict):
            raise ProtocolError(f"the {frame.method or 'answer'} payload is not a JSON object")
        return payload

    def unwrap_result(self, method: str, result: Any) -> Any:
        return result

    def error_result(self, message: str) -> Any:
        return {"error": message}

    def list_key(self, method: str) -> str | None:
        return None

    def session_id(self, definition: AppDefinition) -> str:
        return app_session_id(definition_of(definition))

    def create_params(
        self, definition: AppDefinition, allocations: list[dict[str, Any]], session_data: str | None
    ) -> dict[str, Any]:
        if allocations:
            raise ProtocolError("a v1 session is created empty; fund it afterwards with a deposit")
        # No quorum_sigs yet: they are made over create_session_hash and added when it is signed.
        return create_app_session_payload(definition_of(definition), session_data or "")

    def session_id_preimage(self, definition: AppDefinition) -> dict[str, Any]:
        raise ProtocolError(
            "a v1 session id is a keccak256 of the ABI-encoded definition: "
            "use nitro_desktop.protocol.v1.app_session_id"
        )


def definition_of(definition: AppDefinition) -> dict[str, Any]:
    """A common ``AppDefinition`` in v1's wire shape (protocol and challenge do not exist in v1)."""
    return {
        "application_id": definition.application,
        "participants": [
            {"wallet_address": p, "signature_weight": w}
            for p, w in zip(definition.participants, definition.weights, strict=True)
        ],
        "quorum": definition.quorum,
        "nonce": str(definition.nonce),
    }


register(DialectV1())
