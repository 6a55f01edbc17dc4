"""Locked, read-only and corrupt databases: clear typed errors, nothing saved is lost."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from nitro_desktop.store import (
    DB_FILENAME,
    AccountRecord,
    Store,
    StoreCorruptError,
    StoreLockedError,
    StoreReadOnlyError,
)
from tests.store.conftest import make_session


def test_corrupt_file_is_reported_and_left_alone(data_dir: Path) -> None:
    data_dir.mkdir()
    path = data_dir / DB_FILENAME
    path.write_bytes(b"this is not sqlite" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreCorruptError, match="left as it is") as info:
        Store.open(data_dir)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_FILENAME]


def test_damaged_pages_are_reported(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        store.sessions.save_many(make_session(i) for i in range(2000))
        store.db.query("PRAGMA wal_checkpoint(TRUNCATE)")
    path = data_dir / DB_FILENAME
    raw = bytearray(path.read_bytes())
    page = 4096
    raw[page * 3 : page * 3 + 200] = b"\xff" * 200  # a b-tree page of the sessions table
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreCorruptError):
        store = Store.open(data_dir)
        store.sessions.rows()
        store.db.require_sound()


def test_locked_database_gives_a_typed_error_and_keeps_data(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        store.accounts.add(AccountRecord("0xA", "kept", "keyring", 1.0))
    store = Store.open(data_dir, busy_timeout=0.05)
    other = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLockedError, match="locked by another program"):
            store.accounts.add(AccountRecord("0xB", "new", "keyring", 2.0))
    finally:
        other.execute("ROLLBACK")
        other.close()
    # The same connection works again once the other program lets go.
    store.accounts.add(AccountRecord("0xC", "after", "keyring", 3.0))
    store.close()
    with Store.open(data_dir) as store:
        assert [a.label for a in store.accounts.list()] == ["kept", "after"]


def test_read_only_store_refuses_writes_clearly(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        store.accounts.add(AccountRecord("0xA", "kept", "keyring", 1.0))
    with Store.open(data_dir, read_only=True) as store:
        assert [a.label for a in store.accounts.list()] == ["kept"]
        with pytest.raises(StoreReadOnlyError, match="cannot be written"):
            store.accounts.add(AccountRecord("0xB", "new", "keyring", 2.0))
    with Store.open(data_dir) as store:
        assert [a.address for a in store.accounts.list()] == ["0xA"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file modes")
def test_read_only_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "ro"
    data_dir.mkdir()
    data_dir.chmod(0o500)
    try:
        with pytest.raises(StoreReadOnlyError):
            Store.open(data_dir)
    finally:
        data_dir.chmod(0o700)


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0 or not shutil.which("setpriv"),
    reason="needs root and setpriv to become an ordinary user",
)
def test_read_only_directory_as_an_ordinary_user() -> None:
    """Root ignores file modes, so the read-only case runs as 'nobody' in a child process."""
    import subprocess
    import sys
    import tempfile

    parent = Path(tempfile.mkdtemp(prefix="nitro-ro-"))
    try:
        parent.chmod(0o755)
        data_dir = parent / "ro"
        data_dir.mkdir(mode=0o555)
        code = (
            "import sys\nfrom nitro_desktop.store import Store, StoreReadOnlyError\n"
            "try:\n    Store.open(sys.argv[1])\n"
            "except StoreReadOnlyError as exc:\n    print('refused:', exc)\n"
            "else:\n    print('opened')\n"
        )
        out = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-c",
                code,
                str(data_dir),
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "HOME": str(parent)},
        )
        assert out.stdout.startswith("refused:"), (out.stdout, out.stderr[-800:])
        assert str(data_dir) in out.stdout
        assert list(data_dir.iterdir()) == []  # nothing was written
    finally:
        shutil.rmtree(parent, ignore_errors=True)
