"""``sessions create|update|close`` on dialect 1 against the v1 sandbox on 127.0.0.1, sent at once
by a local signer who alone reaches the quorum, and the refusal of allocations at create."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nitro_desktop.protocol import v1
from nitro_desktop.store import Store
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import ALICE_KEY, players
from tests.signing.test_cli_three_profiles import profile, run, write_json


def test_create_update_close_on_dialect_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], global_keyring: object, v1_node: ThreadedSandbox
) -> None:
    _referee, alice, bob = players()
    data = profile(tmp_path, capsys, "alice", ALICE_KEY)
    definition = {
        "application_id": "nitro-desktop-cli",
        "participants": [
            {"wallet_address": alice.address, "signature_weight": 100},
            {"wallet_address": bob.address, "signature_weight": 0},
        ],
        "quorum": 100,
        "nonce": "4242",
    }
    sid = v1.app_session_id(definition)
    def_file = write_json(tmp_path / "def.json", definition)
    none = write_json(tmp_path / "none.json", [])
    some = write_json(
        tmp_path / "some.json", [{"participant": alice.address, "asset": "usdc", "amount": "1"}]
    )
    common = ("--endpoint", v1_node.url, "--dialect", "1", "--sign", alice.address)

    code, out = run(
        capsys, data, "sessions", "create", "--definition", def_file, "--allocations", some, *common
    )
    assert code == 2 and "created empty" in out
    code, out = run(
        capsys, data, "sessions", "create", "--definition", def_file, "--allocations", none, *common
    )
    assert code == 0 and f"Created {sid}" in out
    with Store.open(data) as store:
        saved = store.sessions.get(sid)
        assert saved is not None and saved.version == 1 and saved.origin == "created"
        assert json.loads(saved.request_frame or "")[2] == "app_sessions.v1.create_app_session"

    code, out = run(
        capsys, data, "sessions", "update", sid, "--allocations", none, "--session-data", "{}", *common
    )
    assert code == 0 and "version 2, open" in out
    code, out = run(capsys, data, "sessions", "close", sid, "--allocations", none, *common)
    assert code == 0 and "version 3, closed" in out
    with Store.open(data) as store:
        saved = store.sessions.get(sid)
        assert saved is not None and (saved.status, saved.version) == ("closed", 3)
        assert json.loads(saved.request_frame or "")[3]["app_state_update"]["intent"] == 3

    # The node's refusal comes out as a clear error, not a traceback.
    code, out = run(capsys, data, "sessions", "close", sid, "--allocations", none, *common)
    assert code == 2 and "already closed" in out
