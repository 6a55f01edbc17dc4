"""The in-app notification banner: what a tray would say, when the desktop has no tray."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    # Defined with the notifier, which loads after the first paint: a dataclass here would
    # bring the dataclasses module (~5 ms) in front of the window's first rows.
    from nitro_desktop.ui.notifier import Notice


class NoticeBanner(QFrame):
    """One notification across the top of the window: its text, an optional action, Dismiss."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Notification")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.text = QLabel()
        self.text.setObjectName("notice_text")
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.action = QPushButton()
        self.action.setObjectName("notice_action")
        self.action.clicked.connect(self._act)
        row.addWidget(self.action)
        self.dismiss = QPushButton("&Dismiss")
        self.dismiss.setObjectName("notice_dismiss")
        self.dismiss.setAccessibleName("Dismiss the notification")
        self.dismiss.clicked.connect(self.hide)
        row.addWidget(self.dismiss)
        self._on_action: Callable[[], None] | None = None
        self.hide()

    def show_notice(
        self, notice: Notice, action: str = "", on_action: Callable[[], None] | None = None
    ) -> None:
        import html

        self.text.setText(f"<b>{html.escape(notice.title)}.</b> {html.escape(notice.text)}")
        self.text.setAccessibleName(f"{notice.title}. {notice.text}")
        self._on_action = on_action
        self.action.setText(action)
        self.action.setAccessibleName(action.replace("&", ""))
        self.action.setVisible(bool(action and on_action))
        self.show()

    def _act(self) -> None:
        act, self._on_action = self._on_action, None
        self.hide()
        if act is not None:
            act()
