"""Panes built after the first paint still go where the user left them; nothing saved is lost."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from nitro_desktop.store import Store
from nitro_desktop.ui.main_window import MainWindow


def _open(data_dir: Path) -> tuple[MainWindow, Store]:
    store = Store.open(data_dir)
    settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(None, settings, store=store)
    window.show()
    QApplication.processEvents()
    return window, store


def _close(window: MainWindow, store: Store) -> None:
    window.close()
    store.close()
    window.deleteLater()


def test_docks_built_after_the_first_paint_keep_their_saved_places(
    qapp: QApplication, tmp_path: Path
) -> None:
    window, store = _open(tmp_path)
    assert window.findChildren(QDockWidget) == []  # not before build_panes
    window.build_panes()
    QApplication.processEvents()
    assert window.balances_dock.isVisible()  # a fresh profile shows Balances
    assert not window.home_dock.isVisible()  # shown only while connected to a v1 node
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.balances_dock)
    _close(window, store)

    window, store = _open(tmp_path)
    window.build_panes()
    QApplication.processEvents()
    assert window.dockWidgetArea(window.balances_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert window.balances_dock.isVisible()
    _close(window, store)

    # Closed before its panes were built (during the first paint): the saved places stay.
    window, store = _open(tmp_path)
    _close(window, store)
    window, store = _open(tmp_path)
    assert window.dockWidgetArea(window.balances_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    _close(window, store)
