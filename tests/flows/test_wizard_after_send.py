"""After the send the wizard cannot send again, its review shows the frame that went, and a
duplicate's bare refusal is explained from the local list (issue 16). A real sandbox on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable

import pytest

from nitro_desktop.devnode import SandboxNode
from nitro_desktop.flows import CreateWizard, StepRefused, SubmitResult, SubmitState, Submitter
from nitro_desktop.flows.create_wizard import sent_id_and_time
from nitro_desktop.flows.outcome import GENERIC_CREATE_REFUSAL
from tests.client.helpers import ready_client
from tests.flows.helpers import ALICE, A, B, PresignedSender, create_flow

Factory = Callable[..., Awaitable[SandboxNode]]


def recording(sender: PresignedSender) -> Submitter:
    """Like the wallet's submitter: the result carries the frame that was sent."""

    async def submit(flow: object) -> SubmitResult:
        session = await sender.send(flow, flow.ordered_signers())  # type: ignore[attr-defined]
        exchange = sender.client.exchanges.get(sender.sent[-1].request_id)
        assert exchange is not None
        return SubmitResult(session.app_session_id, session.status, session.version, exchange.request)

    return submit


def ready_wizard(saved: Callable[[str], str | None] | None = None) -> CreateWizard:
    flow = create_flow("0.2")
    flow.participants[1].address = B
    flow.allocations[0].amount = "10"
    wizard = CreateWizard(flow, saved)
    while wizard.page != "review":
        wizard.next()
    return wizard


@pytest.mark.asyncio
async def test_after_the_send_the_review_shows_what_went_and_nothing_sends_again(
    sandbox_factory: Factory,
) -> None:
    node = await sandbox_factory(dialect="0.2")
    node.fund(A, "usdc", 100)
    wizard = ready_wizard()
    before = wizard.review_view()
    assert before.sends and before.forward == "&Sign and send"
    assert before.subtitle == "Check everything once more. Nothing has been sent yet."
    assert wizard.next() == "submit" and wizard.sends_on_submit_page()
    client = await ready_client(node.url, "0.2", ALICE)
    sent_at = int(time.time() * 1000)
    try:
        assert await wizard.submit(recording(PresignedSender(client, {A: ALICE}))) is SubmitState.SENT
        frame = client.exchanges.get(_sent_request_id(wizard)).request  # type: ignore[union-attr]
    finally:
        await client.close()

    # Back from the answer: the review now shows the very frame that was sent, with its id and time.
    assert wizard.back() == "review"
    after = wizard.review_view()
    assert not after.sends and after.forward == "Show the &answer"
    assert "Nothing has been sent yet" not in after.subtitle
    result = wizard.submission.result
    assert result is not None and after.request == frame == result.request_frame
    request_id, timestamp = json.loads(frame)["req"][0], json.loads(frame)["req"][3]
    assert timestamp >= sent_at - 1000  # the signing time, not the wizard's opening time
    assert f"request id {request_id}, timestamp {timestamp}" in after.caption
    assert (
        after.subtitle
        == "Sent: the ClearNode created this session (version 1). This wizard sends nothing more."
    )
    # Forward again shows the answer; it does not send.
    assert wizard.next() == "submit" and not wizard.sends_on_submit_page()
    with pytest.raises(StepRefused):
        wizard.sending(recording(PresignedSender(client, {A: ALICE})))
    assert node.balances(A)["usdc"] == 90  # sent once


def _sent_request_id(wizard: CreateWizard) -> int:
    result = wizard.submission.result
    assert result is not None
    ids = sent_id_and_time(result.request_frame)
    assert ids is not None
    return ids[0]


def test_sent_frames_of_either_envelope_give_their_id_and_time() -> None:
    assert sent_id_and_time('{"req":[7,"create_app_session",[{}],1735689600123],"sig":["0x1"]}') == (
        7,
        1735689600123,
    )
    assert sent_id_and_time('[1,9,"app_sessions.v1.create_app_session",{},1735689600456]') == (
        9,
        1735689600456,
    )
    for bad in ("", "{", '{"req":[1,2]}', '{"req":["1","m",[],2]}', "x" * (2 << 20)):
        assert sent_id_and_time(bad) is None


@pytest.mark.asyncio
async def test_a_duplicate_create_is_explained_from_the_list(sandbox_factory: Factory) -> None:
    node = await sandbox_factory(dialect="0.2")
    node.fund(A, "usdc", 100)
    listed: dict[str, str] = {}
    client = await ready_client(node.url, "0.2", ALICE)
    try:
        first = ready_wizard(listed.get)
        first.next()
        assert await first.submit(recording(PresignedSender(client, {A: ALICE}))) is SubmitState.SENT
        sid = first.submission.result.app_session_id  # type: ignore[union-attr]
        listed[sid] = "open, version 1, created 2026-12-01 19:13 on Local sandbox"

        # The same definition again (the same nonce): the review warns, and the refusal says why.
        again = ready_wizard(listed.get)
        warning = again.review_view().problem
        assert warning is not None and "already in your list (open, version 1" in warning
        again.next()
        assert await again.submit(recording(PresignedSender(client, {A: ALICE}))) is SubmitState.REFUSED
    finally:
        await client.close()
    submission = again.submission
    assert submission.error is not None and GENERIC_CREATE_REFUSAL in submission.error
    assert submission.explanation is not None
    assert submission.explanation.startswith(f"This session is already in your list: {sid} (open, version 1")
    assert "change the nonce on the Application page" in submission.explanation
    assert submission.fix_page == "application" and again.fix() == "application"
    assert node.balances(A)["usdc"] == 90  # the first create only


@pytest.mark.asyncio
async def test_a_bare_create_refusal_of_an_unknown_id_still_says_what_to_try(
    sandbox_factory: Factory,
) -> None:
    node = await sandbox_factory(dialect="0.2")
    node.fund(A, "usdc", 100)
    client = await ready_client(node.url, "0.2", ALICE)
    try:
        first = ready_wizard()
        first.next()
        assert await first.submit(recording(PresignedSender(client, {A: ALICE}))) is SubmitState.SENT
        # Another computer's list: it does not hold the session.
        again = ready_wizard(lambda _sid: None)
        again.next()
        assert await again.submit(recording(PresignedSender(client, {A: ALICE}))) is SubmitState.REFUSED
    finally:
        await client.close()
    assert again.submission.explanation is not None
    assert again.submission.explanation.startswith("The ClearNode did not say why.")
