"""The create wizard driven headless, page by page, to a real sandbox ClearNode on 127.0.0.1.

Like Electrum's ``tests/test_wizard.py``: no Qt, the rules and the step order are the
flow's own. Every refusal is checked by its exact message, every move by its page name,
and what reaches the server by its exact frame.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from nitro_desktop.client import explain_server_error
from nitro_desktop.devnode import SandboxNode
from nitro_desktop.flows import CreateWizard, StepRefused, SubmitState
from nitro_desktop.protocol import app_session_id, recover_signers
from nitro_desktop.protocol.values import MAX_EXACT_INT
from tests.client.helpers import ready_client
from tests.client.proxy import FaultProxy
from tests.flows.helpers import ALICE, BOB, NOW_MS, A, B, PresignedSender, create_flow

Factory = Callable[..., Awaitable[SandboxNode]]


def refusal(move: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(StepRefused) as info:
        move()
    return info.value.problems


def refused(wizard: CreateWizard) -> dict[str, str]:
    return refusal(wizard.next)


def test_the_flows_import_no_qt() -> None:
    code = (
        "import sys, nitro_desktop.flows, nitro_desktop.signing; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.asyncio
@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
async def test_every_page_back_and_next_then_created_on_the_sandbox(
    sandbox_factory: Factory, dialect: str
) -> None:
    assert type(asyncio.get_running_loop()).__module__.startswith("asyncio")  # not qasync: no Qt
    node = await sandbox_factory(dialect=dialect)
    node.fund(A, "usdc", 100)
    flow = create_flow(dialect)
    wizard = CreateWizard(flow)
    assert flow.pages() == ("application", "participants", "allocations", "signers", "review", "submit")

    # 1. application: the defaults are valid; a zero nonce and a rounded one are refused by name.
    assert wizard.page == "application" and wizard.is_complete()
    assert refusal(wizard.back) == {"page": "This is the first page."}
    flow.nonce = "0"
    assert refused(wizard) == {"nonce": "The nonce must not be zero: it makes the session id unique."}
    flow.nonce, flow.challenge = str(MAX_EXACT_INT + 1), "soon"
    assert refused(wizard) == {
        "challenge": f"The challenge must be a whole number from 0 to {MAX_EXACT_INT}.",
        "nonce": f"The nonce must be at most {MAX_EXACT_INT} (2^53 - 1): the ClearNode reads numbers "
        "as 64-bit floats and would round a larger one, so the session would get another id.",
    }
    flow.nonce, flow.challenge = str(NOW_MS), "3600"
    assert wizard.next() == "participants"

    # 2. participants: the second address is missing, then mistyped, then its case is off.
    assert refused(wizard) == {"participant.1": "Enter participant 2's address."}
    flow.participants[1].address = "0x1234"
    assert refused(wizard) == {
        "participant.1": "participant 2: not an Ethereum address (0x and 40 hex digits): '0x1234'"
    }
    flow.participants[1].address = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"
    assert refused(wizard) == {
        "participant.1": "participant 2: address checksum is wrong: "
        f"0x70997970c51812dc3A010C7d01b50e0d17dc79C8 (the EIP-55 form is {B}); "
        "check for a typo before fixing the case"
    }
    assert flow.fix_checksum(1) and flow.participants[1].address == B
    flow.quorum = "150"
    assert refused(wizard) == {
        "quorum": "No set of signers can reach a quorum of 150: the weights add up to 100. "
        "The session could never be updated or closed."
    }
    flow.quorum = "100"
    assert wizard.back() == "application" and wizard.next() == "participants"  # nothing typed is lost
    assert flow.participants[1].address == B and flow.challenge == "3600"
    assert wizard.next() == "allocations"

    # 3. allocations: more than I hold, more decimals than the asset has.
    assert (flow.held_text(0), flow.held_text(1)) == ("100 usdc", "—")
    assert flow.total_text() == "Session total: nothing yet"
    flow.allocations[0].amount = "150"
    assert refused(wizard) == {"amount.0": f"Insufficient funds: {A} holds 100 usdc, less than 150."}
    flow.allocations[0].amount = "1.1234567"
    assert refused(wizard) == {"amount.0": "participant 1's amount 1.1234567 has more than 6 decimal places"}
    flow.allocations[0].amount = "10.5"
    assert flow.total_text() == "Session total: 10.5 usdc"
    assert wizard.next() == "signers"

    # 4. signers: I fund, so I am chosen on arrival; unchoosing me is refused.
    assert flow.signers == {A}
    flow.signers = set()
    assert refused(wizard) == {"signers": f"These accounts fund the session and must sign: {A}"}
    flow.signers = {A}
    assert wizard.next() == "review"

    # 5. review: the summary, the id the server will derive, the exact request to be signed.
    review = flow.review()
    assert review.problem is None
    application = " for “Nitro Desktop”" if dialect == "0.5" else ""
    protocol = "NitroRPC/0.4" if dialect == "0.5" else "NitroRPC/0.2"
    assert review.summary == "\n".join(
        [
            f"Create a {protocol} session{application}.",
            "2 participants; updates need weight 100 of 100.",
            f"Challenge period 3600 s, nonce {NOW_MS}.",
            f"  #1 {A} (you): weight 100, puts in 10.5 usdc",
            f"  #2 {B}: weight 0, puts in 0 usdc",
            "Quorum 100 is reached by: #1.",
            f"Signed by: {A}",
        ]
    )
    frame = json.loads(review.request)
    assert frame["sig"] == [] and frame["req"][:2] == [1, "create_app_session"]
    params = frame["req"][2][0] if dialect == "0.2" else frame["req"][2]
    assert review.session_id == app_session_id(params["definition"], dialect)
    assert params["allocations"] == [
        {"participant": A, "asset": "usdc", "amount": "10.5"},
        {"participant": B, "asset": "usdc", "amount": "0"},
    ]
    assert wizard.next() == "submit"
    assert not wizard.is_complete()

    # 6. submit through the sandbox: the exact request the flow built, signed by me.
    client = await ready_client(node.url, dialect, ALICE)
    try:
        sender = PresignedSender(client, {A: ALICE})
        assert await wizard.submit(sender.submitter()) is SubmitState.SENT
        [request] = sender.sent
        wire = client.exchanges.get(request.request_id)
        assert wire is not None and wire.request == request.frame_text()
        assert json.loads(wire.request)["req"][2] == json.loads(review.request)["req"][2]
        assert recover_signers(wire.request) == [A]
    finally:
        await client.close()
    submission = wizard.submission
    assert submission.result is not None and submission.result.app_session_id == review.session_id
    assert submission.status_text == (
        f"Created. Session {review.session_id} is open (version 1) and is in your session list."
    )
    assert wizard.is_complete() and not submission.can_retry and submission.problem_text is None
    assert node.balances(A)["usdc"] == Decimal("89.5")
    assert refusal(wizard.next) == {"page": "This is the last page."}
    with pytest.raises(StepRefused) as info:
        await wizard.submit(sender.submitter())
    assert info.value.problems == {"page": "This session has been created already."}


@pytest.mark.asyncio
async def test_a_server_refusal_leads_back_to_the_page_that_fixes_it(sandbox_factory: Factory) -> None:
    node = await sandbox_factory(dialect="0.2")
    node.fund(B, "usdc", 1)
    # Nothing is known locally of Bob's balance: only the server can refuse his stake.
    flow = create_flow("0.2", local_accounts=[A, B], balances={})
    wizard = CreateWizard(flow)
    wizard.next()
    flow.participants[1].address = B
    wizard.next()
    flow.allocations[1].amount = "99999"
    assert [wizard.next(), wizard.next(), wizard.next()] == ["signers", "review", "submit"]
    assert flow.signers == {B}
    client = await ready_client(node.url, "0.2", ALICE)
    try:
        sender = PresignedSender(client, {A: ALICE, B: BOB})
        assert await wizard.submit(sender.submitter()) is SubmitState.REFUSED
        submission = wizard.submission
        assert submission.error == f"insufficient funds: {B} for asset usdc"
        assert submission.problem_text == submission.error  # nothing to explain: the text says it
        assert submission.status_text == "The ClearNode refused the request:"
        assert submission.fix_page == "allocations" and submission.can_retry
        assert wizard.fix() == "allocations"
        flow.allocations[1].amount = "1"
        assert [wizard.next(), wizard.next(), wizard.next()] == ["signers", "review", "submit"]
        assert await wizard.submit(sender.submitter()) is SubmitState.SENT
        assert submission.error is None and submission.fix_page is None
    finally:
        await client.close()
    assert node.balances(B).get("usdc", Decimal(0)) == 0


@pytest.mark.asyncio
async def test_lost_and_unsent_requests_are_told_apart(sandbox_factory: Factory) -> None:
    node = await sandbox_factory(dialect="0.2")
    node.fund(A, "usdc", 100)
    proxy = await FaultProxy(node.url).start()
    client = await ready_client(proxy.url, "0.2", ALICE, timeout=0.5, keepalive_interval=30)
    try:
        flow = create_flow("0.2")
        flow.participants[1].address = B
        flow.allocations[0].amount = "10"
        wizard = CreateWizard(flow)
        while wizard.page != "submit":
            wizard.next()
        sender = PresignedSender(client, {A: ALICE})
        submission = wizard.submission

        # The socket closes before the node got it: the node confirms nothing happened.
        proxy.drop_before("create_app_session")
        assert await wizard.submit(sender.submitter()) is SubmitState.NOT_SENT
        sid = flow.expected_session_id()
        assert submission.error == (
            f"app session {sid} was not created (the connection dropped before the server received "
            "the request); it is safe to try again"
        )
        assert submission.status_text == "Nothing was sent:" and submission.can_retry
        assert refusal(wizard.fix) == {"page": "No page of the wizard fixes this."}

        # The request is swallowed: it left, and no answer says what became of it.
        proxy.stall("create_app_session")
        assert await wizard.submit(sender.submitter()) is SubmitState.OUTCOME_UNKNOWN
        assert submission.status_text == (
            "No answer came back; the app keeps asking the ClearNode and records what it says:"
        )
        assert submission.error is not None and submission.error.startswith("no answer to create_app_session")
        assert submission.can_retry and submission.fix_page is None
        assert node.balances(A)["usdc"] == 100
    finally:
        await client.close()
        await proxy.stop()


def test_leaving_mid_send_is_an_unknown_outcome() -> None:
    flow = create_flow("0.2")
    wizard = CreateWizard(flow)
    wizard.submission.start()
    assert wizard.submission.status_text == "Signing and sending…"
    assert refusal(wizard.back) == {"page": "Wait for the answer or cancel the send first."}
    wizard.submission.cancel()
    assert wizard.submission.state is SubmitState.OUTCOME_UNKNOWN
    assert wizard.submission.status_text == (
        "Cancelled. The request may still reach the server; Refresh shows it if so."
    )


@pytest.mark.asyncio
async def test_a_refusal_no_page_can_fix_is_explained(sandbox_factory: Factory) -> None:
    node = await sandbox_factory(dialect="0.5")
    node.fund(A, "usdc", 100)
    node.fund(A, "usdc", 7, in_channel=True)
    flow = create_flow("0.5")
    flow.participants[1].address = B
    flow.allocations[0].amount = "10"
    wizard = CreateWizard(flow)
    while wizard.page != "submit":
        wizard.next()
    client = await ready_client(node.url, "0.5", ALICE)
    try:
        assert await wizard.submit(PresignedSender(client, {A: ALICE}).submitter()) is SubmitState.REFUSED
    finally:
        await client.close()
    submission = wizard.submission
    assert submission.error is not None
    assert submission.error.startswith("operation denied: non-zero allocation in 1 channel(s)")
    assert submission.explanation == explain_server_error(submission.error)
    assert submission.problem_text == f"{submission.error}\n\n{submission.explanation}"
    assert submission.fix_page is None and submission.can_retry
    assert refusal(wizard.fix) == {"page": "No page of the wizard fixes this."}
    assert wizard.page == "submit"
