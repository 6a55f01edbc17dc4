"""The node's one database connection: schema, transactions, and nothing else.

SQLite either in memory or in a file (WAL, synchronous=FULL). Every state
change runs inside ``transaction()``: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled
back on any exception, so a crash or kill at any moment leaves the file at the
last committed state; the router commits before it queues an answer, so an
answered request survives a kill. Amounts are stored as exact decimal TEXT.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
# The RPC history answers get_rpc_history and nothing else: keep the newest rows per sender and
# a total size, so no peer can grow the file (or the process) without bound.
HISTORY_ROWS_PER_SENDER = 1000
HISTORY_MAX_BYTES = 32 << 20
_HISTORY_SENDERS_KEPT = 4096  # senders whose row count is remembered (a bound, not a limit)
_ROW_BYTES = (
    "length(CAST(sender AS BLOB)) + length(CAST(method AS BLOB)) + length(CAST(params AS BLOB))"
    " + length(CAST(req_sig AS BLOB)) + length(CAST(response AS BLOB)) + length(CAST(res_sig AS BLOB))"
)
# Fixed SQL text (no input is formatted into it; the IN list is placeholders only).
_HISTORY_INSERT = (
    "INSERT INTO rpc_history (sender, req_id, method, params, timestamp, req_sig, response, res_sig)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# Positions in an _HISTORY_INSERT row of the columns _ROW_BYTES counts.
_TEXT_COLUMNS = (0, 2, 3, 5, 6, 7)
# A sender's oldest rows, as many as it holds past the bound: read from the start of its index
# entries (an OFFSET from the newest walked every row it keeps, 1,000 of them at the cap).
_HISTORY_EXCESS = f"SELECT id, {_ROW_BYTES} FROM rpc_history WHERE sender = ? ORDER BY id LIMIT ?"  # noqa: S608
_HISTORY_COUNT = "SELECT COUNT(*) FROM rpc_history WHERE sender = ?"
_HISTORY_OLDEST = f"SELECT id, {_ROW_BYTES}, sender FROM rpc_history ORDER BY id LIMIT 64"  # noqa: S608
_HISTORY_TOTAL = f"SELECT COALESCE(SUM({_ROW_BYTES}), 0) FROM rpc_history"  # noqa: S608
_HISTORY_DELETE = "DELETE FROM rpc_history WHERE id IN ({})"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS balances (
    account_id TEXT NOT NULL, wallet TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL,
    PRIMARY KEY (account_id, wallet, asset));
CREATE INDEX IF NOT EXISTS balances_account ON balances (account_id, asset);
CREATE TABLE IF NOT EXISTS ledger_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL, account_type INTEGER NOT NULL,
    asset TEXT NOT NULL, wallet TEXT NOT NULL, credit TEXT NOT NULL, debit TEXT NOT NULL,
    session_key TEXT, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_account ON ledger_entries (account_id, wallet);
CREATE TABLE IF NOT EXISTS ledger_transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, tx_type INTEGER NOT NULL, from_account TEXT NOT NULL,
    to_account TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS app_sessions (
    session_id TEXT PRIMARY KEY, application TEXT NOT NULL, protocol TEXT NOT NULL,
    participants TEXT NOT NULL, weights TEXT NOT NULL, quorum INTEGER NOT NULL,
    challenge INTEGER NOT NULL, nonce INTEGER NOT NULL, status TEXT NOT NULL,
    version INTEGER NOT NULL, session_data TEXT NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, seq INTEGER NOT NULL);
-- every create and update reads MAX(seq): without the index that is a scan of every session
CREATE INDEX IF NOT EXISTS app_sessions_seq ON app_sessions (seq);
CREATE TABLE IF NOT EXISTS session_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_key TEXT NOT NULL UNIQUE, wallet TEXT NOT NULL,
    application TEXT NOT NULL, scope TEXT NOT NULL, allowances TEXT NOT NULL,
    expires_at INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS session_keys_wallet ON session_keys (wallet);
CREATE TABLE IF NOT EXISTS user_tags (wallet TEXT PRIMARY KEY, tag TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS rpc_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, req_id INTEGER NOT NULL,
    method TEXT NOT NULL, params TEXT NOT NULL, timestamp INTEGER NOT NULL, req_sig TEXT NOT NULL,
    response TEXT NOT NULL, res_sig TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rpc_history_sender ON rpc_history (sender);
"""


def _owner_only(path: Path) -> None:
    """A database (and -wal/-shm) left readable by others by an older version is fixed."""
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        target = path.with_name(name)
        try:
            mode = stat.S_IMODE(target.lstat().st_mode)
            if mode & 0o077 and not target.is_symlink():
                os.chmod(target, mode & ~0o077)
        except OSError:  # absent, or not ours to change: the open goes on
            continue


