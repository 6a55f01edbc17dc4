"""Where the user is in the create wizard and what they may do next: the wizard without Qt.

``CreateWizard`` walks ``CreateSessionFlow.pages()``: ``next()`` refuses an
incomplete page with its problems, ``back()`` and ``back_to()`` go to earlier pages,
``submit()`` sends on the submit page and keeps what it came to in ``submission``
(and ``fix()`` goes to the page that fixes a refusal). The Qt wizard is a view of
these same rules; tests drive this one headless, as Electrum's ``tests/test_wizard.py`` does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nitro_desktop.flows.create_session import CreateSessionFlow
from nitro_desktop.flows.outcome import CreateSubmission, SubmitResult, SubmitState

Submitter = Callable[[CreateSessionFlow], Awaitable[SubmitResult]]


class StepRefused(Exception):
    """The wizard cannot move as asked; ``problems`` says why (field -> message)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


class CreateWizard:
    def __init__(self, flow: CreateSessionFlow) -> None:
        self.flow = flow
        self.page = flow.pages()[0]
        self.submission = CreateSubmission()

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
        return await self.submission.run(submitter(self.flow))
