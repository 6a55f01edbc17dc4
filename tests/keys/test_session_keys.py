from __future__ import annotations

import hashlib
import time

import pytest

from nitro_desktop.keys import (
    SERVICE,
    AccountManager,
    AccountNotFoundError,
    SessionKeyExpiredError,
    SessionKeyManager,
)
from tests.keys.helpers import recover
from tests.keys.memory_keyring import MemoryKeyring

DIGEST = hashlib.sha256(b"auth").digest()


def test_session_key_lifecycle(manager: AccountManager, memory_keyring: MemoryKeyring) -> None:
    owner = manager.generate("main")
    keys = SessionKeyManager(manager)
    key = keys.create(owner.address, "chess", time.time() + 3600, scope="app.create")
    assert key.account == owner.address and key.address != owner.address
    assert (SERVICE, key.address) in memory_keyring.entries
    assert keys.active(owner.address, "chess") == [key]
    assert keys.active(owner.address, "poker") == []
    signed = keys.signer(key.address).unsafe_sign_hash(DIGEST)
    assert recover(DIGEST, signed) == key.address
    keys.revoke(key.address)
    assert (SERVICE, key.address) not in memory_keyring.entries
    with pytest.raises(AccountNotFoundError):
        keys.signer(key.address)


def test_expired_keys_are_removed(manager: AccountManager, memory_keyring: MemoryKeyring) -> None:
    owner = manager.generate("main")
    keys = SessionKeyManager(manager)
    with pytest.raises(SessionKeyExpiredError):
        keys.create(owner.address, "chess", time.time() - 1)
    soon = keys.create(owner.address, "chess", time.time() + 60)
    later = keys.create(owner.address, "chess", time.time() + 7200)
    assert keys.purge_expired(now=time.time() + 120) == [soon.address]
    assert keys.active(owner.address) == [later]
    assert (SERVICE, soon.address) not in memory_keyring.entries
    short = keys.create(owner.address, "chess", time.time() + 0.05)
    time.sleep(0.1)
    with pytest.raises(SessionKeyExpiredError, match="removed"):
        keys.signer(short.address)
    assert (SERVICE, short.address) not in memory_keyring.entries


def test_session_keys_in_files_without_keyring(file_manager: AccountManager) -> None:
    owner = file_manager.generate("main", backend="file", password="pw")
    keys = SessionKeyManager(file_manager)
    key = keys.create(owner.address, "chess", time.time() + 60, backend="file", password="pw")
    assert file_manager.vault.keystore_path(key.address).exists()
    signed = keys.signer(key.address, password="pw").unsafe_sign_hash(DIGEST)
    assert recover(DIGEST, signed) == key.address


def test_deleting_an_account_removes_its_session_keys(
    manager: AccountManager, memory_keyring: MemoryKeyring
) -> None:
    owner = manager.generate("main")
    key = SessionKeyManager(manager).create(owner.address, "chess", time.time() + 60)
    manager.delete(owner.address)
    assert memory_keyring.entries == {}
    assert manager.store.session_keys.list() == []
    assert key.address
