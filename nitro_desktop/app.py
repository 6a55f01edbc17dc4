"""Builds the QApplication and the one qasync event loop, then shows the main window.

Nothing else lives here: the window, services and dialogs are in ``nitro_desktop.ui``.
"""

from __future__ import annotations

import asyncio
import os
import sys


def main(data_dir: str | None = None) -> int:
    """Open the GUI and run until the last window closes; returns the exit code."""
    # qasync picks its Qt binding from QT_API; we ship PySide6 only.
    os.environ.setdefault("QT_API", "pyside6")
    import qasync
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from nitro_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Nitro Desktop")
    app.setOrganizationName("Nitro Desktop")
    QGuiApplication.setDesktopFileName("nitro-desktop")

    window = MainWindow(data_dir=data_dir)
    window.show()

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    # asyncio.Runner (not asyncio.run) because loop_factory needs Python 3.12 there.
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(closed.wait())
    return 0
