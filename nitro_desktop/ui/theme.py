"""Light, dark or the system's palette (Fusion style, so both look the same everywhere)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle("Fusion")
    if theme == "dark":
        app.setPalette(_dark())
    elif theme == "light":
        app.setPalette(_light())
    else:
        app.setPalette(app.style().standardPalette())


def _light() -> QPalette:
    p = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#f4f5f7"),
        (QPalette.ColorRole.WindowText, "#1d1f23"),
        (QPalette.ColorRole.Base, "#ffffff"),
        (QPalette.ColorRole.AlternateBase, "#eef0f3"),
        (QPalette.ColorRole.Text, "#1d1f23"),
        (QPalette.ColorRole.Button, "#e9ebef"),
        (QPalette.ColorRole.ButtonText, "#1d1f23"),
        (QPalette.ColorRole.Highlight, "#3b6fd8"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#ffffe8"),
        (QPalette.ColorRole.ToolTipText, "#1d1f23"),
        (QPalette.ColorRole.Link, "#2f5fbf"),
    ):
        p.setColor(role, QColor(color))
    # setColor without a group paints every group alike: a disabled action would look enabled.
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa0a8"))
    return p


def _dark() -> QPalette:
    p = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#22252b"),
        (QPalette.ColorRole.WindowText, "#e6e8eb"),
        # Fields lighter than the window: Fusion rings an unchecked radio or box with the
        # window's colour darkened, which vanished into a base darker than the window.
        (QPalette.ColorRole.Base, "#3a3f48"),
        (QPalette.ColorRole.AlternateBase, "#444a55"),
        (QPalette.ColorRole.Text, "#e6e8eb"),
        (QPalette.ColorRole.Button, "#2c3038"),
        (QPalette.ColorRole.ButtonText, "#e6e8eb"),
        (QPalette.ColorRole.Highlight, "#4c7fe6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#2c3038"),
        (QPalette.ColorRole.ToolTipText, "#e6e8eb"),
        (QPalette.ColorRole.Link, "#7aa2f7"),
        (QPalette.ColorRole.PlaceholderText, "#8a9099"),
    ):
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7078"))
    return p
