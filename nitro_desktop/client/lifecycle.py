"""Keeping one usable connection: open, check the broker, authenticate, keep alive, reconnect.

The broker check runs only for envelopes whose server frames are signed, and the
login only for dialects that have one (``auth.authenticator_for``): a v1 link opens,
keeps alive and reconnects with neither.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import websockets

from nitro_desktop.client import auth
from nitro_desktop.client.connection import ClientStats, Connection
from nitro_desktop.client.errors import (
    AuthenticationError,
    BrokerMismatch,
    ClientClosed,
    ClientError,
    ConnectionLost,
    NotConnected,
    RequestTimeout,
)
from nitro_desktop.client.exchanges import ExchangeLog
from nitro_desktop.client.pacing import RequestPacer, RequestRate
from nitro_desktop.client.state import Backoff, ConnectionState, StatusCell
from nitro_desktop.protocol import AuthResult, BrokerConfig, DialectSpec, builders, to_checksum_address

log = logging.getLogger("nitro_desktop.client")


def describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel a task we own and wait for it, without swallowing our own cancellation."""
    if task is None or task.done():
        if task is not None and not task.cancelled():
            task.exception()  # retrieved: no "never retrieved" warning
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
    except Exception:
        log.debug("task %s ended with an error while closing", task.get_name(), exc_info=True)


