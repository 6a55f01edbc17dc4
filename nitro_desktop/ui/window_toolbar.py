"""The main window's toolbar: its main actions, then the ClearNode and account choices."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QToolBar


def build_toolbar(window: QMainWindow, actions: Sequence[QAction]) -> tuple[QComboBox, QComboBox]:
    """Add the toolbar to ``window``; returns its ClearNode box and its account box."""
    bar = QToolBar("Main")
    bar.setObjectName("main_toolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for a in actions:
        bar.addAction(a)
    bar.addSeparator()
    boxes = []
    for text, name, width in ((" Clear&Node: ", "endpoint_box", 170), ("  Acco&unt: ", "account_box", 260)):
        label = QLabel(text)
        bar.addWidget(label)
        box = QComboBox()
        label.setBuddy(box)
        box.setObjectName(name)
        box.setMinimumWidth(width)
        bar.addWidget(box)
        boxes.append(box)
    window.addToolBar(bar)
    return boxes[0], boxes[1]
