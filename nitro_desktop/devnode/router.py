"""Frame in, frames out: parsing, method table, middleware and notifications.

Mirrors the Go ``RPCNode``/``RPCRouter``: frame errors with the server's texts,
``unknown method: <m>``, then public / private (auth + timestamp window) /
history / balance-update groups. Synchronous: one handler runs to completion
(its savepoint included) before the next frame is looked at; the turns of one
loop pass commit together (``batch``), and their frames leave after that commit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nitro_desktop.devnode import auth_handlers
from nitro_desktop.devnode import handlers as H
from nitro_desktop.devnode import params as P
from nitro_desktop.devnode.app_sessions import AppSessions, Outcome
from nitro_desktop.devnode.auth import AuthManager
from nitro_desktop.devnode.batch import GroupCommit
from nitro_desktop.devnode.call import Call
from nitro_desktop.devnode.channels import Channels
from nitro_desktop.devnode.config import AssetConfig
from nitro_desktop.devnode.db import Database
from nitro_desktop.devnode.errors import error_text
from nitro_desktop.devnode.gowire import go_hex, go_marshal, request_id_of, undecodable_sig
from nitro_desktop.devnode.ledger import Ledger, wallet_key
from nitro_desktop.devnode.params import ParamsError
from nitro_desktop.devnode.session_keys import SessionKeys
from nitro_desktop.protocol import (
    EmptyRequestError,
    FrameFormatError,
    FrameValidationError,
    ProtocolError,
    RawKeySigner,
    RequestFrame,
    parse_request_frame,
    sign_response,
    spec,
)
from nitro_desktop.protocol.canonical import raw_values

PUBLIC, PRIVATE, HISTORY, BALANCE = 0, 1, 2, 3
OUTBOX_LIMIT = 4096


@dataclass(eq=False)
class Connection:
    """One websocket's state; frames leave through ``outbox`` in order."""

    loopback: bool
    outbox: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(OUTBOX_LIMIT))
    user_id: str = ""
    policy: dict[str, Any] | None = None
    pending_identity: tuple[str, dict[str, Any]] | None = None
    overflowed: bool = False
    tokens: float = 0.0
    refilled: float = 0.0
    abort: Callable[[], None] = lambda: None  # drops the socket without a word (set by the server)

    def send(self, text: str) -> None:
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed = True  # a client that stopped reading; the server drops it


