"""Dialect 1 ``.nitroreq`` across three people (three data dirs) through the v1 sandbox on 127.0.0.1:
create, deposit, operate and close each need two signers (weights 50 + 50 of quorum 100)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.protocol import v1
from nitro_desktop.store import Store
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import ALICE_KEY, BOB_KEY, REFEREE_KEY, players
from tests.signing.test_cli_three_profiles import profile, run, write_json


@pytest.fixture
def people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], global_keyring: MemoryKeyring
) -> dict[str, Path]:
    return {
        "carol": profile(tmp_path, capsys, "carol", REFEREE_KEY),
        "alice": profile(tmp_path, capsys, "alice", ALICE_KEY),
        "bob": profile(tmp_path, capsys, "bob", BOB_KEY),
    }


def shared_definition(nonce: str = "777") -> dict[str, object]:
    carol, alice, bob = players()
    return {
        "application_id": "nitro-desktop-cosign",
        "participants": [
            {"wallet_address": alice.address, "signature_weight": 50},
            {"wallet_address": bob.address, "signature_weight": 50},
            {"wallet_address": carol.address, "signature_weight": 0},
        ],
        "quorum": 100,
        "nonce": nonce,
    }


def test_create_deposit_operate_close_need_two_signers(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    people: dict[str, Path],
    v1_node: ThreadedSandbox,
) -> None:
    carol, alice, bob = players()
    v1_node.fund(alice.address, 20)
    definition = shared_definition()
    sid = v1.app_session_id(definition)
    def_file = write_json(tmp_path / "def.json", definition)
    none = write_json(tmp_path / "none.json", [])
    where = ("--endpoint", v1_node.url, "--dialect", "1")
    create_file = str(tmp_path / "create.nitroreq")

    # Alice alone does not reach the quorum: without --out nothing is sent, and she is told why.
    code, out = run(
        capsys, people["alice"], "sessions", "create", "--definition", def_file,
        "--allocations", none, *where, "--sign", alice.address,
    )  # fmt: skip
    assert code == 2 and "not enough" in out and "--out" in out
    code, out = run(
        capsys, people["alice"], "sessions", "create", "--definition", def_file,
        "--allocations", none, *where, "--sign", alice.address, "--out", create_file,
    )  # fmt: skip
    assert code == 0 and "Saved the signing request" in out
    saved = signing.load(create_file)
    assert isinstance(saved, signing.V1SigningRequest) and saved.signers == (alice.address,)
    assert saved.signed_hash == v1.create_session_hash(definition, "")
    doc = json.loads(Path(create_file).read_text())
    assert (doc["version"], doc["endpoint"]["dialect"]) == (2, "1")

    # Carol has weight 0: her signature would count for nothing, so she is not let sign.
    code, out = run(capsys, people["carol"], "sign", create_file, "--account", carol.address, "--yes")
    assert code == 2 and "weight 0" in out
    code, out = run(capsys, people["carol"], "submit", create_file)
    assert code == 2 and "quorum not reached: signed weight 50 of 100" in out

    # Bob reads exactly what he signs (the definition, the hash), signs; Carol, who holds it, submits.
    code, out = run(capsys, people["bob"], "sign", create_file, "--account", bob.address, "--yes")
    assert code == 0, out
    assert saved.signed_hash in out and "nitro-desktop-cosign" in out and f"{bob.address} (50) - you" in out
    assert "quorum reached" in out
    assert signing.load(create_file).payload == saved.payload  # not a byte changed
    code, out = run(capsys, people["carol"], "submit", create_file)
    assert code == 0 and f"Created {sid}" in out, out
    with Store.open(people["carol"]) as store:
        record = store.sessions.get(sid)
        assert record is not None and record.version == 1 and record.origin == "created"
        frame = json.loads(record.request_frame or "")
        assert frame[2] == "app_sessions.v1.create_app_session" and len(frame[3]["quorum_sigs"]) == 2
    # The same file again: the node already has the session; nothing new is created.
    code, out = run(capsys, people["carol"], "submit", create_file)
    assert code == 0 and "already exists" in out

    # Deposit: Alice's home channel pays 5; Bob's signature completes the quorum.
    deposit_file = str(tmp_path / "deposit.nitroreq")
    deposit = ("sessions", "deposit", sid, "--asset", "usdc", "--amount", "5", *where)
    code, out = run(capsys, people["alice"], *deposit, "--account", alice.address)
    assert code == 2 and "not enough" in out
    code, out = run(capsys, people["alice"], *deposit, "--account", alice.address, "--out", deposit_file)
    assert code == 0, out
    assert f"{alice.address} moves 5 usdc from their home channel into the session" in out
    code, out = run(capsys, people["bob"], "sign", deposit_file, "--account", bob.address, "--yes")
    assert code == 0 and "quorum reached" in out, out
    code, out = run(capsys, people["bob"], "submit", deposit_file)
    assert code == 0 and f"Deposited into {sid}: version 2, open" in out, out
    assert v1_node.balance(alice.address) == Decimal(15)

    # Operate: 2 of Alice's 5 to Bob, collected by Bob this time.
    operate = write_json(
        tmp_path / "operate.json",
        [
            {"participant": alice.address, "asset": "usdc", "amount": "3"},
            {"participant": bob.address, "asset": "usdc", "amount": "2"},
        ],
    )
    operate_file = str(tmp_path / "operate.nitroreq")
    code, out = run(
        capsys, people["bob"], "sessions", "update", sid, "--allocations", operate, "--definition",
        def_file, *where, "--sign", bob.address, "--out", operate_file,
    )  # fmt: skip
    assert code == 0 and "intent operate, to version 3" in out, out
    code, out = run(capsys, people["alice"], "sign", operate_file, "--account", alice.address, "--yes")
    assert code == 0 and f"{alice.address} holds 3 usdc in the session after this operate" in out
    code, out = run(capsys, people["alice"], "submit", operate_file)
    assert code == 0 and f"Updated {sid}: version 3, open" in out, out

    # Close pays out: both sign, Alice submits; Bob's 2 reach his home channel.
    close_file = str(tmp_path / "close.nitroreq")
    code, out = run(
        capsys, people["alice"], "sessions", "close", sid, "--allocations", operate, "--definition",
        def_file, *where, "--sign", alice.address, "--out", close_file,
    )  # fmt: skip
    assert code == 0, out
    code, out = run(capsys, people["bob"], "sign", close_file, "--account", bob.address, "--yes")
    assert code == 0, out
    code, out = run(capsys, people["alice"], "submit", close_file)
    assert code == 0 and f"Closed {sid}: version 4, closed" in out, out
    assert v1_node.balance(bob.address) == Decimal(2)
    assert v1_node.balance(alice.address) == Decimal(18)
    with Store.open(people["alice"]) as store:
        record = store.sessions.get(sid)
        assert record is not None and (record.status, record.version) == ("closed", 4)
    # Submitted twice: the node refuses, and says so plainly.
    code, out = run(capsys, people["bob"], "submit", close_file)
    assert code == 2 and "already closed" in out


def test_a_tampered_v1_file_is_refused_by_sign_and_submit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], people: dict[str, Path]
) -> None:
    _carol, alice, bob = players()
    request = signing.sign(signing.create_request_v1("ws://127.0.0.1:1/v1/ws", shared_definition()), alice)
    path = signing.save(request, tmp_path / "r.nitroreq")
    doc = json.loads(path.read_text())
    doc["definition"]["participants"][1]["signature_weight"] = 100  # Bob would reach the quorum alone
    path.write_text(json.dumps(doc))
    for who, argv in (
        ("bob", ("sign", str(path), "--account", bob.address, "--yes")),
        ("alice", ("submit", str(path))),
    ):
        code, out = run(capsys, people[who], *argv)
        assert code == 2 and "does not match the request's payload: the file was edited" in out, out
