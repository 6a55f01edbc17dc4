"""Home-channel faults, each on the real ChannelHub on anvil with the v1 sandbox watching: a node
countersignature that does not verify, an RPC that does not answer, too little ETH for gas, a
"no", a crash, a reverted and a dropped transaction. Each gets its own message, nothing is
recorded as done that was not, and funds already committed show where they are."""

from __future__ import annotations

import asyncio
import contextlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import Dialect, RawKeySigner
from nitro_desktop.protocol.crypto import sign_digest
from nitro_desktop.store import ChainRecord
from nitro_desktop.wallet.channel_types import ChannelError, ChannelPlan, Declined
from nitro_desktop.wallet.home_channels import HomeChannels
from nitro_desktop.wallet.hub_chain import ChainHubPort
from tests.chain.hostile_rpc import hostile_rpc
from tests.chainkit import AnvilHub, free_port
from tests.client.proxy import FaultProxy
from tests.wallet.chainrig import ENDPOINT, ETH, ChannelRig, channel_rig, wei

pytestmark = pytest.mark.asyncio


def _steps(rig: ChannelRig) -> list[tuple[str, str]]:
    return [(o.kind, o.step) for o in rig.store.channel_operations.list(rig.me)]


def _nonce(rig: ChannelRig) -> int:
    return int(rig.chain.rpc("eth_getTransactionCount", rig.me, "latest"), 16)


def _restarted(rig: ChannelRig, client: ClearNodeClient | None = None) -> HomeChannels:
    """A new core over the same store and node, as after the app was killed and started again."""
    return HomeChannels(
        rig.store,
        client or rig.client,
        rig.accounts.signer(rig.me).unlocked(),
        lambda record, signer: ChainHubPort(record, signer, poll_interval=0.05),
        endpoint=ENDPOINT,
        credit_timeout=20.0,
    )


async def test_a_countersignature_that_does_not_verify_stops_everything(
    chain: AnvilHub, tmp_path: Path
) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        proxy = await FaultProxy(rig.node.url).start()
        stranger = RawKeySigner.generate()

        def lie(text: str) -> str:
            frame = json.loads(text)
            frame[3]["signature"] = "0x00" + sign_digest(stranger, b"\x11" * 32)[2:]
            return json.dumps(frame)

        proxy.rewrite("channels.v1.request_creation", lie)
        try:
            async with ClearNodeClient(proxy.url, Dialect.V1, timeout=10.0) as client:
                channels = _restarted(rig, client)
                nonce = _nonce(rig)
                with pytest.raises(ChannelError, match="does not verify — nothing was sent") as caught:
                    await channels.open("eth", Decimal(1), rig.confirm)
        finally:
            await proxy.stop()
        assert rig.node.broker_address.lower() in str(caught.value)  # names the node it expected
        assert rig.confirm.plans == []  # no plan was even made
        assert _nonce(rig) == nonce and chain.balance(chain.hub) == 0
        assert _steps(rig) == [("open", "failed")]


async def test_an_rpc_that_does_not_answer_is_named_before_anything_is_signed(
    chain: AnvilHub, tmp_path: Path
) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        dead = f"http://127.0.0.1:{free_port()}"
        rig.store.chains.save(ChainRecord(chain.chain_id, "anvil", dead))
        with pytest.raises(ChannelError) as caught:
            await rig.channels.open("eth", Decimal(1), rig.confirm)
        assert dead in str(caught.value)
        assert _steps(rig) == [] and await rig.client.v1.get_latest_state(rig.me, "eth") is None


async def test_too_little_eth_for_gas_then_resumed_once_funded(chain: AnvilHub, tmp_path: Path) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        chain.set_balance(rig.me, wei("1.0001"))  # the deposit, not the gas
        with pytest.raises(ChannelError, match="Not enough ETH for gas") as caught:
            await rig.channels.open("eth", Decimal(1), rig.confirm)
        assert "channel resume" in str(caught.value) and "Nothing was sent on-chain" in str(caught.value)
        assert _steps(rig) == [("open", "countersigned")]
        view = await rig.channels.show("eth")
        assert view.status == "void" and [op.step for op in view.pending] == ["countersigned"]
        assert chain.balance(chain.hub) == 0

        chain.set_balance(rig.me, 5 * ETH)
        (done,) = await _restarted(rig).resume(rig.confirm)
        assert done.step == "done" and chain.balance(chain.hub) == ETH
        assert _steps(rig) == [("open", "done")]
        assert (await rig.channels.show("eth")).status == "open"


async def test_a_no_leaves_the_state_with_the_node_and_a_restart_sends_it(
    chain: AnvilHub, tmp_path: Path
) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        await rig.channels.open("eth", Decimal(2), rig.confirm)
        rig.confirm.yes = False
        with pytest.raises(Declined, match="Nothing was sent on-chain"):
            await rig.channels.withdraw("eth", Decimal("0.5"), rig.confirm)
        assert _steps(rig) == [("open", "done"), ("withdraw", "countersigned")]
        assert chain.balance(chain.hub) == 2 * ETH
        pending = (await rig.channels.show("eth")).pending
        assert [(op.kind, op.amount) for op in pending] == [("withdraw", "0.5")]

        rig.confirm.yes = True
        (done,) = await _restarted(rig).resume(rig.confirm)
        assert done.step == "done" and chain.balance(chain.hub) == wei("1.5")
        assert await _restarted(rig).resume(rig.confirm) == []  # nothing is sent twice


