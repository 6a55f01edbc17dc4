"""Small dialogs. All are opened with ``open()`` and answer through signals or futures.

``ask_password`` turns a modal password dialog into an awaitable without
``exec()`` (which breaks qasync: "Cannot enter into task").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.flows.messages import user_message
from nitro_desktop.protocol import Dialect, spec
from nitro_desktop.redact import redact

# What people know the servers by: the dialect, the server's release and its app protocols.
_DIALECT_NAMES = {
    "0.2": "0.2 — ClearNode mid-2025, NitroRPC/0.2",
    "0.5": "0.5 — ClearNode v0.5.x",
    "1": "1 — nitronode v1.4.x",
}


def dialect_name(dialect: str) -> str:
    """A dialect as the UI names it, with the version numbers of the servers that speak it."""
    value = str(getattr(dialect, "value", dialect))
    return _DIALECT_NAMES.get(value) or spec(value).title or value


def ask_password(parent: QWidget | None, address: str, note: str = "") -> asyncio.Future[str | None]:
    """Open a password dialog; the future gets the password, or None when cancelled."""
    future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
    dialog = QDialog(parent)
    dialog.setWindowTitle("Password")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    layout = QVBoxLayout(dialog)
    label = QLabel(f"The key of {address} is in an encrypted file.\nEnter its password to sign:")
    layout.addWidget(label)
    if note:
        warning = QLabel(note)
        warning.setObjectName("password_note")
        warning.setStyleSheet("color: #c0392b;")
        layout.addWidget(warning)
    edit = QLineEdit()
    edit.setObjectName("password")
    edit.setAccessibleName(f"Password of the key of {address}")
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    layout.addWidget(edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)

    def done(code: int) -> None:
        if not future.done():
            future.set_result(edit.text() if code == QDialog.DialogCode.Accepted else None)

    dialog.finished.connect(done)
    dialog.open()
    return future


def ask_path(parent: QWidget | None, title: str, suggested: str, *, save: bool) -> asyncio.Future[str | None]:
    """A file dialog (Qt's own, opened with open()); the future gets the path or None."""
    from PySide6.QtWidgets import QFileDialog

    future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
    dialog = QFileDialog(parent, title, suggested, "Signing requests (*.nitroreq);;All files (*)")
    dialog.setObjectName("path_dialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
    dialog.setDefaultSuffix("nitroreq")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def done(code: int) -> None:
        files = dialog.selectedFiles()
        if not future.done():
            future.set_result(files[0] if code == QDialog.DialogCode.Accepted and files else None)

    dialog.finished.connect(done)
    dialog.open()
    return future


class EndpointDialog(QDialog):
    """Add a custom ClearNode endpoint: name, URL and dialect, checked before saving."""

    accepted_endpoint = Signal(str, str, str)

    def __init__(self, taken: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taken = taken
        self.setWindowTitle("Add a ClearNode")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setObjectName("endpoint_name")
        self.url = QLineEdit()
        self.url.setObjectName("endpoint_url")
        self.url.setPlaceholderText("wss://clearnode.example/ws")
        self.dialect = QComboBox()
        self.dialect.setObjectName("endpoint_dialect")
        # Asked of the server on Save by default: people should not have to know the dialect.
        self.dialect.addItem("Ask the ClearNode", "")
        for dialect in Dialect:
            self.dialect.addItem(dialect_name(dialect), dialect.value)
        self.detecting: asyncio.Task[Dialect] | None = None
        form.addRow("&Name:", self.name)
        form.addRow("&URL:", self.url)
        form.addRow("&Dialect:", self.dialect)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setObjectName("endpoint_error")
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for edit in (self.name, self.url):
            edit.textChanged.connect(self._check)
        self._check()

    def problem(self) -> str | None:
        name, url = self.name.text().strip(), self.url.text().strip()
        if not name:
            return "Give the endpoint a name."
        if name in self.taken:
            return f"An endpoint named {name!r} exists already."
        if not url.startswith(("ws://", "wss://")):
            return "The URL must start with ws:// or wss://."
        if url.startswith("ws://") and not url.startswith(("ws://127.", "ws://localhost", "ws://[::1]")):
            return "Use wss:// for remote ClearNodes: ws:// is unencrypted."
        return None

    def _check(self) -> None:
        problem = self.problem()
        self.error.setText(problem or "")
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setEnabled(problem is None)

    def _save(self) -> None:
        if self.problem() is not None or self.detecting is not None:
            return
        if self.dialect.currentData():
            self._emit()
            return
        from nitro_desktop.client.detect import detect_dialect
        from nitro_desktop.ui import tasks

        self.error.setText("Asking the ClearNode which dialect it speaks…")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.detecting = tasks.spawn(self, detect_dialect(self.url.text().strip()), on_done=self._detected)

    def _detected(self, task: asyncio.Task[Dialect]) -> None:
        self.detecting = None
        self._check()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.error.setText(
                f"Could not tell its dialect: {user_message(exc, self.url.text().strip())}. "
                "Choose the dialect by hand, or try again."
            )
            return
        self.dialect.setCurrentIndex(self.dialect.findData(task.result().value))
        self._emit()

    def _emit(self) -> None:
        self.accepted_endpoint.emit(
            self.name.text().strip(), self.url.text().strip(), self.dialect.currentData()
        )
        self.accept()


class LogBuffer(logging.Handler, QObject):
    """Keeps the app's recent log lines, secrets redacted, and announces new ones."""

    appended = Signal(str)

    def __init__(self, capacity: int = 2000) -> None:
        logging.Handler.__init__(self, logging.INFO)
        QObject.__init__(self)
        self.capacity = capacity
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:  # type: ignore[override]
        try:
            line = redact(self.format(record))
        except Exception:  # a broken log record must never take the app down
            return
        self.lines.append(line)
        del self.lines[: -self.capacity]
        self.appended.emit(line)


class LogDialog(QDialog):
    def __init__(self, buffer: LogBuffer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Recent activity. Keys never appear here; signatures and tokens are shortened.")
        )
        self.view = QPlainTextEdit()
        self.view.setObjectName("log_view")
        self.view.setAccessibleName("Log")
        self.view.setReadOnly(True)
        self.view.setPlainText("\n".join(buffer.lines))
        layout.addWidget(self.view)
        buffer.appended.connect(self.view.appendPlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class PreferencesDialog(QDialog):
    theme_chosen = Signal(str)

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)
        self.theme = QComboBox()
        self.theme.setObjectName("theme")
        for key, text in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme.addItem(text, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(current)))
        form.addRow("&Theme:", self.theme)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _ok(self) -> None:
        self.theme_chosen.emit(self.theme.currentData())
        self.accept()


def button_row(actions: list[tuple[str, Callable[[], None]]], on_close: Callable[[], None]) -> QHBoxLayout:
    """The list dialogs' bottom row: their actions on the left, Close on the right."""
    row = QHBoxLayout()
    for text, slot in actions:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
    row.addStretch()
    close = QPushButton("Close")
    close.clicked.connect(on_close)
    row.addWidget(close)
    return row


def confirm(parent: QWidget | None, title: str, text: str, on_yes: Callable[[], None]) -> QDialog:
    """A Yes/No question that calls ``on_yes`` only when confirmed (opened, not exec'd)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    yes = QMessageBox.StandardButton.Yes
    # QMessageBox finishes with the button's code, not Accepted, so listen to the click itself.
    box.buttonClicked.connect(lambda button: on_yes() if box.standardButton(button) == yes else None)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
