"""Typed server notifications (and client events) to callbacks and bounded async streams.

Overflow policy, explicit and tested: a subscription holds at most ``maxsize``
items and about ``max_bytes`` of frame text. An event is one item, except a
``tr`` event, which is one item per transaction it carries; its bytes are
estimated as the length of the JSON it came in (``estimate_size``).

* ``COALESCE`` (default): events that describe *state* replace the older queued
  event with the same key and move to the end — ``bu`` (the whole unified
  balance), ``assets``, ``channels``, ``cu`` per channel, ``asu`` per app
  session — so a slow subscriber always ends up with the latest state; ``tr``
  events are merged into one queued event (transactions concatenated). Over a
  bound, the merged transactions go first, oldest first (history can be re-read
  with ``get_ledger_transactions``; the latest state cannot be replaced), then
  the oldest events.
* ``DROP_OLDEST``: no coalescing; over a bound the oldest events go.

An event too big for ``max_bytes`` on its own is dropped too (under ``COALESCE``
a ``tr`` event keeps its newest transactions that fit). Whenever anything is dropped, the
subscriber next receives one ``Overflow`` event carrying how many items were
dropped and how many of them were transactions (it should then re-read its
state with the getters), followed by the newer events.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import itertools
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nitro_desktop.client.errors import OperationRef
from nitro_desktop.client.exchanges import Exchange
from nitro_desktop.protocol import (
    AppSession,
    AppSessionUpdate,
    AssetsNotification,
    BalanceUpdate,
    ChannelsNotification,
    ChannelUpdate,
    Record,
    TransferNotification,
)

log = logging.getLogger("nitro_desktop.client")

DEFAULT_MAXSIZE = 1000
#: About 1 MiB of frame text; the decoded objects take a few times that in memory.
DEFAULT_MAX_BYTES = 1 << 20


class OverflowPolicy(enum.Enum):
    COALESCE = "coalesce"
    DROP_OLDEST = "drop_oldest"


@dataclass(frozen=True, slots=True)
class Overflow:
    """``dropped`` items were lost before the events that follow: re-read state.

    ``transactions`` of them were transfer records (re-read with ``get_ledger_transactions``).
    """

    dropped: int
    transactions: int = 0


@dataclass(frozen=True, slots=True)
class OperationOutcome:
    """The late outcome of a create/submit/close whose caller got ``RequestTimeout(pending=…)``.

    Delivered exactly once per such operation. ``applied`` tells whether the server
    applied it; ``session`` is the session as the server reports it (when found);
    ``exchange`` holds the frame of the request that carried it (its answer was lost).
    """

    operation: OperationRef
    applied: bool
    session: AppSession | None = None
    exchange: Exchange | None = None


#: Everything a subscriber may receive.
ClientEvent = (
    AssetsNotification
    | ChannelsNotification
    | BalanceUpdate
    | ChannelUpdate
    | TransferNotification
    | AppSessionUpdate
    | OperationOutcome
    | Overflow
)
EventCallback = Callable[[Any], None]


def coalesce_key(event: Any) -> Hashable | None:
    """Events with the same key describe the same piece of state; the newer wins."""
    if isinstance(event, BalanceUpdate):
        return ("bu",)
    if isinstance(event, AssetsNotification):
        return ("assets",)
    if isinstance(event, ChannelsNotification):
        return ("channels",)
    if isinstance(event, ChannelUpdate):
        return ("cu", str(event.channel.get("channel_id", "")))
    if isinstance(event, AppSessionUpdate):
        return ("asu", event.app_session.app_session_id)
    if isinstance(event, TransferNotification):
        return ("tr",)
    return None


def estimate_size(value: Any, _depth: int = 0) -> int:
    """About how many bytes of JSON ``value`` came in: what holding it in a queue is charged."""
    if isinstance(value, str):
        return len(value) + 2
    if value is None or isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return value.bit_length() // 3 + 1
    if isinstance(value, Decimal):
        return len(value.as_tuple().digits) + 4
    if isinstance(value, float):
        return 24
    if _depth > 32:  # decoded frames are depth-bounded already; this only caps the walk
        return 16
    if isinstance(value, Record):
        return estimate_size(value.fields, _depth + 1)
    if isinstance(value, dict):
        return 2 + sum(
            estimate_size(k, _depth + 1) + estimate_size(v, _depth + 1) + 2 for k, v in value.items()
        )
    if isinstance(value, (list, tuple)):
        return 2 + sum(estimate_size(v, _depth + 1) + 1 for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 2 + sum(
            len(f.name) + 4 + estimate_size(getattr(value, f.name), _depth + 1)
            for f in dataclasses.fields(value)
        )
    return 16


_TR_OVERHEAD = 24  # the frame around a tr notification's transactions, about


@dataclass(slots=True)
class _Entry:
    """One queued event; a ``tr`` entry keeps its transactions apart so the oldest can go."""

    event: Any
    size: int
    transfers: deque[tuple[Record, int]] | None = None

    @property
    def items(self) -> int:
        return max(1, len(self.transfers)) if self.transfers is not None else 1

    def value(self) -> Any:
        if self.transfers is not None:
            return TransferNotification(tuple(record for record, _ in self.transfers))
        return self.event


def _entry(event: Any) -> _Entry:
    if isinstance(event, TransferNotification):
        transfers = deque((record, estimate_size(record)) for record in event.transactions)
        return _Entry(event, _TR_OVERHEAD + sum(size for _, size in transfers), transfers)
    return _Entry(event, estimate_size(event))


class Subscription:
    """An async iterator over events, bounded in items and bytes with the given overflow policy."""

    _ids = itertools.count()

    def __init__(
        self,
        hub: NotificationHub,
        *,
        maxsize: int,
        policy: OverflowPolicy,
        types: tuple[type, ...] | None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self._hub = hub
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.policy = policy
        self.types = types
        self._queue: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._items = 0
        self._bytes = 0
        self._dropped = 0
        self._dropped_transactions = 0
        self.dropped_total = 0
        self.dropped_transactions_total = 0
        self.coalesced_total = 0
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False

    def __len__(self) -> int:
        """Queued events (a merged ``tr`` event counts once)."""
        return len(self._queue)

    @property
    def queued_items(self) -> int:
        """Queued items as bounded by ``maxsize``: events, a ``tr`` event's transactions each."""
        return self._items

    @property
    def queued_bytes(self) -> int:
        """The estimated frame text of everything queued, as bounded by ``max_bytes``."""
        return self._bytes

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def push(self, event: Any) -> None:
        if self._closed or (self.types is not None and not isinstance(event, self.types)):
            return
        entry = _entry(event)
        key: Hashable | None = None
        if self.policy is OverflowPolicy.COALESCE:
            key = coalesce_key(event)
            if key is not None and key in self._queue:
                old = self._take(key)
                if old.transfers is not None and entry.transfers is not None:
                    old.transfers.extend(entry.transfers)
                    old.size += entry.size - _TR_OVERHEAD
                    entry = old
                self.coalesced_total += 1
        if key is None:
            key = ("unique", next(self._ids))
        self._queue[key] = entry
        self._items += entry.items
        self._bytes += entry.size
        self._trim()
        if self._queue or self._dropped:
            self._wake()

    def _take(self, key: Hashable) -> _Entry:
        entry = self._queue.pop(key)
        self._items -= entry.items
        self._bytes -= entry.size
        return entry

    def _trim(self) -> None:
        merged = self._queue.get(("tr",)) if self.policy is OverflowPolicy.COALESCE else None
        while self._queue and (self._items > self.maxsize or self._bytes > self.max_bytes):
            if merged is not None and merged.transfers:
                _, size = merged.transfers.popleft()
                merged.size -= size
                self._bytes -= size
                if merged.transfers:
                    self._items -= 1
                else:  # the last one went: so does the event
                    self._take(("tr",))
                    merged = None
                self._count_drop(1, 1)
                continue
            key, entry = next(iter(self._queue.items()))
            self._take(key)
            transfers = len(entry.transfers) if entry.transfers is not None else 0
            self._count_drop(entry.items, transfers)
            if entry is merged:
                merged = None

    def _count_drop(self, items: int, transactions: int) -> None:
        self._dropped += items
        self.dropped_total += items
        self._dropped_transactions += transactions
        self.dropped_transactions_total += transactions

    def get_nowait(self) -> Any | None:
        """The next event, or None when nothing is queued."""
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            transactions, self._dropped_transactions = self._dropped_transactions, 0
            log.warning(
                "a slow notification subscriber lost %d events (%d transactions)", dropped, transactions
            )
            return Overflow(dropped, transactions)
        if self._queue:
            key = next(iter(self._queue))
            return self._take(key).value()
        return None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Any:
        while True:
            event = self.get_nowait()
            if event is not None:
                return event
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def close(self) -> None:
        """Stop receiving; a waiting ``async for`` ends after the queued events."""
        self._closed = True
        self._hub._remove(self)
        self._wake()

    @property
    def closed(self) -> bool:
        return self._closed


