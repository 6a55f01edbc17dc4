"""Cyclic garbage is collected on the GUI thread only.

web3 calls run on executor threads and a chain watch can run on its own thread. Python starts a
cyclic collection in whichever thread happens to allocate past the threshold; started on one of
those threads it can free a Qt object (a dialog in a cycle with its slots) off the GUI thread,
which crashes the process at some later, unrelated moment. So automatic collection is switched
off and a timer on the GUI thread does what the interpreter would have done: collect the oldest
generation whose count has passed its threshold.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500


def due_generation() -> int | None:
    """The generation the interpreter would collect now, or None."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    due = None
    for generation in range(3):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            due = generation
    return due


def collect_if_due() -> int | None:
    generation = due_generation()
    if generation is not None:
        gc.collect(generation)
    return generation


class MainThreadCollector(QObject):
    """Owns the timer; collection stays manual for as long as it lives."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(collect_if_due)
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
