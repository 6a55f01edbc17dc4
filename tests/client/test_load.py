"""The client under a flooding load (issue 11 §2 last bullet, §4): prompt errors, bounded queues."""

from __future__ import annotations

import asyncio

import pytest

from nitro_desktop.client import ClearNodeClient, ClearNodeError, Overflow, OverflowPolicy
from nitro_desktop.protocol import BalanceUpdate, TransferNotification
from tests.client.helpers import FAST, ready_client, sandbox, wallets


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_rate_limit_error_answers_the_request_it_refused(dialect: str) -> None:
    # The client would wait 60 s for an answer that never names its request.
    async with sandbox(dialect, rate_limit=1.0) as node:
        client = ClearNodeClient(node.url, dialect, timeout=60.0, backoff=FAST)
        await client.connect()
        try:
            results = await asyncio.gather(*(client.ping() for _ in range(8)), return_exceptions=True)
            refused = [r for r in results if isinstance(r, BaseException)]
            assert refused, "a flood of 8 requests against 1 request/s must be limited"
            for error in refused:
                assert isinstance(error, ClearNodeError), repr(error)
                assert error.message == "too many requests" and error.method == "ping"
            assert len({e.request_id for e in refused}) == len(refused)  # each under its own id
            assert client.stats.responses_unmatched == 0 and client.stats.timeouts == 0
        finally:
            await client.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("policy", [OverflowPolicy.COALESCE, OverflowPolicy.DROP_OLDEST])
async def test_a_transfer_flood_keeps_a_slow_subscriber_bounded(policy: OverflowPolicy) -> None:
    async with sandbox("0.2") as node:
        a, b = wallets(node)
        node.fund(b.address, "usdc", 100)
        payer = await ready_client(node.url, "0.2", a)
        payee = await ready_client(node.url, "0.2", b)
        seen: list[TransferNotification] = []
        payee.on(seen.append, types=(TransferNotification,))
        slow = payee.subscribe(maxsize=20, max_bytes=6000, policy=policy)
        try:
            rounds = 60
            for i in range(rounds):  # both ends get a "tr" for every transfer
                if i % 2:
                    await payee.transfer([("usdc", "1")], destination=a.address)
                else:
                    await payer.transfer([("usdc", "1")], destination=b.address)
                assert slow.queued_items <= 20 and slow.queued_bytes <= 6000
            for _ in range(200):  # the last notifications may still be on the wire
                if len(seen) == rounds:
                    break
                await asyncio.sleep(0.01)
            assert len(seen) == rounds
            assert slow.queued_items <= 20 and slow.queued_bytes <= 6000
            events = list(iter(slow.get_nowait, None))
            overflow = events[0]
            assert isinstance(overflow, Overflow)
            kept = [r for e in events if isinstance(e, TransferNotification) for r in e.transactions]
            # Every transaction is either still queued or counted as dropped; the newest are kept.
            assert len(kept) + overflow.transactions == rounds == len(kept) + slow.dropped_transactions_total
            newest = [r.get("id") for e in seen for r in e.transactions][-len(kept) :]
            assert [r.get("id") for r in kept] == newest
            if policy is OverflowPolicy.COALESCE:
                assert any(isinstance(e, BalanceUpdate) for e in events)  # the latest state survives
        finally:
            await payer.close()
            await payee.close()
