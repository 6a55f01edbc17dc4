"""The real entry point (``nitro-desktop`` with no arguments) in a child process, to its first rows.

It watches from outside app.main: the first rows are newest first, no cyclic collection runs
between PySide6 loading and the first rows (the GUI thread's collector collects afterwards), PySide6's
per-import check is the cheap one, and the window icon is still set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nitro_desktop.store import AppSessionRecord, Store

DRIVER = """
import gc, io, json, sys

collections = []  # (generation, PySide6 loading or loaded)
gc.callbacks.append(
    lambda phase, info: phase == "start"
    and collections.append((info["generation"], "shiboken6" in sys.modules))
)
real_stdout = sys.stdout
seen = {}


def report():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    window = next(w for w in app.topLevelWidgets() if hasattr(w, "model"))
    seen["after"] = len(collections)
    seen["icon"] = not app.windowIcon().isNull()
    real_stdout.write(json.dumps(seen) + "\\n")
    real_stdout.flush()
    window.close()


def at_rows():
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    window = next(w for w in QApplication.instance().topLevelWidgets() if hasattr(w, "model"))
    seen["rows"] = [window.model.row_at(i).app_session_id[-4:] for i in range(3)]
    seen["before"] = [c for c in collections if c[1]]
    seen["gc_enabled"] = gc.isenabled()
    seen["check"] = sys.modules["shibokensupport.feature"]._mod_uses_pyside.__qualname__
    seen["at_rows"] = len(collections)
    QTimer.singleShot(1500, report)  # the collector looks every 500 ms


class Marks(io.TextIOBase):
    def write(self, text):
        if "nitro-desktop-mark rows-painted" in text:
            at_rows()
        return len(text)


sys.stdout = Marks()
from nitro_desktop.cli import main

sys.exit(main([]))
"""


def test_the_real_start_lists_newest_first_without_collecting_before_the_rows(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = home / "data" / "nitro-desktop"
    with Store.open(data) as store:
        store.sessions.save_many(
            AppSessionRecord(
                app_session_id=f"0x{i:064x}",
                endpoint="Local sandbox",
                account="0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                protocol="NitroRPC/0.2",
                application="",
                definition_json='{"participants":["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"]}',
                allocations_json="[]",
                status="open",
                version=1,
                created_at=1000.0 - i,
                updated_at=1000.0 - i if i % 2 else 2000.0 - i,  # evens newest, by updated_at only
            )
            for i in range(300)
        )
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_RUNTIME_DIR=str(runtime),
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        NITRO_DESKTOP_BENCH_MARKS="1",
    )
    out = subprocess.run(
        [sys.executable, "-c", DRIVER],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["rows"] == ["0000", "0002", "0004"]  # newest first
    assert seen["before"] == []  # no collection from PySide6's loading to the first rows
    assert seen["gc_enabled"] is False  # the collector's, on the GUI thread
    assert seen["after"] > seen["at_rows"]  # and it does collect, once the rows are up
    assert seen["check"] == "install.<locals>.uses_pyside"
    assert seen["icon"] is True
