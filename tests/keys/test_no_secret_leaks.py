"""No secret anywhere but the keyring, the encrypted file, and an explicit export."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from nitro_desktop.keys import (
    SERVICE,
    AccountManager,
    KeysError,
    SessionKeyManager,
)
from nitro_desktop.store import Store
from tests.keys.memory_keyring import MemoryKeyring

PASSWORD = "Tr0ub4dor&3-unique-marker"


def _forms(secret_hex: str) -> list[bytes]:
    """Every way a key might be spelled in a file or message."""
    raw = secret_hex.removeprefix("0x")
    return [raw.lower().encode(), raw.upper().encode(), bytes.fromhex(raw)]


def _assert_absent(haystack: bytes, secrets: Iterable[str], where: str) -> None:
    for secret in secrets:
        needles = _forms(secret) if secret.startswith("0x") else [secret.encode()]
        for needle in needles:
            assert needle not in haystack, f"a secret appears in {where}"


def _all_files(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_secrets_stay_out_of_files_logs_errors_and_reprs(
    data_dir: Path,
    store: Store,
    manager: AccountManager,
    file_manager: AccountManager,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    digest = hashlib.sha256(b"x").digest()
    errors: list[str] = []

    a = manager.generate("keyring one")
    b = file_manager.generate("file one", backend="file", password=PASSWORD)
    imported = manager.import_private_key("0x" + "6e" * 32, "imported")
    session = SessionKeyManager(manager).create(a.address, "chess", time.time() + 60)
    file_session = SessionKeyManager(file_manager).create(
        b.address, "chess", time.time() + 60, backend="file", password=PASSWORD
    )
    signers = [
        manager.signer(a.address),
        file_manager.signer(b.address, password=PASSWORD),
        SessionKeyManager(manager).signer(session.address),
    ]
    for signer in signers:
        signer.unsafe_sign_hash(digest)
    manager.rename(a.address, "renamed")

    # Failures whose messages must not quote what they were given.
    attempts = [
        lambda: file_manager.signer(b.address, password="wrong").unsafe_sign_hash(digest),
        lambda: manager.import_private_key("0x" + "6e" * 32, "dup"),
        lambda: manager.import_private_key("0x" + "6e" * 31 + "zz", "bad"),
        lambda: file_manager.generate("x", backend="file", password=""),
        lambda: file_manager.generate("x"),
    ]
    memory_keyring.locked = True
    attempts.append(lambda: manager.signer(a.address).unsafe_sign_hash(digest))
    for attempt in attempts:
        with pytest.raises(KeysError) as info:
            attempt()
        errors.append(f"{info.value!s} {info.value!r}")
    memory_keyring.locked = False

    secrets = [
        *(v for (service, _), v in memory_keyring.entries.items() if service == SERVICE),
        file_manager.export_private_key(b.address, password=PASSWORD),
        "0x" + file_manager.vault.load(file_session.address, "file", PASSWORD).hex(),
        PASSWORD,
    ]
    assert len(secrets) == 6  # a, imported, session (keyring); b, file session; password
    assert imported.address

    store.db.query("PRAGMA wal_checkpoint(FULL)")
    files = _all_files(data_dir)
    assert b"renamed" in files  # the scan does see the database's contents
    _assert_absent(files, secrets, "a file under the data dir")
    _assert_absent(caplog.text.encode(), secrets, "the logs")
    _assert_absent(" ".join(errors).encode(), secrets, "an exception message")
    reprs = " ".join(repr(x) for x in [*signers, manager.list(), store.session_keys.list()])
    _assert_absent(reprs.encode(), secrets, "a repr")
