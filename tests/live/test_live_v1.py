"""Dialect "1" against the target: reads, and a session's life (create, operate, withdraw, close,
list, definition), empty and, where the node has assets, funded by a deposit."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from nitro_desktop.protocol import v1
from tests.devnode.v1.helper import commit_state
from tests.live.conftest import FrameRecorder, LiveTarget
from tests.live.helpers import connected, stranger
from tests.live.helpers_v1 import channel_balance, funded_asset, participant_set, v1_definition

pytestmark = pytest.mark.asyncio


async def test_v1_node_and_user_reads(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    a = v1_target.wallets()[0]
    async with connected(v1_target, frames) as client:
        assert client.broker_address is None  # v1 frames are unsigned: nothing to pin
        await client.v1.ping()
        config = await client.v1.get_config()
        assert config["node_version"].startswith("v1.") and config["node_address"].startswith("0x")
        assert isinstance(await client.v1.get_assets(), list)
        assert isinstance(await client.v1.get_balances(a.address), list)
        _transactions, page = await client.v1.get_transactions(a.address)
        assert page.page == 1 and page.per_page == 10
        nobody = stranger().address
        assert await client.v1.get_home_channel(nobody, v1_target.asset) is None  # {} from the node
        assert await client.v1.get_latest_state(nobody, v1_target.asset) is None
        assert await client.v1.get_app_definition("0x" + "00" * 32) is None  # {} for an unknown id


async def test_v1_create_operate_withdraw_close_list(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    a, b, _c = v1_target.wallets()
    d = v1_definition([a, b], [50, 50], 100)
    async with connected(v1_target, frames) as client:
        created = await client.v1.create_app_session(d, [a, b], session_data='{"game":"chess"}')
        sid = created.app_session_id
        assert sid == v1.app_session_id(d) and (created.status, created.version) == ("open", 1)
        definition = await client.v1.get_app_definition(sid)
        assert definition is not None and participant_set(definition) == participant_set(
            v1.parse_definition(d)
        )
        assert (definition.application_id, definition.quorum, definition.nonce) == (
            d["application_id"],
            100,
            int(d["nonce"]),
        )
        assert (await client.v1.update(sid, "operate", [], [a, b], session_data='{"move":1}')).version == 2
        assert (await client.v1.update(sid, "withdraw", [], [a, b])).version == 3
        info = await client.v1.find_app_session(sid)
        assert info is not None and (info.status, info.version, info.allocations) == ("open", 3, ())
        assert info.session_data == '{"move":1}'  # an update with empty session_data keeps it
        closed = await client.v1.update(sid, "close", [], [a, b])
        assert (closed.status, closed.version) == ("closed", 4)
        page = await client.v1.get_app_sessions(participant=b.address, status="closed")
        assert sid in [s.app_session_id for s in page.sessions]
        listed = next(s for s in page.sessions if s.app_session_id == sid)
        assert (listed.status, listed.version) == ("closed", 4)


async def test_v1_one_signer_enough_and_zero_weight_participant(
    v1_target: LiveTarget, frames: FrameRecorder
) -> None:
    a, _b, _c = v1_target.wallets()
    observer = stranger()
    d = v1_definition([a, observer], [1, 0], 1)
    async with connected(v1_target, frames) as client:
        sid = (await client.v1.create_app_session(d, [a])).app_session_id
        assert (await client.v1.update(sid, "close", [], [a])).status == "closed"
        page = await client.v1.get_app_sessions(participant=observer.address)
        assert [s.app_session_id for s in page.sessions] == [sid]


async def test_v1_deposit_operate_withdraw_close_funded(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    a, b, _c = v1_target.wallets()
    async with connected(v1_target, frames) as client:
        asset, decimals = await funded_asset(client, v1_target)
        latest = await client.v1.get_latest_state(a.address, asset)
        if latest is None or Decimal(latest["home_ledger"]["user_balance"]) < 10:
            pytest.skip(f"{a.address} holds less than 10 {asset} in a home channel")
        before_a = await channel_balance(client, a.address, asset)
        before_b = await channel_balance(client, b.address, asset)
        d = v1_definition([a, b], [1, 1], 1)
        sid = (await client.v1.create_app_session(d, [a])).app_session_id
        al, bl = a.address.lower(), b.address.lower()
        deposit = {
            "app_session_id": sid,
            "intent": 1,
            "version": "2",
            "allocations": [{"participant": al, "asset": asset, "amount": "10"}],
            "session_data": "",
        }
        funded = await client.v1.submit_deposit_state(
            deposit, [a], commit_state(latest, sid, "10", a, decimals)
        )
        assert funded.version == 2 and funded.extra["signature"].startswith("0x")
        await client.v1.update(sid, "operate", [(al, asset, "7"), (bl, asset, "3")], [a])
        await client.v1.update(sid, "withdraw", [(al, asset, "7"), (bl, asset, "0")], [a])
        await client.v1.update(sid, "close", [(al, asset, "7"), (bl, asset, "0")], [b])
        info = await client.v1.find_app_session(sid)
        assert info is not None and (info.status, info.version) == ("closed", 5)
        assert await channel_balance(client, b.address, asset) == before_b + 3
        assert await channel_balance(client, a.address, asset) == before_a - 3


async def test_v1_bursts_stay_under_the_rate_limit(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    # nitronode drops a connection past 10 requests/s (burst 20) without a word; the client paces.
    async with connected(v1_target, frames) as client:
        await asyncio.gather(*(client.v1.ping() for _ in range(40)))
        assert client.stats.connections == 1 and client.stats.reconnects == 0


async def test_v1_idle_connection_answers_server_pings(v1_target: LiveTarget, frames: FrameRecorder) -> None:
    # nitronode pings every 5 s and cuts a client that has not answered 10 s after connecting.
    async with connected(v1_target, frames, keepalive_interval=60.0) as client:
        await asyncio.sleep(11)
        assert client.stats.requests_sent == 0  # kept up by answering pings alone
        await client.v1.ping()
        assert client.stats.connections == 1 and client.stats.reconnects == 0
