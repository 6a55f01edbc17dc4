"""Faults between the client and a real sandbox node, injected by a loopback proxy."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from nitro_desktop.client import (
    Backoff,
    ClearNodeClient,
    ConnectionState,
    OperationNotApplied,
    OperationOutcome,
    OverflowPolicy,
    RequestTimeout,
)
from nitro_desktop.protocol import BalanceUpdate, RawKeySigner, app_session_id
from tests.client.helpers import APP, definition, ready_client, sandbox, split, submit_kwargs, wallets
from tests.client.proxy import FaultProxy


@contextlib.asynccontextmanager
async def rig(dialect: str = "0.2", **client_kwargs: Any) -> AsyncIterator[tuple[Any, ...]]:
    """node ← proxy ← authenticated client, with two wallets (A funded with 100 usdc)."""
    async with sandbox(dialect) as node:
        proxy = await FaultProxy(node.url).start()
        a, b = wallets(node)
        client = await ready_client(proxy.url, dialect, a, **client_kwargs)
        try:
            yield node, proxy, client, a, b
        finally:
            await client.close()
            await proxy.stop()


async def balance(client: ClearNodeClient) -> Decimal:
    return sum((b.amount for b in await client.get_ledger_balances()), Decimal(0))


# ---- the socket closes mid-request -------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_drop_before_the_server_got_the_create_reports_not_created(dialect: str) -> None:
    async with rig(dialect) as (_node, proxy, client, a, b):
        d = definition(dialect, a, b)
        proxy.drop_before("create_app_session")
        with pytest.raises(OperationNotApplied) as info:
            await client.create_app_session(d, split(a, b, 10, 0), [a])
        assert info.value.operation.app_session_id == app_session_id(d, dialect)
        assert proxy.seen["create_app_session"] == 1  # not re-sent
        assert client.state is ConnectionState.READY and client.stats.reconnects == 1
        assert await balance(client) == 100
        assert await client.get_app_sessions(participant=a.address) == []
        assert client.pending_operations == ()


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_drop_after_the_server_committed_the_create_reports_created(dialect: str) -> None:
    async with rig(dialect) as (_node, proxy, client, a, b):
        outcomes: list[Any] = []
        client.on(outcomes.append, types=(OperationOutcome,))
        d = definition(dialect, a, b)
        proxy.drop_after("create_app_session")
        session = await client.create_app_session(d, split(a, b, 10, 0), [a])
        assert session.app_session_id == app_session_id(d, dialect)
        assert (session.status, session.version) == ("open", 1)
        assert proxy.seen["create_app_session"] == 1
        assert await balance(client) == 90
        assert outcomes == []  # reported once: to the caller, not again as an event


@pytest.mark.asyncio
async def test_submit_and_close_across_drops_are_reconciled_by_version() -> None:
    async with rig("0.5") as (_node, proxy, client, a, b):
        sid = (
            await client.create_app_session(definition("0.5", a, b), split(a, b, 10, 0), [a])
        ).app_session_id
        proxy.drop_after("submit_app_state")
        submitted = await client.submit_app_state(sid, split(a, b, 6, 4), [a], **submit_kwargs("0.5", 2))
        assert submitted.version == 2 and proxy.seen["submit_app_state"] == 1
        proxy.drop_before("close_app_session")
        with pytest.raises(OperationNotApplied):
            await client.close_app_session(sid, split(a, b, 6, 4), [a])
        closed = await client.close_app_session(sid, split(a, b, 6, 4), [a])  # safe to send again
        assert (closed.status, closed.version) == ("closed", 3)
        assert proxy.seen["close_app_session"] == 2


@pytest.mark.asyncio
async def test_submit_in_the_seed_dialect_learns_the_version_it_expects() -> None:
    async with rig("0.2") as (node, proxy, client, a, b):
        sid = (
            await client.create_app_session(definition("0.2", a, b), split(a, b, 10, 0), [a])
        ).app_session_id
        other = await ready_client(node.url, "0.2", a)  # a second window moves the session on
        await other.submit_app_state(sid, split(a, b, 9, 1), [a])
        await other.close()
        client._memory.versions.clear()  # forget what we knew: the client must ask before sending
        proxy.drop_after("submit_app_state")
        submitted = await client.submit_app_state(sid, split(a, b, 8, 2), [a])
        assert submitted.version == 3


# ---- stalls, restarts --------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_stall_past_the_timeout_raises_and_reports_the_outcome_once() -> None:
    async with rig("0.2", timeout=0.5, keepalive_interval=30) as (_node, proxy, client, a, b):
        outcomes: list[OperationOutcome] = []
        client.on(outcomes.append, types=(OperationOutcome,))
        proxy.stall("get_assets")
        with pytest.raises(RequestTimeout) as info:
            await client.get_assets()
        assert info.value.pending is None
        d = definition("0.2", a, b)
        proxy.stall("create_app_session")
        with pytest.raises(RequestTimeout) as info:
            await client.create_app_session(d, split(a, b, 10, 0), [a])
        assert info.value.pending is not None and info.value.pending.app_session_id == app_session_id(
            d, "0.2"
        )
        for _ in range(100):
            if outcomes:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        pending = info.value.pending
        assert outcomes == [OperationOutcome(pending, applied=False, exchange=outcomes[0].exchange)]
        sent = outcomes[0].exchange  # the outcome names its own request: the frame that was stalled
        assert sent is not None and sent.request_id == pending.request_id == info.value.request_id
        assert json.loads(sent.request)["req"][0] == sent.request_id and sent.response == ""
        assert proxy.seen["create_app_session"] == 1 and client.pending_operations == ()
        assert client.state is ConnectionState.READY


@pytest.mark.asyncio
async def test_server_restart_reconnects_and_reauthenticates_with_the_token() -> None:
    async with rig("0.2") as (node, proxy, client, a, _b):
        states: list[ConnectionState] = []
        client.on_status(lambda s: states.append(s.state))
        await node.stop()
        status = await client.wait_for_state(ConnectionState.RECONNECTING, 5)
        assert status.last_error and status.next_attempt_at is not None
        await node.start()
        await client.wait_for_state(ConnectionState.READY, 10)
        assert client.address == a.address
        assert await balance(client) == 100  # a private call: authenticated again
        assert proxy.seen["auth_request"] == 1  # by JWT, no new challenge
        assert ConnectionState.AUTHENTICATING in states


@pytest.mark.asyncio
async def test_refused_reauthentication_stops_without_a_retry_storm() -> None:
    class FlakyWallet:  # signs correctly once, then with a stranger's key
        def __init__(self, inner: RawKeySigner) -> None:
            self.inner, self.address, self.uses = inner, inner.address, 0

        def unsafe_sign_hash(self, digest: bytes) -> bytes:
            self.uses += 1
            signer = self.inner if self.uses == 1 else RawKeySigner.generate()
            return signer.unsafe_sign_hash(digest)

    broker_key = "0x" + "5a" * 32  # the same broker after the restart: only the auth is refused
    async with sandbox("0.2", broker_key=broker_key) as node:
        wallet = FlakyWallet(RawKeySigner.generate())
        client = ClearNodeClient(node.url, "0.2", timeout=2.0, backoff=Backoff(initial=0.01, cap=0.02))
        await client.connect()
        await client.authenticate(wallet, app_name=APP)
        port = node.port
    async with sandbox("0.2", port=port, broker_key=broker_key) as fresh:  # a new node: old token unknown
        status = await client.wait_for_state(ConnectionState.DISCONNECTED, 10)
        assert status.fatal and status.last_error == "authentication refused: invalid challenge or signature"
        await asyncio.sleep(0.2)
        assert wallet.uses == 2  # one refused attempt, then no more
        assert fresh.connection_count == 0
    await client.close()


# ---- hostile or broken frames --------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_forged_broker_signatures_are_dropped_and_counted() -> None:
    async with rig("0.2", timeout=0.5, keepalive_interval=30) as (node, proxy, client, a, _b):
        events: list[Any] = []
        client.on(events.append, types=(BalanceUpdate,))
        proxy.forge("bu")
        node.fund(a.address, "usdc", 1)
        proxy.forge("get_assets")
        with pytest.raises(RequestTimeout):
            await client.get_assets()
        assert events == [] and client.stats.frames_rejected == 2
        assert await balance(client) == 101
        assert client.state is ConnectionState.READY


@pytest.mark.asyncio
async def test_malformed_frames_are_dropped_and_the_connection_stays() -> None:
    async with rig("0.5") as (_node, proxy, client, _a, _b):
        for junk in (
            "{not json",
            '{"res":[1,"x"]}',
            '{"res":[1,"pong",null,1],"sig":[7]}',
            b"\xff\xfe",
            "[]",
        ):
            await proxy.inject(junk)
        assert await client.ping() >= 0
        assert client.stats.frames_malformed == 5 and client.stats.reconnects == 0


@pytest.mark.asyncio
async def test_oversized_frame_closes_the_socket_and_the_client_recovers() -> None:
    async with rig("0.2", max_frame_bytes=64 * 1024) as (_node, proxy, client, _a, _b):
        await proxy.inject('{"res":[0,"bu",["' + "x" * 100_000 + '"],1],"sig":[]}')
        status = await client.wait_for_state(ConnectionState.RECONNECTING, 5)
        assert status.last_error is not None and "1009" in status.last_error  # "message too big"
        await client.wait_for_state(ConnectionState.READY, 5)
        assert client.stats.reconnects == 1 and await balance(client) == 100


@pytest.mark.asyncio
async def test_notification_flood_while_a_request_is_in_flight() -> None:
    async with rig("0.2") as (node, proxy, client, a, b):
        node.fund(a.address, "usdc", 1)  # a genuine, broker-signed bu to replay
        await client.ping()
        counted: list[Any] = []
        client.on(counted.append, types=(BalanceUpdate,))
        slow = client.subscribe(maxsize=8, policy=OverflowPolicy.COALESCE)
        d = definition("0.2", a, b)
        create = asyncio.create_task(client.create_app_session(d, split(a, b, 10, 0), [a]))
        await proxy.replay("bu", 3000)
        session = await asyncio.wait_for(create, 10)
        assert session.app_session_id == app_session_id(d, "0.2")
        await client.ping()
        assert len(counted) >= 3000  # every one seen by callbacks
        assert len(slow) <= 8 and slow.dropped_total == 0  # coalesced: nothing lost, queue bounded
        latest = [e for e in iter(slow.get_nowait, None) if isinstance(e, BalanceUpdate)]
        assert len(latest) == 1 and latest[0].balances[0].amount == Decimal(91)
