"""Collect signatures from the wizard: our signature, a file for the co-signer, their signature, submit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QFileDialog, QLineEdit

from nitro_desktop import signing
from nitro_desktop.protocol import RawKeySigner
from nitro_desktop.ui.signing_dialog import SigningRequestDialog, open_signing_request
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import add_account, open_wizard, ready

# Hardhat/Anvil account #1: a co-signer whose key lives on "another computer" (only this test holds it).
BOB = RawKeySigner("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")


@pytest.mark.asyncio
async def test_wizard_collects_a_co_signers_signature_then_submits(profile: Profile, tmp_path: Path) -> None:
    async with AppRunner() as apps:
        me = add_account(profile)
        run = apps.open(profile)
        await ready(run)
        run.wallet.sandbox.fund(BOB.address, "usdc", "100")
        wizard = await open_wizard(run)
        wizard.next()
        wizard.pages["participants"].table.item(1, 0).setText(BOB.address)
        wizard.next()
        wizard.pages["allocations"]._editors[0][1].setText("10")
        wizard.pages["allocations"]._editors[1][1].setText("5")
        wizard.next()
        signers = wizard.pages["signers"]
        assert BOB.address in signers.errors.text()
        assert signers.collect.isVisibleTo(wizard) and signers.collect.isEnabled()
        signers.collect.click()

        chooser = await until(
            lambda: run.window.findChild(QFileDialog, "path_dialog"), what="the save dialog"
        )
        target = tmp_path / "game.nitroreq"
        chooser.setDirectory(str(tmp_path))
        chooser.findChild(QLineEdit, "fileNameEdit").setText(target.name)  # what a person types
        chooser.accept()
        dialog: SigningRequestDialog = await until(
            lambda: run.window.menu_actions.signing_dialog, what="the signing dialog"
        )
        saved = signing.load(target)
        assert saved.signers == (me,) and saved.method == "create_app_session"
        assert not dialog.submit_button.isEnabled()  # Bob has not signed yet
        assert not shiboken6.isValid(wizard) or not wizard.isVisible()  # the wizard closed

        # Bob signs the same file on his computer; the req text does not change by a byte.
        signed = signing.sign(saved, BOB)
        signing.save(signed, target)
        assert signed.req == saved.req

        dialog.close()
        reopened = open_signing_request(target, run.wallet, run.window)
        assert reopened.submit_button.isEnabled()
        reopened.submit_button.click()
        await until(lambda: reopened.outcome is not None, what="the submission")
        session_id = reopened.outcome.app_session_id
        await until(lambda: run.store.sessions.get(session_id) is not None, what="the stored session")
        assert run.wallet.sandbox.balances(BOB.address)["usdc"] == Decimal(95)
        assert run.wallet.sandbox.balances(me)["usdc"] == Decimal(990)
        await until(lambda: run.window.model.rowCount() == 1, what="the row in the list")
