"""Simulated on-chain channels: funds a wallet holds outside its unified balance.

A sandbox has no chain, so channels only come from the loopback-only ``fund`` with
``in_channel``. They exist to reproduce what upstream does while a wallet still has
funds in a channel: v0.5.2's ``ensureWalletHasAllAllocationsEmpty`` refuses create
(for funded participants), deposit and transfer, and ``get_channels`` lists them.
Amounts are raw token units (``raw_amount``), as upstream keeps them.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.config import SANDBOX_ADJUDICATOR, AssetConfig
from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.errors import RPCError
from nitro_desktop.devnode.ledger import rfc3339

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS channels ("
    " channel_id TEXT PRIMARY KEY, chain_id INTEGER NOT NULL, token TEXT NOT NULL, wallet TEXT NOT NULL,"
    " participant TEXT NOT NULL, raw_amount TEXT NOT NULL, status TEXT NOT NULL,"
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq INTEGER NOT NULL)"
)
OPEN, RESIZING = "open", "resizing"


class Channels:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as conn:
            conn.execute(_SCHEMA)
            conn.execute("CREATE INDEX IF NOT EXISTS channels_wallet ON channels (wallet)")

    def get(self, channel_id: str) -> Any:
        return self.db.conn.execute("SELECT * FROM channels WHERE channel_id = ?", (channel_id,)).fetchone()

    def deposit(self, wallet: str, asset: AssetConfig, amount: Decimal, now: float) -> str:
        """Put ``amount`` of ``asset`` into the wallet's open channel for that token (made if none)."""
        raw = int(amount.scaleb(asset.decimals))
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT channel_id, raw_amount FROM channels WHERE wallet = ? AND token = ? AND chain_id = ?"
                " AND status = ?",
                (wallet, asset.token, asset.chain_id, OPEN),
            ).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE channels SET raw_amount = ?, updated_at = ? WHERE channel_id = ?",
                    (str(int(row["raw_amount"]) + raw), rfc3339(now), row["channel_id"]),
                )
                return str(row["channel_id"])
            channel_id = "0x" + secrets.token_hex(32)
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM channels").fetchone()[0]
            conn.execute(
                "INSERT INTO channels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    channel_id,
                    asset.chain_id,
                    asset.token,
                    wallet,
                    wallet,
                    str(raw),
                    OPEN,
                    rfc3339(now),
                    rfc3339(now),
                    seq,
                ),
            )
            return channel_id

    def ensure_empty(self, wallet: str) -> None:
        """v0.5.2 ``ensureWalletHasAllAllocationsEmpty``: the count is of every open or resizing
        channel of the wallet, the refusal only when their raw amounts add up to non-zero."""
        count, total = 0, 0
        for (raw,) in self.db.conn.execute(
            "SELECT raw_amount FROM channels WHERE wallet = ? AND status IN (?, ?)", (wallet, OPEN, RESIZING)
        ):
            count += 1
            total += int(raw)
        if total != 0:
            raise RPCError(
                f"operation denied: non-zero allocation in {count} channel(s)"
                f" detected owned by wallet {wallet}"
            )

    def list(self, wallet: str, status: str, opts: P.ListOptions) -> list[dict[str, Any]]:
        sql = "SELECT * FROM channels WHERE 1=1"
        args: list[Any] = []
        if wallet:
            sql += " AND wallet = ?"
            args.append(wallet)
        if status:
            sql += " AND status = ?"
            args.append(status)
        order = "DESC" if opts.desc else "ASC"
        sql += f" ORDER BY created_at {order}, seq {order} LIMIT ? OFFSET ?"
        return [
            {
                "channel_id": r["channel_id"],
                "participant": r["participant"],
                "status": r["status"],
                "token": r["token"],
                "wallet": r["wallet"],
                "amount": r["raw_amount"],
                "chain_id": r["chain_id"],
                "adjudicator": SANDBOX_ADJUDICATOR,
                "challenge": 0,
                "nonce": 0,
                "version": 0,
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
            for r in self.db.query(sql, [*args, opts.limit, opts.offset])
        ]
