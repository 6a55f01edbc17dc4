"""The first four pages of the session wizard: thin views over ``CreateSessionFlow``.

Every edit writes straight into the flow and re-validates; a page is
complete exactly when the flow reports no problems for it, and each problem
is shown beside the field it concerns.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from nitro_desktop.flows import PAGES, PRESETS, CreateSessionFlow
from nitro_desktop.ui.feedback import error_label, show_problem


class FlowPage(QWizardPage):
    """A page whose completeness is the flow's verdict on it."""

    page_name = ""

    def __init__(self, flow: CreateSessionFlow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow

    def problems(self) -> dict[str, str]:
        return self.flow.page_problems(self.page_name)

    def first_input(self) -> QWidget | None:
        """Where typing should start when the page appears (None: the first focusable widget)."""
        return None

    def isComplete(self) -> bool:
        return not self.problems()

    def nextId(self) -> int:
        # The flow decides the step order (a dialect may skip a page); page ids are indexes in PAGES.
        following = self.flow.next_page(self.page_name)
        return PAGES.index(following) if following is not None else -1

    def revalidate(self) -> None:
        self.show_problems(self.problems())
        self.completeChanged.emit()

    def show_problems(self, problems: dict[str, str]) -> None:
        raise NotImplementedError


_PLURALS = {
    "protocol": "app protocol names",
    "application": "application names",
    "challenge": "challenge periods",
    "nonce": "nonces",
}


class ApplicationPage(FlowPage):
    page_name = "application"

    def __init__(self, flow: CreateSessionFlow, parent: QWidget | None = None) -> None:
        super().__init__(flow, parent)
        self.setTitle("Application")
        self.setSubTitle(
            "What the session is for. The nonce makes its id unique; the current time is a good one."
        )
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.cells: dict[str, QWidget] = {}
        for name, label, tip in (
            ("protocol", "&Protocol:", "The app protocol version the ClearNode should apply."),
            ("application", "Application &name:", "Part of the session id on v0.5 ClearNodes."),
            ("challenge", "&Challenge period (s):", "Seconds a challenge of the state stays open."),
            ("nonce", "&Nonce:", "Any unused whole number up to 2^53 - 1; defaults to now in milliseconds."),
        ):
            edit = QLineEdit(str(getattr(flow, name)))
            edit.setObjectName(name)
            edit.setToolTip(tip)
            edit.textChanged.connect(lambda text, n=name: self._edited(n, text))
            err = error_label()
            # The field and its error share a cell: an error keeps its line when hidden (a form
            # row of its own would not), so the fields below never move under the pointer.
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(err)
            form.addRow(label, cell)
            cell.setFocusProxy(edit)
            row_label = form.labelForField(cell)
            if isinstance(row_label, QLabel):
                row_label.setBuddy(edit)  # the mnemonic and screen readers name the field itself
            self.fields[name], self.errors[name], self.cells[name] = edit, err, cell
        held = flow.application_fields()
        for name, edit in self.fields.items():
            if name not in held:
                edit.setEnabled(False)
                edit.setToolTip(f"This ClearNode does not use {_PLURALS[name]}.")
                # A field the definition cannot hold is not shown at all (v1: protocol, challenge).
                form.setRowVisible(self.cells[name], False)
        pattern = flow.dialect_spec.application_pattern
        if pattern is not None:
            name_label = form.labelForField(self.cells["application"])
            if isinstance(name_label, QLabel):
                name_label.setText("Application &id:")
            self.fields["application"].setToolTip(
                f"Part of the session id: lower-case letters, digits, _ and - (^{pattern}$)."
            )

    def _edited(self, name: str, text: str) -> None:
        setattr(self.flow, name, text)
        self.revalidate()

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, label in self.errors.items():
            show_problem(label, problems.get(name))


class ParticipantsPage(FlowPage):
    page_name = "participants"

    def __init__(self, flow: CreateSessionFlow, parent: QWidget | None = None) -> None:
        super().__init__(flow, parent)
        self.setTitle("Participants and weights")
        self.setSubTitle("Who takes part, how much each signature weighs, and what weight updates need.")
        layout = QVBoxLayout(self)
        presets = QHBoxLayout()
        presets.addWidget(QLabel("Presets:"))
        for key, text in PRESETS.items():
            button = QPushButton(text.split(":")[0])
            button.setObjectName(f"preset_{key}")
            button.setToolTip(text)
            button.clicked.connect(lambda _=False, k=key: self._preset(k))
            presets.addWidget(button)
        presets.addStretch()
        layout.addLayout(presets)

        self.table = QTableWidget(0, 2)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("participants")
        self.table.setAccessibleName("Participants and weights")
        self.table.setHorizontalHeaderLabels(["Address", "Weight"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._cell_edited)
        layout.addWidget(self.table)

        buttons = QHBoxLayout()
        for name, text, slot in (
            ("add", "&Add", self._add),
            ("remove", "&Remove", self._remove),
            ("up", "Move &up", lambda: self._move(-1)),
            ("down", "Move &down", lambda: self._move(1)),
            ("fix_checksum", "&Fix checksum", self._fix_checksum),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.row_error = error_label()
        layout.addWidget(self.row_error)

        quorum_row = QHBoxLayout()
        quorum_label = QLabel("&Quorum:")
        quorum_row.addWidget(quorum_label)
        self.quorum = QLineEdit(flow.quorum)
        self.quorum.setObjectName("quorum")
        self.quorum.setMaximumWidth(120)
        quorum_label.setBuddy(self.quorum)
        self.quorum.textChanged.connect(self._quorum_edited)
        quorum_row.addWidget(self.quorum)
        quorum_row.addStretch()
        layout.addLayout(quorum_row)
        self.statement = QLabel()
        self.statement.setObjectName("quorum_statement")
        self.statement.setWordWrap(True)
        layout.addWidget(self.statement)
        self.quorum_error = error_label()
        layout.addWidget(self.quorum_error)
        self._reload()

    def first_input(self) -> QWidget | None:
        return self.table

    def _reload(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.flow.participants))
        for i, p in enumerate(self.flow.participants):
            self.table.setItem(i, 0, QTableWidgetItem(p.address))
            self.table.setItem(i, 1, QTableWidgetItem(p.weight))
        if self.table.currentRow() < 0 and self.table.rowCount():
            self.table.setCurrentCell(0, 0)  # arrow keys start from the first row
        self.table.blockSignals(False)
        self.quorum.blockSignals(True)
        self.quorum.setText(self.flow.quorum)
        self.quorum.blockSignals(False)
        self.revalidate()

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        p = self.flow.participants[item.row()]
        if item.column() == 0:
            p.address = item.text().strip()
        else:
            p.weight = item.text().strip()
        self.revalidate()

    def _quorum_edited(self, text: str) -> None:
        self.flow.quorum = text
        self.revalidate()

    def _preset(self, key: str) -> None:
        self.flow.apply_preset(key)
        self._reload()

    def _add(self) -> None:
        self.flow.add_participant()
        self._reload()
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        item = self.table.item(self.table.rowCount() - 1, 0)
        if item is not None:
            self.table.editItem(item)

    def _remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.flow.remove_participant(row)
            self._reload()

    def _move(self, offset: int) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.flow.move_participant(row, offset)
            self._reload()
            self.table.setCurrentCell(max(0, min(row + offset, self.table.rowCount() - 1)), 0)

    def _fix_checksum(self) -> None:
        # The selected row, or every row when none is selected.
        row = self.table.currentRow()
        for i in [row] if row >= 0 else range(len(self.flow.participants)):
            self.flow.fix_checksum(i)
        self._reload()

    def show_problems(self, problems: dict[str, str]) -> None:
        rows = [v for k, v in problems.items() if k.startswith(("participant", "weight"))]
        show_problem(self.row_error, "\n".join(rows))
        show_problem(self.quorum_error, problems.get("quorum"))
        self.statement.setText(self.flow.quorum_statement())
        for i in range(self.table.rowCount()):
            bad = f"participant.{i}" in problems
            item = self.table.item(i, 0)
            if item is not None:
                item.setToolTip(problems.get(f"participant.{i}", ""))
                item.setForeground(Qt.GlobalColor.red if bad else self.palette().text().color())


class AllocationsPage(FlowPage):
    page_name = "allocations"
    assets_changed = Signal()

    def __init__(self, flow: CreateSessionFlow, parent: QWidget | None = None) -> None:
        super().__init__(flow, parent)
        self.setTitle("Allocations")
        self.setSubTitle("What each participant puts into the session, in asset units.")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setTabKeyNavigation(False)  # Tab moves between the amount fields and on
        self.table.setObjectName("allocations")
        self.table.setAccessibleName("Allocations")
        self.table.setHorizontalHeaderLabels(["Participant", "Asset", "Amount", "Your balance"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        self.errors = error_label()
        layout.addWidget(self.errors)
        self.total = QLabel()
        self.total.setObjectName("total")
        layout.addWidget(self.total)
        self._editors: list[tuple[QComboBox, QLineEdit]] = []

    def initializePage(self) -> None:
        self.flow.sync_allocations()
        self.table.setRowCount(len(self.flow.participants))
        self._editors = []
        for i, (p, a) in enumerate(zip(self.flow.participants, self.flow.allocations, strict=True)):
            who = QTableWidgetItem(p.address + ("  (you)" if p.address in self.flow.local_accounts else ""))
            who.setFlags(who.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(i, 0, who)
            asset = QComboBox()
            asset.setAccessibleName(f"Asset of participant {i + 1}")
            asset.addItems(list(self.flow.assets))
            asset.setCurrentText(a.asset)
            asset.currentTextChanged.connect(lambda text, i=i: self._asset(i, text))
            amount = QLineEdit(a.amount)
            amount.setObjectName(f"amount_{i}")
            amount.setAccessibleName(f"Amount participant {i + 1} puts in")
            amount.textChanged.connect(lambda text, i=i: self._amount(i, text))
            self.table.setCellWidget(i, 1, asset)
            self.table.setCellWidget(i, 2, amount)
            self._editors.append((asset, amount))
            self._balance_cell(i)
        self.revalidate()

    def first_input(self) -> QWidget | None:
        return self._editors[0][1] if self._editors else None

    def _balance_cell(self, i: int) -> None:
        item = QTableWidgetItem(self.flow.held_text(i))
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(i, 3, item)

    def _asset(self, i: int, text: str) -> None:
        self.flow.allocations[i].asset = text
        self._balance_cell(i)
        self.revalidate()

    def _amount(self, i: int, text: str) -> None:
        self.flow.allocations[i].amount = text.strip()
        self.revalidate()

    def show_problems(self, problems: dict[str, str]) -> None:
        show_problem(self.errors, "\n".join(problems.values()))
        self.total.setText(self.flow.total_text())
        for i, (_asset, amount) in enumerate(self._editors):
            bad = f"amount.{i}" in problems
            amount.setStyleSheet("border: 1px solid #c0392b;" if bad else "")
            amount.setToolTip(problems.get(f"amount.{i}", ""))


class SignersPage(FlowPage):
    page_name = "signers"
    collect_requested = Signal()

    def __init__(self, flow: CreateSessionFlow, parent: QWidget | None = None) -> None:
        super().__init__(flow, parent)
        self.setTitle("Signers")
        self.setSubTitle("Which of your accounts sign the request. Accounts that put funds in must sign.")
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setObjectName("signers")
        self.list.setAccessibleName("Accounts that sign")
        self.list.itemChanged.connect(self._changed)
        layout.addWidget(self.list)
        self.errors = error_label()
        layout.addWidget(self.errors)
        self.collect = QPushButton("&Collect signatures…")
        self.collect.setObjectName("collect_signatures")
        self.collect.setToolTip("Sign with your accounts and save a signing request for the others to sign")
        self.collect.clicked.connect(self.collect_requested)
        self.collect.hide()
        layout.addWidget(self.collect, 0, Qt.AlignmentFlag.AlignLeft)

    def initializePage(self) -> None:
        required = self.flow.required_signers()
        self.flow.preselect_signers()
        self.list.blockSignals(True)
        self.list.clear()
        for address in self.flow.local_accounts:
            item = QListWidgetItem(
                address + ("  — funds the session, must sign" if address in required else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, address)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if address in self.flow.signers else Qt.CheckState.Unchecked
            )
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.revalidate()

    def first_input(self) -> QWidget | None:
        return self.list

    def _changed(self, item: QListWidgetItem) -> None:
        address = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self.flow.signers.add(address)
        else:
            self.flow.signers.discard(address)
        self.revalidate()

    def show_problems(self, problems: dict[str, str]) -> None:
        show_problem(self.errors, "\n".join(v for k, v in problems.items() if k in ("signers", "external")))
        # Collecting needs every local requirement met: only the others' signatures may be missing.
        self.collect.setVisible("external" in problems)
        self.collect.setEnabled(set(problems) == {"external"})
