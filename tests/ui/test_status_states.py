"""The status bar through one session's states (issue 16): connect, a wrong password, a switch of
ClearNode, a node that is offline. It says Connected (green) only when signed in and ready."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit

from nitro_desktop.store import EndpointRecord, Store
from nitro_desktop.wallet.endpoints import SANDBOX_05_NAME
from tests.ui.conftest import AppRunner, Profile, Running, until
from tests.ui.test_session_wizard import ready
from tests.ui.test_truthful_state import PASSWORD, add_file_account, closed_port, switch_to

GREEN = "#2e9d5b"


def prompt(run: Running, other_than: QDialog | None = None) -> QDialog | None:
    for dialog in run.window.findChildren(QDialog):
        if dialog.isVisible() and dialog is not other_than and dialog.findChild(QLineEdit, "password"):
            return dialog
    return None


@pytest.mark.asyncio
async def test_the_status_bar_through_connect_wrong_password_switch_and_offline(profile: Profile) -> None:
    me = add_file_account(profile)
    with Store.open(profile.data_dir) as store:
        store.endpoints.save(EndpointRecord("Dead node", f"ws://127.0.0.1:{closed_port()}", "0.2"))  # type: ignore[arg-type]
    async with AppRunner() as apps:
        run = apps.open(profile)
        indicator = run.window.indicator

        # Connect: the socket is up, the key is locked: signing in, not Connected.
        first = await until(lambda: prompt(run), what="the password prompt")
        assert indicator.text().endswith("Signing in to the Local sandbox…") and GREEN not in indicator.text()
        first.findChild(QLineEdit, "password").setText("not it")
        first.accept()

        # Wrong password: asked again with the reason; still not Connected.
        again = await until(lambda: prompt(run, first), what="the second prompt")
        assert (
            again.findChild(QLabel, "password_note").text().startswith("That password did not open the key")
        )
        assert "Connected" not in indicator.text() and GREEN not in indicator.text()
        again.findChild(QLineEdit, "password").setText(PASSWORD)
        again.accept()
        await ready(run)
        await until(lambda: "Connected" in indicator.text(), what="Connected")
        assert indicator.text().endswith(f"Connected to the Local sandbox as {me[:8]}…{me[-4:]}")
        assert GREEN in indicator.text()

        # Switch: not Connected while the other node signs in; no new password within the session.
        switch_to(run, SANDBOX_05_NAME)
        assert indicator.text().endswith(f"Connecting to {SANDBOX_05_NAME}…")  # at once
        assert GREEN not in indicator.text() and not run.window.act_new.isEnabled()
        await ready(run)
        await until(lambda: "Connected" in indicator.text(), what="Connected again")
        assert prompt(run) is None and run.wallet.endpoint.name == SANDBOX_05_NAME

        # Offline: in words, with the reason, never green and never "refused the request".
        switch_to(run, "Dead node")
        await until(lambda: "No connection to 127.0.0.1" in indicator.text(), what="the offline state")
        assert "(connection refused)" in indicator.text()
        assert GREEN not in indicator.text() and "Connected" not in indicator.text()
        assert "refused the request" not in indicator.text()
        assert not run.window.act_new.isEnabled()
