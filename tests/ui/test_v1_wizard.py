"""The wizard on the Local sandbox (v1): application id, uint8 weights and quorum, the
allocations page as deposits after the create, the exact v1 frame in the review, and the
session in the list after a restart."""

from __future__ import annotations

import json

import pytest
import shiboken6
from PySide6.QtWidgets import QDialogButtonBox

from nitro_desktop.flows import CreateSessionFlow
from nitro_desktop.protocol import Dialect
from nitro_desktop.wallet.endpoints import SANDBOX_V1_NAME
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import (
    B,
    add_account,
    balances,
    choose_endpoint,
    next_enabled,
    open_wizard,
    ready,
)


@pytest.mark.asyncio
async def test_v1_wizard_creates_an_empty_session_that_survives_a_restart(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        me = add_account(profile)
        choose_endpoint(profile, SANDBOX_V1_NAME)
        run = app_runner.open(profile)
        await ready(run)
        wizard = await open_wizard(run)
        pages = wizard.pages
        # 1. application: an application id, no protocol or challenge to fill in
        app = pages["application"]
        assert not app.fields["protocol"].isVisibleTo(wizard)
        assert not app.fields["challenge"].isVisibleTo(wizard)
        assert app.fields["application"].text() == "nitro-desktop"
        app.fields["application"].setText("Nitro Desktop")
        assert not next_enabled(wizard) and "lower-case letters" in app.errors["application"].text()
        app.fields["application"].setText("nitro-desktop-tests")
        assert next_enabled(wizard)
        wizard.next()
        # 2. participants: weights and quorum are one byte each
        parts = pages["participants"]
        parts.table.item(1, 0).setText(B)
        parts.table.item(0, 1).setText("256")
        assert not next_enabled(wizard) and "at most 255" in parts.row_error.text()
        parts.table.item(0, 1).setText("200")
        parts.quorum.setText("300")
        assert not next_enabled(wizard) and "from 1 to 255" in parts.quorum_error.text()
        parts.quorum.setText("200")
        assert next_enabled(wizard)
        wizard.next()
        # 3. allocations: what each funder deposits right after the (empty) create; none here
        assert wizard.currentPage() is pages["allocations"]
        wizard.next()
        # 4. I sign
        assert wizard.currentPage() is pages["signers"]
        assert pages["signers"].flow.signers == {me}
        wizard.next()
        review = pages["review"]
        expected_id = review.session_id.text()
        frame = json.loads(review.frame.toPlainText())
        assert frame[0] == 1 and frame[2] == "app_sessions.v1.create_app_session"
        assert frame[3]["definition"]["application_id"] == "nitro-desktop-tests"
        assert frame[3]["definition"]["quorum"] == 200
        assert "starts empty" in review.summary.text()
        wizard.next()
        submit = pages["submit"]
        await until(lambda: submit.copy.isVisible() or submit.error.isVisible(), what="the node's answer")
        assert submit.result is not None, submit.error.text()
        assert submit.result.app_session_id == expected_id
        await until(lambda: run.window.model.rowCount() == 1, what="the new row")
        record = run.store.sessions.get(expected_id)
        assert record is not None and record.status == "open" and record.version == 1
        assert record.request_frame is not None and json.loads(record.request_frame)[3]["quorum_sigs"]
        wizard.accept()
        await app_runner.close(run)

        again = app_runner.open(profile)
        await until(lambda: again.window.model.rowCount() == 1, what="the stored row after a restart")
        row = again.window.model.row_at(0)
        assert row.app_session_id == expected_id and row.status == "open"
        # Its details name the application and show no empty Protocol row (v1 has none).
        again.window.table.selectRow(0)
        fields = again.window.details.fields
        await until(lambda: fields["app_session_id"].text() == expected_id, what="the details")
        assert fields["application"].text() == "nitro-desktop-tests"
        assert not fields["protocol"].isVisibleTo(again.window.details)
        assert fields["application"].isVisibleTo(again.window.details)


@pytest.mark.asyncio
async def test_deposit_from_the_window_into_an_empty_v1_session(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        me = add_account(profile)
        choose_endpoint(profile, SANDBOX_V1_NAME)
        run = app_runner.open(profile)
        await ready(run)
        flow = CreateSessionFlow(Dialect.V1, local_accounts=[me], assets=dict(run.wallet.assets), now_ms=777)
        flow.participants[1].address = B
        flow.signers = {me}
        created = await run.wallet.create_session(flow)
        await until(lambda: run.window.model.rowCount() == 1, what="the new row")
        run.window.table.selectRow(0)
        run.window.act_deposit.trigger()
        dialog = await until(lambda: run.window.menu_actions.deposit_dialog, what="the deposit dialog")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        dialog.amount.setText("5000")
        assert not ok.isEnabled() and "holds 1000 usdc" in dialog.error.text()
        dialog.amount.setText("1.1234567")
        assert not ok.isEnabled() and "decimal places" in dialog.error.text()
        dialog.amount.setText("100")
        assert ok.isEnabled()
        ok.click()
        await until(
            lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), what="the deposit to finish"
        )
        record = run.store.sessions.get(created.app_session_id)
        assert record is not None and record.version == 2
        assert json.loads(record.allocations_json or "")[0]["amount"] == "100"
        await until(lambda: balances(run).get("usdc") == "900", what="the home channel balance")
