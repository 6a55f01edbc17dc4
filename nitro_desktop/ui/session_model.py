"""The persistent session list: a table model that reads the store one page at a time.

The list shows at once and memory stays flat however many sessions are
stored: the model holds the rows loaded so far of the current filter and
order, Qt asks for more (``canFetchMore``/``fetchMore``) as the view scrolls
towards the end, and filter and sort are SQL over all rows (``Sessions.page``),
with the same results as ``store.filter_rows`` and a stable sort of
``rows()``. A saved session is placed into the loaded rows where it belongs
instead of reloading the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cmp_to_key, lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtGui import QPaintEvent, QPalette, QResizeEvent, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from nitro_desktop.ui.checksum import eip55
from nitro_desktop.ui.session_columns import fit_columns

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

    from nitro_desktop.store import SessionRow
    from nitro_desktop.store.sessions import Sessions

COLUMNS = ("Session", "Status", "Participants", "Application", "Total", "Version", "Updated", "Endpoint")
SORT_NAMES = (
    "app_session_id",
    "status",
    "participants",
    "application",
    "totals",
    "version",
    "updated_at",
    "endpoint",
)
RowKey = Callable[["SessionRow"], Any]
# The in-memory twin of ``Sessions.page``'s ORDER BY, to place one row without a query.
_SORT_KEYS: dict[str, tuple[RowKey, ...]] = {name: (attrgetter(name),) for name in SORT_NAMES}
_SORT_KEYS["application"] = (attrgetter("application"), attrgetter("protocol"))


def _totals_key(r: SessionRow) -> str:
    # The store's modules load with the store, after the window's first paint.
    from nitro_desktop.store.schema import totals_sort_key

    return totals_sort_key(r.totals)


_SORT_KEYS["totals"] = (_totals_key,)  # by amount per asset, not as text
PAGE = 256
# A (re)load reads only this many: more than a tall viewport shows, a quarter of a page to query and
# hold before the first rows paint; the view fetches PAGE more as it scrolls towards the end.
FIRST_PAGE = 64
_Index = QModelIndex | QPersistentModelIndex
# Qt's item roles and alignment as plain ints (Qt.ItemDataRole is an IntEnum): the ``Qt``
# namespace builds ~100 Python enums on first use (tens of ms), which the first frame does without.
DISPLAY_ROLE, TOOLTIP_ROLE, ALIGNMENT_ROLE, USER_ROLE = 0, 3, 7, 256
# The roles SessionListModel.data answers (its ID_ROLE is USER_ROLE + 1).
_ANSWERED_ROLES = frozenset((DISPLAY_ROLE, TOOLTIP_ROLE, ALIGNMENT_ROLE, USER_ROLE + 1))
ALIGN_RIGHT_VCENTER = 0x0002 | 0x0080


def short_id(value: str, head: int = 10, tail: int = 6) -> str:
    return value if len(value) <= head + tail + 1 else f"{value[:head]}…{value[-tail:]}"


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _when_short(ts: float, now: float | None = None) -> str:
    """Today's time, else the date: the full moment is in the tooltip."""
    day = time.localtime(ts)[:3]
    if day == time.localtime(now)[:3]:
        return time.strftime("%H:%M", time.localtime(ts))
    return time.strftime("%Y-%m-%d", time.localtime(ts))


@lru_cache(maxsize=4096)
def _checksummed(participants: str) -> tuple[str, ...]:
    """The stored lower-case participants in EIP-55, cached: the list repaints often."""
    return tuple(eip55(p) for p in participants.split(",") if p)


