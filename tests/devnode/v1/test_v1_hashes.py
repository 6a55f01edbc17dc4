"""The node's hashing from its internal forms agrees with upstream's vectors (through protocol.v1)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from nitro_desktop.devnode.v1 import hashes
from nitro_desktop.protocol.v1.values import go_hex_bytes

VECTORS = Path(__file__).resolve().parents[2] / "protocol" / "v1" / "vectors"
GO: dict[str, Any] = json.loads((VECTORS / "generated_go.json").read_text(encoding="utf-8"))
UPSTREAM: dict[str, Any] = json.loads((VECTORS / "upstream_tests.json").read_text(encoding="utf-8"))
UPDATES = [v for v in GO["app_state_update_hash"] + UPSTREAM["app_state_update_hash"] if "expected" in v]


@pytest.mark.parametrize("vector", UPDATES)
def test_update_hash_from_the_nodes_internal_form(vector: dict[str, Any]) -> None:
    u = vector["update"]
    allocations = [(a["participant"].lower(), a["asset"], Decimal(a["amount"])) for a in u["allocations"]]
    digest = hashes.app_state_update_hash(
        u["app_session_id"], u["intent"], int(u["version"]), allocations, u["session_data"]
    )
    assert "0x" + digest.hex() == vector["expected"]


@pytest.mark.parametrize("text", ["tx2", "account2", "acct", "0x", "0X12zz34", "abc", "0xab" + "cd" * 40])
def test_lenient_hex_reads_as_go_does(text: str) -> None:
    # Go's hex.DecodeString keeps the bytes decoded before the first bad pair ("account2" -> 0xac);
    # the upstream pack_state vectors with tx_id "tx2" / account_id "account2" depend on it.
    assert hashes.go_from_hex(text) == go_hex_bytes(text, "x")


def test_update_hash_reads_any_participant_text_as_go_does() -> None:
    # nitronode hashes common.HexToAddress(participant) before it checks who the participants are.
    sid = "0x" + "12" * 32
    odd = hashes.app_state_update_hash(sid, 0, 2, [("0x" + "ab" * 10 + "zz", "usdc", Decimal(1))], "")
    padded = hashes.app_state_update_hash(sid, 0, 2, [("0x" + "00" * 10 + "ab" * 10, "usdc", Decimal(1))], "")
    assert odd == padded
    assert hashes.app_state_update_hash(sid, 0, 2, [("x" * 300, "usdc", Decimal(1))], "") == (
        hashes.app_state_update_hash(sid, 0, 2, [("0x" + "00" * 20, "usdc", Decimal(1))], "")
    )
