"""The app end to end on the sandbox node: first run, the wizard in both dialects, persistence,
validation in the pages, the server-error path, reconnect in the status bar, close and submit."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox, QWizard
from pytestqt.qtbot import QtBot

from nitro_desktop.client import ConnectionState
from nitro_desktop.flows import CreateSessionFlow, SubmitResult
from nitro_desktop.keys import AccountManager
from nitro_desktop.protocol import Dialect, spec
from nitro_desktop.store import Store
from nitro_desktop.ui.wizard import CreateSessionWizard, SubmitPage
from nitro_desktop.wallet.endpoints import SANDBOX_05_NAME, SANDBOX_NAME
from tests.ui.conftest import FAST_KDF, AppRunner, Profile, Running, until

B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def add_account(profile: Profile, label: str = "Alice", key: str | None = None) -> str:
    with Store.open(profile.data_dir) as store:
        manager = AccountManager(store, keyring_backend=profile.keyring, kdf=FAST_KDF)
        record = manager.import_private_key(key, label) if key else manager.generate(label)
        return str(record.address)


def choose_endpoint(profile: Profile, endpoint: str) -> None:
    settings = QSettings(str(profile.data_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("last/endpoint", endpoint)
    settings.sync()


async def ready(run: Running) -> None:
    await until(
        lambda: (
            run.wallet.client is not None
            and run.wallet.client.state is ConnectionState.READY
            and run.window.act_new.isEnabled()
            and run.window.balances.rowCount() > 0
        ),
        what="a connected, funded window",
    )


def balances(run: Running) -> dict[str, str]:
    t = run.window.balances
    return {t.item(i, 0).text(): t.item(i, 1).text() for i in range(t.rowCount())}


async def open_wizard(run: Running) -> QWizard:
    run.window.act_new.trigger()
    wizard = await until(lambda: run.window.menu_actions.wizard, what="the wizard")
    assert wizard.isVisible()
    return wizard


def next_enabled(wizard: QWizard) -> bool:
    return bool(wizard.button(QWizard.WizardButton.NextButton).isEnabled())


@pytest.mark.asyncio
async def test_first_run_creates_a_funded_account_with_clicks_only(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        welcome = await until(lambda: getattr(run.window, "welcome", None), what="the welcome dialog")
        assert welcome.isVisible()
        welcome.new_button.click()
        form = await until(lambda: getattr(welcome, "form", None), what="the account form")
        ok = form.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled()  # the defaults are enough: a label and the OS keyring
        ok.click()
        from tests.ui.backup_steps import write_down_and_check  # (local: a small edit to this file)

        await write_down_and_check(welcome)  # the new key's backup comes before the account
        await ready(run)
        assert balances(run) == {"eth": "1", "usdc": "1000"}
        assert len(run.wallet.accounts.list()) == 1
        assert (
            run.window.indicator.text().endswith(run.wallet.account[-4:])
            or "Connected" in run.window.indicator.text()
        )


@pytest.mark.asyncio
@pytest.mark.parametrize("endpoint", [SANDBOX_NAME, SANDBOX_05_NAME])
async def test_wizard_creates_a_session_that_survives_a_restart(profile: Profile, endpoint: str) -> None:
    async with AppRunner() as app_runner:
        me = add_account(profile)
        choose_endpoint(profile, endpoint)
        run = app_runner.open(profile)
        await ready(run)
        wizard = await open_wizard(run)
        pages = wizard.pages
        # 1. application: defaults are valid
        assert next_enabled(wizard)
        wizard.next()
        # 2. participants: I am #1; add B
        table = pages["participants"].table
        assert table.item(0, 0).text() == me
        assert not next_enabled(wizard)
        table.item(1, 0).setText(B)
        assert next_enabled(wizard)
        wizard.next()
        # 3. allocations
        amount = pages["allocations"]._editors[0][1]
        amount.setText("250.5")
        assert next_enabled(wizard)
        wizard.next()
        # 4. signers: I fund, so I am checked and required
        assert pages["signers"].flow.signers == {me}
        wizard.next()
        # 5. review shows the id the server will derive
        expected_id = pages["review"].session_id.text()
        assert expected_id.startswith("0x") and len(expected_id) == 66
        assert "250.5 usdc" in pages["review"].summary.text()
        wizard.next()
        submit: SubmitPage = pages["submit"]  # type: ignore[assignment]
        # The page is done when it says so (the copy button), not when the result exists underneath.
        await until(lambda: submit.copy.isVisible() or submit.error.isVisible(), what="the server's answer")
        assert submit.result is not None, submit.error.text()
        assert submit.result.app_session_id == expected_id
        assert submit.copy.isVisible()
        # the row is in the list and selected, with the exact frames in the details
        await until(lambda: run.window.model.rowCount() == 1, what="the new row")
        assert run.window.model.row_at(0).app_session_id == expected_id
        assert run.window.model.row_at(0).totals == "250.5 usdc"
        assert balances(run)["usdc"] == "749.5"
        record = run.store.sessions.get(expected_id)
        assert record is not None and record.status == "open" and record.version == 1
        assert record.request_frame and expected_id not in record.request_frame  # the request names no id
        assert record.response_frame and expected_id in record.response_frame
        wizard.accept()
        await app_runner.close(run)

        again = app_runner.open(profile)
        await until(lambda: again.window.model.rowCount() == 1, what="the stored row after a restart")
        row = again.window.model.row_at(0)
        assert row.app_session_id == expected_id and row.status == "open"
        again.window.table.selectRow(0)
        await until(lambda: again.window.details.fields["app_session_id"].text() == expected_id)
        assert again.window.details.request.text.toPlainText() == record.request_frame
        assert again.window.details.response.text.toPlainText() == record.response_frame


@pytest.mark.asyncio
async def test_each_page_disables_next_and_says_why(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        add_account(profile)
        run = app_runner.open(profile)
        await ready(run)
        wizard = await open_wizard(run)
        app = wizard.pages["application"]
        app.fields["nonce"].setText("0")
        assert not next_enabled(wizard) and "must not be zero" in app.errors["nonce"].text()
        app.fields["nonce"].setText("12345")
        app.fields["challenge"].setText("soon")
        assert not next_enabled(wizard) and "whole number" in app.errors["challenge"].text()
        app.fields["challenge"].setText("3600")
        wizard.next()
        parts = wizard.pages["participants"]
        parts.table.item(1, 0).setText(B.lower().replace("0x7", "0x7").upper().replace("0X", "0x")[:-1] + "Z")
        assert not next_enabled(wizard) and "40 hex digits" in parts.row_error.text()
        parts.table.item(1, 0).setText("0x70997970c51812dc3A010C7d01b50e0d17dc79C8")
        assert "checksum is wrong" in parts.row_error.text()
        parts.table.setCurrentCell(1, 0)
        parts._fix_checksum()
        assert parts.table.item(1, 0).text() == B and next_enabled(wizard)
        parts.quorum.setText("150")
        assert not next_enabled(wizard) and "No set of signers can reach" in parts.quorum_error.text()
        parts.quorum.setText("100")
        wizard.next()
        alloc = wizard.pages["allocations"]
        alloc._editors[0][1].setText("5000")
        assert not next_enabled(wizard) and "Insufficient funds" in alloc.errors.text()
        alloc._editors[0][1].setText("1.1234567")
        assert "more than 6 decimal places" in alloc.errors.text()
        alloc._editors[0][1].setText("1")
        alloc._editors[1][1].setText("1")
        assert next_enabled(wizard)  # B funds too: fine, but B must sign
        wizard.next()
        signers = wizard.pages["signers"]
        assert not next_enabled(wizard) and B in signers.errors.text()
        assert signers.collect.isVisibleTo(wizard)


@pytest.mark.asyncio
async def test_server_refusal_is_shown_with_a_way_back(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        add_account(profile, "Alice")
        bob = add_account(profile, "Bob")
        run = app_runner.open(profile)
        await ready(run)
        # The server knows better than the wizard here: Bob's balance was spent behind its back.
        run.wallet.sandbox.fund(bob, "usdc", "1")
        wizard = await open_wizard(run)
        flow = wizard.pages["application"].flow
        flow.balances = {}  # nothing known locally: only the server can refuse
        wizard.next()
        wizard.pages["participants"].table.item(1, 0).setText(bob)
        wizard.next()
        wizard.pages["allocations"]._editors[1][1].setText("99999")
        wizard.next()
        wizard.next()
        wizard.next()
        submit: SubmitPage = wizard.pages["submit"]  # type: ignore[assignment]
        await until(lambda: submit.error.isVisible(), what="the refusal")
        assert submit.error.text() == f"insufficient funds: {bob} for asset usdc"
        assert submit.back_to.isVisible() and "Allocations" in submit.back_to.text()
        submit.back_to.click()
        assert wizard.currentPage() is wizard.pages["allocations"]
        assert run.store.sessions.count() == 0


@pytest.mark.asyncio
async def test_status_bar_shows_reconnect_while_the_node_restarts(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        add_account(profile)
        run = app_runner.open(profile)
        await ready(run)
        node = run.wallet.sandbox
        await node.stop()
        await until(lambda: "Reconnecting in" in run.window.indicator.text(), what="the reconnect countdown")
        await node.start()
        await until(
            lambda: (
                run.wallet.client.state is ConnectionState.READY
                and "Connected" in run.window.indicator.text()
            ),
            timeout=40,
            what="the reconnection",
        )


@pytest.mark.asyncio
async def test_submit_state_then_close_through_their_dialogs(profile: Profile) -> None:
    async with AppRunner() as app_runner:
        me = add_account(profile)
        run = app_runner.open(profile)
        await ready(run)
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
        run.window.table.selectRow(0)

        run.window.act_submit.trigger()
        dialog = await until(lambda: run.window.menu_actions.update_dialog, what="the submit dialog")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled()  # the current allocations are a valid state
        dialog.amounts[0].setText("60")
        assert not ok.isEnabled() and "add up to 60" in dialog.error.text()
        dialog.amounts[1].setText("40")
        assert ok.isEnabled()
        ok.click()
        await until(lambda: run.store.sessions.get(session_id).version == 2, what="the new version")

        run.window.table.selectRow(0)
        run.window.act_close.trigger()
        closing = await until(
            lambda: (
                run.window.menu_actions.update_dialog is not dialog and run.window.menu_actions.update_dialog
            ),
            what="the close dialog",
        )
        assert [a.text() for a in closing.amounts] == ["60", "40"]
        closing.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        await until(lambda: run.store.sessions.get(session_id).status == "closed", what="the close")
        assert run.store.sessions.get(session_id).version == 3
        await until(lambda: balances(run)["usdc"] == "960", what="the refund in the balances")
        assert run.wallet.sandbox.balances(B) == {"usdc": Decimal(40)}
        assert me != B


@pytest.mark.asyncio
async def test_without_an_os_keyring_the_key_goes_to_an_encrypted_file(tmp_path: Path) -> None:
    from keyring.backends import fail
    from PySide6.QtWidgets import QDialog, QLabel, QLineEdit

    profile = Profile(tmp_path / "profile", fail.Keyring())  # type: ignore[arg-type]
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        welcome = await until(lambda: getattr(run.window, "welcome", None), what="the welcome dialog")
        welcome.new_button.click()
        form = await until(lambda: getattr(welcome, "form", None), what="the account form")
        assert [form.backend.itemData(i) for i in range(form.backend.count())] == ["file"]
        ok = form.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled() and "at least 8 characters" in form.error.text()
        form.password.setText("correct horse battery")
        form.password2.setText("correct horse batterY")
        assert "differ" in form.error.text()
        form.password2.setText("correct horse battery")
        ok.click()
        from tests.ui.backup_steps import write_down_and_check

        await write_down_and_check(welcome)
        # The password was just typed twice: signing in does not ask for it again (issue 16).
        await ready(run)
        await app_runner.close(run)
        run = app_runner.open(profile)  # a new session asks, once

        def password_dialog() -> QDialog | None:
            for dialog in run.window.findChildren(QDialog):
                edit = dialog.findChild(QLineEdit, "password")
                if dialog.isVisible() and edit is not None:
                    return dialog
            return None

        asked = await until(password_dialog, what="the password prompt for signing in")
        asked.findChild(QLineEdit, "password").setText("not the password")
        asked.accept()
        # A wrong password asks again, saying why, instead of failing the connection.
        again = await until(
            lambda: (d := password_dialog()) is not None and d is not asked and d, what="the second prompt"
        )
        assert "did not open the key" in again.findChild(QLabel, "password_note").text()
        again.findChild(QLineEdit, "password").setText("correct horse battery")
        again.accept()
        await ready(run)
        [record] = run.wallet.accounts.list()
        assert record.backend == "file"
        keystore = profile.data_dir / "keystore" / f"{record.address}.json"
        assert keystore.exists() and "correct horse" not in keystore.read_text()


@pytest.mark.asyncio
async def test_refresh_merges_sessions_found_on_the_server(profile: Profile) -> None:
    from nitro_desktop.client import ClearNodeClient
    from nitro_desktop.protocol import Allocation, AppDefinition, RawKeySigner

    me = add_account(profile)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await ready(run)
        # Someone else opens a session with us on the same node, from their own client.
        bob = RawKeySigner("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
        run.wallet.sandbox.fund(bob.address, "usdc", "50")
        async with ClearNodeClient(run.wallet.client.url, "0.2") as theirs:
            await theirs.authenticate(bob, app_name="Bob's game")
            definition = AppDefinition("NitroRPC/0.2", (bob.address, me), (100, 0), 100, 0, 42)
            made = await theirs.create_app_session(
                definition,
                [Allocation(bob.address, "usdc", Decimal(20)), Allocation(me, "usdc", Decimal(0))],
                [bob],
            )
        assert run.window.model.rowCount() == 0
        resets: list[bool] = []
        run.window.model.modelReset.connect(lambda: resets.append(True))
        run.window.act_refresh.trigger()
        await until(lambda: run.window.model.rowCount() == 1, what="the merged row")
        assert resets == []  # placed row by row, not by reloading the whole list
        row = run.window.model.row_at(0)
        assert (row.app_session_id, row.origin, row.status) == (made.app_session_id, "server", "open")
        assert "found on server" in run.window.model.data(run.window.model.index(0, 0))
        # A second refresh finds nothing new and duplicates nothing.
        run.window.statusBar().clearMessage()
        run.window.act_refresh.trigger()
        await until(lambda: "sessions found on the server" in run.window.statusBar().currentMessage())
        assert run.store.sessions.count() == 1


@pytest.mark.asyncio
async def test_start_up_removes_expired_session_keys(profile: Profile) -> None:
    import time

    from nitro_desktop.keys import SessionKeyManager

    me = add_account(profile)
    with Store.open(profile.data_dir) as store:
        manager = SessionKeyManager(AccountManager(store, keyring_backend=profile.keyring, kdf=FAST_KDF))
        old = manager.create(me, "Nitro Desktop", time.time() + 0.2).address
        fresh = manager.create(me, "Chess", time.time() + 3600).address
    await asyncio.sleep(0.3)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await until(lambda: [k.address for k in run.store.session_keys.list()] == [fresh], what="the purge")
        assert old not in str(profile.keyring.entries)


def test_the_pages_follow_what_the_dialect_says_a_session_holds(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never_sent(flow: CreateSessionFlow) -> SubmitResult:
        raise AssertionError("nothing is sent here")

    me = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    for dialect, named in (("0.2", False), ("0.5", True)):
        flow = CreateSessionFlow(dialect, local_accounts=[me], assets={"usdc": 6}, now_ms=1)
        wizard = CreateSessionWizard(flow, never_sent)
        qtbot.addWidget(wizard)
        name = wizard.pages["application"].fields["application"]
        assert name.isEnabled() is named
        assert (name.toolTip() == "This ClearNode does not use application names.") is not named
    # A dialect whose sessions are created empty: the allocations page says what is deposited
    # right after the create, and the create itself carries none.
    monkeypatch.setattr(spec(Dialect.V02), "funded_at_create", False)
    flow = CreateSessionFlow("0.2", local_accounts=[me], assets={"usdc": 6}, now_ms=1)
    wizard = CreateSessionWizard(flow, never_sent)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.pages["participants"].table.item(1, 0).setText(B)
    wizard.next()
    assert wizard.currentPage() is wizard.pages["allocations"] and wizard.steps.page == "allocations"
    wizard.next()
    assert wizard.currentPage() is wizard.pages["signers"] and wizard.steps.page == "signers"
    assert flow.allocation_list() == []
    wizard.back()
    assert wizard.currentPage() is wizard.pages["allocations"] and wizard.steps.page == "allocations"
