"""The main window's secondary panes: details, Balances and Home channels, built after the first paint.

None of them is needed to paint the session list, and the Home channels pane imports the
chain, flows and client modules: app.py builds them once the list has painted, and any
earlier use (a test, a selection, a signal) builds them on the spot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt

from nitro_desktop.ui.balances import BalancesDock
from nitro_desktop.ui.details import DetailsPane
from nitro_desktop.ui.home_channels_view import HomeChannelsDock

if TYPE_CHECKING:
    from nitro_desktop.ui.main_window import MainWindow


class Panes(NamedTuple):
    details: DetailsPane
    balances_dock: BalancesDock
    home_dock: HomeChannelsDock


def build(window: MainWindow) -> Panes:
    """Put the panes in place: the details where the splitter's placeholder is, the docks where
    the user left them (restoreState ran before they existed), else in their default places."""
    details = DetailsPane()
    placeholder = window.splitter.replaceWidget(1, details)
    if placeholder is not None:
        placeholder.deleteLater()
    balances_dock = BalancesDock(window)
    if not window.restoreDockWidget(balances_dock):
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, balances_dock)
    # v1 funds: wide rows of numbers, so under the list rather than in the narrow Balances column.
    home_dock = HomeChannelsDock(window)
    if not window.restoreDockWidget(home_dock):
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, home_dock)
        home_dock.hide()  # shown while connected to a node with home channels
    return Panes(details, balances_dock, home_dock)
