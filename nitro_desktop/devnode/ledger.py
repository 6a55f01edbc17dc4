"""Double-entry ledger in exact decimal asset units (the only writer of money tables).

Like the Go server, a balance belongs to an (account, wallet, asset) triple:
a wallet's unified balance is account = wallet; a participant's share of an
app session is account = session id, wallet = participant. Every move writes
ledger entries and a ledger transaction inside the caller's DB transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.amounts import EXACT, check_storable
from nitro_desktop.devnode.db import Database
from nitro_desktop.protocol import format_amount, is_checksum_address, to_checksum_address
from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.values import strip_zeros

FAUCET_ACCOUNT = "faucet"


class TxType(enum.IntEnum):
    TRANSFER = 100
    DEPOSIT = 201
    WITHDRAWAL = 202
    APP_DEPOSIT = 301
    APP_WITHDRAWAL = 302

    @property
    def wire(self) -> str:
        return _TX_WIRE[self]

    @classmethod
    def from_wire(cls, text: str) -> TxType:
        for member in cls:
            if member.wire == text:
                return member
        raise ValueError(text)


_TX_WIRE = {
    TxType.TRANSFER: "transfer",
    TxType.DEPOSIT: "deposit",
    TxType.WITHDRAWAL: "withdrawal",
    TxType.APP_DEPOSIT: "app_deposit",
    TxType.APP_WITHDRAWAL: "app_withdrawal",
}

# Go's ledger account types: wallets are liabilities of the node, app sessions equity-like.
ACCOUNT_TYPE_WALLET = 1000
ACCOUNT_TYPE_APP = 3000


# account_id runs for every ledger read and write; the same few addresses come back each time.
_ACCOUNT_IDS: dict[str, str] = {}
_ACCOUNT_IDS_MAX = 4096  # a peer inventing addresses only empties it


def account_id(value: str) -> str:
    """Go's ``NewAccountID``: hex addresses in EIP-55 form, anything else as is."""
    known = _ACCOUNT_IDS.get(value)
    if known is None:
        known = _account_id(value)
        if len(_ACCOUNT_IDS) >= _ACCOUNT_IDS_MAX:
            _ACCOUNT_IDS.clear()
        _ACCOUNT_IDS[value] = known
    return known


def _account_id(value: str) -> str:
    if len(value) == 42 and value[:2].lower() == "0x":
        try:
            return to_checksum_address(value) if not is_checksum_address(value) else value
        except ProtocolError:
            try:
                return to_checksum_address(value.lower())
            except ProtocolError:
                return value
    return value


def wallet_key(value: str) -> str:
    """Go's ``common.HexToAddress(w).Hex()`` for well-formed addresses."""
    return account_id(value)


# Every ledger write and listing formats amounts, and the same few come back again and again.
_AMOUNT_TEXTS: dict[Decimal, str] = {}
_AMOUNT_TEXTS_MAX = 4096  # a peer inventing amounts only empties it


def amount_text(value: Decimal) -> str:
    """shopspring ``Decimal.String()``: no exponent, no trailing zeros (exact: no 28-digit rounding)."""
    # Equal Decimals (1, 1.0, 1E+0) have equal texts here, so one key serves them all.
    finite = value.is_finite()  # a signalling NaN cannot even be hashed
    text = _AMOUNT_TEXTS.get(value) if finite else None
    if text is None:
        text = "0" if value == 0 else format_amount(strip_zeros(value))
        if not finite or len(text) > 100:  # only short texts are worth keeping
            return text
        if len(_AMOUNT_TEXTS) >= _AMOUNT_TEXTS_MAX:
            _AMOUNT_TEXTS.clear()
        _AMOUNT_TEXTS[value] = text
    return text


_last_second: list[Any] = [None, ""]  # (whole second, its text): many writes share a second


def rfc3339(seconds: float) -> str:
    whole = int(seconds) if seconds >= 0 else None
    if whole is not None and _last_second[0] == whole:
        return str(_last_second[1])
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if whole is not None:
        _last_second[:] = [whole, text]
    return text


