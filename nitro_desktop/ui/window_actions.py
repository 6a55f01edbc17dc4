"""What the main window's menus open: signing requests from and for other people,
accounts, endpoints, preferences, the log and About. Each takes the window it acts for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from nitro_desktop import __version__, signing
from nitro_desktop.flows import CreateSessionFlow, UpdateSessionFlow
from nitro_desktop.store import EndpointRecord
from nitro_desktop.ui.accounts import AccountsDialog
from nitro_desktop.ui.dialogs import EndpointDialog, LogDialog, PreferencesDialog, ask_path
from nitro_desktop.ui.signing_dialog import open_signing_request
from nitro_desktop.ui.theme import apply_theme

if TYPE_CHECKING:
    from nitro_desktop.ui.main_window import MainWindow


# ---- signatures from other people ----------------------------------------------------------


def collect_for_create(window: MainWindow, flow: CreateSessionFlow) -> None:
    def build(url: str) -> Any:
        data = flow.session_data if flow.session_data.strip() else None
        return signing.create_request(
            url,
            flow.dialect,
            flow.definition(),
            flow.allocation_list(),
            data,
            created_by=window.service.account or "",
        )

    collect(window, build, flow.ordered_signers(), "new-session.nitroreq", window.wizard)


def collect_for_update(window: MainWindow, flow: UpdateSessionFlow) -> None:
    def build(url: str) -> Any:
        data = flow.session_data if flow.session_data.strip() else None
        if flow.kind == "close":
            return signing.close_request(url, flow.dialect, flow.definition, flow.allocations(), data)
        call = flow.call()
        params = call.params[0] if isinstance(call.params, list) else call.params
        return signing.submit_request(
            url,
            flow.dialect,
            flow.definition,
            flow.allocations(),
            intent=params.get("intent"),
            version=params.get("version"),
            session_data=data,
        )

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
        if owner is not None:
            owner.close()
        if window.update_dialog is not None and owner is None:
            window.update_dialog.close()
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


def add_endpoint(window: MainWindow) -> None:
    dialog = EndpointDialog({e.name for e in window.service.store.endpoints.list()}, window)

    def save(name: str, url: str, dialect: str) -> None:
        window.service.store.endpoints.save(EndpointRecord(name, url, dialect))  # type: ignore[arg-type]
        window.fill_choices()

    dialog.accepted_endpoint.connect(save)
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
