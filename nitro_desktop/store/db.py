"""The one place that opens and writes the SQLite database."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from nitro_desktop.store.errors import (
    StoreCorruptError,
    StoreError,
    StoreReadOnlyError,
    StoreTooNewError,
    translate,
)
from nitro_desktop.store.paths import (
    DB_FILENAME,
    default_data_dir,
    make_data_private,
    make_private,
    private_umask,
)
from nitro_desktop.store.schema import LATEST_VERSION, current_version, migrate

log = logging.getLogger(__name__)


class Database:
    """A connection in autocommit mode with explicit, typed-error transactions.

    Writes go through :meth:`write` (``BEGIN IMMEDIATE`` … ``COMMIT``) so every
    change is all-or-nothing; reads through :meth:`query`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, data_dir: Path) -> None:
        self._conn = conn
        # One connection shared by the GUI thread and executor jobs (key import, say):
        # the lock keeps a transaction from interleaving with another thread's statements.
        self._lock = threading.RLock()
        self.path = path
        self.data_dir = data_dir

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        read_only: bool = False,
        busy_timeout: float = 5.0,
    ) -> Database:
        directory = default_data_dir(os.fspath(data_dir) if data_dir is not None else None)
        path = directory / DB_FILENAME
        try:
            if read_only:
                if not path.exists():
                    raise StoreError(f"no database at {path}")
                conn = sqlite3.connect(
                    f"{path.as_uri()}?mode=ro",
                    uri=True,
                    timeout=busy_timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                with private_umask():
                    conn = _open_private(directory, path, busy_timeout)
        except sqlite3.Error as exc:
            raise translate(exc, path) from exc
        try:
            # WAL mode and the first write create -wal and -shm: inside the umask too.
            with contextlib.nullcontext() if read_only else private_umask():
                cls._prepare(conn, path, read_only)
        except BaseException:
            conn.close()
            raise
        if not read_only:
            for suffix in ("", "-wal", "-shm"):
                make_private(path.with_name(path.name + suffix))
        log.debug("opened store %s (schema v%d)", path, LATEST_VERSION)
        return cls(conn, path, directory)

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path, read_only: bool) -> None:
        try:
            # Reading the header first: a non-database file fails here, before
            # anything could write to it.
            version = current_version(conn)
            if version > LATEST_VERSION:
                raise StoreTooNewError(
                    f"the database {path} has schema version {version}, newer than this "
                    f"Nitro Desktop understands ({LATEST_VERSION}); please upgrade"
                )
            conn.execute("PRAGMA foreign_keys = ON")
            if read_only:
                if version < LATEST_VERSION:
                    raise StoreReadOnlyError(f"the database {path} needs an upgrade but was opened read-only")
                return
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise StoreReadOnlyError(f"the database {path} cannot switch to WAL mode")
            # FULL: a commit that returned survives power loss too, not just a kill.
            conn.execute("PRAGMA synchronous = FULL")
            migrate(conn)
        except sqlite3.Error as exc:
            raise translate(exc, path) from exc

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return current_version(self._conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls (same thread) join the outer one."""
        with self._lock:
            if self._conn.in_transaction:
                yield self._conn
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise translate(exc, self.path) from exc
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.warning("rollback failed on %s", self.path)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc

    def integrity_problems(self) -> list[str]:
        """``PRAGMA integrity_check`` findings; empty when the file is sound."""
        rows = self.query("PRAGMA integrity_check")
        problems = [str(r[0]) for r in rows if r[0] != "ok"]
        if problems:
            log.warning("integrity check of %s found %d problems", self.path, len(problems))
        return problems

    def require_sound(self) -> None:
        problems = self.integrity_problems()
        if problems:
            raise StoreCorruptError(f"the database {self.path} is damaged: {problems[0]}")


def _open_private(directory: Path, path: Path, busy_timeout: float) -> sqlite3.Connection:
    """Open (creating if need be) the database so that it and its -wal/-shm are owner-only.

    SQLite gives -wal and -shm the mode of the database file, so the file is created
    0600 before SQLite sees it; files and the folder from before are fixed here too.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StoreReadOnlyError(f"cannot create the data directory {directory}: {exc}") from exc
    make_data_private(directory)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreReadOnlyError(
            f"the database {path} cannot be created ({exc.strerror or exc}); "
            "check its permissions or choose another data directory"
        ) from exc
    return sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
