"""Every control of the main window, the wizard's pages and each dialog has an accessible name
(its own, its text, or a label that names it); the wizard completes a create by keys alone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from nitro_desktop.ui.accounts import AccountsDialog
from nitro_desktop.ui.deposit_dialog import DepositDialog
from nitro_desktop.ui.dialogs import EndpointDialog, LogDialog, PreferencesDialog, ask_password
from nitro_desktop.ui.endpoints import EndpointsDialog
from tests.ui.a11y import unnamed_controls
from tests.ui.conftest import AppRunner, Profile, until
from tests.ui.test_session_wizard import B, add_account, open_wizard, ready

pytestmark = pytest.mark.asyncio


def visible(run_window: QWidget, kind: type[QDialog]) -> QDialog | None:
    return next((d for d in run_window.findChildren(kind) if d.isVisible()), None)


async def test_every_control_has_an_accessible_name(profile: Profile) -> None:
    add_account(profile)
    missing: list[str] = []
    async with AppRunner() as apps:
        run = apps.open(profile)
        await ready(run)
        w = run.window
        missing += unnamed_controls(w)

        # The wizard, page by page, through a real create.
        wizard = await open_wizard(run)
        pages = wizard.pages
        missing += unnamed_controls(wizard)
        wizard.next()
        pages["participants"].table.item(1, 0).setText(B)
        for _page in ("participants", "allocations", "signers", "review"):
            missing += unnamed_controls(wizard)
            if _page == "participants":
                wizard.next()
                pages["allocations"]._editors[0][1].setText("10")
                continue
            wizard.next()
        await until(lambda: pages["submit"].result is not None, what="the create")
        missing += unnamed_controls(wizard)
        wizard.accept()
        w.table.selectRow(0)
        missing += unnamed_controls(w)  # with the details of a session

        # The dialogs the menus open.
        w.act_submit.trigger()
        update = await until(lambda: w.menu_actions.update_dialog, what="the submit dialog")
        missing += unnamed_controls(update)
        update.reject()
        w.act_accounts.trigger()
        accounts = await until(lambda: visible(w, AccountsDialog), what="the accounts dialog")
        missing += unnamed_controls(accounts)
        accounts._new()
        form = await until(lambda: getattr(accounts, "form", None), what="the account form")
        missing += unnamed_controls(form)
        form.reject()
        accounts.table.selectRow(0)
        accounts.back_up()
        gate = await until(lambda: getattr(accounts, "gate", None), what="the backup gate")
        missing += unnamed_controls(gate)
        gate.reject()
        accounts.accept()

        from nitro_desktop.keys.backup import key_from_phrase, new_recovery_phrase
        from nitro_desktop.keys.crypto import address_of
        from nitro_desktop.ui.accounts import WelcomeDialog
        from nitro_desktop.ui.backup_dialog import BackupDialog

        welcome = WelcomeDialog(run.wallet.accounts, w)
        welcome.open()
        missing += unnamed_controls(welcome)
        welcome.reject()
        phrase = new_recovery_phrase()
        key = key_from_phrase(" ".join(phrase.words))
        backup = BackupDialog(address_of(key), key, phrase=phrase, parent=w)
        backup.open()
        for _step in range(3):  # choose, then the phrase, then its check
            missing += unnamed_controls(backup)
            for name in ("backup_continue", "phrase_written"):
                button = backup.findChild(QPushButton, name)
                if button is not None and button.isVisible() and button.isEnabled():
                    button.click()
                    break
        backup.reject()
        w.act_endpoint.trigger()
        endpoints = await until(lambda: visible(w, EndpointsDialog), what="the ClearNodes dialog")
        missing += unnamed_controls(endpoints)
        endpoints._add()
        add = await until(lambda: visible(endpoints, EndpointDialog), what="the add form")
        missing += unnamed_controls(add)
        add.reject()
        endpoints.accept()
        w.act_prefs.trigger()
        prefs = await until(lambda: visible(w, PreferencesDialog), what="the preferences")
        missing += unnamed_controls(prefs)
        prefs.reject()
        w.act_log.trigger()
        log = await until(lambda: visible(w, LogDialog), what="the log")
        missing += unnamed_controls(log)
        log.reject()
        asked = ask_password(w, B)
        prompt = await until(
            lambda: next(
                (d for d in w.findChildren(QDialog) if d.windowTitle() == "Password" and d.isVisible()), None
            )
        )
        missing += unnamed_controls(prompt)
        prompt.reject()
        assert await asked is None

        async def deposit(_sid: str, _asset: str, _amount: Decimal) -> object:
            raise AssertionError("not sent")

        dep = DepositDialog("0x" + "ab" * 32, {"usdc": 6}, {"usdc": Decimal(5)}, deposit, w)  # type: ignore[arg-type]
        dep.open()
        missing += unnamed_controls(dep)
        dep.reject()

        from nitro_desktop import signing
        from nitro_desktop.flows import CreateSessionFlow
        from nitro_desktop.ui.signing_dialog import SigningRequestDialog

        flow = CreateSessionFlow("0.2", local_accounts=[run.wallet.account], assets={"usdc": 6}, now_ms=1)
        flow.participants[1].address = B
        request = signing.request_for(flow, run.wallet.client.url)

        async def unlock(_address: str) -> object:
            raise AssertionError("not signed")

        sign = SigningRequestDialog(None, [run.wallet.account], unlock, None, w, request=request)  # type: ignore[arg-type]
        sign.open()
        missing += unnamed_controls(sign)
        sign.reject()
    assert missing == [], "\n".join(missing)
