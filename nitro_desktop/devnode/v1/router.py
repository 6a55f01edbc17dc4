"""Frame in, frame out for the v1 node: ``WebsocketNode.processRequests`` and the method table.

Same interface as the 0.x ``Router`` (``on_connect``, ``handle_text``, ``refuse``,
``on_disconnect``), so ``SandboxNode``'s socket plumbing (admission caps, frame
size bound, rate limit, bounded outbox) serves it unchanged. Synchronous: a handler
and its database transaction finish before the next frame is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

from nitro_desktop.devnode.amounts import EXACT
from nitro_desktop.devnode.config import AssetConfig
from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.router import Connection
from nitro_desktop.devnode.v1 import deposit, home, keys, reads, sessions, updates, wire
from nitro_desktop.devnode.v1.chainwatch import ChainConfig
from nitro_desktop.devnode.v1.channels import HomeChannels
from nitro_desktop.devnode.v1.events import ChannelEvent, apply_event
from nitro_desktop.devnode.v1.quorum import Fail, verify_quorum
from nitro_desktop.devnode.v1.store import Store
from nitro_desktop.protocol import RawKeySigner

log = logging.getLogger(__name__)
REQUEST, RESPONSE, EVENT, ERROR = 1, 2, 3, 4
DEFAULT_ERROR = "an error occurred while processing the request"
Handler = Callable[[Any, wire.Struct], dict[str, Any]]


class V1Router:
    def __init__(
        self,
        *,
        db: Database,
        assets: tuple[AssetConfig, ...],
        broker: RawKeySigner,
        clock: Callable[[], float],
        chain: ChainConfig | None = None,
    ) -> None:
        self.db = db
        self.chain = chain
        self.min_challenge, self.max_challenge = home.MIN_CHALLENGE, home.MAX_CHALLENGE
        self.assets = assets
        self.broker = broker
        self.broker_address = broker.address
        self.clock = clock
        self.store = Store(db)
        self.channels = HomeChannels(self.store, assets, broker)
        self.keys = keys.SessionKeys(db)
        self.routes: dict[str, tuple[Handler, str]] = {
            "node.v1.ping": (reads.ping, ""),
            "node.v1.get_config": (reads.get_config, "failed to parse parameters"),
            "node.v1.get_assets": (reads.get_assets, "failed to parse parameters"),
            "user.v1.get_balances": (reads.get_balances, "failed to parse parameters"),
            "user.v1.get_transactions": (reads.get_transactions, "failed to parse parameters"),
            "channels.v1.get_home_channel": (reads.get_home_channel, "failed to parse request"),
            "channels.v1.get_latest_state": (reads.get_latest_state, "failed to parse parameters"),
            "channels.v1.get_channels": (reads.get_channels, "failed to parse request"),
            "channels.v1.get_last_key_states": (keys.get_channel_key_states, "failed to parse parameters"),
            "app_sessions.v1.create_app_session": (
                sessions.create_app_session,
                "failed to create app session",
            ),
            "app_sessions.v1.submit_deposit_state": (
                deposit.submit_deposit_state,
                "failed to process deposit state",
            ),
            "app_sessions.v1.submit_app_state": (
                updates.submit_app_state,
                "failed to process app state update",
            ),
            "app_sessions.v1.get_app_definition": (
                sessions.get_app_definition,
                "failed to retrieve app definition",
            ),
            "app_sessions.v1.get_app_sessions": (
                sessions.get_app_sessions,
                "failed to retrieve app sessions",
            ),
            "app_sessions.v1.submit_session_key_state": (
                keys.submit_session_key_state,
                "failed to store session key state",
            ),
            "app_sessions.v1.get_last_key_states": (
                keys.get_last_key_states,
                "failed to retrieve session key states",
            ),
        }
        if chain is not None:  # home channels live on the chain: the node co-signs, the chain settles
            self.routes["channels.v1.request_creation"] = (
                home.request_creation,
                "failed to process channel creation request",
            )
            self.routes["channels.v1.submit_state"] = (home.submit_state, "failed to process incoming state")

    # ---- what handlers use ------------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def verify_quorum(
        self,
        session_id: str,
        application: str,
        weights: dict[str, int],
        quorum: int,
        data: bytes,
        sigs: list[str],
    ) -> None:
        def owner_of(session_key: str) -> str:
            return self.keys.owner(session_key, session_id, application, self.clock())

        verify_quorum(weights, quorum, data, sigs, owner_of)

    def fund(self, address: str, asset: str, amount: Decimal) -> str:
        with localcontext(EXACT), self.db.transaction():
            self.channels.faucet(address.lower(), asset, amount, self.clock())
        return address.lower()

    def apply_events(self, events: list[ChannelEvent], next_block: int) -> None:
        """A range of hub events and the block after it, in one transaction: all of it or none."""
        assert self.chain is not None
        with localcontext(EXACT), self.db.transaction():
            for event in events:
                apply_event(self, event)
            self.store.set_chain_cursor(self.chain.chain_id, next_block)

    # ---- SandboxNode's router interface ----------------------------------------------------------
    def on_connect(self, conn: Connection) -> None:
        """nitronode sends nothing until asked."""

    def on_disconnect(self, conn: Connection) -> None:
        """No per-connection state beyond the socket."""

    def refuse(self, conn: Connection, text: str, reason: str) -> None:
        try:
            request_id = wire.parse_frame(text).request_id
        except wire.FrameError as exc:
            request_id = exc.request_id
        conn.send(wire.encode(ERROR, request_id, "", {"error": reason}, self.now_ms()))

    def handle_text(self, conn: Connection, text: str) -> None:
        try:
            frame = wire.parse_frame(text)
        except wire.FrameError as exc:
            conn.send(
                wire.encode(ERROR, exc.request_id, "", {"error": "invalid message format"}, self.now_ms())
            )
            return
        route = self.routes.get(frame.method)
        if route is None:
            conn.send(self._error(frame, f"unknown method: {frame.method}"))
            return
        handler, fallback = route
        try:
            with localcontext(EXACT):
                payload = handler(self, wire.Struct(frame.payload))
        except Fail as exc:
            conn.send(self._error(frame, exc.text))
            return
        except wire.PayloadError:
            conn.send(self._error(frame, fallback or DEFAULT_ERROR))
            return
        except Exception:  # every failure is an error frame; the node stays up
            log.exception("v1 handler %s failed", frame.method)
            conn.send(self._error(frame, fallback or DEFAULT_ERROR))
            return
        conn.send(wire.encode(RESPONSE, frame.request_id, frame.method, payload, self.now_ms()))

    def _error(self, frame: wire.Request, text: str) -> str:
        return wire.encode(ERROR, frame.request_id, frame.method, {"error": text}, self.now_ms())
