"""The Home channels pane (v1 connections): per asset the channel, its status and where the funds are.

One row per asset the node lists: the channel id (middle elided; the full id is the tooltip and
Copy takes it), the node's status, what the ChannelHub holds on-chain, the user's off-chain
balance and what the wallet holds on the chain. The actions are enabled only when they can
work; each disabled one says why, beside the buttons (keyboard users never see tooltips).
The pane shows only while the connection is a v1 node: older nodes fund sessions at create.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.chain import eth_text
from nitro_desktop.flows.messages import user_message
from nitro_desktop.ui import tasks
from nitro_desktop.ui.channel_action import TITLES, ChannelActionDialog, describe, open_action
from nitro_desktop.ui.funds_text import gui_words, plain
from nitro_desktop.wallet.channel_resume import RESUMABLE
from nitro_desktop.wallet.channel_types import ChannelView

if TYPE_CHECKING:
    from nitro_desktop.store import ChannelOperationRecord
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.wallet.core import Wallet

COLUMNS = ["Asset", "Channel", "Status", "On-chain", "Off-chain", "In your wallet"]
STATUS_WORDS = {"": "none", "void": "not on-chain yet"}
ACTIONS = (
    ("open", "&Open channel…", "Open a home channel on-chain with a first deposit"),
    ("deposit", "De&posit…", "Move funds from your wallet into the home channel"),
    ("withdraw", "&Withdraw…", "Move funds from the home channel back to your wallet"),
    ("close", "Close c&hannel…", "Close the home channel; your funds go back to your wallet"),
    ("resume", "Res&ume…", "Finish operations a crash, a cancel or a dropped transaction left"),
)


class HomeChannelsDock(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Home channels", parent)
        self.setObjectName("home_channels_dock")
        self.service: AppService | None = None
        self.views: dict[str, ChannelView] = {}
        self.errors: dict[str, str] = {}
        self.dialog: ChannelActionDialog | None = None
        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(6, 2, 6, 4)
        self.note = QLabel("Not connected")
        self.note.setObjectName("home_channels_note")
        self.note.setAccessibleName("Home channels status")
        self.note.setWordWrap(True)
        box.addWidget(self.note)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("home_channels")
        self.table.setAccessibleName("Home channels, one row per asset")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(110)
        # A handful of assets: the pane must not take the session list's height.
        self.table.setMaximumHeight(120)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self.update_actions)
        box.addWidget(self.table)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for kind, text, tip in ACTIONS:
            button = QPushButton(text)
            button.setObjectName(f"channel_{kind}")
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.setAccessibleDescription(tip)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, kind=kind: self.act(kind))
            row.addWidget(button)
            self.buttons[kind] = button
        self.copy = QPushButton("&Copy channel id")
        self.copy.setObjectName("channel_copy")
        self.copy.setAccessibleName("Copy channel id")
        self.copy.clicked.connect(self.copy_id)
        copy_action = QAction("Copy channel id", self.table)
        copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy_action.triggered.connect(self.copy_id)
        self.table.addAction(copy_action)
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.setObjectName("channel_refresh")
        self.refresh_button.setAccessibleName("Read the channels again")
        self.refresh_button.clicked.connect(self.refresh)
        row.addStretch()
        row.addWidget(self.copy)
        row.addWidget(self.refresh_button)
        box.addLayout(row)
        self.why = QLabel()
        self.why.setObjectName("home_channels_why")
        self.why.setAccessibleName("Why some actions are unavailable")
        self.why.setWordWrap(True)
        self.why.setStyleSheet("color: palette(placeholder-text);")
        box.addWidget(self.why)
        self.setWidget(body)
        self.update_actions()

    # ---- wiring ----------------------------------------------------------------------------------
    def attach(self, service: AppService) -> None:
        self.service = service
        service.channel_changed.connect(self._view)
        service.operation_changed.connect(lambda _op: self.update_actions())
        service.ready_changed.connect(self._ready)

    @property
    def wallet(self) -> Wallet | None:
        return self.service.wallet if self.service is not None else None

    def applies(self) -> bool:
        """Whether the current connection has home channels (a v1 node)."""
        wallet = self.wallet
        return bool(wallet and wallet.client is not None and wallet.client.spec.own_session_calls)

    def _ready(self, ready: bool) -> None:
        self.views, self.errors = {}, {}
        self.setVisible(ready and self.applies())
        if ready and self.applies():
            self.refresh()
        self._fill()

    # ---- reading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        wallet = self.wallet
        if wallet is None or not self.applies():
            return
        self.note.setText("Reading your home channels…")

        async def run() -> None:
            channels = await wallet.home_channels()
            for asset in sorted(wallet.assets):
                try:
                    await channels.show(asset)  # the view arrives through channel_changed
                    self.errors.pop(asset, None)
                except Exception as exc:  # one asset's problem must not hide the others
                    self.errors[asset] = gui_words(user_message(exc))

        def done(task: asyncio.Task[Any]) -> None:
            if not task.cancelled() and (exc := task.exception()) is not None:
                self.note.setText(f"Could not read the home channels: {gui_words(user_message(exc))}")
            else:
                self._fill()

        tasks.spawn(self, run(), on_done=done, name="Reading the home channels")

    def _view(self, view: ChannelView) -> None:
        wallet = self.wallet
        if wallet is None or wallet.account is None or view.account.lower() != wallet.account.lower():
            return
        self.views[view.asset] = view
        self.errors.pop(view.asset, None)
        self._fill()

    def selected_asset(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        return item.text() if item is not None else None

    def _fill(self) -> None:
        wallet = self.wallet
        assets = sorted(wallet.assets) if wallet is not None and self.applies() else []
        keep = self.selected_asset()
        self.table.setRowCount(len(assets))
        for i, asset in enumerate(assets):
            view, error = self.views.get(asset), self.errors.get(asset)
            if view is None:
                cells = [asset, "", "unreadable" if error else "reading…", "", "", ""]
            else:
                status = STATUS_WORDS.get(view.status, view.status)
                if view.pending:
                    status += f" ({len(view.pending)} unfinished)"
                cells = [
                    asset,
                    describe(view.channel_id) if view.channel_id else "—",
                    status,
                    _amount(view.on_chain_locked, asset, "no RPC set" if not self._has_rpc(view) else "—"),
                    f"{plain(view.off_chain)} {asset}",
                    _wallet_text(view, asset),
                ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 1 and view is not None and view.channel_id:
                    item.setToolTip(view.channel_id)
                elif error:
                    item.setToolTip(error)
                if col >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, col, item)
        target = assets.index(keep) if keep in assets else (0 if assets else -1)
        if target >= 0:
            self.table.selectRow(target)
        if wallet is not None and wallet.account and wallet.endpoint and self.applies():
            self.note.setText(f"{wallet.account} on {wallet.endpoint.name}")
        self.update_actions()

    def _has_rpc(self, view: ChannelView) -> bool:
        wallet = self.wallet
        return wallet is not None and wallet.store.chains.get(view.chain_id) is not None

    # ---- acting --------------------------------------------------------------------------------------
    def busy(self) -> bool:
        return any(t.get_name() in TITLES.values() and not t.done() for t in tasks.tasks_of(self))

    def reasons(self, asset: str | None) -> dict[str, str]:
        """Why each action cannot work now ("" when it can)."""
        wallet = self.wallet
        view = self.views.get(asset) if asset else None
        gate = ""
        if wallet is None or wallet.client is None or not self.applies():
            gate = "Connect to a v1 ClearNode first."
        elif self.busy():
            gate = "A channel operation is running: wait for it to finish."
        base = gate
        if base:
            pass
        elif asset is None:
            base = "Select an asset first."
        elif view is None:
            base = self.errors.get(asset) or f"Your {asset} channel is still being read."
        elif not self._has_rpc(view):
            base = f"No RPC URL for chain {view.chain_id}: add one in Settings → Chains…"
        reasons = {kind: base for kind, _t, _d in ACTIONS}
        reasons["resume"] = gate or self._resume_reason()
        if base or view is None or asset is None:
            return reasons
        live = view.channel_id is not None and view.status not in ("", "closed")
        if live:
            reasons["open"] = (
                f"Your {asset} channel is signed but not on-chain yet: Resume sends it."
                if view.status == "void"
                else f"You already have an open {asset} home channel: deposit into it, or close it first."
                if view.status == "open"
                else f"Your {asset} channel is {view.status}: it must be closed before another is opened."
            )
        not_open = (
            f"You have no open {asset} home channel: open one first."
            if not live
            else f"The {asset} channel is {STATUS_WORDS.get(view.status, view.status)}, not open."
        )
        for kind in ("deposit", "withdraw", "close"):
            if view.status != "open":
                reasons[kind] = not_open
            elif view.pending or self._unfinished(asset):
                reasons[kind] = "An operation on this channel is unfinished: Resume it first."
        if not reasons["open"] and self._unfinished(asset):
            reasons["open"] = "An operation on this channel is unfinished: Resume it first."
        if not reasons["withdraw"] and view.off_chain <= 0:
            reasons["withdraw"] = f"Nothing to withdraw: you hold 0 {asset} in the channel."
        return reasons

    def _unfinished(self, asset: str) -> bool:
        """Whether the asset's newest operation here is one Resume would pick up (a dropped one too)."""
        wallet = self.wallet
        if wallet is None or wallet.account is None or wallet.endpoint is None:
            return False
        name = wallet.endpoint.name
        ops = [o for o in wallet.store.channel_operations.list(wallet.account, asset) if o.endpoint == name]
        return bool(ops) and ops[-1].step in RESUMABLE

    def _resume_reason(self) -> str:
        wallet = self.wallet
        if wallet is None or wallet.account is None or wallet.endpoint is None or not self.applies():
            return "Connect to a v1 ClearNode first."
        name = wallet.endpoint.name
        ops = wallet.store.channel_operations.list(wallet.account)
        if any(op.step in RESUMABLE and op.endpoint == name for op in ops):
            return ""
        return "Nothing to resume: every channel operation has finished."

    def update_actions(self) -> None:
        asset = self.selected_asset()
        reasons = self.reasons(asset)
        lines = []
        for kind, text, tip in ACTIONS:
            why = reasons[kind]
            self.buttons[kind].setEnabled(not why)
            self.buttons[kind].setToolTip(why or tip)
            if why and not (kind == "resume" and why.startswith("Nothing to resume")):
                lines.append(f"{text.replace('&', '').rstrip('…')}: {why}")
        view = self.views.get(asset) if asset else None
        self.copy.setEnabled(bool(view and view.channel_id))
        self.refresh_button.setEnabled(self.applies())
        # One line per distinct reason: five buttons with the same cause say it once.
        seen: dict[str, list[str]] = {}
        for line in lines:
            name, why = line.split(": ", 1)
            seen.setdefault(why, []).append(name)
        self.why.setText("\n".join(f"{', '.join(names)}: {why}" for why, names in seen.items()))

    def act(self, kind: str) -> ChannelActionDialog | None:
        """Open the action's dialog for the selected asset (what the buttons do)."""
        asset = self.selected_asset()
        wallet, service = self.wallet, self.service
        if self.reasons(asset).get(kind) or wallet is None or service is None:
            return None
        view = self.views.get(asset) if asset else None
        self.dialog = open_action(kind, asset or "", wallet, service, view, self, self.window())
        self.dialog.done_op.connect(lambda _op: self.update_actions())
        return self.dialog

    def action_settled(self) -> None:
        """An action's work ended (the dialog may be closed): the buttons may work again, and the
        Balances pane shows what the node now holds for the account."""
        self.update_actions()
        if self.service is not None and self.wallet is not None and self.wallet.client is not None:
            self.service.spawn(self.wallet.refresh_balances(), what="Reading the balances")

    def copy_id(self) -> None:
        asset = self.selected_asset()
        view = self.views.get(asset) if asset else None
        if view is not None and view.channel_id:
            QGuiApplication.clipboard().setText(view.channel_id)
            self.note.setText(f"Copied the {asset} channel id {view.channel_id}")

    def operations(self) -> list[ChannelOperationRecord]:
        wallet = self.wallet
        if wallet is None or wallet.account is None:
            return []
        return wallet.store.channel_operations.list(wallet.account)


def _amount(value: Any, asset: str, missing: str) -> str:
    return f"{plain(value)} {asset}" if value is not None else missing


def _wallet_text(view: ChannelView, asset: str) -> str:
    parts = []
    if view.wallet_token is not None:
        parts.append(f"{plain(view.wallet_token)} {asset}")
    elif view.wallet_eth_wei is not None:
        parts.append(f"{eth_text(view.wallet_eth_wei)} for gas")
    return ", ".join(parts) or "—"
