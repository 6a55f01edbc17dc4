"""The address widget: full EIP-55 text, a copy button, and a QR code a scanner reads back as that address."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PySide6.QtGui import QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from nitro_desktop.keys import AccountManager
from nitro_desktop.store import Store
from nitro_desktop.ui.accounts import AccountsDialog
from nitro_desktop.ui.address_view import AddressView, qr_pixmap
from tests.keys.memory_keyring import MemoryKeyring
from tests.ui.conftest import FAST_KDF

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def scanned(image: QImage) -> list[str]:
    return [
        code.text for code in zxingcpp.read_barcodes(image.convertToFormat(QImage.Format.Format_Grayscale8))
    ]


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_the_qr_code_reads_back_as_the_full_checksummed_address(qtbot: QtBot, ratio: float) -> None:
    pixmap = qr_pixmap(ADDRESS, 148, ratio)
    assert scanned(pixmap.toImage()) == [ADDRESS]
    # Drawn in whole device pixels per module: sharp on a 2x screen, same size on screen.
    assert pixmap.deviceIndependentSize().width() <= 148
    assert pixmap.width() == pytest.approx(pixmap.deviceIndependentSize().width() * ratio)


def test_the_view_shows_eip55_copies_it_and_clears(qtbot: QtBot) -> None:
    view = AddressView()
    qtbot.addWidget(view)
    view.set_address(ADDRESS.lower())  # any case in, EIP-55 out
    assert view.text.text() == view.address() == ADDRESS
    pixmap = view.qr.pixmap()
    assert scanned(pixmap.toImage()) == [ADDRESS]
    with qtbot.waitSignal(view.copied) as copied:
        view.copy_button.click()
    assert copied.args == [ADDRESS]
    assert QGuiApplication.clipboard().text() == ADDRESS
    assert "Copied" in view.copy_button.text()

    view.set_address(None)
    assert view.address() == "" and not view.copy_button.isEnabled()
    assert view.qr.pixmap().isNull()


def test_the_accounts_dialog_shows_the_selected_accounts_address(qtbot: QtBot, tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        manager = AccountManager(store, keyring_backend=MemoryKeyring(), kdf=FAST_KDF)
        alice = manager.generate("Alice")
        bob = manager.generate("Bob")
        dialog = AccountsDialog(manager)
        qtbot.addWidget(dialog)
        rows = {dialog.table.item(i, 0).text(): i for i in range(dialog.table.rowCount())}
        for record in (alice, bob):
            dialog.table.selectRow(rows[record.label])
            assert dialog.address_view.address() == record.address
            assert record.label in dialog.address_view.caption.text()
            assert scanned(dialog.address_view.qr.pixmap().toImage()) == [record.address]
            assert dialog.table.item(rows[record.label], 1).text() == record.address  # full, EIP-55
