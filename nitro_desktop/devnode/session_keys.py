"""Session keys mapped to wallets, with each dialect's rules (PROTOCOL.md §2.2, §3.2).

0.2: a plain signer -> wallet map without expiry (``AddSigner`` rules).
0.5: per-application keys with expiry, scope and spending caps; a new key for
the same wallet and application replaces the previous one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from nitro_desktop.devnode.amounts import AmountRangeError, exact_sum
from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.errors import InternalError, RPCError
from nitro_desktop.devnode.ledger import amount_text, rfc3339
from nitro_desktop.devnode.params import ParamsError, decimal_value

CLEARNODE_APP = "clearnode"  # a key bound to this application passes every application check
_MAX_CACHED_ROWS = 4096  # a peer signing with fresh keys only empties it


class SessionKeys:
    def __init__(self, db: Database, clock: Callable[[], float], *, expiring: bool) -> None:
        self.db = db
        self.clock = clock
        self.expiring = expiring
        # Every signed request looks its signers up, often twice; rows are cached until this
        # class writes the table or any transaction rolls back (expiry is checked on each use).
        self._rows: dict[str, Any] = {}
        self._rows_rollbacks = db.rollbacks

    def _row(self, key: str) -> Any:
        if self._rows_rollbacks != self.db.rollbacks:
            self._forget()
        try:
            return self._rows[key]
        except KeyError:
            pass
        row = self.db.conn.execute("SELECT * FROM session_keys WHERE session_key = ?", (key,)).fetchone()
        if len(self._rows) >= _MAX_CACHED_ROWS:
            self._rows.clear()
        self._rows[key] = row
        return row

    def _forget(self) -> None:
        self._rows.clear()
        self._rows_rollbacks = self.db.rollbacks

    def _expired(self, row: Any) -> bool:
        return bool(self.expiring and row["expires_at"] < self.clock())

    def wallet_of(self, key: str) -> str:
        """The wallet a (live) key signs for, or "" when it is not a registered key."""
        row = self._row(key)
        if row is None or self._expired(row):
            return ""
        return str(row["wallet"])

    # ---- 0.2 ---------------------------------------------------------------------
    def add_signer(self, wallet: str, signer: str) -> None:
        """``AddSigner`` of the array-params server, its checks in its order."""
        row = self._row(signer)
        if row is not None:
            if row["wallet"] == wallet:
                return
            raise RPCError("signer is already in use for another wallet")
        conn = self.db.conn
        if conn.execute("SELECT COUNT(*) FROM session_keys WHERE wallet = ?", (signer,)).fetchone()[0]:
            raise RPCError("cannot use a wallet as a signer")
        if conn.execute("SELECT COUNT(*) FROM session_keys WHERE session_key = ?", (wallet,)).fetchone()[0]:
            raise RPCError("wallet is already in use as a signer")
        self._forget()
        conn.execute(
            "INSERT INTO session_keys (session_key, wallet, application, scope, allowances, expires_at,"
            " created_at) VALUES (?, ?, '', '', '[]', 0, ?)",
            (signer, wallet, rfc3339(self.clock())),
        )

    # ---- 0.5 ---------------------------------------------------------------------
    def check_exists(self, wallet: str, key: str) -> bool:
        row = self._row(key)
        if row is None:
            return False
        if self._expired(row):
            raise RPCError("session key already exists but is expired")
        if row["wallet"] == wallet:
            return True
        raise RPCError("signer is already in use for another wallet")

    def add_session_key(
        self,
        wallet: str,
        key: str,
        application: str,
        scope: str,
        allowances: list[tuple[str, str]],
        expires_at: int,
    ) -> None:
        if expires_at < self.clock():
            raise RPCError("expiration time must be set and in the future")
        conn = self.db.conn
        self._forget()
        conn.execute("DELETE FROM session_keys WHERE wallet = ? AND application = ?", (wallet, application))
        conn.execute("DELETE FROM session_keys WHERE session_key = ?", (key,))
        conn.execute(
            "INSERT INTO session_keys (session_key, wallet, application, scope, allowances, expires_at,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                wallet,
                application,
                scope or "all",
                json.dumps([{"asset": a, "amount": x} for a, x in allowances]),
                int(expires_at),
                rfc3339(self.clock()),
            ),
        )

    def active_key(self, key: str) -> Any:
        """The key's row if usable (``GetSessionKeyIfActive``), else an internal error."""
        row = self._row(key)
        if row is None:
            raise InternalError(f"failed to retrieve session key {key}: record not found")
        if row["application"] != CLEARNODE_APP and self._expired(row):
            raise InternalError("session key expired")
        return row

    def spent(self, key: str, asset: str) -> Decimal:
        rows = self.db.query(
            "SELECT debit FROM ledger_entries WHERE session_key = ? AND asset = ?", (key, asset)
        )
        return exact_sum(Decimal(r["debit"]) for r in rows)

    def check_application(self, row: Any, application: str) -> str | None:
        if row["application"] in (CLEARNODE_APP, application):
            return None
        return (
            f"session key application mismatch: session key is for '{row['application']}', "
            f"but app session is for '{application}'"
        )

    def check_spending(self, row: Any, asset: str, amount: Decimal) -> str | None:
        if row["application"] == CLEARNODE_APP:
            return None
        allowed: Decimal | None = None
        for allowance in json.loads(row["allowances"]):
            if allowance.get("asset") == asset:
                try:
                    allowed = decimal_value(str(allowance.get("amount")))
                except (ParamsError, AmountRangeError, InvalidOperation):
                    return "operation denied: failed to parse allowed amount"
                break
        if allowed is None:
            return f"operation denied: asset {asset} not allowed in session key spending cap"
        spent = self.spent(row["session_key"], asset)
        if spent + amount > allowed:
            return (
                f"operation denied: insufficient session key allowance: {amount_text(amount)} required, "
                f"{amount_text(allowed - spent)} available"
            )
        return None

    def list_active(self, wallet: str, offset: int, limit: int, desc: bool) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT * FROM session_keys WHERE wallet = ? AND expires_at > ? ORDER BY created_at "  # noqa: S608
            + ("DESC" if desc else "ASC")
            + ", id "
            + ("DESC" if desc else "ASC")
            + " LIMIT ? OFFSET ?",
            (wallet, self.clock(), limit, offset),
        )
        out = []
        for r in rows:
            allowances = []
            for a in json.loads(r["allowances"]):
                asset = str(a.get("asset", ""))
                allowances.append(
                    {
                        "asset": asset,
                        "allowance": str(a.get("amount", "")),
                        "used": amount_text(self.spent(r["session_key"], asset)),
                    }
                )
            out.append(
                {
                    "id": r["id"],
                    "session_key": r["session_key"],
                    "application": r["application"],
                    "allowances": allowances,
                    "scope": r["scope"],
                    "expires_at": rfc3339(r["expires_at"]),
                    "created_at": r["created_at"],
                }
            )
        return out

    def revoke(self, key: str) -> None:
        self._forget()
        self.db.conn.execute(
            "UPDATE session_keys SET expires_at = ? WHERE session_key = ?", (int(self.clock()) - 1, key)
        )
