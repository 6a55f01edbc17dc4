"""Dialect "1"'s session changes: create, deposit, operate / withdraw / close, never re-sent.

Quorum signatures are made here by the local signers (0xA1 wallets, 0xA2 app session keys)
or carried in from elsewhere. State-changing calls follow the client's exactly-once rule
(``send_once``): never re-sent; a lost answer is followed up by asking the node for the
session under the id derived from what was sent. nitronode refuses a second create of the
same definition with PostgreSQL's duplicate-key text, so that refusal means "already
created": the caller gets the session (``extra["already_created"]``), and an operation
still waiting to learn that outcome is resolved by it, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nitro_desktop.client.app_session_calls import Reconciled, SentHook, send_once
from nitro_desktop.client.connection import Connection
from nitro_desktop.client.errors import ClearNodeError, MalformedResponse, OperationRef
from nitro_desktop.client.lifecycle import Link
from nitro_desktop.client.notifications import NotificationHub
from nitro_desktop.client.operations import OperationTracker
from nitro_desktop.client.v1_channels import V1Channels
from nitro_desktop.client.v1_reads import session_of, session_of_info
from nitro_desktop.protocol import AppSession, Dialect, DialectSpec, HashSigner, ProtocolError, RpcCall, v1
from nitro_desktop.protocol.v1 import Definition, Intent, Method, StateUpdate

#: The part of nitronode's duplicate-create refusal that names the cause (the rest wraps it).
DUPLICATE_CREATE = 'duplicate key value violates unique constraint "app_sessions_v1_pkey"'


@dataclass(frozen=True, slots=True)
class QuorumSigners:
    """Who signs a create or an update here: wallets (0xA1), app session keys (0xA2), and
    signatures made elsewhere (another participant's, carried in as text)."""

    wallets: Sequence[HashSigner] = ()
    session_keys: Sequence[HashSigner] = ()
    signatures: Sequence[str] = ()

    def sign(self, digest: str) -> list[str]:
        made = [v1.quorum_signature(digest, s, "wallet") for s in self.wallets]
        made += [v1.quorum_signature(digest, s, "session_key") for s in self.session_keys]
        return made + list(self.signatures)


Signers = QuorumSigners | Sequence[HashSigner]


def _quorum(signers: Signers) -> QuorumSigners:
    return signers if isinstance(signers, QuorumSigners) else QuorumSigners(wallets=tuple(signers))


class V1Calls(V1Channels):
    """The v1 methods of ``ClearNodeClient`` (``client.v1``); refuses to run on another dialect."""

    def __init__(
        self,
        *,
        dialect: DialectSpec,
        link: Link,
        hub: NotificationHub,
        timeout: float,
        outcome_timeout: float,
    ) -> None:
        super().__init__(dialect=dialect, link=link, timeout=timeout)
        self.outcome_timeout = outcome_timeout
        self.ops = OperationTracker(
            hub,
            self._lookup,
            retry_delay=max(0.05, timeout / 2),
            can_retry=lambda: not link.status.value.fatal,
        )

    # ---- app_sessions.v1 changes: never re-sent, reported once -----------------------------
    async def _send(
        self, method: str, payload: dict[str, Any], ref: OperationRef, on_sent: SentHook | None
    ) -> Any:
        if self.spec.dialect is not Dialect.V1:
            raise ProtocolError(
                f"{method} is a dialect 1 method; this client speaks {self.spec.dialect.value}"
            )
        call = RpcCall(str(method), payload)

        async def send(conn: Connection, mark_sent: Callable[[int], None]) -> Any:
            return await conn.request(call, timeout=self.timeout, on_sent=mark_sent)

        return await send_once(self._link, self.ops, method, send, ref, "", on_sent, self.outcome_timeout)

    async def create_app_session(
        self,
        definition: Definition | Mapping[str, Any],
        signers: Signers,
        *,
        session_data: str = "",
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """Create an empty session (v1 funds sessions later, by deposit), signed by ``signers``."""
        definition = v1.parse_definition(definition)
        session_id = v1.app_session_id(definition)
        sigs = _quorum(signers).sign(v1.create_session_hash(definition, session_data))
        payload = v1.create_app_session_payload(definition, session_data, sigs)
        ref = OperationRef("create", session_id, 1)
        try:
            result = await self._send(Method.APP_SESSIONS_CREATE_APP_SESSION, payload, ref, on_sent)
        except ClearNodeError as exc:
            if DUPLICATE_CREATE not in exc.message:
                raise
            info = await self.find_app_session(session_id)
            if info is None:
                raise
            session = session_of_info(info, already_created=True)
            self.ops.settle("create", session_id, session)  # a lost first answer learns it here, once
            return session
        if isinstance(result, Reconciled):
            return result.session
        created = result
        if not isinstance(created, v1.CreatedSession):
            raise MalformedResponse(Method.APP_SESSIONS_CREATE_APP_SESSION, 0, "not a create answer")
        if created.app_session_id != session_id:
            raise MalformedResponse(
                Method.APP_SESSIONS_CREATE_APP_SESSION,
                0,
                f"the node created {created.app_session_id}, but the definition sent derives {session_id}",
            )
        return session_of(
            session_id, definition, status=created.status, version=created.version, session_data=session_data
        )

    async def submit_app_state(
        self,
        update: StateUpdate | Mapping[str, Any],
        signers: Signers,
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """operate, withdraw or close: ``update`` carries the intent and the session's next version."""
        update = v1.parse_state_update(update)
        if update.intent is Intent.DEPOSIT:
            raise ProtocolError("a deposit goes through submit_deposit_state, with the user's channel state")
        sigs = _quorum(signers).sign(v1.app_state_update_hash(update))
        payload = v1.submit_app_state_payload(update, sigs)
        return await self._apply(Method.APP_SESSIONS_SUBMIT_APP_STATE, payload, update, on_sent)

    async def submit_deposit_state(
        self,
        update: StateUpdate | Mapping[str, Any],
        signers: Signers,
        user_state: Mapping[str, Any],
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """Fund a session: the deposit update plus the depositor's next home-channel state, signed.

        ``extra["signature"]`` is the node's countersignature of that channel state.
        """
        update = v1.parse_state_update(update)
        if update.intent is not Intent.DEPOSIT:
            raise ProtocolError("submit_deposit_state carries the deposit intent (1)")
        sigs = _quorum(signers).sign(v1.app_state_update_hash(update))
        payload = v1.submit_deposit_state_payload(update, sigs, user_state)
        return await self._apply(Method.APP_SESSIONS_SUBMIT_DEPOSIT_STATE, payload, update, on_sent)

    async def _apply(
        self, method: str, payload: dict[str, Any], update: StateUpdate, on_sent: SentHook | None
    ) -> AppSession:
        kind = "close" if update.intent is Intent.CLOSE else "submit"
        ref = OperationRef(kind, update.app_session_id, update.version)
        result = await self._send(method, payload, ref, on_sent)
        if isinstance(result, Reconciled):
            return result.session
        session = AppSession(
            update.app_session_id,
            status="closed" if update.intent is Intent.CLOSE else "open",
            version=update.version,
            session_data=update.session_data,
            extra={"allocations": [a.to_wire() for a in update.allocations]},
        )
        if isinstance(result, dict) and isinstance(result.get("signature"), str):
            session.extra["signature"] = result["signature"]
        return session

    async def update(
        self,
        app_session_id: str,
        intent: Intent | str,
        allocations: Iterable[tuple[str, str, str] | v1.Allocation],
        signers: Signers,
        *,
        version: int | None = None,
        session_data: str = "",
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """operate / withdraw / close by name; ``version`` defaults to the listed version + 1."""
        if isinstance(intent, str):
            names = {name: number for number, name in v1.INTENT_NAMES.items()}
            if intent not in names:
                raise ProtocolError(f"intent must be one of {', '.join(names)}, got {intent[:40]!r}")
            intent = names[intent]
        if version is None:
            info = await self.find_app_session(app_session_id)
            if info is None:
                raise ProtocolError(f"the node has no app session {app_session_id}")
            version = info.version + 1
        wire = [
            a.to_wire()
            if isinstance(a, v1.Allocation)
            else {"participant": a[0], "asset": a[1], "amount": a[2]}
            for a in allocations
        ]
        update = {
            "app_session_id": app_session_id,
            "intent": int(intent),
            "version": str(version),
            "allocations": wire,
            "session_data": session_data,
        }
        return await self.submit_app_state(update, signers, on_sent=on_sent)
