"""The window's connection: choosing the endpoint and account, connecting, and what the status
and Balances header say while it happens (issue 16: say the truth about state)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from nitro_desktop.ui.session_model import short_id

if TYPE_CHECKING:
    from decimal import Decimal

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar

    from nitro_desktop.store import SessionRow, Store
    from nitro_desktop.ui.balances import BalancesDock
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.ui.status import ConnectionIndicator
    from nitro_desktop.wallet.core import Wallet


class WindowConnection:
    """Mixed into ``MainWindow``: the parts of it that connect (it supplies these attributes)."""

    if TYPE_CHECKING:
        service: AppService
        store: Store
        settings: QSettings
        endpoint_box: QComboBox
        account_box: QComboBox
        balances_dock: BalancesDock
        indicator: ConnectionIndicator
        rtt: QLabel
        act_endpoint: QAction
        act_new: QAction
        act_refresh: QAction
        act_submit: QAction
        act_close: QAction
        act_deposit: QAction
        ready: bool

        def selected(self) -> SessionRow | None: ...

        @property
        def wallet(self) -> Wallet: ...

        def statusBar(self) -> QStatusBar: ...

    def fill_choices(self, select: str | None = None) -> None:
        from nitro_desktop.wallet.endpoints import SANDBOX_NAME

        endpoint = self.endpoint_box.currentText() or str(self.settings.value("last/endpoint", SANDBOX_NAME))
        account = select or self.account_box.currentData() or self.settings.value("last/account", "")
        self.endpoint_box.clear()
        for e in self.store.endpoints.list():
            self.endpoint_box.addItem(e.name, e.name)
            self.endpoint_box.setItemData(
                self.endpoint_box.count() - 1, f"{e.url} (dialect {e.dialect})", Qt.ItemDataRole.ToolTipRole
            )
        self.endpoint_box.setCurrentIndex(max(0, self.endpoint_box.findData(endpoint)))
        self.account_box.clear()
        for a in self.wallet.accounts.list():
            self.account_box.addItem(f"{a.label} — {short_id(a.address, 8, 6)}", a.address)
        self.account_box.setCurrentIndex(max(0, self.account_box.findData(account)))

    def reconnect(self) -> None:
        endpoint, account = self.endpoint_box.currentData(), self.account_box.currentData()
        if not endpoint or not account:
            return
        self.settings.setValue("last/endpoint", endpoint)
        self.settings.setValue("last/account", account)
        self.balances_dock.set_owner(account, endpoint, loading=True)
        self.balances_dock.show_balances({}, {})
        self.rtt.clear()
        record = self.store.endpoints.get(endpoint)
        self.indicator.sandbox = bool(record and record.is_sandbox)
        self.indicator.set_locked(False)
        self.update_actions()
        self.service.spawn(self._connect(endpoint, account), what=f"Connecting to {endpoint}")

    async def _connect(self, endpoint: str, account: str) -> None:
        from nitro_desktop.wallet.unlock import PasswordCancelled

        try:
            await self.wallet.connect_to(endpoint, account)
        except PasswordCancelled:
            self.indicator.set_locked(True)
            self.update_actions()
            self.statusBar().showMessage("Locked — click the status to enter the password.", 15000)
        except Exception:
            if self.endpoint_box.currentData() == endpoint:  # not already switched on again
                self.balances_dock.set_failed(endpoint)
            raise

    def _show_balances(self, balances: dict[str, Decimal]) -> None:
        wallet = self.wallet
        if balances and wallet.endpoint is not None and wallet.account is not None:
            # The header names the node these numbers came from, whatever the combo box shows now.
            self.balances_dock.set_owner(wallet.account, wallet.endpoint.name)
        self.balances_dock.show_balances(balances, wallet.odd_balances)

    def _endpoint_menu(self) -> None:
        if self.indicator.locked:  # one click asks for the password again
            self.reconnect()
            return
        menu = QMenu(self.indicator)
        menu.addAction("Reconnect now", self.reconnect)
        menu.addAction(self.act_endpoint)
        menu.popup(self.indicator.mapToGlobal(self.indicator.rect().topLeft()))

    def update_actions(self) -> None:
        """Enable what can work now; what cannot says why in its tooltip (and so in the toolbar)."""
        if self.ready:
            offline = ""
        elif self.indicator.locked:
            offline = "Locked: click the status bar to enter the key's password first."
        else:
            offline = "Not connected yet: this needs a signed-in ClearNode (see the status bar)."
        row = self.selected()
        if row is None:
            session = "Select an open session first."
        elif row.status != "open":
            session = f"This session is {row.status}: it cannot be changed any more."
        else:
            session = ""
        for action, why, base in (
            (self.act_new, offline, "Create an application session"),
            (self.act_refresh, offline, "Read this account's sessions from the ClearNode"),
            (self.act_submit, offline or session, "Submit a new state for the selected session"),
            (self.act_close, offline or session, "Close the selected session and settle it"),
            (self.act_deposit, offline or session, "Deposit into the selected session"),
        ):
            action.setEnabled(not why)
            action.setToolTip(why or base)
