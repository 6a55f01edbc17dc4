"""The backup dialog's two key-handling pages: save an encrypted file, show the raw key for a while.

Neither page keeps the key: each asks the dialog for it (``key_source``) at the
moment it is needed, so closing the dialog is enough to drop it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.keys.backup import suggested_backup_name, write_backup_file
from nitro_desktop.keys.keyfile import DEFAULT_KDF, KdfParams
from nitro_desktop.redact import register_secret
from nitro_desktop.ui import tasks

MIN_PASSWORD = 8
REVEAL_SECONDS = 30
ERROR_STYLE = "color: #c0392b;"
HIDDEN_KEY = "•" * 66

KeySource = Callable[[], "bytes | None"]


def text_label(html: str, name: str = "") -> QLabel:
    label = QLabel(html)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


def error_label(name: str) -> QLabel:
    """A red message line that keeps two lines' room, so buttons below never jump when it fills."""
    label = text_label("", name)
    label.setStyleSheet(ERROR_STYLE)
    label.setMinimumHeight(label.fontMetrics().lineSpacing() * 2)
    return label


def step_button(text: str, name: str, slot: Any, *, forward: bool = False) -> QPushButton:
    """``forward``: the page's safe step on, which Return takes (never a reveal or a skip)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text.replace("&", ""))
    button.setAutoDefault(False)  # only the page's forward button answers Return
    button.setProperty("forward", forward)
    button.clicked.connect(slot)
    return button


def bottom_row(layout: QVBoxLayout, *buttons: QPushButton) -> None:
    """Stretch, then a row: every button on the left but the last (the step forward) on the right."""
    row = QHBoxLayout()
    *left, last = buttons
    for b in left:
        row.addWidget(b)
    row.addStretch()
    row.addWidget(last)
    layout.addStretch()
    layout.addLayout(row)


class BackupFilePage(QWidget):
    """Path and password; *Save* writes the keystore (0600, atomic) and reads it back off the GUI thread."""

    saved = Signal(object)  # the Path written
    back = Signal()

    def __init__(self, address: str, key_source: KeySource, kdf: KdfParams = DEFAULT_KDF) -> None:
        super().__init__()
        self._key_source = key_source
        self._kdf = kdf
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                "Choose where to save the backup (a USB stick or another disk is safest) and a password "
                "for it. The file is useless without the password: write the password down too."
            )
        )
        form = QFormLayout()
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        self.path = QLineEdit(str(Path(folder or Path.home()) / suggested_backup_name(address)))
        self.path.setObjectName("backup_path")
        self.path.setAccessibleName("Backup file")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(step_button("&Browse…", "backup_browse", self._browse))
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path)  # a row holding a layout gets no buddy of its own
        form.addRow(file_label, path_row)
        self.password = QLineEdit()
        self.password.setObjectName("backup_password")
        self.password.setAccessibleName("Backup password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("backup_password2")
        self.password2.setAccessibleName("Repeat the backup password")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Pass&word:", self.password)
        form.addRow("&Repeat:", self.password2)
        layout.addLayout(form)
        self.error = error_label("backup_file_error")
        layout.addWidget(self.error)
        self.save_button = step_button("&Save the backup", "backup_save", self.save, forward=True)
        bottom_row(layout, step_button("&Back", "file_back", self.back.emit), self.save_button)
        for edit in (self.path, self.password, self.password2):
            edit.textChanged.connect(self._check)
        self._check()

    def problem(self) -> str | None:
        if not self.path.text().strip():
            return "Choose where to save the backup file."
        if len(self.password.text()) < MIN_PASSWORD:
            return f"The backup's password must have at least {MIN_PASSWORD} characters."
        if self.password.text() != self.password2.text():
            return "The passwords differ."
        return None

    def _check(self) -> None:
        problem = self.problem()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setText(problem or "")
        self.save_button.setEnabled(problem is None)

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Save the backup file", self.path.text(), "Keystore files (*.json)")
        dialog.setObjectName("backup_path_dialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.path.setText)
        dialog.open()

    def save(self) -> None:
        key = self._key_source()
        if self.problem() is not None or key is None:
            return
        path = Path(self.path.text().strip()).expanduser()
        password, kdf = self.password.text(), self._kdf
        forget = register_secret(password)
        self.save_button.setEnabled(False)
        self.error.setStyleSheet("")
        self.error.setText("Encrypting the backup and reading it back…")

        async def write() -> str:
            try:
                # A closure, not arguments: the executor logs its arguments at DEBUG.
                return await asyncio.get_running_loop().run_in_executor(
                    None, lambda: write_backup_file(path, key, password, kdf)
                )
            finally:
                forget()

        def done(task: asyncio.Task[Any]) -> None:
            self._check()
            if task.cancelled():
                self.error.setText("Cancelled: no backup was saved.")
            elif (exc := task.exception()) is not None:
                self.error.setText(f"No backup was saved: {exc}")
            else:
                self.saved.emit(path)

        tasks.spawn(self, write(), on_done=done, name="Saving the backup file")


class KeyRevealPage(QWidget):
    """The private key, hidden until asked, then shown for ``REVEAL_SECONDS`` (never selectable)."""

    back = Signal()

    def __init__(self, address: str, key_source: KeySource) -> None:
        super().__init__()
        self._key_source = key_source
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                f"The private key of <b>{address}</b>. Anyone who sees it can take the account's funds: "
                "make sure no one is looking and nothing is recording the screen. It hides again after "
                f"{REVEAL_SECONDS} seconds, or when you leave this page or close the window."
            )
        )
        self.key_label = QLabel()
        self.key_label.setObjectName("revealed_key")
        self.key_label.setAccessibleName("Private key")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.key_label.setFont(font)
        self.key_label.setWordWrap(True)
        self.key_label.setMargin(8)
        self.key_label.setFrameShape(QLabel.Shape.StyledPanel)
        # Not selectable: copying it would put it in clipboard histories we cannot clear.
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(self.key_label)
        self.countdown = text_label("", "reveal_countdown")
        layout.addWidget(self.countdown)
        self.show_button = step_button(f"&Show for {REVEAL_SECONDS} seconds", "reveal_show", self.reveal)
        bottom_row(layout, step_button("&Back", "reveal_back", self.back.emit), self.show_button)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.seconds_left = 0
        self.conceal()

    def reveal(self) -> None:
        key = self._key_source()
        if key is None:
            return
        self.key_label.setText("0x" + key.hex())
        self.seconds_left = REVEAL_SECONDS
        self.show_button.setEnabled(False)
        self._tick_text()
        self.timer.start()

    def revealed(self) -> bool:
        return self.key_label.text() != HIDDEN_KEY

    def _tick(self) -> None:
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self.conceal()
        else:
            self._tick_text()

    def _tick_text(self) -> None:
        self.countdown.setText(f"Hidden again in {self.seconds_left} s.")

    def conceal(self) -> None:
        self.timer.stop()
        self.seconds_left = 0
        self.key_label.setText(HIDDEN_KEY)
        self.countdown.setText("")
        self.show_button.setEnabled(self._key_source() is not None)
