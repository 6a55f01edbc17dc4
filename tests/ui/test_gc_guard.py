"""The app's cyclic collections run on the GUI thread, whatever thread allocates the garbage."""

from __future__ import annotations

import gc
import threading
from typing import Any

from pytestqt.qtbot import QtBot

from nitro_desktop.ui.gc_guard import MainThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _make_cyclic_garbage(count: int) -> None:
    for _ in range(count):
        _Cycle()


def test_garbage_made_on_a_worker_thread_is_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    seen: list[int] = []

    def record(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(threading.get_ident())

    gc.enable()  # as in a fresh interpreter: the guard must switch automatic collection off itself
    collector = MainThreadCollector(interval_ms=20)
    gc.callbacks.append(record)
    try:
        assert not gc.isenabled()
        worker = threading.Thread(target=_make_cyclic_garbage, args=(50_000,))
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(seen) > 0, timeout=5000)
    finally:
        gc.callbacks.remove(record)
        collector.stop()
        collector.deleteLater()
    assert gc.isenabled()
    assert set(seen) == {threading.main_thread().ident}


def test_without_the_guard_the_worker_thread_collects() -> None:
    """The hazard the guard exists for: the interpreter collects in whichever thread allocates."""
    seen: list[int] = []

    def record(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(threading.get_ident())

    gc.enable()
    gc.callbacks.append(record)
    try:
        worker = threading.Thread(target=_make_cyclic_garbage, args=(50_000,))
        worker.start()
        worker.join()
    finally:
        gc.callbacks.remove(record)
        gc.disable()
    assert worker.ident in set(seen)
