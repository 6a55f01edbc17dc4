"""``signing.request_for`` signs exactly what a flow built; the from-pieces helpers are the same path."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from nitro_desktop import signing
from nitro_desktop.flows import UpdateSessionFlow
from nitro_desktop.protocol import Dialect, builders
from tests.flows.helpers import ASSETS, A, B, create_flow
from tests.signing.helpers import URL


def params_of(request: signing.SigningRequest) -> object:
    return json.loads(request.req)[2]


@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
def test_a_create_flow_and_its_pieces_make_the_same_request(dialect: str) -> None:
    flow = create_flow(dialect)
    flow.participants[1].address = B
    flow.allocations[0].amount = "7"
    flow.session_data = '{"round": 1}'
    built = signing.request_for(flow, URL, created_by=A)
    pieces = signing.create_request(
        URL, dialect, flow.definition(), flow.allocation_list(), '{"round": 1}', created_by=A
    )
    assert built.method == "create_app_session" and built.kind == "create"
    assert params_of(built) == params_of(pieces) == json.loads(json.dumps(flow.call().params))
    assert built.definition == flow.definition() and built.app_session_id == flow.expected_session_id()
    assert built.created_by == A and built.summary == pieces.summary
    assert built.endpoint == URL and built.dialect is Dialect(dialect)


def test_an_update_flow_is_signed_with_its_intent_and_version() -> None:
    flow = create_flow("0.5")
    flow.participants[1].address = B
    current = {(A, "usdc"): Decimal(3), (B, "usdc"): Decimal(0)}
    update = UpdateSessionFlow(
        "submit", Dialect.V05, "0x" + "ab" * 32, flow.definition(), 5, [A], ASSETS, current
    )
    update.intent = "deposit"
    update.amounts[0] = "4"
    request = signing.request_for(update, URL)
    assert request.method == "submit_app_state" and request.definition == flow.definition()
    assert params_of(request) == {
        "app_session_id": "0x" + "ab" * 32,
        "intent": "deposit",
        "version": 6,
        "allocations": [
            {"participant": A, "asset": "usdc", "amount": "4"},
            {"participant": B, "asset": "usdc", "amount": "0"},
        ],
    }


def test_what_cannot_be_built_or_signed_is_refused_with_the_reason() -> None:
    flow = create_flow("0.2")  # participant 2 has no address yet
    with pytest.raises(signing.SigningError) as refused:
        signing.request_for(flow, URL)
    assert str(refused.value) == "Enter participant 2's address."
    flow.participants[1].address = B
    not_a_session_call = signing.SessionCall(Dialect.V02, builders.ping(Dialect.V02), flow.definition())
    with pytest.raises(signing.SigningError) as info:
        signing.request_for(not_a_session_call, URL)
    assert str(info.value) == (
        "a signing request must hold one of create_app_session, submit_app_state, "
        "close_app_session, not 'ping'"
    )
