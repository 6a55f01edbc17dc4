"""Client behaviour that needs frames no honest server sends: a scripted node on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.server import ServerConnection

from nitro_desktop.client import (
    Backoff,
    BrokerMismatch,
    ClearNodeClient,
    ClearNodeError,
    ConnectionState,
    RequestTimeout,
)
from nitro_desktop.protocol import RawKeySigner, RequestFrame, sign_response
from tests.client.fake_server import FakeNode

FAST = Backoff(initial=0.01, cap=0.05)


def client_tasks() -> set[str]:
    return {t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("clearnode-")}


# ---- random frames never crash the receive loop ----------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
methods = st.sampled_from(
    [
        "error",
        "bu",
        "asu",
        "assets",
        "channels",
        "cu",
        "tr",
        "get_config",
        "pong",
        "create_app_session",
        "get_app_sessions",
        "auth_challenge",
        "auth_verify",
    ]
) | st.text(max_size=10)
request_ids = st.just(0) | st.integers(1000, 2**64 - 1)


@st.composite
def frames(draw: st.DrawFn) -> str | bytes:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.text(max_size=60))
    if kind == 1:
        return draw(st.binary(max_size=60))
    if kind == 2:
        return json.dumps(draw(json_values))
    res = [draw(request_ids | json_values), draw(methods), draw(json_values), draw(st.integers(0, 2**64 - 1))]
    if kind == 3:  # shaped like a frame, signature random
        sig = draw(st.lists(st.text(max_size=10) | st.just("0x" + "11" * 65), max_size=2))
        return json.dumps({"res": res, "sig": sig})
    return "SIGNED"  # a properly signed frame with random content, made by the server


@pytest.mark.asyncio
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(st.tuples(frames(), request_ids, methods, json_values), max_size=8))
async def test_random_frames_never_crash_the_receive_loop(batch: list[Any]) -> None:
    async def handler(node: FakeNode, ws: ServerConnection, req: RequestFrame) -> bool:
        if req.method != "ping":
            return False
        for frame, rid, method, result in batch:
            if frame == "SIGNED":
                frame = sign_response(rid, method, result, 1, node.broker, v_offset=0)
            await ws.send(frame)
        await ws.send(node.response(req.request_id, "pong", None))
        return True

    node = await FakeNode(handler=handler).start()
    try:
        async with ClearNodeClient(node.url, timeout=2.0) as client:
            await client.ping()
            await client.ping()
            assert client.state is ConnectionState.READY
    finally:
        await node.stop()
    assert not client_tasks()


# ---- broker authenticity ---------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_pinned_broker_refuses_a_different_server() -> None:
    node = await FakeNode().start()
    pinned = RawKeySigner.generate().address
    client = ClearNodeClient(node.url, expected_broker=pinned, timeout=2.0)
    with pytest.raises(BrokerMismatch) as info:
        await client.connect()
    assert pinned in str(info.value) and node.broker.address in str(info.value)
    assert client.state is ConnectionState.DISCONNECTED and client.status.fatal
    await client.close()
    await node.stop()


@pytest.mark.asyncio
async def test_get_config_not_signed_by_the_broker_it_names_is_refused() -> None:
    impostor = RawKeySigner.generate()

    async def handler(node: FakeNode, ws: ServerConnection, req: RequestFrame) -> bool:
        if req.method == "get_config":
            payload = {"broker_address": node.broker.address, "networks": []}
            await ws.send(node.response(req.request_id, "get_config", payload, signer=impostor))
            return True
        return False

    node = await FakeNode(handler=handler).start()
    client = ClearNodeClient(node.url, timeout=2.0)
    with pytest.raises(BrokerMismatch, match="not signed by it"):
        await client.connect()
    await client.close()
    await node.stop()


@pytest.mark.asyncio
async def test_frames_before_get_config_are_held_then_checked() -> None:
    stranger = RawKeySigner.generate()

    async def handler(node: FakeNode, ws: ServerConnection, req: RequestFrame) -> bool:
        if req.method == "get_config":  # an honest and a forged notification before the answer
            await ws.send(node.response(0, "bu", [{"asset": "usdc", "amount": "1"}]))
            await ws.send(node.response(0, "bu", [{"asset": "usdc", "amount": "666"}], signer=stranger))
        return False

    node = await FakeNode(handler=handler).start()
    seen: list[Any] = []
    client = ClearNodeClient(node.url, timeout=2.0)
    client.on(seen.append)
    await client.connect()
    assert [str(e.balances[0].amount) for e in seen] == ["1"]
    assert client.stats.frames_rejected == 1
    await client.close()
    await node.stop()


# ---- ids, concurrency, timeouts --------------------------------------------------------------------
@pytest.mark.asyncio
async def test_many_requests_in_flight_answered_out_of_order() -> None:
    held: list[RequestFrame] = []

    async def handler(node: FakeNode, ws: ServerConnection, req: RequestFrame) -> bool:
        if req.method != "ping":
            return False
        held.append(req)
        if len(held) == 50:
            random.Random(1).shuffle(held)
            for r in held:
                await ws.send(node.response(r.request_id, "pong", None))
        return True

    node = await FakeNode(handler=handler).start()
    async with ClearNodeClient(node.url, timeout=5.0) as client:
        await asyncio.gather(*(client.ping() for _ in range(50)))
        ids = [r.request_id for r in node.requests]
        assert 0 not in ids and len(set(ids)) == len(ids)
        assert client.stats.responses_unmatched == 0
    await node.stop()


@pytest.mark.asyncio
async def test_timeout_frees_the_request_and_a_late_answer_is_dropped() -> None:
    late: list[RequestFrame] = []

    async def handler(node: FakeNode, ws: ServerConnection, req: RequestFrame) -> bool:
        if req.method == "get_assets":
            late.append(req)
            return True
        if req.method == "ping" and late:
            await ws.send(node.response(late[0].request_id, "get_assets", []))
        return False

    node = await FakeNode(handler=handler).start()
    async with ClearNodeClient(node.url, timeout=0.3, keepalive_interval=60) as client:
        conn = await client._link.connection(1)
        with pytest.raises(RequestTimeout) as info:
            await client.get_assets()
        assert info.value.method == "get_assets" and info.value.pending is None
        assert conn.in_flight == 0
        await client.ping()
        assert client.stats.responses_unmatched == 1
    await node.stop()


@pytest.mark.asyncio
async def test_error_frames_surface_with_exact_text_method_and_id() -> None:
    node = await FakeNode().start()
    async with ClearNodeClient(node.url, timeout=2.0) as client:
        with pytest.raises(ClearNodeError) as info:
            await client.get_assets()
    assert info.value.message == "unknown method: get_assets" == str(info.value)
    assert info.value.method == "get_assets"
    assert info.value.request_id == node.requests[-1].request_id
    await node.stop()


@pytest.mark.asyncio
async def test_dead_socket_found_within_two_timeouts_then_reconnect() -> None:
    silent = {"on": False}

    async def handler(node: FakeNode, ws: ServerConnection, req: RequestFrame) -> bool:
        return silent["on"]  # swallow everything, keep the socket open

    node = await FakeNode(handler=handler).start()
    timeout = 0.4
    async with ClearNodeClient(node.url, timeout=timeout, backoff=FAST) as client:
        silent["on"] = True
        start = time.monotonic()
        status = await client.wait_for_state(ConnectionState.RECONNECTING, timeout=5)
        assert time.monotonic() - start <= 2 * timeout + 0.3
        assert status.last_error is not None and "keep-alive" in status.last_error
        silent["on"] = False
        await client.wait_for_state(ConnectionState.READY, timeout=5)
        assert client.stats.reconnects == 1
        await client.ping()
    await node.stop()
    assert not client_tasks()


@pytest.mark.asyncio
async def test_close_leaves_no_tasks_even_while_reconnecting() -> None:
    node = await FakeNode().start()
    client = ClearNodeClient(node.url, timeout=1.0, backoff=Backoff(initial=5, cap=5))
    await client.connect()
    await node.stop()
    await client.wait_for_state(ConnectionState.RECONNECTING, timeout=5)
    assert client.status.next_attempt_at is not None and client.status.last_error
    await client.close()
    assert client.state is ConnectionState.DISCONNECTED
    assert not client_tasks()
