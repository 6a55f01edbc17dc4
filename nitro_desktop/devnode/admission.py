"""Who may hold a socket on the sandbox node, and how loudly refusals are logged.

Every accepted TCP socket costs a file descriptor until it is closed, whether or not
it ever finishes the websocket handshake. Without a cap, about a thousand idle sockets
exhaust the default limit of 1024 descriptors: ``accept()`` then fails for everyone and
every failure is logged with a traceback. So sockets are counted from the moment they
are accepted, per node and per remote address:

* within the caps: served;
* over a cap: the handshake completes and the socket is closed at once with code 1013
  ("try again later: too many connections"), so a client can tell why;
* beyond the slack for such refusals (a peer that opens sockets faster than they are
  refused, or never sends its handshake): aborted without a word.

Refusals are counted and logged at most once per interval, never once per attempt.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("nitro_desktop.devnode")

DEFAULT_MAX_CONNECTIONS = 1000
DEFAULT_MAX_PER_ADDRESS = 256
DEFAULT_LOG_INTERVAL = 10.0
#: Sockets that may wait for their 1013 close at once, per address and in total.
REFUSING_PER_ADDRESS = 8
REFUSING_TOTAL = 64
#: Descriptors kept for everything that is not a counted client socket: the database,
#: listeners and logs, and a burst of accepts not yet counted (asyncio accepts up to
#: the listen backlog, 100, before any of them reaches ``admit``).
RESERVED_FDS = 192
CLOSE_CODE = 1013
CLOSE_REASON = "try again later: too many connections"


def raise_open_file_limit(wanted: int = 65536) -> int:
    """Raise the soft RLIMIT_NOFILE toward the hard limit (never above ``wanted``); the soft limit after."""
    if sys.platform == "win32":  # no RLIMIT_NOFILE; sockets are not bounded by it there
        return wanted
    import resource

    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return 1024
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError) as exc:  # not allowed here (a container, a sandbox): keep the cap low
            log.info("could not raise the open-file limit from %d to %d: %s", soft, target, exc)
    return int(soft) if soft != resource.RLIM_INFINITY else wanted


@dataclass(frozen=True, slots=True)
class Verdict:
    """``serve``: go on; ``refuse``: handshake, then close 1013; neither: abort now."""

    serve: bool
    refuse: bool = False


SERVE = Verdict(True)
REFUSE = Verdict(False, True)
ABORT = Verdict(False)


class Admission:
    """Counts sockets per node and per address, from accept to close."""

    def __init__(
        self,
        max_connections: int,
        max_per_address: int,
        *,
        log_interval: float = DEFAULT_LOG_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_connections < 1 or max_per_address < 1:
            raise ValueError("connection caps must be at least 1")
        self.max_connections = max_connections
        self.max_per_address = max_per_address
        self.log_interval = log_interval
        self._clock = clock
        self._served: dict[str, int] = {}
        self._refusing: dict[str, int] = {}
        self.served = 0
        self.refusing = 0
        self.refused_total = 0
        self._unlogged = 0
        self._last_reason = ""
        self._last_logged = float("-inf")
        self._flush: asyncio.TimerHandle | None = None

    def admit(self, address: str) -> Verdict:
        """Count a newly accepted socket from ``address``; ``release`` it with the same verdict."""
        over_node = self.served >= self.max_connections
        over_address = self._served.get(address, 0) >= self.max_per_address
        if not over_node and not over_address:
            self.served += 1
            self._served[address] = self._served.get(address, 0) + 1
            return SERVE
        self._note_refusal(address, "this node" if over_node else "this address")
        if self.refusing >= REFUSING_TOTAL or self._refusing.get(address, 0) >= REFUSING_PER_ADDRESS:
            return ABORT
        self.refusing += 1
        self._refusing[address] = self._refusing.get(address, 0) + 1
        return REFUSE

    def release(self, address: str, verdict: Verdict) -> None:
        if verdict.serve:
            self.served -= 1
            _decrement(self._served, address)
        elif verdict.refuse:
            self.refusing -= 1
            _decrement(self._refusing, address)

    def served_from(self, address: str) -> int:
        return self._served.get(address, 0)

    # ---- logging: once per interval, with a count -----------------------------------------
    def _note_refusal(self, address: str, which: str) -> None:
        self.refused_total += 1
        self._unlogged += 1
        self._last_reason = (
            f"too many connections for {which} (caps: {self.max_connections} per node, "
            f"{self.max_per_address} per address; last from {address})"
        )
        if self._clock() - self._last_logged >= self.log_interval:
            self.flush_log()
        elif self._flush is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._flush = loop.call_later(self.log_interval, self.flush_log)

    def flush_log(self) -> None:
        """Log the refusals not yet logged, as one line."""
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if self._unlogged:
            log.warning("refused %d connection(s): %s", self._unlogged, self._last_reason)
            self._unlogged = 0
            self._last_logged = self._clock()


def _decrement(counts: dict[str, int], key: str) -> None:
    left = counts.get(key, 0) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)


class OncePerInterval(logging.Filter):
    """Lets one record per message text through per interval; tracebacks become one line.

    For the websockets library's own logger: a peer that sends garbage handshakes in a
    loop would otherwise write a traceback per attempt.
    """

    def __init__(self, interval: float = DEFAULT_LOG_INTERVAL, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.interval = interval
        self._clock = clock
        self._seen: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = str(record.msg)
        now = self._clock()
        last, suppressed = self._seen.get(key, (float("-inf"), 0))
        if now - last < self.interval:
            self._seen[key] = (last, suppressed + 1)
            return False
        if len(self._seen) > 256:  # bounded: forget the oldest texts
            for old in list(self._seen)[:128]:
                del self._seen[old]
        self._seen[key] = (now, 0)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {str(exc)[:200]}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        if suppressed:
            record.msg = f"{record.getMessage()} ({suppressed} similar in the last {self.interval:g} s)"
            record.args = None
        return True
