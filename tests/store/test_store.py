from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nitro_desktop.store import (
    DATA_DIR_ENV,
    AccountRecord,
    EndpointRecord,
    SessionKeyRecord,
    Store,
    StoreConflictError,
    StoreNotFoundError,
    default_data_dir,
    filter_rows,
)
from tests.store.conftest import make_session


def test_data_dir_override_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert default_data_dir(str(tmp_path / "arg")) == tmp_path / "arg"
    assert default_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert default_data_dir(None).name == "nitro-desktop"


def test_open_creates_a_private_wal_database(data_dir: Path, store: Store) -> None:
    assert store.path.parent == data_dir
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert store.db.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.db.integrity_problems() == []


def test_accounts(store: Store) -> None:
    a = AccountRecord("0xAaAa", "main", "keyring", 1.0)
    store.accounts.add(a)
    with pytest.raises(StoreConflictError):
        store.accounts.add(a)
    assert store.accounts.get("0xaaaa") == a
    store.accounts.rename("0xAaAa", "renamed")
    assert store.accounts.list()[0].label == "renamed"
    store.accounts.delete("0xAaAa")
    with pytest.raises(StoreNotFoundError, match="no account"):
        store.accounts.delete("0xAaAa")


def test_endpoints(store: Store) -> None:
    store.endpoints.save(EndpointRecord("sandbox", "ws://127.0.0.1:8000/ws", "0.2", None, True))
    store.endpoints.save(EndpointRecord("prod", "wss://clearnet.yellow.com/ws", "0.5"))
    store.endpoints.pin_broker("prod", "0x" + "B" * 40)
    assert [e.name for e in store.endpoints.list()] == ["prod", "sandbox"]
    prod = store.endpoints.get("prod")
    assert prod is not None and prod.broker_address == "0x" + "B" * 40 and not prod.is_sandbox
    sandbox = store.endpoints.get("sandbox")
    assert sandbox is not None and sandbox.is_sandbox
    store.endpoints.delete("sandbox")
    assert store.endpoints.get("sandbox") is None


def test_sessions_keep_what_was_sent_and_their_history(store: Store) -> None:
    s = make_session(1)
    store.sessions.save(s)
    assert store.sessions.get(s.app_session_id) == s
    store.sessions.update_status(
        s.app_session_id, "closed", 2, response_frame='{"res":[]}', at=s.updated_at + 5
    )
    # The same state found again on the server: no new history entry.
    store.sessions.save(replace(s, status="closed", version=2, updated_at=s.updated_at + 9))
    got = store.sessions.get(s.app_session_id)
    assert got is not None and got.response_frame == '{"res":[]}' and got.request_frame
    assert [(h.status, h.version) for h in store.sessions.history(s.app_session_id)] == [
        ("open", 1),
        ("closed", 2),
    ]
    with pytest.raises(StoreNotFoundError):
        store.sessions.update_status("0xmissing", "closed", 2)


def test_find_and_filter(store: Store) -> None:
    alice = "0x" + "A1" * 20
    store.sessions.save_many(
        make_session(i, status="closed" if i % 3 == 0 else "open",
                     participants=(alice, "0x" + "C3" * 20) if i % 5 == 0 else ())
        for i in range(1, 31)
    )  # fmt: skip
    rows = store.sessions.rows()
    assert len(rows) == 30 and rows[0].updated_at >= rows[-1].updated_at
    assert {r.status for r in store.sessions.find(status="closed")} == {"closed"}
    assert len(store.sessions.find(status="closed")) == 10
    by_participant = store.sessions.find(participant=alice[:12].upper())
    assert len(by_participant) == 6
    one = store.sessions.find(id_prefix=f"0x{15:064x}")
    assert [r.app_session_id for r in one] == [f"0x{15:064x}"]
    assert store.sessions.find(id_prefix="0x%") == []
    both = store.sessions.find(participant=alice, status="closed")
    assert len(both) == 2
    assert filter_rows(rows, text=alice[2:10]) == by_participant
    assert filter_rows(rows, status="closed", text=alice) == both


def test_session_keys_table(store: Store) -> None:
    key = SessionKeyRecord("0xS", "0xA", "chess", "keyring", 10.0, 1.0, "app.create", "sandbox")
    store.session_keys.add(key)
    assert store.session_keys.list("0xA") == [key] and store.session_keys.get("0xS") == key
    store.session_keys.delete("0xS")
    assert store.session_keys.list() == []


def test_allocation_totals_are_exact_decimal_sums() -> None:
    from nitro_desktop.store.schema import allocation_totals

    text = (
        '[{"participant":"a","asset":"usdc","amount":"0.1"},{"participant":"b","asset":"usdc","amount":"0.2"},'
        '{"participant":"a","asset":"eth","amount":"1.000000000000000001"},{"participant":"b","asset":"x","amount":"0"}]'
    )
    assert allocation_totals(text) == "0.3 usdc, 1.000000000000000001 eth"
    assert allocation_totals("not json") == "" and allocation_totals('[{"asset": "usdc"}]') == ""


def test_endpoint_dialect_is_the_protocol_dialect(store: Store) -> None:
    from nitro_desktop.protocol import Dialect, spec

    store.endpoints.save(EndpointRecord("prod", "wss://clearnet.yellow.com/ws", "0.5"))
    prod = store.endpoints.get("prod")
    assert prod is not None and prod.dialect is Dialect.V05
    assert spec(prod.dialect).dialect is Dialect.V05
    with pytest.raises(ValueError, match=r"9\.9"):
        EndpointRecord("odd", "ws://127.0.0.1:1/ws", "9.9")  # type: ignore[arg-type]
