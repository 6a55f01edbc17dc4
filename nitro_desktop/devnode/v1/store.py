"""The v1 node's tables in the sandbox database (one SQLite file, its own ``v1_`` tables).

App sessions and their allocations, simulated home channels, each user's channel
states (the newest few per wallet and asset), and a bounded transaction log. Amounts
are exact decimal TEXT; wallets, ids and assets are kept lowercase, as nitronode keeps them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.db import Database

STATES_KEPT = 16  # per wallet and asset: only the newest is ever read back
TRANSACTIONS_KEPT = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS v1_app_sessions (
    session_id TEXT PRIMARY KEY, application_id TEXT NOT NULL, participants TEXT NOT NULL,
    quorum INTEGER NOT NULL, nonce TEXT NOT NULL, status INTEGER NOT NULL, version INTEGER NOT NULL,
    session_data TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS v1_app_session_members (
    session_id TEXT NOT NULL, wallet TEXT NOT NULL, PRIMARY KEY (wallet, session_id));
CREATE TABLE IF NOT EXISTS v1_allocations (
    session_id TEXT NOT NULL, participant TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL,
    PRIMARY KEY (session_id, participant, asset));
CREATE TABLE IF NOT EXISTS v1_channels (
    channel_id TEXT PRIMARY KEY, user_wallet TEXT NOT NULL, asset TEXT NOT NULL,
    blockchain_id INTEGER NOT NULL, token TEXT NOT NULL, nonce INTEGER NOT NULL,
    challenge INTEGER NOT NULL, validators TEXT NOT NULL, status INTEGER NOT NULL,
    state_version INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS v1_channels_user ON v1_channels (user_wallet, asset);
CREATE TABLE IF NOT EXISTS v1_states (
    user_wallet TEXT NOT NULL, asset TEXT NOT NULL, epoch INTEGER NOT NULL, version INTEGER NOT NULL,
    state TEXT NOT NULL, PRIMARY KEY (user_wallet, asset, epoch, version));
CREATE TABLE IF NOT EXISTS v1_transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, tx_id TEXT NOT NULL, asset TEXT NOT NULL,
    tx_type INTEGER NOT NULL, from_account TEXT NOT NULL, to_account TEXT NOT NULL,
    sender_state_id TEXT, receiver_state_id TEXT, amount TEXT NOT NULL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS v1_transactions_from ON v1_transactions (from_account);
CREATE INDEX IF NOT EXISTS v1_transactions_to ON v1_transactions (to_account);
CREATE TABLE IF NOT EXISTS v1_minted (asset TEXT PRIMARY KEY, amount TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS v1_enforced (
    user_wallet TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, PRIMARY KEY (user_wallet, asset));
CREATE TABLE IF NOT EXISTS v1_chain_cursor (chain_id INTEGER PRIMARY KEY, next_block INTEGER NOT NULL);
"""


def state_to_text(state: dict[str, Any]) -> str:
    return json.dumps(state, default=str, separators=(",", ":"))


def state_from_text(text: str) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(text)
    state["transition"]["amount"] = Decimal(state["transition"]["amount"])
    ledger = state["home_ledger"]
    for key in ("user_balance", "user_net_flow", "node_balance", "node_net_flow"):
        ledger[key] = Decimal(ledger[key])
    return state


