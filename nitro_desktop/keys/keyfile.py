"""Encrypted keystore files (Web3 Secret Storage v3, scrypt), written atomically with mode 0600.

A keystore names its own key-derivation cost, so an imported file could ask for
gigabytes and minutes (scrypt n = 2^20, r = 8 is 1 GiB). ``check_kdf_cost``
refuses anything above the ceilings below before a single byte is derived. The
ceilings admit what real wallets write: geth "standard" (scrypt n=2^18, r=8,
p=1; also eth-account and MetaMask), geth "light" (n=2^12, r=8, p=6) and
eth-account's pbkdf2 (1,000,000 rounds of hmac-sha256).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from nitro_desktop.keys.crypto import address_of
from nitro_desktop.keys.errors import InvalidKeyError, KeystoreFileError, WrongPasswordError
from nitro_desktop.protocol.crypto import lenient_checksum

#: scrypt memory is 128·r·n bytes (2^18, r=8: 256 MiB) and its time grows with n·r·p.
MAX_SCRYPT_N = 2**18
MAX_SCRYPT_R = 8
MAX_SCRYPT_P = 8
MAX_SCRYPT_WORK = MAX_SCRYPT_N * MAX_SCRYPT_R  # n·r·p: geth standard's cost, at most
MAX_PBKDF2_ROUNDS = 1_000_000
KEYSTORE_DKLEN = 32  # 16 bytes AES key + 16 bytes MAC key; anything else is not a keystore we know
MAX_SALT_BYTES = 128


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Key-derivation cost. ``work_factor`` None means eth-account's default (scrypt n=2^18).

    Tests inject a small factor; production code keeps the default.
    """

    kdf: Literal["scrypt", "pbkdf2"] = "scrypt"
    work_factor: int | None = None


DEFAULT_KDF = KdfParams()


def encrypt_key(private_key: bytes, password: str, kdf: KdfParams = DEFAULT_KDF) -> dict[str, Any]:
    """A v3 keystore dict for ``private_key``."""
    # eth-keyfile (what eth-account's Account.encrypt wraps) is imported here,
    # not at module level: it costs a few hundred ms.
    from eth_keyfile.keyfile import create_keyfile_json

    keystore: dict[str, Any] = create_keyfile_json(
        private_key, password.encode("utf-8"), kdf=kdf.kdf, iterations=kdf.work_factor
    )
    return keystore


def decrypt_keystore(keystore: dict[str, Any] | str, password: str) -> bytes:
    """The private key in a v3 keystore (ours or any wallet's).

    Raises WrongPasswordError (also for altered ciphertext: the MAC cannot tell
    them apart), InvalidKeyError for anything that is not a keystore, and
    KeystoreFileError when the stated address does not match the key.
    """
    if isinstance(keystore, str):
        try:
            keystore = json.loads(keystore)
        except ValueError:
            raise InvalidKeyError("the keystore is not JSON") from None
    if not isinstance(keystore, dict):
        raise InvalidKeyError("the keystore is not a JSON object")
    check_kdf_cost(keystore)
    from eth_keyfile.keyfile import decode_keyfile_json

    try:
        key = bytes(decode_keyfile_json(keystore, password.encode("utf-8")))
    except ValueError as exc:
        if "mac mismatch" in str(exc).lower():
            raise WrongPasswordError(
                "wrong password (or the keystore's encrypted data was altered)"
            ) from None
        raise InvalidKeyError(f"not a usable keystore: {type(exc).__name__}") from None
    except (KeyError, TypeError, NotImplementedError) as exc:
        raise InvalidKeyError(f"not a usable keystore: missing or bad {exc!s:.40}") from None
    stated = keystore.get("address")
    if stated:
        try:
            # keystores write the address without 0x, in any case: read it as geth does
            matches = lenient_checksum("0x" + str(stated).removeprefix("0x")) == address_of(key)
        except ValueError:
            matches = False
        if not matches:
            raise KeystoreFileError("the keystore's address does not match the key inside it")
    return key


