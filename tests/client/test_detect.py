"""The dialect of a ClearNode, asked of the server: each sandbox dialect on 127.0.0.1, and refusals."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.server import ServerConnection, serve

from nitro_desktop.client.detect import DetectError, detect_dialect
from nitro_desktop.devnode import sandbox_node
from nitro_desktop.protocol import Dialect

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("dialect", ["0.2", "0.5", "1"])
async def test_each_sandbox_dialect_is_detected(dialect: str) -> None:
    node = sandbox_node(dialect, host="127.0.0.1", port=0)
    await node.start()
    try:
        assert await detect_dialect(node.url, timeout=5.0) == Dialect(dialect)
    finally:
        await node.stop()


async def test_a_server_that_speaks_no_dialect_is_named_as_such() -> None:
    async def chatter(ws: ServerConnection) -> None:
        await ws.recv()
        for _ in range(20):
            await ws.send('{"hello": "world"}')
        await asyncio.sleep(1)

    async with serve(chatter, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(DetectError, match="no known ClearNode dialect"):
            await detect_dialect(f"ws://127.0.0.1:{port}/ws", timeout=5.0)


async def test_nothing_listening_says_it_cannot_reach() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(DetectError, match="cannot reach"):
        await detect_dialect(f"ws://127.0.0.1:{port}/ws", timeout=5.0)
