"""Upstream's own test vectors and vectors made by upstream's Go code, replayed byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nitro_desktop.protocol.errors import ProtocolError
from nitro_desktop.protocol.v1 import (
    TRANSITION_INTENTS,
    V1FrameError,
    app_session_id,
    app_state_update_hash,
    channel_metadata,
    check_application_id,
    create_session_hash,
    decimal_string,
    decode_frame,
    encode_frame,
    escrow_channel_id,
    home_channel_id,
    normalize_address,
    pack_state,
    parse_decimal,
    quorum_signature,
    recover_quorum,
    recover_quorum_signer,
    session_key_state_hash,
    session_key_state_id,
    state_id,
)
from nitro_desktop.protocol.v1.channel import pack_challenge_state
from nitro_desktop.protocol.v1.decimals import to_int256, to_uint256
from nitro_desktop.protocol.v1.payloads import (
    create_app_session_payload,
    get_app_definition_payload,
    get_app_sessions_payload,
    pagination,
    parse_app_definition,
    parse_app_sessions,
    parse_created_session,
    submit_app_state_payload,
)

VECTOR_DIR = Path(__file__).parent / "vectors"
UPSTREAM: dict[str, Any] = json.loads((VECTOR_DIR / "upstream_tests.json").read_text(encoding="utf-8"))
GENERATED: dict[str, Any] = json.loads((VECTOR_DIR / "generated_go.json").read_text(encoding="utf-8"))


def cases(section: str) -> list[Any]:
    """Both files' entries of one section, with ids saying which file and entry they are."""
    out = []
    for name, data in (("upstream", UPSTREAM), ("go", GENERATED)):
        for i, entry in enumerate(data.get(section, [])):
            out.append(pytest.param(entry, id=f"{name}-{i}"))
    return out


def test_every_vector_has_an_origin() -> None:
    assert "v1.4.1" in GENERATED["origin"] and "v1.4.1" in UPSTREAM["origin"]
    for section, entries in UPSTREAM.items():
        if isinstance(entries, list):
            for entry in entries:
                assert "@ layer-3/nitrolite v1.4.1" in entry["origin"], section
    for section, entries in GENERATED.items():
        if isinstance(entries, list):
            assert section in GENERATED["functions"], section


@pytest.mark.parametrize("entry", cases("app_session_id"))
def test_app_session_id(entry: dict[str, Any]) -> None:
    assert app_session_id(entry["definition"]) == entry["expected"]


@pytest.mark.parametrize("entry", cases("create_session_hash"))
def test_create_session_hash(entry: dict[str, Any]) -> None:
    assert create_session_hash(entry["definition"], entry["session_data"]) == entry["expected"]


@pytest.mark.parametrize("entry", cases("app_state_update_hash"))
def test_app_state_update_hash(entry: dict[str, Any]) -> None:
    assert app_state_update_hash(entry["update"]) == entry["expected"]


@pytest.mark.parametrize("entry", cases("session_key_state_hash"))
def test_session_key_state_hash(entry: dict[str, Any]) -> None:
    assert session_key_state_hash(entry["state"]) == entry["expected"]


@pytest.mark.parametrize("entry", cases("session_key_state_id"))
def test_session_key_state_id(entry: dict[str, Any]) -> None:
    got = session_key_state_id(entry["user_address"], entry["session_key"], entry["version"])
    assert got == entry["expected"]


@pytest.mark.parametrize("entry", cases("decimal_string"))
def test_decimal_string(entry: dict[str, Any]) -> None:
    if "error" in entry:
        with pytest.raises(ProtocolError) as caught:
            decimal_string(entry["input"])
        assert str(caught.value) == entry["error"]
    else:
        assert decimal_string(entry["input"]) == entry["expected"]


@pytest.mark.parametrize("entry", cases("scaled_amount"))
def test_scaled_amount(entry: dict[str, Any]) -> None:
    scale = to_int256 if entry["signed"] else to_uint256
    assert str(scale(parse_decimal(entry["amount"]), entry["decimals"], "amount")) == entry["expected"]


@pytest.mark.parametrize("entry", cases("quorum_signature"))
def test_quorum_signature(entry: dict[str, Any]) -> None:
    signature = quorum_signature(entry["hash"], entry["private_key"], entry["kind"])
    assert signature == entry["expected"]
    assert recover_quorum_signer(entry["hash"], signature) == entry["recovered"] == entry["address"]
    assert recover_quorum(entry["hash"], signature) == (entry["kind"], entry["address"])


@pytest.mark.parametrize("entry", cases("home_channel_id"))
def test_home_channel_id(entry: dict[str, Any]) -> None:
    version = entry.get("hub_version", 1)
    assert (
        home_channel_id(entry["channel_definition"], entry["asset"], hub_version=version) == entry["expected"]
    )


@pytest.mark.parametrize("entry", cases("escrow_channel_id"))
def test_escrow_channel_id(entry: dict[str, Any]) -> None:
    assert escrow_channel_id(entry["home_channel_id"], entry["version"]) == entry["expected"]


@pytest.mark.parametrize("entry", cases("channel_metadata"))
def test_channel_metadata(entry: dict[str, Any]) -> None:
    assert "0x" + channel_metadata(entry["asset"]).hex() == entry["expected"]


@pytest.mark.parametrize("entry", cases("state_id"))
def test_state_id(entry: dict[str, Any]) -> None:
    got = state_id(entry["user_wallet"], entry["asset"], entry["epoch"], entry["version"])
    assert got == entry["expected"]


