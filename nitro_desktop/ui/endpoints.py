"""The ClearNodes this app knows: add, remove, and edit each one's dialect and pinned broker."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.flows.messages import user_message
from nitro_desktop.protocol import Dialect, ProtocolError, parse_address, spec
from nitro_desktop.store import EndpointRecord
from nitro_desktop.ui import tasks
from nitro_desktop.ui.dialogs import EndpointDialog, button_row, confirm, dialect_name

_DIALECT_COLUMN = 2
_PIN_COLUMN = 3


class EndpointsDialog(QDialog):
    """Edit the pinned broker in place (empty = trust the next server seen, then pin it)."""

    changed = Signal()

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("ClearNodes")
        self.resize(1040, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "A ClearNode's broker signs every answer. Its address is pinned on first use, so a "
                "different server at the same URL is refused; clear it only if the operator changed keys."
            )
        )
        self.table = QTableWidget(0, 4)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("endpoints")
        self.table.setAccessibleName("ClearNodes")
        self.table.setHorizontalHeaderLabels(
            ["Name", "URL", "Dialect", "Pinned broker (double-click to edit)"]
        )
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(_DIALECT_COLUMN, 270)
        self.table.setColumnWidth(_PIN_COLUMN, 330)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._edited)
        layout.addWidget(self.table)
        self.message = QLabel()
        self.message.setObjectName("endpoints_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.detecting: asyncio.Task[Dialect] | None = None
        layout.addLayout(
            button_row(
                [("&Add…", self._add), ("Ask its &dialect", self._detect), ("&Remove…", self._remove)],
                self.accept,
            )
        )
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
            for col, text in enumerate((e.name, url, dialect_name(e.dialect), pin)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, e.name)
                editable = col == _PIN_COLUMN and not e.is_sandbox and signed
                if not editable:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if editable:
                    item.setToolTip(
                        "The broker address this ClearNode must answer as; empty: pin the next one seen"
                    )
                self.table.setItem(i, col, item)
            # The built-in sandboxes are one dialect each; a ClearNode you added may be changed.
            if e.is_sandbox:
                self.table.removeCellWidget(i, _DIALECT_COLUMN)
            else:
                self.table.setCellWidget(i, _DIALECT_COLUMN, self._dialect_box(e))
        self.table.blockSignals(False)

    def _dialect_box(self, record: EndpointRecord) -> QComboBox:
        box = QComboBox()
        box.setObjectName(f"dialect_{record.name}")
        box.setAccessibleName(f"Dialect of {record.name}")
        for dialect in Dialect:
            box.addItem(dialect_name(dialect), dialect.value)
        box.setCurrentIndex(box.findData(str(getattr(record.dialect, "value", record.dialect))))
        box.activated.connect(lambda _i, name=record.name, b=box: self.set_dialect(name, b.currentData()))
        return box

    def set_dialect(self, name: str, dialect: str) -> None:
        record = self._record(name)
        if record is None or record.is_sandbox or str(record.dialect) == dialect:
            return
        self.store.endpoints.save(replace(record, dialect=Dialect(dialect)))
        self.message.setText(
            f"{name} now speaks dialect {dialect_name(dialect)}. It applies from the next connect."
        )
        self.reload()
        self.changed.emit()

    def _selected(self) -> EndpointRecord | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return self._record(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _detect(self) -> None:
        """Ask the selected ClearNode which dialect it speaks, and keep the answer."""
        from nitro_desktop.client.detect import detect_dialect

        record = self._selected()
        if record is None or record.is_sandbox:
            self.message.setText(
                "Select a ClearNode you added: the built-in sandboxes have their own dialect."
            )
            return
        if self.detecting is not None:
            return
        self.message.setText(f"Asking {record.name} which dialect it speaks…")

        def done(task: asyncio.Task[Dialect]) -> None:
            self.detecting = None
            if task.cancelled():
                return
            if (exc := task.exception()) is not None:
                self.message.setText(f"Could not tell its dialect: {user_message(exc, record.url)}.")
                return
            found = task.result()
            if str(found.value) == str(getattr(record.dialect, "value", record.dialect)):
                self.message.setText(f"{record.name} speaks dialect {dialect_name(found)}, as saved.")
            else:
                self.set_dialect(record.name, found.value)

        self.detecting = tasks.spawn(
            self, detect_dialect(record.url), on_done=done, name="Asking the dialect"
        )

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
        record = self._selected()
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
