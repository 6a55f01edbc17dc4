"""submit_app_state and close_app_session, per dialect (PROTOCOL.md §5.4–§5.7)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.errors import InternalError, RPCError, clip
from nitro_desktop.devnode.ledger import TxType, amount_text

if TYPE_CHECKING:
    from nitro_desktop.devnode.app_sessions import AppSessions, Outcome

V02, V04 = "NitroRPC/0.2", "NitroRPC/0.4"


def _negative(alloc: P.AllocationIn) -> str:
    return f"negative allocation: {amount_text(alloc.amount)} for asset {clip(alloc.asset)}"


def submit(svc: AppSessions, params: dict[str, Any], signers: set[str], raw_signers: set[str]) -> Outcome:
    from nitro_desktop.devnode.app_sessions import Outcome, session_response

    session_id = P.text(params, "app_session_id")
    allocs = P.allocations(params)
    session_data = P.optional_text(params, "session_data")
    intent = P.text(params, "intent") if svc.v05 else ""
    version = P.uint(params, "version") if svc.v05 else 0
    ledger = svc.ledger
    with svc.db.transaction():
        row = svc._open_session(session_id)
        if not svc.v05:
            weights = svc._quorum(row, signers, "")
            totals = ledger.account_totals(session_id)
            sums: dict[str, Decimal] = {}
            for alloc in allocs:
                if alloc.amount < 0:
                    raise InternalError(_negative(alloc))
                wallet = svc.keys.wallet_of(alloc.participant) or alloc.participant
                if wallet not in weights:
                    raise RPCError(f"allocation to non-participant {wallet}")
                share = ledger.balance(session_id, wallet, alloc.asset)
                ledger.record(session_id, wallet, alloc.asset, alloc.amount - share)
                if alloc.amount != 0:
                    sums[alloc.asset] = sums.get(alloc.asset, Decimal(0)) + alloc.amount
            svc._verify_allocations(totals, sums, v05=False)
            svc._bump(row, row["version"] + 1, session_data)
            return Outcome(session_response(session_id, row["version"] + 1, "open", v05=False))
        if row["protocol"] == V04:
            if row["version"] + 1 != version:
                raise RPCError(
                    f"incorrect app state: incorrect version: expected {row['version'] + 1}, got {version}"
                )
        elif row["protocol"] == V02:
            if intent or version:
                raise RPCError("incorrect request: specified parameters are not supported in this protocol")
        else:
            raise RPCError(f"incorrect app state: unsupported protocol: {row['protocol']}")
        weights = svc._quorum(row, signers, intent)
        svc._check_keys_application(raw_signers, row["application"])
        if intent == "deposit":
            affected = _deposit(svc, row, allocs, weights, raw_signers)
        elif intent == "withdraw":
            affected = _withdraw(svc, row, allocs, weights)
        elif intent in ("operate", ""):
            affected = _operate(svc, row, allocs, weights)
        else:
            raise RPCError(f"incorrect app state: unsupported intent: {intent}")
        svc._bump(row, row["version"] + 1, session_data)
    return Outcome(session_response(session_id, row["version"] + 1, "open", v05=True), affected, session_id)


def _current(svc: AppSessions, row: Any) -> dict[str, dict[str, Decimal]]:
    shares = svc.ledger.account_shares(row["session_id"])
    return {p: shares.get(p, {}) for p in json.loads(row["participants"])}


def _deposit(
    svc: AppSessions, row: Any, allocs: list[P.AllocationIn], weights: dict[str, int], raw_signers: set[str]
) -> set[str]:
    session_id, ledger = row["session_id"], svc.ledger
    current = _current(svc, row)
    for alloc in allocs:
        if alloc.amount < current.get(alloc.participant, {}).get(alloc.asset, Decimal(0)):
            raise RPCError(
                f"incorrect deposit request: decreased allocation for participant {alloc.participant}"
            )
    affected: set[str] = set()
    for alloc in allocs:
        wallet = alloc.participant
        have = current.get(wallet, {}).get(alloc.asset, Decimal(0))
        if alloc.amount <= have:
            continue
        if alloc.amount < 0:
            raise RPCError(_negative(alloc))
        if wallet not in weights:
            raise RPCError(f"allocation to non-participant {wallet}")
        delta = alloc.amount - have
        svc.channels.ensure_empty(wallet)
        has_sig, key = svc._signature_for(wallet, set(), raw_signers)
        if not has_sig:
            raise RPCError("incorrect deposit request: depositor signature is required")
        if delta > ledger.balance(wallet, wallet, alloc.asset):
            raise RPCError("incorrect deposit request: insufficient unified balance")
        if key is not None:
            svc._check_key_deposit(key, row["application"], alloc.asset, delta)
        ledger.record(wallet, wallet, alloc.asset, -delta, key)
        ledger.record(session_id, wallet, alloc.asset, delta)
        ledger.record_transaction(TxType.APP_DEPOSIT, wallet, session_id, alloc.asset, delta)
        affected.add(wallet)
    if not affected:
        raise RPCError("incorrect deposit request: non-positive allocations sum delta")
    return affected


def _withdraw(svc: AppSessions, row: Any, allocs: list[P.AllocationIn], weights: dict[str, int]) -> set[str]:
    session_id, ledger = row["session_id"], svc.ledger
    current = _current(svc, row)
    for alloc in allocs:
        if alloc.amount > current.get(alloc.participant, {}).get(alloc.asset, Decimal(0)):
            raise RPCError(
                f"incorrect withdrawal request: increased allocation for participant {alloc.participant}"
            )
    affected: set[str] = set()
    for alloc in allocs:
        if alloc.amount < 0:
            raise RPCError(_negative(alloc))
        wallet = alloc.participant
        have = current.get(wallet, {}).get(alloc.asset, Decimal(0))
        if alloc.amount < have:
            if wallet not in weights:
                raise RPCError(f"allocation to non-participant {wallet}")
            delta = have - alloc.amount
            ledger.record(session_id, wallet, alloc.asset, -delta)
            ledger.record(wallet, wallet, alloc.asset, delta)
            ledger.record_transaction(TxType.APP_WITHDRAWAL, session_id, wallet, alloc.asset, delta)
            affected.add(wallet)
    if not affected:
        raise RPCError("incorrect withdrawal request: non-negative allocations sum delta")
    return affected


def _operate(svc: AppSessions, row: Any, allocs: list[P.AllocationIn], weights: dict[str, int]) -> set[str]:
    session_id, ledger = row["session_id"], svc.ledger
    totals = ledger.account_totals(session_id)
    sums: dict[str, Decimal] = {}
    for alloc in allocs:
        if alloc.amount < 0:
            raise RPCError(_negative(alloc))
        if alloc.participant not in weights:
            raise RPCError(f"allocation to non-participant {alloc.participant}")
        share = ledger.balance(session_id, alloc.participant, alloc.asset)
        ledger.record(session_id, alloc.participant, alloc.asset, alloc.amount - share)
        sums[alloc.asset] = sums.get(alloc.asset, Decimal(0)) + alloc.amount
    try:
        svc._verify_allocations(totals, sums, v05=True)
    except RPCError as exc:
        raise RPCError(f"incorrect operate request: non-zero allocations sum delta: {exc.text}") from None
    return set()


def close(svc: AppSessions, params: dict[str, Any], signers: set[str], raw_signers: set[str]) -> Outcome:
    from nitro_desktop.devnode.app_sessions import Outcome, session_response

    session_id = P.text(params, "app_session_id")
    allocs = P.allocations(params)
    session_data = P.optional_text(params, "session_data")
    if not session_id or not allocs:
        text = "missing required parameters: app_id or allocations"
        raise RPCError(text) if svc.v05 else InternalError(text)
    ledger = svc.ledger
    paid: set[str] = set()
    with svc.db.transaction():
        row = svc._open_session(session_id)
        weights = svc._quorum(row, signers, "")
        if svc.v05:
            svc._check_keys_application(raw_signers, row["application"])
        totals = ledger.account_totals(session_id)
        sums: dict[str, Decimal] = {}
        for alloc in allocs:
            if alloc.amount < 0:
                raise RPCError(_negative(alloc)) if svc.v05 else InternalError(_negative(alloc))
            wallet = alloc.participant
            if not svc.v05:
                wallet = svc.keys.wallet_of(wallet) or wallet
            if wallet not in weights:
                raise RPCError(f"allocation to non-participant {wallet}")
            share = ledger.balance(session_id, wallet, alloc.asset)
            ledger.record(session_id, wallet, alloc.asset, -share)
            ledger.record(wallet, wallet, alloc.asset, alloc.amount)
            ledger.record_transaction(TxType.APP_WITHDRAWAL, session_id, wallet, alloc.asset, alloc.amount)
            if alloc.amount != 0:
                sums[alloc.asset] = sums.get(alloc.asset, Decimal(0)) + alloc.amount
                paid.add(wallet)
        svc._verify_allocations(totals, sums, v05=svc.v05)
        svc._bump(row, row["version"] + 1, session_data, "closed")
    return Outcome(session_response(session_id, row["version"] + 1, "closed", v05=svc.v05), paid)
