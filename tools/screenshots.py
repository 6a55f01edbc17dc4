"""Render the main window and every wizard page to PNG, for the README and for looking.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots.py [OUT_DIR] [--scale 2]
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots.py --chain [OUT_DIR]

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
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QWidget

    from nitro_desktop.app import local_sandbox_factory
    from nitro_desktop.keys import AccountManager
    from nitro_desktop.store import Store
    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.wallet.core import Wallet

    saved: list[Path] = []

    async def settle(seconds: float = 0.3) -> None:
        # Sleeping on the qasync loop lets Qt paint; processEvents() here would re-enter tasks.
        await asyncio.sleep(seconds)

    def grab(widget: QWidget, name: str) -> None:
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    store = Store.open(data_dir)
    accounts = AccountManager(store, keyring_backend=_memory_keyring())
    accounts.generate("Alice")
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
        if wizard.pages["submit"].result is not None:  # type: ignore[attr-defined]
            break
        await settle(0.05)
    await settle()
    grab(wizard, "07-wizard-submitted")
    wizard.accept()
    await settle()
    window.table.selectRow(0)
    await settle()
    grab(window, "08-main-window-with-session")
    window.act_close.trigger()
    await settle()
    if window.menu_actions.update_dialog is not None:
        grab(window.menu_actions.update_dialog, "09-close-session")
        window.menu_actions.update_dialog.reject()
    window.act_accounts.trigger()
    await settle()
    from nitro_desktop.ui.accounts import AccountsDialog

    accounts_dialog = window.findChild(AccountsDialog)
    if accounts_dialog is not None:
        grab(accounts_dialog, "10-accounts")
        accounts_dialog.accept()
    window.close()
    await service.shutdown()
    store.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--scale", default="1", help="device pixel ratio (QT_SCALE_FACTOR)")
    parser.add_argument(
        "--chain",
        action="store_true",
        help="the v1 funds screens on anvil instead (tools/screenshots_chain.py)",
    )
    args = parser.parse_args()
    os.environ["QT_SCALE_FACTOR"] = args.scale
    os.environ.setdefault("QT_API", "pyside6")
    import qasync
    from PySide6.QtWidgets import QApplication

    from nitro_desktop.ui.theme import apply_theme

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app, "light")
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
