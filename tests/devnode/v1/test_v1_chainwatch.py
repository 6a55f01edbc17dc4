"""The chain watcher against a hostile JSON-RPC server on 127.0.0.1: bounded, and the node stays up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from websockets.asyncio.client import connect

from nitro_desktop.devnode import V1SandboxNode
from nitro_desktop.devnode.v1.chainwatch import MAX_LOGS, MAX_RESPONSE_BYTES, ChainConfig
from nitro_desktop.protocol import RawKeySigner
from tests.devnode.v1.helper import V1Client

HUB = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
GUARD = 20.0
Answer = Callable[[dict[str, Any]], bytes]


class HostileRpc:
    """An HTTP JSON-RPC server whose answers the test writes; counts what it was asked."""

    def __init__(self, answer: Answer, raw: bool) -> None:
        self.answer = answer
        self.raw = raw
        self.calls: list[dict[str, Any]] = []
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            request = json.loads(await reader.readexactly(length))
            self.calls.append(request)
            body = self.answer(request)
            if self.raw:  # the whole answer, status line and headers included
                writer.write(body)
                await writer.drain()
                return
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            writer.write(b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@pytest_asyncio.fixture
async def hostile() -> AsyncIterator[Callable[[Answer], Any]]:
    servers: list[HostileRpc] = []

    async def make(answer: Answer, raw: bool = False) -> HostileRpc:
        rpc = HostileRpc(answer, raw)
        rpc.server = await asyncio.start_server(rpc._serve, "127.0.0.1", 0)
        servers.append(rpc)
        return rpc

    yield make
    for rpc in servers:
        assert rpc.server is not None
        rpc.server.close()


def result(request: dict[str, Any], value: Any) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": value}).encode()


BROKER = "0x" + "4e" * 31 + "02"
node_word = RawKeySigner(BROKER).address[2:].lower().rjust(64, "0")


async def watching(factory: Any, rpc: HostileRpc) -> V1SandboxNode:
    node: V1SandboxNode = await factory(
        broker_key=BROKER, rpc_url=rpc.url, hub_address=HUB, chain_id=31337, poll_interval=0.05
    )
    return node


async def error_seen(node: V1SandboxNode) -> str:
    while node.chain_error is None:
        await asyncio.sleep(0.05)
    return node.chain_error


@pytest.mark.asyncio
async def test_an_oversized_answer_is_refused_and_the_node_keeps_serving(
    v1_sandbox_factory: Any, hostile: Any
) -> None:
    def answer(request: dict[str, Any]) -> bytes:
        if request["method"] == "eth_chainId":
            return result(request, "0x7a69")
        if request["method"] == "eth_call":
            return result(request, "0x" + node_word)
        return result(request, "0x1" + "0" * (MAX_RESPONSE_BYTES + 10))

    rpc = await hostile(answer)
    node = await watching(v1_sandbox_factory, rpc)
    assert await asyncio.wait_for(error_seen(node), GUARD) == f"answer over {MAX_RESPONSE_BYTES} bytes"
    async with connect(node.url) as ws:
        assert await V1Client(ws).ok("node.v1.ping", {}) == {}


@pytest.mark.asyncio
async def test_garbage_and_floods_of_logs_are_skipped_block_by_block(
    v1_sandbox_factory: Any, hostile: Any
) -> None:
    head = 5

    def answer(request: dict[str, Any]) -> bytes:
        method = request["method"]
        if method == "eth_chainId":
            return result(request, "0x7a69")
        if method == "eth_call":
            return result(request, "0x" + node_word)
        if method == "eth_blockNumber":
            return result(request, hex(head))
        junk = {
            "address": HUB,
            "topics": ["0x" + "ab" * 32],
            "data": "0x",
            "blockNumber": "0x1",
            "logIndex": "0x0",
        }
        return result(request, [junk] * (MAX_LOGS + 1))

    rpc = await hostile(answer)
    node = await watching(v1_sandbox_factory, rpc)
    await asyncio.wait_for(node.chain_synced(), GUARD)
    assert node.v1.store.chain_cursor(31337) == head + 1  # every block read (and its flood skipped)
    ranges = [
        (int(c["params"][0]["fromBlock"], 16), int(c["params"][0]["toBlock"], 16))
        for c in rpc.calls
        if c["method"] == "eth_getLogs"
    ]
    assert max(end - start + 1 for start, end in ranges) == head + 1  # first the whole range, then halves
    assert (head, head) in ranges  # down to single blocks


@pytest.mark.asyncio
async def test_deep_json_is_not_json(v1_sandbox_factory: Any, hostile: Any) -> None:
    rpc = await hostile(lambda request: b"[" * 100_000)
    node = await watching(v1_sandbox_factory, rpc)
    assert await asyncio.wait_for(error_seen(node), GUARD) == "eth_chainId: the answer is not JSON"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 70_000 + b"\r\n", "an answer line too long"),
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 200 + b"\r\n", "too many answer headers"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"ffff\r\n" + b"a" * 100,
            "closed the connection mid-answer",
        ),
        (b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", "HTTP 503 from"),
        (b"SSH-2.0-OpenSSH\r\n", "not an HTTP answer"),
    ],
)
async def test_broken_http_answers_are_reported(
    v1_sandbox_factory: Any, hostile: Any, answer: bytes, text: str
) -> None:
    rpc = await hostile(lambda request: answer, raw=True)
    node = await watching(v1_sandbox_factory, rpc)
    assert text in await asyncio.wait_for(error_seen(node), GUARD)


def test_chain_options_are_checked() -> None:
    for kwargs, text in (
        ({"rpc_url": "ftp://x"}, "must start with http:// or https://"),
        ({"hub_address": "0x12"}, "0x and 40 hex digits"),
        ({"chain_id": 0}, "positive 64-bit"),
    ):
        config = {"rpc_url": "http://127.0.0.1:8545", "hub_address": HUB, "chain_id": 31337, **kwargs}
        with pytest.raises(ValueError, match=text):
            ChainConfig(**config)
    with pytest.raises(ValueError, match="all three"):
        V1SandboxNode(rpc_url="http://127.0.0.1:8545")
