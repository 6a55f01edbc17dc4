"""A fault-injecting websocket proxy on 127.0.0.1, between the client and a real node.

It forwards frames both ways (0.x objects or v1 bare arrays) and, on request, drops the
client's socket before or after forwarding a given request, swallows (stalls) a request,
re-signs answers with a stranger's key, injects arbitrary frames, and replays genuine ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from nitro_desktop.protocol import RawKeySigner, keccak256, parse_server_frame
from nitro_desktop.protocol.crypto import sign_digest


def _head(text: str | bytes, key: str) -> tuple[int, str]:
    """(request id, method) of a 0.x frame (under ``key``) or a v1 bare array."""
    value = json.loads(text)
    if isinstance(value, list):  # v1: [type, request_id, method, payload, ts]
        return int(value[1]), str(value[2])
    request_id, method = value[key][:2]
    return int(request_id), str(method)


@dataclass(eq=False)
class _Pair:
    client: ServerConnection
    upstream: ClientConnection
    drop_after_id: int | None = None
    lose_answer_id: int | None = None


@dataclass
class FaultProxy:
    upstream_url: str
    seen: Counter[str] = field(default_factory=Counter)
    last_server_frame: dict[str, str] = field(default_factory=dict)
    _rules: dict[str, list[str]] = field(default_factory=dict)
    _forge: set[str] = field(default_factory=set)
    _rewrite: dict[str, Callable[[str], str]] = field(default_factory=dict)
    _pairs: list[_Pair] = field(default_factory=list)
    _server: Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    url: str = ""
    connections: int = 0
    dark: bool = False  # swallow every request from now on (the node seems gone; sockets stay open)
    sent_ids: dict[str, list[int]] = field(default_factory=dict)  # method -> ids the client sent

    async def start(self) -> FaultProxy:
        self._server = await serve(self._handle, "127.0.0.1", 0, max_size=None)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # ---- faults -----------------------------------------------------------------
    def drop_before(self, method: str) -> None:
        """The next ``method`` request: close the client's socket instead of forwarding it."""
        self._rules.setdefault(method, []).append("drop_before")

    def drop_after(self, method: str) -> None:
        """The next ``method`` request: forward it, wait for the node's answer, then close the socket."""
        self._rules.setdefault(method, []).append("drop_after")

    def lose_answer(self, method: str) -> None:
        """The next ``method`` request is forwarded; its answer is swallowed, the socket stays open."""
        self._rules.setdefault(method, []).append("lose_answer")

    def go_dark_after(self, method: str) -> None:
        """The next ``method`` request is forwarded, then nothing gets through either way (``dark``)."""
        self._rules.setdefault(method, []).append("dark_after")

    def stall(self, method: str) -> None:
        """The next ``method`` request is swallowed (never forwarded, never answered)."""
        self._rules.setdefault(method, []).append("stall")

    def forge(self, method: str) -> None:
        """Answers/notifications named ``method`` get re-signed by a stranger."""
        self._forge.add(method)

    def rewrite(self, method: str, change: Callable[[str], str]) -> None:
        """Answers named ``method`` reach the client as ``change(text)`` (a node that lies in its payload)."""
        self._rewrite[method] = change

    async def inject(self, text: str | bytes) -> None:
        for pair in list(self._pairs):
            with contextlib.suppress(ConnectionClosed):
                await pair.client.send(text)

    async def replay(self, method: str, count: int) -> None:
        frame = self.last_server_frame[method]
        for pair in list(self._pairs):
            for _ in range(count):
                await pair.client.send(frame)

    def drop_all(self) -> None:
        for pair in list(self._pairs):
            pair.client.transport.abort()

    @staticmethod
    def forged(text: str) -> str:
        raw = parse_server_frame(text).raw_res
        sig = sign_digest(RawKeySigner.generate(), keccak256(raw.encode()))
        return '{"res":' + raw + ',"sig":["' + sig + '"]}'

    # ---- plumbing ------------------------------------------------------------------
    async def _handle(self, client: ServerConnection) -> None:
        self.connections += 1
        async with connect(self.upstream_url, max_size=None, proxy=None, ping_interval=None) as upstream:
            pair = _Pair(client, upstream)
            self._pairs.append(pair)
            tasks = [asyncio.create_task(self._c2s(pair)), asyncio.create_task(self._s2c(pair))]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self._pairs.remove(pair)

    async def _c2s(self, pair: _Pair) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in pair.client:
                request_id, method = _head(message, "req")
                self.seen[method] += 1
                self.sent_ids.setdefault(method, []).append(request_id)
                rules = self._rules.get(method)
                rule = rules.pop(0) if rules else None
                if rule == "drop_before":
                    pair.client.transport.abort()
                    return
                if rule == "stall" or self.dark:
                    continue
                if rule == "lose_answer":
                    pair.lose_answer_id = request_id
                if rule == "dark_after":
                    await pair.upstream.send(message)
                    self.dark = True
                    continue
                if rule == "drop_after":
                    pair.drop_after_id = request_id
                await pair.upstream.send(message)

    async def _s2c(self, pair: _Pair) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in pair.upstream:
                text = str(message)
                request_id, method = _head(text, "res")
                self.last_server_frame[method] = text
                if self.dark:
                    continue
                if pair.drop_after_id is not None and request_id == pair.drop_after_id:
                    pair.client.transport.abort()
                    return
                if pair.lose_answer_id is not None and request_id == pair.lose_answer_id:
                    pair.lose_answer_id = None
                    continue
                if method in self._forge:
                    text = self.forged(text)
                if method in self._rewrite:
                    text = self._rewrite[method](text)
                await pair.client.send(text)
