"""create / submit / close app sessions, including pre-signed frames: never re-sent, reported once.

``AppSessionCalls`` is a part the client is composed of: it gets what it uses (the link,
the shared ``SessionMemory``, two read calls) in its constructor and owns the
``OperationTracker`` that follows up lost answers. ``ClearNodeClient`` keeps the public
methods and hands them to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nitro_desktop.client.connection import Connection
from nitro_desktop.client.errors import (
    ConnectionLost,
    MalformedResponse,
    OperationNotApplied,
    OperationRef,
    RequestTimeout,
    expect,
)
from nitro_desktop.client.exchanges import Exchange
from nitro_desktop.client.lifecycle import Link
from nitro_desktop.client.notifications import NotificationHub
from nitro_desktop.client.operations import OperationTracker
from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    AppSession,
    DialectSpec,
    HashSigner,
    RequestFrame,
    RpcCall,
    app_session_id,
    builders,
    definition_from_dict,
    parse_request_frame,
)

log = logging.getLogger("nitro_desktop.client")
_MUTATIONS = ("create_app_session", "submit_app_state", "close_app_session")

#: Called with the request's ``Exchange`` (its frame, no answer yet) the moment it has been sent.
SentHook = Callable[[Exchange], None]
#: ``get_app_definition(app_session_id)`` of the client (it also teaches the memory a participant).
DefinitionReader = Callable[[str], Awaitable[AppDefinition]]
#: ``iter_app_sessions(participant=…)`` of the client: every matching session once.
SessionLister = Callable[[str | None], AsyncIterator[AppSession]]


@dataclass(slots=True)
class SessionMemory:
    """What the client has learnt about sessions: last version and first participant, by id."""

    versions: dict[str, int] = field(default_factory=dict)
    participants: dict[str, str] = field(default_factory=dict)

    def remember(self, session: AppSession) -> None:
        if session.app_session_id and session.version:
            self.versions[session.app_session_id] = session.version
        if session.app_session_id and session.participants:
            self.participants[session.app_session_id] = session.participants[0]


class AppSessionCalls:
    """The state-changing app-session calls of ``ClearNodeClient``.

    Each takes ``on_sent``: the caller gets the exact frame it sent, with its request
    id, whatever then happens to the answer. The id matches ``RequestTimeout.request_id``,
    ``OperationRef.request_id`` of a late ``OperationOutcome``, and, once answered,
    ``exchanges.get(request_id).response``.
    """

    def __init__(
        self,
        *,
        dialect: DialectSpec,
        link: Link,
        hub: NotificationHub,
        memory: SessionMemory,
        timeout: float,
        outcome_timeout: float,
        read_definition: DefinitionReader,
        list_sessions: SessionLister,
    ) -> None:
        self.spec = dialect
        self.timeout = timeout
        self.outcome_timeout = outcome_timeout
        self._link = link
        self._memory = memory
        self._read_definition = read_definition
        self._list_sessions = list_sessions
        self.ops = OperationTracker(
            hub,
            self._find_session,
            retry_delay=max(0.05, timeout / 2),
            can_retry=lambda: not link.status.value.fatal,
        )
        self._versions = memory.versions
        self._participants = memory.participants

    # ---- app sessions: never re-sent, reported once ---------------------------------------
    async def create_app_session(
        self,
        definition: AppDefinition,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        session_data: str | None = None,
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        if allocations and not self.spec.funded_at_create:
            raise ValueError(
                f"dialect {self.spec.dialect} creates sessions empty and funds them later: "
                "create with no allocations, then deposit"
            )
        call = builders.create_app_session(self.spec, definition, allocations, session_data)
        ref = OperationRef("create", app_session_id(definition, self.spec), 1)
        participant = definition.participants[0] if definition.participants else ""
        self._participants[ref.app_session_id] = participant
        session = await self._mutate(call, signers, ref, participant, on_sent)
        if session.app_session_id and session.app_session_id != ref.app_session_id:
            log.warning("the server created %s, expected id %s", session.app_session_id, ref.app_session_id)
        return session

    async def submit_app_state(
        self,
        app_session_id: str,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        *,
        intent: str | None = None,
        version: int | None = None,
        session_data: str | None = None,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """``intent``/``version`` for NitroRPC/0.4 sessions; otherwise the next version is looked up."""
        call = builders.submit_app_state(
            self.spec,
            app_session_id,
            allocations,
            intent=intent,
            version=version,
            session_data=session_data,
        )
        participant = await self._participant_of(app_session_id)
        expected = (
            version if version is not None else await self._current_version(app_session_id, participant) + 1
        )
        return await self._mutate(
            call, signers, OperationRef("submit", app_session_id, expected), participant, on_sent
        )

    async def close_app_session(
        self,
        app_session_id: str,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        session_data: str | None = None,
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        call = builders.close_app_session(self.spec, app_session_id, allocations, session_data)
        participant = await self._participant_of(app_session_id)
        expected = self._versions.get(app_session_id, 0) + 1
        ref = OperationRef("close", app_session_id, expected)
        return await self._mutate(call, signers, ref, participant, on_sent)

    async def _participant_of(self, app_session_id: str) -> str:
        if app_session_id not in self._participants:
            await self._read_definition(app_session_id)
        return self._participants.get(app_session_id, "")

    async def _current_version(self, app_session_id: str, participant: str) -> int:
        if app_session_id not in self._versions:
            await self._find_session(app_session_id, participant)
        return self._versions.get(app_session_id, 0)

    async def find_app_session(self, app_session_id: str, participant: str = "") -> AppSession | None:
        """The session as the server lists it, or None when the server has no such session.

        Reads the listing (newest first) rather than ``get_app_definition``, whose
        not-found answer is an error text that cannot be told from other failures.
        ``participant`` narrows the listing (default: the one learnt for this id).
        """
        return await self._find_session(
            app_session_id, participant or self._participants.get(app_session_id, "")
        )

    async def _find_session(self, app_session_id: str, participant: str) -> AppSession | None:
        async for session in self._list_sessions(participant or None):
            if session.app_session_id == app_session_id:
                return session
        return None

    # ---- pre-signed frames (signatures collected elsewhere) -----------------------------
    async def send_presigned(self, frame_text: str, *, on_sent: SentHook | None = None) -> Any:
        """Send a frame whose ``req`` was signed elsewhere, byte for byte, and return its typed result.

        The frame's own request id is used (the client skips ids in flight, and refuses
        the frame with ``ValueError`` while a request with the same id is pending).
        create/submit/close get the same outcome tracking as ``create_app_session`` etc.
        """
        frame = parse_request_frame(frame_text)

        async def send(conn: Connection, on_sent: Callable[[int], None]) -> Any:
            return await conn.send_frame(
                frame_text, frame.request_id, frame.method, timeout=self.timeout, on_sent=on_sent
            )

        if frame.method not in _MUTATIONS:
            return await send(await self._link.connection(self.timeout), lambda _id: None)
        ref, participant = await self._presigned_ref(frame)
        return await self._mutate_with(frame.method, send, ref, participant, on_sent)

    async def _presigned_ref(self, frame: RequestFrame) -> tuple[OperationRef, str]:
        params = self.spec.unwrap_params(frame.params)
        if frame.method == "create_app_session":
            definition = definition_from_dict(params.get("definition") or {})
            ref = OperationRef("create", app_session_id(definition, self.spec), 1)
            participant = definition.participants[0] if definition.participants else ""
            self._participants[ref.app_session_id] = participant
            return ref, participant
        session_id = str(params.get("app_session_id", ""))
        participant = await self._participant_of(session_id)
        if frame.method == "submit_app_state":
            version = params.get("version")
            if not isinstance(version, int):
                version = await self._current_version(session_id, participant) + 1
            return OperationRef("submit", session_id, version), participant
        return OperationRef("close", session_id, self._versions.get(session_id, 0) + 1), participant

    async def _mutate(
        self,
        call: RpcCall,
        signers: Sequence[HashSigner],
        ref: OperationRef,
        participant: str,
        on_sent: SentHook | None,
    ) -> AppSession:
        async def send(conn: Connection, on_sent: Callable[[int], None]) -> Any:
            return await conn.request(call, signers, timeout=self.timeout, on_sent=on_sent)

        return await self._mutate_with(call.method, send, ref, participant, on_sent)

    async def _mutate_with(
        self,
        method: str,
        send: Callable[[Connection, Callable[[int], None]], Awaitable[Any]],
        ref: OperationRef,
        participant: str,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        result = await send_once(
            self._link, self.ops, method, send, ref, participant, on_sent, self.outcome_timeout
        )
        if isinstance(result, Reconciled):
            self._memory.remember(result.session)
            return result.session
        session: AppSession = expect(result, AppSession, method)
        if not session.app_session_id:
            session = AppSession(ref.app_session_id, session.status, session.version, extra=session.extra)
        self._memory.remember(session)
        return session


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What ``send_once`` returns when the answer was lost and the server was asked instead."""

    session: AppSession


