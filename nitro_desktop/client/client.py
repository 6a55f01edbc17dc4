"""ClearNodeClient: the typed, asyncio-only face of a ClearNode (no Qt)."""

from __future__ import annotations

import asyncio
import datetime
import logging
import random
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType
from typing import Any, Literal

from nitro_desktop.client import auth
from nitro_desktop.client.app_session_calls import AppSessionCalls, SentHook, SessionMemory
from nitro_desktop.client.connection import ClientStats
from nitro_desktop.client.errors import AuthenticationError, OperationRef, expect
from nitro_desktop.client.exchanges import ExchangeLog
from nitro_desktop.client.lifecycle import Link
from nitro_desktop.client.notifications import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAXSIZE,
    NotificationHub,
    OverflowPolicy,
    Subscription,
)
from nitro_desktop.client.pacing import RequestRate, rate_for
from nitro_desktop.client.session_scan import scan
from nitro_desktop.client.state import Backoff, ConnectionState, ConnectionStatus, StatusCallback
from nitro_desktop.client.v1_calls import V1Calls
from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    AppSession,
    AppSessionUpdate,
    Asset,
    AuthResult,
    Balance,
    BrokerConfig,
    Dialect,
    DialectLike,
    HashSigner,
    Record,
    RpcCall,
    builders,
    spec,
)

log = logging.getLogger("nitro_desktop.client")
PAGE_LIMIT = 100  # the server's maximum page size


