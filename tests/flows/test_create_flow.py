"""The wizard's rules, page by page, without Qt."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from nitro_desktop.flows import CreateSessionFlow, UpdateSessionFlow
from nitro_desktop.protocol import (
    AppDefinition,
    Dialect,
    ProtocolError,
    RawKeySigner,
    app_session_id,
    recover_signers,
)

A = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
R = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
ASSETS = {"usdc": 6, "eth": 18}


def make(dialect: str = "0.2", **kw: object) -> CreateSessionFlow:
    defaults: dict[str, object] = {
        "local_accounts": [A],
        "assets": ASSETS,
        "balances": {(A, "usdc"): Decimal("100")},
        "now_ms": 1735689600000,
    }
    defaults.update(kw)
    return CreateSessionFlow(Dialect(dialect), **defaults)  # type: ignore[arg-type]


def test_defaults_per_dialect() -> None:
    f2, f5 = make("0.2"), make("0.5")
    assert f2.protocol == "NitroRPC/0.2" and f5.protocol == "NitroRPC/0.4"
    assert f2.nonce == "1735689600000"
    assert f2.participants[0].address == A and f2.participants[0].weight == "100"
    assert f2.application_problems() == {}


def test_application_page_rules() -> None:
    f = make("0.5")
    f.protocol = "nitroliterpc"
    f.application = " "
    f.nonce = "0"
    f.challenge = "-1"
    problems = f.application_problems()
    assert "NitroRPC/0.2 or NitroRPC/0.4" in problems["protocol"]
    assert "application name" in problems["application"]
    assert "must not be zero" in problems["nonce"]
    assert "whole number" in problems["challenge"]
    f = make("0.2")
    f.protocol = "nitroliterpc"  # the array-params server took any protocol string
    f.nonce = str(2**64)
    assert set(f.application_problems()) == {"nonce"}


def test_nonce_and_challenge_the_server_would_round_are_refused() -> None:
    f = make("0.5")
    f.nonce, f.challenge = str(2**53 + 1), str(2**53)
    problems = f.application_problems()
    assert "at most 9007199254740991" in problems["nonce"] and "64-bit floats" in problems["nonce"]
    assert "at most 9007199254740991" in problems["challenge"]
    f.nonce, f.challenge = str(2**53 - 1), "0"
    assert f.application_problems() == {}


def test_participant_page_rules_and_checksum_fix() -> None:
    f = make()
    f.participants[1].address = B.lower()  # no checksum: accepted and checksummed
    assert f.participant_problems() == {}
    f.participants[1].address = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"  # wrong mixed case
    assert "checksum is wrong" in f.participant_problems()["participant.1"]
    assert f.fix_checksum(1) and f.participants[1].address == B
    f.participants[1].address = A
    assert "repeats participant 1" in f.participant_problems()["participant.1"]
    f.participants[1].address = B
    f.participants[1].weight = "x"
    assert "weight" in f.participant_problems()["weight.1"]
    f.participants[1].weight = "0"
    f.quorum = "101"
    assert "No set of signers can reach a quorum of 101" in f.participant_problems()["quorum"]
    f.remove_participant(1)
    assert "at least two" in f.participant_problems()["participants"]


def test_presets_and_quorum_statement() -> None:
    f = make()
    f.participants[1].address = B
    f.add_participant(R)
    f.apply_preset("referee")
    assert [p.weight for p in f.participants] == ["0", "0", "100"] and f.quorum == "100"
    assert f.quorum_sets() == [(2,)]
    assert "#3" in f.quorum_statement()
    f.apply_preset("equal")
    assert f.quorum == "3" and f.quorum_sets() == [(0, 1, 2)]
    f.apply_preset("i_decide")
    assert f.quorum_sets() == [(0,)]
    f.quorum = "500"
    assert f.quorum_statement().startswith("Warning: no set of signers")
    f.move_participant(0, 1)
    assert f.participants[1].address == A


def test_allocation_page_refuses_what_the_server_would() -> None:
    f = make()
    f.participants[1].address = B
    f.allocations[0].amount = "150"
    assert "Insufficient funds" in f.allocation_problems()["amount.0"]
    f.allocations[0].amount = "-1"
    assert "negative" in f.allocation_problems()["amount.0"]
    f.allocations[0].amount = "1.0000001"
    assert "more than 6 decimal places" in f.allocation_problems()["amount.0"]
    f.allocations[0].amount = "10"
    f.allocations[1].amount = "5"
    # B is not ours: the amount is fine here, but B's signature must be collected.
    assert f.allocation_problems() == {}
    f.signers = {A}
    assert f.external_signers() == [B]
    assert "must sign on their own computer: " + B in f.signer_problems()["external"]
    f.allocations[1].amount = "0"
    f.allocations[1].asset = "doge"
    assert "Choose an asset" in f.allocation_problems()["asset.1"]
    f.allocations[1].asset = "usdc"
    assert f.allocation_problems() == {}
    assert f.total_by_asset() == {"usdc": Decimal(10)}


def test_signers_page_requires_funders() -> None:
    f = make()
    f.participants[1].address = B
    f.allocations[0].amount = "10"
    assert "must sign" in f.signer_problems()["signers"]
    f.signers = {A}
    assert f.signer_problems() == {}
    f.signers = {A, B}
    assert "Only your own accounts" in f.signer_problems()["signers"]


@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
def test_review_builds_the_request_with_the_expected_id(dialect: str) -> None:
    signer = RawKeySigner("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    f = make(dialect)
    f.participants[1].address = B
    f.allocations[0].amount = "10.5"
    f.signers = {A}
    assert f.all_problems() == {}
    call = f.call()
    params = call.params[0] if dialect == "0.2" else call.params
    assert params["allocations"][0] == {"participant": A, "asset": "usdc", "amount": "10.5"}
    assert f.expected_session_id() == app_session_id(params["definition"], dialect)
    assert ("application" in params["definition"]) == (dialect == "0.5")
    assert "puts in 10.5 usdc" in f.summary() and "(you)" in f.summary()
    frame = f.call()
    from nitro_desktop.protocol import sign_request

    wire = sign_request(1, frame.method, frame.params, 1, [signer])
    assert recover_signers(wire) == [A]
    assert json.loads(wire)["req"][1] == "create_app_session"


def test_invalid_flow_cannot_build() -> None:
    f = make()
    with pytest.raises(ProtocolError, match="participant 2"):
        f.call()


def _session(weights: tuple[int, ...], quorum: int, protocol: str = "NitroRPC/0.2") -> AppDefinition:
    return AppDefinition(protocol, (A, B), weights, quorum, 0, 1)


def test_close_flow_rules() -> None:
    current = {(A, "usdc"): Decimal(10), (B, "usdc"): Decimal(0)}
    f = UpdateSessionFlow("close", Dialect.V02, "0xabc", _session((100, 0), 100), 1, [A, B], ASSETS, current)
    assert f.signers == {A}  # B has weight 0: the array-params server would refuse its signature
    assert f.problems() == {}
    f.amounts[0] = "4"
    assert "add up to 4 usdc but the session holds 10" in f.problems()["total"]
    f.amounts[1] = "6"
    assert f.problems() == {}
    assert f.call().params == [
        {
            "app_session_id": "0xabc",
            "allocations": [
                {"participant": A, "asset": "usdc", "amount": "4"},
                {"participant": B, "asset": "usdc", "amount": "6"},
            ],
        }
    ]
    f.signers = {A, B}
    assert "positive weight" in f.problems()["signers"]


def test_submit_flow_quorum_and_intents() -> None:
    current = {(A, "usdc"): Decimal(5), (B, "usdc"): Decimal(5)}
    definition = _session((50, 50), 100, "NitroRPC/0.4")
    f = UpdateSessionFlow("submit", Dialect.V05, "0xabc", definition, 3, [A], ASSETS, current)
    assert "weight is 50 of the 100 needed" in f.problems()["signers"]
    f.local_accounts = [A, B]
    f.signers = {A, B}
    f.intent = "deposit"
    f.amounts[0] = "7"
    assert f.problems() == {}  # deposits change the total
    call = f.call()
    assert call.params["intent"] == "deposit" and call.params["version"] == 4
    f.intent = "operate"
    assert "every unit must be redistributed" in f.problems()["total"]
