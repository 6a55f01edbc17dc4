"""The notification streams' overflow policy, event by event (no network)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from nitro_desktop.client import NotificationHub, OperationOutcome, OperationRef, Overflow, OverflowPolicy
from nitro_desktop.protocol import (
    AppSession,
    AppSessionUpdate,
    Balance,
    BalanceUpdate,
    Record,
    TransferNotification,
)


def bu(amount: int) -> BalanceUpdate:
    return BalanceUpdate((Balance("usdc", Decimal(amount)),))


def asu(session: str, version: int) -> AppSessionUpdate:
    return AppSessionUpdate(AppSession(session, "open", version), ())


def tr(n: int) -> TransferNotification:
    return TransferNotification((Record({"id": n}),))


def drain(sub: object) -> list[object]:
    out = []
    while (event := sub.get_nowait()) is not None:  # type: ignore[attr-defined]
        out.append(event)
    return out


def test_coalesce_keeps_latest_state_per_key_and_merges_transfers() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(maxsize=1003)
    for i in range(1000):
        hub.publish(bu(i))
        hub.publish(asu("0xa", i))
        hub.publish(asu("0xb", i))
        hub.publish(tr(i))
    assert sub.queued_items == 1003  # three states and 1000 transactions: within the bound
    events = drain(sub)
    assert len(events) == 4  # nothing dropped: no Overflow
    assert not any(isinstance(e, Overflow) for e in events)
    assert bu(999) in events
    assert asu("0xa", 999) in events and asu("0xb", 999) in events
    (transfers,) = [e for e in events if isinstance(e, TransferNotification)]
    assert [r.get("id") for r in transfers.transactions] == list(range(1000))  # merged, none lost
    assert sub.dropped_total == 0 and sub.coalesced_total == 3996


def test_merged_transfers_are_capped_oldest_first_and_the_loss_counted() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(maxsize=4)
    for i in range(1000):
        hub.publish(bu(i))
        hub.publish(asu("0xa", i))
        hub.publish(asu("0xb", i))
        hub.publish(tr(i))
        assert sub.queued_items <= 4
    events = drain(sub)
    # The latest state survives; the transaction history is what gives way.
    assert events == [Overflow(999, 999), bu(999), asu("0xa", 999), asu("0xb", 999), tr(999)]
    assert sub.dropped_total == 999 and sub.dropped_transactions_total == 999


def test_queued_bytes_are_bounded_for_every_kind_and_policy() -> None:
    big = "x" * 1000
    for policy in OverflowPolicy:
        hub = NotificationHub()
        sub = hub.subscribe(maxsize=10_000, max_bytes=20_000, policy=policy)
        for i in range(500):
            hub.publish(TransferNotification((Record({"id": i, "memo": big}),)))
            hub.publish(asu(f"0x{i}{big}", i))
            assert sub.queued_bytes <= 20_000
        events = drain(sub)
        (overflow,) = [e for e in events if isinstance(e, Overflow)]
        kept_tr = sum(len(e.transactions) for e in events if isinstance(e, TransferNotification))
        kept_asu = sum(isinstance(e, AppSessionUpdate) for e in events)
        assert kept_tr + kept_asu + overflow.dropped == 1000
        assert overflow.transactions == 500 - kept_tr
        assert 0 < kept_tr + kept_asu < 20 and sub.queued_bytes == 0


def test_an_event_bigger_than_the_byte_bound_is_dropped_and_counted() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(max_bytes=500)
    hub.publish(asu("0x" + "a" * 1000, 1))
    hub.publish(TransferNotification(tuple(Record({"id": i, "memo": "m" * 100}) for i in range(10))))
    events = drain(sub)
    assert isinstance(events[0], Overflow) and events[0].dropped == 1 + events[0].transactions
    (transfers,) = events[1:]
    assert [r.get("id") for r in transfers.transactions] == list(range(10 - len(transfers.transactions), 10))


def test_coalesce_moves_the_newer_event_to_the_end() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(maxsize=10)
    hub.publish(bu(1))
    hub.publish(asu("0xa", 2))
    hub.publish(bu(3))
    assert drain(sub) == [asu("0xa", 2), bu(3)]


def test_coalesce_drops_oldest_when_distinct_keys_overflow_and_says_so() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(maxsize=3)
    for i in range(5):
        hub.publish(asu(f"0x{i}", 1))
    events = drain(sub)
    assert events[0] == Overflow(2)
    assert events[1:] == [asu("0x2", 1), asu("0x3", 1), asu("0x4", 1)]


def test_drop_oldest_policy_keeps_the_newest_and_reports_the_loss() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(maxsize=5, policy=OverflowPolicy.DROP_OLDEST)
    for i in range(12):
        hub.publish(bu(i))
    events = drain(sub)
    assert events == [Overflow(7), *[bu(i) for i in range(7, 12)]]
    assert sub.dropped_total == 7


def test_operation_outcomes_are_never_coalesced() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(maxsize=10)
    refs = [OperationRef("create", f"0x{i}", 1) for i in range(3)]
    for ref in refs:
        hub.publish(OperationOutcome(ref, True))
    assert [e.operation for e in drain(sub)] == refs  # type: ignore[attr-defined]


def test_type_filter_and_callbacks_and_unsubscribe() -> None:
    hub = NotificationHub()
    seen: list[object] = []
    unsubscribe = hub.on(seen.append, types=(BalanceUpdate,))
    hub.on(lambda e: 1 / 0)  # a broken callback is logged, never breaks delivery
    sub = hub.subscribe(types=(AppSessionUpdate,))
    hub.publish(bu(1))
    hub.publish(asu("0xa", 1))
    unsubscribe()
    hub.publish(bu(2))
    assert seen == [bu(1)]
    assert drain(sub) == [asu("0xa", 1)]


@pytest.mark.asyncio
async def test_async_iteration_waits_and_ends_on_close() -> None:
    hub = NotificationHub()
    sub = hub.subscribe(maxsize=2)
    got: list[object] = []

    async def consume() -> None:
        async for event in sub:
            got.append(event)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    hub.publish(bu(1))
    await asyncio.sleep(0)
    hub.publish(bu(2))
    sub.close()
    await asyncio.wait_for(task, 1)
    assert got == [bu(1), bu(2)]


def test_maxsize_must_be_positive() -> None:
    with pytest.raises(ValueError):
        NotificationHub().subscribe(maxsize=0)
