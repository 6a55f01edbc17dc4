"""The decisive check: states packed by our ``pack_state`` and signed as upstream signs them are
accepted by the real ChannelHub on anvil, through a whole home-channel life in native ETH."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nitro_desktop.chain import (
    TransactionReverted,
    TxState,
    challenge_channel,
    checkpoint_channel,
    close_channel,
    create_channel,
    deposit_to_channel,
    hub_events,
    withdraw_from_channel,
)
from nitro_desktop.protocol.v1.deposit import sign_channel_state
from tests.chain.helpers import (
    ETH,
    FINALIZE,
    HOME_DEPOSIT,
    HOME_WITHDRAWAL,
    TRANSFER_SEND,
    HomeChannel,
    client,
    send_and_wait,
    signer,
)
from tests.chainkit import AnvilHub

pytestmark = pytest.mark.asyncio


async def test_create_deposit_withdraw_close_with_our_signed_states(chain: AnvilHub) -> None:
    rpc = client(chain)
    home = HomeChannel(chain)
    user = home.user
    assert await rpc.check_hub() == 1

    first = home.next_state(HOME_DEPOSIT, Decimal("1.5"))
    call = create_channel(home.definition, first, node=home.node.address, decimals=18)
    assert call.value == 15 * ETH // 10
    sent, status = await send_and_wait(rpc, call, user)
    assert status.state is TxState.CONFIRMED, status.message
    names = [event.name for event in hub_events(status.logs, chain.hub)]
    assert names == ["ChannelDeposited", "ChannelCreated"]
    data = await rpc.channel_data(home.channel_id)
    assert (data.status, data.version, data.user, data.node) == (
        "operating",
        1,
        user.address,
        home.node.address,
    )
    assert (data.home.user_allocation, data.locked_funds) == (15 * ETH // 10, 15 * ETH // 10)
    assert chain.balance(chain.hub) == 15 * ETH // 10

    _, status = await send_and_wait(
        rpc, deposit_to_channel(home.next_state(HOME_DEPOSIT, Decimal("0.5")), decimals=18), user
    )
    assert status.state is TxState.CONFIRMED, status.message
    data = await rpc.channel_data(home.channel_id)
    assert (data.version, data.home.user_allocation, data.locked_funds) == (2, 2 * ETH, 2 * ETH)
    assert chain.balance(chain.hub) == 2 * ETH

    before = chain.balance(user.address)
    sent, status = await send_and_wait(
        rpc, withdraw_from_channel(home.next_state(HOME_WITHDRAWAL, Decimal("0.7")), decimals=18), user
    )
    assert status.state is TxState.CONFIRMED, status.message
    receipt = chain.rpc("eth_getTransactionReceipt", sent.tx_hash)
    fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
    assert chain.balance(user.address) == before + 7 * ETH // 10 - fee
    data = await rpc.channel_data(home.channel_id)
    assert (data.version, data.home.user_allocation) == (3, 13 * ETH // 10)
    assert chain.balance(chain.hub) == 13 * ETH // 10

    before = chain.balance(user.address)
    sent, status = await send_and_wait(
        rpc, close_channel(home.next_state(FINALIZE, Decimal(0)), decimals=18), user
    )
    assert status.state is TxState.CONFIRMED, status.message
    assert [event.name for event in hub_events(status.logs, chain.hub)] == ["ChannelClosed"]
    receipt = chain.rpc("eth_getTransactionReceipt", sent.tx_hash)
    fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
    assert chain.balance(user.address) == before + 13 * ETH // 10 - fee
    data = await rpc.channel_data(home.channel_id)
    assert (data.status, data.locked_funds) == ("closed", 0)
    assert chain.balance(chain.hub) == 0


@pytest.mark.parametrize("wrong", ["user", "node"])
async def test_a_wrongly_signed_state_is_refused_with_the_decoded_reason(chain: AnvilHub, wrong: str) -> None:
    rpc = client(chain)
    home = HomeChannel(chain)
    stranger = signer(chain.other_key)
    state = home.next_state(HOME_DEPOSIT, Decimal(1), user_signer=stranger if wrong == "user" else None)
    if wrong == "node":  # the user's signature is right; the node's is the stranger's
        state["node_sig"] = sign_channel_state(state, stranger, 18)
    call = create_channel(home.definition, state, node=home.node.address, decimals=18)
    nonce_before = chain.rpc("eth_getTransactionCount", home.user.address, "pending")
    with pytest.raises(TransactionReverted) as refused:
        await rpc.plan(call, home.user.address)
    assert refused.value.reason == "IncorrectSignature"
    assert str(refused.value) == (
        "The ChannelHub would refuse this (createChannel): a signature on the state does not match"
        " the user or the node (IncorrectSignature). Nothing was sent."
    )
    assert chain.rpc("eth_getTransactionCount", home.user.address, "pending") == nonce_before
    data = await rpc.channel_data(home.channel_id)
    assert data.status == "void"


async def test_checkpoint_then_challenge_with_our_challenge_packing(chain: AnvilHub) -> None:
    rpc = client(chain)
    home = HomeChannel(chain)
    user = home.user
    first = home.next_state(HOME_DEPOSIT, Decimal(1))
    _, status = await send_and_wait(
        rpc, create_channel(home.definition, first, node=chain.node, decimals=18), user
    )
    assert status.state is TxState.CONFIRMED, status.message

    paid = home.next_state(TRANSFER_SEND, Decimal("0.25"))  # an operate state: 0.25 paid out off-chain
    _, status = await send_and_wait(rpc, checkpoint_channel(paid, decimals=18), user)
    assert status.state is TxState.CONFIRMED, status.message
    data = await rpc.channel_data(home.channel_id)
    assert (data.version, data.home.user_allocation, data.locked_funds) == (2, 3 * ETH // 4, 3 * ETH // 4)
    (node_vault,) = await rpc.call_view("getNodeBalance", "0x" + "00" * 20)
    assert node_vault == ETH // 4

    # A challenge signed over the plain packing (no "challenge" suffix) is not a challenge signature.
    wrong = sign_channel_state(paid, user, 18)
    refused = challenge_channel(paid, bytes.fromhex(wrong[2:]), challenger_is_node=False, decimals=18)
    with pytest.raises(TransactionReverted) as error:
        await rpc.plan(refused, user.address)
    assert error.value.reason == "IncorrectSignature"

    challenge = sign_channel_state(paid, user, 18, challenge=True)
    call = challenge_channel(paid, bytes.fromhex(challenge[2:]), challenger_is_node=False, decimals=18)
    _, status = await send_and_wait(rpc, call, user)
    assert status.state is TxState.CONFIRMED, status.message
    assert [event.name for event in hub_events(status.logs, chain.hub)] == ["ChannelChallenged"]
    data = await rpc.channel_data(home.channel_id)
    assert data.status == "disputed" and data.challenge_expiry > 0
