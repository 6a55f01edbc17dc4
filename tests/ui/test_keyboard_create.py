"""Keyboard alone (issue 16): Tab reaches every control of each wizard page and of the dialogs, in
order and round again; a session is created against the sandbox with keys only (Ctrl+N, typing,
Tab, Space, Return), and the ClearNodes and password dialogs answer to keys as well."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget, QWizard
from pytestqt.qtbot import QtBot

from nitro_desktop.ui.accounts import AccountsDialog
from nitro_desktop.ui.dialogs import PreferencesDialog
from nitro_desktop.ui.endpoints import EndpointsDialog
from nitro_desktop.ui.update_dialog import UpdateSessionDialog
from tests.ui.a11y import CONTROLS
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import B, add_account, ready

pytestmark = pytest.mark.asyncio


def focus_of(window: QWidget) -> QWidget:
    widget = window.focusWidget()
    assert widget is not None, f"nothing has focus in {window.windowTitle()!r}"
    return widget


def tab_cycle(qtbot: QtBot, window: QWidget, limit: int = 60) -> list[QWidget]:
    """Press Tab until focus comes back to where it started; the widgets focused on the way."""
    start = focus_of(window)
    seen = [start]
    for _ in range(limit):
        qtbot.keyClick(focus_of(window), Qt.Key.Key_Tab)
        current = focus_of(window)
        if current is start:
            return seen
        seen.append(current)
    raise AssertionError(f"Tab never came back to {start.objectName()!r} in {window.windowTitle()!r}")


def reachable_controls(root: QWidget) -> list[QWidget]:
    """The controls a keyboard user must be able to reach on what is shown now."""
    return [
        w
        for w in root.findChildren(QWidget)
        if isinstance(w, CONTROLS)
        and w.isVisibleTo(root)
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and not w.objectName().startswith("qt_")
        and w.metaObject().className() != "QTableCornerButton"
        and w.focusProxy() is None
    ]


def assert_tab_reaches_all(qtbot: QtBot, root: QWidget, window: QWidget) -> None:
    cycle = tab_cycle(qtbot, window)
    missed = [f"{type(w).__name__} {w.objectName()!r}" for w in reachable_controls(root) if w not in cycle]
    assert missed == [], f"Tab does not reach these in {window.windowTitle()!r}: {missed}"


def tab_to(qtbot: QtBot, window: QWidget, target: QWidget, limit: int = 60) -> None:
    for _ in range(limit):
        if focus_of(window) is target:
            return
        qtbot.keyClick(focus_of(window), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName()!r}")


def press(qtbot: QtBot, window: QWidget, key: Qt.Key, text: str = "") -> None:
    if text:
        qtbot.keyClicks(focus_of(window), text)
    else:
        qtbot.keyClick(focus_of(window), key)


async def test_a_create_by_keys_alone_and_tab_reaches_every_control(profile: Profile, qtbot: QtBot) -> None:
    add_account(profile)
    async with AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        w = run.window
        w.activateWindow()
        w.table.setFocus()
        assert_tab_reaches_all(qtbot, w.centralWidget(), w)

        qtbot.keyClick(w.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # New session
        wizard: QWizard = await until(lambda: w.menu_actions.wizard, what="the wizard by Ctrl+N")
        await asyncio.sleep(0.05)
        next_button = wizard.button(QWizard.WizardButton.NextButton)

        # Application: the first field has focus; Tab visits every field and the buttons.
        assert focus_of(wizard).objectName() == "protocol"
        assert_tab_reaches_all(qtbot, wizard.currentPage(), wizard)
        tab_to(qtbot, wizard, wizard.pages["application"].fields["protocol"])
        press(qtbot, wizard, Qt.Key.Key_Return)
        assert wizard.currentId() == 1

        # Participants: type Bob's address into row 2, then Tab to Next and press Space.
        table = wizard.pages["participants"].table
        assert focus_of(wizard) is table
        assert_tab_reaches_all(qtbot, wizard.currentPage(), wizard)
        tab_to(qtbot, wizard, table)
        press(qtbot, wizard, Qt.Key.Key_Down)
        press(qtbot, wizard, Qt.Key.Key_F2)
        editor = QApplication.focusWidget() or focus_of(wizard)
        qtbot.keyClicks(editor, B)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        await until(lambda: wizard.flow.participants[1].address == B, what="the address committed")
        tab_to(qtbot, wizard, next_button)
        press(qtbot, wizard, Qt.Key.Key_Space)
        assert wizard.currentId() == 2

        # Allocations: the first amount has focus: type it, Return moves on.
        assert_tab_reaches_all(qtbot, wizard.currentPage(), wizard)
        amount = wizard.pages["allocations"]._editors[0][1]
        tab_to(qtbot, wizard, amount)
        qtbot.keyClick(amount, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(amount, "7")
        press(qtbot, wizard, Qt.Key.Key_Return)
        assert wizard.currentId() == 3

        # Signers (checked already), review, then Sign and send by Space on the focused button.
        assert_tab_reaches_all(qtbot, wizard.currentPage(), wizard)
        tab_to(qtbot, wizard, next_button)
        press(qtbot, wizard, Qt.Key.Key_Space)
        assert wizard.currentId() == 4
        assert_tab_reaches_all(qtbot, wizard.currentPage(), wizard)
        tab_to(qtbot, wizard, next_button)
        assert next_button.text() == "&Sign and send"
        press(qtbot, wizard, Qt.Key.Key_Space)
        submit = wizard.pages["submit"]
        # The page is done when it says so (its copy button), not when the result exists underneath.
        await until(lambda: submit.copy.isVisible() or submit.error.isVisible(), what="the answer")
        assert submit.result is not None, submit.error.text()
        finish = wizard.button(QWizard.WizardButton.FinishButton)
        tab_to(qtbot, wizard, finish)
        press(qtbot, wizard, Qt.Key.Key_Space)
        assert not wizard.isVisible()
        await until(lambda: w.model.rowCount() == 1, what="the new row")
        assert run.wallet.sandbox.balances(run.wallet.account)["usdc"] == 993

        # The ClearNodes dialog: every control by Tab, and Escape closes it.
        w.act_endpoint.trigger()
        dialog = await until(
            lambda: next((d for d in w.findChildren(EndpointsDialog) if d.isVisible()), None),
            what="the ClearNodes dialog",
        )
        dialog.table.setFocus()
        assert_tab_reaches_all(qtbot, dialog, dialog)
        press(qtbot, dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible()

        # The other dialogs the menus open: each one's controls by Tab, Escape closes it.
        w.table.selectRow(0)
        for action, kind in (
            (w.act_accounts, AccountsDialog),
            (w.act_prefs, PreferencesDialog),
            (w.act_submit, UpdateSessionDialog),
        ):
            action.trigger()
            opened = await until(
                lambda k=kind: next((d for d in w.findChildren(k) if d.isVisible()), None),
                what=f"the {kind.__name__}",
            )
            await asyncio.sleep(0.05)
            if opened.focusWidget() is None:
                opened.focusNextChild()
            assert_tab_reaches_all(qtbot, opened, opened)
            press(qtbot, opened, Qt.Key.Key_Escape)
            assert not opened.isVisible()
