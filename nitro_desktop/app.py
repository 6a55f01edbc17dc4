"""Builds the QApplication and the one qasync event loop, and composes the app.

It builds the store, the accounts, the sandbox factory (the only place the app's
GUI reaches ``devnode``), the session core (``nitro_desktop.wallet``), its Qt
adapter and the window; nothing else lives here. Start-up paints first: the
window needs only Qt and the data dir's path, so it is shown and painted in a
first turn of the event loop; then the database opens and the list paints its
first rows; then the panes, the service, keys, client and protocol modules load.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from nitro_desktop.wallet.endpoints import Sandbox, SandboxFactory

# The first paint waits for at most this long before the rest loads anyway.
_FIRST_PAINT_WAIT_MS = 1000


def icon_path() -> str | None:
    """The app icon: beside the package in a source tree, or in a frozen bundle's data."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for folder in candidates:
        if (folder / "nitro-desktop.svg").is_file():
            return str(folder / "nitro-desktop.svg")
    return None


def local_sandbox_factory(data_dir: Path) -> SandboxFactory:
    """Starts the in-process sandbox ClearNode of a dialect on a free loopback port, for the core."""

    async def start(dialect: str) -> Sandbox:
        import asyncio

        from nitro_desktop.devnode import sandbox_node
        from nitro_desktop.devnode.broker_key import key_path_for, load_or_create_broker_key

        # One ledger file per dialect: their sessions' ids and rules differ.
        db = data_dir / f"sandbox-{dialect}.sqlite"
        # The same broker across app restarts, like the ledger it signs for.
        key = await asyncio.get_running_loop().run_in_executor(
            None, load_or_create_broker_key, key_path_for(db)
        )
        node = sandbox_node(dialect, host="127.0.0.1", port=0, db_path=str(db), broker_key=key)
        await node.start()
        return node

    return start


class _EarlyLog(logging.Handler):
    """Keeps what is logged before the log window's buffer exists, to hand over to it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < 1000:
            self.records.append(record)


def no_display_reason(env: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why no window can open here (one line), or None when a display looks reachable.

    Asked before Qt starts: without a display Qt aborts with a hint about libxcb-cursor0,
    which sends people installing libraries they already have.
    """
    env = dict(os.environ) if env is None else env
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith(("xcb", "wayland")):
        return None  # offscreen, vnc, eglfs…: the user chose a platform that needs no desktop
    wayland, x11 = env.get("WAYLAND_DISPLAY", ""), env.get("DISPLAY", "")
    if wayland:
        return None
    if not x11:
        return (
            "Nitro Desktop needs a graphical desktop and found none (DISPLAY and WAYLAND_DISPLAY are "
            "not set); start it from a desktop session, or use the command line: nitro-desktop --help"
        )
    local = re.fullmatch(r":(\d+)(\.\d+)?", x11)
    sockets = Path("/tmp/.X11-unix")  # noqa: S108  (the X servers' own socket folder, only looked at)
    if local and sockets.is_dir() and not (sockets / f"X{local.group(1)}").exists():
        return (
            f"Nitro Desktop found no display at DISPLAY={x11} (no X server is running there); start it "
            "from a desktop session, or use the command line: nitro-desktop --help"
        )
    return None


def _turn_until(signal: SignalInstance) -> None:
    """Run the Qt event loop until ``signal`` (a paint), for at most _FIRST_PAINT_WAIT_MS."""
    from PySide6.QtCore import QEventLoop, QTimer

    turn = QEventLoop()
    signal.connect(turn.quit)
    QTimer.singleShot(_FIRST_PAINT_WAIT_MS, turn.quit)
    turn.exec()