async def test_a_reverted_deposit_is_failed_with_the_hubs_reason(chain: AnvilHub, tmp_path: Path) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        await rig.channels.open("eth", Decimal(1), rig.confirm)

        async def front_run(plan: ChannelPlan) -> bool:
            # The same deposit lands first (anvil's dev account is unlocked): ours then reverts on-chain.
            step = plan.steps[0]
            tx = {"from": rig.me, "to": step.to, "value": hex(step.value), "data": "0x" + step.data.hex()}
            tx["gas"] = hex(step.gas_limit)
            chain.rpc("eth_sendTransaction", tx)
            return True

        with pytest.raises(ChannelError, match="reverted") as caught:
            await rig.channels.deposit("eth", Decimal("0.5"), front_run)
        assert "Nothing was recorded as done" in str(caught.value)
        (op,) = [o for o in rig.store.channel_operations.list(rig.me) if o.kind == "deposit"]
        assert op.step == "failed" and op.tx_hash and "reverted" in op.error
        assert chain.balance(chain.hub) == wei("1.5")  # the deposit happened once, not twice


async def test_a_dropped_transaction_is_not_done_and_resume_sends_it_again(
    chain: AnvilHub, tmp_path: Path
) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        await rig.channels.open("eth", Decimal(1), rig.confirm)
        chain.automine(False)

        def drop(progress: object) -> None:
            if getattr(progress, "phase", "") == "sent":
                chain.drop(getattr(progress, "tx_hash", ""))

        unsubscribe = rig.channels.events.tx_progress.subscribe(drop)
        with pytest.raises(ChannelError, match="was dropped"):
            await rig.channels.deposit("eth", Decimal("0.25"), rig.confirm)
        unsubscribe()
        assert _steps(rig)[-1] == ("deposit", "dropped")
        assert chain.balance(chain.hub) == ETH

        chain.automine(True)
        (done,) = await _restarted(rig).resume(rig.confirm)
        assert done.step == "done" and chain.balance(chain.hub) == wei("1.25")


@pytest.mark.parametrize("node_got_it", [False, True], ids=["never-reached-the-node", "answer-lost"])
async def test_a_crash_while_the_node_is_asked_is_resolved_from_the_node(
    chain: AnvilHub, tmp_path: Path, node_got_it: bool
) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        proxy = await FaultProxy(rig.node.url).start()
        try:
            async with ClearNodeClient(proxy.url, Dialect.V1, timeout=10.0) as client:
                channels = _restarted(rig, client)
                await client.v1.node_config()
                if node_got_it:
                    proxy.go_dark_after("channels.v1.request_creation")
                else:
                    proxy.stall("channels.v1.request_creation")
                task = asyncio.ensure_future(channels.open("eth", Decimal(1), rig.confirm))
                while proxy.seen["channels.v1.request_creation"] == 0:
                    await asyncio.sleep(0.01)
                task.cancel()  # the app is killed while it waits for the node
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            await proxy.stop()
        assert _steps(rig) == [("open", "signed")]
        assert rig.confirm.plans == [] and chain.balance(chain.hub) == 0

        ended = await _restarted(rig).resume(rig.confirm)
        if node_got_it:
            assert [op.step for op in ended] == ["done"] and chain.balance(chain.hub) == ETH
        else:
            assert [op.step for op in ended] == ["failed"] and "never took" in ended[0].error
            assert chain.balance(chain.hub) == 0


async def test_a_send_whose_answer_is_lost_is_watched_not_sent_again(chain: AnvilHub, tmp_path: Path) -> None:
    async with channel_rig(chain, tmp_path) as rig:
        await rig.channels.open("eth", Decimal(1), rig.confirm)
        with hostile_rpc() as proxy:
            proxy.upstream = chain.url
            proxy.swallow.add("eth_sendRawTransaction")  # anvil takes it; the answer never comes back
            rig.store.chains.save(ChainRecord(chain.chain_id, "anvil", proxy.url))
            op = await _restarted(rig).deposit("eth", Decimal("0.5"), rig.confirm)
        assert op.step == "done" and chain.balance(chain.hub) == wei("1.5")  # once, not twice


async def test_a_transaction_the_rpc_refuses_after_its_hash_was_recorded_is_not_sent(
    chain: AnvilHub, tmp_path: Path
) -> None:
    """The hash goes on record before the broadcast; a refusal then takes the record back."""
    async with channel_rig(chain, tmp_path) as rig:
        recorded: list[str | None] = []
        rig.channels.events.operation_changed.subscribe(
            lambda op: recorded.append(op.tx_hash) if op.step == "sent" else None
        )

        async def yes_then_spent(_plan: ChannelPlan) -> bool:
            chain.set_balance(rig.me, wei("1.0001"))  # after the plan, before the send: no gas left
            return True

        with pytest.raises(ChannelError, match="Nothing was sent on-chain"):
            await rig.channels.open("eth", Decimal(1), yes_then_spent)
        assert len(recorded) == 1 and recorded[0] is not None  # it was on record before it went out
        assert chain.rpc("eth_getTransactionByHash", recorded[0]) is None
        (op,) = rig.store.channel_operations.list(rig.me)
        assert (op.step, op.tx_hash) == ("countersigned", None)
        assert _nonce(rig) == 0 and chain.balance(chain.hub) == 0

        chain.set_balance(rig.me, 5 * ETH)
        (done,) = await _restarted(rig).resume(rig.confirm)
        assert done.step == "done" and chain.balance(chain.hub) == ETH
