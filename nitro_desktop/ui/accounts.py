"""Accounts: the list, each address with copy and QR, back up, delete — and the first-run welcome.

Key-store calls (keyring I/O, scrypt) run in an executor; the dialogs only
collect input and show results. Creating and importing live in
``account_form``, the backup itself in ``backup_dialog``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.keys.backup import Sealed
from nitro_desktop.protocol import HashSigner
from nitro_desktop.redact import register_secret
from nitro_desktop.ui import tasks
from nitro_desktop.ui.account_form import AccountFormDialog, run_account_form
from nitro_desktop.ui.address_view import AddressView
from nitro_desktop.ui.backup_dialog import MIN_PASSWORD, BackupDialog
from nitro_desktop.ui.dialogs import button_row

__all__ = [
    "MIN_PASSWORD",
    "AccountFormDialog",
    "AccountsDialog",
    "BackupGate",
    "WelcomeDialog",
    "run_account_form",
]

WHERE = {"keyring": "OS keyring", "file": "encrypted file"}
DELETE_WARNING = "Without a backup the key is gone for good."


class BackupGate(QDialog):
    """Before any backup of an existing key: a confirmation, and the password of a file-backed key.

    Only when the key has been read (off the GUI thread) does the backup dialog open with it.
    """

    def __init__(self, accounts: Any, record: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts = accounts
        self.record = record
        self.backup: BackupDialog | None = None
        self.setWindowTitle("Back up a key")
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Back up the key of <b>{record.label}</b><br><tt>{record.address}</tt><br><br>"
            "The next window can save the key to an encrypted file or show it on screen. Anyone who "
            "gets the key can take the account's funds."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.password = QLineEdit()
        self.password.setObjectName("gate_password")
        self.password.setAccessibleName("Password of the account's keystore file")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if record.backend == "file":
            layout.addWidget(QLabel("Password of this account's keystore file:"))
            layout.addWidget(self.password)
        self.error = QLabel()
        self.error.setObjectName("gate_error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Continue")
        self.buttons.accepted.connect(self._unlock)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _unlock(self) -> None:
        password = self.password.text() if self.record.backend == "file" else None
        if self.record.backend == "file" and not password:
            self.error.setText("Enter the password of the account's keystore file.")
            return
        forget = register_secret(password)
        self.ok.setEnabled(False)
        self.error.setText("")
        address = self.record.address

        def read() -> Sealed[bytes]:
            hex_key: str = self.accounts.export_private_key(address, password=password)
            return Sealed(bytes.fromhex(hex_key.removeprefix("0x")))

        async def load() -> Sealed[bytes]:
            try:
                return await asyncio.get_running_loop().run_in_executor(None, read)
            finally:
                forget()

        def done(task: asyncio.Task[Any]) -> None:
            self.ok.setEnabled(True)
            if task.cancelled():
                return
            if (exc := task.exception()) is not None:
                self.error.setText(str(exc))
                return
            parent = self.parentWidget()
            self.backup = BackupDialog(
                address, task.result().open(), creating=False, kdf=self.accounts.vault.kdf, parent=parent
            )
            self.backup.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.accept()
            self.backup.open()

        tasks.spawn(self, load(), on_done=done, name="Reading the key to back up")


class AccountsDialog(QDialog):
    """The list of accounts, the selected one's address (copy, QR), and what can be done with it."""

    changed = Signal()
    backup_opened = Signal(object)  # the BackupDialog, once the gate let it through

    def __init__(self, accounts: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts = accounts
        # Given a file-backed key made here, so its password is not asked again at once.
        self.remember: Callable[[str, HashSigner], None] | None = None
        self.setWindowTitle("Accounts")
        self.resize(780, 480)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("accounts")
        self.table.setAccessibleName("Accounts")
        self.table.setHorizontalHeaderLabels(["Label", "Address", "Key kept in"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(0, 180)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemChanged.connect(self._renamed)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)
        self.address_view = AddressView(self)
        self.address_view.setObjectName("account_address")
        layout.addWidget(self.address_view)
        self.message = QLabel()
        self.message.setObjectName("accounts_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        actions = [
            ("&New…", self._new),
            ("&Import…", self._import),
            ("&Back up…", self.back_up),
            ("&Delete…", self._delete),
        ]
        layout.addLayout(button_row(actions, self.accept))
        self.reload()

    def reload(self, select: str | None = None) -> None:
        select = select or self.current_address()
        self.table.blockSignals(True)
        records = self.accounts.list()
        self.table.setRowCount(len(records))
        row_to_select = 0
        for i, r in enumerate(records):
            label = QTableWidgetItem(r.label)
            label.setData(Qt.ItemDataRole.UserRole, r.address)
            label.setToolTip("Double-click to rename")
            self.table.setItem(i, 0, label)
            for col, text in ((1, r.address), (2, WHERE.get(r.backend, r.backend))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, col, item)
            if r.address == select:
                row_to_select = i
        self.table.blockSignals(False)
        if records:
            self.table.selectRow(row_to_select)
        self._selected()

    def current_address(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _selected(self) -> None:
        address = self.current_address()
        self.address_view.set_address(address)
        label = self.table.item(self.table.currentRow(), 0) if address else None
        self.address_view.set_caption(f"<b>{label.text()}</b>" if label is not None else "")

    def _renamed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0 and item.text().strip():
            self.accounts.rename(item.data(Qt.ItemDataRole.UserRole), item.text().strip())
            self._selected()
            self.changed.emit()

    def _done(self, record: Any) -> None:
        self.message.setText(f"Added {record.label}: {record.address}")
        self.reload(select=record.address)
        self.changed.emit()

    def _new(self) -> None:
        self.form = run_account_form(
            self,
            self.accounts,
            importing=False,
            on_done=self._done,
            on_error=self.message.setText,
            on_unlocked=self.remember,
        )

    def _import(self) -> None:
        self.form = run_account_form(
            self,
            self.accounts,
            importing=True,
            on_done=self._done,
            on_error=self.message.setText,
            on_unlocked=self.remember,
        )

    def back_up(self) -> None:
        """The password or confirmation first (``self.gate``), then the backup dialog."""
        address = self.current_address()
        if address is None:
            self.message.setText("Select the account to back up.")
            return
        gate = BackupGate(self.accounts, self.accounts.get(address), self)
        gate.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def opened(_code: int) -> None:
            backup = gate.backup
            if backup is None:
                return
            backup.completed.connect(
                lambda kind: self.message.setText(
                    f"Backup of {address} saved to {backup.saved_path} and read back."
                    if kind == "file"
                    else ""
                )
            )
            self.backup_opened.emit(backup)

        gate.finished.connect(opened)
        self.gate = gate
        gate.open()

    def _delete(self) -> None:
        address = self.current_address()
        if address is None:
            self.message.setText("Select the account to delete.")
            return
        record = self.accounts.get(address)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete account",
            f"Delete {record.label} ({address}) and its key from this computer?\n\n{DELETE_WARNING} "
            "Back it up first unless you already have its recovery phrase or a backup file.",
            parent=self,
        )
        box.setObjectName("delete_box")
        backup = box.addButton("&Back up first…", QMessageBox.ButtonRole.AcceptRole)
        delete = box.addButton("&Delete for good", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        # The safe way is the one Enter takes; Esc cancels.
        box.setDefaultButton(backup)
        box.setEscapeButton(cancel)

        def clicked(button: Any) -> None:
            if button is backup:
                self.back_up()
            elif button is delete:
                self._really_delete(address)

        box.buttonClicked.connect(clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.delete_box = box
        box.open()

    def _really_delete(self, address: str) -> None:
        async def delete() -> None:
            await asyncio.get_running_loop().run_in_executor(None, self.accounts.delete, address)

        def done(task: asyncio.Task[Any]) -> None:
            if task.cancelled():
                return
            if (exc := task.exception()) is not None:
                self.message.setText(f"{address} was not deleted: {exc}")
                return
            self.message.setText(f"Deleted {address}. Its sessions stay in the list.")
            self.reload()
            self.changed.emit()

        tasks.spawn(self, delete(), on_done=done, name="Deleting the account")


class WelcomeDialog(QDialog):
    """First run: make or import a key, then start on the Local sandbox."""

    account_ready = Signal(object)

    def __init__(self, accounts: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts = accounts
        # Given a file-backed key made here, so its password is not asked again at once.
        self.remember: Callable[[str, HashSigner], None] | None = None
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
            self,
            self.accounts,
            importing=importing,
            on_done=self._ready,
            on_error=self.message.setText,
            on_unlocked=self.remember,
        )

    def _ready(self, record: Any) -> None:
        self.account_ready.emit(record)
        self.accept()
