"""The .nitroreq format and its rules, without a network."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.protocol import RawKeySigner, app_session_id, parse_request_frame
from tests.signing.helpers import URL, game, players, stakes


def _create(dialect: str = "0.2", **kwargs: object) -> signing.SigningRequest:
    return signing.create_request(URL, dialect, game(dialect), stakes(10, 5), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", ["0.2", "0.5"])
def test_round_trip_keeps_the_req_text_byte_for_byte(tmp_path: Path, dialect: str) -> None:
    _referee, alice, bob = players()
    request = _create(dialect, created_by=alice.address)
    original = request.req
    path = signing.save(request, tmp_path / "game.nitroreq")
    for signer in (alice, bob):
        loaded = signing.load(path)
        assert not signing.sufficiency(loaded).sufficient
        path = signing.save(signing.sign(loaded, signer), path)
    final = signing.load(path)
    assert final.req == original
    assert final.signers == (alice.address, bob.address)
    assert signing.sufficiency(final).sufficient
    frame = parse_request_frame(signing.ready_frame(final))
    assert frame.raw_req == original and len(frame.signatures) == 2
    assert final.app_session_id == app_session_id(final.definition, dialect)
    doc = json.loads(path.read_text())
    assert doc["format"] == signing.FORMAT and doc["version"] == 1
    assert doc["endpoint"] == {"url": URL, "dialect": dialect}
    assert "puts 10 usdc" in doc["summary"]
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temporary behind


def test_summary_puts_the_viewers_allocation_first() -> None:
    _referee, alice, bob = players()
    request = signing.sign(_create(), alice)
    summary = signing.describe(request, bob.address)
    assert summary.own == (f"{bob.address} puts 5 usdc into the session",)
    text = summary.text()
    assert text.index("Your allocation") < text.index("Other allocations")
    assert f"{alice.address} (weight 0)" in text and "Quorum: 100" in text
    assert f"still needed: a signature from {bob.address}" in text


def test_close_needs_quorum_by_weight_and_refuses_zero_weight_signers() -> None:
    referee, alice, _bob = players()
    definition = game()
    request = signing.close_request(URL, "0.2", definition, stakes(12, 3))
    assert not signing.sufficiency(request).sufficient
    with pytest.raises(signing.WrongSignerError, match="weight 0"):
        signing.sign(request, alice)
    outsider = RawKeySigner.generate()
    with pytest.raises(signing.WrongSignerError, match="not a participant"):
        signing.sign(request, outsider)
    signed = signing.sign(request, referee)
    verdict = signing.sufficiency(signed)
    assert verdict.sufficient and verdict.signed_weight == 100
    with pytest.raises(signing.DuplicateSignatureError, match="already signed"):
        signing.sign(signed, referee)


def test_tampered_req_text_is_refused(tmp_path: Path) -> None:
    _referee, alice, _bob = players()
    path = signing.save(signing.sign(_create(), alice), tmp_path / "r.nitroreq")
    doc = json.loads(path.read_text())
    doc["req"] = doc["req"].replace('"amount":"10"', '"amount":"1"')
    path.write_text(json.dumps(doc))
    with pytest.raises(signing.TamperedRequestError, match="recorded hash"):
        signing.load(path)
    # An editor who also fixes the hash is caught by the signatures already in the file.
    from nitro_desktop.protocol import req_digest

    doc["req_keccak256"] = "0x" + req_digest(doc["req"]).hex()
    path.write_text(json.dumps(doc))
    with pytest.raises(signing.TamperedRequestError, match="does not match the request text"):
        signing.load(path)


def test_edited_definition_and_wrong_signature_entries_are_refused(tmp_path: Path) -> None:
    _referee, alice, bob = players()
    text = signing.to_json(signing.sign(_create(), alice))
    doc = json.loads(text)
    doc["definition"]["weights"] = [0, 100, 0]
    with pytest.raises(signing.TamperedRequestError, match="definition"):
        signing.loads(json.dumps(doc))
    doc = json.loads(text)
    doc["signatures"][0]["signer"] = bob.address
    with pytest.raises(signing.TamperedRequestError, match=f"listed for {bob.address}"):
        signing.loads(json.dumps(doc))
    doc = json.loads(text)
    doc["signatures"].append(doc["signatures"][0])
    with pytest.raises(signing.DuplicateSignatureError):
        signing.loads(json.dumps(doc))


def test_unknown_dialect_and_format_are_refused() -> None:
    doc = json.loads(signing.to_json(_create()))
    doc["endpoint"]["dialect"] = "0.9"
    with pytest.raises(signing.UnknownDialectError, match=r"'0\.9'"):
        signing.loads(json.dumps(doc))
    doc["endpoint"]["dialect"] = "0.2"
    doc["version"] = 3
    with pytest.raises(signing.SigningFormatError, match="version 3 is not supported"):
        signing.loads(json.dumps(doc))
    doc["version"] = 2  # the dialect 1 format: a 0.2 request cannot be one
    with pytest.raises(signing.SigningFormatError, match=r"cannot be for ClearNode dialect 0\.2"):
        signing.loads(json.dumps(doc))
    with pytest.raises(signing.SigningFormatError, match="not JSON"):
        signing.loads("{nope")
    with pytest.raises(signing.SigningFormatError, match="format"):
        signing.loads('{"format": "something-else"}')


def test_expired_request_is_refused_and_can_be_rebuilt() -> None:
    _referee, alice, bob = players()
    made = time.time() - 3600
    request = signing.sign(_create(now=made), alice, now=made)
    with pytest.raises(signing.ExpiredRequestError, match="60 s old") as info:
        signing.ready_frame(signing.sign(request, bob, now=made))
    assert info.value.age > 3500 and "Rebuild" in str(info.value)
    with pytest.raises(signing.ExpiredRequestError):
        signing.sign(request, bob)
    fresh = signing.rebuild(request)
    assert fresh.signatures == () and fresh.request_id != request.request_id
    assert fresh.params == request.params and fresh.timestamp_ms > request.timestamp_ms
    assert not signing.is_expired(fresh)
    assert signing.sufficiency(signing.sign_all(fresh, [alice, bob])).sufficient


def test_not_enough_signatures_is_refused() -> None:
    _referee, alice, bob = players()
    with pytest.raises(signing.InsufficientSignaturesError) as info:
        signing.ready_frame(signing.sign(_create(), alice))
    assert info.value.missing == (bob.address,)
