"""The status bar and actions say what is true (issue 16): "Connected" only when ready, a locked key,
endpoint switches, offline is not refusal, and actions enabled only when they can work."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QToolBar
from pytestqt.qtbot import QtBot

from nitro_desktop.keys import AccountManager
from nitro_desktop.store import EndpointRecord, Store
from nitro_desktop.ui.wizard import SubmitPage
from nitro_desktop.wallet.endpoints import SANDBOX_05_NAME, SANDBOX_NAME
from tests.ui.conftest import FAST_KDF, AppRunner, Profile, Running, until
from tests.ui.test_session_wizard import B, add_account, choose_endpoint, open_wizard, ready

PASSWORD = "correct horse battery"


def add_file_account(profile: Profile) -> str:
    with Store.open(profile.data_dir) as store:
        manager = AccountManager(store, keyring_backend=profile.keyring, kdf=FAST_KDF)
        return str(manager.generate("Filed", backend="file", password=PASSWORD).address)


def password_dialog(run: Running) -> QDialog | None:
    for dialog in run.window.findChildren(QDialog):
        if dialog.isVisible() and dialog.findChild(QLineEdit, "password") is not None:
            return dialog
    return None


@pytest.mark.asyncio
async def test_connected_only_when_ready_and_a_cancelled_password_is_locked(
    profile: Profile, qtbot: QtBot
) -> None:
    add_file_account(profile)
    async with AppRunner() as apps:
        run = apps.open(profile)
        indicator = run.window.indicator
        prompt = await until(lambda: password_dialog(run), what="the password prompt")
        # The socket is up, but nothing is signed in: not "Connected", not green.
        assert "Connected" not in indicator.text()
        assert "#2e9d5b" not in indicator.text()
        assert not run.window.act_new.isEnabled()
        prompt.reject()
        await until(lambda: "Locked — enter password" in indicator.text(), what="the locked state")
        assert "Connected" not in indicator.text()
        assert "password" in indicator.toolTip()
        assert not run.window.act_new.isEnabled()

        # One click asks again; the right password connects.
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
        prompt = await until(lambda: password_dialog(run), what="the password prompt again")
        edit = prompt.findChild(QLineEdit, "password")
        assert edit is not None
        edit.setText(PASSWORD)
        prompt.accept()
        await ready(run)
        await until(lambda: "Connected" in indicator.text(), what="Connected")
        assert "#2e9d5b" in indicator.text()
        assert "Locked" not in indicator.text()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def switch_to(run: Running, name: str) -> None:
    box = run.window.endpoint_box
    box.setCurrentIndex(box.findData(name))
    run.window.reconnect()  # what choosing it in the box does


@pytest.mark.asyncio
async def test_a_switch_clears_the_numbers_at_once_and_a_failed_one_shows_none(profile: Profile) -> None:
    add_account(profile)
    with Store.open(profile.data_dir) as store:
        store.endpoints.save(EndpointRecord("Dead node", f"ws://127.0.0.1:{closed_port()}", "0.5"))  # type: ignore[arg-type]
    async with AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        await until(lambda: run.window.rtt.text(), what="a round trip")
        header = run.window.balances_dock.owner
        assert SANDBOX_NAME in header.text()

        switch_to(run, "Dead node")
        # At once: no numbers, no round trip, and the header names the node being asked.
        assert run.window.balances.rowCount() == 0
        assert run.window.rtt.text() == ""
        assert "Dead node" in header.text() and SANDBOX_NAME not in header.text()
        await until(lambda: "could not connect" in header.text(), what="the failed switch")
        assert "Dead node" in header.text()
        assert run.window.balances.rowCount() == 0
        assert "Connected" not in run.window.indicator.text()
        assert not run.window.act_new.isEnabled()

        switch_to(run, SANDBOX_05_NAME)
        await ready(run)
        assert SANDBOX_05_NAME in header.text() and "connecting" not in header.text()


@pytest.mark.asyncio
async def test_offline_is_not_refusal_and_no_exception_text_reaches_the_user(profile: Profile) -> None:
    add_account(profile)
    with Store.open(profile.data_dir) as store:
        store.endpoints.save(EndpointRecord("Dead node", f"ws://127.0.0.1:{closed_port()}", "0.5"))  # type: ignore[arg-type]
    choose_endpoint(profile, "Dead node")
    async with AppRunner() as apps:
        run = apps.open(profile)
        said: list[str] = []
        run.service.problem.connect(said.append)
        bar = run.window.statusBar()
        await until(lambda: "could not connect" in run.window.balances_dock.owner.text(), what="the failure")
        await until(lambda: said, what="the problem")
        seen = [bar.currentMessage(), *said, run.window.indicator.text(), run.window.indicator.toolTip()]
        assert "No connection to Dead node (connection refused)" in bar.currentMessage()
        assert "No connection to 127.0.0.1" in run.window.indicator.text()
        for text in seen:
            assert "refused the request" not in text
            assert "Errno" not in text and "Error" not in text and "Connect call" not in text, text


@pytest.mark.asyncio
async def test_session_actions_are_disabled_with_the_reason_while_not_ready(profile: Profile) -> None:
    add_file_account(profile)
    async with AppRunner() as apps:
        run = apps.open(profile)
        w = run.window
        prompt = await until(lambda: password_dialog(run), what="the password prompt")
        for action in (w.act_new, w.act_submit, w.act_close):
            assert not action.isEnabled()
            assert "Not connected" in action.toolTip()
        prompt.reject()
        await until(lambda: w.indicator.locked, what="the locked state")
        for action in (w.act_new, w.act_submit, w.act_close):
            assert not action.isEnabled()
            assert "Locked" in action.toolTip() and "password" in action.toolTip()
        # The toolbar shows the reason too.
        bar = w.findChild(QToolBar, "main_toolbar")
        assert bar is not None
        button = bar.widgetForAction(w.act_new)
        assert button is not None and not button.isEnabled() and "Locked" in button.toolTip()


@pytest.mark.asyncio
async def test_submit_and_close_follow_the_selection_and_close_has_no_enter_default(
    profile: Profile, qtbot: QtBot
) -> None:
    add_account(profile)
    async with AppRunner() as apps:
        run = apps.open(profile)
        w = run.window
        await ready(run)
        assert w.act_new.isEnabled()
        # Ctrl+W closes windows everywhere: it is not bound to closing a funded session.
        assert w.act_close.shortcut() != QKeySequence("Ctrl+W")
        assert all(a.shortcut() != QKeySequence("Ctrl+W") for a in w.findChildren(QAction))
        assert not w.act_submit.isEnabled() and "Select an open session" in w.act_submit.toolTip()

        wizard = await open_wizard(run)
        wizard.next()
        wizard.pages["participants"].table.item(1, 0).setText(B)
        wizard.next()
        wizard.pages["allocations"]._editors[0][1].setText("100")
        for _ in range(3):
            wizard.next()
        submit: SubmitPage = wizard.pages["submit"]  # type: ignore[assignment]
        await until(lambda: submit.result is not None, what="creation")
        session_id = submit.result.app_session_id
        wizard.accept()
        w.table.selectRow(0)
        assert w.act_submit.isEnabled() and w.act_close.isEnabled()

        w.act_close.trigger()
        dialog = await until(lambda: w.menu_actions.update_dialog, what="the close dialog")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled()
        assert not any(b.isDefault() or b.autoDefault() for b in dialog.findChildren(QPushButton))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
        assert dialog.task is None  # Enter sent nothing
        assert dialog.isVisible()
        ok.click()
        await until(lambda: run.store.sessions.get(session_id).status == "closed", what="the close")
        w.table.selectRow(0)
        await until(lambda: not w.act_close.isEnabled(), what="close disabled on the closed session")
        assert not w.act_submit.isEnabled()
        assert "closed" in w.act_close.toolTip() and "closed" in w.act_submit.toolTip()
