"""Make dialect 1 signing requests, add quorum signatures, and give the payload to send.

The payload is built by the protocol's own builders (the bytes upstream's SDK sends), so the
hash signed here is the hash the node recomputes (``app.PackCreateAppSessionRequestV1`` /
``app.PackAppStateUpdateV1``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from nitro_desktop.protocol import Allocation, AppDefinition, HashSigner, ProtocolError, v1
from nitro_desktop.protocol.v1.deposit import go_decimal
from nitro_desktop.signing.errors import SigningError, WrongSignerError
from nitro_desktop.signing.request import CollectedSignature
from nitro_desktop.signing.v1_request import (
    CREATE,
    DEPOSIT,
    SUBMIT,
    V1SigningRequest,
    definition_wire,
)

UPDATE_INTENTS = ("operate", "withdraw", "close")


def _made(
    endpoint: str,
    method: str,
    payload: dict[str, Any],
    session: v1.Definition,
    created_by: str,
    now: float | None,
) -> V1SigningRequest:
    from nitro_desktop.signing.summary import describe

    try:
        text = v1.encode_payload(payload)
    except ProtocolError as exc:
        raise SigningError(str(exc)) from None
    request = V1SigningRequest(
        endpoint=endpoint,
        method=method,
        payload=text,
        session=session,
        created_by=created_by,
        made_at=round(time.time() if now is None else now, 3),
    )
    return replace(request, summary=describe(request).text())


def create_request_v1(
    endpoint: str,
    definition: AppDefinition | v1.Definition | dict[str, Any],
    session_data: str = "",
    *,
    created_by: str = "",
    now: float | None = None,
) -> V1SigningRequest:
    """A create_app_session (created empty) waiting for signers whose weights reach the quorum."""
    try:
        session = definition_wire(definition)
        v1.check_application_id(session.application_id)
        payload = v1.create_app_session_payload(session, session_data or "")
    except ProtocolError as exc:
        raise SigningError(f"definition: {exc}") from None
    return _made(endpoint, CREATE, payload, session, created_by, now)


def _allocations_wire(allocations: Sequence[Allocation]) -> list[dict[str, str]]:
    return [
        {"participant": a.participant.lower(), "asset": a.asset, "amount": go_decimal(Decimal(a.amount))}
        for a in allocations
    ]


def update_request_v1(
    endpoint: str,
    definition: AppDefinition | v1.Definition | dict[str, Any],
    intent: str,
    version: int,
    allocations: Sequence[Allocation],
    session_data: str = "",
    *,
    created_by: str = "",
    now: float | None = None,
) -> V1SigningRequest:
    """A submit_app_state (operate, withdraw or close) taking the session to ``version``."""
    if intent not in UPDATE_INTENTS:
        raise SigningError(
            f"intent must be one of {', '.join(UPDATE_INTENTS)} (a deposit has its own request), "
            f"got {intent!r:.40}"
        )
    names = {name: number for number, name in v1.INTENT_NAMES.items()}
    try:
        session = definition_wire(definition)
        update = {
            "app_session_id": v1.app_session_id(session),
            "intent": int(names[intent]),
            "version": str(version),
            "allocations": _allocations_wire(allocations),
            "session_data": session_data or "",
        }
        payload = {"app_state_update": v1.parse_state_update(update).to_wire()}
    except ProtocolError as exc:
        raise SigningError(str(exc)) from None
    return _made(endpoint, SUBMIT, payload, session, created_by, now)


def deposit_request_v1(
    endpoint: str,
    definition: AppDefinition | v1.Definition | dict[str, Any],
    update: Mapping[str, Any],
    user_state: Mapping[str, Any],
    *,
    created_by: str = "",
    now: float | None = None,
) -> V1SigningRequest:
    """A submit_deposit_state: the deposit update, with the depositor's signed channel state inside.

    The channel state names the depositor's next home-channel version: it stays valid only
    while the depositor's channel does not move before the request is submitted.
    """
    try:
        session = definition_wire(definition)
        payload = v1.submit_deposit_state_payload(update, (), user_state)
    except ProtocolError as exc:
        raise SigningError(str(exc)) from None
    payload.pop("quorum_sigs")
    return _made(endpoint, DEPOSIT, payload, session, created_by, now)


def sign_v1(request: V1SigningRequest, signer: HashSigner) -> V1SigningRequest:
    """Add ``signer``'s quorum signature (0xA1) over the request's hash; the payload never changes."""
    request.check_signer(signer.address)
    signature = v1.quorum_signature(request.signed_hash, signer, "wallet")
    if v1.recover_quorum_signer(request.signed_hash, signature) != signer.address.lower():
        raise WrongSignerError(f"the key used to sign does not belong to {signer.address}")
    return request.with_signature(CollectedSignature(signer.address, signature))


def frame_payload(request: V1SigningRequest) -> dict[str, Any]:
    """The payload to send: the request's own, with the collected quorum signatures."""
    payload = dict(request.body)
    payload["quorum_sigs"] = request.quorum_sigs()
    return payload


def request_for_v1(
    build: Any, endpoint: str, *, created_by: str = "", now: float | None = None
) -> V1SigningRequest:
    """The v1 request a flow would send (``CreateSessionFlow`` or ``UpdateSessionFlow``), unsigned."""
    try:
        definition = build.session_definition()
        data = getattr(build, "sent_session_data", None) or ""
        kind = getattr(build, "kind", "create")
        if kind == "create":
            return create_request_v1(endpoint, definition, data, created_by=created_by, now=now)
        intent = "close" if kind == "close" else (build.sent_intent or "operate")
        allocations = build.allocations()
    except ProtocolError as exc:
        raise SigningError(str(exc)) from None
    version = int(build.version) + 1
    return update_request_v1(
        endpoint, definition, intent, version, allocations, data, created_by=created_by, now=now
    )
