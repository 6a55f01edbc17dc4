"""The persistent session list: a table model over the store's light rows.

Rows are plain tuples held in Python lists; filtering is a list
comprehension over them (``store.filter_rows``), so 100,000 sessions load and
filter without a query per keystroke and without a QSortFilterProxyModel
(whose per-row Python callbacks are what make large Qt lists slow).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from nitro_desktop.store import SessionRow, filter_rows

COLUMNS = ("Session", "Status", "Participants", "Application", "Total", "Version", "Updated", "Endpoint")
_Index = QModelIndex | QPersistentModelIndex


def short_id(value: str, head: int = 10, tail: int = 6) -> str:
    return value if len(value) <= head + tail + 1 else f"{value[:head]}…{value[-tail:]}"


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


class SessionListModel(QAbstractTableModel):
    """All sessions from the store, filtered by text (id or participant) and status."""

    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[SessionRow] = []
        self._shown: list[SessionRow] = []
        self._text = ""
        self._status: str | None = None
        self._sort_column = 6
        self._sort_order = Qt.SortOrder.DescendingOrder

    # ---- loading and filtering ------------------------------------------------
    def set_rows(self, rows: Sequence[SessionRow]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._shown = self._apply()
        self.endResetModel()

    def upsert(self, row: SessionRow) -> None:
        """Add or replace one session without reloading the whole list."""
        for i, existing in enumerate(self._all):
            if existing.app_session_id == row.app_session_id:
                self._all[i] = row
                break
        else:
            self._all.insert(0, row)
        self.beginResetModel()
        self._shown = self._apply()
        self.endResetModel()

    def set_filter(self, text: str = "", status: str | None = None) -> None:
        if (text, status) == (self._text, self._status):
            return
        self.beginResetModel()
        self._text, self._status = text, status or None
        self._shown = self._apply()
        self.endResetModel()

    def _apply(self) -> list[SessionRow]:
        rows = filter_rows(self._all, text=self._text, status=self._status)
        key = _SORT_KEYS[self._sort_column]
        rows.sort(key=key, reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return rows

    def total_count(self) -> int:
        return len(self._all)

    def row_at(self, row: int) -> SessionRow | None:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def index_of(self, app_session_id: str) -> QModelIndex:
        for i, r in enumerate(self._shown):
            if r.app_session_id == app_session_id:
                return self.index(i, 0)
        return QModelIndex()

    # ---- Qt model interface -------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        r = self._shown[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return r.app_session_id
            if col == 2:
                return "\n".join(r.participants.split(","))
            return None
        if role == self.ID_ROLE:
            return r.app_session_id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort_column, self._sort_order = column, order
        self._shown = self._apply()
        self.layoutChanged.emit()


def _display(r: SessionRow, col: int) -> str:
    if col == 0:
        return short_id(r.app_session_id) + ("  (found on server)" if r.origin == "server" else "")
    if col == 1:
        return r.status
    if col == 2:
        parts = [p for p in r.participants.split(",") if p]
        return f"{len(parts)}: " + ", ".join(short_id(p, 6, 4) for p in parts)
    if col == 3:
        return f"{r.application} · {r.protocol}" if r.application else r.protocol
    if col == 4:
        return r.totals
    if col == 5:
        return str(r.version)
    if col == 6:
        return _when(r.updated_at)
    return r.endpoint


_SORT_KEYS: dict[int, Any] = {
    0: lambda r: r.app_session_id,
    1: lambda r: r.status,
    2: lambda r: r.participants,
    3: lambda r: (r.application, r.protocol),
    4: lambda r: r.totals,
    5: lambda r: r.version,
    6: lambda r: r.updated_at,
    7: lambda r: r.endpoint,
}
