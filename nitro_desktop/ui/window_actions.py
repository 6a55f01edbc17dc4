"""What the main window's menus open: signing requests from and for other people,
accounts, endpoints, preferences, the log and About. Each takes the window it acts for.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from nitro_desktop import __version__, signing
from nitro_desktop.flows import CreateSessionFlow, UpdateSessionFlow
from nitro_desktop.protocol import definition_from_dict
from nitro_desktop.ui import session_state, tasks
from nitro_desktop.ui.accounts import AccountsDialog
from nitro_desktop.ui.dialogs import LogDialog, PreferencesDialog, ask_path
from nitro_desktop.ui.endpoints import EndpointsDialog
from nitro_desktop.ui.signing_dialog import open_signing_request
from nitro_desktop.ui.theme import apply_theme
from nitro_desktop.ui.update_dialog import UpdateSessionDialog
from nitro_desktop.ui.wizard import CreateSessionWizard

if TYPE_CHECKING:
    from nitro_desktop.ui.main_window import MainWindow


# ---- sessions ------------------------------------------------------------------------------


def new_session(window: MainWindow) -> None:
    """The session wizard, over the current endpoint's assets and the accounts' balances."""
    if window.service.client is None:
        window.statusBar().showMessage("Connect to a ClearNode first.", 6000)
        return
    assert window.service.endpoint is not None
    flow = CreateSessionFlow(
        window.service.endpoint.dialect,
        local_accounts=[a.address for a in window.service.accounts.list()],
        assets=dict(window.service.assets),
        balances=window.service.known_balances(),
        now_ms=int(time.time() * 1000),
    )
    account = window.service.account
    if account is not None and account in flow.local_accounts:
        flow.participants[0].address = account
    window.wizard = CreateSessionWizard(flow, window.service.create_session, window)
    window.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.wizard.collect_requested.connect(lambda flow: collect_for_create(window, flow))
    window.wizard.open()


def update_session(window: MainWindow, kind: str) -> None:
    """Submit state or Close session for the selected session."""
    row = window.selected()
    if row is None:
        window.statusBar().showMessage("Select a session first.", 5000)
        return
    record = window.service.store.sessions.get(row.app_session_id)
    if record is None or record.status != "open":
        window.statusBar().showMessage("Only open sessions can be updated or closed.", 5000)
        return
    if window.service.client is None or window.service.endpoint is None:
        window.statusBar().showMessage("Connect to the session's ClearNode first.", 5000)
        return

    def fetched(task: Any) -> None:
        # Others may have moved the session: the dialog builds on what the server has now.
        if task.cancelled():
            return
        if task.exception() is not None:
            window.statusBar().showMessage(
                f"Cannot read the session from the server: {task.exception()}", 8000
            )
            return
        open_update_dialog(window, kind, row.app_session_id, task.result())

    what = "close" if kind == "close" else "update"
    tasks.spawn(
        window,
        session_state.sync(window.service, row.app_session_id, what),
        on_done=fetched,
        name="Reading the session",
    )


def open_update_dialog(window: MainWindow, kind: str, app_session_id: str, note: str = "") -> None:
    """The Submit state / Close dialog over the saved record (brought up to date by the caller)."""
    record = window.service.store.sessions.get(app_session_id)
    if record is None or record.status != "open" or window.service.endpoint is None:
        window.statusBar().showMessage(note or "Only open sessions can be updated or closed.", 8000)
        return
    definition = definition_from_dict(json.loads(record.definition_json))
    current = {
        (a["participant"], a["asset"]): Decimal(a["amount"])
        for a in json.loads(record.allocations_json or "[]")
    }
    flow = UpdateSessionFlow(
        kind,
        window.service.endpoint.dialect,
        record.app_session_id,
        definition,
        record.version,
        [a.address for a in window.service.accounts.list()],
        dict(window.service.assets),
        current,
    )
    dialog = UpdateSessionDialog(flow, window.service.update_session, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.collect_requested.connect(lambda flow: collect_for_update(window, flow))
    if note:
        dialog.status.setText(note)
    dialog.open()
    window.update_dialog = dialog


# ---- signatures from other people ----------------------------------------------------------


def collect_for_create(window: MainWindow, flow: CreateSessionFlow) -> None:
    def build(url: str) -> Any:
        return signing.request_for(flow, url, created_by=window.service.account or "")

    collect(window, build, flow.ordered_signers(), "new-session.nitroreq", window.wizard)


def collect_for_update(window: MainWindow, flow: UpdateSessionFlow) -> None:
    def build(url: str) -> Any:
        return signing.request_for(flow, url)

    collect(window, build, flow.ordered_signers(), f"{flow.kind}-{flow.app_session_id[:10]}.nitroreq", None)


def collect(
    window: MainWindow, build: Any, local_signers: list[str], name: str, owner: QWidget | None
) -> None:
    """Sign with our accounts, save the request for the others, and show it."""

    async def run() -> None:
        client = window.service.client
        if client is None:
            raise ConnectionError("connect to the ClearNode first: the request names its URL")
        request = build(client.url)
        request = signing.sign_all(request, await window.service.unlocked_signers(local_signers))
        path = await ask_path(window, "Save the signing request", str(Path.home() / name), save=True)
        if path is None:
            return
        signing.save(request, path)
        # The wizard or dialog that asked may have been closed (and deleted) meanwhile.
        if owner is not None and tasks.alive(owner):
            owner.close()
        dialog = window.update_dialog
        if owner is None and dialog is not None and tasks.alive(dialog):
            dialog.close()
        window.signing_dialog = open_signing_request(path, window.service, window, request=request)

    window.service.spawn(run(), what="Preparing the signing request")


def open_request_file(window: MainWindow) -> None:
    async def run() -> None:
        path = await ask_path(window, "Open a signing request", str(Path.home()), save=False)
        if path is not None:
            window.signing_dialog = open_signing_request(path, window.service, window)

    window.service.spawn(run(), what="Opening the signing request")


def accept_request_drag(event: QDragEnterEvent) -> None:
    if any(u.toLocalFile().endswith(".nitroreq") for u in event.mimeData().urls()):
        event.acceptProposedAction()


def open_dropped(window: MainWindow, event: QDropEvent) -> None:
    for url in event.mimeData().urls():
        if url.toLocalFile().endswith(".nitroreq"):
            window.signing_dialog = open_signing_request(url.toLocalFile(), window.service, window)
    event.acceptProposedAction()


# ---- settings and help ----------------------------------------------------------------------


def open_accounts(window: MainWindow) -> None:
    dialog = AccountsDialog(window.service.accounts, window)
    dialog.changed.connect(lambda: window.fill_choices())
    dialog.changed.connect(window.service.fund_new_accounts)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def open_endpoints(window: MainWindow) -> None:
    dialog = EndpointsDialog(window.service.store, window)
    dialog.changed.connect(window.fill_choices)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def open_preferences(window: MainWindow) -> None:
    dialog = PreferencesDialog(str(window.settings.value("ui/theme", "system")), window)

    def chosen(theme: str) -> None:
        window.settings.setValue("ui/theme", theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    dialog.theme_chosen.connect(chosen)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def open_log(window: MainWindow) -> None:
    dialog = LogDialog(window.log_buffer, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def about(window: MainWindow) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "About Nitro Desktop",
        f"<b>Nitro Desktop {__version__}</b><p>A desktop companion for ERC-7824 / Nitrolite "
        "ClearNodes: keys in your OS keyring, application sessions, and a local sandbox.</p>",
        parent=window,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
