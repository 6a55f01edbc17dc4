"""The whole window on the Local sandbox (v1): the wizard's quorum cannot be reached by this
computer's accounts, so Collect signatures saves a v1 ``.nitroreq``; the co-signer signs it on their
computer; opened again here it is submitted and the session appears in the list."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit

from nitro_desktop import signing
from nitro_desktop.protocol import RawKeySigner
from nitro_desktop.ui.signing_dialog import SigningRequestDialog, open_signing_request
from nitro_desktop.wallet.endpoints import SANDBOX_V1_NAME
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import add_account, choose_endpoint, open_wizard, ready

BOB = RawKeySigner("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")


@pytest.mark.asyncio
async def test_v1_wizard_collects_a_co_signers_quorum_signature(profile: Profile, tmp_path: Path) -> None:
    async with AppRunner() as apps:
        me = add_account(profile)
        choose_endpoint(profile, SANDBOX_V1_NAME)
        run = apps.open(profile)
        await ready(run)
        wizard = await open_wizard(run)
        wizard.next()
        parts = wizard.pages["participants"]
        parts.table.item(1, 0).setText(BOB.address)
        parts.table.item(0, 1).setText("50")
        parts.table.item(1, 1).setText("50")
        parts.quorum.setText("100")
        wizard.next()
        assert wizard.currentPage() is wizard.pages["allocations"]  # empty: nobody deposits here
        wizard.next()
        signers = wizard.pages["signers"]
        assert "weights add up to 50 of the quorum 100" in signers.errors.text()
        assert signers.collect.isVisibleTo(wizard) and signers.collect.isEnabled()
        signers.collect.click()

        chooser = await until(
            lambda: run.window.findChild(QFileDialog, "path_dialog"), what="the save dialog"
        )
        target = tmp_path / "v1.nitroreq"
        chooser.setDirectory(str(tmp_path))
        chooser.findChild(QLineEdit, "fileNameEdit").setText(target.name)
        chooser.accept()
        dialog: SigningRequestDialog = await until(
            lambda: run.window.menu_actions.signing_dialog, what="the signing dialog"
        )
        saved = signing.load(target)
        assert isinstance(saved, signing.V1SigningRequest)
        assert saved.signers == (me,) and saved.method == "app_sessions.v1.create_app_session"
        assert saved.signed_hash in dialog.summary.toPlainText()
        assert not dialog.submit_button.isEnabled()
        assert not shiboken6.isValid(wizard) or not wizard.isVisible()

        signing.save(signing.sign(saved, BOB), target)  # Bob's computer
        dialog.close()
        reopened = open_signing_request(target, run.wallet, run.window)
        assert reopened.submit_button.isEnabled()
        reopened.submit_button.click()
        await until(lambda: reopened.outcome is not None, what="the submission")
        sid = saved.app_session_id
        await until(lambda: run.store.sessions.get(sid) is not None, what="the stored session")
        record = run.store.sessions.get(sid)
        assert record is not None and (record.status, record.version, record.origin) == ("open", 1, "created")
        await until(lambda: run.window.model.rowCount() == 1, what="the row in the list")


@pytest.mark.asyncio
async def test_v1_deposit_that_needs_a_co_signer_is_collected_from_the_deposit_dialog(
    profile: Profile, tmp_path: Path
) -> None:
    async with AppRunner() as apps:
        me = add_account(profile)
        choose_endpoint(profile, SANDBOX_V1_NAME)
        run = apps.open(profile)
        await ready(run)
        wallet = run.wallet
        assert wallet.client is not None
        definition = {
            "application_id": "nitro-desktop-tests",
            "participants": [
                {"wallet_address": me, "signature_weight": 50},
                {"wallet_address": BOB.address, "signature_weight": 50},
            ],
            "quorum": 100,
            "nonce": "4711",
        }
        created = signing.create_request_v1(wallet.client.url, definition)
        created = signing.sign_all(created, [*await wallet.unlocked_signers([me]), BOB])
        session = await wallet.submit_request(created)
        await until(lambda: run.window.model.rowCount() == 1, what="the new row")
        run.window.table.selectRow(0)
        run.window.act_deposit.trigger()
        dialog = await until(lambda: run.window.menu_actions.deposit_dialog, what="the deposit dialog")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert dialog.collect.isVisibleTo(dialog) and not dialog.collect.isEnabled()
        dialog.amount.setText("10")
        assert not ok.isEnabled() and dialog.collect.isEnabled()  # alone, the node would refuse it
        dialog.collect.click()

        chooser = await until(
            lambda: run.window.findChild(QFileDialog, "path_dialog"), what="the save dialog"
        )
        target = tmp_path / "deposit.nitroreq"
        chooser.setDirectory(str(tmp_path))
        chooser.findChild(QLineEdit, "fileNameEdit").setText(target.name)
        chooser.accept()
        signing_dialog: SigningRequestDialog = await until(
            lambda: run.window.menu_actions.signing_dialog, what="the signing dialog"
        )
        saved = signing.load(target)
        assert isinstance(saved, signing.V1SigningRequest) and saved.kind == "deposit"
        assert saved.signers == (me,)
        assert f"{me} moves 10 usdc from their home channel" in signing_dialog.summary.toPlainText()
        assert not signing_dialog.submit_button.isEnabled()

        signing.save(signing.sign(saved, BOB), target)  # Bob's computer
        signing_dialog.close()
        reopened = open_signing_request(target, wallet, run.window)
        reopened.submit_button.click()
        await until(lambda: reopened.outcome is not None, what="the deposit")
        record = run.store.sessions.get(session.app_session_id)
        assert record is not None and record.version == 2
        await until(lambda: wallet.balances.get("usdc") == Decimal(990), what="the home channel balance")
