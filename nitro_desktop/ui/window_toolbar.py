"""The main window's actions and toolbar (its main actions, then the ClearNode and account choices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QToolBar

if TYPE_CHECKING:
    from nitro_desktop.ui.main_window import MainWindow

# The dynamic property holding an action's shortcut until set_shortcuts gives it.
_SHORTCUT = "nitro_shortcut"


def make_action(window: MainWindow, text: str, slot: Any, shortcut: str = "", name: str = "") -> QAction:
    """A menu action that does nothing until the window has its service (it shows before).

    ``shortcut`` ("Ctrl+U", or "StandardKey.Copy" for the platform's own) is set by
    set_shortcuts, after the first paint.
    """
    # QAction(parent) then setText, as QAction(text, parent) does in C++: choosing among the
    # constructors that take a str would build QIcon's enums (ThemeIcon's ~150 names, ~7 ms).
    action = QAction(window)
    action.setText(text)
    if shortcut:
        action.setProperty(_SHORTCUT, shortcut)

    def run(*_args: Any) -> None:
        if window.service is not None:  # the window shows before the service is attached
            slot()

    action.triggered.connect(run)
    action.setObjectName(name or text.replace("&", "").replace("…", "").strip().lower().replace(" ", "_"))
    return action


def set_shortcuts(actions: Sequence[QAction]) -> None:
    """Give the actions make_action made their shortcut: one binding each, as setShortcut() would."""
    from PySide6.QtGui import QKeySequence

    for action in actions:
        shortcut = action.property(_SHORTCUT)
        if not shortcut:
            continue
        if shortcut.startswith("StandardKey."):
            # The first binding, as setShortcut() takes it: setShortcut's overloads would build
            # the whole Qt namespace of enums.
            key = getattr(QKeySequence.StandardKey, shortcut.removeprefix("StandardKey."))
            action.setShortcuts(QKeySequence.keyBindings(key)[:1])
        else:
            action.setShortcuts([QKeySequence(shortcut)])


def build_toolbar(window: QMainWindow, actions: Sequence[QAction]) -> tuple[QToolBar, QComboBox, QComboBox]:
    """Add the toolbar to ``window``; returns it, its ClearNode box and its account box.

    Its buttons show text only: their actions have no icons (the window names the style
    after its first paint, as Qt's enums load then).
    """
    bar = QToolBar("Main")
    bar.setObjectName("main_toolbar")
    bar.setMovable(False)
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
    return bar, boxes[0], boxes[1]
