"""The real server's quirks, as exact frames: the sandbox must copy them, the client must cope."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal

import pytest

from nitro_desktop.client import ClearNodeError
from nitro_desktop.protocol import (
    AppDefinition,
    AppSessionUpdate,
    ProtocolError,
    RpcCall,
    app_session_id,
    builders,
    sign_request,
    spec,
)
from tests.live.conftest import FrameRecorder, LiveTarget
from tests.live.helpers import allocations, client_for, connected, definition, fresh_nonce, stranger

BIG_NONCE = 2**53 + 1


def go_float_roundtrip(value: int) -> int:
    """What the server's params decoding (through float64, then back to text) makes of an integer."""
    return int(Decimal(repr(float(value))))


@pytest.mark.asyncio
async def test_pong_payload(target: LiveTarget, frames: FrameRecorder, known_difference: object) -> None:
    client = await client_for(target, frames)
    try:
        await client.ping()
        exchange = client.exchanges.last("ping")
        assert exchange is not None
        res = json.loads(exchange.response)["res"]
        assert (res[1], res[2]) == ("pong", None)
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_nonce_above_2_53_is_rounded_by_the_server(
    target: LiveTarget, frames: FrameRecorder, known_difference: object
) -> None:
    alice = target.wallets()[0]
    async with connected(target, frames, alice) as client:
        d = definition(
            target, [alice.address, stranger().address], [100, 0], nonce=BIG_NONCE + fresh_nonce() * 2
        )
        # Built by hand: the client's builder refuses such a nonce (test below).
        impl = spec(target.dialect)
        shares = allocations(target, [(alice.address, 0), (d.participants[1], 0)])
        params = impl.wrap_params(
            {
                "definition": d.to_wire(with_application=impl.definition_has_application),
                "allocations": [a.to_wire() for a in shares],
            }
        )
        call = RpcCall("create_app_session", params)
        request_id = int(time.time() * 1000) % 10**9 + 23
        frame = sign_request(request_id, call.method, call.params, int(time.time() * 1000), [alice])
        await client.send_presigned(frame)
        answer = json.loads(client.exchanges.last("create_app_session").response)["res"][2]  # type: ignore[union-attr]
        answer = spec(target.dialect).unwrap_params(answer)
        rounded = AppDefinition(**{**_fields(d), "nonce": go_float_roundtrip(d.nonce)})
        assert go_float_roundtrip(d.nonce) != d.nonce
        assert answer["app_session_id"] == app_session_id(rounded, target.dialect)


def _fields(d: AppDefinition) -> dict[str, object]:
    return {k: getattr(d, k) for k in AppDefinition.__dataclass_fields__}


@pytest.mark.asyncio
async def test_client_refuses_nonce_above_2_53(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, stranger().address], [100, 0], nonce=BIG_NONCE)
        with pytest.raises((ValueError, ProtocolError)):
            await client.create_app_session(
                d, allocations(target, [(alice.address, 0), (d.participants[1], 0)]), [alice]
            )


@pytest.mark.asyncio
async def test_participant_filter_is_an_exact_match(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    bob = stranger()
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, bob.address], [100, 0])
        await client.create_app_session(
            d, allocations(target, [(alice.address, 0), (bob.address, 0)]), [alice]
        )
        assert len(await client.get_app_sessions(participant=bob.address)) == 1
        assert await client.get_app_sessions(participant=bob.address.lower()) == []


@pytest.mark.asyncio
async def test_unknown_sort_word(target: LiveTarget, frames: FrameRecorder, known_difference: object) -> None:
    client = await client_for(target, frames)
    try:
        call = builders.get_app_sessions(target.dialect, stranger().address, None, None, None, None)
        params = spec(target.dialect).unwrap_params(call.params)
        params["sort"] = "sideways"
        with pytest.raises(ClearNodeError) as caught:
            await client.request(RpcCall(call.method, spec(target.dialect).wrap_params(params)))
        assert caught.value.message == "failed to get application sessions"
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_channels_are_empty_and_resize_is_refused(
    target: LiveTarget, frames: FrameRecorder, known_difference: object
) -> None:
    alice = target.wallets()[0]
    async with connected(target, frames, alice) as client:
        result = await client.request(builders.get_channels(target.dialect, alice.address))
        assert list(result) == []
        params = {"channel_id": "0x" + "ab" * 32, "allocate_amount": "1", "funds_destination": alice.address}
        with pytest.raises(ClearNodeError) as caught:
            await client.request(RpcCall("resize_channel", spec(target.dialect).wrap_params(params)), [alice])
        frames.note("#", f"resize_channel refused: {caught.value.message}")
        assert caught.value.message == f"channel {params['channel_id']} not found"


@pytest.mark.asyncio
async def test_asu_reaches_the_other_participant(
    target: LiveTarget, frames: FrameRecorder, known_difference: object
) -> None:
    if target.dialect != "0.5":
        pytest.skip("asu is a v0.5 notification")
    alice, bob, _ = target.wallets()
    a = await client_for(target, frames, alice)
    b = await client_for(target, frames, bob)
    seen: list[AppSessionUpdate] = []
    b.on(lambda event: seen.append(event) if isinstance(event, AppSessionUpdate) else None)
    try:
        d = definition(target, [alice.address, bob.address], [100, 0], protocol="NitroRPC/0.4")
        sid = (
            await a.create_app_session(
                d, allocations(target, [(alice.address, 1), (bob.address, 0)]), [alice]
            )
        ).app_session_id
        await a.submit_app_state(
            sid,
            allocations(target, [(alice.address, 0), (bob.address, 1)]),
            [alice],
            intent="operate",
            version=2,
        )
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.1)
        assert seen, "no asu"
        update = seen[-1]
        frames.note("#", f"asu: {update!r}")
        assert (update.app_session.app_session_id, update.app_session.version) == (sid, 2)
        assert update.app_session.application == ""
        await a.close_app_session(sid, allocations(target, [(alice.address, 1), (bob.address, 0)]), [alice])
    finally:
        await a.close()
        await b.close()
