"""The main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from nitro_desktop import __version__


class MainWindow(QMainWindow):
    """Top-level window; sessions, balances and the wizard arrive with the GUI issue."""

    def __init__(self, data_dir: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle(f"Nitro Desktop {__version__}")
        self.resize(960, 640)
        placeholder = QLabel("Nitro Desktop — application sessions for Nitrolite ClearNodes")
        placeholder.setObjectName("placeholder")
        self.setCentralWidget(placeholder)