def _cmp(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


class SessionListModel(QAbstractTableModel):
    """The stored sessions, filtered by text (id or participant) and status, loaded page by page."""

    ID_ROLE = USER_ROLE + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._source: Sessions | None = None
        self._loaded: list[SessionRow] = []
        self._matching = 0
        self._total = 0
        self._text = ""
        self._status: str | None = None
        self._sort_column = 6
        self._descending = True
        self._counted = True  # False: _matching is a guess (one more than loaded) until counted

    # ---- loading and filtering ------------------------------------------------
    def set_source(self, sessions: Sessions | None, *, count: bool = True) -> None:
        """Read from ``sessions``; loads the first page (``count`` False: counts when first asked)."""
        # (Counting scans every row: start-up paints the first rows before it counts 100k of them.)
        self._source = sessions
        self.reload(count=count)

    def reload(self, *, count: bool = True) -> None:
        """Start again from the first page (after many rows changed at once)."""
        self.beginResetModel()
        self._loaded = self._page(0, FIRST_PAGE)
        if count or self._source is None:
            self._recount()
        elif len(self._loaded) < FIRST_PAGE and not (self._text.strip() or self._status):
            self._counted, self._matching = True, len(self._loaded)  # a short page is every row
            self._total = self._matching
        else:
            self._counted, self._matching = False, len(self._loaded) + 1
        self.endResetModel()

    def _ensure_counted(self) -> None:
        if not self._counted:
            self._recount()

    def _recount(self) -> None:
        self._counted = True
        if self._source is None:
            self._matching = self._total = 0
            return
        self._total = self._source.count()
        filtered = self._text.strip() or self._status
        self._matching = (
            self._source.count_matching(text=self._text, status=self._status) if filtered else self._total
        )

    def _page(self, offset: int, limit: int) -> list[SessionRow]:
        if self._source is None:
            return []
        return self._source.page(
            text=self._text,
            status=self._status,
            sort=SORT_NAMES[self._sort_column],
            descending=self._descending,
            offset=offset,
            limit=limit,
        )

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._loaded) < self._matching

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        self._ensure_counted()
        more = self._page(len(self._loaded), PAGE)
        if not more:
            self._matching = len(self._loaded)  # rows went away under us: stop asking
            return
        first = len(self._loaded)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._loaded.extend(more)
        self.endInsertRows()

    def upsert(self, row: SessionRow) -> None:
        """Put one added or changed session where the current filter and order place it."""
        self.upsert_many([row])

    def upsert_many(self, rows: Sequence[SessionRow]) -> None:
        """Put added or changed sessions in place, row by row (counted once); many at once reload."""
        if len(rows) > PAGE:
            self.reload()
            return
        self._ensure_counted()
        was_complete = not self.canFetchMore()
        for row in rows:
            self._place(row, was_complete)
        self._recount()

    def _place(self, row: SessionRow, was_complete: bool) -> None:
        for i, existing in enumerate(self._loaded):
            if existing.app_session_id == row.app_session_id:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._loaded[i]
                self.endRemoveRows()
                break
        from nitro_desktop.store.sessions import filter_rows

        if not filter_rows([row], text=self._text, status=self._status):
            return
        position = self._position(row)
        # Past the loaded rows it arrives with a later page (unless everything was already loaded).
        if position < len(self._loaded) or was_complete:
            self.beginInsertRows(QModelIndex(), position, position)
            self._loaded.insert(position, row)
            self.endInsertRows()

    def _position(self, row: SessionRow) -> int:
        """Where ``row`` goes in the loaded rows, by the ORDER BY that ``Sessions.page`` uses."""
        keys = _SORT_KEYS[SORT_NAMES[self._sort_column]]
        sign = -1 if self._descending else 1

        def compare(a: SessionRow, b: SessionRow) -> int:
            for key_of in keys:
                c = _cmp(key_of(a), key_of(b))
                if c:
                    return sign * c
            return _cmp(b.updated_at, a.updated_at) or _cmp(a.app_session_id, b.app_session_id)

        key = cmp_to_key(compare)
        new = key(row)
        for i, existing in enumerate(self._loaded):
            if new < key(existing):
                return i
        return len(self._loaded)

    def set_filter(self, text: str = "", status: str | None = None) -> None:
        if (text, status or None) == (self._text, self._status):
            return
        self._text, self._status = text, status or None
        self.reload()

    def total_count(self) -> int:
        """All stored sessions."""
        self._ensure_counted()
        return self._total

    def match_count(self) -> int:
        """Sessions the filter keeps (loaded or not yet)."""
        self._ensure_counted()
        return self._matching

    def row_at(self, row: int) -> SessionRow | None:
        return self._loaded[row] if 0 <= row < len(self._loaded) else None

    def index_of(self, app_session_id: str) -> QModelIndex:
        for i, r in enumerate(self._loaded):
            if r.app_session_id == app_session_id:
                return self.index(i, 0)
        return QModelIndex()

    # ---- Qt model interface -------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._loaded)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        # (The list's own header reads SessionTable's label model: see there.)
        if role == DISPLAY_ROLE and orientation == QtCore.Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = 0) -> Any:
        # Painting asks each cell for seven roles (font, colours, check state…), five not ours:
        # those are answered before the index is read (three calls into Qt each).
        if role not in _ANSWERED_ROLES:
            return None
        if not index.isValid():
            return None
        r = self._loaded[index.row()]
        col = index.column()
        if role == DISPLAY_ROLE:
            return _display(r, col)
        if role == TOOLTIP_ROLE:
            if col == 0:
                return r.app_session_id + ("\nfound on the server" if r.origin == "server" else "")
            if col == 2:
                return "\n".join(_checksummed(r.participants))
            if col == 6:
                return _when(r.updated_at)
            if col in (3, 4, 7):
                return _display(r, col) or None
            return None
        if role == self.ID_ROLE:
            return r.app_session_id
        if role == ALIGNMENT_ROLE and col in (4, 5):
            return ALIGN_RIGHT_VCENTER
        return None

    def sort(self, column: int, order: Qt.SortOrder | None = None) -> None:
        """Order by ``column`` (ascending when ``order`` is None, as Qt's default)."""
        descending = order == QtCore.Qt.SortOrder.DescendingOrder if order is not None else False
        if (column, descending) == (self._sort_column, self._descending) and self._loaded:
            return
        self._sort_column, self._descending = column, descending
        self.reload()


