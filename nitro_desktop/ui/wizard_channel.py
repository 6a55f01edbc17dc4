"""The wizard's allocations page on a v1 node: the home channel each deposit comes from.

A v1 session starts empty and the current account funds it right after the create, from its
home channel. This panel says, per asset the account puts in, what that channel holds; when
the channel is missing or too small it says so and offers Open channel / Deposit, which run
the same dialog as the Home channels pane. What the channel holds also becomes the balance the
page checks the amounts against, so "Next" waits until the channel can pay.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from nitro_desktop.flows import CreateSessionFlow
from nitro_desktop.ui.channel_action import describe
from nitro_desktop.ui.funds_text import plain

if TYPE_CHECKING:
    from nitro_desktop.ui.home_channels_view import HomeChannelsDock
    from nitro_desktop.ui.wizard_pages import AllocationsPage
    from nitro_desktop.wallet.channel_types import ChannelView


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return Decimal(0)
    return value if value.is_finite() and value > 0 else Decimal(0)


def available(view: ChannelView) -> Decimal:
    """What the channel can give a session: the node's balance for the user (its latest state's
    share when the node's balance was not read)."""
    return view.node_balance if view.node_balance is not None else view.off_chain


class ChannelFundingPanel(QWidget):
    """Home-channel funds for the current account's allocations (see the module docstring)."""

    def __init__(self, page: AllocationsPage, dock: HomeChannelsDock, account: str) -> None:
        super().__init__(page)
        self.page, self.flow, self.dock, self.account = page, page.flow, dock, account
        self.setObjectName("channel_funding")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 6, 0, 0)
        self.text = QLabel()
        self.text.setObjectName("channel_funding_text")
        self.text.setAccessibleName("Your home channel for this session's deposit")
        self.text.setWordWrap(True)
        box.addWidget(self.text)
        row = QHBoxLayout()
        self.button = QPushButton()
        self.button.setObjectName("channel_funding_button")
        self.button.setAutoDefault(False)
        self.button.hide()
        self.button.clicked.connect(self._act)
        row.addWidget(self.button)
        row.addStretch()
        box.addLayout(row)
        self._action: tuple[str, str] | None = None
        service = dock.service
        if service is not None:
            service.channel_changed.connect(self._channel_changed)
        page.completeChanged.connect(self.update_text)
        for view in list(dock.views.values()):  # the balances the wizard was given may predate them
            self._channel_changed(view)
        self.update_text()

    def wanted(self) -> dict[str, Decimal]:
        """asset -> what the current account puts in (only its own rows: others deposit themselves)."""
        out: dict[str, Decimal] = {}
        for p, a in zip(self.flow.participants, self.flow.allocations, strict=True):
            if p.address.lower() == self.account.lower() and _amount(a.amount) > 0:
                out[a.asset] = out.get(a.asset, Decimal(0)) + _amount(a.amount)
        return out

    def _channel_changed(self, view: ChannelView) -> None:
        if view.account.lower() != self.account.lower():
            return
        held = available(view)
        key = (self.account, view.asset)
        if self.flow.balances.get(key) != held:
            self.flow.balances = {**self.flow.balances, key: held}
            if self.page.table.rowCount() == len(self.flow.participants):
                for i in range(self.page.table.rowCount()):
                    self.page._balance_cell(i)
            self.page.revalidate()  # the page's completeness follows; update_text runs from it
        self.update_text()

    def update_text(self) -> None:
        wanted = self.wanted()
        lines: list[str] = []
        self._action = None
        for asset, amount in sorted(wanted.items()):
            view = self.dock.views.get(asset)
            need = f"{plain(amount)} {asset}"
            if view is None:
                lines.append(f"Reading your {asset} home channel… (this session takes {need} from it)")
            elif view.channel_id is None or view.status in ("", "closed"):
                lines.append(
                    f"You have no {asset} home channel: the {need} you put in comes from it. "
                    "Open one with at least that much first."
                )
                self._action = self._action or ("open", asset)
            elif view.status != "open":
                lines.append(f"Your {asset} home channel is {view.status}: it cannot fund a session now.")
            elif available(view) < amount:
                lines.append(
                    f"Your {asset} home channel {describe(view.channel_id)} holds "
                    f"{plain(available(view))} {asset}: {plain(amount - available(view))} "
                    f"{asset} short of the {need} you put in. Deposit more first."
                )
                self._action = self._action or ("deposit", asset)
            else:
                lines.append(
                    f"Your {asset} home channel {describe(view.channel_id)} holds "
                    f"{plain(available(view))} {asset}: the {need} deposit comes from it "
                    "right after the create."
                )
        if not wanted:
            lines.append(
                "The session starts empty. Amounts you put in here are deposited from your home "
                "channel right after it is created."
            )
        self.text.setText("\n".join(lines))
        if self._action is None:
            self.button.hide()
            return
        kind, asset = self._action
        self.button.setText(f"Open {asset} channel…" if kind == "open" else f"Deposit into {asset} channel…")
        self.button.setAccessibleName(self.button.text().rstrip("…"))
        reason = self.dock.reasons(asset).get(kind, "")
        self.button.setEnabled(not reason)
        self.button.setToolTip(reason)
        self.button.show()

    def _act(self) -> None:
        if self._action is None or self.dock.service is None or self.dock.wallet is None:
            return
        kind, asset = self._action
        from nitro_desktop.ui.channel_action import open_action

        dialog = open_action(
            kind,
            asset,
            self.dock.wallet,
            self.dock.service,
            self.dock.views.get(asset),
            self.dock,
            self.window(),
        )
        need = self.wanted().get(asset, Decimal(0))
        view = self.dock.views.get(asset)
        short = need - available(view) if kind == "deposit" and view is not None else need
        if short > 0:  # what the session needs, or the part of it the channel lacks
            dialog.amount.setText(plain(short))
        self.dialog = dialog


def attach_funding(page: AllocationsPage, dock: HomeChannelsDock, account: str | None) -> Callable[[], None]:
    """Put the panel on the page when the flow's sessions start empty; returns a refresh function."""
    flow: CreateSessionFlow = page.flow
    if flow.dialect_spec.funded_at_create or account is None:
        return lambda: None
    panel = ChannelFundingPanel(page, dock, account)
    layout = page.layout()
    if layout is not None:
        layout.addWidget(panel)
    page.funding_panel = panel  # type: ignore[attr-defined]
    return panel.update_text
