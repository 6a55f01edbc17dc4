"""First minutes (issue 16): no display says so in one line; without a secure keyring the password
is typed twice at creation and then asked at most once per session; the note is a sentence; inline
errors do not move the buttons under the pointer."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QWidget

from nitro_desktop.app import no_display_reason
from nitro_desktop.keys import AccountManager
from nitro_desktop.store import Store
from nitro_desktop.ui.account_form import AccountFormDialog, keyring_note
from nitro_desktop.ui.dialogs import EndpointDialog
from nitro_desktop.wallet.core import Wallet
from nitro_desktop.wallet.endpoints import SANDBOX_05_NAME
from tests.ui.conftest import FAST_KDF, Running, until
from tests.ui.test_session_wizard import B, ready

PASSWORD = "correct horse battery"


def test_no_display_is_one_line_not_qts_library_hint(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "nitro_desktop", "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "Nitro Desktop needs a graphical desktop and found none (DISPLAY and WAYLAND_DISPLAY are not "
        "set); start it from a desktop session, or use the command line: nitro-desktop --help"
    ]
    assert "xcb" not in done.stderr and "libxcb-cursor0" not in done.stderr


def test_which_environments_have_a_display(tmp_path: Path) -> None:
    assert no_display_reason({}, "linux") is not None
    assert no_display_reason({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert no_display_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert no_display_reason({}, "win32") is None and no_display_reason({}, "darwin") is None
    assert no_display_reason({"DISPLAY": "remote.example:0"}, "linux") is None  # not ours to probe
    if Path("/tmp/.X11-unix").is_dir():
        gone = no_display_reason({"DISPLAY": ":987"}, "linux")
        assert gone is not None and gone.startswith("Nitro Desktop found no display at DISPLAY=:987")


def test_the_keyring_note_reads_as_a_sentence() -> None:
    note = keyring_note(False, "no OS keyring is available", "keyring.backends.fail.Keyring")
    assert note == (
        "No OS keyring was found, so the key is kept in a file on this computer, encrypted with the "
        "password below. The app asks for it once per session, when it first needs the key."
    )
    assert keyring_note(False, "the configured keyring stores secrets in a plain file", "x").startswith(
        "The OS keyring cannot keep keys (the configured keyring stores secrets in a plain file), so "
    )
    assert keyring_note(True, "", "SecretService Keyring") == (
        "The key goes into your OS keyring (SecretService Keyring)."
    )


def where(widget: QWidget) -> QPoint:
    return widget.mapTo(widget.window(), QPoint(0, 0))


@pytest.mark.asyncio
async def test_inline_errors_do_not_move_the_buttons(qtbot: object) -> None:
    form = AccountFormDialog(importing=False, keyring_ok=False, keyring_note=keyring_note(False, "", ""))
    form.show()
    ok = form.buttons.button(QDialogButtonBox.StandardButton.Ok)
    form.label.setText("Mine")
    form.password.setText(PASSWORD)
    form.password2.setText(PASSWORD)
    assert ok.isEnabled()
    await until(lambda: form.isVisible())
    before = where(ok)
    form.password2.setText(PASSWORD + "!")  # "The passwords differ."
    assert not ok.isEnabled() and form.error.text() == "The passwords differ."
    await asyncio.sleep(0.1)  # the layout settles on the loop
    assert where(ok) == before
    form.close()

    add = EndpointDialog(set())
    add.show()
    await asyncio.sleep(0.1)
    add.name.setText("Mine")
    add.url.setText("ws://127.0.0.1:1/ws")
    save = add.buttons.button(QDialogButtonBox.StandardButton.Save)
    before = where(save)
    add.url.setText("http://nowhere")
    assert add.error.text() and not save.isEnabled()
    await asyncio.sleep(0.1)
    assert where(save) == before
    add.close()


def password_prompts(run: Running) -> list[QDialog]:
    return [
        d
        for d in run.window.findChildren(QDialog)
        if d.isVisible() and d.findChild(QLineEdit, "password") is not None
    ]


@pytest.mark.asyncio
async def test_without_a_keyring_the_password_is_typed_at_creation_and_asked_once_per_session(
    tmp_path: Path,
) -> None:
    from PySide6.QtCore import QSettings

    from nitro_desktop.app import local_sandbox_factory
    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.ui.service import AppService
    from tests.ui.backup_steps import write_down_and_check

    store = Store.open(tmp_path / "profile")
    accounts = AccountManager(store, keyring_backend=fail.Keyring(), kdf=FAST_KDF)
    service = AppService(Wallet(store, accounts, sandbox_factory=local_sandbox_factory(store.data_dir)))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(service, settings)
    window.show()
    run = Running(window, service, store)
    asked: list[str] = []
    prompt = service.wallet.password_prompt
    assert prompt is not None

    def counting(address: str, note: str) -> object:
        asked.append(address)
        return prompt(address, note)

    service.wallet.password_prompt = counting  # type: ignore[assignment]
    try:
        welcome = await until(lambda: getattr(window, "welcome", None), what="the welcome dialog")
        welcome.new_button.click()
        form = await until(lambda: getattr(welcome, "form", None), what="the account form")
        assert form.backend.currentData() == "file"  # no secure keyring: a file, with a password
        form.password.setText(PASSWORD)
        form.password2.setText(PASSWORD)  # typed twice, here
        form.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        await write_down_and_check(welcome)
        await ready(run)  # connected and signed in without asking again
        assert asked == [] and password_prompts(run) == []

        # A create signs with the same key: still not asked.
        window.act_new.trigger()
        wizard = await until(lambda: window.menu_actions.wizard, what="the wizard")
        wizard.next()
        wizard.pages["participants"].table.item(1, 0).setText(B)
        for _ in range(4):
            wizard.next()
        submit = wizard.pages["submit"]
        await until(lambda: submit.result is not None or submit.error.isVisible(), what="the answer")
        assert submit.result is not None, submit.error.text()
        assert asked == []
        wizard.accept()

        # A switch of ClearNode in the same session: still not asked.
        box = window.endpoint_box
        box.setCurrentIndex(box.findData(SANDBOX_05_NAME))
        window.reconnect()
        await until(lambda: service.wallet.endpoint.name == SANDBOX_05_NAME, what="the switch")
        await ready(run)
        assert asked == []
    finally:
        window.close()
        await service.shutdown()
        store.close()
    assert service.wallet.unlocker._opened == {}  # locked again when the session ends


@pytest.mark.asyncio
async def test_an_error_in_the_submit_dialog_does_not_move_its_buttons(profile: object) -> None:
    from tests.ui.conftest import AppRunner
    from tests.ui.test_session_wizard import add_account
    from tests.ui.test_wizard_after_send import create_through

    add_account(profile)  # type: ignore[arg-type]
    async with AppRunner() as apps:
        run = apps.open(profile)  # type: ignore[arg-type]
        await ready(run)
        wizard = await create_through(run)
        wizard.accept()
        run.window.table.selectRow(0)
        run.window.act_submit.trigger()
        dialog = await until(lambda: run.window.menu_actions.update_dialog, what="the submit dialog")
        await until(dialog.isVisible)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled() and not dialog.error.isVisible()
        before = where(ok)
        dialog.amounts[0].setText("12")  # more than the session holds
        assert dialog.error.isVisible() and not ok.isEnabled()
        await asyncio.sleep(0.1)  # the layout settles on the loop
        assert where(ok) == before
        dialog.reject()


@pytest.mark.asyncio
async def test_an_error_on_a_wizard_page_moves_no_field_or_button() -> None:
    from nitro_desktop.flows import CreateSessionFlow, SubmitResult
    from nitro_desktop.ui.wizard import CreateSessionWizard

    async def never_sent(_flow: CreateSessionFlow) -> SubmitResult:
        raise AssertionError("nothing is sent here")

    flow = CreateSessionFlow("0.2", local_accounts=[B], assets={"usdc": 6}, now_ms=1735689600000)
    wizard = CreateSessionWizard(flow, never_sent)
    wizard.show()
    await asyncio.sleep(0.1)
    page = wizard.pages["application"]
    controls = [*page.fields.values(), wizard.button(wizard.WizardButton.NextButton)]
    before = [where(c) for c in controls]
    page.fields["protocol"].setText("")  # the first field's error, above all the others
    assert page.errors["protocol"].isVisible()
    await asyncio.sleep(0.1)
    assert [where(c) for c in controls] == before
    wizard.reject()
