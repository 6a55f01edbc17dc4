"""Generate → sign → a new process → sign again: the same address, with each backend."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from keyring.backends import fail

from nitro_desktop.keys import AccountManager, KdfParams
from nitro_desktop.store import Store
from tests.keys.conftest import PYTHON, REPO, subprocess_env
from tests.keys.helpers import recover
from tests.keys.memory_keyring import PersistentTestKeyring

DIGEST = hashlib.sha256(b"restart").digest()

_SIGN_IN_NEW_PROCESS = """
import sys
from nitro_desktop.keys import AccountManager
from nitro_desktop.store import Store
data_dir, address, password = sys.argv[1], sys.argv[2], sys.argv[3] or None
manager = AccountManager(Store.open(data_dir))
signer = manager.signer(address, password=password)
print(signer.unsafe_sign_hash(bytes.fromhex(sys.argv[4])).signature.hex())
"""


def _sign_elsewhere(env: dict[str, str], data_dir: Path, address: str, password: str) -> bytes:
    out = subprocess.run(
        [PYTHON, "-c", _SIGN_IN_NEW_PROCESS, str(data_dir), address, password, DIGEST.hex()],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return bytes.fromhex(out.stdout.strip().removeprefix("0x"))


def test_keyring_backend_survives_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring_file = tmp_path / "keyring.json"
    env = subprocess_env("memory_keyring.PersistentTestKeyring", keyring_file)
    # The same backend class the subprocess loads, pointed at the same file.
    monkeypatch.setenv("NITRO_TEST_KEYRING_PATH", str(keyring_file))
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        manager = AccountManager(store, keyring_backend=PersistentTestKeyring())
        record = manager.generate("main")
        first = manager.signer(record.address).unsafe_sign_hash(DIGEST)
    assert recover(DIGEST, first) == record.address
    second = _sign_elsewhere(env, data_dir, record.address, "")
    assert second == bytes(first.signature)


def test_encrypted_file_backend_survives_a_restart(tmp_path: Path) -> None:
    env = subprocess_env("keyring.backends.fail.Keyring")
    data_dir = tmp_path / "data"
    # Default (production) scrypt parameters here, once: the file must open
    # in a process that knows nothing of test settings.
    with Store.open(data_dir) as store:
        manager = AccountManager(store, keyring_backend=fail.Keyring(), kdf=KdfParams())
        assert not manager.keyring_status().available
        record = manager.generate("main", backend="file", password="s3cret pass")
        first = manager.signer(record.address, password="s3cret pass").unsafe_sign_hash(DIGEST)
    second = _sign_elsewhere(env, data_dir, record.address, "s3cret pass")
    assert second == bytes(first.signature)
    assert recover(DIGEST, first) == record.address
