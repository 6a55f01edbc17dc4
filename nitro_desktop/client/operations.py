"""Create/submit/close across dropped connections: never re-sent, always reported once.

When the answer to a state-changing request does not come back, the client does
not send it again. It asks the server instead — on the same connection after a
timeout (a server answers one socket's frames in order), or on the next one
after a drop — whether the session exists with the expected version/status,
and reports the outcome exactly once: to the waiting caller, or, if the caller
already got ``RequestTimeout(pending=…)``, as one ``OperationOutcome`` event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nitro_desktop.client.errors import ClientClosed, ClientError, OperationNotApplied, OperationRef
from nitro_desktop.client.exchanges import Exchange
from nitro_desktop.client.lifecycle import cancel_and_wait
from nitro_desktop.client.notifications import NotificationHub, OperationOutcome
from nitro_desktop.protocol import AppSession

log = logging.getLogger("nitro_desktop.client")

Lookup = Callable[[str, str], Awaitable[AppSession | None]]


def is_applied(ref: OperationRef, session: AppSession | None) -> bool:
    """Whether the server's view of the session shows the operation done."""
    if session is None:
        return False
    if ref.kind == "create":
        return True
    if ref.kind == "close":
        return session.status == "closed"
    return session.version >= ref.version


@dataclass(eq=False)
class TrackedOperation:
    ref: OperationRef
    participant: str
    exchange: Exchange | None = None
    future: asyncio.Future[AppSession] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    caller_waiting: bool = True


class OperationTracker:
    """Operations whose answer was lost, until the server has told us what became of them."""

    def __init__(
        self, hub: NotificationHub, lookup: Lookup, *, retry_delay: float, can_retry: Callable[[], bool]
    ) -> None:
        self._hub = hub
        self._can_retry = can_retry
        self._lookup = lookup
        self._retry_delay = retry_delay
        self._unresolved: list[TrackedOperation] = []
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def unresolved(self) -> tuple[OperationRef, ...]:
        return tuple(op.ref for op in self._unresolved)

    def track(
        self,
        ref: OperationRef,
        participant: str,
        *,
        caller_waiting: bool,
        exchange: Exchange | None = None,
    ) -> TrackedOperation:
        op = TrackedOperation(ref, participant, exchange, caller_waiting=caller_waiting)
        self._unresolved.append(op)
        log.info("outcome of %s %s is unknown; will ask the server", ref.kind, ref.app_session_id)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="clearnode-reconcile")
        return op

    async def wait(self, op: TrackedOperation, timeout: float) -> AppSession:
        """The caller's side: the session if applied, ``OperationNotApplied`` if not, TimeoutError."""
        try:
            return await asyncio.wait_for(asyncio.shield(op.future), timeout)
        except TimeoutError:
            if op.future.done():
                return op.future.result()
            op.caller_waiting = False  # from now on the outcome goes out as an event
            raise
        except asyncio.CancelledError:
            op.caller_waiting = False  # the caller left (a closed dialog): tell the outcome as an event
            if op.future.done() and not op.future.cancelled():
                error = op.future.exception()
                session = None if error is not None else op.future.result()
                self._hub.publish(OperationOutcome(op.ref, session is not None, session, op.exchange))
            raise

    async def _run(self) -> None:
        while self._unresolved and not self._closed:
            op = self._unresolved[0]
            try:
                session = await self._lookup(op.ref.app_session_id, op.participant)
            except ClientClosed:
                return
            except (ClientError, TimeoutError) as exc:
                log.info("cannot ask about %s yet (%s); retrying", op.ref.app_session_id, exc)
                if not self._can_retry():
                    return  # the link has given up; callers' waits run out, close() reports the rest
                await asyncio.sleep(self._retry_delay)
                continue
            self._resolve(op, is_applied(op.ref, session), session)

    def settle(self, kind: str, app_session_id: str, session: AppSession) -> int:
        """The server has shown ``kind`` on ``app_session_id`` applied (v1's duplicate-create
        refusal): resolve the operations still waiting for that news, each reported once.
        Returns how many there were."""
        matching = [
            op for op in self._unresolved if op.ref.kind == kind and op.ref.app_session_id == app_session_id
        ]
        for op in matching:
            self._resolve(op, True, session)
        return len(matching)

    def _resolve(self, op: TrackedOperation, applied: bool, session: AppSession | None) -> None:
        if op not in self._unresolved:
            return
        self._unresolved.remove(op)
        log.info(
            "%s of app session %s: %s",
            op.ref.kind,
            op.ref.app_session_id,
            "applied" if applied else "not applied",
        )
        if op.caller_waiting and not op.future.done():
            if applied and session is not None:
                op.future.set_result(session)
            else:
                op.future.set_exception(OperationNotApplied(op.ref))
                op.future.exception()  # retrieved here; the caller still receives it
        else:
            self._hub.publish(OperationOutcome(op.ref, applied, session if applied else None, op.exchange))

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        await cancel_and_wait(task)
        for op in self._unresolved:
            if op.caller_waiting and not op.future.done():
                op.future.set_exception(ClientClosed("the client was closed before the outcome was known"))
                op.future.exception()
            else:
                log.warning("closed before learning the outcome of %s %s", op.ref.kind, op.ref.app_session_id)
        self._unresolved.clear()
