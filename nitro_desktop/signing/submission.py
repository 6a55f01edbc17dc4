"""The I/O edge of multi-party signing: send a ready request and record the outcome.

Everything else in ``nitro_desktop.signing`` is pure; this module (not imported by the
package itself) uses the client, and records through ``nitro_desktop.history`` (the one writer
of the session history, which the app's session core uses too).

``submit_once`` is what a command line needs: it asks the server before sending
(a create whose session exists is not sent again, a close of a closed session
neither), and when the answer is lost it asks the server again until it knows,
so the caller can record what happened before it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal

from nitro_desktop.client import (
    ClearNodeClient,
    ClearNodeError,
    ClientError,
    Exchange,
    OperationNotApplied,
    OperationRef,
    is_applied,
)
from nitro_desktop.history import Draft, Frames, Kind, SessionHistory, moved_note
from nitro_desktop.protocol import AppSession, HashSigner, RawKeySigner, go_json, spec
from nitro_desktop.signing.build import ready_frame
from nitro_desktop.signing.request import SigningRequest
from nitro_desktop.store import AppSessionRecord, Store

__all__ = [
    "Submitted",
    "draft_of",
    "fetch_state",
    "moved_note",
    "next_version",
    "record",
    "record_found",
    "record_seen",
    "send",
    "send_and_exchange",
    "submit_once",
]

APP_NAME = "nitro-desktop"
log = logging.getLogger("nitro_desktop.signing")

Outcome = Literal["done", "recovered", "exists", "unknown"]


async def send(
    request: SigningRequest,
    *,
    auth_signer: HashSigner | None = None,
    timeout: float = 10.0,
    client: ClearNodeClient | None = None,
    expected_broker: str | None = None,
    on_broker: Callable[[str], None] | None = None,
) -> AppSession:
    """Check the request (fresh, enough signatures) and send its frame verbatim.

    The socket must be authenticated, but its identity need not be a signer
    (PROTOCOL.md §2.2): without ``auth_signer`` a throwaway key authenticates, so
    no one's key is unlocked just to submit. ``client`` reuses an already
    authenticated client instead (the GUI's). Otherwise a server that does not
    answer as ``expected_broker`` is refused (``BrokerMismatch``) before anything is
    sent, and ``on_broker`` hears the broker seen before authentication (to pin it).
    """
    session, _exchange = await send_and_exchange(
        request,
        auth_signer=auth_signer,
        timeout=timeout,
        client=client,
        expected_broker=expected_broker,
        on_broker=on_broker,
    )
    return session


async def send_and_exchange(
    request: SigningRequest,
    *,
    auth_signer: HashSigner | None = None,
    timeout: float = 10.0,
    client: ClearNodeClient | None = None,
    expected_broker: str | None = None,
    on_broker: Callable[[str], None] | None = None,
) -> tuple[AppSession, Exchange | None]:
    """``send``, and the exchange of that request: its frames as they crossed the wire."""
    frame = ready_frame(request)
    sent: list[Exchange] = []
    if client is not None:
        result: Any = await client.send_presigned(frame, on_sent=sent.append)
        exchange = client.exchanges.get(sent[0].request_id) if sent else None
    else:
        async with _authenticated(request, auth_signer, timeout, expected_broker, on_broker) as own:
            result = await own.send_presigned(frame, on_sent=sent.append)
            exchange = own.exchanges.get(sent[0].request_id) if sent else None
    if not isinstance(result, AppSession):
        raise TypeError(f"unexpected answer to {request.method}: {type(result).__name__}")
    return result, exchange


@dataclass(frozen=True, slots=True)
class Submitted:
    """What became of a request, as far as the server has told us.

    ``done``: answered. ``recovered``: the answer was lost and the server, asked
    afterwards, shows the request applied. ``exists``: nothing was sent, the server
    already shows it done (a re-run). ``unknown``: the answer was lost and the server
    could not be asked in time (``detail`` says why). ``request_frame`` is the frame
    sent (None if nothing was), ``response_frame`` the broker-signed answer, if one came.
    """

    outcome: Outcome
    session: AppSession | None
    request_frame: str | None = None
    response_frame: str | None = None
    detail: str = ""


async def submit_once(
    request: SigningRequest,
    *,
    auth_signer: HashSigner | None = None,
    timeout: float = 10.0,
    settle: float | None = None,
    expected_broker: str | None = None,
    on_broker: Callable[[str], None] | None = None,
) -> Submitted:
    """Send ``request`` at most once and find out what became of it (see ``Submitted``).

    Raises ``ClearNodeError`` when the server refuses it and ``OperationNotApplied``
    when the connection dropped before the server got it: nothing happened then.
    ``settle`` bounds how long a lost answer is looked for (default ``max(30, 3 * timeout)``).
    ``expected_broker`` and ``on_broker`` pin the broker as in ``send``; a reconnection
    made to find out is pinned to the broker the request went to.
    """
    frame = ready_frame(request)
    settle = max(30.0, 3 * timeout) if settle is None else settle
    async with _authenticated(request, auth_signer, timeout, expected_broker, on_broker) as client:
        participant = _participant(request)
        before = await client.find_app_session(request.app_session_id, participant)
        if _already_done(request, before):
            return Submitted("exists", before)
        ref = OperationRef(request.kind, request.app_session_id, _expected_version(request, before))
        sent: list[Exchange] = []
        try:
            result = await client.send_presigned(frame, on_sent=sent.append)
        except (ClearNodeError, OperationNotApplied):
            raise
        except ClientError as exc:
            if not sent:
                raise
            ref = getattr(exc, "pending", None) or ref
            log.warning("the answer to %s was lost (%s); asking the server", request.method, exc)
            return await _find_out(client, request, ref, sent[0], settle, auth_signer, timeout)
    if not isinstance(result, AppSession):
        raise TypeError(f"unexpected answer to {request.method}: {type(result).__name__}")
    answered = client.exchanges.get(sent[0].request_id) if sent else None
    response = answered.response if answered is not None and answered.response else None
    return Submitted("done" if response else "recovered", result, frame, response)


def _participant(request: SigningRequest) -> str:
    participants = request.definition.participants
    return participants[0] if participants else ""


def _already_done(request: SigningRequest, before: AppSession | None) -> bool:
    if before is None:
        return False
    return request.kind == "create" or (request.kind == "close" and before.status == "closed")


def _expected_version(request: SigningRequest, before: AppSession | None) -> int:
    version = request.params.get("version")
    if isinstance(version, int) and request.kind == "submit":
        return version
    return 1 if request.kind == "create" else (before.version if before else 0) + 1


async def _find_out(
    client: ClearNodeClient,
    request: SigningRequest,
    ref: OperationRef,
    sent: Exchange,
    settle: float,
    auth_signer: HashSigner | None,
    timeout: float,
) -> Submitted:
    """Ask the server (reconnecting, or on a new connection if the old one gave up) until it knows."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settle
    participant = _participant(request)
    why = "the ClearNode could not be asked"
    while True:
        try:
            if client.status.fatal:
                pinned = client.broker_address
                async with _authenticated(request, auth_signer, timeout, pinned) as fresh:
                    session = await fresh.find_app_session(ref.app_session_id, participant)
            else:
                session = await client.find_app_session(ref.app_session_id, participant)
        except (ClientError, OSError, TimeoutError) as exc:
            why = f"the ClearNode could not be asked: {exc}"
            if loop.time() + min(1.0, timeout) >= deadline:
                return Submitted("unknown", None, sent.request, None, why)
            await asyncio.sleep(min(1.0, timeout))
            continue
        if is_applied(ref, session):
            return Submitted("recovered", session, sent.request, None)
        raise OperationNotApplied(ref)


@contextlib.asynccontextmanager
async def _authenticated(
    request: SigningRequest,
    auth_signer: HashSigner | None,
    timeout: float,
    expected_broker: str | None = None,
    on_broker: Callable[[str], None] | None = None,
) -> AsyncIterator[ClearNodeClient]:
    """A client that answers as ``expected_broker`` (if given), authenticated by a throwaway key."""
    own = ClearNodeClient(request.endpoint, request.dialect, timeout=timeout, expected_broker=expected_broker)
    async with own as client:
        if on_broker is not None and client.broker_address:
            on_broker(client.broker_address)
        application = request.definition.application or APP_NAME
        await client.authenticate(auth_signer or RawKeySigner.generate(), app_name=application)
        yield client


def draft_of(request: SigningRequest, *, endpoint: str, account: str, allocations_json: str) -> Draft:
    """What the history keeps of a request's session besides the server's answer."""
    wire = request.definition.to_wire(with_application=spec(request.dialect).definition_has_application)
    return Draft(
        endpoint=endpoint,
        account=account,
        protocol=request.definition.protocol,
        application=request.definition.application,
        definition_json=go_json(wire),
        allocations_json=allocations_json,
    )


def record(
    store: Store,
    request: SigningRequest,
    session: AppSession,
    *,
    endpoint: str,
    account: str,
    request_frame: str | None = None,
    response_frame: str | None = None,
) -> AppSessionRecord:
    """Save the outcome in the session history (``nitro_desktop.history``, the app's one writer).

    ``request_frame`` defaults to the request's own frame; pass the frames that
    crossed the wire when known (``Submitted``, or the client's exchange).
    """
    history = SessionHistory(store)
    sid = session.app_session_id or request.app_session_id
    allocations_json = go_json(request.params.get("allocations") or [])
    frames = Frames(request_frame or request.frame_text(), response_frame)
    if request.kind != "create" and store.sessions.get(sid) is not None:
        kind: Kind = "close" if request.kind == "close" else "submit"
        return history.changed(
            sid, kind, session, frames, expected_version=1, allocations_json=allocations_json
        )
    draft = draft_of(request, endpoint=endpoint, account=account, allocations_json=allocations_json)
    if not session.status and request.kind == "close":
        session = dataclasses.replace(session, status="closed")
    return history.created(draft, dataclasses.replace(session, app_session_id=sid), frames)


def record_found(
    store: Store, request: SigningRequest, session: AppSession, *, endpoint: str, account: str
) -> AppSessionRecord:
    """Save a session the server already had (a re-run): its state, none of this run's frames."""
    # What an earlier run put in is not known here: no allocations.
    draft = draft_of(request, endpoint=endpoint, account=account, allocations_json="[]")
    return SessionHistory(store).found(draft, session)


def record_seen(
    store: Store, session: AppSession, *, allocations_json: str | None = None, at: float | None = None
) -> AppSessionRecord | None:
    """Bring a saved session to the state the server reports (see ``SessionHistory.seen``)."""
    return SessionHistory(store).seen(session, allocations_json=allocations_json, at=at)


def next_version(request_dialect: str, protocol: str, session: AppSession | None) -> int | None:
    """The version a NitroRPC/0.4 submit must carry on a v0.5 ClearNode (None elsewhere or unknown)."""
    if session is None or request_dialect != "0.5" or protocol != "NitroRPC/0.4":
        return None
    return session.version + 1


async def fetch_state(
    url: str,
    dialect: str,
    app_session_id: str,
    participant: str,
    *,
    timeout: float = 10.0,
    expected_broker: str | None = None,
    on_broker: Callable[[str], None] | None = None,
) -> AppSession | None:
    """The session as the server lists it now (None if it has none); listings need no login."""
    client = ClearNodeClient(url, dialect, timeout=timeout, expected_broker=expected_broker)
    async with client:
        if on_broker is not None and client.broker_address:
            on_broker(client.broker_address)
        return await client.find_app_session(app_session_id, participant)
