"""The endpoints a new profile starts with, and the in-process sandbox nodes behind "Local sandbox".

No Qt here: ``AppService`` calls these and keeps the nodes it started.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from nitro_desktop.protocol import Dialect
from nitro_desktop.store import EndpointRecord, Store

SANDBOX_NAME = "Local sandbox"
SANDBOX_05_NAME = "Local sandbox (v0.5)"
SANDBOX_URL = "sandbox:"  # resolved to the in-process node's loopback URL at connect time
SANDBOX_GRANT = (("usdc", "1000"), ("eth", "1"))
PUBLIC_ENDPOINTS = (
    ("Yellow clearnet", "wss://clearnet.yellow.com/ws", "0.5"),
    ("Yellow sandbox", "wss://clearnet-sandbox.yellow.com/ws", "0.5"),
)


def ensure_default_endpoints(store: Store) -> list[EndpointRecord]:
    """The Local sandbox and the public ClearNodes, added once; user edits are kept."""
    known = {e.name for e in store.endpoints.list()}
    if SANDBOX_NAME not in known:
        store.endpoints.save(EndpointRecord(SANDBOX_NAME, SANDBOX_URL, Dialect.V02, None, True))
    if SANDBOX_05_NAME not in known:
        store.endpoints.save(EndpointRecord(SANDBOX_05_NAME, SANDBOX_URL, Dialect.V05, None, True))
    for name, url, dialect in PUBLIC_ENDPOINTS:
        if name not in known:
            store.endpoints.save(EndpointRecord(name, url, Dialect(dialect)))
    return store.endpoints.list()


async def start_sandbox(sandboxes: dict[str, Any], data_dir: Path, dialect: str) -> Any:
    """The in-process sandbox node for this dialect, started on first use on a free loopback port."""
    from nitro_desktop.devnode import SandboxNode
    from nitro_desktop.devnode.broker_key import key_path_for, load_or_create_broker_key

    node = sandboxes.get(dialect)
    if node is None:
        # One ledger file per dialect: their sessions' ids and rules differ.
        db = data_dir / f"sandbox-{dialect}.sqlite"
        # The same broker across app restarts, like the ledger it signs for.
        key = await asyncio.get_running_loop().run_in_executor(
            None, load_or_create_broker_key, key_path_for(db)
        )
        node = SandboxNode(host="127.0.0.1", port=0, dialect=dialect, db_path=str(db), broker_key=key)
        await node.start()
        sandboxes[dialect] = node
    return node


def fund_new_accounts(sandbox: Any, accounts: Any) -> None:
    """Give every local account with an empty sandbox balance the grant, so it can start at once."""
    for record in accounts.list():
        if not any(sandbox.balances(record.address).values()):
            for asset, amount in SANDBOX_GRANT:
                sandbox.fund(record.address, asset, amount)
