"""transfer: unified balance to unified balance (PROTOCOL.md §4)."""

from __future__ import annotations

import re
from typing import Any

from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.amounts import asset_decimals, check_asset_precision
from nitro_desktop.devnode.call import Call
from nitro_desktop.devnode.errors import InternalError, RPCError, clip
from nitro_desktop.devnode.ledger import TxType, account_id, amount_text
from nitro_desktop.protocol import keccak256

_HEX_ADDRESS = re.compile(r"(0[xX])?[0-9a-fA-F]{40}")


def transfer(c: Call) -> Any:
    router = c.router
    p = c.parse()
    destination, tag = P.text(p, "destination"), P.text(p, "destination_user_tag")
    raw_allocs = p.get("allocations") or []
    if not isinstance(raw_allocs, list):
        raise P.ParamsError("allocations")
    allocs = [
        (P.text(a, "asset"), P.decimal_value(a.get("amount", 0))) for a in raw_allocs if isinstance(a, dict)
    ]
    if len(allocs) != len(raw_allocs):
        raise P.ParamsError("allocations")
    digest = keccak256(c.frame.raw_req.encode("utf-8"))
    if router.v05:
        if router.seen_transfer(digest):
            raise RPCError("operation denied: the request has already been processed")
    if not destination and not tag:
        raise RPCError("destination or destination_tag must be provided")
    if destination and not _HEX_ADDRESS.fullmatch(destination):
        raise RPCError(f"invalid destination account: {destination}")
    if not allocs:
        raise RPCError("allocations cannot be empty")
    c.fallback = "failed to verify signer"
    signer = c.verify_signer()
    to_tag = tag
    if not destination:
        c.fallback = f"failed to get wallet by tag: {tag}"
        found = router.db.conn.execute("SELECT wallet FROM user_tags WHERE tag = ?", (tag,)).fetchone()
        if found is None:
            raise LookupError("record not found")
        destination = found[0]
    if not to_tag:
        row = router.db.conn.execute("SELECT tag FROM user_tags WHERE wallet = ?", (destination,)).fetchone()
        to_tag = row[0] if row else ""
    if destination == c.user_id:
        raise RPCError("cannot transfer to self")
    from_wallet = c.user_id
    row = router.db.conn.execute("SELECT tag FROM user_tags WHERE wallet = ?", (from_wallet,)).fetchone()
    from_tag = row[0] if row else ""
    key = signer if router.v05 and signer != from_wallet else None
    c.fallback = "failed to process transfer"
    out: list[dict[str, Any]] = []
    ledger = router.ledger
    with router.db.transaction():
        if router.v05:
            router.channels.ensure_empty(from_wallet)
        for asset, amount in allocs:
            check_asset_precision(amount, asset_decimals(router.assets, asset))
            if amount <= 0:
                raise RPCError(f"invalid allocation: {amount_text(amount)} for asset {clip(asset)}")
            if key is not None:
                try:
                    row = router.keys.active_key(key)
                except InternalError as exc:
                    raise RPCError(f"session key validation failed: {exc}") from None
                problem = router.keys.check_spending(row, asset, amount)
                if problem:
                    raise RPCError(f"session key spending validation failed: {problem}")
            if amount > ledger.balance(from_wallet, from_wallet, asset):
                raise RPCError(f"insufficient funds: {from_wallet} for asset {clip(asset)}")
            ledger.record(from_wallet, from_wallet, asset, -amount, key)
            ledger.record(destination, destination, asset, amount)
            tx = ledger.record_transaction(TxType.TRANSFER, from_wallet, destination, asset, amount)
            entry = {"id": tx["id"], "tx_type": tx["tx_type"], "from_account": tx["from_account"]}
            if from_tag:
                entry["from_account_tag"] = from_tag
            entry["to_account"] = tx["to_account"]
            if to_tag:
                entry["to_account_tag"] = to_tag
            entry.update(asset=asset, amount=tx["amount"], created_at=tx["created_at"])
            out.append(entry)
    if router.v05:
        router.remember_transfer(digest)
    dest_wallet = account_id(destination)
    for wallet in (from_wallet, dest_wallet):
        router.notify_balance(wallet)
        router.notify(wallet, "tr", out)
    return out
