"""The whole v1 funds path through the wallet core, against upstream's ChannelHub on anvil and
the v1 sandbox watching it (all on 127.0.0.1): open with a deposit, deposit more, fund a
session from the home channel, operate, close (the Release comes home), withdraw, close the
channel; the ETH is counted on-chain at every step."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.protocol import AppDefinition
from tests.chainkit import AnvilHub
from tests.wallet.chainrig import ETH, channel_rig, wei

pytestmark = pytest.mark.asyncio
OTHER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # a participant without funds


def _fee(chain: AnvilHub, tx_hash: str | None) -> int:
    receipt = chain.rpc("eth_getTransactionReceipt", tx_hash)
    return int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)


async def test_open_deposit_fund_a_session_release_withdraw_close(chain: AnvilHub, tmp_path: Path) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        channels, me = rig.channels, rig.me
        start = rig.eth()

        # open with 1.5 ETH: the plan is shown before anything is sent
        op = await channels.open("eth", Decimal("1.5"), rig.confirm)
        assert op.kind == "open" and op.step == "done" and op.tx_hash
        (plan,) = rig.confirm.plans
        assert [s.to.lower() for s in plan.steps] == [chain.hub.lower()] and plan.steps[0].value == wei("1.5")
        assert "Open a home channel for eth" in plan.steps[0].description
        assert plan.steps[0].max_fee > 0 and plan.affordable
        assert chain.balance(chain.hub) == wei("1.5")
        assert rig.eth() == start - wei("1.5") - _fee(chain, op.tx_hash)
        view = await channels.show("eth")
        assert (view.status, view.off_chain, view.on_chain_locked) == ("open", Decimal("1.5"), Decimal("1.5"))
        assert view.pending == ()
        steps = [o.step for o in rig.heard["operation_changed"]]
        assert steps == ["signed", "countersigned", "sent", "done"]
        phases = [p.phase for p in rig.heard["tx_progress"]]
        assert phases[0] == "sent" and "mined" in phases and phases[-1] == "credited"

        # deposit 0.5 more
        op = await channels.deposit("eth", Decimal("0.5"), rig.confirm)
        assert op.step == "done" and chain.balance(chain.hub) == 2 * ETH
        assert (await channels.show("eth")).off_chain == Decimal(2)

        # fund a session from the home channel (off-chain: a commit), operate, close (release)
        client = rig.client
        definition = AppDefinition(
            protocol="",
            participants=(me, OTHER),
            weights=(100, 0),
            quorum=100,
            challenge=0,
            nonce=7,
            application="walletchain",
        )
        signer = rig.accounts.signer(me).unlocked()
        session = await client.create_app_session(definition, [], [signer])
        funded = await client.deposit(session.app_session_id, "eth", Decimal("0.4"), signer, [signer])
        assert funded.version == 2
        assert (await channels.show("eth")).off_chain == Decimal("1.6")  # 0.4 is in the session now
        assert chain.balance(chain.hub) == 2 * ETH  # nothing moved on-chain
        moved = await client.v1.update(
            session.app_session_id, "operate", [(me.lower(), "eth", "0.4")], [signer], session_data='{"m":1}'
        )
        assert moved.version == 3
        await client.v1.update(session.app_session_id, "close", [(me.lower(), "eth", "0.4")], [signer])
        latest = await client.v1.get_latest_state(me, "eth")
        assert latest is not None and latest["transition"]["type"] == 41  # the Release came home
        assert (await channels.show("eth")).off_chain == Decimal(2)

        # withdraw 0.7: it reaches the wallet
        before = rig.eth()
        op = await channels.withdraw("eth", Decimal("0.7"), rig.confirm)
        assert op.step == "done"
        assert rig.eth() == before + wei("0.7") - _fee(chain, op.tx_hash)
        assert chain.balance(chain.hub) == wei("1.3")

        # close: the rest comes back, the channel is closed on-chain and on the node
        before = rig.eth()
        op = await channels.close("eth", rig.confirm)
        assert op.step == "done" and op.amount == "1.3"
        assert rig.eth() == before + wei("1.3") - _fee(chain, op.tx_hash)
        assert chain.balance(chain.hub) == 0
        view = await channels.show("eth")
        assert view.status in ("", "closed")  # a closed home channel is no longer listed
        assert view.off_chain == 0 and view.pending == ()
        credited = [p for p in rig.heard["tx_progress"] if p.phase == "credited"]
        assert len(credited) == 4  # the node saw each of the four transactions
        kinds = [(o.kind, o.step) for o in rig.store.channel_operations.list(me)]
        assert kinds == [("open", "done"), ("deposit", "done"), ("withdraw", "done"), ("close", "done")]
        assert json.loads(rig.store.channel_operations.list(me)[0].state_json)["node_sig"].startswith("0x00")
