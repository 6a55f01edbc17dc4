"""The details pane: everything known about one session, with copy buttons."""

from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.store import AppSessionRecord, StatusChange


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


class CopyableText(QWidget):
    """A read-only text block with a Copy button that copies the exact original text."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._raw = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel(f"<b>{title}</b>"))
        head.addStretch()
        self.copy = QPushButton("Copy")
        self.copy.setToolTip(f"Copy the exact {title.lower()} text")
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._raw))
        head.addWidget(self.copy)
        layout.addLayout(head)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumHeight(160)
        layout.addWidget(self.text)

    def set_text(self, raw: str | None, shown: str | None = None) -> None:
        self._raw = raw or ""
        self.text.setPlainText(shown if shown is not None else self._raw)
        self.copy.setEnabled(bool(self._raw))
        self.setVisible(bool(self._raw))


class DetailsPane(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        self.empty = QLabel("Select a session to see its details.")
        self.empty.setObjectName("details_empty")
        layout.addWidget(self.empty)
        self.box = QGroupBox("Session")
        form = QFormLayout(self.box)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("app_session_id", "Id"),
            ("status", "Status"),
            ("version", "Version"),
            ("protocol", "Protocol"),
            ("application", "Application"),
            ("endpoint", "Endpoint"),
            ("account", "Account"),
            ("origin", "Origin"),
            ("created", "Created"),
            ("history", "History"),
        ):
            value = QLabel()
            value.setObjectName(f"detail_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", value)
            self.fields[key] = value
        self._form = form
        copy_id = QPushButton("Copy id")
        copy_id.setObjectName("copy_session_id")
        copy_id.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.fields["app_session_id"].text())
        )
        form.addRow("", copy_id)
        layout.addWidget(self.box)
        self.definition = CopyableText("Definition")
        self.allocations = CopyableText("Allocations")
        self.request = CopyableText("Signed request")
        self.response = CopyableText("Response")
        for w in (self.definition, self.allocations, self.request, self.response):
            layout.addWidget(w)
        layout.addStretch()
        self.show_session(None)

    def show_session(
        self, record: AppSessionRecord | None, history: list[StatusChange] | None = None
    ) -> None:
        self.empty.setVisible(record is None)
        self.box.setVisible(record is not None)
        if record is None:
            for w in (self.definition, self.allocations, self.request, self.response):
                w.set_text(None)
            return
        f = self.fields
        f["app_session_id"].setText(record.app_session_id)
        f["status"].setText(record.status)
        f["version"].setText(str(record.version))
        f["protocol"].setText(record.protocol)
        # A v1 session has no app protocol string: no row rather than an empty one.
        self._form.setRowVisible(f["protocol"], bool(record.protocol))
        f["application"].setText(record.application or "—")
        f["endpoint"].setText(record.endpoint)
        f["account"].setText(record.account)
        f["origin"].setText("created here" if record.origin == "created" else "found on the server")
        f["created"].setText(_when(record.created_at))
        f["history"].setText(
            "\n".join(f"{_when(h.at)}: {h.status} (version {h.version})" for h in history or []) or "—"
        )
        self.definition.set_text(record.definition_json, _pretty(record.definition_json))
        self.allocations.set_text(record.allocations_json, _pretty(record.allocations_json))
        self.request.set_text(record.request_frame)
        self.response.set_text(record.response_frame)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))
