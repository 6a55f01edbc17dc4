"""Accessibility checks shared by the UI tests: every control has a name a screen reader can say."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QPlainTextEdit,
    QTextEdit,
)


def _inside_a_control(widget: QWidget, root: QWidget) -> bool:
    """Qt's own parts of a control (a combo box's line edit, a table's corner button); a table's
    cell widgets are controls of their own and are checked."""
    if widget.metaObject().className() == "QTableCornerButton":
        return True
    if isinstance(widget, QHeaderView) and isinstance(widget.parentWidget(), QAbstractItemView):
        return True  # its sections are read out as the table's column names
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(root: QWidget) -> list[str]:
    """The visible controls under ``root`` with no accessible name, no text and no label for them."""
    labelled = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(root):
            continue
        if widget.objectName().startswith("qt_") or _inside_a_control(widget, root):
            continue  # Qt names its own parts (toolbar extension, dock buttons, scroll bars)
        if widget.accessibleName().strip() or id(widget) in labelled:
            continue
        if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
            continue
        missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {root.windowTitle()!r}")
    return missing
