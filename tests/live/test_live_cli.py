"""The command line against the target: three people, three data dirs, a .nitroreq passed around.

Each ``nitro-desktop`` runs as its own process with its own HOME and data dir; keys live in
encrypted keystore files (no OS keyring is touched).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nitro_desktop.protocol import app_session_id, definition_from_dict
from tests.live.conftest import LiveTarget
from tests.live.helpers import APP, fresh_nonce, stranger

PASSWORD = "live-harness-password"


class Person:
    def __init__(self, root: Path, name: str, key: str) -> None:
        self.home = root / name
        self.data = self.home / "nitro"
        self.home.mkdir(parents=True)
        self.key = key

    def run(self, *argv: str) -> tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISPLAY", "DBUS", "WAYLAND", "XDG"))}
        env.update(
            HOME=str(self.home),
            XDG_DATA_HOME=str(self.home / ".local/share"),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            NITRO_DESKTOP_PASSWORD=PASSWORD,
        )
        done = subprocess.run(
            [sys.executable, "-m", "nitro_desktop", "--data-dir", str(self.data), *argv],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        # stdout last: the assertions read the command's result from the end of it; stderr holds
        # diagnostics such as the first-use broker pin.
        return done.returncode, done.stderr + done.stdout

    def import_key(self) -> None:
        key_file = self.home / "key.hex"
        key_file.write_text(self.key + "\n")
        key_file.chmod(0o600)
        code, out = self.run("accounts", "import", "--key-file", str(key_file), "--backend", "file")
        key_file.unlink()
        assert code == 0, out


def write(path: Path, value: object) -> str:
    path.write_text(json.dumps(value))
    return str(path)


def test_collect_sign_submit_update_close(target: LiveTarget, tmp_path: Path) -> None:
    alice, bob, _ = target.wallets()
    referee = stranger()
    people = {
        "referee": Person(tmp_path, "referee", "0x" + referee._key.secret.hex()),
        "alice": Person(tmp_path, "alice", target.keys[0]),
        "bob": Person(tmp_path, "bob", target.keys[1]),
    }
    for person in people.values():
        person.import_key()
    protocol = target.protocols()[-1]
    definition = {
        "application": APP,
        "protocol": protocol,
        "participants": [referee.address, alice.address, bob.address],
        "weights": [100, 0, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": fresh_nonce(),
    }
    stakes = [
        {"participant": referee.address, "asset": target.asset, "amount": "0"},
        {"participant": alice.address, "asset": target.asset, "amount": "1"},
        {"participant": bob.address, "asset": target.asset, "amount": "1"},
    ]
    request = tmp_path / "game.nitroreq"
    code, out = people["referee"].run(
        "sessions", "create", "--definition", write(tmp_path / "def.json", definition),
        "--allocations", write(tmp_path / "stakes.json", stakes),
        "--endpoint", target.url, "--dialect", target.dialect, "--out", str(request),
    )  # fmt: skip
    assert code == 0, out
    code, out = people["alice"].run("sign", str(request), "--account", alice.address, "--yes")
    assert code == 0, out
    code, out = people["bob"].run("sign", str(request), "--account", bob.address, "--yes")
    assert code == 0, out
    code, out = people["referee"].run("submit", str(request))
    assert code == 0, out
    sid = app_session_id(definition_from_dict(definition), target.dialect)
    assert out.split()[-3:] == [sid, "open", "v1"], out

    moved = [
        {"participant": referee.address, "asset": target.asset, "amount": "0"},
        {"participant": alice.address, "asset": target.asset, "amount": "2"},
        {"participant": bob.address, "asset": target.asset, "amount": "0"},
    ]
    extra = ["--intent", "operate", "--version", "2"] if protocol == "NitroRPC/0.4" else []
    code, out = people["referee"].run(
        "sessions", "update", sid, "--allocations", write(tmp_path / "moved.json", moved),
        "--sign", referee.address, *extra, "--endpoint", target.url, "--dialect", target.dialect,
    )  # fmt: skip
    assert code == 0, out
    assert out.split()[-3:] == [sid, "open", "v2"], out
    # the payout puts everyone back where they started, so a real target's keys keep their funds
    code, out = people["referee"].run(
        "sessions", "close", sid, "--allocations", write(tmp_path / "payout.json", stakes),
        "--sign", referee.address, "--endpoint", target.url, "--dialect", target.dialect,
    )  # fmt: skip
    assert code == 0, out
    assert out.split()[-3:] == [sid, "closed", "v3"], out
    code, out = people["referee"].run("sessions", "list", "--json")
    assert code == 0 and sid in out, out
