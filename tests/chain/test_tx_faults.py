"""Transactions that do not simply succeed, on anvil: no ETH for gas, reverted when mined,
dropped from the pool, reorged out; and sends from one account racing for a nonce."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from nitro_desktop.chain import (
    Chain,
    ChainClient,
    InsufficientFunds,
    SendUncertain,
    SentTx,
    TxState,
    TxStatus,
    create_channel,
    deposit_to_channel,
)
from tests.chain.helpers import ETH, HOME_DEPOSIT, HomeChannel, client, send_and_wait
from tests.chain.hostile_rpc import hostile_rpc
from tests.chainkit import CHAIN_ID, AnvilHub

pytestmark = pytest.mark.asyncio


def _settled(seen: list[TxStatus]) -> list[TxStatus]:
    """The statuses after any first "pending": anvil's automine lands a moment after the send."""
    return seen[1:] if seen and seen[0].state is TxState.PENDING else seen


def _opening(chain: AnvilHub, amount: str = "1", nonce: int = 1) -> tuple[HomeChannel, object]:
    home = HomeChannel(chain, nonce=nonce)
    state = home.next_state(HOME_DEPOSIT, Decimal(amount))
    return home, create_channel(home.definition, state, node=chain.node, decimals=18)


async def test_the_plan_shows_gas_fees_and_total_before_anything_is_sent(chain: AnvilHub) -> None:
    home, call = _opening(chain, "0.25")
    plan = await client(chain).plan(call, chain.user)  # type: ignore[arg-type]
    assert plan.value == ETH // 4
    assert 0 < plan.gas_estimate < plan.gas_limit
    assert plan.max_fee_per_gas >= plan.max_priority_fee_per_gas > 0
    assert plan.max_total == plan.value + plan.gas_limit * plan.max_fee_per_gas
    rows = dict(plan.summary())
    assert rows["What"] == "Open a home channel for eth and deposit 0.25 eth"
    assert rows["Value"] == "0.25 ETH"
    assert rows["Chain"] == "anvil (chain id 31337)"
    assert rows["Network fee"].startswith("at most 0.")
    assert plan.data == call.data and call.data.hex() not in repr(plan)  # type: ignore[attr-defined]
    assert (await client(chain).channel_data(home.channel_id)).status == "void"


async def test_not_enough_eth_for_the_value(chain: AnvilHub) -> None:
    _, call = _opening(chain, "2")
    chain.set_balance(chain.user, ETH)
    with pytest.raises(InsufficientFunds) as poor:
        await client(chain).plan(call, chain.user)  # type: ignore[arg-type]
    assert str(poor.value) == f"{chain.user} holds 1 ETH on anvil; this needs 2 ETH plus the network fee."


async def test_not_enough_eth_for_gas(chain: AnvilHub) -> None:
    _, call = _opening(chain, "1")
    chain.set_balance(chain.user, ETH + 1000)
    with pytest.raises(InsufficientFunds) as poor:
        await client(chain).plan(call, chain.user)  # type: ignore[arg-type]
    assert str(poor.value).startswith(
        f"Not enough ETH for gas: {chain.user} holds 1.000000000000001 ETH on anvil; this needs up to 1."
    )


