"""A real keyring backend for tests: ``keyring``'s interface over a dict.

``PersistentTestKeyring`` also keeps the dict in ``$NITRO_TEST_KEYRING_PATH`` (a file
outside the data dir) so a second process sees what the first stored; select it in a
subprocess with ``PYTHON_KEYRING_BACKEND=memory_keyring.PersistentTestKeyring`` and
this directory on ``PYTHONPATH``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("the test keyring is locked")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such entry") from None


class PersistentTestKeyring(MemoryKeyring):
    def _path(self) -> Path:
        return Path(os.environ["NITRO_TEST_KEYRING_PATH"])

    def _load(self) -> None:
        path = self._path()
        if path.exists():
            self.entries = {(s, u): p for s, u, p in json.loads(path.read_text(encoding="utf-8"))}

    def _save(self) -> None:
        rows = [[s, u, p] for (s, u), p in self.entries.items()]
        self._path().write_text(json.dumps(rows), encoding="utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        self._load()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._load()
        super().set_password(service, username, password)
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        self._load()
        super().delete_password(service, username)
        self._save()


class ForgetfulKeyring(MemoryKeyring):
    """Accepts writes but keeps a different value: a backend that corrupts what it stores."""

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, password[:-1] + "0")
