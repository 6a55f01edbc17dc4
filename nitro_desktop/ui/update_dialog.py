"""Close session / Submit state: final allocations, intent and signers, then send."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.client import ClearNodeError
from nitro_desktop.flows import UpdateSessionFlow, error_text
from nitro_desktop.flows.messages import user_message
from nitro_desktop.ui import tasks
from nitro_desktop.ui.feedback import error_label, show_problem

log = logging.getLogger("nitro_desktop.ui")


class UpdateSessionDialog(QDialog):
    """Builds, signs and sends one submit_app_state or close_app_session."""

    done_ok = Signal(object)
    collect_requested = Signal(object)

    def __init__(
        self,
        flow: UpdateSessionFlow,
        send: Callable[[UpdateSessionFlow], Awaitable[Any]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow, self.send = flow, send
        self.task: asyncio.Task[Any] | None = None
        closing = flow.kind == "close"
        self.setWindowTitle("Close session" if closing else "Submit state")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        head = QLabel(
            f"{'Close' if closing else 'Update'} session <b>{flow.app_session_id[:18]}…</b> "
            f"(version {flow.version}, quorum {flow.definition.quorum})."
            + (" Funds go back to each participant's balance." if closing else "")
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        form = QFormLayout()
        self.asset = QComboBox()
        self.asset.addItems(list(flow.assets))
        self.asset.setCurrentText(flow.asset)
        self.asset.currentTextChanged.connect(self._asset)
        form.addRow("&Asset:", self.asset)
        self.intent = QComboBox()
        self.intent.setObjectName("intent")
        self.intent.addItems(list(flow.intents))
        self.intent.currentTextChanged.connect(self._intent)
        if flow.uses_intents:
            form.addRow("&Intent:", self.intent)
        self.amounts: list[QLineEdit] = []
        for i, (participant, weight) in enumerate(
            zip(flow.definition.participants, flow.definition.weights, strict=True)
        ):
            edit = QLineEdit(flow.amounts.get(i, "0"))
            edit.setObjectName(f"final_{i}")
            edit.textChanged.connect(lambda text, i=i: self._amount(i, text))
            mine = " (you)" if participant in flow.local_accounts else ""
            form.addRow(f"{participant[:10]}…{participant[-4:]}{mine}, weight {weight}:", edit)
            self.amounts.append(edit)
        self.data = QLineEdit()
        self.data.setPlaceholderText("optional application state (JSON text)")
        self.data.textChanged.connect(lambda t: setattr(self.flow, "session_data", t))
        form.addRow("Session &data:", self.data)
        layout.addLayout(form)
        sign_with = QLabel("Sign &with:")
        layout.addWidget(sign_with)
        self.signers = QListWidget()
        self.signers.setObjectName("update_signers")
        sign_with.setBuddy(self.signers)
        self.signers.setMaximumHeight(110)
        # Only participants with a positive weight can count towards the quorum.
        for address in flow.eligible_signers():
            item = QListWidgetItem(address)
            item.setData(Qt.ItemDataRole.UserRole, address)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if address in flow.signers else Qt.CheckState.Unchecked)
            self.signers.addItem(item)
        self.signers.itemChanged.connect(self._signer)
        layout.addWidget(self.signers)
        self.error = error_label()
        self.error.setObjectName("update_error")
        layout.addWidget(self.error)
        self.status = QLabel()
        self.status.setObjectName("update_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("&Sign and send")
        self.collect = self.buttons.addButton("&Collect signatures…", QDialogButtonBox.ButtonRole.ActionRole)
        self.collect.setObjectName("collect_signatures")
        self.collect.setToolTip("Sign with your accounts and save a signing request for the other signers")
        self.collect.clicked.connect(lambda: self.collect_requested.emit(self.flow))
        self._no_default_button()
        self.buttons.accepted.connect(self._send)
        self.buttons.rejected.connect(self._cancel)
        layout.addWidget(self.buttons)
        self._check()

    def _asset(self, asset: str) -> None:
        self.flow.asset = asset
        self._check()

    def _intent(self, intent: str) -> None:
        self.flow.intent = intent
        self._check()

    def _amount(self, i: int, text: str) -> None:
        self.flow.amounts[i] = text.strip()
        self._check()

    def _signer(self, item: QListWidgetItem) -> None:
        address = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self.flow.signers.add(address)
        else:
            self.flow.signers.discard(address)
        self._check()

    def _check(self) -> None:
        problems = self.flow.problems()
        show_problem(self.error, "\n".join(problems.values()))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(not problems and (self.task is None or self.task.done()))
        # Only a shortfall of weight can be made up by others' signatures.
        self.collect.setVisible(
            set(problems) == {"signers"} and self.flow.signed_weight() < self.flow.definition.quorum
        )

    def _no_default_button(self) -> None:
        # Sending moves funds: Enter in a field must not do it, so no button is the default one.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # QDialogButtonBox makes its first accept button the default when it is shown: undo that.
        self._no_default_button()

    def _send(self) -> None:
        if self.flow.problems():
            return
        self.status.setText("Signing and sending…")
        self.task = tasks.spawn(self, self.send(self.flow), on_done=self._finished, name="Sending the update")
        self._check()

    def _finished(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            self.status.setText("Cancelled.")
        elif (exc := task.exception()) is not None:
            message = error_text(exc)
            if getattr(exc, "nothing_sent", False):
                self.status.setText(message)  # the session moved: the amounts may need a look
            elif isinstance(exc, ClearNodeError):
                self.status.setText("The ClearNode refused the request:")
                show_problem(self.error, message)
            else:  # offline is not refusal, and no exception's own text reaches the user
                log.warning("the update failed: %s", message, exc_info=exc)
                self.status.setText("The request did not go through:")
                show_problem(self.error, user_message(exc, "the ClearNode"))
        else:
            session = task.result()
            self.status.setText(f"Done: the session is {session.status}, version {session.version}.")
            self.done_ok.emit(session)
            self.accept()
        self._check()

    def _cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.reject()
