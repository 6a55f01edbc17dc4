"""The wizard in the window after a successful send: Back shows what was sent and cannot send again;
a second create of the same session is refused, and the wizard says it is already in the list."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard

from nitro_desktop.ui.wizard import SubmitPage
from tests.ui.conftest import AppRunner, Profile, Running, until
from tests.ui.test_session_wizard import B, add_account, balances, open_wizard, ready


async def create_through(run: Running, nonce: str | None = None) -> QWizard:
    wizard = await open_wizard(run)
    pages = wizard.pages
    if nonce is not None:
        pages["application"].fields["nonce"].setText(nonce)
    wizard.next()
    pages["participants"].table.item(1, 0).setText(B)
    wizard.next()
    pages["allocations"]._editors[0][1].setText("10")
    wizard.next()
    wizard.next()
    wizard.next()
    submit: SubmitPage = pages["submit"]  # type: ignore[assignment]
    await until(lambda: submit.copy.isVisible() or submit.error.isVisible(), what="the server's answer")
    return wizard


@pytest.mark.asyncio
async def test_back_after_the_send_shows_the_sent_frame_and_never_re_arms_sign_and_send(
    profile: Profile,
) -> None:
    add_account(profile)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await ready(run)
        wizard = await create_through(run)
        review, submit = wizard.pages["review"], wizard.pages["submit"]
        assert submit.result is not None, submit.error.text()
        sid = submit.result.app_session_id
        next_button = wizard.button(QWizard.WizardButton.NextButton)

        wizard.back()
        assert wizard.currentPage() is review
        assert next_button.text() == "Show the &answer"
        assert "Nothing has been sent yet" not in review.subTitle()
        assert review.subTitle().startswith("Sent: the ClearNode created this session (version 1).")
        assert review.session_id.text() == sid
        record = run.store.sessions.get(sid)
        assert record is not None and review.frame.toPlainText() == record.request_frame
        assert "request id " in review.caption.text() and "timestamp " in review.caption.text()

        next_button.click()  # to the answer again: nothing is sent
        assert wizard.currentPage() is submit and submit.copy.isVisible()
        assert not submit.error.isVisible() and not submit.progress.isVisible()
        assert f"Created. Session {sid}" in submit.status.text()
        assert balances(run)["usdc"] == "990"
        assert len(run.store.sessions.history(sid)) == 1
        wizard.accept()


@pytest.mark.asyncio
async def test_a_duplicate_create_says_the_session_is_already_in_the_list(profile: Profile) -> None:
    add_account(profile)
    async with AppRunner() as app_runner:
        run = app_runner.open(profile)
        await ready(run)
        first = await create_through(run, nonce="1735689600000")
        sid = first.pages["submit"].result.app_session_id
        first.accept()
        await until(lambda: run.window.menu_actions.wizard is not first or not first.isVisible())

        second = await create_through(run, nonce="1735689600000")
        submit = second.pages["submit"]
        assert submit.result is None
        assert submit.status.text() == "The ClearNode refused the request:"
        text = submit.error.text()
        assert text.startswith("failed to create application session")
        assert f"This session is already in your list: {sid} (open, version 1, created " in text
        assert "change the nonce on the Application page" in text
        assert submit.back_to.isVisible() and submit.back_to.text() == "&Back to Application"
        submit.back_to.click()
        assert second.currentPage() is second.pages["application"]
        second.reject()
