"""The window's side of the session core: the core's events as Qt signals, its work as owned tasks.

``AppService`` holds no state of its own. ``nitro_desktop.wallet.core.Wallet`` does
the work (plain asyncio, no Qt); this QObject subscribes to its events and re-emits
each as a signal. Everything runs on the one qasync loop, so a signal is emitted
in the same turn as the event and handlers run on the GUI thread, with no hop.
Coroutines the window starts go through ``spawn``: they belong to this object,
their failure becomes ``problem``, and ``shutdown`` cancels and awaits them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from nitro_desktop.flows import error_text
from nitro_desktop.flows.messages import user_message
from nitro_desktop.ui import tasks
from nitro_desktop.wallet.core import Wallet

log = logging.getLogger("nitro_desktop.ui")


class AppService(QObject):
    status_changed = Signal(object)  # nitro_desktop.client.ConnectionStatus
    balances_changed = Signal(object)  # dict[str, Decimal] of the current account
    sessions_changed = Signal(object)  # nitro_desktop.wallet.events.SessionsChanged
    rtt_changed = Signal(float)  # seconds
    ready_changed = Signal(bool)  # connected, authenticated, assets and balances loaded
    problem = Signal(str)  # a message for the user
    info = Signal(str)
    moved_by_others = Signal(object)  # nitro_desktop.wallet.events.SessionNotice
    # Home channels (v1 funds): ``wallet.channel_types`` values, as the core emits them.
    channel_changed = Signal(object)  # ChannelView
    tx_progress = Signal(object)  # TxProgress
    operation_changed = Signal(object)  # ChannelOperationRecord

    def __init__(self, wallet: Wallet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wallet = wallet
        events = wallet.events
        self._unsubscribe: list[Callable[[], None]] = [
            events.status_changed.subscribe(self.status_changed.emit),
            events.balances_changed.subscribe(self.balances_changed.emit),
            events.sessions_changed.subscribe(self.sessions_changed.emit),
            events.rtt_changed.subscribe(self.rtt_changed.emit),
            events.ready_changed.subscribe(self.ready_changed.emit),
            events.problem.subscribe(self.problem.emit),
            events.info.subscribe(self.info.emit),
            events.moved_by_others.subscribe(self.moved_by_others.emit),
            wallet.channel_events.channel_changed.subscribe(self.channel_changed.emit),
            wallet.channel_events.tx_progress.subscribe(self.tx_progress.emit),
            wallet.channel_events.operation_changed.subscribe(self.operation_changed.emit),
        ]

    def spawn(self, coro: Coroutine[Any, Any, Any], *, what: str) -> asyncio.Task[Any]:
        """Run a coroutine for as long as this object lives; its failure becomes a ``problem``."""

        def done(t: asyncio.Task[Any]) -> None:
            if t.cancelled() or (exc := t.exception()) is None:
                return
            # Every failure reaches the user, in words; the log keeps the exception's own text.
            log.warning("%s failed: %s", what, error_text(exc), exc_info=exc)
            endpoint = self.wallet.endpoint
            node = endpoint.name if endpoint is not None else "the ClearNode"
            self.problem.emit(f"{what} failed: {user_message(exc, node)}")

        return tasks.spawn(self, coro, on_done=done, name=what)

    async def shutdown(self) -> None:
        """Cancel the window's tasks and wait for them (bounded), then shut the core down."""
        await tasks.settle_owner(self)
        await self.wallet.shutdown()
        # The window's password prompt and these signals are the core's only ties to the window.
        self.wallet.password_prompt = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