async def test_eth_gone_between_plan_and_send_sends_nothing(chain: AnvilHub) -> None:
    home, call = _opening(chain, "1")
    rpc = client(chain)
    plan = await rpc.plan(call, chain.user)  # type: ignore[arg-type]
    chain.set_balance(chain.user, ETH // 2)
    with pytest.raises(InsufficientFunds, match="Nothing was sent"):
        await rpc.send(plan, home.user)
    assert chain.rpc("eth_getBlockByNumber", "pending", False)["transactions"] == []


async def test_a_transaction_reverted_when_mined_says_why(chain: AnvilHub) -> None:
    rpc = client(chain)
    home, call = _opening(chain, "1")
    _, status = await send_and_wait(rpc, call, home.user)  # type: ignore[arg-type]
    again = deposit_to_channel(home.next_state(HOME_DEPOSIT, Decimal("0.5")), decimals=18)
    first, second = await rpc.plan(again, chain.user), await rpc.plan(again, chain.user)
    assert (await rpc.wait(await rpc.send(first, home.user))).state is TxState.CONFIRMED
    sent = await rpc.send(second, home.user)  # the same state again: version no longer newer
    status = await rpc.wait(sent)
    assert status.state is TxState.REVERTED
    assert status.reason == "IncorrectStateVersion"
    assert status.message == (
        f"The transaction failed in block {status.block} on anvil: the state's version is not newer than"
        " the channel's (IncorrectStateVersion). It still cost its gas; nothing else changed."
    )
    data = await rpc.channel_data(home.channel_id)
    assert (data.version, data.home.user_allocation) == (2, 15 * ETH // 10)


async def test_a_dropped_transaction_is_reported_and_its_nonce_reused(chain: AnvilHub) -> None:
    rpc = client(chain)
    home, call = _opening(chain, "1")
    plan = await rpc.plan(call, chain.user)  # type: ignore[arg-type]
    chain.automine(False)
    sent = await rpc.send(plan, home.user)
    seen: list[TxStatus] = []
    async for status in rpc.watch(sent):
        seen.append(status)
        if status.state is TxState.PENDING:
            chain.drop(sent.tx_hash)
    assert [s.state for s in seen] == [TxState.PENDING, TxState.DROPPED]
    assert seen[-1].message == (
        "The transaction was dropped by the RPC of anvil without being mined: nothing happened on chain"
        " and no fee was paid."
    )
    chain.automine(True)
    again = await rpc.send(await rpc.plan(call, chain.user), home.user)  # type: ignore[arg-type]
    assert again.nonce == sent.nonce
    assert (await rpc.wait(again)).state is TxState.CONFIRMED


@pytest.mark.parametrize("how", ["anvil_reorg", "evm_revert"])
async def test_a_reorged_out_transaction_is_not_reported_as_done(chain: AnvilHub, how: str) -> None:
    rpc = client(chain)
    home, call = _opening(chain, "1")
    plan = await rpc.plan(call, chain.user)  # type: ignore[arg-type]
    before = chain.snapshot()
    sent = await rpc.send(plan, home.user)
    seen: list[TxStatus] = []
    async for status in rpc.watch(sent, confirmations=3):
        seen.append(status)
        if status.state is TxState.MINED:
            if how == "anvil_reorg":
                chain.rpc("anvil_reorg", 1, [])
            else:
                chain.revert(before)
    seen = _settled(seen)
    assert [s.state for s in seen] == [TxState.MINED, TxState.REORGED]
    assert seen[0].message == f"Mined in block {seen[0].block} on anvil: 1 of 3 confirmations."
    assert "it has not happened" in seen[-1].message
    assert (await rpc.channel_data(home.channel_id)).status == "void"


async def test_confirmations_are_counted_until_enough(chain: AnvilHub) -> None:
    rpc = client(chain)
    home, call = _opening(chain, "1")
    sent = await rpc.send(await rpc.plan(call, chain.user), home.user)  # type: ignore[arg-type]
    seen: list[TxStatus] = []
    async for status in rpc.watch(sent, confirmations=2):
        seen.append(status)
        if status.state is TxState.MINED:
            chain.mine(1)
    assert [(s.state, s.confirmations) for s in _settled(seen)] == [
        (TxState.MINED, 1),
        (TxState.CONFIRMED, 2),
    ]


async def test_concurrent_sends_from_one_account_take_consecutive_nonces(chain: AnvilHub) -> None:
    rpc = client(chain)
    calls = [_opening(chain, "1", nonce=n) for n in (1, 2, 3)]
    plans = [await rpc.plan(call, chain.user) for _, call in calls]  # type: ignore[arg-type]
    sent = await asyncio.gather(
        *(rpc.send(plan, home.user) for (home, _), plan in zip(calls, plans, strict=True))
    )
    first = min(s.nonce for s in sent)
    assert sorted(s.nonce for s in sent) == [first, first + 1, first + 2]
    finals = await asyncio.gather(*(rpc.wait(s) for s in sent))
    assert [f.state for f in finals] == [TxState.CONFIRMED] * 3
    for home, _ in calls:
        assert (await rpc.channel_data(home.channel_id)).status == "operating"


async def test_watching_outlives_an_rpc_outage(chain: AnvilHub) -> None:
    with hostile_rpc() as proxy:
        proxy.upstream = chain.url
        rpc = ChainClient(Chain("anvil", CHAIN_ID, proxy.url, chain.hub), poll_interval=0.05)
        home, call = _opening(chain)
        plan = await rpc.plan(call, chain.user)  # type: ignore[arg-type]
        chain.automine(False)
        sent = await rpc.send(plan, home.user)
        seen: list[TxStatus] = []
        async for status in rpc.watch(sent):
            seen.append(status)
            if status.state is TxState.PENDING:
                proxy.down.set()
            elif status.state is TxState.UNKNOWN:
                chain.mine(1)
                proxy.down.clear()
    assert [s.state for s in seen] == [TxState.PENDING, TxState.UNKNOWN, TxState.CONFIRMED]
    assert seen[1].message == (
        f"No connection to the RPC at {proxy.url}. The transaction's status is unknown until it"
        " answers again; retrying."
    )


async def test_an_answer_lost_while_sending_leaves_a_transaction_to_watch(chain: AnvilHub) -> None:
    with hostile_rpc() as proxy:
        proxy.upstream = chain.url
        proxy.swallow.add("eth_sendRawTransaction")
        rpc = ChainClient(Chain("anvil", CHAIN_ID, proxy.url, chain.hub), poll_interval=0.05)
        home, call = _opening(chain)
        with pytest.raises(SendUncertain) as uncertain:
            await rpc.send(await rpc.plan(call, chain.user), home.user)  # type: ignore[arg-type]
        assert "watch it before sending again" in str(uncertain.value)
        sent = uncertain.value.sent
        assert isinstance(sent, SentTx)
        assert (await rpc.wait(sent)).state is TxState.CONFIRMED
    assert (await client(chain).channel_data(home.channel_id)).status == "operating"


async def test_the_hash_is_handed_over_before_the_transaction_leaves(chain: AnvilHub) -> None:
    """A wallet records the hash in ``on_signed``: had the process died while the RPC took the
    transaction, the record would still name it (the RPC does not know it yet at that moment)."""
    home, call = _opening(chain, "1")
    rpc = client(chain)
    plan = await rpc.plan(call, chain.user)  # type: ignore[arg-type]
    known_then: list[object] = []

    def signed(sent: SentTx) -> None:
        known_then.append(chain.rpc("eth_getTransactionByHash", sent.tx_hash))

    sent = await rpc.send(plan, home.user, on_signed=signed)
    assert known_then == [None]
    status = await rpc.wait(sent)
    assert status.state in (TxState.MINED, TxState.CONFIRMED)
    assert chain.rpc("eth_getTransactionByHash", sent.tx_hash)["hash"] == sent.tx_hash


async def test_a_hook_that_cannot_record_the_hash_sends_nothing(chain: AnvilHub) -> None:
    home, call = _opening(chain, "1")
    rpc = client(chain)
    plan = await rpc.plan(call, chain.user)  # type: ignore[arg-type]

    def full_disk(_sent: SentTx) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await rpc.send(plan, home.user, on_signed=full_disk)
    assert chain.rpc("eth_getBlockByNumber", "pending", False)["transactions"] == []
    assert int(chain.rpc("eth_getTransactionCount", chain.user, "pending"), 16) == 0