class Router:
    def __init__(
        self,
        *,
        dialect: str,
        db: Database,
        assets: tuple[AssetConfig, ...],
        broker: RawKeySigner,
        clock: Callable[[], float],
        auth: AuthManager,
        timestamp_window: float | None,
    ) -> None:
        self.spec = spec(dialect)
        # The ClearNode generation whose checks and texts apply: the v0.3+ servers' (object params).
        self.v05 = self.spec.object_params
        self.db = db
        self.assets = assets
        self._broker = broker
        self.broker_address = broker.address
        self.clock = clock
        self.auth = auth
        self.timestamp_window = timestamp_window
        self.ledger = Ledger(db, clock)
        self.keys = SessionKeys(db, clock, expiring=self.spec.session_keys_expire)
        self.channels = Channels(db)
        self.sessions = AppSessions(db, self.ledger, self.keys, self.channels, dialect=self.spec)
        self.hub: dict[str, set[Connection]] = {}
        self.commits = GroupCommit(db)
        # During a request turn: frames held until its transaction commits, and the signed ``bu``
        # per (wallet, ledger writes, rollbacks), so an unchanged balance is not listed and signed twice.
        self._held: list[tuple[Connection, str]] | None = None
        self._bu_memo: dict[tuple[str, int, int], str] | None = None
        self._transfer_digests: dict[bytes, float] = {}
        self.routes: dict[str, tuple[int, Callable[[Call], Any]]] = {
            "ping": (PUBLIC, H.ping),
            "get_config": (PUBLIC, H.get_config),
            "get_assets": (PUBLIC, H.get_assets),
            "get_app_definition": (PUBLIC, H.get_app_definition),
            "get_app_sessions": (PUBLIC, H.get_app_sessions),
            "get_channels": (PUBLIC, H.get_channels),
            "get_ledger_entries": (PUBLIC, H.get_ledger_entries),
            "get_ledger_transactions": (PUBLIC, H.get_ledger_transactions),
            "auth_request": (PUBLIC, auth_handlers.auth_request),
            "auth_verify": (PUBLIC, auth_handlers.auth_verify),
            "fund": (PUBLIC, H.fund),
            "get_user_tag": (PRIVATE, H.get_user_tag),
            "get_ledger_balances": (PRIVATE, H.get_ledger_balances),
            "get_rpc_history": (PRIVATE, H.get_rpc_history),
            "resize_channel": (HISTORY, H.resize_channel),
            "close_channel": (HISTORY, H.close_channel),
            "transfer": (BALANCE, H.transfer),
            "create_app_session": (BALANCE, H.create_app_session),
            "submit_app_state": (BALANCE, H.submit_app_state),
            "close_app_session": (BALANCE, H.close_app_session),
        }
        if self.v05:
            self.routes["get_session_keys"] = (PRIVATE, H.get_session_keys)
            self.routes["revoke_session_key"] = (PRIVATE, H.revoke_session_key)
            self.routes["create_channel"] = (
                HISTORY,
                H.channel_unavailable("failed to request channel create"),
            )

    # ---- outgoing ---------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _payload(self, method: str, payload: Any) -> Any:
        key = self.spec.list_key(method)
        if key is not None and isinstance(payload, list):
            payload = {key: payload}
        return self.spec.wrap_result(payload)

    def _frame(self, request_id: int, method: str, result: Any) -> str:
        return sign_response(
            request_id, method, result, self.now_ms(), self._broker, v_offset=self.spec.server_v_offset
        )

    def error_frame(self, request_id: int, text: str) -> str:
        return self._frame(request_id or self.now_ms(), "error", self.spec.error_result(text))

    def notification(self, method: str, payload: Any) -> str:
        request_id = 0 if self.v05 else self.now_ms()
        return self._frame(request_id, method, self._payload(method, payload))

    def _connections(self, wallet: str) -> set[Connection] | None:
        return self.hub.get(wallet_key(wallet)) or self.hub.get(wallet)

    def _send(self, conns: set[Connection], text: str) -> None:
        for conn in list(conns):
            if self._held is not None:
                self._held.append((conn, text))
            else:
                self.commits.send(conn, text)

    def notify(self, wallet: str, method: str, payload: Any) -> None:
        conns = self._connections(wallet)
        if conns:
            self._send(conns, self.notification(method, payload))

    def notify_balance(self, wallet: str) -> None:
        conns = self._connections(wallet)
        if not conns:
            return
        key = (wallet_key(wallet), self.ledger.writes, self.db.rollbacks)
        text = None if self._bu_memo is None else self._bu_memo.get(key)
        if text is None:
            text = self.notification("bu", self.ledger.balances(wallet, wallet))
            if self._bu_memo is not None:
                self._bu_memo[key] = text
        self._send(conns, text)

    def after_change(self, outcome: Outcome) -> None:
        for wallet in sorted(outcome.bu_wallets):
            self.notify_balance(wallet)
        if outcome.asu_session:
            row = self.sessions.get(outcome.asu_session)
            # NewAppSessionNotification (notification.go) leaves the application out and lists only
            # non-zero shares (an empty list is [], never null).
            payload = {
                "app_session": {**self.sessions.to_wire(row), "application": ""},
                "participant_allocations": [
                    a for a in self.sessions.allocations_of(outcome.asu_session) if Decimal(a["amount"]) != 0
                ],
            }
            text = None  # the same frame for every participant: signed once
            for participant in json.loads(row["participants"]):
                conns = self._connections(participant)
                if conns:
                    text = text or self.notification("asu", payload)
                    self._send(conns, text)

    def on_connect(self, conn: Connection) -> None:
        conn.send(self.notification("assets", [a.to_wire() for a in self.assets]))

    def on_disconnect(self, conn: Connection) -> None:
        if conn.user_id:
            self._leave(conn)

    def _leave(self, conn: Connection) -> None:
        conns = self.hub.get(conn.user_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.hub[conn.user_id]

    # ---- state helpers used by handlers ---------------------------------------------
    def fund(self, address: str, asset: str, amount: Decimal) -> str:
        wallet = wallet_key(address)
        with self.db.transaction():
            self.ledger.faucet(wallet, asset, amount)
        self.notify_balance(wallet)
        return wallet

    def user_tag(self, wallet: str) -> str:
        row = self.db.conn.execute("SELECT tag FROM user_tags WHERE wallet = ?", (wallet,)).fetchone()
        if row:
            return str(row[0])
        alphabet = string.ascii_uppercase + string.digits
        with self.db.transaction() as conn:
            while True:
                tag = "".join(secrets.choice(alphabet) for _ in range(6))
                if conn.execute("SELECT 1 FROM user_tags WHERE tag = ?", (tag,)).fetchone() is None:
                    break
            conn.execute("INSERT INTO user_tags (wallet, tag) VALUES (?, ?)", (wallet, tag))
        return tag

    def seen_transfer(self, digest: bytes) -> bool:
        """``MessageCache.Exists``: a transfer frame processed within the expiry window."""
        now = self.clock()
        window = self.timestamp_window or 60.0
        for key in [k for k, t in self._transfer_digests.items() if now - t > window]:
            del self._transfer_digests[key]
        return digest in self._transfer_digests

    def remember_transfer(self, digest: bytes) -> None:
        """``MessageCache.Add``: only after the transfer succeeded, so a failed frame may be retried."""
        self._transfer_digests[digest] = self.clock()

    # ---- incoming -----------------------------------------------------------------
    def refuse(self, conn: Connection, text: str, reason: str) -> None:
        """Answer a frame that will not be handled, under its own request id when it has one.

        A client matches answers by id: an error without it leaves the request waiting
        for its whole timeout (upstream answers with the id whenever ``req`` parses).
        """
        self.commits.send(conn, self.error_frame(request_id_of(text), reason))

    def handle_text(self, conn: Connection, text: str) -> None:
        self.commits.join()
        try:
            frame = parse_request_frame(text, decimals=True)
            if self.spec.strict_hex_sigs and not all(go_hex(s) for s in frame.signatures):
                self._refuse_sig(conn, text)
                return
            # Upstream decodes params into Go ``any``: every number becomes a float64.
            params = P.go_numbers(frame.params)
            if params is not frame.params:
                frame = dataclasses.replace(frame, params=params)
        except (EmptyRequestError, FrameValidationError) as exc:
            if self.spec.strict_hex_sigs and undecodable_sig(text):
                self._refuse_sig(conn, text)  # decoding failed before any validation
            elif isinstance(exc, EmptyRequestError):
                self.commits.send(conn, self.error_frame(0, "message request is empty"))
            else:
                self.refuse(conn, text, "message validation failed")
            return
        except (FrameFormatError, ProtocolError, RecursionError, P.NumberRangeError):
            self.refuse(conn, text, "invalid message format")
            return
        route = self.routes.get(frame.method)
        if route is None:
            self.commits.send(conn, self.error_frame(frame.request_id, f"unknown method: {frame.method}"))
            return
        group, handler = route
        call = Call(self, conn, frame, conn.user_id)
        held: list[tuple[Connection, str]] = []
        self._held, self._bu_memo = held, {}
        try:
            if group >= HISTORY:
                # The change and its history row commit together (with the other turns of the
                # batch), before anything of the turn is queued: an answered request is on disk.
                with self.db.transaction():
                    response = self._run(call, group, handler)
                    self._store_history(call, response)
            else:
                response = self._run(call, group, handler)
        finally:
            self._held = None
        try:
            for target, text in held:
                self.commits.send(target, text)
            if group == BALANCE and conn.user_id:
                self.notify_balance(conn.user_id)
        finally:
            self._bu_memo = None
        self.commits.send(conn, response)
        self._switch_identity(conn)

    def _refuse_sig(self, conn: Connection, text: str) -> None:
        """A ``sig`` entry that is not hex: Go's decoder stops there, so the id is echoed only
        when ``req`` came first in the frame."""
        keys = list(raw_values(text, decimals=True))
        first = keys.index("req") < keys.index("sig") if "req" in keys and "sig" in keys else False
        self.commits.send(
            conn, self.error_frame(request_id_of(text) if first else 0, "invalid message format")
        )

    def _run(self, call: Call, group: int, handler: Callable[[Call], Any]) -> str:
        frame = call.frame
        if group >= PRIVATE:
            problem = self._check_private(call.conn, frame)
            if problem:
                return self.error_frame(frame.request_id, problem)
        try:
            payload = handler(call)
        except ParamsError:
            return self.error_frame(frame.request_id, call.fallback or "failed to parse parameters")
        except Exception as exc:  # every failure becomes an error frame; the server stays up
            return self.error_frame(frame.request_id, error_text(exc, call.fallback))
        method = {"ping": "pong", "auth_request": "auth_challenge"}.get(frame.method, frame.method)
        if frame.method == "ping":  # Succeed("pong", nil): null in both dialects
            return self._frame(frame.request_id, method, None)
        return self._frame(frame.request_id, method, self._payload(frame.method, payload))

    def _check_private(self, conn: Connection, frame: RequestFrame) -> str | None:
        if not conn.user_id or conn.policy is None:
            return "authentication required"
        if not self.auth.validate_session(conn.user_id):
            return "session expired, please re-authenticate"
        self.auth.update_session(conn.user_id)
        ts = frame.timestamp
        if self.timestamp_window is not None and (
            not 10**12 <= ts <= 9_999_999_999_999 or self.now_ms() - ts > self.timestamp_window * 1000
        ):
            return "invalid message timestamp"
        return None

    def _switch_identity(self, conn: Connection) -> None:
        if conn.pending_identity is None:
            return
        wallet, policy = conn.pending_identity
        conn.pending_identity = None
        conn.policy = policy
        if wallet == conn.user_id:
            return
        if conn.user_id:
            self._leave(conn)
        conn.user_id = wallet
        self.hub.setdefault(wallet, set()).add(conn)
        self.commits.send(conn, self.notification("channels", []))
        self.commits.send(conn, self.notification("bu", self.ledger.balances(wallet, wallet)))

    def _store_history(self, call: Call, response: str) -> None:
        """``HistoryMiddleware``: it reads ``c.Message.Sig`` before the response is signed, so
        ``res_sig`` holds the request's signatures (as ``req_sig`` does). Inside the turn's transaction."""
        frame = call.frame
        res_start = response.index("[")
        res_end = response.rindex(',"sig":')
        sigs = list(frame.signatures)
        if self.v05:  # kept as decoded bytes, written back by hexutil.Encode
            sigs = ["0x" + s[2:].lower() for s in sigs]
        try:
            params_text = go_marshal(frame.params)
        except (TypeError, ValueError, RecursionError):
            params_text = "null"
        sigs_text = json.dumps(sigs)
        self.db.add_history(
            call.conn.user_id,
            (
                call.conn.user_id,
                frame.request_id,
                frame.method,
                params_text,
                frame.timestamp,
                sigs_text,
                response[res_start:res_end],
                sigs_text,
            ),
        )
