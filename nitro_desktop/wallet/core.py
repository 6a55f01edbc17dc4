"""The session core: one account on one ClearNode, its balances and its sessions. No Qt.

``Wallet`` owns the client of the current endpoint (and, for the Local sandbox, the
node the ``SandboxFactory`` handed in), unlocks keys through a password prompt the
UI supplies, and records every outcome through ``SessionHistory``. What it learns
reaches listeners as ``WalletEvents``; its methods are plain coroutines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from nitro_desktop.client import Backoff, ClearNodeClient, OperationOutcome
from nitro_desktop.flows import CreateSessionFlow, SubmitResult, UpdateSessionFlow, error_text
from nitro_desktop.flows.messages import user_message
from nitro_desktop.history import SessionHistory
from nitro_desktop.keys import AccountManager
from nitro_desktop.protocol import AppSession, AppSessionUpdate, Balance, BalanceUpdate, HashSigner
from nitro_desktop.store import EndpointRecord, Store
from nitro_desktop.wallet import endpoints
from nitro_desktop.wallet.channel_types import ChannelError, ChannelEvents
from nitro_desktop.wallet.endpoints import Sandbox, SandboxFactory
from nitro_desktop.wallet.events import SessionsChanged, WalletEvents
from nitro_desktop.wallet.home_channels import HomeChannels
from nitro_desktop.wallet.hub_chain import ChainHubPort
from nitro_desktop.wallet.outcomes import OutcomeRecorder
from nitro_desktop.wallet.sending import SessionSender
from nitro_desktop.wallet.unlock import PasswordPrompt, Unlocker

if TYPE_CHECKING:
    from nitro_desktop.signing import SigningRequest

log = logging.getLogger("nitro_desktop.wallet")

APP_NAME = "Nitro Desktop"
RTT_INTERVAL = 15.0  # seconds between round-trip measurements
SHUTDOWN_WAIT = 5.0  # seconds a cancelled background task gets to finish


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How the core's clients wait: per-request timeout and reconnect backoff."""

    timeout: float = 10.0
    backoff: Backoff | None = None


