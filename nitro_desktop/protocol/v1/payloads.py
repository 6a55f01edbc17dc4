"""Request payloads and response readers of ``app_sessions.v1`` (``pkg/rpc/api.go``).

Builders emit each request struct's fields in Go's declaration order and drop the
``omitempty`` ones that are empty, so a payload made here encodes to the bytes upstream's
SDK sends. Readers check what a hostile server could get wrong and keep everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1.models import (
    Allocation,
    Definition,
    StateUpdate,
    parse_allocation,
    parse_definition,
    parse_session_data,
    parse_state_update,
)
from nitro_desktop.protocol.v1.quorum import decode_quorum_signature
from nitro_desktop.protocol.v1.values import normalize_hash, parse_json_uint, parse_str, parse_uint

MAX_LISTED_SESSIONS = 1000
SESSION_STATUSES = ("open", "closed")


def _signatures(quorum_sigs: Iterable[str]) -> list[str]:
    signatures = list(quorum_sigs)
    for signature in signatures:
        decode_quorum_signature(signature)  # refuse what the node could not decode, before sending
    return signatures


def create_app_session_payload(
    definition: Mapping[str, Any] | Definition,
    session_data: str = "",
    quorum_sigs: Iterable[str] = (),
    owner_sig: str = "",
) -> dict[str, Any]:
    """``AppSessionsV1CreateAppSessionRequest``; ``quorum_sigs`` and ``owner_sig`` are omitempty."""
    payload: dict[str, Any] = {
        "definition": parse_definition(definition).to_wire(),
        "session_data": parse_session_data(session_data),
    }
    signatures = _signatures(quorum_sigs)
    if signatures:
        payload["quorum_sigs"] = signatures
    if owner_sig:
        payload["owner_sig"] = parse_str(owner_sig, "owner_sig", max_len=200)
    return payload


def submit_app_state_payload(
    update: Mapping[str, Any] | StateUpdate, quorum_sigs: Iterable[str]
) -> dict[str, Any]:
    """``AppSessionsV1SubmitAppStateRequest`` (operate, withdraw and close intents)."""
    return {"app_state_update": parse_state_update(update).to_wire(), "quorum_sigs": _signatures(quorum_sigs)}


def submit_deposit_state_payload(
    update: Mapping[str, Any] | StateUpdate, quorum_sigs: Iterable[str], user_state: Mapping[str, Any]
) -> dict[str, Any]:
    """``AppSessionsV1SubmitDepositStateRequest``: the deposit intent with the user's signed channel state."""
    if not isinstance(user_state, Mapping):
        raise ProtocolError("user_state must be a JSON object (a signed channel state)")
    return {
        "app_state_update": parse_state_update(update).to_wire(),
        "quorum_sigs": _signatures(quorum_sigs),
        "user_state": dict(user_state),
    }


def get_app_definition_payload(app_session_id: str) -> dict[str, Any]:
    return {"app_session_id": normalize_hash(app_session_id, "app_session_id")}


def pagination(
    offset: int | None = None, limit: int | None = None, sort: str | None = None
) -> dict[str, Any]:
    """``PaginationParamsV1``: every field omitempty."""
    out: dict[str, Any] = {}
    if offset is not None:
        out["offset"] = parse_json_uint(offset, "offset", bits=32)
    if limit is not None:
        out["limit"] = parse_json_uint(limit, "limit", bits=32)
    if sort is not None:
        out["sort"] = parse_str(sort, "sort", max_len=16)
    return out


def get_app_sessions_payload(
    app_session_id: str | None = None,
    participant: str | None = None,
    status: str | None = None,
    page: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``AppSessionsV1GetAppSessionsRequest``: filters are omitempty pointers."""
    out: dict[str, Any] = {}
    if app_session_id is not None:
        out["app_session_id"] = parse_str(app_session_id, "app_session_id", max_len=66)
    if participant is not None:
        out["participant"] = parse_str(participant, "participant", max_len=42)
    if status is not None:
        out["status"] = parse_str(status, "status", max_len=16)
    if page is not None:
        out["pagination"] = dict(page)
    return out


class CreatedSession(NamedTuple):
    """``AppSessionsV1CreateAppSessionResponse``."""

    app_session_id: str
    version: int
    status: str


class SessionInfo(NamedTuple):
    """``AppSessionInfoV1``: a session as ``get_app_sessions`` lists it."""

    app_session_id: str
    status: str
    definition: Definition
    session_data: str
    version: int
    allocations: tuple[Allocation, ...]


class PageMetadata(NamedTuple):
    page: int
    per_page: int
    total_count: int
    page_count: int


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{what} must be a JSON object")
    return value


def parse_created_session(payload: Any) -> CreatedSession:
    data = _object(payload, "create_app_session response")
    return CreatedSession(
        app_session_id=normalize_hash(data.get("app_session_id"), "app_session_id"),
        version=parse_uint(data.get("version"), "version"),
        status=parse_str(data.get("status"), "status", max_len=16),
    )


def parse_session_info(value: Any) -> SessionInfo:
    data = _object(value, "app session")
    raw_allocations = data.get("allocations") or []
    if not isinstance(raw_allocations, Sequence) or isinstance(raw_allocations, str):
        raise ProtocolError("allocations must be a JSON array")
    if len(raw_allocations) > 4096:
        raise ProtocolError("an app session lists more than 4096 allocations")
    return SessionInfo(
        app_session_id=normalize_hash(data.get("app_session_id"), "app_session_id"),
        status=parse_str(data.get("status", ""), "status", max_len=16),
        definition=parse_definition(data.get("app_definition")),
        session_data=parse_session_data(data.get("session_data")),
        version=parse_uint(data.get("version"), "version"),
        allocations=tuple(parse_allocation(a, f"allocations[{i}]") for i, a in enumerate(raw_allocations)),
    )


def parse_page_metadata(value: Any) -> PageMetadata:
    data = _object(value if value is not None else {}, "metadata")
    return PageMetadata(
        *(
            parse_json_uint(data.get(k, 0), k, bits=32)
            for k in ("page", "per_page", "total_count", "page_count")
        )
    )


def parse_app_sessions(payload: Any) -> tuple[list[SessionInfo], PageMetadata]:
    """``AppSessionsV1GetAppSessionsResponse``."""
    data = _object(payload, "get_app_sessions response")
    sessions = data.get("app_sessions") or []
    if not isinstance(sessions, list):
        raise ProtocolError("app_sessions must be a JSON array")
    if len(sessions) > MAX_LISTED_SESSIONS:
        raise ProtocolError(f"the server listed more than {MAX_LISTED_SESSIONS} app sessions in one page")
    return [parse_session_info(s) for s in sessions], parse_page_metadata(data.get("metadata"))


def parse_app_definition(payload: Any) -> Definition | None:
    """``AppSessionsV1GetAppDefinitionResponse``: None when the server has no such session."""
    data = _object(payload, "get_app_definition response")
    raw = data.get("definition")
    return None if raw is None else parse_definition(raw)
