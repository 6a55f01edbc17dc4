"""A session shared with someone who moves it from their own client: the window follows the server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import Allocation, AppDefinition, RawKeySigner
from nitro_desktop.wallet.endpoints import SANDBOX_05_NAME
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import add_account, choose_endpoint, ready

BOB_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.mark.asyncio
async def test_asu_from_another_participant_moves_the_row_and_the_next_update_builds_on_it(
    profile: Profile,
) -> None:
    me = add_account(profile)
    choose_endpoint(profile, SANDBOX_05_NAME)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await ready(run)
        bob = RawKeySigner(BOB_KEY)
        run.wallet.sandbox.fund(bob.address, "usdc", "50")
        # Either of us alone reaches the quorum: Bob moves the session from his own client.
        definition = AppDefinition("NitroRPC/0.4", (bob.address, me), (100, 100), 100, 0, 4242)
        async with ClearNodeClient(run.wallet.client.url, "0.5") as theirs:
            await theirs.authenticate(bob, app_name="Bob's game")
            made = await theirs.create_app_session(
                definition,
                [Allocation(bob.address, "usdc", Decimal(20)), Allocation(me, "usdc", Decimal(0))],
                [bob],
            )
            sid = made.app_session_id
            run.window.act_refresh.trigger()
            await until(lambda: run.window.model.rowCount() == 1, what="the merged row")
            assert run.window.model.row_at(0).version == 1

            await theirs.submit_app_state(
                sid,
                [Allocation(bob.address, "usdc", Decimal(5)), Allocation(me, "usdc", Decimal(15))],
                [bob],
                intent="operate",
                version=2,
            )
            # The asu moves the row without a refresh, and the user is told who moved it.
            await until(lambda: run.window.model.row_at(0).version == 2, what="the row at version 2")
            assert f"Someone else moved session {sid[:10]}… to version 2." in (
                run.window.statusBar().currentMessage()
            )
            saved = run.store.sessions.get(sid)
            assert saved is not None and "15" in saved.allocations_json

            # Submit state starts from Bob's split and sends version 3 (not "incorrect version").
            run.window.table.selectRow(0)
            run.window.act_submit.trigger()
            dialog = await until(lambda: run.window.menu_actions.update_dialog, what="the submit dialog")
            assert [a.text() for a in dialog.amounts] == ["5", "15"]
            dialog.amounts[0].setText("10")
            dialog.amounts[1].setText("10")
            ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
            assert ok.isEnabled(), dialog.error.text()

            # Bob moves it again while the dialog is open: nothing is sent on the old version.
            await theirs.submit_app_state(
                sid,
                [Allocation(bob.address, "usdc", Decimal(2)), Allocation(me, "usdc", Decimal(18))],
                [bob],
                intent="operate",
                version=3,
            )
            ok.click()
            await until(lambda: "version 3 while this dialog" in dialog.status.text(), what="the refusal")
            assert "Nothing was sent" in dialog.status.text() and dialog.error.text() == ""
            ok.click()
            await until(lambda: run.store.sessions.get(sid).version == 4, what="our update at version 4")
        history = [(h.status, h.version) for h in run.store.sessions.history(sid)]
        assert history[-3:] == [("open", 2), ("open", 3), ("open", 4)]
        assert run.wallet.sandbox.balances(me)["usdc"] == Decimal(1000)  # nothing left the session
