"""The status bar and actions say what is true (issue 16): "Connected" only when ready, a locked key,
endpoint switches, offline is not refusal, and actions enabled only when they can work."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from nitro_desktop.keys import AccountManager
from nitro_desktop.store import Store
from tests.ui.conftest import FAST_KDF, AppRunner, Profile, Running, until
from tests.ui.test_session_wizard import ready

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
