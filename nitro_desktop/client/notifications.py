"""Typed server notifications (and client events) to callbacks and bounded async streams.

Overflow policy, explicit and tested: a subscription holds at most ``maxsize``
events.

* ``COALESCE`` (default): events that describe *state* replace the older queued
  event with the same key and move to the end — ``bu`` (the whole unified
  balance), ``assets``, ``channels``, ``cu`` per channel, ``asu`` per app
  session — so a slow subscriber always ends up with the latest state; ``tr``
  events are merged into one queued event (transactions concatenated, none
  lost). Only when the queue is still full does the oldest event go.
* ``DROP_OLDEST``: no coalescing; when full the oldest event goes.

Whenever an event is dropped, the subscriber next receives one ``Overflow``
event carrying how many were dropped (it should then re-read its state with
the getters), followed by the newer events.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from nitro_desktop.client.connection import Exchange
from nitro_desktop.client.errors import OperationRef
from nitro_desktop.protocol import (
    AppSession,
    AppSessionUpdate,
    AssetsNotification,
    BalanceUpdate,
    ChannelsNotification,
    ChannelUpdate,
    TransferNotification,
)

log = logging.getLogger("nitro_desktop.client")


class OverflowPolicy(enum.Enum):
    COALESCE = "coalesce"
    DROP_OLDEST = "drop_oldest"


@dataclass(frozen=True, slots=True)
class Overflow:
    """``dropped`` events were lost before the events that follow: re-read state."""

    dropped: int


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


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, TransferNotification) and isinstance(new, TransferNotification):
        return TransferNotification(old.transactions + new.transactions)
    return new


class Subscription:
    """An async iterator over events, bounded by ``maxsize`` with the given overflow policy."""

    _ids = itertools.count()

    def __init__(
        self,
        hub: NotificationHub,
        *,
        maxsize: int,
        policy: OverflowPolicy,
        types: tuple[type, ...] | None,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._hub = hub
        self.maxsize = maxsize
        self.policy = policy
        self.types = types
        self._queue: OrderedDict[Hashable, Any] = OrderedDict()
        self._dropped = 0
        self.dropped_total = 0
        self.coalesced_total = 0
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._queue)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def push(self, event: Any) -> None:
        if self._closed or (self.types is not None and not isinstance(event, self.types)):
            return
        key: Hashable | None = None
        if self.policy is OverflowPolicy.COALESCE:
            key = coalesce_key(event)
            if key is not None and key in self._queue:
                event = _merge(self._queue.pop(key), event)
                self.coalesced_total += 1
        if key is None:
            key = ("unique", next(self._ids))
        while len(self._queue) >= self.maxsize:
            self._queue.popitem(last=False)
            self._dropped += 1
            self.dropped_total += 1
        self._queue[key] = event
        self._wake()

    def get_nowait(self) -> Any | None:
        """The next event, or None when nothing is queued."""
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            log.warning("a slow notification subscriber lost %d events", dropped)
            return Overflow(dropped)
        if self._queue:
            return self._queue.popitem(last=False)[1]
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
        maxsize: int = 1000,
        policy: OverflowPolicy = OverflowPolicy.COALESCE,
        types: tuple[type, ...] | None = None,
    ) -> Subscription:
        sub = Subscription(self, maxsize=maxsize, policy=policy, types=types)
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
