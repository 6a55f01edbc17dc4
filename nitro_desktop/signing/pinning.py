"""The broker pinned for a saved endpoint, used by the command line as the GUI uses it.

A ClearNode's broker key signs every answer. The first broker seen at an endpoint is
pinned in the store (trust on first use); from then on a server at that URL that
answers as another broker is refused before anything is authenticated or sent.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from nitro_desktop.client import BrokerMismatch
from nitro_desktop.protocol import Dialect, to_checksum_address
from nitro_desktop.store import EndpointRecord, Store


@dataclass
class EndpointPin:
    """Which saved endpoint a command talks to, and the broker it must answer as.

    ``name`` is None while no endpoint is saved for the URL; one is saved (named by
    its URL, as ``submit`` names it) when the first broker is pinned.
    """

    store: Store
    url: str
    dialect: Dialect
    name: str | None
    expected: str | None

    @classmethod
    def find(cls, store: Store, url: str, dialect: Dialect, *names: str | None) -> EndpointPin:
        """The first of ``names`` saved for this URL and dialect, else any saved one for them."""
        records = [store.endpoints.get(n) for n in names if n]
        records += store.endpoints.list()
        for record in records:
            if record is not None and record.url == url and record.dialect == dialect.value:
                return cls(store, url, dialect, record.name, record.broker_address)
        return cls(store, url, dialect, None, None)

    def seen(self, broker: str) -> str | None:
        """Pin ``broker`` if nothing is pinned yet; returns what to tell the user, if anything.

        The client has already refused a broker other than ``expected``.
        """
        broker = to_checksum_address(broker)
        if self.expected is not None:
            return None
        if self.name is None:
            taken = self.store.endpoints.get(self.url) is not None
            self.name = f"{self.url} ({self.dialect.value})" if taken else self.url
            self.store.endpoints.save(EndpointRecord(self.name, self.url, self.dialect))
        self.store.endpoints.pin_broker(self.name, broker)
        self.expected = broker
        return f"pinned broker {broker} for endpoint {self.name}"

    def announce(self, broker: str) -> None:
        """``seen`` for the command line: say so on stderr (stdout carries the result)."""
        message = self.seen(broker)
        if message:
            print(message, file=sys.stderr)

    def refusal(self, exc: BrokerMismatch) -> str:
        """A clear error for a server that answers as another broker."""
        if exc.expected != self.expected:  # its get_config was not signed by the broker it names
            return f"refused {self.url}: {exc}; nothing was sent"
        return (
            f"refused {self.url}: endpoint {self.name} is pinned to broker {exc.expected}, but the server "
            f"answers as {exc.actual or '(nobody)'}; nothing was sent. If its operator really changed "
            "the broker key, clear the pin in the ClearNodes dialog and try again."
        )
