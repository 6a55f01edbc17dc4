"""Fixtures: a store in a temporary data dir, a real in-memory keyring, a cheap KDF."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from nitro_desktop.keys import AccountManager, KdfParams
from nitro_desktop.store import Store
from tests.keys.memory_keyring import MemoryKeyring

# scrypt at n=2^10 instead of 2^18: the same code path, a thousandth of the cost.
FAST_KDF = KdfParams(work_factor=2**10)
KEYS_TEST_DIR = Path(__file__).resolve().parent
REPO = KEYS_TEST_DIR.parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    with Store.open(data_dir) as s:
        yield s


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def manager(store: Store, memory_keyring: MemoryKeyring) -> AccountManager:
    return AccountManager(store, keyring_backend=memory_keyring, kdf=FAST_KDF)


@pytest.fixture
def file_manager(store: Store) -> AccountManager:
    """No OS keyring at all: only the encrypted-file backend can work."""
    return AccountManager(store, keyring_backend=fail.Keyring(), kdf=FAST_KDF)


@pytest.fixture
def global_keyring(memory_keyring: MemoryKeyring) -> Iterator[MemoryKeyring]:
    """Make the memory keyring the process-wide one (what the CLI uses)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring)
    try:
        yield memory_keyring
    finally:
        keyring.set_keyring(previous)


def subprocess_env(keyring_backend: str, keyring_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = keyring_backend
    env["PYTHONPATH"] = os.pathsep.join([str(KEYS_TEST_DIR), str(REPO)])
    env.pop("NITRO_DESKTOP_DATA_DIR", None)
    if keyring_path is not None:
        env["NITRO_TEST_KEYRING_PATH"] = str(keyring_path)
    return env


PYTHON = sys.executable
