"""The session builders write their params' JSON once (``RpcCall.params_json``).

That text must be exactly what the generic encoder makes of ``params``, so the
frame signed through the fast path is byte for byte the generic one's, for any
input the builders accept, and for the SDK vectors.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nitro_desktop.protocol import (
    Allocation,
    AppDefinition,
    ProtocolError,
    RawKeySigner,
    RpcCall,
    builders,
    encode_request,
    sign_request,
)
from nitro_desktop.protocol.canonical import _general_js_json
from nitro_desktop.protocol.dialect import spec
from nitro_desktop.protocol.frames import encode_request_with
from tests.protocol.vectors import all_vectors, private_keys

SIGNER = RawKeySigner(bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"))
# Any code point, lone surrogates and the characters JSON must escape included.
text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=12) | st.sampled_from(
    ["\ud800", 'a"b\\c', "\x00\x1f\x7f", "\u2028<>&", "é😀"]
)
exact = st.integers(min_value=0, max_value=2**53 - 1)
amounts = st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=0, max_value=10**30)
allocations = st.lists(st.builds(Allocation, text, text, amounts), max_size=4)
# Builders take whatever the caller hands them; odd values must fall back, not mis-encode.
odd_int = st.integers(min_value=-(2**70), max_value=2**70) | st.booleans() | st.just(1.5)


@st.composite
def definitions(draw: Any, dialect: str) -> AppDefinition:
    protocols = spec(dialect).protocols or ("NitroRPC/0.2",)
    return AppDefinition(
        protocol=draw(st.sampled_from(protocols) if dialect == "0.5" else text),
        participants=tuple(draw(st.lists(text, max_size=4))),
        weights=tuple(draw(st.lists(odd_int, max_size=4))),
        quorum=draw(odd_int),
        challenge=draw(exact),
        nonce=draw(exact),
        application=draw(text),
    )


def _generic_frame(call: RpcCall, request_id: int, ts: int) -> str:
    return sign_request(request_id, call.method, call.params, ts, [SIGNER])


def _outcome(fn: Any) -> tuple[str, str]:
    try:
        return ("ok", fn())
    except ProtocolError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_create_params_json_is_the_generic_encoding(dialect: str, data: Any) -> None:
    definition = data.draw(definitions(dialect))
    allocs = data.draw(allocations)
    session_data = data.draw(st.none() | text)
    call = builders.create_app_session(dialect, definition, allocs, session_data)
    plain = all(type(w) is int for w in (*definition.weights, definition.quorum))
    # Exact whole numbers take the fast path; bools and floats are left to the generic encoder.
    assert (call.params_json is not None) == plain
    if call.params_json is not None:
        assert call.params_json == _general_js_json(call.params)
    request_id, ts = data.draw(exact.filter(bool)), data.draw(exact.filter(bool))
    fast = _outcome(lambda: spec(dialect).encode_frame(request_id, call, ts, [SIGNER]))
    assert fast == _outcome(lambda: _generic_frame(call, request_id, ts))


@given(
    session_id=text,
    allocs=allocations,
    session_data=st.none() | text,
    version=st.none() | st.integers(min_value=2, max_value=2**60),
)
@settings(max_examples=150, deadline=None)
def test_submit_and_close_params_json_is_the_generic_encoding(
    session_id: str, allocs: list[Allocation], session_data: str | None, version: int | None
) -> None:
    calls = [
        builders.close_app_session("0.2", session_id, allocs, session_data),
        builders.submit_app_state("0.2", session_id, allocs, session_data=session_data),
        builders.submit_app_state(
            "0.5", session_id, allocs, intent="operate" if version else None, version=version
        ),
    ]
    for call in calls:
        assert call.params_json == _general_js_json(call.params)
        assert spec("0.5").encode_frame(3, call, 9, [SIGNER]) == _generic_frame(call, 3, 9)


@given(request_id=st.integers(min_value=0, max_value=2**64) | st.booleans(), method=text, ts=exact)
def test_req_around_written_params_is_encode_request(request_id: int, method: str, ts: int) -> None:
    params = [{"a": "\ud800", "b": [1, "x"]}]
    written = _general_js_json(params)
    assert encode_request_with(request_id, method, written, ts) == encode_request(
        request_id, method, params, ts
    )


def test_a_call_made_by_hand_is_encoded_from_its_params() -> None:
    call = RpcCall("create_app_session", [{"definition": {"1": 1, "a": 2}}])
    assert call.params_json is None
    frame = spec("0.2").encode_frame(1, call, 2, [SIGNER])
    assert frame.startswith('{"req":[1,"create_app_session",[{"definition":{"1":1,"a":2}}],2]')
    assert frame == _generic_frame(call, 1, 2)


def test_a_float_amount_string_is_not_written_past_the_generic_refusal() -> None:
    # A definition number that is a float: the fast path steps aside and the generic one refuses.
    definition = AppDefinition("NitroRPC/0.2", ("0xA",), (1.5,), 1, 0, 1)  # type: ignore[arg-type]
    call = builders.create_app_session("0.2", definition, [])
    assert call.params_json is None
    with pytest.raises(ProtocolError, match="floats are not allowed"):
        spec("0.2").encode_frame(1, call, 2, [SIGNER])


SESSION_METHODS = ("create_app_session", "submit_app_state", "close_app_session")


def _rebuilt(dialect: str, method: str, params: dict[str, Any]) -> RpcCall | None:
    allocs = [Allocation(a["participant"], a["asset"], Decimal(a["amount"])) for a in params["allocations"]]
    if method == "create_app_session":
        definition = builders.definition_from_dict(params["definition"])
        return builders.create_app_session(dialect, definition, allocs, params.get("session_data"))
    extra = {k: params[k] for k in ("intent", "version") if k in params}
    if method == "submit_app_state":
        return builders.submit_app_state(
            dialect, params["app_session_id"], allocs, session_data=params.get("session_data"), **extra
        )
    if extra:
        return None
    return builders.close_app_session(dialect, params["app_session_id"], allocs, params.get("session_data"))


def test_sdk_session_vectors_come_out_byte_for_byte_through_the_builders() -> None:
    matched = 0
    for _, data, vector in all_vectors():
        if vector.get("signed_part") != "req" or "wire" not in vector:
            continue
        frame = json.loads(vector["wire"])
        req = frame.get("req")
        if not req or req[1] not in SESSION_METHODS:
            continue
        if not vector.get("signatures") or "sid" in frame or "eip191" in vector["id"]:
            continue
        keys = private_keys(data)
        signers = [RawKeySigner(keys[s["signer"]]) for s in vector["signatures"]]
        for dialect in ("0.2", "0.5"):
            params = (
                spec(dialect).unwrap_params(req[2])
                if type(req[2]) is (list if dialect == "0.2" else dict)
                else None
            )
            if params is None:
                continue
            try:
                call = _rebuilt(dialect, req[1], params)
            except (ProtocolError, KeyError, TypeError):
                continue
            if call is None or call.params != req[2]:
                continue
            assert call.params_json is not None, vector["id"]
            assert spec(dialect).encode_frame(req[0], call, req[3], signers) == vector["wire"], vector["id"]
            matched += 1
    assert matched >= 20
