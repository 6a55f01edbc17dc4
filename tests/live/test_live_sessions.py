"""The seed page's sessions through the real client: create, submit, close, list, transfer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nitro_desktop.protocol import app_session_id
from tests.live.conftest import FrameRecorder, LiveTarget
from tests.live.helpers import (
    allocations,
    balance,
    client_for,
    connected,
    definition,
    stranger,
    submit_kwargs,
)


@pytest.mark.asyncio
async def test_seed_two_party_create_submit_close(target: LiveTarget, frames: FrameRecorder) -> None:
    """weights [100, 0], quorum 100, challenge 0: the creator alone updates and closes."""
    alice = target.wallets()[0]
    client = await client_for(target, frames, alice)
    bob = stranger()
    try:
        for protocol in target.protocols():
            before = await balance(client, target.asset)
            d = definition(target, [alice.address, bob.address], [100, 0], protocol=protocol)
            created = await client.create_app_session(
                d, allocations(target, [(alice.address, 2), (bob.address, 0)]), [alice]
            )
            assert created.app_session_id == app_session_id(d, target.dialect)
            assert (created.status, created.version) == ("open", 1)
            assert await balance(client, target.asset) == before - 2
            fetched = await client.get_app_definition(created.app_session_id)
            assert (
                fetched.protocol,
                fetched.participants,
                fetched.weights,
                fetched.quorum,
                fetched.nonce,
            ) == (d.protocol, d.participants, d.weights, d.quorum, d.nonce)
            sid = created.app_session_id
            moved = await client.submit_app_state(
                sid, allocations(target, [(alice.address, "1.5"), (bob.address, "0.5")]), [alice],
                **submit_kwargs(target, protocol, 2),
            )  # fmt: skip
            assert (moved.status, moved.version) == ("open", 2)
            closed = await client.close_app_session(
                sid, allocations(target, [(alice.address, "1.5"), (bob.address, "0.5")]), [alice]
            )
            assert (closed.status, closed.version) == ("closed", 3)
            assert await balance(client, target.asset) == before - Decimal("0.5")
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_app_definition_has_no_application(
    target: LiveTarget, frames: FrameRecorder, known_difference: object
) -> None:
    """v0.5.2 answers get_app_definition without the application (always ""), so the
    session id cannot be recomputed from it; a client must keep the definition it sent."""
    if target.dialect != "0.5":
        pytest.skip("the application field is v0.5")
    alice = target.wallets()[0]
    async with connected(target, frames, alice) as client:
        d = definition(target, [alice.address, stranger().address], [100, 0])
        created = await client.create_app_session(
            d, allocations(target, [(alice.address, 0), (d.participants[1], 0)]), [alice]
        )
        fetched = await client.get_app_definition(created.app_session_id)
        assert fetched.application == ""
        assert app_session_id(fetched, target.dialect) != created.app_session_id
        listed = await client.get_app_sessions(participant=d.participants[1])
        assert [s.application for s in listed] == [d.application]


@pytest.mark.asyncio
async def test_referee_game_three_parties(target: LiveTarget, frames: FrameRecorder) -> None:
    """weights [0, 0, 100]: both players fund and sign the create, the referee alone closes."""
    alice, bob, _ = target.wallets()
    referee = stranger()
    async with connected(target, frames, alice) as client:
        a0 = await balance(client, target.asset)
        d = definition(target, [alice.address, bob.address, referee.address], [0, 0, 100])
        stakes = allocations(target, [(alice.address, 1), (bob.address, 1), (referee.address, 0)])
        created = await client.create_app_session(d, stakes, [alice, bob])
        assert (created.status, created.version) == ("open", 1)
        sid = created.app_session_id
        payout = allocations(target, [(alice.address, 2), (bob.address, 0), (referee.address, 0)])
        closed = await client.close_app_session(sid, payout, [referee])
        assert (closed.status, closed.version) == ("closed", 2)
        assert await balance(client, target.asset) == a0 + 1
        # and give bob his unit back, so a real target's keys keep their funds
        await client.transfer([(target.asset, "1")], destination=bob.address)
        assert await balance(client, target.asset) == a0


@pytest.mark.asyncio
@pytest.mark.parametrize("intent", ["operate", "deposit", "withdraw"])
async def test_nitrorpc_04_intents(target: LiveTarget, frames: FrameRecorder, intent: str) -> None:
    if target.dialect != "0.5":
        pytest.skip("intents are NitroRPC/0.4, a v0.5 ClearNode")
    alice = target.wallets()[0]
    bob = stranger()
    async with connected(target, frames, alice) as client:
        before = await balance(client, target.asset)
        d = definition(target, [alice.address, bob.address], [100, 0], protocol="NitroRPC/0.4")
        sid = (
            await client.create_app_session(
                d, allocations(target, [(alice.address, 2), (bob.address, 0)]), [alice]
            )
        ).app_session_id
        target_split = {"operate": (1, 1), "deposit": (3, 0), "withdraw": (1, 0)}[intent]
        new = allocations(target, [(alice.address, target_split[0]), (bob.address, target_split[1])])
        moved = await client.submit_app_state(sid, new, [alice], intent=intent, version=2)
        assert (moved.status, moved.version) == ("open", 2)
        expected = {"operate": before - 2, "deposit": before - 3, "withdraw": before - 1}[intent]
        assert await balance(client, target.asset) == expected
        final = allocations(target, [(alice.address, target_split[0]), (bob.address, target_split[1])])
        closed = await client.close_app_session(sid, final, [alice])
        assert (closed.status, closed.version) == ("closed", 3)


@pytest.mark.asyncio
async def test_get_app_sessions_pages(target: LiveTarget, frames: FrameRecorder) -> None:
    alice = target.wallets()[0]
    bob = stranger()  # a fresh participant: only this test's sessions match the filter
    async with connected(target, frames, alice) as client:
        made = []
        for _ in range(3):
            d = definition(target, [alice.address, bob.address], [100, 0])
            made.append(
                (
                    await client.create_app_session(
                        d, allocations(target, [(alice.address, 0), (bob.address, 0)]), [alice]
                    )
                ).app_session_id
            )
        listed = await client.get_app_sessions(participant=bob.address)
        assert sorted(s.app_session_id for s in listed) == sorted(made)
        paged = [
            s.app_session_id async for s in client.iter_app_sessions(participant=bob.address, page_size=1)
        ]
        assert sorted(paged) == sorted(made)
        first = await client.get_app_sessions(participant=bob.address, limit=2, offset=0)
        rest = await client.get_app_sessions(participant=bob.address, limit=2, offset=2)
        assert (len(first), len(rest)) == (2, 1)
        oldest = await client.get_app_sessions(participant=bob.address, sort="asc", limit=1)
        assert [s.app_session_id for s in oldest] == [made[0]]
        for sid in made:
            await client.close_app_session(
                sid, allocations(target, [(alice.address, 0), (bob.address, 0)]), [alice]
            )
        closed = await client.get_app_sessions(participant=bob.address, status="closed")
        assert sorted(s.app_session_id for s in closed) == sorted(made)


@pytest.mark.asyncio
async def test_transfer_there_and_back(target: LiveTarget, frames: FrameRecorder) -> None:
    alice, bob, _ = target.wallets()
    a = await client_for(target, frames, alice)
    b = await client_for(target, frames, bob)
    try:
        a0, b0 = await balance(a, target.asset), await balance(b, target.asset)
        records = await a.transfer([(target.asset, "0.25")], destination=bob.address)
        assert records
        assert (await balance(a, target.asset), await balance(b, target.asset)) == (
            a0 - Decimal("0.25"),
            b0 + Decimal("0.25"),
        )
        await b.transfer([(target.asset, "0.25")], destination=alice.address)
        assert (await balance(a, target.asset), await balance(b, target.asset)) == (a0, b0)
    finally:
        await a.close()
        await b.close()
