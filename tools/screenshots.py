"""Render every screen (main window, wizard pages, dialogs) to PNG, for the README and for looking.

    xvfb-run -a -s "-screen 0 2800x1800x24" .venv/bin/python tools/screenshots.py [OUT_DIR] \
        [--scale 2] [--theme dark] [--all]

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots.py --chain [OUT_DIR]

``--all`` writes OUT_DIR/{light,dark}-{1x,2x}/ in four runs (docs/screenshots when no OUT_DIR).

Runs the real app code on a temporary profile (an in-memory keyring, the
built-in sandbox node on loopback), creates one session through the wizard,
and grabs each page as it is shown. ``--scale 2`` renders at device pixel
ratio 2 to check HiDPI. Works offscreen too (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _memory_keyring() -> Any:
    from keyring.backend import KeyringBackend

    class ScreenshotKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.entries: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.entries.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.entries[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.entries.pop((service, username), None)

    return ScreenshotKeyring()


async def shoot(out: Path, data_dir: Path) -> list[Path]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QDialog, QWidget

    from nitro_desktop import signing
    from nitro_desktop.app import local_sandbox_factory
    from nitro_desktop.flows import CreateSessionFlow
    from nitro_desktop.keys import AccountManager
    from nitro_desktop.keys.backup import key_from_phrase, new_recovery_phrase
    from nitro_desktop.keys.crypto import address_of
    from nitro_desktop.store import EndpointRecord, Store
    from nitro_desktop.ui.accounts import AccountsDialog, WelcomeDialog
    from nitro_desktop.ui.backup_dialog import BackupDialog
    from nitro_desktop.ui.dialogs import EndpointDialog, PreferencesDialog
    from nitro_desktop.ui.endpoints import EndpointsDialog
    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.wallet.core import Wallet
    from nitro_desktop.wallet.events import SessionNotice

    saved: list[Path] = []

    async def settle(seconds: float = 0.3) -> None:
        # Sleeping on the qasync loop lets Qt paint; processEvents() here would re-enter tasks.
        await asyncio.sleep(seconds)

    def grab(widget: QWidget, name: str) -> None:
        path = out / f"{name}.png"
        # A palette of 256 colours (no dithering) keeps a UI screenshot sharp at a quarter of the bytes.
        # The image's own commonest colours: without a table Qt snaps to a 6x6x6 cube, which turned
        # the dark theme's #22252b into #333333.
        image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
        pixels = image.constBits().tobytes()
        counts = Counter(pixels[i : i + 4] for i in range(0, len(pixels), 4))
        table = [int.from_bytes(rgb, "little") | 0xFF000000 for rgb, _ in counts.most_common(256)]
        small = image.convertToFormat(QImage.Format.Format_Indexed8, table, flags)
        small.setDevicePixelRatio(image.devicePixelRatio())
        small.save(str(path), "png", -1)
        saved.append(path)

    async def shown(dialog: QDialog, name: str) -> None:
        dialog.open()
        await settle()
        grab(dialog, name)
        dialog.reject()

    store = Store.open(data_dir)
    store.endpoints.save(EndpointRecord("My ClearNode", "wss://clearnode.example/ws", "0.5"))
    accounts = AccountManager(store, keyring_backend=_memory_keyring())
    alice = accounts.generate("Alice")
    bob = accounts.generate("Bob (second account)")
    settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    service = AppService(Wallet(store, accounts, sandbox_factory=local_sandbox_factory(store.data_dir)))
    window = MainWindow(service, settings)
    window.resize(1280, 760)
    window.show()
    for _ in range(500):
        if service.wallet.client is not None and window.balances.rowCount():
            break
        await settle(0.05)
    await settle()
    grab(window, "01-main-window-empty")

    window.act_new.trigger()
    await settle()
    wizard = window.menu_actions.wizard
    assert wizard is not None
    wizard.pages["application"].flow.session_data = ""
    grab(wizard, "02-wizard-application")
    wizard.next()
    await settle()
    wizard.pages["participants"].table.item(1, 0).setText(bob.address)
    await settle()
    grab(wizard, "03-wizard-participants")
    wizard.next()
    await settle()
    wizard.pages["allocations"]._editors[0][1].setText("250")
    await settle()
    grab(wizard, "04-wizard-allocations")
    wizard.next()
    await settle()
    grab(wizard, "05-wizard-signers")
    wizard.next()
    await settle()
    grab(wizard, "06-wizard-review")
    wizard.next()
    for _ in range(300):
        if wizard.pages["submit"].copy.isVisible():  # type: ignore[attr-defined]
            break
        await settle(0.05)
    await settle()
    grab(wizard, "07-wizard-submitted")
    wizard.back()
    await settle()
    grab(wizard, "08-wizard-review-after-send")
    wizard.accept()
    await settle()
    window.table.selectRow(0)
    await settle()
    grab(window, "09-main-window-with-session")
    sid = window.selected().app_session_id  # type: ignore[union-attr]
    service.wallet.events.moved_by_others.emit(
        SessionNotice(sid, "open", 2, f"Someone else moved session {sid[:10]}… to version 2.")
    )
    await settle()
    grab(window, "10-notification")
    window.banner.hide()
    window.act_close.trigger()
    for _ in range(100):
        if window.menu_actions.update_dialog is not None:
            break
        await settle(0.05)
    await settle()
    if window.menu_actions.update_dialog is not None:
        grab(window.menu_actions.update_dialog, "11-close-session")
        window.menu_actions.update_dialog.reject()

    window.act_accounts.trigger()
    await settle()
    accounts_dialog = window.findChild(AccountsDialog)
    if accounts_dialog is not None:
        accounts_dialog.table.selectRow(0)
        await settle()
        grab(accounts_dialog, "12-accounts")
        accounts_dialog.accept()
    await shown(EndpointsDialog(store, window), "13-clearnodes")
    await shown(EndpointDialog(set(), window), "14-add-clearnode")
    await shown(PreferencesDialog("system", window), "15-preferences")

    flow = CreateSessionFlow("0.2", local_accounts=[alice.address], assets={"usdc": 6}, now_ms=1)
    flow.participants[1].address = bob.address
    flow.allocations[0].amount, flow.allocations[1].amount = "10", "5"
    request = signing.request_for(flow, "ws://127.0.0.1:8000/ws", created_by=alice.address)
    signer = (await service.wallet.unlocked_signers([alice.address]))[0]
    path = data_dir / "game.nitroreq"
    signing.save(signing.sign_all(request, [signer]), path)
    dialog = window.menu_actions.open_request(str(path))
    await settle()
    grab(dialog, "16-signing-request")
    dialog.reject()

    await shown(WelcomeDialog(accounts, window), "17-welcome")
    phrase = new_recovery_phrase()
    key = key_from_phrase(" ".join(phrase.words))
    backup = BackupDialog(address_of(key), key, phrase=phrase, parent=window)
    backup.open()
    await settle()
    grab(backup, "18-backup-choice")
    backup.reject()  # (the phrase page itself is not kept: no recovery phrase in the repository)
    window.close()
    await service.shutdown()
    store.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--scale", default="1", help="device pixel ratio (QT_SCALE_FACTOR)")
    parser.add_argument("--theme", default="light", choices=("light", "dark"))
    parser.add_argument("--all", action="store_true", help="every theme at 1x and 2x, in OUT/<theme>-<n>x/")
    parser.add_argument(
        "--chain",
        action="store_true",
        help="the v1 funds screens on anvil instead (tools/screenshots_chain.py)",
    )
    args = parser.parse_args()
    if args.all:
        import subprocess

        for theme in ("light", "dark"):
            for scale in ("1", "2"):
                folder = Path(args.out) / f"{theme}-{scale}x"
                command = [sys.executable, __file__, str(folder), "--scale", scale, "--theme", theme]
                subprocess.run(command, check=True)
        return 0
    os.environ["QT_SCALE_FACTOR"] = args.scale
    os.environ.setdefault("QT_API", "pyside6")
    import qasync
    from PySide6.QtWidgets import QApplication

    from nitro_desktop.ui.theme import apply_theme

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app, args.theme)
    with (
        tempfile.TemporaryDirectory() as tmp,
        asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner,
    ):
        if args.chain:
            from tools.screenshots_chain import shoot_chain

            saved = runner.run(shoot_chain(out, Path(tmp), _memory_keyring()))
        else:
            saved = runner.run(shoot(out, Path(tmp)))
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
