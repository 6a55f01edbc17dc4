"""The dialect seam: a dialect with its own envelope, no server signature, no login and empty creates.

``ToyDialect`` is shaped like v1 (bare arrays ``[type, request_id, method, payload, ts]``,
1 request / 2 response / 3 event / 4 error, errors as ``{"error": text}``, no ``sig`` on
any frame, methods named ``node.v1.*``). It goes through the real ``ClearNodeClient``,
``Link`` and ``Connection`` against a real websocket server on 127.0.0.1 that speaks
only that wire: nothing in the client knows about it beyond the spec object.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from nitro_desktop.client import ClearNodeClient, ClearNodeError, ConnectionState
from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    Dialect,
    DialectSpec,
    Envelope,
    FrameFormatError,
    FrameKind,
    HashSigner,
    ProtocolError,
    RawKeySigner,
    RpcCall,
    ServerError,
    ServerFrame,
    UnknownMessage,
    spec,
)

_NAMES = {"ping": "node.v1.ping", "get_config": "node.v1.get_config"}


class BareArrayEnvelope(Envelope):
    signs_requests = False
    server_signed = False

    def encode_request(
        self, request_id: int, call: RpcCall, timestamp: int, signers: Sequence[HashSigner]
    ) -> str:
        if signers:
            raise ProtocolError("this dialect signs payloads, not frames")
        return json.dumps([int(FrameKind.REQUEST), request_id, call.method, call.params, timestamp])

    def decode(self, text: str | bytes) -> ServerFrame:
        try:
            value = json.loads(text)
        except ValueError:
            raise FrameFormatError("not JSON") from None
        if not isinstance(value, list) or len(value) != 5 or value[0] not in (2, 3, 4):
            raise FrameFormatError("not a [type, id, method, payload, ts] server frame")
        kind, request_id, method, payload, ts = value
        raw = text.decode() if isinstance(text, bytes) else text
        return ServerFrame(request_id, method, payload, ts, raw, (), raw, FrameKind(kind))


class ToyDialect(DialectSpec):
    dialect = Dialect.V05  # shown in texts only: the client is handed this object, not the enum
    protocols = ()
    default_protocol = "toy"
    definition_has_application = True
    server_v_offset = 27
    strict_hex_sigs = False
    envelope = BareArrayEnvelope()
    auth_scheme = None
    funded_at_create = False

    def method_name(self, method: str) -> str:
        return _NAMES.get(method, method)

    def decode_payload(self, frame: ServerFrame) -> Any:
        if frame.kind is FrameKind.ERROR:
            return ServerError(str(frame.result.get("error", "")), "v1")
        return UnknownMessage(frame.method, frame.result)

    def wrap_params(self, obj: dict[str, Any] | None) -> Any:
        return obj or {}

    def unwrap_params(self, params: Any) -> dict[str, Any]:
        return dict(params or {})

    def wrap_result(self, payload: Any) -> Any:
        return payload

    def unwrap_result(self, method: str, result: Any) -> Any:
        return result

    def error_result(self, message: str) -> Any:
        return {"error": message}

    def list_key(self, method: str) -> str | None:
        return None


class ToyNode:
    """Speaks only the bare-array wire; records every frame it was sent."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.url = ""

    async def serve(self, ws: ServerConnection) -> None:
        async for message in ws:
            frame = json.loads(message)
            self.received.append(frame)
            _kind, request_id, method, _payload, _ts = frame
            now = int(time.time() * 1000)
            if method == "node.v1.ping":
                await ws.send(json.dumps([2, request_id, method, {}, now]))
            elif method == "user.v1.get_balances":
                # an event first, then the answer: the event must reach subscribers, not the caller
                await ws.send(json.dumps([3, 0, "user.v1.balance_update", {"asset": "usdc"}, now]))
                await ws.send(json.dumps([2, request_id, method, {"balances": []}, now]))
            else:
                error = {"error": f"unknown method: {method}"}
                await ws.send(json.dumps([4, request_id, method, error, now]))

    def methods(self) -> list[str]:
        return [frame[2] for frame in self.received]


