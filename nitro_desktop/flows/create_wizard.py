"""Where the user is in the create wizard and what they may do next: the wizard without Qt.

``CreateWizard`` walks ``CreateSessionFlow.pages()``: ``next()`` refuses an
incomplete page with its problems, ``back()`` and ``back_to()`` go to earlier pages,
``submit()`` sends on the submit page and keeps what it came to in ``submission``
(and ``fix()`` goes to the page that fixes a refusal). The Qt wizard is a view of
these same rules; tests drive this one headless, as Electrum's ``tests/test_wizard.py`` does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nitro_desktop.flows.create_session import CreateSessionFlow
from nitro_desktop.flows.outcome import CreateSubmission, SavedSession, SubmitResult, SubmitState
from nitro_desktop.protocol import ProtocolError

Submitter = Callable[[CreateSessionFlow], Awaitable[SubmitResult]]


class StepRefused(Exception):
    """The wizard cannot move as asked; ``problems`` says why (field -> message)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


#: A sent frame is our own, but it is parsed again here: bound what is read.
_MAX_FRAME = 1 << 20


@dataclass(frozen=True)
class ReviewView:
    """What the review page says: before sending, the request to sign; after, the one that was sent."""

    subtitle: str
    #: The line above the request text.
    caption: str
    request: str
    #: The label of the button that leaves the review forwards.
    forward: str
    #: Whether leaving the review forwards signs and sends (never again once the session exists).
    sends: bool
    #: Why the request cannot be built, or a warning about it; None when there is nothing to say.
    problem: str | None = None


def sent_id_and_time(frame: str) -> tuple[int, int] | None:
    """The request id and timestamp (ms) of a sent frame, in either envelope; None when unreadable."""
    if not frame or len(frame) > _MAX_FRAME:
        return None
    try:
        value = json.loads(frame)
    except ValueError:
        return None
    # 0.x: {"req": [id, method, params, ts], "sig": [...]}; v1: [type, id, method, payload, ts].
    fields = value.get("req") if isinstance(value, dict) else value
    if isinstance(fields, list) and len(fields) in (4, 5):
        request_id, timestamp = fields[0 if len(fields) == 4 else 1], fields[-1]
        if type(request_id) is int and type(timestamp) is int:
            return request_id, timestamp
    return None


def _when(timestamp_ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp_ms / 1000))


class CreateWizard:
    def __init__(self, flow: CreateSessionFlow, saved: SavedSession | None = None) -> None:
        """``saved`` says what the local list holds under a session id (the duplicate's explanation)."""
        self.flow = flow
        self.page = flow.pages()[0]
        self.saved = saved
        self.submission = CreateSubmission(saved=saved)

    def is_complete(self, page: str | None = None) -> bool:
        """Whether ``page`` (default: the current one) lets the user go on; submit: once it is sent."""
        page = page or self.page
        if page == "submit":
            return self.submission.state is SubmitState.SENT
        return not self.flow.page_problems(page)

    def next(self) -> str:
        """Go to the next page; refused (with the page's problems) while this one is incomplete."""
        if self.page == "submit":
            raise StepRefused({"page": "This is the last page."})
        problems = self.flow.page_problems(self.page)
        if problems:
            raise StepRefused(problems)
        following = self.flow.next_page(self.page)
        assert following is not None  # only the submit page is last
        if following == "signers":
            self.flow.preselect_signers()
        self.page = following
        return self.page

    @property
    def sent(self) -> bool:
        """Whether the session exists: nothing in this wizard sends again."""
        return self.submission.state is SubmitState.SENT

    def sends_on_submit_page(self) -> bool:
        """Whether arriving on the submit page signs and sends (not once the session was created)."""
        return not self.sent and self.submission.state is not SubmitState.SENDING

    def review_view(self) -> ReviewView:
        """The review page: the request that will be signed and sent, or the one that was."""
        result = self.submission.result
        if self.sent and result is not None:
            sent = sent_id_and_time(result.request_frame)
            caption = (
                f"The request as it was signed and sent: request id {sent[0]}, timestamp {sent[1]} "
                f"({_when(sent[1])}):"
                if sent is not None
                else "The request was signed and sent; its frame was not recorded."
            )
            return ReviewView(
                # The id is on the page already: a header has room for two short lines only.
                f"Sent: the ClearNode created this session (version {result.version}). "
                "This wizard sends nothing more.",
                caption,
                result.request_frame,
                "Show the &answer",
                sends=False,
            )
        review = self.flow.review()
        warning = review.problem
        if warning is None and self.saved is not None and review.session_id:
            saved = self.saved(review.session_id)
            if saved is not None:
                warning = (
                    f"A session with this id is already in your list ({saved}): the ClearNode will "
                    "refuse to create it again. Change the nonce on the Application page for a new one."
                )
        unknown = self.submission.state is SubmitState.OUTCOME_UNKNOWN
        return ReviewView(
            "The last request's outcome is not known yet; sending again is safe, since the same "
            "definition names the same session."
            if unknown
            else "Check everything once more. Nothing has been sent yet.",
            "The request to be signed and sent. Its request id and timestamp (shown as 1 and the time "
            "this wizard opened) are set, and the signatures added, when you press Sign and send:",
            review.request,
            "&Sign and send",
            sends=True,
            problem=warning,
        )

    def back(self) -> str:
        """Go to the previous page (leaving the submit page does not undo a send)."""
        if self.submission.state is SubmitState.SENDING:
            raise StepRefused({"page": "Wait for the answer or cancel the send first."})
        previous = self.flow.previous_page(self.page)
        if previous is None:
            raise StepRefused({"page": "This is the first page."})
        self.page = previous
        return self.page

    def back_to(self, page: str) -> str:
        """Go back to an earlier page (the one that fixes a refusal, say)."""
        pages = self.flow.pages()
        if page not in pages or pages.index(page) > pages.index(self.page):
            raise StepRefused({"page": f"{page!r} is not a page before {self.page!r}."})
        while self.page != page:
            self.back()
        return self.page

    def fix(self) -> str:
        """Go back to the page that fixes what the server refused."""
        target = self.submission.fix_page
        if self.submission.state is not SubmitState.REFUSED or target is None:
            raise StepRefused({"page": "No page of the wizard fixes this."})
        return self.back_to(target)

    async def submit(self, submitter: Submitter) -> SubmitState:
        """Sign and send from the submit page; what it came to is in ``submission``."""
        if self.page != "submit":
            raise StepRefused({"page": "Requests are sent from the submit page."})
        if self.submission.state is SubmitState.SENT:
            raise StepRefused({"page": "This session has been created already."})
        return await self.submission.run(self.sending(submitter))

    def sending(self, submitter: Submitter) -> Awaitable[SubmitResult]:
        """The send itself, for a view that drives ``submission.run`` in its own task."""
        if self.sent:
            raise StepRefused({"page": "This session has been created already."})
        try:
            self.submission.app_session_id = self.flow.expected_session_id()
        except ProtocolError:
            self.submission.app_session_id = ""
        return submitter(self.flow)
