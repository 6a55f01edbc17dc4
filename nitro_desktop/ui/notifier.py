"""Notifications for what happens while the user looks elsewhere (issue 16).

Someone else moved or closed one of your sessions; a signing request you saved came back
with every signature it needs. ``Notifier`` shows each in the desktop's tray when there is
one (``QSystemTrayIcon``), otherwise in a banner at the top of the window, and keeps the
last few. ``RequestWatch`` follows the ``.nitroreq`` files you saved (across restarts) and
says when one becomes complete: a co-signer saved their signature into it, or it was copied
back over the one you sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QSettings, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from nitro_desktop import signing
from nitro_desktop.ui import tasks
from nitro_desktop.ui.banner import NoticeBanner

if TYPE_CHECKING:
    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.wallet.events import SessionNotice

log = logging.getLogger("nitro_desktop.ui")

RECENT = 50  # notifications kept for the banner's history
WATCHED = 32  # saved signing requests followed at most (the oldest is let go)
_SETTING = "notify/requests"


@dataclass(frozen=True)
class Notice:
    """One notification, as the tray or the window's banner shows it."""

    title: str
    text: str


class Notifier(QObject):
    """The tray when the desktop has one, else the window's banner; ``recent`` keeps the last few."""

    shown = Signal(object)  # Notice

    def __init__(
        self, banner: NoticeBanner, *, use_tray: bool | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.banner = banner
        self.recent: deque[Notice] = deque(maxlen=RECENT)
        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()
        self.tray: QSystemTrayIcon | None = None
        self.requests: RequestWatch | None = None  # set by ``wire``
        self._on_click: Callable[[], None] | None = None
        if use_tray:
            self.tray = QSystemTrayIcon(_icon(), self)
            self.tray.setToolTip("Nitro Desktop")
            self.tray.messageClicked.connect(self._clicked)
            self.tray.show()

    def notify(
        self, title: str, text: str, *, action: str = "", on_action: Callable[[], None] | None = None
    ) -> Notice:
        notice = Notice(title, text)
        self.recent.append(notice)
        log.info("notification: %s: %s", title, text)
        if self.tray is not None:
            self._on_click = on_action
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 15000)
        else:
            self.banner.show_notice(notice, action, on_action)
        self.shown.emit(notice)
        return notice

    def _clicked(self) -> None:
        act, self._on_click = self._on_click, None
        if act is not None:
            act()


def _icon() -> QIcon:
    app = QApplication.instance()
    icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
    if icon.isNull() and isinstance(app, QApplication):
        icon = app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
    return icon


class RequestWatch(QObject):
    """The ``.nitroreq`` files saved here, until each has every signature it needs.

    ``complete(path)`` fires once when a followed file turns sufficient; the file is then let go.
    Files are read off the GUI thread; a file that cannot be read is kept and read again later.
    """

    complete = Signal(str)

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._changed)
        self.watcher.directoryChanged.connect(self._changed)
        self.sufficient: dict[str, bool] = {}  # path -> whether it sufficed when last read
        saved = settings.value(_SETTING, [])
        paths = [saved] if isinstance(saved, str) else list(saved) if isinstance(saved, list) else []
        for path in paths[-WATCHED:]:
            self._follow(str(path), False)

    def start(self) -> None:
        """Read the followed files once (on the running loop): one may have come back meanwhile."""
        self._changed("")

    def paths(self) -> list[str]:
        return list(self.sufficient)

    def track(self, path: str, request: signing.Request) -> None:
        """Follow a request just saved here (what it holds now is not news)."""
        path = str(Path(path).resolve())
        self.sufficient.pop(path, None)
        self._follow(path, signing.sufficiency(request).sufficient)
        while len(self.sufficient) > WATCHED:
            self.forget(next(iter(self.sufficient)))
        self._persist()

    def forget(self, path: str) -> None:
        path = str(Path(path).resolve())
        if self.sufficient.pop(path, None) is not None:
            self.watcher.removePath(path)
            self._persist()

    def _follow(self, path: str, sufficient: bool) -> None:
        self.sufficient[path] = sufficient
        folder = str(Path(path).parent)
        if folder not in self.watcher.directories() and Path(folder).is_dir():
            self.watcher.addPath(folder)
        if path not in self.watcher.files() and Path(path).is_file():
            self.watcher.addPath(path)

    def _persist(self) -> None:
        self.settings.setValue(_SETTING, list(self.sufficient))

    def _changed(self, _where: str) -> None:
        # A save replaces the file (write and rename): the watch on the old one ends with it.
        pending = [p for p, was in self.sufficient.items() if not was]
        for path in pending:
            if path not in self.watcher.files() and Path(path).is_file():
                self.watcher.addPath(path)
        if pending:
            tasks.spawn(self, _read_all(pending), on_done=self._read, name="Reading saved signing requests")

    def _read(self, task: asyncio.Task[dict[str, bool | None]]) -> None:
        if task.cancelled() or task.exception() is not None:
            return
        for path, sufficient in task.result().items():
            if sufficient and self.sufficient.get(path) is False:
                self.forget(path)
                self.complete.emit(path)


async def _read_all(paths: list[str]) -> dict[str, bool | None]:
    loop = asyncio.get_running_loop()
    return {p: await loop.run_in_executor(None, _read_sufficient, p) for p in paths}


def _read_sufficient(path: str) -> bool | None:
    """Whether the request in ``path`` has every signature it needs; None when it cannot be read."""
    try:
        return signing.sufficiency(signing.load(path)).sufficient
    except (signing.SigningError, OSError) as exc:
        log.debug("signing request %s not readable now: %s", path, exc)
        return None


def wire(window: MainWindow) -> Notifier:
    """The window's notifications: sessions others moved, signing requests that came back complete."""
    notifier = Notifier(window.banner, parent=window)
    requests = RequestWatch(window.settings, notifier)
    notifier.requests = requests

    def show_session(app_session_id: str) -> None:
        index = window.model.index_of(app_session_id)
        if index is not None and index.isValid():
            window.table.selectRow(index.row())
        window.raise_()
        window.activateWindow()

    def moved(notice: SessionNotice) -> None:
        title = "Session closed" if notice.status == "closed" else "Session moved"
        sid = notice.app_session_id
        notifier.notify(title, notice.text, action="&Show", on_action=lambda: show_session(sid))

    def complete(path: str) -> None:
        def open_it() -> None:
            window.menu_actions.open_request(path)

        notifier.notify(
            "Signing request complete",
            f"{Path(path).name} has every signature it needs: open it to submit.",
            action="&Open",
            on_action=open_it,
        )

    window.service.moved_by_others.connect(moved)
    requests.complete.connect(complete)
    return notifier
