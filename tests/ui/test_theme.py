"""A disabled action must look disabled in every theme (the window greys what cannot work yet)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nitro_desktop.ui.theme import THEMES, apply_theme


@pytest.mark.parametrize("theme", THEMES)
def test_disabled_text_differs_from_enabled_text(qtbot: QtBot, theme: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, style = app.palette(), app.style().name()
    try:
        apply_theme(app, theme)
        palette = app.palette()
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
            enabled = palette.color(QPalette.ColorGroup.Active, role)
            disabled = palette.color(QPalette.ColorGroup.Disabled, role)
            assert enabled != disabled, (theme, role)
    finally:
        app.setStyle(style)
        app.setPalette(before)
