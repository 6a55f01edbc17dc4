"""Open a signing request (.nitroreq): read what it asks, add a signature, save it back, submit.

Entry point for the main window: ``open_signing_request(path, wallet, parent)`` (File → Open,
drag and drop). The dialog itself only needs the local accounts and two coroutines (unlock a
signer, submit a request), so it is tested without a ClearNode. Opened with ``open()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop import signing
from nitro_desktop.client import ClearNodeError
from nitro_desktop.flows import error_text
from nitro_desktop.flows.messages import user_message
from nitro_desktop.protocol import AppSession, HashSigner
from nitro_desktop.ui import tasks
from nitro_desktop.ui.feedback import error_label, show_problem

if TYPE_CHECKING:
    from nitro_desktop.wallet.core import Wallet

Unlock = Callable[[str], Awaitable[HashSigner]]
Submit = Callable[[signing.Request], Awaitable[AppSession]]

log = logging.getLogger("nitro_desktop.ui")


class SigningRequestDialog(QDialog):
    """One signing request: summary (your allocation first), verified signers, sign, save, submit."""

    submitted = Signal(object)  # AppSession
    saved = Signal(str)  # the path written

    def __init__(
        self,
        path: str | Path | None,
        local_accounts: Sequence[str],
        unlock: Unlock,
        submit: Submit | None = None,
        parent: QWidget | None = None,
        *,
        request: signing.Request | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = Path(path) if path is not None else None
        self.local_accounts = list(local_accounts)
        self.unlock, self.submit = unlock, submit
        self.request: signing.Request | None = request
        self.dirty = False
        self.outcome: AppSession | None = None  # set once submitted: never sent twice
        self.task: asyncio.Task[Any] | None = None
        self.setWindowTitle("Signing request" + (f" - {self.path.name}" if self.path else ""))
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("signing_summary")
        self.summary.setAccessibleName("What the request asks")
        self.summary.setReadOnly(True)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Signed by (each signature checked against the request text):"))
        self.signed = QListWidget()
        self.signed.setObjectName("signing_signed")
        self.signed.setAccessibleName("Signed by")
        self.signed.setMaximumHeight(90)
        layout.addWidget(self.signed)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sign as:"))
        self.account = QComboBox()
        self.account.setObjectName("signing_account")
        self.account.setAccessibleName("Sign as")
        row.addWidget(self.account, 1)
        self.sign_button = self._button(row, "signing_sign", "&Add my signature", self._sign)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("signing_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.error = error_label()
        self.error.setObjectName("signing_error")
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.rebuild_button = self._button(
            buttons, "signing_rebuild", "&Rebuild with a fresh time", self._rebuild
        )
        self.copy_button = self._button(buttons, "signing_copy", "&Copy as text", self._copy)
        buttons.addStretch(1)
        self.save_button = self._button(buttons, "signing_save", "&Save", self._save)
        self.submit_button = self._button(buttons, "signing_submit", "S&ubmit", self._submit)
        self._button(buttons, "signing_close", "Close", self.reject)
        layout.addLayout(buttons)
        if self.request is None and self.path is not None:
            try:
                self.request = signing.load(self.path)
            except signing.SigningError as exc:
                self.status.setText("This file cannot be used:")
                show_problem(self.error, str(exc))
        self._refresh()

    @staticmethod
    def _button(row: QHBoxLayout, name: str, text: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # ---- state -----------------------------------------------------------------------------------
    def _refresh(self) -> None:
        request = self.request
        busy = self.task is not None and not self.task.done()
        for button in (self.sign_button, self.rebuild_button, self.copy_button, self.save_button):
            button.setEnabled(False)
        self.submit_button.setEnabled(False)
        self.account.clear()
        self.signed.clear()
        if request is None:
            return
        self.summary.setPlainText(signing.describe(request, self.local_accounts).text())
        for address in request.signers:
            mine = " (this computer)" if address in self.local_accounts else ""
            self.signed.addItem(f"{address}{mine} - weight {request.weight_of(address)}, verified")
        can_sign = [
            a for a in request.eligible_signers() if a in self.local_accounts and a not in request.signers
        ]
        self.account.addItems(can_sign)
        expired = signing.is_expired(request)
        verdict = signing.sufficiency(request)
        if expired:
            try:
                signing.check_fresh(request)
            except signing.ExpiredRequestError as exc:
                show_problem(self.error, str(exc))
        elif not busy:
            show_problem(self.error, None)
        if not busy and self.outcome is None:
            self.status.setText(
                ("Ready to submit: " if verdict.sufficient else "Waiting for signatures: ")
                + verdict.explanation
                if not expired
                else "Expired."
            )
        self.sign_button.setEnabled(bool(can_sign) and not expired and not busy)
        self.rebuild_button.setEnabled(expired and not busy)
        self.copy_button.setEnabled(True)
        self.save_button.setEnabled(not busy and self.path is not None)
        self.submit_button.setEnabled(
            self.submit is not None
            and verdict.sufficient
            and not expired
            and not busy
            and self.outcome is None
        )

    def _run(self, coro: Awaitable[Any], done: Callable[[Any], None], what: str) -> None:
        self.status.setText(what)

        def finished(task: asyncio.Task[Any]) -> None:
            if task.cancelled():
                self.status.setText("Cancelled.")
            elif (exc := task.exception()) is not None:
                # Offline is not refusal; and no exception's own text reaches the user (the log has it).
                log.info("%s failed: %s", what, error_text(exc), exc_info=exc)
                self.status.setText("Refused:" if isinstance(exc, ClearNodeError) else "Not done:")
                show_problem(self.error, user_message(exc))
            else:
                done(task.result())
            self._refresh()

        self.task = tasks.spawn(self, coro, on_done=finished, name=what)
        self._refresh()

    # ---- actions ---------------------------------------------------------------------------------
    def _sign(self) -> None:
        address = self.account.currentText()
        request = self.request
        if not address or request is None:
            return

        async def sign() -> signing.Request:
            signer = await self.unlock(address)
            return signing.sign(request, signer)

        def done(result: signing.Request) -> None:
            self.request, self.dirty = result, True
            if self.path is not None:
                self._save()

        self._run(sign(), done, f"Signing as {address}…")

    def _rebuild(self) -> None:
        if self.request is not None:
            self.request, self.dirty = signing.rebuild(self.request), True
            show_problem(self.error, None)
            self._refresh()
            self.status.setText(
                "Rebuilt with a fresh timestamp; the earlier signatures were dropped. Sign, save, and "
                "send the file to the others again."
            )

    def _copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if self.request is not None and clipboard is not None:
            clipboard.setText(signing.to_json(self.request))
            self.status.setText("Copied the signing request as text.")

    def _save(self) -> None:
        if self.request is None or self.path is None:
            return
        try:
            signing.save(self.request, self.path)
        except OSError as exc:
            show_problem(self.error, f"cannot save {self.path}: {exc.strerror or exc}")
            return
        self.dirty = False
        self.status.setText(f"Saved to {self.path}.")
        self.saved.emit(str(self.path))

    def _submit(self) -> None:
        request, submit = self.request, self.submit
        if request is None or submit is None:
            return

        def done(session: AppSession) -> None:
            self.outcome = session
            self.submitted.emit(session)
            self.status.setText(f"Done: the session is {session.status}, version {session.version}.")

        self._run(submit(request), done, "Submitting…")


def open_signing_request(
    path: str | Path | None,
    wallet: Wallet,
    parent: QWidget | None = None,
    *,
    request: signing.Request | None = None,
) -> SigningRequestDialog:
    """Open a .nitroreq (or a just-built request) with the app's accounts, keys and client; non-blocking.

    Submitting goes through the session core, which sends and records it (``Wallet.submit_request``).
    """
    accounts = [record.address for record in wallet.accounts.list()]

    async def unlock(address: str) -> HashSigner:
        signers = await wallet.unlocked_signers([address])
        return signers[0]

    dialog = SigningRequestDialog(path, accounts, unlock, wallet.submit_request, parent, request=request)
    dialog.open()
    return dialog
