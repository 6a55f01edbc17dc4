"""EVM chains and home-channel operations (v1 funds): public data only."""

from __future__ import annotations

import time
from typing import Any

from nitro_desktop.store.db import Database
from nitro_desktop.store.errors import StoreNotFoundError
from nitro_desktop.store.records import (
    ChainRecord,
    ChannelKind,
    ChannelOperationRecord,
    ChannelStep,
)

ERROR_MAX = 2000  # characters of an error kept with an operation
_OP_COLUMNS = (
    "id, account, endpoint, asset, chain_id, kind, amount, step, state_json, definition_json,"
    " tx_hash, error, created_at, updated_at"
)
#: Steps after which nothing more will happen to an operation.
FINISHED: frozenset[str] = frozenset({"done", "failed", "dropped"})


class Chains:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, chain: ChainRecord) -> ChainRecord:
        """Insert or replace the chain with ``chain.chain_id``; returns it as stored."""
        stored = ChainRecord(chain.chain_id, chain.name, chain.rpc_url, chain.hub_address, time.time())
        with self._db.write() as conn:
            conn.execute(
                """INSERT INTO chains (chain_id, name, rpc_url, hub_address, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (chain_id) DO UPDATE SET name = excluded.name,
                     rpc_url = excluded.rpc_url, hub_address = excluded.hub_address,
                     updated_at = excluded.updated_at""",
                (stored.chain_id, stored.name, stored.rpc_url, stored.hub_address, stored.updated_at),
            )
        return stored

    def get(self, chain_id: int) -> ChainRecord | None:
        rows = self._db.query(
            "SELECT chain_id, name, rpc_url, hub_address, updated_at FROM chains WHERE chain_id = ?",
            (chain_id,),
        )
        return ChainRecord(*rows[0]) if rows else None

    def list(self) -> list[ChainRecord]:
        rows = self._db.query(
            "SELECT chain_id, name, rpc_url, hub_address, updated_at FROM chains ORDER BY name"
        )
        return [ChainRecord(*row) for row in rows]

    def delete(self, chain_id: int) -> None:
        with self._db.write() as conn:
            if conn.execute("DELETE FROM chains WHERE chain_id = ?", (chain_id,)).rowcount == 0:
                raise StoreNotFoundError(f"no chain {chain_id}")


class ChannelOperations:
    def __init__(self, db: Database) -> None:
        self._db = db

    def start(
        self,
        *,
        account: str,
        endpoint: str,
        asset: str,
        chain_id: int,
        kind: ChannelKind,
        amount: str,
        state_json: str,
        definition_json: str = "",
    ) -> ChannelOperationRecord:
        """Record an operation whose user-signed state is about to go to the node."""
        now = time.time()
        with self._db.write() as conn:
            cur = conn.execute(
                """INSERT INTO channel_operations (account, endpoint, asset, chain_id, kind, amount,
                     step, state_json, definition_json, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, 'signed', ?, ?, ?, ?)""",
                (account, endpoint, asset, chain_id, kind, amount, state_json, definition_json, now, now),
            )
            new_id = cur.lastrowid
        found = self.get(int(new_id or 0))
        assert found is not None
        return found

    def advance(self, op_id: int, step: ChannelStep, **changes: Any) -> ChannelOperationRecord:
        """Move an operation to ``step`` (with ``state_json``, ``tx_hash`` or ``error``); returns it."""
        allowed = {"state_json", "tx_hash", "error"}
        if not set(changes) <= allowed:
            raise ValueError(f"only {sorted(allowed)} change with a step")
        if "error" in changes:
            changes["error"] = str(changes["error"])[:ERROR_MAX]
        sets = ", ".join(f"{name} = ?" for name in changes)
        with self._db.write() as conn:
            cur = conn.execute(
                f"UPDATE channel_operations SET step = ?, updated_at = ?{', ' + sets if sets else ''}"  # noqa: S608
                " WHERE id = ?",
                (step, time.time(), *changes.values(), op_id),
            )
            if cur.rowcount == 0:
                raise StoreNotFoundError(f"no channel operation {op_id}")
        found = self.get(op_id)
        assert found is not None
        return found

    def get(self, op_id: int) -> ChannelOperationRecord | None:
        rows = self._db.query(f"SELECT {_OP_COLUMNS} FROM channel_operations WHERE id = ?", (op_id,))  # noqa: S608
        return ChannelOperationRecord(*rows[0]) if rows else None

    def list(
        self, account: str | None = None, asset: str | None = None, *, unfinished: bool = False
    ) -> list[ChannelOperationRecord]:
        """Operations, oldest first; ``unfinished`` keeps those still waiting on the node or the chain."""
        sql = f"SELECT {_OP_COLUMNS} FROM channel_operations WHERE 1 = 1"  # noqa: S608
        params: list[Any] = []
        if account is not None:
            sql += " AND account = ? COLLATE NOCASE"
            params.append(account)
        if asset is not None:
            sql += " AND asset = ?"
            params.append(asset)
        if unfinished:
            sql += " AND step NOT IN ('done', 'failed', 'dropped')"
        return [ChannelOperationRecord(*row) for row in self._db.query(sql + " ORDER BY id", params)]
