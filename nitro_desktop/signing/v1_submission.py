"""The I/O edge of dialect 1 signing requests: send one whose quorum is met, and record the outcome.

The client's typed v1 calls send it (``client.v1``): they rebuild the payload from the
same definition or state update, so the node hashes what every signer signed, and they
keep the exactly-once rule (never re-sent; a lost answer is looked up by the session id,
a create the node already has comes back as that session). Like ``submission`` this
module is not imported by the package itself, and records through ``nitro_desktop.history``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from nitro_desktop.client import ClearNodeClient, Exchange
from nitro_desktop.client.v1_calls import QuorumSigners
from nitro_desktop.history import Draft, Frames, Kind, SessionHistory
from nitro_desktop.protocol import AppSession, HashSigner, ProtocolError, go_json
from nitro_desktop.signing.build import ready_frame, sign
from nitro_desktop.signing.v1_build import deposit_request_v1
from nitro_desktop.signing.v1_request import DEPOSIT, V1SigningRequest, common_definition
from nitro_desktop.store import AppSessionRecord, Store


async def send_v1(
    request: V1SigningRequest, *, client: ClearNodeClient | None = None, timeout: float = 10.0
) -> tuple[AppSession, Exchange | None]:
    """Check the request (enough signatures) and send it; the session and the exchange that did it.

    ``client`` reuses a connection to the request's endpoint (the GUI's); otherwise one is opened.
    """
    ready_frame(request)  # refuses a request whose signatures do not reach the quorum
    if client is not None:
        return await _send(client, request)
    async with ClearNodeClient(request.endpoint, request.dialect, timeout=timeout) as own:
        return await _send(own, request)


async def _send(client: ClearNodeClient, request: V1SigningRequest) -> tuple[AppSession, Exchange | None]:
    if client.dialect != request.dialect:
        raise ProtocolError(f"this connection speaks dialect {client.dialect.value}, the request is for 1")
    signatures = QuorumSigners(signatures=tuple(request.quorum_sigs()))
    sent: list[Exchange] = []
    session: AppSession
    if request.update is None:
        session = await client.v1.create_app_session(
            request.session, signatures, session_data=request.session_data, on_sent=sent.append
        )
    elif request.method == DEPOSIT:
        state: dict[str, Any] = request.user_state or {}
        session = await client.v1.submit_deposit_state(request.update, signatures, state, on_sent=sent.append)
    else:
        session = await client.v1.submit_app_state(request.update, signatures, on_sent=sent.append)
    exchange = client.exchanges.get(sent[0].request_id) if sent else None
    return session, exchange


async def deposit_request(
    client: ClearNodeClient, app_session_id: str, asset: str, amount: Decimal, depositor: HashSigner
) -> V1SigningRequest:
    """A deposit from ``depositor``'s home channel as a signing request, signed by them if they count.

    The channel state inside names the depositor's next home-channel version: submit the
    request before that channel moves again, or the node refuses it.
    """
    prepare = getattr(client, "prepare_deposit", None)
    if prepare is None:
        raise ProtocolError("this ClearNode funds sessions when they are created; there is no deposit")
    update, state = await prepare(app_session_id, asset, amount, depositor)
    info = await client.v1.find_app_session(app_session_id)
    if info is None:
        raise ProtocolError(f"the node has no app session {app_session_id}")
    definition = common_definition(info.definition)
    request = deposit_request_v1(client.url, definition, update, state, created_by=depositor.address)
    if depositor.address in request.eligible_signers():
        request = sign(request, depositor)
    return request


def already_done(session: AppSession) -> bool:
    """The node already had this create (a re-run, or someone else submitted the same file)."""
    return bool(session.extra.get("already_created"))


def draft_v1(request: V1SigningRequest, *, endpoint: str, account: str) -> Draft:
    allocations = [a.to_wire() for a in request.update.allocations] if request.update else []
    return Draft(
        endpoint=endpoint,
        account=account,
        protocol="",
        application=request.session.application_id,
        definition_json=go_json(request.definition.to_wire(with_application=True)),
        allocations_json=go_json(allocations),
    )


def record_v1(
    store: Store,
    request: V1SigningRequest,
    session: AppSession,
    frames: Frames,
    *,
    endpoint: str,
    account: str,
) -> AppSessionRecord:
    """Save the outcome in the session history; a session not saved here yet is added first."""
    history = SessionHistory(store)
    sid = request.app_session_id
    session = dataclasses.replace(session, app_session_id=sid)
    draft = draft_v1(request, endpoint=endpoint, account=account)
    if request.update is None:
        if already_done(session):
            return history.found(draft, session)
        return history.created(draft, session, frames)
    if store.sessions.get(sid) is None:
        history.found(draft, session)
    kind: Kind = "close" if request.kind == "close" else "submit"
    return history.changed(
        sid,
        kind,
        session,
        frames,
        expected_version=request.version,
        allocations_json=draft.allocations_json,
    )
