"""Accounts: a new key is backed up before it exists, Back up asks first, Delete offers the backup.

Real dialogs on the qasync loop, a real store and key manager over an in-memory keyring.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QStackedWidget, QWidget
from pytestqt.qtbot import QtBot

from nitro_desktop.keys import AccountManager
from nitro_desktop.keys.backup import parse_recovery_phrase, read_backup_file
from nitro_desktop.keys.crypto import address_of
from nitro_desktop.store import Store
from nitro_desktop.ui.account_form import NOT_CREATED, AccountFormDialog
from nitro_desktop.ui.accounts import DELETE_WARNING, AccountsDialog, BackupGate
from nitro_desktop.ui.backup_dialog import BackupDialog
from nitro_desktop.ui.backup_pages import HIDDEN_KEY, REVEAL_SECONDS
from tests.keys.memory_keyring import MemoryKeyring
from tests.ui.backup_steps import click, visible_backup, words_on_screen, write_down_and_check
from tests.ui.conftest import FAST_KDF, until

PASSWORD = "file-Pa55word-marker"
BACKUP_PASSWORD = "backup-Pa55word-marker"
KEY = "0x" + "4c" * 32


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as s:
        yield s


@pytest.fixture
def manager(store: Store) -> AccountManager:
    return AccountManager(store, keyring_backend=MemoryKeyring(), kdf=FAST_KDF)


@contextlib.asynccontextmanager
async def opened(dialog: QDialog) -> AsyncIterator[QDialog]:
    """Show ``dialog``; at the end close and delete it on the loop, as the app does.

    (Left to Python's garbage collector, a dialog could be destroyed in the middle of Qt
    delivering a child's pending deletion: a crash of the test, not of the app.)
    """
    dialog.show()
    try:
        yield dialog
    finally:
        dialog.close()
        dialog.deleteLater()
        for _ in range(3):
            await asyncio.sleep(0)


def open_dialog(manager: AccountManager) -> Any:
    return opened(AccountsDialog(manager))


async def new_account_form(dialog: AccountsDialog, *, importing: bool = False) -> AccountFormDialog:
    (dialog._import if importing else dialog._new)()
    return await until(lambda: dialog.findChild(AccountFormDialog), what="the account form")


def ok(form: AccountFormDialog) -> None:
    form.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


@pytest.mark.asyncio
async def test_a_new_key_is_stored_only_after_its_phrase_is_checked(
    manager: AccountManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with open_dialog(manager) as dialog:
        ok(await new_account_form(dialog))
        backup = await until(lambda: visible_backup(dialog), what="the backup dialog")
        assert manager.list() == []  # nothing exists until the backup is done
        click(backup, "backup_continue")
        words = words_on_screen(backup)
        assert len(words) == 12
        click(backup, "phrase_written")
        asked = backup.positions_asked()
        assert len(asked) == 3
        for position in asked:
            backup.verify_edits[position].setText(words[position - 1])
        backup.verify_edits[asked[1]].setText("wrong")
        click(backup, "verify_check")
        assert f"Word #{asked[1]} does not match" in backup.verify_error.text()
        assert backup.isVisible() and manager.list() == []
        click(backup, "verify_back")  # the words can be seen again while the dialog is open
        assert words_on_screen(backup) == words
        click(backup, "phrase_written")  # new positions are drawn
        for position in backup.positions_asked():
            backup.verify_edits[position].setText(words[position - 1].upper())
        click(backup, "verify_check")

        created = await until(manager.list, what="the account")
        assert created[0].address == parse_recovery_phrase(" ".join(words)).address()
        await until(lambda: created[0].address in dialog.message.text(), what="the 'added' message")
        assert dialog.address_view.address() == created[0].address
        # Closed: nothing on screen or in the dialog still holds the phrase or the key.
        assert not shiboken6.isValid(backup) or all(label.text() == "" for label in backup.word_labels)
        assert backup._key is None and backup._phrase is None
        key = manager.export_private_key(created[0].address)
        # At DEBUG, where qasync's executor logs each job's arguments and result.
        # A single BIP-39 word ("account", "open") can stand in a function name: a word is looked
        # for as a logged string would show it, and the phrase as consecutive pairs.
        for secret in (
            " ".join(words),
            *(" ".join(pair) for pair in itertools.pairwise(words)),
            repr(words[0]),
            key.removeprefix("0x"),
            repr(bytes.fromhex(key[2:]))[2:-1],
        ):
            assert secret not in caplog.text


@pytest.mark.asyncio
async def test_a_new_key_backed_up_to_a_file_restores_from_it(
    manager: AccountManager, tmp_path: Path
) -> None:
    async with open_dialog(manager) as dialog:
        ok(await new_account_form(dialog))
        backup = await until(lambda: visible_backup(dialog), what="the backup dialog")
        backup.choice_file.setChecked(True)
        click(backup, "backup_continue")
        page = backup.file_page
        assert not page.save_button.isEnabled() and "at least 8" in page.error.text()
        existing = tmp_path / "old-backup.json"
        existing.write_text("an older backup")
        page.path.setText(str(existing))
        page.password.setText(BACKUP_PASSWORD)
        page.password2.setText(BACKUP_PASSWORD)
        click(backup, "backup_save")
        await until(lambda: "exists already" in page.error.text(), what="the refusal to overwrite")
        assert existing.read_text() == "an older backup" and manager.list() == []

        target = tmp_path / "backup.json"
        page.path.setText(str(target))
        click(backup, "backup_save")
        created = await until(manager.list, what="the account")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert address_of(read_backup_file(target, BACKUP_PASSWORD)) == created[0].address
        assert BACKUP_PASSWORD.encode() not in target.read_bytes()


@pytest.mark.asyncio
async def test_closing_the_backup_creates_no_account_and_skipping_needs_a_yes(
    manager: AccountManager,
) -> None:
    async with open_dialog(manager) as dialog:
        ok(await new_account_form(dialog))
        backup = await until(lambda: visible_backup(dialog), what="the backup dialog")
        backup.reject()  # Esc or the window's close button
        await until(lambda: dialog.message.text() == NOT_CREATED, what="the 'not created' message")
        assert manager.list() == []

        ok(await until(lambda: _fresh_form(dialog), what="a second form"))
        backup = await until(lambda: visible_backup(dialog), what="the second backup dialog")
        click(backup, "backup_skip")
        assert not backup.skip_confirm.isEnabled()
        backup.skip_ack.setChecked(True)
        click(backup, "skip_confirm")
        await until(manager.list, what="the account created without a backup")


def _fresh_form(dialog: AccountsDialog) -> AccountFormDialog | None:
    forms = [f for f in dialog.findChildren(AccountFormDialog) if f.isVisible()]
    if not forms:
        dialog._new()
    return forms[0] if forms else None


@pytest.mark.asyncio
async def test_an_imported_key_is_offered_a_backup_file_and_a_phrase_restores(
    manager: AccountManager,
) -> None:
    async with open_dialog(manager) as dialog:
        form = await new_account_form(dialog, importing=True)
        form.key.setText("test test test test test test test test test test test")
        assert "this has 11" in form.error.text()
        form.key.setText(KEY)
        ok(form)
        offer = await until(lambda: visible_backup(dialog), what="the backup offer")
        assert len(manager.list()) == 1  # an import is stored first: the user has the key already
        assert not offer.choice_phrase.isVisibleTo(offer) and offer.choice_file.isChecked()
        click(offer, "backup_later")
        await until(lambda: "Added" in dialog.message.text(), what="the 'added' message")

        form = await until(lambda: _fresh_form_import(dialog), what="a second import form")
        form.key.setText("test test test test test test test test test test test junk")
        ok(form)
        await until(lambda: len(manager.list()) == 2, what="the account restored from its phrase")
        assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in [r.address for r in manager.list()]
        assert visible_backup(dialog) is None  # its phrase is its backup


def _fresh_form_import(dialog: AccountsDialog) -> AccountFormDialog | None:
    forms = [f for f in dialog.findChildren(AccountFormDialog) if f.isVisible()]
    if not forms:
        dialog._import()
    return forms[0] if forms else None


@pytest.mark.asyncio
async def test_back_up_asks_for_the_password_first_and_shows_the_key_only_for_a_while(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    manager = AccountManager(store, keyring_backend=fail.Keyring(), kdf=FAST_KDF)
    record = manager.import_private_key(KEY, "Filed", backend="file", password=PASSWORD)
    async with open_dialog(manager) as dialog:
        dialog.back_up()
        gate = dialog.gate
        assert isinstance(gate, BackupGate) and gate.password.isVisible()
        gate.password.setText("not the password")
        gate.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        await until(lambda: "wrong password" in gate.error.text(), what="the wrong-password message")
        assert visible_backup(dialog) is None
        gate.password.setText(PASSWORD)
        gate.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        backup = await until(lambda: visible_backup(dialog), what="the backup dialog")
        assert backup.address == record.address

        backup.choice_show.setChecked(True)
        click(backup, "backup_continue")
        page = backup.reveal_page
        assert page is not None and page.key_label.text() == HIDDEN_KEY
        click(backup, "reveal_show")
        assert page.key_label.text() == KEY
        for _ in range(REVEAL_SECONDS):  # the countdown's ticks, driven by hand (no waiting in tests)
            page.timer.timeout.emit()
        assert page.key_label.text() == HIDDEN_KEY and not page.timer.isActive()
        click(backup, "reveal_show")
        click(backup, "reveal_back")  # leaving the page hides it
        assert page.key_label.text() == HIDDEN_KEY
        click(backup, "backup_continue")
        click(backup, "reveal_show")
        backup.reject()  # closing hides it and drops the key
        assert page.key_label.text() == HIDDEN_KEY and backup._key is None
        for secret in (KEY[2:], repr(bytes.fromhex(KEY[2:]))[2:-1], PASSWORD):
            assert secret not in caplog.text


@pytest.mark.asyncio
async def test_back_up_of_a_keyring_key_saves_a_file_after_a_confirmation(
    manager: AccountManager, tmp_path: Path
) -> None:
    record = manager.import_private_key(KEY, "Kept")
    async with open_dialog(manager) as dialog:
        dialog.back_up()
        assert not dialog.gate.password.isVisible()  # a confirmation, no password to ask
        dialog.gate.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        backup = await until(lambda: visible_backup(dialog), what="the backup dialog")
        assert not backup.choice_phrase.isVisibleTo(backup)  # no phrase is kept to show again
        backup.choice_file.setChecked(True)
        click(backup, "backup_continue")
        target = tmp_path / "kept.json"
        backup.file_page.path.setText(str(target))
        backup.file_page.password.setText(BACKUP_PASSWORD)
        backup.file_page.password2.setText(BACKUP_PASSWORD)
        click(backup, "backup_save")
        await until(lambda: "read back" in dialog.message.text(), what="the 'saved' message")
        assert str(target) in dialog.message.text()
        assert address_of(read_backup_file(target, BACKUP_PASSWORD)) == record.address


@pytest.mark.asyncio
async def test_delete_warns_and_makes_the_backup_the_default(manager: AccountManager) -> None:
    record = manager.import_private_key(KEY, "Doomed")
    async with open_dialog(manager) as dialog:
        dialog._delete()
        box = dialog.delete_box
        assert DELETE_WARNING in box.text() and record.address in box.text()
        backup_first = box.defaultButton()
        assert backup_first is not None and "Back up first" in backup_first.text()
        assert box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)
        backup_first.click()
        assert isinstance(dialog.gate, BackupGate) and dialog.gate.isVisible()
        dialog.gate.reject()
        assert manager.list() == [record]

        dialog._delete()
        box = dialog.delete_box
        delete = next(b for b in box.buttons() if "Delete for good" in b.text())
        delete.click()
        await until(lambda: manager.list() == [], what="the deletion")
        await until(lambda: "Deleted" in dialog.message.text(), what="the 'deleted' message")
        assert dialog.address_view.address() == ""


@pytest.mark.asyncio
async def test_the_welcome_creates_an_account_only_through_its_backup(manager: AccountManager) -> None:
    from nitro_desktop.ui.accounts import WelcomeDialog

    async with opened(WelcomeDialog(manager)) as welcome:
        ready: list[object] = []
        welcome.account_ready.connect(ready.append)
        welcome.new_button.click()
        ok(await until(lambda: getattr(welcome, "form", None), what="the account form"))
        words = await write_down_and_check(welcome)
        await until(lambda: ready, what="the account")
        assert manager.list()[0].address == parse_recovery_phrase(" ".join(words)).address()
        assert not welcome.isVisible() and visible_backup(welcome) is None


def test_the_backup_of_a_new_key_works_from_the_keyboard_alone(qtbot: QtBot) -> None:
    """Return takes the safe step on each page; the focus starts in the first word asked."""
    phrase = parse_recovery_phrase("test test test test test test test test test test test junk")
    backup = BackupDialog(phrase.address(), phrase.key(), phrase=phrase)
    qtbot.addWidget(backup)
    completed: list[str] = []
    backup.completed.connect(completed.append)
    backup.show()

    def enter() -> None:
        widget = backup.focusWidget() or backup
        qtbot.keyClick(widget, Qt.Key.Key_Return)

    enter()
    assert backup.pages.currentWidget() is backup.phrase_page
    enter()
    assert backup.pages.currentWidget() is backup.verify_page
    for position in backup.positions_asked():
        assert backup.focusWidget() is backup.verify_edits[position]
        qtbot.keyClicks(backup.focusWidget(), phrase.words[position - 1])
        if position != backup.positions_asked()[-1]:
            qtbot.keyClick(backup.focusWidget(), Qt.Key.Key_Tab)
    enter()
    assert completed == ["phrase"]
    for widget in backup.findChildren(QWidget):
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and not isinstance(widget, QStackedWidget):
            assert widget.accessibleName() or isinstance(widget, QLabel), widget.objectName()
