"""``nitro-desktop sandbox --db FILE`` is the same broker on every start; its key stays private."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from nitro_desktop.cli import main
from nitro_desktop.devnode.broker_key import key_path_for
from nitro_desktop.protocol import RawKeySigner

ROOT = Path(__file__).resolve().parents[2]
FIXED_KEY = "7f" * 32


def start_and_stop(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """Run the sandbox until it says it is listening, then Ctrl-C it; (exit code, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env["HOME"] = str(tmp_path / "home")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nitro_desktop", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                proc.send_signal(signal.SIGINT)
                break
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, "".join(lines) + out, err


def broker_of(stdout: str) -> str:
    return next(
        line.split(":", 1)[1].strip() for line in stdout.splitlines() if line.startswith("Broker address:")
    )


def test_two_starts_on_the_same_db_are_the_same_broker(tmp_path: Path) -> None:
    db = tmp_path / "node.sqlite"
    code1, out1, err1 = start_and_stop(tmp_path, "--db", str(db))
    code2, out2, err2 = start_and_stop(tmp_path, "--db", str(db))
    assert (code1, code2) == (0, 0), err1 + err2
    assert broker_of(out1) == broker_of(out2)

    key_file = key_path_for(db)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert RawKeySigner(key).address == broker_of(out1)
    assert str(key_file) in out1
    for text in (out1, err1, out2, err2):
        assert key.lower() not in text.lower()


def test_a_fixed_broker_key_file_is_used_and_never_printed(tmp_path: Path) -> None:
    key_file = tmp_path / "broker.key"
    key_file.write_text(FIXED_KEY + "\n")
    key_file.chmod(0o600)
    code, out, err = start_and_stop(tmp_path, "--broker-key-file", str(key_file))
    assert code == 0, err
    assert broker_of(out) == RawKeySigner(FIXED_KEY).address
    assert FIXED_KEY not in out + err


@pytest.mark.parametrize(
    ("content", "mode", "expected"),
    [
        (FIXED_KEY, 0o644, "readable by others (mode 644); run chmod 600"),
        (FIXED_KEY, 0o640, "readable by others (mode 640)"),
        ("not a key", 0o600, "must hold one private key: 64 hex digits"),
        (FIXED_KEY[:-2], 0o600, "must hold one private key: 64 hex digits"),
        ("00" * 32, 0o600, "does not hold a valid secp256k1 key"),
    ],
    ids=["mode-644", "mode-640", "not-hex", "short", "zero"],
)
def test_a_bad_broker_key_file_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, mode: int, expected: str
) -> None:
    key_file = tmp_path / "broker.key"
    key_file.write_text(content + "\n")
    key_file.chmod(mode)
    code = main(["sandbox", "--port", "0", "--broker-key-file", str(key_file)])
    captured = capsys.readouterr()
    assert code == 2
    assert expected in captured.err and str(key_file) in captured.err
    assert content not in captured.out + captured.err
