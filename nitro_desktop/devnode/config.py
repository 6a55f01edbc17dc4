"""Static configuration of a sandbox node: assets, networks and faucet specs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nitro_desktop.protocol import parse_address, parse_amount

# A sandbox has no chain; these stand in for the networks the real node reports.
SANDBOX_CHAIN_ID = 1337
SANDBOX_CUSTODY = "0x019B65A265EB3363822f2752141b3dF16131b262"
SANDBOX_ADJUDICATOR = "0x7c7ccbc98469190849BCC6c926307794fDfB11F2"


@dataclass(frozen=True, slots=True)
class AssetConfig:
    """One asset the node keeps a ledger for."""

    symbol: str
    decimals: int
    token: str = "0x0000000000000000000000000000000000000000"  # noqa: S105 - a token address
    chain_id: int = SANDBOX_CHAIN_ID

    def to_wire(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "chain_id": self.chain_id,
            "symbol": self.symbol,
            "decimals": self.decimals,
        }


DEFAULT_ASSETS: tuple[AssetConfig, ...] = (
    AssetConfig("usdc", 6, "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238"),
    AssetConfig("eth", 18, "0x0000000000000000000000000000000000000000"),
)


def normalise_assets(
    assets: Iterable[AssetConfig | Mapping[str, Any]] | Mapping[str, int] | None,
) -> tuple[AssetConfig, ...]:
    """Accept ``None`` (defaults), ``{"usdc": 6}``, dicts or ``AssetConfig`` objects."""
    if assets is None:
        return DEFAULT_ASSETS
    if isinstance(assets, Mapping):
        return tuple(AssetConfig(str(symbol), int(decimals)) for symbol, decimals in assets.items())
    out: list[AssetConfig] = []
    for item in assets:
        if isinstance(item, AssetConfig):
            out.append(item)
        else:
            out.append(AssetConfig(**dict(item)))
    if len({a.symbol for a in out}) != len(out):
        raise ValueError("asset symbols must be unique")
    return tuple(out)


def networks() -> list[dict[str, Any]]:
    return [
        {
            "name": "sandbox",
            "chain_id": SANDBOX_CHAIN_ID,
            "custody_address": SANDBOX_CUSTODY,
            "adjudicator_address": SANDBOX_ADJUDICATOR,
        }
    ]


def parse_fund_spec(text: str) -> tuple[str, str, Decimal]:
    """``ADDRESS:ASSET:AMOUNT`` -> (EIP-55 address, asset, amount)."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"expected ADDRESS:ASSET:AMOUNT, got {text!r}")
    address = parse_address(parts[0], what="fund address")
    asset = parts[1].strip()
    if not asset:
        raise ValueError(f"missing asset in {text!r}")
    return address, asset, parse_amount(parts[2], what="fund amount")
