"""The RPC as a hostile or absent peer: wrong chain, no connection, oversized, slow or malformed answers.

Each fault gets its own sentence, and none of them lets a transaction out.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from nitro_desktop.chain import (
    Chain,
    ChainClient,
    RpcBadAnswer,
    RpcUnreachable,
    WrongChain,
    create_channel,
)
from tests.chain.helpers import HOME_DEPOSIT, HomeChannel, client
from tests.chain.hostile_rpc import hostile_rpc
from tests.chainkit import AnvilHub, free_port

pytestmark = pytest.mark.asyncio
HUB = "0x" + "11" * 20


def _client(url: str, chain_id: int = 31337, **kwargs: object) -> ChainClient:
    return ChainClient(Chain("test", chain_id, url, HUB), **kwargs)  # type: ignore[arg-type]


async def test_wrong_chain_id_is_refused_before_planning(chain: AnvilHub) -> None:
    rpc = ChainClient(Chain("mainnet?", 1, chain.url, chain.hub))
    home = HomeChannel(chain)
    call = create_channel(
        home.definition, home.next_state(HOME_DEPOSIT, Decimal(1)), node=chain.node, decimals=18
    )
    with pytest.raises(WrongChain) as wrong:
        await rpc.plan(call, chain.user)
    assert str(wrong.value) == f"Wrong chain: the RPC at {chain.url} is chain 31337, expected 1."


async def test_an_rpc_that_switches_chain_after_planning_gets_nothing(chain: AnvilHub) -> None:
    rpc = client(chain)
    home = HomeChannel(chain)
    call = create_channel(
        home.definition, home.next_state(HOME_DEPOSIT, Decimal(1)), node=chain.node, decimals=18
    )
    plan = await rpc.plan(call, chain.user)
    nonce = chain.rpc("eth_getTransactionCount", chain.user, "pending")
    chain.rpc("anvil_setChainId", 1)
    try:
        with pytest.raises(WrongChain, match="is chain 1, expected 31337"):
            await rpc.send(plan, home.user)
    finally:
        chain.rpc("anvil_setChainId", 31337)  # not part of the snapshot the fixture reverts to
    assert chain.rpc("eth_getTransactionCount", chain.user, "pending") == nonce


async def test_no_connection_names_the_rpc() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RpcUnreachable) as unreachable:
        await _client(url).check_chain()
    assert str(unreachable.value) == f"No connection to the RPC at {url}."


async def test_an_oversized_answer_is_refused() -> None:
    with hostile_rpc() as server:
        server.answers["eth_chainId"] = b'{"jsonrpc":"2.0","id":0,"result":"0x7a69"' + b" " * 5000 + b"}"
        with pytest.raises(RpcBadAnswer) as refused:
            await _client(server.url, max_bytes=4096).check_chain()
    assert str(refused.value) == f"The RPC at {server.url} sent an answer over 4 KiB; it was refused."


async def test_a_stalled_answer_times_out() -> None:
    with hostile_rpc() as server:
        server.stall.set()
        with pytest.raises(RpcUnreachable) as stalled:
            await _client(server.url, timeout=0.3).check_chain()
    assert str(stalled.value) == f"The RPC at {server.url} took longer than 0.3 s to answer."


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>not json</html>",
        b"[" * 100_000,
        b'{"jsonrpc":"2.0","id":0}',
        b'{"result":"0x' + b"9" * 5000 + b'"}',
    ],
    ids=["html", "deep", "no-result", "huge-number"],
)
async def test_a_malformed_answer_is_refused_in_our_words(answer: bytes) -> None:
    with hostile_rpc() as server:
        server.answers["eth_chainId"] = answer
        with pytest.raises(RpcBadAnswer) as refused:
            await _client(server.url).check_chain()
    assert str(refused.value).startswith(f"The RPC at {server.url} ")
    assert "9999" not in str(refused.value) and "html" not in str(refused.value)


async def test_a_hub_that_answers_garbage_is_not_a_hub() -> None:
    with hostile_rpc() as server:
        server.answers.update({"eth_chainId": "0x7a69", "eth_getCode": "0x6001", "eth_call": "0x1234"})
        with pytest.raises(RpcBadAnswer) as refused:
            await _client(server.url).check_hub()
    assert str(refused.value) == f"The ChannelHub at {HUB} did not answer VERSION as a ChannelHub does."


async def test_a_stalled_rpc_never_blocks_the_event_loop() -> None:
    with hostile_rpc() as server:
        server.stall.set()
        call = asyncio.ensure_future(_client(server.url, timeout=20).check_chain())
        for _ in range(20):  # the loop keeps turning while the RPC says nothing
            await asyncio.sleep(0.01)
        assert not call.done()
        server.release.set()  # the server hangs up without answering
        with pytest.raises(RpcUnreachable, match="No connection to the RPC at"):
            await call


async def test_an_api_key_in_the_rpc_url_never_shows() -> None:
    url = f"http://127.0.0.1:{free_port()}/v3/s3cr3tk3y?token=t0k3n"
    record = Chain("hosted", 1, url, HUB)
    rpc = ChainClient(record)
    with pytest.raises(RpcUnreachable) as unreachable:
        await rpc.check_chain()
    shown = url.split("/v3")[0] + "/…"
    assert str(unreachable.value) == f"No connection to the RPC at {shown}."
    for text in (str(unreachable.value), repr(record), repr(rpc), repr(rpc.w3.provider)):
        assert "s3cr3t" not in text and "t0k3n" not in text
