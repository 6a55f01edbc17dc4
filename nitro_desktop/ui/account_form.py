"""Creating or importing an account, with its backup as part of creation.

A new key is drawn as a recovery phrase; the backup dialog shows it (or saves
an encrypted file) and only once that backup is checked, or explicitly
skipped, is the key stored and the account recorded. Cancelling leaves no
account behind. An imported private key is stored first, then a backup file
is offered; a key restored from its phrase needs no further backup.

Key-store calls (keyring I/O, scrypt, key derivation) run in an executor; the
dialogs only collect input and show results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from nitro_desktop.keys.backup import (
    PHRASE_LENGTHS,
    RecoveryPhrase,
    Sealed,
    key_from_phrase,
    new_recovery_phrase,
)
from nitro_desktop.keys.crypto import address_of, parse_private_key
from nitro_desktop.keys.signer import UnlockedSigner
from nitro_desktop.protocol import HashSigner
from nitro_desktop.redact import register_secret
from nitro_desktop.ui import tasks
from nitro_desktop.ui.backup_dialog import MIN_PASSWORD, BackupDialog

NOT_CREATED = "No account was created: its backup was not finished. Nothing was stored."


def _is_phrase(text: str) -> bool:
    return len(text.split()) > 1


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
        self.key.setAccessibleName("Private key or recovery phrase")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("0x… (64 hex digits) or the 12–24 words of a recovery phrase")
        self.show_key = QCheckBox("S&how what I type")
        self.show_key.setObjectName("show_key")
        self.show_key.toggled.connect(
            lambda on: self.key.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        )
        if importing:
            form.addRow("&Private key or\nrecovery phrase:", self.key)
            form.addRow("", self.show_key)
        self.label = QLineEdit("My account")
        self.label.setObjectName("label")
        self.label.setAccessibleName("Label")
        form.addRow("&Label:", self.label)
        self.backend = QComboBox()
        self.backend.setObjectName("backend")
        self.backend.setAccessibleName("Keep the key in")
        if keyring_ok:
            self.backend.addItem("OS keyring (recommended)", "keyring")
        self.backend.addItem("Encrypted file protected by a password", "file")
        form.addRow("&Keep the key in:", self.backend)
        note = QLabel(keyring_note)
        note.setWordWrap(True)
        form.addRow("", note)
        self.password = QLineEdit()
        self.password.setObjectName("file_password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("file_password2")
        self.password2.setAccessibleName("Repeat the password")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Pass&word:", self.password)
        form.addRow("&Repeat:", self.password2)
        if not importing:
            next_step = QLabel("Next: back up the new key (a recovery phrase or an encrypted file).")
            next_step.setWordWrap(True)
            form.addRow("", next_step)
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
            text = self.key.text().strip()
            if _is_phrase(text):
                count = len(text.split())
                if count not in PHRASE_LENGTHS:
                    return f"A recovery phrase has 12, 15, 18, 21 or 24 words; this has {count}."
            else:
                digits = text.removeprefix("0x")
                if len(digits) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digits):
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


def _new_key() -> Sealed[tuple[RecoveryPhrase, bytes]]:
    # Sealed: the executor logs what a job returns.
    phrase = new_recovery_phrase()
    return Sealed((phrase, phrase.key()))


def _run(
    owner: QWidget,
    work: Callable[[], Any],
    on_result: Callable[[Any], None],
    on_error: Callable[[str], None],
    name: str,
    forgets: list[Callable[[], None]],
) -> None:
    """``work`` in an executor for ``owner``; its result or its error's message back on the GUI thread."""

    async def run() -> Any:
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
            on_result(task.result())

    # Owned by the dialog that asked (the form closes at once): its result goes nowhere else.
    tasks.spawn(owner, run(), on_done=finished, name=name)


def keyring_note(available: bool, reason: str, backend_name: str) -> str:
    """Where the key will be kept, as one sentence for the form."""
    if available:
        return f"The key goes into your OS keyring ({backend_name})."
    why = (
        "No OS keyring was found"
        if reason in ("", "no OS keyring is available")
        else (f"The OS keyring cannot keep keys ({reason})")
    )
    return (
        f"{why}, so the key is kept in a file on this computer, encrypted with the password below. "
        "The app asks for it once per session, when it first needs the key."
    )


def run_account_form(
    parent: QWidget,
    accounts: Any,
    *,
    importing: bool,
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
    on_unlocked: Callable[[str, HashSigner], None] | None = None,
) -> AccountFormDialog:
    """Open the form; on OK make (and back up) or import the key off the GUI thread, then call back.

    ``on_unlocked`` gets a file-backed key's signer: its password was just typed (twice), so the
    session does not ask for it again at once.
    """
    status = accounts.keyring_status()
    note = keyring_note(status.available, status.reason, status.backend_name)
    dialog = AccountFormDialog(
        importing=importing, keyring_ok=status.available, keyring_note=note, parent=parent
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def store(key: bytes, values: dict[str, Any]) -> Any:
        record = accounts.import_private_key(
            "0x" + key.hex(), values["label"], backend=values["backend"], password=values["password"]
        )
        if on_unlocked is not None and record.backend == "file":
            on_unlocked(record.address, UnlockedSigner(record.address, key))
        return record

    def submitted(values: dict[str, Any]) -> None:
        forgets = [register_secret(values["password"]), register_secret(values["key"])]
        if values["key"]:
            _import(values, forgets)
        else:
            _run(
                parent,
                _new_key,
                lambda made: _back_up_new(made.open(), values),
                on_error,
                "Making a new key",
                forgets,
            )

    def _import(values: dict[str, Any], forgets: list[Callable[[], None]]) -> None:
        text = values["key"]
        from_phrase = _is_phrase(text)

        def work() -> tuple[Any, Sealed[bytes]]:
            key = key_from_phrase(text) if from_phrase else parse_private_key(text)
            return store(key, values), Sealed(key)

        def imported(result: tuple[Any, Sealed[bytes]]) -> None:
            record, key = result[0], result[1].open()
            if from_phrase:  # its phrase is its backup
                on_done(record)
                return
            offer = BackupDialog(record.address, key, creating=True, kdf=accounts.vault.kdf, parent=parent)
            offer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            offer.finished.connect(lambda _code: on_done(record))
            offer.open()

        _run(parent, work, imported, on_error, "Importing the account", forgets)

    def _back_up_new(made: tuple[RecoveryPhrase, bytes], values: dict[str, Any]) -> None:
        phrase, key = made
        forget_phrase = register_secret(" ".join(phrase.words))
        backup = BackupDialog(address_of(key), key, phrase=phrase, kdf=accounts.vault.kdf, parent=parent)
        backup.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        done = {"backed_up": False}

        def backed_up(_kind: str) -> None:
            done["backed_up"] = True
            forgets = [register_secret(values["password"])]
            _run(parent, lambda: store(key, values), on_done, on_error, "Creating the account", forgets)

        def closed(_code: int) -> None:
            forget_phrase()
            if not done["backed_up"]:
                on_error(NOT_CREATED)

        backup.completed.connect(backed_up)
        backup.finished.connect(closed)
        backup.open()

    dialog.submitted.connect(submitted)
    dialog.open()
    return dialog
