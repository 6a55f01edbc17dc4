"""Method handlers. Each takes a ``Call`` and returns the result payload (unwrapped).

Handlers raise ``RPCError`` (text sent as is) or anything else (the client sees
the handler's fallback text, ``Call.fallback``), like ``Fail(err, fallback)``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.amounts import asset_decimals, check_asset_precision, exact_arithmetic
from nitro_desktop.devnode.call import Call
from nitro_desktop.devnode.config import networks
from nitro_desktop.devnode.errors import InternalError, RPCError, clip
from nitro_desktop.devnode.ledger import TxType, wallet_key
from nitro_desktop.devnode.session_keys import CLEARNODE_APP
from nitro_desktop.devnode.transfer import transfer as run_transfer


def ping(c: Call) -> Any:
    return None


def get_config(c: Call) -> Any:
    return {"broker_address": c.router.broker_address, "networks": networks()}


def get_assets(c: Call) -> Any:
    p = c.parse()
    chain_id = p.get("chain_id")
    if chain_id is not None:
        chain_id = P.uint(p, "chain_id", (1 << 32) - 1)
    c.fallback = "failed to get assets"
    return [
        a.to_wire() for a in sorted(c.router.assets, key=lambda a: a.symbol) if chain_id in (None, a.chain_id)
    ]


def get_channels(c: Call) -> Any:
    p = c.parse()
    participant, status, opts = P.text(p, "participant"), P.text(p, "status"), P.list_options(p)
    c.fallback = "failed to get channels"
    opts.check_sort()
    return c.router.channels.list(participant, status, opts)


def get_app_definition(c: Call) -> Any:
    p = c.parse()
    session_id = P.text(p, "app_session_id")
    if not session_id:
        raise RPCError("missing account ID")
    c.fallback = "failed to get application session"
    row = c.router.sessions.get(session_id)
    if row is None:
        raise LookupError("record not found")
    return c.router.sessions.definition_wire(row)


def get_app_sessions(c: Call) -> Any:
    p = c.parse()
    participant, status, opts = P.text(p, "participant"), P.text(p, "status"), P.list_options(p)
    c.fallback = "failed to get application sessions"
    opts.check_sort()
    return c.router.sessions.list_sessions(participant, status, opts)


def get_ledger_entries(c: Call) -> Any:
    p = c.parse()
    account, asset, wallet = P.text(p, "account_id"), P.text(p, "asset"), P.text(p, "wallet")
    opts = P.list_options(p)
    c.fallback = "failed to get ledger entries"
    opts.check_sort()
    return c.router.ledger.entries(account, wallet or c.user_id, asset, opts.offset, opts.limit, opts.desc)


def get_ledger_transactions(c: Call) -> Any:
    p = c.parse()
    account, asset, tx_text = P.text(p, "account_id"), P.text(p, "asset"), P.text(p, "tx_type")
    opts = P.list_options(p)
    tx_type = None
    if tx_text:
        try:
            tx_type = TxType.from_wire(tx_text)
        except ValueError:
            raise RPCError("invalid ledger transaction type") from None
    c.fallback = "failed to get transactions"
    opts.check_sort()
    return c.router.ledger.transactions(account, asset, tx_type, opts.offset, opts.limit, opts.desc)


# ---- private -------------------------------------------------------------------
def get_ledger_balances(c: Call) -> Any:
    p = c.parse()
    account = P.text(p, "account_id") or ("" if c.router.v05 else P.text(p, "participant")) or c.user_id
    c.fallback = "failed to get ledger balances"
    return c.router.ledger.balances(account, c.user_id)


def get_user_tag(c: Call) -> Any:
    c.fallback = "failed to get user tag"
    return {"tag": c.router.user_tag(c.user_id)}


def get_rpc_history(c: Call) -> Any:
    p = c.parse()
    opts = P.list_options(p)
    c.fallback = "failed to retrieve RPC history"
    opts.check_sort()
    rows = c.router.db.query(
        "SELECT * FROM rpc_history WHERE sender = ? ORDER BY timestamp "  # noqa: S608 - fixed words only
        + ("DESC" if opts.desc else "ASC")
        + ", id "
        + ("DESC" if opts.desc else "ASC")
        + " LIMIT ? OFFSET ?",
        (c.user_id, opts.limit, opts.offset),
    )
    return [
        {
            "id": r["id"],
            "sender": r["sender"],
            "req_id": r["req_id"],
            "method": r["method"],
            "params": r["params"],
            "timestamp": r["timestamp"],
            "req_sig": json.loads(r["req_sig"]),
            "response": r["response"],
            "res_sig": json.loads(r["res_sig"]),
        }
        for r in rows
    ]


@exact_arithmetic
def get_session_keys(c: Call) -> Any:
    p = c.parse()
    opts = P.list_options(p)
    c.fallback = "failed to retrieve session keys"
    return c.router.keys.list_active(c.user_id, opts.offset, opts.limit, opts.desc)


def revoke_session_key(c: Call) -> Any:
    p = c.parse()
    key = P.text(p, "session_key")
    if not key:
        raise RPCError("session_key parameter is required")
    c.fallback = "failed to verify signer"
    signer = c.verify_signer()
    c.fallback = "failed to revoke session key"
    keys = c.router.keys
    with c.router.db.transaction():
        row = keys._row(key)
        if row is None or row["wallet"] != c.user_id or keys._expired(row):
            raise RPCError("operation denied: provided address is not an active session key of this user")
        if signer != c.user_id and signer != key:
            try:
                active = keys.active_key(signer)
            except InternalError:
                raise RPCError("operation denied: active session key is invalid") from None
            if active["application"] != CLEARNODE_APP:
                raise RPCError("operation denied: insufficient permissions for the active session key")
        keys.revoke(key)
    return {"session_key": key}


@exact_arithmetic
def transfer(c: Call) -> Any:
    return run_transfer(c)


def _signers(c: Call, *, v05_create: bool = False) -> tuple[set[str], set[str]]:
    """(wallets, raw signers) of the request's signatures; fallback per dialect."""
    v05 = c.router.v05
    c.fallback = (
        "failed to get signers from RPC message"
        if v05 and v05_create
        else "failed to get wallets from RPC message"
    )
    raw = set(c.recovered())
    wallets = {c.router.keys.wallet_of(a) or a for a in raw}
    return wallets, raw


