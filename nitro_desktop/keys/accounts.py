"""Accounts: Ethereum keys whose secrets live in a vault and whose public data lives in the store."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from nitro_desktop.keys.crypto import address_of, new_private_key, parse_private_key
from nitro_desktop.keys.errors import (
    AccountExistsError,
    AccountNotFoundError,
    InvalidKeyError,
    KeysError,
)
from nitro_desktop.keys.keyfile import DEFAULT_KDF, KdfParams, decrypt_keystore, encrypt_key
from nitro_desktop.keys.keyring_backend import KeyringStatus
from nitro_desktop.keys.signer import Signer
from nitro_desktop.keys.types import Backend
from nitro_desktop.keys.vault import PasswordSource, SecretVault
from nitro_desktop.store import AccountRecord, Store, StoreError

log = logging.getLogger(__name__)


class AccountManager:
    """Generate, import, list, rename, delete, export accounts and hand out signers.

    ``backend`` is always the caller's explicit choice: ``"keyring"`` (the OS
    keyring) or ``"file"`` (an encrypted keystore file, ``password`` required).
    """

    def __init__(
        self,
        store: Store,
        *,
        keyring_backend: Any | None = None,
        kdf: KdfParams = DEFAULT_KDF,
    ) -> None:
        self.store = store
        self.vault = SecretVault(store.data_dir, keyring_backend=keyring_backend, kdf=kdf)

    def keyring_status(self) -> KeyringStatus:
        return self.vault.keyring_status()

    def preferred_backend(self) -> Backend:
        return self.vault.preferred_backend()

    def generate(
        self, label: str, *, backend: Backend = "keyring", password: str | None = None
    ) -> AccountRecord:
        """A new key from the OS's randomness."""
        return self._add(new_private_key(), label, backend, password)

    def import_private_key(
        self,
        private_key_hex: str,
        label: str,
        *,
        backend: Backend = "keyring",
        password: str | None = None,
    ) -> AccountRecord:
        try:
            key = parse_private_key(private_key_hex)
        except ValueError as exc:
            raise InvalidKeyError(str(exc)) from None
        return self._add(key, label, backend, password)

    def import_keystore(
        self,
        keystore_json: str | dict[str, Any],
        keystore_password: str,
        label: str,
        *,
        backend: Backend = "keyring",
        password: str | None = None,
    ) -> AccountRecord:
        """Import a Web3 Secret Storage (v3) keystore from any wallet."""
        self.vault.check_can_put(backend, password)
        return self._add(decrypt_keystore(keystore_json, keystore_password), label, backend, password)

    def _add(self, key: bytes, label: str, backend: Backend, password: str | None) -> AccountRecord:
        address = address_of(key)
        if self.store.accounts.get(address) is not None:
            raise AccountExistsError(f"account {address} already exists")
        # Order matters: the secret is written and verified before the account
        # is recorded, so a failure leaves no account without its key.
        self.vault.put(key, backend, password)
        record = AccountRecord(address, label.strip() or _short(address), backend, time.time())
        try:
            self.store.accounts.add(record)
        except StoreError:
            # The secret stays where it is: removing it could lose an imported
            # key whose only copy the user may have just deleted.
            log.warning("key for %s kept in %s but the account was not recorded", address, backend)
            raise
        log.info("added account %s (%s)", address, backend)
        return record

    def list(self) -> list[AccountRecord]:
        return self.store.accounts.list()

    def get(self, address: str) -> AccountRecord:
        record = self.store.accounts.get(address)
        if record is None:
            raise AccountNotFoundError(f"no account {address}")
        return record

    def rename(self, address: str, label: str) -> AccountRecord:
        record = self.get(address)
        self.store.accounts.rename(record.address, label.strip() or _short(record.address))
        return self.get(record.address)

    def delete(self, address: str) -> None:
        """Forget the account and destroy its secret (export it first to keep it)."""
        record = self.get(address)
        # Secret first: if the keyring refuses, the account stays listed and the
        # user can retry, instead of an invisible key left behind.
        self.vault.remove(record.address, record.backend)
        for key in self.store.session_keys.list(record.address):
            try:
                self.vault.remove(key.address, key.backend)
            except KeysError:
                log.warning("could not remove session key %s", key.address)
            self.store.session_keys.delete(key.address)
        self.store.accounts.delete(record.address)
        log.info("deleted account %s", record.address)

    def signer(self, address: str, *, password: PasswordSource | None = None) -> Signer:
        """A signer for the account; ``password`` (or a callable) for file-backed keys."""
        record = self.get(address)
        return self.vault.signer(record.address, record.backend, password)

    def export_private_key(self, address: str, *, password: PasswordSource | None = None) -> str:
        """The raw key as 0x-hex. Only for an explicit export request by the user."""
        record = self.get(address)
        key = self.vault.load(record.address, record.backend, password)
        log.info("exported the private key of %s", record.address)
        return "0x" + key.hex()

    def export_keystore(
        self,
        address: str,
        export_password: str,
        *,
        password: PasswordSource | None = None,
        kdf: KdfParams | None = None,
    ) -> str:
        """A v3 keystore JSON of the account, encrypted with ``export_password``."""
        if not export_password:
            raise InvalidKeyError("an exported keystore needs a password")
        record = self.get(address)
        key = self.vault.load(record.address, record.backend, password)
        keystore = encrypt_key(key, export_password, kdf or self.vault.kdf)
        log.info("exported a keystore of %s", record.address)
        return json.dumps(keystore, indent=2)


def _short(address: str) -> str:
    return f"Account {address[:6]}…{address[-4:]}"
