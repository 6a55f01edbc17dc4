"""The main window: the persistent session list, details, balances and the connection status."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nitro_desktop.ui.banner import NoticeBanner
from nitro_desktop.ui.session_model import SessionListModel, SessionTable
from nitro_desktop.ui.status import ConnectionIndicator
from nitro_desktop.ui.window_connection import WindowConnection
from nitro_desktop.ui.window_toolbar import build_toolbar, make_action, set_shortcuts

if TYPE_CHECKING:
    from nitro_desktop.store import SessionRow, Store
    from nitro_desktop.ui.dialogs import LogBuffer
    from nitro_desktop.ui.notifier import Notifier
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.ui.window_actions import WindowActions
    from nitro_desktop.ui.window_panes import Panes
    from nitro_desktop.wallet.core import Wallet
    from nitro_desktop.wallet.events import SessionsChanged


STATUSES = ("", "open", "closed")


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        service: AppService | None,
        settings: QSettings,
        log_buffer: LogBuffer | None = None,
        *,
        store: Store | None = None,
    ) -> None:
        """With ``service`` None the window shows at once; ``show_store`` fills the list, ``attach`` the rest.

        Without a store or a service it is the bare window of the first paint: no rows, no count.
        """
        super().__init__()
        self.connection = WindowConnection(self)
        self.service: AppService = None  # type: ignore[assignment]  # set by attach()
        # Set by show_store() (app.py opens the database after the first paint).
        self.store: Store = None  # type: ignore[assignment]
        self.settings = settings
        self._log_buffer = log_buffer
        self.setWindowTitle("Nitro Desktop")
        self.resize(1180, 720)
        self.model = SessionListModel(self)
        self.ready = False  # the wallet's: signed in, assets and balances loaded
        self._panes: Panes | None = None  # built after the first paint: build_panes()
        self._build_central()
        self._build_actions()
        self._build_status_bar()
        self._ready_changed(False)
        self._restore()
        self.update_count()
        if store is not None or service is not None:
            self.show_store(store if store is not None else service.wallet.store)  # type: ignore[union-attr]
        self._actions: WindowActions | None = None
        self._closed = False
        self.setAcceptDrops(True)
        if os.environ.get("NITRO_DESKTOP_BENCH_MARKS"):  # bench/bench_startup.py times start-up by it
            self.table.first_rows_painted.connect(
                lambda: print("nitro-desktop-mark rows-painted", time.time(), flush=True)
            )
        if service is not None:
            self.attach(service)

    def show_store(self, store: Store, *, count_later: bool = False) -> None:
        """List the sessions of ``store`` (a first page); count_later: the count waits for update_count."""
        self.store = store
        self.model.set_source(store.sessions, count=not count_later)
        if not count_later:
            self.update_count()

    def attach(self, service: AppService) -> None:
        """Connect the service (accounts, ClearNodes); start-up continues on the next loop turn."""
        from nitro_desktop.ui import notifier
        from nitro_desktop.ui.dialogs import ask_password

        self.service = service
        if self.store is None:
            self.show_store(service.wallet.store)
        # app.py has built them after the first paint; a window made with a service builds them here.
        self.build_panes()
        self._wire_service()
        self.notifier: Notifier = notifier.wire(self)
        service.wallet.password_prompt = lambda address, note: ask_password(self, address, note)
        QTimer.singleShot(0, self._start)

    @property
    def wallet(self) -> Wallet:
        """The session core behind the attached service."""
        return self.service.wallet

    @property
    def menu_actions(self) -> WindowActions:
        """What the menus open; its dialogs (and their imports) load on first use, after the first paint."""
        if self._actions is None:
            from nitro_desktop.ui.window_actions import WindowActions

            self._actions = WindowActions(self)
        return self._actions

    @property
    def log_buffer(self) -> LogBuffer:
        if self._log_buffer is None:
            from nitro_desktop.ui.dialogs import LogBuffer

            self._log_buffer = LogBuffer()
        return self._log_buffer

    @log_buffer.setter
    def log_buffer(self, buffer: LogBuffer) -> None:
        self._log_buffer = buffer

    # ---- layout --------------------------------------------------------------------
    def _build_central(self) -> None:
        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(6, 6, 6, 6)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Filter by session id or participant address…")
        self.search.setAccessibleName("Filter sessions by id or participant")
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("status_filter")
        self.status_filter.setAccessibleName("Filter sessions by status")
        for s in STATUSES:
            self.status_filter.addItem(s.capitalize() if s else "Any status", s)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_filter)
        box.addLayout(filters)
        self.table = SessionTable(self.model)
        self.table.customContextMenuRequested.connect(self._context_menu)
        box.addWidget(self.table)
        self.empty_hint = QLabel("No sessions yet. Press Ctrl+N to create your first application session.")
        self.empty_hint.setObjectName("empty_hint")
        box.addWidget(self.empty_hint)
        self.table.doubleClicked.connect(lambda _i: self.details.setFocus())
        self.splitter = QSplitter()  # horizontal (not named: Qt's enums load after the first paint)
        self.splitter.addWidget(left)
        self.splitter.addWidget(QWidget())  # the details pane's place until build_panes()
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banner = NoticeBanner()
        column.addWidget(self.banner)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.search.textChanged.connect(self._filter)
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.update_actions())
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self._show_details(cur.row())
        )

    def build_panes(self) -> Panes:
        """The details pane and the docks (see ui.window_panes); app.py calls this after the first paint."""
        if self._panes is None:
            from nitro_desktop.ui import window_panes

            self._panes = window_panes.build(self)
            self._finish_setup()
            if self.service is not None:
                self._panes.home_dock.attach(self.service)
                self._ready_changed(self.ready)
            if self.table.currentIndex().isValid():
                self._show_details(self.table.currentIndex().row())
        return self._panes

    def _finish_setup(self) -> None:
        # What needs Qt's enums (or the icon theme) and does not show in the first frame.
        self.table.finish_setup()  # sorting: the arrow on Updated
        self.indicator.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        self.toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)  # as drawn already
        self.search.setClearButtonEnabled(True)  # its icon comes from the desktop's icon theme
        # No key can be pressed before the first frame; QKeySequence's enums (~2 ms) wait for it.
        set_shortcuts(self.findChildren(QAction))

    details = property(lambda self: self.build_panes().details)
    balances_dock = property(lambda self: self.build_panes().balances_dock)
    balances = property(lambda self: self.build_panes().balances_dock.table)
    home_dock = property(lambda self: self.build_panes().home_dock)

    def _action(self, text: str, slot: Any, shortcut: str = "", name: str = "") -> QAction:
        return make_action(self, text, slot, shortcut, name)

    def _build_actions(self) -> None:
        self.act_new = self._action(
            "&New session…", lambda: self.menu_actions.new_session(), "StandardKey.New"
        )
        self.act_refresh = self._action("&Refresh from server", self.refresh, "StandardKey.Refresh")
        self.act_open_request = self._action(
            "&Open signing request…",
            lambda: self.menu_actions.open_request_file(),
            "StandardKey.Open",
            "open_request",
        )
        self.act_submit = self._action(
            "&Submit state…", lambda: self.menu_actions.update_session("submit"), "Ctrl+U"
        )
        self.act_close = self._action(
            # Not Ctrl+W: that closes a window on every desktop, and this closes a funded session.
            "C&lose session…",
            lambda: self.menu_actions.update_session("close"),
            "Ctrl+Shift+W",
        )
        self.act_deposit = self._action("&Deposit…", lambda: self.menu_actions.deposit(), name="deposit")
        self.act_copy = self._action("&Copy session id", self.copy_id, "StandardKey.Copy")
        self.act_accounts = self._action("&Accounts…", lambda: self.menu_actions.open_accounts())
        self.act_endpoint = self._action(
            "&ClearNodes…", lambda: self.menu_actions.open_endpoints(), name="endpoints"
        )
        self.act_chains = self._action("C&hains…", lambda: self.menu_actions.open_chains(), name="chains")
        self.act_prefs = self._action("&Preferences…", lambda: self.menu_actions.open_preferences())
        self.act_log = self._action("&Log", lambda: self.menu_actions.open_log())
        self.act_about = self._action("&About Nitro Desktop", lambda: self.menu_actions.about())
        self.act_quit = self._action("&Quit", self.close, "StandardKey.Quit")
        self.table.addAction(self.act_copy)
        menu = self.menuBar()
        for title, actions in (
            ("&File", [self.act_new, self.act_open_request, self.act_refresh, None, self.act_quit]),
            ("&Session", [self.act_submit, self.act_close, self.act_deposit, self.act_copy]),
            ("&Settings", [self.act_accounts, self.act_endpoint, self.act_chains, self.act_prefs]),
            ("&Help", [self.act_log, self.act_about]),
        ):
            m = menu.addMenu(title)
            for a in actions:
                if a is None:
                    m.addSeparator()
                else:
                    m.addAction(a)
        self.toolbar, self.endpoint_box, self.account_box = build_toolbar(
            self, [self.act_new, self.act_refresh, self.act_submit, self.act_close]
        )
        self.endpoint_box.activated.connect(lambda _i: self.reconnect())
        self.account_box.activated.connect(lambda _i: self.reconnect())

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.indicator = ConnectionIndicator()
        self.indicator.clicked.connect(self.connection.endpoint_menu)
        bar.addWidget(self.indicator)
        self.rtt = QLabel()
        self.rtt.setObjectName("rtt")
        bar.addPermanentWidget(self.rtt)
        self.count = QLabel()
        self.count.setObjectName("session_count")
        bar.addPermanentWidget(self.count)

    def _wire_service(self) -> None:
        s = self.service
        s.status_changed.connect(self.indicator.set_status)
        s.ready_changed.connect(self._ready_changed)
        s.ready_changed.connect(self.indicator.set_ready)
        s.balances_changed.connect(self.connection.show_balances)
        s.sessions_changed.connect(self._sessions_changed)
        s.rtt_changed.connect(lambda rtt: self.rtt.setText(f"RTT {rtt * 1000:.0f} ms"))
        if self._panes is not None:  # else build_panes() attaches it
            self._panes.home_dock.attach(s)
        s.problem.connect(lambda text: self.statusBar().showMessage(text, 15000))
        s.info.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def _ready_changed(self, ready: bool) -> None:
        # Sessions are built from the server's assets: nothing to offer until they are known.
        self.ready = ready
        self.update_actions()
        # Without the panes yet, build_panes() calls this again.
        wallet = self.service.wallet if self.service is not None and self._panes is not None else None
        if ready and wallet is not None and wallet.endpoint is not None and wallet.account is not None:
            self.balances_dock.set_owner(wallet.account, wallet.endpoint.name)

    # ---- start-up and state ----------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([560, 460])

    def _start(self) -> None:
        if self._closed:  # closed before its first loop turn: connect nothing
            return
        self.service.spawn(self.wallet.purge_expired_session_keys(), what="Removing expired session keys")
        if self.notifier.requests is not None:
            self.notifier.requests.start()
        self.wallet.ensure_default_endpoints()
        self.fill_choices()
        if not self.wallet.accounts.list():
            from nitro_desktop.ui.accounts import WelcomeDialog

            self.welcome = WelcomeDialog(self.wallet.accounts, self)
            self.welcome.remember = self.wallet.unlocker.remember
            self.welcome.account_ready.connect(lambda record: self.fill_choices(select=record.address))
            self.welcome.account_ready.connect(lambda _r: self.reconnect())
            self.welcome.open()
            return
        self.reconnect()

    def update_count(self) -> None:
        """Show how many sessions are stored and shown (counting them if not done yet)."""
        if self.store is None:  # not read yet: say nothing rather than "0 sessions"
            self.count.clear()
            self.empty_hint.hide()
            return
        shown, total = self.model.match_count(), self.model.total_count()
        self.count.setText(f"{shown} of " * (shown != total) + f"{total} session{'s' * (total != 1)}")
        self.empty_hint.setVisible(total == 0)

    def _filter(self) -> None:
        self.model.set_filter(self.search.text(), self.status_filter.currentData())
        self.update_count()

    def _sessions_changed(self, change: SessionsChanged) -> None:
        """Saved sessions go where the filter and order place them, without reloading the list."""
        rows = [self.store.sessions.row(sid) for sid in change.app_session_ids]
        self.model.upsert_many([r for r in rows if r is not None])
        self.update_actions()  # the selected session may have been closed
        self.update_count()
        index = self.model.index_of(change.selected) if change.selected else None
        if index is not None and index.isValid():
            self.table.selectRow(index.row())
            self._show_details(index.row())

    def _show_details(self, row: int) -> None:
        r = self.model.row_at(row)
        record = self.store.sessions.get(r.app_session_id) if r else None
        history = self.store.sessions.history(r.app_session_id) if r else None
        self.details.show_session(record, history)

    # ---- actions ------------------------------------------------------------------------------
    def selected(self) -> SessionRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def copy_id(self) -> None:
        row = self.selected()
        if row is not None:
            QGuiApplication.clipboard().setText(row.app_session_id)
            self.statusBar().showMessage(f"Copied {row.app_session_id}", 4000)

    def _context_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        for a in (self.act_copy, self.act_submit, self.act_close, self.act_refresh):
            menu.addAction(a)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def refresh(self) -> None:
        async def run() -> None:
            count = await self.wallet.refresh_from_server()
            self.service.info.emit(f"{count} sessions found on the server are in the list.")

        self.service.spawn(run(), what="Refreshing from the server")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.service is not None:
            self.menu_actions.accept_request_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self.service is not None:
            self.menu_actions.open_dropped(event)

    # ---- shutdown -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        # Open dialogs close with the window: their tasks are cancelled (nitro_desktop.ui.tasks).
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.close()
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self._panes is not None:  # closed before they were built: keep where the docks were
            self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()
        super().closeEvent(event)
        self.closed.emit()

    # ---- the connection part's public face (menus, dialogs and tests call these on the window) ----
    def fill_choices(self, select: str | None = None) -> None:
        self.connection.fill_choices(select)

    def reconnect(self) -> None:
        self.connection.reconnect()

    def update_actions(self) -> None:
        self.connection.update_actions()