def _check_precision(c: Call, allocations: list[P.AllocationIn]) -> None:
    for alloc in allocations:
        check_asset_precision(alloc.amount, asset_decimals(c.router.assets, alloc.asset))


@exact_arithmetic
def create_app_session(c: Call) -> Any:
    p = c.parse()
    definition = P.definition(p)
    allocations = P.allocations(p)
    _check_precision(c, allocations)
    session_data = P.optional_text(p, "session_data")
    wallets, raw = _signers(c, v05_create=True)
    c.fallback = "failed to create application session"
    outcome = c.router.sessions.create(p, wallets, raw, parsed=(definition, allocations, session_data))
    c.router.after_change(outcome)
    return outcome.response


@exact_arithmetic
def submit_app_state(c: Call) -> Any:
    p = c.parse()
    _check_precision(c, P.allocations(p))
    P.optional_text(p, "session_data"), P.text(p, "app_session_id")
    if c.router.v05:
        P.text(p, "intent"), P.uint(p, "version")
    wallets, raw = _signers(c)
    c.fallback = "failed to submit app state"
    outcome = c.router.sessions.submit(p, wallets, raw)
    c.router.after_change(outcome)
    return outcome.response


@exact_arithmetic
def close_app_session(c: Call) -> Any:
    p = c.parse()
    _check_precision(c, P.allocations(p))
    P.optional_text(p, "session_data"), P.text(p, "app_session_id")
    wallets, raw = _signers(c)
    c.fallback = "failed to close application session"
    outcome = c.router.sessions.close(p, wallets, raw)
    c.router.after_change(outcome)
    return outcome.response


def channel_unavailable(text: str) -> Any:
    def handler(c: Call) -> Any:
        c.parse()
        c.fallback = text
        raise LookupError("a sandbox node has no on-chain channels")

    return handler


def _integer_amount(p: dict[str, Any], key: str) -> Decimal | None:
    """An optional ``*decimal.Decimal`` with upstream's ``bigint`` validation (a whole number)."""
    if p.get(key) is None:
        return None
    value = P.decimal_value(p.get(key))
    if value != value.to_integral_value():
        raise P.ParamsError(key)
    return value


def resize_channel(c: Call) -> Any:
    """No chain, so nothing is ever resized; a channel the node does not know gets upstream's text."""
    p = c.parse()
    channel_id, destination = P.text(p, "channel_id"), P.text(p, "funds_destination")
    allocate, resize = _integer_amount(p, "allocate_amount"), _integer_amount(p, "resize_amount")
    if not channel_id or not destination or (allocate is None and resize is None):
        raise P.ParamsError("params")
    c.fallback = "failed to get wallets from RPC message"
    c.recovered()
    c.fallback = "failed to request channel resize"
    if c.router.channels.get(channel_id) is None:
        raise RPCError(f"channel {clip(channel_id, 128)} not found")
    raise LookupError("a sandbox node cannot resize a channel")


def close_channel(c: Call) -> Any:
    p = c.parse()
    channel_id = P.text(p, "channel_id")
    P.text(p, "funds_destination")
    c.fallback = "failed to get wallets from RPC message"
    c.recovered()
    c.fallback = "failed to request channel closure"
    if c.router.channels.get(channel_id) is None:
        # The array-params server has the bare text for close (channel_service.go).
        raise RPCError(f"channel {clip(channel_id, 128)} not found" if c.router.v05 else "channel not found")
    raise LookupError("a sandbox node cannot close a channel")


@exact_arithmetic
def fund(c: Call) -> Any:
    """Sandbox admin faucet: ``{address, asset, amount}``; loopback connections only."""
    if not c.conn.loopback:
        raise RPCError("fund is only available from loopback")
    p = c.parse()
    address, asset = P.text(p, "address"), P.text(p, "asset")
    amount = P.decimal_value(p.get("amount"))
    c.fallback = "failed to fund account"
    if asset not in {a.symbol for a in c.router.assets}:
        raise RPCError(f"unsupported asset: {asset}")
    if amount <= Decimal(0):
        raise RPCError("amount must be positive")
    check_asset_precision(amount, asset_decimals(c.router.assets, asset))
    in_channel = p.get("in_channel", False)
    if not isinstance(in_channel, bool):
        raise P.ParamsError("in_channel")
    if in_channel:
        config = next(a for a in c.router.assets if a.symbol == asset)
        wallet = wallet_key(address)
        channel_id = c.router.channels.deposit(wallet, config, amount, c.router.clock())
        return {"address": wallet, "asset": asset, "channel_id": channel_id}
    wallet = c.router.fund(address, asset, amount)
    return {"address": wallet, "asset": asset, "balances": c.router.ledger.balances(wallet, wallet)}
