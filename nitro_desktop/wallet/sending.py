"""Creates, submits and closes sent by the core, and the shared sessions others move under us.

Every outcome goes to ``SessionHistory`` with the exchange of its own request
(``OutcomeRecorder`` matches it by request id). Before an update is sent the session
is read from the server: the saved record is only a memory of the last state seen
here, and the user hears that someone else moved it. ``asu`` notifications move the
record as they arrive, except for the sessions this app is updating itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from nitro_desktop.client import ClearNodeClient, Exchange
from nitro_desktop.client.v1_common import V1ClearNodeClient
from nitro_desktop.flows import CreateSessionFlow, SubmitResult, UpdateSessionFlow, error_text
from nitro_desktop.history import Draft, Frames, Kind, moved_note
from nitro_desktop.protocol import AppSession, AppSessionUpdate, HashSigner, ProtocolError, go_json
from nitro_desktop.wallet.events import SessionNotice
from nitro_desktop.wallet.outcomes import SentHook

if TYPE_CHECKING:
    from nitro_desktop.signing import Request, V1SigningRequest
    from nitro_desktop.wallet.core import Wallet

log = logging.getLogger("nitro_desktop.wallet")


class SessionMoved(Exception):
    """The session moved after the dialog was built: nothing sent; the flow now builds on the new state."""

    nothing_sent = True


class SessionSender:
    """The core's sending half: holds no state but the sessions being updated right now."""

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet
        self.sending: set[str] = set()  # sessions this app is updating: their asu is our own

    # ---- create -----------------------------------------------------------------------------------
    async def create(self, flow: CreateSessionFlow) -> SubmitResult:
        wallet = self.wallet
        client = wallet.require_client()
        endpoint, account = _where(wallet)
        definition, allocations = flow.definition(), flow.allocation_list()
        signers = await wallet.unlocked_signers(flow.ordered_signers())
        session_data = flow.sent_session_data
        # Saved in the common shape whatever the dialect's wire shape (the frames keep that).
        wire_definition = definition.to_wire(with_application=flow.dialect_spec.definition_has_application)
        draft = Draft(
            endpoint=endpoint,
            account=account,
            protocol=definition.protocol,
            application=definition.application,
            definition_json=go_json(wire_definition),
            allocations_json=go_json([a.to_wire() for a in allocations]),
        )
        saved: list[SubmitResult] = []

        def save(session: AppSession, exchange: Exchange | None) -> None:
            record = wallet.history.created(draft, session, Frames.of(exchange))
            saved.append(
                SubmitResult(record.app_session_id, record.status, record.version, record.request_frame or "")
            )
            wallet.saved(record.app_session_id, selected=record.app_session_id)

        await wallet.outcomes.run(
            lambda on_sent: client.create_app_session(
                definition, allocations, signers, session_data, on_sent=on_sent
            ),
            save,
            client.exchanges.get,
        )
        created = saved[-1]
        for funding in flow.funding_deposits():  # sessions created empty (v1): one deposit per funder
            try:
                (depositor,) = await wallet.unlocked_signers([funding.participant])
                session = await self._deposit_as(
                    created.app_session_id, funding.asset, funding.amount, depositor, signers
                )
            except Exception as exc:
                raise ProtocolError(
                    f"The session {created.app_session_id} was created, but {funding.participant}'s "
                    f"deposit of {funding.amount} {funding.asset} failed: {error_text(exc)}. "
                    "Deposit into it from the session list."
                ) from exc
            created = SubmitResult(created.app_session_id, session.status, session.version)
        if flow.funding_deposits():
            await wallet.refresh_balances()
        return created

    # ---- submit / close -----------------------------------------------------------------------------
    async def update(self, flow: UpdateSessionFlow) -> AppSession:
        await self.check_unmoved(flow)
        self.sending.add(flow.app_session_id)
        try:
            return await self._send_update(flow)
        finally:
            self.sending.discard(flow.app_session_id)

    async def _send_update(self, flow: UpdateSessionFlow) -> AppSession:
        wallet = self.wallet
        client = wallet.require_client()
        signers = await wallet.unlocked_signers(flow.ordered_signers())
        allocations = flow.allocations()
        data = flow.sent_session_data
        allocations_json = go_json([a.to_wire() for a in allocations])
        kind: Kind = "close" if flow.kind == "close" else "submit"

        def save(session: AppSession, exchange: Exchange | None) -> None:
            wallet.history.changed(
                flow.app_session_id,
                kind,
                session,
                Frames.of(exchange),
                expected_version=flow.version + 1,
                allocations_json=allocations_json,
            )
            wallet.saved(flow.app_session_id, selected=flow.app_session_id)

        if kind == "close":
            return await wallet.outcomes.run(
                lambda on_sent: client.close_app_session(
                    flow.app_session_id, allocations, signers, data, on_sent=on_sent
                ),
                save,
                client.exchanges.get,
            )
        call = flow.call()
        params = call.params[0] if isinstance(call.params, list) else call.params
        return await wallet.outcomes.run(
            lambda on_sent: client.submit_app_state(
                flow.app_session_id,
                allocations,
                signers,
                intent=params.get("intent"),
                version=params.get("version"),
                session_data=data,
                on_sent=on_sent,
            ),
            save,
            client.exchanges.get,
        )

    # ---- deposit (sessions created empty) ----------------------------------------------------------
    async def deposit(self, app_session_id: str, asset: str, amount: Decimal) -> AppSession:
        """Fund a session from the current account's home channel; recorded with its frames."""
        _endpoint, account = _where(self.wallet)
        (depositor,) = await self.wallet.unlocked_signers([account])
        session = await self._deposit_as(app_session_id, asset, amount, depositor, [depositor])
        await self.wallet.refresh_balances()
        return session

    async def _deposit_as(
        self,
        app_session_id: str,
        asset: str,
        amount: Decimal,
        depositor: HashSigner,
        signers: Sequence[HashSigner],
    ) -> AppSession:
        """``submit_deposit_state``: the depositor's home channel commits ``amount``; ``signers`` sign."""
        wallet = self.wallet
        client = wallet.require_client()
        if not isinstance(client, V1ClearNodeClient):
            raise ProtocolError("this ClearNode funds sessions when they are created; there is no deposit")
        saved = wallet.store.sessions.get(app_session_id)
        version = saved.version if saved is not None else 0

        def save(session: AppSession, exchange: Exchange | None) -> None:
            allocations = session.extra.get("allocations")
            wallet.history.changed(
                app_session_id,
                "submit",
                session,
                Frames.of(exchange),
                expected_version=version + 1,
                allocations_json=go_json(allocations) if isinstance(allocations, list) else None,
            )
            wallet.saved(app_session_id, selected=app_session_id)

        self.sending.add(app_session_id)
        try:
            session = await wallet.outcomes.run(
                lambda on_sent: client.deposit(
                    app_session_id, asset, amount, depositor, signers, on_sent=on_sent
                ),
                save,
                client.exchanges.get,
            )
        finally:
            self.sending.discard(app_session_id)
        return session

    # ---- signing requests (.nitroreq) --------------------------------------------------------------
    async def submit_request(self, request: Request) -> AppSession:
        """Send a request others signed: on this connection when it names this endpoint, else its own."""
        # Imported here: signing.submission records through this package's history module.
        from nitro_desktop.signing import V1SigningRequest, submission
        from nitro_desktop.signing.build import ready_frame

        if isinstance(request, V1SigningRequest):
            return await self._submit_v1(request)
        wallet = self.wallet
        client = wallet.client
        same = client is not None and client.url == request.endpoint and client.dialect == request.dialect
        endpoint = wallet.endpoint.name if same and wallet.endpoint is not None else request.endpoint
        account = wallet.account or request.created_by

        def save(session: AppSession, exchange: Exchange | None) -> None:
            frames = Frames.of(exchange)
            submission.record(
                wallet.store,
                request,
                session,
                endpoint=endpoint,
                account=account,
                request_frame=frames.request,
                response_frame=frames.response,
            )
            sid = session.app_session_id or request.app_session_id
            wallet.saved(sid, selected=sid)

        if client is None or not same:
            session, exchange = await submission.send_and_exchange(request)
            save(session, exchange)
            return session
        frame = ready_frame(request)
        return await wallet.outcomes.run(
            lambda on_sent: _presigned(client, frame, request.method, on_sent), save, client.exchanges.get
        )

    async def _submit_v1(self, request: V1SigningRequest) -> AppSession:
        """A dialect 1 request: its quorum signatures go inside the payload (``v1_submission``)."""
        from nitro_desktop.signing import v1_submission

        wallet = self.wallet
        client = wallet.client
        same = client is not None and client.url == request.endpoint and client.dialect == request.dialect
        endpoint = wallet.endpoint.name if same and wallet.endpoint is not None else request.endpoint
        sid = request.app_session_id
        self.sending.add(sid)
        try:
            session, exchange = await v1_submission.send_v1(request, client=client if same else None)
        finally:
            self.sending.discard(sid)
        account = wallet.account or request.created_by
        v1_submission.record_v1(
            wallet.store, request, session, Frames.of(exchange), endpoint=endpoint, account=account
        )
        wallet.saved(sid, selected=sid)
        if same and request.kind == "deposit":
            await wallet.refresh_balances()
        return session

    # ---- others move shared sessions ----------------------------------------------------------------
    def on_session_update(self, event: AppSessionUpdate) -> None:
        """An ``asu``: move the saved record; our own updates are recorded by their answer instead."""
        sid = event.app_session.app_session_id
        if sid in self.sending:
            return
        note = self.wallet.history.session_update(event)
        if note:
            log.info("asu: %s is now %s v%d", sid, event.app_session.status, event.app_session.version)
            self.wallet.saved(sid, selected=sid)
            self.wallet.events.info.emit(note)
            session = event.app_session
            self.wallet.events.moved_by_others.emit(SessionNotice(sid, session.status, session.version, note))

    async def sync(self, app_session_id: str, what: str = "update") -> str:
        """Read the session from the server and bring the saved record to it; the note for the user."""
        wallet = self.wallet
        client = wallet.require_client()
        saved = wallet.store.sessions.get(app_session_id)
        participants = json.loads(saved.definition_json).get("participants") if saved is not None else None
        participant = participants[0] if participants else ""
        session = await client.find_app_session(app_session_id, participant)
        if session is None:
            return ""
        before = wallet.history.seen(session)
        if before is None:
            return ""
        wallet.saved(app_session_id, selected=app_session_id)
        return moved_note(before, session, what)

    async def check_unmoved(self, flow: UpdateSessionFlow) -> None:
        """Refuse to send a flow built on a version the server has left; rebuild the flow on the new one."""
        await self.sync(flow.app_session_id, "close" if flow.kind == "close" else "update")
        saved = self.wallet.store.sessions.get(flow.app_session_id)
        if saved is None or saved.version == flow.version:
            return
        flow.version = saved.version
        flow.current = {
            (a["participant"], a["asset"]): Decimal(a["amount"])
            for a in json.loads(saved.allocations_json or "[]")
        }
        if saved.status != "open":
            raise SessionMoved(
                f"Someone else closed this session (version {saved.version}); nothing was sent."
            )
        raise SessionMoved(
            f"Someone else moved this session to version {saved.version} while this dialog was open. "
            "Nothing was sent: check the amounts against the new state and send again."
        )


async def _presigned(client: ClearNodeClient, frame: str, method: str, on_sent: SentHook) -> AppSession:
    result = await client.send_presigned(frame, on_sent=on_sent)
    if not isinstance(result, AppSession):
        raise TypeError(f"unexpected answer to {method}: {type(result).__name__}")
    return result


def _where(wallet: Wallet) -> tuple[str, str]:
    if wallet.endpoint is None or wallet.account is None:
        raise ConnectionError("not connected to a ClearNode")
    return wallet.endpoint.name, wallet.account