@asynccontextmanager
async def toy_client(**kwargs: Any) -> AsyncIterator[tuple[ToyNode, ClearNodeClient]]:
    node = ToyNode()
    async with serve(node.serve, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        node.url = f"ws://127.0.0.1:{port}"
        client = ClearNodeClient(node.url, ToyDialect(), timeout=5, **kwargs)
        try:
            await client.connect()
            yield node, client
        finally:
            await client.close()


@pytest.mark.asyncio
async def test_a_dialect_with_its_own_envelope_connects_without_broker_or_login() -> None:
    async with toy_client() as (node, client):
        assert client.state is ConnectionState.READY
        assert client.broker_address is None  # nothing signs server frames: nothing to pin
        wallet = RawKeySigner.generate()
        result = await client.authenticate(wallet, app_name="toy")
        assert result.success and result.address == wallet.address == client.address
        answer = await client.request(RpcCall("node.v1.ping", {}))
        assert isinstance(answer, UnknownMessage) and answer.method == "node.v1.ping"
        # No get_config for a broker, no auth_request: only what the caller asked for went out.
        assert node.methods() == ["node.v1.ping"]
        assert all(isinstance(f, list) and f[0] == 1 for f in node.received)
        assert client.stats.frames_rejected == 0


@pytest.mark.asyncio
async def test_errors_answer_their_request_and_events_reach_subscribers() -> None:
    async with toy_client() as (_node, client):
        events: list[Any] = []
        client.on(events.append)
        with pytest.raises(ClearNodeError, match=r"unknown method: app_sessions\.v1\.nope"):
            await client.request(RpcCall("app_sessions.v1.nope", {}))
        answer = await client.request(RpcCall("user.v1.get_balances", {}))
        assert answer.payload == {"balances": []}
        assert [e.method for e in events if isinstance(e, UnknownMessage)] == ["user.v1.balance_update"]
        assert client.stats.responses_unmatched == 0


@pytest.mark.asyncio
async def test_keepalive_uses_the_dialects_method_names() -> None:
    async with toy_client(keepalive_interval=0.05) as (node, client):
        async with asyncio.timeout(5):
            while "node.v1.ping" not in node.methods():
                await asyncio.sleep(0.02)
        assert "ping" not in node.methods()
        assert client.state is ConnectionState.READY


@pytest.mark.asyncio
async def test_frames_are_not_signed_and_sessions_are_created_empty() -> None:
    async with toy_client() as (node, client):
        signer = RawKeySigner.generate()
        with pytest.raises(ProtocolError, match="signs payloads"):
            await client.request(RpcCall("node.v1.ping", {}), [signer])
        definition = AppDefinition("toy", (signer.address,), (1,), 1, 0, 1)
        with pytest.raises(ValueError, match="creates sessions empty"):
            funds = [Allocation(signer.address, "usdc", Decimal(1))]
            await client.create_app_session(definition, funds, [signer])
        assert node.methods() == []  # refused before anything left this machine


def test_the_registered_dialects_keep_their_envelope_and_capabilities() -> None:
    for dialect in (Dialect.V02, Dialect.V05):
        impl = spec(dialect)
        assert impl.envelope.server_signed and impl.envelope.signs_requests
        assert impl.auth_scheme == "eip712-challenge" and impl.funded_at_create
        assert impl.method_name("ping") == "ping"
    assert spec(Dialect.V05).session_keys_expire and not spec(Dialect.V02).session_keys_expire
    v1 = spec("1")
    assert v1.dialect is Dialect.V1 and not v1.envelope.server_signed and not v1.envelope.signs_requests
    assert v1.auth_scheme is None and not v1.funded_at_create
    assert v1.method_name("ping") == "node.v1.ping" and not v1.supports("transfer")
    toy = ToyDialect()
    assert spec(toy) is toy
