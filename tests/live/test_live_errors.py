"""Every refusal the session wizard maps to a page, as the target answers it."""

from __future__ import annotations

import time

import pytest

from nitro_desktop.client import ClearNodeClient, ClearNodeError, RequestTimeout
from nitro_desktop.flows import page_for_server_error
from nitro_desktop.protocol import builders, sign_request
from tests.live.conftest import FrameRecorder, LiveTarget
from tests.live.helpers import allocations, connected, definition, stranger, submit_kwargs


async def refused(awaitable: object) -> ClearNodeError:
    with pytest.raises(ClearNodeError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value


@pytest.mark.asyncio
async def test_insufficient_funds(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, stranger().address], [100, 0])
        huge = allocations(target, [(alice.address, 10**12), (d.participants[1], 0)])
        error = await refused(client.create_app_session(d, huge, [alice]))
        assert error.message == f"insufficient funds: {alice.address} for asset {target.asset}"
        assert page_for_server_error(error.message) == "allocations"


@pytest.mark.asyncio
async def test_unknown_asset(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    async with connected(target, frames, alice) as client:
        bob = stranger()
        d = definition(target, [alice.address, bob.address], [100, 0])
        from decimal import Decimal

        from nitro_desktop.protocol import Allocation

        bad = [
            Allocation(alice.address, "nosuchcoin", Decimal(1)),
            Allocation(bob.address, "nosuchcoin", Decimal(0)),
        ]
        error = await refused(client.create_app_session(d, bad, [alice]))
        assert error.message == f"insufficient funds: {alice.address} for asset nosuchcoin"
        assert page_for_server_error(error.message) == "allocations"


@pytest.mark.asyncio
async def test_missing_signature(target: LiveTarget, frames: FrameRecorder) -> None:
    alice, bob, _ = target.wallets()
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, bob.address], [50, 50])
        error = await refused(
            client.create_app_session(d, allocations(target, [(alice.address, 1), (bob.address, 1)]), [alice])
        )
        assert error.message == f"missing signature for participant {bob.address}"
        assert page_for_server_error(error.message) == "signers"


@pytest.mark.asyncio
async def test_quorum_not_reached(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    bob = stranger()
    async with connected(target, frames, alice) as client:
        protocol = target.protocols()[-1]
        d = definition(target, [alice.address, bob.address], [50, 50], protocol=protocol)
        sid = (
            await client.create_app_session(
                d, allocations(target, [(alice.address, 1), (bob.address, 0)]), [alice]
            )
        ).app_session_id
        split = allocations(target, [(alice.address, 0), (bob.address, 1)])
        error = await refused(
            client.submit_app_state(sid, split, [alice], **submit_kwargs(target, protocol, 2))
        )
        if target.dialect == "0.5":
            assert error.message == "incorrect submit_state request: quorum not reached: 50 / 100"
        else:
            assert error.message == "quorum not met: 50 / 100"
        assert page_for_server_error(error.message) == "participants"
        # both sign: the session is closed and the unit goes back
        closed = await client.close_app_session(
            sid, allocations(target, [(alice.address, 1), (bob.address, 0)]), [alice, bob]
        )
        assert closed.status == "closed"


@pytest.mark.asyncio
async def test_stale_version(target: LiveTarget, frames: FrameRecorder) -> None:
    if target.dialect != "0.5":
        pytest.skip("versions are checked for NitroRPC/0.4 sessions (a v0.5 ClearNode)")
    alice = target.wallets()[0]
    bob = stranger()
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, bob.address], [100, 0], protocol="NitroRPC/0.4")
        sid = (
            await client.create_app_session(
                d, allocations(target, [(alice.address, 1), (bob.address, 0)]), [alice]
            )
        ).app_session_id
        same = allocations(target, [(alice.address, 1), (bob.address, 0)])
        await client.submit_app_state(sid, same, [alice], intent="operate", version=2)
        error = await refused(client.submit_app_state(sid, same, [alice], intent="operate", version=2))
        assert error.message == "incorrect app state: incorrect version: expected 3, got 2"
        await client.close_app_session(sid, same, [alice])


@pytest.mark.asyncio
async def test_duplicate_session(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    bob = stranger()
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, bob.address], [100, 0])
        none = allocations(target, [(alice.address, 0), (bob.address, 0)])
        await client.create_app_session(d, none, [alice])
        error = await refused(client.create_app_session(d, none, [alice]))
        assert error.message == "failed to create application session"
        assert page_for_server_error(error.message) == "application"
        await client.close_app_session(
            (await client.get_app_sessions(participant=bob.address))[0].app_session_id, none, [alice]
        )


@pytest.mark.asyncio
async def test_expired_timestamp(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    bob = stranger()
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, bob.address], [100, 0])
        call = builders.create_app_session(
            target.dialect, d, allocations(target, [(alice.address, 0), (bob.address, 0)])
        )
        old = int(time.time() * 1000) - 10 * 60 * 1000
        frame = sign_request(int(time.time() * 1000) % 10**9 + 7, call.method, call.params, old, [alice])
        error = await refused(client.send_presigned(frame))
        assert error.message == "invalid message timestamp"


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", ["0xdeadbeef", "not-hex"])
async def test_signature_that_does_not_decode(
    target: LiveTarget, frames: FrameRecorder, known_difference: object, bad: str
) -> None:
    alice = target.wallets()[0]
    bob = stranger()
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, bob.address], [100, 0])
        call = builders.create_app_session(
            target.dialect, d, allocations(target, [(alice.address, 0), (bob.address, 0)])
        )
        request_id = int(time.time() * 1000) % 10**9 + 11
        frame = sign_request(request_id, call.method, call.params, int(time.time() * 1000), [alice])
        good_sig = frame[frame.rindex('"sig":[') :]
        frame = frame.replace(good_sig, '"sig":["' + bad + '"]}')
        try:
            error = await refused(client.send_presigned(frame))
        except RequestTimeout:  # the answer did not carry our request id
            pytest.fail("no answer with the request's id")
        assert error.request_id == request_id
        if target.dialect == "0.2":
            assert error.message == "failed to get wallets from RPC message"
        elif bad.startswith("0x"):  # hex, but not 65 bytes: noticed when the handler recovers signers
            assert error.message == "failed to get signers from RPC message"
        else:  # not hex at all: the frame does not decode, yet the id read before "sig" is echoed
            assert error.message == "invalid message format"


@pytest.mark.asyncio
async def test_signed_by_a_stranger(target: LiveTarget, frames: FrameRecorder) -> None:
    """A valid signature by someone who is not the funding participant."""
    alice = target.wallets()[0]
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, stranger().address], [100, 0])
        error = await refused(
            client.create_app_session(
                d, allocations(target, [(alice.address, 1), (d.participants[1], 0)]), [stranger()]
            )
        )
        assert error.message == f"missing signature for participant {alice.address}"
        assert page_for_server_error(error.message) == "signers"


_ = ClearNodeClient
