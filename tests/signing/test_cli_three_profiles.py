"""Three people, three data dirs: collect → sign → sign → submit, then close by the referee alone."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop import signing
from nitro_desktop.cli import main
from nitro_desktop.protocol import RawKeySigner, app_session_id
from nitro_desktop.store import Store
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import ALICE_KEY, BOB_KEY, REFEREE_KEY, players


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def profile(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, key: str) -> Path:
    data_dir = tmp_path / name
    key_file = tmp_path / f"{name}.key"
    key_file.write_text(key + "\n")
    code, out = run(capsys, data_dir, "accounts", "import", "--key-file", str(key_file), "--label", name)
    assert code == 0, out
    return data_dir


def write_json(path: Path, value: object) -> str:
    path.write_text(json.dumps(value))
    return str(path)


@pytest.fixture
def table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], global_keyring: MemoryKeyring
) -> dict[str, Path]:
    return {
        "referee": profile(tmp_path, capsys, "referee", REFEREE_KEY),
        "alice": profile(tmp_path, capsys, "alice", ALICE_KEY),
        "bob": profile(tmp_path, capsys, "bob", BOB_KEY),
    }


def test_collect_sign_sign_submit_then_close_by_referee(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: dict[str, Path],
    threaded_sandbox: ThreadedSandbox,
) -> None:
    node = threaded_sandbox
    referee, alice, bob = players()
    dialect = node.node.dialect.value
    node.fund(alice.address, 100)
    node.fund(bob.address, 100)
    definition = {
        "application": "chess",
        "participants": [referee.address, alice.address, bob.address],
        "weights": [100, 0, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": time.time_ns() // 1000,
    }
    definition_file = write_json(tmp_path / "definition.json", definition)
    stakes = [
        {"participant": referee.address, "asset": "usdc", "amount": "0"},
        {"participant": alice.address, "asset": "usdc", "amount": "10"},
        {"participant": bob.address, "asset": "usdc", "amount": "5"},
    ]
    request_file = tmp_path / "game.nitroreq"

    # The referee (a game server) collects: no local signature can fund the players' stakes.
    code, out = run(
        capsys, table["referee"], "sessions", "create", "--definition", definition_file,
        "--allocations", write_json(tmp_path / "stakes.json", stakes),
        "--endpoint", node.url, "--dialect", dialect, "--out", str(request_file),
    )  # fmt: skip
    assert code == 0, out
    assert "Saved the signing request" in out and f"still needed: a signature from {alice.address}" in out
    original_req = signing.load(request_file).req

    # Without enough signatures, submit is refused and nothing reaches the node.
    code, out = run(capsys, table["referee"], "submit", str(request_file))
    assert code == 2 and "not enough signatures" in out
    assert node.balance(alice.address) == 100

    code, out = run(capsys, table["alice"], "sign", str(request_file), "--account", alice.address)
    assert code == 0, out
    assert out.index("Your allocation:") < out.index("Other allocations:")
    assert f"{alice.address} puts 10 usdc into the session" in out.split("Other allocations:")[0]
    code, out = run(capsys, table["bob"], "sign", str(request_file), "--account", bob.address)
    assert code == 0 and "every participant who puts funds in has signed" in out

    signed = signing.load(request_file)
    assert signed.req == original_req and signed.signers == (alice.address, bob.address)

    code, out = run(capsys, table["referee"], "submit", str(request_file))
    assert code == 0, out
    sid = app_session_id(signed.definition, dialect)
    result, pin_note = out.splitlines()  # the result on stdout; the first-use pin on stderr
    assert result.split() == [sid, "open", "v1"]
    assert pin_note == f"pinned broker {node.node.broker_address} for endpoint {node.url}"
    assert (node.balance(alice.address), node.balance(bob.address)) == (Decimal(90), Decimal(95))
    with Store.open(table["referee"]) as store:
        saved = store.sessions.get(sid)
        assert saved is not None and (saved.status, saved.version) == ("open", 1)

    # The referee alone reaches the quorum: close pays out at once, no file needed.
    payout = [
        {"participant": referee.address, "asset": "usdc", "amount": "0"},
        {"participant": alice.address, "asset": "usdc", "amount": "15"},
        {"participant": bob.address, "asset": "usdc", "amount": "0"},
    ]
    code, out = run(
        capsys, table["referee"], "sessions", "close", sid,
        "--allocations", write_json(tmp_path / "payout.json", payout), "--sign", referee.address,
    )  # fmt: skip
    assert code == 0, out
    assert out.split() == [sid, "closed", "v2"]
    assert (node.balance(alice.address), node.balance(bob.address)) == (Decimal(105), Decimal(95))
    with Store.open(table["referee"]) as store:
        saved = store.sessions.get(sid)
        assert saved is not None and (saved.status, saved.version) == ("closed", 2)
        assert [h.status for h in store.sessions.history(sid)] == ["open", "closed"]
    code, out = run(capsys, table["referee"], "sessions", "list")
    assert code == 0 and sid in out and "closed" in out


def test_refusals_never_submit(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: dict[str, Path],
    threaded_sandbox: ThreadedSandbox,
) -> None:
    node = threaded_sandbox
    _referee, alice, bob = players()
    dialect = node.node.dialect.value
    node.fund(alice.address, 100)
    node.fund(bob.address, 100)
    from tests.signing.helpers import game, stakes

    def fresh(name: str, **kwargs: object) -> Path:
        request = signing.create_request(node.url, dialect, game(dialect), stakes(10, 5), **kwargs)  # type: ignore[arg-type]
        return signing.save(request, tmp_path / name)

    # Wrong signer: an account that is not a participant.
    outsider_dir = profile(tmp_path, capsys, "outsider", "0x" + "44" * 32)
    outsider = RawKeySigner("0x" + "44" * 32)
    path = fresh("wrong.nitroreq")
    code, out = run(capsys, outsider_dir, "sign", str(path), "--account", outsider.address)
    assert code == 2 and f"{outsider.address} is not a participant" in out
    assert signing.load(path).signatures == ()

    # Duplicate signature.
    code, out = run(capsys, table["alice"], "sign", str(path), "--account", alice.address)
    assert code == 0
    code, out = run(capsys, table["alice"], "sign", str(path), "--account", alice.address)
    assert code == 2 and f"{alice.address} has already signed this request" in out

    # Tampered: a fully signed file whose req was edited afterwards (amount lowered).
    code, out = run(capsys, table["bob"], "sign", str(path), "--account", bob.address)
    assert code == 0
    doc = json.loads(path.read_text())
    doc["req"] = doc["req"].replace('"amount":"10"', '"amount":"1"')
    tampered = tmp_path / "tampered.nitroreq"
    tampered.write_text(json.dumps(doc))
    code, out = run(capsys, table["referee"], "submit", str(tampered))
    assert code == 2 and "the file was changed after it was made" in out

    # Unknown dialect.
    doc = json.loads(path.read_text())
    doc["endpoint"]["dialect"] = "0.9"
    unknown = tmp_path / "unknown.nitroreq"
    unknown.write_text(json.dumps(doc))
    code, out = run(capsys, table["referee"], "submit", str(unknown))
    assert code == 2 and "dialect '0.9'" in out and "does not speak" in out

    # Expired: made and signed an hour ago.
    made = time.time() - 3600
    old = signing.sign_all(
        signing.create_request(node.url, dialect, game(dialect), stakes(10, 5), now=made), [alice], now=made
    )
    expired = signing.save(old, tmp_path / "expired.nitroreq")
    code, out = run(capsys, table["referee"], "submit", str(expired))
    assert code == 2 and "only accepts requests whose timestamp is at most 60 s old" in out
    code, out = run(capsys, table["bob"], "sign", str(expired), "--account", bob.address)
    assert code == 2 and "--rebuild" in out

    # None of the above moved a coin.
    assert (node.balance(alice.address), node.balance(bob.address)) == (Decimal(100), Decimal(100))

    # The intact file still works, and the expired one can be rebuilt and re-collected.
    code, out = run(capsys, table["referee"], "submit", str(path))
    assert code == 0, out
    code, out = run(capsys, table["alice"], "sign", str(expired), "--account", alice.address, "--rebuild")
    assert code == 0 and "Rebuilt with a fresh timestamp" in out
    assert signing.load(expired).signers == (alice.address,)