async def send_once(
    link: Link,
    ops: OperationTracker,
    method: str,
    send: Callable[[Connection, Callable[[int], None]], Awaitable[Any]],
    ref: OperationRef,
    participant: str,
    on_sent: SentHook | None,
    outcome_timeout: float,
) -> Any:
    """Send a state-changing request once; its answer, or ``Reconciled`` if the server was asked.

    Never re-sent: a lost answer is followed up by ``ops`` (the server is asked whether
    ``ref`` was applied) and reported once, to this caller while it waits, else as an event.
    """
    conn = await link.connection(link.timeout)
    sent: list[Exchange] = []

    def mark_sent(request_id: int) -> None:
        exchange = link.exchanges.get(request_id) or Exchange(method, request_id, "")
        sent.append(exchange)
        if on_sent is not None:
            try:
                on_sent(exchange)
            except Exception:  # the caller's bookkeeping must not lose the request's outcome
                log.exception("on_sent hook failed")

    try:
        return await send(conn, mark_sent)
    except ConnectionLost as exc:
        if not sent:
            raise OperationNotApplied(ref, exc) from exc  # it never left this machine
        log.warning("connection lost while waiting for %s: %s", method, exc)
        ref = replace(ref, request_id=sent[0].request_id)
        op = ops.track(ref, participant, caller_waiting=True, exchange=sent[0])
        try:
            return Reconciled(await ops.wait(op, outcome_timeout))
        except TimeoutError:
            raise RequestTimeout(method, ref.request_id, outcome_timeout, pending=ref) from None
    except asyncio.CancelledError:
        if sent:  # the caller left after sending: its outcome is still found out and reported
            ref = replace(ref, request_id=sent[0].request_id)
            ops.track(ref, participant, caller_waiting=False, exchange=sent[0])
        raise
    except (RequestTimeout, MalformedResponse) as exc:
        ref = replace(ref, request_id=exc.request_id)
        ops.track(ref, participant, caller_waiting=False, exchange=sent[0] if sent else None)
        if isinstance(exc, RequestTimeout):
            raise RequestTimeout(exc.method, exc.request_id, exc.timeout, pending=ref) from None
        raise
