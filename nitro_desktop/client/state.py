"""Connection state as an observable value, and the reconnect backoff."""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

log = logging.getLogger("nitro_desktop.client")


class ConnectionState(enum.StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    AUTHENTICATING = "authenticating"
    READY = "ready"
    RECONNECTING = "reconnecting"


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    """One observed state of the connection.

    ``next_attempt_at`` (wall clock, ``time.time()`` seconds) and ``attempt`` are set
    while RECONNECTING; ``last_error`` is a readable text of the last failure, kept
    until the next READY; ``address`` is the authenticated wallet, if any;
    ``fatal`` means the client gave up and will not retry by itself.
    """

    state: ConnectionState = ConnectionState.DISCONNECTED
    url: str = ""
    last_error: str | None = None
    next_attempt_at: float | None = None
    attempt: int = 0
    address: str | None = None
    broker_address: str | None = None
    fatal: bool = False
    since: float = field(default_factory=time.time)


StatusCallback = Callable[[ConnectionStatus], None]


class StatusCell:
    """Holds the current ``ConnectionStatus``; tells callbacks and waiters of every change."""

    def __init__(self, url: str) -> None:
        self._value = ConnectionStatus(url=url)
        self._callbacks: list[StatusCallback] = []
        self._changed = asyncio.Event()

    @property
    def value(self) -> ConnectionStatus:
        return self._value

    def set(self, state: ConnectionState, **changes: object) -> ConnectionStatus:
        if state is not ConnectionState.RECONNECTING:
            changes.setdefault("next_attempt_at", None)
        if state is ConnectionState.READY:
            changes.setdefault("last_error", None)
            changes.setdefault("attempt", 0)
            changes.setdefault("fatal", False)
        new = replace(self._value, state=state, since=time.time(), **changes)  # type: ignore[arg-type]
        if new == replace(self._value, since=new.since):
            return self._value
        self._value = new
        log.info(
            "connection %s: %s%s", new.url, new.state.value, f" ({new.last_error})" if new.last_error else ""
        )
        for callback in list(self._callbacks):
            try:
                callback(new)
            except Exception:
                log.exception("connection-state callback failed")
        self._changed.set()
        self._changed = asyncio.Event()
        return new

    def subscribe(self, callback: StatusCallback) -> Callable[[], None]:
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    async def next_change(self) -> ConnectionStatus:
        await self._changed.wait()
        return self._value

    async def wait_for(
        self, predicate: Callable[[ConnectionStatus], bool], timeout: float | None
    ) -> ConnectionStatus:
        async with asyncio.timeout(timeout):
            while not predicate(self._value):
                await self._changed.wait()
        return self._value


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: ``min(cap, initial * factor**n)`` scaled by [1 - jitter, 1].

    Tests pass small values (e.g. ``Backoff(initial=0.01, cap=0.05)``).
    """

    initial: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.5
    #: Consecutive authentication refusals after which the client stops retrying.
    max_auth_failures: int = 1

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay before retry number ``attempt`` (1-based)."""
        base = min(self.cap, self.initial * self.factor ** max(0, attempt - 1))
        r = (rng or random).random()
        return min(self.cap, base * (1.0 - self.jitter * r))
