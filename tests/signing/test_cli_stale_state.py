"""Two profiles of the referee on one session: each update builds on the server's state, not the saved one."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from nitro_desktop.cli import main
from nitro_desktop.protocol import app_session_id, definition_from_dict
from nitro_desktop.store import Store
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import ALICE_KEY, BOB_KEY, REFEREE_KEY, players


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def profile(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, *keys: str) -> Path:
    data_dir = tmp_path / name
    for i, key in enumerate(keys):
        key_file = tmp_path / f"{name}-{i}.key"
        key_file.write_text(key + "\n")
        code, out, err = run(capsys, data_dir, "accounts", "import", "--key-file", str(key_file))
        assert code == 0, out + err
    return data_dir


def split(tmp_path: Path, name: str, alice: int, bob: int) -> str:
    referee, a, b = players()
    path = tmp_path / f"{name}.json"
    path.write_text(
        json.dumps(
            [
                {"participant": referee.address, "asset": "usdc", "amount": "0"},
                {"participant": a.address, "asset": "usdc", "amount": str(alice)},
                {"participant": b.address, "asset": "usdc", "amount": str(bob)},
            ]
        )
    )
    return str(path)


def test_update_builds_on_the_version_someone_else_made(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    global_keyring: MemoryKeyring,
    threaded_sandbox: ThreadedSandbox,
) -> None:
    node = threaded_sandbox
    dialect = node.node.dialect.value
    referee, alice, bob = players()
    node.fund(alice.address, 100)
    node.fund(bob.address, 100)
    a_dir = profile(tmp_path, capsys, "a", REFEREE_KEY, ALICE_KEY, BOB_KEY)
    b_dir = profile(tmp_path, capsys, "b", REFEREE_KEY)
    definition = {
        "application": "chess",
        "participants": [referee.address, alice.address, bob.address],
        "weights": [100, 0, 0],
        "quorum": 100,
        "challenge": 0,
        "nonce": time.time_ns() // 1000,
    }
    definition_file = tmp_path / "definition.json"
    definition_file.write_text(json.dumps(definition))
    code, out, err = run(
        capsys, a_dir, "sessions", "create", "--definition", str(definition_file),
        "--allocations", split(tmp_path, "stakes", 10, 10), "--endpoint", node.url, "--dialect", dialect,
        "--sign", alice.address, bob.address,
    )  # fmt: skip
    assert code == 0, out + err
    sid = out.split()[0]
    with Store.open(a_dir) as store:
        saved = store.sessions.get(sid)
        assert saved is not None and saved.version == 1
        assert app_session_id(definition_from_dict(json.loads(saved.definition_json)), dialect) == sid

    # B (the referee on another machine) moves the session to version 2: alice now holds 15.
    code, out, err = run(
        capsys, b_dir, "sessions", "update", sid, "--allocations", split(tmp_path, "b", 15, 5),
        "--endpoint", node.url, "--dialect", dialect, "--sign", referee.address,
    )  # fmt: skip
    assert code == 0, out + err
    assert out.split() == [sid, "open", "v2"]

    # A's record still says version 1; A's update builds on B's version 2.
    code, out, err = run(
        capsys, a_dir, "sessions", "update", sid, "--allocations", split(tmp_path, "a", 20, 0),
        "--sign", referee.address,
    )  # fmt: skip
    assert code == 0, out + err
    assert "incorrect version" not in err
    assert "Someone else moved this session to version 2; the update builds on it." in err
    assert out.split() == [sid, "open", "v3"]
    with Store.open(a_dir) as store:
        assert [(h.status, h.version) for h in store.sessions.history(sid)] == [
            ("open", 1),
            ("open", 2),
            ("open", 3),
        ]
        saved = store.sessions.get(sid)
        assert saved is not None and saved.version == 3
        assert {a["amount"] for a in json.loads(saved.allocations_json)} == {"0", "20"}


def test_update_of_a_session_someone_else_closed_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    global_keyring: MemoryKeyring,
    threaded_sandbox: ThreadedSandbox,
) -> None:
    node = threaded_sandbox
    dialect = node.node.dialect.value
    referee, alice, bob = players()
    node.fund(alice.address, 100)
    node.fund(bob.address, 100)
    a_dir = profile(tmp_path, capsys, "a", REFEREE_KEY, ALICE_KEY, BOB_KEY)
    b_dir = profile(tmp_path, capsys, "b", REFEREE_KEY)
    definition_file = tmp_path / "definition.json"
    definition_file.write_text(
        json.dumps(
            {
                "application": "chess",
                "participants": [referee.address, alice.address, bob.address],
                "weights": [100, 0, 0],
                "quorum": 100,
                "challenge": 0,
                "nonce": time.time_ns() // 1000,
            }
        )
    )
    code, out, err = run(
        capsys, a_dir, "sessions", "create", "--definition", str(definition_file),
        "--allocations", split(tmp_path, "stakes", 10, 10), "--endpoint", node.url, "--dialect", dialect,
        "--sign", alice.address, bob.address,
    )  # fmt: skip
    assert code == 0, out + err
    sid = out.split()[0]
    code, out, err = run(
        capsys, b_dir, "sessions", "close", sid, "--allocations", split(tmp_path, "b", 20, 0),
        "--endpoint", node.url, "--dialect", dialect, "--sign", referee.address,
    )  # fmt: skip
    assert code == 0, out + err

    code, out, err = run(
        capsys, a_dir, "sessions", "update", sid, "--allocations", split(tmp_path, "a", 20, 0),
        "--sign", referee.address,
    )  # fmt: skip
    assert code == 2
    assert "Someone else closed this session (version 2)." in err
    assert f"{sid} is closed (version 2); there is nothing to update" in err
    with Store.open(a_dir) as store:
        saved = store.sessions.get(sid)
        assert saved is not None and (saved.status, saved.version) == ("closed", 2)
