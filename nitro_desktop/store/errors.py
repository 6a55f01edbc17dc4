"""Typed store errors: each names the file and what the user can do about it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    """Base of every error the store raises."""


class StoreLockedError(StoreError):
    """Another process holds the database's write lock for too long."""


class StoreReadOnlyError(StoreError):
    """The database (or its directory) cannot be written."""


class StoreCorruptError(StoreError):
    """The file is not a readable SQLite database; it is left untouched."""


class StoreTooNewError(StoreError):
    """The database was written by a newer Nitro Desktop (higher schema version)."""


class StoreNotFoundError(StoreError, KeyError):
    """A record the caller named does not exist."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a message should read as a sentence.
        return str(self.args[0]) if self.args else ""


class StoreConflictError(StoreError):
    """A record with the same key already exists."""


def translate(exc: sqlite3.Error, path: Path) -> StoreError:
    """Map a sqlite3 error to the typed error a caller can explain to a user."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreLockedError(
            f"the database {path} is locked by another program (another Nitro Desktop?); "
            "close it and try again"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreReadOnlyError(
            f"the database {path} cannot be written (read-only file, directory or disk); "
            "check its permissions or choose another data directory"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreCorruptError(
            f"the database {path} is damaged ({exc}); it was left as it is. "
            "Move it aside (keep a copy) to start a new one"
        )
    if isinstance(exc, sqlite3.IntegrityError):
        return StoreConflictError(f"the database refused a record: {exc}")
    return StoreError(f"database error in {path}: {exc}")
