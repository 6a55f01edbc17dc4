"""Shared sessions move under us: others submit and close. Build on the server's state.

The saved record is only a memory of the last state seen here. Before the Submit
state / Close dialog opens, and again right before it sends, the session is read
from the server; the record follows it (through ``signing.submission.record_seen``,
the one writer of server-reported states), and the user hears that someone else
moved it. ``asu`` notifications move the record as they arrive.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from nitro_desktop.flows import UpdateSessionFlow
from nitro_desktop.protocol import AppSessionUpdate
from nitro_desktop.signing.submission import moved_note, record_seen
from nitro_desktop.ui.outcomes import apply_session_update

if TYPE_CHECKING:
    from nitro_desktop.ui.service import AppService

log = logging.getLogger("nitro_desktop.ui")


class SessionMoved(Exception):
    """The session moved after the dialog was built: nothing sent; the flow now builds on the new state."""

    nothing_sent = True


def on_asu(service: AppService, event: AppSessionUpdate) -> None:
    """An ``asu``: move the saved record; our own updates are recorded by their answer instead."""
    sid = event.app_session.app_session_id
    if sid in service.sending:
        return
    note = apply_session_update(service.store, event)
    if note:
        log.info("asu: %s is now %s v%d", sid, event.app_session.status, event.app_session.version)
        service.session_saved.emit(sid)
        service.info.emit(note)


async def sync(service: AppService, app_session_id: str, what: str = "update") -> str:
    """Read the session from the server and bring the saved record to it; the note for the user."""
    client = service._require_client()
    saved = service.store.sessions.get(app_session_id)
    participants = json.loads(saved.definition_json).get("participants") if saved is not None else None
    participant = participants[0] if participants else ""
    session = await client.find_app_session(app_session_id, participant)
    if session is None:
        return ""
    before = record_seen(service.store, session)
    if before is None:
        return ""
    service.session_saved.emit(app_session_id)
    return moved_note(before, session, what)


async def check_unmoved(service: AppService, flow: UpdateSessionFlow) -> None:
    """Refuse to send a flow built on a version the server has left; rebuild the flow on the new one."""
    await sync(service, flow.app_session_id, "close" if flow.kind == "close" else "update")
    saved = service.store.sessions.get(flow.app_session_id)
    if saved is None or saved.version == flow.version:
        return
    flow.version = saved.version
    flow.current = {
        (a["participant"], a["asset"]): Decimal(a["amount"])
        for a in json.loads(saved.allocations_json or "[]")
    }
    if saved.status != "open":
        raise SessionMoved(f"Someone else closed this session (version {saved.version}); nothing was sent.")
    raise SessionMoved(
        f"Someone else moved this session to version {saved.version} while this dialog was open. "
        "Nothing was sent: check the amounts against the new state and send again."
    )
