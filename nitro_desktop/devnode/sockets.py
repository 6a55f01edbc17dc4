"""The node's side of each socket: admission from accept to close, and the one writer.

``connection_class`` counts a socket against the caps before any handshake;
``write_loop`` is the only sender of a connection's frames, in order, a turn's
frames framed together and written at once.
"""

from __future__ import annotations

import asyncio
import contextlib

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from nitro_desktop.devnode import admission
from nitro_desktop.devnode.admission import Admission, Verdict
from nitro_desktop.devnode.router import Connection

WRITE_BATCH = 64  # frames written to a socket at once, at most


def connection_class(gate: Admission) -> type[ServerConnection]:
    class AdmittedConnection(ServerConnection):
        """Counted from accept to close, before any handshake: idle sockets hold slots too."""

        verdict: Verdict = admission.ABORT
        peer = ""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            peername = transport.get_extra_info("peername")
            self.peer = str(peername[0]) if isinstance(peername, tuple) and peername else ""
            self.verdict = gate.admit(self.peer)
            super().connection_made(transport)
            if not (self.verdict.serve or self.verdict.refuse) and isinstance(
                transport, asyncio.WriteTransport
            ):
                transport.abort()

        def connection_lost(self, exc: Exception | None) -> None:
            gate.release(self.peer, self.verdict)
            self.verdict = admission.ABORT  # released once, whatever happens next
            super().connection_lost(exc)

        async def send_texts(self, texts: list[str]) -> None:
            """What ``send(text)`` does for each text, framed together and written at once.

            Only the node's write loop sends messages, never fragmented: no fragmented send
            can be in progress to wait for.
            """
            async with self.send_context():
                for text in texts:
                    self.protocol.send_text(text.encode())

        def send_data(self) -> None:
            # A request turn queues its answer and notifications together: one socket write
            # (one syscall) for all of them instead of one per frame. The empty marker (half
            # close) is handled as websockets does, after what was queued before it.
            joined: list[bytes] = []
            for data in self.protocol.data_to_send():
                if data:
                    joined.append(data)
                    continue
                if joined:
                    self.transport.write(b"".join(joined))
                    joined = []
                if self.transport.can_write_eof():
                    with contextlib.suppress(Exception):
                        self.transport.write_eof()
                else:
                    self.transport.close()
            if joined:
                self.transport.write(joined[0] if len(joined) == 1 else b"".join(joined))

    return AdmittedConnection


async def write_loop(ws: ServerConnection, conn: Connection) -> None:
    send_texts = getattr(ws, "send_texts", None)
    outbox = conn.outbox
    while True:
        text = await outbox.get()
        if text is None:
            return
        # Whatever else is already queued (a turn's notifications and answer) goes in the
        # same write, in order; at most a bounded batch, so one write never grows unbounded.
        batch = [text]
        end = False
        while len(batch) < WRITE_BATCH and not outbox.empty():
            more = outbox.get_nowait()
            if more is None:
                end = True
                break
            batch.append(more)
        try:
            if send_texts is not None and len(batch) > 1:
                await send_texts(batch)
            else:
                for item in batch:
                    await ws.send(item)
        except ConnectionClosed:
            return
        if end:
            return
