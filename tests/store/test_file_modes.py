"""Every file the app writes is owner-only (0600) and its data folder 0700, whatever the umask.

Each test runs under the common umask 022 and starts from a data folder that an
older version (or a copy) left 0755, with files 0644.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.store import AccountRecord, Store

REPO = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def everyday_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def open_data_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    return data_dir


def test_database_wal_shm_and_folder_are_private_from_the_first_open(open_data_dir: Path) -> None:
    with Store.open(open_data_dir) as store:
        store.accounts.add(AccountRecord("0x" + "11" * 20, "a", "keyring", 1.0))
        db = store.db.path
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files)  # WAL mode, while open
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
        assert mode(open_data_dir) == 0o700


def test_files_left_readable_before_are_fixed_at_open(open_data_dir: Path) -> None:
    with Store.open(open_data_dir) as store:
        store.accounts.add(AccountRecord("0x" + "22" * 20, "b", "keyring", 1.0))
        db = store.db.path
    left = [
        db,
        open_data_dir / "settings.ini",
        open_data_dir / "sandbox-0.2.sqlite",
        open_data_dir / "keystore" / "0xabc.json",
        open_data_dir / "crash-reports" / "crash-1.txt",
    ]
    for path in left:
        path.parent.mkdir(exist_ok=True)
        path.touch()
        path.chmod(0o644)
        path.parent.chmod(0o755)
    # A stale -wal (from a crash) open to all: SQLite keeps its mode, so it must be fixed too.
    wal = db.with_name(db.name + "-wal")
    wal.touch()
    wal.chmod(0o644)
    open_data_dir.chmod(0o755)
    with Store.open(open_data_dir) as store:
        store.accounts.add(AccountRecord("0x" + "33" * 20, "c", "keyring", 1.0))
        shm = db.with_name(db.name + "-shm")
        assert {p.name: oct(mode(p)) for p in [*left, wal, shm]} == {
            p.name: "0o600" for p in [*left, wal, shm]
        }
        assert {oct(mode(p.parent)) for p in left} == {"0o700"}


@pytest.mark.asyncio
async def test_sandbox_database_is_private(open_data_dir: Path) -> None:
    db = open_data_dir / "node.sqlite"
    db.touch()
    db.chmod(0o644)
    async with SandboxNode(port=0, dialect="0.2", db_path=str(db)) as node:
        node.fund("0x" + "44" * 20, "usdc", "1")
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}


def test_signing_request_file_is_private(tmp_path: Path) -> None:
    from nitro_desktop import signing
    from tests.signing.helpers import game, stakes

    request = signing.create_request("ws://127.0.0.1:1/ws", "0.2", game(), stakes(10, 0), None)
    path = signing.save(request, tmp_path / "new.nitroreq")
    assert mode(path) == 0o600


def test_command_line_writes_only_private_files(tmp_path: Path, open_data_dir: Path) -> None:
    """A whole command run in a child process under umask 022: the keystore, database and folders."""
    password = tmp_path / "pw"
    password.write_text("a file password")
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = subprocess.run(
        [sys.executable, "-m", "nitro_desktop", "--data-dir", str(open_data_dir), "accounts", "new",
         "--backend", "file", "--password-file", str(password)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert mode(open_data_dir) == 0o700
    written = sorted(p for p in open_data_dir.rglob("*"))
    assert any(p.parent.name == "keystore" for p in written)
    assert {str(p.relative_to(open_data_dir)): oct(mode(p)) for p in written} == {
        str(p.relative_to(open_data_dir)): ("0o700" if p.is_dir() else "0o600") for p in written
    }
    assert json.loads(next(p for p in written if p.suffix == ".json").read_text())["version"] == 3
