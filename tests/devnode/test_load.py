"""Bounded under load (issue 11 §4): connection caps with a close reason, errors carry request ids."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.protocol import parse_server_message, sign_request

REASON = "try again later: too many connections"


async def open_ws(node: SandboxNode, source: str) -> ClientConnection:
    ws = await connect(node.url, local_addr=(source, 0), open_timeout=5, close_timeout=0.5)
    ws_any: Any = ws
    ws_any.source = source
    return ws


async def served(ws: ClientConnection) -> bool:
    """True when the node serves this socket (its first frame is the assets notification)."""
    try:
        first = await asyncio.wait_for(ws.recv(), 5)
    except ConnectionClosed:
        return False
    return parse_server_message(first, "0.2").frame.method == "assets"


async def refusal(ws: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as info:
        await asyncio.wait_for(ws.recv(), 5)
    rcvd = info.value.rcvd
    assert rcvd is not None
    return rcvd.code, rcvd.reason


def refusal_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]


@pytest.mark.asyncio
async def test_connections_over_the_caps_are_refused_with_a_reason(
    sandbox_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    node = await sandbox_factory(max_connections=4, max_connections_per_address=2, refusal_log_interval=3600)
    opened: list[ClientConnection] = []
    try:
        for _ in range(2):
            opened.append(await open_ws(node, "127.0.0.1"))
            assert await served(opened[-1])
        # A third socket from the same address: over the per-address cap, told why.
        extra = await open_ws(node, "127.0.0.1")
        assert await refusal(extra) == (1013, REASON)
        for _ in range(2):
            opened.append(await open_ws(node, "127.0.0.2"))
            assert await served(opened[-1])
        # A new address while the node is full: over the per-node cap.
        extra = await open_ws(node, "127.0.0.3")
        assert await refusal(extra) == (1013, REASON)
        # A burst of further attempts: each one refused (1013) or cut, none served, one log line.
        outcomes = []
        for i in range(40):
            try:
                ws = await open_ws(node, f"127.0.0.{3 + i % 3}")
            except (InvalidHandshake, OSError, ConnectionClosed):
                outcomes.append("cut")
                continue
            outcomes.append("served" if await served(ws) else "refused")
            await ws.close()
        assert "served" not in outcomes and outcomes.count("refused") >= 1
        assert node.connection_count == 4 and node.refused_connections == 42
        assert len(refusal_lines(caplog)) == 1  # once per interval, with a count — not per attempt
        # A normal client gets in again once a socket closes.
        await opened.pop(0).close()
        client = ClearNodeClient(node.url, "0.2", timeout=5.0)
        for _ in range(100):  # the node releases the slot when the socket is gone
            try:
                await client.connect()
                break
            except Exception:
                await asyncio.sleep(0.05)
        try:
            assert client.broker_address == node.broker_address
            assert await client.ping() >= 0
        finally:
            await client.close()
    finally:
        for ws in opened:
            await ws.close()
    await node.stop()
    lines = refusal_lines(caplog)
    assert len(lines) == 2 and "refused 41 connection(s)" in lines[1]  # the rest, flushed at stop


@pytest.mark.asyncio
async def test_idle_sockets_that_never_handshake_hold_no_more_than_their_share(sandbox_factory: Any) -> None:
    node = await sandbox_factory(max_connections=50, max_connections_per_address=3)
    idle = []
    try:
        for _ in range(30):  # plain TCP sockets that never say a word
            idle.append(await asyncio.open_connection("127.0.0.1", node.port, local_addr=("127.0.0.9", 0)))

        async def cut(reader: asyncio.StreamReader) -> bool:
            try:  # a socket the node holds waits for its handshake for 10 s (open_timeout)
                return await asyncio.wait_for(reader.read(1), 3) == b""
            except ConnectionResetError:
                return True
            except TimeoutError:
                return False

        results = await asyncio.gather(*(cut(reader) for reader, _ in idle))
        assert results.count(True) == 30 - 3 - 8  # held: 3 served slots + 8 waiting to be refused
        # Another address is unaffected.
        client = ClearNodeClient(node.url, "0.2", timeout=5.0)
        await client.connect()
        await client.close()
    finally:
        for _, writer in idle:
            writer.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_errors_for_a_readable_request_carry_its_id(
    sandbox_factory: Any, client_factory: Any, dialect: str
) -> None:
    node = await sandbox_factory(dialect=dialect)
    c = await client_factory(node)
    cases = {
        '{"req":[71,"ping",[],0]}': "message validation failed",  # timestamp 0
        '{"req":[72,"",[],5]}': "message validation failed",  # no method
        '{"req":[73,5,[],5]}': "invalid message format",  # method not a string
        '{"req":[74,"ping",[],5],"sig":5}': "invalid message format",
        '{"req":[75,"ping",[],5],"sig":["zz"]}': None,  # 0.5 decodes sigs at frame level
    }
    for text, error in cases.items():
        msg = await c.send_raw(text)
        if error is None and not msg.is_error:
            continue
        assert msg.is_error and msg.frame.request_id == int(text[8:10]), (text, msg.frame)
        if error is not None:
            assert msg.payload.message == error


@pytest.mark.asyncio
async def test_rate_limited_frames_are_answered_under_their_own_ids(
    sandbox_factory: Any, client_factory: Any
) -> None:
    node = await sandbox_factory(dialect="0.2", rate_limit=2.0)
    c = await client_factory(node)
    for i in range(10):
        await c.ws.send(sign_request(500 + i, "ping", [], 1, []))
    replies = [await c.recv() for _ in range(10)]
    limited = [m for m in replies if m.is_error and m.payload.message == "too many requests"]
    assert limited and all(500 <= m.frame.request_id < 510 for m in replies)
    assert len({m.frame.request_id for m in replies}) == 10
