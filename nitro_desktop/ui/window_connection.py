"""The window's connection: choosing the endpoint and account, connecting, and what the status
and Balances header say while it happens (issue 16: say the truth about state)."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtWidgets import QMenu

from nitro_desktop.ui.session_model import short_id

if TYPE_CHECKING:
    from decimal import Decimal

    from nitro_desktop.ui.main_window import MainWindow


class WindowConnection:
    """The window's connection part: choosing the endpoint and account, connecting, and what the
    status, Balances header and actions say meanwhile. The window holds one (composition)."""

    def __init__(self, window: MainWindow) -> None:
        # Weak: the window holds this object; a cycle through a window leaves its deletion to the GC.
        self._window = weakref.ref(window)

    @property
    def window(self) -> MainWindow:
        window = self._window()
        if window is None:
            raise RuntimeError("the window of this connection part is gone")
        return window

    def fill_choices(self, select: str | None = None) -> None:
        from nitro_desktop.wallet.endpoints import SANDBOX_NAME

        w = self.window
        endpoint = w.endpoint_box.currentText() or str(w.settings.value("last/endpoint", SANDBOX_NAME))
        account = select or w.account_box.currentData() or w.settings.value("last/account", "")
        w.endpoint_box.clear()
        for e in w.store.endpoints.list():
            w.endpoint_box.addItem(e.name, e.name)
            w.endpoint_box.setItemData(
                w.endpoint_box.count() - 1,
                f"{e.url} (dialect {e.dialect})",
                QtCore.Qt.ItemDataRole.ToolTipRole,
            )
        w.endpoint_box.setCurrentIndex(max(0, w.endpoint_box.findData(endpoint)))
        w.account_box.clear()
        for a in w.wallet.accounts.list():
            w.account_box.addItem(f"{a.label} — {short_id(a.address, 8, 6)}", a.address)
        w.account_box.setCurrentIndex(max(0, w.account_box.findData(account)))

    def reconnect(self) -> None:
        w = self.window
        endpoint, account = w.endpoint_box.currentData(), w.account_box.currentData()
        if not endpoint or not account:
            return
        w.settings.setValue("last/endpoint", endpoint)
        w.settings.setValue("last/account", account)
        w.balances_dock.set_owner(account, endpoint, loading=True)
        w.balances_dock.show_balances({}, {})
        w.rtt.clear()
        record = w.store.endpoints.get(endpoint)
        w.indicator.sandbox = bool(record and record.is_sandbox)
        w.indicator.switch_to(endpoint)
        w.ready = False  # nothing is offered on the node being left while the next one signs in
        self.update_actions()
        w.service.spawn(self._connect(endpoint, account), what=f"Connecting to {endpoint}")

    async def _connect(self, endpoint: str, account: str) -> None:
        from nitro_desktop.wallet.unlock import PasswordCancelled

        w = self.window
        try:
            await w.wallet.connect_to(endpoint, account)
        except PasswordCancelled:
            w.indicator.set_locked(True)
            self.update_actions()
            w.statusBar().showMessage("Locked — click the status to enter the password.", 15000)
        except Exception:
            if w.endpoint_box.currentData() == endpoint:  # not already switched on again
                w.balances_dock.set_failed(endpoint)
            raise

    def show_balances(self, balances: dict[str, Decimal]) -> None:
        w = self.window
        wallet = w.wallet
        if balances and wallet.endpoint is not None and wallet.account is not None:
            # The header names the node these numbers came from, whatever the combo box shows now.
            w.balances_dock.set_owner(wallet.account, wallet.endpoint.name)
        w.balances_dock.show_balances(balances, wallet.odd_balances)

    def endpoint_menu(self) -> None:
        w = self.window
        if w.indicator.locked:  # one click asks for the password again
            self.reconnect()
            return
        menu = QMenu(w.indicator)
        menu.addAction("Reconnect now", self.reconnect)
        menu.addAction(w.act_endpoint)
        menu.popup(w.indicator.mapToGlobal(w.indicator.rect().topLeft()))

    def update_actions(self) -> None:
        """Enable what can work now; what cannot says why in its tooltip (and so in the toolbar)."""
        w = self.window
        if w.ready:
            offline = ""
        elif w.indicator.locked:
            offline = "Locked: click the status bar to enter the key's password first."
        else:
            offline = "Not connected yet: this needs a signed-in ClearNode (see the status bar)."
        row = w.selected()
        if row is None:
            session = "Select an open session first."
        elif row.status != "open":
            session = f"This session is {row.status}: it cannot be changed any more."
        else:
            session = ""
        for action, why, base in (
            (w.act_new, offline, "Create an application session"),
            (w.act_refresh, offline, "Read this account's sessions from the ClearNode"),
            (w.act_submit, offline or session, "Submit a new state for the selected session"),
            (w.act_close, offline or session, "Close the selected session and settle it"),
            (w.act_deposit, offline or session, "Deposit into the selected session"),
        ):
            action.setEnabled(not why)
            action.setToolTip(why or base)