class Database:
    """A SQLite connection used from the event-loop thread only."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else Path(path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # The file holds the sandbox's JWT secret: owner-only from the start (SQLite
                # gives -wal and -shm the database's mode, so they are born 0600 too).
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            _owner_only(self.path)
        target = ":memory:" if self.path is None else str(self.path)
        self.conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        if self.path is not None:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self._depth = 0
        self._batch = False  # the outermost transaction is a group commit (begin_batch)
        self.rollbacks = 0  # lets a cache of what was read tell that writes were undone
        self.history_rows_per_sender = HISTORY_ROWS_PER_SENDER
        self.history_max_bytes = HISTORY_MAX_BYTES
        self._history_bytes: int | None = None
        # Rows held per sender, exactly (counted once, then kept with every insert and delete):
        # the rows past the bound are looked for only when the count passes it. Forgotten on any
        # rollback, which may bring back rows or take them away.
        self._history_rows: dict[str, int] = {}
        self._history_rows_rollbacks = 0
        with self.transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            if self.get_meta("schema_version") is None:
                self.set_meta("schema_version", str(SCHEMA_VERSION))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work.

        A nested call is a savepoint inside the outer transaction: its failure undoes its own
        writes only, and nothing is durable before the outermost ``COMMIT`` (the router runs a
        whole request turn, handler and history row, as one transaction: one commit per answer).
        """
        if self._depth:
            savepoint = f"nested{self._depth}"  # fixed text: no input is formatted into it
            self.conn.execute("SAVEPOINT " + savepoint)
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self.rollbacks += 1
                self.conn.execute("ROLLBACK TO " + savepoint)
                self.conn.execute("RELEASE " + savepoint)
                raise
            finally:
                self._depth -= 1
            self.conn.execute("RELEASE " + savepoint)
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.rollbacks += 1
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    @property
    def in_batch(self) -> bool:
        return self._batch

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def begin_batch(self) -> None:
        """Open a transaction that several request turns join (each as a savepoint): group commit.

        Nothing in it is durable before ``commit_batch``; whoever opens it holds every answer
        that depends on it until then.
        """
        if self._depth:
            raise RuntimeError("a batch opens outside any transaction")
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth, self._batch = 1, True

    def commit_batch(self) -> None:
        """Commit the batch; on failure it is rolled back (every turn in it undone) and re-raised."""
        if not self._batch:
            return
        self._batch = False
        if self._depth != 1:
            raise RuntimeError("the batch commits outside every turn's transaction")
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollbacks += 1
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def add_history(self, sender: str, row: tuple[Any, ...]) -> None:
        """Insert one RPC history row ``(sender, req_id, …, res_sig)``; drop the oldest past the bounds.

        Call inside ``transaction()``.
        """
        conn = self.conn
        # Summed before the insert (the first SUM after an open used to count the new row twice).
        before = self.history_bytes()
        conn.execute(_HISTORY_INSERT, row)
        # _ROW_BYTES of the new row, without asking SQLite: the UTF-8 length of its text columns.
        total = before + sum(len(str(row[i]).encode("utf-8")) for i in _TEXT_COLUMNS)
        rows = self._history_rows
        if self._history_rows_rollbacks != self.rollbacks or len(rows) >= _HISTORY_SENDERS_KEPT:
            rows.clear()
            self._history_rows_rollbacks = self.rollbacks
        count = rows.get(sender)
        count = int(conn.execute(_HISTORY_COUNT, (sender,)).fetchone()[0]) if count is None else count + 1
        excess = count - self.history_rows_per_sender
        if excess > 0:
            old = conn.execute(_HISTORY_EXCESS, (sender, excess)).fetchall()
            total -= self._drop_history([r[0] for r in old], sum(r[1] for r in old))
            count -= len(old)
        rows[sender] = count
        while total > self.history_max_bytes:
            oldest = conn.execute(_HISTORY_OLDEST).fetchall()
            if not oldest:
                total = 0
                break
            dropped, ids = 0, []
            for row_id, row_bytes, owner in oldest:
                if total - dropped <= self.history_max_bytes:
                    break
                ids.append(row_id)
                dropped += row_bytes
                if owner in rows:
                    rows[owner] -= 1
            total -= self._drop_history(ids, dropped)
        self._history_bytes = total

    def _drop_history(self, ids: list[int], size: int) -> int:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            self.conn.execute(_HISTORY_DELETE.format(",".join("?" * len(chunk))), chunk)
        return size

    def history_bytes(self) -> int:
        """Bytes held in the RPC history; summed once per open, then kept up to date."""
        if self._history_bytes is None:
            self._history_bytes = int(self.conn.execute(_HISTORY_TOTAL).fetchone()[0])
        return self._history_bytes

    def query(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, args).fetchall()

    def close(self) -> None:
        self.conn.close()
