"""Settings → Chains: the EVM chains home channels live on (v1 funds).

A chain is a name, a chain id and an RPC URL the user types (none is built in, so nothing
reaches out on first run); the ChannelHub address is the one the connected node reports in
``get_config``. Saving asks the RPC for its chain id first, on the loop: a URL that serves
another chain, or none, is refused with the reason and nothing is saved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.chain import Chain, ChainClient, ChainError
from nitro_desktop.chain.records import MAX_CHAIN_ID
from nitro_desktop.store import ChainRecord
from nitro_desktop.ui import tasks
from nitro_desktop.ui.dialogs import button_row, confirm
from nitro_desktop.ui.feedback import error_label, show_problem

NO_HUB = "0x" + "00" * 20


@dataclass(frozen=True, slots=True)
class NodeChain:
    """A chain the connected node watches, as its ``get_config`` names it."""

    chain_id: int
    name: str
    hub: str


#: Reads the connected node's chains (None when the connection has no home channels).
NodeChains = Callable[[], Awaitable[list[NodeChain]]]


async def check_rpc(name: str, chain_id: int, rpc_url: str, timeout: float = 10.0) -> None:
    """Ask the RPC for its chain id; ``ChainError`` with the user's sentence if it is not ``chain_id``."""
    client = ChainClient(Chain(name, chain_id, rpc_url, NO_HUB), timeout=timeout)
    await client.check_chain()


class ChainForm(QDialog):
    """Add a chain, or edit one's name and RPC URL; checked against the RPC before it is saved."""

    saved = Signal(object)  # ChainRecord, already checked

    def __init__(
        self,
        record: ChainRecord | None,
        node_chains: list[NodeChain],
        parent: QWidget | None = None,
        *,
        suggested: NodeChain | None = None,
    ) -> None:
        super().__init__(parent)
        self.record, self.node_chains = record, node_chains
        self.setWindowTitle("Edit chain" if record else "Add a chain")
        self.setMinimumWidth(560)
        form = QFormLayout(self)
        self.name = QLineEdit(record.name if record else (suggested.name if suggested else ""))
        self.name.setObjectName("chain_name")
        self.name.setAccessibleName("Chain name")
        self.chain_id = QLineEdit(
            str(record.chain_id) if record else (str(suggested.chain_id) if suggested else "")
        )
        self.chain_id.setObjectName("chain_id")
        self.chain_id.setAccessibleName("Chain id")
        self.chain_id.setReadOnly(record is not None)  # the id is the record's key: add another instead
        self.rpc_url = QLineEdit(record.rpc_url if record else "")
        self.rpc_url.setObjectName("chain_rpc_url")
        self.rpc_url.setAccessibleName("RPC URL")
        self.rpc_url.setPlaceholderText("http://127.0.0.1:8545 or https://your-provider/…")
        self.hub = QLabel()
        self.hub.setObjectName("chain_hub")
        self.hub.setAccessibleName("ChannelHub address reported by the node")
        self.hub.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("&Name:", self.name)
        form.addRow("Chain &id:", self.chain_id)
        form.addRow("&RPC URL:", self.rpc_url)
        form.addRow("ChannelHub:", self.hub)
        note = QLabel("The RPC is asked for its chain id before saving. Nothing is sent to it otherwise.")
        note.setWordWrap(True)
        form.addRow("", note)
        self.error = error_label()
        self.error.setObjectName("chain_error")
        self.error.setAccessibleName("Problem")
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Check and &save")
        self.save_button.setAccessibleName("Check the RPC and save the chain")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.checking: asyncio.Task[Any] | None = None
        self.chain_id.textChanged.connect(self._show_hub)
        self._show_hub()

    def _node_chain(self) -> NodeChain | None:
        text = self.chain_id.text().strip()
        return next((c for c in self.node_chains if text.isdigit() and c.chain_id == int(text)), None)

    def _show_hub(self) -> None:
        found = self._node_chain()
        if found is not None:
            self.hub.setText(f"{found.hub} (from the ClearNode)")
        elif self.node_chains:
            watched = ", ".join(str(c.chain_id) for c in self.node_chains[:8])
            self.hub.setText(f"none: the ClearNode does not watch this chain (it watches {watched})")
        elif self.record is not None and self.record.hub_address:
            self.hub.setText(f"{self.record.hub_address} (as the ClearNode last reported it)")
        else:
            self.hub.setText("taken from the ClearNode on first use (connect to a v1 ClearNode)")

    def problem(self) -> str | None:
        text = self.chain_id.text().strip()
        if not text.isdigit() or not 0 < int(text) <= MAX_CHAIN_ID:
            return f"The chain id must be a whole number from 1 to {MAX_CHAIN_ID}."
        try:
            Chain(self.name.text() or f"chain {text}", int(text), self.rpc_url.text().strip(), NO_HUB)
        except ChainError as exc:
            return str(exc)
        return None

    def _problem(self, text: str) -> None:
        show_problem(self.error, text)
        self.adjustSize()  # a wrapped message needs the height the dialog was opened without

    def _save(self) -> None:
        if self.checking is not None:
            return
        problem = self.problem()
        if problem is not None:
            self._problem(problem)
            return
        chain_id = int(self.chain_id.text().strip())
        name = self.name.text().strip() or f"chain {chain_id}"
        url = self.rpc_url.text().strip()
        found = self._node_chain()
        hub = found.hub if found else (self.record.hub_address if self.record else None)
        record = ChainRecord(chain_id, name, url, hub)
        self._problem(f"Asking {url} for its chain id…")
        self.save_button.setEnabled(False)

        def done(task: asyncio.Task[None]) -> None:
            self.checking = None
            self.save_button.setEnabled(True)
            if task.cancelled():
                return
            exc = task.exception()
            if exc is not None:
                text = str(exc) if isinstance(exc, ChainError) else f"The RPC check failed: {exc}"
                self._problem(f"{text} Nothing was saved.")
                return
            self.saved.emit(record)
            self.accept()

        self.checking = tasks.spawn(
            self, check_rpc(name, chain_id, url), on_done=done, name="Checking the RPC"
        )


