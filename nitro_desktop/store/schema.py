"""Schema versions and the forward migrations between them.

``PRAGMA user_version`` holds the version. The pending migrations run in the
same transaction as the version bump, so a kill mid-migration leaves the previous
version intact and the next start simply runs them again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _v1_base(conn: sqlite3.Connection) -> None:
    for statement in (
        """CREATE TABLE accounts (
            address    TEXT PRIMARY KEY,
            label      TEXT NOT NULL,
            backend    TEXT NOT NULL CHECK (backend IN ('keyring', 'file')),
            created_at REAL NOT NULL
        )""",
        """CREATE TABLE endpoints (
            name           TEXT PRIMARY KEY,
            url            TEXT NOT NULL,
            dialect        TEXT NOT NULL CHECK (dialect IN ('0.2', '0.5')),
            broker_address TEXT,
            is_sandbox     INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE app_sessions (
            app_session_id   TEXT PRIMARY KEY,
            endpoint         TEXT NOT NULL,
            account          TEXT NOT NULL,
            protocol         TEXT NOT NULL,
            application      TEXT NOT NULL,
            definition_json  TEXT NOT NULL,
            allocations_json TEXT NOT NULL,
            status           TEXT NOT NULL,
            version          INTEGER NOT NULL,
            created_at       REAL NOT NULL,
            updated_at       REAL NOT NULL,
            request_frame    TEXT,
            response_frame   TEXT,
            origin           TEXT NOT NULL CHECK (origin IN ('created', 'server'))
        )""",
        "CREATE INDEX app_sessions_status ON app_sessions (status)",
        "CREATE INDEX app_sessions_account ON app_sessions (account)",
    ):
        conn.execute(statement)


def _v2_history(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE app_session_history (
            id             INTEGER PRIMARY KEY,
            app_session_id TEXT NOT NULL
                           REFERENCES app_sessions (app_session_id) ON DELETE CASCADE,
            status         TEXT NOT NULL,
            version        INTEGER NOT NULL,
            at             REAL NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX app_session_history_session ON app_session_history (app_session_id)")
    # Sessions saved before history existed get their current state as the first entry.
    conn.execute(
        """INSERT INTO app_session_history (app_session_id, status, version, at)
           SELECT app_session_id, status, version, updated_at FROM app_sessions"""
    )


def participants_text(definition_json: str) -> str:
    """The definition's participants, lower-cased and comma-joined, for filtering.

    A definition that is not the expected JSON shape yields ``""``: the row is
    still stored exactly as sent, it just cannot be found by participant.
    """
    import json  # here, not at the top: the list's first page does not write

    try:
        definition = json.loads(definition_json)
    except ValueError:
        return ""
    participants = definition.get("participants") if isinstance(definition, dict) else None
    if not isinstance(participants, list):
        return ""
    return ",".join(str(p).lower() for p in participants)


def _v3_participants_and_session_keys(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE app_sessions ADD COLUMN participants TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT app_session_id, definition_json FROM app_sessions").fetchall()
    conn.executemany(
        "UPDATE app_sessions SET participants = ? WHERE app_session_id = ?",
        [(participants_text(definition), sid) for sid, definition in rows],
    )
    conn.execute("CREATE INDEX app_sessions_updated ON app_sessions (updated_at)")
    conn.execute(
        """CREATE TABLE session_keys (
            address     TEXT PRIMARY KEY,
            account     TEXT NOT NULL,
            application TEXT NOT NULL,
            scope       TEXT NOT NULL DEFAULT '',
            endpoint    TEXT NOT NULL DEFAULT '',
            backend     TEXT NOT NULL CHECK (backend IN ('keyring', 'file')),
            expires_at  REAL NOT NULL,
            created_at  REAL NOT NULL
        )"""
    )


def allocation_totals(allocations_json: str) -> str:
    """What the session holds per asset, as text for the list ("250 usdc, 1.5 eth").

    Decimal sums, never floats; anything unreadable yields ``""``.
    """
    import json
    from decimal import Decimal

    try:
        allocations = json.loads(allocations_json)
        totals: dict[str, Decimal] = {}
        for a in allocations:
            totals[str(a["asset"])] = totals.get(str(a["asset"]), Decimal(0)) + Decimal(str(a["amount"]))
    except (ValueError, TypeError, KeyError, ArithmeticError):
        return ""
    return ", ".join(f"{format(v.normalize(), 'f')} {k}" for k, v in totals.items() if v)


def _v4_totals(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE app_sessions ADD COLUMN totals TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT app_session_id, allocations_json FROM app_sessions").fetchall()
    conn.executemany(
        "UPDATE app_sessions SET totals = ? WHERE app_session_id = ?",
        [(allocation_totals(allocations), sid) for sid, allocations in rows],
    )


def totals_sort_key(totals: str) -> str:
    """A text that sorts the Total column by amount within each asset ('250 usdc' before '1000 usdc').

    Per asset (in name order): the asset, then the amount as its count of integer digits
    followed by its digits, so plain text order is numeric order. Anything that is not
    "amount asset" keeps its text. Separators sort below every digit and letter.
    """
    if not totals:
        return ""
    keys: list[str] = []
    for part in totals.split(", "):
        amount, _, asset = part.partition(" ")
        whole, _, fraction = amount.partition(".")
        if whole.isdigit() and (not fraction or fraction.isdigit()):
            whole = whole.lstrip("0") or "0"
            keys.append(f"{asset}\x01{len(whole):03d}{whole}{fraction.rstrip('0')}\x02")
        else:
            keys.append(f"{part}\x01\x02")
    keys.sort()
    return "".join(keys)


def _v5_totals_sort_key(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE app_sessions ADD COLUMN totals_key TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT app_session_id, totals FROM app_sessions").fetchall()
    conn.executemany(
        "UPDATE app_sessions SET totals_key = ? WHERE app_session_id = ?",
        [(totals_sort_key(totals), sid) for sid, totals in rows],
    )


def _v6_dialect_1(conn: sqlite3.Connection) -> None:
    """Endpoints may speak dialect "1" (nitronode v1).

    SQLite cannot change a CHECK in place: the table is rebuilt with the wider one and
    every row copied as it was (nothing references ``endpoints`` by foreign key).
    """
    conn.execute(
        """CREATE TABLE endpoints_v6 (
            name           TEXT PRIMARY KEY,
            url            TEXT NOT NULL,
            dialect        TEXT NOT NULL CHECK (dialect IN ('0.2', '0.5', '1')),
            broker_address TEXT,
            is_sandbox     INTEGER NOT NULL DEFAULT 0
        )"""
    )
    conn.execute(
        """INSERT INTO endpoints_v6 (name, url, dialect, broker_address, is_sandbox)
           SELECT name, url, dialect, broker_address, is_sandbox FROM endpoints"""
    )
    conn.execute("DROP TABLE endpoints")
    conn.execute("ALTER TABLE endpoints_v6 RENAME TO endpoints")


def _v7_chains_and_channel_operations(conn: sqlite3.Connection) -> None:
    """EVM chains (v1 funds) and every home-channel operation, step by step.

    A channel operation is written before each step that leaves this process (the node's
    countersignature, the on-chain transaction) so a crash never loses what was committed
    and never records as done what was not.
    """
    conn.execute(
        """CREATE TABLE chains (
            chain_id    INTEGER PRIMARY KEY,
            name        TEXT NOT NULL,
            rpc_url     TEXT NOT NULL,
            hub_address TEXT,
            updated_at  REAL NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE channel_operations (
            id              INTEGER PRIMARY KEY,
            account         TEXT NOT NULL,
            endpoint        TEXT NOT NULL,
            asset           TEXT NOT NULL,
            chain_id        INTEGER NOT NULL,
            kind            TEXT NOT NULL CHECK (kind IN ('open', 'deposit', 'withdraw', 'close')),
            amount          TEXT NOT NULL,
            step            TEXT NOT NULL,
            state_json      TEXT NOT NULL DEFAULT '',
            definition_json TEXT NOT NULL DEFAULT '',
            tx_hash         TEXT,
            error           TEXT NOT NULL DEFAULT '',
            created_at      REAL NOT NULL,
            updated_at      REAL NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX channel_operations_account ON channel_operations (account, asset)")


# Index i migrates from version i to version i + 1. Append only: never edit a
# shipped migration, since databases in the field have already run it.
MIGRATIONS: tuple[Migration, ...] = (
    _v1_base,
    _v2_history,
    _v3_participants_and_session_keys,
    _v4_totals,
    _v5_totals_sort_key,
    _v6_dialect_1,
    _v7_chains_and_channel_operations,
)
LATEST_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Bring ``conn`` (in autocommit mode) forward to ``target``; return the version reached.

    Every pending step in one transaction: all of them or none is committed, and a new
    database costs one synchronous commit instead of one per step (its first start).
    """
    version = current_version(conn)
    if version >= target:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        while version < target:
            MIGRATIONS[version](conn)
            version += 1
        # PRAGMA cannot take parameters; the value is our own int.
        conn.execute(f"PRAGMA user_version = {version}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return version
