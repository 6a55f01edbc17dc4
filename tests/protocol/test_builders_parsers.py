"""Builders reproduce the SDK's params; parsers type every result, error shape and notification."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from nitro_desktop.protocol import (
    AddressError,
    Allocation,
    AmountError,
    AppDefinition,
    AppSession,
    AppSessionUpdate,
    AuthChallenge,
    AuthResult,
    BalanceUpdate,
    Dialect,
    ProtocolError,
    RawKeySigner,
    ServerError,
    UnknownMessage,
    builders,
    check_precision,
    decode_result,
    encode_request,
    parse_address,
    parse_amount,
    parse_server_message,
    reachable_quorum,
    sign_response,
    spec,
)
from tests.protocol.vectors import load

A = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _vector(file: str, vector_id: str) -> dict[str, Any]:
    return next(v for v in load(file)["vectors"] if v["id"] == vector_id)


def _req(vector: dict[str, Any]) -> list[Any]:
    req: list[Any] = json.loads(vector["wire"])["req"]
    return req


def _typed(inputs: dict[str, Any]) -> tuple[AppDefinition, list[Allocation], str | None]:
    d = inputs["definition"]
    definition = AppDefinition(
        protocol=d["protocol"],
        participants=tuple(d["participants"]),
        weights=tuple(d["weights"]),
        quorum=d["quorum"],
        challenge=d["challenge"],
        nonce=d["nonce"],
        application=d.get("application", ""),
    )
    allocations = [
        Allocation(a["participant"], a["asset"], Decimal(a["amount"])) for a in inputs["allocations"]
    ]
    return definition, allocations, inputs.get("session_data")


@pytest.mark.parametrize(
    ("file", "vector_id", "dialect"),
    [
        ("seed_sdk013.json", "seed013.create_app_session.3p_referee", "0.2"),
        ("seed_sdk0226.json", "seed0226.create_app_session", "0.2"),
        ("v04_sdk053.json", "v04.create_app_session.2p_multisig", "0.5"),
        ("v04_sdk053.json", "v04.create_app_session.2p_v02", "0.5"),
    ],
)
def test_create_app_session_builder_matches_sdk(file: str, vector_id: str, dialect: str) -> None:
    vector = _vector(file, vector_id)
    call = builders.create_app_session(dialect, *_typed(vector["inputs"]))
    req = _req(vector)
    assert (call.method, call.params) == (req[1], req[2])
    assert encode_request(req[0], call.method, call.params, req[3]) == vector["signed_bytes"]


@pytest.mark.parametrize(
    "vector_id",
    [
        "v04.submit_app_state.operate_v2",
        "v04.submit_app_state.deposit_v3",
        "v04.submit_app_state.v02_no_intent",
    ],
)
def test_submit_app_state_builder_matches_sdk(vector_id: str) -> None:
    vector = _vector("v04_sdk053.json", vector_id)
    inputs = vector["inputs"]
    allocations = [
        Allocation(a["participant"], a["asset"], Decimal(a["amount"])) for a in inputs["allocations"]
    ]
    call = builders.submit_app_state(
        "0.5",
        inputs["app_session_id"],
        allocations,
        intent=inputs.get("intent"),
        version=inputs.get("version"),
        session_data=inputs.get("session_data"),
    )
    assert call.params == _req(vector)[2]


def test_close_builder_matches_sdk_in_both_dialects() -> None:
    for file, vector_id, dialect in [
        ("seed_sdk0226.json", "seed0226.close_app_session", "0.2"),
        ("v04_sdk053.json", "v04.close_app_session.3p_referee", "0.5"),
    ]:
        vector = _vector(file, vector_id)
        params = _req(vector)[2]
        obj = params[0] if isinstance(params, list) else params
        allocations = [
            Allocation(a["participant"], a["asset"], Decimal(a["amount"])) for a in obj["allocations"]
        ]
        call = builders.close_app_session(dialect, obj["app_session_id"], allocations)
        assert call.params == params


def test_auth_request_builders_match_sdk() -> None:
    seed = _vector("seed_sdk0226.json", "seed0226.auth_request.session_key")
    i = seed["inputs"]
    call = builders.auth_request(
        "0.2",
        address=i["wallet"],
        session_key=i["participant"],
        application=i["app_name"],
        allowances=[(a["asset"], a["amount"]) for a in i["allowances"]],
        expires_at=int(i["expire"]),
        scope=i["scope"],
        app_address=i["application"],
    )
    assert call.params == _req(seed)[2]
    v05 = _vector("v04_sdk053.json", "v04.auth_request.session_key")
    i = v05["inputs"]
    call = builders.auth_request(
        "0.5",
        address=i["address"],
        session_key=i["session_key"],
        application=i["application"],
        allowances=[(a["asset"], a["amount"]) for a in i["allowances"]],
        expires_at=int(i["expires_at"]),
        scope=i["scope"],
    )
    assert call.params == _req(v05)[2]


def test_getters_in_both_dialects() -> None:
    assert builders.ping("0.2").params == [] and builders.ping("0.5").params == {}
    assert builders.get_app_sessions("0.2", participant=A, status="open").params == [
        {"participant": A, "status": "open"}
    ]
    assert builders.get_app_sessions("0.5", participant=A, limit=5, sort="desc").params == {
        "participant": A,
        "limit": 5,
        "sort": "desc",
    }
    assert builders.get_ledger_balances("0.2", participant=A).params == [{"participant": A}]
    assert builders.get_ledger_balances("0.5").params == {}
    assert builders.get_session_keys("0.5").method == "get_session_keys"
    with pytest.raises(ProtocolError, match=r"not available in dialect 0\.2"):
        builders.revoke_session_key("0.2", A)
    with pytest.raises(ProtocolError, match="sort must be"):
        builders.get_app_sessions("0.5", sort="up")
    with pytest.raises(ProtocolError, match="intent and version need"):
        builders.submit_app_state("0.2", "0x01", [], intent="operate", version=2)
    with pytest.raises(ProtocolError, match="unsupported protocol"):
        builders.create_app_session("0.5", AppDefinition("nitroliterpc", (A, B), (1, 1), 2, 0, 1), [])
    with pytest.raises(ProtocolError, match="unknown dialect"):
        builders.ping("0.9")


def test_error_shapes_of_every_era() -> None:
    cases = {
        "response.seed_early.error": ("Failed to create application: insufficient funds", "E1"),
        "response.seed.error": (f"missing signature for participant {A}", "E2"),
        "response.v04.error": (f"missing signature for participant {A}", "E3"),
    }
    for vector_id, (text, shape) in cases.items():
        wire = _vector("responses_constructed.json", vector_id)["wire"]
        for dialect in (Dialect.V02, Dialect.V05):  # 0.x frames
            message = parse_server_message(wire, dialect)
            assert message.is_error
            assert message.payload == ServerError(text, shape)


def test_results_and_notifications_are_typed() -> None:
    seed = {v["id"]: v["wire"] for v in load("responses_constructed.json")["vectors"]}
    msg = parse_server_message(seed["response.seed.auth_challenge"], "0.2")
    assert msg.payload == AuthChallenge("2f5c3a1e-8d4b-4e6f-a7c9-0b1d3e5f7a92")
    msg = parse_server_message(seed["response.seed.auth_verify"], "0.2")
    assert isinstance(msg.payload, AuthResult) and msg.payload.success and msg.payload.address == A
    msg = parse_server_message(seed["response.seed_early.create_app_session"], "0.2")
    assert isinstance(msg.payload, AppSession) and msg.payload.status == "open" and msg.payload.version == 0
    msg = parse_server_message(seed["response.seed.create_app_session"], "0.2")
    assert msg.payload.version == 1
    msg = parse_server_message(seed["response.v04.create_app_session"], "0.5")
    assert msg.payload.app_session_id.startswith("0x37ec") and msg.payload.application == ""
    for vector_id, dialect in [("response.seed.bu", "0.2"), ("response.v04.bu", "0.5")]:
        msg = parse_server_message(seed[vector_id], dialect)
        assert msg.is_notification and isinstance(msg.payload, BalanceUpdate)
        assert msg.payload.balances[0].asset == "usdc"
        assert msg.frame.signers() == ["0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"]


def test_unknown_methods_and_extra_fields_are_kept() -> None:
    assert decode_result("0.5", "brand_new", {"x": 1}) == UnknownMessage("brand_new", {"x": 1})
    session = decode_result("0.5", "create_app_session", {"app_session_id": "0x1", "shiny": [1]})
    assert session.extra == {"shiny": [1]}
    update = decode_result(
        "0.5",
        "asu",
        {
            "app_session": {"app_session_id": "0x1", "version": 3, "status": "open"},
            "participant_allocations": [{"participant": A, "asset": "usdc", "amount": "1.5"}],
        },
    )
    assert isinstance(update, AppSessionUpdate)
    assert update.participant_allocations[0].amount == Decimal("1.5")
    with pytest.raises(ProtocolError, match="create_app_session"):
        decode_result("0.5", "create_app_session", {"app_session_id": 5})


def test_server_signing_uses_the_dialects_v() -> None:
    broker = RawKeySigner("0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6")
    for dialect, v in (("0.2", {"00", "01"}), ("0.5", {"1b", "1c"})):
        frame = sign_response(
            5, "pong", spec(dialect).wrap_result(None), 9, broker, v_offset=spec(dialect).server_v_offset
        )
        message = parse_server_message(frame, dialect)
        assert message.frame.signers() == [broker.address]
        assert message.frame.signatures[0][-2:] in v


def test_input_rules() -> None:
    assert parse_address(A.lower()) == A
    with pytest.raises(AddressError, match="checksum is wrong"):
        parse_address("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    with pytest.raises(AddressError, match="40 hex digits"):
        parse_address("0x1234")
    assert parse_amount("1000000") == Decimal(1000000)
    assert parse_amount("0.000001") == Decimal("0.000001")
    for bad in ["1e6", "abc", "", "NaN", "1,5"]:
        with pytest.raises(AmountError):
            parse_amount(bad)
    with pytest.raises(AmountError, match="float"):
        parse_amount(1.5)
    with pytest.raises(AmountError, match="negative"):
        parse_amount("-1")
    assert parse_amount("-1", allow_negative=True) == Decimal(-1)
    check_precision(Decimal("1.000000"), 6)
    with pytest.raises(AmountError, match="more than 6 decimal places"):
        check_precision(Decimal("1.0000001"), 6)
    assert reachable_quorum([100, 0], 100) and not reachable_quorum([50, 40], 100)


def test_floats_never_reach_the_wire() -> None:
    with pytest.raises(ProtocolError, match="floats are not allowed"):
        encode_request(1, "transfer", [{"amount": 1.5}], 1)
