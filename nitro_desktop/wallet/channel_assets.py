"""Which token an asset is on which chain, as the node lists it (``node.v1.get_assets``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import ProtocolError
from nitro_desktop.protocol.v1.values import normalize_address, parse_uint
from nitro_desktop.wallet.channel_types import ChannelError

MAX_DECIMALS = 77
NATIVE = "0x" + "00" * 20


@dataclass(frozen=True, slots=True)
class AssetOnChain:
    symbol: str
    chain_id: int
    token: str  # the token contract; the zero address for the chain's native coin
    decimals: int  # the token's (what channel states are scaled by)

    @property
    def native(self) -> bool:
        return self.token.lower() == NATIVE


def _token(raw: Any, chain_id: int) -> AssetOnChain | None:
    if not isinstance(raw, dict):
        return None
    try:
        if parse_uint(raw.get("blockchain_id"), "blockchain_id") != chain_id:
            return None
        decimals = raw.get("decimals")
        if type(decimals) is not int or not 0 <= decimals <= MAX_DECIMALS:
            raise ProtocolError("token decimals out of range")
        normalize_address(raw.get("address"))  # checked; kept as the node spells it
        return AssetOnChain(str(raw.get("symbol", ""))[:32], chain_id, str(raw["address"]), decimals)
    except ProtocolError:
        return None


async def find_asset(client: ClearNodeClient, asset: str, chain_id: int | None) -> AssetOnChain:
    """The asset's token on ``chain_id`` (default: the node's suggested chain for it)."""
    assets = await client.v1.get_assets()
    entry = next((a for a in assets if a.get("symbol") == asset), None)
    if entry is None:
        known = ", ".join(str(a.get("symbol"))[:32] for a in assets[:20]) or "none"
        raise ChannelError(f"The node has no asset {asset[:32]!r} (it has: {known}).")
    if chain_id is None:
        try:
            chain_id = parse_uint(entry.get("suggested_blockchain_id"), "suggested_blockchain_id")
        except ProtocolError:
            raise ChannelError(f"The node suggests no chain for {asset}: name one with --chain-id.") from None
    tokens = entry.get("tokens")
    tokens = tokens if isinstance(tokens, list) else []
    for raw in tokens[:64]:
        found = _token(raw, chain_id)
        if found is not None:
            return AssetOnChain(asset, chain_id, found.token, found.decimals)
    raise ChannelError(f"The node has no {asset} token on chain {chain_id}.")
