"""What a person does in the backup dialog, as clicks: for any test that creates an account in the GUI."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from nitro_desktop.ui.backup_dialog import BackupDialog
from tests.ui.conftest import until


def visible_backup(parent: QWidget) -> BackupDialog | None:
    for dialog in parent.findChildren(BackupDialog):
        if dialog.isVisible():
            return dialog
    return None


def click(dialog: QWidget, name: str) -> None:
    button = dialog.findChild(QPushButton, name)
    assert button is not None, name
    assert button.isVisible() and button.isEnabled(), f"{name} cannot be clicked"
    button.click()


def words_on_screen(backup: BackupDialog) -> list[str]:
    return [label.text().split(". ", 1)[1] for label in backup.word_labels]


async def write_down_and_check(parent: QWidget) -> list[str]:
    """Open the phrase, 'write it down', type back the words asked; returns the words."""
    backup = await until(lambda: visible_backup(parent), what="the backup dialog")
    assert backup.choice_phrase.isChecked()  # the phrase is the default for a new key
    click(backup, "backup_continue")
    words = words_on_screen(backup)
    click(backup, "phrase_written")
    for position in backup.positions_asked():
        backup.verify_edits[position].setText(words[position - 1])
    click(backup, "verify_check")
    assert not backup.isVisible()
    return words
