"""Start-up: the installed ``nitro-desktop`` command to its window mapped on X, beside a bare Qt window.

    .venv/bin/python bench/bench_startup.py [RUNS] [SESSIONS]

Everything runs on a private Xvfb server (apt-get install xvfb xauth). Each
run starts a fresh process the way a user's launcher does, by executing the
file: the console script ``.venv/bin/nitro-desktop`` with no arguments, and a
bare PySide6 ``QMainWindow`` script with the same interpreter line. The clock
stops when the X server reports the window mapped (a MapNotify seen by an X
client of our own). Every run has a fresh HOME / XDG data dir and the
``fail`` keyring backend, so no keyring prompt or D-Bus is involved.

Cases, interleaved run by run, median of RUNS:
  bare          a QMainWindow script, to its window mapped (the baseline)
  empty         nitro-desktop with a fresh data dir, to its main window mapped
  filled        nitro-desktop with SESSIONS stored sessions (default 100,000),
                to the window mapped, and to the session list painted with
                rows: the app prints that moment when NITRO_DESKTOP_BENCH_MARKS
                is set (only this benchmark sets it).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from x11 import MapWatcher, Xvfb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP = BIN / "nitro-desktop"
TITLE = "Nitro Desktop"

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("Bare window")
window.resize(1180, 720)
window.show()
sys.exit(app.exec())
"""


def fill(db_dir: Path, n: int) -> Path:
    """A data dir holding ``n`` sessions, made once and copied into each run's fresh HOME."""
    from nitro_desktop.store import AppSessionRecord, Store

    now = time.time()
    with Store.open(db_dir) as store:
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
    return db_dir


def _env(home: Path, x: Xvfb) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    return {
        **keep,
        **x.env,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_RUNTIME_DIR": str(runtime),
        "QT_QPA_PLATFORM": "xcb",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "NITRO_DESKTOP_BENCH_MARKS": "1",
    }


def _read_mark(proc: subprocess.Popen[bytes], name: str, timeout: float = 60.0) -> float:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], deadline - time.monotonic())
        if not ready:
            break
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        buffer += chunk
        for line in buffer.decode(errors="replace").splitlines():
            words = line.split()
            if len(words) == 3 and words[:2] == ["nitro-desktop-mark", name]:
                return float(words[2])
    raise TimeoutError(f"no {name!r} mark from the app; stdout so far: {buffer[-400:]!r}")


def run_once(
    command: list[str], title: str, watcher: MapWatcher, x: Xvfb, data: Path | None, mark: str | None
) -> tuple[float, float | None]:
    with tempfile.TemporaryDirectory(prefix="bench-home-") as tmp:
        home = Path(tmp)
        env = _env(home, x)
        if data is not None:
            shutil.copytree(data, home / "data" / "nitro-desktop")
        watcher.drain()
        start = time.time()
        proc = subprocess.Popen(
            command, env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            mapped = watcher.wait_mapped(title) - start
            marked = _read_mark(proc, mark) - start if mark else None
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if proc.stdout:
                proc.stdout.close()
    return mapped, marked


def main(runs: int, sessions: int) -> None:
    if not APP.exists():
        sys.exit(f"{APP} is missing: install the package first (python3 tools/dev.py test --co -q)")
    x = Xvfb()
    try:
        watcher = MapWatcher(x)
        with tempfile.TemporaryDirectory(prefix="bench-fill-") as tmp:
            bare = Path(tmp) / "bare_window.py"
            bare.write_text(f"#!{sys.executable}\n{BARE}")
            bare.chmod(0o755)
            filled = fill(Path(tmp) / "filled", sessions)
            cases = {
                "bare": ([str(bare)], "Bare window", None, None),
                "empty": ([str(APP)], TITLE, None, None),
                "filled": ([str(APP)], TITLE, filled, "rows-painted"),
            }
            # One untimed start of each warms the page cache for all of them alike.
            for command, title, data, mark in cases.values():
                run_once(command, title, watcher, x, data, mark)
            times: dict[str, list[float]] = {"bare": [], "empty": [], "filled": [], "filled-rows": []}
            names = list(cases)
            for i in range(runs):
                for name in names[i % 3 :] + names[: i % 3]:  # rotate the order run by run
                    command, title, data, mark = cases[name]
                    mapped, marked = run_once(command, title, watcher, x, data, mark)
                    times[name].append(mapped)
                    if marked is not None:
                        times["filled-rows"].append(marked)
    finally:
        x.close()

    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["bare"]

    def line(what: str, key: str) -> None:
        spread = f"{min(times[key]) * 1000:.0f}-{max(times[key]) * 1000:.0f}"
        ratio = f"   {med[key] / base:.2f}x bare" if key != "bare" else ""
        print(f"{what:<52}{med[key] * 1000:7.0f} ms  ({spread}){ratio}")

    print(f"runs: {runs} each, interleaved, Xvfb, medians (min-max); command: {APP}")
    line("bare PySide6 QMainWindow script, window mapped", "bare")
    line("nitro-desktop, fresh data dir, window mapped", "empty")
    line(f"nitro-desktop, {sessions:,} sessions, window mapped", "filled")
    line(f"nitro-desktop, {sessions:,} sessions, list painted with rows", "filled-rows")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 7,
        int(sys.argv[2]) if len(sys.argv) > 2 else 100_000,
    )