class ClearNodeClient:
    """One ClearNode endpoint: connect, authenticate, call, listen; reconnects by itself.

    ``timeout`` bounds every request; ``keepalive_interval`` (default ``timeout``) is how
    long the socket may stay silent before a ping, so a dead socket is found within
    two timeouts. ``expected_broker`` pins the endpoint's broker address.
    ``outcome_timeout`` bounds how long a create/submit/close whose connection
    dropped waits for the reconnect and the server's answer about its outcome.
    ``request_rate`` paces requests per connection; by default the dialect's
    (``DialectSpec.request_rate``: v1's nitronode cuts a connection over its limit).
    """

    def __new__(cls, url: str, dialect: DialectLike = Dialect.V02, **_: Any) -> ClearNodeClient:
        if cls is ClearNodeClient and spec(dialect).own_session_calls:
            from nitro_desktop.client.v1_common import V1ClearNodeClient  # it imports this module

            cls = V1ClearNodeClient
        return super().__new__(cls)

    def __init__(
        self,
        url: str,
        dialect: DialectLike = Dialect.V02,
        *,
        timeout: float = 10.0,
        keepalive_interval: float | None = None,
        backoff: Backoff | None = None,
        expected_broker: str | None = None,
        outcome_timeout: float | None = None,
        max_frame_bytes: int = 8 * 1024 * 1024,
        rng: random.Random | None = None,
        request_rate: RequestRate | Literal["dialect"] | None = "dialect",
    ) -> None:
        self.url = url
        #: the dialect's implementation: envelope, capabilities, params and results
        self.spec = spec(dialect)
        self.dialect = self.spec.dialect
        self.timeout = timeout
        self.outcome_timeout = outcome_timeout if outcome_timeout is not None else max(30.0, 3 * timeout)
        self.stats = ClientStats()
        self._hub = NotificationHub()
        self._link = Link(
            url,
            self.spec,
            timeout=timeout,
            keepalive_interval=keepalive_interval if keepalive_interval is not None else timeout,
            backoff=backoff or Backoff(),
            expected_broker=expected_broker,
            max_frame_bytes=max_frame_bytes,
            rng=rng,
            stats=self.stats,
            on_notification=self._on_notification,
            request_rate=rate_for(self.spec, request_rate),
        )
        self._memory = SessionMemory()
        self._sessions = AppSessionCalls(
            dialect=self.spec,
            link=self._link,
            hub=self._hub,
            memory=self._memory,
            timeout=timeout,
            outcome_timeout=self.outcome_timeout,
            read_definition=self.get_app_definition,
            list_sessions=lambda participant: self.iter_app_sessions(participant=participant),
        )
        #: dialect "1"'s typed calls: node.v1, user.v1 and channels.v1 reads, every app_sessions.v1 method
        self.v1 = V1Calls(
            dialect=self.spec,
            link=self._link,
            hub=self._hub,
            timeout=timeout,
            outcome_timeout=self.outcome_timeout,
        )

    # ---- lifetime -------------------------------------------------------------
    async def connect(self) -> None:
        """Open the socket and learn the broker (``get_config``); raises if the first attempt fails."""
        await self._link.start()

    async def close(self) -> None:
        """Stop everything: tasks awaited, socket closed, subscriptions ended."""
        await self._sessions.ops.close()
        await self.v1.ops.close()
        await self._link.close()
        self._hub.close()

    async def __aenter__(self) -> ClearNodeClient:
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def drop_connection(self, reason: str = "dropped on request") -> None:
        """Abort the socket now; the client reconnects with its backoff."""
        self._link.drop(reason)

    # ---- observing --------------------------------------------------------------
    @property
    def status(self) -> ConnectionStatus:
        return self._link.status.value

    @property
    def state(self) -> ConnectionState:
        return self._link.status.value.state

    def on_status(self, callback: StatusCallback) -> Callable[[], None]:
        """Call ``callback(ConnectionStatus)`` on every change; returns an unsubscribe function."""
        return self._link.status.subscribe(callback)

    async def wait_for_state(self, state: ConnectionState, timeout: float | None = None) -> ConnectionStatus:
        return await self._link.status.wait_for(lambda s: s.state is state, timeout)

    @property
    def config(self) -> BrokerConfig | None:
        return self._link.config

    @property
    def broker_address(self) -> str | None:
        return self._link.config.broker_address if self._link.config else None

    @property
    def address(self) -> str | None:
        """The authenticated wallet address, once authenticated."""
        creds = self._link.credentials
        return creds.wallet_address if creds else None

    @property
    def exchanges(self) -> ExchangeLog:
        """The last answered requests as exact frame texts (what was signed, what came back)."""
        return self._link.exchanges

    @property
    def pending_operations(self) -> tuple[OperationRef, ...]:
        return self._sessions.ops.unresolved + self.v1.ops.unresolved

    def on(
        self, callback: Callable[[Any], None], types: tuple[type, ...] | None = None
    ) -> Callable[[], None]:
        """Call ``callback(event)`` for notifications and client events; returns an unsubscribe function."""
        return self._hub.on(callback, types)

    def subscribe(
        self,
        *,
        maxsize: int = DEFAULT_MAXSIZE,
        policy: OverflowPolicy = OverflowPolicy.COALESCE,
        types: tuple[type, ...] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> Subscription:
        """An async iterator of events bounded in items and bytes (see ``notifications`` for the policy)."""
        return self._hub.subscribe(maxsize=maxsize, policy=policy, types=types, max_bytes=max_bytes)

    def _on_notification(self, method: str, payload: Any) -> None:
        if isinstance(payload, AppSessionUpdate):
            self._memory.remember(payload.app_session)
        self._hub.publish(payload)

    # ---- authentication -------------------------------------------------------------
    async def authenticate(
        self,
        wallet: HashSigner,
        *,
        session_key: HashSigner | str | None = None,
        app_name: str,
        allowances: Sequence[tuple[str, str]] = (),
        scope: str = "",
        expires: int | datetime.timedelta | None = None,
        app_address: str | None = None,
    ) -> AuthResult:
        """auth_request → challenge → EIP-712 auth_verify signed by ``wallet``.

        Without ``session_key`` the client picks the key per login so the node never locks the
        wallet out (``auth.login_keys``) and the wallet signs requests. ``expires`` is Unix
        seconds or a lifetime (default 24 h). After a reconnect the client re-authenticates
        by itself: with the JWT, falling back to a new challenge.
        """
        creds = auth.make_credentials(
            wallet,
            session_key=session_key,
            app_name=app_name,
            allowances=allowances,
            scope=scope,
            expires=expires,
            app_address=app_address,
        )
        result: AuthResult = await self._link.authenticate(creds)
        return result

    # ---- requests ---------------------------------------------------------------------
    async def request(
        self, call: RpcCall, signers: Sequence[HashSigner] = (), *, timeout: float | None = None
    ) -> Any:
        """Send any ``RpcCall`` and return its typed result (the escape hatch for rare methods)."""
        conn = await self._link.connection(self.timeout)
        return await conn.request(call, signers, timeout=timeout or self.timeout)

    _expect = staticmethod(expect)

    async def ping(self) -> float:
        """Round trip in seconds."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        await self.request(builders.ping(self.spec))
        return loop.time() - start

    async def get_config(self) -> BrokerConfig:
        config: BrokerConfig = self._expect(
            await self.request(builders.get_config(self.spec)), BrokerConfig, "get_config"
        )
        return config

    async def get_assets(self, chain_id: int | None = None) -> list[Asset]:
        result = await self.request(builders.get_assets(self.spec, chain_id))
        return list(self._expect(result, tuple, "get_assets"))

    async def get_ledger_balances(
        self, participant: str | None = None, account_id: str | None = None
    ) -> list[Balance]:
        result = await self.request(builders.get_ledger_balances(self.spec, participant, account_id))
        return list(self._expect(result, tuple, "get_ledger_balances"))

    async def get_app_definition(self, app_session_id: str) -> AppDefinition:
        result = await self.request(builders.get_app_definition(self.spec, app_session_id))
        definition: AppDefinition = self._expect(result, AppDefinition, "get_app_definition")
        if definition.participants:
            self._memory.participants.setdefault(app_session_id, definition.participants[0])
        return definition

    async def get_app_sessions(
        self,
        participant: str | None = None,
        status: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
        sort: str | None = None,
    ) -> list[AppSession]:
        call = builders.get_app_sessions(self.spec, participant, status, offset, limit, sort)
        sessions = list(self._expect(await self.request(call), tuple, "get_app_sessions"))
        for session in sessions:
            self._memory.remember(session)
        return sessions

    async def iter_app_sessions(
        self,
        participant: str | None = None,
        status: str | None = None,
        sort: str | None = None,
        page_size: int = PAGE_LIMIT,
    ) -> AsyncIterator[AppSession]:
        """Every matching session once, page by page (see ``session_scan.scan``)."""
        async for session in scan(self.get_app_sessions, participant, status, sort, page_size):
            yield session

    async def get_session_keys(
        self, offset: int | None = None, limit: int | None = None, sort: str | None = None
    ) -> list[Record]:
        result = await self.request(builders.get_session_keys(self.spec, offset, limit, sort))
        return list(self._expect(result, tuple, "get_session_keys"))

    async def revoke_session_key(self, session_key: str, *, signer: HashSigner | None = None) -> Record:
        call = builders.revoke_session_key(self.spec, session_key)
        result = await self.request(call, [signer or self._request_signer()])
        record: Record = self._expect(result, Record, "revoke_session_key")
        return record

    async def transfer(
        self,
        allocations: Sequence[tuple[str, str]],
        *,
        destination: str | None = None,
        destination_user_tag: str | None = None,
        signer: HashSigner | None = None,
    ) -> list[Record]:
        """Move funds from the authenticated wallet's unified balance (signed by the session key)."""
        call = builders.transfer(
            self.spec, allocations, destination=destination, destination_user_tag=destination_user_tag
        )
        result = await self.request(call, [signer or self._request_signer()])
        return list(self._expect(result, tuple, "transfer"))

    def _request_signer(self) -> HashSigner:
        creds = self._link.credentials
        if creds is None:
            raise AuthenticationError("authenticate first: this request is signed by the session key", "", 0)
        return creds.request_signer

    # ---- app sessions: never re-sent, reported once (see app_session_calls) ---------------
    async def create_app_session(
        self,
        definition: AppDefinition,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        session_data: str | None = None,
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        return await self._sessions.create_app_session(
            definition, allocations, signers, session_data, on_sent=on_sent
        )

    async def submit_app_state(
        self,
        app_session_id: str,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        *,
        intent: str | None = None,
        version: int | None = None,
        session_data: str | None = None,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        """``intent``/``version`` for NitroRPC/0.4 sessions; otherwise the next version is looked up."""
        return await self._sessions.submit_app_state(
            app_session_id,
            allocations,
            signers,
            intent=intent,
            version=version,
            session_data=session_data,
            on_sent=on_sent,
        )

    async def close_app_session(
        self,
        app_session_id: str,
        allocations: Sequence[Allocation],
        signers: Sequence[HashSigner],
        session_data: str | None = None,
        *,
        on_sent: SentHook | None = None,
    ) -> AppSession:
        return await self._sessions.close_app_session(
            app_session_id, allocations, signers, session_data, on_sent=on_sent
        )

    async def find_app_session(self, app_session_id: str, participant: str = "") -> AppSession | None:
        """The session as the server lists it, or None when the server has no such session."""
        return await self._sessions.find_app_session(app_session_id, participant)

    async def send_presigned(self, frame_text: str, *, on_sent: SentHook | None = None) -> Any:
        """Send a frame whose ``req`` was signed elsewhere, byte for byte, and return its typed result.

        See ``AppSessionCalls.send_presigned``: the frame's own request id is used, and
        create/submit/close get the same outcome tracking as ``create_app_session``.
        """
        return await self._sessions.send_presigned(frame_text, on_sent=on_sent)