class Ledger:
    def __init__(self, db: Database, clock: Callable[[], float]) -> None:
        self.db = db
        self.clock = clock
        # Bumped by every balance write (even one rolled back later): an unchanged count means
        # unchanged balances, so a notification listing them may be reused.
        self.writes = 0

    # ---- reads ------------------------------------------------------------
    def balance(self, account: str, wallet: str, asset: str) -> Decimal:
        row = self.db.conn.execute(
            "SELECT amount FROM balances WHERE account_id = ? AND wallet = ? AND asset = ?",
            (account_id(account), wallet_key(wallet), asset),
        ).fetchone()
        return Decimal(row[0]) if row else Decimal(0)

    def balances(self, account: str, wallet: str) -> list[dict[str, str]]:
        rows = self.db.query(
            "SELECT asset, amount FROM balances WHERE account_id = ? AND wallet = ? ORDER BY asset",
            (account_id(account), wallet_key(wallet)),
        )
        return [{"asset": r["asset"], "amount": amount_text(Decimal(r["amount"]))} for r in rows]

    def account_totals(self, account: str) -> dict[str, Decimal]:
        """Per-asset sum over every wallet of an account (an app session's totals)."""
        totals: dict[str, Decimal] = {}
        for r in self.db.query("SELECT asset, amount FROM balances WHERE account_id = ?", (account,)):
            totals[r["asset"]] = EXACT.add(totals.get(r["asset"], Decimal(0)), Decimal(r["amount"]))
        return totals

    def account_shares(self, account: str) -> dict[str, dict[str, Decimal]]:
        """wallet -> asset -> non-zero amount held in an account."""
        shares: dict[str, dict[str, Decimal]] = {}
        for r in self.db.query(
            "SELECT wallet, asset, amount FROM balances WHERE account_id = ? ORDER BY wallet, asset",
            (account,),
        ):
            amount = Decimal(r["amount"])
            if amount != 0:
                shares.setdefault(r["wallet"], {})[r["asset"]] = amount
        return shares

    def total_by_asset(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for r in self.db.query("SELECT asset, amount FROM balances"):
            totals[r["asset"]] = EXACT.add(totals.get(r["asset"], Decimal(0)), Decimal(r["amount"]))
        return totals

    def minted_by_asset(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for r in self.db.query(
            "SELECT asset, amount FROM ledger_transactions WHERE tx_type = ?", (int(TxType.DEPOSIT),)
        ):
            totals[r["asset"]] = EXACT.add(totals.get(r["asset"], Decimal(0)), Decimal(r["amount"]))
        return totals

    # ---- writes (call inside Database.transaction) --------------------------
    def record(
        self,
        account: str,
        wallet: str,
        asset: str,
        amount: Decimal,
        session_key: str | None = None,
        balance: Decimal | None = None,
    ) -> None:
        """One ledger entry: credit if positive, debit if negative, nothing if zero.

        The move must fit the ledger's ``DECIMAL(64,18)`` and the new balance, computed exactly,
        its range; else the caller's transaction is rolled back with a short error.
        ``balance``: the current balance when the caller has just read it in this transaction.
        """
        if amount == 0:
            return
        check_storable(amount)
        acc, wal = account_id(account), wallet_key(wallet)
        now = rfc3339(self.clock())
        account_type = ACCOUNT_TYPE_WALLET if acc.startswith("0x") and len(acc) == 42 else ACCOUNT_TYPE_APP
        credit, debit = (amount, Decimal(0)) if amount > 0 else (Decimal(0), amount.copy_abs())
        conn = self.db.conn
        conn.execute(
            "INSERT INTO ledger_entries (account_id, account_type, asset, wallet, credit, debit, session_key,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (acc, account_type, asset, wal, amount_text(credit), amount_text(debit), session_key, now),
        )
        updated = check_storable(
            EXACT.add(self.balance(acc, wal, asset) if balance is None else balance, amount),
            "balance",
            places_too=False,
        )
        self.writes += 1
        conn.execute(
            "INSERT INTO balances (account_id, wallet, asset, amount) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (account_id, wallet, asset) DO UPDATE SET amount = excluded.amount",
            (acc, wal, asset, amount_text(updated)),
        )

    def record_transaction(
        self, tx_type: TxType, from_account: str, to_account: str, asset: str, amount: Decimal
    ) -> dict[str, Any]:
        now = rfc3339(self.clock())
        source, target, text = account_id(from_account), account_id(to_account), amount_text(amount)
        cur = self.db.conn.execute(
            "INSERT INTO ledger_transactions (tx_type, from_account, to_account, asset, amount, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (int(tx_type), source, target, asset, text, now),
        )
        return {
            "id": cur.lastrowid,
            "tx_type": _TX_WIRE[tx_type],
            "from_account": source,
            "to_account": target,
            "asset": asset,
            "amount": text,
            "created_at": now,
        }

    def faucet(self, wallet: str, asset: str, amount: Decimal) -> None:
        """Mint into a wallet's unified balance (a sandbox stand-in for a channel deposit)."""
        self.record(wallet, wallet, asset, amount)
        self.record_transaction(TxType.DEPOSIT, FAUCET_ACCOUNT, wallet, asset, amount)

    # ---- listings -------------------------------------------------------------
    def entries(
        self, account: str, wallet: str, asset: str, offset: int, limit: int, desc: bool
    ) -> list[dict[str, Any]]:
        sql = "SELECT * FROM ledger_entries WHERE 1=1"
        args: list[Any] = []
        if account:
            sql += " AND account_id = ?"
            args.append(account_id(account))
        if wallet:
            sql += " AND wallet = ?"
            args.append(wallet_key(wallet))
        if asset:
            sql += " AND asset = ?"
            args.append(asset)
        order = "DESC" if desc else "ASC"
        sql += f" ORDER BY created_at {order}, id {order} LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [
            {
                "id": r["id"],
                "account_id": r["account_id"],
                "account_type": r["account_type"],
                "asset": r["asset"],
                "participant": r["wallet"],
                "credit": r["credit"],
                "debit": r["debit"],
                "created_at": r["created_at"],
            }
            for r in self.db.query(sql, args)
        ]

    def transactions(
        self, account: str, asset: str, tx_type: TxType | None, offset: int, limit: int, desc: bool
    ) -> list[dict[str, Any]]:
        sql = "SELECT * FROM ledger_transactions WHERE 1=1"
        args: list[Any] = []
        if account:
            sql += " AND (from_account = ? OR to_account = ?)"
            args += [account_id(account), account_id(account)]
        if asset:
            sql += " AND asset = ?"
            args.append(asset)
        if tx_type is not None:
            sql += " AND tx_type = ?"
            args.append(int(tx_type))
        order = "DESC" if desc else "ASC"
        sql += f" ORDER BY created_at {order}, id {order} LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [
            {
                "id": r["id"],
                "tx_type": TxType(r["tx_type"]).wire,
                "from_account": r["from_account"],
                "to_account": r["to_account"],
                "asset": r["asset"],
                "amount": r["amount"],
                "created_at": r["created_at"],
            }
            for r in self.db.query(sql, args)
        ]
