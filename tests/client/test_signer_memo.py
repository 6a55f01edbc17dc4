"""The broker check remembers recovered signers of repeated frames: the same answers, less curve work."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.client.signer_memo import SignerMemo
from nitro_desktop.protocol import BalanceUpdate, RawKeySigner, spec
from nitro_desktop.protocol.crypto import keccak256, sign_digest
from nitro_desktop.protocol.frames import REQ_SIG, sign_response
from tests.client.helpers import ready_client, sandbox, wallets
from tests.client.proxy import FaultProxy

BROKER = RawKeySigner("aa" * 32)
STRANGER = RawKeySigner("bb" * 32)


def _frames() -> list[str]:
    """Genuine, foreign, tampered, unreadable-signature, two-signature and oversized frames."""
    out = []
    for i in range(3):
        result = [[{"asset": "usdc", "amount": str(100 + i)}]]
        genuine = sign_response(1700 + i, "bu", result, 1700 + i, BROKER, v_offset=i % 2 * 27)
        raw = genuine[len('{"res":') : genuine.index(',"sig":')]
        sig = genuine[genuine.index('"sig":["') + 8 : -3]
        other = sign_digest(STRANGER, keccak256(raw.encode()))
        out += [
            genuine,
            '{"res":' + raw + ',"sig":["' + other + '"]}',
            '{"res":' + raw.replace(str(100 + i), str(900 + i)) + ',"sig":["' + sig + '"]}',
            '{"res":' + raw + ',"sig":["0x' + "00" * 65 + '"]}',
            '{"res":' + raw + ',"sig":["' + sig + '","' + other + '"]}',
            '{"res":' + raw + ',"sig":["' + sig + '","0x1234"]}',
        ]
    big = [[{"asset": "usdc", "amount": "1", "pad": "x" * 3000}]]
    out.append(sign_response(1800, "bu", big, 1800, BROKER))
    return out


FRAMES = [spec("0.2").decode_frame(text) for text in _frames()]


@settings(max_examples=200, deadline=None)
@given(
    order=st.lists(st.integers(0, len(FRAMES) - 1), max_size=40),
    entries=st.integers(1, 6),
)
def test_the_memo_answers_exactly_as_the_envelope(order: list[int], entries: int) -> None:
    memo = SignerMemo(REQ_SIG, max_entries=entries)
    for i in order:
        assert memo.signer(FRAMES[i]) == REQ_SIG.signer(FRAMES[i])
    assert len(memo._known) <= entries


def test_repeats_are_answered_from_memory_and_big_frames_never_kept() -> None:
    memo = SignerMemo(REQ_SIG)
    genuine, big = FRAMES[0], FRAMES[-1]
    assert memo.signer(genuine) == BROKER.address and memo.signer(genuine) == BROKER.address
    assert memo.hits == 1
    assert memo.signer(big) == BROKER.address and memo.signer(big) == BROKER.address
    assert memo.hits == 1 and all(len(raw) <= 2048 for raw, _ in memo._known)


@contextlib.asynccontextmanager
async def rig() -> AsyncIterator[tuple[Any, FaultProxy, ClearNodeClient, RawKeySigner]]:
    async with sandbox("0.2") as node:
        proxy = await FaultProxy(node.url).start()
        a, _b = wallets(node)
        client = await ready_client(proxy.url, "0.2", a, keepalive_interval=30)
        try:
            yield node, proxy, client, a
        finally:
            await client.close()
            await proxy.stop()


@pytest.mark.asyncio
async def test_a_repeated_frame_is_checked_like_a_new_one() -> None:
    """Copies of a genuine frame are each delivered; copies of a forged or tampered one each dropped."""
    async with rig() as (node, proxy, client, a):
        events: list[Any] = []
        client.on(events.append, types=(BalanceUpdate,))
        node.fund(a.address, "usdc", 1)
        await client.ping()
        delivered, rejected = len(events), client.stats.frames_rejected
        genuine = proxy.last_server_frame["bu"]
        forged = FaultProxy.forged(genuine)
        tampered = genuine.replace('"101"', '"999"')
        assert tampered != genuine
        for text in (genuine, forged, tampered, genuine, forged, tampered, genuine):
            await proxy.inject(text)
        await client.ping()
        assert len(events) - delivered == 3
        assert client.stats.frames_rejected - rejected == 4
        assert all(e.balances[0].amount == 101 for e in events[delivered:])
