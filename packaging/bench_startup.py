#!/usr/bin/env python3
"""Time to first window: the frozen Nitro Desktop beside a bare PySide6 window frozen the same way.

    .venv/bin/python packaging/bench_startup.py [--runs N] [--app PATH]

Freezes ``build/bench/bare_window.py`` (a QMainWindow with a label, nothing else) with PyInstaller
one-dir, like the app, then on a private Xvfb display starts each executable N times, alternating,
and measures from ``exec`` to the first visible window with the expected title (polled with
``xdotool search --onlyvisible``, every 10 ms, the same way for both). Needs Xvfb and xdotool.
The app is ``dist/pyinstaller/nitro-desktop/nitro-desktop`` (``packaging/build.py bundle``) unless
``--app`` says otherwise. Each app gets a fresh, empty home directory per run (first-run state).
Prints medians, minima and the app / bare ratio.
"""

# ruff: noqa: S603, S607  -- starts our own builds, Xvfb and xdotool with fixed arguments
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench"
BARE_SOURCE = """\
import sys
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("Bare Window")
window.resize(960, 640)
window.setCentralWidget(QLabel("bare PySide6 window"))
window.show()
sys.exit(app.exec())
"""


def freeze_bare() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / "bare_window.py"
    script.write_text(BARE_SOURCE)
    exe = WORK / "dist" / "bare-window" / "bare-window"
    if exe.exists() and exe.stat().st_mtime > script.stat().st_mtime:
        return exe
    excludes = ["tkinter", "unittest", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtNetwork"]
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--onedir", "--log-level=WARN"]
        + [f"--exclude-module={m}" for m in excludes]
        + ["--name", "bare-window", "--distpath", str(WORK / "dist"), "--workpath", str(WORK / "work")]
        + ["--specpath", str(WORK), str(script)],
        check=True,
        env=dict(os.environ, PYTHONHASHSEED="0"),
    )
    return exe


def time_to_window(cmd: list[str], title: str, env: dict[str, str], timeout: float = 30.0) -> float:
    home = tempfile.mkdtemp(prefix="bench-home-")
    run_env = dict(env, HOME=home, XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while time.perf_counter() - start < timeout:
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", title],
                capture_output=True,
                env=env,
                check=False,
            )
            if found.stdout.strip():
                return time.perf_counter() - start
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace")[-500:] if proc.stderr else ""
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode} before showing a window: {err}")
            time.sleep(0.01)
        raise RuntimeError(f"no window titled {title!r} within {timeout} s")
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--app", default=str(ROOT / "dist" / "pyinstaller" / "nitro-desktop" / "nitro-desktop")
    )
    args = parser.parse_args()
    if not Path(args.app).exists():
        sys.exit(f"{args.app} does not exist: run packaging/build.py bundle first")
    bare = freeze_bare()
    display = ":93"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["DISPLAY"] = display
    try:
        for _ in range(100):  # wait until the display answers
            if subprocess.run(["xdpyinfo"], env=env, capture_output=True, check=False).returncode == 0:
                break
            time.sleep(0.05)
        subjects = {"bare": ([str(bare)], "Bare Window"), "app": ([args.app], "Nitro Desktop")}
        for cmd, title in subjects.values():  # warm the page cache once
            time_to_window(cmd, title, env)
        times: dict[str, list[float]] = {name: [] for name in subjects}
        for _ in range(args.runs):
            for name, (cmd, title) in subjects.items():
                times[name].append(time_to_window(cmd, title, env))
    finally:
        xvfb.terminate()
        xvfb.wait()
    for name, values in times.items():
        print(
            f"{name:>4}: median {statistics.median(values) * 1000:6.0f} ms, "
            f"min {min(values) * 1000:6.0f} ms over {len(values)} runs (one-dir, warm cache)"
        )
    ratio = statistics.median(times["app"]) / statistics.median(times["bare"])
    extra = (statistics.median(times["app"]) - statistics.median(times["bare"])) * 1000
    print(f"app / bare: {ratio:.2f}x (+{extra:.0f} ms to first window)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
