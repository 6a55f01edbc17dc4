"""Inline feedback beside a field: a red, selectable label shown only when there is a problem.

Its line is kept while it is hidden, so a problem appearing (or going) does not move the
fields and buttons below it out from under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #c0392b;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
    label.setSizePolicy(policy)
    label.setMinimumHeight(label.fontMetrics().lineSpacing())
    label.hide()
    return label


def show_problem(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))
