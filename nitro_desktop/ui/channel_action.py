"""One home-channel action (open, deposit, withdraw, close, resume) and its progress, in one dialog.

The amount is checked as typed; the core then signs, gets the node's countersignature, and
asks ``ask_confirm`` before anything is sent. The progress list follows the core's events:
pending → mined (confirmations) / reverted (the hub's decoded reason) / dropped or reorged →
credited by the node. The outcome says what was and was not recorded and where the funds are
now; an interrupted step offers Resume. The work belongs to ``runner`` (the Home channels
pane), not to this dialog: closing the dialog never abandons a transaction being watched.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.flows.messages import user_message
from nitro_desktop.protocol import ProtocolError, check_precision, parse_amount
from nitro_desktop.store import ChannelOperationRecord
from nitro_desktop.ui import tasks
from nitro_desktop.ui.feedback import error_label, show_problem
from nitro_desktop.ui.funds_text import funds_now, gui_words, plain, where_funds
from nitro_desktop.ui.tx_confirm import ask_confirm
from nitro_desktop.wallet.channel_resume import RESUMABLE
from nitro_desktop.wallet.channel_types import ChannelError, ChannelPlan, ChannelView, Declined, TxProgress

if TYPE_CHECKING:
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.wallet.core import Wallet
    from nitro_desktop.wallet.home_channels import HomeChannels

TITLES = {
    "open": "Open a home channel",
    "deposit": "Deposit into the home channel",
    "withdraw": "Withdraw from the home channel",
    "close": "Close the home channel",
    "resume": "Resume unfinished channel operations",
}
_MINED_WORDS = {"mined": "Mined", "reverted": "Reverted", "dropped": "Dropped"}


@dataclass(frozen=True, slots=True)
class Outcome:
    ops: tuple[ChannelOperationRecord, ...]
    error: ChannelError | None
    view: ChannelView | None  # the channel as read after the action, for "where the funds are"


class ChannelActionDialog(QDialog):
    """See the module docstring. ``done_op`` is emitted with each operation that finished."""

    done_op = Signal(object)

    def __init__(
        self,
        kind: str,
        asset: str,
        wallet: Wallet,
        service: AppService,
        view: ChannelView | None,
        runner: QObject,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind, self.asset, self.wallet, self.service, self.view = kind, asset, wallet, service, view
        self.runner = runner
        self.running: asyncio.Task[Outcome] | None = None
        self.amount_sent: Decimal = Decimal(0)
        self._ops: set[int] = set()
        self._rows: dict[str, QListWidgetItem] = {}
        self.setWindowTitle(TITLES.get(kind, "Home channel"))
        self.setObjectName("channel_action")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        self.headline = QLabel(self._headline())
        self.headline.setObjectName("channel_headline")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        form = QFormLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("channel_amount")
        self.amount.setAccessibleName(f"Amount of {asset}")
        self.amount.setPlaceholderText(f"amount in {asset}")
        if kind in ("open", "deposit", "withdraw"):
            form.addRow(f"&Amount ({asset}):", self.amount)
        else:
            self.amount.hide()
        layout.addLayout(form)
        note = QLabel(
            "Continue signs the new channel state and has the ClearNode countersign it; the "
            "transaction is then shown for you to confirm before anything is sent on-chain."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.error = error_label()
        self.error.setObjectName("channel_error")
        self.error.setAccessibleName("Problem")
        layout.addWidget(self.error)
        self.phase = QLabel()
        self.phase.setObjectName("channel_phase")
        self.phase.setAccessibleName("Transaction status")
        self.phase.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.phase)
        self.steps = QListWidget()
        self.steps.setObjectName("channel_steps")
        self.steps.setAccessibleName("Progress")
        self.steps.setMinimumHeight(150)
        self.steps.setWordWrap(True)
        self.steps.hide()
        layout.addWidget(self.steps)
        self.outcome = QLabel()
        self.outcome.setObjectName("channel_outcome")
        self.outcome.setAccessibleName("Outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.hide()
        layout.addWidget(self.outcome)
        row = QHBoxLayout()
        row.addStretch()
        self.go = QPushButton("&Continue…" if kind != "resume" else "&Resume")
        self.go.setObjectName("channel_go")
        self.go.setAccessibleName("Continue to the transaction confirmation")
        # Continue already signs a state the node keeps (a closing one can settle the channel):
        # never the Enter default. Return in the amount field goes on, as typed on purpose.
        self.go.setAutoDefault(False)
        self.go.setDefault(False)
        self.resume = QPushButton("&Resume")
        self.resume.setObjectName("channel_resume")
        self.resume.setAccessibleName("Resume the interrupted step")
        self.resume.setAutoDefault(False)
        self.resume.hide()
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("channel_close")
        self.close_button.setAccessibleName("Close this window (a transaction sent is still followed)")
        self.close_button.setAutoDefault(False)
        for button in (self.go, self.resume, self.close_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.go.clicked.connect(self.start)
        self.resume.clicked.connect(lambda: self.start(resume=True))
        self.close_button.clicked.connect(self.reject)
        self.amount.textChanged.connect(self._check)
        self.amount.returnPressed.connect(self.start)
        self._check()

    # ---- before -----------------------------------------------------------------------------
    def _headline(self) -> str:
        v, asset = self.view, self.asset
        held = f"{plain(v.off_chain)} {asset}" if v is not None else f"? {asset}"
        if self.kind == "open":
            return f"Create your {asset} home channel on-chain with a first deposit from your wallet."
        if self.kind == "deposit":
            return f"Move {asset} from your wallet into your home channel (it holds {held} for you now)."
        if self.kind == "withdraw":
            return f"Move {asset} from your home channel (it holds {held} for you) back to your wallet."
        if self.kind == "close":
            return f"Close your {asset} home channel: the {held} you hold in it goes back to your wallet."
        return "Finish the channel operations a crash, a cancel or a dropped transaction left unfinished."

    def problem(self) -> str | None:
        if self.kind not in ("open", "deposit", "withdraw"):
            return None
        text = self.amount.text().strip()
        if not text:
            return "Enter the amount."
        try:
            amount = parse_amount(text, what="the amount")
            decimals = self.wallet.assets.get(self.asset)
            if decimals is not None:
                check_precision(amount, decimals, what=f"the amount of {self.asset}")
        except ProtocolError as exc:
            return str(exc)[:1].upper() + str(exc)[1:] + "."
        if amount <= 0:
            return "The amount must be more than 0."
        v = self.view
        if self.kind == "withdraw" and v is not None and amount > v.off_chain:
            return f"Your home channel holds {plain(v.off_chain)} {self.asset} for you: at most that."
        if self.kind in ("open", "deposit") and v is not None and v.wallet_token is not None:
            if amount > v.wallet_token:
                return f"Your wallet holds {plain(v.wallet_token)} {self.asset} on this chain."
        return None

    def _check(self) -> None:
        problem = self.problem()
        shown = problem if self.amount.text().strip() and self.running is None else None
        show_problem(self.error, shown)
        self.go.setEnabled(problem is None and self.running is None and not self.steps.isVisible())

    # ---- running ------------------------------------------------------------------------------
    def start(self, resume: bool = False) -> None:
        if self.running is not None or (
            not resume and (self.problem() is not None or self.steps.isVisible())
        ):
            return
        if resume:
            self.kind = "resume"
            self.setWindowTitle(TITLES["resume"])
        self.amount_sent = Decimal(self.amount.text().strip()) if self.amount.text().strip() else Decimal(0)
        self.amount.setReadOnly(True)
        self.steps.show()
        self.outcome.hide()
        self.resume.hide()
        show_problem(self.error, None)
        self._say_phase("Preparing: signing the channel state…")
        self.service.operation_changed.connect(self._operation)
        self.service.tx_progress.connect(self._progress)
        settled = getattr(self.runner, "action_settled", None)

        def finished(task: asyncio.Task[Outcome]) -> None:
            self._finished(task)
            if callable(settled):
                settled()

        self.running = tasks.spawn(self.runner, self._work(), on_done=finished, name=TITLES[self.kind])
        self._check()

    async def _work(self) -> Outcome:
        channels = await self.wallet.home_channels()
        error: ChannelError | None = None
        ops: tuple[ChannelOperationRecord, ...] = ()
        try:
            ops = await self._action(channels)
        except ChannelError as exc:
            error = exc
        view: ChannelView | None = None
        try:
            chain_id = self.view.chain_id if self.view is not None else None
            view = await channels.show(self.asset, chain_id)
        except Exception:  # the numbers are a courtesy after the outcome; the outcome stands alone
            view = None
        return Outcome(ops, error, view)

    async def _action(self, channels: HomeChannels) -> tuple[ChannelOperationRecord, ...]:
        amount = self.amount_sent
        chain_id = self.view.chain_id if self.view is not None else None
        if self.kind == "open":
            return (await channels.open(self.asset, amount, self._confirm, chain_id=chain_id),)
        if self.kind == "deposit":
            return (await channels.deposit(self.asset, amount, self._confirm),)
        if self.kind == "withdraw":
            return (await channels.withdraw(self.asset, amount, self._confirm),)
        if self.kind == "close":
            return (await channels.close(self.asset, self._confirm),)
        return tuple(await channels.resume(self._confirm))

    async def _confirm(self, plan: ChannelPlan) -> bool:
        parent = self if tasks.alive(self) else None
        self._line("confirm", "… Waiting for you to confirm the transaction")
        self._say_phase("Waiting for your confirmation")
        yes = await ask_confirm(parent, plan)
        self._line(
            "confirm", "✓ You confirmed the transaction" if yes else "✗ You cancelled: nothing was sent"
        )
        return yes

    def _operation(self, op: ChannelOperationRecord) -> None:
        if self.running is None or (op.asset != self.asset and self.kind != "resume"):
            return
        self._ops.add(op.id)
        version = json.loads(op.state_json or "{}").get("version", "?")
        if op.step == "signed":
            self._line(f"signed{op.id}", f"✓ Signed the {op.kind} state of your channel (version {version})")
        elif op.step == "countersigned":
            self._line(f"counter{op.id}", "✓ The ClearNode countersigned it; its signature checks out")
        elif op.step == "done":
            self._line(f"done{op.id}", f"✓ Recorded as done ({op.kind} {op.amount} {op.asset})")
        elif op.step in ("failed", "dropped"):
            # A transaction's own line already says why; a refusal before any has only this one.
            why = "" if op.tx_hash else f": {gui_words(op.error or op.step)}"
            self._line(f"end{op.id}", f"✗ Not recorded as done{why}")

    def _progress(self, event: TxProgress) -> None:
        if self.running is None or event.operation_id not in self._ops:
            return
        key, short = f"tx{event.tx_hash}", describe(event.tx_hash)
        if event.phase == "sent":
            self._line(key, f"… Sent {short}: pending")
            self._say_phase("Pending")
        elif event.phase == "pending":
            self._line(key, f"… {short}: {event.detail}")
        elif event.phase in _MINED_WORDS:
            mark = "✓" if event.phase == "mined" else "✗"
            word = _MINED_WORDS[event.phase]
            if event.phase == "dropped" and "reorg" in event.detail.lower():
                word = "Reorged"  # mined, then its block left the chain: the core counts it as dropped
            self._line(key, f"{mark} {word}: {short} — {event.detail}")
            self._say_phase(word)
        elif event.phase == "waiting":
            self._line(f"node{event.operation_id}", "… Waiting for the ClearNode to see it on-chain")
        elif event.phase == "credited":
            self._line(f"node{event.operation_id}", "✓ The ClearNode credited it")

    def _finished(self, task: asyncio.Task[Outcome]) -> None:
        self.running = None
        if not tasks.alive(self):
            return
        self.service.operation_changed.disconnect(self._operation)
        self.service.tx_progress.disconnect(self._progress)
        if task.cancelled():
            self._say_phase("Stopped")
            self._show_outcome("Stopped before the end. What was sent is still followed by Resume.", True)
            return
        exc = task.exception()
        if exc is not None:
            self._say_phase("Not done")
            self._show_outcome(f"{user_message(exc)} Nothing was recorded as done.", self._resumable())
            return
        outcome = task.result()
        for op in outcome.ops:
            self.done_op.emit(op)
        chain = self._chain_name(outcome.view)
        where = where_funds(self.kind, self.amount_sent, self.asset, chain, outcome.error, outcome.ops)
        now = funds_now(outcome.view)
        if outcome.error is None:
            self._say_phase("Done" if self.kind != "resume" or outcome.ops else "Nothing to resume")
            self._show_outcome(" ".join(t for t in (where, now) if t), False)
            return
        self._say_phase("Cancelled" if isinstance(outcome.error, Declined) else "Not done")
        text, resumable = gui_words(str(outcome.error)), self._resumable()
        if not resumable:  # the core's hint, where nothing is left to resume (a reverted state is spent)
            text = text.replace("; Resume can send it again.", ".")
        self._show_outcome(" ".join(t for t in (text, where, now) if t), resumable)

    def _chain_name(self, view: ChannelView | None) -> str:
        chain_id = view.chain_id if view is not None else (self.view.chain_id if self.view else None)
        record = self.wallet.store.chains.get(chain_id) if chain_id is not None else None
        return record.name if record is not None else (f"chain {chain_id}" if chain_id else "the chain")

    def _resumable(self) -> bool:
        account, endpoint = self.wallet.account, self.wallet.endpoint
        if account is None or endpoint is None:
            return False
        ops = self.wallet.store.channel_operations.list(account)
        return any(op.step in RESUMABLE and op.endpoint == endpoint.name for op in ops)

    # ---- showing ----------------------------------------------------------------------------------
    def _say_phase(self, text: str) -> None:
        self.phase.setText(text)

    def _line(self, key: str, text: str) -> None:
        item = self._rows.get(key)
        if item is None:
            item = QListWidgetItem(text)
            self._rows[key] = item
            self.steps.addItem(item)
        else:
            item.setText(text)
        item.setToolTip(text if not key.startswith("tx") else f"{text}\n{key[2:]}")
        self.steps.scrollToItem(item)

    def _show_outcome(self, text: str, resumable: bool) -> None:
        self.outcome.setText(text)
        self.outcome.show()
        self.resume.setVisible(resumable)
        self.close_button.setText("Close")
        self._check()
        self.adjustSize()


def open_action(
    kind: str,
    asset: str,
    wallet: Wallet,
    service: AppService,
    view: ChannelView | None,
    runner: QObject,
    parent: QWidget | None,
) -> ChannelActionDialog:
    """Open the action's dialog (``open()``): it is deleted when closed; its work is ``runner``'s."""
    dialog = ChannelActionDialog(kind, asset, wallet, service, view, runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    if kind in ("open", "deposit", "withdraw"):
        dialog.amount.setFocus()
    return dialog


def describe(value: Any) -> str:
    """A channel id or hash with its middle elided, for narrow cells (the full one is the tooltip)."""
    text = str(value or "")
    return text if len(text) <= 20 else f"{text[:10]}…{text[-8:]}"
