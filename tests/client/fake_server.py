"""A tiny scripted ClearNode on 127.0.0.1 for tests that need frames no real server sends."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

from nitro_desktop.protocol import RawKeySigner, RequestFrame, parse_request_frame, sign_response, spec

Handler = Callable[["FakeNode", ServerConnection, RequestFrame], Awaitable[bool]]


class FakeNode:
    """Answers get_config and ping, signs as its broker; ``handler`` may take over any request."""

    def __init__(self, dialect: str = "0.2", handler: Handler | None = None) -> None:
        self.broker = RawKeySigner.generate()
        self.spec = spec(dialect)
        self.handler = handler
        self.requests: list[RequestFrame] = []
        self._server: Server | None = None
        self.url = ""

    async def start(self) -> FakeNode:
        self._server = await serve(self._serve, "127.0.0.1", 0, max_size=None)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def response(self, request_id: int, method: str, payload: Any, signer: RawKeySigner | None = None) -> str:
        return sign_response(
            request_id,
            method,
            self.spec.wrap_result(payload),
            int(time.time() * 1000),
            signer or self.broker,
            v_offset=self.spec.server_v_offset,
        )

    def error(self, request_id: int, text: str) -> str:
        return sign_response(
            request_id,
            "error",
            self.spec.error_result(text),
            int(time.time() * 1000),
            self.broker,
            v_offset=self.spec.server_v_offset,
        )

    async def _serve(self, ws: ServerConnection) -> None:
        async for message in ws:
            req = parse_request_frame(str(message))
            self.requests.append(req)
            if self.handler is not None and await self.handler(self, ws, req):
                continue
            if req.method == "get_config":
                await ws.send(
                    self.response(
                        req.request_id, "get_config", {"broker_address": self.broker.address, "networks": []}
                    )
                )
            elif req.method == "ping":
                await ws.send(self.response(req.request_id, "pong", None))
            else:
                await ws.send(self.error(req.request_id, f"unknown method: {req.method}"))
