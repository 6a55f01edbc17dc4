"""The sandbox's frames are what Go's ``json.Marshal(rpc.Message)`` writes, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.devnode.v1.helper import frame

pytestmark = pytest.mark.asyncio


async def test_frames_have_gos_escapes_and_sorted_payload_keys(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    async with connect(node.url) as ws:
        rid, text = frame("a<b>&c", {})
        await ws.send(text)
        raw = await ws.recv()
        assert isinstance(raw, str)
        assert raw.startswith(
            f'[4,{rid},"a\\u003cb\\u003e\\u0026c",{{"error":"unknown method: a\\u003cb\\u003e\\u0026c"}},'
        )
        rid, text = frame("node.v1.get_config", {})
        await ws.send(text)
        raw = await ws.recv()
        assert isinstance(raw, str)
        payload = json.loads(raw)[3]
        assert list(payload) == sorted(payload)
