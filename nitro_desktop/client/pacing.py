"""Pacing requests under a server's per-connection rate limit.

nitronode v1 counts every frame against a token bucket (10 per second, burst 20) and,
when it runs dry, drops the connection without a word, losing the answers still queued.
A client that must not lose answers keeps its own, stricter bucket: a request waits for
a token before it leaves, so bursts from the app (a list scan, the keep-alive, a create)
are spread out instead of cutting the socket.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from nitro_desktop.protocol import DialectSpec


@dataclass(frozen=True, slots=True)
class RequestRate:
    """At most ``per_second`` requests on average, and ``burst`` back to back."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if not self.per_second > 0 or self.burst < 1:
            raise ValueError(f"a request rate needs per_second > 0 and burst ≥ 1, got {self}")


class RequestPacer:
    """A token bucket for one connection (a new connection starts full, as the server's does)."""

    def __init__(self, rate: RequestRate) -> None:
        self.rate = rate
        self._tokens = float(rate.burst)
        self._stamp = asyncio.get_running_loop().time()
        self._lock = asyncio.Lock()  # first come, first served: no request starves
        #: how many requests had to wait for a token (for status views and tests)
        self.waited = 0

    def _refill(self, now: float) -> None:
        self._tokens = min(float(self.rate.burst), self._tokens + (now - self._stamp) * self.rate.per_second)
        self._stamp = now

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._lock:
            self._refill(loop.time())
            if self._tokens < 1:
                self.waited += 1
                await asyncio.sleep((1 - self._tokens) / self.rate.per_second)
                self._refill(loop.time())
            self._tokens -= 1


def rate_for(dialect: DialectSpec, rate: RequestRate | Literal["dialect"] | None) -> RequestRate | None:
    """The pacing a client uses: the one asked for, or by default the dialect's (None: unpaced)."""
    if rate != "dialect":
        return rate if isinstance(rate, RequestRate) else None
    default = dialect.request_rate
    return RequestRate(*default) if default is not None else None
