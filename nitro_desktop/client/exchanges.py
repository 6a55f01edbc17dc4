"""What crossed the wire: each request's frame and its answer, kept bounded per client.

Split from ``connection`` so the log (read by the GUI's developer views and by
``operations``/``notifications``) does not pull in the websocket machinery.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its answer, as the exact frame texts that crossed the wire.

    ``response`` is empty while no answer has come (or when it was lost).
    """

    method: str
    request_id: int
    request: str
    response: str = ""


class ExchangeLog:
    """The last few requests sent and their answers, by request id, for one client.

    The log also numbers the client's requests: ids run on across reconnects, so an
    id names one request for the client's whole life and ``get(request_id)`` is never
    answered with another connection's exchange. Bounded in items and in bytes (a
    peer chooses the size of its answers).
    """

    def __init__(self, size: int = 64, max_bytes: int = 4 * 1024 * 1024) -> None:
        self._items: OrderedDict[int, Exchange] = OrderedDict()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, exchange: Exchange) -> None:
        old = self._items.pop(exchange.request_id, None)
        if old is not None:
            self._bytes -= _weight(old)
        self._items[exchange.request_id] = exchange
        self._bytes += _weight(exchange)
        self._trim()

    def answered(self, request_id: int, response: str) -> None:
        """Attach the answer to a logged request (kept in place: the order is the order sent)."""
        old = self._items.get(request_id)
        if old is not None:
            self._bytes += len(response) - len(old.response)
            self._items[request_id] = Exchange(old.method, request_id, old.request, response)
            self._trim()

    def _trim(self) -> None:
        while len(self._items) > 1 and (len(self._items) > self._size or self._bytes > self._max_bytes):
            _, dropped = self._items.popitem(last=False)
            self._bytes -= _weight(dropped)

    def get(self, request_id: int) -> Exchange | None:
        """The exchange of one request: its frame, and its answer if one came."""
        return self._items.get(request_id)

    def all(self) -> list[Exchange]:
        """Every exchange kept, oldest first."""
        return list(self._items.values())

    def last(self, method: str | None = None) -> Exchange | None:
        """The newest answered exchange (of ``method``)."""
        for item in reversed(self._items.values()):
            if item.response and (method is None or item.method == method):
                return item
        return None


def _weight(exchange: Exchange) -> int:
    return len(exchange.request) + len(exchange.response)
