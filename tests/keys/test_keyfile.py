from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
from eth_account import Account

from nitro_desktop.keys import KeystoreFileError, WrongPasswordError
from nitro_desktop.keys.keyfile import (
    decrypt_keystore,
    encrypt_key,
    read_keystore_file,
    write_keystore_file,
)
from tests.keys.conftest import FAST_KDF, PYTHON, REPO

KEY = bytes.fromhex("2a" * 32)
ADDRESS = Account.from_key(KEY).address


def _write(path: Path, key: bytes = KEY, password: str = "pw") -> None:  # noqa: S107
    write_keystore_file(path, encrypt_key(key, password, FAST_KDF))


def test_file_is_private_and_opens_with_its_password(tmp_path: Path) -> None:
    path = tmp_path / "ks" / "a.json"
    _write(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_keystore_file(path, "pw", ADDRESS) == KEY
    assert KEY.hex() not in path.read_text()
    # Any standard wallet can open it too.
    assert bytes(Account.decrypt(path.read_text(), "pw")) == KEY


def test_wrong_password_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    _write(path)
    with pytest.raises(WrongPasswordError):
        read_keystore_file(path, "pW", ADDRESS)


@pytest.mark.parametrize("field", ["ciphertext", "mac", "iv", "salt", "address", "json"])
def test_tampered_file_is_refused(tmp_path: Path, field: str) -> None:
    path = tmp_path / "a.json"
    _write(path)
    data = json.loads(path.read_text())
    crypto = data["crypto"]
    if field == "ciphertext":
        crypto["ciphertext"] = ("0" if crypto["ciphertext"][0] != "0" else "1") + crypto["ciphertext"][1:]
    elif field == "mac":
        crypto["mac"] = "00" * 32
    elif field == "iv":
        crypto["cipherparams"]["iv"] = "00" * 16
    elif field == "salt":
        crypto["kdfparams"]["salt"] = "11" * 16
    elif field == "address":
        data["address"] = "00" * 20
    path.write_text("{" if field == "json" else json.dumps(data))
    with pytest.raises((WrongPasswordError, KeystoreFileError)):
        read_keystore_file(path, "pw", ADDRESS)


def test_another_accounts_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    _write(path, key=bytes.fromhex("3b" * 32))
    with pytest.raises(KeystoreFileError, match="another account"):
        read_keystore_file(path, "pw", ADDRESS)


def test_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    _write(path)
    path.chmod(0o644)
    with pytest.raises(KeystoreFileError, match="readable by others"):
        read_keystore_file(path, "pw", ADDRESS)


def test_replace_is_atomic_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    _write(path, password="old")
    before = path.stat().st_ino
    _write(path, password="new")
    assert path.stat().st_ino != before  # a new file renamed over, not rewritten in place
    assert read_keystore_file(path, "new", ADDRESS) == KEY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


_REWRITER = """
import sys
from pathlib import Path
from nitro_desktop.keys.keyfile import KdfParams, encrypt_key, write_keystore_file
path = Path(sys.argv[1])
key = bytes.fromhex("2a" * 32)
kdf = KdfParams(work_factor=2**10)
print("ready", flush=True)
i = 0
while True:
    i += 1
    write_keystore_file(path, encrypt_key(key, f"pw{i % 2}", kdf))
"""


def test_kill_during_rewrites_leaves_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    _write(path, password="pw0")
    for delay in (0.05, 0.13, 0.21):
        proc = subprocess.Popen(
            [PYTHON, "-c", _REWRITER, str(path)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        text = path.read_text()
        opened = []
        for password in ("pw0", "pw1"):
            try:
                opened.append(decrypt_keystore(text, password))
            except WrongPasswordError:
                pass
        assert opened == [KEY]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
