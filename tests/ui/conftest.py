"""GUI test helpers: a real window over a temporary data dir, an in-memory keyring, the sandbox node.

Async tests run on the qasync loop (tests/conftest.py). Waiting is done by
polling with asyncio.sleep: qtbot.waitUntil inside a running qasync loop hangs.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication

from nitro_desktop.app import local_sandbox_factory
from nitro_desktop.keys import AccountManager, KdfParams
from nitro_desktop.store import Store
from nitro_desktop.ui.main_window import MainWindow
from nitro_desktop.ui.service import AppService
from nitro_desktop.wallet.core import Wallet
from tests.keys.memory_keyring import MemoryKeyring

FAST_KDF = KdfParams(work_factor=2**10)


async def until(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll ``predicate`` on the running loop until it is truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class Profile:
    """One app profile: its data dir and its keyring (kept across window restarts)."""

    data_dir: Path
    keyring: MemoryKeyring


@dataclass
class Running:
    window: MainWindow
    service: AppService
    store: Store

    @property
    def wallet(self) -> Wallet:
        """The session core behind the window (what the service re-emits as signals)."""
        return self.service.wallet


class AppRunner:
    """``async with AppRunner() as apps:`` — every window opened is shut down at the end.

    (An async pytest fixture would tear down outside the qasync loop.)
    """

    def __init__(self) -> None:
        self.running: list[Running] = []

    async def __aenter__(self) -> AppRunner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for run in list(self.running):
            await self.close(run)

    def open(self, profile: Profile) -> Running:
        store = Store.open(profile.data_dir)
        accounts = AccountManager(store, keyring_backend=profile.keyring, kdf=FAST_KDF)
        wallet = Wallet(store, accounts, sandbox_factory=local_sandbox_factory(store.data_dir))
        service = AppService(wallet)
        settings = QSettings(str(profile.data_dir / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(service, settings)
        window.show()
        run = Running(window, service, store)
        self.running.append(run)
        return run

    async def close(self, run: Running) -> None:
        run.window.close()
        await run.service.shutdown()
        run.store.close()
        self.running.remove(run)
        # Let Qt delete what was closed by going back to the loop. QApplication.processEvents()
        # here would run other tasks' wake-ups inside this task's step: asyncio refuses them
        # ("Cannot enter into task") and those tasks never run again, so teardown hangs on them.
        for _ in range(3):
            await asyncio.sleep(0)


@pytest.fixture(autouse=True)
def _no_widget_outlives_its_test() -> Iterator[None]:
    """Delete what a test left behind now, between tests, with no event loop running.

    Left to the garbage collector, a closed window or dialog is freed at some later moment inside
    another test's qasync loop, while Qt may still hold a pending deletion of one of its children:
    that is a segfault in a test that did nothing wrong.
    """
    yield
    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile(tmp_path / "profile", MemoryKeyring())
