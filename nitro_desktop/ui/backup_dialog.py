"""Back up one key: its recovery phrase (new keys), an encrypted backup file, or the raw key (export).

Opened with ``open()``; answers through ``completed(kind)``. The dialog holds the
key (and a new key's phrase) only while it is open: closing it drops them and
blanks every label that showed them.

Secrets are never offered on the clipboard: clipboard managers (Klipper,
GNOME's and Windows' clipboard history) keep their own copies that no
"clear after 30 s" can reach, and any program may read the clipboard. A phrase
goes onto paper; a key goes into an encrypted file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.keys.backup import RecoveryPhrase
from nitro_desktop.keys.keyfile import DEFAULT_KDF, KdfParams
from nitro_desktop.ui.backup_pages import (
    MIN_PASSWORD,
    REVEAL_SECONDS,
    BackupFilePage,
    KeyRevealPage,
    bottom_row,
    error_label,
    step_button,
    text_label,
)

__all__ = ["MIN_PASSWORD", "REVEAL_SECONDS", "BackupDialog"]


class BackupDialog(QDialog):
    """One key's backup. ``phrase`` for a new key; ``creating`` False for an export from Accounts.

    ``completed`` gets "phrase" (checked word by word), "file" (written and read
    back) or "skipped" (creation without a backup, acknowledged; an import's "Not now").
    Closing it otherwise (Cancel, Esc) emits nothing.
    """

    completed = Signal(str)

    def __init__(
        self,
        address: str,
        key: bytes,
        *,
        phrase: RecoveryPhrase | None = None,
        creating: bool = True,
        kdf: KdfParams = DEFAULT_KDF,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.address = address
        self._key: bytes | None = key
        self._phrase = phrase
        self._creating = creating
        self.saved_path: Path | None = None
        self.setWindowTitle("Back up your new key" if creating else "Back up a key")
        self.setMinimumWidth(600)
        self.pages = QStackedWidget()
        QVBoxLayout(self).addWidget(self.pages)
        self.choose_page = self._build_choose()
        self.phrase_page = self._build_phrase() if phrase is not None else None
        self.verify_page = self._build_verify() if phrase is not None else None
        self.file_page = BackupFilePage(address, lambda: self._key, kdf)
        self.file_page.back.connect(lambda: self._show(self.choose_page))
        self.file_page.saved.connect(self._saved)
        self.pages.addWidget(self.file_page)
        self.reveal_page: KeyRevealPage | None = None
        if not creating:
            self.reveal_page = KeyRevealPage(address, lambda: self._key)
            self.reveal_page.back.connect(lambda: self._show(self.choose_page))
            self.pages.addWidget(self.reveal_page)
        self.skip_page = self._build_skip()
        self.finished.connect(lambda _code: self._forget())
        self._show(self.choose_page)

    # ---- pages ------------------------------------------------------------------------------

    def _build_choose(self) -> QWidget:
        if self._phrase is not None:
            intro = (
                "<b>Back up the new key before you use it.</b> If this computer or its keyring is lost, "
                f"the backup is the only way back to <b>{self.address}</b> and its funds."
            )
        elif self._creating:
            intro = (
                f"<b>The key of {self.address} is saved on this computer.</b> Keep an encrypted backup "
                "file somewhere else too, unless you already have a copy of this key."
            )
        else:
            intro = (
                f"Back up the key of <b>{self.address}</b>. Anyone with the key can take the account's "
                "funds. A recovery phrase, if the account had one, was shown once when it was created: "
                "this app never keeps it."
            )
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(text_label(intro))
        self.choice_phrase = QRadioButton(
            "&Recovery phrase: 12 words to write on paper (they also restore the account in "
            "MetaMask, Rabby and other wallets)"
        )
        self.choice_file = QRadioButton("Encrypted backup &file: a keystore (JSON) protected by a password")
        self.choice_show = QRadioButton(f"&Show the private key on screen (for {REVEAL_SECONDS} seconds)")
        for radio, name, wanted in (
            (self.choice_phrase, "backup_choice_phrase", self._phrase is not None),
            (self.choice_file, "backup_choice_file", True),
            (self.choice_show, "backup_choice_show", not self._creating),
        ):
            radio.setObjectName(name)
            radio.setAccessibleName(radio.text().replace("&", ""))
            if wanted:
                layout.addWidget(radio)
            else:
                radio.hide()
        (self.choice_phrase if self._phrase is not None else self.choice_file).setChecked(True)
        if self._phrase is not None:
            later = step_button("S&kip the backup…", "backup_skip", self._show_skip)
        elif self._creating:
            later = step_button("&Not now", "backup_later", lambda: self._finish("skipped"))
        else:
            later = step_button("Close", "backup_cancel", self.reject)
        bottom_row(layout, later, step_button("C&ontinue", "backup_continue", self._continue, forward=True))
        self.pages.addWidget(page)
        return page

    def _build_phrase(self) -> QWidget:
        assert self._phrase is not None
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            text_label(
                "<b>Write these words down, in order, on paper.</b> Keep the paper safe and private: "
                "anyone who reads it can take the account's funds. They are shown only now; next you "
                "type three of them back."
            )
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.DemiBold)
        rows = (len(self._phrase) + 2) // 3
        self.word_labels: list[QLabel] = []
        for i, word in enumerate(self._phrase.words):
            label = QLabel(f"{i + 1:>2}. {word}")
            label.setObjectName(f"phrase_word_{i + 1}")
            label.setFont(font)
            # Not selectable: the phrase goes onto paper, never into the clipboard.
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            grid.addWidget(label, i % rows, i // rows)
            self.word_labels.append(label)
        layout.addLayout(grid)
        bottom_row(
            layout,
            step_button("&Back", "phrase_back", lambda: self._show(self.choose_page)),
            step_button("I have &written them down", "phrase_written", self._to_verify, forward=True),
        )
        self.pages.addWidget(page)
        return page

    def _build_verify(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(text_label("<b>Check your paper.</b> Type these words of the phrase:"))
        self.verify_form = QFormLayout()
        layout.addLayout(self.verify_form)
        self.verify_edits: dict[int, QLineEdit] = {}
        self.verify_error = error_label("verify_error")
        layout.addWidget(self.verify_error)
        bottom_row(
            layout,
            step_button("&Back to the words", "verify_back", lambda: self._show(self.phrase_page)),
            step_button("&Check", "verify_check", self._check_words, forward=True),
        )
        self.pages.addWidget(page)
        return page

    def _build_skip(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            text_label(
                "<b>Create the account without a backup?</b> The key will exist only on this computer. "
                "If the computer, its disk or its keyring is lost, the key is gone for good, and so is "
                "everything the account holds."
            )
        )
        self.skip_ack = QCheckBox("I &understand: without a backup the key is gone for good if this is lost")
        self.skip_ack.setObjectName("skip_ack")
        self.skip_ack.setAccessibleName(self.skip_ack.text().replace("&", ""))
        layout.addWidget(self.skip_ack)
        self.skip_confirm = step_button("Create &without a backup", "skip_confirm", self._skip)
        self.skip_confirm.setEnabled(False)
        self.skip_ack.toggled.connect(self.skip_confirm.setEnabled)
        bottom_row(
            layout,
            step_button("&Back up instead", "skip_back", lambda: self._show(self.choose_page)),
            self.skip_confirm,
        )
        self.pages.addWidget(page)
        return page

    # ---- steps ------------------------------------------------------------------------------

    def _show(self, page: QWidget | None) -> None:
        if page is None:
            return
        if self.reveal_page is not None and page is not self.reveal_page:
            self.reveal_page.conceal()
        self.pages.setCurrentWidget(page)
        for button in self.findChildren(QPushButton):
            button.setDefault(bool(button.property("forward")) and page.isAncestorOf(button))

    def _continue(self) -> None:
        if self.choice_phrase.isChecked() and self.phrase_page is not None:
            self._show(self.phrase_page)
        elif self.choice_show.isChecked() and self.reveal_page is not None:
            self._show(self.reveal_page)
        else:
            self._show(self.file_page)
            self.file_page.password.setFocus()

    def _to_verify(self) -> None:
        assert self._phrase is not None
        while self.verify_form.rowCount():
            self.verify_form.removeRow(0)
        self.verify_edits = {}
        for position in self._phrase.positions_to_check():
            edit = QLineEdit()
            edit.setObjectName(f"verify_word_{position}")
            edit.setAccessibleName(f"Word number {position}")
            self.verify_form.addRow(f"Word #{position}:", edit)
            self.verify_edits[position] = edit
        self.verify_error.setText("")
        self._show(self.verify_page)
        next(iter(self.verify_edits.values())).setFocus()

    def positions_asked(self) -> list[int]:
        return sorted(self.verify_edits)

    def _check_words(self) -> None:
        if self._phrase is None:
            return
        wrong = self._phrase.wrong_answers({p: e.text() for p, e in self.verify_edits.items()})
        if wrong:
            numbers = [f"#{p}" for p in wrong]
            which = (
                f"Word {numbers[0]} does"
                if len(numbers) == 1
                else f"Words {', '.join(numbers[:-1])} and {numbers[-1]} do"
            )
            self.verify_error.setText(
                f"{which} not match the phrase. Check your paper, or go back to the words."
            )
            return
        self._finish("phrase")

    def _saved(self, path: Path) -> None:
        self.saved_path = path
        self._finish("file")

    def _show_skip(self) -> None:
        self.skip_ack.setChecked(False)
        self._show(self.skip_page)

    def _skip(self) -> None:
        if self.skip_ack.isChecked():
            self._finish("skipped")

    def _finish(self, kind: str) -> None:
        self.completed.emit(kind)
        self.accept()

    # ---- forgetting -------------------------------------------------------------------------

    def _forget(self) -> None:
        """Drop the key and the phrase and blank whatever showed them."""
        if self.reveal_page is not None:
            self.reveal_page.conceal()
        self._key = None
        self._phrase = None
        for label in getattr(self, "word_labels", []):
            label.setText("")
        for edit in self.verify_edits.values() if self.verify_page is not None else ():
            edit.clear()

    def hideEvent(self, event: QHideEvent) -> None:
        # Minimised or hidden: the key does not stay on screen behind the user's back.
        if self.reveal_page is not None:
            self.reveal_page.conceal()
        super().hideEvent(event)

    def __repr__(self) -> str:
        return f"BackupDialog({self.address})"
