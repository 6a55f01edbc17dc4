"""The client's home-channel calls on dialect 1 against the v1 sandbox watching anvil (127.0.0.1):
the node's config typed, request_creation and submit_state countersignatures verified against
the node's address, a lost answer learnt from the node's stored state, a lie refused."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.client import ClearNodeClient, ClearNodeError
from nitro_desktop.devnode import V1SandboxNode
from nitro_desktop.devnode.config import AssetConfig
from nitro_desktop.protocol import Dialect, RawKeySigner
from nitro_desktop.protocol.crypto import sign_digest
from nitro_desktop.protocol.v1 import home
from nitro_desktop.protocol.v1.deposit import sign_channel_state
from nitro_desktop.protocol.v1.home import ChannelDefinition, NodeSignatureMismatch
from tests.chainkit import AnvilHub, address_of
from tests.client.proxy import FaultProxy

pytestmark = pytest.mark.asyncio
NATIVE = "0x" + "00" * 20


async def _node(chain: AnvilHub, tmp_path: Path) -> V1SandboxNode:
    node = V1SandboxNode(
        port=0,
        db_path=tmp_path / "node.db",
        assets=[AssetConfig("eth", 18, NATIVE, chain.chain_id)],
        broker_key=chain.node_key,
        rpc_url=chain.url,
        hub_address=chain.hub,
        chain_id=chain.chain_id,
        poll_interval=0.05,
    )
    await node.start()
    return node


def _first_state(chain: AnvilHub, user: RawKeySigner, amount: str) -> tuple[dict, ChannelDefinition]:
    definition = ChannelDefinition(nonce=time.time_ns(), approved_sig_validators="0x03")
    state = home.next_state(home.void_state("eth", user.address))
    home.apply_channel_creation(state, definition, chain.chain_id, NATIVE, address_of(chain.node_key))
    home.apply_home_deposit(state, Decimal(amount))
    state["user_sig"] = sign_channel_state(state, user, 18)
    return state, definition


async def test_config_and_a_verified_creation_countersignature(chain: AnvilHub, tmp_path: Path) -> None:
    node = await _node(chain, tmp_path)
    user = RawKeySigner(chain.user_key)
    try:
        async with ClearNodeClient(node.url, Dialect.V1, timeout=5.0) as client:
            config = await client.v1.node_config()
            assert config.node_address == address_of(chain.node_key).lower()
            (info,) = config.blockchains
            assert (info.blockchain_id, info.channel_hub_address) == (chain.chain_id, chain.hub.lower())
            assert config.sig_validators == (0, 1)
            assert await client.v1.home_channel(user.address, "eth") is None

            state, definition = _first_state(chain, user, "1")
            signature = await client.v1.request_creation(state, definition, decimals=18)
            assert home.state_signer(state, signature, 18) == address_of(chain.node_key)
            channel = await client.v1.home_channel(user.address, "eth")
            assert channel is not None and channel.status == "void"  # not on-chain yet
            assert channel.channel_id == state["home_channel_id"] and channel.definition == definition

            # A second state is refused by the node until the chain holds the first: its own text.
            second = home.next_state({**state, "node_sig": signature})
            home.apply_home_deposit(second, Decimal(1))
            second["user_sig"] = sign_channel_state(second, user, 18)
            with pytest.raises(ClearNodeError):
                await client.v1.submit_state(second, decimals=18)
    finally:
        await node.stop()


async def test_a_lost_answer_is_learnt_from_the_node_and_a_lie_is_refused(
    chain: AnvilHub, tmp_path: Path
) -> None:
    node = await _node(chain, tmp_path)
    proxy = await FaultProxy(node.url).start()
    user = RawKeySigner(chain.user_key)
    try:
        async with ClearNodeClient(proxy.url, Dialect.V1, timeout=1.0) as client:
            await client.v1.node_config()
            proxy.lose_answer("channels.v1.request_creation")
            state, definition = _first_state(chain, user, "2")
            signature = await client.v1.request_creation(state, definition, decimals=18)
            assert proxy.seen["channels.v1.request_creation"] == 1  # not sent twice
            assert home.state_signer(state, signature, 18) == address_of(chain.node_key)

        stranger = RawKeySigner.generate()

        def lie(text: str) -> str:
            frame = json.loads(text)
            if isinstance(frame[3], dict) and "state" in frame[3] and frame[3]["state"]:
                frame[3]["state"]["node_sig"] = "0x00" + sign_digest(stranger, b"\x22" * 32)[2:]
            return json.dumps(frame)

        proxy.rewrite("channels.v1.get_latest_state", lie)
        async with ClearNodeClient(proxy.url, Dialect.V1, timeout=1.0) as client:
            proxy.lose_answer("channels.v1.request_creation")
            other = RawKeySigner(chain.other_key)
            state, definition = _first_state(chain, other, "1")
            with pytest.raises(NodeSignatureMismatch, match="nothing was sent"):
                await client.v1.request_creation(state, definition, decimals=18)
    finally:
        await proxy.stop()
        await node.stop()