def check_kdf_cost(keystore: dict[str, Any]) -> None:
    """Refuse (``InvalidKeyError``) a keystore whose key derivation would cost more than the ceilings.

    Reads the v3 (``crypto.kdf`` + ``crypto.kdfparams``) and v4 (``crypto.kdf.function``
    + ``crypto.kdf.params``) layouts, keys in any case, as eth-keyfile does.
    """
    crypto = _field(keystore, "crypto")
    if not isinstance(crypto, dict):
        raise InvalidKeyError("not a usable keystore: missing or bad 'crypto'")
    kdf = _field(crypto, "kdf")
    params = _field(crypto, "kdfparams")
    if isinstance(kdf, dict):
        kdf, params = _field(kdf, "function"), _field(kdf, "params")
    if not isinstance(params, dict):
        raise InvalidKeyError("not a usable keystore: missing or bad 'kdfparams'")
    if kdf == "scrypt":
        n = _int_param(params, "n", "scrypt", MAX_SCRYPT_N)
        if n < 2 or n & (n - 1):
            raise InvalidKeyError(f"not a usable keystore: scrypt n = {n} is not a power of two")
        r = _int_param(params, "r", "scrypt", MAX_SCRYPT_R)
        p = _int_param(params, "p", "scrypt", MAX_SCRYPT_P)
        if n * r * p > MAX_SCRYPT_WORK:
            raise InvalidKeyError(
                f"the keystore's scrypt cost n·r·p = {n}·{r}·{p} is above this app's ceiling of "
                f"{MAX_SCRYPT_WORK} (2^18·8, what geth and MetaMask write); re-export it with the "
                "wallet's standard settings"
            )
    elif kdf == "pbkdf2":
        _int_param(params, "c", "pbkdf2", MAX_PBKDF2_ROUNDS)
        prf = _field(params, "prf")
        if prf != "hmac-sha256":
            raise InvalidKeyError(f"not a usable keystore: pbkdf2 prf {prf!s:.20} (only hmac-sha256)")
    else:
        raise InvalidKeyError(f"not a usable keystore: unsupported key derivation {kdf!s:.20}")
    dklen = _int_param(params, "dklen", kdf, KEYSTORE_DKLEN)
    if dklen != KEYSTORE_DKLEN:
        raise InvalidKeyError(f"not a usable keystore: {kdf} dklen = {dklen} (must be {KEYSTORE_DKLEN})")
    salt = _field(params, "salt")
    if not isinstance(salt, str) or len(salt) > 2 * MAX_SALT_BYTES:
        raise InvalidKeyError(
            f"not a usable keystore: the {kdf} salt is missing or over {MAX_SALT_BYTES} bytes"
        )


def _field(mapping: dict[str, Any], name: str) -> Any:
    # eth-keyfile lower-cases every key before reading ("Crypto" from old wallets).
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == name:
            return value
    return None


def _int_param(params: dict[str, Any], name: str, kdf: str, ceiling: int) -> int:
    value = _field(params, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidKeyError(f"not a usable keystore: {kdf} parameter {name} must be a positive integer")
    if value > ceiling:
        shown = str(value) if value < 10**12 else f"about 2^{value.bit_length() - 1}"
        raise InvalidKeyError(
            f"the keystore's {kdf} parameter {name} = {shown} is above this app's ceiling of {ceiling}; "
            "re-export it with the wallet's standard settings"
        )
    return value


def write_keystore_file(path: Path, keystore: dict[str, Any]) -> None:
    """Write ``keystore`` to ``path`` atomically: a 0600 temp file, fsync, rename, fsync dir.

    A kill at any moment leaves either the old file or the new one, never a
    partial one, and the file is never readable by others, not even briefly.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = json.dumps(keystore, separators=(",", ":")).encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def read_keystore_file(path: Path, password: str, expected_address: str) -> bytes:
    """Decrypt the account's keystore file, refusing a file that is not private or not its own."""
    try:
        mode = path.stat().st_mode & 0o777
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeystoreFileError(f"the keystore file {path} is missing") from None
    except OSError as exc:
        raise KeystoreFileError(f"cannot read the keystore file {path}: {exc.strerror}") from None
    if mode & 0o077:
        raise KeystoreFileError(
            f"the keystore file {path} is readable by others (mode {mode:o}); "
            "restore mode 600 before using it"
        )
    try:
        key = decrypt_keystore(text, password)
    except InvalidKeyError as exc:
        raise KeystoreFileError(f"the keystore file {path} is damaged ({exc})") from None
    if address_of(key) != expected_address:
        raise KeystoreFileError(f"the keystore file {path} holds another account's key")
    return key


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
