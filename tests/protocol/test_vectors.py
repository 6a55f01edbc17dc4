"""Every SDK vector reproduced byte for byte, signed identically, and recovered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from nitro_desktop.protocol import (
    Dialect,
    ProtocolError,
    RawKeySigner,
    app_session_id,
    auth_typed_data,
    encode_request,
    frame_from_req,
    go_json,
    keccak256,
    recover_address,
    recover_signers,
    sign_request,
    typed_data_digest,
)
from nitro_desktop.protocol.frames import sign_req_text
from tests.protocol.vectors import FILES, all_vectors, load, private_keys

VECTORS = all_vectors()
REQUEST_VECTORS = [
    (n, d, v) for n, d, v in VECTORS if v.get("signed_part") == "req" and json.loads(v["wire"]).get("req")
]
RESPONSE_VECTORS = [(n, d, v) for n, d, v in VECTORS if v.get("signed_part") == "res"]
EIP712_VECTORS = [(n, d, v) for n, d, v in VECTORS if "typed_data" in v]
ID_VECTORS = [(n, d, v) for n, d, v in VECTORS if (v.get("expected") or {}).get("app_session_id")]


def _ids(items: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[str]:
    return [v["id"] for _, _, v in items]


def test_every_vector_file_is_present_and_used() -> None:
    assert sum(len(load(name)["vectors"]) for name in FILES) == len(VECTORS) > 40
    assert len(REQUEST_VECTORS) >= 35 and len(RESPONSE_VECTORS) == 10 and len(EIP712_VECTORS) == 5


@pytest.mark.parametrize(("name", "data", "vector"), REQUEST_VECTORS, ids=_ids(REQUEST_VECTORS))
def test_request_vector_bytes_digest_signatures_and_wire(
    name: str, data: dict[str, Any], vector: dict[str, Any]
) -> None:
    frame = json.loads(vector["wire"])
    req_text = encode_request(*frame["req"])
    assert req_text == vector["signed_bytes"]
    assert "0x" + req_text.encode().hex() == vector["signed_bytes_hex"]
    assert "0x" + keccak256(req_text.encode()).hex() == vector["digest"]

    if vector["id"].endswith("negative.create_app_session_eip191"):
        # EIP-191 signed: raw recovery must NOT give the intended signer.
        recovered = recover_signers(vector["wire"])
        assert recovered == [vector["expected"]["server_recovers"]]
        assert vector["expected"]["intended_signer"] not in recovered
        return

    keys = private_keys(data)
    signers = [RawKeySigner(keys[s["signer"]]) for s in vector["signatures"]]
    sigs = sign_req_text(req_text, signers)
    assert sigs == [s["signature"] for s in vector["signatures"]]
    sig_field = sigs if signers else frame.get("sig")
    assert frame_from_req(req_text, sig_field, sid=frame.get("sid")) == vector["wire"]
    if signers and "sid" not in frame:
        # The public one-call API gives the same frame.
        assert sign_request(*frame["req"], signers) == vector["wire"]
    if vector["signatures"]:
        assert recover_signers(vector["wire"]) == [s["signer"] for s in vector["signatures"]]
        digest = bytes.fromhex(vector["digest"][2:])
        for s in vector["signatures"]:
            assert recover_address(digest, s["signature_v01"]) == s["signer"]


def test_eth_account_local_account_is_a_signer() -> None:
    data = load("seed_sdk013.json")
    vector = next(v for v in data["vectors"] if v["id"] == "seed013.create_app_session.2p")
    account = Account.from_key(data["keys"]["A"]["private_key"])
    assert sign_request(*json.loads(vector["wire"])["req"], [account]) == vector["wire"]


def test_unsigned_request_gives_empty_sig_list() -> None:
    assert sign_request(7, "ping", [], 1735689600000, []) == '{"req":[7,"ping",[],1735689600000],"sig":[]}'


@pytest.mark.parametrize(("name", "data", "vector"), RESPONSE_VECTORS, ids=_ids(RESPONSE_VECTORS))
def test_response_vector_go_json_and_broker_recovery(
    name: str, data: dict[str, Any], vector: dict[str, Any]
) -> None:
    res = json.loads(vector["wire"])["res"]
    assert go_json(res) == vector["signed_bytes"]
    assert "0x" + keccak256(vector["signed_bytes"].encode()).hex() == vector["digest"]
    assert recover_signers(vector["wire"]) == [s["signer"] for s in vector["signatures"]]


def _auth_request_params(data: dict[str, Any], verify_id: str) -> Any:
    """The params of the auth_request vector that precedes an auth_verify vector."""
    request_id = verify_id.replace("auth_verify_eip712", "auth_request")
    vector = next(v for v in data["vectors"] if v["id"] == request_id)
    return json.loads(vector["wire"])["req"][2]


@pytest.mark.parametrize(("name", "data", "vector"), EIP712_VECTORS, ids=_ids(EIP712_VECTORS))
def test_eip712_auth_vectors(name: str, data: dict[str, Any], vector: dict[str, Any]) -> None:
    expected_digest = bytes.fromhex(vector["eip712"]["digest"][2:])
    assert typed_data_digest(vector["typed_data"]) == expected_digest
    if name == "upstream_server_test.json":
        assert (
            recover_address(expected_digest, vector["signatures"][0]["signature"])
            == (vector["signatures"][0]["signer"])
        )
        return
    dialect = Dialect(FILES[name])
    challenge = vector["inputs"]["challenge"]
    typed = auth_typed_data(dialect, _auth_request_params(data, vector["id"]), challenge)
    assert typed["domain"] == vector["typed_data"]["domain"]
    assert typed["types"] == vector["typed_data"]["types"]
    assert typed_data_digest(typed) == expected_digest
    # eth-account accepts the message as-is, and signing it reproduces the SDK's signature.
    key = private_keys(data)[vector["signatures"][0]["signer"]]
    signed = Account.sign_message(encode_typed_data(full_message=typed), key)
    assert "0x" + bytes(signed.signature).hex() == vector["signatures"][0]["signature"]
    assert json.loads(vector["wire"])["sig"] == [vector["signatures"][0]["signature"]]
    assert encode_request(*json.loads(vector["wire"])["req"]) == vector["req_bytes"]


@pytest.mark.parametrize(("name", "data", "vector"), ID_VECTORS, ids=_ids(ID_VECTORS))
def test_app_session_id_vectors(name: str, data: dict[str, Any], vector: dict[str, Any]) -> None:
    params = json.loads(vector["wire"])["req"][2]
    params = params[0] if isinstance(params, list) else params
    expected = vector["expected"]
    dialect = Dialect(FILES[name])
    assert app_session_id(params["definition"], dialect) == expected["app_session_id"]
    preimage = expected["app_session_id_preimage"].encode()
    assert "0x" + keccak256(preimage).hex() == expected["app_session_id"]


def test_v05_session_id_covers_application() -> None:
    definition = {
        "application": "Chess",
        "protocol": "NitroRPC/0.4",
        "participants": ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"],
        "weights": [100],
        "quorum": 100,
        "challenge": 0,
        "nonce": 1,
    }
    other = dict(definition, application="Poker")
    assert app_session_id(definition, "0.5") != app_session_id(other, "0.5")
    # The array-params server never saw `application`.
    assert app_session_id(definition, "0.2") == app_session_id(other, "0.2")


def test_session_id_escapes_like_go() -> None:
    definition = {"protocol": "a<b>&c\u2028", "participants": [], "weights": [], "quorum": 0}
    expected_preimage = (
        '{"protocol":"a\\u003cb\\u003e\\u0026c\\u2028","participants":[],"weights":[],'
        '"quorum":0,"challenge":0,"nonce":0}'
    )
    assert app_session_id(definition, "0.2") == "0x" + keccak256(expected_preimage.encode()).hex()


def test_malformed_signatures_raise_typed_errors() -> None:
    base = '{"req":[1,"ping",[],1],"sig":[%s]}'
    for bad in ['""', '"0x12"', '"zz"', '"0x' + "00" * 65 + '"', "5"]:
        with pytest.raises(ProtocolError):
            recover_signers(base % bad)
