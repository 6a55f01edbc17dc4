"""What the session core tells whoever listens: typed events with plain callbacks.

No Qt and no threads: a callback runs on the loop, inside the code that emitted
it. The window's adapter (``nitro_desktop.ui.service``) re-emits each as a Qt
signal, which is Electrum's ``QtEventListener`` idea without its thread hop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from nitro_desktop.client import ConnectionStatus

log = logging.getLogger("nitro_desktop.wallet")

T = TypeVar("T")


class Event(Generic[T]):
    """One kind of event: ``subscribe(callback)`` returns its unsubscribe function."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[[T], None]] = []

    def subscribe(self, callback: Callable[[T], None]) -> Callable[[], None]:
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, value: T) -> None:
        # A listener that fails must not stop the others, nor the core's own work after emitting.
        for callback in list(self._callbacks):
            try:
                callback(value)
            except Exception:
                log.exception("a listener of %s failed", self.name)


@dataclass(frozen=True, slots=True)
class SessionsChanged:
    """Sessions saved in the history: ``selected`` is the one the user acted on (if any)."""

    app_session_ids: tuple[str, ...]
    selected: str | None = None


@dataclass(frozen=True, slots=True)
class SessionNotice:
    """Someone else moved or closed one of your sessions (a server notification this app did not cause)."""

    app_session_id: str
    status: str
    version: int
    text: str


@dataclass(slots=True)
class WalletEvents:
    """Every event of the core, one field per kind."""

    status_changed: Event[ConnectionStatus] = field(default_factory=lambda: Event("status_changed"))
    # balances of the current account, asset -> amount (unreadable ones are in ``Wallet.odd_balances``)
    balances_changed: Event[dict[str, Decimal]] = field(default_factory=lambda: Event("balances_changed"))
    sessions_changed: Event[SessionsChanged] = field(default_factory=lambda: Event("sessions_changed"))
    rtt_changed: Event[float] = field(default_factory=lambda: Event("rtt_changed"))  # seconds
    # connected, authenticated, assets and balances loaded
    ready_changed: Event[bool] = field(default_factory=lambda: Event("ready_changed"))
    problem: Event[str] = field(default_factory=lambda: Event("problem"))  # something failed
    info: Event[str] = field(default_factory=lambda: Event("info"))  # something the user should know
    # worth a desktop notification: the user may be looking elsewhere
    moved_by_others: Event[SessionNotice] = field(default_factory=lambda: Event("moved_by_others"))
