"""The dialect 1 signing-request file: what is signed, and every way a hostile or edited file is refused."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from nitro_desktop import signing
from nitro_desktop.protocol import Allocation, RawKeySigner, v1
from tests.signing.helpers import players
from tests.signing.test_cli_v1_nitroreq import shared_definition

URL = "ws://127.0.0.1:1/v1/ws"
OUTSIDER = RawKeySigner("0x" + "44" * 32)


def _created() -> signing.V1SigningRequest:
    _carol, alice, _bob = players()
    return signing.sign(signing.create_request_v1(URL, shared_definition(), "{}"), alice)


def _doc(request: signing.V1SigningRequest) -> dict[str, object]:
    return json.loads(signing.to_json(request))  # type: ignore[no-any-return]


def test_the_hash_is_upstreams_and_the_signature_a_wallet_quorum_signature() -> None:
    _carol, alice, bob = players()
    request = signing.sign(_created(), bob)
    assert request.signed_hash == v1.create_session_hash(shared_definition(), "{}")
    assert request.app_session_id == v1.app_session_id(shared_definition())
    for collected in request.signatures:
        assert collected.signature.startswith("0xa1") and len(collected.signature) == 2 + 2 * 66
        assert v1.recover_quorum_signer(request.signed_hash, collected.signature) == collected.signer.lower()
    assert request.signers == (alice.address, bob.address)
    assert signing.sufficiency(request).sufficient
    again = signing.loads(signing.to_json(request))
    assert again == request and again.payload == request.payload
    # The frame carries both signatures inside the payload, over the same bytes.
    frame = v1.decode_frame(signing.ready_frame(request))
    assert frame.method == "app_sessions.v1.create_app_session"
    assert frame.payload["quorum_sigs"] == [s.signature for s in request.signatures]
    assert v1.create_session_hash(frame.payload["definition"], frame.payload["session_data"]) == (
        request.signed_hash
    )


def test_an_update_names_its_intent_version_and_allocations() -> None:
    _carol, alice, bob = players()
    allocations = [
        Allocation(alice.address, "usdc", Decimal("1.5")),
        Allocation(bob.address, "usdc", Decimal(2)),
    ]
    request = signing.update_request_v1(URL, shared_definition(), "withdraw", 7, allocations)
    update = {
        "app_session_id": v1.app_session_id(shared_definition()),
        "intent": 2,
        "version": "7",
        "allocations": [
            {"participant": alice.address.lower(), "asset": "usdc", "amount": "1.5"},
            {"participant": bob.address.lower(), "asset": "usdc", "amount": "2"},
        ],
        "session_data": "",
    }
    assert request.signed_hash == v1.app_state_update_hash(update)
    assert (request.kind, request.intent, request.version) == ("submit", "withdraw", 7)
    text = signing.describe(request, [bob.address]).text()
    assert f"{bob.address} holds 2 usdc in the session after this withdraw" in text
    assert "intent withdraw, to version 7" in text and request.signed_hash in text
    with pytest.raises(signing.SigningError, match="intent must be one of"):
        signing.update_request_v1(URL, shared_definition(), "deposit", 7, allocations)


def test_tampered_hash_payload_or_definition_is_refused() -> None:
    request = _created()
    doc = _doc(request)
    doc["signed_hash"] = "0x" + "00" * 32
    with pytest.raises(signing.TamperedRequestError, match="does not match its recorded hash"):
        signing.loads(json.dumps(doc))

    doc = _doc(request)
    doc["payload"] = str(doc["payload"]).replace('"session_data":"{}"', '"session_data":"{\\"x\\":1}"')
    with pytest.raises(signing.TamperedRequestError, match="recorded hash"):
        signing.loads(json.dumps(doc))
    # The hash recomputed to fit the edit: Alice's signature no longer recovers to her.
    edited = signing.create_request_v1(URL, shared_definition(), '{"x":1}')
    doc["signed_hash"] = edited.signed_hash
    with pytest.raises(signing.TamperedRequestError, match="does not match the request"):
        signing.loads(json.dumps(doc))

    doc = _doc(request)
    doc["definition"]["quorum"] = 50  # type: ignore[index]
    with pytest.raises(signing.TamperedRequestError, match="does not match the request's payload"):
        signing.loads(json.dumps(doc))

    doc = _doc(request)
    doc["payload"] = json.dumps(json.loads(str(doc["payload"])), indent=1)  # same content, other bytes
    with pytest.raises(signing.TamperedRequestError, match="not in the form Nitro Desktop wrote it"):
        signing.loads(json.dumps(doc))


def test_a_non_participant_a_duplicate_and_a_session_key_signature_are_refused() -> None:
    _carol, alice, _bob = players()
    request = _created()
    with pytest.raises(signing.WrongSignerError, match="not a participant"):
        signing.sign(request, OUTSIDER)
    with pytest.raises(signing.DuplicateSignatureError, match="already signed"):
        signing.sign(request, alice)

    doc = _doc(request)
    outsider = v1.quorum_signature(request.signed_hash, OUTSIDER)
    doc["signatures"].append({"signer": OUTSIDER.address, "signature": outsider})  # type: ignore[attr-defined]
    with pytest.raises(signing.WrongSignerError, match="non-participant"):
        signing.loads(json.dumps(doc))
    doc = _doc(request)  # the outsider's signature passed off as Bob's
    doc["signatures"].append({"signer": players()[2].address, "signature": outsider})  # type: ignore[attr-defined]
    with pytest.raises(signing.TamperedRequestError, match=f"recovers to {OUTSIDER.address}"):
        signing.loads(json.dumps(doc))
    doc = _doc(request)
    doc["signatures"].append(dict(doc["signatures"][0]))  # type: ignore[attr-defined,index]
    with pytest.raises(signing.DuplicateSignatureError):
        signing.loads(json.dumps(doc))
    doc = _doc(request)
    key_sig = v1.quorum_signature(request.signed_hash, players()[2], "session_key")
    doc["signatures"].append({"signer": players()[2].address, "signature": key_sig})  # type: ignore[attr-defined]
    with pytest.raises(signing.WrongSignerError, match="0xA2"):
        signing.loads(json.dumps(doc))


def test_hostile_files_are_bounded() -> None:
    with pytest.raises(signing.SigningFormatError, match="larger than"):
        signing.loads(b" " * (signing.request.MAX_FILE_BYTES + 1))
    with pytest.raises(signing.SigningFormatError, match="nested deeper than 32"):
        signing.loads("[" * 200_000)  # json's C parser would overflow the stack on this
    doc = _doc(_created())
    doc["payload"] = '{"definition":' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(signing.SigningFormatError, match="payload"):
        signing.loads(json.dumps(doc))
    doc = _doc(_created())
    doc["signatures"] = [{"signer": "x", "signature": "y"}] * 1000
    with pytest.raises(signing.SigningFormatError, match="at most"):
        signing.loads(json.dumps(doc))
    doc = _doc(_created())
    doc["version"] = 1  # a version-1 reader's shape: refused, not misread
    with pytest.raises(signing.SigningFormatError, match="version 1 signing request cannot be for"):
        signing.loads(json.dumps(doc))


def test_a_flows_collect_request_on_dialect_1_is_a_v1_request() -> None:
    """What the wizard's and the update dialog's Collect signatures save on a v1 node."""
    from nitro_desktop.flows import UpdateSessionFlow
    from nitro_desktop.protocol import Dialect
    from nitro_desktop.signing.v1_request import common_definition

    _carol, alice, bob = players()
    definition = common_definition(v1.parse_definition(shared_definition()))
    sid = v1.app_session_id(shared_definition())
    current = {(alice.address, "usdc"): Decimal(4), (bob.address, "usdc"): Decimal(1)}
    flow = UpdateSessionFlow("close", Dialect.V1, sid, definition, 5, [alice.address], {"usdc": 6}, current)
    flow.signers = {alice.address}
    request = signing.request_for_flow(flow, URL, created_by=alice.address)
    assert isinstance(request, signing.V1SigningRequest)
    assert (request.kind, request.version, request.app_session_id) == ("close", 6, sid)
    assert [(a.participant, a.amount) for a in request.allocations][:2] == [
        (alice.address, Decimal(4)),
        (bob.address, Decimal(1)),
    ]
    assert signing.sufficiency(signing.sign(request, alice)).missing == (bob.address,)