class Wallet:
    """The current account on the current endpoint; see the module docstring."""

    def __init__(
        self,
        store: Store,
        accounts: AccountManager,
        *,
        sandbox_factory: SandboxFactory | None = None,
        password_prompt: PasswordPrompt | None = None,
        client_options: ClientOptions | None = None,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.events = WalletEvents()
        self.history = SessionHistory(store)
        self.unlocker = Unlocker(accounts, password_prompt)
        self.client_options = client_options or ClientOptions()
        self.client: ClearNodeClient | None = None
        self.endpoint: EndpointRecord | None = None
        self.account: str | None = None
        self.sandbox: Sandbox | None = None  # the sandbox node of the current endpoint, if it is one
        self._sandbox_factory = sandbox_factory
        self._sandboxes: dict[str, Sandbox] = {}
        self.assets: dict[str, int] = {}  # symbol -> decimals
        self.balances: dict[str, Decimal] = {}
        # asset -> the balance the server sent in a form we cannot read: shown as received, never used
        self.odd_balances: dict[str, Balance] = {}
        self.outcomes = OutcomeRecorder(fallback=self._record_unexpected, info=self.events.info.emit)
        self.sender = SessionSender(self)
        # Home channels (v1 funds): one set of events for the window, whatever the connection.
        self.channel_events = ChannelEvents()
        self._channels: HomeChannels | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._background: set[asyncio.Task[None]] = set()

    @property
    def password_prompt(self) -> PasswordPrompt | None:
        return self.unlocker.prompt

    @password_prompt.setter
    def password_prompt(self, prompt: PasswordPrompt | None) -> None:
        self.unlocker.prompt = prompt

    # ---- set-up ---------------------------------------------------------------------------
    def ensure_default_endpoints(self) -> list[EndpointRecord]:
        """The Local sandbox and the public ClearNodes, added once; user edits are kept."""
        return endpoints.ensure_default_endpoints(self.store)

    async def purge_expired_session_keys(self) -> list[str]:
        """Drop expired session keys (keyring I/O, so off the loop's thread); run at start-up."""
        from nitro_desktop.keys import SessionKeyManager

        manager = SessionKeyManager(self.accounts)
        removed: list[str] = await asyncio.get_running_loop().run_in_executor(None, manager.purge_expired)
        if removed:
            log.info("removed %d expired session keys", len(removed))
        return removed

    # ---- connecting -----------------------------------------------------------------------
    async def connect_to(self, endpoint_name: str, account: str) -> None:
        """Connect ``account`` to the named endpoint: authenticate, then load assets and balances."""
        await self.close_client()
        self.events.ready_changed.emit(False)
        # The previous node's numbers must not stand under the new node's name, even for a moment.
        self.assets, self.balances, self.odd_balances = {}, {}, {}
        self.events.balances_changed.emit({})
        endpoint = self.store.endpoints.get(endpoint_name)
        if endpoint is None:
            raise LookupError(f"no endpoint named {endpoint_name!r}")
        self.endpoint, self.account = endpoint, account
        url = endpoint.url
        self.sandbox = None
        if endpoint.is_sandbox:
            self.sandbox = await self._start_sandbox(endpoint.dialect)
            url = self.sandbox.url
        client = ClearNodeClient(
            url,
            endpoint.dialect,
            expected_broker=None if endpoint.is_sandbox else endpoint.broker_address,
            timeout=self.client_options.timeout,
            backoff=self.client_options.backoff,
        )
        self.client = client
        self._unsubscribe.append(client.on_status(self.events.status_changed.emit))
        self._unsubscribe.append(client.on(self._on_event))
        self.events.status_changed.emit(client.status)
        await client.connect()
        if not endpoint.is_sandbox and endpoint.broker_address is None and client.broker_address:
            # Trust on first use, then refuse another server at the same URL.
            self.store.endpoints.pin_broker(endpoint.name, client.broker_address)
        wallet = await self.unlocker.signer(account)
        await client.authenticate(wallet, app_name=APP_NAME, scope="console")
        await self.refresh_assets()
        await self.refresh_balances()
        self.events.ready_changed.emit(True)
        self._run_in_background(self._measure_rtt(client), what="Measuring the round trip")

    async def _start_sandbox(self, dialect: str) -> Sandbox:
        """The sandbox node for this dialect, started on first use (kept until shutdown)."""
        node = self._sandboxes.get(dialect)
        if node is None:
            if self._sandbox_factory is None:
                raise ConnectionError("this app was started without a local sandbox")
            node = await self._sandbox_factory(dialect)
            self._sandboxes[dialect] = node
        endpoints.fund_new_accounts(node, self.accounts)
        return node

    def fund_new_accounts(self) -> None:
        """Give every local account with an empty sandbox balance the grant, so it can start at once."""
        if self.sandbox is not None:
            endpoints.fund_new_accounts(self.sandbox, self.accounts)

    async def home_channels(self) -> HomeChannels:
        """The current account's home channels on the current v1 node; events on ``channel_events``."""
        client = self.require_client()
        endpoint, account = self._where()
        if not client.spec.own_session_calls:
            raise ChannelError(f"{endpoint.name} funds sessions at create: it has no home channels.")
        if self._channels is None or self._channels.client is not client or self._channels.account != account:
            signer = await self.unlocker.signer(account)
            self._channels = HomeChannels(
                self.store, client, signer, ChainHubPort, endpoint=endpoint.name, events=self.channel_events
            )
        return self._channels

    async def close_client(self) -> None:
        self._channels = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        client, self.client = self.client, None
        if client is not None:
            await client.close()

    async def shutdown(self) -> None:
        """End the background work (bounded), then close the client and the sandbox nodes."""
        pending = {t for t in self._background if not t.done()}
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=SHUTDOWN_WAIT)
        await self.close_client()
        nodes, self._sandboxes, self.sandbox = list(self._sandboxes.values()), {}, None
        for node in nodes:
            await node.stop()

    def _run_in_background(self, coro: Coroutine[object, object, None], *, what: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(what)
        self._background.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._background.discard(t)
            if not t.cancelled() and (exc := t.exception()) is not None:
                log.warning("%s failed: %s", what, error_text(exc))
                node = self.endpoint.name if self.endpoint is not None else "the ClearNode"
                self.events.problem.emit(f"{what} failed: {user_message(exc, node)}")

        task.add_done_callback(done)

    async def _measure_rtt(self, client: ClearNodeClient) -> None:
        while client is self.client:
            try:
                rtt = await client.ping()
                if client is self.client:  # an answer from a node switched away from is not this one's
                    self.events.rtt_changed.emit(rtt)
            except Exception as exc:  # a failed ping shows in the connection state already
                log.debug("ping failed: %s", error_text(exc))
            await asyncio.sleep(RTT_INTERVAL)

    # ---- keys -------------------------------------------------------------------------------
    async def unlocked_signers(self, addresses: Sequence[str]) -> list[HashSigner]:
        """Signers for local accounts, asking for passwords through ``password_prompt``."""
        return await self.unlocker.signers(addresses)

    # ---- data -------------------------------------------------------------------------------
    def require_client(self) -> ClearNodeClient:
        if self.client is None:
            raise ConnectionError("not connected to a ClearNode")
        return self.client

    async def refresh_assets(self) -> None:
        assets = await self.require_client().get_assets()
        self.assets = {a.symbol: a.decimals for a in assets}

    async def refresh_balances(self) -> None:
        self._set_balances(await self.require_client().get_ledger_balances())

    def _set_balances(self, received: Sequence[Balance]) -> None:
        balances = {b.asset: b.amount for b in received if not b.odd}
        odd = {b.asset: b for b in received if b.odd}
        for asset, b in odd.items():
            if self.odd_balances.get(asset) != b:
                log.warning(
                    "the server sent a %s balance the app cannot read (%s); shown as received",
                    asset,
                    b.problem,
                )
        self.odd_balances = odd
        self.balances = {asset: balances.get(asset, Decimal(0)) for asset in {*self.assets, *balances}}
        self.events.balances_changed.emit(dict(self.balances))

    def _on_event(self, event: object) -> None:
        if isinstance(event, BalanceUpdate):
            self._set_balances(event.balances)
        elif isinstance(event, OperationOutcome):
            self.outcomes.on_outcome(event)
        elif isinstance(event, AppSessionUpdate):
            self.sender.on_session_update(event)

    def known_balances(self) -> dict[tuple[str, str], Decimal]:
        """Balances the wizard may check before sending: every local account's on a sandbox."""
        known: dict[tuple[str, str], Decimal] = {}
        if self.sandbox is not None:
            for record in self.accounts.list():
                held = self.sandbox.balances(record.address)
                for asset in {*self.assets, *held}:
                    known[(record.address, asset)] = held.get(asset, Decimal(0))
        if self.account is not None:
            known.update({(self.account, asset): amount for asset, amount in self.balances.items()})
        return known

    async def refresh_from_server(self) -> int:
        """Merge every session of the current account found on the server into the history."""
        client = self.require_client()
        endpoint, account = self._where()
        found = [session async for session in client.iter_app_sessions(participant=account)]
        ids = self.history.merged(found, endpoint.name, account)
        self.saved(*ids)
        return len(ids)

    def _where(self) -> tuple[EndpointRecord, str]:
        if self.endpoint is None or self.account is None:
            raise ConnectionError("not connected to a ClearNode")
        return self.endpoint, self.account

    def saved(self, *app_session_ids: str, selected: str | None = None) -> None:
        """Tell listeners that these sessions changed in the history."""
        if app_session_ids:
            self.events.sessions_changed.emit(SessionsChanged(tuple(app_session_ids), selected))

    # ---- create / submit / close (``SessionSender``) -------------------------------------------
    async def create_session(self, flow: CreateSessionFlow) -> SubmitResult:
        """Sign with the flow's local signers and send; recorded once, with its own frames."""
        return await self.sender.create(flow)

    async def update_session(self, flow: UpdateSessionFlow) -> AppSession:
        """Submit a state or close, after checking nobody moved the session meanwhile."""
        return await self.sender.update(flow)

    async def deposit(self, app_session_id: str, asset: str, amount: Decimal) -> AppSession:
        """Put the current account's home-channel funds into a session created empty (dialect 1)."""
        return await self.sender.deposit(app_session_id, asset, amount)

    async def sync_session(self, app_session_id: str, what: str = "update") -> str:
        """Bring the saved session to the server's state; what to tell the user ("" if it had not moved)."""
        return await self.sender.sync(app_session_id, what)

    async def submit_request(self, request: SigningRequest) -> AppSession:
        """Send a signing request others signed (a ``.nitroreq``) and record its outcome."""
        return await self.sender.submit_request(request)

    def _record_unexpected(self, event: OperationOutcome) -> None:
        """A late outcome nobody here was waiting for (a pre-signed request): record what the server says."""
        if self.endpoint is not None and self.account is not None:
            if self.history.late_outcome(event, self.endpoint.name, self.account):
                sid = event.operation.app_session_id
                self.saved(sid, selected=sid)
