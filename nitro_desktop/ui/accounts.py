"""Accounts: create, import, rename, delete — and the first-run welcome that uses them.

Key-store calls (keyring I/O, scrypt) run in an executor; the dialogs only
collect input and show results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.redact import register_secret
from nitro_desktop.ui import tasks
from nitro_desktop.ui.dialogs import button_row, confirm

MIN_PASSWORD = 8


class AccountFormDialog(QDialog):
    """New or imported account: label, where the key lives, and (for a file) its password."""

    submitted = Signal(dict)

    def __init__(
        self, *, importing: bool, keyring_ok: bool, keyring_note: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.importing = importing
        self.setWindowTitle("Import an account" if importing else "New account")
        form = QFormLayout(self)
        self.key = QLineEdit()
        self.key.setObjectName("private_key")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("0x… (64 hex digits)")
        if importing:
            form.addRow("&Private key:", self.key)
        self.label = QLineEdit("My account")
        self.label.setObjectName("label")
        form.addRow("&Label:", self.label)
        self.backend = QComboBox()
        self.backend.setObjectName("backend")
        if keyring_ok:
            self.backend.addItem("OS keyring (recommended)", "keyring")
        self.backend.addItem("Encrypted file protected by a password", "file")
        form.addRow("&Keep the key in:", self.backend)
        note = QLabel(keyring_note)
        note.setWordWrap(True)
        form.addRow("", note)
        self.password = QLineEdit()
        self.password.setObjectName("file_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("file_password2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Pass&word:", self.password)
        form.addRow("&Repeat:", self.password2)
        self.error = QLabel()
        self.error.setObjectName("account_error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for w in (self.key, self.label, self.password, self.password2):
            w.textChanged.connect(self._check)
        self.backend.currentIndexChanged.connect(self._check)
        self._check()

    def problem(self) -> str | None:
        if self.importing:
            text = self.key.text().strip().removeprefix("0x")
            if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
                return "A private key is 64 hexadecimal digits (optionally after 0x)."
        if not self.label.text().strip():
            return "Give the account a label."
        file_backend = self.backend.currentData() == "file"
        form = self.layout()
        for w in (self.password, self.password2):
            if isinstance(form, QFormLayout):
                form.setRowVisible(w, file_backend)
        if file_backend:
            if len(self.password.text()) < MIN_PASSWORD:
                return f"The password must have at least {MIN_PASSWORD} characters."
            if self.password.text() != self.password2.text():
                return "The passwords differ."
        return None

    def _check(self) -> None:
        problem = self.problem()
        self.error.setText(problem or "")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(problem is None)

    def _ok(self) -> None:
        if self.problem() is not None:
            return
        backend = self.backend.currentData()
        self.submitted.emit(
            {
                "key": self.key.text().strip() if self.importing else None,
                "label": self.label.text().strip(),
                "backend": backend,
                "password": self.password.text() if backend == "file" else None,
            }
        )
        self.accept()


def run_account_form(
    parent: QWidget,
    accounts: Any,
    *,
    importing: bool,
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
) -> AccountFormDialog:
    """Open the form; on OK create or import the key off the GUI thread, then call back."""
    status = accounts.keyring_status()
    note = (
        f"Keyring in use: {status.backend_name}."
        if status.available
        else f"{(status.reason or 'no secure OS keyring').capitalize()}: the key will be kept in a file "
        "encrypted with this password."
    )
    dialog = AccountFormDialog(
        importing=importing, keyring_ok=status.available, keyring_note=note, parent=parent
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def submitted(values: dict[str, Any]) -> None:
        forgets = [register_secret(values["password"]), register_secret(values["key"])]

        def work() -> Any:
            if values["key"]:
                return accounts.import_private_key(
                    values["key"], values["label"], backend=values["backend"], password=values["password"]
                )
            return accounts.generate(values["label"], backend=values["backend"], password=values["password"])

        async def create() -> Any:
            try:
                return await asyncio.get_running_loop().run_in_executor(None, work)
            finally:
                for forget in forgets:
                    forget()

        def finished(task: asyncio.Task[Any]) -> None:
            if task.cancelled():
                return
            if (exc := task.exception()) is not None:
                on_error(str(exc))
            else:
                on_done(task.result())

        # Owned by the dialog that asked (the form closes at once): its result goes nowhere else.
        tasks.spawn(parent, create(), on_done=finished, name="Creating the account")

    dialog.submitted.connect(submitted)
    dialog.open()
    return dialog


class AccountsDialog(QDialog):
    """The list of accounts and where each key is kept."""

    changed = Signal()

    def __init__(self, accounts: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts = accounts
        self.setWindowTitle("Accounts")
        self.resize(760, 360)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("accounts")
        self.table.setHorizontalHeaderLabels(["Label", "Address", "Key kept in"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 180)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._renamed)
        layout.addWidget(self.table)
        self.message = QLabel()
        self.message.setObjectName("accounts_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        actions = [("&New…", self._new), ("&Import…", self._import), ("&Delete…", self._delete)]
        layout.addLayout(button_row(actions, self.accept))
        self.reload()

    def reload(self) -> None:
        self.table.blockSignals(True)
        records = self.accounts.list()
        self.table.setRowCount(len(records))
        for i, r in enumerate(records):
            label = QTableWidgetItem(r.label)
            label.setData(Qt.ItemDataRole.UserRole, r.address)
            self.table.setItem(i, 0, label)
            for col, text in (
                (1, r.address),
                (2, "OS keyring" if r.backend == "keyring" else "encrypted file"),
            ):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, col, item)
        self.table.blockSignals(False)

    def _renamed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0 and item.text().strip():
            self.accounts.rename(item.data(Qt.ItemDataRole.UserRole), item.text().strip())
            self.changed.emit()

    def _done(self, record: Any) -> None:
        self.message.setText(f"Added {record.label}: {record.address}")
        self.reload()
        self.changed.emit()

    def _new(self) -> None:
        run_account_form(
            self, self.accounts, importing=False, on_done=self._done, on_error=self.message.setText
        )

    def _import(self) -> None:
        run_account_form(
            self, self.accounts, importing=True, on_done=self._done, on_error=self.message.setText
        )

    def _delete(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            self.message.setText("Select the account to delete.")
            return
        address = item.data(Qt.ItemDataRole.UserRole)

        def really() -> None:
            self.accounts.delete(address)
            self.message.setText(f"Deleted {address}. Its sessions stay in the list.")
            self.reload()
            self.changed.emit()

        confirm(
            self,
            "Delete account",
            f"Delete {address} and its key from this computer?\nWithout a backup the key is gone for good.",
            really,
        )


class WelcomeDialog(QDialog):
    """First run: make or import a key, then start on the Local sandbox."""

    account_ready = Signal(object)

    def __init__(self, accounts: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts = accounts
        self.setWindowTitle("Welcome to Nitro Desktop")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "<h2>Welcome</h2><p>Nitro Desktop keeps your Ethereum keys on this computer and creates "
            "application sessions on a ClearNode.</p><p>Start with an account. You will be connected to "
            "the built-in <b>Local sandbox</b>, funded with test assets, so you can create a session "
            "right away.</p>"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.message = QLabel()
        self.message.setObjectName("welcome_message")
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.new_button = QPushButton("Create a &new account")
        self.new_button.setObjectName("welcome_new")
        self.new_button.setDefault(True)
        self.import_button = QPushButton("&Import an existing key")
        self.import_button.setObjectName("welcome_import")
        row.addWidget(self.new_button)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        self.new_button.clicked.connect(lambda: self._start(False))
        self.import_button.clicked.connect(lambda: self._start(True))

    def _start(self, importing: bool) -> None:
        self.form = run_account_form(
            self, self.accounts, importing=importing, on_done=self._ready, on_error=self.message.setText
        )

    def _ready(self, record: Any) -> None:
        self.account_ready.emit(record)
        self.accept()
