"""The create flow on dialect "1", headless: the spec's fields, limits, empty creates, the
quorum signers, and a review frame that is exactly what the v1 sandbox accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nitro_desktop.client import ClearNodeClient
from nitro_desktop.protocol import Dialect, v1
from tests.flows.helpers import ALICE, A, B, create_flow


def v1_flow(**kw: Any) -> Any:
    flow = create_flow(Dialect.V1, **kw)
    flow.participants[1].address = B
    return flow


def test_v1_asks_for_an_application_id_and_no_protocol_or_challenge() -> None:
    flow = v1_flow()
    assert flow.application_fields() == ("application", "nonce")
    assert flow.pages() == ("application", "participants", "allocations", "signers", "review", "submit")
    assert flow.application == "nitro-desktop" and flow.application_problems() == {}
    for bad in ("Nitro Desktop", "NITRO", "a" * 67, "x.y"):
        flow.application = bad
        assert "lower-case letters a-z" in flow.application_problems()["application"], bad
    flow.application = "my_app-1"
    assert flow.application_problems() == {}


def test_v1_weights_and_quorum_are_one_byte() -> None:
    flow = v1_flow()
    flow.participants[0].weight = "256"
    assert "at most 255" in flow.participant_problems()["weight.0"]
    flow.participants[0].weight = "255"
    flow.quorum = "256"
    assert "from 1 to 255" in flow.participant_problems()["quorum"]
    flow.quorum = "0"
    assert "at least 1" in flow.participant_problems()["quorum"]
    flow.quorum = "255"
    assert flow.participant_problems() == {}
    # The 0.x dialects keep their wider limits.
    wide = create_flow(Dialect.V05)
    wide.participants[1].address = B
    wide.participants[0].weight, wide.quorum = "1000", "1000"
    assert wide.participant_problems() == {}


def test_v1_create_needs_signers_reaching_the_quorum() -> None:
    flow = v1_flow(local_accounts=[A, B])
    flow.participants[0].weight, flow.participants[1].weight, flow.quorum = "50", "50", "100"
    flow.preselect_signers()
    assert flow.signers == {A, B}  # nobody funds at create, but the quorum must sign
    flow.signers = {A}
    assert "weight is 50 of the quorum 100" in flow.signer_problems()["signers"]


def test_v1_review_is_the_exact_frame_and_id() -> None:
    flow = v1_flow()
    flow.signers = {A}
    review = flow.review()
    assert review.problem is None
    frame = json.loads(review.request)
    assert frame[:3] == [1, 1, "app_sessions.v1.create_app_session"]
    definition = frame[3]["definition"]
    assert definition == {
        "application_id": "nitro-desktop",
        "participants": [
            {"wallet_address": A.lower(), "signature_weight": 100},
            {"wallet_address": B.lower(), "signature_weight": 0},
        ],
        "quorum": 100,
        "nonce": str(flow.now_ms),
    }
    assert review.session_id == v1.app_session_id(definition) == flow.expected_session_id()
    assert flow.allocation_list() == []
    assert "starts empty" in review.summary and "Challenge" not in review.summary


@pytest.mark.asyncio
async def test_the_v1_sandbox_creates_the_reviewed_session(v1_sandbox_factory: Any) -> None:
    node = await v1_sandbox_factory()
    flow = v1_flow()
    flow.signers = {A}
    async with ClearNodeClient(node.url, Dialect.V1, timeout=3.0) as client:
        created = await client.create_app_session(flow.definition(), [], [ALICE], flow.sent_session_data)
        assert created.app_session_id == flow.review().session_id
        listed = await client.find_app_session(created.app_session_id)
        assert listed is not None and listed.status == "open" and listed.application == "nitro-desktop"
