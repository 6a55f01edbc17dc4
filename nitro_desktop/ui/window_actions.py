"""What the main window's menus open: signing requests from and for other people,
accounts, endpoints, preferences, the log and About.

``WindowActions`` belongs to one window (``MainWindow.menu_actions``) and keeps the dialogs
it opened; the sessions' work goes through the session core (``window.wallet``).
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from nitro_desktop import __version__, signing
from nitro_desktop.flows import CreateSessionFlow, UpdateSessionFlow
from nitro_desktop.flows.messages import user_message
from nitro_desktop.protocol import definition_from_dict, spec
from nitro_desktop.ui import tasks
from nitro_desktop.ui.accounts import AccountsDialog
from nitro_desktop.ui.chains_dialog import ChainsDialog, NodeChain
from nitro_desktop.ui.deposit_dialog import DepositDialog
from nitro_desktop.ui.dialogs import LogDialog, PreferencesDialog, ask_path
from nitro_desktop.ui.endpoints import EndpointsDialog
from nitro_desktop.ui.signing_dialog import SigningRequestDialog, open_signing_request
from nitro_desktop.ui.theme import apply_theme
from nitro_desktop.ui.update_dialog import UpdateSessionDialog
from nitro_desktop.ui.wizard import CreateSessionWizard
from nitro_desktop.ui.wizard_channel import attach_funding
from nitro_desktop.ui.wizard_pages import AllocationsPage

if TYPE_CHECKING:
    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.wallet.core import Wallet

BuildRequest = Callable[[str], signing.Request]  # the endpoint's URL -> the unsigned request


class WindowActions:
    """The window's menu actions and the dialogs they keep open (the window holds one)."""

    def __init__(self, window: MainWindow) -> None:
        # Weak: the window holds this object, and a cycle through a window would leave its
        # deletion to the garbage collector, at any later moment, inside any event loop.
        self._window = weakref.ref(window)
        self.wizard: CreateSessionWizard | None = None
        self.update_dialog: UpdateSessionDialog | None = None
        self.deposit_dialog: DepositDialog | None = None
        self.signing_dialog: SigningRequestDialog | None = None
        self.chains_dialog: ChainsDialog | None = None

    @property
    def window(self) -> MainWindow:
        window = self._window()
        if window is None:
            raise RuntimeError("the window of these actions is gone")
        return window

    @property
    def wallet(self) -> Wallet:
        return self.window.wallet

    def _say(self, text: str, ms: int) -> None:
        self.window.statusBar().showMessage(text, ms)

    # ---- sessions ------------------------------------------------------------------------------
    def new_session(self) -> None:
        """The session wizard, over the current endpoint's assets and the accounts' balances."""
        wallet = self.wallet
        if wallet.client is None or wallet.endpoint is None:
            self._say("Connect to a ClearNode first.", 6000)
            return
        flow = CreateSessionFlow(
            wallet.endpoint.dialect,
            local_accounts=[a.address for a in wallet.accounts.list()],
            assets=dict(wallet.assets),
            balances=wallet.known_balances(),
            now_ms=int(time.time() * 1000),
        )
        account = wallet.account
        if account is not None and account in flow.local_accounts:
            flow.participants[0].address = account
        self.wizard = CreateSessionWizard(flow, wallet.create_session, self.window, saved=self._saved_session)
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard.collect_requested.connect(self.collect_for_create)
        allocations = self.wizard.pages["allocations"]
        if isinstance(allocations, AllocationsPage):
            attach_funding(allocations, self.window.home_dock, wallet.account)
        self.wizard.open()

    def _saved_session(self, app_session_id: str) -> str | None:
        """What the list holds under this id, in a few words (None: nothing)."""
        record = self.wallet.store.sessions.get(app_session_id)
        if record is None:
            return None
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.created_at))
        return f"{record.status}, version {record.version}, created {created} on {record.endpoint}"

    def update_session(self, kind: str) -> None:
        """Submit state or Close session for the selected session."""
        row = self.window.selected()
        if row is None:
            self._say("Select a session first.", 5000)
            return
        record = self.wallet.store.sessions.get(row.app_session_id)
        if record is None or record.status != "open":
            self._say("Only open sessions can be updated or closed.", 5000)
            return
        if self.wallet.client is None or self.wallet.endpoint is None:
            self._say("Connect to the session's ClearNode first.", 5000)
            return

        def fetched(task: asyncio.Task[str]) -> None:
            # Others may have moved the session: the dialog builds on what the server has now.
            if task.cancelled():
                return
            if (exc := task.exception()) is not None:
                node = self.wallet.endpoint.name if self.wallet.endpoint else "the ClearNode"
                self._say(f"Cannot read the session from the server: {user_message(exc, node)}", 8000)
                return
            self.open_update_dialog(kind, row.app_session_id, task.result())

        what = "close" if kind == "close" else "update"
        tasks.spawn(
            self.window,
            self.wallet.sync_session(row.app_session_id, what),
            on_done=fetched,
            name="Reading the session",
        )

    def deposit(self) -> None:
        """Deposit into the selected session from the account's home channel (sessions created empty)."""
        row, wallet = self.window.selected(), self.wallet
        record = wallet.store.sessions.get(row.app_session_id) if row is not None else None
        if record is None or record.status != "open":
            self._say("Select an open session first.", 5000)
            return
        if wallet.client is None or wallet.endpoint is None:
            self._say("Connect to the session's ClearNode first.", 5000)
            return
        if spec(wallet.endpoint.dialect).funded_at_create:
            self._say("This ClearNode funds sessions when they are created: there is no deposit.", 8000)
            return
        assets, held = dict(wallet.assets), dict(wallet.balances)
        definition = definition_from_dict(json.loads(record.definition_json))
        weights = dict(zip(definition.participants, definition.weights, strict=False))
        mine = weights.get(wallet.account or "", 0)
        short = mine < definition.quorum
        why = (
            f"Your weight ({mine}) does not reach the quorum ({definition.quorum}): the other participants "
            "sign the deposit on their computers. Collect signatures saves it for them."
        )
        collect = self.collect_for_deposit if short else None
        dialog = DepositDialog(
            record.app_session_id, assets, held, wallet.deposit, self.window, collect=collect, why_collect=why
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.deposit_dialog = dialog

    def open_update_dialog(self, kind: str, app_session_id: str, note: str = "") -> None:
        """The Submit state / Close dialog over the saved record (brought up to date by the caller)."""
        wallet = self.wallet
        record = wallet.store.sessions.get(app_session_id)
        if record is None or record.status != "open" or wallet.endpoint is None:
            self._say(note or "Only open sessions can be updated or closed.", 8000)
            return
        definition = definition_from_dict(json.loads(record.definition_json))
        current = {
            (a["participant"], a["asset"]): Decimal(a["amount"])
            for a in json.loads(record.allocations_json or "[]")
        }
        flow = UpdateSessionFlow(
            kind,
            wallet.endpoint.dialect,
            record.app_session_id,
            definition,
            record.version,
            [a.address for a in wallet.accounts.list()],
            dict(wallet.assets),
            current,
        )
        dialog = UpdateSessionDialog(flow, wallet.update_session, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.collect_requested.connect(self.collect_for_update)
        if note:
            dialog.status.setText(note)
        dialog.open()
        self.update_dialog = dialog

    # ---- signatures from other people ----------------------------------------------------------
    def collect_for_create(self, flow: CreateSessionFlow) -> None:
        def build(url: str) -> signing.Request:
            return signing.request_for_flow(flow, url, created_by=self.wallet.account or "")

        self.collect(build, flow.ordered_signers(), "new-session.nitroreq", self.wizard)

    def collect_for_update(self, flow: UpdateSessionFlow) -> None:
        def build(url: str) -> signing.Request:
            return signing.request_for_flow(flow, url)

        self.collect(build, flow.ordered_signers(), f"{flow.kind}-{flow.app_session_id[:10]}.nitroreq", None)

    def collect(
        self, build: BuildRequest, local_signers: list[str], name: str, owner: QWidget | None
    ) -> None:
        """Sign with our accounts, save the request for the others, and show it."""
        window = self.window

        async def run() -> None:
            client = self.wallet.client
            if client is None:
                raise ConnectionError("connect to the ClearNode first: the request names its URL")
            request = build(client.url)
            request = signing.sign_all(request, await self.wallet.unlocked_signers(local_signers))
            path = await ask_path(window, "Save the signing request", str(Path.home() / name), save=True)
            if path is None:
                return
            signing.save(request, path)
            self.follow_request(path, request)
            # The wizard or dialog that asked may have been closed (and deleted) meanwhile.
            if owner is not None and tasks.alive(owner):
                owner.close()
            dialog = self.update_dialog
            if owner is None and dialog is not None and tasks.alive(dialog):
                dialog.close()
            self.open_request(path, request)

        window.service.spawn(run(), what="Preparing the signing request")

    def collect_for_deposit(self, app_session_id: str, asset: str, amount: Decimal) -> None:
        """A deposit others must sign too: signed by this account, saved for them, and shown."""
        window, wallet = self.window, self.wallet

        async def run() -> None:
            from nitro_desktop.signing.v1_submission import deposit_request

            client = wallet.require_client()
            (depositor,) = await wallet.unlocked_signers([wallet.account or ""])
            request = await deposit_request(client, app_session_id, asset, amount, depositor)
            name = f"deposit-{app_session_id[:10]}.nitroreq"
            path = await ask_path(window, "Save the signing request", str(Path.home() / name), save=True)
            if path is None:
                return
            signing.save(request, path)
            dialog = self.deposit_dialog
            if dialog is not None and tasks.alive(dialog):
                dialog.close()
            self.follow_request(path, request)
            self.open_request(path, request)

        window.service.spawn(run(), what="Preparing the deposit's signing request")

    def follow_request(self, path: str, request: signing.Request) -> None:
        """Say so when this saved request comes back with every signature (``notifier.RequestWatch``)."""
        requests = self.window.notifier.requests
        if requests is not None:
            requests.track(path, request)

    def open_request(self, path: str, request: signing.Request | None = None) -> SigningRequestDialog:
        """The signing request dialog; its saves are followed, and its submit ends the following."""
        dialog = open_signing_request(path, self.wallet, self.window, request=request)

        def saved(path: str) -> None:
            if dialog.request is not None:
                self.follow_request(path, dialog.request)

        def submitted(_session: object) -> None:
            requests = self.window.notifier.requests
            if requests is not None and dialog.path is not None:
                requests.forget(str(dialog.path))

        dialog.saved.connect(saved)
        dialog.submitted.connect(submitted)
        self.signing_dialog = dialog
        return dialog

    def open_request_file(self) -> None:
        async def run() -> None:
            path = await ask_path(self.window, "Open a signing request", str(Path.home()), save=False)
            if path is not None:
                self.open_request(path)

        self.window.service.spawn(run(), what="Opening the signing request")

    @staticmethod
    def accept_request_drag(event: QDragEnterEvent) -> None:
        if any(u.toLocalFile().endswith(".nitroreq") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def open_dropped(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith(".nitroreq"):
                self.open_request(url.toLocalFile())
        event.acceptProposedAction()

    # ---- settings and help ----------------------------------------------------------------------
    def open_accounts(self) -> None:
        dialog = AccountsDialog(self.wallet.accounts, self.window)
        dialog.remember = self.wallet.unlocker.remember
        dialog.changed.connect(lambda: self.window.fill_choices())
        dialog.changed.connect(self.wallet.fund_new_accounts)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_endpoints(self) -> None:
        dialog = EndpointsDialog(self.wallet.store, self.window)
        dialog.changed.connect(self.window.fill_choices)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_chains(self) -> ChainsDialog:
        """Settings → Chains: RPC URLs per chain; hubs from the connected v1 node's config."""
        wallet, window = self.wallet, self.window
        client = wallet.client
        node_chains = None
        if client is not None and client.spec.own_session_calls:

            async def node_chains() -> list[NodeChain]:
                config = await client.v1.node_config()
                return [NodeChain(c.blockchain_id, c.name, c.channel_hub_address) for c in config.blockchains]

        dialog = ChainsDialog(wallet.store, node_chains, window)
        dialog.changed.connect(window.home_dock.refresh)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.chains_dialog = dialog
        return dialog

    def open_preferences(self) -> None:
        window = self.window
        dialog = PreferencesDialog(str(window.settings.value("ui/theme", "system")), window)

        def chosen(theme: str) -> None:
            window.settings.setValue("ui/theme", theme)
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, theme)

        dialog.theme_chosen.connect(chosen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_log(self) -> None:
        dialog = LogDialog(self.window.log_buffer, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def about(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "About Nitro Desktop",
            f"<b>Nitro Desktop {__version__}</b><p>A desktop companion for ERC-7824 / Nitrolite "
            "ClearNodes: keys in your OS keyring, application sessions, and a local sandbox.</p>",
            parent=self.window,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
