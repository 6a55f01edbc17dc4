"""The window's way in: ``Wallet.home_channels()`` on the current v1 connection, its events on
``Wallet.channel_events`` (subscribed once, kept across reconnects), on anvil with the sandbox."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.store import ChainRecord, EndpointRecord
from nitro_desktop.wallet.channel_types import ChannelError, ChannelPlan
from nitro_desktop.wallet.endpoints import SANDBOX_NAME
from tests.chainkit import AnvilHub
from tests.wallet.chainrig import ETH, channel_rig
from tests.wallet.helpers import wallet_rig

pytestmark = pytest.mark.asyncio


async def test_the_wallet_opens_a_home_channel_for_the_current_account(
    chain: AnvilHub, tmp_path: Path
) -> None:
    async with channel_rig(chain, tmp_path / "node") as node_rig, wallet_rig(tmp_path) as rig:
        wallet = rig.wallet
        chain.set_balance(rig.me, 10 * ETH)
        rig.store.endpoints.save(EndpointRecord("anvil node", node_rig.node.url, "1"))
        rig.store.chains.save(ChainRecord(chain.chain_id, "anvil", chain.url))
        heard: list[object] = []
        for event in (wallet.channel_events.operation_changed, wallet.channel_events.channel_changed):
            event.subscribe(heard.append)
        plans: list[ChannelPlan] = []

        async def yes(plan: ChannelPlan) -> bool:
            plans.append(plan)
            return True

        await wallet.connect_to(SANDBOX_NAME, rig.me)
        with pytest.raises(ChannelError, match="no home channels"):
            await wallet.home_channels()
        await wallet.connect_to("anvil node", rig.me)
        channels = await wallet.home_channels()
        op = await channels.open("eth", Decimal(3), yes)
        assert op.step == "done" and chain.balance(chain.hub) == 3 * ETH
        assert plans[0].sender == rig.me and plans[0].steps[0].value == 3 * ETH
        await wallet.refresh_balances()
        assert wallet.balances["eth"] == Decimal(3)  # the node credits what the chain holds
        views = [h for h in heard if type(h).__name__ == "ChannelView"]
        assert views and views[-1].on_chain_locked == Decimal(3)  # type: ignore[attr-defined]
        assert [getattr(h, "step", None) for h in heard if type(h).__name__ != "ChannelView"] == [
            "signed",
            "countersigned",
            "sent",
            "done",
        ]
        saved = rig.store.chains.get(chain.chain_id)
        assert saved is not None and saved.hub_address == chain.hub.lower()  # the node's hub, kept
