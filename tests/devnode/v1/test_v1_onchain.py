"""The dialect "1" sandbox watching the real ChannelHub on anvil, over a real websocket.

The user asks the node to co-sign (``request_creation`` / ``submit_state``), sends the
ChannelHub call itself, and the node learns of it only from the hub's events: the channel is
Void, the enforced balance 0 and the next state refused until the chain says otherwise.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.asyncio.client import connect

from nitro_desktop.devnode import V1SandboxNode
from nitro_desktop.protocol import RawKeySigner
from tests.chainkit import AnvilHub
from tests.devnode.v1.helper import V1Client, commit_state, create_sig, definition, update, update_sig
from tests.devnode.v1.onchain import (
    ETH,
    FINALIZE,
    HOME_DEPOSIT,
    HOME_WITHDRAWAL,
    channel_call,
    channel_definition,
    create_channel_call,
    next_state,
    opening_state,
    send,
    transfer,
    wei,
)

pytestmark = pytest.mark.asyncio
CREATE, SUBMIT = "channels.v1.request_creation", "channels.v1.submit_state"
GUARD = 20.0  # a hung watcher fails the test instead of hanging the suite; never a timing assertion


async def chain_node(factory: Any, chain: AnvilHub, **kwargs: Any) -> V1SandboxNode:
    node: V1SandboxNode = await factory(
        broker_key=chain.node_key,
        rpc_url=chain.url,
        hub_address=chain.hub,
        chain_id=chain.chain_id,
        poll_interval=0.05,
        **kwargs,
    )
    return node


async def synced(node: V1SandboxNode) -> None:
    await asyncio.wait_for(node.chain_synced(), GUARD)


async def error_seen(node: V1SandboxNode) -> str:
    while node.chain_error is None:
        await asyncio.sleep(0.05)
    return node.chain_error


async def channel(client: V1Client, wallet: str) -> dict[str, Any]:
    reply = await client.ok("channels.v1.get_home_channel", {"wallet": wallet, "asset": ETH})
    return reply.get("channel", {})  # type: ignore[no-any-return]


async def balance(client: V1Client, wallet: str) -> dict[str, str]:
    reply = await client.ok("user.v1.get_balances", {"wallet": wallet})
    return {b["asset"]: (b["amount"], b["enforced"]) for b in reply["balances"]}[ETH]  # type: ignore[return-value]


async def test_open_deposit_withdraw_close_follow_the_chain(v1_sandbox_factory: Any, chain: AnvilHub) -> None:
    user = RawKeySigner(chain.user_key)
    wallet = user.address.lower()
    node = await chain_node(v1_sandbox_factory, chain)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        config = await client.ok("node.v1.get_config", {})
        assert config["blockchains"] == [
            {
                "name": "anvil",
                "blockchain_id": "31337",
                "channel_hub_address": chain.hub,
                "confirmation_delay_secs": 0,
            }
        ]
        assert config["node_address"] == chain.node.lower()

        opening = opening_state(user, node.broker_address, chain.chain_id, "1.5")
        reply = await client.ok(CREATE, {"state": opening, "channel_definition": channel_definition()})
        node_sig = reply["signature"]
        await synced(node)
        assert (await channel(client, wallet))["status"] == "void"  # signed, but not on-chain yet
        assert await balance(client, wallet) == ("1.5", "0")
        early = next_state(opening, HOME_DEPOSIT, "0.5", user)
        assert (await client.error(SUBMIT, {"state": early})) == (
            "ongoing state transitions check failed: home deposit is still ongoing"
        )

        # The contract itself checks the node's countersignature here.
        send(chain, chain.user, create_channel_call(chain.user, chain.node, opening, node_sig), wei("1.5"))
        await synced(node)
        opened = await channel(client, wallet)
        assert (opened["status"], opened["state_version"]) == ("open", "1")
        assert await balance(client, wallet) == ("1.5", "1.5")
        latest = (await client.ok("channels.v1.get_latest_state", {"wallet": wallet, "asset": ETH}))["state"]
        assert latest["user_sig"] == opening["user_sig"] and latest["node_sig"] == node_sig

        deposit = next_state(opening, HOME_DEPOSIT, "0.5", user)
        sig = (await client.ok(SUBMIT, {"state": deposit}))["signature"]
        await synced(node)
        assert await balance(client, wallet) == ("2", "1.5")  # the chain has not seen it yet
        send(chain, chain.user, channel_call("depositToChannel", deposit, sig), wei("0.5"))
        await synced(node)
        assert await balance(client, wallet) == ("2", "2")

        withdrawal = next_state(deposit, HOME_WITHDRAWAL, "0.25", user)
        sig = (await client.ok(SUBMIT, {"state": withdrawal}))["signature"]
        before = chain.balance(chain.user)
        send(chain, chain.user, channel_call("withdrawFromChannel", withdrawal, sig))
        assert chain.balance(chain.user) > before  # paid out (less gas)
        await synced(node)
        assert await balance(client, wallet) == ("1.75", "1.75")
        assert (await channel(client, wallet))["state_version"] == "3"

        final = next_state(withdrawal, FINALIZE, "0", user)
        sig = (await client.ok(SUBMIT, {"state": final}))["signature"]
        assert (await channel(client, wallet))["status"] == "closing"
        send(chain, chain.user, channel_call("closeChannel", final, sig))
        await synced(node)
        assert await channel(client, wallet) == {}  # closed: no home channel any more
        listed = await client.ok("channels.v1.get_channels", {"wallet": wallet})
        assert [(c["status"], c["state_version"]) for c in listed["channels"]] == [("closed", "4")]
        assert await balance(client, wallet) == ("0", "0")
        kinds = await client.ok("user.v1.get_transactions", {"wallet": wallet})
        assert [t["tx_type"] for t in kinds["transactions"]] == [200, 11, 10, 10]

        # A new channel after the close starts the next epoch.
        stale = opening_state(user, node.broker_address, chain.chain_id, "1", nonce=2)
        assert (
            await client.error(CREATE, {"state": stale, "channel_definition": channel_definition(2)})
        ) == ("invalid state: epoch mismatch: expected=1, proposed=0")
        again = opening_state(user, node.broker_address, chain.chain_id, "1", nonce=2, epoch=1)
        sig = (await client.ok(CREATE, {"state": again, "channel_definition": channel_definition(2)}))[
            "signature"
        ]
        send(chain, chain.user, create_channel_call(chain.user, chain.node, again, sig, nonce=2), wei("1"))
        await synced(node)
        reopened = await channel(client, wallet)
        assert (reopened["status"], reopened["nonce"]) == ("open", "2")
        assert await balance(client, wallet) == ("1", "1")


async def test_a_state_signed_by_someone_else_is_refused(v1_sandbox_factory: Any, chain: AnvilHub) -> None:
    user, other = RawKeySigner(chain.user_key), RawKeySigner(chain.other_key)
    node = await chain_node(v1_sandbox_factory, chain)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        forged = opening_state(user, node.broker_address, chain.chain_id, "1")
        forged["user_sig"] = opening_state(other, node.broker_address, chain.chain_id, "1")["user_sig"]
        assert (
            await client.error(CREATE, {"state": forged, "channel_definition": channel_definition()})
        ) == ("invalid incoming state user signature: invalid signature")
        opening = opening_state(user, node.broker_address, chain.chain_id, "1")
        node_sig = (await client.ok(CREATE, {"state": opening, "channel_definition": channel_definition()}))[
            "signature"
        ]
        not_the_node = opening_state(other, node.broker_address, chain.chain_id, "1")["user_sig"]
        with pytest.raises(AssertionError, match="reverted"):  # the hub checks the node's signature too
            send(
                chain,
                chain.user,
                create_channel_call(chain.user, chain.node, opening, not_the_node),
                wei("1"),
            )
        send(chain, chain.user, create_channel_call(chain.user, chain.node, opening, node_sig), wei("1"))
        await synced(node)
        bad = next_state(opening, HOME_WITHDRAWAL, "0.5", user)
        bad["user_sig"] = next_state(opening, HOME_WITHDRAWAL, "0.5", other)["user_sig"]
        assert (await client.error(SUBMIT, {"state": bad})) == (
            "invalid incoming state user signature: invalid signature"
        )
        assert await balance(client, user.address.lower()) == ("1", "1")


async def test_the_wrong_chain_is_reported_and_nothing_is_applied(
    v1_sandbox_factory: Any, chain: AnvilHub
) -> None:
    node: V1SandboxNode = await v1_sandbox_factory(
        broker_key=chain.node_key, rpc_url=chain.url, hub_address=chain.hub, chain_id=1, poll_interval=0.05
    )
    user = RawKeySigner(chain.user_key)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        await asyncio.wait_for(error_seen(node), GUARD)
        assert node.chain_error == "the RPC serves chain 31337, not the configured 1"
        config = await client.ok("node.v1.get_config", {})
        assert config["blockchains"][0]["blockchain_id"] == "1"
        assert (await client.ok("channels.v1.get_home_channel", {"wallet": user.address, "asset": ETH})) == {}
    stranger: V1SandboxNode = await v1_sandbox_factory(
        rpc_url=chain.url, hub_address=chain.hub, chain_id=chain.chain_id, poll_interval=0.05
    )
    assert await asyncio.wait_for(error_seen(stranger), GUARD) == (
        f"the ChannelHub's node is {chain.node.lower()}, not this sandbox's {stranger.broker_address.lower()}"
    )


async def test_a_session_is_funded_from_the_on_chain_channel_and_paid_home(
    v1_sandbox_factory: Any, chain: AnvilHub
) -> None:
    user, other = RawKeySigner(chain.user_key), RawKeySigner(chain.other_key)
    wallet = user.address.lower()
    node = await chain_node(v1_sandbox_factory, chain)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        opening = opening_state(user, node.broker_address, chain.chain_id, "2")
        sig = (await client.ok(CREATE, {"state": opening, "channel_definition": channel_definition()}))[
            "signature"
        ]
        send(chain, chain.user, create_channel_call(chain.user, chain.node, opening, sig), wei("2"))
        await synced(node)

        d = definition([user, other], [1, 1], 1)
        created = await client.ok(
            "app_sessions.v1.create_app_session",
            {"definition": d, "session_data": "", "quorum_sigs": [create_sig(d, user)]},
        )
        sid = created["app_session_id"]
        latest = (await client.ok("channels.v1.get_latest_state", {"wallet": wallet, "asset": ETH}))["state"]
        upd = update(sid, 1, 2, [(wallet, ETH, "0.5")])
        await client.ok(
            "app_sessions.v1.submit_deposit_state",
            {
                "app_state_update": upd,
                "quorum_sigs": [update_sig(upd, user)],
                "user_state": commit_state(latest, sid, "0.5", user, 18),
            },
        )
        assert await balance(client, wallet) == ("1.5", "2")  # in the session; the chain still holds 2
        upd = update(sid, 3, 3, [(wallet, ETH, "0.5")])
        await client.ok(
            "app_sessions.v1.submit_app_state",
            {"app_state_update": upd, "quorum_sigs": [update_sig(upd, user)]},
        )
        released = (await client.ok("channels.v1.get_latest_state", {"wallet": wallet, "asset": ETH}))[
            "state"
        ]
        assert released["transition"]["type"] == 41 and released["node_sig"].startswith(
            "0x00"
        )  # channel is open

        home = next_state(released, HOME_WITHDRAWAL, "2", user)
        sig = (await client.ok(SUBMIT, {"state": home}))["signature"]
        send(chain, chain.user, channel_call("withdrawFromChannel", home, sig))
        await synced(node)
        assert await balance(client, wallet) == ("0", "0")
        assert (await channel(client, wallet))["state_version"] == "4"


async def test_a_deposit_made_while_the_node_was_down_counts_after_restart(
    v1_sandbox_factory: Any, chain: AnvilHub, tmp_path: Any
) -> None:
    user = RawKeySigner(chain.user_key)
    wallet = user.address.lower()
    db = tmp_path / "node.db"
    node = await chain_node(v1_sandbox_factory, chain, db_path=db)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        opening = opening_state(user, node.broker_address, chain.chain_id, "1")
        sig = (await client.ok(CREATE, {"state": opening, "channel_definition": channel_definition()}))[
            "signature"
        ]
        send(chain, chain.user, create_channel_call(chain.user, chain.node, opening, sig), wei("1"))
        await synced(node)
        deposit = next_state(opening, HOME_DEPOSIT, "2", user)
        sig = (await client.ok(SUBMIT, {"state": deposit}))["signature"]
    await node.stop()
    send(chain, chain.user, channel_call("depositToChannel", deposit, sig), wei("2"))
    chain.mine(3)
    await node.start()
    await synced(node)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        assert await balance(client, wallet) == ("3", "3")
        assert (await channel(client, wallet))["state_version"] == "2"


async def test_a_transfer_moves_funds_to_another_wallet(v1_sandbox_factory: Any, chain: AnvilHub) -> None:
    user, other = RawKeySigner(chain.user_key), RawKeySigner(chain.other_key)
    wallet = user.address.lower()
    node = await chain_node(v1_sandbox_factory, chain)
    async with connect(node.url) as ws:
        client = V1Client(ws)
        opening = opening_state(user, node.broker_address, chain.chain_id, "2")
        sig = (await client.ok(CREATE, {"state": opening, "channel_definition": channel_definition()}))[
            "signature"
        ]
        send(chain, chain.user, create_channel_call(chain.user, chain.node, opening, sig), wei("2"))
        await synced(node)
        to_self = transfer(opening, wallet, "0.5", user)
        assert (await client.error(SUBMIT, {"state": to_self})) == "sender and receiver wallets are the same"
        sent = transfer(opening, other.address, "0.5", user)
        await client.ok(SUBMIT, {"state": sent})
        assert await balance(client, wallet) == ("1.5", "2")
        assert await balance(client, other.address.lower()) == ("0.5", "0")
        got = await client.ok("channels.v1.get_latest_state", {"wallet": other.address, "asset": ETH})
        assert (
            got["state"]["transition"]["type"] == 31 and "node_sig" not in got["state"]
        )  # no channel to sign for
        listed = await client.ok("user.v1.get_transactions", {"wallet": wallet})
        newest = listed["transactions"][0]
        assert (newest["tx_type"], newest["to_account"], newest["amount"]) == (30, other.address, "0.5")
