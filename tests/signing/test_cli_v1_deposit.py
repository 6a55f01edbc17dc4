"""``sessions deposit`` on the v1 sandbox (127.0.0.1): a home channel pays into a session, and each
wrong input (no funds, unknown session, not a participant, bad amount, a 0.x node) is said plainly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from nitro_desktop.protocol import v1
from nitro_desktop.store import Store
from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import ALICE_KEY, REFEREE_KEY, players
from tests.signing.test_cli_three_profiles import profile, run, write_json


def test_deposit_from_the_command_line_and_its_refusals(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    global_keyring: MemoryKeyring,
    v1_node: ThreadedSandbox,
) -> None:
    carol, alice, bob = players()
    data = profile(tmp_path, capsys, "alice", ALICE_KEY)
    outsider = profile(tmp_path, capsys, "carol", REFEREE_KEY)
    definition = {
        "application_id": "nitro-desktop-deposit",
        "participants": [
            {"wallet_address": alice.address, "signature_weight": 100},
            {"wallet_address": bob.address, "signature_weight": 0},
        ],
        "quorum": 100,
        "nonce": "31337",
    }
    sid = v1.app_session_id(definition)
    where = ("--endpoint", v1_node.url, "--dialect", "1")
    code, out = run(
        capsys, data, "sessions", "create", "--definition", write_json(tmp_path / "d.json", definition),
        "--allocations", write_json(tmp_path / "n.json", []), *where, "--sign", alice.address,
    )  # fmt: skip
    assert code == 0, out

    def deposit(amount: str, *extra: str, who: Path = data, session: str = sid) -> tuple[int, str]:
        return run(capsys, who, "sessions", "deposit", session, "--asset", "usdc", "--amount", amount, *extra)

    mine = (*where, "--account", alice.address)
    code, out = deposit("5", *mine)
    assert code == 2 and "has no usdc home channel" in out and "no funds" in out
    v1_node.fund(alice.address, 3)
    code, out = deposit("5", *mine)
    assert code == 2 and "holds 3 usdc; it cannot put in more" in out
    code, out = deposit("0", *mine)
    assert code == 2 and "--amount must be more than 0" in out
    code, out = deposit("lots", *mine)
    assert code == 2 and "--amount is not a plain decimal number" in out
    code, out = deposit("0.0000001", *mine)
    assert code == 2 and "more than 6 decimal places" in out
    code, out = deposit("1", *mine, session="0x" + "ab" * 32)
    assert code == 2 and "the node has no app session" in out
    code, out = deposit("1", *where, "--account", carol.address, who=outsider)
    assert code == 2 and "is not a participant" in out
    code, out = deposit("1", "--endpoint", v1_node.url, "--dialect", "0.2", "--account", alice.address)
    assert code == 2 and "a deposit is a dialect 1 (nitronode) call" in out
    assert v1_node.balance(alice.address) == Decimal(3)  # nothing moved by any of these

    # Alice alone reaches the quorum: sent at once, recorded with its frames.
    code, out = deposit("2.5", *mine)
    assert code == 0 and f"Deposited into {sid}: version 2, open" in out, out
    assert v1_node.balance(alice.address) == Decimal("0.5")
    with Store.open(data) as store:
        record = store.sessions.get(sid)
        assert record is not None and record.version == 2
        assert "app_sessions.v1.submit_deposit_state" in (record.request_frame or "")
        assert '"amount":"2.5"' in record.allocations_json
