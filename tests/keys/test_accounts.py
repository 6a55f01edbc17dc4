from __future__ import annotations

import json
import stat

import pytest
from eth_account import Account
from keyring.backends import chainer, fail, null

from nitro_desktop.keys import (
    SERVICE,
    AccountExistsError,
    AccountManager,
    AccountNotFoundError,
    InvalidKeyError,
    KeyringLockedError,
    KeyringUnavailableError,
    KeyringVerifyError,
    PasswordRequiredError,
    WrongPasswordError,
    keyring_status,
)
from nitro_desktop.store import Store
from tests.keys.conftest import FAST_KDF
from tests.keys.memory_keyring import ForgetfulKeyring, MemoryKeyring

KEY = "0x" + "1f" * 32
ADDRESS = Account.from_key(KEY).address


def test_generate_puts_secret_in_keyring_and_public_data_in_store(
    manager: AccountManager, memory_keyring: MemoryKeyring, store: Store
) -> None:
    record = manager.generate("  main  ")
    assert record.label == "main" and record.backend == "keyring"
    assert record.address == Account.from_key(memory_keyring.entries[(SERVICE, record.address)]).address
    assert store.accounts.list() == [record]
    assert manager.list() == [record]


def test_two_generated_keys_differ(manager: AccountManager) -> None:
    assert manager.generate("a").address != manager.generate("b").address


def test_no_keyring_means_an_explicit_choice(file_manager: AccountManager, store: Store) -> None:
    with pytest.raises(KeyringUnavailableError, match="encrypted keystore file"):
        file_manager.generate("a")
    with pytest.raises(PasswordRequiredError):
        file_manager.generate("a", backend="file")
    assert store.accounts.list() == []
    assert file_manager.preferred_backend() == "file"
    record = file_manager.generate("a", backend="file", password="pw")
    assert record.backend == "file"
    path = file_manager.vault.keystore_path(record.address)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), chainer.ChainerBackend()], ids=repr)
def test_insecure_backends_are_recognised(backend: object) -> None:
    status = keyring_status(backend)
    assert not status.available and status.reason


def test_locked_keyring_is_reported(manager: AccountManager, memory_keyring: MemoryKeyring) -> None:
    assert manager.keyring_status().available
    memory_keyring.locked = True
    status = manager.keyring_status()
    assert not status.available and "locked" in status.reason
    with pytest.raises(KeyringLockedError, match="locked"):
        manager.generate("a")
    assert manager.list() == []


def test_keyring_that_does_not_keep_the_secret_records_nothing(store: Store) -> None:
    manager = AccountManager(store, keyring_backend=ForgetfulKeyring(), kdf=FAST_KDF)
    with pytest.raises(KeyringVerifyError, match="nothing was recorded"):
        manager.import_private_key(KEY, "a")
    assert manager.list() == []


def test_import_hex(manager: AccountManager) -> None:
    record = manager.import_private_key(KEY[2:].upper(), "imported")
    assert record.address == ADDRESS
    with pytest.raises(AccountExistsError):
        manager.import_private_key(KEY, "again")


@pytest.mark.parametrize("bad", ["zz" * 32, "00" * 32, "12" * 31, "ff" * 32])
def test_import_invalid_hex_is_refused_without_echo(manager: AccountManager, bad: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        manager.import_private_key(bad, "x")
    assert bad not in str(info.value)


def test_import_keystore_from_another_wallet(manager: AccountManager) -> None:
    keystore = Account.encrypt(KEY, "their password", kdf="pbkdf2", iterations=1000)
    with pytest.raises(WrongPasswordError):
        manager.import_keystore(keystore, "nope", "x")
    with pytest.raises(InvalidKeyError):
        manager.import_keystore("{not json", "x", "x")
    record = manager.import_keystore(json.dumps(keystore), "their password", "w")
    assert record.address == ADDRESS
    assert manager.export_private_key(ADDRESS) == KEY


def test_rename_and_delete(manager: AccountManager, memory_keyring: MemoryKeyring) -> None:
    record = manager.import_private_key(KEY, "a")
    assert manager.rename(ADDRESS.lower(), "b").label == "b"
    manager.delete(record.address)
    assert (SERVICE, ADDRESS) not in memory_keyring.entries
    assert manager.list() == []
    with pytest.raises(AccountNotFoundError):
        manager.signer(ADDRESS)


def test_delete_file_backed_removes_the_file(file_manager: AccountManager) -> None:
    record = file_manager.import_private_key(KEY, "a", backend="file", password="pw")
    path = file_manager.vault.keystore_path(record.address)
    assert path.exists()
    file_manager.delete(record.address)
    assert not path.exists() and file_manager.list() == []


def test_delete_refused_by_keyring_keeps_the_account(
    manager: AccountManager, memory_keyring: MemoryKeyring
) -> None:
    manager.import_private_key(KEY, "a")
    memory_keyring.locked = True
    with pytest.raises(KeyringLockedError):
        manager.delete(ADDRESS)
    memory_keyring.locked = False
    assert [r.address for r in manager.list()] == [ADDRESS]
    assert manager.export_private_key(ADDRESS) == KEY


def test_export_keystore_round_trips(file_manager: AccountManager) -> None:
    file_manager.import_private_key(KEY, "a", backend="file", password="pw")
    with pytest.raises(PasswordRequiredError):
        file_manager.export_private_key(ADDRESS)
    exported = file_manager.export_keystore(ADDRESS, "export pw", password="pw")
    assert Account.decrypt(exported, "export pw").to_0x_hex() == KEY
    assert file_manager.export_private_key(ADDRESS, password="pw") == KEY
