"""The one writer of the session history: every create, update, close and server merge lands here.

The GUI (through ``Wallet``) and the command line (through ``signing.submission``)
both record what the server answered together with the exchange of their own
request, matched by its request id (``client.exchanges``), never found by method
name: a recovered create is never saved with another request's frames.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

from nitro_desktop.client import Exchange, OperationOutcome
from nitro_desktop.protocol import AppSession, AppSessionUpdate, go_json
from nitro_desktop.store import AppSessionRecord, Origin, Store

Kind = Literal["create", "submit", "close"]


class Frames(NamedTuple):
    """The exact request and response texts of one request (None: never sent, or never answered)."""

    request: str | None = None
    response: str | None = None

    @staticmethod
    def of(exchange: Exchange | None) -> Frames:
        if exchange is None:
            return Frames()
        return Frames(exchange.request or None, exchange.response or None)


@dataclass(frozen=True, slots=True)
class Draft:
    """What a create puts in the history besides the server's answer: the definition and split as sent."""

    endpoint: str
    account: str
    protocol: str
    application: str
    definition_json: str
    allocations_json: str

    def record(
        self, session: AppSession, *, created_at: float, updated_at: float, frames: Frames, origin: Origin
    ) -> AppSessionRecord:
        """The history row of ``session`` as this draft described it."""
        return AppSessionRecord(
            app_session_id=session.app_session_id,
            endpoint=self.endpoint,
            account=self.account,
            protocol=self.protocol,
            application=self.application,
            definition_json=self.definition_json,
            allocations_json=self.allocations_json,
            status=session.status or "open",
            version=session.version or 1,
            created_at=created_at,
            updated_at=updated_at,
            request_frame=frames.request,
            response_frame=frames.response,
            origin=origin,
        )


class SessionHistory:
    """Saves sessions in ``store.sessions``; each method returns what it saved (or what it changed)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- our own requests ---------------------------------------------------------------------
    def created(
        self, draft: Draft, session: AppSession, frames: Frames, *, at: float | None = None
    ) -> AppSessionRecord:
        """A session this app (or this command) created, with the frames of its create request."""
        now = time.time() if at is None else at
        existing = self.store.sessions.get(session.app_session_id)
        created_at = existing.created_at if existing else now
        record = draft.record(session, created_at=created_at, updated_at=now, frames=frames, origin="created")
        self.store.sessions.save(record)
        return record

    def changed(
        self,
        app_session_id: str,
        kind: Kind,
        session: AppSession,
        frames: Frames,
        *,
        expected_version: int,
        allocations_json: str | None,
        at: float | None = None,
    ) -> AppSessionRecord:
        """A submitted state or a close of a saved session, with the frames of its request."""
        self.store.sessions.update_status(
            app_session_id,
            session.status or ("closed" if kind == "close" else "open"),
            session.version or expected_version,
            allocations_json=allocations_json,
            request_frame=frames.request,
            response_frame=frames.response,
            at=at,
        )
        saved = self.store.sessions.get(app_session_id)
        assert saved is not None  # update_status raises when there is no such session
        return saved

    def late_outcome(self, event: OperationOutcome, endpoint: str, account: str) -> bool:
        """A late, applied outcome nobody waited for: the server's view and its own request frame."""
        session, ref = event.session, event.operation
        if session is None or not event.applied:
            return False
        frames = Frames.of(event.exchange)
        existing = self.store.sessions.get(ref.app_session_id)
        if ref.kind == "create" or existing is None:
            record = from_server(session, endpoint, account, existing)
            origin = "created" if ref.kind == "create" else record.origin
            self.store.sessions.save(dataclasses.replace(record, request_frame=frames.request, origin=origin))
        else:
            self.store.sessions.update_status(
                ref.app_session_id, session.status, session.version, request_frame=frames.request
            )
        return True

    # ---- what the server reports ----------------------------------------------------------------
    def merged(self, sessions: Iterable[AppSession], endpoint: str, account: str) -> list[str]:
        """Sessions found on the server, saved beside what was already known; their ids."""
        found = [
            from_server(s, endpoint, account, self.store.sessions.get(s.app_session_id)) for s in sessions
        ]
        self.store.sessions.save_many(found)
        return [r.app_session_id for r in found]

    def found(self, draft: Draft, session: AppSession) -> AppSessionRecord:
        """A session the server already had (a re-run): its state, none of this run's frames."""
        now = time.time()
        self.seen(session, at=now)
        existing = self.store.sessions.get(session.app_session_id)
        if existing is not None:
            return existing
        record = draft.record(session, created_at=now, updated_at=now, frames=Frames(), origin="server")
        self.store.sessions.save(record)
        return record

    def seen(
        self, session: AppSession, *, allocations_json: str | None = None, at: float | None = None
    ) -> AppSessionRecord | None:
        """Bring a saved session to the state the server reports (a listing or an ``asu``).

        Returns the record as it was before when the server's state differs (someone else
        moved or closed the session), None when nothing changed or the session is not saved.
        ``allocations_json`` replaces the saved split when the server sent one.
        """
        existing = self.store.sessions.get(session.app_session_id)
        if existing is None or not session.status or not session.version:
            return None
        if (existing.status, existing.version) == (session.status, session.version):
            return None
        self.store.sessions.update_status(
            session.app_session_id, session.status, session.version, allocations_json=allocations_json, at=at
        )
        return existing

    def session_update(self, event: AppSessionUpdate) -> str:
        """Apply an ``asu`` to the saved session; what to tell the user ("" when nothing moved).

        An empty list of shares is kept as "not sent" (upstream may send null), so the saved
        split is only replaced by one the server actually sent.
        """
        session = event.app_session
        shares = event.participant_allocations
        allocations_json = go_json([a.to_wire() for a in shares]) if shares else None
        if self.seen(session, allocations_json=allocations_json) is None:
            return ""
        short = f"{session.app_session_id[:10]}…"
        if session.status == "closed":
            return f"Someone else closed session {short} (version {session.version})."
        return f"Someone else moved session {short} to version {session.version}."


def from_server(
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
        # What was sent here is the definition exactly (a v1 node lists participants in no set order).
        definition_json=existing.definition_json
        if existing and existing.origin == "created"
        else go_json(definition),
        allocations_json=existing.allocations_json if existing else "[]",
        status=session.status,
        version=session.version,
        created_at=existing.created_at if existing else now,
        updated_at=now if (existing is None or existing.version != session.version) else existing.updated_at,
        request_frame=None,
        response_frame=None,
        origin=existing.origin if existing else "server",
    )


def moved_note(before: AppSessionRecord | None, session: AppSession, what: str = "update") -> str:
    """What to tell the user when the server's state is not the one saved here ("" when it is)."""
    if before is None:
        return ""
    if session.status == "closed":
        return f"Someone else closed this session (version {session.version})."
    return f"Someone else moved this session to version {session.version}; the {what} builds on it."
