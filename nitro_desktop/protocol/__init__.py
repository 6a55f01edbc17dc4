"""The NitroRPC wire protocol, pure: no I/O, no Qt.

Public API (used by other tools and the acceptance checks; keep these names):
``Dialect``, ``encode_request``, ``sign_request``, ``recover_signers``,
``auth_typed_data``, ``app_session_id``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names load on first use (PEP 562): the window paints before the crypto and frame modules
# (keccak's cffi set-up alone is tens of milliseconds) are needed, and the store needs only
# ``Dialect``. Type checkers read the imports below.
if TYPE_CHECKING:
    from nitro_desktop.protocol import builders as builders
    from nitro_desktop.protocol.builders import app_session_id, check_definition_numbers, definition_from_dict
    from nitro_desktop.protocol.canonical import go_json, js_json
    from nitro_desktop.protocol.crypto import (
        HashSigner,
        RawKeySigner,
        is_checksum_address,
        keccak256,
        recover_address,
        to_checksum_address,
    )
    from nitro_desktop.protocol.dialect import Dialect, DialectLike, DialectSpec, spec
    from nitro_desktop.protocol.eip712 import typed_data_digest
    from nitro_desktop.protocol.errors import (
        AddressError,
        AmountError,
        EmptyRequestError,
        FrameFormatError,
        FrameValidationError,
        ProtocolError,
        SignatureError,
    )
    from nitro_desktop.protocol.frames import (
        NOTIFICATION_METHODS,
        REQ_SIG,
        RequestFrame,
        add_signatures,
        encode_request,
        frame_from_req,
        parse_request_frame,
        parse_server_frame,
        recover_signers,
        req_digest,
        sign_request,
        sign_response,
    )
    from nitro_desktop.protocol.models import (
        Allocation,
        AppDefinition,
        AppSession,
        AppSessionUpdate,
        Asset,
        AssetsNotification,
        AuthChallenge,
        AuthResult,
        Balance,
        BalanceUpdate,
        BrokerConfig,
        ChannelsNotification,
        ChannelUpdate,
        Network,
        Pong,
        Record,
        RpcCall,
        ServerError,
        TransferNotification,
        UnknownMessage,
    )
    from nitro_desktop.protocol.parsers import (
        ServerMessage,
        decode_result,
        parse_error,
        parse_server_message,
    )
    from nitro_desktop.protocol.values import (
        check_precision,
        format_amount,
        parse_address,
        parse_amount,
        reachable_quorum,
    )
    from nitro_desktop.protocol.wire import Envelope, FrameKind, ServerFrame


# name -> the module (under nitro_desktop.protocol) that defines it; None: the module itself.
_LAZY: dict[str, str | None] = {
    "add_signatures": "frames",
    "AddressError": "errors",
    "Allocation": "models",
    "AmountError": "errors",
    "app_session_id": "builders",
    "AppDefinition": "models",
    "AppSession": "models",
    "AppSessionUpdate": "models",
    "Asset": "models",
    "AssetsNotification": "models",
    "AuthChallenge": "models",
    "AuthResult": "models",
    "Balance": "models",
    "BalanceUpdate": "models",
    "BrokerConfig": "models",
    "builders": None,
    "ChannelsNotification": "models",
    "ChannelUpdate": "models",
    "check_definition_numbers": "builders",
    "check_precision": "values",
    "decode_result": "parsers",
    "definition_from_dict": "builders",
    "Dialect": "dialect_id",
    "DialectLike": "dialect",
    "DialectSpec": "dialect",
    "EmptyRequestError": "errors",
    "encode_request": "frames",
    "Envelope": "wire",
    "format_amount": "values",
    "frame_from_req": "frames",
    "FrameFormatError": "errors",
    "FrameKind": "wire",
    "FrameValidationError": "errors",
    "go_json": "canonical",
    "HashSigner": "crypto",
    "is_checksum_address": "crypto",
    "js_json": "canonical",
    "keccak256": "crypto",
    "Network": "models",
    "NOTIFICATION_METHODS": "frames",
    "parse_address": "values",
    "parse_amount": "values",
    "parse_error": "parsers",
    "parse_request_frame": "frames",
    "parse_server_frame": "frames",
    "parse_server_message": "parsers",
    "Pong": "models",
    "ProtocolError": "errors",
    "RawKeySigner": "crypto",
    "reachable_quorum": "values",
    "Record": "models",
    "recover_address": "crypto",
    "recover_signers": "frames",
    "req_digest": "frames",
    "REQ_SIG": "frames",
    "RequestFrame": "frames",
    "RpcCall": "models",
    "ServerError": "models",
    "ServerFrame": "wire",
    "ServerMessage": "parsers",
    "sign_request": "frames",
    "sign_response": "frames",
    "SignatureError": "errors",
    "spec": "dialect",
    "to_checksum_address": "crypto",
    "TransferNotification": "models",
    "typed_data_digest": "eip712",
    "UnknownMessage": "models",
}


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = importlib.import_module(f"{__name__}.{module or name}")
    if module is not None:
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def auth_typed_data(dialect: DialectLike, auth_request_params: Any, challenge: str) -> dict[str, Any]:
    """The full EIP-712 message for ``auth_verify`` (domain, types, primaryType, message).

    ``auth_request_params`` are the params sent in ``auth_request``: the
    positional list in dialect 0.2, the object in 0.5 (unwrapped, as sent).
    """
    from nitro_desktop.protocol.dialect import spec

    return spec(dialect).auth_typed_data(auth_request_params, challenge)


__all__ = [
    "NOTIFICATION_METHODS",
    "REQ_SIG",
    "AddressError",
    "Allocation",
    "AmountError",
    "AppDefinition",
    "AppSession",
    "AppSessionUpdate",
    "Asset",
    "AssetsNotification",
    "AuthChallenge",
    "AuthResult",
    "Balance",
    "BalanceUpdate",
    "BrokerConfig",
    "ChannelUpdate",
    "ChannelsNotification",
    "Dialect",
    "DialectLike",
    "DialectSpec",
    "EmptyRequestError",
    "Envelope",
    "FrameFormatError",
    "FrameKind",
    "FrameValidationError",
    "HashSigner",
    "Network",
    "Pong",
    "ProtocolError",
    "RawKeySigner",
    "Record",
    "RequestFrame",
    "RpcCall",
    "ServerError",
    "ServerFrame",
    "ServerMessage",
    "SignatureError",
    "TransferNotification",
    "UnknownMessage",
    "add_signatures",
    "app_session_id",
    "auth_typed_data",
    "builders",
    "check_definition_numbers",
    "check_precision",
    "decode_result",
    "definition_from_dict",
    "encode_request",
    "format_amount",
    "frame_from_req",
    "go_json",
    "is_checksum_address",
    "js_json",
    "keccak256",
    "parse_address",
    "parse_amount",
    "parse_error",
    "parse_request_frame",
    "parse_server_frame",
    "parse_server_message",
    "reachable_quorum",
    "recover_address",
    "recover_signers",
    "req_digest",
    "sign_request",
    "sign_response",
    "spec",
    "to_checksum_address",
    "typed_data_digest",
]
