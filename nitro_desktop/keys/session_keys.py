"""Session keys for ClearNode auth: one per application, with an expiry, kept like accounts."""

from __future__ import annotations

import logging
import time

from nitro_desktop.keys.accounts import AccountManager
from nitro_desktop.keys.crypto import new_private_key
from nitro_desktop.keys.errors import AccountNotFoundError, KeysError, SessionKeyExpiredError
from nitro_desktop.keys.signer import Signer
from nitro_desktop.keys.types import Backend
from nitro_desktop.keys.vault import PasswordSource
from nitro_desktop.store import SessionKeyRecord

log = logging.getLogger(__name__)


class SessionKeyManager:
    """Create, use, revoke and purge session keys of the accounts an AccountManager holds."""

    def __init__(self, accounts: AccountManager) -> None:
        self._accounts = accounts
        self._store = accounts.store
        self._vault = accounts.vault

    def create(
        self,
        account: str,
        application: str,
        expires_at: float,
        *,
        scope: str = "",
        endpoint: str = "",
        backend: Backend = "keyring",
        password: str | None = None,
    ) -> SessionKeyRecord:
        owner = self._accounts.get(account)
        if expires_at <= time.time():
            raise SessionKeyExpiredError("a session key must expire in the future")
        key = new_private_key()
        address = self._vault.put(key, backend, password)
        record = SessionKeyRecord(
            address=address,
            account=owner.address,
            application=application,
            backend=backend,
            expires_at=expires_at,
            created_at=time.time(),
            scope=scope,
            endpoint=endpoint,
        )
        self._store.session_keys.add(record)
        log.info("created session key %s for %s (%s)", address, owner.address, application)
        return record

    def get(self, address: str) -> SessionKeyRecord:
        record = self._store.session_keys.get(address)
        if record is None:
            raise AccountNotFoundError(f"no session key {address}")
        return record

    def active(
        self, account: str, application: str | None = None, *, now: float | None = None
    ) -> list[SessionKeyRecord]:
        """Unexpired keys of ``account`` (for ``application`` when given), newest last."""
        moment = time.time() if now is None else now
        return [
            k
            for k in self._store.session_keys.list(self._accounts.get(account).address)
            if k.expires_at > moment and (application is None or k.application == application)
        ]

    def signer(self, address: str, *, password: PasswordSource | None = None) -> Signer:
        record = self.get(address)
        if record.expires_at <= time.time():
            self.revoke(address)
            raise SessionKeyExpiredError(f"session key {address} has expired and was removed")
        return self._vault.signer(record.address, record.backend, password)

    def revoke(self, address: str) -> None:
        """Destroy the key and forget it (after the server revoked it, or by the user)."""
        record = self.get(address)
        self._vault.remove(record.address, record.backend)
        self._store.session_keys.delete(record.address)
        log.info("removed session key %s", record.address)

    def purge_expired(self, *, now: float | None = None) -> list[str]:
        """Remove every expired key; return their addresses. Run at start-up."""
        moment = time.time() if now is None else now
        removed: list[str] = []
        for record in self._store.session_keys.list():
            if record.expires_at <= moment:
                try:
                    self.revoke(record.address)
                except KeysError as exc:
                    log.warning("could not remove expired session key %s: %s", record.address, exc)
                    continue
                removed.append(record.address)
        return removed
