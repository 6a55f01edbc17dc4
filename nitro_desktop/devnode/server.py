"""``SandboxNode``: the websockets server around the router.

Serves ``ws://HOST:PORT/ws``; one reader and one writer task per connection;
bounded frame size, bounded outgoing queue, a per-connection token-bucket rate
limit, and caps on sockets per node and per remote address (``admission``).
Works on any asyncio loop (plain or qasync).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from nitro_desktop.devnode import admission
from nitro_desktop.devnode.admission import Admission, OncePerInterval
from nitro_desktop.devnode.auth import AuthManager, new_jwt_secret
from nitro_desktop.devnode.config import AssetConfig, normalise_assets
from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.ledger import wallet_key
from nitro_desktop.devnode.router import Connection, Router
from nitro_desktop.devnode.sockets import connection_class, write_loop
from nitro_desktop.protocol import Dialect, RawKeySigner, parse_address, parse_amount

log = logging.getLogger(__name__)
# The websockets library logs a failed handshake with a traceback, once per attempt.
# A child of its usual logger: configured as before, outside the app's own log view.
_ws_log = logging.getLogger("websockets.server.sandbox")
_ws_log.addFilter(OncePerInterval())

DEFAULT_MAX_FRAME_BYTES = 1 << 20
DEFAULT_RATE_LIMIT = 1000.0  # requests per second per connection (burst of the same size)


class SandboxNode:
    """A local ClearNode: real socket, real rules, a faucet instead of a chain."""

    # Keepalive as the node being imitated sends it; over the rate limit, either an error
    # frame (the 0.x nodes) or a dropped socket (nitronode v1).
    ping_interval: float = 20.0
    ping_timeout: float = 20.0
    drop_over_rate: bool = False

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        dialect: str = "0.2",
        db_path: str | Path | None = None,
        assets: Iterable[AssetConfig | Mapping[str, Any]] | Mapping[str, int] | None = None,
        broker_key: str | bytes | None = None,
        timestamp_window: float | None = 60.0,
        clock: Callable[[], float] | None = None,
        challenge_factory: Callable[[], str] | None = None,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        rate_limit: float | None = DEFAULT_RATE_LIMIT,
        max_connections: int = admission.DEFAULT_MAX_CONNECTIONS,
        max_connections_per_address: int = admission.DEFAULT_MAX_PER_ADDRESS,
        refusal_log_interval: float = admission.DEFAULT_LOG_INTERVAL,
    ) -> None:
        self.host = host
        self.port = port
        self.dialect = Dialect(dialect)
        self.db_path = None if db_path is None else Path(db_path)
        self.assets: tuple[AssetConfig, ...] = normalise_assets(assets)
        self._broker = RawKeySigner(broker_key) if broker_key is not None else RawKeySigner.generate()
        self.timestamp_window = timestamp_window
        self.clock = clock or time.time
        self._challenge_factory = challenge_factory
        self.max_frame_bytes = max_frame_bytes
        self.rate_limit = rate_limit
        self.rate_burst: float | None = None  # None: a burst of rate_limit requests
        self._db: Database | None = None
        self._router: Router | None = None
        self._server: Server | None = None
        self._conns: set[Connection] = set()
        self._handler_tasks: set[asyncio.Task[Any]] = set()
        if max_connections < 1 or max_connections_per_address < 1:
            raise ValueError("max_connections and max_connections_per_address must be at least 1")
        self.max_connections = max_connections
        self.max_connections_per_address = max_connections_per_address
        self.refusal_log_interval = refusal_log_interval
        self._admission: Admission | None = None

    # ---- public API -----------------------------------------------------------------
    @property
    def broker_address(self) -> str:
        return self._broker.address

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}/ws"

    @property
    def router(self) -> Router:
        return self._ensure_router()

    async def start(self) -> None:
        if self._server is not None:
            return
        self._ensure_router()
        self._admission = Admission(
            self._fd_safe_cap(self.max_connections),
            self.max_connections_per_address,
            log_interval=self.refusal_log_interval,
        )
        self._server = await serve(
            self._serve_connection,
            self.host,
            self.port,
            create_connection=connection_class(self._admission),
            logger=_ws_log,
            process_request=self._check_path,
            max_size=self.max_frame_bytes,
            max_queue=16,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            compression=None,
        )
        sockets = list(self._server.sockets)
        if sockets and self.port == 0:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._settle()
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)
        await self._end_handler_tasks()
        if self._admission is not None:
            self._admission.flush_log()
        self._settle()
        if self._db is not None and self.db_path is not None:
            # A file database is reopened on the next start (as a restarted process would).
            self._db.close()
            self._db, self._router = None, None

    async def __aenter__(self) -> SandboxNode:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def fund(self, address: str, asset: str, amount: Decimal | str | int, *, in_channel: bool = False) -> str:
        """Faucet: credit a wallet's unified balance; connected wallets get ``bu``.

        ``in_channel`` puts the amount in a simulated on-chain channel instead (returns its id),
        so the wallet meets upstream's refusals for funds still in a channel.
        """
        wallet = parse_address(address, what="fund address")
        if asset not in {a.symbol for a in self.assets}:
            raise ValueError(
                f"unknown asset {asset!r}; this node has {', '.join(a.symbol for a in self.assets)}"
            )
        value = parse_amount(amount, what="fund amount")
        if value <= 0:
            raise ValueError("fund amount must be positive")
        router = self._ensure_router()
        self._settle()  # the faucet's own commit, durable when this returns
        if in_channel:
            config = next(a for a in self.assets if a.symbol == asset)
            return router.channels.deposit(wallet_key(wallet), config, value, router.clock())
        return router.fund(wallet, asset, value)

    def balances(self, address: str) -> dict[str, Decimal]:
        """A wallet's unified balance per asset (for tests and the CLI)."""
        router = self._ensure_router()
        self._settle()
        return {b["asset"]: Decimal(b["amount"]) for b in router.ledger.balances(address, address)}

    def ledger_totals(self) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
        """(sum of every balance, sum ever minted by the faucet) per asset: equal when conserved."""
        ledger = self._ensure_router().ledger
        self._settle()
        return ledger.total_by_asset(), ledger.minted_by_asset()

    @property
    def connection_count(self) -> int:
        return len(self._conns)

    @property
    def refused_connections(self) -> int:
        """Sockets refused (closed with 1013 or aborted) for being over a cap, since start."""
        return self._admission.refused_total if self._admission is not None else 0

    # ---- internals ----------------------------------------------------------------------
    def _settle(self) -> None:
        """Commit the open batch of request turns (and send its frames) before acting from outside."""
        commits = getattr(self._router, "commits", None)  # the v1 router commits per turn
        if commits is not None:
            commits.flush()

    def _ensure_router(self) -> Router:
        if self._router is None:
            self._db = Database(self.db_path)
            secret_hex = self._db.get_meta("jwt_secret")
            if secret_hex is None:
                secret = new_jwt_secret()
                with self._db.transaction():
                    self._db.set_meta("jwt_secret", secret.hex())
            else:
                secret = bytes.fromhex(secret_hex)
            auth = AuthManager(secret, self.clock, self._challenge_factory)
            self._router = Router(
                dialect=self.dialect.value,
                db=self._db,
                assets=self.assets,
                broker=self._broker,
                clock=self.clock,
                auth=auth,
                timestamp_window=self.timestamp_window,
            )
        return self._router

    @staticmethod
    def _fd_safe_cap(wanted: int) -> int:
        # Sockets beyond the descriptor limit fail in accept() for everyone; stay below it.
        limit = admission.raise_open_file_limit()
        room = limit - admission.RESERVED_FDS - admission.REFUSING_TOTAL
        if room < wanted:
            log.warning(
                "the open-file limit is %d: serving at most %d connections instead of %d",
                limit,
                max(1, room),
                wanted,
            )
        return max(1, min(wanted, room))

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path.split("?", 1)[0] != "/ws":
            return connection.respond(HTTPStatus.NOT_FOUND, "not found: the ClearNode endpoint is /ws\n")
        return None

    def _allow(self, conn: Connection) -> bool:
        if self.rate_limit is None:
            return True
        now = time.monotonic()
        burst = self.rate_burst or self.rate_limit
        conn.tokens = min(burst, conn.tokens + (now - conn.refilled) * self.rate_limit)
        conn.refilled = now
        if conn.tokens < 1:
            return False
        conn.tokens -= 1
        return True

    def _own_handler_task(self) -> None:
        # websockets runs each connection in a task that outlives this coroutine (it closes the
        # socket, then deregisters itself) and that nobody awaits: the node collects its outcome.
        # On qasync, a stopped loop still processes events once: a handler finishing then fails in
        # asyncio.current_task(), and an uncollected failure is logged whenever the task is
        # garbage-collected (CPython 3.11 may do that inside ast.parse, and breaks it).
        task = asyncio.current_task()
        if task is not None and task not in self._handler_tasks:
            self._handler_tasks.add(task)
            task.add_done_callback(self._reap_handler_task)

    def _reap_handler_task(self, task: asyncio.Task[Any]) -> None:
        self._handler_tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.debug("a connection task ended with %r", exc)

    async def _end_handler_tasks(self) -> None:
        # Whatever wait_closed() left behind (a handler stuck past its timeout) is cancelled and
        # awaited here, so no connection task outlives stop().
        pending = [t for t in self._handler_tasks if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        for task in [t for t in self._handler_tasks if t.done()]:
            self._reap_handler_task(task)

    async def _serve_connection(self, ws: ServerConnection) -> None:
        self._own_handler_task()
        if not getattr(ws, "verdict", admission.SERVE).serve:
            await ws.close(admission.CLOSE_CODE, admission.CLOSE_REASON)
            return
        router = self._ensure_router()
        peer = ws.remote_address[0] if ws.remote_address else ""
        try:
            loopback = ipaddress.ip_address(peer).is_loopback
        except ValueError:
            loopback = False
        burst = self.rate_burst or self.rate_limit or 0.0
        conn = Connection(
            loopback=loopback, tokens=burst, refilled=time.monotonic(), abort=ws.transport.abort
        )
        self._conns.add(conn)
        writer = asyncio.ensure_future(write_loop(ws, conn))
        router.on_connect(conn)
        try:
            async for message in ws:
                text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
                if not self._allow(conn):
                    if self.drop_over_rate:  # no answer, no close frame; queued replies are lost
                        ws.transport.abort()
                        break
                    router.refuse(conn, text, "too many requests")
                else:
                    router.handle_text(conn, text)
                if conn.overflowed:
                    await ws.close(1008, "client does not read its messages")
                    break
        except ConnectionClosed:
            pass
        finally:
            router.on_disconnect(conn)
            self._conns.discard(conn)
            conn.outbox.put_nowait(None) if not conn.outbox.full() else None
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