def _display(r: SessionRow, col: int) -> str:
    if col == 0:
        return short_id(r.app_session_id, 6, 4) + (" · found on server" if r.origin == "server" else "")
    if col == 1:
        return r.status
    if col == 2:
        parts = _checksummed(r.participants)
        return f"{len(parts)}: " + ", ".join(short_id(p, 6, 4) for p in parts)
    if col == 3:
        return f"{r.application} · {r.protocol}" if r.application else r.protocol
    if col == 4:
        return r.totals
    if col == 5:
        return str(r.version)
    if col == 6:
        return _when_short(r.updated_at)
    return r.endpoint


class SessionTable(QTableView):
    """The session list's view; says when it has first painted, and first painted rows.

    (A paintEvent override rather than an event filter: the filter needs Qt's
    large QEvent.Type enum built in Python, which the first frame can do without.)
    """

    first_painted = Signal()
    first_rows_painted = Signal()

    def __init__(self, model: SessionListModel) -> None:
        super().__init__()
        self._painted = self._rows_painted = False
        self._fitting = self._user_sized = self._attaching = False
        self.setObjectName("sessions")
        self.setAccessibleName("Sessions")
        self.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        # Header labels from a C++ model: our headerData (kept for screen readers) would take
        # Qt.Orientation, so the whole Qt namespace, into Python. Sizes wait until they are set.
        self._attaching = True
        # Our own viewport, held: viewport() returns a known wrapper. Qt's own would be typed by
        # a search of every QWidget subclass, building ~70 classes' enums before the first paint.
        self._viewport = QWidget()
        # What Qt does for the viewport it makes itself: cells on the Base colour, not the window's.
        self._viewport.setBackgroundRole(QPalette.ColorRole.Base)
        self._viewport.setAutoFillBackground(True)
        self.setViewport(self._viewport)
        self.verticalHeader().hide()
        self.setModel(model)
        self._labels = QStandardItemModel(0, len(COLUMNS), self)
        self._labels.setHorizontalHeaderLabels(list(COLUMNS))
        self.horizontalHeader().setModel(self._labels)
        self._attaching = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setWordWrap(False)
        # Cells elide on the right (Qt's default): ids and addresses are already cut mid-way.
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self._fit()

    def finish_setup(self) -> None:
        """Sorting (newest first) and the context menu: what needs ``Qt``'s enums, after the first paint."""
        if not self.isSortingEnabled():
            self.sortByColumn(6, QtCore.Qt.SortOrder.DescendingOrder)  # the model's own order: no reload
            self.setSortingEnabled(True)
            self.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        # A column the user drags keeps its width: the list stops fitting itself from then on.
        # (The last visible column follows the others: its changes are not the user's.)
        header = self.horizontalHeader()
        visible = [header.logicalIndex(v) for v in range(header.count())]
        last = [c for c in visible if not header.isSectionHidden(c)][-1:]
        if not self._fitting and [column] != last and not header.isSectionHidden(column):
            self._user_sized = True

    def _fit(self) -> None:
        if self._user_sized:
            return
        self._fitting = True
        try:
            available = self.viewport().width()
            widths = fit_columns(available)
            # The last column shown is the header's to stretch over the room left, to the pixel;
            # ours rounds down, and the two widths made each resize the other on every layout.
            last = max(widths)
            widths[last] = max(widths[last], available - sum(widths.values()) + widths[last])
            for col in range(len(COLUMNS)):
                self.setColumnHidden(col, col not in widths)
                if col in widths:
                    self.setColumnWidth(col, widths[col])
        finally:
            self._fitting = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def updateGeometries(self) -> None:
        if self._attaching:
            return
        # Also when only the viewport changes (a vertical scrollbar appears as rows arrive).
        super().updateGeometries()
        if not self._fitting:
            self._fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()
        if not self._rows_painted and self.model() is not None and self.model().rowCount() > 0:
            self._rows_painted = True
            self.first_rows_painted.emit()
