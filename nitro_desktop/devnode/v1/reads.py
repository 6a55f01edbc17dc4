"""``node.v1`` and the ``user.v1`` / ``channels.v1`` reads the sandbox serves."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.config import SANDBOX_CHAIN_ID, SANDBOX_CUSTODY
from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.channels import STATUS_NAMES, channel_to_wire, state_to_wire
from nitro_desktop.devnode.v1.quorum import Fail
from nitro_desktop.devnode.v1.sessions import normalize_address
from nitro_desktop.devnode.v1.wire import PayloadError, Struct, go_quote, parse_go_uint

# What nitronode v1.4.1's release build reports (``-X main.Version``); the sandbox is told
# apart by its one simulated blockchain, named "sandbox".
NODE_VERSION = "v1.4.1"
# core.ChannelSignerTypes ([]uint8{0, 1}): Go marshals a byte slice as base64.
DEFAULT_PAGE, MAX_PAGE = 10, 100  # nitronode/store/database DefaultLimit, MaxLimit
MAX_INT32 = 2**31 - 1
SUPPORTED_SIG_VALIDATORS = base64.b64encode(bytes([0, 1])).decode()


def ping(node: Any, payload: Struct) -> dict[str, Any]:
    return {}


def get_config(node: Any, payload: Struct) -> dict[str, Any]:
    chains = sorted({a.chain_id for a in node.assets} | {SANDBOX_CHAIN_ID})
    if node.chain is not None:  # as nitronode reports its blockchains.yaml entry
        blockchains = [
            {
                "name": node.chain.name,
                "blockchain_id": str(node.chain.chain_id),
                "channel_hub_address": node.chain.hub_address,
                "confirmation_delay_secs": 0,
            }
        ]
        return {
            "node_address": node.broker_address.lower(),
            "node_version": NODE_VERSION,
            "supported_sig_validators": SUPPORTED_SIG_VALIDATORS,
            "blockchains": blockchains,
        }
    return {
        "node_address": node.broker_address.lower(),
        "node_version": NODE_VERSION,
        "supported_sig_validators": SUPPORTED_SIG_VALIDATORS,
        "blockchains": [
            {
                "name": "sandbox" if chain == SANDBOX_CHAIN_ID else f"sandbox-{chain}",
                "blockchain_id": str(chain),
                "channel_hub_address": SANDBOX_CUSTODY,
                "confirmation_delay_secs": 0,
            }
            for chain in chains
        ],
    }


def get_assets(node: Any, payload: Struct) -> dict[str, Any]:
    try:
        chain_text = payload.opt_string("blockchain_id")
    except PayloadError:
        raise Fail("failed to parse parameters") from None
    chain = None
    if chain_text is not None:
        try:
            chain = parse_go_uint(chain_text)
        except ValueError:
            raise Fail("invalid blockchain_id") from None
    assets = []
    for a in node.assets:
        if chain is not None and a.chain_id != chain:
            continue
        if node.chain is not None and a.chain_id != node.chain.chain_id:
            continue  # nitronode drops a token on a chain it does not watch
        token = {
            "name": a.symbol,
            "symbol": a.symbol,
            "address": a.token.lower(),
            "blockchain_id": str(a.chain_id),
            "decimals": a.decimals,
        }
        assets.append(
            {
                "name": a.symbol,
                "symbol": a.symbol,
                "decimals": a.decimals,
                "suggested_blockchain_id": str(a.chain_id),
                "tokens": [token],
            }
        )
    return {"assets": assets}


def _wallet(text: str) -> str:
    try:
        return normalize_address(text)
    except ValueError as exc:
        raise Fail(f"invalid wallet: {exc}") from None


def get_balances(node: Any, payload: Struct) -> dict[str, Any]:
    wallet = _wallet(payload.string("wallet"))
    out = []
    for asset, amount in node.store.user_balances(wallet):
        state = node.store.last_state(wallet, asset)
        if node.chain is not None:  # what the chain holds, as of the last event the watcher applied
            enforced = node.store.enforced(wallet, asset) or Decimal(0)
        else:
            enforced = state["home_ledger"]["user_net_flow"] if state else Decimal(0)
        out.append(
            {"asset": asset, "amount": hashes.go_decimal(amount), "enforced": hashes.go_decimal(enforced)}
        )
    return {"balances": out}


def get_home_channel(node: Any, payload: Struct) -> dict[str, Any]:
    text, asset = payload.string("wallet"), payload.string("asset")
    row = node.store.home_channel(_wallet(text), asset)
    return {} if row is None else {"channel": channel_to_wire(row)}


def get_latest_state(node: Any, payload: Struct) -> dict[str, Any]:
    text, asset, only_signed = (
        payload.string("wallet"),
        payload.string("asset"),
        payload.boolean("only_signed"),
    )
    wallet = _wallet(text)
    state = node.store.last_state(wallet, asset)
    if state is not None and only_signed and not (state["user_sig"] and state["node_sig"]):
        state = None  # the sandbox keeps few states; an older fully signed one is not looked for
    return {} if state is None else {"state": state_to_wire(state)}


def page_of(payload: Struct) -> tuple[int | None, int | None, str | None]:
    """``PaginationParamsV1``: (offset, limit, sort), each absent as None."""
    page = payload.opt_struct("pagination")
    if page is None:
        return None, None, None
    return page.opt_uint("offset", 32), page.opt_uint("limit", 32), page.opt_string("sort")


def offset_and_limit(offset: int | None, limit: int | None, default: int, most: int) -> tuple[int, int]:
    """``PaginationParams.GetOffsetAndLimit``: limit 0 is the default; the offset is clamped to int32."""
    return min(offset or 0, MAX_INT32), min(limit, most) if limit else default


def get_transactions(node: Any, payload: Struct) -> dict[str, Any]:
    """``user.v1.get_transactions``: sent or received by the wallet, newest first (``sort`` is not read)."""
    wallet_text = payload.string("wallet")
    asset = payload.opt_string("asset")
    tx_type = payload.opt_uint("tx_type", 8)
    offset, limit, _ = page_of(payload)
    window = (payload.opt_uint("from_time", 64), payload.opt_uint("to_time", 64))
    wallet = _wallet(wallet_text)
    offset, limit = offset_and_limit(offset, limit, DEFAULT_PAGE, MAX_PAGE)
    rows, total = node.store.transactions(wallet, asset, tx_type, window, offset, limit)
    return {
        "transactions": [transaction_to_wire(r) for r in rows],
        "metadata": {
            "page": offset // limit + 1,
            "per_page": limit,
            "total_count": total,
            "page_count": (total + limit - 1) // limit,
        },
    }


def transaction_to_wire(row: Any) -> dict[str, Any]:
    """``mapTransactionV1``; ``created_at`` as Go's RFC 3339 in UTC, whole seconds."""
    wire: dict[str, Any] = {
        "id": row["tx_id"],
        "asset": row["asset"],
        "tx_type": row["tx_type"],
        "from_account": row["from_account"],
        "to_account": row["to_account"],
    }
    for key, column in (
        ("sender_new_state_id", "sender_state_id"),
        ("receiver_new_state_id", "receiver_state_id"),
    ):
        if row[column] is not None:
            wire[key] = row[column]
    wire["amount"] = hashes.go_decimal(Decimal(row["amount"]))
    created = datetime.fromtimestamp(int(row["created_at"]), tz=UTC)
    wire["created_at"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return wire


CHANNEL_STATUSES = ("void", "open", "challenged", "closing", "closed")


def get_channels(node: Any, payload: Struct) -> dict[str, Any]:
    """``channels.v1.get_channels``: the wallet's channels (home only here), newest first."""
    wallet_text = payload.string("wallet")
    status, asset, kind = (
        payload.opt_string("status"),
        payload.opt_string("asset"),
        payload.opt_string("channel_type"),
    )
    offset, limit, _ = page_of(payload)
    if wallet_text == "":
        raise Fail("wallet is required")
    wallet = _wallet(wallet_text)
    if status and status.lower() not in CHANNEL_STATUSES:
        raise Fail(f"invalid status: unknown channel status: {go_quote(status)}")
    if kind and kind.lower() not in ("home", "escrow"):
        raise Fail(f"invalid channel_type: unknown channel type: {go_quote(kind)}")
    offset, limit = offset_and_limit(offset, limit, 100, 1000)
    rows = [
        r
        for r in reversed(node.store.channels(wallet))
        if (not status or STATUS_NAMES.get(r["status"]) == status.lower())
        and (not asset or r["asset"] == asset.lower())
        and (not kind or kind.lower() == "home")
    ]
    total = len(rows)
    return {
        "channels": [channel_to_wire(r) for r in rows[offset : offset + limit]],
        "metadata": {
            "page": offset // limit + 1 if total else 0,
            "per_page": limit,
            "total_count": total,
            "page_count": (total + limit - 1) // limit,
        },
    }
