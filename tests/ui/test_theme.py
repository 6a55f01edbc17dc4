"""A disabled action must look disabled in every theme (the window greys what cannot work yet)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QRadioButton, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from nitro_desktop.ui.session_model import SessionListModel, SessionTable
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


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("kind", [QRadioButton, QCheckBox])
def test_an_unchecked_indicator_stands_out_from_the_window(
    qtbot: QtBot, theme: str, kind: type[QRadioButton] | type[QCheckBox]
) -> None:
    """An empty radio button or check box must be seen to be there (it vanished in the dark theme)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, style = app.palette(), app.style().name()
    try:
        apply_theme(app, theme)
        button = kind("Option")
        qtbot.addWidget(button)
        button.resize(120, 30)
        image = button.grab().toImage()
        window = app.palette().color(QPalette.ColorRole.Window)
        box = button.style().subElementRect(
            QStyle.SubElement.SE_RadioButtonIndicator
            if kind is QRadioButton
            else QStyle.SubElement.SE_CheckBoxIndicator,
            _option(button),
            button,
        )
        ratio = button.devicePixelRatio()
        shades = {
            image.pixelColor(int(x * ratio), int(y * ratio)).lightness()
            for x in range(box.left(), box.right() + 1)
            for y in range(box.top(), box.bottom() + 1)
        }
        # The ring or the fill must differ from the window around it by a visible step.
        assert max(abs(shade - window.lightness()) for shade in shades) >= 20, (theme, sorted(shades))
    finally:
        app.setStyle(style)
        app.setPalette(before)


def _option(button: QRadioButton | QCheckBox) -> QStyleOptionButton:
    option = QStyleOptionButton()
    option.initFrom(button)
    return option


@pytest.mark.parametrize("theme", THEMES)
def test_the_session_list_is_drawn_on_the_base_colour(qtbot: QtBot, theme: str) -> None:
    """The list's own viewport (set for start-up speed) must fill as Qt's would: Base, not Window."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, style = app.palette(), app.style().name()
    try:
        apply_theme(app, theme)
        table = SessionTable(SessionListModel())
        qtbot.addWidget(table)
        table.resize(300, 200)
        table.show()
        qtbot.waitExposed(table)
        viewport = table.viewport()
        image = viewport.grab().toImage()
        ratio = viewport.devicePixelRatio()
        middle = image.pixelColor(int(viewport.width() * ratio / 2), int(viewport.height() * ratio / 2))
        assert middle == app.palette().color(QPalette.ColorRole.Base), theme
    finally:
        app.setStyle(style)
        app.setPalette(before)