@pytest.mark.parametrize("entry", cases("pack_state"))
def test_pack_state(entry: dict[str, Any]) -> None:
    if "error" in entry:
        with pytest.raises(ProtocolError) as caught:
            pack_state(entry["state"], entry["decimals"])
        # Amount errors carry upstream's own wording after the field name.
        if ": amount " in entry["error"]:
            assert entry["error"].split(": ", 1)[1] in str(caught.value)
        return
    assert "0x" + pack_state(entry["state"], entry["decimals"]).hex() == entry["expected"]
    if "challenge_expected" in entry:
        assert (
            "0x" + pack_challenge_state(entry["state"], entry["decimals"]).hex()
            == entry["challenge_expected"]
        )


@pytest.mark.parametrize("entry", cases("frames_encode"))
def test_encode_frame(entry: dict[str, Any]) -> None:
    text = encode_frame(
        entry["kind"], int(entry["request_id"]), entry["method"], entry["payload"], entry["timestamp"]
    )
    assert text == entry["expected"]
    frame = decode_frame(text)
    assert (frame.kind, frame.request_id, frame.method) == (
        entry["kind"],
        int(entry["request_id"]),
        entry["method"],
    )
    assert frame.payload == (entry["payload"] or {})
    assert frame.encode() == text


@pytest.mark.parametrize("entry", cases("frames_decode"))
def test_decode_frame(entry: dict[str, Any]) -> None:
    if "error" in entry:
        with pytest.raises(V1FrameError) as caught:
            decode_frame(entry["text"])
        # Where upstream's error names the element, ours names the same one.
        for element in ("type", "request_id", "method", "params", "timestamp", "expected 5 elements"):
            if element in entry["error"].split(":")[0]:
                assert element in str(caught.value)
        if "request_id_read" in entry:
            assert caught.value.request_id == int(entry["request_id_read"])
        return
    frame = decode_frame(entry["text"])
    assert frame.kind == entry["kind"]
    assert frame.request_id == int(entry["request_id"])
    assert frame.method == entry["method"]
    assert frame.payload == (entry["payload"] or {})
    assert frame.timestamp == int(entry["timestamp"])


@pytest.mark.parametrize("entry", cases("normalize_address"))
def test_normalize_address(entry: dict[str, Any]) -> None:
    if entry.get("error"):
        with pytest.raises(ProtocolError):
            normalize_address(entry["input"])
    else:
        assert normalize_address(entry["input"]) == entry["expected"]


@pytest.mark.parametrize("entry", cases("application_id"))
def test_application_id(entry: dict[str, Any]) -> None:
    if entry["valid"]:
        assert check_application_id(entry["input"]) == entry["input"]
    else:
        with pytest.raises(
            ProtocolError, match=r"invalid application id: must match \^\[a-z0-9_-\]\{1,66\}\$"
        ):
            check_application_id(entry["input"])


@pytest.mark.parametrize("entry", cases("transition_intent"))
def test_transition_intent(entry: dict[str, Any]) -> None:
    assert TRANSITION_INTENTS[entry["transition_type"]] == entry["expected"]


def _built_payload(method: str, wire: dict[str, Any]) -> dict[str, Any] | None:
    """The same request made by our builders from its fields (None for methods without one)."""
    if method == "app_sessions.v1.create_app_session":
        return create_app_session_payload(
            wire["definition"], wire["session_data"], wire.get("quorum_sigs", ()), wire.get("owner_sig", "")
        )
    if method == "app_sessions.v1.submit_app_state":
        return submit_app_state_payload(wire["app_state_update"], wire["quorum_sigs"])
    if method == "app_sessions.v1.get_app_definition":
        return get_app_definition_payload(wire["app_session_id"])
    if method == "app_sessions.v1.get_app_sessions":
        page = wire.get("pagination")
        return get_app_sessions_payload(
            wire.get("app_session_id"),
            wire.get("participant"),
            wire.get("status"),
            None if page is None else pagination(**page),
        )
    return None


BUILT_METHODS = {
    "app_sessions.v1.create_app_session",
    "app_sessions.v1.submit_app_state",
    "app_sessions.v1.get_app_definition",
    "app_sessions.v1.get_app_sessions",
}


@pytest.mark.parametrize(
    "entry",
    [
        e
        for e in cases("frames_encode")
        if e.values[0]["kind"] == 1 and e.values[0]["method"] in BUILT_METHODS
    ],
)
def test_builders_make_upstreams_request_bytes(entry: Any) -> None:
    built = _built_payload(entry["method"], entry["payload"] or {})
    assert built is not None
    text = encode_frame(1, int(entry["request_id"]), entry["method"], built, entry["timestamp"])
    assert text == entry["expected"]


def _frame(name: str) -> dict[str, Any]:
    return next(e for e in GENERATED["frames_encode"] if e["name"] == name)


def test_response_readers_read_upstreams_responses() -> None:
    created = parse_created_session(decode_frame(_frame("create_response")["expected"]).payload)
    assert created == ("0x9b88181fc2ee0bc03abad5c4c9ea421c6748919882d4053204d95fbc79a175eb", 1, "open")
    sessions, meta = parse_app_sessions(decode_frame(_frame("get_app_sessions_response")["expected"]).payload)
    assert [s.status for s in sessions] == ["open", "closed"]
    assert sessions[0].session_data == '{"turn":2}' and sessions[1].session_data == ""
    assert [a.to_wire() for a in sessions[0].allocations] == [
        {"participant": "0x1111111111111111111111111111111111111111", "asset": "usdc", "amount": "0.5"}
    ]
    assert sessions[0].version == 3 and sessions[0].definition.nonce == 2**64 - 1
    assert app_session_id(sessions[0].definition) == app_session_id(
        _frame("create_request")["payload"]["definition"]
    )
    assert meta == (1, 50, 2, 1)
    definition = parse_app_definition(decode_frame(_frame("get_app_definition_response")["expected"]).payload)
    assert definition is not None and definition.quorum == 2
    assert parse_app_definition({}) is None
