"""Where secrets go: the OS keyring, or an encrypted keystore file per address."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nitro_desktop.keys.crypto import address_of
from nitro_desktop.keys.errors import (
    PasswordRequiredError,
    SecretMissingError,
)
from nitro_desktop.keys.keyfile import (
    DEFAULT_KDF,
    KdfParams,
    encrypt_key,
    read_keystore_file,
    write_keystore_file,
)
from nitro_desktop.keys.keyring_backend import KeyringSecrets, KeyringStatus
from nitro_desktop.keys.signer import Signer
from nitro_desktop.keys.types import Backend

log = logging.getLogger(__name__)

KEYSTORE_DIRNAME = "keystore"

# A password, or a callable asked for it when the key is needed (e.g. a dialog).
PasswordSource = str | Callable[[], str]


def _password(source: PasswordSource | None, address: str) -> str:
    password = source() if callable(source) else source
    if not password:
        raise PasswordRequiredError(
            f"the key for {address} is in an encrypted keystore file: a password is needed"
        )
    return password


class SecretVault:
    """Puts, fetches and removes private keys in the chosen backend.

    ``backend="keyring"`` refuses (KeyringUnavailableError) when no secure OS
    keyring exists, rather than falling back on its own: the caller must choose
    ``backend="file"`` and pass a password, so the user always knows.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        keyring_backend: Any | None = None,
        kdf: KdfParams = DEFAULT_KDF,
    ) -> None:
        self.keystore_dir = data_dir / KEYSTORE_DIRNAME
        self.keyring = KeyringSecrets(keyring_backend)
        self.kdf = kdf

    def keyring_status(self, *, probe: bool = True) -> KeyringStatus:
        return self.keyring.status(probe=probe)

    def preferred_backend(self) -> Backend:
        """``keyring`` when a secure OS keyring answers, else ``file`` (which needs a password)."""
        return "keyring" if self.keyring_status().available else "file"

    def keystore_path(self, address: str) -> Path:
        return self.keystore_dir / f"{address}.json"

    def check_can_put(self, backend: Backend, password: str | None) -> None:
        """Fail before any work if the chosen backend cannot take a key."""
        if backend == "keyring":
            self.keyring.require_available()
        elif not password:
            raise PasswordRequiredError("the encrypted keystore file needs a password to protect the key")

    def put(self, key: bytes, backend: Backend, password: str | None = None) -> str:
        """Store ``key`` and prove it can be read back; return its address."""
        address = address_of(key)
        self.check_can_put(backend, password)
        if backend == "keyring":
            self.keyring.put(address, "0x" + key.hex())
        else:
            assert password is not None
            path = self.keystore_path(address)
            write_keystore_file(path, encrypt_key(key, password, self.kdf))
            # Read back through the same path signing uses, before anyone relies on it.
            read_keystore_file(path, password, address)
        return address

    def load(self, address: str, backend: Backend, password: PasswordSource | None = None) -> bytes:
        if backend == "keyring":
            secret = self.keyring.get(address)
            if secret is None:
                raise SecretMissingError(f"the OS keyring has no key for {address}")
            return bytes.fromhex(secret.removeprefix("0x"))
        return read_keystore_file(self.keystore_path(address), _password(password, address), address)

    def remove(self, address: str, backend: Backend) -> None:
        if backend == "keyring":
            self.keyring.delete(address)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.keystore_path(address).unlink()
        log.debug("removed key for %s from %s", address, backend)

    def signer(self, address: str, backend: Backend, password: PasswordSource | None = None) -> Signer:
        if backend == "file" and password is None:
            raise PasswordRequiredError(
                f"the key for {address} is in an encrypted keystore file: a password is needed"
            )
        return Signer(address, backend, lambda: self.load(address, backend, password))
