"""Dialect "1" through the real ``ClearNodeClient`` against the v1 sandbox on 127.0.0.1.

No login, typed reads, every app_sessions.v1 change signed by local quorum signers, the
rate nitronode enforces, and pings answered.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from nitro_desktop.client import ClearNodeClient, ClearNodeError, ConnectionState
from nitro_desktop.client.pacing import RequestRate
from nitro_desktop.client.v1_calls import QuorumSigners
from nitro_desktop.client.v1_reads import with_app_id
from nitro_desktop.protocol import Dialect, ProtocolError, RawKeySigner, v1
from tests.client.helpers import FAST
from tests.devnode.v1.helper import KEY_A, KEY_B, KEY_C, commit_state

pytestmark = pytest.mark.asyncio

A, B, C = RawKeySigner(KEY_A), RawKeySigner(KEY_B), RawKeySigner(KEY_C)
a, b, c = (s.address.lower() for s in (A, B, C))
_nonce = [0]


def definition(weights: tuple[int, int] = (50, 50), quorum: int = 100) -> dict[str, Any]:
    _nonce[0] += 1
    return {
        "application_id": "nitro-desktop-tests",
        "participants": [
            {"wallet_address": A.address, "signature_weight": weights[0]},
            {"wallet_address": B.address, "signature_weight": weights[1]},
        ],
        "quorum": quorum,
        "nonce": str(1_000_000 + _nonce[0]),
    }


async def v1_client(url: str, **kwargs: Any) -> ClearNodeClient:
    kwargs.setdefault("timeout", 2.0)
    kwargs.setdefault("backoff", FAST)
    client = ClearNodeClient(url, Dialect.V1, **kwargs)
    await client.connect()
    return client


async def test_connects_without_login_and_reads(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    node.fund(A.address, "usdc", "5")
    client = await v1_client(node.url)
    try:
        assert client.state is ConnectionState.READY and client.broker_address is None
        result = await client.authenticate(A, app_name="ignored")  # no login step: nothing is sent
        assert result.success and client.address == A.address and client.stats.requests_sent == 0
        await client.v1.ping()
        config = await client.v1.get_config()
        assert config["node_address"] == node.broker_address.lower() and config["node_version"] == "v1.4.1"
        assert "usdc" in [x["symbol"] for x in await client.v1.get_assets()]
        assert await client.v1.get_balances(A.address) == [{"asset": "usdc", "amount": "5", "enforced": "5"}]
        transactions, page = await client.v1.get_transactions(A.address, limit=5)
        assert len(transactions) == page.total_count == 1 and page.per_page == 5
        channel = await client.v1.get_home_channel(A.address, "usdc")
        assert channel is not None and channel["status"] == "open"
        state = await client.v1.get_latest_state(A.address, "usdc")
        assert state is not None and state["home_ledger"]["user_balance"] == "5"
        assert await client.v1.get_home_channel(B.address, "usdc") is None  # the node's {}
        assert await client.v1.get_app_definition("0x" + "ab" * 32) is None  # {} for an unknown id
        with pytest.raises(ClearNodeError, match="invalid wallet: invalid hex address"):
            await client.v1.get_balances("0x123")
    finally:
        await client.close()


async def test_create_operate_withdraw_close_with_quorum_signatures(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    client = await v1_client(node.url)
    try:
        d = definition()
        with pytest.raises(ClearNodeError, match=r"quorum not met: achieved 50, required 100"):
            await client.v1.create_app_session(d, [A])
        created = await client.v1.create_app_session(d, [A, B], session_data='{"round":1}')
        assert created.app_session_id == v1.app_session_id(d) and (created.status, created.version) == (
            "open",
            1,
        )
        assert created.participants == (a, b) and created.weights == (50, 50)
        assert await client.v1.get_app_definition(created.app_session_id) == v1.parse_definition(d)
        sid = created.app_session_id
        operated = await client.v1.update(sid, "operate", [], [A, B], session_data='{"round":2}')
        assert (operated.version, operated.status) == (2, "open")
        with pytest.raises(ClearNodeError, match="invalid app session version: expected 3, got 2"):
            await client.v1.update(sid, "operate", [], [A, B], version=2)
        withdrawn = await client.v1.update(sid, "withdraw", [], QuorumSigners(wallets=[A, B]))
        assert withdrawn.version == 3
        stranger = QuorumSigners(wallets=[A, C])
        with pytest.raises(ClearNodeError, match=f"signature from non-participant: {c}"):
            await client.v1.update(sid, "close", [], stranger)
        closed = await client.v1.update(sid, "close", [], [A, B])
        assert (closed.status, closed.version) == ("closed", 4)
        page = await client.v1.get_app_sessions(participant=B.address)
        [listed] = page.sessions
        assert (listed.app_session_id, listed.status, listed.version) == (sid, "closed", 4)
        assert listed.session_data == '{"round":2}' and page.metadata.total_count == 1
        with pytest.raises(ProtocolError, match="submit_deposit_state"):
            await client.v1.update(sid, "deposit", [], [A])
    finally:
        await client.close()


async def test_deposit_funds_a_session_then_operate_and_close(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    node.fund(A.address, "usdc", "100")
    client = await v1_client(node.url)
    try:
        d = definition((1, 1), 1)
        sid = (await client.v1.create_app_session(d, [A])).app_session_id
        latest = await client.v1.get_latest_state(A.address, "usdc")
        assert latest is not None
        update = {
            "app_session_id": sid,
            "intent": 1,
            "version": "2",
            "allocations": [{"participant": a, "asset": "usdc", "amount": "10"}],
            "session_data": "",
        }
        deposited = await client.v1.submit_deposit_state(update, [A], commit_state(latest, sid, "10", A, 6))
        assert deposited.version == 2 and deposited.extra["signature"].startswith("0x00")
        await client.v1.update(sid, "operate", [(a, "usdc", "4"), (b, "usdc", "6")], [B])
        await client.v1.update(sid, "close", [(a, "usdc", "4"), (b, "usdc", "6")], [A])
        assert node.balances(a) == {"usdc": Decimal("94")}
        assert await client.v1.get_balances(B.address) == [{"asset": "usdc", "amount": "6", "enforced": "0"}]
    finally:
        await client.close()


async def test_v1_calls_refuse_another_dialect_and_v1_refuses_frame_signers(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    client = ClearNodeClient(node.url, "0.5")
    with pytest.raises(ProtocolError, match=r"dialect 1 method; this client speaks 0\.5"):
        await client.v1.ping()
    with pytest.raises(ValueError, match="app_id must match"):
        with_app_id(node.url, "Bad App")
    tagged = await v1_client(with_app_id(node.url, "nitro-desktop"))
    try:
        assert tagged.url.endswith("/ws?app_id=nitro-desktop")
        await tagged.v1.ping()
    finally:
        await tagged.close()


async def test_bursts_are_paced_under_nitronodes_rate_limit(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory(rate_limit=10, rate_burst=20)  # nitronode's defaults
    paced = await v1_client(node.url, timeout=10.0)
    try:
        await asyncio.gather(*(paced.v1.ping() for _ in range(40)))
        assert paced.stats.connections == 1 and paced.stats.reconnects == 0
    finally:
        await paced.close()
    # The same burst unpaced: the node drops the connection without a word, answers lost.
    unpaced = await v1_client(node.url, timeout=10.0, request_rate=None)
    try:
        results = await asyncio.gather(*(unpaced.v1.ping() for _ in range(40)), return_exceptions=True)
        assert any(isinstance(r, Exception) for r in results)
        assert unpaced.stats.connections >= 1 and "no close frame" in unpaced.status.last_error
    finally:
        await unpaced.close()


async def test_server_pings_are_answered(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    node.ping_interval, node.ping_timeout = 0.05, 0.5
    await node.stop()
    await node.start()  # the socket options are read at start
    client = await v1_client(node.url, keepalive_interval=60.0, request_rate=RequestRate(8.0, 16))
    try:
        await asyncio.sleep(1.0)  # twenty server pings, none of our own keep-alive
        assert client.state is ConnectionState.READY and client.stats.connections == 1
        assert client.stats.requests_sent == 0
        await client.v1.ping()
    finally:
        await client.close()


async def test_events_reach_subscribers_and_malformed_frames_are_dropped() -> None:
    # nitronode v1.4.1 sends no events; a later node might: type 3 goes to subscribers, not callers.
    async def serve_one(ws: ServerConnection) -> None:
        async for message in ws:
            _kind, request_id, method, _payload, ts = json.loads(message)
            await ws.send('[3,0,"user.v1.balance_update",{"asset":"usdc"},1]')
            await ws.send('[2,"x"]')  # malformed: dropped and counted, never fatal
            await ws.send(v1.encode_frame(2, request_id, method, {}, ts))

    async with serve(serve_one, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        client = await v1_client(f"ws://127.0.0.1:{port}/ws")
        try:
            events: list[Any] = []
            client.on(events.append)
            await client.v1.ping()
            assert [(e.method, e.payload) for e in events] == [("user.v1.balance_update", {"asset": "usdc"})]
            assert client.stats.frames_malformed == 1 and client.stats.notifications == 1
        finally:
            await client.close()
