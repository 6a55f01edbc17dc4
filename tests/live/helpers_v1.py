"""Building blocks of the dialect "1" live tests: definitions, signers, funding the session."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import RawKeySigner
from tests.live.conftest import LiveTarget
from tests.live.helpers import APP, fresh_nonce

NO_ASSETS = (
    "the node supports no assets (nitronode without a blockchain drops every asset): "
    "only sessions with empty allocations can run there"
)
#: nitronode's duplicate-create refusal, verbatim (PostgreSQL's text inside two wrappers).
DUPLICATE_CREATE_TEXT = (
    "failed to create app session: failed to create app session: ERROR: duplicate key value "
    'violates unique constraint "app_sessions_v1_pkey" (SQLSTATE 23505)'
)


def v1_definition(
    signers: list[RawKeySigner], weights: list[int], quorum: int, *, nonce: int | None = None
) -> dict[str, Any]:
    return {
        "application_id": APP,
        "participants": [
            {"wallet_address": s.address, "signature_weight": w}
            for s, w in zip(signers, weights, strict=True)
        ],
        "quorum": quorum,
        "nonce": str(fresh_nonce() if nonce is None else nonce),
    }


def participant_set(definition: Any) -> set[tuple[str, int]]:
    """Participants as a set: nitronode returns them in no reliable order."""
    return {(p.wallet_address.lower(), p.signature_weight) for p in definition.participants}


async def funded_asset(client: ClearNodeClient, target: LiveTarget) -> tuple[str, int]:
    """The live asset and its decimals, or skip: a node with no assets cannot fund a session."""
    assets = await client.v1.get_assets()
    if not assets:
        pytest.skip(NO_ASSETS)
    for asset in assets:
        if asset.get("symbol") == target.asset:
            return target.asset, int(asset.get("decimals", 0))
    pytest.skip(f"the node has no {target.asset!r} asset (it has {[a.get('symbol') for a in assets]})")


async def channel_balance(client: ClearNodeClient, wallet: str, asset: str) -> Decimal:
    for item in await client.v1.get_balances(wallet):
        if item.get("asset") == asset:
            return Decimal(str(item.get("amount", "0")))
    return Decimal(0)
