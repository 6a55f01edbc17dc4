"""The ClearNodes this app knows: add, remove, and the broker address pinned for each."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.protocol import Dialect, ProtocolError, parse_address, spec
from nitro_desktop.store import EndpointRecord
from nitro_desktop.ui.dialogs import EndpointDialog, button_row, confirm

_PIN_COLUMN = 3


class EndpointsDialog(QDialog):
    """Edit the pinned broker in place (empty = trust the next server seen, then pin it)."""

    changed = Signal()

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("ClearNodes")
        self.resize(900, 340)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "A ClearNode's broker signs every answer. Its address is pinned on first use, so a "
                "different server at the same URL is refused; clear it only if the operator changed keys."
            )
        )
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("endpoints")
        self.table.setHorizontalHeaderLabels(["Name", "URL", "Dialect", "Pinned broker"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(_PIN_COLUMN, 330)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._edited)
        layout.addWidget(self.table)
        self.message = QLabel()
        self.message.setObjectName("endpoints_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addLayout(button_row([("&Add…", self._add), ("&Remove…", self._remove)], self.accept))
        self.reload()

    def reload(self) -> None:
        self.table.blockSignals(True)
        endpoints = self.store.endpoints.list()
        self.table.setRowCount(len(endpoints))
        for i, e in enumerate(endpoints):
            url = "built in, on this computer" if e.is_sandbox else e.url
            impl = spec(e.dialect)
            signed = impl.envelope.server_signed
            pin = "not needed (built in)" if e.is_sandbox else (e.broker_address or "")
            if not signed and not e.is_sandbox:
                pin = "none: this dialect's answers are not signed"
            for col, text in enumerate((e.name, url, impl.title or str(e.dialect), pin)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, e.name)
                editable = col == _PIN_COLUMN and not e.is_sandbox and signed
                if not editable:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, col, item)
        self.table.blockSignals(False)

    def _record(self, name: str) -> EndpointRecord | None:
        record: EndpointRecord | None = self.store.endpoints.get(name)
        return record

    def _edited(self, item: QTableWidgetItem) -> None:
        record = self._record(item.data(Qt.ItemDataRole.UserRole))
        if record is None or item.column() != _PIN_COLUMN:
            return
        text = item.text().strip()
        try:
            pinned = parse_address(text, what="broker address") if text else None
        except ProtocolError as exc:
            self.message.setText(str(exc))
            self.reload()
            return
        self.store.endpoints.save(replace(record, broker_address=pinned))
        self.message.setText(
            f"{record.name}: broker pinned to {pinned}."
            if pinned
            else f"{record.name}: the next broker seen is pinned."
        )
        self.reload()
        self.changed.emit()

    def _add(self) -> None:
        dialog = EndpointDialog({e.name for e in self.store.endpoints.list()}, self)

        def save(name: str, url: str, dialect: str) -> None:
            self.store.endpoints.save(EndpointRecord(name, url, Dialect(dialect)))
            self.message.setText(f"Added {name}.")
            self.reload()
            self.changed.emit()

        dialog.accepted_endpoint.connect(save)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _remove(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        record = self._record(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        if record is None:
            self.message.setText("Select the ClearNode to remove.")
            return
        if record.is_sandbox:
            self.message.setText("The built-in Local sandbox cannot be removed.")
            return

        def really() -> None:
            self.store.endpoints.delete(record.name)
            self.message.setText(f"Removed {record.name}. Its sessions stay in the list.")
            self.reload()
            self.changed.emit()

        confirm(self, "Remove ClearNode", f"Remove {record.name} ({record.url})?", really)
