"""The suite never reaches the desktop of whoever runs it (tests/conftest.py).

Run inside a desktop session, a test that asks the default keyring would reach the
user's Secret Service (and pop up a keyring prompt); one that opens a window would
open it on the user's screen. Here a child process started by a test, and a whole
pytest run started from a session that looks like a desktop, both see only the
suite's own HOME, no display, no session bus and the "fail" keyring.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import json, os, keyring
backend = keyring.get_keyring()
print(json.dumps({
    "env": {k: os.environ.get(k) for k in (
        "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
        "DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND",
        "QT_QPA_PLATFORM")},
    "keyring": type(backend).__module__ + "." + type(backend).__qualname__,
    "home": os.path.expanduser("~"),
}))
"""


def _real_home() -> str:
    return pwd.getpwuid(os.getuid()).pw_dir


def test_a_child_process_sees_only_the_test_desktop(isolated_desktop: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    seen = json.loads(out)
    env = seen["env"]
    assert env["HOME"] == str(isolated_desktop) == seen["home"]
    assert env["HOME"] != _real_home()
    for variable in (
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "XDG_STATE_HOME",
        "XDG_RUNTIME_DIR",
    ):
        assert env[variable] is not None and Path(env[variable]).is_relative_to(isolated_desktop)
    assert env["DISPLAY"] is None and env["WAYLAND_DISPLAY"] is None
    assert env["DBUS_SESSION_BUS_ADDRESS"] is None
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert seen["keyring"] == "keyring.backends.fail.Keyring"
    assert "SecretService" not in seen["keyring"]


def test_in_process_keyring_is_the_safe_one() -> None:
    import keyring

    assert type(keyring.get_keyring()).__module__ == "keyring.backends.fail"


def test_the_suite_isolates_even_a_desktop_session(tmp_path: Path) -> None:
    """pytest started from a shell that has a display, a session bus and a Secret Service keyring."""
    config = tmp_path / "desktop-config"
    (config / "python_keyring").mkdir(parents=True)
    (config / "python_keyring" / "keyringrc.cfg").write_text(
        "[backend]\ndefault-keyring=keyring.backends.SecretService.Keyring\n"
    )
    desktop = {
        **os.environ,
        "HOME": _real_home(),
        "XDG_CONFIG_HOME": str(config),
        "DISPLAY": ":0",
        "WAYLAND_DISPLAY": "wayland-0",
        # A bus nobody listens on: if anything tried it, it would fail rather than reach a real one.
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
        "QT_QPA_PLATFORM": "xcb",
    }
    proc = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/test_isolation.py::test_a_child_process_sees_only_the_test_desktop",
            "tests/test_isolation.py::test_in_process_keyring_is_the_safe_one",
        ],
        cwd=REPO, env=desktop, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout
