"""Guards the PySide6 pin: a qasync loop must survive heavy callback traffic.

PySide6-Essentials 6.12.0 on Python 3.11 corrupted the refcounts of None,
True and False in calls qasync makes per callback, so a process aborted with
"Fatal Python error: none_dealloc" (exit 134) long after its work was done.
The soak runs in a subprocess because that failure kills the interpreter.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

SOAK = textwrap.dedent(
    """
    import asyncio, gc, os, sys
    os.environ["QT_API"] = "pyside6"
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtWidgets import QApplication
    import qasync

    class Pinger(QObject):
        fired = Signal(object)

    N = int(sys.argv[1])
    app = QApplication([])
    pinger = Pinger()
    seen = []
    pinger.fired.connect(seen.append)

    async def soak():
        loop = asyncio.get_running_loop()
        done = asyncio.Event()
        count = 0

        def tick():
            nonlocal count
            count += 1
            pinger.fired.emit(None)
            pinger.fired.emit(count % 2 == 0)
            if count >= N:
                done.set()

        for i in range(N):
            loop.call_soon(tick) if i % 2 else loop.call_later(0, tick)
        await done.wait()
        for _ in range(N // 10):
            fut = loop.create_future()
            QTimer.singleShot(0, lambda f=fut: f.set_result(None))
            await fut
        for _ in range(N // 10):
            await asyncio.sleep(0)
        gc.collect()
        return count

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        count = runner.run(soak())
    assert count == N and len(seen) == 2 * N, (count, len(seen))
    print("soak-ok", count)
    """
)


@pytest.mark.slow
def test_qasync_loop_survives_heavy_callback_traffic() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SOAK, "20000"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert "soak-ok 20000" in proc.stdout
    assert "none_dealloc" not in proc.stderr


@pytest.mark.asyncio
async def test_async_tests_run_on_the_qasync_loop() -> None:
    import qasync

    loop = asyncio.get_running_loop()
    assert isinstance(loop, qasync.QEventLoop)
    await asyncio.sleep(0.01)
