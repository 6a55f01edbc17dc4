"""``node.v1`` and the ``user.v1`` / ``channels.v1`` reads the sandbox serves."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode.config import SANDBOX_CHAIN_ID, SANDBOX_CUSTODY
from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.devnode.v1.channels import channel_to_wire, state_to_wire
from nitro_desktop.devnode.v1.quorum import Fail
from nitro_desktop.devnode.v1.sessions import normalize_address
from nitro_desktop.devnode.v1.wire import PayloadError, Struct, parse_go_uint

# What nitronode v1.4.1's release build reports (``-X main.Version``); the sandbox is told
# apart by its one simulated blockchain, named "sandbox".
NODE_VERSION = "v1.4.1"
# core.ChannelSignerTypes ([]uint8{0, 1}): Go marshals a byte slice as base64.
SUPPORTED_SIG_VALIDATORS = base64.b64encode(bytes([0, 1])).decode()


def ping(node: Any, payload: Struct) -> dict[str, Any]:
    return {}


def get_config(node: Any, payload: Struct) -> dict[str, Any]:
    chains = sorted({a.chain_id for a in node.assets} | {SANDBOX_CHAIN_ID})
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
