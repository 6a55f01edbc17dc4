"""The session-creation wizard: review, submit, and the pages of ``wizard_pages``.

Submission runs as a task on the qasync loop; the wizard never blocks and
never uses ``exec()``: callers ``open()`` it and listen to ``created``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from nitro_desktop.client import explain_server_error
from nitro_desktop.flows import PAGES, CreateSessionFlow, SubmitResult, page_for_server_error
from nitro_desktop.protocol import ProtocolError, sign_request
from nitro_desktop.ui import tasks
from nitro_desktop.ui.feedback import error_label, show_problem
from nitro_desktop.ui.wizard_pages import (
    AllocationsPage,
    ApplicationPage,
    FlowPage,
    ParticipantsPage,
    SignersPage,
)
from nitro_desktop.wallet.errors import error_text

Submitter = Callable[[CreateSessionFlow], Awaitable[SubmitResult]]


class ReviewPage(QWizardPage):
    def __init__(self, flow: CreateSessionFlow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.setTitle("Review")
        self.setSubTitle("Check everything once more. Nothing has been sent yet.")
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        id_row = QHBoxLayout()
        self.session_id = QLabel()
        self.session_id.setObjectName("expected_id")
        self.session_id.setTextInteractionFlags(_selectable())
        id_row.addWidget(QLabel("Session id:"))
        id_row.addWidget(self.session_id, 1)
        layout.addLayout(id_row)
        layout.addWidget(QLabel("Request to be signed and sent (signatures are added on submit):"))
        self.frame = QPlainTextEdit()
        self.frame.setObjectName("frame_preview")
        self.frame.setReadOnly(True)
        self.frame.setMinimumHeight(90)
        layout.addWidget(self.frame)
        self.errors = error_label()
        layout.addWidget(self.errors)

    def initializePage(self) -> None:
        try:
            self.summary.setText(self.flow.summary())
            self.session_id.setText(self.flow.expected_session_id())
            call = self.flow.call()
            # A preview with no signature: the exact req bytes the signers will sign.
            self.frame.setPlainText(sign_request(1, call.method, call.params, self.flow.now_ms or 1, []))
            show_problem(self.errors, None)
        except ProtocolError as exc:
            show_problem(self.errors, str(exc))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.flow.all_problems()


class SubmitPage(QWizardPage):
    """Sends the request and shows what the server answered."""

    succeeded = Signal(object)

    def __init__(self, flow: CreateSessionFlow, submitter: Submitter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.submitter = submitter
        self.task: asyncio.Task[SubmitResult] | None = None
        self.result: SubmitResult | None = None
        self.setTitle("Submit")
        layout = QVBoxLayout(self)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setObjectName("submit_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(_selectable())
        layout.addWidget(self.status)
        self.error = error_label()
        self.error.setObjectName("submit_error")
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.cancel = QPushButton("&Cancel sending")
        self.cancel.clicked.connect(self._cancel)
        self.copy = QPushButton("&Copy session id")
        self.copy.setObjectName("copy_id")
        self.copy.clicked.connect(self._copy)
        self.back_to = QPushButton()
        self.back_to.setObjectName("back_to_fix")
        self.back_to.clicked.connect(self._back_to_fix)
        self.retry = QPushButton("&Try again")
        self.retry.setObjectName("retry")
        self.retry.clicked.connect(self.start)
        for b in (self.cancel, self.copy, self.back_to, self.retry):
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addStretch()
        self._fix_page = "application"

    def initializePage(self) -> None:
        self.start()

    def cleanupPage(self) -> None:
        self._cancel()

    def start(self) -> None:
        self.result = None
        for w in (self.copy, self.back_to, self.retry):
            w.hide()
        show_problem(self.error, None)
        self.cancel.show()
        self.progress.show()
        self.status.setText("Signing and sending…")
        # Owned by the page: closing the wizard cancels the send, and no answer reaches a deleted page.
        self.task = tasks.spawn(
            self, self.submitter(self.flow), on_done=self._finished, name="Sending the session"
        )
        self.completeChanged.emit()

    def _cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def _finished(self, task: asyncio.Task[SubmitResult]) -> None:
        self.progress.hide()
        self.cancel.hide()
        if task.cancelled():
            self.status.setText("Cancelled. The request may still reach the server; Refresh shows it if so.")
            self.retry.show()
        elif (exc := task.exception()) is not None:
            message = error_text(exc)
            explanation = explain_server_error(message)
            self.status.setText("The ClearNode refused the request:")
            show_problem(self.error, message if explanation is None else f"{message}\n\n{explanation}")
            fix_page = page_for_server_error(message)
            if fix_page is None:
                self.back_to.hide()
            else:
                self._fix_page = fix_page
                self.back_to.setText(f"&Back to {fix_page.capitalize()}")
                self.back_to.show()
            self.retry.show()
        else:
            self.result = task.result()
            self.status.setText(
                f"Created. Session {self.result.app_session_id} is {self.result.status} "
                f"(version {self.result.version}) and is in your session list."
            )
            self.copy.show()
            self.succeeded.emit(self.result)
        self.completeChanged.emit()

    def _copy(self) -> None:
        if self.result is not None:
            QGuiApplication.clipboard().setText(self.result.app_session_id)

    def _back_to_fix(self) -> None:
        wizard = self.wizard()
        target = PAGES.index(self._fix_page)
        while wizard.currentId() > target:
            wizard.back()

    def isComplete(self) -> bool:
        return self.result is not None


def first_field(page: QWizardPage) -> QWidget | None:
    """The page's first input, for keyboard users: where typing should start."""
    chosen = page.first_input() if isinstance(page, FlowPage) else None
    if chosen is not None:
        return chosen
    for widget in page.findChildren(QWidget):
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled() and widget.isVisibleTo(page):
            return widget
    return None


class CreateSessionWizard(QWizard):
    """Open with ``open()``; ``created`` fires with the result once the server accepted."""

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._focus_first_field(self.currentId())

    def _focus_first_field(self, page_id: int) -> None:
        page = self.page(page_id)
        widget = first_field(page) if page is not None else None
        if widget is not None:
            widget.setFocus(Qt.FocusReason.TabFocusReason)

    created = Signal(object)
    #: the user asked to collect the other participants' signatures for this flow
    collect_requested = Signal(object)

    def __init__(self, flow: CreateSessionFlow, submitter: Submitter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.setWindowTitle("New application session")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(720, 560)
        self.pages: dict[str, QWizardPage] = {
            "application": ApplicationPage(flow),
            "participants": ParticipantsPage(flow),
            "allocations": AllocationsPage(flow),
            "signers": SignersPage(flow),
            "review": ReviewPage(flow),
            "submit": SubmitPage(flow, submitter),
        }
        for i, name in enumerate(PAGES):
            self.setPage(i, self.pages[name])
        self.pages["review"].setButtonText(QWizard.WizardButton.NextButton, "&Sign and send")
        submit = self.pages["submit"]
        assert isinstance(submit, SubmitPage)
        submit.succeeded.connect(self.created)
        signers = self.pages["signers"]
        assert isinstance(signers, SignersPage)
        signers.collect_requested.connect(lambda: self.collect_requested.emit(self.flow))
        self.currentIdChanged.connect(self._focus_first_field)
        # Closing the wizard mid-send cancels the send (the list shows it if the server got it).
        self.finished.connect(lambda _code: submit._cancel())


def _selectable() -> Qt.TextInteractionFlag:
    return Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
