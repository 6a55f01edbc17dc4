"""The Balances pane: whose balances these are, and one row per asset the server reported."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from decimal import Decimal

    from nitro_desktop.protocol import Balance

ODD_MARK = "\u26a0"  # the warning sign before an amount shown as received


class BalancesDock(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Balances", parent)
        self.setObjectName("balances_dock")
        body = QWidget()
        box = QVBoxLayout(body)
        self.owner = QLabel("Not connected")
        self.owner.setObjectName("balances_owner")
        self.owner.setWordWrap(True)
        box.addWidget(self.owner)
        # The pane is narrower than an address: it is shown whole on two lines, and copied whole.
        self.copy = QPushButton("&Copy address")
        self.copy.setObjectName("balances_copy")
        self.copy.setToolTip("Copy the full EIP-55 address of the account these balances belong to")
        self.copy.clicked.connect(self._copy)
        self.copy.hide()
        box.addWidget(self.copy, 0, Qt.AlignmentFlag.AlignLeft)
        self.account = ""
        self.table = QTableWidget(0, 2)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("balances")
        self.table.setAccessibleName("Balances")
        self.table.setHorizontalHeaderLabels(["Asset", "Amount"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        box.addWidget(self.table)
        self.setWidget(body)
        # The list and details need the room; balances are a handful of rows.
        self.setMaximumWidth(250)
        self.table.setColumnWidth(0, 70)

    def set_owner(self, account: str, endpoint: str, *, loading: bool = False) -> None:
        """Name whose balances these are; ``loading``: none are shown until this node sends them."""
        self.account = account
        half = len(account) // 2 + 1
        self.owner.setText(
            f"{account[:half]}\n{account[half:]}\non {endpoint}" + ("\n(connecting…)" if loading else "")
        )
        self.owner.setToolTip(account)
        self.owner.setAccessibleName(f"Balances of {account} on {endpoint}")
        self.copy.setVisible(bool(account))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.account)

    def set_failed(self, endpoint: str) -> None:
        """A switch that failed shows no numbers at all: not the previous node's under this name."""
        self.table.setRowCount(0)
        self.owner.setText(f"No balances: could not connect to {endpoint}")

    def show_balances(self, balances: Mapping[str, Decimal], odd: Mapping[str, Balance]) -> None:
        from nitro_desktop.protocol import format_amount

        assets = sorted({*balances, *odd})
        self.table.setRowCount(len(assets))
        for i, asset in enumerate(assets):
            self.table.setItem(i, 0, QTableWidgetItem(asset))
            if asset in odd:
                # As received, marked: a number we cannot read is neither hidden nor used.
                item = QTableWidgetItem(f"{ODD_MARK} {odd[asset].raw}")
                item.setToolTip(
                    f"The server sent this amount in a form the app cannot read ({odd[asset].problem})."
                    " It is shown as received and not counted as available."
                )
            else:
                item = QTableWidgetItem(format_amount(balances[asset]))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(i, 1, item)