def _same(channel_id: str | None, channel: Any) -> bool:
    return channel_id is not None and channel_id.lower() == channel["channel_id"]


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    # ---- app sessions ---------------------------------------------------------------
    def session(self, session_id: str) -> Any:
        return self.db.conn.execute(
            "SELECT * FROM v1_app_sessions WHERE session_id = ?", (session_id,)
        ).fetchone()

    def create_session(self, row: dict[str, Any], now: float) -> None:
        conn = self.db.conn
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM v1_app_sessions").fetchone()[0]
        conn.execute(
            "INSERT INTO v1_app_sessions VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?)",
            (
                row["session_id"],
                row["application_id"],
                json.dumps(row["participants"]),
                row["quorum"],
                str(row["nonce"]),
                row["session_data"],
                now,
                now,
                seq,
            ),
        )
        for wallet, _ in row["participants"]:
            conn.execute(
                "INSERT OR IGNORE INTO v1_app_session_members VALUES (?, ?)", (row["session_id"], wallet)
            )

    def update_session(
        self, session_id: str, status: int, version: int, session_data: str, now: float
    ) -> None:
        self.db.conn.execute(
            "UPDATE v1_app_sessions SET status = ?, version = ?, session_data = ?, updated_at = ?"
            " WHERE session_id = ?",
            (status, version, session_data, now, session_id),
        )

    def sessions(
        self,
        session_id: str | None,
        participant: str | None,
        status: int,
        offset: int,
        limit: int,
        desc: bool,
    ) -> tuple[list[Any], int]:
        where: list[str] = ["1=1"]
        args: list[Any] = []
        if session_id is not None:
            where.append("s.session_id = ?")
            args.append(session_id)
        if participant is not None:
            where.append("s.session_id IN (SELECT session_id FROM v1_app_session_members WHERE wallet = ?)")
            args.append(participant)
        if status:
            where.append("s.status = ?")
            args.append(status)
        clause = " AND ".join(where)
        total = self.db.conn.execute(
            f"SELECT COUNT(*) FROM v1_app_sessions s WHERE {clause}",  # noqa: S608 - placeholders only
            args,
        ).fetchone()[0]
        order = "DESC" if desc else "ASC"
        rows = self.db.query(
            f"SELECT * FROM v1_app_sessions s WHERE {clause} ORDER BY created_at {order}, seq {order}"  # noqa: S608
            " LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return rows, int(total)

    def allocations(self, session_id: str) -> dict[str, dict[str, Decimal]]:
        out: dict[str, dict[str, Decimal]] = {}
        for r in self.db.query(
            "SELECT participant, asset, amount FROM v1_allocations WHERE session_id = ?"
            " ORDER BY participant, asset",
            (session_id,),
        ):
            out.setdefault(r["participant"], {})[r["asset"]] = Decimal(r["amount"])
        return out

    def add_allocation(self, session_id: str, participant: str, asset: str, delta: Decimal) -> None:
        """``RecordLedgerEntry``: a signed change of one participant's share of one asset."""
        current = self.allocations(session_id).get(participant, {}).get(asset, Decimal(0))
        self.db.conn.execute(
            "INSERT OR REPLACE INTO v1_allocations VALUES (?, ?, ?, ?)",
            (session_id, participant, asset, str(current + delta)),
        )

    def session_balances(self, session_id: str) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for shares in self.allocations(session_id).values():
            for asset, amount in shares.items():
                totals[asset] = totals.get(asset, Decimal(0)) + amount
        return totals

    # ---- channels and states ----------------------------------------------------------------
    def home_channel(self, wallet: str, asset: str) -> Any:
        """``GetNotClosedHomeChannel`` (a sandbox channel is open until the node stops existing)."""
        return self.db.conn.execute(
            "SELECT * FROM v1_channels WHERE user_wallet = ? AND asset = ? AND status <= 3"
            " ORDER BY seq LIMIT 1",
            (wallet.lower(), asset.lower()),
        ).fetchone()

    def active_channel(self, wallet: str, asset: str) -> Any:
        """``CheckActiveChannel``: a home channel that is Void (awaiting the chain) or Open."""
        return self.db.conn.execute(
            "SELECT * FROM v1_channels WHERE user_wallet = ? AND asset = ? AND status <= 1 LIMIT 1",
            (wallet.lower(), asset.lower()),
        ).fetchone()

    def channel_by_id(self, channel_id: str) -> Any:
        return self.db.conn.execute(
            "SELECT * FROM v1_channels WHERE channel_id = ?", (channel_id.lower(),)
        ).fetchone()

    def update_channel(self, channel_id: str, status: int, state_version: int) -> None:
        self.db.conn.execute(
            "UPDATE v1_channels SET status = ?, state_version = ? WHERE channel_id = ?",
            (status, state_version, channel_id.lower()),
        )

    def channels(self, wallet: str) -> list[Any]:
        return self.db.query("SELECT * FROM v1_channels WHERE user_wallet = ? ORDER BY seq", (wallet,))

    def add_channel(self, row: dict[str, Any]) -> None:
        conn = self.db.conn
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM v1_channels").fetchone()[0]
        conn.execute(
            "INSERT INTO v1_channels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (
                row["channel_id"].lower(),
                row["user_wallet"],
                row["asset"],
                row["blockchain_id"],
                row["token"],
                row["nonce"],
                row["challenge"],
                row["validators"],
                row.get("status", 1),
                seq,
            ),
        )

    def last_state(self, wallet: str, asset: str) -> dict[str, Any] | None:
        row = self.db.conn.execute(
            "SELECT state FROM v1_states WHERE user_wallet = ? AND lower(asset) = ?"
            " ORDER BY epoch DESC, version DESC LIMIT 1",
            (wallet.lower(), asset.lower()),
        ).fetchone()
        return None if row is None else state_from_text(row[0])

    def states(self, wallet: str, asset: str) -> list[dict[str, Any]]:
        """The kept states of a wallet and asset (at most ``STATES_KEPT``), newest first."""
        rows = self.db.query(
            "SELECT state FROM v1_states WHERE user_wallet = ? AND lower(asset) = ?"
            " ORDER BY epoch DESC, version DESC",
            (wallet.lower(), asset.lower()),
        )
        return [state_from_text(r[0]) for r in rows]

    def last_signed_state(self, wallet: str, asset: str) -> dict[str, Any] | None:
        """The newest state both parties signed (``GetLastUserState(..., true)`` among the kept ones)."""
        return next((s for s in self.states(wallet, asset) if s["user_sig"] and s["node_sig"]), None)

    def backfill_user_sig(self, channel: Any, version: int, user_sig: str) -> None:
        """``UpdateStateSigsIfMissing`` (user side): the chain enforced a state the node kept unsigned."""
        for state in self.states(channel["user_wallet"], channel["asset"]):
            if (
                _same(state["home_channel_id"], channel)
                and state["version"] == version
                and state["user_sig"] is None
            ):
                state["user_sig"] = user_sig
                self.store_state(state)

    def has_signed_finalize(self, channel: Any) -> bool:
        return any(
            _same(s["home_channel_id"], channel) and s["transition"]["type"] == 200 and s["node_sig"]
            for s in self.states(channel["user_wallet"], channel["asset"])
        )

    def refresh_enforced(self, channel: Any) -> None:
        """``RefreshUserEnforcedBalance``: the user balance of the state an open channel holds on-chain."""
        amount = Decimal(0)
        if channel["status"] <= 1 and channel["state_version"] > 0:
            for state in self.states(channel["user_wallet"], channel["asset"]):
                if _same(state["home_channel_id"], channel) and state["version"] == channel["state_version"]:
                    amount = state["home_ledger"]["user_balance"]
                    break
        self.db.conn.execute(
            "INSERT OR REPLACE INTO v1_enforced VALUES (?, ?, ?)",
            (channel["user_wallet"], channel["asset"], str(amount)),
        )

    def enforced(self, wallet: str, asset: str) -> Decimal | None:
        row = self.db.conn.execute(
            "SELECT amount FROM v1_enforced WHERE user_wallet = ? AND asset = ?", (wallet, asset)
        ).fetchone()
        return None if row is None else Decimal(row[0])

    def chain_cursor(self, chain_id: int) -> int | None:
        row = self.db.conn.execute(
            "SELECT next_block FROM v1_chain_cursor WHERE chain_id = ?", (chain_id,)
        ).fetchone()
        return None if row is None else int(row[0])

    def set_chain_cursor(self, chain_id: int, next_block: int) -> None:
        self.db.conn.execute("INSERT OR REPLACE INTO v1_chain_cursor VALUES (?, ?)", (chain_id, next_block))

    def store_state(self, state: dict[str, Any]) -> None:
        conn = self.db.conn
        key = (state["user_wallet"], state["asset"])
        conn.execute(
            "INSERT OR REPLACE INTO v1_states VALUES (?, ?, ?, ?, ?)",
            (*key, state["epoch"], state["version"], state_to_text(state)),
        )
        conn.execute(
            "DELETE FROM v1_states WHERE user_wallet = ? AND asset = ? AND rowid NOT IN ("
            " SELECT rowid FROM v1_states WHERE user_wallet = ? AND asset = ?"
            " ORDER BY epoch DESC, version DESC LIMIT ?)",
            (*key, *key, STATES_KEPT),
        )

    def user_balances(self, wallet: str) -> list[tuple[str, Decimal]]:
        """Each asset's newest state's user balance (what nitronode keeps in ``user_balances``)."""
        out = []
        for (asset,) in self.db.query(
            "SELECT DISTINCT asset FROM v1_states WHERE user_wallet = ? ORDER BY asset", (wallet,)
        ):
            state = self.last_state(wallet, asset)
            if state is not None:
                out.append((asset, state["home_ledger"]["user_balance"]))
        return out

    # ---- transactions and totals -----------------------------------------------------------
    def record_transaction(self, tx: dict[str, Any], now: float) -> None:
        """``core.Transaction``: id, asset, tx_type, from/to account, sender/receiver state ids, amount."""
        conn = self.db.conn
        conn.execute(
            "INSERT INTO v1_transactions (tx_id, asset, tx_type, from_account, to_account,"
            " sender_state_id, receiver_state_id, amount, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tx["id"],
                tx["asset"],
                tx["tx_type"],
                tx["from_account"],
                tx["to_account"],
                tx["sender_state_id"],
                tx["receiver_state_id"],
                str(tx["amount"]),
                now,
            ),
        )
        conn.execute(
            "DELETE FROM v1_transactions WHERE id <= (SELECT MAX(id) FROM v1_transactions) - ?",
            (TRANSACTIONS_KEPT,),
        )

    def transactions(
        self,
        account: str,
        asset: str | None,
        tx_type: int | None,
        window: tuple[int | None, int | None],
        offset: int,
        limit: int,
    ) -> tuple[list[Any], int]:
        """``GetUserTransactions``: sent or received by ``account``, newest first, and the total."""
        where = ["(from_account = ? OR to_account = ?)"]
        args: list[Any] = [account, account]
        for clause, value in (
            ("asset = ?", asset or None),
            ("tx_type = ?", tx_type),
            ("created_at >= ?", window[0]),
            ("created_at <= ?", window[1]),
        ):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = " FROM v1_transactions WHERE " + " AND ".join(where)
        total = self.db.conn.execute("SELECT COUNT(*)" + sql, args).fetchone()[0]
        rows = self.db.query(
            "SELECT *" + sql + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", (*args, limit, offset)
        )
        return list(rows), int(total)

    def mint(self, asset: str, amount: Decimal) -> None:
        row = self.db.conn.execute("SELECT amount FROM v1_minted WHERE asset = ?", (asset,)).fetchone()
        total = (Decimal(row[0]) if row else Decimal(0)) + amount
        self.db.conn.execute("INSERT OR REPLACE INTO v1_minted VALUES (?, ?)", (asset, str(total)))

    def minted(self) -> dict[str, Decimal]:
        return {r["asset"]: Decimal(r["amount"]) for r in self.db.query("SELECT * FROM v1_minted")}

    def held(self) -> dict[str, Decimal]:
        """Every user's channel balance plus every app session allocation, per asset."""
        totals: dict[str, Decimal] = {}
        pairs = self.db.query("SELECT DISTINCT user_wallet, asset FROM v1_states")
        for r in pairs:
            state = self.last_state(r["user_wallet"], r["asset"])
            if state is not None:
                totals[r["asset"]] = totals.get(r["asset"], Decimal(0)) + state["home_ledger"]["user_balance"]
        for r in self.db.query("SELECT asset, amount FROM v1_allocations"):
            totals[r["asset"]] = totals.get(r["asset"], Decimal(0)) + Decimal(r["amount"])
        return totals
