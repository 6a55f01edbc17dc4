"""``V1SandboxNode``: the sandbox ClearNode speaking Nitrolite v1 (nitronode v1.4.1).

The socket plumbing is ``SandboxNode``'s; the router differs, and the socket behaves as
nitronode's: frames capped at its default 128 KiB (over it: close 1009), a ping every
5 s, a connection over the request rate dropped without a word, Go's 404 text and the
``?app_id=`` check before the upgrade.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from nitro_desktop.devnode import admission
from nitro_desktop.devnode.config import SANDBOX_CHAIN_ID, AssetConfig
from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.server import DEFAULT_RATE_LIMIT, SandboxNode
from nitro_desktop.devnode.v1 import sessions
from nitro_desktop.devnode.v1.chainwatch import (
    DEFAULT_BLOCK_STEP,
    DEFAULT_POLL_INTERVAL,
    ChainConfig,
    ChainWatcher,
)
from nitro_desktop.devnode.v1.router import V1Router
from nitro_desktop.devnode.v1.sessions import APPLICATION_ID_TEXT, normalize_address
from nitro_desktop.devnode.v1.wire import parse_decimal

V1_MAX_FRAME_BYTES = 128 * 1024
# nitronode's defaults are 10 requests/s with a burst of 20 per connection; the sandbox
# keeps the 0.x nodes' generous rate unless asked (rate_limit=10, rate_burst=20).
APP_ID_QUERY = "app_id"


class V1SandboxNode(SandboxNode):
    """A local nitronode: real socket, upstream's v1 rules, and either a faucet into simulated
    home channels or (given ``rpc_url``, ``hub_address`` and ``chain_id``) a real chain it watches."""

    ping_interval = 5.0
    ping_timeout = 5.0
    drop_over_rate = True

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | Path | None = None,
        assets: Iterable[AssetConfig | Mapping[str, Any]] | Mapping[str, int] | None = None,
        broker_key: str | bytes | None = None,
        clock: Callable[[], float] | None = None,
        max_frame_bytes: int = V1_MAX_FRAME_BYTES,
        rate_limit: float | None = DEFAULT_RATE_LIMIT,
        rate_burst: float | None = None,
        max_connections: int = admission.DEFAULT_MAX_CONNECTIONS,
        max_connections_per_address: int = admission.DEFAULT_MAX_PER_ADDRESS,
        refusal_log_interval: float = admission.DEFAULT_LOG_INTERVAL,
        rpc_url: str | None = None,
        hub_address: str | None = None,
        chain_id: int | None = None,
        chain_name: str = "anvil",
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        block_step: int = DEFAULT_BLOCK_STEP,
        **_ignored: Any,
    ) -> None:
        chain_args = (rpc_url, hub_address, chain_id)
        if any(a is not None for a in chain_args) and any(a is None for a in chain_args):
            raise ValueError("a chain needs all three of rpc_url, hub_address and chain_id")
        self.chain = (
            None
            if rpc_url is None or hub_address is None or chain_id is None
            else ChainConfig(rpc_url, hub_address, chain_id, chain_name, block_step, poll_interval)
        )
        super().__init__(
            host=host,
            port=port,
            db_path=db_path,
            assets=assets,
            broker_key=broker_key,
            clock=clock,
            max_frame_bytes=max_frame_bytes,
            rate_limit=rate_limit,
            max_connections=max_connections,
            max_connections_per_address=max_connections_per_address,
            refusal_log_interval=refusal_log_interval,
        )
        self.rate_burst = rate_burst
        self.dialect_name = "1"
        self._v1: V1Router | None = None
        self._watcher: ChainWatcher | None = None
        if self.chain is not None:  # the sandbox's assets live on the watched chain
            self.assets = tuple(
                dataclasses.replace(a, chain_id=self.chain.chain_id) if a.chain_id == SANDBOX_CHAIN_ID else a
                for a in self.assets
            )

    @property
    def v1(self) -> V1Router:
        if self._v1 is None:
            self._db = Database(self.db_path)
            self._v1 = V1Router(
                db=self._db, assets=self.assets, broker=self._broker, clock=self.clock, chain=self.chain
            )
            self._router = self._v1  # type: ignore[assignment]  # same socket-facing interface
        return self._v1

    def _ensure_router(self) -> Any:
        return self.v1

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        path, _, query = request.path.partition("?")
        if path != "/ws":
            return connection.respond(HTTPStatus.NOT_FOUND, "404 page not found\n")  # Go's http.NotFound
        app_id = next((v for k, v in parse_qsl(query, keep_blank_values=True) if k == APP_ID_QUERY), "")
        if app_id and not sessions.valid_application_id(app_id):
            return connection.respond(
                HTTPStatus.BAD_REQUEST, f"invalid {APP_ID_QUERY}: must match {APPLICATION_ID_TEXT}\n"
            )
        return None

    async def start(self) -> None:
        await super().start()
        if self.chain is not None and self._watcher is None:
            router = self.v1
            start = router.store.chain_cursor(self.chain.chain_id)
            self._watcher = ChainWatcher(
                self.chain, router.apply_events, start or self.chain.start_block, self.broker_address
            )
            self._watcher.start()

    async def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            await watcher.stop()
        await super().stop()
        if self._router is None:
            self._v1 = None

    @property
    def chain_error(self) -> str | None:
        """The watcher's last problem with the RPC (unreachable, wrong chain, bad answer), if any."""
        return None if self._watcher is None else self._watcher.last_error

    async def chain_synced(self) -> None:
        """Wait until the watcher has applied every block up to the chain's head as of now."""
        if self._watcher is None:
            raise RuntimeError("this sandbox watches no chain (start it with a chain first)")
        await self._watcher.caught_up()

    def fund(self, address: str, asset: str, amount: Decimal | str | int, *, in_channel: bool = True) -> str:
        """Faucet: a home deposit into the wallet's simulated home channel for ``asset``."""
        if self.chain is not None:
            raise ValueError("this sandbox watches a chain: funds come from deposits on it, not a faucet")
        wallet = normalize_address(address)
        if asset not in {a.symbol for a in self.assets}:
            raise ValueError(
                f"unknown asset {asset!r}; this node has {', '.join(a.symbol for a in self.assets)}"
            )
        value = parse_decimal(str(amount))
        if value <= 0:
            raise ValueError("fund amount must be positive")
        return self.v1.fund(wallet, asset, value)

    def balances(self, address: str) -> dict[str, Decimal]:
        """A wallet's home channel balance per asset."""
        return dict(self.v1.store.user_balances(address.lower()))

    def ledger_totals(self) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
        """(channel balances + app session allocations, faucet total) per asset: equal when conserved."""
        return self.v1.store.held(), self.v1.store.minted()