class Link:
    """Owns the current ``Connection`` and replaces it when it dies."""

    def __init__(
        self,
        url: str,
        spec: DialectSpec,
        *,
        timeout: float,
        keepalive_interval: float,
        backoff: Backoff,
        expected_broker: str | None,
        max_frame_bytes: int,
        rng: random.Random | None,
        stats: ClientStats,
        on_notification: Callable[[str, Any], None],
        request_rate: RequestRate | None = None,
    ) -> None:
        self.url = url
        self.request_rate = request_rate
        self.spec = spec
        self._authenticator = auth.authenticator_for(spec)
        self.timeout = timeout
        self.keepalive_interval = keepalive_interval
        self.backoff = backoff
        self.pinned_broker = to_checksum_address(expected_broker) if expected_broker else None
        self.max_frame_bytes = max_frame_bytes
        self.rng = rng
        self.stats = stats
        self.exchanges = ExchangeLog()
        self.status = StatusCell(url)
        self.config: BrokerConfig | None = None
        self.credentials: auth.Credentials | None = None
        self._on_notification = on_notification
        self._jwt: str | None = None
        self._conn: Connection | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._keepalive: asyncio.Task[None] | None = None
        self._closing = False

    # ---- opening ------------------------------------------------------------
    async def start(self) -> None:
        if self._closing:
            raise ClientClosed("the client is closed")
        if self._supervisor is not None and not self._supervisor.done():
            return
        try:
            conn = await self._open()
        except BaseException as exc:
            if isinstance(exc, BrokerMismatch):
                self._refuse(exc)
            self.status.set(ConnectionState.DISCONNECTED, last_error=describe(exc), fatal=True)
            raise
        self._install(conn)
        self._supervisor = asyncio.create_task(self._supervise(), name="clearnode-supervisor")

    async def _open(self) -> Connection:
        self.status.set(ConnectionState.CONNECTING, address=None)
        ws = await websockets.connect(
            self.url,
            open_timeout=self.timeout,
            close_timeout=self.timeout,
            ping_interval=None,  # keep-alive is an application-level ping, see _keep_alive
            max_size=self.max_frame_bytes,
            proxy=None,
        )
        conn = Connection(
            ws,
            self.spec,
            stats=self.stats,
            on_notification=self._on_notification,
            exchanges=self.exchanges,
            pacer=RequestPacer(self.request_rate) if self.request_rate is not None else None,
        )
        try:
            if self.spec.envelope.server_signed:
                await self._learn_broker(conn)
            if self.credentials is not None and self._authenticator is not None:
                self.status.set(ConnectionState.AUTHENTICATING, broker_address=conn.broker)
                result = await self._authenticator.authenticate(
                    conn, self.credentials, jwt=self._jwt, timeout=self.timeout
                )
                self._jwt = result.jwt_token or self._jwt
        except BaseException:
            await conn.close(self.timeout)
            raise
        return conn

    async def _learn_broker(self, conn: Connection) -> None:
        """get_config names the broker; its frames (this answer included) must be signed by it."""
        config = await conn.request(builders.get_config(self.spec), timeout=self.timeout)
        if not isinstance(config, BrokerConfig) or not config.broker_address:
            raise ConnectionLost(f"{self.url} did not name its broker in get_config")
        broker = to_checksum_address(config.broker_address)
        if self.pinned_broker and broker != self.pinned_broker:
            raise BrokerMismatch(self.url, self.pinned_broker, broker)
        conn.set_broker(broker, self.url)
        if self.pinned_broker is None:
            # Trust on first use, for the client's whole life: a reconnect that finds
            # another broker at this URL is refused before anything is signed for it.
            self.pinned_broker = broker
            log.info("pinned broker %s for %s (first use)", broker, self.url)
        self.config = config

    def _refuse(self, exc: BrokerMismatch) -> None:
        log.error(
            "refusing %s: expected broker %s, seen %s; not reconnecting",
            self.url,
            exc.expected,
            exc.actual or "(none)",
        )

    def _install(self, conn: Connection) -> None:
        self._conn = conn
        self.stats.connections += 1
        address = self.credentials.wallet_address if self.credentials else None
        broker = conn.broker
        self.status.set(ConnectionState.READY, address=address, broker_address=broker)
        self._keepalive = asyncio.create_task(self._keep_alive(conn), name="clearnode-keepalive")

    # ---- staying up -----------------------------------------------------------
    async def _keep_alive(self, conn: Connection) -> None:
        """Ping when idle: a dead socket is found within keepalive_interval + timeout."""
        loop = asyncio.get_running_loop()
        while conn.is_open:
            idle = loop.time() - conn.last_received
            if idle < self.keepalive_interval:
                await asyncio.sleep(self.keepalive_interval - idle)
                continue
            try:
                await conn.request(builders.ping(self.spec), timeout=self.timeout)
            except RequestTimeout:
                log.warning(
                    "no answer to a keep-alive ping within %g s: the connection is dead", self.timeout
                )
                conn.abort(f"no answer to a keep-alive ping within {self.timeout:g} s")
                return
            except ConnectionLost:
                return
            except ClientError as exc:  # an error answer still proves the server is there
                log.debug("keep-alive ping answered with %s", exc)
                await asyncio.sleep(self.keepalive_interval)

    async def _supervise(self) -> None:
        auth_failures = 0
        while not self._closing:
            conn = self._conn
            assert conn is not None
            reason = await conn.wait_closed()
            await conn.dispose()
            await cancel_and_wait(self._keepalive)
            self._keepalive = None
            self._conn = None
            if self._closing:
                return
            last_error = describe(reason)
            attempt = 0
            while True:
                attempt += 1
                delay = self.backoff.delay(attempt, self.rng)
                self.status.set(
                    ConnectionState.RECONNECTING,
                    last_error=last_error,
                    next_attempt_at=time.time() + delay,
                    attempt=attempt,
                    address=None,
                )
                await asyncio.sleep(delay)
                try:
                    new = await self._open()
                except BrokerMismatch as exc:
                    # Fatal: retrying would only keep knocking on an impostor's door.
                    self._refuse(exc)
                    self.status.set(ConnectionState.DISCONNECTED, last_error=describe(exc), fatal=True)
                    return
                except AuthenticationError as exc:
                    auth_failures += 1
                    last_error = f"authentication refused: {exc.message}"
                    if auth_failures >= self.backoff.max_auth_failures:
                        log.error("giving up on %s: %s", self.url, last_error)
                        self.status.set(ConnectionState.DISCONNECTED, last_error=last_error, fatal=True)
                        return
                    continue
                except Exception as exc:
                    last_error = describe(exc)
                    log.info("reconnect attempt %d to %s failed: %s", attempt, self.url, last_error)
                    continue
                auth_failures = 0
                self.stats.reconnects += 1
                self._install(new)
                break

    # ---- using ------------------------------------------------------------------
    async def connection(self, timeout: float) -> Connection:
        """The usable connection, waiting up to ``timeout`` while (re)connecting."""
        conn = self._conn
        if conn is not None and conn.is_open and not self._closing:  # every request asks: no clock read
            return conn
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if self._closing:
                raise ClientClosed("the client is closed")
            conn = self._conn
            if conn is not None and conn.is_open:
                return conn
            status = self.status.value
            if self._supervisor is None or self._supervisor.done():
                why = f": {status.last_error}" if status.last_error else ""
                raise NotConnected(f"not connected to {self.url}{why}")
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise NotConnected(f"no connection to {self.url} within {timeout:g} s ({status.last_error})")
            try:
                async with asyncio.timeout(remaining):
                    await self.status.next_change()
            except TimeoutError:
                pass

    async def authenticate(self, credentials: auth.Credentials) -> AuthResult:
        """Log in, and again after every reconnect; without a login step, just keep the wallet."""
        conn = await self.connection(self.timeout)
        if self._authenticator is None:
            self.credentials = credentials
            self.status.set(ConnectionState.READY, address=credentials.wallet_address)
            return auth.identified(credentials)
        self.status.set(ConnectionState.AUTHENTICATING)
        try:
            result = await self._authenticator.authenticate(conn, credentials, jwt=None, timeout=self.timeout)
        except BaseException as exc:
            if conn.is_open:
                self.status.set(ConnectionState.READY, last_error=describe(exc))
            raise
        self.credentials = credentials
        self._jwt = result.jwt_token or None
        if conn.is_open and self._conn is conn:
            self.status.set(ConnectionState.READY, address=credentials.wallet_address)
        return result

    def drop(self, reason: str) -> None:
        """Abort the current socket (tests and "reconnect now" buttons); the supervisor reconnects."""
        if self._conn is not None:
            self._conn.abort(reason)

    # ---- closing ----------------------------------------------------------------
    async def close(self) -> None:
        self._closing = True
        await cancel_and_wait(self._supervisor)
        await cancel_and_wait(self._keepalive)
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close(self.timeout)
        self.status.set(ConnectionState.DISCONNECTED, address=None)
