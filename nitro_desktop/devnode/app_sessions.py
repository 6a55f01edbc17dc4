"""create_app_session / submit_app_state / close_app_session (PROTOCOL.md §5).

Each operation runs in one DB transaction and follows the Go server's check
order and texts for the node's dialect: ``object_params`` off is the array-params
server of mid-2025, on is ClearNode v0.5.x (NitroRPC/0.2 and 0.4).
Operations return the wallets whose unified balance changed (for ``bu``)
and, for 0.5 submits, the session to announce in ``asu``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.channels import Channels
from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.errors import InternalError, RPCError, clip
from nitro_desktop.devnode.ledger import Ledger, TxType, amount_text, rfc3339, wallet_key
from nitro_desktop.devnode.session_keys import SessionKeys
from nitro_desktop.protocol import AppDefinition, DialectSpec, app_session_id

V02, V04 = "NitroRPC/0.2", "NitroRPC/0.4"
_TAKEN = "SELECT 1 FROM app_sessions WHERE session_id = ?"


@dataclass(slots=True)
class Outcome:
    response: dict[str, Any]
    bu_wallets: set[str] = field(default_factory=set)
    asu_session: str | None = None


def session_response(session_id: str, version: int, status: str, *, v05: bool) -> dict[str, Any]:
    """The Go ``AppSessionResponse`` with only id, version and status set (zero values elsewhere)."""
    out: dict[str, Any] = {"app_session_id": session_id}
    if v05:
        out["application"] = ""
    out.update(
        status=status,
        participants=None,
        protocol="",
        challenge=0,
        weights=None,
        quorum=0,
        version=version,
        nonce=0,
        created_at="",
        updated_at="",
    )
    return out


class AppSessions:
    def __init__(
        self, db: Database, ledger: Ledger, keys: SessionKeys, channels: Channels, *, dialect: DialectSpec
    ) -> None:
        self.db = db
        self.ledger = ledger
        self.keys = keys
        self.channels = channels
        self.v05 = dialect.object_params  # the v0.3+ server's rules come with its object params
        self.dialect = dialect

    # ---- reads -----------------------------------------------------------------
    def get(self, session_id: str, status: str = "") -> Any:
        sql = "SELECT * FROM app_sessions WHERE session_id = ?"
        args: list[Any] = [session_id]
        if status:
            sql += " AND status = ?"
            args.append(status)
        return self.db.conn.execute(sql, args).fetchone()

    def to_wire(self, row: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"app_session_id": row["session_id"]}
        if self.v05:
            out["application"] = row["application"]
        out["status"] = row["status"]
        out["participants"] = json.loads(row["participants"])
        if row["session_data"]:
            out["session_data"] = row["session_data"]
        out.update(
            protocol=row["protocol"],
            challenge=row["challenge"],
            weights=json.loads(row["weights"]),
            quorum=row["quorum"],
            version=row["version"],
            nonce=row["nonce"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
        return out

    def definition_wire(self, row: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.v05:
            # v0.5.2's HandleGetAppDefinition never copies the application: always "".
            out["application"] = ""
        out.update(
            protocol=row["protocol"],
            participants=json.loads(row["participants"]),
            weights=json.loads(row["weights"]),
            quorum=row["quorum"],
            challenge=row["challenge"],
            nonce=row["nonce"],
        )
        return out

    def list_sessions(self, participant: str, status: str, opts: P.ListOptions) -> list[dict[str, Any]]:
        sql = "SELECT * FROM app_sessions WHERE 1=1"
        args: list[Any] = []
        if participant:
            # As upstream on PostgreSQL (``? = ANY(participants)``): one element, matched exactly.
            # (Its SQLite fallback, ``instr``, would also find a substring; production is PostgreSQL.)
            sql += " AND EXISTS (SELECT 1 FROM json_each(participants) WHERE value = ?)"
            args.append(participant)
        if status:
            sql += " AND status = ?"
            args.append(status)
        order = "DESC" if opts.desc else "ASC"
        sql += f" ORDER BY updated_at {order}, seq {order} LIMIT ? OFFSET ?"
        args += [opts.limit, opts.offset]
        return [self.to_wire(r) for r in self.db.query(sql, args)]

    def allocations_of(self, session_id: str) -> list[dict[str, str]]:
        return [
            {"participant": wallet, "asset": asset, "amount": amount_text(amount)}
            for wallet, assets in self.ledger.account_shares(session_id).items()
            for asset, amount in assets.items()
        ]

    # ---- create ------------------------------------------------------------------
    def create(
        self,
        params: dict[str, Any],
        signers: set[str],
        raw_signers: set[str],
        *,
        parsed: tuple[AppDefinition, list[P.AllocationIn], str | None] | None = None,
    ) -> Outcome:
        """``parsed``: what the handler already read from these params (read here when None)."""
        if parsed is None:
            parsed = (P.definition(params), P.allocations(params), P.optional_text(params, "session_data"))
        definition, allocs, session_data = parsed
        d = definition
        if self.v05 and d.protocol not in (V02, V04):
            raise RPCError(f"unsupported protocol: {d.protocol}")
        if len(d.participants) < 2:
            raise RPCError("invalid number of participants")
        if len(d.weights) != len(d.participants):
            raise RPCError("number of weights must be equal to participants")
        if d.nonce == 0:
            raise RPCError("nonce is zero or not provided")
        if self.v05:
            for participant, weight in zip(d.participants, d.weights, strict=True):
                if weight < 0:
                    raise RPCError(f"participant {participant} weight cannot be negative")
            total = sum(d.weights)
            if d.quorum > total:
                raise RPCError(
                    f"target quorum ({d.quorum}) cannot be greater than total sum of weights ({total})"
                )
        session_id = app_session_id(d, self.dialect)
        funded: set[str] = set()
        # A new session's shares start at zero: read only when the id is taken (refused below,
        # after the same checks as before) or a share is written twice in this create.
        taken = self.db.conn.execute(_TAKEN, (session_id,)).fetchone() is not None
        shares: set[tuple[str, str]] = set()
        now = rfc3339(self.ledger.clock())
        with self.db.transaction() as conn:
            for alloc in allocs:
                key: str | None = None
                if self.v05:
                    if alloc.amount == 0:
                        continue
                    if alloc.amount < 0:
                        raise RPCError(
                            f"negative allocation: {amount_text(alloc.amount)} for asset {clip(alloc.asset)}"
                        )
                    has_sig, key = self._signature_for(alloc.participant, signers, raw_signers)
                    if not has_sig:
                        raise RPCError(f"missing signature for participant {alloc.participant}")
                    if key is not None:
                        self._check_key_deposit(key, d.application, alloc.asset, alloc.amount)
                    wallet = alloc.participant
                    self.channels.ensure_empty(wallet)
                else:
                    if alloc.amount > 0 and alloc.participant not in signers:
                        raise RPCError(f"missing signature for participant {alloc.participant}")
                    if alloc.amount < 0:
                        raise RPCError(
                            f"negative allocation: {amount_text(alloc.amount)} for asset {clip(alloc.asset)}"
                        )
                    wallet = self.keys.wallet_of(alloc.participant) or alloc.participant
                balance = self.ledger.balance(wallet, wallet, alloc.asset)
                if alloc.amount > balance:
                    raise RPCError(f"insufficient funds: {wallet} for asset {clip(alloc.asset)}")
                self.ledger.record(wallet, wallet, alloc.asset, -alloc.amount, key, balance)
                share = (wallet_key(wallet), alloc.asset)  # the ledger's own key for the share
                known = None if taken or share in shares else Decimal(0)
                shares.add(share)
                self.ledger.record(session_id, wallet, alloc.asset, alloc.amount, balance=known)
                # The array-params server records a transaction even for a zero amount.
                self.ledger.record_transaction(
                    TxType.APP_DEPOSIT, wallet, session_id, alloc.asset, alloc.amount
                )
                funded.add(wallet)
            if taken:
                # The unique index on session_id: Go returns its plain error.
                raise InternalError("UNIQUE constraint failed: app_sessions.session_id")
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM app_sessions").fetchone()[0]
            conn.execute(
                "INSERT INTO app_sessions (session_id, application, protocol, participants, weights, quorum,"
                " challenge, nonce, status, version, session_data, created_at, updated_at, seq)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', 1, ?, ?, ?, ?)",
                (
                    session_id,
                    d.application if self.v05 else "",
                    d.protocol,
                    json.dumps(list(d.participants)),
                    json.dumps(list(d.weights)),
                    d.quorum,
                    d.challenge,
                    d.nonce,
                    session_data or "",
                    now,
                    now,
                    seq,
                ),
            )
        return Outcome(session_response(session_id, 1, "open", v05=self.v05), funded)

    def _signature_for(
        self, participant: str, signers: set[str], raw_signers: set[str]
    ) -> tuple[bool, str | None]:
        """0.5 ``getSessionKeyForAppParticipant``: a direct signature, or one of its session keys."""
        if participant in raw_signers:
            return True, None
        for signer in sorted(raw_signers):
            if self.keys.wallet_of(signer) == participant:
                return True, signer
        return False, None

    def _check_key_deposit(self, key: str, application: str, asset: str, amount: Decimal) -> None:
        try:
            row = self.keys.active_key(key)
        except InternalError as exc:
            raise RPCError(f"session key validation failed: {exc}") from None
        problem = self.keys.check_application(row, application)
        if problem:
            raise RPCError(f"session key application validation failed: {problem}")
        problem = self.keys.check_spending(row, asset, amount)
        if problem:
            raise RPCError(f"session key spending validation failed: {problem}")

    # ---- quorum --------------------------------------------------------------------
    def _quorum(self, row: Any, signers: set[str], intent: str) -> dict[str, int]:
        participants = json.loads(row["participants"])
        weights = dict(zip(participants, json.loads(row["weights"]), strict=False))
        total = 0
        for wallet in sorted(signers):
            if wallet not in weights:
                raise RPCError(f"signature from unknown participant wallet {wallet}")
            if not self.v05 and weights[wallet] <= 0:
                raise RPCError(f"zero weight for signer {wallet}")
            total += weights[wallet]
        if total < row["quorum"]:
            if not self.v05:
                raise RPCError(f"quorum not met: {total} / {row['quorum']}")
            prefix = {"deposit": "incorrect deposit request", "withdraw": "incorrect withdrawal request"}.get(
                intent, "incorrect submit_state request"
            )
            raise RPCError(f"{prefix}: quorum not reached: {total} / {row['quorum']}")
        return weights

    def _check_keys_application(self, raw_signers: set[str], application: str) -> None:
        for signer in sorted(raw_signers):
            wallet = self.keys.wallet_of(signer)
            if wallet and wallet != signer:
                try:
                    key = self.keys.active_key(signer)
                except InternalError as exc:
                    raise RPCError(f"failed to get session key for signer {signer}: {exc}") from None
                problem = self.keys.check_application(key, application)
                if problem:
                    raise RPCError(
                        f"session key application validation failed for signer {signer}: {problem}"
                    )

    def _open_session(self, session_id: str) -> Any:
        row = self.get(session_id, "open")
        if row is None:
            if self.v05:
                raise RPCError("an open app session not found: record not found")
            raise RPCError(f"virtual app {session_id} is not opened")
        return row

    @staticmethod
    def _verify_allocations(totals: dict[str, Decimal], sums: dict[str, Decimal], *, v05: bool) -> None:
        for asset in sorted(totals):
            balance = totals[asset]
            if v05 and balance == 0:
                if sums.get(asset, Decimal(0)) != 0:
                    raise RPCError(
                        f"asset {asset} is not deposited into the app session. Please deposit the asset first"
                    )
                continue
            if asset not in sums or sums[asset] != balance:
                raise RPCError(f"asset {asset} not fully redistributed")
        for asset in sorted(sums):
            if asset not in totals and (not v05 or sums[asset] != 0):
                raise RPCError(f"allocation references unknown asset {asset}")

    def _bump(self, row: Any, new_version: int, session_data: str | None, status: str | None = None) -> None:
        sets, args = ["version = ?", "updated_at = ?"], [new_version, rfc3339(self.ledger.clock())]
        if session_data is not None:
            sets.append("session_data = ?")
            args.append(session_data)
        if status is not None:
            sets.append("status = ?")
            args.append(status)
        seq = self.db.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM app_sessions").fetchone()[0]
        sets.append("seq = ?")
        args.append(seq)
        self.db.conn.execute(
            f"UPDATE app_sessions SET {', '.join(sets)} WHERE session_id = ?",  # noqa: S608 - fixed column names
            [*args, row["session_id"]],
        )

    def submit(self, params: dict[str, Any], signers: set[str], raw_signers: set[str]) -> Outcome:
        from nitro_desktop.devnode.app_updates import submit

        return submit(self, params, signers, raw_signers)

    def close(self, params: dict[str, Any], signers: set[str], raw_signers: set[str]) -> Outcome:
        from nitro_desktop.devnode.app_updates import close

        return close(self, params, signers, raw_signers)
