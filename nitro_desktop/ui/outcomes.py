"""Every create/submit/close recorded once, when its outcome is known, with its own frames.

No Qt here: ``AppService`` hands in what to call. A request is registered the
moment it leaves (``on_sent``, keyed by its request id, which is unique for the
client's life); it is recorded when its answer comes, or, if the answer was lost
and the caller already gave up, when the client's late ``OperationOutcome`` for
that same request id arrives. Nothing is looked up by method name, so a recovered
create can never be saved with another request's frames.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from nitro_desktop.client import ClearNodeError, Exchange, OperationNotApplied, OperationOutcome
from nitro_desktop.protocol import AppSession, AppSessionUpdate, go_json
from nitro_desktop.signing.submission import record_seen
from nitro_desktop.store import AppSessionRecord, Store

log = logging.getLogger("nitro_desktop.ui")

#: Records one outcome: the session as the server reports it, and the request's exchange.
Save = Callable[[AppSession, Exchange | None], None]
SentHook = Callable[[Exchange], None]

_WHAT = {"create": "created", "submit": "updated", "close": "closed"}


class OutcomeRecorder:
    """Requests sent whose outcome is not recorded yet (bounded: ``limit`` most recent)."""

    def __init__(self, *, fallback: Callable[[OperationOutcome], None], info: Callable[[str], None]) -> None:
        self._waiting: OrderedDict[int, Save] = OrderedDict()
        self._fallback = fallback
        self._info = info
        self.limit = 256

    async def run(
        self,
        send: Callable[[SentHook], Awaitable[AppSession]],
        save: Save,
        exchange_of: Callable[[int], Exchange | None],
    ) -> AppSession:
        """Send through ``send(on_sent)``; record the answer now, or the late outcome when it comes."""
        sent: list[Exchange] = []

        def on_sent(exchange: Exchange) -> None:
            sent.append(exchange)
            self._waiting[exchange.request_id] = save
            while len(self._waiting) > self.limit:
                self._waiting.popitem(last=False)

        try:
            session = await send(on_sent)
        except (ClearNodeError, OperationNotApplied):
            self._forget(sent)  # refused, or never reached the server: nothing to record
            raise
        # Any other failure after sending (lost answer, timeout, cancelled) keeps the request
        # registered: the client reports its outcome as an OperationOutcome.
        self._forget(sent)
        answered = exchange_of(sent[0].request_id) if sent else None
        save(session, answered or (sent[0] if sent else None))
        return session

    def _forget(self, sent: list[Exchange]) -> None:
        for exchange in sent:
            self._waiting.pop(exchange.request_id, None)

    def on_outcome(self, event: OperationOutcome) -> None:
        """The late outcome of a request whose caller had given up: record it with its own frames."""
        ref = event.operation
        save = self._waiting.pop(ref.request_id, None)
        if not event.applied or event.session is None:
            self._info(
                f"App session {ref.app_session_id} was not {_WHAT.get(ref.kind, 'changed')}: "
                "the server never applied the request. It is safe to try again."
            )
            return
        log.info("late outcome of %s %s (request %d): applied", ref.kind, ref.app_session_id, ref.request_id)
        if save is None:
            self._fallback(event)
        else:
            save(event.session, event.exchange)


def record_late_outcome(store: Store, event: OperationOutcome, endpoint: str, account: str) -> bool:
    """Record a late, applied outcome from the server's view and its own request frame; False if none."""
    session, ref = event.session, event.operation
    if session is None or not event.applied:
        return False
    existing = store.sessions.get(ref.app_session_id)
    if ref.kind == "create" or existing is None:
        record = record_from_server(session, endpoint, account, existing)
        origin = "created" if ref.kind == "create" else record.origin
        store.sessions.save(
            dataclasses.replace(record, request_frame=frame_text(event.exchange, "request"), origin=origin)
        )
    else:
        store.sessions.update_status(
            ref.app_session_id,
            session.status,
            session.version,
            request_frame=frame_text(event.exchange, "request"),
        )
    return True


def frame_text(exchange: Exchange | None, which: str) -> str | None:
    """The exact text of the request or response frame of this request (None if it never came)."""
    return (getattr(exchange, which) or None) if exchange is not None else None


def record_from_server(
    session: AppSession, endpoint: str, account: str, existing: AppSessionRecord | None
) -> AppSessionRecord:
    """A history record of a session as the server lists it, keeping what we already knew."""
    definition = session.definition().to_wire(with_application=bool(session.application))
    now = time.time()
    return AppSessionRecord(
        app_session_id=session.app_session_id,
        endpoint=existing.endpoint if existing else endpoint,
        account=existing.account if existing else account,
        protocol=session.protocol,
        application=session.application,
        definition_json=go_json(definition),
        allocations_json=existing.allocations_json if existing else "[]",
        status=session.status,
        version=session.version,
        created_at=existing.created_at if existing else now,
        updated_at=now if (existing is None or existing.version != session.version) else existing.updated_at,
        request_frame=None,
        response_frame=None,
        origin=existing.origin if existing else "server",
    )


def apply_session_update(store: Store, event: AppSessionUpdate) -> str:
    """Apply an ``asu`` to the saved session; what to tell the user ("" when nothing moved).

    An empty list of shares is kept as "not sent" (upstream may send null), so the saved
    split is only replaced by one the server actually sent.
    """
    session = event.app_session
    shares = event.participant_allocations
    allocations_json = go_json([a.to_wire() for a in shares]) if shares else None
    before = record_seen(store, session, allocations_json=allocations_json)
    if before is None:
        return ""
    short = f"{session.app_session_id[:10]}…"
    if session.status == "closed":
        return f"Someone else closed session {short} (version {session.version})."
    return f"Someone else moved session {short} to version {session.version}."
