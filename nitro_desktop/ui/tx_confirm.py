"""The transaction confirmation: every on-chain step shown in words and numbers before it is sent.

What the transaction does, the chain, from, to, value, gas, the fee caps and the most it can
cost in ETH. Cancel has the focus and is the default button: Enter never sends. The dialog is
opened with ``open()``; ``ask_confirm`` turns its answer into an awaitable for the core's
``Confirm`` callback.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.chain import eth_text
from nitro_desktop.chain.tx import gwei_text
from nitro_desktop.ui import tasks
from nitro_desktop.ui.funds_text import plain
from nitro_desktop.wallet.channel_types import ChannelPlan

_VERB = {
    "open": "Open your {asset} home channel on {chain} and put {amount} {asset} into it",
    "deposit": "Move {amount} {asset} from your wallet on {chain} into your home channel",
    "withdraw": "Move {amount} {asset} from your home channel back to your wallet on {chain}",
    "close": "Close your {asset} home channel on {chain}; what you hold in it goes back to your wallet",
    "resume": "Send the {asset} channel state the ClearNode already countersigned, on {chain}",
}


def plan_headline(plan: ChannelPlan) -> str:
    """One sentence: what the user is agreeing to."""
    template = _VERB.get(plan.action, _VERB["resume"])
    return template.format(asset=plan.asset, amount=plain(plan.amount), chain=plan.chain_name) + "."


def _selectable(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAccessibleName(name.replace("_", " "))
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class TxConfirmDialog(QDialog):
    """Confirm / Cancel over a ``ChannelPlan``; ``answered(True)`` only from the Confirm button."""

    answered = Signal(bool)

    def __init__(self, plan: ChannelPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self._answer = False
        self.setWindowTitle("Confirm the transaction")
        self.setObjectName("tx_confirm")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        headline = _selectable(plan_headline(plan), "tx_headline")
        headline.setStyleSheet("font-weight: bold;")
        layout.addWidget(headline)
        for number, step in enumerate(plan.steps, 1):
            title = f"Transaction {number} of {len(plan.steps)}" if len(plan.steps) > 1 else "Transaction"
            box = QGroupBox(title)
            form = QFormLayout(box)
            rows = [
                ("What it does", step.description),
                ("Chain", f"{step.chain_name} (chain id {step.chain_id})"),
                ("From", step.sender),
                ("To", f"{step.to} (ChannelHub)"),
                ("Value", eth_text(step.value)),
                ("Gas", f"about {step.gas_estimate:,} (limit {step.gas_limit:,})"),
                ("Max fee per gas", gwei_text(step.max_fee_per_gas)),
                ("Priority fee", gwei_text(step.max_priority_fee_per_gas)),
                ("Network fee", f"at most {eth_text(step.max_fee)}"),
            ]
            for label, text in rows:
                form.addRow(f"{label}:", _selectable(text, f"tx_{label.lower().replace(' ', '_')}"))
            layout.addWidget(box)
        total = plan.total_value_wei + plan.max_fee_wei
        summary = _selectable(
            f"In all: {eth_text(plan.total_value_wei)} sent and at most {eth_text(plan.max_fee_wei)} "
            f"in fees, at most {eth_text(total)} on {plan.chain_name} (chain id {plan.chain_id}). "
            f"You hold {eth_text(plan.eth_balance_wei)} there.",
            "tx_total",
        )
        layout.addWidget(summary)
        if not plan.affordable:
            short = _selectable(
                f"Not enough ETH: {eth_text(total - plan.eth_balance_wei)} more is needed.", "tx_short"
            )
            short.setStyleSheet("color: #c0392b;")
            layout.addWidget(short)
        note = QLabel("Nothing is sent until you press Send. A transaction sent cannot be called back.")
        note.setWordWrap(True)
        layout.addWidget(note)
        row = QHBoxLayout()
        row.addStretch()
        self.send = QPushButton("&Send transaction")
        self.send.setObjectName("tx_send")
        self.send.setAccessibleName("Send the transaction")
        # Enter must never send: only a deliberate click or Alt+S does.
        self.send.setAutoDefault(False)
        self.send.setDefault(False)
        self.send.setEnabled(plan.affordable)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("tx_cancel")
        self.cancel.setAccessibleName("Cancel: send nothing")
        self.cancel.setAutoDefault(True)
        self.cancel.setDefault(True)
        row.addWidget(self.send)
        row.addWidget(self.cancel)
        layout.addLayout(row)
        self.send.clicked.connect(self._send)
        self.cancel.clicked.connect(self.reject)
        self.finished.connect(lambda _code: self.answered.emit(self._answer))
        self.cancel.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.cancel.setFocus()

    def _send(self) -> None:
        self._answer = True
        self.accept()


def ask_confirm(parent: QWidget | None, plan: ChannelPlan) -> asyncio.Future[bool]:
    """Open the confirmation (``open()``, never ``exec()``); the future gets True only for Send."""
    future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    dialog = TxConfirmDialog(plan, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(yes: bool) -> None:
        if not future.done():
            future.set_result(yes)

    dialog.answered.connect(answered)
    # Deleted unanswered (its parent closed): that is a no, and the core must hear it.
    dialog.destroyed.connect(lambda *_a: answered(False))
    # A confirmation whose caller gave up (its dialog closed) closes too: nothing waits on it.
    future.add_done_callback(lambda f: dialog.reject() if f.cancelled() and tasks.alive(dialog) else None)
    dialog.open()
    return future


def fee_total_text(plan: ChannelPlan) -> str:
    """The most the plan can cost, in ETH (for a one-line status)."""
    return eth_text(plan.total_value_wei + plan.max_fee_wei)


def amount_text(amount: Decimal, asset: str) -> str:
    return f"{plain(amount)} {asset}"
