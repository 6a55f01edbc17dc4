"""The status-bar connection indicator: state, countdown to the next attempt, last error."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget


def status_error(text: str, node: str) -> str:
    # flows.messages reads the client's errors: loaded at the first error, not before first paint.
    from nitro_desktop.flows.messages import status_error as said

    return said(text, node)


_COLORS = {
    "ready": "#2e9d5b",
    "connecting": "#c99a1a",
    "authenticating": "#c99a1a",
    "reconnecting": "#d4731f",
    "disconnected": "#b03a2e",
    "locked": "#d4731f",
}
LOCKED_TEXT = "Locked — enter password"


def describe(status: Any, now: float | None = None, *, sandbox: bool = False, ready: bool = True) -> str:
    """One line for a ConnectionStatus, as the status bar shows it.

    ``ready`` is the wallet's: a socket that is up is not "Connected" until the login,
    assets and balances are done.
    """
    state = str(getattr(status.state, "value", status.state))
    host = status.url.split("//", 1)[-1].split("/", 1)[0] if status.url else ""
    if host.startswith("127.0.0.1:") and sandbox:
        host = "the Local sandbox"
    if state == "ready" and not ready:
        return f"Signing in to {host}…"
    if state == "ready":
        who = f" as {status.address[:8]}…{status.address[-4:]}" if status.address else ""
        return f"Connected to {host}{who}"
    if state == "connecting":
        return f"Connecting to {host}…"
    if state == "authenticating":
        return f"Signing in to {host}…"
    if state == "reconnecting":
        wait = max(0, round((status.next_attempt_at or 0) - (now or time.time())))
        error = f" — {status_error(status.last_error, host)}" if status.last_error else ""
        return f"Reconnecting in {wait} s{error}"
    if not status.last_error:
        return "Disconnected"
    said = status_error(status.last_error, host)
    return said if said.startswith("No connection") else f"Disconnected — {said}"


class ConnectionIndicator(QLabel):
    """Click it to reconnect or change the endpoint."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Not connected", parent)
        self.setObjectName("connection")
        # Its pointing-hand cursor is set by the window after the first paint (Qt's enums load then).
        self.setToolTip("Connection to the ClearNode — click for options")
        self.status: Any = None
        self.sandbox = False
        self.ready = False  # the wallet's: signed in, assets and balances loaded
        self.locked = False  # the password prompt was cancelled: one click asks again
        self.switching_to = ""  # a switch was asked for: the old connection's state is not news
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._render)

    def set_status(self, status: Any) -> None:
        self.status = status
        self.switching_to = ""
        self._render()
        reconnecting = str(getattr(status.state, "value", status.state)) == "reconnecting"
        if reconnecting and not self._tick.isActive():
            self._tick.start()
        elif not reconnecting:
            self._tick.stop()

    def set_ready(self, ready: bool) -> None:
        self.ready = ready
        if ready:
            self.locked = False
        self._render()

    def switch_to(self, name: str) -> None:
        """At once on a switch: the previous node's "Connected" must not stand a moment longer."""
        self.switching_to, self.ready, self.locked = name, False, False
        self._tick.stop()
        self._render()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self._render()

    def state(self) -> str:
        """What the dot's colour says: the client's state, unless the wallet is not ready yet."""
        if self.locked:
            return "locked"
        if self.switching_to:
            return "connecting"
        state = str(getattr(self.status.state, "value", self.status.state)) if self.status else ""
        return "authenticating" if state == "ready" and not self.ready else state

    def _render(self) -> None:
        if self.locked:
            self.setText(f"<span style='color:{_COLORS['locked']}'>●</span> {LOCKED_TEXT}")
            self.setToolTip("The key's password was not given. Click to enter it and connect.")
            return
        if self.switching_to:
            self.setText(
                f"<span style='color:{_COLORS['connecting']}'>●</span> Connecting to {self.switching_to}…"
            )
            self.setToolTip("Connection to the ClearNode — click for options")
            return
        if self.status is None:
            return
        color = _COLORS.get(self.state(), "#888888")
        line = describe(self.status, sandbox=self.sandbox, ready=self.ready)
        self.setText(f"<span style='color:{color}'>●</span> {line}")
        error = self.status.last_error
        host = self.status.url.split("//", 1)[-1].split("/", 1)[0] if self.status.url else "the ClearNode"
        self.setToolTip(
            f"{status_error(error, host)}. Details are in Help → Log; click for options."
            if error
            else "Connection to the ClearNode — click for options"
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)