def main(data_dir: str | None = None) -> int:
    """Open the GUI and run until the last window closes; returns the exit code."""
    reason = no_display_reason()
    if reason is not None:
        print(reason, file=sys.stderr)
        return 1
    # Collection is the GUI thread's timer's from MainThreadCollector on (ui.gc_guard); switched
    # off here already, so the start-up's objects, which all live on, are not walked ~30 times
    # (~20 ms) before the rows show. The collector starts after them and collects what is due.
    gc.disable()
    from nitro_desktop.ui import feature_check  # before PySide6, which would check its imports

    # qasync picks its Qt binding from QT_API; we ship PySide6 only.
    os.environ.setdefault("QT_API", "pyside6")
    from PySide6.QtCore import QSettings

    feature_check.install()  # PySide6's check of each module imported from here on, made cheap
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from nitro_desktop.store.paths import default_data_dir
    from nitro_desktop.ui.gc_guard import MainThreadCollector
    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Nitro Desktop")
    app.setOrganizationName("Nitro Desktop")
    QGuiApplication.setDesktopFileName("nitro-desktop")

    logger = logging.getLogger("nitro_desktop")
    early = _EarlyLog()
    logger.addHandler(early)
    logger.setLevel(logging.INFO)

    directory = default_data_dir(data_dir)
    settings = QSettings(str(directory / "settings.ini"), QSettings.Format.IniFormat)
    apply_theme(app, str(settings.value("ui/theme", "system")))
    window = MainWindow(None, settings)
    window.show()

    # One turn of the event loop, until the window has painted: it is on screen before the
    # database and the heavier modules load. Actions wait for attach() (they do nothing before).
    _turn_until(window.table.first_painted)
    # The map request and the painted frame wait in Qt's X buffer until the loop idles,
    # which it does not do before the rest has loaded: send them now.
    QGuiApplication.sync()
    from nitro_desktop.store import Store, StoreError

    try:
        store = Store.open(directory)
    except StoreError as exc:
        from PySide6.QtWidgets import QMessageBox

        # The database is never touched when it cannot be opened: say why and stop.
        QMessageBox.critical(window, "Nitro Desktop", f"Your data could not be opened:\n\n{exc}")
        window.hide()  # not close(): nothing is saved into a data dir that cannot be opened
        gc.enable()
        return 1
    window.show_store(store, count_later=True)
    if window.model.rowCount():  # the first rows, before anything else loads (the count too)
        _turn_until(window.table.first_rows_painted)
        QGuiApplication.sync()
    # The icon after the first rows: QIcon's type builds QIcon's enums (ThemeIcon's ~150 names).
    icon = icon_path()
    if icon is not None:
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(icon))
    # Its first tick (500 ms on) cannot land in the turns above, before the first rows.
    collector = MainThreadCollector(app)
    window.update_count()
    # The details pane and the docks (the Home channels pane imports the chain and client
    # modules) come after the first paint; the list and menus are usable before.
    window.build_panes()

    import asyncio

    import qasync

    from nitro_desktop import crash
    from nitro_desktop.keys import AccountManager
    from nitro_desktop.ui import tasks
    from nitro_desktop.ui.dialogs import LogBuffer
    from nitro_desktop.ui.service import AppService
    from nitro_desktop.wallet.core import Wallet

    log_buffer = LogBuffer()
    logger.removeHandler(early)
    logger.addHandler(log_buffer)
    for record in early.records:
        log_buffer.handle(record)
    window.log_buffer = log_buffer
    wallet = Wallet(store, AccountManager(store), sandbox_factory=local_sandbox_factory(store.data_dir))
    service = AppService(wallet)
    loop_handler = crash.install(
        store.data_dir / "crash-reports",
        notify=lambda path: window.statusBar().showMessage(
            f"An unexpected error was reported to {path}", 30000
        ),
    )
    window.attach(service)

    # Qt would stop the loop as the last window closes, before the service has shut down
    # (sockets, the sandbox node): the window's close ends the run instead.
    app.setQuitOnLastWindowClosed(False)
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    app.aboutToQuit.connect(closed.set)
    if not window.isVisible():  # closed during the first turn
        closed.set()

    async def run() -> None:
        asyncio.get_running_loop().set_exception_handler(loop_handler)
        await closed.wait()
        await service.shutdown()
        # Whatever a dialog still runs is cancelled and awaited here, not left to the loop's close.
        await tasks.settle_all()

    # asyncio.Runner (not asyncio.run) because loop_factory needs Python 3.12 there.
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(run())
    collector.stop()
    store.close()
    return 0
