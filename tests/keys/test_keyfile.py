from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
from eth_account import Account

from nitro_desktop.keys import AccountManager, KeystoreFileError, WrongPasswordError
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


# ---- key-derivation cost ceilings (issue 11 §4) -------------------------------------------


def _crafted(kdf: str, params: dict[str, object], password: str = "pw") -> dict[str, object]:  # noqa: S107
    """A keystore as another wallet would write it, with the given KDF parameters (derived for real)."""
    from eth_keyfile.keyfile import _pbkdf2_hash, _scrypt_hash, encrypt_aes_ctr
    from eth_utils import keccak

    salt = bytes.fromhex(str(params["salt"]))
    if kdf == "scrypt":
        derived = _scrypt_hash(password.encode(), salt, params["n"], params["r"], params["p"], 32)  # type: ignore[arg-type]
    else:
        derived = _pbkdf2_hash(password.encode(), "sha256", salt, params["c"], 32)  # type: ignore[arg-type]
    iv = 7
    ciphertext = encrypt_aes_ctr(KEY, derived[:16], iv)
    return {
        "version": 3,
        "address": ADDRESS[2:].lower(),
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": f"{iv:032x}"},
            "ciphertext": ciphertext.hex(),
            "kdf": kdf,
            "kdfparams": params,
            "mac": keccak(derived[16:32] + ciphertext).hex(),
        },
    }


def _scrypt(n: int, r: int = 8, p: int = 1, dklen: int = 32) -> dict[str, object]:
    return {"n": n, "r": r, "p": p, "dklen": dklen, "salt": "ab" * 32}


@pytest.fixture
def no_derivation(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails the test if a key is derived at all: the refusal must come first."""
    import eth_keyfile.keyfile as ek

    calls: list[str] = []

    def refuse(*args: object, **kwargs: object) -> bytes:
        calls.append("derived")
        raise AssertionError("a key was derived from a keystore that should have been refused")

    monkeypatch.setattr(ek, "_scrypt_hash", refuse)
    monkeypatch.setattr(ek, "_pbkdf2_hash", refuse)
    return calls


@pytest.mark.parametrize(
    ("kdf", "params", "message"),
    [
        ("scrypt", _scrypt(2**20), "scrypt parameter n = 1048576 is above this app's ceiling of 262144"),
        ("scrypt", _scrypt(2**40), "scrypt parameter n = about 2^40 is above this app's ceiling of 262144"),
        ("scrypt", _scrypt(2**14, r=64), "scrypt parameter r = 64 is above this app's ceiling of 8"),
        ("scrypt", _scrypt(2**18, p=2), "scrypt cost n·r·p = 262144·8·2 is above this app's ceiling"),
        ("scrypt", _scrypt(2**10, p=1000), "scrypt parameter p = 1000 is above this app's ceiling of 8"),
        ("scrypt", _scrypt(2**10, dklen=2**30), "scrypt parameter dklen = 1073741824 is above"),
        ("scrypt", _scrypt(1000), "scrypt n = 1000 is not a power of two"),
        ("scrypt", _scrypt(2.0**20), "scrypt parameter n must be a positive integer"),  # type: ignore[arg-type]
        (
            "pbkdf2",
            {"c": 10**8, "dklen": 32, "prf": "hmac-sha256", "salt": "ab" * 16},
            "pbkdf2 parameter c = 100000000 is above this app's ceiling of 1000000",
        ),
        ("argon2", {"dklen": 32, "salt": "ab"}, "unsupported key derivation argon2"),
    ],
)
def test_costly_key_derivation_is_refused_before_deriving(
    no_derivation: list[str], kdf: str, params: dict[str, object], message: str
) -> None:
    keystore = {
        "version": 3,
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": "00" * 32,
            "cipherparams": {"iv": "00" * 16},
            "kdf": kdf,
            "kdfparams": params,
            "mac": "00" * 32,
        },
    }
    from nitro_desktop.keys import InvalidKeyError

    with pytest.raises(InvalidKeyError, match=re.escape(message)):
        decrypt_keystore(json.dumps(keystore), "pw")
    assert no_derivation == []


def test_costly_v4_and_capitalised_layouts_are_refused_too(no_derivation: list[str]) -> None:
    from nitro_desktop.keys import InvalidKeyError

    v4 = {"version": 4, "crypto": {"kdf": {"function": "scrypt", "params": _scrypt(2**20)}}}
    old = {"version": 3, "Crypto": {"KDF": "scrypt", "KDFParams": {**_scrypt(2**21), "N": 2**21}}}
    for keystore in (v4, old):
        with pytest.raises(InvalidKeyError, match="ceiling"):
            decrypt_keystore(keystore, "pw")  # type: ignore[arg-type]
    assert no_derivation == []


def test_import_through_the_account_manager_refuses_a_costly_keystore(
    no_derivation: list[str], manager: AccountManager
) -> None:
    from nitro_desktop.keys import InvalidKeyError

    keystore = {
        "version": 3,
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": "00" * 32,
            "cipherparams": {"iv": "00" * 16},
            "kdf": "scrypt",
            "kdfparams": _scrypt(2**20),
            "mac": "00" * 32,
        },
    }
    with pytest.raises(InvalidKeyError, match="scrypt parameter n = 1048576 is above"):
        manager.import_keystore(json.dumps(keystore), "pw", "imported")
    assert no_derivation == []
    assert manager.list() == []


@pytest.mark.parametrize(
    ("kdf", "params"),
    [
        ("scrypt", _scrypt(2**12, r=8, p=6)),  # geth --lightkdf
        ("scrypt", _scrypt(2**10, r=8, p=1)),
        ("pbkdf2", {"c": 1000, "dklen": 32, "prf": "hmac-sha256", "salt": "cd" * 32}),
    ],
)
def test_standard_wallet_parameters_are_accepted(kdf: str, params: dict[str, object]) -> None:
    assert decrypt_keystore(json.dumps(_crafted(kdf, params)), "pw") == KEY


def test_the_ceilings_admit_geth_metamask_and_eth_account_defaults() -> None:
    from nitro_desktop.keys.keyfile import check_kdf_cost

    # geth standard / MetaMask / eth-account scrypt, and eth-account's pbkdf2 default: checked, not derived.
    check_kdf_cost({"crypto": {"kdf": "scrypt", "kdfparams": _scrypt(2**18, r=8, p=1)}})
    check_kdf_cost(
        {
            "crypto": {
                "kdf": "pbkdf2",
                "kdfparams": {"c": 1_000_000, "dklen": 32, "prf": "hmac-sha256", "salt": "ab"},
            }
        }
    )


@pytest.mark.parametrize("shape", ["bare-lower", "bare-upper", "0x-checksum"])
def test_keystore_address_is_read_in_every_wallet_spelling(shape: str) -> None:
    keystore = encrypt_key(KEY, "pw", FAST_KDF)
    bare = ADDRESS[2:]
    keystore["address"] = {"bare-lower": bare.lower(), "bare-upper": bare.upper(), "0x-checksum": ADDRESS}[
        shape
    ]
    assert decrypt_keystore(keystore, "pw") == KEY
