"""`sessions close` without local history takes the definition from the server (difference #8).

v0.5.2's get_app_definition has `application: ""`, so the id cannot be rebuilt from it alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.keys.memory_keyring import MemoryKeyring
from tests.signing.conftest import ThreadedSandbox
from tests.signing.helpers import REFEREE_KEY, players
from tests.signing.test_cli_broker_pin import create_args
from tests.signing.test_cli_three_profiles import profile, run


def test_close_of_a_session_this_data_dir_never_saw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], global_keyring: MemoryKeyring
) -> None:
    referee = players()[0]
    creator = profile(tmp_path, capsys, "creator", REFEREE_KEY)
    node = ThreadedSandbox("0.5")
    try:
        node.fund(referee.address, 100)
        target = ["--endpoint", node.url, "--dialect", "0.5"]
        code, out = run(capsys, creator, *create_args(tmp_path, *target))
        assert code == 0, out
        sid = out.split()[0]
        other = tmp_path / "elsewhere"  # the same key on another machine: no history of the session
        (tmp_path / "k").write_text(REFEREE_KEY)
        code, out = run(capsys, other, "accounts", "import", "--key-file", str(tmp_path / "k"))
        assert code == 0, out
        stakes = json.dumps([{"participant": referee.address, "asset": "usdc", "amount": "5"}])
        (tmp_path / "payout.json").write_text(stakes)
        code, out = run(
            capsys, other, "sessions", "close", sid, "--allocations", str(tmp_path / "payout.json"),
            "--sign", referee.address, *target,
        )  # fmt: skip
        assert code == 0, out
        assert f"{sid}  closed" in out
        assert node.balance(referee.address) == 100
    finally:
        node.stop()
