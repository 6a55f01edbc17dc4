"""ClearNodeClient.send_presigned: a frame signed elsewhere goes out byte for byte."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from nitro_desktop.protocol import AppSession, app_session_id, builders, encode_request, frame_from_req
from nitro_desktop.protocol.frames import sign_req_text
from tests.client.helpers import definition, ready_client, sandbox, split, wallets


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_presigned_create_is_sent_verbatim_and_tracked(dialect: str) -> None:
    async with sandbox(dialect) as node:
        a, b = wallets(node)
        client = await ready_client(node.url, dialect, a)
        try:
            d = definition(dialect, a, b)
            call = builders.create_app_session(dialect, d, split(a, b, 7, 0))
            ts = time.time_ns() // 1_000_000
            # id 3 is what the client's own counter would hand out next: it must skip it.
            req = encode_request(3, call.method, call.params, ts)
            frame = frame_from_req(req, sign_req_text(req, [a]))
            presigned = client.send_presigned(frame)
            session, balances = await asyncio.gather(presigned, client.get_ledger_balances())
            assert isinstance(session, AppSession)
            assert (session.app_session_id, session.status, session.version) == (
                app_session_id(d, dialect),
                "open",
                1,
            )
            assert isinstance(balances, list)
            assert node.balances(a.address)["usdc"] == Decimal(93)
        finally:
            await client.close()


@pytest.mark.asyncio
async def test_a_presigned_id_in_flight_is_refused() -> None:
    async with sandbox("0.2") as node:
        a, _b = wallets(node)
        client = await ready_client(node.url, "0.2", a)
        try:
            req = encode_request(1 << 41, "ping", [], 1)
            frame = frame_from_req(req, [])
            results = await asyncio.gather(
                client.send_presigned(frame), client.send_presigned(frame), return_exceptions=True
            )
            assert [type(r).__name__ for r in results] == ["Pong", "ValueError"]
            assert "already in flight" in str(results[1])
        finally:
            await client.close()
