"""`nitro-desktop --self-test` from the source tree: a passing report, and a clean failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _self_test(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nitro_desktop", "--self-test"],
        cwd=ROOT,
        env={**os.environ, "QT_API": "pyside6", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_self_test_passes_headless() -> None:
    proc = _self_test(QT_QPA_PLATFORM="offscreen")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "self-test — source" in out
    checks = ("Qt platform", "qasync", "keyring", "eth-account", "sandbox loopback", "sandbox app session")
    for check in checks:
        assert check in out
    assert "FAIL" not in out
    assert "result: PASS" in out
    # the keyring line names the backend and says whether it is secure, either way
    keyring_line = next(line for line in out.splitlines() if "keyring " in line)
    assert "secure" in keyring_line and "entry points:" in keyring_line


def test_missing_platform_plugin_is_a_failed_check_not_a_crash() -> None:
    proc = _self_test(QT_QPA_PLATFORM="no-such-platform")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL  Qt platform (child)" in proc.stdout
    assert "no Qt platform plugin could be initialised" in proc.stdout
    # the checks that do not need Qt still ran, and the loopback ran on a plain asyncio loop
    assert "PASS  eth-account" in proc.stdout
    assert "PASS  sandbox loopback" in proc.stdout
    assert "result: FAIL" in proc.stdout


def test_self_test_flag_is_in_the_top_level_help() -> None:
    from nitro_desktop.cli import build_parser

    assert "--self-test" in build_parser().format_help()
