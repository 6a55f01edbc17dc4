"""The endpoints a new profile starts with, and the in-process sandbox behind "Local sandbox".

The sandbox itself is handed in (``SandboxFactory``, built by ``nitro_desktop.app``):
nothing here imports the sandbox server, only what the core needs of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Protocol

from nitro_desktop.keys import AccountManager
from nitro_desktop.protocol import Dialect
from nitro_desktop.store import EndpointRecord, Store

SANDBOX_NAME = "Local sandbox"
SANDBOX_05_NAME = "Local sandbox (v0.5)"
SANDBOX_V1_NAME = "Local sandbox (v1)"
SANDBOX_URL = "sandbox:"  # resolved to the in-process node's loopback URL at connect time
SANDBOX_GRANT = (("usdc", "1000"), ("eth", "1"))
PUBLIC_ENDPOINTS = (
    ("Yellow clearnet", "wss://clearnet.yellow.com/ws", "0.5"),
    ("Yellow sandbox", "wss://clearnet-sandbox.yellow.com/ws", "0.5"),
    # nitronode's public deployments (upstream's chart configs); their ingress maps /v1/ws to /ws.
    ("Yellow v1 sandbox", "wss://nitronode-sandbox.yellow.org/v1/ws", "1"),
    ("Yellow v1", "wss://nitronode.yellow.org/v1/ws", "1"),
)


class Sandbox(Protocol):
    """What the core uses of a running local ClearNode (``nitro_desktop.devnode.SandboxNode``)."""

    @property
    def url(self) -> str: ...

    @property
    def broker_address(self) -> str: ...

    def balances(self, address: str) -> dict[str, Decimal]: ...

    def fund(self, address: str, asset: str, amount: Decimal | str | int) -> object: ...

    async def stop(self) -> None: ...


#: Starts the sandbox node of a dialect ("0.2", "0.5", "1") on a free loopback port.
SandboxFactory = Callable[[str], Awaitable[Sandbox]]


def ensure_default_endpoints(store: Store) -> list[EndpointRecord]:
    """The Local sandbox and the public ClearNodes, added once; user edits are kept."""
    known = {e.name for e in store.endpoints.list()}
    if SANDBOX_NAME not in known:
        store.endpoints.save(EndpointRecord(SANDBOX_NAME, SANDBOX_URL, Dialect.V02, None, True))
    if SANDBOX_05_NAME not in known:
        store.endpoints.save(EndpointRecord(SANDBOX_05_NAME, SANDBOX_URL, Dialect.V05, None, True))
    if SANDBOX_V1_NAME not in known:
        store.endpoints.save(EndpointRecord(SANDBOX_V1_NAME, SANDBOX_URL, Dialect.V1, None, True))
    for name, url, dialect in PUBLIC_ENDPOINTS:
        if name not in known:
            store.endpoints.save(EndpointRecord(name, url, Dialect(dialect)))
    return store.endpoints.list()


def fund_new_accounts(sandbox: Sandbox, accounts: AccountManager) -> None:
    """Give every local account with an empty sandbox balance the grant, so it can start at once."""
    for record in accounts.list():
        if not any(sandbox.balances(record.address).values()):
            for asset, amount in SANDBOX_GRANT:
                sandbox.fund(record.address, asset, amount)
