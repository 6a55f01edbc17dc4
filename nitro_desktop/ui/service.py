"""The one bridge between the window and the asyncio world.

``AppService`` owns the store, the key store, the ClearNode client and (for
the Local sandbox endpoint) the in-process sandbox node. Its coroutines run
on the qasync loop; everything it learns reaches the window as Qt signals, so
handlers always run on the GUI thread. Slow work (keyring I/O, scrypt) goes to
an executor.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from nitro_desktop.client import Exchange, OperationOutcome
from nitro_desktop.flows import CreateSessionFlow, SubmitResult, UpdateSessionFlow
from nitro_desktop.protocol import (
    AppSession,
    AppSessionUpdate,
    Balance,
    BalanceUpdate,
    HashSigner,
    format_amount,
    go_json,
)
from nitro_desktop.redact import register_secret
from nitro_desktop.store import AppSessionRecord, EndpointRecord, SessionRow, Store
from nitro_desktop.ui import local_sandbox, session_state, tasks
from nitro_desktop.ui.outcomes import OutcomeRecorder, frame_text, record_from_server, record_late_outcome

log = logging.getLogger("nitro_desktop.ui")

APP_NAME = "Nitro Desktop"

PasswordPrompt = Callable[[str, str], Awaitable[str | None]]  # (address, note) -> password or None
PASSWORD_ATTEMPTS = 3


class AppService(QObject):
    status_changed = Signal(object)  # nitro_desktop.client.ConnectionStatus
    balances_changed = Signal(object)  # dict[str, Decimal] of the current account
    assets_changed = Signal(object)  # dict[str, int]: symbol -> decimals
    session_saved = Signal(str)  # app_session_id
    sessions_reloaded = Signal()
    rtt_changed = Signal(float)  # seconds
    ready_changed = Signal(bool)  # connected, authenticated, assets and balances loaded
    problem = Signal(str)  # a message for the user
    info = Signal(str)

    def __init__(self, store: Store, accounts: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.accounts = accounts
        self.client: Any = None
        self.sandbox: Any = None  # the sandbox node of the current endpoint, if it is one
        self.sandboxes: dict[str, Any] = {}
        self.endpoint: EndpointRecord | None = None
        self.account: str | None = None
        self.assets: dict[str, int] = {}
        self.balances: dict[str, Decimal] = {}
        # asset -> the balance the server sent in a form we cannot read: shown as received, never used
        self.odd_balances: dict[str, Balance] = {}
        self.password_prompt: PasswordPrompt | None = None
        self.client_options: dict[str, Any] = {"timeout": 10.0}  # ClearNodeClient keywords
        self.outcomes = OutcomeRecorder(fallback=self._record_unexpected, info=self.info.emit)
        self._unsubscribe: list[Callable[[], None]] = []
        self.sending: set[str] = set()  # sessions this app is updating: their asu is our own

    # ---- endpoints ------------------------------------------------------------------
    def ensure_default_endpoints(self) -> list[EndpointRecord]:
        """The Local sandbox and the public ClearNodes, added once; user edits are kept."""
        return local_sandbox.ensure_default_endpoints(self.store)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, what: str) -> asyncio.Task[Any]:
        """Run a coroutine on the loop for as long as the service lives; its failure becomes a ``problem``.

        ``shutdown`` cancels and awaits it (``nitro_desktop.ui.tasks``).
        """

        def done(t: asyncio.Task[Any]) -> None:
            if t.cancelled() or t.exception() is None:
                return
            exc = t.exception()
            assert exc is not None
            # every failure must reach the user, not the console
            log.warning("%s failed: %s", what, _describe(exc))
            self.problem.emit(f"{what} failed: {_describe(exc)}")

        return tasks.spawn(self, coro, on_done=done, name=what)

    async def purge_expired_session_keys(self) -> list[str]:
        """Drop expired session keys (keyring I/O, so off the GUI thread); run at start-up."""
        from nitro_desktop.keys import SessionKeyManager

        manager = SessionKeyManager(self.accounts)
        removed: list[str] = await asyncio.get_running_loop().run_in_executor(None, manager.purge_expired)
        if removed:
            log.info("removed %d expired session keys", len(removed))
        return removed

    # ---- connecting ---------------------------------------------------------------------
    async def connect_to(self, endpoint_name: str, account: str) -> None:
        from nitro_desktop.client import ClearNodeClient

        await self.close_client()
        self.ready_changed.emit(False)
        endpoint = self.store.endpoints.get(endpoint_name)
        if endpoint is None:
            raise LookupError(f"no endpoint named {endpoint_name!r}")
        self.endpoint, self.account = endpoint, account
        url = endpoint.url
        self.sandbox = None
        if endpoint.is_sandbox:
            url = await self._start_sandbox(endpoint.dialect)
        client = ClearNodeClient(
            url,
            endpoint.dialect,
            expected_broker=None if endpoint.is_sandbox else endpoint.broker_address,
            **self.client_options,
        )
        self.client = client
        self._unsubscribe.append(client.on_status(self.status_changed.emit))
        self._unsubscribe.append(client.on(self._on_event))
        self.status_changed.emit(client.status)
        await client.connect()
        if not endpoint.is_sandbox and endpoint.broker_address is None and client.broker_address:
            # Trust on first use, then refuse another server at the same URL.
            self.store.endpoints.pin_broker(endpoint.name, client.broker_address)
        wallet = await self._unlocked(account)
        await client.authenticate(wallet, app_name=APP_NAME, scope="console")
        await self.refresh_assets()
        await self.refresh_balances()
        self.ready_changed.emit(True)
        self.spawn(self._measure_rtt(), what="Measuring the round trip")

    async def _start_sandbox(self, dialect: str) -> str:
        """The in-process sandbox node for this dialect, started on first use on a free loopback port."""
        self.sandbox = await local_sandbox.start_sandbox(self.sandboxes, self.store.data_dir, dialect)
        self.fund_new_accounts()
        return str(self.sandbox.url)

    def fund_new_accounts(self) -> None:
        """Give every local account with an empty sandbox balance the grant, so it can start at once."""
        if self.sandbox is not None:
            local_sandbox.fund_new_accounts(self.sandbox, self.accounts)

    async def close_client(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        client, self.client = self.client, None
        if client is not None:
            await client.close()

    async def shutdown(self) -> None:
        """Cancel this service's tasks and wait for them to end (bounded), then close the client and nodes."""
        await tasks.settle_owner(self)
        await self.close_client()
        nodes, self.sandboxes, self.sandbox = list(self.sandboxes.values()), {}, None
        for node in nodes:
            await node.stop()

    async def _measure_rtt(self) -> None:
        client = self.client
        while client is not None and client is self.client:
            try:
                self.rtt_changed.emit(await client.ping())
            except Exception as exc:  # a failed ping shows in the connection state already
                log.debug("ping failed: %s", _describe(exc))
            await asyncio.sleep(15)

    # ---- keys -------------------------------------------------------------------------------
    async def _unlocked(self, address: str) -> HashSigner:
        """A signer with the key fetched off the GUI thread (keyring I/O or scrypt).

        A key in an encrypted file asks for its password, again after a wrong one
        (up to ``PASSWORD_ATTEMPTS`` times), as a wallet does.
        """
        from nitro_desktop.keys import WrongPasswordError

        record = self.accounts.get(address)
        loop = asyncio.get_running_loop()
        if record.backend != "file":
            unlocked: HashSigner = await loop.run_in_executor(None, self.accounts.signer(address).unlocked)
            return unlocked
        if self.password_prompt is None:
            raise PermissionError(f"{address} is in an encrypted file and needs its password")
        note = ""
        for _attempt in range(PASSWORD_ATTEMPTS):
            password = await self.password_prompt(address, note)
            if password is None:
                raise PermissionError("signing cancelled: no password given")
            signer = self.accounts.signer(address, password=password)
            forget = register_secret(password)  # an error raised while it is in use cannot show it
            try:
                unlocked = await loop.run_in_executor(None, signer.unlocked)
            except WrongPasswordError:
                note = "That password did not open the key. Try again:"
                continue
            finally:
                forget()
            return unlocked
        raise PermissionError(f"wrong password for {address}, {PASSWORD_ATTEMPTS} times")

    async def unlocked_signers(self, addresses: Sequence[str]) -> list[HashSigner]:
        return [await self._unlocked(a) for a in addresses]

    # ---- data -----------------------------------------------------------------------------
    def _require_client(self) -> Any:
        if self.client is None:
            raise ConnectionError("not connected to a ClearNode")
        return self.client

    async def refresh_assets(self) -> None:
        assets = await self._require_client().get_assets()
        self.assets = {a.symbol: a.decimals for a in assets}
        self.assets_changed.emit(dict(self.assets))

    async def refresh_balances(self) -> None:
        client = self._require_client()
        self._set_balances(await client.get_ledger_balances())

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
        self.balances_changed.emit(dict(self.balances))

    def _on_event(self, event: Any) -> None:
        if isinstance(event, BalanceUpdate):
            self._set_balances(event.balances)
        elif isinstance(event, OperationOutcome):
            self.outcomes.on_outcome(event)
        elif isinstance(event, AppSessionUpdate):
            session_state.on_asu(self, event)

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
        """Merge every session of the current account found on the server into the list."""
        client = self._require_client()
        assert self.endpoint is not None and self.account is not None
        found: list[AppSessionRecord] = []
        async for session in client.iter_app_sessions(participant=self.account):
            existing = self.store.sessions.get(session.app_session_id)
            found.append(record_from_server(session, self.endpoint.name, self.account, existing))
        count = self.store.sessions.save_many(found)
        self.sessions_reloaded.emit()
        return count

    # ---- create / submit / close -----------------------------------------------------------------
    async def create_session(self, flow: CreateSessionFlow) -> SubmitResult:
        client = self._require_client()
        assert self.endpoint is not None and self.account is not None
        definition, allocations = flow.definition(), flow.allocation_list()
        signers = await self.unlocked_signers(flow.ordered_signers())
        session_data = flow.sent_session_data
        call = flow.call()
        params = call.params[0] if isinstance(call.params, list) else call.params
        endpoint, account = self.endpoint.name, self.account
        saved: list[AppSessionRecord] = []

        def save(session: AppSession, exchange: Exchange | None) -> None:
            now = time.time()
            record = AppSessionRecord(
                app_session_id=session.app_session_id,
                endpoint=endpoint,
                account=account,
                protocol=definition.protocol,
                application=definition.application,
                definition_json=go_json(params["definition"]),
                allocations_json=go_json(params["allocations"]),
                status=session.status or "open",
                version=session.version or 1,
                created_at=now,
                updated_at=now,
                request_frame=frame_text(exchange, "request"),
                response_frame=frame_text(exchange, "response"),
            )
            self.store.sessions.save(record)
            saved.append(record)
            self.session_saved.emit(record.app_session_id)

        await self.outcomes.run(
            lambda on_sent: client.create_app_session(
                definition, allocations, signers, session_data, on_sent=on_sent
            ),
            save,
            client.exchanges.get,
        )
        record = saved[-1]
        return SubmitResult(record.app_session_id, record.status, record.version)

    async def update_session(self, flow: UpdateSessionFlow) -> AppSession:
        await session_state.check_unmoved(self, flow)
        self.sending.add(flow.app_session_id)
        try:
            return await self._send_update(flow)
        finally:
            self.sending.discard(flow.app_session_id)

    async def _send_update(self, flow: UpdateSessionFlow) -> AppSession:
        client = self._require_client()
        signers = await self.unlocked_signers(flow.ordered_signers())
        allocations = flow.allocations()
        data = flow.sent_session_data
        allocations_json = go_json([a.to_wire() for a in allocations])

        def save(session: AppSession, exchange: Exchange | None) -> None:
            self.store.sessions.update_status(
                flow.app_session_id,
                session.status or ("closed" if flow.kind == "close" else "open"),
                session.version or flow.version + 1,
                allocations_json=allocations_json,
                request_frame=frame_text(exchange, "request"),
                response_frame=frame_text(exchange, "response"),
            )
            self.session_saved.emit(flow.app_session_id)

        if flow.kind == "close":
            return await self.outcomes.run(
                lambda on_sent: client.close_app_session(
                    flow.app_session_id, allocations, signers, data, on_sent=on_sent
                ),
                save,
                client.exchanges.get,
            )
        call = flow.call()
        params = call.params[0] if isinstance(call.params, list) else call.params
        return await self.outcomes.run(
            lambda on_sent: client.submit_app_state(
                flow.app_session_id,
                allocations,
                signers,
                intent=params.get("intent"),
                version=params.get("version"),
                session_data=data,
                on_sent=on_sent,
            ),
            save,
            client.exchanges.get,
        )

    def _record_unexpected(self, event: OperationOutcome) -> None:
        """A late outcome nobody here was waiting for (a pre-signed request): record what the server says."""
        if self.endpoint is not None and self.account is not None:
            if record_late_outcome(self.store, event, self.endpoint.name, self.account):
                self.session_saved.emit(event.operation.app_session_id)

    def rows(self) -> list[SessionRow]:
        return self.store.sessions.rows()


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message or exc) or type(exc).__name__


def amounts_text(balances: dict[str, Decimal]) -> str:
    return ", ".join(f"{format_amount(v)} {k}" for k, v in sorted(balances.items())) or "no funds"
