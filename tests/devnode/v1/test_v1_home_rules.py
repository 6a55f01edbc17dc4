"""``request_creation`` / ``submit_state`` checks in nitronode's order with its texts.

The node is given a chain whose RPC is not there (a closed loopback port): the rules need no
chain, as upstream's handler tests need none, and nothing the client says opens a channel.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from websockets.asyncio.client import connect

from nitro_desktop.devnode import V1SandboxNode
from nitro_desktop.protocol import RawKeySigner
from tests.devnode.v1.helper import (
    KEY_A,
    KEY_B,
    V1Client,
    commit_state,
    create_sig,
    definition,
    update,
    update_sig,
)
from tests.devnode.v1.onchain import (
    FINALIZE,
    HOME_DEPOSIT,
    NATIVE,
    channel_definition,
    next_state,
    opening_state,
    sign_state,
)

pytestmark = pytest.mark.asyncio
CREATE, SUBMIT = "channels.v1.request_creation", "channels.v1.submit_state"
HUB = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN = 31337
USER, OTHER = RawKeySigner(KEY_A), RawKeySigner(KEY_B)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def offline_chain_node(factory: Any) -> V1SandboxNode:
    rpc = f"http://127.0.0.1:{closed_port()}"
    node: V1SandboxNode = await factory(rpc_url=rpc, hub_address=HUB, chain_id=CHAIN, poll_interval=0.05)
    return node


def opening(node: V1SandboxNode, amount: str = "1.5", **changes: Any) -> dict[str, Any]:
    return opening_state(USER, node.broker_address, CHAIN, amount, **changes)


def resigned(state: dict[str, Any], signer: RawKeySigner = USER) -> dict[str, Any]:
    state["user_sig"] = sign_state(state, signer)
    return state


async def create_error(client: V1Client, state: Any, definition: Any | None = None) -> str:
    payload = {"state": state, "channel_definition": definition or channel_definition()}
    return await client.error(CREATE, payload)


async def test_request_creation_refuses_in_upstreams_order(v1_sandbox_factory: Any) -> None:
    node = await offline_chain_node(v1_sandbox_factory)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        good = opening(node)
        assert await create_error(client, "not an object") == "failed to parse parameters"
        assert await create_error(client, {**good, "user_wallet": "0x12"}) == (
            "invalid user_wallet: invalid hex address: incorrect length,"
            " expected 42 characters including 0x prefix"
        )
        assert await create_error(client, {**good, "epoch": "-1"}) == "failed to parse state"
        assert await create_error(client, good, {**channel_definition(), "nonce": "x"}) == (
            "failed to parse channel definition"
        )
        assert await create_error(client, good, channel_definition(nonce=0)) == "nonce must be non-zero"
        for challenge, text in (
            (3600, "challenge period must be at least 86400 seconds, but got 3600"),
            (604801, "challenge period must be at most 604800 seconds, but got 604801"),
        ):
            assert await create_error(client, good, {**channel_definition(), "challenge": challenge}) == text
        other_token = {**good, "home_ledger": {**good["home_ledger"], "token_address": "0x" + "11" * 20}}
        assert await create_error(client, other_token) == (
            f"asset eth is not supported on blockchain {CHAIN} with token address 0x{'11' * 20}"
        )
        assert await create_error(client, good, channel_definition(validators="0x04")) == (
            "one or more of the provided approved signature validators are not supported"
        )
        assert await create_error(client, good, channel_definition(nonce=2)) == (
            "incoming state home_channel_id is invalid"
        )
        richer = resigned({**good, "home_ledger": {**good["home_ledger"], "user_balance": "2"}})
        assert await create_error(client, richer) == (
            "invalid state: home ledger mismatch: user balance mismatch: expected=1.5, proposed=2"
        )
        assert await create_error(client, {k: v for k, v in good.items() if k != "user_sig"}) == (
            "missing user signature"
        )
        assert await create_error(client, {**good, "user_sig": "0x01" + good["user_sig"][4:]}) == (
            "user signature type '1' is not supported by channel"
        )
        assert await create_error(client, {**good, "user_sig": "0x00" + "11" * 65}) == (
            "invalid incoming state user signature: failed to recover wallet address:"
            " signature recovery failed: invalid signature recovery id"
        )
        signature = (await client.ok(CREATE, {"state": good, "channel_definition": channel_definition()}))[
            "signature"
        ]
        assert signature.startswith("0x00") and len(signature) == 2 + 2 * 66
        again = opening(node, nonce=2)
        assert await create_error(client, again, channel_definition(nonce=2)) == (
            "existing channel is not yet closed on-chain; wait for settlement before opening a new channel"
        )
        home = await client.ok("channels.v1.get_home_channel", {"wallet": USER.address, "asset": "eth"})
        assert home["channel"]["status"] == "void" and home["channel"]["token_address"] == NATIVE


async def test_submit_state_refuses_in_upstreams_order(v1_sandbox_factory: Any) -> None:
    node = await offline_chain_node(v1_sandbox_factory)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        first = opening(node)
        assert (await client.error(SUBMIT, {"state": first})) == "user has no active channel"
        await client.ok(CREATE, {"state": first, "channel_definition": channel_definition()})
        for kind, text in (
            (20, "transition is not supported yet"),
            (120, "home channel is not materialized onchain"),
        ):
            state = next_state(first, HOME_DEPOSIT, "1", USER)
            state["transition"]["type"] = kind
            assert (await client.error(SUBMIT, {"state": state})) == text
        # Nothing reached the chain: the node will not sign past the deposit it co-signed.
        final = next_state(first, FINALIZE, "0", USER)
        assert (await client.error(SUBMIT, {"state": final})) == (
            "ongoing state transitions check failed: home deposit is still ongoing"
        )
        # Nor will the unconfirmed deposit fund an app session.
        d = definition([USER, OTHER], [1, 1], 1)
        created = await client.ok(
            "app_sessions.v1.create_app_session",
            {"definition": d, "session_data": "", "quorum_sigs": [create_sig(d, USER)]},
        )
        upd = update(created["app_session_id"], 1, 2, [(USER.address.lower(), "eth", "1")])
        commit = commit_state(first, created["app_session_id"], "1", USER, 18)
        payload = {"app_state_update": upd, "quorum_sigs": [update_sig(upd, USER)], "user_state": commit}
        assert (await client.error("app_sessions.v1.submit_deposit_state", payload)) == (
            "ongoing state transitions check failed: home deposit is still ongoing"
        )
        balances = await client.ok("user.v1.get_balances", {"wallet": USER.address})
        assert balances["balances"] == [{"asset": "eth", "amount": "1.5", "enforced": "0"}]


async def test_without_a_chain_the_home_methods_are_not_served(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    async with connect(node.url) as ws:
        client = V1Client(ws)
        assert (await create_error(client, {})) == f"unknown method: {CREATE}"
        assert (await client.error(SUBMIT, {})) == f"unknown method: {SUBMIT}"
