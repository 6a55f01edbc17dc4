"""Every earlier schema version upgrades to the latest with its data intact."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from nitro_desktop.protocol import Dialect
from nitro_desktop.store import DB_FILENAME, LATEST_VERSION, Store, StoreTooNewError
from nitro_desktop.store.records import EndpointRecord
from nitro_desktop.store.schema import migrate, totals_sort_key

PARTICIPANTS = ["0x" + "Aa" * 20, "0x" + "Bb" * 20]
ALLOCATIONS = json.dumps(
    [
        {"participant": PARTICIPANTS[0], "asset": "usdc", "amount": "2.50"},
        {"participant": PARTICIPANTS[1], "asset": "usdc", "amount": "0"},
    ]
)


def _database_at(version: int, data_dir: Path) -> Path:
    """A database left by an older release: schema ``version`` with a session and an account."""
    data_dir.mkdir(parents=True)
    path = data_dir / DB_FILENAME
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, version) == version
    if version >= 1:
        conn.execute("INSERT INTO accounts VALUES ('0xAccount', 'old label', 'keyring', 1.0)")
        conn.execute("INSERT INTO endpoints VALUES ('sandbox', 'ws://x', '0.2', NULL, 1)")
        conn.execute("INSERT INTO endpoints VALUES ('public', 'wss://y/ws', '0.5', '0xBroker', 0)")
        definition = json.dumps({"protocol": "NitroRPC/0.2", "participants": PARTICIPANTS})
        conn.execute(
            "INSERT INTO app_sessions (app_session_id, endpoint, account, protocol, application,"
            " definition_json, allocations_json, status, version, created_at, updated_at,"
            " request_frame, response_frame, origin) VALUES"
            " ('0xsession', 'sandbox', '0xAccount', 'NitroRPC/0.2', 'chess', ?, ?, 'open', 3,"
            " 1.0, 2.0, 'req-frame', 'res-frame', 'server')",
            (definition, ALLOCATIONS),
        )
    if version >= 2:
        conn.execute("INSERT INTO app_session_history VALUES (1, '0xsession', 'open', 3, 2.0)")
    if version >= 3:  # what that release wrote beside each session
        conn.execute("UPDATE app_sessions SET participants = ?", (",".join(PARTICIPANTS).lower(),))
    if version >= 4:
        conn.execute("UPDATE app_sessions SET totals = '2.5 usdc'")
    if version >= 5:
        conn.execute("UPDATE app_sessions SET totals_key = ?", (totals_sort_key("2.5 usdc"),))
    conn.close()
    return path


@pytest.mark.parametrize("version", range(LATEST_VERSION))
def test_upgrade_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    data_dir = tmp_path / "data"
    _database_at(version, data_dir)
    with Store.open(data_dir) as store:
        assert store.db.schema_version == LATEST_VERSION
        assert store.db.integrity_problems() == []
        if version == 0:
            assert store.sessions.rows() == []
            return
        [account] = store.accounts.list()
        assert (account.address, account.label) == ("0xAccount", "old label")
        session = store.sessions.get("0xsession")
        assert session is not None
        assert (session.request_frame, session.response_frame) == ("req-frame", "res-frame")
        assert session.origin == "server" and session.version == 3
        # Columns and tables added later are filled in from what was there.
        assert store.sessions.find(participant=PARTICIPANTS[1]) == store.sessions.rows()
        assert [h.status for h in store.sessions.history("0xsession")] == ["open"]
        assert store.session_keys.list() == []
        assert store.sessions.rows()[0].totals == "2.5 usdc"
        # the Total column's sort key is filled in too: it sorts by amount
        (key,) = store.db.query("SELECT totals_key FROM app_sessions")[0]
        assert key == totals_sort_key("2.5 usdc") and key > totals_sort_key("2.25 usdc")
        # Every endpoint row kept as it was, and dialect "1" is now accepted beside them.
        assert sorted(store.endpoints.list(), key=lambda e: e.name) == [
            EndpointRecord("public", "wss://y/ws", Dialect.V05, "0xBroker", False),
            EndpointRecord("sandbox", "ws://x", Dialect.V02, None, True),
        ]
        store.endpoints.save(EndpointRecord("nitronode", "ws://127.0.0.1:7824/ws", Dialect.V1))
        assert store.endpoints.get("nitronode") == EndpointRecord(
            "nitronode", "ws://127.0.0.1:7824/ws", Dialect.V1
        )


def test_endpoints_check_still_refuses_unknown_dialects(tmp_path: Path) -> None:
    path = _database_at(LATEST_VERSION, tmp_path / "data")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO endpoints VALUES ('v1', 'ws://z/ws', '1', NULL, 0)")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("INSERT INTO endpoints VALUES ('v9', 'ws://z/ws', '9', NULL, 0)")
    assert [r[0] for r in conn.execute("SELECT name FROM endpoints ORDER BY name")] == [
        "public",
        "sandbox",
        "v1",
    ]
    conn.close()


def test_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    path = _database_at(LATEST_VERSION, data_dir)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreTooNewError, match="newer"):
        Store.open(data_dir)
    assert path.read_bytes() == before


def test_failed_migration_leaves_previous_version(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    path = _database_at(2, data_dir)
    conn = sqlite3.connect(path, isolation_level=None)
    # Something in the way of v3 (an existing table of that name) makes it fail.
    conn.execute("CREATE TABLE session_keys (x)")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    columns = [r[1] for r in conn.execute("PRAGMA table_info(app_sessions)")]
    assert "participants" not in columns  # the half-done step was rolled back
    conn.close()


def test_a_new_database_is_migrated_in_one_commit(tmp_path: Path) -> None:
    # One synchronous commit instead of one per version: the app's first start waits for it.
    conn = sqlite3.connect(tmp_path / "new.sqlite3", isolation_level=None)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    assert migrate(conn) == LATEST_VERSION
    assert [s for s in statements if s.strip().upper() in ("COMMIT", "ROLLBACK")] == ["COMMIT"]
    conn.close()


def test_a_failure_in_a_later_step_keeps_none_of_the_earlier_ones(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "new.sqlite3", isolation_level=None)
    # Something in the way of v3 (an existing table of that name) makes it fail; v1 and v2 ran before it.
    conn.execute("CREATE TABLE session_keys (x)")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"session_keys"}  # accounts, endpoints, app_sessions, history: rolled back
    conn.close()