class ChainsDialog(QDialog):
    """The chains this app knows, and those the connected node watches but no RPC is set for."""

    changed = Signal()

    def __init__(self, store: Any, node_chains: NodeChains | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.node_chains: list[NodeChain] = []
        self.setWindowTitle("Chains")
        self.resize(980, 340)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Home channels live in the ChannelHub contract of an EVM chain. Give each chain an RPC URL "
            "you trust (your own node or a provider); the ChannelHub address comes from the ClearNode."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("chains")
        self.table.setAccessibleName("Chains")
        self.table.setHorizontalHeaderLabels(["Chain id", "Name", "RPC URL", "ChannelHub"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 140)
        self.table.setColumnWidth(3, 350)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.doubleClicked.connect(lambda _i: self._edit())
        layout.addWidget(self.table)
        self.message = QLabel()
        self.message.setObjectName("chains_message")
        self.message.setAccessibleName("Status")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = button_row(
            [("&Add…", self._add), ("&Edit…", self._edit), ("&Remove…", self._remove)], self.accept
        )
        layout.addLayout(row)
        for i in range(row.count()):
            entry = row.itemAt(i)
            widget = entry.widget() if entry is not None else None
            if widget is not None:
                widget.setAccessibleName(widget.property("text").replace("&", "").rstrip("…"))
        self.form: ChainForm | None = None
        self.reload()
        if node_chains is not None:
            tasks.spawn(self, node_chains(), on_done=self._node_answered, name="Reading the node's chains")

    def _node_answered(self, task: asyncio.Task[list[NodeChain]]) -> None:
        if task.cancelled():
            return
        if (exc := task.exception()) is not None:
            self.message.setText(f"Could not read the ClearNode's chains: {exc}")
            return
        self.node_chains = task.result()[:64]
        self.reload()

    def reload(self) -> None:
        records = {c.chain_id: c for c in self.store.chains.list()}
        rows: list[tuple[int, str, str, str, bool]] = []
        for c in records.values():
            node = next((n for n in self.node_chains if n.chain_id == c.chain_id), None)
            hub = node.hub if node else (c.hub_address or "from the ClearNode, on first use")
            rows.append((c.chain_id, c.name, c.rpc_url, hub, True))
        for n in self.node_chains:
            if n.chain_id not in records:
                rows.append((n.chain_id, n.name, "not set: select it and press Edit…", n.hub, False))
        self.table.setRowCount(len(rows))
        for i, (chain_id, name, url, hub, saved) in enumerate(rows):
            for col, text in enumerate((str(chain_id), name, url, hub)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, chain_id)
                item.setToolTip(text)
                if not saved:
                    item.setForeground(Qt.GlobalColor.darkGray)
                self.table.setItem(i, col, item)
        if self.table.currentRow() < 0 and rows:
            self.table.selectRow(0)
        if not rows:
            self.message.setText("No chains yet. Press Add… to give one an RPC URL.")

    def selected_chain_id(self) -> int | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _open_form(self, record: ChainRecord | None, suggested: NodeChain | None = None) -> ChainForm:
        form = ChainForm(record, self.node_chains, self, suggested=suggested)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def save(checked: ChainRecord) -> None:
            stored = self.store.chains.save(checked)
            self.message.setText(
                f"Saved {stored.name} (chain {stored.chain_id}): its RPC answered with that chain id."
            )
            self.reload()
            self.changed.emit()

        form.saved.connect(save)
        form.open()
        self.form = form
        return form

    def _add(self) -> None:
        self._open_form(None)

    def _edit(self) -> None:
        chain_id = self.selected_chain_id()
        if chain_id is None:
            self.message.setText("Select the chain to edit.")
            return
        record = self.store.chains.get(chain_id)
        suggested = next((n for n in self.node_chains if n.chain_id == chain_id), None)
        self._open_form(record, suggested)

    def _remove(self) -> None:
        chain_id = self.selected_chain_id()
        record = self.store.chains.get(chain_id) if chain_id is not None else None
        if record is None:
            self.message.setText("Select a saved chain to remove.")
            return

        def really() -> None:
            self.store.chains.delete(record.chain_id)
            self.message.setText(
                f"Removed {record.name}. Its channels stay on the chain; add it again to use them."
            )
            self.reload()
            self.changed.emit()

        confirm(
            self, "Remove chain", f"Remove {record.name} (chain {record.chain_id}, {record.rpc_url})?", really
        )
