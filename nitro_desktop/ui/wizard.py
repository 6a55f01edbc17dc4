"""The session-creation wizard: review, submit, and the pages of ``wizard_pages``.

Submission runs as a task on the qasync loop; the wizard never blocks and
never uses ``exec()``: callers ``open()`` it and listen to ``created``.
"""

from __future__ import annotations

import asyncio
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

from nitro_desktop.flows import (
    PAGES,
    CreateSessionFlow,
    CreateWizard,
    SubmitResult,
    SubmitState,
    Submitter,
)
from nitro_desktop.flows.outcome import SavedSession
from nitro_desktop.ui import tasks
from nitro_desktop.ui.feedback import error_label, show_problem
from nitro_desktop.ui.wizard_pages import (
    AllocationsPage,
    ApplicationPage,
    FlowPage,
    ParticipantsPage,
    SignersPage,
)

__all__ = ["CreateSessionWizard", "ReviewPage", "SubmitPage", "Submitter", "first_field"]


class ReviewPage(FlowPage):
    """Before the send, the request to sign; after it, the request that was sent (``review_view``)."""

    page_name = "review"

    def __init__(self, steps: CreateWizard, parent: QWidget | None = None) -> None:
        super().__init__(steps.flow, parent)
        self.steps = steps
        self.setTitle("Review")
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
        self.caption = QLabel()
        self.caption.setObjectName("frame_caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.frame = QPlainTextEdit()
        self.frame.setObjectName("frame_preview")
        self.caption.setBuddy(self.frame)
        self.frame.setReadOnly(True)
        self.frame.setMinimumHeight(90)
        layout.addWidget(self.frame)
        self.errors = error_label()
        layout.addWidget(self.errors)

    def initializePage(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Also on coming back from the submit page, which Qt does without ``initializePage``."""
        review, view = self.flow.review(), self.steps.review_view()
        self.setSubTitle(view.subtitle)
        self.setButtonText(QWizard.WizardButton.NextButton, view.forward)
        self.summary.setText(review.summary)
        self.session_id.setText(review.session_id)
        self.caption.setText(view.caption)
        self.frame.setPlainText(view.request)
        self.frame.setAccessibleName("The request that was sent" if not view.sends else "The request to sign")
        show_problem(self.errors, view.problem)
        self.completeChanged.emit()

    def show_problems(self, problems: dict[str, str]) -> None:
        pass  # the review shows why the request cannot be built (initializePage)


class SubmitPage(QWizardPage):
    """Sends the request and shows what the server answered: a view of ``CreateWizard.submission``."""

    succeeded = Signal(object)

    def __init__(self, steps: CreateWizard, submitter: Submitter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps, self.flow = steps, steps.flow
        self.submitter = submitter
        self.task: asyncio.Task[SubmitState] | None = None
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

    @property
    def result(self) -> SubmitResult | None:
        return self.steps.submission.result

    def initializePage(self) -> None:
        if self.steps.sends_on_submit_page():
            self.start()
        else:  # back on the answer after looking at what was sent: nothing is sent again
            self._show()

    def cleanupPage(self) -> None:
        self._cancel()

    def start(self) -> None:
        submission = self.steps.submission
        submission.start()
        for w in (self.copy, self.back_to, self.retry):
            w.hide()
        show_problem(self.error, None)
        self.cancel.show()
        self.progress.show()
        self.status.setText(submission.status_text)
        # Owned by the page: closing the wizard cancels the send, and no answer reaches a deleted page.
        self.task = tasks.spawn(
            self,
            submission.run(self.steps.sending(self.submitter)),
            on_done=self._finished,
            name="Sending the session",
        )
        self.completeChanged.emit()

    def _cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def _finished(self, task: asyncio.Task[SubmitState]) -> None:
        submission = self.steps.submission
        if task.cancelled():
            submission.cancel()  # also when it was cancelled before it began
        self._show()
        if submission.result is not None:
            self.succeeded.emit(submission.result)

    def _show(self) -> None:
        submission = self.steps.submission
        self.progress.hide()
        self.cancel.hide()
        self.status.setText(submission.status_text)
        show_problem(self.error, submission.problem_text)
        fix_page = submission.fix_page if submission.state is SubmitState.REFUSED else None
        if fix_page is not None:
            self.back_to.setText(f"&Back to {fix_page.capitalize()}")
        self.back_to.setVisible(fix_page is not None)
        self.retry.setVisible(submission.can_retry)
        self.copy.setVisible(submission.result is not None)
        self.completeChanged.emit()

    def _copy(self) -> None:
        if self.result is not None:
            QGuiApplication.clipboard().setText(self.result.app_session_id)

    def _back_to_fix(self) -> None:
        wizard = self.wizard()
        target = self.steps.submission.fix_page
        if target is None:
            return
        while wizard.currentId() > PAGES.index(target):
            wizard.back()

    def isComplete(self) -> bool:
        return self.steps.is_complete("submit")


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

    def _follow(self, page_id: int) -> None:
        if 0 <= page_id < len(PAGES):
            self.steps.page = PAGES[page_id]
        review = self.pages["review"]
        if page_id == PAGES.index("review") and isinstance(review, ReviewPage):
            review.refresh()

    def _focus_first_field(self, page_id: int) -> None:
        page = self.page(page_id)
        widget = first_field(page) if page is not None else None
        if widget is not None:
            widget.setFocus(Qt.FocusReason.TabFocusReason)

    created = Signal(object)
    #: the user asked to collect the other participants' signatures for this flow
    collect_requested = Signal(object)

    def __init__(
        self,
        flow: CreateSessionFlow,
        submitter: Submitter,
        parent: QWidget | None = None,
        *,
        saved: SavedSession | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow = flow
        #: where the user is and what each step allows: the wizard's rules without Qt
        self.steps = CreateWizard(flow, saved)
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
            "review": ReviewPage(self.steps),
            "submit": SubmitPage(self.steps, submitter),
        }
        for i, name in enumerate(PAGES):
            self.setPage(i, self.pages[name])
        # The review page names its own forward button: "Sign and send", or after the send "Show the answer".
        self.pages["review"].setButtonText(QWizard.WizardButton.NextButton, "&Sign and send")
        submit = self.pages["submit"]
        assert isinstance(submit, SubmitPage)
        submit.succeeded.connect(self.created)
        signers = self.pages["signers"]
        assert isinstance(signers, SignersPage)
        signers.collect_requested.connect(lambda: self.collect_requested.emit(self.flow))
        self.currentIdChanged.connect(self._focus_first_field)
        self.currentIdChanged.connect(self._follow)
        # Closing the wizard mid-send cancels the send (the list shows it if the server got it).
        self.finished.connect(lambda _code: submit._cancel())


def _selectable() -> Qt.TextInteractionFlag:
    return Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
