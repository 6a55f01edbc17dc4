"""The status-bar connection indicator: state, countdown to the next attempt, last error."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

_COLORS = {
    "ready": "#2e9d5b",
    "connecting": "#c99a1a",
    "authenticating": "#c99a1a",
    "reconnecting": "#d4731f",
    "disconnected": "#b03a2e",
}


def describe(status: Any, now: float | None = None, *, sandbox: bool = False) -> str:
    """One line for a ConnectionStatus, as the status bar shows it."""
    state = str(getattr(status.state, "value", status.state))
    host = status.url.split("//", 1)[-1].split("/", 1)[0] if status.url else ""
    if host.startswith("127.0.0.1:") and sandbox:
        host = "the Local sandbox"
    if state == "ready":
        who = f" as {status.address[:8]}…{status.address[-4:]}" if status.address else ""
        return f"Connected to {host}{who}"
    if state == "connecting":
        return f"Connecting to {host}…"
    if state == "authenticating":
        return f"Signing in to {host}…"
    if state == "reconnecting":
        wait = max(0, round((status.next_attempt_at or 0) - (now or time.time())))
        error = f" — {status.last_error}" if status.last_error else ""
        return f"Reconnecting in {wait} s{error}"
    error = f" — {status.last_error}" if status.last_error else ""
    return f"Disconnected{error}"


class ConnectionIndicator(QLabel):
    """Click it to reconnect or change the endpoint."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Not connected", parent)
        self.setObjectName("connection")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Connection to the ClearNode — click for options")
        self.status: Any = None
        self.sandbox = False
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._render)

    def set_status(self, status: Any) -> None:
        self.status = status
        self._render()
        reconnecting = str(getattr(status.state, "value", status.state)) == "reconnecting"
        if reconnecting and not self._tick.isActive():
            self._tick.start()
        elif not reconnecting:
            self._tick.stop()

    def _render(self) -> None:
        if self.status is None:
            return
        state = str(getattr(self.status.state, "value", self.status.state))
        color = _COLORS.get(state, "#888888")
        self.setText(f"<span style='color:{color}'>●</span> {describe(self.status, sandbox=self.sandbox)}")
        self.setToolTip(self.status.last_error or "Connection to the ClearNode — click for options")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)
