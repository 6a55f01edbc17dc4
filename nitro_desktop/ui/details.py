"""The details pane: one session as a readable form, the raw JSON and frames under *Advanced*.

Participants with their weights (and which one is you), allocations per asset
with totals, and the quorum in words come first; the exact definition,
allocations and signed frames, each copyable, sit in a collapsed *Advanced*
section for whoever needs to check them byte for byte.
"""

from __future__ import annotations

import json
import time

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.store import AppSessionRecord, StatusChange
from nitro_desktop.ui.address_view import AddressView
from nitro_desktop.ui.session_facts import eip55, quorum_words, read_allocations, read_definition


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


class CopyableText(QWidget):
    """A read-only text block with a Copy button that copies the exact original text."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._raw = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel(f"<b>{title}</b>"))
        head.addStretch()
        self.copy = QPushButton("Copy")
        self.copy.setToolTip(f"Copy the exact {title.lower()} text")
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._raw))
        head.addWidget(self.copy)
        layout.addLayout(head)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumHeight(160)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.text)

    def set_text(self, raw: str | None, shown: str | None = None) -> None:
        self._raw = raw or ""
        self.text.setPlainText(shown if shown is not None else self._raw)
        self.copy.setEnabled(bool(self._raw))
        self.setVisible(bool(self._raw))


class ElidedLabel(QLabel):
    """A one-line label that keeps its full text (``text()``, tooltip) but draws the middle elided.

    A 66-character id would otherwise set the pane's minimum width and push the rest out of view.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("0x0000…0000"), super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = self.fontMetrics()
        shown = metrics.elidedText(self.text(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width())
        painter.drawText(self.contentsRect(), int(self.alignment()), shown)


class Collapsible(QWidget):
    """A titled section that starts folded; its arrow button shows or hides the content."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toggle = QToolButton()
        self.toggle.setObjectName("advanced_toggle")
        self.toggle.setText(title)
        self.toggle.setAccessibleName(f"Show or hide {title.lower()}")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self.set_expanded)
        layout.addWidget(self.toggle)
        self.content = QWidget()
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(12, 0, 0, 0)
        layout.addWidget(self.content)
        self.set_expanded(False)

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.content.setVisible(expanded)


def _table(headers: tuple[str, ...], name: str, accessible: str) -> QTableWidget:
    """A read-only table that is as tall as its rows: the pane scrolls, not each table."""
    table = QTableWidget(0, len(headers))
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for col in range(1, len(headers)):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]], *, bold_last: bool = False) -> None:
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            if c == 0 and value.startswith("0x"):
                item.setFont(fixed)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if bold_last and r == len(rows) - 1:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            table.setItem(r, c, item)
    table.resizeRowsToContents()
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(len(rows)))
    table.setFixedHeight(height)


class DetailsPane(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        self.empty = QLabel("Select a session to see its details.")
        self.empty.setObjectName("details_empty")
        layout.addWidget(self.empty)
        self.box = QGroupBox("Session")
        form = QFormLayout(self.box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields: dict[str, QLabel] = {}
        self.account = AddressView(qr=False)
        self.account.setObjectName("detail_account_view")
        self._session_id = ""
        session_id = ElidedLabel()
        session_id.setObjectName("detail_app_session_id")
        session_id.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        copy_id = QPushButton("Copy id")
        copy_id.setObjectName("copy_session_id")
        copy_id.setAutoDefault(False)
        copy_id.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._session_id))
        id_row = QWidget()
        id_layout = QHBoxLayout(id_row)
        id_layout.setContentsMargins(0, 0, 0, 0)
        id_layout.addWidget(session_id, 1)
        id_layout.addWidget(copy_id)
        form.addRow("Id:", id_row)
        self.fields["app_session_id"] = session_id
        for key, label in (
            ("status", "Status"),
            ("version", "Version"),
            ("protocol", "Protocol"),
            ("application", "Application"),
            ("endpoint", "Endpoint"),
            ("account", "You"),
            ("origin", "Origin"),
            ("created", "Created"),
            ("quorum", "Quorum"),
        ):
            if key == "account":
                self.fields[key] = self.account.text
                form.addRow(f"{label}:", self.account)
                continue
            value = QLabel()
            value.setObjectName(f"detail_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", value)
            self.fields[key] = value
        self._form = form
        layout.addWidget(self.box)

        self.participants_box = QGroupBox("Participants")
        QVBoxLayout(self.participants_box).addWidget(
            participants := _table(
                ("Participant", "Weight", ""), "detail_participants", "Participants and their weights"
            )
        )
        self.participants = participants
        layout.addWidget(self.participants_box)

        self.allocations_box = QGroupBox("Allocations")
        self._allocations_layout = QVBoxLayout(self.allocations_box)
        self.allocation_tables: dict[str, QTableWidget] = {}
        self.no_allocations = QLabel("Nothing allocated: the session holds no funds.")
        self.no_allocations.setObjectName("detail_no_allocations")
        self._allocations_layout.addWidget(self.no_allocations)
        layout.addWidget(self.allocations_box)

        self.history_box = QGroupBox("History")
        self.history = QLabel()
        self.history.setObjectName("detail_history")
        self.history.setWordWrap(True)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.history_box).addWidget(self.history)
        self.fields["history"] = self.history
        layout.addWidget(self.history_box)

        self.advanced = Collapsible("Advanced: raw JSON and signed frames")
        self.definition = CopyableText("Definition")
        self.allocations = CopyableText("Allocations")
        self.request = CopyableText("Signed request")
        self.response = CopyableText("Response")
        for w in (self.definition, self.allocations, self.request, self.response):
            self.advanced.content_layout.addWidget(w)
        layout.addWidget(self.advanced)
        layout.addStretch()
        self.show_session(None)

    def show_session(
        self, record: AppSessionRecord | None, history: list[StatusChange] | None = None
    ) -> None:
        self.empty.setVisible(record is None)
        for box in (self.box, self.participants_box, self.allocations_box, self.history_box, self.advanced):
            box.setVisible(record is not None)
        if record is None:
            for w in (self.definition, self.allocations, self.request, self.response):
                w.set_text(None)
            return
        self._session_id = record.app_session_id
        f = self.fields
        f["app_session_id"].setText(record.app_session_id)
        f["status"].setText(record.status)
        f["version"].setText(str(record.version))
        f["protocol"].setText(record.protocol)
        # A v1 session has no app protocol string: no row rather than an empty one.
        self._form.setRowVisible(f["protocol"], bool(record.protocol))
        f["application"].setText(record.application or "—")
        f["endpoint"].setText(record.endpoint)
        self.account.set_address(eip55(record.account) if record.account.startswith("0x") else None)
        if not record.account.startswith("0x"):
            self.account.text.setText(record.account or "—")
        f["origin"].setText("created here" if record.origin == "created" else "found on the server")
        f["created"].setText(_when(record.created_at))
        self._show_people(record)
        self._show_allocations(record)
        self.history.setText(
            "\n".join(f"{_when(h.at)}: {h.status} (version {h.version})" for h in history or []) or "—"
        )
        self.definition.set_text(record.definition_json, _pretty(record.definition_json))
        self.allocations.set_text(record.allocations_json, _pretty(record.allocations_json))
        self.request.set_text(record.request_frame)
        self.response.set_text(record.response_frame)

    def _show_people(self, record: AppSessionRecord) -> None:
        quorum = read_definition(record.definition_json)
        me = eip55(record.account).lower()
        _fill(
            self.participants,
            [
                (
                    p.address,
                    "—" if p.weight is None else str(p.weight),
                    "you" if p.address.lower() == me else "",
                )
                for p in quorum.participants
            ],
        )
        self.participants_box.setTitle(f"Participants ({len(quorum.participants)})")
        self.fields["quorum"].setText(quorum_words(quorum))

    def _show_allocations(self, record: AppSessionRecord) -> None:
        for table in self.allocation_tables.values():
            self._allocations_layout.removeWidget(table)
            table.deleteLater()
        self.allocation_tables = {}
        groups = read_allocations(record.allocations_json)
        self.no_allocations.setVisible(not groups)
        for group in groups:
            table = _table(
                ("Participant", f"Amount ({group.asset})"),
                f"detail_allocations_{group.asset}",
                f"Allocations in {group.asset}",
            )
            _fill(table, [*group.rows, ("Total", f"{group.total} {group.asset}")], bold_last=True)
            self._allocations_layout.addWidget(table)
            self.allocation_tables[group.asset] = table


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))
