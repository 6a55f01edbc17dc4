"""Time from process start to the main window shown and interactive, beside a bare PySide6 window.

    .venv/bin/python bench/bench_startup.py [RUNS]

Each run is a fresh process (imports included), offscreen. "Interactive" is
the first turn of the event loop after the window is shown and the session
list holds every stored row. Cases: an empty data dir, and one with 100,000
stored sessions. The baseline is a bare QMainWindow started the same way.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1180, 720); w.show()
QTimer.singleShot(0, lambda: (print("interactive", time.time(), flush=True), app.quit()))
app.exec()
"""

# The same steps as nitro_desktop.app.main, stopping at the first idle turn after the rows loaded.
APP = """
import asyncio, os, sys, time
os.environ.setdefault("QT_API", "pyside6")
import qasync
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from nitro_desktop.keys import AccountManager
from nitro_desktop.store import Store
from nitro_desktop.ui.main_window import MainWindow
from nitro_desktop.ui.service import AppService
data_dir, expected = sys.argv[1], int(sys.argv[2])
app = QApplication([])
store = Store.open(data_dir)
settings = QSettings(os.path.join(data_dir, "settings.ini"), QSettings.Format.IniFormat)
window = MainWindow(AppService(store, AccountManager(store)), settings)
window.show()

async def wait_ready():
    while window.model.total_count() < expected or not window.isVisible():
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("interactive", time.time(), flush=True)

with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
    runner.run(wait_ready())
os._exit(0)
"""


def run(code: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("interactive"))
    return float(line.split()[1]) - start


def fill(data_dir: str, n: int) -> None:
    from nitro_desktop.store import AppSessionRecord, Store

    now = time.time()
    with Store.open(data_dir) as store:
        store.sessions.save_many(
            AppSessionRecord(
                app_session_id=f"0x{i:064x}",
                endpoint="Local sandbox",
                account="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                protocol="NitroRPC/0.2",
                application="",
                definition_json='{"participants":["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",'
                '"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]}',
                allocations_json="[]",
                status="open" if i % 3 else "closed",
                version=1,
                created_at=now - i,
                updated_at=now - i,
            )
            for i in range(n)
        )


def main(runs: int) -> None:
    bare = statistics.median(run(BARE) for _ in range(runs))
    print(f"bare PySide6 QMainWindow:            {bare * 1000:7.0f} ms (median of {runs})")
    for n in (0, 100_000):
        with tempfile.TemporaryDirectory() as d:
            if n:
                fill(d, n)
            t = statistics.median(run(APP, d, str(n)) for _ in range(runs))
            print(f"Nitro Desktop, {n:>7,} sessions:      {t * 1000:7.0f} ms   ratio {t / bare:.2f}x bare")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
