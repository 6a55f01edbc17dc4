"""One websocket to a ClearNode: framing, request ids, answer matching, broker checks.

A ``Connection`` never reconnects; ``lifecycle`` makes new ones. Its receive loop
never raises on bad input: a frame that cannot be read, or that is not signed by
the broker, is dropped, logged and counted. Frames are made and read by the
dialect's ``Envelope`` (``protocol.wire``); with an envelope whose server frames are
unsigned (v1) there is no broker to check and every readable frame is dispatched.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from nitro_desktop.client.errors import (
    BrokerMismatch,
    ClearNodeError,
    ConnectionLost,
    MalformedResponse,
    RequestTimeout,
)
from nitro_desktop.client.exchanges import Exchange, ExchangeLog
from nitro_desktop.client.pacing import RequestPacer
from nitro_desktop.client.redact import redact
from nitro_desktop.client.signer_memo import SignerMemo
from nitro_desktop.protocol import (
    DialectLike,
    FrameKind,
    HashSigner,
    ProtocolError,
    RpcCall,
    ServerError,
    ServerFrame,
    spec,
)

log = logging.getLogger("nitro_desktop.client")

_MAX_HELD = 256


@dataclass(slots=True)
class ClientStats:
    """Counters a status view or a test can read."""

    frames_received: int = 0
    frames_malformed: int = 0
    frames_rejected: int = 0  # not signed by the broker
    responses_unmatched: int = 0  # late, unknown id, or already answered
    notifications: int = 0
    requests_sent: int = 0
    timeouts: int = 0
    connections: int = 0
    reconnects: int = 0


@dataclass(slots=True)
class _Pending:
    method: str
    future: asyncio.Future[Any]
    response: str = ""


def now_ms() -> int:
    return int(time.time() * 1000)


class Connection:
    """Requests and answers over one open websocket."""

    def __init__(
        self,
        ws: ClientConnection,
        dialect: DialectLike,
        *,
        stats: ClientStats,
        on_notification: Callable[[str, Any], None],
        broker: str | None = None,
        exchanges: ExchangeLog | None = None,
        pacer: RequestPacer | None = None,
    ) -> None:
        self._ws = ws
        self.pacer = pacer
        self._exchanges = exchanges
        self._spec = spec(dialect)
        self._envelope = self._spec.envelope
        self._signers = SignerMemo(self._envelope)
        self._bootstrap_method = self._spec.method_name("get_config")
        self._stats = stats
        self._on_notification = on_notification
        self._broker = broker
        self._held: list[ServerFrame] = []
        self._bootstrap: ServerFrame | None = None
        self._pending: dict[int, _Pending] = {}
        self._next_id = 1
        # Kept: each asyncio.get_running_loop() is a getpid() system call on this Python (3.11).
        self._loop = asyncio.get_running_loop()
        self.last_received = self._loop.time()
        self.close_reason: ConnectionLost | None = None
        self._lost = asyncio.Event()
        self._reader = asyncio.create_task(self._read_loop(), name="clearnode-receive")

    # ---- requests ---------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.close_reason is None

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def _allocate_id(self) -> int:
        while True:  # never 0; unique per client when there is a log, else per connection
            if self._exchanges is not None:
                request_id = self._exchanges.next_id()
            else:
                request_id, self._next_id = self._next_id, self._next_id + 1
            if request_id not in self._pending:  # a pre-signed frame's id may be in flight
                return request_id

    async def request(
        self,
        call: RpcCall,
        signers: Sequence[HashSigner] = (),
        *,
        timeout: float,
        on_sent: Callable[[int], None] | None = None,
    ) -> Any:
        """Send ``call`` and wait for its typed answer; ``ClearNodeError`` on an error answer."""
        if self.close_reason is not None:
            raise self.close_reason
        request_id = self._allocate_id()
        frame = self._spec.encode_frame(request_id, call, now_ms(), signers)
        return await self._exchange(request_id, call.method, frame, timeout, on_sent)

    async def send_frame(
        self,
        frame: str,
        request_id: int,
        method: str,
        *,
        timeout: float,
        on_sent: Callable[[int], None] | None = None,
    ) -> Any:
        """Send an already-built frame verbatim and wait for the answer to ``request_id``.

        For pre-signed frames, whose id was chosen elsewhere: refused (``ValueError``)
        while another request with that id is in flight, so answers cannot be confused.
        """
        if self.close_reason is not None:
            raise self.close_reason
        if request_id in self._pending:
            raise ValueError(f"request id {request_id} is already in flight on this connection")
        return await self._exchange(request_id, method, frame, timeout, on_sent)

    async def _exchange(
        self,
        request_id: int,
        method: str,
        frame: str,
        timeout: float,
        on_sent: Callable[[int], None] | None,
    ) -> Any:
        if self.pacer is not None:  # before the timeout: waiting for our own turn is not the server's delay
            await self.pacer.acquire()
            if self.close_reason is not None:
                raise self.close_reason
            if request_id in self._pending:  # a pre-signed frame's id, taken while it waited its turn
                raise ValueError(f"request id {request_id} is already in flight on this connection")
        future: asyncio.Future[Any] = self._loop.create_future()
        pending = self._pending[request_id] = _Pending(method, future)
        try:
            async with asyncio.timeout(timeout):
                if log.isEnabledFor(logging.DEBUG):  # redaction costs more than the send itself
                    log.debug("→ %s", redact(frame))
                try:
                    await self._ws.send(frame)
                except ConnectionClosed as exc:
                    raise ConnectionLost(f"connection closed while sending {method}: {exc}") from None
                self._stats.requests_sent += 1
                if self._exchanges is not None:  # logged as sent: its frame is kept even if no answer comes
                    self._exchanges.add(Exchange(method, request_id, frame))
                if on_sent is not None:
                    on_sent(request_id)
                try:
                    return await future
                finally:
                    if pending.response and self._exchanges is not None:
                        self._exchanges.answered(request_id, pending.response)
        except TimeoutError:
            self._stats.timeouts += 1
            raise RequestTimeout(method, request_id, timeout) from None
        finally:
            self._pending.pop(request_id, None)
            if not future.done():
                future.cancel()

    # ---- broker -------------------------------------------------------------
    @property
    def broker(self) -> str | None:
        return self._broker

    def set_broker(self, broker: str, url: str) -> None:
        """Trust frames signed by ``broker`` from now on; check what arrived before."""
        if self._bootstrap is not None and self._signer(self._bootstrap) != broker:
            raise BrokerMismatch(
                url,
                broker,
                self._signer(self._bootstrap) or "",
                f"the get_config answer from {url} names broker {broker} but is not signed by it",
            )
        self._broker = broker
        held, self._held = self._held, []
        for frame in held:
            self._accept(frame)

    def _signer(self, frame: ServerFrame) -> str | None:
        return self._signers.signer(frame)

    # ---- receiving ----------------------------------------------------------
    async def _read_loop(self) -> None:
        reason: ConnectionLost
        try:
            async for message in self._ws:
                self.last_received = self._loop.time()
                self._handle(message)
            reason = ConnectionLost(f"the server closed the connection{self._close_text()}")
        except ConnectionClosed:
            reason = ConnectionLost(f"the connection broke{self._close_text()}")
        except asyncio.CancelledError:
            reason = ConnectionLost("the connection was closed by the client")
            self._finish(reason)
            raise
        except Exception as exc:  # a bug or a transport error: the socket is no longer usable
            log.exception("receive loop failed")
            reason = ConnectionLost(f"receiving failed: {exc}")
        self._finish(reason)

    def _close_text(self) -> str:
        protocol = self._ws.protocol
        close = protocol.close_rcvd or protocol.close_sent  # theirs, else ours (e.g. 1009 too big)
        if close is None:
            return " (no close frame)"
        side = "server" if protocol.close_rcvd else "client"
        return f" ({side} sent code {close.code}{': ' + close.reason if close.reason else ''})"

    def _finish(self, reason: ConnectionLost) -> None:
        if self.close_reason is None:
            self.close_reason = reason
            log.info("%s", reason)
        self._lost.set()
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(reason)
                pending.future.exception()  # mark retrieved: the awaiting side may be gone
        self._pending.clear()

    def _handle(self, message: str | bytes) -> None:
        self._stats.frames_received += 1
        try:
            frame = self._spec.decode_frame(message)
        except ProtocolError as exc:
            self._stats.frames_malformed += 1
            log.warning("dropped a malformed frame (%s): %s", exc, redact(message))
            return
        except Exception as exc:  # never let input crash the loop
            self._stats.frames_malformed += 1
            log.warning("dropped an unreadable frame (%s: %s)", type(exc).__name__, exc)
            return
        if log.isEnabledFor(logging.DEBUG):
            log.debug("← %s", redact(message))
        if not self._envelope.server_signed:  # nothing to check a frame against
            self._dispatch(frame)
            return
        if self._broker is None:
            pending = self._pending.get(frame.request_id)
            if pending is not None and pending.method == self._bootstrap_method and self._bootstrap is None:
                self._bootstrap = frame  # the broker's own address comes with it; checked in set_broker
                self._dispatch(frame)
            elif len(self._held) < _MAX_HELD:
                self._held.append(frame)
            else:
                self._stats.frames_rejected += 1
                log.warning("dropped a %s frame that arrived before the broker was known", frame.method)
            return
        self._accept(frame)

    def _accept(self, frame: ServerFrame) -> None:
        signer = self._signer(frame)
        if signer != self._broker:
            self._stats.frames_rejected += 1
            log.warning(
                "dropped a %s frame (id %d) signed by %s, not by the broker %s",
                frame.method,
                frame.request_id,
                signer or "nobody",
                self._broker,
            )
            return
        self._dispatch(frame)

    def _dispatch(self, frame: ServerFrame) -> None:
        if frame.kind is FrameKind.EVENT:
            try:
                payload = self._spec.decode_payload(frame)
            except Exception as exc:
                self._stats.frames_malformed += 1
                log.warning("dropped a malformed %s notification: %s", frame.method, exc)
                return
            self._stats.notifications += 1
            try:
                self._on_notification(frame.method, payload)
            except Exception:
                log.exception("notification handler failed")
            return
        pending = self._pending.get(frame.request_id)
        if pending is None or pending.future.done():
            self._stats.responses_unmatched += 1
            log.info(
                "dropped a %s answer for request %d: nobody waits for it", frame.method, frame.request_id
            )
            return
        pending.response = frame.text
        try:
            payload = self._spec.decode_payload(frame)
        except Exception as exc:
            self._stats.frames_malformed += 1
            pending.future.set_exception(MalformedResponse(pending.method, frame.request_id, str(exc)))
            return
        if isinstance(payload, ServerError):
            pending.future.set_exception(ClearNodeError(payload.message, pending.method, frame.request_id))
        else:
            pending.future.set_result(payload)

    # ---- closing ------------------------------------------------------------
    def abort(self, reason: str) -> None:
        """Drop a dead socket at once (no closing handshake)."""
        if self.close_reason is None:
            self._finish(ConnectionLost(reason))
        transport = getattr(self._ws, "transport", None)
        if transport is not None:
            transport.abort()

    async def wait_closed(self) -> ConnectionLost:
        """Return as soon as the connection is known lost (not when the socket has wound down)."""
        await self._lost.wait()
        assert self.close_reason is not None
        return self.close_reason

    async def dispose(self) -> None:
        """Release a lost connection at once: abort the socket, end the receive loop."""
        self.abort("disposed")
        if not self._reader.done():
            self._reader.cancel()
        try:
            await self._reader
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise

    async def close(self, timeout: float = 2.0) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self._ws.close()
        except (TimeoutError, OSError, ConnectionClosed):
            self.abort("closed by the client")
        if not self._reader.done():
            self._reader.cancel()
        try:
            await self._reader
        except asyncio.CancelledError:
            if asyncio.current_task() is not None and asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise
        self._finish(ConnectionLost("the connection was closed by the client"))
