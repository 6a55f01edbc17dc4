"""A tiny protocol client for driving the sandbox node over a real websocket."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from nitro_desktop.protocol import (
    RawKeySigner,
    auth_typed_data,
    parse_server_message,
    sign_request,
    spec,
    typed_data_digest,
)
from nitro_desktop.protocol.crypto import sign_digest

# Hardhat/Anvil development keys (public), as in the shared vectors.
KEY_A = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
KEY_B = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
KEY_R = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"
KEY_S = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"

_ids = itertools.count(1)


class Client:
    def __init__(self, ws: ClientConnection, dialect: str, node: Any) -> None:
        self.ws = ws
        self.dialect = dialect
        self.spec = spec(dialect)
        self.node = node
        self.notifications: list[Any] = []

    async def recv(self, timeout: float = 5.0) -> Any:
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        return parse_server_message(text, self.dialect)

    async def send_raw(self, frame: str, request_id: int | None = None) -> Any:
        """Send a frame; return the first non-notification reply (notifications are kept)."""
        await self.ws.send(frame)
        while True:
            msg = await self.recv()
            if msg.is_notification:
                self.notifications.append(msg)
                continue
            if request_id is None or msg.frame.request_id == request_id:
                return msg

    async def call(
        self,
        method: str,
        obj: Any = None,
        signers: list[RawKeySigner] | tuple[RawKeySigner, ...] = (),
        *,
        raw_params: Any = None,
        ts: int | None = None,
    ) -> Any:
        rid = next(_ids)
        params = raw_params if raw_params is not None else self.spec.wrap_params(obj)
        ts = ts if ts is not None else int(time.time() * 1000)
        return await self.send_raw(sign_request(rid, method, params, ts, list(signers)), rid)

    async def result(self, method: str, obj: Any = None, signers: Any = (), **kw: Any) -> Any:
        msg = await self.call(method, obj, signers, **kw)
        assert not msg.is_error, msg.frame.result
        return self.spec.unwrap_result(method, msg.frame.result)

    async def error(self, method: str, obj: Any = None, signers: Any = (), **kw: Any) -> str:
        msg = await self.call(method, obj, signers, **kw)
        assert msg.is_error, f"expected an error, got {msg.frame.result}"
        return str(msg.payload.message)

    def auth_params(self, wallet: RawKeySigner, session_key: str | None = None, **over: Any) -> Any:
        fields = dict(
            address=wallet.address,
            session_key=session_key or wallet.address,
            application="Nitro Test",
            allowances=[],
            expires_at=int(time.time()) + 3600,
            scope="console",
            app_address="0x1111111111111111111111111111111111111111",
        )
        fields.update(over)
        return self.spec.auth_request_params(**fields)

    async def challenge(self, params: Any) -> str:
        msg = await self.call("auth_request", raw_params=params)
        assert not msg.is_error, msg.frame.result
        assert msg.frame.method == "auth_challenge"
        return str(self.spec.unwrap_result("auth_challenge", msg.frame.result)["challenge_message"])

    def eip712(self, signer: RawKeySigner, params: Any, challenge: str) -> str:
        return sign_digest(signer, typed_data_digest(auth_typed_data(self.dialect, params, challenge)))

    async def verify(self, challenge: str, sig: str) -> Any:
        rid = next(_ids)
        from nitro_desktop.protocol import encode_request, frame_from_req

        req = encode_request(
            rid, "auth_verify", self.spec.wrap_params({"challenge": challenge}), int(time.time() * 1000)
        )
        return await self.send_raw(frame_from_req(req, [sig]), rid)

    async def login(
        self, wallet: RawKeySigner, session_key: str | None = None, **over: Any
    ) -> dict[str, Any]:
        params = self.auth_params(wallet, session_key, **over)
        challenge = await self.challenge(params)
        msg = await self.verify(challenge, self.eip712(wallet, params, challenge))
        assert not msg.is_error, msg.frame.result
        return dict(self.spec.unwrap_result("auth_verify", msg.frame.result))

    async def wait_for(self, method: str, timeout: float = 5.0) -> Any:
        for i, msg in enumerate(self.notifications):
            if msg.frame.method == method:
                return self.notifications.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            msg = await self.recv(max(0.01, deadline - time.monotonic()))
            if msg.frame.method == method:
                return msg
            self.notifications.append(msg)


@pytest.fixture
def wallets() -> dict[str, RawKeySigner]:
    return {name: RawKeySigner(key) for name, key in (("A", KEY_A), ("B", KEY_B), ("R", KEY_R), ("S", KEY_S))}


@pytest.fixture
def client_factory():  # type: ignore[no-untyped-def]
    opened: list[ClientConnection] = []

    async def make(node: Any) -> Client:
        ws = await connect(node.url, max_size=None)
        opened.append(ws)
        client = Client(ws, node.dialect.value, node)
        first = await client.recv()
        assert first.frame.method == "assets"
        return client

    yield make
    for ws in opened:
        # closed by the node's stop() at the latest
        ws.close_timeout = 0.1
