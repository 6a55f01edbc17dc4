"""Encrypted keystore files (Web3 Secret Storage v3, scrypt), written atomically with mode 0600."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from nitro_desktop.keys.crypto import address_of, to_checksum_address
from nitro_desktop.keys.errors import InvalidKeyError, KeystoreFileError, WrongPasswordError


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
    from eth_keyfile.keyfile import decode_keyfile_json

    if isinstance(keystore, str):
        try:
            keystore = json.loads(keystore)
        except ValueError:
            raise InvalidKeyError("the keystore is not JSON") from None
    if not isinstance(keystore, dict):
        raise InvalidKeyError("the keystore is not a JSON object")
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
            matches = to_checksum_address(str(stated)) == address_of(key)
        except ValueError:
            matches = False
        if not matches:
            raise KeystoreFileError("the keystore's address does not match the key inside it")
    return key


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
