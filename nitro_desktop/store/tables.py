"""Accounts, endpoints and session keys: small tables of public data."""

from __future__ import annotations

from nitro_desktop.protocol import Dialect
from nitro_desktop.store.db import Database
from nitro_desktop.store.errors import StoreConflictError, StoreNotFoundError
from nitro_desktop.store.records import AccountRecord, EndpointRecord, SessionKeyRecord


class Accounts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, account: AccountRecord) -> None:
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM accounts WHERE address = ?", (account.address,)).fetchone():
                raise StoreConflictError(f"account {account.address} already exists")
            conn.execute(
                "INSERT INTO accounts (address, label, backend, created_at) VALUES (?, ?, ?, ?)",
                (account.address, account.label, account.backend, account.created_at),
            )

    def get(self, address: str) -> AccountRecord | None:
        rows = self._db.query(
            "SELECT address, label, backend, created_at FROM accounts WHERE address = ? COLLATE NOCASE",
            (address,),
        )
        return AccountRecord(*rows[0]) if rows else None

    def list(self) -> list[AccountRecord]:
        rows = self._db.query(
            "SELECT address, label, backend, created_at FROM accounts ORDER BY created_at, address"
        )
        return [AccountRecord(*row) for row in rows]

    def rename(self, address: str, label: str) -> None:
        with self._db.write() as conn:
            cur = conn.execute("UPDATE accounts SET label = ? WHERE address = ?", (label, address))
            if cur.rowcount == 0:
                raise StoreNotFoundError(f"no account {address}")

    def delete(self, address: str) -> None:
        with self._db.write() as conn:
            cur = conn.execute("DELETE FROM accounts WHERE address = ?", (address,))
            if cur.rowcount == 0:
                raise StoreNotFoundError(f"no account {address}")


class Endpoints:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, endpoint: EndpointRecord) -> None:
        """Insert or replace the profile called ``endpoint.name``."""
        with self._db.write() as conn:
            conn.execute(
                """INSERT INTO endpoints (name, url, dialect, broker_address, is_sandbox)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET url = excluded.url,
                     dialect = excluded.dialect, broker_address = excluded.broker_address,
                     is_sandbox = excluded.is_sandbox""",
                (
                    endpoint.name,
                    endpoint.url,
                    endpoint.dialect,
                    endpoint.broker_address,
                    int(endpoint.is_sandbox),
                ),
            )

    def get(self, name: str) -> EndpointRecord | None:
        rows = self._db.query(
            "SELECT name, url, dialect, broker_address, is_sandbox FROM endpoints WHERE name = ?",
            (name,),
        )
        return _endpoint(rows[0]) if rows else None

    def list(self) -> list[EndpointRecord]:
        rows = self._db.query(
            "SELECT name, url, dialect, broker_address, is_sandbox FROM endpoints ORDER BY name"
        )
        return [_endpoint(row) for row in rows]

    def pin_broker(self, name: str, broker_address: str) -> None:
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE endpoints SET broker_address = ? WHERE name = ?", (broker_address, name)
            )
            if cur.rowcount == 0:
                raise StoreNotFoundError(f"no endpoint {name!r}")

    def delete(self, name: str) -> None:
        with self._db.write() as conn:
            cur = conn.execute("DELETE FROM endpoints WHERE name = ?", (name,))
            if cur.rowcount == 0:
                raise StoreNotFoundError(f"no endpoint {name!r}")


def _endpoint(row: tuple[str, str, str, str | None, int]) -> EndpointRecord:
    name, url, dialect, broker, sandbox = row
    return EndpointRecord(name, url, Dialect(dialect), broker, bool(sandbox))


class SessionKeys:
    def __init__(self, db: Database) -> None:
        self._db = db

    _COLUMNS = "address, account, application, backend, expires_at, created_at, scope, endpoint"

    def add(self, key: SessionKeyRecord) -> None:
        with self._db.write() as conn:
            conn.execute(
                f"INSERT INTO session_keys ({self._COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (
                    key.address,
                    key.account,
                    key.application,
                    key.backend,
                    key.expires_at,
                    key.created_at,
                    key.scope,
                    key.endpoint,
                ),
            )

    def get(self, address: str) -> SessionKeyRecord | None:
        rows = self._db.query(
            f"SELECT {self._COLUMNS} FROM session_keys WHERE address = ?",  # noqa: S608
            (address,),
        )
        return SessionKeyRecord(*rows[0]) if rows else None

    def list(self, account: str | None = None) -> list[SessionKeyRecord]:
        sql = f"SELECT {self._COLUMNS} FROM session_keys"  # noqa: S608
        params: tuple[str, ...] = ()
        if account is not None:
            sql += " WHERE account = ?"
            params = (account,)
        return [SessionKeyRecord(*row) for row in self._db.query(sql + " ORDER BY created_at", params)]

    def delete(self, address: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM session_keys WHERE address = ?", (address,))
