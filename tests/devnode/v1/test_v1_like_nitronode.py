"""What the real nitronode v1.4.1 answered (helper v1real's transcript), asked of the sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from nitro_desktop.protocol import RawKeySigner
from tests.devnode.v1.helper import KEY_A, KEY_B, V1Client, create_sig, definition, frame

pytestmark = pytest.mark.asyncio
A, B = RawKeySigner(KEY_A), RawKeySigner(KEY_B)
CREATE = "app_sessions.v1.create_app_session"


async def test_get_config_has_nitronodes_shape(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    async with connect(node.url) as ws:
        _, text = frame("node.v1.get_config", {})
        await ws.send(text)
        raw = await ws.recv()
    assert isinstance(raw, str)
    payload = json.loads(raw)[3]
    assert list(payload) == ["blockchains", "node_address", "node_version", "supported_sig_validators"]
    assert payload["node_address"] == node.broker_address.lower()
    assert payload["node_version"] == "v1.4.1"
    assert payload["supported_sig_validators"] == "AAE="  # Go's []uint8{0, 1}, base64


async def test_duplicate_create_answers_the_database_error(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    d = definition([A, B], [1, 1], 1)
    payload = {"definition": d, "session_data": "", "quorum_sigs": [create_sig(d, A)]}
    async with connect(node.url) as ws:
        client = V1Client(ws)
        await client.ok(CREATE, payload)
        shouted = {
            **d,
            "participants": [
                {**p, "wallet_address": "0x" + p["wallet_address"][2:].upper()} for p in d["participants"]
            ],
        }
        for defn in (d, shouted):
            assert await client.error(CREATE, {**payload, "definition": defn}) == (
                "failed to create app session: failed to create app session: ERROR: duplicate key value"
                ' violates unique constraint "app_sessions_v1_pkey" (SQLSTATE 23505)'
            )


async def test_over_the_rate_the_connection_is_dropped_without_a_word(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory(rate_limit=0.001, rate_burst=20)  # refills nothing during the test
    async with connect(node.url) as ws:
        client = V1Client(ws)
        for _ in range(20):
            assert await client.ok("node.v1.ping", {}) == {}
        _, text = frame("node.v1.ping", {})
        await ws.send(text)
        with pytest.raises(ConnectionClosedError) as closed:
            await ws.recv()
    assert closed.value.rcvd is None  # no close frame, as nitronode


async def test_binary_frames_are_served_as_text(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    async with connect(node.url) as ws:
        rid, text = frame("node.v1.ping", {})
        await ws.send(text.encode())
        reply = json.loads(await ws.recv())
    assert reply[:4] == [2, rid, "node.v1.ping", {}]


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/v1/ws", 404, "404 page not found\n"),
        ("/ws?app_id=Bad!", 400, "invalid app_id: must match ^[a-z0-9_-]{1,66}$\n"),
        ("/ws?app_id=" + "a" * 67, 400, "invalid app_id: must match ^[a-z0-9_-]{1,66}$\n"),
    ],
)
async def test_refused_before_the_upgrade(v1_sandbox_factory: Any, path: str, status: int, body: str) -> None:
    node = await v1_sandbox_factory()
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"ws://127.0.0.1:{node.port}{path}"):
            pass
    assert refused.value.response.status_code == status
    assert refused.value.response.body.decode() == body


@pytest.mark.parametrize("query", ["?app_id=my-app_1", "?app_id=", "?application_id=Bad!"])
async def test_valid_or_absent_app_id_is_served(v1_sandbox_factory: Any, query: str) -> None:
    node = await v1_sandbox_factory()
    async with connect(node.url + query) as ws:
        assert await V1Client(ws).ok("node.v1.ping", {}) == {}


async def test_list_reads_answer_as_nitronode(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    a = A.address.lower()
    async with connect(node.url) as ws:
        client = V1Client(ws)
        empty = {"page": 1, "per_page": 10, "total_count": 0, "page_count": 0}
        assert await client.ok("user.v1.get_transactions", {"wallet": a}) == {
            "metadata": empty,
            "transactions": [],
        }
        for method in ("channels.v1.get_last_key_states", "app_sessions.v1.get_last_key_states"):
            assert await client.ok(method, {"user_address": a}) == {"metadata": empty, "states": []}
        assert await client.ok("channels.v1.get_channels", {"wallet": a}) == {
            "channels": [],
            "metadata": {"page": 0, "per_page": 100, "total_count": 0, "page_count": 0},
        }
        node.fund(a, "usdc", "1")
        listed = await client.ok("channels.v1.get_channels", {"wallet": A.address, "status": "OPEN"})
        assert [(ch["asset"], ch["type"], ch["status"]) for ch in listed["channels"]] == [
            ("usdc", "home", "open")
        ]
        assert listed["metadata"] == {"page": 1, "per_page": 100, "total_count": 1, "page_count": 1}
        assert await client.error("channels.v1.get_channels", {"wallet": a, "status": "x"}) == (
            'invalid status: unknown channel status: "x"'
        )
        assert await client.error("channels.v1.get_channels", {"wallet": a, "channel_type": "z\n"}) == (
            'invalid channel_type: unknown channel type: "z\\n"'
        )
        assert await client.error("channels.v1.get_channels", {}) == "wallet is required"


@pytest.mark.parametrize(("size", "served"), [(131072, True), (131073, False)])
async def test_frame_size_limit_is_nitronodes(v1_sandbox_factory: Any, size: int, served: bool) -> None:
    node = await v1_sandbox_factory()
    rid, bare = frame("node.v1.ping", {"pad": ""})
    text = bare.replace('"pad": ""', '"pad": "' + "x" * (size - len(bare)) + '"')
    assert len(text.encode()) == size
    async with connect(node.url, max_size=None) as ws:
        await ws.send(text)
        if served:
            assert json.loads(await ws.recv())[:2] == [2, rid]
            return
        with pytest.raises(ConnectionClosedError) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # nitronode gives no reason