class NotificationHub:
    """Fans events out to callbacks (called at once, in the receive loop) and subscriptions."""

    def __init__(self) -> None:
        self._callbacks: list[tuple[EventCallback, tuple[type, ...] | None]] = []
        self._subscriptions: list[Subscription] = []
        self.delivered = 0

    def on(self, callback: EventCallback, types: tuple[type, ...] | None = None) -> Callable[[], None]:
        """Call ``callback(event)`` for each event (of ``types``); returns an unsubscribe function.

        Callbacks run inside the receive loop: keep them short (emit a Qt signal, set a value).
        """
        entry = (callback, types)
        self._callbacks.append(entry)

        def unsubscribe() -> None:
            if entry in self._callbacks:
                self._callbacks.remove(entry)

        return unsubscribe

    def subscribe(
        self,
        *,
        maxsize: int = DEFAULT_MAXSIZE,
        policy: OverflowPolicy = OverflowPolicy.COALESCE,
        types: tuple[type, ...] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> Subscription:
        sub = Subscription(self, maxsize=maxsize, policy=policy, types=types, max_bytes=max_bytes)
        self._subscriptions.append(sub)
        return sub

    def _remove(self, sub: Subscription) -> None:
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)

    def publish(self, event: Any) -> None:
        self.delivered += 1
        for callback, types in list(self._callbacks):
            if types is not None and not isinstance(event, types):
                continue
            try:
                callback(event)
            except Exception:
                log.exception("notification callback %r failed", callback)
        for sub in list(self._subscriptions):
            sub.push(event)

    def close(self) -> None:
        for sub in list(self._subscriptions):
            sub.close()
        self._callbacks.clear()
