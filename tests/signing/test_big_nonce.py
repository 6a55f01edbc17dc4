"""Nonces and challenges above 2^53 - 1 are refused on every input path (difference #4).

The ClearNode reads params as float64, so it would create the session under another id.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.cli import main
from nitro_desktop.protocol import ProtocolError, builders, keccak256
from tests.signing.helpers import URL, game, players, stakes

BIG = 2**53 + 1
LIMIT = str(2**53 - 1)


def test_builder_refuses_a_nonce_and_a_challenge_the_server_would_round() -> None:
    with pytest.raises(ProtocolError, match=f"nonce {BIG} is above {LIMIT}"):
        builders.create_app_session("0.5", game("0.5", nonce=BIG), stakes(1, 1))
    with pytest.raises(ProtocolError, match=r"challenge .* 64-bit floats"):
        builders.create_app_session("0.2", replace(game("0.2"), challenge=BIG), stakes(1, 1))
    builders.create_app_session("0.2", game("0.2", nonce=2**53 - 1), stakes(1, 1))  # the largest exact one


def test_cli_sessions_create_refuses_the_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    referee, alice, bob = players()
    definition = {
        "participants": [referee.address, alice.address, bob.address],
        "weights": [100, 0, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": BIG,
    }
    (tmp_path / "d.json").write_text(json.dumps(definition))
    (tmp_path / "a.json").write_text(
        json.dumps([{"participant": alice.address, "asset": "usdc", "amount": "1"}])
    )
    code = main([
        "--data-dir", str(tmp_path / "data"), "sessions", "create",
        "--definition", str(tmp_path / "d.json"), "--allocations", str(tmp_path / "a.json"),
        "--endpoint", URL, "--dialect", "0.2", "--out", str(tmp_path / "x.nitroreq"),
    ])  # fmt: skip
    out = capsys.readouterr()
    assert code == 2
    assert f"definition: the nonce {BIG} is above {LIMIT}" in out.err + out.out
    assert not (tmp_path / "x.nitroreq").exists()


def test_nitroreq_with_a_big_nonce_is_refused_on_loading(tmp_path: Path) -> None:
    """A file made elsewhere (its req and hash consistent) must still not be signed."""
    nonce = 1234567
    path = signing.save(
        signing.create_request(URL, "0.2", game("0.2", nonce=nonce), stakes(1, 1)), tmp_path / "r.nitroreq"
    )
    doc = json.loads(path.read_text())
    doc["req"] = doc["req"].replace(f'"nonce":{nonce}', f'"nonce":{BIG}')
    doc["definition"]["nonce"] = BIG
    doc["req_keccak256"] = "0x" + keccak256(doc["req"].encode()).hex()
    path.write_text(json.dumps(doc))
    with pytest.raises(signing.SigningFormatError, match=f"nonce {BIG} is above {LIMIT}"):
        signing.load(path)
