"""Deposit into the selected session from the account's home channel (sessions created empty)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from nitro_desktop.client import ClearNodeError
from nitro_desktop.flows import error_text
from nitro_desktop.flows.deposit import deposit_problem
from nitro_desktop.flows.messages import user_message
from nitro_desktop.ui import tasks
from nitro_desktop.ui.feedback import error_label, show_problem

Deposit = Callable[[str, str, Decimal], Awaitable[Any]]
#: Save the deposit as a signing request for the other quorum signers: (session id, asset, amount).
Collect = Callable[[str, str, Decimal], None]


class DepositDialog(QDialog):
    """Asset and amount, checked as typed; the deposit runs on the loop, never blocking Qt."""

    def __init__(
        self,
        app_session_id: str,
        assets: Mapping[str, int],
        held: Mapping[str, Decimal],
        deposit: Deposit,
        parent: QWidget | None = None,
        *,
        collect: Collect | None = None,
        why_collect: str = "",
    ) -> None:
        """``collect`` (with ``why_collect``): this account's signature alone does not reach the quorum,
        so the deposit is saved as a signing request for the others instead of being sent."""
        super().__init__(parent)
        self.app_session_id, self.assets, self.held, self._deposit = app_session_id, assets, held, deposit
        self._collect = collect
        self.setWindowTitle("Deposit into the session")
        form = QFormLayout(self)
        form.addRow(QLabel(f"From your home channel into {app_session_id[:10]}…{app_session_id[-6:]}"))
        self.asset = QComboBox()
        self.asset.addItems(list(assets))
        if "usdc" in assets:
            self.asset.setCurrentText("usdc")
        self.amount = QLineEdit()
        self.amount.setObjectName("deposit_amount")
        form.addRow("&Asset:", self.asset)
        form.addRow("A&mount:", self.amount)
        self.error = error_label()
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Deposit")
        self.buttons.accepted.connect(self._send)
        self.buttons.rejected.connect(self.reject)
        self.collect = self.buttons.addButton("&Collect signatures…", QDialogButtonBox.ButtonRole.ActionRole)
        self.collect.setObjectName("collect_signatures")
        self.collect.setToolTip("Sign with your account and save a signing request for the other signers")
        self.collect.clicked.connect(self._collect_signatures)
        self.collect.setVisible(collect is not None)
        if collect is not None:
            note = QLabel(why_collect)
            note.setWordWrap(True)
            form.addRow("", note)
        form.addRow(self.buttons)
        self.amount.textChanged.connect(self._check)
        self.asset.currentTextChanged.connect(self._check)
        self.sending: asyncio.Task[Any] | None = None
        self._check()

    def problem(self) -> str | None:
        return deposit_problem(self.amount.text(), self.asset.currentText(), self.assets, self.held)

    def _check(self) -> None:
        problem = self.problem()
        show_problem(self.error, problem if self.amount.text() else None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            problem is None and self.sending is None and self._collect is None
        )
        self.collect.setEnabled(problem is None and self.sending is None)

    def _collect_signatures(self) -> None:
        if self._collect is not None and self.problem() is None:
            self._collect(self.app_session_id, self.asset.currentText(), Decimal(self.amount.text().strip()))

    def _send(self) -> None:
        if self.problem() is not None or self.sending is not None:
            return
        amount = Decimal(self.amount.text().strip())
        self.sending = tasks.spawn(
            self, self._deposit(self.app_session_id, self.asset.currentText(), amount), on_done=self._done
        )
        self._check()
        show_problem(self.error, "Depositing…")

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.sending = None
        self._check()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            if isinstance(exc, ClearNodeError):
                show_problem(self.error, f"The deposit was refused: {error_text(exc)}")
            else:  # offline is not refusal
                show_problem(self.error, f"The deposit did not go through: {user_message(exc)}")
            return
        self.accept()
